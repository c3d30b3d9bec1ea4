/** Column kinds and roles (../shared/spec/PROFILE.md "Column roles"): metadata.columns and the descriptors kept per row. */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readCsvText } from '../../src/engine/data/csv';
import { prepareFeatures, type PrepareOptions, type PreparedData } from '../../src/engine/data/prepare';

async function prepare(text: string, options?: PrepareOptions): Promise<PreparedData> {
  return prepareFeatures(await readCsvText(text, 'mixed.csv'), options);
}

async function assertFails(text: string, options: PrepareOptions, code: string, message: string): Promise<void> {
  const table = await readCsvText(text, 'mixed.csv');
  assert.throws(() => prepareFeatures(table, options), { name: 'SegmentError', code, message });
}

/** 60 rows: an id, two numbers (one with a gap), a 0/1 flag, Yes/No, a 3-level contract, free text (59 values and a gap), an empty and a constant column. */
function mixedCsv(): string {
  const contracts = ['Month-to-month', 'One year', 'Two year'];
  const lines = ['customer_id,age,spend,churn,paperless,contract,comment,empty,country'];
  for (let i = 0; i < 60; i++) {
    const spend = i === 4 ? '' : String(10 + ((i * 7) % 23));
    const comment = i === 10 ? '' : `note number ${i}`;
    lines.push(`C${i},${20 + (i % 37)},${spend},${i % 2},${i % 3 === 0 ? 'Yes' : 'No'},${contracts[i % 3]},${comment},,UK`);
  }
  return `${lines.join('\n')}\n`;
}

describe('kinds and roles', () => {
  test('metadata.columns: every column in CSV order with its kind, role, reason and level count', async () => {
    const data = await prepare(mixedCsv());
    assert.deepEqual(data.columns, [
      { name: 'customer_id', kind: 'text', role: 'id', reason: 'id-like (named like an identifier)', levels: 60 },
      { name: 'age', kind: 'numeric', role: 'feature' },
      { name: 'spend', kind: 'numeric', role: 'feature' },
      { name: 'churn', kind: 'numeric', role: 'feature' },
      { name: 'paperless', kind: 'binary', role: 'descriptor', reason: 'binary (2 levels): described, not clustered', levels: 2 },
      { name: 'contract', kind: 'categorical', role: 'descriptor', reason: 'categorical (3 levels): described, not clustered', levels: 3 },
      { name: 'comment', kind: 'text', role: 'ignored', reason: 'free text (59 distinct values, more than the 50 a category may have)', levels: 59 },
      { name: 'empty', kind: 'empty', role: 'ignored', reason: 'all values missing' },
      { name: 'country', kind: 'categorical', role: 'ignored', reason: 'constant (every value is "UK")', levels: 1 },
    ]);
    assert.deepEqual(data.features, ['age', 'spend', 'churn']);
    // excluded_columns stays: every column that is not a feature.
    assert.deepEqual(
      data.excluded.map((e) => e.column),
      ['customer_id', 'paperless', 'contract', 'comment', 'empty', 'country'],
    );
  });

  test('descriptors keep one value per row clustered: a row dropped for a missing feature is dropped from them too', async () => {
    const data = await prepare(mixedCsv());
    assert.equal(data.n, 59);
    assert.equal(data.rowNumbers[4], 6); // data row 5 (spend missing) was dropped
    const [paperless, contract] = data.categories!;
    assert.deepEqual([paperless.name, paperless.kind, paperless.role, paperless.levels], ['paperless', 'binary', 'descriptor', ['Yes', 'No']]);
    assert.deepEqual([contract.name, contract.kind, contract.levels], ['contract', 'categorical', ['Month-to-month', 'One year', 'Two year']]);
    assert.equal(contract.codes.length, 59);
    assert.deepEqual(Array.from(contract.codes.subarray(0, 6)), [0, 1, 2, 0, 2, 0]); // rows 0–3, then 5 and 6
    assert.deepEqual(Array.from(paperless.codes.subarray(0, 6)), [0, 1, 1, 0, 1, 0]);
    assert.deepEqual(data.numericDescriptors, []);
  });

  test('levels are the cells as written, trimmed: Yes and yes differ, 07 is not 7, and __proto__ is a level like any other', async () => {
    const data = await prepare('x,answer,code\n1, Yes ,07\n2,yes,7\n1,Yes,x\n4,__proto__,07\n5,,7\n');
    const [answer, code] = data.categories!;
    assert.deepEqual(answer.levels, ['Yes', 'yes', '__proto__']);
    assert.deepEqual(Array.from(answer.codes), [0, 1, 0, 2, -1]);
    assert.deepEqual(code.levels, ['07', '7', 'x']);
    assert.deepEqual(Array.from(code.codes), [0, 1, 2, 0, 1]);
  });

  test('50 distinct values make a categorical column, 51 free text', async () => {
    const rows = (levels: number) => Array.from({ length: 102 }, (_, i) => `${i % 7},L${i % levels}`).join('\n');
    const fifty = await prepare(`x,level\n${rows(50)}\n`);
    assert.deepEqual(fifty.columns![1], { name: 'level', kind: 'categorical', role: 'descriptor', reason: 'categorical (50 levels): described, not clustered', levels: 50 });
    const more = await prepare(`x,level\n${rows(51)}\n`);
    assert.deepEqual(more.columns![1], {
      name: 'level',
      kind: 'text',
      role: 'ignored',
      reason: 'free text (51 distinct values, more than the 50 a category may have)',
      levels: 51,
    });
    assert.deepEqual(more.categories, []);
  });

  test('a 0/1 column is numeric (a feature); True/False text is binary (described)', async () => {
    const data = await prepare('flag,answer,x\n0,True,1\n1,False,2\n1,True,4\n0,False,1\n');
    assert.deepEqual(
      data.columns!.map((c) => [c.name, c.kind, c.role]),
      [
        ['flag', 'numeric', 'feature'],
        ['answer', 'binary', 'descriptor'],
        ['x', 'numeric', 'feature'],
      ],
    );
  });
});

describe('what the user asks for', () => {
  test('--describe makes a numeric column a descriptor, with its values per row clustered (NaN where missing)', async () => {
    const data = await prepare(mixedCsv(), { describe: ['age', 'churn'], missing: 'median' });
    assert.deepEqual(data.features, ['spend']);
    assert.deepEqual(
      data.columns!.filter((c) => c.role === 'descriptor').map((c) => [c.name, c.kind, c.reason]),
      [
        ['age', 'numeric', 'described by request'],
        ['churn', 'numeric', 'described by request'],
        ['paperless', 'binary', 'binary (2 levels): described, not clustered'],
        ['contract', 'categorical', 'categorical (3 levels): described, not clustered'],
      ],
    );
    const [age, churn] = data.numericDescriptors!;
    assert.equal(age.name, 'age');
    assert.deepEqual(Array.from(age.values.subarray(0, 3)), [20, 21, 22]);
    assert.deepEqual(Array.from(churn.values.subarray(0, 3)), [0, 1, 0]);
    const gap = await prepare('x,y,z\n1,2,\n2,4,5\n1,2,6\n', { describe: ['z'] });
    assert.deepEqual(Array.from(gap.numericDescriptors![0].values), [NaN, 5, 6]);
  });

  test('--exclude leaves a column out altogether (ignored, not described), with --columns too', async () => {
    const auto = await prepare(mixedCsv(), { exclude: ['contract', 'age'] });
    const role = (d: PreparedData, name: string) => d.columns!.find((c) => c.name === name);
    assert.deepEqual(role(auto, 'contract'), { name: 'contract', kind: 'categorical', role: 'ignored', reason: 'excluded by request', levels: 3 });
    assert.deepEqual(role(auto, 'age'), { name: 'age', kind: 'numeric', role: 'ignored', reason: 'excluded by request' });
    assert.deepEqual(auto.categories!.map((c) => c.name), ['paperless']);
    const explicit = await prepare(mixedCsv(), { columns: ['spend'], exclude: ['churn'] });
    assert.deepEqual(role(explicit, 'churn'), { name: 'churn', kind: 'numeric', role: 'ignored', reason: 'excluded by request' });
  });

  test('--columns: the columns named are the features, every other usable column is described', async () => {
    const data = await prepare(mixedCsv(), { columns: ['spend'] });
    assert.deepEqual(
      data.columns!.map((c) => [c.name, c.role, c.reason ?? '']),
      [
        ['customer_id', 'id', 'id-like (named like an identifier)'],
        ['age', 'descriptor', 'not in the requested columns'],
        ['spend', 'feature', ''],
        ['churn', 'descriptor', 'not in the requested columns'],
        ['paperless', 'descriptor', 'binary (2 levels): described, not clustered'],
        ['contract', 'descriptor', 'categorical (3 levels): described, not clustered'],
        ['comment', 'ignored', 'free text (59 distinct values, more than the 50 a category may have)'],
        ['empty', 'ignored', 'all values missing'],
        ['country', 'ignored', 'constant (every value is "UK")'],
      ],
    );
    assert.deepEqual(data.numericDescriptors!.map((d) => d.name), ['age', 'churn']);
  });

  test('a column with an infinity is not described unless asked for, and then refused as a feature is', async () => {
    const csv = 'age,spend,peak\n30,1.5,Infinity\n31,2.5,2\n30,2.5,1e309\n';
    const data = await prepare(csv, { columns: ['age', 'spend'] });
    assert.deepEqual(data.columns![2], { name: 'peak', kind: 'numeric', role: 'ignored', reason: 'infinite value ("Infinity" on line 2), so not described' });
    await assertFails(
      csv,
      { describe: ['peak'] },
      'NON_FINITE_VALUE',
      'Column "peak" has an infinite value ("Infinity") on line 2. Replace it with a finite number or leave the cell empty to treat it as missing.',
    );
  });

  test('what cannot be described or clustered is refused with the column and why', async () => {
    await assertFails(
      mixedCsv(),
      { describe: ['comment'] },
      'COLUMN_TOO_MANY_LEVELS',
      'Column "comment" has 59 distinct values, more than the 50 a category may have, so it cannot be described; remove it from the described columns.',
    );
    await assertFails(
      mixedCsv(),
      { columns: ['age', 'comment'] },
      'COLUMN_TOO_MANY_LEVELS',
      'Column "comment" has 59 distinct values, more than the 50 a category may have, so it cannot be clustered; remove it from the columns.',
    );
    await assertFails(
      mixedCsv(),
      { describe: ['empty'] },
      'COLUMN_ALL_MISSING',
      'Column "empty" has no values (every cell is empty or marked missing), so it cannot be described; remove it from the described columns.',
    );
    await assertFails(mixedCsv(), { describe: ['age'], columns: ['age'] }, 'INVALID_OPTION', 'Column "age" is both requested and described; list it in only one of the two.');
    await assertFails(mixedCsv(), { describe: ['age'], exclude: ['age'] }, 'INVALID_OPTION', 'Column "age" is both excluded and described; list it in only one of the two.');
    await assertFails(
      mixedCsv(),
      { describe: ['contrat'] },
      'UNKNOWN_COLUMN',
      'There is no column "contrat" in "mixed.csv". Did you mean "contract"? The columns are: customer_id, age, spend, churn, paperless, contract, comment, empty, and 1 more.',
    );
  });

  test('a constant column may still be described when asked for', async () => {
    const data = await prepare(mixedCsv(), { describe: ['country'] });
    assert.deepEqual(data.columns!.at(-1), { name: 'country', kind: 'categorical', role: 'descriptor', reason: 'described by request', levels: 1 });
    assert.deepEqual(data.categories!.at(-1)!.levels, ['UK']);
  });

  test('a column named __proto__ is a column like any other', async () => {
    const data = await prepare('__proto__,constructor,x\nA,1,2\nB,2,3\nA,3,1\nC,1,1\n');
    assert.deepEqual(
      data.columns!.map((c) => [c.name, c.kind, c.role]),
      [
        ['__proto__', 'categorical', 'descriptor'],
        ['constructor', 'numeric', 'feature'],
        ['x', 'numeric', 'feature'],
      ],
    );
  });
});
