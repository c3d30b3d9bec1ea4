/**
 * From a CSV table to the matrix a clustering method fits: choose the
 * features, deal with missing values, standardise. Pure (no I/O), so the CLI,
 * the extension and the tests share it.
 *
 * Rules (../shared/spec/PROFILE.md "Input and preparation"): by default
 * every numeric column except id-like ones is a feature; constant,
 * non-numeric and empty columns are left out with the reason. Rows with a missing value in a feature are
 * dropped, or the gap is filled with the column's median. z = (x − mean) / std
 * with the population std, as scikit-learn's StandardScaler.
 */
import type { CsvColumn, CsvTable } from './csv';
import { isIdLikeName } from './csv';
import { SegmentError } from '../errors';
import { medianSorted, powerOfTwoScale } from '../kernels/stats';

export type MissingPolicy = 'drop' | 'median';

export interface PrepareOptions {
  /** Explicit features; they are used in CSV order whatever order they are given in. */
  columns?: string[];
  /** Columns to leave out of the automatic choice. */
  exclude?: string[];
  /** Default 'drop'. */
  missing?: MissingPolicy;
  /**
   * The number of clusters asked for: a file with fewer data rows is refused
   * for that before its columns are judged (in two rows, every column of
   * distinct numbers looks like an id).
   */
  clusters?: number;
}

export interface ExcludedColumn {
  column: string;
  reason: string;
}

/** How the CSV was written, as the reader detected it (reported in the profile). */
export interface InputFormat {
  delimiter: string;
  bom: boolean;
  lineEnding: string;
  decimalComma: boolean;
}

export interface PreparedData {
  fileName: string;
  /** Absent for data that did not come from a CSV (tests, generated data). */
  inputFormat?: InputFormat;
  /** In CSV order. */
  features: string[];
  n: number;
  d: number;
  /** n×d, row-major, original units (after imputation). */
  raw: Float64Array;
  /** n×d, row-major, (x − mean) / scale; over a SharedArrayBuffer when made by prepareFeatures. */
  z: Float64Array;
  mean: Float64Array;
  /** Population std (ddof 0) per feature. */
  scale: Float64Array;
  /** 1-based data-row numbers (among the CSV's data rows) of the rows kept. */
  rowNumbers: Int32Array;
  /** The column whose values name each row in the assignments output, if any. */
  idColumn: string | null;
  /** Its values for the rows kept, as written in the file. */
  ids: string[] | null;
  /** In CSV order. */
  excluded: ExcludedColumn[];
  nRowsRead: number;
  nRowsDropped: number;
  nValuesImputed: number;
  missing: MissingPolicy;
  /** Under 'median': the value each feature's gaps were filled with (NaN for a feature without gaps). */
  fillValues?: Float64Array;
}

/** How long lists get inside a one-line message before "and N more". */
const MAX_LISTED = 8;
/** Values checked for a repeat with a Set before the full sorted check. */
const QUICK_DISTINCT_PREFIX = 4096;

export function prepareFeatures(table: CsvTable, options: PrepareOptions = {}): PreparedData {
  const missing = checkMissingPolicy(options.missing);
  const explicit = options.columns !== undefined && options.columns.length > 0 ? options.columns : null;
  checkColumnNames(table, explicit ?? [], options.exclude ?? []);
  checkRowCount(table, options.clusters);

  const profiles = table.columns.map((column, index) => profileColumn(column, index));
  const excluded = new Map<number, string>();
  let features = explicit ? chooseExplicit(profiles, explicit, excluded) : chooseAutomatic(profiles, new Set(options.exclude), excluded);
  if (features.length === 0) throw noNumericColumns(table, excluded);
  for (const p of features) checkFinite(p.column);

  let keep = allRows(table.nRows);
  if (missing === 'drop') {
    ({ features, keep } = dropIncompleteRows(table, features, excluded, explicit !== null));
  }
  const idColumn = chooseIdColumn(profiles);
  return assemble(table, features, keep, missing, idColumn, excluded);
}

// ---------------------------------------------------------------------------
// Options

function checkMissingPolicy(policy: string | undefined): MissingPolicy {
  if (policy === undefined || policy === 'drop' || policy === 'median') return policy ?? 'drop';
  throw new SegmentError('INVALID_OPTION', `Unknown missing-value policy "${policy}"; use "drop" or "median".`);
}

function checkColumnNames(table: CsvTable, requested: string[], exclude: string[]): void {
  const names = table.columns.map((column) => column.name);
  for (const name of [...requested, ...exclude]) {
    if (!names.includes(name)) throw unknownColumn(name, names, table.fileName);
  }
  const both = requested.find((name) => exclude.includes(name));
  if (both !== undefined) {
    throw new SegmentError('INVALID_OPTION', `Column "${both}" is both requested and excluded; list it in only one of the two.`);
  }
}

function checkRowCount(table: CsvTable, clusters: number | undefined): void {
  const n = table.nRows;
  // More rows than clusters, as the methods require (with one row per cluster the metrics are undefined).
  if (clusters === undefined || n > Math.max(clusters, 2)) return;
  const rows = n === 1 ? 'only 1 data row' : `only ${n} data rows`;
  const advice = n >= 3 ? `Ask for at most ${n - 1} clusters, or use a file with more rows.` : 'Clustering needs at least 3 rows: use a file with more rows.';
  throw new SegmentError('TOO_FEW_ROWS', `"${table.fileName}" has ${rows} for ${clusters} clusters. ${advice}`);
}

function unknownColumn(name: string, names: string[], fileName: string): SegmentError {
  const close = closeMatches(name, names);
  const suggestion = close.length > 0 ? ` Did you mean ${joinOr(close.map((c) => `"${c}"`))}?` : '';
  return new SegmentError(
    'UNKNOWN_COLUMN',
    `There is no column "${name}" in "${fileName}".${suggestion} The columns are: ${shortList(names, ', ')}.`,
  );
}

/** Names equal ignoring case, containing one another, or a few typos away. */
export function closeMatches(name: string, names: string[]): string[] {
  const wanted = name.toLowerCase();
  return names.filter((candidate) => {
    const lower = candidate.toLowerCase();
    if (lower === wanted) return true;
    if (Math.min(wanted.length, lower.length) >= 3 && (lower.includes(wanted) || wanted.includes(lower))) return true;
    return editDistance(lower, wanted) <= Math.max(1, Math.floor(Math.min(lower.length, wanted.length) / 3));
  }).slice(0, 3);
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

export function joinOr(items: string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

export function shortList(items: string[], separator: string): string {
  if (items.length <= MAX_LISTED) return items.join(separator);
  return `${items.slice(0, MAX_LISTED).join(separator)}${separator}and ${items.length - MAX_LISTED} more`;
}

// ---------------------------------------------------------------------------
// What each column is

interface ColumnProfile {
  index: number;
  column: CsvColumn;
  idLikeByName: boolean;
  idLikeByValues: boolean;
  /** Why the automatic choice leaves it out; null for a usable feature. */
  unusable: string | null;
}

function profileColumn(column: CsvColumn, index: number): ColumnProfile {
  const profile: ColumnProfile = { index, column, idLikeByName: isIdLikeName(column.name), idLikeByValues: false, unusable: null };
  profile.unusable = unusableReason(profile);
  return profile;
}

/** Why the automatic choice leaves the column out, or null; also settles idLikeByValues. */
function unusableReason(profile: ColumnProfile): string | null {
  const { column, idLikeByName } = profile;
  const present = column.values.length - column.missing;
  if (present === 0) return 'all values missing';
  // The distinctness checks are skipped for a column already id-like by its name.
  if (idLikeByName) return 'id-like (named like an identifier)';
  // By its values, only a column with no gap is id-like (../shared/spec/PROFILE.md, Column roles):
  // a sparse money column whose few values happen to be distinct integers is data.
  const complete = column.missing === 0;
  if (column.nonNumeric > 0) {
    profile.idLikeByValues = complete && column.nonNumeric === present && present > 1 && textsDistinct(column);
    return profile.idLikeByValues ? 'id-like (all values distinct text)' : nonNumericReason(column);
  }
  // A column of numbers with an infinity is a feature, refused for it (checkFinite), whatever its other values.
  if (column.nonFinite > 0) return null;
  const { min, max } = valueRange(column.values);
  if (min === max) return `constant (every value is ${formatNumber(min)})`;
  profile.idLikeByValues = complete && isDistinctIntegers(column.values);
  return profile.idLikeByValues ? 'id-like (all values distinct integers)' : null;
}

function nonNumericReason(column: CsvColumn): string {
  return `non-numeric${nonNumericExample(column)}`;
}

/** ' (e.g. "Gold" on line 3)', long free text cut short. */
function nonNumericExample(column: CsvColumn): string {
  const example = column.firstNonNumeric;
  if (example === null) return '';
  const value = example.value.length > 40 ? `${example.value.slice(0, 39)}…` : example.value;
  return ` (e.g. "${value}" on line ${example.line})`;
}

function valueRange(values: Float64Array, keep?: Int32Array): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  const count = keep ? keep.length : values.length;
  for (let t = 0; t < count; t++) {
    const v = values[keep ? keep[t] : t];
    if (v < min) min = v; // NaN compares false: missing values are skipped
    if (v > max) max = v;
  }
  return { min, max };
}

function textsDistinct(column: CsvColumn): boolean {
  if (column.text === null) return false;
  const seen = new Set<string>();
  for (let i = 0; i < column.text.length; i++) {
    if (Number.isNaN(column.values[i]) && column.text[i] === '') continue; // missing
    if (seen.has(column.text[i])) return false;
    seen.add(column.text[i]);
  }
  return true;
}

/** Every present value an integer and none repeated. A quick look for an early repeat first, since most columns have one. */
function isDistinctIntegers(values: Float64Array): boolean {
  const present: number[] = [];
  const seen = new Set<number>();
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isNaN(v)) continue;
    if (!Number.isInteger(v)) return false;
    if (seen.size < QUICK_DISTINCT_PREFIX) {
      if (seen.has(v)) return false;
      seen.add(v);
    }
    present.push(v);
  }
  const sorted = Float64Array.from(present).sort();
  for (let i = 1; i < sorted.length; i++) if (sorted[i] === sorted[i - 1]) return false;
  return true;
}

function formatNumber(value: number): string {
  return String(value === 0 ? 0 : value); // no "-0"
}

// ---------------------------------------------------------------------------
// Choosing the features

function chooseAutomatic(profiles: ColumnProfile[], exclude: Set<string>, excluded: Map<number, string>): ColumnProfile[] {
  const features: ColumnProfile[] = [];
  for (const profile of profiles) {
    if (exclude.has(profile.column.name)) excluded.set(profile.index, 'excluded by request');
    else if (profile.unusable !== null) excluded.set(profile.index, profile.unusable);
    else features.push(profile);
  }
  return features;
}

function chooseExplicit(profiles: ColumnProfile[], requested: string[], excluded: Map<number, string>): ColumnProfile[] {
  for (const name of requested) {
    const profile = profiles.find((p) => p.column.name === name);
    if (profile) checkRequestedColumn(profile.column);
  }
  const wanted = new Set(requested);
  const features: ColumnProfile[] = [];
  for (const profile of profiles) {
    if (wanted.has(profile.column.name)) features.push(profile);
    else excluded.set(profile.index, profile.unusable ?? 'not in the requested columns');
  }
  return features;
}

/** A column asked for by name must be usable; say precisely why not. */
function checkRequestedColumn(column: CsvColumn): void {
  checkFinite(column);
  const cannot = 'so it cannot be clustered; remove it from the columns.';
  if (column.missing === column.values.length) {
    throw new SegmentError('COLUMN_ALL_MISSING', `Column "${column.name}" has no values (every cell is empty or marked missing), ${cannot}`);
  }
  if (column.nonNumeric > 0) {
    throw new SegmentError('COLUMN_NOT_NUMERIC', `Column "${column.name}" is not numeric${nonNumericExample(column)}, ${cannot}`);
  }
  const { min, max } = valueRange(column.values);
  if (min === max) {
    throw new SegmentError(
      'COLUMN_CONSTANT',
      `Column "${column.name}" has the same value (${formatNumber(min)}) in every row, so it cannot separate customers; remove it from the columns.`,
    );
  }
}

/** Infinities are read in any column, but a feature may not have one. */
export function checkFinite(column: CsvColumn): void {
  const first = column.firstNonFinite;
  if (first === null) return;
  throw new SegmentError(
    'NON_FINITE_VALUE',
    `Column "${column.name}" has an infinite value ("${first.value}") on line ${first.line}. Replace it with a finite number or leave the cell empty to treat it as missing.`,
  );
}

function noNumericColumns(table: CsvTable, excluded: Map<number, string>): SegmentError {
  const reasons = [...excluded]
    .sort(([a], [b]) => a - b)
    .map(([index, reason]) => `${table.columns[index].name} is ${reason}`);
  const why = reasons.length > 0 ? `: ${shortList(reasons, '; ')}` : '';
  return new SegmentError(
    'NO_NUMERIC_COLUMNS',
    `"${table.fileName}" has no numeric column to cluster${why}. Add numeric columns (one number per customer), or name the columns to use.`,
  );
}

// ---------------------------------------------------------------------------
// Missing values

function allRows(n: number): Int32Array {
  return Int32Array.from({ length: n }, (_, i) => i);
}

/**
 * Keeps the rows complete in every feature. Dropping rows can leave a feature
 * constant; such a feature is left out (or refused, if it was asked for),
 * which can bring rows back, so repeat until nothing changes.
 */
function dropIncompleteRows(
  table: CsvTable,
  initial: ColumnProfile[],
  excluded: Map<number, string>,
  explicit: boolean,
): { features: ColumnProfile[]; keep: Int32Array } {
  let features = initial;
  for (;;) {
    const keep = completeRows(table.nRows, features);
    if (keep.length === 0) throw noRowsLeft(table.fileName, features);
    const constant = features.filter((p) => {
      const { min, max } = valueRange(p.column.values, keep);
      return min === max;
    });
    if (constant.length === 0) return { features, keep };
    const value = (p: ColumnProfile) => formatNumber(p.column.values[keep[0]]);
    if (explicit) {
      const p = constant[0];
      throw new SegmentError(
        'COLUMN_CONSTANT',
        `Column "${p.column.name}" has the same value (${value(p)}) in every row left after dropping rows with missing values, ` +
          'so it cannot separate customers; remove it from the columns or use median imputation.',
      );
    }
    for (const p of constant) {
      excluded.set(p.index, `constant after dropping rows with missing values (every remaining value is ${value(p)})`);
    }
    features = features.filter((p) => !constant.includes(p));
    if (features.length === 0) throw noNumericColumns(table, excluded);
  }
}

function completeRows(nRows: number, features: ColumnProfile[]): Int32Array {
  const incomplete = new Uint8Array(nRows);
  for (const p of features) {
    const values = p.column.values;
    for (let i = 0; i < nRows; i++) if (Number.isNaN(values[i])) incomplete[i] = 1;
  }
  const keep = new Int32Array(nRows);
  let count = 0;
  for (let i = 0; i < nRows; i++) if (incomplete[i] === 0) keep[count++] = i;
  return keep.slice(0, count);
}

function noRowsLeft(fileName: string, features: ColumnProfile[]): SegmentError {
  const names = shortList(
    features.map((p) => p.column.name),
    ', ',
  );
  return new SegmentError(
    'NO_DATA_ROWS',
    `Every row of "${fileName}" has a missing value in at least one of the columns used (${names}), so no rows are left. ` +
      'Use median imputation for missing values, or choose columns with fewer gaps.',
  );
}

/** numpy's median of the values present: the middle value, or the mean of the two middle ones. */
function median(values: Float64Array): number {
  return medianSorted(values.filter((v) => !Number.isNaN(v)).sort());
}

// ---------------------------------------------------------------------------
// The matrices

/** The id column: the first named like one, else the first with no gap whose values are all distinct. */
function chooseIdColumn(profiles: ColumnProfile[]): ColumnProfile | null {
  const usable = profiles.filter((p) => p.column.missing < p.column.values.length);
  return usable.find((p) => p.idLikeByName) ?? usable.find((p) => p.idLikeByValues) ?? null;
}

function assemble(
  table: CsvTable,
  features: ColumnProfile[],
  keep: Int32Array,
  missing: MissingPolicy,
  idColumn: ColumnProfile | null,
  excluded: Map<number, string>,
): PreparedData {
  const n = keep.length;
  const d = features.length;
  const columns = features.map((p) => p.column.values);
  const fills = features.map((p) => (missing === 'median' && p.column.missing > 0 ? median(p.column.values) : NaN));
  const raw = new Float64Array(n * d);
  let nValuesImputed = 0;
  for (let t = 0; t < n; t++) {
    const i = keep[t];
    for (let j = 0; j < d; j++) {
      const v = columns[j][i];
      if (Number.isNaN(v)) nValuesImputed++;
      raw[t * d + j] = Number.isNaN(v) ? fills[j] : v;
    }
  }
  const { mean, scale, z } = standardise(raw, n, d);
  return {
    fileName: table.fileName,
    inputFormat: {
      delimiter: table.delimiter,
      bom: table.hadBom,
      lineEnding: table.lineEnding,
      decimalComma: table.decimalComma,
    },
    features: features.map((p) => p.column.name),
    n,
    d,
    raw,
    z,
    mean,
    scale,
    rowNumbers: Int32Array.from(keep, (i) => i + 1),
    idColumn: idColumn?.column.name ?? null,
    ids: idColumn ? idsOf(idColumn.column, keep) : null,
    excluded: [...excluded].sort(([a], [b]) => a - b).map(([index, reason]) => ({ column: table.columns[index].name, reason })),
    nRowsRead: table.nRows,
    nRowsDropped: table.nRows - n,
    nValuesImputed,
    missing,
    fillValues: Float64Array.from(fills),
  };
}

function idsOf(column: CsvColumn, keep: Int32Array): string[] {
  const ids = new Array<string>(keep.length);
  for (let t = 0; t < keep.length; t++) {
    const i = keep[t];
    const v = column.values[i];
    ids[t] = column.text ? column.text[i] : Number.isNaN(v) ? '' : String(v);
  }
  return ids;
}

/**
 * Mean and population variance per feature by the corrected two-pass
 * algorithm (as scikit-learn's StandardScaler): the second pass subtracts the
 * rounding error of the mean, so large offsets do not eat the variance. Each
 * feature is first divided by the power of two nearest below its largest
 * |value|: that division is exact, so the digits are those of the unscaled
 * computation, but no sum or square overflows (values up to 1.8e308) or
 * underflows (values down to 1e-300). The std of finite values is at most
 * half their range, so it is always finite.
 */
export function standardise(raw: Float64Array, n: number, d: number): { mean: Float64Array; scale: Float64Array; z: Float64Array } {
  // Row by row, with a running value per feature: the matrix is row-major.
  const unit = new Float64Array(d);
  for (let t = 0; t < n; t++) for (let j = 0; j < d; j++) unit[j] = Math.max(unit[j], Math.abs(raw[t * d + j]));
  for (let j = 0; j < d; j++) unit[j] = powerOfTwoScale(unit[j]);
  // Mean, deviations and std in units of `unit`; back to original units at the end.
  const m = new Float64Array(d);
  for (let t = 0; t < n; t++) for (let j = 0; j < d; j++) m[j] += raw[t * d + j] / unit[j];
  for (let j = 0; j < d; j++) m[j] /= n;
  const squares = new Float64Array(d);
  const deviations = new Float64Array(d);
  for (let t = 0; t < n; t++) {
    for (let j = 0; j < d; j++) {
      const dev = raw[t * d + j] / unit[j] - m[j];
      squares[j] += dev * dev;
      deviations[j] += dev;
    }
  }
  const mean = new Float64Array(d);
  const scale = new Float64Array(d);
  const scaleInUnits = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    const variance = Math.max(0, (squares[j] - (deviations[j] * deviations[j]) / n) / n);
    mean[j] = m[j] * unit[j];
    // A zero std would divide by zero; scikit-learn then uses 1 as well.
    scale[j] = Math.sqrt(variance) * unit[j] || 1;
    scaleInUnits[j] = scale[j] / unit[j];
  }
  // Shared memory, so the engine threads of a fit read the matrix in place (src/engine/kernels/threads.ts).
  const z = new Float64Array(new SharedArrayBuffer(n * d * 8));
  for (let t = 0; t < n; t++) {
    for (let j = 0; j < d; j++) z[t * d + j] = (raw[t * d + j] / unit[j] - m[j]) / scaleInUnits[j];
  }
  return { mean, scale, z };
}
