/**
 * Parquet input: read with hyparquet one row group at a time into the table
 * a CSV gives, column types from the schema. The example CSV converted to
 * Parquet gives the same profiles, assignments and model as the CSV; nulls,
 * strings, booleans, 64-bit integers and timestamps take the CSV's kinds; a
 * damaged file gives one clear line; scoring and sampling work on Parquet.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readCsv } from '../../src/engine/data/csv';
import { columnKind } from '../../src/engine/data/columns';
import { readParquet } from '../../src/engine/data/parquet';
import { runCli } from '../helpers/cli';
import { csvToParquet, writeParquet } from '../helpers/parquet';
import { tempDir } from '../helpers/tempDir';

const EXAMPLE = join(resolve(__dirname, '..', '..'), 'examples', 'customers.csv');

/** A profile with what names the input file taken out: everything else must be equal. */
function withoutSource(path: string): Record<string, unknown> {
  const json = JSON.parse(readFileSync(path, 'utf8'));
  for (const metadata of [json.metadata, json.training].filter(Boolean)) {
    delete metadata.timestamp;
    delete metadata.source_file;
    delete metadata.input_format;
  }
  delete json.profile; // the model's profile file name (its time stamp)
  return json;
}

test('the example CSV as Parquet (4 row groups) gives the same table, profiles, assignments and model as the CSV', async (t) => {
  const dir = tempDir(t, 'segment-parquet-');
  const parquet = join(dir, 'customers.parquet');
  await csvToParquet(EXAMPLE, parquet, 128);
  const [fromCsv, fromParquet] = [await readCsv(EXAMPLE), await readParquet(parquet)];
  assert.equal(fromParquet.nRows, 500);
  assert.deepEqual(fromParquet.format, { kind: 'parquet', rowGroups: 4, createdBy: fromParquet.format!.createdBy });
  fromCsv.columns.forEach((column, j) => {
    const other = fromParquet.columns[j];
    assert.equal(other.name, column.name);
    assert.deepEqual(other.values, column.values, column.name);
    assert.deepEqual(columnKind(other), columnKind(column), column.name);
    assert.equal(other.missing, column.missing, column.name);
  });

  // Asked for some columns only (as scoring asks): those, read the same, and every name in `header`.
  const names = fromCsv.columns.map((c) => c.name);
  const some = await readParquet(parquet, { columns: [names[5], names[0], 'no such column'] });
  assert.deepEqual(some.columns.map((c) => c.name), [names[0], names[5]]);
  assert.deepEqual(some.columns, fromParquet.columns.filter((c) => c.name === names[0] || c.name === names[5]));
  assert.deepEqual(some.header, names);
  assert.equal(some.nRows, 500);

  for (const method of ['gmm', 'fuzzy', 'neural']) {
    const extra = method === 'neural' ? ['--epochs', '3'] : [];
    const csvRun = await runCli([method, EXAMPLE, '-k', '3', '--out', join(dir, `${method}-csv`), '--json', ...extra]);
    const pqRun = await runCli([method, parquet, '-k', '3', '--out', join(dir, `${method}-parquet`), '--json', ...extra]);
    assert.equal(csvRun.code, 0, csvRun.err);
    assert.equal(pqRun.code, 0, pqRun.err);
    const [a, b] = [JSON.parse(csvRun.out), JSON.parse(pqRun.out)];
    assert.deepEqual(withoutSource(b.json), withoutSource(a.json), `${method} profile`);
    assert.deepEqual(withoutSource(b.model), withoutSource(a.model), `${method} model`);
    assert.equal(readFileSync(b.assignments, 'utf8'), readFileSync(a.assignments, 'utf8'), `${method} assignments`);
    const metadata = JSON.parse(readFileSync(b.json, 'utf8')).metadata;
    assert.equal(metadata.source_file, 'customers.parquet');
    assert.deepEqual(Object.keys(metadata.input_format), ['format', 'row_groups', 'created_by']);
    assert.equal(metadata.input_format.format, 'parquet');
    assert.equal(metadata.input_format.row_groups, 4);
  }
  const summary = await runCli(['fuzzy', parquet, '-k', '3', '--out', join(dir, 'summary')]);
  assert.match(summary.out, /^Fuzzy C-Means \(FCM\): customers\.parquet \(Parquet, 4 row groups\)\n/);
});

test('column types from the schema: nulls are missing, strings stay text, booleans are binary, INT64 and timestamps are read', async (t) => {
  const dir = tempDir(t, 'segment-parquet-');
  const path = join(dir, 'types.parquet');
  const n = 60;
  const rows = Array.from({ length: n }, (_, i) => i);
  await writeParquet(
    path,
    [
      { name: 'customer_id', type: 'INT64', data: rows.map((i) => BigInt(9_007_199_254_740_993n) + BigInt(i)) },
      { name: 'spend', type: 'DOUBLE', data: rows.map((i) => (i % 10 === 3 ? null : i * 1.5)) },
      { name: 'visits', type: 'INT32', data: rows.map((i) => (i * 7) % 11) },
      { name: 'zip', type: 'STRING', data: rows.map((i) => `0${1000 + (i % 4)}`) },
      { name: 'member', type: 'BOOLEAN', data: rows.map((i) => (i === 5 ? null : i % 3 === 0)) },
      { name: 'region', type: 'STRING', data: rows.map((i) => (i % 7 === 0 ? null : ['North', ' South', 'East'][i % 3])) },
      { name: 'seen', type: 'TIMESTAMP', data: rows.map((i) => new Date(Date.UTC(2024, 0, 1 + i, 12))) },
    ],
    16,
  );
  const table = await readParquet(path);
  const column = (name: string) => table.columns.find((c) => c.name === name)!;
  assert.equal(table.nRows, n);
  assert.deepEqual(table.columns.map((c) => [c.name, columnKind(c).kind]), [
    ['customer_id', 'numeric'],
    ['spend', 'numeric'],
    ['visits', 'numeric'],
    ['zip', 'categorical'], // digits, but a string column: text
    ['member', 'binary'],
    ['region', 'categorical'],
    ['seen', 'text'],
  ]);
  assert.equal(column('customer_id').text![1], '9007199254740994', 'an id above 2^53 kept exactly as text');
  assert.equal(column('spend').missing, 6);
  assert.ok(Number.isNaN(column('spend').values[3]));
  assert.equal(column('spend').values[4], 6);
  assert.deepEqual(column('zip').levels, ['01000', '01001', '01002', '01003']);
  assert.deepEqual(column('member').levels, ['true', 'false']);
  assert.equal(column('member').missing, 1);
  assert.deepEqual(column('region').levels, ['South', 'East', 'North'], 'trimmed, as CSV cells are');
  assert.equal(column('region').missing, 9);
  assert.equal(column('seen').text![0], '2024-01-01T12:00:00.000Z');
  assert.deepEqual([...table.lineOfRow.slice(0, 3)], [1, 2, 3], 'a row is named by its 1-based index');

  // The run: numbers clustered, the id named, zip, member and region described per cluster.
  const run = await runCli(['gmm', path, '-k', '2', '--out', join(dir, 'out'), '--json']);
  assert.equal(run.code, 0, run.err);
  const profile = JSON.parse(readFileSync(JSON.parse(run.out).json, 'utf8'));
  assert.deepEqual(profile.features_used, ['spend', 'visits']);
  assert.equal(profile.metadata.id_column, 'customer_id');
  assert.equal(profile.metadata.n_rows_dropped, 6);
  assert.deepEqual(Object.keys(profile.clusters.cluster_0.categorical_statistics), ['zip', 'member', 'region']);
  const assignments = readFileSync(JSON.parse(run.out).assignments, 'utf8').split('\n');
  assert.equal(assignments[1].split(',').slice(0, 2).join(','), '1,9007199254740993');
});

test('a damaged, cut-short or mislabelled Parquet file gives one clear line, exit 1, and writes nothing', async (t) => {
  const dir = tempDir(t, 'segment-parquet-');
  const good = join(dir, 'good.parquet');
  await csvToParquet(EXAMPLE, good, 128);
  const bytes = readFileSync(good);
  const cut = join(dir, 'cut.parquet');
  writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length / 2)));
  const csv = join(dir, 'csv.parquet');
  writeFileSync(csv, readFileSync(EXAMPLE));
  const empty = join(dir, 'empty.parquet');
  writeFileSync(empty, '');
  for (const [path, size] of [
    [cut, Math.floor(bytes.length / 2)],
    [csv, readFileSync(EXAMPLE).length],
    [empty, 0],
  ] as const) {
    const name = path.split('/').pop();
    const run = await runCli(['gmm', path, '--out', join(dir, 'out')]);
    assert.equal(run.code, 1, name);
    assert.equal(
      run.err,
      `segment: "${name}" is not a Parquet file, or it was cut short: it does not end with the Parquet footer (${size} bytes). Copy or export it again; a CSV file must be named .csv.\n`,
    );
  }
  // The footer intact, a row group's pages overwritten.
  const damaged = Buffer.from(bytes);
  damaged.fill(0xff, 4, 2000);
  const broken = join(dir, 'broken.parquet');
  writeFileSync(broken, damaged);
  const run = await runCli(['gmm', broken, '--out', join(dir, 'out')]);
  assert.equal(run.code, 1);
  assert.match(run.err, /^segment: "broken\.parquet" could not be read as Parquet \(.+\)\. The file may be damaged or cut short: copy or export it again\.\n$/);
  const missing = await runCli(['gmm', join(dir, 'nowhere.parquet')]);
  assert.equal(missing.err, `segment: File not found: "${join(dir, 'nowhere.parquet')}". Check the folder and the file name, then try again.\n`);
});

test('a model fitted on the CSV scores the Parquet file as it scores the CSV; --sample draws the same rows from either', async (t) => {
  const dir = tempDir(t, 'segment-parquet-');
  const parquet = join(dir, 'customers.parquet');
  await csvToParquet(EXAMPLE, parquet, 100);
  const fit = await runCli(['gmm', EXAMPLE, '-k', '3', '--categorical', 'onehot', '--out', join(dir, 'model'), '--json']);
  assert.equal(fit.code, 0, fit.err);
  const model = JSON.parse(fit.out).model;
  const fromCsv = JSON.parse((await runCli(['score', model, EXAMPLE, '--out', join(dir, 'csv'), '--json', '--profile'])).out);
  const scored = await runCli(['score', model, parquet, '--out', join(dir, 'parquet'), '--json', '--profile']);
  assert.equal(scored.code, 0, scored.err);
  const fromParquet = JSON.parse(scored.out);
  assert.equal(readFileSync(fromParquet.scores, 'utf8'), readFileSync(fromCsv.scores, 'utf8'));
  assert.equal(fromParquet.n_rows_read, 500);
  assert.deepEqual(withoutSource(fromParquet.json), withoutSource(fromCsv.json));

  const sampleOf = async (path: string, out: string) => {
    const run = await runCli(['fuzzy', path, '--sample', '120', '--seed', '5', '--out', join(dir, out), '--json']);
    assert.equal(run.code, 0, run.err);
    return JSON.parse(run.out);
  };
  const [a, b] = [await sampleOf(EXAMPLE, 'sample-csv'), await sampleOf(parquet, 'sample-parquet')];
  assert.equal(readFileSync(b.assignments, 'utf8'), readFileSync(a.assignments, 'utf8'));
  assert.deepEqual(JSON.parse(readFileSync(b.json, 'utf8')).metadata.sample, { rows: 120, of: 500, seed: 5 });
});

test("the extension's worker runs on a Parquet file with segment.sampleRows, and its column picker reads the file's first rows", async (t) => {
  const { runWorker } = await import('../helpers/worker');
  const dir = tempDir(t, 'segment-parquet-');
  const parquet = join(dir, 'customers.parquet');
  await csvToParquet(EXAMPLE, parquet, 128);
  const inspected = (await runWorker({ type: 'inspect', source: { kind: 'file', path: parquet }, prepare: { missing: 'drop' } })).find((m) => m.type === 'inspected');
  assert.ok(inspected && inspected.type === 'inspected', 'inspected');
  assert.equal(inspected.sampleRows, 500);
  assert.deepEqual(
    inspected.columns.filter((c) => c.role !== 'feature').map((c) => [c.name, c.role]),
    [['customer_id', 'id'], ['first_name', 'descriptor'], ['city', 'descriptor'], ['loyalty_tier', 'descriptor'], ['signup_date', 'ignored'], ['favourite_store', 'descriptor']],
  );
  const messages = await runWorker({
    type: 'run',
    source: { kind: 'file', path: parquet },
    methods: ['gmm'],
    prepare: { missing: 'drop', sample: 150 },
    common: { nClusters: 3, randomSeed: 11 },
    params: { gmm: {}, fuzzy: {}, neural: {} },
    outputDir: dir,
    now: Date.now(),
  });
  const done = messages.find((m) => m.type === 'done');
  assert.ok(done && done.type === 'done', JSON.stringify(messages.find((m) => m.type === 'error')));
  const metadata = JSON.parse(readFileSync(done.results[0].json, 'utf8')).metadata;
  assert.deepEqual(metadata.sample, { rows: 150, of: 500, seed: 11 });
  assert.equal(metadata.input_format.format, 'parquet');
});
