/**
 * Data-quality warnings for the profile's metadata.warnings (and so for the
 * CLI's summary and VS Code's notification): what in the data makes the
 * segments less trustworthy, with the column to look at and what to change.
 * Each advice names the option as the caller's user knows it (a flag on the
 * command line, a setting in VS Code), as the engine's errors do.
 */
import type { CovarianceType, OptionSpec } from '../../shared/methods';
import { originalValues, type PreparedData } from '../data/prepare';
import type { GmmModel } from '../kernels/gmm';
import { optionSpec, optionValue, type OptionNamer } from '../methods/options';

/** More than this share of the rows read dropped for missing values is worth a warning. */
export const DROPPED_ROWS_LIMIT = 0.2;
/** A feature with at least this share of its values equal is nearly constant. */
export const NEAR_CONSTANT_SHARE = 0.99;
/**
 * A component's variance in a feature (standardised units, reg_covar
 * included) at most this many times reg_covar has collapsed onto the floor:
 * at least half of it is the floor, not the data.
 */
export const COLLAPSED_FLOOR_FACTOR = 2;

/** How a warning tells the user to change the run: in their terms (flag, setting or API option). */
interface Advice {
  missingMedian: string;
  covarianceDiag: string;
  describe(column: string): string;
  exclude(column: string): string;
}

/**
 * The preparation's options are not method options (src/shared/methods.ts),
 * so the flag and the setting of `missing` are named here; a namer that
 * turns them into a flag or a setting says how the caller's user sets things.
 */
const MISSING_SPEC: OptionSpec = {
  key: 'missing',
  label: 'missing_values',
  flag: 'missing',
  setting: 'missingValues',
  rule: { kind: 'choice', choices: ['drop', 'median'] },
  default: 'drop',
  help: 'rows with a missing value: drop them or fill with the column median',
};

/** A column name as one shell word: quoted when it holds anything but letters, digits and _.-= */
function shellWord(text: string): string {
  return /^[\w.=-]+$/.test(text) ? text : `"${text.replace(/(["\\$`])/g, '\\$1')}"`;
}

export function adviceFor(name: OptionNamer): Advice {
  const missingMedian = optionValue(name, MISSING_SPEC, 'median');
  const covarianceDiag = optionValue(name, optionSpec('gmm', 'covarianceType'), 'diag');
  if (missingMedian.startsWith('--')) {
    return { missingMedian, covarianceDiag, describe: (c) => `--describe ${shellWord(c)}`, exclude: (c) => `--exclude ${shellWord(c)}` };
  }
  if (missingMedian.startsWith('segment.')) {
    // VS Code: the column picks of an export (cluster on / describe only / leave out).
    return {
      missingMedian,
      covarianceDiag,
      describe: (c) => `untick "${c}" among the columns to cluster on and tick it among those to describe`,
      exclude: (c) => `untick "${c}" among the columns to cluster on`,
    };
  }
  return { missingMedian, covarianceDiag, describe: (c) => `describe: ["${c}"]`, exclude: (c) => `exclude: ["${c}"]` };
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

function rows(n: number): string {
  return n === 1 ? '1 row' : `${count(n)} rows`;
}

/** 99.63 → "99.6", never rounded up to a share the data do not reach. */
function percentDown(part: number, whole: number): string {
  return (Math.floor((1000 * part) / whole) / 10).toFixed(1);
}

function joinAnd(items: string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

const MAX_NAMED = 8;

/** More than 20% of the rows read were dropped for missing values: which clustered columns had the gaps, and in how many rows. */
export function droppedRowsWarning(data: PreparedData, name: OptionNamer): string | undefined {
  const { nRowsRead, nRowsDropped } = data;
  if (data.missing !== 'drop' || nRowsRead === 0 || nRowsDropped <= DROPPED_ROWS_LIMIT * nRowsRead) return undefined;
  const gaps = [...(data.featureGaps ?? [])].sort((a, b) => b.rows - a.rows);
  const named = gaps.slice(0, MAX_NAMED).map((g) => `"${g.column}" in ${rows(g.rows)}`);
  if (gaps.length > MAX_NAMED) named.push(`${gaps.length - MAX_NAMED} more columns`);
  const where = named.length > 0 ? `: ${joinAnd(named)}` : '';
  return (
    `${count(nRowsDropped)} of ${rows(nRowsRead)} (${percentDown(nRowsDropped, nRowsRead)}%) were dropped for a missing value in a clustered column${where}. ` +
    `Fill the gaps with each column's median instead (${adviceFor(name).missingMedian}), or leave the sparsest columns out.`
  );
}

/** The value held by more than half of the values (Boyer–Moore majority vote), with its count; null when none. */
function majority(values: Float64Array): { value: number; count: number } | null {
  const n = values.length;
  let candidate = NaN;
  let votes = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (votes === 0) {
      candidate = v;
      votes = 1;
    } else votes += v === candidate ? 1 : -1;
  }
  let same = 0;
  for (let i = 0; i < n; i++) if (values[i] === candidate) same++;
  return 2 * same > n ? { value: candidate, count: same } : null;
}

/** The CSV column of feature j: the one-hot column of an indicator, else the feature itself. */
function columnOf(data: PreparedData, j: number): string {
  return data.indicators?.[j]?.column ?? data.features[j];
}

/** reg_covar as written in options: 1e-6 rather than 0.000001. */
function floorText(regCovar: number): string {
  return regCovar < 1e-3 ? regCovar.toExponential() : String(regCovar);
}

/** Findings per feature grouped by CSV column (a one-hot column's indicators together), in feature order. */
function byColumn<T>(data: PreparedData, found: { j: number; detail: T }[]): { column: string; oneHot: boolean; items: { feature: string; detail: T }[] }[] {
  const groups = new Map<string, { column: string; oneHot: boolean; items: { feature: string; detail: T }[] }>();
  for (const { j, detail } of found) {
    const column = columnOf(data, j);
    const group = groups.get(column) ?? { column, oneHot: data.indicators?.[j] != null, items: [] };
    group.items.push({ feature: data.features[j], detail });
    groups.set(column, group);
  }
  return [...groups.values()];
}

/** The first few items, then "and N more". */
function someOf(items: string[], shown = 3): string {
  return items.length <= shown ? joinAnd(items) : `${items.slice(0, shown).join(', ')} and ${items.length - shown} more`;
}

/**
 * Features with at least 99% of their values equal over the rows clustered:
 * the few other rows make tiny clusters of their own. A one-hot column's
 * rare levels are one warning for the column.
 */
export function nearConstantWarnings(data: PreparedData, name: OptionNamer): string[] {
  const { n, d } = data;
  const advice = adviceFor(name);
  const found: { j: number; detail: { value: number; count: number } }[] = [];
  const column = new Float64Array(n);
  for (let j = 0; j < d; j++) {
    const top = majority(originalValues(data, j, null, column));
    if (top !== null && top.count >= NEAR_CONSTANT_SHARE * n) found.push({ j, detail: top });
  }
  return byColumn(data, found).map(({ column, oneHot, items }) => {
    const what = (v: { value: number; count: number }) => `the same value (${String(v.value === 0 ? 0 : v.value)}) in ${percentDown(v.count, n)}% of the rows clustered (${count(v.count)} of ${count(n)})`;
    const fix = `Describe it instead of clustering on it (${advice.describe(column)}) or leave it out (${advice.exclude(column)}).`;
    if (!oneHot) {
      const { detail } = items[0];
      const others = n - detail.count;
      return `Feature "${column}" has ${what(detail)}: it will drive tiny clusters of the ${others === 1 ? 'one other row' : `${count(others)} other rows`}. ${fix}`;
    }
    const levels = someOf(items.map((i) => `"${i.feature}" ${percentDown(i.detail.count, n)}%`));
    return (
      `Column "${column}" is clustered one-hot with ${items.length === 1 ? 'an indicator' : `${items.length} indicators`} that ${items.length === 1 ? 'has' : 'each have'} ` +
      `the same value in at least 99% of the rows clustered (${levels}): levels this rare will drive tiny clusters. ${fix.replace('Describe it', 'Describe the column')}`
    );
  });
}

/**
 * GMM components whose variance in a feature collapsed to the reg_covar
 * floor: every member has (nearly) the same value there, as when a 0/1
 * column is modelled as a Gaussian, and the likelihood of that spike drives
 * the fit. One warning per CSV column, naming the clusters (profile
 * numbering, the model's order). Spherical covariances have one variance for
 * all features, so no single column can be named; they are not checked.
 */
export function collapsedVarianceWarnings(
  data: PreparedData,
  model: GmmModel,
  sizes: ArrayLike<number>,
  regCovarUsed: number,
  name: OptionNamer,
): string[] {
  const type: CovarianceType = model.covarianceType;
  if (type === 'spherical') return [];
  const { d } = data;
  const k = model.weights.length;
  const cov = model.covariances;
  const floor = COLLAPSED_FLOOR_FACTOR * regCovarUsed;
  const found: { j: number; detail: string }[] = [];
  for (let j = 0; j < d; j++) {
    const variance = (c: number) => (type === 'full' ? cov[c * d * d + j * d + j] : type === 'diag' ? cov[c * d + j] : cov[j * d + j]);
    if (type === 'tied') {
      if (variance(0) <= floor) found.push({ j, detail: 'every cluster (tied: one covariance for all)' });
      continue;
    }
    const clusters = Array.from({ length: k }, (_, c) => c).filter((c) => sizes[c] > 0 && variance(c) <= floor);
    if (clusters.length > 0) found.push({ j, detail: joinAnd(clusters.map((c) => `cluster_${c}`)) });
  }
  const advice = adviceFor(name);
  const instead = (column: string) =>
    `${type === 'diag' ? 'Describe the column' : `Use ${advice.covarianceDiag}, or describe the column`} instead of clustering on it (${advice.describe(column)}).`;
  const spike = 'the members there all have (nearly) the same value, as when a 0/1 column is modelled as a Gaussian, and that spike drives the fit.';
  return byColumn(data, found).map(({ column, oneHot, items }) => {
    const where = oneHot ? someOf(items.map((i) => `"${i.feature}" (${i.detail})`)) : `"${column}" in ${items[0].detail}`;
    const subject = oneHot ? `The variance of one-hot column "${column}" collapsed to the reg_covar floor (${floorText(regCovarUsed)}) in ${where}` : `The variance of ${where} collapsed to the reg_covar floor (${floorText(regCovarUsed)})`;
    return `${subject}: ${spike} ${instead(column)}`;
  });
}
