import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import {
  CUSTOMER_COLUMNS,
  SEGMENT_NAMES,
  csvField,
  customersCsv,
  generateCustomers,
  latentSegments,
  writeCustomersCsv,
  writeCustomersCsvFile,
} from '../../examples/customers';
import { main } from '../../examples/generate-customers';
import { CHANNELS, CONTRACTS, MIXED_COLUMNS, PAYMENT_METHODS, REGIONS, generateMixedCustomers, mixedCustomersCsv } from '../../examples/customersMixed';
import { tempDir } from '../helpers/tempDir';

const EXAMPLE_CSV = fileURLToPath(new URL('../../examples/customers.csv', import.meta.url));
const OPTS = { rows: 500, seed: 7 };
const table = generateCustomers(OPTS);
const col = (name: string): number => {
  const i = table.header.indexOf(name);
  assert.notEqual(i, -1, `no column ${name}`);
  return i;
};
const isMissing = (v: string): boolean => v === '' || v === 'NA';

const EXPECTED_COLUMNS = [
  'customer_id',
  'first_name',
  'city',
  'loyalty_tier',
  'signup_date',
  'favourite_store',
  'total_revenue',
  'recency_days',
  'frequency_per_month',
  'avg_order_value',
  'return_rate',
  'dept_total_value_Accessories & Footwear',
  'dept_total_value_Womenswear',
  'dept_total_value_Menswear',
  'dept_total_value_Kids & Baby',
  'dept_total_value_Home & Living',
  'class_total_value_Bags & Wallets',
  'class_total_value_Sneakers',
  'class_total_value_Dresses',
  'class_total_value_Denim',
  'class_total_value_Outerwear',
  'class_total_value_Bedding',
  'count_Baby',
  'count_Kids',
  'count_Teen',
  'count_Adult',
  'count_size_S',
  'count_size_M',
  'count_size_L',
  'count_size_XL',
];
const TEXT_COLUMNS = ['customer_id', 'first_name', 'city', 'loyalty_tier', 'signup_date', 'favourite_store'];
const NUMERIC_COLUMNS = EXPECTED_COLUMNS.filter((c) => !TEXT_COLUMNS.includes(c));
const MONEY_COLUMNS = EXPECTED_COLUMNS.filter(
  (c) => c === 'total_revenue' || c === 'avg_order_value' || c.startsWith('dept_') || c.startsWith('class_'),
);
const COUNT_COLUMNS = EXPECTED_COLUMNS.filter((c) => c.startsWith('count_'));

/** Runs fn with stderr swallowed (the CLI reports on stderr). */
async function quietly<T>(fn: () => Promise<T>): Promise<T> {
  const write = process.stderr.write;
  process.stderr.write = (() => true) as typeof process.stderr.write;
  try {
    return await fn();
  } finally {
    process.stderr.write = write;
  }
}

test('the same seed gives byte-identical CSV, a different seed a different one', () => {
  const a = customersCsv(OPTS);
  assert.equal(customersCsv(OPTS), a);
  assert.notEqual(customersCsv({ rows: 500, seed: 8 }), a);
  assert.deepEqual(latentSegments(OPTS), latentSegments(OPTS));
});

test('the committed examples/customers.csv is exactly what --rows 500 --seed 7 makes', () => {
  assert.equal(readFileSync(EXAMPLE_CSV, 'utf8'), customersCsv(OPTS));
});

test('columns: 30, in the documented order; every row as wide as the header', () => {
  assert.deepEqual(table.header, EXPECTED_COLUMNS);
  assert.deepEqual([...CUSTOMER_COLUMNS], EXPECTED_COLUMNS);
  assert.equal(table.rows.length, 500);
  for (const row of table.rows) assert.equal(row.length, 30);
});

test('customer ids are C00001.. and unique', () => {
  const ids = table.rows.map((r) => r[0]);
  assert.equal(new Set(ids).size, ids.length);
  assert.equal(ids[0], 'C00001');
  for (const id of ids) assert.match(id, /^C\d{5}$/);
});

test('text fields are plausible', () => {
  const tiers = new Set(table.rows.map((r) => r[col('loyalty_tier')]));
  assert.deepEqual([...tiers].sort(), ['Bronze', 'Gold', 'Platinum', 'Silver']);
  for (const row of table.rows) {
    const date = row[col('signup_date')];
    assert.match(date, /^\d{4}-\d{2}-\d{2}$/);
    assert.equal(new Date(`${date}T00:00:00Z`).toISOString().slice(0, 10), date);
    assert.ok(row[col('first_name')].length > 0 && row[col('city')].length > 0);
  }
});

test('money is non-negative with cents; counts are non-negative integers; return_rate in 0..1', () => {
  for (const row of table.rows) {
    for (const c of MONEY_COLUMNS) {
      const v = row[col(c)];
      if (isMissing(v)) continue;
      assert.match(v, /^\d+\.\d{2}$/, `${c} = ${v}`);
    }
    for (const c of COUNT_COLUMNS) assert.match(row[col(c)], /^\d+$/, c);
    assert.match(row[col('recency_days')], /^\d+$/);
    assert.match(row[col('frequency_per_month')], /^\d+\.\d{2}$/);
    const rr = row[col('return_rate')];
    if (!isMissing(rr)) {
      assert.match(rr, /^0\.\d{3}$/);
      assert.ok(Number(rr) <= 1);
    }
    const recency = Number(row[col('recency_days')]);
    assert.ok(recency >= 1 && recency <= 365);
  }
});

test('no numeric column is constant or an all-distinct integer column (an id to the tool)', () => {
  for (const c of NUMERIC_COLUMNS) {
    const values = table.rows.map((r) => r[col(c)]).filter((v) => !isMissing(v));
    const distinct = new Set(values).size;
    assert.ok(distinct > 1, `${c} is constant`);
    const allIntegers = values.every((v) => Number.isInteger(Number(v)));
    assert.ok(!(allIntegers && distinct === values.length), `${c} looks like an id`);
  }
  const recency = table.rows.map((r) => r[col('recency_days')]);
  assert.ok(new Set(recency).size < recency.length, 'recency_days has repeats');
});

test('missing cells: 3 rows at 500, only in avg_order_value / return_rate, both spellings', () => {
  const missing: string[] = [];
  table.rows.forEach((row) =>
    row.forEach((v, j) => {
      if (isMissing(v)) missing.push(`${table.header[j]}=${JSON.stringify(v)}`);
    }),
  );
  assert.equal(missing.length, 3);
  for (const m of missing) assert.match(m, /^(avg_order_value|return_rate)=/);
  assert.ok(missing.some((m) => m.endsWith('=""')) && missing.some((m) => m.endsWith('="NA"')));
  const none = generateCustomers({ ...OPTS, missingRate: 0 });
  assert.ok(none.rows.every((r) => !r.some(isMissing)));
});

test('features are correlated the way a retailer would expect', () => {
  const num = (r: string[], c: string): number => Number(r[col(c)]);
  const depts = EXPECTED_COLUMNS.filter((c) => c.startsWith('dept_'));
  for (const row of table.rows) {
    const ratio = depts.reduce((s, c) => s + num(row, c), 0) / num(row, 'total_revenue');
    assert.ok(ratio > 0.85 && ratio <= 1, `dept values sum to ${ratio} of total_revenue`);
    assert.ok(
      num(row, 'class_total_value_Bags & Wallets') + num(row, 'class_total_value_Sneakers') <=
        num(row, 'dept_total_value_Accessories & Footwear') + 0.01,
    );
    assert.ok(num(row, 'class_total_value_Bedding') <= num(row, 'dept_total_value_Home & Living') + 0.01);
  }
  const meanRevenue = (tier: string): number => {
    const rs = table.rows.filter((r) => r[col('loyalty_tier')] === tier);
    return rs.reduce((s, r) => s + num(r, 'total_revenue'), 0) / rs.length;
  };
  const byTier = ['Bronze', 'Silver', 'Gold', 'Platinum'].map(meanRevenue);
  for (let i = 1; i < byTier.length; i++) assert.ok(byTier[i] > byTier[i - 1], `tier revenue ${byTier}`);
  const segments = latentSegments(OPTS);
  assert.equal(segments.length, 500);
  assert.deepEqual([...new Set(segments)].sort(), [...SEGMENT_NAMES].sort());
});

test('RFC 4180 quoting round-trips through csv-parse', () => {
  const csv = customersCsv(OPTS);
  assert.ok(csv.endsWith('\n') && !csv.includes('\r'));
  const parsed = parse(csv) as string[][];
  assert.deepEqual(parsed, [table.header, ...table.rows]);
  const stores = table.rows.map((r) => r[col('favourite_store')]);
  assert.ok(stores.some((s) => s.includes(',')) && stores.some((s) => s.includes('"')));
  assert.equal(csvField('Main St, Downtown'), '"Main St, Downtown"');
  assert.equal(csvField('"The Loft" Outlet'), '"""The Loft"" Outlet"');
  assert.equal(csvField('two\nlines'), '"two\nlines"');
  assert.equal(csvField('plain'), 'plain');
  assert.equal(csvField(''), '');
});

test('the streaming writer writes the same bytes in chunks, and will not overwrite unless forced', async (t) => {
  const dir = tempDir(t, 'segment-examples-');
  const opts = { rows: 2000, seed: 11 };
  const expected = customersCsv(opts);
  const chunks: string[] = [];
  const sink = new Writable({
    highWaterMark: 1024,
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString('utf8'));
      setImmediate(done);
    },
  });
  await writeCustomersCsv(sink, opts, 4096);
  assert.ok(chunks.length > 10, `${chunks.length} chunks`);
  assert.equal(chunks.join(''), expected);

  const file = join(dir, 'c.csv');
  await writeCustomersCsvFile(file, opts);
  assert.equal(readFileSync(file, 'utf8'), expected);
  await assert.rejects(writeCustomersCsvFile(file, OPTS), { code: 'EEXIST' });
  assert.equal(readFileSync(file, 'utf8'), expected);
  await writeCustomersCsvFile(file, OPTS, { force: true });
  assert.equal(readFileSync(file, 'utf8'), customersCsv(OPTS));
});

test('CLI: writes the file, refuses to overwrite without --force, rejects bad arguments', async (t) => {
  const dir = tempDir(t, 'segment-examples-');
  const out = join(dir, 'customers.csv');
  assert.equal(await quietly(() => main(['--rows', '500', '--seed', '7', '--out', out])), 0);
  assert.equal(readFileSync(out, 'utf8'), readFileSync(EXAMPLE_CSV, 'utf8'));

  writeFileSync(out, 'keep me\n');
  assert.equal(await quietly(() => main(['--rows', '50', '--seed', '7', '--out', out])), 1);
  assert.equal(readFileSync(out, 'utf8'), 'keep me\n');
  assert.equal(await quietly(() => main(['--rows', '50', '--seed', '7', '--out', out, '--force'])), 0);
  assert.equal(readFileSync(out, 'utf8'), customersCsv({ rows: 50, seed: 7 }));

  for (const bad of [['--rows', '0'], ['--rows', 'ten'], ['--seed', '1.5'], ['--missing-rate', '2'], ['--nope']]) {
    assert.equal(await quietly(() => main([...bad, '--out', join(dir, 'x.csv')])), 2, bad.join(' '));
  }
});

// ---------------------------------------------------------------------------
// The mixed example (examples/customersMixed.ts): text columns beside the numbers.

const MIXED_CSV = fileURLToPath(new URL('../../examples/customers_mixed.csv', import.meta.url));
const MIXED_OPTS = { rows: 800, seed: 7 };

test('the committed examples/customers_mixed.csv is exactly what --mixed --rows 800 --seed 7 makes, streamed or not', async (t) => {
  const expected = mixedCustomersCsv(MIXED_OPTS);
  assert.equal(readFileSync(MIXED_CSV, 'utf8'), expected);
  const dir = tempDir(t, 'segment-examples-');
  const out = join(dir, 'mixed.csv');
  assert.equal(await quietly(() => main(['--mixed', '--rows', '800', '--seed', '7', '--out', out])), 0);
  assert.equal(readFileSync(out, 'utf8'), expected);
  assert.notEqual(mixedCustomersCsv({ rows: 800, seed: 8 }), expected);
});

test('mixed: its columns, its levels, and the numbers of the customers generator for the same seed', () => {
  const mixed = generateMixedCustomers(MIXED_OPTS);
  assert.deepEqual(mixed.header, [...MIXED_COLUMNS]);
  assert.deepEqual(mixed.header, [
    'customer_id',
    'region',
    'channel',
    'contract',
    'payment_method',
    'loyalty_tier',
    'tenure_months',
    'total_revenue',
    'recency_days',
    'frequency_per_month',
    'avg_order_value',
    'return_rate',
    'churn',
  ]);
  const base = generateCustomers(MIXED_OPTS);
  const at = (name: string) => mixed.header.indexOf(name);
  const levels = (name: string) => [...new Set(mixed.rows.map((r) => r[at(name)]))].filter((v) => v !== '').sort();
  assert.deepEqual(levels('region'), [...REGIONS].sort());
  assert.deepEqual(levels('channel'), [...CHANNELS].sort());
  assert.deepEqual(levels('contract'), [...CONTRACTS].sort());
  assert.deepEqual(levels('payment_method'), [...PAYMENT_METHODS].sort());
  assert.deepEqual(levels('churn'), ['No', 'Yes']);
  const emptyRegions = mixed.rows.filter((r) => r[at('region')] === '').length;
  assert.ok(emptyRegions > 0 && emptyRegions < 20, `${emptyRegions} rows without a region`);
  mixed.rows.forEach((row, i) => {
    for (const name of ['customer_id', 'loyalty_tier', 'total_revenue', 'recency_days', 'frequency_per_month', 'avg_order_value', 'return_rate']) {
      assert.equal(row[at(name)], base.rows[i][CUSTOMER_COLUMNS.indexOf(name)], `${name} of row ${i + 1}`);
    }
    assert.match(row[at('tenure_months')], /^\d+$/);
  });
});

test('mixed: the text columns follow the latent segments (lapsed customers churn, new ones are on month-to-month contracts)', () => {
  const mixed = generateMixedCustomers(MIXED_OPTS);
  const segments = latentSegments(MIXED_OPTS);
  const share = (segment: string, name: string, level: string) => {
    const rows = mixed.rows.filter((_, i) => segments[i] === segment);
    return rows.filter((r) => r[mixed.header.indexOf(name)] === level).length / rows.length;
  };
  assert.ok(share('lapsed / at-risk', 'churn', 'Yes') > 0.4, 'lapsed customers churn');
  assert.ok(share('VIP fashion enthusiasts', 'churn', 'Yes') < 0.1, 'VIPs stay');
  assert.ok(share('new customers', 'contract', 'Month-to-month') > 0.7);
  assert.ok(share('VIP fashion enthusiasts', 'contract', 'Two year') > 0.45);
  assert.ok(share('bargain hunters', 'payment_method', 'PayPal') > 0.4);
});
