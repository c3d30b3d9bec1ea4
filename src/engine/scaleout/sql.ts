/**
 * `segment sql`: a model file as two SQL queries that run where the data
 * lives (issue 15). The score query assigns every row of a table as
 * `segment score` assigns the rows of a CSV (the same arithmetic in the same
 * order: standardisation, the GMM's log-probabilities from the Cholesky
 * precision factors and a log-sum-exp, FCM's membership update, the Neural
 * encoder and the nearest latent center); the profile query aggregates the
 * scored rows per cluster. Features, scaler and model are inlined as
 * constants written with every digit a double needs, so each query is one
 * self-contained SELECT (WITH … SELECT). Names and levels come from the
 * model file (untrusted): each one is quoted by the dialect's rules, never
 * pasted; comments name nothing from the file but its method and counts.
 *
 * The dialects differ only in what DIALECTS holds; duckdb and postgres run
 * in the tests (test/unit/sql*.test.ts), the others are generated untested.
 */
import { basename, dirname, resolve } from 'node:path';
import { SegmentError } from '../errors';
import { eStepConstants } from '../kernels/gmm';
import { writeFileSet } from '../profile/export';
import { readFcmModel, type FcmScoringModel } from '../scoring/fuzzyModel';
import { readGmmModel, type GmmScoringModel } from '../scoring/gmmModel';
import { readModelFile, type ModelCommon, type ModelReader } from '../scoring/modelFile';
import { readNeuralModel, type NeuralScoringModel } from '../scoring/neuralModel';
import { TOOL_NAME, TOOL_VERSION } from '../version';
import { METHOD_LABELS, type MethodKey } from '../../shared/methods';

export const SQL_DIALECTS = ['duckdb', 'postgres', 'bigquery', 'snowflake', 'spark'] as const;
export type SqlDialect = (typeof SQL_DIALECTS)[number];

/** What differs between the dialects: the one place in the code that knows. */
export interface DialectRules {
  /** A quoted identifier (column, table part, alias). */
  identifier: (name: string) => string;
  /** A quoted string literal. */
  string: (text: string) => string;
  /** A double-precision constant, exactly the given number. */
  number: (value: number) => string;
  /** The double and text types of CAST. */
  double: string;
  text: string;
  exp: string;
  ln: string;
  sqrt: string;
  power: string;
  greatest: string;
  least: string;
  /** Sample and population standard deviations (aggregates). */
  stddevSample: string;
  stddevPopulation: string;
  /** The p-quantile of `expr` by linear interpolation as an aggregate (numpy's default), or null where the dialect has no exact one. */
  quantile: ((expr: string, p: number) => string) | null;
  /** Run against a real engine in this project's tests. */
  tested: boolean;
}

const doubleQuoted = (name: string) => `"${name.replace(/"/g, '""')}"`;
const standardString = (text: string) => `'${text.replace(/'/g, "''")}'`;
/** Strings where a backslash escapes (BigQuery, Snowflake, Spark): backslash and quote both escaped. */
const backslashString = (text: string) => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r')}'`;
/** Shortest exponent form that reads back as the same double (DuckDB, BigQuery, Snowflake and Spark read it as a double). */
const exponent = (value: number) => (value === 0 ? '0e0' : value.toExponential());
const orderedSetQuantile = (expr: string, p: number) => `PERCENTILE_CONT(${p}) WITHIN GROUP (ORDER BY ${expr})`;

export const DIALECTS: Record<SqlDialect, DialectRules> = {
  duckdb: {
    identifier: doubleQuoted,
    string: standardString,
    number: exponent,
    double: 'DOUBLE',
    text: 'VARCHAR',
    exp: 'EXP',
    ln: 'LN',
    sqrt: 'SQRT',
    power: 'POWER',
    greatest: 'GREATEST',
    least: 'LEAST',
    stddevSample: 'STDDEV_SAMP',
    stddevPopulation: 'STDDEV_POP',
    quantile: (expr, p) => `QUANTILE_CONT(${expr}, ${p})`,
    tested: true,
  },
  postgres: {
    identifier: doubleQuoted,
    string: standardString,
    // A literal with an exponent is NUMERIC in PostgreSQL: cast, so the arithmetic stays in doubles.
    number: (value) => `${exponent(value)}::float8`,
    double: 'DOUBLE PRECISION',
    text: 'TEXT',
    exp: 'EXP',
    ln: 'LN',
    sqrt: 'SQRT',
    power: 'POWER',
    greatest: 'GREATEST',
    least: 'LEAST',
    stddevSample: 'STDDEV_SAMP',
    stddevPopulation: 'STDDEV_POP',
    quantile: orderedSetQuantile,
    tested: true,
  },
  bigquery: {
    identifier: (name) => `\`${name.replace(/\\/g, '\\\\').replace(/`/g, '\\`')}\``,
    string: backslashString,
    number: exponent,
    double: 'FLOAT64',
    text: 'STRING',
    exp: 'EXP',
    ln: 'LN',
    sqrt: 'SQRT',
    power: 'POWER',
    greatest: 'GREATEST',
    least: 'LEAST',
    stddevSample: 'STDDEV_SAMP',
    stddevPopulation: 'STDDEV_POP',
    // PERCENTILE_CONT is only an analytic function in BigQuery, APPROX_QUANTILES is approximate.
    quantile: null,
    tested: false,
  },
  snowflake: {
    identifier: doubleQuoted,
    string: backslashString,
    number: exponent,
    double: 'DOUBLE',
    text: 'VARCHAR',
    exp: 'EXP',
    ln: 'LN',
    sqrt: 'SQRT',
    power: 'POWER',
    greatest: 'GREATEST',
    least: 'LEAST',
    stddevSample: 'STDDEV_SAMP',
    stddevPopulation: 'STDDEV_POP',
    quantile: orderedSetQuantile,
    tested: false,
  },
  spark: {
    identifier: (name) => `\`${name.replace(/`/g, '``')}\``,
    string: backslashString,
    number: exponent,
    double: 'DOUBLE',
    text: 'STRING',
    exp: 'EXP',
    ln: 'LN',
    sqrt: 'SQRT',
    power: 'POWER',
    greatest: 'GREATEST',
    least: 'LEAST',
    stddevSample: 'STDDEV_SAMP',
    stddevPopulation: 'STDDEV_POP',
    quantile: (expr, p) => `PERCENTILE(${expr}, ${p})`,
    tested: false,
  },
};

export function isSqlDialect(value: unknown): value is SqlDialect {
  return typeof value === 'string' && (SQL_DIALECTS as readonly string[]).includes(value);
}

export interface SqlJobOptions {
  dialect: SqlDialect;
  /** The table to score: a name, or schema.table (each part between dots is quoted on its own). */
  table: string;
  /** The folder for the two files; beside the model by default. */
  outDir?: string;
  /** Columns copied into the scores to identify each row; the model's id column by default. */
  key?: string[];
}

export interface SqlQueries {
  score: string;
  profile: string;
  /** The columns that identify the rows in the scores. */
  key: string[];
}

/** Below this, exp() underflows: PostgreSQL raises an error where others return 0, so such terms are 0 here (they add nothing to a sum ≥ 1). */
const EXP_FLOOR = -700;

/** One CTE: its name and the expressions it adds to the previous one's columns (`SELECT *, …`). */
interface Step {
  name: string;
  columns: [alias: string, expression: string][];
  where?: string[];
}

/** What a method adds after the standardised features z0…: its steps, the soft-score columns, and the profile's extra aggregates. */
interface MethodSql {
  steps: Step[];
  /** [output name, internal column] after `cluster`, as in the scores CSV. */
  soft: [string, string][];
  /** Extra per-cluster aggregates: [output name, expression]. */
  profile: [string, string][];
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const sum = (terms: string[]) => (terms.length === 1 ? terms[0] : `(${terms.join(' + ')})`);

/** The first index with the largest (or smallest) value, as the engine picks it (the first one on a tie). */
function firstBest(columns: string[], larger: boolean): string {
  const op = larger ? '>=' : '<=';
  const k = columns.length;
  const whens = range(k - 1).map((c) => {
    const conditions = range(k).slice(c + 1).map((o) => `${columns[c]} ${op} ${columns[o]}`);
    return `WHEN ${conditions.join(' AND ')} THEN ${c}`;
  });
  return `CASE ${whens.join(' ')} ELSE ${k - 1} END`;
}

/** The member's own value of a per-cluster column: CASE cluster WHEN 0 THEN p0 … END. */
function ownValue(columns: string[]): string {
  return `CASE cluster ${columns.map((col, c) => `WHEN ${c} THEN ${col}`).join(' ')} END`;
}

/** The table's name, each dotted part quoted. */
function tableName(table: string, rules: DialectRules): string {
  const parts = table.split('.');
  if (table.trim() === '' || parts.some((p) => p === '')) {
    throw new SegmentError('INVALID_OPTION', `The table name "${table}" has an empty part: give a name, or schema.table.`);
  }
  return parts.map(rules.identifier).join('.');
}

/**
 * The input step: the key columns, each feature's value x0… as the model
 * sees it (a number; a one-hot indicator's 1 or 0 from its column's text;
 * the model's fill where the value is missing under median imputation), and
 * the rows the model scores (no gap when it drops rows with gaps; every
 * level one it was trained on).
 */
function inputSql(common: ModelCommon, key: string[], table: string, rules: DialectRules): string {
  const q = rules.identifier;
  const num = rules.number;
  const columns: string[] = key.map((name, i) => `${q(name)} AS k${i}`);
  const gaps: string[] = [];
  const textOf = (column: string) => `NULLIF(TRIM(CAST(${q(column)} AS ${rules.text})), '')`;
  common.features.forEach((feature, j) => {
    const indicator = common.indicators[j];
    const value = indicator
      ? `CASE WHEN ${textOf(indicator.column)} = ${rules.string(indicator.level)} THEN ${num(1)} WHEN ${textOf(indicator.column)} IS NOT NULL THEN ${num(0)} END`
      : `CAST(${q(feature)} AS ${rules.double})`;
    columns.push(`${common.imputation ? `COALESCE(${value}, ${num(common.imputation[j])})` : value} AS x${j}`);
    if (!common.imputation) gaps.push(`x${j} IS NOT NULL`);
  });
  const known = [...common.categories].map(([column, levels]) => `(${textOf(column)} IS NULL OR ${textOf(column)} IN (${levels.map(rules.string).join(', ')}))`);
  const select = `SELECT ${columns.join(',\n    ')}\n  FROM ${tableName(table, rules)}`;
  if (gaps.length === 0 && known.length === 0) return `segment_input AS (\n  ${select}\n)`;
  // The filter on x… needs them named: a second level.
  const inner = known.length ? `${select}\n  WHERE ${known.join('\n    AND ')}` : select;
  return `segment_input AS (\n  SELECT * FROM (\n  ${inner}\n  ) AS segment_rows${gaps.length ? `\n  WHERE ${gaps.join(' AND ')}` : ''}\n)`;
}

function standardiseStep(common: ModelCommon, rules: DialectRules): Step {
  const num = rules.number;
  // (x − mean) / scale: the engine's standardiseWith gives the same double (it divides both by a power of two first).
  return { name: 'segment_z', columns: common.features.map((_, j) => [`z${j}`, `(x${j} - ${num(common.mean[j])}) / ${num(common.scale[j])}`]) };
}

function gmmSql(scoring: GmmScoringModel, d: number, rules: DialectRules): MethodSql {
  const { model, k, unusualThreshold } = scoring;
  const num = rules.number;
  const type = model.covarianceType;
  const f = model.precisionFactors;
  const { bias, projected } = eStepConstants(model);
  const terms: [string, string][] = [];
  // Per component the terms whose squares add up to the Mahalanobis distance, in the engine's order (gmmKernels.ts).
  for (let c = 0; c < k; c++) {
    for (let a = 0; a < d; a++) {
      let expr: string;
      if (type === 'full' || type === 'tied') {
        const base = type === 'full' ? c * d * d : 0;
        expr = `(${[num(-projected[c * d + a]), ...range(a + 1).map((b) => `${num(f[base + a * d + b])} * z${b}`)].join(' + ')})`;
      } else if (type === 'diag') {
        expr = `(z${a} - ${num(model.means[c * d + a])}) * ${num(f[c * d + a])}`;
      } else {
        expr = `(z${a} - ${num(model.means[c * d + a])})`;
      }
      terms.push([`s${c}_${a}`, expr]);
    }
  }
  const logProb = range(k).map((c): [string, string] => {
    let q = sum(range(d).map((a) => `s${c}_${a} * s${c}_${a}`));
    if (type === 'spherical') q = `${q} * ${num(f[c] * f[c])}`;
    return [`lp${c}`, `${num(bias[c])} - ${num(0.5)} * ${q}`];
  });
  const lp = range(k).map((c) => `lp${c}`);
  const clampedExp = (x: string) => `CASE WHEN ${x} < ${num(EXP_FLOOR)} THEN ${num(0)} ELSE ${rules.exp}(${x}) END`;
  const p = range(k).map((c) => `p${c}`);
  return {
    steps: [
      { name: 'segment_terms', columns: terms },
      { name: 'segment_logprob', columns: logProb },
      { name: 'segment_max', columns: [['mx', `${rules.greatest}(${lp.join(', ')})`]] },
      // log Σ exp(lp − max) + max: stable, the engine's logSumExp.
      { name: 'segment_norm', columns: [['ll', `mx + ${rules.ln}(${sum(lp.map((v) => clampedExp(`${v} - mx`)))})`]] },
      { name: 'segment_posterior', columns: lp.map((v, c) => [p[c], clampedExp(`${v} - ll`)]) },
      {
        name: 'segment_scored',
        columns: [
          ['cluster', firstBest(p, true)],
          ['unusual', `CASE WHEN ll < ${num(unusualThreshold)} THEN 1 ELSE 0 END`],
        ],
      },
    ],
    soft: [...p.map((col, c): [string, string] => [`prob_cluster_${c}`, col]), ['log_likelihood', 'll'], ['unusual', 'unusual']],
    profile: [
      ...statistics('probability', ownValue(p), rules, false),
      ['unusual_count', 'SUM(unusual)'],
      ['log_likelihood_mean', 'AVG(ll)'],
    ],
  };
}

function fcmSql(scoring: FcmScoringModel, d: number, rules: DialectRules): MethodSql {
  const { k, m, centers } = scoring;
  const num = rules.number;
  const power = 1 / (m - 1);
  const dist = range(k).map((c) => `dist${c}`);
  const r = range(k).map((c) => `r${c}`);
  const u = range(k).map((c) => `u${c}`);
  // The engine's membership update (kernels/fcm.ts membershipRatios): ratios to the nearest center's distance, then normalised.
  const ratio = (c: number) =>
    `CASE WHEN dmin = ${num(0)} THEN CASE WHEN dist${c} = ${num(0)} THEN ${num(1)} ELSE ${num(0)} END ` +
    (power === 1 ? `ELSE dmin / dist${c} END` : `WHEN dist${c} = dmin THEN ${num(1)} ELSE ${rules.power}(dmin / dist${c}, ${num(power)}) END`);
  return {
    steps: [
      {
        name: 'segment_distance',
        columns: dist.map((name, c) => [name, sum(range(d).map((j) => `(z${j} - ${num(centers[c * d + j])}) * (z${j} - ${num(centers[c * d + j])})`))]),
      },
      { name: 'segment_nearest', columns: [['dmin', `${rules.least}(${dist.join(', ')})`]] },
      { name: 'segment_ratio', columns: r.map((name, c) => [name, ratio(c)]) },
      { name: 'segment_scale', columns: [['rscale', `${num(1)} / ${sum(r)}`]] },
      { name: 'segment_membership', columns: u.map((name, c) => [name, `r${c} * rscale`]) },
      { name: 'segment_scored', columns: [['cluster', firstBest(u, true)]] },
    ],
    soft: u.map((col, c) => [`membership_cluster_${c}`, col]),
    profile: statistics('membership', ownValue(u), rules, false),
  };
}

function neuralSql(scoring: NeuralScoringModel, rules: DialectRules): MethodSql {
  const { weights, k, e, centers } = scoring;
  const { sizes, relu, bottleneck } = weights.architecture;
  const num = rules.number;
  const steps: Step[] = [];
  let input = (i: number) => `z${i}`;
  for (let l = 0; l < bottleneck; l++) {
    const [rows, width] = [sizes[l], sizes[l + 1]];
    const previous = input;
    const columns = range(width).map((o): [string, string] => {
      const affine = `${sum(range(rows).map((i) => `${previous(i)} * ${num(weights.kernels[l][i * width + o])}`))} + ${num(weights.biases[l][o])}`;
      return [`h${l}_${o}`, relu[l] ? `${rules.greatest}(${num(0)}, ${affine})` : affine];
    });
    steps.push({ name: `segment_layer${l}`, columns });
    input = (i) => `h${l}_${i}`;
  }
  const latent = input;
  const dist = range(k).map((c) => `dist${c}`);
  steps.push({
    name: 'segment_distance',
    columns: dist.map((name, c) => [name, sum(range(e).map((j) => `(${latent(j)} - ${num(centers[c * e + j])}) * (${latent(j)} - ${num(centers[c * e + j])})`))]),
  });
  steps.push({ name: 'segment_scored', columns: [['cluster', firstBest(dist, false)]] });
  steps.push({ name: 'segment_center', columns: [['distance_to_center', `${rules.sqrt}(${ownValue(dist)})`]] });
  return {
    steps,
    soft: [['distance_to_center', 'distance_to_center']],
    profile: [
      ['mean_distance_to_center', 'AVG(distance_to_center)'],
      ['std_distance_to_center', `${rules.stddevPopulation}(distance_to_center)`],
    ],
  };
}

/** mean, std, min, max of a value per cluster (std with ddof 1 for features, 0 for the methods' *_stats as in the profile). */
function statistics(name: string, expr: string, rules: DialectRules, sample: boolean, separator = '_'): [string, string][] {
  return [
    [`${name}${separator}mean`, `AVG(${expr})`],
    [`${name}${separator}std`, `${sample ? rules.stddevSample : rules.stddevPopulation}(${expr})`],
    [`${name}${separator}min`, `MIN(${expr})`],
    [`${name}${separator}max`, `MAX(${expr})`],
  ];
}

function methodSql(method: MethodKey, reader: ModelReader, d: number, rules: DialectRules): MethodSql {
  if (method === 'gmm') return gmmSql(readGmmModel(reader, d), d, rules);
  if (method === 'fuzzy') return fcmSql(readFcmModel(reader, d), d, rules);
  return neuralSql(readNeuralModel(reader, d), rules);
}

function withClause(input: string, steps: Step[]): string {
  const ctes = [input];
  let previous = 'segment_input';
  for (const step of steps) {
    const columns = step.columns.map(([alias, expr]) => `${expr} AS ${alias}`).join(',\n    ');
    ctes.push(`${step.name} AS (\n  SELECT *,\n    ${columns}\n  FROM ${previous}\n)`);
    previous = step.name;
  }
  return `WITH\n${ctes.join(',\n')}`;
}

/** The two queries of a model (the text of a model file, read and checked), for a table in a dialect. */
export function sqlQueries(common: ModelCommon, reader: ModelReader, options: Omit<SqlJobOptions, 'outDir'>): SqlQueries {
  const rules = DIALECTS[options.dialect];
  const q = rules.identifier;
  const key = options.key ?? (common.idColumn === null ? [] : [common.idColumn]);
  const d = common.features.length;
  const method = methodSql(common.method, reader, d, rules);
  const last = method.steps[method.steps.length - 1].name;
  const body = withClause(inputSql(common, key, options.table, rules), [standardiseStep(common, rules), ...method.steps]);
  const label = METHOD_LABELS[common.method].name;
  const header = (what: string) =>
    [
      `-- ${TOOL_NAME} ${TOOL_VERSION}: ${what}`,
      `-- Model: ${JSON.stringify(common.fileName)} (${label}, ${d} features); dialect ${options.dialect}${rules.tested ? '' : ' (generated, not tested against a real engine)'}.`,
      `-- Rows ${common.imputation ? 'with a missing feature get the model\'s fill value' : 'with a missing feature are left out, as the model drops them'}; rows with a level the model was not trained on are left out.`,
      '-- Generated from the model file: change the model, not this text.',
    ].join('\n');
  const scoreColumns = [
    ...key.map((name, i) => `k${i} AS ${q(name)}`),
    'cluster',
    ...method.soft.map(([name, col]) => `${col} AS ${q(name)}`),
  ];
  const score = `${header('scores every row of the table with the model; one result row per row scored.')}\n${body}\nSELECT ${scoreColumns.join(', ')}\nFROM ${last};\n`;
  const features: [string, string][] = [];
  common.features.forEach((feature, j) => {
    features.push(...statistics(feature, `x${j}`, rules, true, '.'));
    if (rules.quantile) {
      for (const [stat, p] of [['median', 0.5], ['q25', 0.25], ['q75', 0.75]] as const) features.push([`${feature}.${stat}`, rules.quantile(`x${j}`, p)]);
    }
  });
  const aggregates = [
    'cluster',
    `COUNT(*) AS ${q('size')}`,
    `${rules.number(1)} * COUNT(*) / SUM(COUNT(*)) OVER () AS ${q('share')}`,
    ...features.map(([name, expr]) => `${expr} AS ${q(name)}`),
    ...method.profile.map(([name, expr]) => `${expr} AS ${q(name)}`),
  ];
  const profile =
    `${header('the profile of the scored rows, one result row per cluster that has rows (original units; std with ddof 1).')}\n${body}\n` +
    `SELECT ${aggregates.join(',\n  ')}\nFROM ${last}\nGROUP BY cluster\nORDER BY cluster;\n`;
  return { score, profile, key };
}

/**
 * Writes `segment_score_{method}_{dialect}.sql` and
 * `segment_profile_{method}_{dialect}.sql` beside the model (or into
 * outDir), never over an existing file (the next free `_2`, `_3` … suffix,
 * as every output of Segment).
 */
export async function writeSqlJob(modelPath: string, options: SqlJobOptions): Promise<{ scorePath: string; profilePath: string }> {
  if (!isSqlDialect(options.dialect)) {
    throw new SegmentError('INVALID_OPTION', `Unknown SQL dialect "${String(options.dialect)}": use one of ${SQL_DIALECTS.join(', ')}.`);
  }
  const path = resolve(modelPath);
  const { common, reader } = await readModelFile(path);
  const { score, profile } = sqlQueries(common, reader, options);
  const name = (kind: string) => (suffix: string) => `segment_${kind}_${common.method}_${options.dialect}${suffix}.sql`;
  const paths = await writeFileSet(options.outDir ? resolve(options.outDir) : dirname(path), `the SQL of ${basename(path)}`, {
    score: { name: name('score'), content: score },
    profile: { name: name('profile'), content: profile },
  });
  return { scorePath: paths.score, profilePath: paths.profile };
}
