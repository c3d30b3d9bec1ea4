/**
 * The knee of a falling curve by the kneedle method (V. Satopää, J. Albrecht,
 * D. Irwin, B. Raghavan, "Finding a 'Kneedle' in a Haystack: Detecting Knee
 * Points in System Behavior", ICDCS Workshops 2011), offline, for a convex
 * decreasing curve such as a BIC that falls steeply and then levels off:
 *
 * 1. x and y are normalised to [0, 1]; y is turned over (1 − y) so the curve
 *    rises, and the difference curve is D = y′ − x (how far each point lies
 *    above the straight line from the first to the last).
 * 2. The candidates are the local maxima of D (a plateau counts at its start).
 * 3. A candidate i is the knee when D falls below the threshold
 *    T = D[i] − S · mean(Δx) before the next local maximum; with the paper's
 *    sensitivity S = 1. The first such candidate is the knee.
 *
 * A curve whose bend is too gentle for the threshold has no knee.
 */

/** The paper's recommended sensitivity. */
export const KNEEDLE_SENSITIVITY = 1;

/** The index of the knee of the points (x increasing), or undefined when there is none. */
export function kneedle(x: readonly number[], y: readonly number[], sensitivity = KNEEDLE_SENSITIVITY): number | undefined {
  const m = x.length;
  if (y.length !== m) throw new RangeError(`${m} x values but ${y.length} y values`);
  if (m < 3) return undefined;
  const xn = normalise(x);
  const yn = normalise(y);
  if (!xn || !yn) return undefined;
  const difference = yn.map((v, i) => 1 - v - xn[i]);
  let meanStep = 0;
  for (let i = 1; i < m; i++) meanStep += xn[i] - xn[i - 1];
  meanStep /= m - 1;
  const isMaximum = (i: number) => i > 0 && i < m - 1 && difference[i] > difference[i - 1] && difference[i] >= difference[i + 1];
  for (let i = 1; i < m - 1; i++) {
    if (!isMaximum(i)) continue;
    const threshold = difference[i] - sensitivity * meanStep;
    for (let j = i + 1; j < m && !isMaximum(j); j++) {
      if (difference[j] < threshold) return i;
    }
  }
  return undefined;
}

/** (v − min) / (max − min), or undefined when every value is the same. */
function normalise(values: readonly number[]): number[] | undefined {
  const min = Math.min(...values);
  const max = Math.max(...values);
  if (!(max > min)) return undefined;
  return values.map((v) => (v - min) / (max - min));
}
