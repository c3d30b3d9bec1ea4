/**
 * The Neural method (../shared/spec/PROFILE.md "Neural Network"): a TensorFlow.js
 * autoencoder compresses the standardised features to encoding_dim latent
 * values, and K-Means (k-means++ seeding, n_init restarts, Lloyd to
 * tolerance, as scikit-learn's KMeans) clusters the latent codes. Training is
 * asynchronous, so this class has the same methods as the others
 * (fitPredict, generateClusterProfile, exportClusterProfile) returning
 * Promises.
 *
 * One master seed drives everything through child streams: the initial
 * weights, the shuffle before every epoch, and the K-Means restarts. The same
 * seed, data and backend give the same profile.
 *
 * TensorFlow.js is loaded on first use (dynamic import), so the other methods
 * and the CLI's start-up do not pay for it.
 */
import type { NeuralOptions } from '../../shared/methods';
import { SegmentError, throwIfAborted } from '../errors';
import { runRestarts } from '../kernels/fitDriver';
import { kmeansPlusPlus, lloyd, nearestCenters } from '../kernels/kmeans';
import { silhouetteScore } from '../kernels/metrics';
import { originalValues, type PreparedData } from '../data/prepare';
import {
  clusterBase,
  clusterOrder,
  commonMetadata,
  commonMetrics,
  silhouetteOptions,
  isoLocal,
  membersOf,
  num,
  permuteRows,
  type JsonObject,
  type KnownSilhouettes,
  type Profile,
} from '../profile/profile';
import type { RunControl } from '../progress';
import type { SoftScores } from '../profile/assignments';
import { Segmentation, requireEnoughRows, type MethodFit, type MethodSteps } from './segmentation';
import { Random, deriveSeed } from '../kernels/random';
import { mean, std } from '../kernels/stats';
import { OPTION_LABELS, methodDefaults, optionSpec, resolveOptions, type OptionNamer } from './options';
import type { AutoencoderArchitecture, AutoencoderWeights } from './autoencoder';
import { neuralModelJson } from '../scoring/neuralModel';

export { BACKEND_CHOICES, type BackendChoice } from '../../shared/methods';
export type { NeuralOptions };

export const NEURAL_DEFAULTS: Readonly<NeuralOptions> = methodDefaults('neural');

/** Child streams of the master seed. */
const INIT_STREAM = 1;
const SHUFFLE_STREAM = 2;
const KMEANS_STREAM = 3;
/** Share of the fit phase's progress bar that training takes (K-Means the rest). */
const TRAINING_SHARE = 0.95;

export interface NeuralFit extends MethodFit {
  /** The latent width used: the option, or the one chosen from the data for 'auto'. */
  encodingDim: number;
  /** Latent codes n×encoding_dim (the encoder's float32 outputs). */
  latent: Float64Array;
  /** K-Means centers k×encoding_dim, profile numbering. */
  centers: Float64Array;
  /** Euclidean distance of each sample's latent code to its cluster's center. */
  distances: Float64Array;
  /** Members' mean in original units, k×d, profile numbering. */
  memberMeans: Float64Array;
  architecture: AutoencoderArchitecture;
  /** The trained weights, as the device used them (float32). */
  weights: AutoencoderWeights;
  /** TensorFlow.js backend that trained the model, and its version. */
  backend: 'wasm' | 'cpu';
  tfjsVersion: string;
  /** Loss of every epoch (Keras' History: batch MSEs averaged, weighted by batch size). */
  lossHistory: number[];
  /** MSE of the trained model over all samples and standardised features. */
  reconstructionError: number;
  kmeans: { inertia: number; nIterations: number; converged: boolean; bestRestart: number };
  warnings: string[];
}

/**
 * The latent width: the given encoding_dim, or with 'auto' min(10, ⌈d/2⌉),
 * at least 2, and always below d (an autoencoder has to compress).
 */
export function encodingDimFor(options: Pick<NeuralOptions, 'encodingDim'>, d: number): number {
  if (options.encodingDim !== 'auto') return options.encodingDim;
  return Math.max(1, Math.min(10, Math.max(2, Math.ceil(d / 2)), d - 1));
}

/** What the data must allow: at least k rows, and fewer latent values than features. */
export function checkNeuralData(data: PreparedData, options: NeuralOptions, name: OptionNamer = OPTION_LABELS): void {
  requireEnoughRows(data, options.nClusters);
  const { d } = data;
  if (d < 2) {
    throw new SegmentError(
      'INVALID_OPTION',
      'The Neural method needs at least 2 features to compress (got 1): cluster on more columns, or use the GMM or Fuzzy C-Means method.',
    );
  }
  const e = encodingDimFor(options, d);
  if (e >= d) {
    const option = name(optionSpec('neural', 'encodingDim'));
    throw new SegmentError(
      'INVALID_OPTION',
      `${option} must be smaller than the number of features (got ${e} with ${d} features): ` +
        `the autoencoder has to compress the data. Set ${option} to at most ${d - 1}, leave it to be chosen from the data, or cluster on more columns.`,
    );
  }
}

/** The Neural steps the Segmentation base runs. */
export const NEURAL_STEPS: MethodSteps<'neural', NeuralFit> = {
  method: 'neural',
  checkData: checkNeuralData,
  fit: fitNeural,
  profile: neuralProfile,
  softScores: neuralSoftScores,
  model: (fit) => neuralModelJson(fit),
};

export class NeuralSegmentation extends Segmentation<'neural', NeuralFit> {
  constructor(options: Partial<NeuralOptions> = {}) {
    super(NEURAL_STEPS, options);
  }
}

export function neuralSoftScores(fit: NeuralFit): SoftScores {
  return { columns: ['distance_to_center'], values: fit.distances };
}

/** Mean squared error of reconstructions against z, over all n×d values. */
export function meanSquaredError(reconstructed: Float64Array, z: Float64Array): number {
  let total = 0;
  for (let t = 0; t < z.length; t++) {
    const diff = reconstructed[t] - z[t];
    total += diff * diff;
  }
  return total / z.length;
}

let queue: Promise<unknown> = Promise.resolve();

/** Runs f after every earlier call's f has settled. */
function oneAtATime<T>(f: () => Promise<T>): Promise<T> {
  const run = queue.then(f, f);
  queue = run.catch(() => undefined);
  return run;
}

/**
 * The trained autoencoder and what it gives: nothing in it depends on the
 * number of clusters, so a sweep over k trains once per seed (fitNeural's
 * `training`) and clusters the same latent codes for every k.
 */
export interface NeuralTraining {
  /** The options it was trained with (trainingKey), so it cannot be used with others by mistake. */
  key: string;
  encodingDim: number;
  architecture: AutoencoderArchitecture;
  backend: 'wasm' | 'cpu';
  tfjsVersion: string;
  lossHistory: number[];
  latent: Float64Array;
  reconstructionError: number;
  weights: AutoencoderWeights;
  warnings: string[];
}

/** The options that training depends on (not the number of clusters, nor K-Means' own). */
function trainingKey(options: NeuralOptions, d: number): string {
  const { randomSeed, epochs, batchSize, learningRate, backend } = options;
  return JSON.stringify([randomSeed, epochs, batchSize, learningRate, backend, encodingDimFor(options, d)]);
}

/** Trains the autoencoder and encodes the data: the first part of fitNeural. */
export async function trainNeural(data: PreparedData, options: NeuralOptions, control: RunControl = {}): Promise<NeuralTraining> {
  resolveOptions('neural', options);
  checkNeuralData(data, options);
  const { n, d, z } = data;
  const e = encodingDimFor(options, d);
  const { signal } = control;
  throwIfAborted(signal);
  const [{ Autoencoder, autoencoderArchitecture, trainAutoencoder }, { selectBackend }] = await Promise.all([
    import('./autoencoder'),
    import('./tfBackend'),
  ]);
  const architecture = autoencoderArchitecture(d, e);
  // The backend is process-wide, so trainings take turns.
  const trained = await oneAtATime(async () => {
    const selection = await selectBackend(options.backend);
    throwIfAborted(signal);
    const model = new Autoencoder(architecture, options.learningRate, new Random(deriveSeed(options.randomSeed, INIT_STREAM)));
    try {
      const lossHistory = await trainAutoencoder(model, z, n, {
        epochs: options.epochs,
        batchSize: options.batchSize,
        rng: new Random(deriveSeed(options.randomSeed, SHUFFLE_STREAM)),
        signal,
        onProgress: (epoch, within) =>
          control.onProgress?.({
            phase: 'fit',
            message: `epoch ${epoch}/${options.epochs}`,
            fraction: (TRAINING_SHARE * (epoch - 1 + within)) / options.epochs,
          }),
      });
      throwIfAborted(signal);
      return {
        selection,
        lossHistory,
        latent: model.encode(z, n),
        reconstructionError: meanSquaredError(model.predict(z, n), z),
        weights: model.weights(),
      };
    } finally {
      model.dispose();
    }
  });
  const { selection, lossHistory, latent, reconstructionError, weights } = trained;
  const warnings = [...selection.warnings];
  if (options.batchSize > n) {
    warnings.push(`batch_size ${options.batchSize} is larger than the ${n} rows clustered, so every epoch was one batch of all ${n} rows.`);
  }
  // Predicting every standardised value as 0 (the column means) scores exactly 1.
  if (reconstructionError >= 1) {
    warnings.push(
      `The autoencoder reconstructs the data no better than the column means would (reconstruction error ${reconstructionError.toPrecision(3)}, ` +
        `the means score 1), so its latent codes carry little of the data. Use a smaller learning_rate (got ${options.learningRate}) or more epochs.`,
    );
  }
  return {
    key: trainingKey(options, d),
    encodingDim: e,
    architecture,
    backend: selection.backend,
    tfjsVersion: selection.version,
    lossHistory,
    latent,
    reconstructionError,
    weights,
    warnings,
  };
}

/** Trains (unless given the training for these options: see NeuralTraining), then K-Means on the latent codes. */
export async function fitNeural(
  data: PreparedData,
  options: NeuralOptions,
  control: RunControl = {},
  training?: NeuralTraining,
): Promise<NeuralFit> {
  resolveOptions('neural', options);
  checkNeuralData(data, options);
  const { n, d } = data;
  const k = options.nClusters;
  const { signal } = control;
  if (training && training.key !== trainingKey(options, d)) throw new Error('fitNeural: the training given was made with other options');
  const trained = training ?? (await trainNeural(data, options, control));
  const { encodingDim: e, architecture, lossHistory, latent, reconstructionError, weights } = trained;
  const warnings = [...trained.warnings];

  const { best, bestRestart } = runRestarts(
    {
      seed: deriveSeed(options.randomSeed, KMEANS_STREAM),
      nInit: options.nInit,
      phase: 'K-Means iteration',
      signal,
      onProgress: (p) =>
        control.onProgress?.({ phase: 'fit', message: p.message, fraction: TRAINING_SHARE + (1 - TRAINING_SHARE) * p.fraction }),
    },
    function* (rng) {
      const result = yield* lloyd(latent, n, e, k, kmeansPlusPlus(latent, n, e, k, rng), {
        maxIterations: options.maxIter,
        tolerance: options.tol,
      });
      // runRestarts keeps the highest score: the lowest inertia wins.
      return { ...result, score: -result.inertia };
    },
  );
  if (!best.converged) {
    warnings.push(
      `K-Means in the latent space did not converge in ${options.maxIter} iterations. Raise max_iter or tol, or try fewer clusters.`,
    );
  }

  const order = clusterOrder(best.labels, k, memberMeansOf(data, best.labels, k), d);
  const centers = permuteRows(best.centers, e, order);
  // Labelled again from the renumbered centers, as scoring labels rows: on an exact tie of distances
  // the first center wins, and the renumbering may have changed which one is first.
  const { labels, distances } = nearestCenters(latent, n, e, centers, k);
  return {
    labels,
    encodingDim: e,
    latent,
    centers,
    distances,
    memberMeans: memberMeansOf(data, labels, k),
    architecture,
    weights,
    backend: trained.backend,
    tfjsVersion: trained.tfjsVersion,
    lossHistory,
    reconstructionError,
    kmeans: { inertia: best.inertia, nIterations: best.nIterations, converged: best.converged, bestRestart },
    warnings,
  };
}

/** Mean of each cluster's members in original units (k×d), as feature_statistics' mean computes it. */
export function memberMeansOf(data: PreparedData, labels: Int32Array, k: number): Float64Array {
  const { d } = data;
  const members = membersOf(labels, k);
  const out = new Float64Array(k * d);
  for (let c = 0; c < k; c++) {
    const column = new Float64Array(members[c].length);
    for (let j = 0; j < d; j++) {
      originalValues(data, j, members[c], column);
      out[c * d + j] = column.length > 0 ? mean(column) : NaN;
    }
  }
  return out;
}

/** {mean, std} of the members' distances to their latent center; std with ddof 0 (numpy's default, as the other methods' *_stats). */
function encodedSpaceStats(distances: Float64Array, members: Int32Array): JsonObject {
  if (members.length === 0) return { mean_distance_to_center: null, std_distance_to_center: null };
  const values = Float64Array.from(members, (i) => distances[i]);
  return { mean_distance_to_center: num(mean(values)), std_distance_to_center: num(std(values, 0)) };
}

export function neuralProfile(
  data: PreparedData,
  fit: NeuralFit,
  options: NeuralOptions,
  now: Date,
  signal?: AbortSignal,
  known?: KnownSilhouettes,
): Profile {
  const { n, d, features } = data;
  const k = options.nClusters;
  const e = fit.encodingDim;
  const common = commonMetrics(data, fit.labels, silhouetteOptions(options, signal), known?.silhouette);
  const latentSilhouette = known?.latentSilhouette ?? silhouetteScore(fit.latent, n, e, fit.labels, silhouetteOptions(options, signal));
  const members = membersOf(fit.labels, k);
  const clusters: Record<string, JsonObject> = {};
  for (let c = 0; c < k; c++) {
    clusters[`cluster_${c}`] = {
      ...clusterBase(data, c, members[c], fit.memberMeans.subarray(c * d, c * d + d)),
      encoded_space_stats: encodedSpaceStats(fit.distances, members[c]),
    };
  }
  const { sizes, bottleneck } = fit.architecture;
  return {
    metadata: {
      ...commonMetadata({
        method: 'neural',
        data,
        k,
        seed: options.randomSeed,
        timestamp: isoLocal(now),
        silhouetteSampleSize: common.silhouetteSampleSize,
      }),
      encoding_dim: e,
      encoding_dim_chosen: options.encodingDim === 'auto' ? 'auto' : 'given',
      epochs: options.epochs,
      batch_size: options.batchSize,
      encoder_layers: sizes.slice(1, bottleneck + 1),
      decoder_layers: sizes.slice(bottleneck + 1),
      activation: 'relu',
      bottleneck_activation: 'linear',
      output_activation: 'linear',
      optimizer: 'adam',
      learning_rate: options.learningRate,
      loss: 'mean_squared_error',
      backend: fit.backend,
      tfjs_version: fit.tfjsVersion,
      final_loss: num(fit.lossHistory[fit.lossHistory.length - 1]),
      loss_history: fit.lossHistory.map((l) => num(l)),
      n_init: options.nInit,
      kmeans_max_iter: options.maxIter,
      kmeans_tol: options.tol,
      kmeans_n_iterations: fit.kmeans.nIterations,
      kmeans_converged: fit.kmeans.converged,
      kmeans_inertia: num(fit.kmeans.inertia),
      warnings: fit.warnings,
    },
    metrics: {
      silhouette_score: common.silhouette_score,
      davies_bouldin_index: common.davies_bouldin_index,
      calinski_harabasz_score: common.calinski_harabasz_score,
      reconstruction_error: num(fit.reconstructionError),
      latent_silhouette_score: num(latentSilhouette.score),
    },
    features_used: [...features],
    clusters,
  };
}
