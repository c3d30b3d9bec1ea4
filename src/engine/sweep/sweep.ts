/**
 * A sweep over the number of clusters (PROFILE.md, "Choosing k"): for each k
 * (and, for GMM, each covariance type) the method's fit with its n_init on
 * data read once, the metrics of the profile computed by the profile's own
 * code (so every number equals `segment <method> -k K` with the same seed,
 * bit for bit), and the stability: the mean pairwise adjusted Rand index of
 * the labels of three fits, with the seed and two seeds derived from it.
 *
 * The fits run one after another, each on the engine threads of its passes
 * over the rows (`threads`), so the results are the same whatever the number
 * of threads. The silhouettes of all k are computed in one pass over the
 * pairs of rows (silhouetteScores: each the number its profile alone would
 * get), which is most of a sweep's time otherwise. The Neural method's
 * autoencoder does not depend on k: it is trained once per seed, and only
 * K-Means runs per k.
 *
 * A fit that fails (a covariance singular at every reg_covar, say) is kept
 * with its error and the sweep goes on; only when every fit fails is the
 * sweep an error. A cancel stops it at the next checkpoint.
 */
import type { CovarianceType, MethodKey, MethodOptions } from '../../shared/methods';
import type { PreparedData } from '../data/prepare';
import { SegmentError, isSegmentError, throwIfAborted } from '../errors';
import { deriveSeed } from '../kernels/random';
import { InvalidOptionError, OPTION_LABELS, resolveOptions, type OptionNamer } from '../methods/options';
import { fitNeural, trainNeural, type NeuralFit, type NeuralTraining } from '../methods/neuralSegmentation';
import { createSegmentation, methodSteps } from '../methods/registry';
import type { MethodFit } from '../methods/segmentation';
import { silhouetteOptions, type JsonObject } from '../profile/profile';
import { silhouetteScores, type SilhouetteOptions, type SilhouetteResult } from '../kernels/metrics';
import type { RunControl } from '../progress';
import { meanPairwiseAri } from './ari';
import { fitName, recommend, type Recommendation } from './recommend';

/** The streams of the master seed whose derived seeds (deriveSeed) make the two other fits of the stability. */
export const STABILITY_STREAMS: readonly number[] = [1, 2];

export interface SweepRequest<M extends MethodKey = MethodKey> {
  method: M;
  /** The smallest and the largest k, both included. */
  kRange: readonly [number, number];
  /** GMM: the covariance types to try (default: the options' one). */
  covarianceTypes?: readonly CovarianceType[];
  /** Over the method's defaults; the number of clusters is the sweep's. */
  options: Partial<MethodOptions[M]>;
  /** How messages name an option: its flag on the command line. */
  optionNames?: OptionNamer;
}

interface FitKey {
  k: number;
  /** GMM only. */
  covarianceType?: CovarianceType;
}

export interface SweepSuccess extends FitKey {
  /** The profile's metrics of the fit with the master seed. */
  metrics: JsonObject;
  stabilityAri: number;
  converged: boolean;
  nIterations: number;
  /** Cluster sizes in profile order (largest first). */
  sizes: number[];
  warnings: string[];
  silhouetteSampleSize: number | null;
}

export interface SweepFailure extends FitKey {
  error: SegmentError;
}

export type SweepFit = SweepSuccess | SweepFailure;

export function isSuccess(fit: SweepFit): fit is SweepSuccess {
  return !('error' in fit);
}

export interface SweepResult<M extends MethodKey = MethodKey> {
  method: M;
  /** The options of every fit but its k (and covariance type), checked. */
  options: MethodOptions[M];
  kValues: number[];
  covarianceTypes?: CovarianceType[];
  /** The master seed and the two derived ones. */
  seeds: number[];
  fits: SweepFit[];
  recommendation: Recommendation;
}

/** The seeds of the three fits whose labels make the stability: the seed, then deriveSeed(seed, 1) and deriveSeed(seed, 2). */
export function stabilitySeeds(seed: number): number[] {
  return [seed, ...STABILITY_STREAMS.map((stream) => deriveSeed(seed, stream))];
}

/** The options of the sweep checked before the data are read (INVALID_OPTION otherwise). */
export function sweepOptions<M extends MethodKey>(request: SweepRequest<M>): MethodOptions[M] {
  const [kMin, kMax] = request.kRange;
  const name = request.optionNames ?? OPTION_LABELS;
  if (!Number.isInteger(kMin) || !Number.isInteger(kMax) || kMin < 2 || kMax < kMin) {
    throw new InvalidOptionError(`The k range must be whole numbers from 2 up, the smaller first (got ${kMin}..${kMax}).`, 'kRange');
  }
  const options = resolveOptions(request.method, { ...request.options, nClusters: kMin }, name);
  for (const covarianceType of request.covarianceTypes ?? []) resolveOptions('gmm', { covarianceType }, name);
  return options;
}

/** Every k must be below the number of rows clustered (the methods need more rows than clusters). */
export function checkKRange(kRange: readonly [number, number], data: PreparedData): void {
  const [kMin, kMax] = kRange;
  if (kMax < data.n) return;
  const dropped = data.nRowsDropped > 0 ? ` (${data.nRowsDropped} rows with missing values were dropped)` : '';
  throw new InvalidOptionError(
    `The k range ${kMin}..${kMax} goes beyond the data: there are ${data.n} rows to cluster${dropped}, so k can be at most ${data.n - 1}.`,
    'kRange',
  );
}

export async function runSweep<M extends MethodKey>(data: PreparedData, request: SweepRequest<M>, control: RunControl = {}): Promise<SweepResult<M>> {
  const { method } = request;
  const base = sweepOptions(request);
  checkKRange(request.kRange, data);
  const name = request.optionNames ?? OPTION_LABELS;
  const [kMin, kMax] = request.kRange;
  const kValues = Array.from({ length: kMax - kMin + 1 }, (_, i) => kMin + i);
  const covarianceTypes =
    method === 'gmm' ? [...new Set(request.covarianceTypes ?? [(base as MethodOptions['gmm']).covarianceType])] : undefined;
  const keys: FitKey[] = covarianceTypes
    ? covarianceTypes.flatMap((covarianceType) => kValues.map((k) => ({ k, covarianceType })))
    : kValues.map((k) => ({ k }));
  const seeds = stabilitySeeds(base.randomSeed);
  const steps = methodSteps(method);
  const trainings = new Map<number, Promise<NeuralTraining>>();
  const now = new Date();
  const jobs = keys.length * seeds.length;
  let job = 0;

  const fitOne = async (key: FitKey, seed: number, options: MethodOptions[M]): Promise<MethodFit> => {
    const at = `${fitName(method, key)} (${keys.indexOf(key) + 1}/${keys.length}), seed ${seeds.indexOf(seed) + 1}/${seeds.length}`;
    const fitControl: RunControl = {
      signal: control.signal,
      onLog: control.onLog,
      onProgress: (p) => control.onProgress?.({ ...p, message: `${at}: ${p.message}`, fraction: (job + (p.fraction ?? 0)) / jobs }),
    };
    fitControl.onProgress?.({ phase: 'fit', message: 'starting', fraction: 0 });
    await turn();
    createSegmentation(method, options, name).checkData(data);
    if (method !== 'neural') return steps.fit(data, options, fitControl);
    const neural = options as MethodOptions['neural'];
    let training = trainings.get(seed);
    if (!training) {
      training = trainNeural(data, neural, fitControl);
      trainings.set(seed, training);
    }
    return fitNeural(data, neural, fitControl, await training);
  };

  /** The fits of a key with the three seeds: the master seed's fit, and the stability of their labels. */
  const fitWithSeeds = async (key: FitKey, options: MethodOptions[M]) => {
    const labels: Int32Array[] = [];
    let main: MethodFit | undefined;
    for (const seed of seeds) {
      throwIfAborted(control.signal);
      const fit = await fitOne(key, seed, { ...options, randomSeed: seed }).catch((error: unknown) => {
        throw seed === base.randomSeed ? error : failedSeed(error, seed);
      });
      job++;
      labels.push(fit.labels);
      if (seed === base.randomSeed) main = fit;
    }
    return { key, options, fit: main!, stabilityAri: meanPairwiseAri(labels) };
  };

  const results = new Map<FitKey, SweepFit>();
  const record = (key: FitKey, error: unknown) => {
    if (!isSegmentError(error) || error.code === 'CANCELLED') throw error;
    results.set(key, { ...key, error });
  };
  for (const group of batches(keys, data.n)) {
    const fitted: Awaited<ReturnType<typeof fitWithSeeds>>[] = [];
    for (const key of group) {
      const options = { ...base, nClusters: key.k, ...(key.covarianceType ? { covarianceType: key.covarianceType } : {}) } as MethodOptions[M];
      try {
        fitted.push(await fitWithSeeds(key, options));
      } catch (error) {
        job = (keys.indexOf(key) + 1) * seeds.length;
        record(key, error);
      }
    }
    if (fitted.length === 0) continue;
    // Their silhouettes at once (each what its profile would compute), then each profile with it.
    throwIfAborted(control.signal);
    control.onProgress?.({ phase: 'metrics', message: `silhouettes of ${fitted.map((f) => fitName(method, f.key)).join(', ')}`, fraction: job / jobs });
    await turn();
    const silhouette = silhouetteOptions(base, control.signal);
    const silhouettes = silhouetteScores(data.z, data.n, data.d, fitted.map((f) => f.fit.labels), silhouette);
    const latent = method === 'neural' ? latentSilhouettes(fitted.map((f) => f.fit as NeuralFit), data.n, silhouette) : undefined;
    for (const [index, { key, options, fit, stabilityAri }] of fitted.entries()) {
      throwIfAborted(control.signal);
      control.onProgress?.({ phase: 'metrics', message: `${fitName(method, key)}: cluster statistics`, fraction: job / jobs });
      try {
        const profile = steps.profile(data, fit, options, now, control.signal, { silhouette: silhouettes[index], latentSilhouette: latent?.[index] });
        const summary = fitSummary(method, profile.metadata);
        results.set(key, { ...key, ...summary, metrics: profile.metrics, stabilityAri, sizes: sizesOf(fit.labels, key.k) });
      } catch (error) {
        record(key, error);
      }
    }
  }
  const fits = keys.map((key) => results.get(key)!);

  const succeeded = fits.filter(isSuccess);
  if (succeeded.length === 0) throw everyFitFailed(method, fits as SweepFailure[]);
  const recommendation = recommend(
    method,
    succeeded.map((f) => ({
      k: f.k,
      covarianceType: f.covarianceType,
      bic: method === 'gmm' ? (f.metrics.bic as number | null) : undefined,
      silhouette: f.metrics.silhouette_score as number | null,
      stabilityAri: f.stabilityAri,
      sizes: f.sizes,
    })),
    data.n,
    kMax,
  );
  return { method, options: base, kValues, covarianceTypes, seeds, fits, recommendation };
}

/** How many fitted values (n × k of posteriors or memberships) a batch of fits may keep for its profiles: 256 MB. */
export const BATCH_VALUES = 2 ** 25;

/** The keys in batches whose master fits together hold at most BATCH_VALUES values (at least one key a batch). */
function batches(keys: readonly FitKey[], n: number): FitKey[][] {
  const out: FitKey[][] = [];
  let values = Infinity;
  for (const key of keys) {
    if (values + n * key.k > BATCH_VALUES) {
      out.push([]);
      values = 0;
    }
    out[out.length - 1].push(key);
    values += n * key.k;
  }
  return out;
}

/** The latent silhouettes of Neural fits: those that share latent codes (one training) in one pass. */
function latentSilhouettes(fits: readonly NeuralFit[], n: number, options: SilhouetteOptions): SilhouetteResult[] {
  const out: SilhouetteResult[] = [];
  for (const latent of new Set(fits.map((f) => f.latent))) {
    const sharing = fits.flatMap((f, index) => (f.latent === latent ? [index] : []));
    const scores = silhouetteScores(latent, n, fits[sharing[0]].encodingDim, sharing.map((index) => fits[index].labels), options);
    sharing.forEach((index, t) => (out[index] = scores[t]));
  }
  return out;
}

/**
 * Lets the event loop run between the synchronous fits: on an engine thread
 * (the CLI's), what the sweep wrote to stderr (its progress) reaches the
 * terminal only then.
 */
function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** converged, n_iterations and the warnings of a fit, from its profile's metadata (Neural: its K-Means'). */
function fitSummary(method: MethodKey, metadata: JsonObject) {
  const prefix = method === 'neural' ? 'kmeans_' : '';
  return {
    converged: metadata[`${prefix}converged`] as boolean,
    nIterations: metadata[`${prefix}n_iterations`] as number,
    warnings: [...(metadata.warnings as string[])],
    silhouetteSampleSize: metadata.silhouette_sample_size as number | null,
  };
}

function sizesOf(labels: Int32Array, k: number): number[] {
  const sizes = new Array<number>(k).fill(0);
  for (const label of labels) sizes[label]++;
  return sizes;
}

/** A fit of the stability that failed: the error says which seed. */
function failedSeed(error: unknown, seed: number): unknown {
  if (!isSegmentError(error) || error.code === 'CANCELLED') return error;
  return new SegmentError(error.code, `The fit with seed ${seed} (one of the stability's) failed: ${error.message}`);
}

/** Every fit failed: the one error when they all failed alike, else the first, with the count. */
function everyFitFailed(method: MethodKey, failures: readonly SweepFailure[]): SegmentError {
  const first = failures[0].error;
  if (failures.every((f) => f.error.message === first.message)) return first;
  return new SegmentError(first.code, `Every fit of the sweep failed (${failures.length}); the first, ${fitName(method, failures[0])}: ${first.message}`);
}
