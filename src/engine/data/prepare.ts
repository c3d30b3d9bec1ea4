/**
 * From a CSV table to the matrix a clustering method fits: choose the
 * features, deal with missing values, standardise. Pure (no I/O), so the CLI,
 * the extension and the tests share it.
 *
 * Rules (../shared/spec/PROFILE.md "Input and preparation", "Column roles"):
 * by default every numeric column except id-like ones is a feature, binary
 * and categorical columns are descriptors (described per cluster, not
 * clustered); constant, free-text and empty columns are ignored with the
 * reason. Rows with a missing value in a feature are dropped, or the gap is
 * filled with the column's median; descriptors keep their gaps. z = (x − mean)
 * / std with the population std, as scikit-learn's StandardScaler.
 */
import type { CsvColumn, CsvTable } from './csv';
import { MAX_LEVELS, isIdLikeName } from './csv';
import {
  categoryCodes,
  columnKind,
  isCategory,
  numericValues,
  type CategoryValues,
  type ColumnInfo,
  type ColumnKind,
  type NumericDescriptor,
} from './columns';
import { checkFeatureNames, indicatorName, oneHotColumn, type OneHotIndicator } from './encode';
import { CATEGORICAL_MODES, type CategoricalMode } from '../../shared/workerProtocol';
import { SegmentError } from '../errors';
import { medianSorted, powerOfTwoScale } from '../kernels/stats';
import { dataRowNumbers, type RowSample } from './sample';
import type { ParquetFormat } from './parquet';

export type MissingPolicy = 'drop' | 'median';

export interface PrepareOptions {
  /** Explicit features; they are used in CSV order whatever order they are given in. */
  columns?: string[];
  /** Columns to leave out: neither clustered nor described. */
  exclude?: string[];
  /** Columns to describe per cluster without clustering on them (numeric, binary or categorical). */
  describe?: string[];
  /** Default 'drop'. */
  missing?: MissingPolicy;
  /** Binary and categorical columns: described per cluster (default) or clustered one-hot encoded. */
  categorical?: CategoricalMode;
  /**
   * The number of clusters asked for: a file with fewer data rows is refused
   * for that before its columns are judged (in two rows, every column of
   * distinct numbers looks like an id).
   */
  clusters?: number;
  /** Read a seeded uniform sample of this many data rows (sample.ts); absent, 0 or 'auto': every row. */
  sample?: number | 'auto';
  /** The run's seed, which draws the sample. */
  seed?: number;
  /** Threads that may read a large CSV in byte ranges (the run's `threads`); default: the cores, at most 4. */
  threads?: number;
}

export interface ExcludedColumn {
  column: string;
  reason: string;
}

/** How the CSV was written, as the reader detected it (reported in the profile); or the Parquet file's facts. */
export type InputFormat =
  | {
      delimiter: string;
      bom: boolean;
      lineEnding: string;
      decimalComma: boolean;
    }
  | ParquetFormat;

/** The input format of a table, as the profile reports it. */
export function inputFormatOf(table: CsvTable): InputFormat {
  return table.format ?? { delimiter: table.delimiter, bom: table.hadBom, lineEnding: table.lineEnding, decimalComma: table.decimalComma };
}

export interface PreparedData {
  fileName: string;
  /** Absent for data that did not come from a CSV (tests, generated data). */
  inputFormat?: InputFormat;
  /** In CSV order; a one-hot indicator as `column=level`. */
  features: string[];
  /** Per feature: the column and level of a one-hot indicator, null for a numeric feature. Absent when none is one-hot. */
  indicators?: (OneHotIndicator | null)[];
  n: number;
  d: number;
  /**
   * Per feature, where its values in original units (after imputation) are
   * read from, with originalValues(): the table's own columns, so no n×d copy
   * of the data is held beside z.
   */
  originals: OriginalColumn[];
  /** The row of the originals' columns that each row of z comes from; absent when row t is row t (no row dropped). */
  rowsKept?: Int32Array;
  /** n×d, row-major, (x − mean) / scale; over a SharedArrayBuffer when made by prepareFeatures. */
  z: Float64Array;
  mean: Float64Array;
  /** Population std (ddof 0) per feature. */
  scale: Float64Array;
  /** 1-based data-row numbers (among the CSV's data rows) of the rows kept. */
  rowNumbers: Int32Array;
  /** Read with a sample that left rows out (metadata.sample). */
  sample?: RowSample;
  /** The column whose values name each row in the assignments output, if any. */
  idColumn: string | null;
  /** Its values for the rows kept, as written in the file. */
  ids: string[] | null;
  /** Every column that is not a feature, with the reason, in CSV order. */
  excluded: ExcludedColumn[];
  /**
   * Every column's kind and role, in CSV order (metadata.columns). Absent for
   * data that did not come from a CSV: every feature is then numeric.
   */
  columns?: ColumnInfo[];
  /** The binary and categorical columns clustered or described, in CSV order, over the rows kept. */
  categories?: CategoryValues[];
  /** The numeric columns described, in CSV order, over the rows kept. */
  numericDescriptors?: NumericDescriptor[];
  nRowsRead: number;
  nRowsDropped: number;
  nValuesImputed: number;
  missing: MissingPolicy;
  /**
   * Under 'drop': the clustered columns with missing values and in how many
   * rows each (CSV order), the reasons rows were dropped; absent when none.
   */
  featureGaps?: FeatureGap[];
  /** Under 'median': the value each feature's gaps were filled with (NaN for a feature without gaps). */
  fillValues?: Float64Array;
}

/**
 * A feature's values in original units: a numeric column, its gaps (NaN) read
 * as `fill`; or a one-hot indicator, 1 where a row has level `code` (a gap
 * read as level `fill`, 0 for none), else 0.
 */
export type OriginalColumn = { values: Float64Array; fill: number } | { codes: Uint8Array; code: number; fill: number };

/**
 * Feature j's values in original units at `rows` (rows of z; default all n),
 * into `out`: the numbers an n×d matrix of the data would hold.
 */
export function originalValues(
  data: Pick<PreparedData, 'n' | 'originals' | 'rowsKept'>,
  j: number,
  rows: Int32Array | null = null,
  out = new Float64Array(rows ? rows.length : data.n),
): Float64Array {
  const source = data.originals[j];
  const kept = data.rowsKept;
  const count = rows ? rows.length : data.n;
  if ('values' in source) {
    const { values, fill } = source;
    for (let t = 0; t < count; t++) {
      const r = rows ? rows[t] : t;
      const v = values[kept ? kept[r] : r];
      out[t] = Number.isNaN(v) ? fill : v;
    }
  } else {
    const { codes, code, fill } = source;
    for (let t = 0; t < count; t++) {
      const r = rows ? rows[t] : t;
      out[t] = (codes[kept ? kept[r] : r] || fill) === code ? 1 : 0;
    }
  }
  return out;
}

/**
 * The data in original units as an n×d row-major matrix, to be standardised
 * in place into z: the only n×d matrix of a run. Shared memory, so the
 * engine threads of a fit read it in place (src/engine/kernels/threads.ts).
 */
export function originalMatrix(data: Pick<PreparedData, 'n' | 'originals' | 'rowsKept'>): Float64Array {
  const { n } = data;
  const d = data.originals.length;
  const x = new Float64Array(new SharedArrayBuffer(n * d * 8));
  const column = new Float64Array(n);
  for (let j = 0; j < d; j++) {
    originalValues(data, j, null, column);
    for (let t = 0; t < n; t++) x[t * d + j] = column[t];
  }
  return x;
}

/** The columns of a row-major n×d matrix made in memory (tests, the bench) as originals with no gaps. */
export function matrixOriginals(x: Float64Array, n: number, d: number): OriginalColumn[] {
  return Array.from({ length: d }, (_, j) => ({ values: Float64Array.from({ length: n }, (_, t) => x[t * d + j]), fill: NaN }));
}

/** A clustered column with missing values, and in how many data rows (those rows are dropped under 'drop'). */
export interface FeatureGap {
  column: string;
  rows: number;
}

/** How long lists get inside a one-line message before "and N more". */
const MAX_LISTED = 8;
/** Values checked for a repeat with a Set before the full sorted check. */
const QUICK_DISTINCT_PREFIX = 4096;

export function prepareFeatures(table: CsvTable, options: PrepareOptions = {}): PreparedData {
  const missing = checkMissingPolicy(options.missing);
  const onehot = checkCategoricalMode(options.categorical) === 'onehot';
  const explicit = options.columns !== undefined && options.columns.length > 0 ? options.columns : null;
  checkColumnNames(table, explicit ?? [], options.exclude ?? [], options.describe ?? []);
  checkRowCount(table, options.clusters);

  const profiles = table.columns.map((column, index) => profileColumn(column, index));
  const choice: Choice = { excluded: new Map(), described: new Set(), exclude: new Set(options.exclude), describe: new Set(options.describe), onehot };
  let features = explicit ? chooseExplicit(profiles, explicit, choice) : chooseAutomatic(profiles, choice);
  if (features.length === 0) throw noNumericColumns(table, choice.excluded);
  for (const p of features) checkFinite(p.column);

  let keep = allRows(table.nRows);
  if (missing === 'drop') {
    ({ features, keep } = dropIncompleteRows(table, features, choice.excluded, explicit !== null));
  }
  const idColumn = chooseIdColumn(profiles);
  const data = assemble(table, features, keep, missing, idColumn, choice.excluded);
  const gaps: FeatureGap[] = missing === 'drop' ? features.filter((p) => p.column.missing > 0).map((p) => ({ column: p.column.name, rows: p.column.missing })) : [];
  return { ...data, ...columnRoles(profiles, features, keep, idColumn, choice), ...(gaps.length > 0 ? { featureGaps: gaps } : {}) };
}

// ---------------------------------------------------------------------------
// Options

function checkMissingPolicy(policy: string | undefined): MissingPolicy {
  if (policy === undefined || policy === 'drop' || policy === 'median') return policy ?? 'drop';
  throw new SegmentError('INVALID_OPTION', `Unknown missing-value policy "${policy}"; use "drop" or "median".`);
}

function checkCategoricalMode(mode: string | undefined): CategoricalMode {
  if (mode === undefined || (CATEGORICAL_MODES as readonly string[]).includes(mode)) return (mode as CategoricalMode | undefined) ?? 'describe';
  throw new SegmentError('INVALID_OPTION', `Unknown handling of categorical columns "${mode}"; use "describe" or "onehot".`);
}

function checkColumnNames(table: CsvTable, requested: string[], exclude: string[], describe: string[]): void {
  const names = table.columns.map((column) => column.name);
  for (const name of [...requested, ...exclude, ...describe]) {
    if (!names.includes(name)) throw unknownColumn(name, names, table.fileName);
  }
  const lists: [string, string[]][] = [
    ['requested', requested],
    ['excluded', exclude],
    ['described', describe],
  ];
  for (const [i, [first, a]] of lists.entries()) {
    for (const [second, b] of lists.slice(i + 1)) {
      const both = a.find((name) => b.includes(name));
      if (both !== undefined) {
        throw new SegmentError('INVALID_OPTION', `Column "${both}" is both ${first} and ${second}; list it in only one of the two.`);
      }
    }
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
  kind: ColumnKind;
  /** Distinct values of a column with text. */
  levels: number | null;
  idLikeByName: boolean;
  idLikeByValues: boolean;
  /** Why the automatic choice neither clusters nor describes it; null for a usable column. */
  unusable: string | null;
}

function profileColumn(column: CsvColumn, index: number): ColumnProfile {
  const { kind, levels } = columnKind(column);
  const profile: ColumnProfile = { index, column, kind, levels, idLikeByName: isIdLikeName(column.name), idLikeByValues: false, unusable: null };
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
    if (profile.idLikeByValues) return 'id-like (all values distinct text)';
    if (profile.kind === 'text') return `free text (${profile.levels} distinct values, more than the ${MAX_LEVELS} a category may have)`;
    if (profile.levels === 1) return `constant (every value is "${shortText(column.levels![0])}")`;
    return null;
  }
  // A column of numbers with an infinity is a feature, refused for it (checkFinite), whatever its other values.
  if (column.nonFinite > 0) return null;
  const { min, max } = valueRange(column.values);
  if (min === max) return `constant (every value is ${formatNumber(min)})`;
  profile.idLikeByValues = complete && isDistinctIntegers(column.values);
  return profile.idLikeByValues ? 'id-like (all values distinct integers)' : null;
}

/** ' (e.g. "Gold" on line 3)', long free text cut short. */
function nonNumericExample(column: CsvColumn): string {
  const example = column.firstNonNumeric;
  if (example === null) return '';
  return ` (e.g. "${shortText(example.value)}" on line ${example.line})`;
}

function shortText(value: string): string {
  return value.length > 40 ? `${value.slice(0, 39)}…` : value;
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

/** What the user asked for, and the columns that are not features (with the reason) or are described. */
interface Choice {
  exclude: Set<string>;
  describe: Set<string>;
  /** Every column that is not a feature, by index, with the reason. */
  excluded: Map<number, string>;
  /** The columns described (indexes). */
  described: Set<number>;
  /** Binary and categorical columns are clustered, one-hot encoded. */
  onehot: boolean;
}

/** The columns that are neither features nor asked for: excluded, described by request, ignored with a reason, or described. */
/** What the default does with a usable column that was not named: a feature (null), or described or ignored with the reason. */
type Ordinary = () => { reason: string; described: boolean } | null;

function chooseOthers(profile: ColumnProfile, choice: Choice, ordinary: Ordinary): void {
  const { index, column } = profile;
  if (choice.exclude.has(column.name)) {
    choice.excluded.set(index, 'excluded by request');
    return;
  }
  if (choice.describe.has(column.name)) {
    checkDescribable(profile);
    choice.excluded.set(index, 'described by request');
    choice.described.add(index);
    return;
  }
  if (profile.unusable !== null) {
    choice.excluded.set(index, profile.unusable);
    return;
  }
  const other = ordinary();
  if (other === null) return;
  choice.excluded.set(index, other.reason);
  if (other.described) choice.described.add(index);
}

/** Numeric columns are features; binary and categorical ones are described (or features, one-hot encoded). */
function chooseAutomatic(profiles: ColumnProfile[], choice: Choice): ColumnProfile[] {
  const features: ColumnProfile[] = [];
  for (const profile of profiles) {
    chooseOthers(profile, choice, () => {
      if (profile.kind === 'numeric' || choice.onehot) {
        features.push(profile);
        return null;
      }
      return { reason: categoryReason(profile), described: true };
    });
  }
  return features;
}

/** The columns asked for are the features; every other usable column is described. */
function chooseExplicit(profiles: ColumnProfile[], requested: string[], choice: Choice): ColumnProfile[] {
  for (const name of requested) {
    const profile = profiles.find((p) => p.column.name === name);
    if (profile) checkRequestedColumn(profile, choice.onehot);
  }
  const wanted = new Set(requested);
  const features: ColumnProfile[] = [];
  for (const profile of profiles) {
    if (wanted.has(profile.column.name)) features.push(profile);
    else chooseOthers(profile, choice, () => describedOrNot(profile));
  }
  return features;
}

function levelsText(levels: number | null): string {
  return levels === 1 ? '1 level' : `${levels} levels`;
}

function categoryReason(profile: ColumnProfile): string {
  return `${profile.kind} (${levelsText(profile.levels)}): described, not clustered`;
}

/**
 * A usable column not among the requested ones is described; a numeric one
 * with an infinity is not, unless asked for (then it is refused, as a feature is).
 */
function describedOrNot(profile: ColumnProfile): { reason: string; described: boolean } {
  const first = profile.column.firstNonFinite;
  if (first !== null) return { reason: `infinite value ("${shortText(first.value)}" on line ${first.line}), so not described`, described: false };
  return { reason: isCategory(profile.kind) ? categoryReason(profile) : 'not in the requested columns', described: true };
}

/** A column asked to be described must have values to describe, and few enough distinct ones. */
function checkDescribable(profile: ColumnProfile): void {
  const { column } = profile;
  checkFinite(column);
  const cannot = 'so it cannot be described; remove it from the described columns.';
  if (profile.kind === 'empty') {
    throw new SegmentError('COLUMN_ALL_MISSING', `Column "${column.name}" has no values (every cell is empty or marked missing), ${cannot}`);
  }
  if (profile.kind === 'text') throw tooManyLevels(profile, cannot);
}

function tooManyLevels(profile: ColumnProfile, cannot: string): SegmentError {
  return new SegmentError(
    'COLUMN_TOO_MANY_LEVELS',
    `Column "${profile.column.name}" has ${profile.levels} distinct values, more than the ${MAX_LEVELS} a category may have, ${cannot}`,
  );
}

/** A column asked for by name must be usable; say precisely why not. */
function checkRequestedColumn(profile: ColumnProfile, onehot: boolean): void {
  const { column } = profile;
  checkFinite(column);
  const cannot = 'so it cannot be clustered; remove it from the columns.';
  if (column.missing === column.values.length) {
    throw new SegmentError('COLUMN_ALL_MISSING', `Column "${column.name}" has no values (every cell is empty or marked missing), ${cannot}`);
  }
  if (profile.kind === 'text') throw tooManyLevels(profile, cannot);
  if (column.nonNumeric > 0 && profile.levels === 1) {
    throw new SegmentError(
      'COLUMN_CONSTANT',
      `Column "${column.name}" has the same value ("${shortText(column.levels![0])}") in every row, so it cannot separate customers; remove it from the columns.`,
    );
  }
  if (column.nonNumeric > 0 && !onehot) {
    throw new SegmentError(
      'COLUMN_NOT_NUMERIC',
      `Column "${column.name}" is not numeric${nonNumericExample(column)}: it is ${profile.kind} (${levelsText(profile.levels)}), ` +
        'which is described per cluster, not clustered; remove it from the columns, describe it, or cluster categorical columns one-hot encoded.',
    );
  }
  if (column.nonNumeric > 0) return;
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
  const described = [...excluded.values()].some((reason) => reason.endsWith(': described, not clustered'));
  const advice = described
    ? 'Add numeric columns (one number per customer), name the columns to use, or cluster the categorical columns one-hot encoded.'
    : 'Add numeric columns (one number per customer), or name the columns to use.';
  return new SegmentError('NO_NUMERIC_COLUMNS', `"${table.fileName}" has no numeric column to cluster${why}. ${advice}`);
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
    const constant = features.filter((p) => isConstantOn(p, keep));
    if (constant.length === 0) return { features, keep };
    const value = (p: ColumnProfile) => (isCategory(p.kind) ? `"${shortText(p.column.levels![p.column.codes![keep[0]] - 1])}"` : formatNumber(p.column.values[keep[0]]));
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

/** Every row kept has the same value (a one-hot column: the same level). */
function isConstantOn(p: ColumnProfile, keep: Int32Array): boolean {
  if (!isCategory(p.kind)) {
    const { min, max } = valueRange(p.column.values, keep);
    return min === max;
  }
  const codes = p.column.codes!;
  for (const i of keep) if (codes[i] !== codes[keep[0]]) return false;
  return true;
}

function completeRows(nRows: number, features: ColumnProfile[]): Int32Array {
  const incomplete = new Uint8Array(nRows);
  for (const p of features) {
    if (isCategory(p.kind)) {
      const codes = p.column.codes!;
      for (let i = 0; i < nRows; i++) if (codes[i] === 0) incomplete[i] = 1;
      continue;
    }
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
  const { sources, indicators, imputed } = featureSources(features, keep, missing);
  const d = sources.length;
  const rowsKept = n < table.nRows ? keep : undefined;
  let nValuesImputed = imputed;
  for (const source of sources) {
    if (!('values' in source)) continue;
    for (let t = 0; t < n; t++) if (Number.isNaN(source.values[keep[t]])) nValuesImputed++;
  }
  const names = sources.map((source) => source.name);
  if (indicators.some((x) => x !== null)) checkFeatureNames(names, indicators);
  const z = originalMatrix({ n, originals: sources, rowsKept });
  const { mean, scale } = standardiseInPlace(z, n, d);
  return {
    fileName: table.fileName,
    inputFormat: inputFormatOf(table),
    features: names,
    ...(indicators.some((x) => x !== null) ? { indicators } : {}),
    n,
    d,
    originals: sources,
    ...(rowsKept ? { rowsKept } : {}),
    z,
    mean,
    scale,
    rowNumbers: dataRowNumbers(keep, table.sample),
    ...(table.sample ? { sample: table.sample } : {}),
    idColumn: idColumn?.column.name ?? null,
    ids: idColumn ? idsOf(idColumn.column, keep) : null,
    excluded: [...excluded].sort(([a], [b]) => a - b).map(([index, reason]) => ({ column: table.columns[index].name, reason })),
    nRowsRead: table.nRows,
    nRowsDropped: table.nRows - n,
    nValuesImputed,
    missing,
    fillValues: Float64Array.from(sources, (source) =>
      'values' in source ? source.fill : source.fill > 0 ? Number(source.fill === source.code) : NaN,
    ),
  };
}

/** One column of the matrix: a numeric column (with the median filled in), or a one-hot indicator (1 where a row has `code`). */
type FeatureSource = { name: string } & OriginalColumn;

/** The matrix's columns in order: each numeric feature, each one-hot column's indicators; the cells a one-hot column filled in. */
function featureSources(
  features: ColumnProfile[],
  keep: Int32Array,
  missing: MissingPolicy,
): { sources: FeatureSource[]; indicators: (OneHotIndicator | null)[]; imputed: number } {
  const sources: FeatureSource[] = [];
  const indicators: (OneHotIndicator | null)[] = [];
  let imputed = 0;
  for (const p of features) {
    const { column } = p;
    if (!isCategory(p.kind)) {
      sources.push({ name: column.name, values: column.values, fill: missing === 'median' && column.missing > 0 ? median(column.values) : NaN });
      indicators.push(null);
      continue;
    }
    const encoded = oneHotColumn(column, keep, missing === 'median');
    imputed += encoded.imputed;
    encoded.indicators.forEach((indicator, k) => {
      sources.push({ name: indicatorName(indicator), codes: column.codes!, code: encoded.codes[k], fill: encoded.fill });
      indicators.push(indicator);
    });
  }
  return { sources, indicators, imputed };
}

/** metadata.columns, and the descriptors' (and categories') values over the rows kept. */
function columnRoles(
  profiles: ColumnProfile[],
  features: ColumnProfile[],
  keep: Int32Array,
  idColumn: ColumnProfile | null,
  choice: Choice,
): Pick<PreparedData, 'columns' | 'categories' | 'numericDescriptors'> {
  const featureSet = new Set(features.map((p) => p.index));
  const columns: ColumnInfo[] = profiles.map((p) => {
    const role = featureSet.has(p.index) ? 'feature' : choice.described.has(p.index) ? 'descriptor' : p === idColumn ? 'id' : 'ignored';
    const reason = choice.excluded.get(p.index);
    return {
      name: p.column.name,
      kind: p.kind,
      role,
      ...(reason !== undefined && role !== 'feature' ? { reason } : {}),
      ...(p.levels !== null ? { levels: p.levels } : {}),
    };
  });
  const categories: CategoryValues[] = [];
  const numericDescriptors: NumericDescriptor[] = [];
  for (const p of profiles) {
    const role = featureSet.has(p.index) ? 'feature' : choice.described.has(p.index) ? 'descriptor' : null;
    if (role === null) continue;
    if (isCategory(p.kind) && p.column.levels !== null) {
      categories.push({ name: p.column.name, kind: p.kind, role, levels: p.column.levels, codes: categoryCodes(p.column, keep) });
    } else if (role === 'descriptor') {
      numericDescriptors.push({ name: p.column.name, values: numericValues(p.column, keep) });
    }
  }
  return { columns, categories, numericDescriptors };
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
 * half their range, so it is always finite. `x`, n×d row-major in original
 * units, is overwritten with z = (x − mean) / scale.
 */
export function standardiseInPlace(x: Float64Array, n: number, d: number): { mean: Float64Array; scale: Float64Array } {
  // Row by row, with a running value per feature: the matrix is row-major.
  const unit = new Float64Array(d);
  for (let t = 0; t < n; t++) for (let j = 0; j < d; j++) unit[j] = Math.max(unit[j], Math.abs(x[t * d + j]));
  for (let j = 0; j < d; j++) unit[j] = powerOfTwoScale(unit[j]);
  // Mean, deviations and std in units of `unit`; back to original units at the end.
  const m = new Float64Array(d);
  for (let t = 0; t < n; t++) for (let j = 0; j < d; j++) m[j] += x[t * d + j] / unit[j];
  for (let j = 0; j < d; j++) m[j] /= n;
  const squares = new Float64Array(d);
  const deviations = new Float64Array(d);
  for (let t = 0; t < n; t++) {
    for (let j = 0; j < d; j++) {
      const dev = x[t * d + j] / unit[j] - m[j];
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
  for (let t = 0; t < n; t++) {
    for (let j = 0; j < d; j++) x[t * d + j] = (x[t * d + j] / unit[j] - m[j]) / scaleInUnits[j];
  }
  return { mean, scale };
}
