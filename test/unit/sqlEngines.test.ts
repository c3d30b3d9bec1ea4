/**
 * `segment sql` on real engines: the score and profile queries of GMM (all
 * four covariance types), Fuzzy C-Means, Neural and a one-hot model with
 * median imputation run on DuckDB (in this process) and on a PostgreSQL
 * server the test starts, over a table loaded from the CSV, and give what
 * `segment score --profile` gives on the same rows: the same labels, the
 * soft scores to 1e-9, each cluster's size and feature statistics to 1e-9.
 * (Neural: the engine encodes in float32 with TensorFlow.js, the SQL in
 * doubles, so its distances agree to 1e-5.) Hostile column names, levels and
 * a hostile table name go through both engines and nothing is dropped.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import { main } from '../../src/cli/main';
import { readModelFile } from '../../src/engine/scoring/modelFile';
import { sqlQueries, type SqlDialect } from '../../src/engine/scaleout/sql';
import { capture } from '../helpers/cli';
import { DuckDb, Postgres, tableFromCsv, type ResultRow } from '../helpers/sqlEngines';
import { tempDir } from '../helpers/tempDir';

const EXAMPLE = join(resolve(__dirname, '..', '..'), 'examples', 'customers.csv');
const dir = tempDir({ after }, 'segment-sql-engines-');

async function cli(argv: string[]): Promise<Record<string, unknown>> {
  const io = capture();
  const code = await main([...argv, '--json'], io);
  assert.equal(code, 0, io.err());
  return JSON.parse(io.out());
}

interface Reference {
  model: string;
  /** The scores CSV of `segment score`: its header and rows. */
  header: string[];
  rows: string[][];
  profile: { clusters: Record<string, Record<string, unknown>> };
}

/** A model of `csv` exported with `args`, and what `segment score --profile` makes of the same CSV with it. */
async function reference(csv: string, name: string, args: string[]): Promise<Reference> {
  const out = join(dir, name);
  const exported = await cli([...args, csv, '--out', out]);
  const model = exported.model as string;
  const scored = await cli(['score', model, csv, '--profile', '--out', join(out, 'scored')]);
  const [header, ...rows] = parse(readFileSync(scored.scores as string, 'utf8')) as string[][];
  return { model, header, rows, profile: JSON.parse(readFileSync(scored.json as string, 'utf8')) };
}

function close(actual: unknown, expected: unknown, tolerance: number, what: string): void {
  if (expected === null) {
    assert.equal(actual, null, what);
    return;
  }
  assert.equal(typeof actual, 'number', `${what}: ${String(actual)}`);
  const a = actual as number;
  const b = Number(expected);
  assert.ok(Math.abs(a - b) <= tolerance * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);
}

type Runner = (sql: string, key: string[]) => Promise<ResultRow[]>;

/** The scores and the profile of the queries equal segment score's, row by row (by the key) and cluster by cluster. */
async function compare(run: Runner, dialect: SqlDialect, table: string, ref: Reference, tolerance: number): Promise<void> {
  const { common, reader } = await readModelFile(ref.model);
  const queries = sqlQueries(common, reader, { dialect, table });
  assert.equal(queries.key.length, 1, 'the model has an id column');
  const [key] = queries.key;
  const scores = await run(queries.score, queries.key);
  // segment score's columns but row: the key, cluster, the soft scores.
  assert.deepEqual(
    [...scores[0].keys()],
    ref.header.filter((h) => h !== 'row'),
  );
  assert.equal(scores.length, ref.rows.length, 'as many rows scored');
  const byKey = new Map(scores.map((row) => [row.get(key), row]));
  const soft = ref.header.slice(3);
  for (const expected of ref.rows) {
    const row = byKey.get(expected[1]);
    assert.ok(row, `row ${expected[1]} scored`);
    assert.equal(row.get('cluster'), Number(expected[2]), `cluster of ${expected[1]}`);
    soft.forEach((name, j) => close(row.get(name), expected[3 + j], name === 'log_likelihood' ? 1e-9 : tolerance, `${name} of ${expected[1]}`));
  }
  const profile = await run(queries.profile, []);
  const clusters = Object.values(ref.profile.clusters).filter((c) => (c.size as number) > 0);
  assert.equal(profile.length, clusters.length);
  const n = ref.rows.length;
  profile.forEach((row, c) => {
    const cluster = ref.profile.clusters[`cluster_${row.get('cluster')}`];
    assert.equal(row.get('size'), cluster.size);
    assert.equal(Math.round(10000 * (row.get('share') as number)) / 100, cluster.percentage);
    close(row.get('share'), (cluster.size as number) / n, 1e-15, 'share');
    const stats = cluster.feature_statistics as Record<string, Record<string, number | null>>;
    for (const feature of common.features) {
      for (const stat of ['mean', 'std', 'min', 'max', 'median', 'q25', 'q75']) {
        close(row.get(`${feature}.${stat}`), stats[feature][stat], 1e-9, `cluster ${c} ${feature}.${stat}`);
      }
    }
    const own = (cluster.probability_stats ?? cluster.membership_stats) as Record<string, number> | undefined;
    const prefix = cluster.probability_stats ? 'probability' : 'membership';
    if (own) for (const stat of ['mean', 'std', 'min', 'max']) close(row.get(`${prefix}_${stat}`), own[stat], tolerance, `${prefix}_${stat}`);
    const encoded = cluster.encoded_space_stats as Record<string, number> | undefined;
    if (encoded) for (const stat of ['mean_distance_to_center', 'std_distance_to_center']) close(row.get(stat), encoded[stat], tolerance, stat);
  });
}

let duck: DuckDb;
let pg: Postgres;
const runners: Record<'duckdb' | 'postgres', Runner> = {
  duckdb: (sql) => duck.query(sql),
  postgres: async (sql, key) => pg.query(sql, (name) => !key.includes(name)),
};

const HOSTILE_TABLE = 'weird "table"; DROP TABLE x; --';
const HOSTILE_LEVELS = ["O'Brien", 'back\\slash', '"quoted"', '"; DROP TABLE x; --', '日本 ✓', '__proto__'];
const HOSTILE_COLUMNS = ['customer "id"', '"; DROP TABLE x; --', "it's", 'back\\slash', 'ünïcødé ✓', '__proto__', 'segment = "x"'];

/** A CSV whose column names and levels would break a query that pasted them: 240 rows in three groups. */
function hostileCsv(): string {
  let state = 12345;
  const random = () => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648);
  const lines = [HOSTILE_COLUMNS.map((c) => `"${c.replace(/"/g, '""')}"`).join(',')];
  for (let i = 0; i < 240; i++) {
    const g = i % 3;
    const level = HOSTILE_LEVELS[(g * 2 + Math.floor(random() * 2)) % HOSTILE_LEVELS.length];
    const numbers = [0, 1, 2, 3].map((j) => (5 * g + j + random() * 2).toFixed(4));
    lines.push([`id-${i}`, `"${level.replace(/"/g, '""')}"`, ...numbers, (random() * 10).toFixed(3)].join(','));
  }
  return `${lines.join('\n')}\n`;
}

describe('segment sql on DuckDB and PostgreSQL', () => {
  const refs = new Map<string, Reference>();
  const hostile = join(dir, 'hostile.csv');

  // Registered in the suite's body, so they run when the suite ends (an after() inside before() would run as the hook ends).
  const cleanups: (() => void)[] = [];
  after(() => cleanups.reverse().forEach((cleanup) => cleanup()));

  before(async () => {
    writeFileSync(hostile, hostileCsv());
    pg = await Postgres.start({ after: (cleanup) => cleanups.push(cleanup) });
    duck = await DuckDb.open();
    cleanups.push(() => duck.close());
    const customers = await tableFromCsv(EXAMPLE);
    const weird = await tableFromCsv(hostile);
    for (const load of [(n: string, d: typeof customers) => duck.load(n, d), async (n: string, d: typeof customers) => pg.load(n, d)]) {
      await load('customers', customers);
      await load(HOSTILE_TABLE, weird);
      await load('x', { columns: [{ name: 'still_here', numeric: true }], rows: [[1]] });
    }
    const models: [string, string, string[]][] = [
      ['full', EXAMPLE, ['gmm', '-k', '4', '--covariance', 'full']],
      ['tied', EXAMPLE, ['gmm', '-k', '3', '--covariance', 'tied']],
      ['diag', EXAMPLE, ['gmm', '-k', '4', '--covariance', 'diag']],
      ['spherical', EXAMPLE, ['gmm', '-k', '3', '--covariance', 'spherical']],
      ['fuzzy', EXAMPLE, ['fuzzy', '-k', '3']],
      ['fuzzy m 1.6', EXAMPLE, ['fuzzy', '-k', '3', '-m', '1.6']],
      ['neural', EXAMPLE, ['neural', '-k', '3', '--epochs', '5', '--backend', 'cpu']],
      ['onehot', EXAMPLE, ['gmm', '-k', '3', '--covariance', 'diag', '--categorical', 'onehot', '--missing', 'median', '--columns', 'total_revenue,recency_days,loyalty_tier,city']],
      ['hostile gmm', hostile, ['gmm', '-k', '3', '--covariance', 'full', '--categorical', 'onehot']],
      ['hostile fuzzy', hostile, ['fuzzy', '-k', '3', '--missing', 'median']],
    ];
    for (const [name, csv, args] of models) refs.set(name, await reference(csv, name.replace(/ /g, '-'), args));
  });

  for (const dialect of ['duckdb', 'postgres'] as const) {
    for (const name of ['full', 'tied', 'diag', 'spherical', 'fuzzy', 'fuzzy m 1.6', 'neural', 'onehot']) {
      test(`${dialect}: ${name}`, async () => {
        await compare(runners[dialect], dialect, 'customers', refs.get(name)!, name === 'neural' ? 1e-5 : 1e-9);
      });
    }
    for (const name of ['hostile gmm', 'hostile fuzzy']) {
      test(`${dialect}: ${name} (names, levels and the table quoted)`, async () => {
        await compare(runners[dialect], dialect, HOSTILE_TABLE, refs.get(name)!, 1e-9);
        const x = await runners[dialect]('SELECT still_here FROM x', []);
        assert.deepEqual(x.map((row) => row.get('still_here')), [1], 'table x is still there');
      });
    }
  }
});
