/**
 * Gaussian mixture EM, step for step as scikit-learn's GaussianMixture
 * (sklearn/mixture/_gaussian_mixture.py): the same M-step estimators
 * (responsibility sums padded by 10·eps, reg_covar on the diagonal), the same
 * Cholesky-of-precision parametrisation, the E-step in log space, the lower
 * bound taken from the E-step of each iteration, convergence on its change.
 *
 * Layouts (all row-major Float64Array):
 *  x: n×d; resp: n×k; means: k×d;
 *  covariances: full k×d×d, tied d×d, diag k×d, spherical k;
 *  precision factors: full k×d×d and tied d×d hold L⁻¹ (lower-triangular,
 *  L the covariance's Cholesky factor, so ‖L⁻¹(x−μ)‖² is the Mahalanobis
 *  distance; sklearn stores its transpose), diag k×d and spherical k hold 1/σ.
 */
import { choleskyLower, invertLower, logSumExp } from './linalg';
import { kmeans } from './kmeans';
import { Random } from './random';
import type { IterationStep } from './fitDriver';

export type CovarianceType = 'full' | 'tied' | 'diag' | 'spherical';
export const COVARIANCE_TYPES: readonly CovarianceType[] = ['full', 'tied', 'diag', 'spherical'];

const EPS = 2.220446049250313e-16;
const LOG_2PI = Math.log(2 * Math.PI);

export interface GmmParameters {
  weights: Float64Array;
  means: Float64Array;
  covariances: Float64Array;
}

export interface GmmModel extends GmmParameters {
  covarianceType: CovarianceType;
  k: number;
  d: number;
  precisionFactors: Float64Array;
  /** log det of each component's precision factor (= −½ log det Σ). */
  logDets: Float64Array;
}

export interface EmOptions {
  tol: number;
  maxIter: number;
  regCovar: number;
}

export interface EmResult {
  model: GmmModel;
  /** Posterior of the final E-step, n×k, so labels match the returned parameters. */
  resp: Float64Array;
  /** Mean per-sample log-likelihood at the last iteration (sklearn's lower_bound_). */
  lowerBound: number;
  lowerBounds: number[];
  nIterations: number;
  converged: boolean;
  score: number;
}

/** Raised inside EM when a covariance is not positive definite; the caller decides on retries. */
export class IllDefinedCovarianceError extends Error {
  constructor(readonly component: number) {
    super(`component ${component} has an ill-defined covariance`);
    this.name = 'IllDefinedCovarianceError';
  }
}

export function covarianceSize(type: CovarianceType, k: number, d: number): number {
  switch (type) {
    case 'full':
      return k * d * d;
    case 'tied':
      return d * d;
    case 'diag':
      return k * d;
    case 'spherical':
      return k;
  }
}

/** Free parameters, as sklearn's _n_parameters: for BIC and AIC. */
export function nParameters(type: CovarianceType, k: number, d: number): number {
  const covariance = {
    full: (k * d * (d + 1)) / 2,
    tied: (d * (d + 1)) / 2,
    diag: k * d,
    spherical: k,
  }[type];
  return covariance + k * d + k - 1;
}

/** Builds the model (precision factors, log-determinants) from parameters; throws IllDefinedCovarianceError. */
export function modelFromParameters(type: CovarianceType, k: number, d: number, params: GmmParameters): GmmModel {
  const factors = new Float64Array(covarianceSize(type, k, d));
  const logDets = new Float64Array(k);
  const { covariances } = params;
  if (type === 'full' || type === 'tied') {
    const blocks = type === 'full' ? k : 1;
    const chol = new Float64Array(d * d);
    for (let b = 0; b < blocks; b++) {
      const cov = covariances.subarray(b * d * d, (b + 1) * d * d);
      if (!choleskyLower(cov, d, chol)) throw new IllDefinedCovarianceError(b);
      const inv = factors.subarray(b * d * d, (b + 1) * d * d);
      invertLower(chol, d, inv);
      let logDet = 0;
      for (let j = 0; j < d; j++) logDet += Math.log(inv[j * d + j]);
      if (type === 'full') logDets[b] = logDet;
      else logDets.fill(logDet);
    }
  } else {
    for (let i = 0; i < factors.length; i++) {
      if (!(covariances[i] > 0)) throw new IllDefinedCovarianceError(type === 'diag' ? Math.floor(i / d) : i);
      factors[i] = 1 / Math.sqrt(covariances[i]);
    }
    for (let c = 0; c < k; c++) {
      if (type === 'diag') {
        let logDet = 0;
        for (let j = 0; j < d; j++) logDet += Math.log(factors[c * d + j]);
        logDets[c] = logDet;
      } else {
        logDets[c] = d * Math.log(factors[c]);
      }
    }
  }
  return { ...params, covarianceType: type, k, d, precisionFactors: factors, logDets };
}

/**
 * E-step: writes the posterior into `resp` (n×k) and returns the mean over
 * samples of log Σ_c π_c N(x | μ_c, Σ_c). Computed row by row in log space.
 */
export function expectationStep(x: Float64Array, n: number, model: GmmModel, resp: Float64Array): number {
  const { k, d } = model;
  const logWeights = model.weights.map(Math.log);
  const constant = d * LOG_2PI;
  const weighted = new Float64Array(k);
  const diff = new Float64Array(d);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const row = i * d;
    for (let c = 0; c < k; c++) {
      const mean = c * d;
      for (let j = 0; j < d; j++) diff[j] = x[row + j] - model.means[mean + j];
      const mahalanobis = squaredMahalanobis(model, c, diff);
      weighted[c] = -0.5 * (constant + mahalanobis) + model.logDets[c] + logWeights[c];
    }
    const norm = logSumExp(weighted, 0, k);
    total += norm;
    for (let c = 0; c < k; c++) resp[i * k + c] = Math.exp(weighted[c] - norm);
  }
  return total / n;
}

function squaredMahalanobis(model: GmmModel, c: number, diff: Float64Array): number {
  const { d, precisionFactors: f } = model;
  let q = 0;
  switch (model.covarianceType) {
    case 'full':
    case 'tied': {
      const base = model.covarianceType === 'full' ? c * d * d : 0;
      for (let a = 0; a < d; a++) {
        const row = base + a * d;
        let s = 0;
        for (let b = 0; b <= a; b++) s += f[row + b] * diff[b];
        q += s * s;
      }
      return q;
    }
    case 'diag':
      for (let j = 0; j < d; j++) {
        const s = diff[j] * f[c * d + j];
        q += s * s;
      }
      return q;
    case 'spherical':
      for (let j = 0; j < d; j++) q += diff[j] * diff[j];
      return q * f[c] * f[c];
  }
}

/** sklearn's _estimate_gaussian_parameters: weights (unnormalised n_k), means and covariances from responsibilities. */
export function estimateParameters(
  x: Float64Array,
  n: number,
  d: number,
  resp: Float64Array,
  k: number,
  type: CovarianceType,
  regCovar: number,
  gram?: Float64Array,
): GmmParameters {
  const nk = new Float64Array(k);
  const means = new Float64Array(k * d);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) {
      const r = resp[i * k + c];
      if (r === 0) continue;
      nk[c] += r;
      for (let j = 0; j < d; j++) means[c * d + j] += r * x[i * d + j];
    }
  }
  for (let c = 0; c < k; c++) {
    nk[c] += 10 * EPS;
    for (let j = 0; j < d; j++) means[c * d + j] /= nk[c];
  }
  const covariances = new Float64Array(covarianceSize(type, k, d));
  switch (type) {
    case 'full':
      fullCovariances(x, n, d, resp, k, nk, means, regCovar, covariances);
      break;
    case 'tied':
      tiedCovariance(gram ?? gramMatrix(x, n, d), d, k, nk, means, regCovar, covariances);
      break;
    case 'diag':
    case 'spherical':
      diagonalCovariances(x, n, d, resp, k, nk, means, regCovar, type, covariances);
      break;
  }
  return { weights: nk, means, covariances };
}

function fullCovariances(
  x: Float64Array,
  n: number,
  d: number,
  resp: Float64Array,
  k: number,
  nk: Float64Array,
  means: Float64Array,
  regCovar: number,
  out: Float64Array,
): void {
  const diff = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) {
      const r = resp[i * k + c];
      if (r === 0) continue;
      for (let j = 0; j < d; j++) diff[j] = x[i * d + j] - means[c * d + j];
      const block = c * d * d;
      for (let a = 0; a < d; a++) {
        const ra = r * diff[a];
        const row = block + a * d;
        for (let b = 0; b <= a; b++) out[row + b] += ra * diff[b];
      }
    }
  }
  for (let c = 0; c < k; c++) {
    const block = c * d * d;
    for (let a = 0; a < d; a++) {
      for (let b = 0; b <= a; b++) {
        const v = out[block + a * d + b] / nk[c];
        out[block + a * d + b] = v;
        out[block + b * d + a] = v;
      }
      out[block + a * d + a] += regCovar;
    }
  }
}

/** XᵀX, constant across EM iterations, so the tied M-step computes it once. */
export function gramMatrix(x: Float64Array, n: number, d: number): Float64Array {
  const g = new Float64Array(d * d);
  for (let i = 0; i < n; i++) {
    const row = i * d;
    for (let a = 0; a < d; a++) {
      const xa = x[row + a];
      for (let b = 0; b <= a; b++) g[a * d + b] += xa * x[row + b];
    }
  }
  for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) g[b * d + a] = g[a * d + b];
  return g;
}

function tiedCovariance(
  gram: Float64Array,
  d: number,
  k: number,
  nk: Float64Array,
  means: Float64Array,
  regCovar: number,
  out: Float64Array,
): void {
  // sklearn: (XᵀX − Σ_c n_c μ_c μ_cᵀ) / Σ n_c
  let total = 0;
  for (let c = 0; c < k; c++) total += nk[c];
  for (let a = 0; a < d; a++) {
    for (let b = 0; b < d; b++) {
      let m = 0;
      for (let c = 0; c < k; c++) m += nk[c] * means[c * d + a] * means[c * d + b];
      out[a * d + b] = (gram[a * d + b] - m) / total;
    }
    out[a * d + a] += regCovar;
  }
}

function diagonalCovariances(
  x: Float64Array,
  n: number,
  d: number,
  resp: Float64Array,
  k: number,
  nk: Float64Array,
  means: Float64Array,
  regCovar: number,
  type: 'diag' | 'spherical',
  out: Float64Array,
): void {
  const squares = new Float64Array(k * d);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) {
      const r = resp[i * k + c];
      if (r === 0) continue;
      for (let j = 0; j < d; j++) {
        const v = x[i * d + j];
        squares[c * d + j] += r * v * v;
      }
    }
  }
  for (let c = 0; c < k; c++) {
    let sum = 0;
    for (let j = 0; j < d; j++) {
      const m = means[c * d + j];
      // sklearn's avg_X2 − 2·avg_X_means + avg_means2, in its order of operations
      const v = squares[c * d + j] / nk[c] - 2 * (m * m) + m * m + regCovar;
      if (type === 'diag') out[c * d + j] = v;
      else sum += v;
    }
    if (type === 'spherical') out[c] = sum / d;
  }
}

/** M-step: new parameters from the posterior, weights normalised to sum to 1. */
export function maximizationStep(
  x: Float64Array,
  n: number,
  d: number,
  resp: Float64Array,
  k: number,
  type: CovarianceType,
  regCovar: number,
  gram?: Float64Array,
): GmmModel {
  const params = estimateParameters(x, n, d, resp, k, type, regCovar, gram);
  let sum = 0;
  for (let c = 0; c < k; c++) sum += params.weights[c];
  for (let c = 0; c < k; c++) params.weights[c] /= sum;
  return modelFromParameters(type, k, d, params);
}

/** sklearn's init_params='kmeans': one k-means run, its hard labels as responsibilities. */
export function kmeansInitialParameters(
  x: Float64Array,
  n: number,
  d: number,
  k: number,
  type: CovarianceType,
  regCovar: number,
  rng: Random,
  gram?: Float64Array,
): GmmParameters {
  const { labels } = kmeans(x, n, d, k, rng);
  const resp = new Float64Array(n * k);
  for (let i = 0; i < n; i++) resp[i * k + labels[i]] = 1;
  const params = estimateParameters(x, n, d, resp, k, type, regCovar, gram);
  for (let c = 0; c < k; c++) params.weights[c] /= n;
  return params;
}

/**
 * EM from the given starting parameters, one yield per iteration. Throws
 * IllDefinedCovarianceError when a covariance stops being positive definite.
 */
export function* expectationMaximization(
  x: Float64Array,
  n: number,
  d: number,
  k: number,
  type: CovarianceType,
  initial: GmmParameters,
  options: EmOptions,
  gram?: Float64Array,
): Generator<IterationStep, EmResult> {
  const { tol, maxIter, regCovar } = options;
  const g = type === 'tied' ? (gram ?? gramMatrix(x, n, d)) : undefined;
  let model = modelFromParameters(type, k, d, initial);
  const resp = new Float64Array(n * k);
  const lowerBounds: number[] = [];
  let lowerBound = -Infinity;
  let converged = false;
  let iteration = 0;
  while (iteration < maxIter) {
    iteration++;
    const previous = lowerBound;
    lowerBound = expectationStep(x, n, model, resp);
    model = maximizationStep(x, n, d, resp, k, type, regCovar, g);
    lowerBounds.push(lowerBound);
    yield { iteration, maxIterations: maxIter };
    if (Math.abs(lowerBound - previous) < tol) {
      converged = true;
      break;
    }
  }
  // The final E-step: posteriors (and so labels) of the parameters returned.
  const score = expectationStep(x, n, model, resp);
  return { model, resp, lowerBound, lowerBounds, nIterations: iteration, converged, score };
}
