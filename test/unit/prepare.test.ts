import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readCsv, readCsvText } from '../../src/engine/data/csv';
import { originalMatrix, originalValues, prepareFeatures, standardiseInPlace, type PrepareOptions, type PreparedData } from '../../src/engine/data/prepare';

async function prepare(text: string, options?: PrepareOptions): Promise<PreparedData> {
  return prepareFeatures(await readCsvText(text, 'customers.csv'), options);
}

/** Rejects with exactly this code and message. */
async function assertFails(text: string, options: PrepareOptions, code: string, message: string): Promise<void> {
  const table = await readCsvText(text, 'customers.csv');
  assert.throws(() => prepareFeatures(table, options), { name: 'SegmentError', code, message });
}

function assertClose(actual: ArrayLike<number>, expected: number[], tolerance = 1e-12): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= tolerance, `[${i}] ${actual[i]} ≠ ${expected[i]}`);
  }
}

const CUSTOMERS = [
  'customer_id,age,tier,spend,region,notes,visits',
  '007,34,Gold,120.5,3,,2',
  'C8,41,Silver,99,3,NA,5',
  'C9,34,Gold,10,3,,2',
  'C10,29,Bronze,55.5,3,null,7',
].join('\n');

describe('choosing the features', () => {
  test('every numeric column except id-like, constant, non-numeric and empty ones, each listed with its reason', async () => {
    const data = await prepare(CUSTOMERS);
    assert.deepEqual(data.features, ['age', 'spend', 'visits']);
    assert.deepEqual(data.excluded, [
      { column: 'customer_id', reason: 'id-like (named like an identifier)' },
      { column: 'tier', reason: 'categorical (3 levels): described, not clustered' },
      { column: 'region', reason: 'constant (every value is 3)' },
      { column: 'notes', reason: 'all values missing' },
    ]);
    assert.equal(data.idColumn, 'customer_id');
    assert.deepEqual(data.ids, ['007', 'C8', 'C9', 'C10']);
    assert.equal(data.fileName, 'customers.csv');
    assert.equal(data.n, 4);
    assert.equal(data.d, 3);
    assert.equal(data.missing, 'drop');
    assert.deepEqual(Array.from(originalMatrix(data).subarray(0, 3)), [34, 120.5, 2]);
  });

  test('columns whose values are all distinct integers or all distinct text are id-like; the first becomes the id column', async () => {
    const data = await prepare('member_no,email,age,spend\n101,a@x.com,30,1.5\n102,b@x.com,30,2.5\n103,c@x.com,40,2.5\n');
    assert.deepEqual(data.features, ['age', 'spend']);
    assert.deepEqual(data.excluded, [
      { column: 'member_no', reason: 'id-like (all values distinct integers)' },
      { column: 'email', reason: 'id-like (all values distinct text)' },
    ]);
    assert.equal(data.idColumn, 'member_no');
    assert.deepEqual(data.ids, ['101', '102', '103']);
  });

  test('a sparse column of distinct integers is a feature, not the id: only a column with no missing value is id-like by its values', async () => {
    // issue 10: most rows had an empty key in the assignments and the money column was not clustered
    const data = await prepare('age,refund,visits\n30,,2\n41,250,5\n30,,2\n29,,7\n52,1200,4\n', { missing: 'median' });
    assert.deepEqual(data.features, ['age', 'refund', 'visits']);
    assert.deepEqual(data.excluded, []);
    assert.equal(data.idColumn, null);
    assert.equal(data.ids, null);
  });

  test('a text column with a gap is not id-like by its values either', async () => {
    const data = await prepare('email,age,spend\na@x.com,30,1.5\n,30,2.5\nc@x.com,40,2.5\n');
    assert.deepEqual(data.excluded, [{ column: 'email', reason: 'binary (2 levels): described, not clustered' }]);
    assert.equal(data.idColumn, null);
  });

  test('the first complete all-distinct column becomes the id column, after one with gaps', async () => {
    const data = await prepare('coupon,member_no,age\n,101,30\n7,102,30\n,103,40\n9,104,40\n', { missing: 'median' });
    assert.equal(data.idColumn, 'member_no');
    assert.deepEqual(data.ids, ['101', '102', '103', '104']);
    assert.deepEqual(data.features, ['coupon', 'age']);
  });

  test('a column named like an id is preferred as the id column over an all-distinct one', async () => {
    const data = await prepare('email,ref_id,age\na@x.com,R1,30\nb@x.com,R2,30\nc@x.com,R3,40\n');
    assert.equal(data.idColumn, 'ref_id');
    assert.deepEqual(data.ids, ['R1', 'R2', 'R3']);
  });

  test('no id column gives null ids', async () => {
    const data = await prepare('age,spend\n30,1.5\n30,2.5\n');
    assert.equal(data.idColumn, null);
    assert.equal(data.ids, null);
  });

  test('exclude drops columns from the automatic choice', async () => {
    const data = await prepare(CUSTOMERS, { exclude: ['visits'] });
    assert.deepEqual(data.features, ['age', 'spend']);
    assert.deepEqual(data.excluded.at(-1), { column: 'visits', reason: 'excluded by request' });
  });

  test('explicit columns are used in CSV order; the others are listed', async () => {
    const data = await prepare(CUSTOMERS, { columns: ['visits', 'age'] });
    assert.deepEqual(data.features, ['age', 'visits']);
    assert.deepEqual(data.excluded, [
      { column: 'customer_id', reason: 'id-like (named like an identifier)' },
      { column: 'tier', reason: 'categorical (3 levels): described, not clustered' },
      { column: 'spend', reason: 'not in the requested columns' },
      { column: 'region', reason: 'constant (every value is 3)' },
      { column: 'notes', reason: 'all values missing' },
    ]);
  });

  test('a workbook saved by Excel with decimal commas prepares like any other file', async () => {
    const table = await readCsv(join(__dirname, '..', 'fixtures', 'csv', 'excel-semicolon.csv'));
    const data = prepareFeatures(table);
    assert.deepEqual(data.features, ['Alter', 'Umsatz']);
    assert.equal(data.idColumn, 'Kunde ID');
    assert.deepEqual(data.ids, ['K-001', 'K-002', 'K-004']);
    assert.deepEqual(Array.from(originalMatrix(data)), [34, 1234.5, 41, 99.9, 34, 0.5]);
    assert.deepEqual(Array.from(data.rowNumbers), [1, 2, 4]);
    assert.deepEqual(data.excluded, [
      { column: 'Kunde ID', reason: 'id-like (named like an identifier)' },
      { column: 'Stadt', reason: 'categorical (3 levels): described, not clustered' },
    ]);
  });
});

describe('options that cannot be honoured', () => {
  const columns = 'The columns are: customer_id, age, tier, spend, region, notes, visits.';

  test('an unknown column, with close matches', async () => {
    await assertFails(
      CUSTOMERS,
      { columns: ['age', 'spnd'] },
      'UNKNOWN_COLUMN',
      `There is no column "spnd" in "customers.csv". Did you mean "spend"? ${columns}`,
    );
    await assertFails(CUSTOMERS, { exclude: ['zzz'] }, 'UNKNOWN_COLUMN', `There is no column "zzz" in "customers.csv". ${columns}`);
    await assertFails(
      CUSTOMERS,
      { columns: ['Age'] },
      'UNKNOWN_COLUMN',
      `There is no column "Age" in "customers.csv". Did you mean "age"? ${columns}`,
    );
  });

  test('a long list of columns is shortened', async () => {
    const header = Array.from({ length: 12 }, (_, j) => `c${j}`).join(',');
    await assertFails(
      `${header}\n${'1.5,'.repeat(11)}1.5\n`,
      { columns: ['zzz'] },
      'UNKNOWN_COLUMN',
      'There is no column "zzz" in "customers.csv". The columns are: c0, c1, c2, c3, c4, c5, c6, c7, and 4 more.',
    );
  });

  test('an explicit column that is not numeric', async () => {
    await assertFails(
      CUSTOMERS,
      { columns: ['age', 'tier'] },
      'COLUMN_NOT_NUMERIC',
      'Column "tier" is not numeric (e.g. "Gold" on line 2): it is categorical (3 levels), which is described per cluster, not clustered; remove it from the columns, describe it, or cluster categorical columns one-hot encoded.',
    );
  });

  test('a long example value is cut short', async () => {
    const long = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit';
    await assertFails(
      `note,x\n"${long}",1.5\nshort,2.5\nshort,3.5\n`,
      { columns: ['note', 'x'] },
      'COLUMN_NOT_NUMERIC',
      'Column "note" is not numeric (e.g. "Lorem ipsum dolor sit amet, consectetur…" on line 2): it is binary (2 levels), which is described per cluster, not clustered; remove it from the columns, describe it, or cluster categorical columns one-hot encoded.',
    );
    const data = await prepare(`note,x\n"${long}",1.5\n"${long}",2.5\nshort,3.5\n`, { exclude: ['note'] });
    assert.deepEqual(data.excluded, [{ column: 'note', reason: 'excluded by request' }]);
    const constant = await prepare(`note,x\n"${long}",1.5\n"${long}",2.5\n,3.5\n`);
    assert.deepEqual(constant.excluded, [{ column: 'note', reason: 'constant (every value is "Lorem ipsum dolor sit amet, consectetur…")' }]);
  });

  test('an explicit column with no values', async () => {
    await assertFails(
      CUSTOMERS,
      { columns: ['notes'] },
      'COLUMN_ALL_MISSING',
      'Column "notes" has no values (every cell is empty or marked missing), so it cannot be clustered; remove it from the columns.',
    );
  });

  test('an explicit column that is constant', async () => {
    await assertFails(
      CUSTOMERS,
      { columns: ['age', 'region'] },
      'COLUMN_CONSTANT',
      'Column "region" has the same value (3) in every row, so it cannot separate customers; remove it from the columns.',
    );
  });

  test('an explicit column that becomes constant once incomplete rows are dropped', async () => {
    await assertFails(
      'age,spend\n30,1.5\n40,NA\n30,2.5\n',
      { columns: ['age', 'spend'] },
      'COLUMN_CONSTANT',
      'Column "age" has the same value (30) in every row left after dropping rows with missing values, so it cannot separate customers; remove it from the columns or use median imputation.',
    );
  });

  test('a file with fewer rows than clusters says so, before any column is called id-like (issue 11.9)', async () => {
    const twoRows = 'a,b,c,d\n1,2,3,4\n5,6,7,8\n';
    await assertFails(
      twoRows,
      { clusters: 4 },
      'TOO_FEW_ROWS',
      '"customers.csv" has only 2 data rows for 4 clusters. Clustering needs at least 3 rows: use a file with more rows.',
    );
    await assertFails(
      'a,b\n1,2\n',
      { clusters: 2 },
      'TOO_FEW_ROWS',
      '"customers.csv" has only 1 data row for 2 clusters. Clustering needs at least 3 rows: use a file with more rows.',
    );
    await assertFails(
      'a,b,c,d\n1,2,3,4\n5,6,7,8\n9,10,11,12\n4,1,3,3\n',
      { clusters: 4 },
      'TOO_FEW_ROWS',
      '"customers.csv" has only 4 data rows for 4 clusters. Ask for at most 3 clusters, or use a file with more rows.',
    );
    // Enough rows for the clusters asked for: the columns are judged as before.
    await assertFails(
      'a,b,c,d\n1,2,3,4\n5,6,7,8\n9,10,11,12\n',
      { clusters: 2 },
      'NO_NUMERIC_COLUMNS',
      '"customers.csv" has no numeric column to cluster: a is id-like (all values distinct integers); b is id-like (all values distinct integers); c is id-like (all values distinct integers); d is id-like (all values distinct integers). Add numeric columns (one number per customer), or name the columns to use.',
    );
  });

  test('a column both requested and excluded, and an unknown missing-value policy', async () => {
    await assertFails(
      CUSTOMERS,
      { columns: ['age'], exclude: ['age'] },
      'INVALID_OPTION',
      'Column "age" is both requested and excluded; list it in only one of the two.',
    );
    await assertFails(
      CUSTOMERS,
      { missing: 'mean' as PrepareOptions['missing'] },
      'INVALID_OPTION',
      'Unknown missing-value policy "mean"; use "drop" or "median".',
    );
  });

  test('no usable numeric column says what was left out and why', async () => {
    await assertFails(
      'customer_id,tier,region\nC1,Gold,3\nC2,Gold,3\n',
      {},
      'NO_NUMERIC_COLUMNS',
      '"customers.csv" has no numeric column to cluster: customer_id is id-like (named like an identifier); tier is constant (every value is "Gold"); region is constant (every value is 3). Add numeric columns (one number per customer), or name the columns to use.',
    );
  });
});

describe('infinite values (issue 11.6)', () => {
  const infinite = (column: string, value: string, line: number) =>
    `Column "${column}" has an infinite value ("${value}") on line ${line}. Replace it with a finite number or leave the cell empty to treat it as missing.`;

  test('a feature with an infinite value is refused with the column, the value and its line', async () => {
    // 2, 2, Infinity is not a constant column: the infinity is reported.
    await assertFails('age,total_revenue\n1,2\n2,2\n1,Infinity\n', {}, 'NON_FINITE_VALUE', infinite('total_revenue', 'Infinity', 4));
    await assertFails('age,total_revenue\n1,-inf\n2,2\n1,3\n', {}, 'NON_FINITE_VALUE', infinite('total_revenue', '-inf', 2));
    await assertFails('age,total_revenue\n1,2\n\n2,1e309\n1,3\n', { missing: 'median' }, 'NON_FINITE_VALUE', infinite('total_revenue', '1e309', 4));
    await assertFails('age,total_revenue\n1,2\n2,INF\n1,3\n', { columns: ['total_revenue', 'age'] }, 'NON_FINITE_VALUE', infinite('total_revenue', 'INF', 3));
  });

  test('a text column holding INF or Infinity is a category like any other, without an error', async () => {
    const data = await prepare('product,age,spend\nINF,30,1.5\nAX,31,2.5\nInfinity,30,2.5\nAX,31,1.5\n');
    assert.deepEqual(data.features, ['age', 'spend']);
    assert.deepEqual(data.excluded, [{ column: 'product', reason: 'categorical (3 levels): described, not clustered' }]);
    assert.deepEqual(data.categories?.map((c) => [c.name, c.levels, Array.from(c.codes)]), [['product', ['INF', 'AX', 'Infinity'], [0, 1, 2, 1]]]);
  });

  test('an excluded column, or one not among the requested columns, may hold an infinite value', async () => {
    const csv = 'age,spend,peak\n30,1.5,Infinity\n31,2.5,2\n30,2.5,1e309\n';
    assert.deepEqual((await prepare(csv, { exclude: ['peak'] })).features, ['age', 'spend']);
    assert.deepEqual((await prepare(csv, { columns: ['age', 'spend'] })).features, ['age', 'spend']);
  });
});

describe('missing values', () => {
  // age: 10, 20, 30, –, 30; spend: 1.5, –, 3.5, 4.5, –
  const GAPS = 'age,spend\n10,1.5\n20,NA\n30,3.5\nN/A,4.5\n30,\n';

  test("'drop' keeps only complete rows and counts the others", async () => {
    const data = await prepare(GAPS);
    assert.equal(data.n, 2);
    assert.deepEqual(Array.from(originalMatrix(data)), [10, 1.5, 30, 3.5]);
    assert.deepEqual(Array.from(data.rowNumbers), [1, 3]);
    assert.equal(data.nRowsRead, 5);
    assert.equal(data.nRowsDropped, 3);
    assert.equal(data.nValuesImputed, 0);
  });

  test("'median' fills each gap with the column's median and keeps every row", async () => {
    const data = await prepare(GAPS, { missing: 'median' });
    assert.equal(data.missing, 'median');
    assert.equal(data.n, 5);
    // age median of 10, 20, 30, 30 is 25; spend median of 1.5, 3.5, 4.5 is 3.5.
    assert.deepEqual(Array.from(originalMatrix(data)), [10, 1.5, 20, 3.5, 30, 3.5, 25, 4.5, 30, 3.5]);
    assert.deepEqual(Array.from(data.rowNumbers), [1, 2, 3, 4, 5]);
    assert.equal(data.nRowsDropped, 0);
    assert.equal(data.nValuesImputed, 3);
  });

  test('dropping every row is an error that suggests median imputation', async () => {
    await assertFails(
      'a,b\n1.5,\n,2.5\n2.5,NA\nNA,3.5\n',
      {},
      'NO_DATA_ROWS',
      'Every row of "customers.csv" has a missing value in at least one of the columns used (a, b), so no rows are left. Use median imputation for missing values, or choose columns with fewer gaps.',
    );
  });

  test('a column left constant by dropping rows is excluded automatically', async () => {
    const data = await prepare('age,spend\n30,1.5\n40,NA\n30,2.5\n');
    assert.deepEqual(data.features, ['spend']);
    assert.deepEqual(data.excluded, [
      { column: 'age', reason: 'constant after dropping rows with missing values (every remaining value is 30)' },
    ]);
    assert.equal(data.nRowsDropped, 1);
  });
});

describe('standardising', () => {
  test('z-scores match hand-computed values: mean 0, population std 1', async () => {
    const data = await prepare('x,y\n1.5,10\n2.5,10\n3.5,20\n4.5,20\n');
    const s = Math.sqrt(1.25); // x: mean 3, population variance (2.25 + 0.25 + 0.25 + 2.25) / 4
    assertClose(data.mean, [3, 15]);
    assertClose(data.scale, [s, 5]);
    assertClose(data.z, [-1.5 / s, -1, -0.5 / s, -1, 0.5 / s, 1, 1.5 / s, 1]);
    for (let j = 0; j < 2; j++) {
      const column = [0, 1, 2, 3].map((i) => data.z[i * 2 + j]);
      const mean = column.reduce((a, b) => a + b) / 4;
      const variance = column.reduce((a, b) => a + (b - mean) ** 2, 0) / 4;
      assertClose([mean, variance], [0, 1]);
    }
  });

  test('huge values do not overflow: z is the z of the same values scaled down (issue 11.2)', async () => {
    // 1e307 is an integer: one value repeats, or the column would be id-like.
    const data = await prepare('wealth,age\n1e307,30\n1.5e307,40\n1.75e307,30\n1e307,40\n');
    const small = await prepare('wealth,age\n1,30\n1.5,40\n1.75,30\n1,40\n');
    assert.deepEqual(data.features, ['wealth', 'age']);
    assertClose(data.z, Array.from(small.z), 1e-15);
    assert.ok(Math.abs(data.mean[0] / 1.3125e307 - 1) < 1e-15, String(data.mean[0]));
    assert.ok(Math.abs(data.scale[0] / (small.scale[0] * 1e307) - 1) < 1e-15, String(data.scale[0]));
  });

  test('one huge cell leaves its column a finite mean and std, and other rows near −0.13', async () => {
    const rows = Array.from({ length: 59 }, (_, i) => `${i % 7},${i % 5}`);
    const data = await prepare(`spend,visits\n1e155,1\n${rows.join('\n')}\n`);
    assert.ok(Number.isFinite(data.mean[0]) && Number.isFinite(data.scale[0]));
    assert.ok(Math.abs(data.z[0] - Math.sqrt(59)) < 1e-12, String(data.z[0]));
    assert.ok(Math.abs(data.z[2] + 1 / Math.sqrt(59)) < 1e-12, String(data.z[2]));
  });

  test('tiny values are not taken for a constant column', async () => {
    const data = await prepare('dose,age\n1e-200,30\n2e-200,40\n3e-200,30\n');
    const s = Math.sqrt(2 / 3);
    assertClose(data.z.filter((_, t) => t % 2 === 0), [-1 / s, 0, 1 / s], 1e-15);
  });

  test('the largest values of both signs still have a finite std', () => {
    const z = Float64Array.from([-Number.MAX_VALUE, Number.MAX_VALUE]);
    const { mean, scale } = standardiseInPlace(z, 2, 1);
    assert.deepEqual([mean[0], scale[0], ...z], [0, Number.MAX_VALUE, -1, 1]);
  });

  test('the median of huge values does not overflow', async () => {
    const data = await prepare('wealth,age\n1.5e308,30\n1.7e308,40\n,30\n1e308,40\n1.6e308,50\n1.7e308,30\n1.55e308,40\n', { missing: 'median' });
    assert.equal(originalValues(data, 0)[2], 1.575e308);
  });

  test('a large offset does not swamp the variance', () => {
    const { mean, scale } = standardiseInPlace(Float64Array.from([1e9 + 0.5, 1e9 + 1.5, 1e9 + 2.5]), 3, 1);
    assert.equal(mean[0], 1e9 + 1.5);
    assertClose(scale, [Math.sqrt(2 / 3)], 1e-15);
  });
});
