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
 * samples of log Σ_c π_c N(x | μ_c, Σ_c). The weighted log-probabilities are
 * first written into `resp`, then each row is normalised in place (log space).
 */
export function expectationStep(x: Float64Array, n: number, model: GmmModel, resp: Float64Array): number {
  const { k } = model;
  if (model.covarianceType === 'full' || model.covarianceType === 'tied') triangularLogProb(x, n, model, resp);
  else diagonalLogProb(x, n, model, resp);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const row = i * k;
    const norm = logSumExp(resp, row, k);
    total += norm;
    for (let c = 0; c < k; c++) resp[row + c] = Math.exp(resp[row + c] - norm);
  }
  return total / n;
}

/** log π_c − ½ d log 2π + log det(precision factor), per component. */
function logProbBias(model: GmmModel): Float64Array {
  const bias = new Float64Array(model.k);
  for (let c = 0; c < model.k; c++) bias[c] = Math.log(model.weights[c]) - 0.5 * model.d * LOG_2PI + model.logDets[c];
  return bias;
}

/**
 * Full and tied: ‖L⁻¹x − L⁻¹μ‖² (sklearn's X·prec_chol − μ·prec_chol). Two
 * components × four rows per pass: eight independent sums hide the
 * floating-point add latency that bounds a single dot product, and each
 * loaded x feeds two factor rows. A leftover component goes four rows at a
 * time, leftover rows one at a time.
 */
function triangularLogProb(x: Float64Array, n: number, model: GmmModel, out: Float64Array): void {
  const { k, d, precisionFactors: f, means } = model;
  const bias = logProbBias(model);
  const factorBase = (c: number) => (model.covarianceType === 'full' ? c * d * d : 0);
  // L⁻¹μ per component, k×d.
  const projected = new Float64Array(k * d);
  for (let c = 0; c < k; c++) {
    const base = factorBase(c);
    for (let a = 0; a < d; a++) {
      let s = 0;
      for (let b = 0; b <= a; b++) s += f[base + a * d + b] * means[c * d + b];
      projected[c * d + a] = s;
    }
  }
  const blocked = n - (n % 4);
  let c = 0;
  for (; c + 2 <= k; c += 2) {
    const f0 = factorBase(c);
    const f1 = factorBase(c + 1);
    const p0 = c * d;
    const p1 = (c + 1) * d;
    for (let i = 0; i < blocked; i += 4) {
      const x0 = i * d;
      const x1 = x0 + d;
      const x2 = x1 + d;
      const x3 = x2 + d;
      let q00 = 0;
      let q01 = 0;
      let q02 = 0;
      let q03 = 0;
      let q10 = 0;
      let q11 = 0;
      let q12 = 0;
      let q13 = 0;
      for (let a = 0; a < d; a++) {
        const m0 = projected[p0 + a];
        const m1 = projected[p1 + a];
        let s00 = -m0;
        let s01 = -m0;
        let s02 = -m0;
        let s03 = -m0;
        let s10 = -m1;
        let s11 = -m1;
        let s12 = -m1;
        let s13 = -m1;
        const r0 = f0 + a * d;
        const r1 = f1 + a * d;
        for (let b = 0; b <= a; b++) {
          const g0 = f[r0 + b];
          const g1 = f[r1 + b];
          const v0 = x[x0 + b];
          const v1 = x[x1 + b];
          const v2 = x[x2 + b];
          const v3 = x[x3 + b];
          s00 += g0 * v0;
          s01 += g0 * v1;
          s02 += g0 * v2;
          s03 += g0 * v3;
          s10 += g1 * v0;
          s11 += g1 * v1;
          s12 += g1 * v2;
          s13 += g1 * v3;
        }
        q00 += s00 * s00;
        q01 += s01 * s01;
        q02 += s02 * s02;
        q03 += s03 * s03;
        q10 += s10 * s10;
        q11 += s11 * s11;
        q12 += s12 * s12;
        q13 += s13 * s13;
      }
      const o = i * k + c;
      out[o] = bias[c] - 0.5 * q00;
      out[o + k] = bias[c] - 0.5 * q01;
      out[o + 2 * k] = bias[c] - 0.5 * q02;
      out[o + 3 * k] = bias[c] - 0.5 * q03;
      out[o + 1] = bias[c + 1] - 0.5 * q10;
      out[o + k + 1] = bias[c + 1] - 0.5 * q11;
      out[o + 2 * k + 1] = bias[c + 1] - 0.5 * q12;
      out[o + 3 * k + 1] = bias[c + 1] - 0.5 * q13;
    }
  }
  for (; c < k; c++) {
    const base = factorBase(c);
    for (let i = 0; i < blocked; i += 4) {
      const x0 = i * d;
      const x1 = x0 + d;
      const x2 = x1 + d;
      const x3 = x2 + d;
      let q0 = 0;
      let q1 = 0;
      let q2 = 0;
      let q3 = 0;
      for (let a = 0; a < d; a++) {
        const m = projected[c * d + a];
        let s0 = -m;
        let s1 = -m;
        let s2 = -m;
        let s3 = -m;
        const row = base + a * d;
        for (let b = 0; b <= a; b++) {
          const g = f[row + b];
          s0 += g * x[x0 + b];
          s1 += g * x[x1 + b];
          s2 += g * x[x2 + b];
          s3 += g * x[x3 + b];
        }
        q0 += s0 * s0;
        q1 += s1 * s1;
        q2 += s2 * s2;
        q3 += s3 * s3;
      }
      out[i * k + c] = bias[c] - 0.5 * q0;
      out[(i + 1) * k + c] = bias[c] - 0.5 * q1;
      out[(i + 2) * k + c] = bias[c] - 0.5 * q2;
      out[(i + 3) * k + c] = bias[c] - 0.5 * q3;
    }
  }
  for (let i = blocked; i < n; i++) {
    const x0 = i * d;
    for (let comp = 0; comp < k; comp++) {
      const base = factorBase(comp);
      let q = 0;
      for (let a = 0; a < d; a++) {
        let s = -projected[comp * d + a];
        for (let b = 0; b <= a; b++) s += f[base + a * d + b] * x[x0 + b];
        q += s * s;
      }
      out[i * k + comp] = bias[comp] - 0.5 * q;
    }
  }
}

/** Diag and spherical: Σ_j ((x_j − μ_j)/σ_j)², a short loop per component. */
function diagonalLogProb(x: Float64Array, n: number, model: GmmModel, out: Float64Array): void {
  const { k, d, precisionFactors: f, means } = model;
  const bias = logProbBias(model);
  const spherical = model.covarianceType === 'spherical';
  for (let i = 0; i < n; i++) {
    const row = i * d;
    for (let c = 0; c < k; c++) {
      let q = 0;
      if (spherical) {
        for (let j = 0; j < d; j++) {
          const diff = x[row + j] - means[c * d + j];
          q += diff * diff;
        }
        q *= f[c] * f[c];
      } else {
        for (let j = 0; j < d; j++) {
          const s = (x[row + j] - means[c * d + j]) * f[c * d + j];
          q += s * s;
        }
      }
      out[i * k + c] = bias[c] - 0.5 * q;
    }
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
  for (let i = 0; i < n; i++) for (let c = 0; c < k; c++) nk[c] += resp[i * k + c];
  for (let c = 0; c < k; c++) nk[c] += 10 * EPS;
  const means = weightedMeans(x, n, d, resp, k, nk);
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

/**
 * Responsibilities below this add less than an ulp to a component's sums
 * once it holds at least one sample's worth of weight; skipping them halves
 * the covariance pass on separated data (most posteriors underflow to ~0).
 */
const NEGLIGIBLE_RESPONSIBILITY = 1e-16;

/** Σ_i r_ic x_i / n_c, four rows per pass (independent sums; negligible weights skipped as in the covariances). */
function weightedMeans(x: Float64Array, n: number, d: number, resp: Float64Array, k: number, nk: Float64Array): Float64Array {
  const means = new Float64Array(k * d);
  const rows = new Int32Array(4);
  const weight = new Float64Array(4);
  for (let c = 0; c < k; c++) {
    const skip = nk[c] >= 1 ? NEGLIGIBLE_RESPONSIBILITY : 0;
    const mean = means.subarray(c * d, c * d + d);
    let m = 0;
    for (let i = 0; i < n; i++) {
      const r = resp[i * k + c];
      if (r <= skip) continue;
      rows[m] = i * d;
      weight[m] = r;
      if (++m === 4) {
        const r0 = rows[0];
        const r1 = rows[1];
        const r2 = rows[2];
        const r3 = rows[3];
        const w0 = weight[0];
        const w1 = weight[1];
        const w2 = weight[2];
        const w3 = weight[3];
        for (let j = 0; j < d; j++) mean[j] += w0 * x[r0 + j] + w1 * x[r1 + j] + (w2 * x[r2 + j] + w3 * x[r3 + j]);
        m = 0;
      }
    }
    for (let t = 0; t < m; t++) for (let j = 0; j < d; j++) mean[j] += weight[t] * x[rows[t] + j];
    for (let j = 0; j < d; j++) mean[j] /= nk[c];
  }
  return means;
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
  // Four rows at a time: each lower-triangle entry is loaded and stored once per four rows.
  const diff = new Float64Array(4 * d);
  const weight = new Float64Array(4);
  for (let c = 0; c < k; c++) {
    const block = c * d * d;
    const skip = nk[c] >= 1 ? NEGLIGIBLE_RESPONSIBILITY : 0;
    let m = 0;
    for (let i = 0; i < n; i++) {
      const r = resp[i * k + c];
      if (r <= skip) continue;
      for (let a = 0; a < d; a++) diff[m * d + a] = x[i * d + a] - means[c * d + a];
      weight[m] = r;
      if (++m === 4) {
        rankFourUpdate(diff, weight, d, out, block);
        m = 0;
      }
    }
    if (m > 0) {
      weight.fill(0, m);
      diff.fill(0, m * d);
      rankFourUpdate(diff, weight, d, out, block);
    }
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

/** Lower triangle of cov += Σ_{t<4} w_t · diff_t diff_tᵀ. */
function rankFourUpdate(diff: Float64Array, w: Float64Array, d: number, cov: Float64Array, block: number): void {
  const d2 = 2 * d;
  const d3 = 3 * d;
  for (let a = 0; a < d; a++) {
    const w0 = w[0] * diff[a];
    const w1 = w[1] * diff[d + a];
    const w2 = w[2] * diff[d2 + a];
    const w3 = w[3] * diff[d3 + a];
    const row = block + a * d;
    for (let b = 0; b <= a; b++) {
      cov[row + b] += w0 * diff[b] + w1 * diff[d + b] + (w2 * diff[d2 + b] + w3 * diff[d3 + b]);
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
