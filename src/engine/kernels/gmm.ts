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
 *
 * The passes over the rows run in fixed chunks of rows (src/engine/kernels/gmmKernels.ts)
 * whose partial sums are added up in chunk order, in an EmWorkspace; a large
 * fit spreads the chunks over engine threads (src/engine/kernels/threads.ts). The
 * chunks depend only on n, d, k and the covariance type, so every result is
 * the same bit for bit on one thread or several.
 */
import { choleskyLower, invertLower } from './linalg';
import { KMEANS_DEFAULTS, KMEANS_PASS_SHIFT, kmeans, kmeansBuffers, kmeansChunks, type KMeansEngine } from './kmeans';
import { Random } from './random';
import type { IterationStep } from './fitDriver';
import { PASS, emLayout, gmmThreadSetup, runEmChunk, type EmBuffers, type EmLayout } from './gmmKernels';
import type { StandardisedSource } from './standardise';
import { float64Array, openChunkPool, runChunks, sharedCopy, sumSlots, threadTuning, type ChunkPool } from './threads';

import type { CovarianceType } from '../../shared/methods';

export { COVARIANCE_TYPES, type CovarianceType } from '../../shared/methods';

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
  /** Where the steps run (its data stands for x); by default a one-thread workspace for this run. */
  workspace?: EmWorkspace;
  /** The result may keep the workspace's posterior buffer itself: no later run uses the workspace. */
  keepResp?: boolean;
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
  const { covariances } = params;
  if (type === 'full' || type === 'tied') {
    const blocks = type === 'full' ? k : 1;
    const chol = new Float64Array(d * d);
    for (let b = 0; b < blocks; b++) {
      const cov = covariances.subarray(b * d * d, (b + 1) * d * d);
      if (!choleskyLower(cov, d, chol)) throw new IllDefinedCovarianceError(b);
      invertLower(chol, d, factors.subarray(b * d * d, (b + 1) * d * d));
    }
  } else {
    for (let i = 0; i < factors.length; i++) {
      if (!(covariances[i] > 0)) throw new IllDefinedCovarianceError(type === 'diag' ? Math.floor(i / d) : i);
      factors[i] = 1 / Math.sqrt(covariances[i]);
    }
  }
  return modelFromFactors(type, k, d, params, factors);
}

/**
 * The model of parameters whose precision factors are known (as
 * GmmModel.precisionFactors: L⁻¹ for full and tied, 1/σ for diag and
 * spherical), with the log-determinants computed from them.
 */
export function modelFromFactors(type: CovarianceType, k: number, d: number, params: GmmParameters, factors: Float64Array): GmmModel {
  const logDets = new Float64Array(k);
  if (type === 'full' || type === 'tied') {
    const blocks = type === 'full' ? k : 1;
    for (let b = 0; b < blocks; b++) {
      let logDet = 0;
      for (let j = 0; j < d; j++) logDet += Math.log(factors[b * d * d + j * d + j]);
      if (type === 'full') logDets[b] = logDet;
      else logDets.fill(logDet);
    }
  } else {
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
 * Responsibilities below this add less than an ulp to a component's sums
 * once it holds at least one sample's worth of weight; skipping them halves
 * the covariance pass on separated data (most posteriors underflow to ~0).
 */
const NEGLIGIBLE_RESPONSIBILITY = 1e-16;

export interface WorkspaceOptions {
  /** Threads for the passes over the rows, the calling one included; 1 (the default) starts none. */
  threads?: number;
  /** The posterior (n×k) to read and write; a new one by default. Given, no threads are started. */
  resp?: Float64Array;
  /** Where to say why threads are not used (default: NODE_DEBUG=segment). */
  log?: (message: string) => void;
  /** Keep a buffer for each row's log-likelihood, which posterior() fills. */
  rowLogLikelihoods?: boolean;
  /**
   * The rows as columns to standardise (scoring), in place of x (then empty):
   * each chunk is standardised as an E-step reads it, so no n×d matrix is
   * made. Such a workspace runs posterior() only.
   */
  source?: StandardisedSource;
}

/** The posterior of a model over the rows, and each row's log-likelihood (scikit-learn's predict_proba and score_samples). */
export interface GmmPosterior {
  /** n×k. */
  resp: Float64Array;
  /** n: log Σ_c π_c N(x | μ_c, Σ_c). */
  logLikelihoods: Float64Array;
}

/**
 * Work of one pass over the rows (multiply-adds, about) below which engine
 * threads do not pay for themselves; measured with bench/case.ts.
 */
export const MIN_PARALLEL_WORK = 1_000_000;

/** One pass's work: n·k·d(d+1)/2 for full and tied, n·k·d for diag and spherical. */
function passWork(n: number, d: number, k: number, type: CovarianceType): number {
  return n * k * (type === 'full' || type === 'tied' ? (d * (d + 1)) / 2 : d);
}

/**
 * Where the E- and M-steps run: the data, the posterior, the buffers of the
 * chunked passes (src/engine/kernels/gmmKernels.ts) and, for a fit large enough, a
 * pool of engine threads that share them. One per fit: restarts and the
 * reg_covar retries reuse it. close() it when done (it stops the threads).
 * Whatever the number of threads, every result is the same bit for bit.
 */
export class EmWorkspace {
  readonly layout: EmLayout;
  /** The posterior of the last E-step (or the responsibilities an M-step reads), n×k. */
  readonly resp: Float64Array;
  private readonly buffers: EmBuffers;
  private readonly local: (pass: number, chunk: number) => void;
  private pool: ChunkPool | null = null;
  private gramMatrix: Float64Array | undefined;

  constructor(x: Float64Array, n: number, d: number, k: number, type: CovarianceType, options: WorkspaceOptions = {}) {
    const layout = emLayout(n, d, k, type);
    this.layout = layout;
    const workers = Math.min(options.threads ?? 1, layout.nChunks) - 1;
    const threaded =
      workers > 0 && options.resp === undefined && passWork(n, d, k, type) >= (threadTuning.minWork ?? MIN_PARALLEL_WORK);
    const alloc = (length: number) => float64Array(length, threaded);
    const { source } = options;
    // (With a source x is empty.)
    const data = threaded ? sharedCopy(x.subarray(0, n * d)) : x;
    const resp = options.resp ?? alloc(n * k);
    this.buffers = {
      x: data,
      resp,
      params: alloc(layout.paramsSize),
      partials: alloc(layout.nChunks * layout.slot),
      // K-Means' passes (GMM's start), worth spreading over the threads only. Its seeding's
      // scratch is the posterior, unused until the k-means labels fill it.
      kmeans:
        threaded && !source
          ? kmeansBuffers(data, n, d, k, alloc, (length) => new Int32Array(new SharedArrayBuffer(length * 4)), resp)
          : undefined,
      logLikelihoods: options.rowLogLikelihoods ? alloc(n) : undefined,
      source: source && threaded ? sharedSource(source) : source,
    };
    this.resp = this.buffers.resp;
    const buffers = this.buffers;
    this.local = (pass, chunk) => runEmChunk(layout, buffers, pass, chunk);
    if (threaded) this.pool = openChunkPool(workers, { kind: 'gmm', setup: gmmThreadSetup(layout, buffers) }, options.log);
  }

  /** Threads the passes run on, this one included. */
  get threads(): number {
    return this.pool?.threads ?? 1;
  }

  /** K-Means' passes on the engine threads (GMM's start, for this workspace's k); undefined without threads. */
  get kmeans(): KMeansEngine | undefined {
    const buffers = this.buffers.kmeans;
    if (!this.pool || !buffers) return undefined;
    return {
      buffers,
      run: (pass) => runChunks(this.pool, PASS.KMEANS | (pass << KMEANS_PASS_SHIFT), kmeansChunks(buffers, pass, this.layout.chunkRows), this.local),
    };
  }

  /** Stops the engine threads; the workspace still works, on one thread. */
  close(): void {
    this.pool?.close();
    this.pool = null;
  }

  /** E-step: the posterior of `model` into resp; returns the mean log-likelihood. */
  expectation(model: GmmModel): number {
    this.writeModel(model);
    this.run(PASS.E_STEP);
    return this.logLikelihood();
  }

  /**
   * The E-step of `model` with each row's log-likelihood (the workspace made
   * with rowLogLikelihoods). Each row's numbers depend on that row and the
   * model only, in the model's component order, so scoring new rows repeats a
   * fit's numbers bit for bit. The workspace's last pass: it hands over its
   * own buffers (n×k and n, no copies at the run's largest), which a later
   * pass would overwrite.
   */
  posterior(model: GmmModel): GmmPosterior {
    const rows = this.buffers.logLikelihoods;
    if (!rows) throw new Error('the workspace keeps no row log-likelihoods');
    this.writeModel(model);
    this.run(PASS.E_STEP | PASS.ROW_LOG_LIKELIHOOD);
    return { resp: this.resp, logLikelihoods: rows };
  }

  /**
   * One EM iteration's passes: the E-step of `model` and, from its posterior,
   * the M-step's estimates (unnormalised weights n_k). The E-step, n_k, the
   * means' sums (and diag's squares) share one pass over the rows.
   */
  iterate(model: GmmModel, regCovar: number): { lowerBound: number; params: GmmParameters } {
    this.writeModel(model);
    this.buffers.params.fill(NEGLIGIBLE_RESPONSIBILITY, this.layout.skip, this.layout.skip + this.layout.k);
    this.run(PASS.E_STEP | PASS.SUMS);
    const lowerBound = this.logLikelihood();
    return { lowerBound, params: this.estimate(regCovar) };
  }

  /** sklearn's _estimate_gaussian_parameters from the responsibilities in resp (weights are n_k, unnormalised). */
  estimateFromResp(regCovar: number): GmmParameters {
    this.buffers.params.fill(NEGLIGIBLE_RESPONSIBILITY, this.layout.skip, this.layout.skip + this.layout.k);
    this.run(PASS.SUMS);
    return this.estimate(regCovar);
  }

  /** XᵀX (tied), constant across iterations, so computed once per workspace. */
  gram(): Float64Array {
    if (this.gramMatrix) return this.gramMatrix;
    const { d } = this.layout;
    if (this.layout.type !== 'tied') throw new Error('the Gram matrix is kept for tied covariances only');
    this.run(PASS.GRAM);
    const packed = new Float64Array((d * (d + 1)) / 2);
    sumSlots(this.layout, this.buffers.partials, this.layout.second, packed.length, packed);
    const g = new Float64Array(d * d);
    for (let a = 0; a < d; a++) {
      for (let b = 0; b <= a; b++) {
        g[a * d + b] = packed[((a * (a + 1)) >> 1) + b];
        g[b * d + a] = g[a * d + b];
      }
    }
    this.gramMatrix = g;
    return g;
  }

  /** Uses a Gram matrix computed elsewhere (tied). */
  useGram(gram: Float64Array): void {
    this.gramMatrix = gram;
  }

  private run(pass: number): void {
    runChunks(this.pool, pass, this.layout.nChunks, this.local);
  }

  private logLikelihood(): number {
    const { partials } = this.buffers;
    let total = 0;
    for (let ch = 0; ch < this.layout.nChunks; ch++) total += partials[ch * this.layout.slot];
    return total / this.layout.n;
  }

  /** What the E-step reads: log π_c − ½ d log 2π + log det(precision factor), the factors, the means, and L⁻¹μ for full and tied. */
  private writeModel(model: GmmModel): void {
    const L = this.layout;
    const { params } = this.buffers;
    const { bias, projected } = eStepConstants(model);
    params.set(bias, L.bias);
    params.set(model.precisionFactors, L.factors);
    params.set(model.means, L.means);
    if (L.type === 'full' || L.type === 'tied') params.set(projected, L.projected);
  }

  /** From the SUMS pass's partials: n_k (+10·eps), the means, then the covariances (reg_covar on the diagonal). */
  private estimate(regCovar: number): GmmParameters {
    const L = this.layout;
    const { k, d, type } = L;
    const { params, partials } = this.buffers;
    const nk = new Float64Array(k);
    sumSlots(L, partials, L.nk, k, nk);
    for (let c = 0; c < k; c++) nk[c] += 10 * EPS;
    // A component lighter than one sample keeps even its negligible responsibilities.
    let exact = false;
    for (let c = 0; c < k; c++) {
      if (!(nk[c] >= 1)) {
        params[L.skip + c] = 0;
        exact = true;
      }
    }
    if (exact) this.run(PASS.MEANS);
    const means = new Float64Array(k * d);
    sumSlots(L, partials, L.sums, k * d, means);
    for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) means[c * d + j] /= nk[c];
    const covariances = new Float64Array(covarianceSize(type, k, d));
    switch (type) {
      case 'full': {
        params.set(means, L.means);
        this.run(PASS.COVARIANCE);
        const tri = (d * (d + 1)) / 2;
        const sums = new Float64Array(k * tri);
        sumSlots(L, partials, L.second, k * tri, sums);
        for (let c = 0; c < k; c++) {
          const block = c * d * d;
          for (let a = 0; a < d; a++) {
            const row = c * tri + ((a * (a + 1)) >> 1);
            for (let b = 0; b <= a; b++) {
              const v = sums[row + b] / nk[c];
              covariances[block + a * d + b] = v;
              covariances[block + b * d + a] = v;
            }
            covariances[block + a * d + a] += regCovar;
          }
        }
        break;
      }
      case 'tied':
        tiedCovariance(this.gram(), d, k, nk, means, regCovar, covariances);
        break;
      case 'diag':
      case 'spherical': {
        const squares = new Float64Array(k * d);
        sumSlots(L, partials, L.second, k * d, squares);
        diagonalCovariances(squares, d, k, nk, means, regCovar, type, covariances);
        break;
      }
    }
    return { weights: nk, means, covariances };
  }
}

/** A source whose arrays are all in shared memory (those that are not, copied), for the engine threads. */
function sharedSource(source: StandardisedSource): StandardisedSource {
  const { columns, kept, fill, unit, mean, scale } = source;
  return { columns: columns.map(sharedCopy), kept: sharedCopy(kept), fill: sharedCopy(fill), unit: sharedCopy(unit), mean: sharedCopy(mean), scale: sharedCopy(scale) };
}

/**
 * E-step: writes the posterior into `resp` (n×k) and returns the mean over
 * samples of log Σ_c π_c N(x | μ_c, Σ_c). The weighted log-probabilities are
 * first written into `resp`, then each row is normalised in place (log space).
 */
export function expectationStep(x: Float64Array, n: number, model: GmmModel, resp: Float64Array): number {
  return new EmWorkspace(x, n, model.d, model.k, model.covarianceType, { resp }).expectation(model);
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
  const workspace = new EmWorkspace(x, n, d, k, type, { resp });
  if (gram) workspace.useGram(gram);
  return workspace.estimateFromResp(regCovar);
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
  squares: Float64Array,
  d: number,
  k: number,
  nk: Float64Array,
  means: Float64Array,
  regCovar: number,
  type: 'diag' | 'spherical',
  out: Float64Array,
): void {
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

/** Weights normalised to sum to 1, then the model. */
function normalisedModel(type: CovarianceType, k: number, d: number, params: GmmParameters): GmmModel {
  let sum = 0;
  for (let c = 0; c < k; c++) sum += params.weights[c];
  for (let c = 0; c < k; c++) params.weights[c] /= sum;
  return modelFromParameters(type, k, d, params);
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
  return normalisedModel(type, k, d, estimateParameters(x, n, d, resp, k, type, regCovar, gram));
}

/**
 * sklearn's init_params='kmeans': one k-means run, its hard labels as
 * responsibilities. With a workspace (same data), its posterior buffer holds
 * them and its threads estimate the parameters.
 */
export function kmeansInitialParameters(
  x: Float64Array,
  n: number,
  d: number,
  k: number,
  type: CovarianceType,
  regCovar: number,
  rng: Random,
  gram?: Float64Array,
  workspace?: EmWorkspace,
): GmmParameters {
  const engine = workspace?.kmeans;
  const { labels } = engine ? kmeans(x, n, d, k, rng, KMEANS_DEFAULTS, engine) : kmeans(x, n, d, k, rng);
  const ws = workspace ?? new EmWorkspace(x, n, d, k, type);
  if (gram) ws.useGram(gram);
  const resp = ws.resp;
  resp.fill(0);
  for (let i = 0; i < n; i++) resp[i * k + labels[i]] = 1;
  const params = ws.estimateFromResp(regCovar);
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
  const ws = options.workspace ?? new EmWorkspace(x, n, d, k, type);
  if (gram) ws.useGram(gram);
  let model = modelFromParameters(type, k, d, initial);
  const lowerBounds: number[] = [];
  let lowerBound = -Infinity;
  let converged = false;
  let iteration = 0;
  while (iteration < maxIter) {
    iteration++;
    const previous = lowerBound;
    const step = ws.iterate(model, regCovar);
    lowerBound = step.lowerBound;
    model = normalisedModel(type, k, d, step.params);
    lowerBounds.push(lowerBound);
    yield { iteration, maxIterations: maxIter };
    if (Math.abs(lowerBound - previous) < tol) {
      converged = true;
      break;
    }
  }
  // The final E-step: posteriors (and so labels) of the parameters returned.
  const score = ws.expectation(model);
  // A workspace given by the caller is reused by later restarts: keep a copy unless told otherwise.
  const resp = options.workspace && !options.keepResp ? ws.resp.slice() : ws.resp;
  return { model, resp, lowerBound, lowerBounds, nIterations: iteration, converged, score };
}

/**
 * The constants of the E-step's log-probabilities: per component the bias
 * log π_c − ½ d log 2π + log det(precision factor), and for full and tied
 * the projected means L⁻¹μ (k×d; zeros otherwise). The generated SQL
 * (src/engine/scaleout/sql.ts) inlines the same numbers.
 */
export function eStepConstants(model: GmmModel): { bias: Float64Array; projected: Float64Array } {
  const { k, d, covarianceType: type } = model;
  const bias = Float64Array.from({ length: k }, (_, c) => Math.log(model.weights[c]) - 0.5 * d * LOG_2PI + model.logDets[c]);
  const projected = new Float64Array(k * d);
  if (type === 'full' || type === 'tied') {
    const f = model.precisionFactors;
    for (let c = 0; c < k; c++) {
      const base = type === 'full' ? c * d * d : 0;
      for (let a = 0; a < d; a++) {
        let s = 0;
        for (let b = 0; b <= a; b++) s += f[base + a * d + b] * model.means[c * d + b];
        projected[c * d + a] = s;
      }
    }
  }
  return { bias, projected };
}
