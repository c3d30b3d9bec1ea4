/**
 * `segment sql` as text: the dialect table's quoting, literals and functions
 * for every dialect (BigQuery, Snowflake and Spark are not run here, so
 * their text is checked), the files writeSqlJob writes (never over an
 * existing one) and the CLI's usage errors. The queries' results on real
 * engines are in sqlEngines.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { main } from '../../src/cli/main';
import { parseModel } from '../../src/engine/scoring/modelFile';
import { DIALECTS, SQL_DIALECTS, sqlQueries, writeSqlJob } from '../../src/engine/scaleout/sql';
import { capture } from '../helpers/cli';
import { tempDir } from '../helpers/tempDir';

const EXAMPLE = join(resolve(__dirname, '..', '..'), 'examples', 'customers.csv');
const HOSTILE = `"; DROP TABLE x; -- it's \\ 'q' \`b\` ✓`;

test('each dialect quotes identifiers and strings by its own rules', () => {
  const q = (d: keyof typeof DIALECTS) => [DIALECTS[d].identifier(HOSTILE), DIALECTS[d].string(HOSTILE)];
  assert.deepEqual(q('duckdb'), [`"""; DROP TABLE x; -- it's \\ 'q' \`b\` ✓"`, `'"; DROP TABLE x; -- it''s \\ ''q'' \`b\` ✓'`]);
  assert.deepEqual(q('postgres'), q('duckdb'));
  // Snowflake: identifiers as the standard; its strings treat a backslash as an escape.
  assert.deepEqual(q('snowflake'), [q('duckdb')[0], `'"; DROP TABLE x; -- it\\'s \\\\ \\'q\\' \`b\` ✓'`]);
  assert.deepEqual(q('bigquery'), [`\`"; DROP TABLE x; -- it's \\\\ 'q' \\\`b\\\` ✓\``, q('snowflake')[1]]);
  assert.deepEqual(q('spark'), [`\`"; DROP TABLE x; -- it's \\ 'q' \`\`b\`\` ✓\``, q('snowflake')[1]]);
  assert.equal(DIALECTS.bigquery.string('a\nb'), `'a\\nb'`);
});

test('numbers are written with every digit of the double, as doubles in each dialect', () => {
  for (const value of [0.1, -1 / 3, 1.7976931348623157e308, 5e-324, 0, 123456789.12345679]) {
    for (const dialect of SQL_DIALECTS) {
      const text = DIALECTS[dialect].number(value);
      const literal = dialect === 'postgres' ? text.replace(/::float8$/, '') : text;
      assert.match(literal, /^-?\d(\.\d+)?e[+-]?\d+$/, `${dialect} ${text}`);
      assert.equal(Number(literal), value);
    }
  }
  assert.equal(DIALECTS.postgres.number(0.5), '5e-1::float8');
  assert.equal(DIALECTS.duckdb.number(0.5), '5e-1');
});

/** A small full-covariance GMM model file (2 features, 2 clusters) with a one-hot column, as text. */
function smallModel(): string {
  return JSON.stringify({
    format: 'segment-model/1',
    method: 'gmm',
    profile: 'gmm_cluster_profile_20250101_000000.json',
    features: ['spend', { column: HOSTILE, level: "O'Brien \\" }],
    categories: { [HOSTILE]: ['A', "O'Brien \\"] },
    scaler: { mean: [10, 0.5], scale: [2, 0.5] },
    imputation: null,
    id_column: 'customer id',
    covariance_type: 'full',
    weights: [0.25, 0.75],
    means: [
      [1, 0],
      [-1, 0.5],
    ],
    covariances: [
      [
        [1, 0],
        [0, 1],
      ],
      [
        [2, 0.5],
        [0.5, 1],
      ],
    ],
    precisions_cholesky: [
      [
        [1, 0],
        [0, 1],
      ],
      [
        [0.7071067811865475, -0.3779644730092272],
        [0, 1.0690449676496976],
      ],
    ],
    unusual_threshold: -5,
    training: {},
  });
}

test('every dialect writes one score SELECT and one profile SELECT with its own functions', () => {
  for (const dialect of SQL_DIALECTS) {
    const { common, reader } = parseModel(smallModel(), 'gmm_model.json');
    const rules = DIALECTS[dialect];
    const { score, profile, key } = sqlQueries(common, reader, { dialect, table: 'sales.customers' });
    assert.deepEqual(key, ['customer id']);
    for (const query of [score, profile]) {
      const statements = query.split('\n').filter((line) => !line.startsWith('--')).join('\n');
      // One statement: the only semicolon outside the quoted names and levels is the last character.
      const quoted = [HOSTILE, ...common.features.flatMap((f) => ['mean', 'std', 'min', 'max', 'median', 'q25', 'q75'].map((s) => `${f}.${s}`))];
      const bare = quoted.reduce((text, name) => text.split(rules.identifier(name)).join(''), statements).split(rules.string("O'Brien \\")).join('');
      assert.equal(bare.indexOf(';'), bare.trimEnd().length - 1, `${dialect}: one statement`);
      assert.match(statements, /^WITH\n/);
      assert.ok(statements.includes(`FROM ${rules.identifier('sales')}.${rules.identifier('customers')}`), dialect);
      assert.ok(statements.includes(rules.string("O'Brien \\")), `${dialect}: the level quoted`);
      assert.ok(statements.includes(`CAST(${rules.identifier(HOSTILE)} AS ${rules.text})`), `${dialect}: the column quoted`);
      assert.ok(statements.includes(`${rules.exp}(`) && statements.includes(`${rules.ln}(`) && statements.includes(`${rules.greatest}(`));
      // Nothing from the model file reaches a comment but its file name as JSON.
      assert.ok(!query.split('\n').filter((l) => l.startsWith('--')).some((l) => l.includes('DROP')), dialect);
      assert.equal(query.includes('MATERIALIZED'), dialect === 'postgres');
    }
    assert.ok(score.includes(`k0 AS ${rules.identifier('customer id')}`));
    for (const column of ['prob_cluster_0', 'prob_cluster_1', 'log_likelihood', 'unusual']) assert.ok(score.includes(`AS ${rules.identifier(column)}`), column);
    assert.ok(profile.includes(`${rules.stddevSample}(x0) AS ${rules.identifier('spend.std')}`), dialect);
    assert.equal(profile.includes(rules.identifier('spend.median')), rules.quantile !== null, dialect);
    assert.ok(profile.trimEnd().endsWith('GROUP BY cluster\nORDER BY cluster;'));
  }
  assert.equal(DIALECTS.bigquery.quantile, null);
  assert.equal(DIALECTS.spark.quantile!('x0', 0.5), 'PERCENTILE(x0, 0.5)');
  assert.equal(DIALECTS.snowflake.quantile!('x0', 0.25), 'PERCENTILE_CONT(0.25) WITHIN GROUP (ORDER BY x0)');
  assert.equal(DIALECTS.postgres.double, 'DOUBLE PRECISION');
  assert.equal(DIALECTS.bigquery.double, 'FLOAT64');
});

test('a table name with an empty part is refused', () => {
  const { common, reader } = parseModel(smallModel(), 'gmm_model.json');
  assert.throws(() => sqlQueries(common, reader, { dialect: 'duckdb', table: 'sales..x' }), /empty part/);
});

test('segment sql writes the two files beside the model, never over existing ones', async (t) => {
  const dir = tempDir(t, 'segment-sql-');
  const io = capture();
  assert.equal(await main(['fuzzy', EXAMPLE, '-k', '3', '--out', dir, '--json'], io), 0, io.err());
  const model = JSON.parse(io.out()).model as string;
  const first = await writeSqlJob(model, { dialect: 'duckdb', table: 'customers' });
  assert.equal(first.scorePath, join(dir, 'segment_score_fuzzy_duckdb.sql'));
  assert.equal(first.profilePath, join(dir, 'segment_profile_fuzzy_duckdb.sql'));
  const again = capture();
  assert.equal(await main(['sql', model, '--dialect', 'duckdb', '--table', 'customers', '--quiet'], again), 0, again.err());
  assert.equal(again.out(), `${join(dir, 'segment_score_fuzzy_duckdb_2.sql')}\n${join(dir, 'segment_profile_fuzzy_duckdb_2.sql')}\n`);
  assert.equal(readFileSync(first.scorePath, 'utf8'), readFileSync(join(dir, 'segment_score_fuzzy_duckdb_2.sql'), 'utf8'));
  const out = join(dir, 'sql');
  const other = capture();
  assert.equal(await main(['sql', model, '--dialect', 'spark', '--table', 'db.customers', '--out', out, '--key', 'customer_id,city', '--json'], other), 0, other.err());
  assert.deepEqual(JSON.parse(other.out()), { score: join(out, 'segment_score_fuzzy_spark.sql'), profile: join(out, 'segment_profile_fuzzy_spark.sql') });
  assert.ok(readFileSync(join(out, 'segment_score_fuzzy_spark.sql'), 'utf8').includes('k1 AS `city`'));
  assert.deepEqual(readdirSync(out).sort(), ['segment_profile_fuzzy_spark.sql', 'segment_score_fuzzy_spark.sql']);
});

test('segment sql: wrong usage exits 2, a file that is not a model exits 1 with one line', async () => {
  const cases: [string[], number, RegExp][] = [
    [['sql'], 2, /give the model file/],
    [['sql', 'm.json', '--table', 't'], 2, /--dialect/],
    [['sql', 'm.json', '--dialect', 'duckdb'], 2, /--table/],
    [['sql', 'm.json', '--dialect', 'oracle', '--table', 't'], 2, /must be one of duckdb, postgres, bigquery, snowflake, spark/],
    [['sql', EXAMPLE, '--dialect', 'duckdb', '--table', 't'], 1, /is not a Segment model file/],
  ];
  for (const [argv, code, message] of cases) {
    const io = capture();
    assert.equal(await main(argv, io), code, argv.join(' '));
    assert.match(io.err(), message);
    assert.equal(io.err().trimEnd().split('\n').length <= 2, true);
  }
});
