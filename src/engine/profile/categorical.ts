/**
 * The profile's sections on categorical columns and descriptors
 * (../shared/spec/PROFILE.md, "Categorical columns and descriptors"): per
 * cluster the share and lift of each level (pandas' crosstab normalised by
 * row) and the statistics of each numeric descriptor; over all rows the level
 * counts, and per column how well the clusters separate it (η² for numbers,
 * Cramér's V without continuity correction for categories, as scipy's
 * association(method="cramer", correction=False)).
 *
 * Choices the spec leaves open, here and in the README: a cluster with no
 * member that has a value gets share 0 and lift 0 for every level, and mode
 * null (a share over no one is not a number, and null is not one either);
 * the mode's ties go to the level listed first (most frequent overall, then
 * by text); η² and Cramér's V are 0 when there is nothing to separate (no
 * spread, one level, or one cluster with values).
 */
import { originalValues, type PreparedData } from '../data/prepare';
import { compareText, type CategoryValues, type NumericDescriptor } from '../data/columns';
export { compareText } from '../data/columns';
import { featureStatisticsInPlace, powerOfTwoScale } from '../kernels/stats';
import { keyedObject, membersOf, statisticsJson, type Json, type JsonObject, type Profile } from './profile';

/** Columns with more levels list this many (the most frequent) and one "(other)". */
export const MAX_LISTED_LEVELS = 20;
export const OTHER_LEVEL = '(other)';
export const MISSING_LEVEL = '(missing)';


/** How one categorical column is listed: its levels in order over all rows clustered. */
interface Listing {
  column: CategoryValues;
  /** Overall count per level index. */
  counts: Float64Array;
  /** Level indexes listed, most frequent first (ties by text). */
  listed: number[];
  /** Per level index: its slot in the listing, or the "(other)" slot (listed.length). */
  slot: Int32Array;
  hasOther: boolean;
  /** Rows clustered with a value. */
  withValue: number;
  missing: number;
  otherKey: string;
  missingKey: string;
}

const listings = new WeakMap<CategoryValues, Listing>();

/** The levels of a column in listing order, over all rows clustered (computed once per column). */
function listing(column: CategoryValues): Listing {
  const cached = listings.get(column);
  if (cached) return cached;
  const counts = new Float64Array(column.levels.length);
  let missing = 0;
  for (const code of column.codes) {
    if (code < 0) missing++;
    else counts[code]++;
  }
  const present = [...counts.keys()].filter((l) => counts[l] > 0);
  present.sort((a, b) => counts[b] - counts[a] || compareText(column.levels[a], column.levels[b]));
  const hasOther = present.length > MAX_LISTED_LEVELS;
  const listed = hasOther ? present.slice(0, MAX_LISTED_LEVELS) : present;
  const slot = new Int32Array(column.levels.length).fill(listed.length);
  listed.forEach((l, s) => (slot[l] = s));
  const names = new Set(column.levels);
  const result: Listing = {
    column,
    counts,
    listed,
    slot,
    hasOther,
    withValue: column.codes.length - missing,
    missing,
    otherKey: freeName(OTHER_LEVEL, names),
    missingKey: freeName(MISSING_LEVEL, names),
  };
  listings.set(column, result);
  return result;
}

/** "(other)", or "((other))" … when the column has a level written so: a level is data and keeps its name. */
function freeName(name: string, levels: Set<string>): string {
  let out = name;
  while (levels.has(out)) out = `(${out})`;
  return out;
}

/** Counts of the listed levels and "(other)" among `rows`, and how many of them have no value. */
function countSlots(l: Listing, rows: ArrayLike<number>): { slots: Float64Array; missing: number; byLevel: Float64Array } {
  const slots = new Float64Array(l.listed.length + 1);
  const byLevel = new Float64Array(l.column.levels.length);
  let missing = 0;
  for (let t = 0; t < rows.length; t++) {
    const code = l.column.codes[rows[t]];
    if (code < 0) missing++;
    else {
      byLevel[code]++;
      slots[l.slot[code]]++;
    }
  }
  return { slots, missing, byLevel };
}

function ratio(count: number, total: number): number {
  return total > 0 ? count / total : 0;
}

/** One cluster's entry for one column: mode, and count, share and lift per level. */
function clusterLevels(l: Listing, members: Int32Array): JsonObject {
  const { slots, missing, byLevel } = countSlots(l, members);
  const withValue = members.length - missing;
  const overall = overallSlots(l);
  const entry = (s: number): Json => {
    const share = ratio(slots[s], withValue);
    return { count: slots[s], share, lift: ratio(share, ratio(overall[s], l.withValue)) };
  };
  const entries: [string, Json][] = l.listed.map((level, s) => [l.column.levels[level], entry(s)]);
  if (l.hasOther) entries.push([l.otherKey, entry(l.listed.length)]);
  if (missing > 0) entries.push([l.missingKey, { count: missing }]);
  return { mode: mode(l, byLevel), levels: keyedObject(entries) };
}

/** The most frequent level among the members with a value; ties to the one listed first; null when none has a value. */
function mode(l: Listing, byLevel: Float64Array): string | null {
  let best = -1;
  for (let level = 0; level < byLevel.length; level++) {
    if (byLevel[level] === 0) continue;
    if (best < 0 || byLevel[level] > byLevel[best] || (byLevel[level] === byLevel[best] && before(l, level, best))) best = level;
  }
  return best < 0 ? null : l.column.levels[best];
}

/** Level a comes before level b in the listing order (overall frequency, then text). */
function before(l: Listing, a: number, b: number): boolean {
  return l.counts[a] > l.counts[b] || (l.counts[a] === l.counts[b] && compareText(l.column.levels[a], l.column.levels[b]) < 0);
}

function overallSlots(l: Listing): Float64Array {
  const slots = new Float64Array(l.listed.length + 1);
  for (let level = 0; level < l.counts.length; level++) slots[l.slot[level]] += l.counts[level];
  return slots;
}

/** Per cluster: column → {mode, levels}, for every binary and categorical column clustered or described. */
export function categoricalStatistics(data: PreparedData, members: Int32Array): JsonObject {
  return keyedObject((data.categories ?? []).map((column) => [column.name, clusterLevels(listing(column), members)] as const));
}

/** Per cluster: numeric descriptor → the statistics of feature_statistics over the members with a value, and how many have none. */
export function descriptorStatistics(data: PreparedData, members: Int32Array): JsonObject {
  return keyedObject((data.numericDescriptors ?? []).map((d) => [d.name, descriptorEntry(d, members)] as const));
}

function descriptorEntry(descriptor: NumericDescriptor, members: Int32Array): JsonObject {
  const present: number[] = [];
  for (const i of members) if (!Number.isNaN(descriptor.values[i])) present.push(descriptor.values[i]);
  return { ...statisticsJson(descriptor.name, featureStatisticsInPlace(Float64Array.from(present))), missing: members.length - present.length };
}

/** Root: column → level → {count, share} over all rows clustered. */
export function categoricalOverview(data: PreparedData): JsonObject {
  return keyedObject(
    (data.categories ?? []).map((column) => {
      const l = listing(column);
      const overall = overallSlots(l);
      const entries: [string, Json][] = l.listed.map((level, s) => [column.levels[level], { count: overall[s], share: ratio(overall[s], l.withValue) }]);
      if (l.hasOther) entries.push([l.otherKey, { count: overall[l.listed.length], share: ratio(overall[l.listed.length], l.withValue) }]);
      if (l.missing > 0) entries.push([l.missingKey, { count: l.missing }]);
      return [column.name, keyedObject(entries)] as const;
    }),
  );
}

/**
 * η²: the between-cluster sum of squares over the total, over the rows with
 * a value (NaN: none). The values are first divided by a power of two, which
 * is exact and keeps the squares of values near 1e308 finite.
 */
export function etaSquared(values: ArrayLike<number>, labels: Int32Array, k: number): number {
  // The largest |value| among the present ones, without copying the column.
  let largest = 0;
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i])) largest = Math.max(largest, Math.abs(values[i]));
  const scale = powerOfTwoScale(largest);
  const counts = new Float64Array(k);
  const sums = new Float64Array(k);
  let n = 0;
  let total = 0;
  for (let i = 0; i < labels.length; i++) {
    const v = values[i] / scale;
    if (Number.isNaN(v)) continue;
    counts[labels[i]]++;
    sums[labels[i]] += v;
    n++;
    total += v;
  }
  if (n === 0) return 0;
  const grand = total / n;
  let ssTotal = 0;
  for (let i = 0; i < labels.length; i++) {
    const v = values[i] / scale;
    if (!Number.isNaN(v)) ssTotal += (v - grand) * (v - grand);
  }
  let ssBetween = 0;
  for (let c = 0; c < k; c++) if (counts[c] > 0) ssBetween += counts[c] * (sums[c] / counts[c] - grand) ** 2;
  return ssTotal > 0 ? Math.min(1, ssBetween / ssTotal) : 0;
}

/**
 * Cramér's V of the clusters × levels table over the rows with a value,
 * without continuity correction: √(χ² / n / (min(r, c) − 1)), r and c the
 * clusters and levels that occur (as scipy's table from pandas' crosstab).
 */
export function cramersV(codes: Int32Array, nLevels: number, labels: Int32Array, k: number): number {
  const table = new Float64Array(k * nLevels);
  for (let i = 0; i < labels.length; i++) if (codes[i] >= 0) table[labels[i] * nLevels + codes[i]]++;
  const rowSums = new Float64Array(k);
  const colSums = new Float64Array(nLevels);
  let n = 0;
  for (let c = 0; c < k; c++) {
    for (let l = 0; l < nLevels; l++) {
      rowSums[c] += table[c * nLevels + l];
      colSums[l] += table[c * nLevels + l];
    }
    n += rowSums[c];
  }
  const rows = [...rowSums.keys()].filter((c) => rowSums[c] > 0);
  const cols = [...colSums.keys()].filter((l) => colSums[l] > 0);
  if (rows.length < 2 || cols.length < 2) return 0;
  let chi2 = 0;
  for (const c of rows) {
    for (const l of cols) {
      const expected = (rowSums[c] * colSums[l]) / n;
      const diff = table[c * nLevels + l] - expected;
      chi2 += (diff * diff) / expected;
    }
  }
  return Math.sqrt(chi2 / n / (Math.min(rows.length, cols.length) - 1));
}

/** Root: column → {measure, value} for every feature and descriptor, in CSV order (one-hot columns by their own name). */
export function separation(data: PreparedData, labels: Int32Array, k: number): JsonObject {
  // One column buffer for every feature in turn: etaSquared keeps nothing of it.
  const column = new Float64Array(data.n);
  const featureColumn = (j: number) => originalValues(data, j, null, column);
  const byName = new Map<string, Json>();
  data.features.forEach((name, j) => {
    // A one-hot indicator is not a column: its column's Cramér's V is below.
    if (!data.indicators?.[j]) byName.set(name, { measure: 'eta_squared', value: etaSquared(featureColumn(j), labels, k) });
  });
  for (const d of data.numericDescriptors ?? []) byName.set(d.name, { measure: 'eta_squared', value: etaSquared(d.values, labels, k) });
  for (const c of data.categories ?? []) byName.set(c.name, { measure: 'cramers_v', value: cramersV(c.codes, c.levels.length, labels, k) });
  const order = data.columns ? data.columns.map((c) => c.name).filter((name) => byName.has(name)) : data.features;
  return keyedObject(order.map((name) => [name, byName.get(name)!] as const));
}

/**
 * The profile with the sections on categories and descriptors added: each
 * cluster's categorical_statistics and descriptor_statistics after its
 * feature_statistics, and the root's categorical_overview and separation
 * before the clusters. `labels` are in profile numbering.
 */
export function withColumnSections(profile: Profile, data: PreparedData, labels: Int32Array, k: number): Profile {
  const members = membersOf(labels, k);
  const clusters = keyedObject(
    Object.entries(profile.clusters).map(([key, cluster]) => {
      const c = Number(cluster.cluster_id);
      const entries = Object.entries(cluster).flatMap(([field, value]): [string, Json][] =>
        field === 'feature_statistics'
          ? [
              [field, value],
              ['categorical_statistics', categoricalStatistics(data, members[c])],
              ['descriptor_statistics', descriptorStatistics(data, members[c])],
            ]
          : [[field, value]],
      );
      return [key, keyedObject(entries)] as const;
    }),
  );
  const root = Object.entries(profile).flatMap(([field, value]): [string, Json][] =>
    field === 'clusters'
      ? [
          ['categorical_overview', categoricalOverview(data)],
          ['separation', separation(data, labels, k)],
          ['clusters', clusters],
        ]
      : [[field, value]],
  );
  return keyedObject(root) as Profile;
}
