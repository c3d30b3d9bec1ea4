/**
 * The adjusted Rand index of two labelings, as scikit-learn's
 * `adjusted_rand_score` (sklearn/metrics/cluster/_supervised.py, 1.2):
 * the pair confusion matrix from the contingency table, in exact integers,
 * then 2·(tp·tn − fn·fp) / ((tp + fn)(fn + tn) + (tp + fp)(fp + tn)), the
 * numerator and the denominator each rounded once to a double as Python
 * does with its integers. So the value is scikit-learn's to the last bit.
 */

export function adjustedRandIndex(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  if (b.length !== n) throw new RangeError(`labelings of different lengths (${n} and ${b.length})`);
  const rows = new Map<number, number>();
  const columns = new Map<number, number>();
  const cells = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    rows.set(a[i], (rows.get(a[i]) ?? 0) + 1);
    columns.set(b[i], (columns.get(b[i]) ?? 0) + 1);
    const cell = `${a[i]},${b[i]}`;
    cells.set(cell, (cells.get(cell) ?? 0) + 1);
  }
  const squares = (counts: Iterable<number>) => {
    let total = 0n;
    for (const c of counts) total += BigInt(c) * BigInt(c);
    return total;
  };
  const sumSquares = squares(cells.values());
  const samples = BigInt(n);
  // scikit-learn's pair_confusion_matrix: ordered pairs of distinct samples.
  const tp = sumSquares - samples;
  const fp = squares(columns.values()) - sumSquares;
  const fn = squares(rows.values()) - sumSquares;
  const tn = samples * samples - fp - fn - sumSquares;
  // Empty data or full agreement.
  if (fn === 0n && fp === 0n) return 1;
  return (2 * Number(tp * tn - fn * fp)) / Number((tp + fn) * (fn + tn) + (tp + fp) * (fp + tn));
}

/** The mean adjusted Rand index over every pair of the labelings, in the order (0,1), (0,2), …, (1,2), …. */
export function meanPairwiseAri(labelings: readonly ArrayLike<number>[]): number {
  let total = 0;
  let pairs = 0;
  for (let s = 0; s < labelings.length; s++) {
    for (let t = s + 1; t < labelings.length; t++) {
      total += adjustedRandIndex(labelings[s], labelings[t]);
      pairs++;
    }
  }
  if (pairs === 0) throw new RangeError('the stability needs at least two labelings');
  return total / pairs;
}
