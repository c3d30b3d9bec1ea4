/**
 * The parts of a cluster profile every method shares (../shared/spec/PROFILE.md): cluster
 * numbering by size, metadata, the three validity metrics, and per-cluster
 * size, share, center and feature statistics in original units.
 */
import { originalValues, type PreparedData } from '../data/prepare';
import type { ColumnInfo } from '../data/columns';
import { silhouetteScore, daviesBouldinScore, calinskiHarabaszScore, type SilhouetteOptions, type SilhouetteResult } from '../kernels/metrics';
import { featureStatisticsInPlace, type FeatureStatistics } from '../kernels/stats';
import { TOOL_NAME, TOOL_VERSION } from '../version';
import { METHOD_LABELS, type MethodKey } from '../../shared/methods';
import { SegmentError } from '../errors';
export { fileStamp, isoLocal } from '../../shared/timestamps';
export type { MethodKey } from '../../shared/methods';

/** A JSON value: what a profile is made of (no typed arrays, NaN or −0). */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface Profile extends JsonObject {
  metadata: JsonObject;
  metrics: JsonObject;
  features_used: string[];
  clusters: { [key: string]: JsonObject };
}

/**
 * Cluster numbering: by descending size, ties by the first coordinate of the
 * center, ascending, then by the method's own index. Returns order[newId] = oldId.
 */
export function clusterOrder(labels: Int32Array, k: number, centers: Float64Array, d: number): Int32Array {
  const sizes = new Float64Array(k);
  for (let i = 0; i < labels.length; i++) sizes[labels[i]]++;
  const ids = Array.from({ length: k }, (_, c) => c);
  ids.sort((a, b) => sizes[b] - sizes[a] || centers[a * d] - centers[b * d] || a - b);
  return Int32Array.from(ids);
}

/** Applies an order to labels: the returned labels use the new numbering. */
export function renumberLabels(labels: Int32Array, order: Int32Array): Int32Array {
  const newId = new Int32Array(order.length);
  order.forEach((old, c) => (newId[old] = c));
  return labels.map((l) => newId[l]);
}

/** Rows of an n×k (or k×w) matrix taken in `order`, per row's columns permuted likewise when `columns`. */
export function permuteColumns(values: Float64Array, rows: number, k: number, order: Int32Array): Float64Array {
  const out = new Float64Array(rows * k);
  for (let i = 0; i < rows; i++) for (let c = 0; c < k; c++) out[i * k + c] = values[i * k + order[c]];
  return out;
}

export function permuteRows(values: Float64Array, width: number, order: Int32Array): Float64Array {
  const out = new Float64Array(order.length * width);
  order.forEach((old, c) => out.set(values.subarray(old * width, old * width + width), c * width));
  return out;
}

/** Rounds to `digits` decimals, as Python's round() does for these magnitudes. */
export function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** A finite number, or null: NaN and ±Infinity have no JSON form. −0 becomes 0. */
export function num(value: number | null | undefined): number | null {
  if (value == null || !Number.isFinite(value)) return null;
  return value === 0 ? 0 : value;
}

/**
 * An object keyed by names from the CSV. Each key becomes an own property,
 * so a column called __proto__ or constructor is a key like any other
 * (plain assignment would set the object's prototype instead).
 */
export function keyedObject(entries: Iterable<readonly [string, Json]>): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of entries) Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  return out;
}

/**
 * Feature → value in original units (NaN, for an empty cluster, becomes null).
 * A value that overflowed, such as the variance of values near 1e308, has no
 * number to write: it stops the export with the column's name.
 */
export function featureMap(features: string[], values: ArrayLike<number>): JsonObject {
  return keyedObject(features.map((f, j) => [f, featureNumber(f, values[j])] as const));
}

function featureNumber(feature: string, value: number | null): number | null {
  if (value === Infinity || value === -Infinity) {
    throw new SegmentError(
      'VALUE_OUT_OF_RANGE',
      `The statistics of column "${feature}" are too large to write (beyond ±1.8e308, the largest number a profile can hold). ` +
        'Divide the column by a power of ten (say, amounts in millions) and try again.',
    );
  }
  return num(value);
}

/** Converts standardised values (one row of d) to original units. */
export function toOriginalUnits(data: PreparedData, z: ArrayLike<number>): Float64Array {
  const out = new Float64Array(data.d);
  for (let j = 0; j < data.d; j++) out[j] = z[j] * data.scale[j] + data.mean[j];
  return out;
}

export interface CommonMetrics {
  silhouette_score: number | null;
  davies_bouldin_index: number | null;
  calinski_harabasz_score: number | null;
  silhouetteSampleSize: number | null;
}

/** The silhouette options of a method's options: its sample size, seed and threads. */
export function silhouetteOptions(
  options: { silhouetteSampleSize: number; randomSeed: number; threads?: number },
  signal?: AbortSignal,
): SilhouetteOptions {
  return { sampleSize: options.silhouetteSampleSize, seed: options.randomSeed, signal, threads: options.threads };
}

/**
 * Silhouettes computed beforehand with the profile's own options, as a sweep
 * does for every k at once (silhouetteScores): the profile takes them as they
 * are instead of computing them again.
 */
export interface KnownSilhouettes {
  silhouette?: SilhouetteResult;
  /** Neural: the silhouette in the latent space. */
  latentSilhouette?: SilhouetteResult;
}

/** The common metrics; the silhouette (the costly one) as `silhouette` says: sample size, seed, signal, threads; or as known. */
export function commonMetrics(data: PreparedData, labels: Int32Array, silhouette: SilhouetteOptions, known?: SilhouetteResult): CommonMetrics {
  const { z, n, d } = data;
  const score = known ?? silhouetteScore(z, n, d, labels, silhouette);
  return {
    silhouette_score: num(score.score),
    davies_bouldin_index: num(daviesBouldinScore(z, n, d, labels)),
    calinski_harabasz_score: num(calinskiHarabaszScore(z, n, d, labels)),
    silhouetteSampleSize: score.sampleSize,
  };
}

export interface CommonMetadataInput {
  method: MethodKey;
  data: PreparedData;
  k: number;
  seed: number;
  timestamp: string;
  silhouetteSampleSize: number | null;
}

export function commonMetadata(input: CommonMetadataInput): JsonObject {
  const { data } = input;
  return {
    method: METHOD_LABELS[input.method].name,
    timestamp: input.timestamp,
    n_clusters: input.k,
    n_samples: data.n,
    random_seed: input.seed,
    source_file: data.fileName,
    input_format: inputFormatJson(data.inputFormat),
    n_rows_read: data.nRowsRead,
    // Only when a sample left rows out: a sample of every row is the file itself.
    ...(data.sample ? { sample: { rows: data.sample.rows, of: data.sample.of, seed: data.sample.seed } } : {}),
    n_rows_dropped: data.nRowsDropped,
    missing_values: data.missing,
    n_values_imputed: data.nValuesImputed,
    id_column: data.idColumn,
    excluded_columns: data.excluded.map((e) => ({ column: e.column, reason: e.reason })),
    columns: columnsJson(data),
    scaling: 'standard',
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    silhouette_sample_size: input.silhouetteSampleSize,
  };
}

/** metadata.input_format: the CSV's dialect, or `format: "parquet"` with the Parquet file's row groups and writer. */
function inputFormatJson(format: PreparedData['inputFormat']): JsonObject | null {
  if (!format) return null;
  if ('kind' in format) return { format: 'parquet', row_groups: format.rowGroups, created_by: format.createdBy };
  return { delimiter: format.delimiter, bom: format.bom, line_ending: format.lineEnding, decimal_comma: format.decimalComma };
}

/** metadata.columns: every CSV column's kind and role; for data without them (scored rows, tests), its features. */
function columnsJson(data: PreparedData): JsonObject[] {
  return (data.columns ?? featureColumns(data)).map((c) => ({ ...c }));
}

/** The features as columns: a numeric one each, and one per one-hot column (its levels: its indicators and the dropped first one). */
function featureColumns(data: PreparedData): ColumnInfo[] {
  const out: ColumnInfo[] = [];
  const oneHot = new Map<string, ColumnInfo>();
  data.features.forEach((name, j) => {
    const indicator = data.indicators?.[j];
    if (!indicator) {
      out.push({ name, kind: 'numeric', role: 'feature' });
      return;
    }
    let column = oneHot.get(indicator.column);
    if (!column) {
      column = { name: indicator.column, kind: 'binary', role: 'feature', levels: 1 };
      oneHot.set(indicator.column, column);
      out.push(column);
    }
    column.levels! += 1;
    column.kind = column.levels! > 2 ? 'categorical' : 'binary';
  });
  return out;
}

/** A column's statistics as JSON; a value that overflowed stops the export with the column's name. */
export function statisticsJson(feature: string, s: FeatureStatistics): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(s)) out[key] = featureNumber(feature, value);
  return out;
}

/** Members (row indices) of each cluster, in input order. */
export function membersOf(labels: Int32Array, k: number): Int32Array[] {
  const sizes = new Int32Array(k);
  for (let i = 0; i < labels.length; i++) sizes[labels[i]]++;
  const members = Array.from({ length: k }, (_, c) => new Int32Array(sizes[c]));
  const fill = new Int32Array(k);
  for (let i = 0; i < labels.length; i++) members[labels[i]][fill[labels[i]]++] = i;
  return members;
}

/** cluster_id, size, percentage, cluster_center, feature_statistics: the shared head of a cluster entry. */
export function clusterBase(data: PreparedData, c: number, members: Int32Array, centerOriginal: ArrayLike<number>): JsonObject {
  const { features } = data;
  const column = new Float64Array(members.length);
  const statistics = keyedObject(
    features.map((feature, j) => {
      originalValues(data, j, members, column);
      return [feature, statisticsJson(feature, featureStatisticsInPlace(column))] as const;
    }),
  );
  return {
    cluster_id: c,
    size: members.length,
    percentage: round((100 * members.length) / data.n, 2),
    cluster_center: featureMap(features, centerOriginal),
    feature_statistics: statistics,
  };
}

/** argmax per row, first maximum on ties (numpy's argmax). */
export function hardLabels(resp: Float64Array, n: number, k: number): Int32Array {
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (resp[i * k + c] > resp[i * k + best]) best = c;
    labels[i] = best;
  }
  return labels;
}
