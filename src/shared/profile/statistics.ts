/**
 * The whole data's statistics, derived from the clusters' own
 * (../shared/spec/PROFILE.md: centers and statistics are in original units,
 * feature_statistics are over the hard-assigned members, std with ddof = 1):
 *
 *   overall mean      = Σ size·mean / n
 *   overall variance  = [Σ (size − 1)·std² + Σ size·(mean − overall mean)²] / n   (population, ddof = 0)
 *   separation η²     = Σ size·(mean − overall mean)² / (n · overall variance)
 *
 * so the heat map's z-scores are against the whole data, exactly as the
 * method's own standardisation saw it.
 */
import { formatCount } from '../format';
import type { Problems } from './untrusted';

/** What the derivation needs of a cluster: its size, and its members' mean and std of each feature. */
export interface ClusterMoments {
  size: number | null;
  stats: readonly { mean: number | null; std: number | null }[];
}

export interface WholeData {
  /** Rows clustered: the sum of the sizes when every size is known, else metadata.n_samples. */
  n: number | null;
  /** Per feature; null where a cluster lacks what the derivation needs. */
  overallMean: (number | null)[];
  overallStd: (number | null)[];
  separation: (number | null)[];
}

export function deriveWholeData(clusters: readonly ClusterMoments[], d: number, nMeta: number | null, problems: Problems): WholeData {
  const k = clusters.length;
  const sizes = clusters.map((w) => (w.size != null && w.size >= 0 ? w.size : null));
  const sizesKnown = sizes.every((s) => s != null);
  const nFromSizes = sizes.reduce<number>((a, s) => a + (s ?? 0), 0);
  if (!sizesKnown) problems.add('Some cluster sizes are missing, so the whole data’s mean and spread cannot be derived; the heat map is left empty.');
  if (nMeta != null && sizesKnown && nMeta !== nFromSizes) {
    problems.add(`metadata.n_samples is ${formatCount(nMeta)} but the cluster sizes add up to ${formatCount(nFromSizes)}; the sizes are used.`);
  }
  const n = sizesKnown ? nFromSizes : nMeta;

  const overallMean: (number | null)[] = [];
  const overallStd: (number | null)[] = [];
  const separation: (number | null)[] = [];
  let underivable = 0;
  for (let j = 0; j < d; j++) {
    let ok = sizesKnown && nFromSizes > 0;
    let sum = 0;
    for (let c = 0; ok && c < k; c++) {
      const s = sizes[c]!;
      if (s === 0) continue;
      const m = clusters[c].stats[j].mean;
      if (m == null) ok = false;
      else sum += s * m;
    }
    if (!ok) {
      overallMean.push(null);
      overallStd.push(null);
      separation.push(null);
      if (sizesKnown) underivable++;
      continue;
    }
    const mean = sum / nFromSizes;
    let within = 0;
    let between = 0;
    let varOk = true;
    for (let c = 0; c < k; c++) {
      const s = sizes[c]!;
      if (s === 0) continue;
      const st = clusters[c].stats[j];
      const dm = st.mean! - mean;
      between += s * dm * dm;
      if (s > 1) {
        if (st.std == null) varOk = false;
        else within += (s - 1) * st.std * st.std;
      }
    }
    overallMean.push(mean);
    if (!varOk) {
      overallStd.push(null);
      separation.push(null);
      underivable++;
      continue;
    }
    const variance = (within + between) / nFromSizes;
    overallStd.push(Math.sqrt(Math.max(variance, 0)));
    separation.push(variance > 0 ? Math.min(1, between / (nFromSizes * variance)) : null);
  }
  if (underivable > 0) {
    problems.add(`The whole data’s spread cannot be derived for ${underivable} feature${underivable === 1 ? '' : 's'} (a cluster lacks its mean or std there); those heat-map cells are empty.`);
  }
  return { n, overallMean, overallStd, separation };
}
