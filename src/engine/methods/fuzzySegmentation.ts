/**
 * The Fuzzy C-Means method: validated options, FCM restarts through the fit
 * driver (the lowest objective J_m wins), cluster numbering, the collapse
 * check, and the FCM part of the profile (../shared/spec/PROFILE.md "Fuzzy C-Means").
 */
import type { FcmOptions } from '../../shared/methods';
import { runRestarts } from '../kernels/fitDriver';
import {
  FcmWorkspace,
  fuzzyCMeans,
  membershipsFromCenters,
  partitionCoefficient,
  partitionEntropy,
  randomMemberships,
  type FcmResult,
} from '../kernels/fcm';
import type { PreparedData } from '../data/prepare';
import {
  clusterBase,
  clusterOrder,
  hardLabels,
  commonMetadata,
  commonMetrics,
  silhouetteOptions,
  isoLocal,
  membersOf,
  num,
  permuteRows,
  toOriginalUnits,
  type JsonObject,
  type KnownSilhouettes,
  type Profile,
} from '../profile/profile';
import type { RunControl } from '../progress';
import { Segmentation, clusterColumns, requireEnoughRows, type MethodFit, type MethodSteps } from './segmentation';
import { std } from '../kernels/stats';
import { methodDefaults, resolveOptions } from './options';
import { fcmModelJson } from '../scoring/fuzzyModel';

export type { FcmOptions };

export const FCM_DEFAULTS: Readonly<FcmOptions> = methodDefaults('fuzzy');

/**
 * The collapse check. FCM's centers are pulled toward the centre of gravity
 * of the data as the dimension grows (Winkler, Klawonn & Kruse, "Fuzzy
 * c-means in high dimensional spaces", 2011; scikit-fuzzy's cmeans notes it
 * too); then every sample has membership ≈ 1/k everywhere and the hard
 * labels are arbitrary. We warn when EVERY center lies within
 * COLLAPSE_RATIO × the data's RMS radius of the grand mean, where the RMS
 * radius is sqrt(mean_i ‖z_i − z̄‖²) = sqrt(d) for standardised data: no
 * center is even a tenth of a typical customer's distance away from the
 * average customer. Measured ratios (farthest center / RMS radius) are far
 * from 0.1 on both sides: the 500 example customers (24 features) give 1.1
 * to 2.3 for k = 2…10, separated blobs 0.8 to 1.1; collapsed runs give 1e-3
 * (200 × 5 noise) down to 1e-7 (200 × 60 noise), and 5 real clusters in 60
 * dimensions collapse to < 1e-4 with m = 2 (0.56 to 0.89 with m = 1.2, which
 * recovers them). A partial collapse (some centers at the mean, one or two
 * away) is not flagged.
 */
export const COLLAPSE_RATIO = 0.1;

export interface CenterSpread {
  /** Largest distance of a center from the grand mean, standardised units. */
  maxCenterDistance: number;
  /** RMS distance of the samples from the grand mean (sqrt(d) for standardised data). */
  rmsRadius: number;
  /** maxCenterDistance / rmsRadius (0 when the data have no spread). */
  ratio: number;
  collapsed: boolean;
}

/** Hard labels: argmax membership, first on ties. */
export interface FcmFit extends MethodFit {
  /** Memberships n×k, columns in profile numbering. */
  memberships: Float64Array;
  /** Fuzzy centers k×d in profile numbering, standardised units. */
  centers: Float64Array;
  /** J_m of the kept restart (scikit-fuzzy's last jm). */
  objective: number;
  nIterations: number;
  converged: boolean;
  /** ‖ΔU‖_F of the last iteration. */
  change: number;
  partitionCoefficient: number;
  partitionEntropy: number;
  spread: CenterSpread;
  warnings: string[];
}

/** The Fuzzy C-Means steps the Segmentation base runs. */
export const FCM_STEPS: MethodSteps<'fuzzy', FcmFit> = {
  method: 'fuzzy',
  fit: (data, options, control) => fitFcm(data, options, control),
  profile: fcmProfile,
  softScores: (fit, options) => ({ columns: clusterColumns('membership_cluster_', options.nClusters), values: fit.memberships }),
  model: (fit, options) => fcmModelJson(fit, options),
};

export class FuzzyCMeansSegmentation extends Segmentation<'fuzzy', FcmFit> {
  constructor(options: Partial<FcmOptions> = {}) {
    super(FCM_STEPS, options);
  }
}

export function fitFcm(data: PreparedData, options: FcmOptions, control: RunControl = {}): FcmFit {
  resolveOptions('fuzzy', options);
  const { n, d, z } = data;
  const k = options.nClusters;
  requireEnoughRows(data, k);
  const parameters = {
    fuzziness: options.fuzziness,
    maxIterations: options.maxIterations,
    convergenceThreshold: options.convergenceThreshold,
  };
  // One workspace (and its engine threads) for every restart; the threads stop however the fit ends.
  const workspace = new FcmWorkspace(z, n, d, k, { threads: options.threads, log: control.onLog });
  let best: FcmResult;
  try {
    best = runRestarts(
      {
        seed: options.randomSeed,
        nInit: options.nInit,
        phase: 'FCM iteration',
        signal: control.signal,
        onProgress: (p) => control.onProgress?.({ phase: 'fit', message: p.message, fraction: p.fraction }),
      },
      function* (rng) {
        const result: FcmResult = yield* fuzzyCMeans(z, n, d, k, randomMemberships(n, k, rng), parameters, workspace);
        // runRestarts keeps the highest score: the lowest J_m wins.
        return { ...result, score: -result.objective };
      },
    ).best;
  } finally {
    workspace.close();
  }

  const order = clusterOrder(hardLabels(best.memberships, n, k), k, best.centers, d);
  const centers = permuteRows(best.centers, d, order);
  // The update from the renumbered centers, as scoring computes it: the same memberships up to the last bit
  // of a sum over clusters taken in another order, so that scoring the training rows repeats them exactly.
  const memberships = membershipsFromCenters(z, n, d, centers, k, options.fuzziness);
  const spread = centerSpread(z, n, d, centers, k);
  const warnings: string[] = [];
  if (!best.converged) {
    warnings.push(
      `Fuzzy C-Means did not converge in ${options.maxIterations} iterations (last change of the memberships ${best.change.toPrecision(3)}, ` +
        `threshold ${options.convergenceThreshold}). Raise max_iterations or the threshold, or try fewer clusters.`,
    );
  }
  if (spread.collapsed) {
    warnings.push(
      `All ${k} fuzzy centers collapsed onto the overall mean (the farthest is ${percentOf(spread.ratio)} of a typical customer's distance from it), ` +
        'so every customer belongs almost equally to every cluster and the segments are not meaningful. ' +
        `Fuzzy C-Means does this with many features (here ${d}): cluster on fewer, well-chosen columns with --columns, ` +
        'use a fuzziness closer to 1 (e.g. --m 1.2), or use the Neural method.',
    );
  }
  return {
    labels: hardLabels(memberships, n, k),
    memberships,
    centers,
    objective: best.objective,
    nIterations: best.nIterations,
    converged: best.converged,
    change: best.change,
    partitionCoefficient: partitionCoefficient(memberships, n, k),
    partitionEntropy: partitionEntropy(memberships, n, k),
    spread,
    warnings,
  };
}

/** "3.2%", or "less than 0.01%" for what is in effect 0. */
function percentOf(ratio: number): string {
  const percent = 100 * ratio;
  return percent < 0.01 ? 'less than 0.01%' : `${percent.toPrecision(2)}%`;
}

/** How far the centers (k×d, standardised) lie from the grand mean, relative to the data's RMS radius. */
export function centerSpread(z: Float64Array, n: number, d: number, centers: Float64Array, k: number): CenterSpread {
  const grand = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) grand[j] += z[i * d + j];
  for (let j = 0; j < d; j++) grand[j] /= n;
  let total = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      const t = z[i * d + j] - grand[j];
      total += t * t;
    }
  }
  const rmsRadius = Math.sqrt(total / n);
  let maxCenterDistance = 0;
  for (let c = 0; c < k; c++) {
    let s = 0;
    for (let j = 0; j < d; j++) {
      const t = centers[c * d + j] - grand[j];
      s += t * t;
    }
    maxCenterDistance = Math.max(maxCenterDistance, Math.sqrt(s));
  }
  const ratio = rmsRadius > 0 ? maxCenterDistance / rmsRadius : 0;
  // No spread at all (every row identical) is not a collapse worth a warning: there is nothing to find.
  return { maxCenterDistance, rmsRadius, ratio, collapsed: rmsRadius > 0 && ratio < COLLAPSE_RATIO };
}

/** {mean, std, min, max} of the members' membership in cluster c; std with ddof 0 (numpy's default, as GMM's probability_stats). */
function membershipStats(u: Float64Array, k: number, c: number, members: Int32Array): JsonObject {
  if (members.length === 0) return { mean: null, std: null, min: null, max: null };
  const values = Float64Array.from(members, (i) => u[i * k + c]);
  let total = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    total += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { mean: num(total / values.length), std: num(std(values, 0)), min: num(min), max: num(max) };
}

export function fcmProfile(data: PreparedData, fit: FcmFit, options: FcmOptions, now: Date, signal?: AbortSignal, known?: KnownSilhouettes): Profile {
  const { d, features } = data;
  const k = options.nClusters;
  const common = commonMetrics(data, fit.labels, silhouetteOptions(options, signal), known?.silhouette);
  const members = membersOf(fit.labels, k);
  const clusters: Record<string, JsonObject> = {};
  for (let c = 0; c < k; c++) {
    const center = toOriginalUnits(data, fit.centers.subarray(c * d, c * d + d));
    clusters[`cluster_${c}`] = {
      ...clusterBase(data, c, members[c], center),
      membership_stats: membershipStats(fit.memberships, k, c, members[c]),
    };
  }
  return {
    metadata: {
      ...commonMetadata({
        method: 'fuzzy',
        data,
        k,
        seed: options.randomSeed,
        timestamp: isoLocal(now),
        silhouetteSampleSize: common.silhouetteSampleSize,
      }),
      fuzziness_parameter: options.fuzziness,
      max_iterations: options.maxIterations,
      convergence_threshold: options.convergenceThreshold,
      n_iterations: fit.nIterations,
      converged: fit.converged,
      n_init: options.nInit,
      objective: num(fit.objective),
      center_spread_ratio: num(fit.spread.ratio),
      warnings: fit.warnings,
    },
    metrics: {
      silhouette_score: common.silhouette_score,
      davies_bouldin_index: common.davies_bouldin_index,
      calinski_harabasz_score: common.calinski_harabasz_score,
      partition_coefficient: num(fit.partitionCoefficient),
      partition_entropy: num(fit.partitionEntropy),
      partition_entropy_log_base: 'e',
    },
    features_used: [...features],
    clusters,
  };
}
