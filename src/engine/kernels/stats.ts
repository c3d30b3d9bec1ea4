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

export function mean(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i];
  return s / values.length;
}

/** Standard deviation, two-pass; null where n − ddof ≤ 0 (pandas gives NaN). */
export function std(values: ArrayLike<number>, ddof: number): number | null {
  const n = values.length;
  if (n - ddof <= 0) return null;
  const m = mean(values);
  let s = 0;
  for (let i = 0; i < n; i++) {
    const diff = values[i] - m;
    s += diff * diff;
  }
  return Math.sqrt(s / (n - ddof));
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
  return fraction >= 0.5 ? b - (b - a) * (1 - fraction) : a + (b - a) * fraction;
}

/** numpy.median: the middle value, or the mean of the two middle values. */
export function medianSorted(sorted: ArrayLike<number>): number {
  const n = sorted.length;
  const mid = n >> 1;
  return n % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function describe(values: Float64Array): FeatureStatistics {
  if (values.length === 0) {
    return { mean: null, median: null, std: null, min: null, max: null, q25: null, q75: null };
  }
  const sorted = Float64Array.from(values).sort();
  return {
    mean: mean(values),
    median: medianSorted(sorted),
    std: std(values, 1),
    min: sorted[0],
    max: sorted[sorted.length - 1],
    q25: quantileSorted(sorted, 0.25),
    q75: quantileSorted(sorted, 0.75),
  };
}
