/**
 * The Gaussian mixture in a model file, and scoring rows with it: the
 * parameters as scikit-learn's GaussianMixture holds them (weights_,
 * means_, covariances_, precisions_cholesky_, in profile cluster order), so
 * a GaussianMixture given them computes the same predict_proba and
 * score_samples (tools/golden/make_score_golden.py checks it); and the E-step
 * the fit ends with (src/engine/kernels/gmm.ts), so the training rows score
 * exactly as the fit assigned them.
 */
import { COVARIANCE_TYPES, EmWorkspace, modelFromFactors, type CovarianceType, type GmmModel } from '../kernels/gmm';
import { transposeSquare } from '../kernels/linalg';
import type { StandardisedSource } from '../kernels/standardise';
import { hardLabels, type JsonObject } from '../profile/profile';
import type { GmmFit } from '../methods/gmmSegmentation';
import { finite, nested, numbers, type ModelReader } from './modelFile';

/** The covariances' (and precision factors') shape as scikit-learn has it. */
export function covarianceShape(type: CovarianceType, k: number, d: number): number[] {
  return { full: [k, d, d], tied: [d, d], diag: [k, d], spherical: [k] }[type];
}

/**
 * Between GmmModel.precisionFactors (L⁻¹, lower triangular, for full and
 * tied) and scikit-learn's precisions_cholesky_ (its transpose, upper); the
 * same both ways. Diag and spherical hold 1/σ in both.
 */
function sklearnFactors(type: CovarianceType, k: number, d: number, factors: Float64Array): Float64Array {
  if (type !== 'full' && type !== 'tied') return factors;
  const out = new Float64Array(factors.length);
  for (let b = 0; b < (type === 'full' ? k : 1); b++) out.set(transposeSquare(factors.subarray(b * d * d, (b + 1) * d * d), d), b * d * d);
  return out;
}

/** The model file's GMM part. */
export function gmmModelJson(fit: GmmFit): JsonObject {
  const { covarianceType: type, k, d, weights, means, covariances, precisionFactors } = fit.model;
  const shape = covarianceShape(type, k, d);
  return {
    covariance_type: type,
    weights: numbers(weights),
    means: nested(means, [k, d]),
    covariances: nested(covariances, shape),
    precisions_cholesky: nested(sklearnFactors(type, k, d, precisionFactors), shape),
    unusual_threshold: finite(fit.unusualThreshold),
  };
}

export interface GmmScoringModel {
  k: number;
  model: GmmModel;
  /** Rows whose log-likelihood is below it are unusual (the training rows' 1st percentile). */
  unusualThreshold: number;
}

/** The GMM part of a model file with d features, checked. */
export function readGmmModel(reader: ModelReader, d: number): GmmScoringModel {
  const type = reader.choice('covariance_type', COVARIANCE_TYPES);
  const weights = reader.vector('weights', undefined, (w) => w > 0, 'positive numbers');
  const k = weights.length;
  if (k < 2) reader.fail('weights', 'at least 2 positive numbers (one per cluster)');
  const shape = covarianceShape(type, k, d);
  const means = reader.matrix('means', k, d);
  const covariances = reader.shaped('covariances', shape);
  const factors = sklearnFactors(type, k, d, reader.shaped('precisions_cholesky', shape));
  // The log-determinants are the logs of the factors' diagonals: they must be positive.
  const diagonal = (b: number, j: number) => (type === 'full' || type === 'tied' ? factors[b * d * d + j * d + j] : type === 'diag' ? factors[b * d + j] : factors[b]);
  for (let b = 0; b < (type === 'tied' ? 1 : k); b++) {
    for (let j = 0; j < (type === 'spherical' ? 1 : d); j++) {
      if (!(diagonal(b, j) > 0)) reader.fail('precisions_cholesky', `${shape.join(' × ')} numbers, the Cholesky factors of the precisions (a positive diagonal)`);
    }
  }
  const unusualThreshold = reader.number('unusual_threshold');
  return { k, model: modelFromFactors(type, k, d, { weights, means, covariances }, factors), unusualThreshold };
}

export interface GmmScores {
  labels: Int32Array;
  /** n×k posteriors (predict_proba). */
  resp: Float64Array;
  /** n log-likelihoods (score_samples). */
  logLikelihoods: Float64Array;
  /** 1 where the log-likelihood is below the unusual threshold, else 0. */
  unusual: Uint8Array;
}

/**
 * Posteriors, log-likelihoods and the unusual flag of the n rows of `source`
 * (standardised as the E-step reads them, no n×d matrix made), on up to `threads` threads.
 */
export function scoreGmm(scoring: GmmScoringModel, source: StandardisedSource, n: number, threads: number, log?: (message: string) => void): GmmScores {
  const { model, k, unusualThreshold } = scoring;
  const workspace = new EmWorkspace(new Float64Array(0), n, model.d, k, model.covarianceType, { threads, log, rowLogLikelihoods: true, source });
  try {
    // The workspace's buffers themselves: it runs no other pass before it is closed.
    const { resp, logLikelihoods } = workspace.posterior(model);
    const unusual = new Uint8Array(n);
    for (let i = 0; i < n; i++) unusual[i] = logLikelihoods[i] < unusualThreshold ? 1 : 0;
    return { labels: hardLabels(resp, n, k), resp, logLikelihoods, unusual };
  } finally {
    workspace.close();
  }
}
