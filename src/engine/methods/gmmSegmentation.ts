/**
 * The Gaussian Mixture method: validated options, EM restarts through the
 * fit driver, the ill-defined-covariance retry ladder, cluster numbering,
 * and the GMM part of the profile (../shared/spec/PROFILE.md "Gaussian Mixture Model").
 */
import type { GmmOptions } from '../../shared/methods';
import { SegmentError } from '../errors';
import { runRestarts } from '../kernels/fitDriver';
import {
  EmWorkspace,
  IllDefinedCovarianceError,
  expectationMaximization,
  kmeansInitialParameters,
  nParameters,
  type EmResult,
  type GmmModel,
} from '../kernels/gmm';
import type { PreparedData } from '../data/prepare';
import {
  clusterBase,
  clusterOrder,
  hardLabels,
  commonMetadata,
  commonMetrics,
  silhouetteOptions,
  featureMap,
  isoLocal,
  membersOf,
  num,
  permuteRows,
  round,
  toOriginalUnits,
  type JsonObject,
  type KnownSilhouettes,
  type Profile,
} from '../profile/profile';
import type { RunControl } from '../progress';
import { Segmentation, clusterColumns, requireEnoughRows, type MethodFit, type MethodSteps } from './segmentation';
import { quantileSorted, std } from '../kernels/stats';
import { methodDefaults, optionSpec, optionValue, type OptionNamer } from './options';
import { gmmModelJson } from '../scoring/gmmModel';
import { collapsedVarianceWarnings } from '../profile/warnings';

export type { GmmOptions };

export const GMM_DEFAULTS: Readonly<GmmOptions> = methodDefaults('gmm');

export const HIGH_CONFIDENCE = 0.9;
export const LOW_CONFIDENCE = 0.6;
const REG_COVAR_LADDER = [1e-6, 1e-5, 1e-4, 1e-3];

export interface GmmFit extends MethodFit {
  /** Posterior n×k, columns in profile numbering: the E-step of `model` as it is numbered (as scoring computes it). */
  resp: Float64Array;
  /** Each row's log-likelihood under `model` (scikit-learn's score_samples). */
  logLikelihoods: Float64Array;
  /** The 1st percentile of logLikelihoods (numpy's linear interpolation): scored rows below it are unusual. */
  unusualThreshold: number;
  /** Parameters in profile numbering, standardised units. */
  model: GmmModel;
  em: Omit<EmResult, 'model' | 'resp'>;
  regCovarUsed: number;
  warnings: string[];
}

/** The GMM steps the Segmentation base runs. */
export const GMM_STEPS: MethodSteps<'gmm', GmmFit> = {
  method: 'gmm',
  checkData: checkGmmData,
  fit: (data, options, control) => fitGmm(data, options, control),
  profile: gmmProfile,
  softScores: (fit, options) => ({ columns: clusterColumns('prob_cluster_', options.nClusters), values: fit.resp }),
  model: (fit) => gmmModelJson(fit),
  warnings: (data, fit, options, name) =>
    collapsedVarianceWarnings(data, fit.model, membersOf(fit.labels, options.nClusters).map((m) => m.length), fit.regCovarUsed, name),
};

/** Memory the covariance matrices and their factors may take (full and tied); beyond it a fit would exhaust the machine. */
export const COVARIANCE_MEMORY_BUDGET = 2 ** 31;

/**
 * Full and tied covariances need more rows than features (with fewer, every
 * covariance is singular and the fit means nothing), and d² numbers per
 * component: refused before any work, with the way out.
 */
export function checkGmmData(data: PreparedData, options: GmmOptions, name: OptionNamer): void {
  const { covarianceType, nClusters: k } = options;
  if (covarianceType !== 'full' && covarianceType !== 'tied') return;
  const { n, d } = data;
  const diag = optionValue(name, optionSpec('gmm', 'covarianceType'), 'diag');
  if (d >= n) {
    throw new SegmentError(
      'TOO_FEW_ROWS',
      `There are ${d.toLocaleString('en-US')} features but only ${n.toLocaleString('en-US')} rows: a ${covarianceType} covariance needs more rows than features. ` +
        `Use ${diag}, or cluster on fewer columns.`,
    );
  }
  // Covariances, precision factors and the M-step's scratch: three d×d matrices per component (one for tied).
  const bytes = 3 * (covarianceType === 'full' ? k : 1) * d * d * 8;
  if (bytes > COVARIANCE_MEMORY_BUDGET) {
    throw new SegmentError(
      'TOO_MANY_FEATURES',
      `A ${covarianceType} covariance over ${d.toLocaleString('en-US')} features would take ${(bytes / 2 ** 30).toFixed(1)} GB of memory. ` +
        `Use ${diag}, or cluster on fewer columns.`,
    );
  }
}

export class GaussianMixtureSegmentation extends Segmentation<'gmm', GmmFit> {
  constructor(options: Partial<GmmOptions> = {}) {
    super(GMM_STEPS, options);
  }
}

export function fitGmm(data: PreparedData, options: GmmOptions, control: RunControl = {}): GmmFit {
  const { n, d, z } = data;
  const k = options.nClusters;
  requireEnoughRows(data, k);
  // One workspace (and its engine threads) for every restart and retry; the threads stop however the fit ends.
  const workspace = new EmWorkspace(z, n, d, k, options.covarianceType, {
    threads: options.threads,
    log: control.onLog,
    rowLogLikelihoods: true,
  });
  try {
    return fitInWorkspace(data, options, control, workspace);
  } finally {
    workspace.close();
  }
}

function fitInWorkspace(data: PreparedData, options: GmmOptions, control: RunControl, workspace: EmWorkspace): GmmFit {
  const { n, d, z } = data;
  const k = options.nClusters;
  const warnings: string[] = [];
  const ladder = [options.regCovar, ...REG_COVAR_LADDER.filter((r) => r > options.regCovar)];
  for (const [attempt, regCovar] of ladder.entries()) {
    try {
      const { best } = runRestarts(
        {
          seed: options.randomSeed,
          nInit: options.nInit,
          phase: 'EM iteration',
          signal: control.signal,
          onProgress: (p) => control.onProgress?.({ phase: 'fit', message: p.message, fraction: p.fraction }),
        },
        function* (rng, restart) {
          const init = kmeansInitialParameters(z, n, d, k, options.covarianceType, regCovar, rng, undefined, workspace);
          const em = yield* expectationMaximization(z, n, d, k, options.covarianceType, init, {
            tol: options.tol,
            maxIter: options.maxIter,
            regCovar,
            workspace,
            // The last restart runs no EM after it: its posterior need not be copied out.
            keepResp: restart === options.nInit - 1,
          });
          return { ...em, score: em.lowerBound, finalScore: em.score };
        },
      );
      if (attempt > 0) {
        warnings.push(
          `A cluster's covariance was ill-defined with reg_covar=${options.regCovar}, so the model was refitted with reg_covar=${regCovar}. ` +
            'A cluster may have collapsed onto near-identical customers, or some columns may be (nearly) collinear.',
        );
      }
      if (!best.converged) warnings.push(notConvergedWarning(best.lowerBounds, options));
      return orderFit(best, { ...best, score: best.finalScore }, workspace, regCovar, warnings);
    } catch (error) {
      if (!(error instanceof IllDefinedCovarianceError)) throw error;
    }
  }
  throw new SegmentError(
    'ILL_CONDITIONED',
    `The Gaussian mixture could not be fitted: a cluster's covariance stayed singular even with reg_covar raised to ${REG_COVAR_LADDER[REG_COVAR_LADDER.length - 1]}. ` +
      'Ask for fewer clusters, remove columns that copy or combine others, or use covariance "diag".',
  );
}

/** The training rows' log-likelihood below which a scored row is unusual: its 1st percentile. */
export const UNUSUAL_PERCENTILE = 1;

/**
 * Renumbers the components by descending size (PROFILE.md) and permutes every
 * per-component array alike; then the posterior and the labels come from one
 * more E-step of the renumbered model, the one scoring runs, so that scoring
 * the training rows with the model file repeats them bit for bit (a sum over
 * components in another order can differ in its last bit).
 */
function orderFit(best: EmResult, em: EmResult, workspace: EmWorkspace, regCovarUsed: number, warnings: string[]): GmmFit {
  const { n, d, k } = workspace.layout;
  const order = clusterOrder(hardLabels(best.resp, n, k), k, best.model.means, d);
  const m = best.model;
  const covWidth = m.covarianceType === 'full' ? d * d : m.covarianceType === 'diag' ? d : 1;
  const permuteCov = (a: Float64Array) => (m.covarianceType === 'tied' ? a : permuteRows(a, covWidth, order));
  const model: GmmModel = {
    ...m,
    weights: permuteRows(m.weights, 1, order),
    means: permuteRows(m.means, d, order),
    covariances: permuteCov(m.covariances),
    precisionFactors: permuteCov(m.precisionFactors),
    logDets: permuteRows(m.logDets, 1, order),
  };
  const { resp, logLikelihoods } = workspace.posterior(model);
  const { lowerBound, lowerBounds, nIterations, converged, score } = em;
  return {
    labels: hardLabels(resp, n, k),
    resp,
    logLikelihoods,
    unusualThreshold: quantileSorted(Float64Array.from(logLikelihoods).sort(), UNUSUAL_PERCENTILE / 100),
    model,
    em: { lowerBound, lowerBounds, nIterations, converged, score },
    regCovarUsed,
    warnings,
  };
}

/** Why EM stopped short; the last change of the lower bound only when there were two bounds to compare. */
export function notConvergedWarning(lowerBounds: readonly number[], options: Pick<GmmOptions, 'maxIter' | 'tol'>): string {
  const last = lowerBounds.length;
  const change =
    last > 1 ? `last change of the lower bound ${Math.abs(lowerBounds[last - 1] - lowerBounds[last - 2]).toPrecision(3)}, ` : '';
  const iterations = options.maxIter === 1 ? '1 iteration' : `${options.maxIter} iterations`;
  return `EM did not converge in ${iterations} (${change}tol ${options.tol}). Raise max_iter or tol, or try fewer clusters.`;
}


function componentVariances(model: GmmModel, c: number): Float64Array {
  const { d, covariances: cov } = model;
  const out = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    switch (model.covarianceType) {
      case 'full':
        out[j] = cov[c * d * d + j * d + j];
        break;
      case 'tied':
        out[j] = cov[j * d + j];
        break;
      case 'diag':
        out[j] = cov[c * d + j];
        break;
      case 'spherical':
        out[j] = cov[c];
        break;
    }
  }
  return out;
}

function uncertaintyMetrics(resp: Float64Array, n: number, k: number): JsonObject {
  let sumMax = 0;
  let high = 0;
  let low = 0;
  let entropy = 0;
  for (let i = 0; i < n; i++) {
    let max = 0;
    for (let c = 0; c < k; c++) {
      const p = resp[i * k + c];
      if (p > max) max = p;
      if (p > 0) entropy -= p * Math.log(p);
    }
    sumMax += max;
    if (max >= HIGH_CONFIDENCE) high++;
    if (max < LOW_CONFIDENCE) low++;
  }
  return {
    avg_max_probability: num(sumMax / n),
    high_confidence_count: high,
    high_confidence_pct: round((100 * high) / n, 2),
    low_confidence_count: low,
    avg_entropy: num(entropy / n),
    high_confidence_threshold: HIGH_CONFIDENCE,
    low_confidence_threshold: LOW_CONFIDENCE,
  };
}

function probabilityStats(resp: Float64Array, k: number, c: number, members: Int32Array): JsonObject {
  if (members.length === 0) return { mean: null, std: null, min: null, max: null, median: null };
  const p = Float64Array.from(members, (i) => resp[i * k + c]);
  const sorted = Float64Array.from(p).sort();
  const mid = sorted.length >> 1;
  let total = 0;
  for (const v of p) total += v;
  return {
    mean: num(total / p.length),
    std: num(std(p, 0)),
    min: num(sorted[0]),
    max: num(sorted[sorted.length - 1]),
    median: num(sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2),
  };
}

export function gmmProfile(data: PreparedData, fit: GmmFit, options: GmmOptions, now: Date, signal?: AbortSignal, known?: KnownSilhouettes): Profile {
  const { n, d, features } = data;
  const k = options.nClusters;
  const { model, resp, labels, em } = fit;
  const common = commonMetrics(data, labels, silhouetteOptions(options, signal), known?.silhouette);
  const p = nParameters(options.covarianceType, k, d);
  const logLikelihood = em.score;
  const members = membersOf(labels, k);
  const clusters: Record<string, JsonObject> = {};
  for (let c = 0; c < k; c++) {
    const center = toOriginalUnits(data, model.means.subarray(c * d, c * d + d));
    const variances = componentVariances(model, c).map((v, j) => v * data.scale[j] * data.scale[j]);
    clusters[`cluster_${c}`] = {
      ...clusterBase(data, c, members[c], center),
      mixture_weight: num(model.weights[c]),
      probability_stats: probabilityStats(resp, k, c, members[c]),
      covariance_info: { type: options.covarianceType, feature_variances: featureMap(features, variances) },
    };
  }
  return {
    metadata: {
      ...commonMetadata({
        method: 'gmm',
        data,
        k,
        seed: options.randomSeed,
        timestamp: isoLocal(now),
        silhouetteSampleSize: common.silhouetteSampleSize,
      }),
      covariance_type: options.covarianceType,
      converged: em.converged,
      n_iterations: em.nIterations,
      n_init: options.nInit,
      tol: options.tol,
      max_iter: options.maxIter,
      reg_covar: options.regCovar,
      reg_covar_used: fit.regCovarUsed,
      init_params: 'kmeans',
      lower_bound: num(em.lowerBound),
      warnings: fit.warnings,
    },
    metrics: {
      silhouette_score: common.silhouette_score,
      davies_bouldin_index: common.davies_bouldin_index,
      calinski_harabasz_score: common.calinski_harabasz_score,
      log_likelihood: num(logLikelihood),
      bic: num(-2 * logLikelihood * n + p * Math.log(n)),
      aic: num(-2 * logLikelihood * n + 2 * p),
      n_parameters: p,
    },
    features_used: [...features],
    mixture_weights: Array.from(model.weights, (w) => num(w)),
    uncertainty_metrics: uncertaintyMetrics(resp, n, k),
    clusters,
  };
}
