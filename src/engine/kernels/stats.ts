/** Descriptive statistics as numpy/pandas compute them (linear-interpolated quantiles, std with a chosen ddof). */

export interface FeatureStatistics {
  mean: number | null;
  median: number | null;
  std: number | null;
  min: number | null;
  max: number | null;
  q25: number | null;
  q75: number | null;
}

/**
 * The largest power of two at most `maxAbs` (1 for 0 or a non-finite value).
 * Dividing by it is exact, so sums, squares and square roots of the scaled
 * values are the unscaled ones times a power of two, bit for bit, except that
 * nothing overflows: values up to 1.8e308 keep a finite mean and std.
 */
export function powerOfTwoScale(maxAbs: number): number {
  if (!(maxAbs > 0) || !Number.isFinite(maxAbs)) return 1;
  return 2 ** Math.min(1023, Math.max(-1074, Math.floor(Math.log2(maxAbs))));
}

export function maxAbs(values: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < values.length; i++) max = Math.max(max, Math.abs(values[i]));
  return max;
}

/** The mean; a sum that overflows is done again on values scaled down by a power of two. */
export function mean(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i];
  if (Number.isFinite(s)) return s / values.length;
  const scale = powerOfTwoScale(maxAbs(values));
  let scaled = 0;
  for (let i = 0; i < values.length; i++) scaled += values[i] / scale;
  return (scaled / values.length) * scale;
}

/**
 * Standard deviation, two-pass, on the values scaled by a power of two (the
 * same digits as unscaled, without overflow for huge values); null where
 * n − ddof ≤ 0 (pandas gives NaN).
 */
export function std(values: ArrayLike<number>, ddof: number): number | null {
  const n = values.length;
  if (n - ddof <= 0) return null;
  const scale = powerOfTwoScale(maxAbs(values));
  const m = mean(values) / scale;
  let s = 0;
  for (let i = 0; i < n; i++) {
    const diff = values[i] / scale - m;
    s += diff * diff;
  }
  return Math.sqrt(s / (n - ddof)) * scale;
}

/** numpy.quantile(method='linear') of values already sorted ascending. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const position = (sorted.length - 1) * q;
  const lower = Math.floor(position);
  const upper = Math.min(lower + 1, sorted.length - 1);
  const fraction = position - lower;
  // numpy's lerp form, exact at both ends
  const a = sorted[lower];
  const b = sorted[upper];
  // b − a overflows only between huge values of opposite signs: then weigh the two ends.
  if (!Number.isFinite(b - a)) return a * (1 - fraction) + b * fraction;
  return fraction >= 0.5 ? b - (b - a) * (1 - fraction) : a + (b - a) * fraction;
}

/** numpy.median: the middle value, or the mean of the two middle values. */
export function medianSorted(sorted: ArrayLike<number>): number {
  const n = sorted.length;
  const mid = n >> 1;
  if (n % 2 === 1) return sorted[mid];
  const sum = sorted[mid - 1] + sorted[mid];
  return Number.isFinite(sum) ? sum / 2 : sorted[mid - 1] / 2 + sorted[mid] / 2;
}

export function featureStatistics(values: Float64Array): FeatureStatistics {
  return featureStatisticsInPlace(Float64Array.from(values));
}

/**
 * featureStatistics of values the caller no longer needs in their order:
 * the mean and std from them as they are (sums in their order), then one
 * sort in place for the median, quartiles and extremes; no copy.
 */
export function featureStatisticsInPlace(values: Float64Array): FeatureStatistics {
  if (values.length === 0) {
    return { mean: null, median: null, std: null, min: null, max: null, q25: null, q75: null };
  }
  const m = mean(values);
  const s = std(values, 1);
  const sorted = values.sort();
  return {
    mean: m,
    median: medianSorted(sorted),
    std: s,
    min: sorted[0],
    max: sorted[sorted.length - 1],
    q25: quantileSorted(sorted, 0.25),
    q75: quantileSorted(sorted, 0.75),
  };
}
