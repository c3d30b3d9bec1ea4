/**
 * The recommendation of a sweep (PROFILE.md, "Choosing k"): GMM the lowest
 * BIC, and when the lowest of all is at the largest k tried, the knee of that
 * BIC curve by the kneedle method instead (so the answer is never just "the
 * largest k"); Fuzzy C-Means and Neural the highest silhouette among the fits
 * whose stability ARI is at least 0.8, else the most stable fit. A fit whose
 * smallest cluster holds fewer than 1% of the rows or 10 rows is passed over
 * for the best of the others when there is one; the reason names the fits
 * passed over, or says that the fit recommended has such a cluster.
 */
import type { CovarianceType, MethodKey } from '../../shared/methods';
import { kneedle } from './kneedle';

/** Fits at least this stable (mean pairwise ARI of three seeds) count as stable. */
export const STABILITY_THRESHOLD = 0.8;
/** A cluster with fewer rows than the larger of these is too small to act on. */
export const SMALL_CLUSTER_SHARE = 0.01;
export const SMALL_CLUSTER_ROWS = 10;

/** A fit that succeeded, as the recommendation sees it. */
export interface Candidate {
  k: number;
  covarianceType?: CovarianceType;
  /** GMM only. */
  bic?: number | null;
  silhouette: number | null;
  stabilityAri: number;
  /** Cluster sizes, largest first. */
  sizes: readonly number[];
}

export type Criterion = 'bic' | 'bic_knee' | 'silhouette' | 'stability_ari';

export interface Recommendation {
  k: number;
  covarianceType?: CovarianceType;
  criterion: Criterion;
  /** One sentence. */
  reason: string;
}

/** The fewest rows a cluster may hold before it is too small: 1% of the rows, at least 10. */
export function smallClusterRows(n: number): number {
  return Math.max(SMALL_CLUSTER_ROWS, Math.ceil(n * SMALL_CLUSTER_SHARE));
}

/**
 * The recommended fit among the candidates (in the sweep's order), n the rows
 * clustered and kMax the largest k of the range asked for.
 */
export function recommend(method: MethodKey, candidates: readonly Candidate[], n: number, kMax: number): Recommendation {
  if (candidates.length === 0) throw new RangeError('no fit to recommend');
  const minRows = smallClusterRows(n);
  const small = (c: Candidate) => smallest(c) < minRows;
  const large = candidates.filter((c) => !small(c));
  const pool = large.length > 0 ? large : candidates;
  const name = (c: Candidate) => fitName(method, c);
  const under = `${minRows} rows (1% of the rows, at least 10)`;
  // The small fits that the criterion would have preferred, when a fit without a small cluster was found.
  const passedOver = (better: (c: Candidate) => boolean) => {
    const passed = large.length > 0 ? candidates.filter((c) => small(c) && better(c)) : [];
    if (passed.length === 0) return '';
    return `; passed over for a smallest cluster under ${under}: ${passed.map((c) => `${name(c)} with ${rowsText(smallest(c), n)}`).join(', ')}`;
  };
  const caveat = (c: Candidate) => (small(c) ? `; its smallest cluster holds only ${rowsText(smallest(c), n)}, under ${under}` : '');

  if (method === 'gmm') {
    const bic = (c: Candidate) => c.bic ?? Infinity;
    const lowest = (fits: readonly Candidate[]) => fits.reduce((a, b) => (bic(b) < bic(a) ? b : a));
    const overall = lowest(candidates);
    if (overall.k !== kMax) {
      const best = lowest(pool);
      const passed = passedOver((c) => bic(c) < bic(best));
      return done(best, 'bic', `${name(best)} has the lowest BIC (${bic(best).toFixed(1)})${passed}${caveat(best)}.`);
    }
    // The BIC still falls at the end of the range: its knee, not the largest k.
    const curve = candidates.filter((c) => c.covarianceType === overall.covarianceType).sort((a, b) => a.k - b.k);
    const knee = kneedle(
      curve.map((c) => c.k),
      curve.map(bic),
    );
    const atEnd = `The lowest BIC (${bic(overall).toFixed(1)}) is at ${name(overall)}, the largest k tried, so the BIC may fall further beyond the range`;
    const kneedleMethod = `the ${overall.covarianceType} BIC curve by the kneedle method (Satopää et al. 2011)`;
    if (knee === undefined) return done(overall, 'bic', `${atEnd}, and there is no knee in ${kneedleMethod}: try larger k${caveat(overall)}.`);
    const chosen = curve[knee];
    return done(chosen, 'bic_knee', `${atEnd}; recommended instead is ${name(chosen)}, the knee of ${kneedleMethod}${caveat(chosen)}.`);
  }

  const silhouette = (c: Candidate) => c.silhouette ?? -Infinity;
  const stable = pool.filter((c) => c.stabilityAri >= STABILITY_THRESHOLD);
  if (stable.length > 0) {
    const best = stable.reduce((a, b) => (silhouette(b) > silhouette(a) ? b : a));
    const passed = passedOver((c) => c.stabilityAri >= STABILITY_THRESHOLD && silhouette(c) > silhouette(best));
    const value = best.silhouette === null ? 'undefined' : best.silhouette.toFixed(4);
    return done(best, 'silhouette', `${name(best)} has the highest silhouette (${value}) of the fits with stability ARI ≥ ${STABILITY_THRESHOLD}${passed}${caveat(best)}.`);
  }
  // Ties: the higher silhouette, then the earlier candidate (the smaller k).
  const best = pool.reduce((a, b) =>
    b.stabilityAri > a.stabilityAri || (b.stabilityAri === a.stabilityAri && silhouette(b) > silhouette(a)) ? b : a,
  );
  const passed = passedOver((c) => c.stabilityAri > best.stabilityAri);
  return done(
    best,
    'stability_ari',
    `No fit has stability ARI ≥ ${STABILITY_THRESHOLD}, so the most stable is recommended: ${name(best)} (ARI ${best.stabilityAri.toFixed(3)})${passed}${caveat(best)}.`,
  );
}

function done(c: Candidate, criterion: Criterion, reason: string): Recommendation {
  return { k: c.k, ...(c.covarianceType ? { covarianceType: c.covarianceType } : {}), criterion, reason };
}

function smallest(c: Candidate): number {
  return Math.min(...c.sizes);
}

/** "k = 4", or for GMM "k = 4 (full covariance)". */
export function fitName(method: MethodKey, c: { k: number; covarianceType?: CovarianceType }): string {
  return method === 'gmm' && c.covarianceType ? `k = ${c.k} (${c.covarianceType} covariance)` : `k = ${c.k}`;
}

function rowsText(rows: number, n: number): string {
  return `${rows} ${rows === 1 ? 'row' : 'rows'} (${((100 * rows) / n).toFixed(1)}%)`;
}
