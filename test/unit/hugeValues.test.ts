/** Finite but huge values (issue 11.2): no overflow into null or NaN, or one sentence naming the column. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main';
import { capture } from '../helpers/cli';

const ROWS = 60;

/** spend, visits, tenure: ordinary values, spread by a fixed recipe. */
function ordinary(i: number): string {
  return `${40 + ((i * 37) % 41) / 2},${1 + ((i * 13) % 9)},${60 + ((i * 29) % 43)}`;
}

function writeCsv(name: string, header: string, rows: string[]): { dir: string; path: string } {
  const dir = mkdtempSync(join(tmpdir(), 'segment-huge-'));
  const path = join(dir, name);
  writeFileSync(path, `${header}\n${rows.join('\n')}\n`);
  return { dir, path };
}

/** Paths of the nulls under `value` that are not the std of a one-member cluster (null by the spec). */
function unexpectedNulls(value: unknown, path = '', singleton = false): string[] {
  if (value === null) return singleton && path.endsWith('.std') ? [] : [path];
  if (typeof value !== 'object') return [];
  const isSingleton = singleton || (value as { size?: unknown }).size === 1;
  return Object.entries(value as object).flatMap(([key, v]) => unexpectedNulls(v, `${path}.${key}`, isSingleton));
}

async function run(argv: string[]): Promise<{ code: number; err: string; profile: Record<string, unknown> | null }> {
  const io = capture();
  const code = await main([...argv, '--json'], io);
  return { code, err: io.err(), profile: code === 0 ? JSON.parse(readFileSync(JSON.parse(io.out()).json, 'utf8')) : null };
}

const ONE_HUGE_CELL = writeCsv(
  'one-huge-cell.csv',
  'spend,visits,tenure',
  Array.from({ length: ROWS }, (_, i) => (i === 7 ? `1e155,${ordinary(i).split(',').slice(1).join(',')}` : ordinary(i))),
);

for (const method of ['gmm', 'fuzzy']) {
  test(`${method}: a single 1e155 cell leaves every center, std and variance a number`, async () => {
    const { code, err, profile } = await run([method, ONE_HUGE_CELL.path, '-k', '3', '--out', ONE_HUGE_CELL.dir]);
    assert.equal(code, 0, err);
    assert.ok(profile);
    assert.deepEqual(unexpectedNulls(profile.clusters), []);
    assert.deepEqual(unexpectedNulls(profile.metrics), []);
    const clusters = Object.values(profile.clusters as Record<string, { feature_statistics: { spend: { max: number } } }>);
    assert.ok(clusters.some((c) => c.feature_statistics.spend.max === 1e155));
  });
}

const LEVELS = [1, 1.2, 1.5, 1.7, 1.3];
const HUGE_COLUMN = writeCsv(
  'huge-column.csv',
  'spend,visits,tenure,wealth',
  Array.from({ length: ROWS }, (_, i) => `${ordinary(i)},${LEVELS[(i * 7) % 5]}e307`),
);

test('fuzzy: a column of values near 1e307 is clustered with finite centers and statistics', async () => {
  const { code, err, profile } = await run(['fuzzy', HUGE_COLUMN.path, '-k', '3', '--out', HUGE_COLUMN.dir]);
  assert.equal(code, 0, err);
  assert.ok(profile);
  assert.deepEqual(profile.features_used, ['spend', 'visits', 'tenure', 'wealth']);
  assert.deepEqual(unexpectedNulls(profile.clusters), []);
  assert.deepEqual(unexpectedNulls(profile.metrics), []);
  for (const c of Object.values(profile.clusters as Record<string, { cluster_center: { wealth: number }; feature_statistics: { wealth: { std: number } } }>)) {
    assert.ok(c.cluster_center.wealth >= 1e307 && c.cluster_center.wealth <= 1.7e307, String(c.cluster_center.wealth));
    assert.ok(c.feature_statistics.wealth.std > 1e305, String(c.feature_statistics.wealth.std));
  }
});

test('neural: a column of values near 1e307 trains and is profiled with finite numbers', async () => {
  const argv = ['neural', HUGE_COLUMN.path, '-k', '3', '--epochs', '5', '--encoding-dim', '2', '--out', HUGE_COLUMN.dir];
  const { code, err, profile } = await run(argv);
  assert.equal(code, 0, err);
  assert.ok(profile);
  assert.deepEqual(unexpectedNulls(profile.clusters), []);
  assert.deepEqual(unexpectedNulls(profile.metrics), []);
});

test('gmm: variances of values near 1e307 cannot be written, and one sentence names the column', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'segment-huge-out-'));
  const { code, err } = await run(['gmm', HUGE_COLUMN.path, '-k', '3', '--out', dir]);
  assert.equal(code, 1);
  assert.equal(
    err,
    'segment: The statistics of column "wealth" are too large to write (beyond ±1.8e308, the largest number a profile can hold). ' +
      'Divide the column by a power of ten (say, amounts in millions) and try again.\n',
  );
  assert.deepEqual(readdirSync(dir), []);
});
