/**
 * One entry per clustering method the CLI offers: its flags and how it turns
 * them into an export. `segment <method> <file.csv>` looks it up here, and
 * `segment all` runs every entry on the same data.
 */
import {
  BACKEND_CHOICES,
  COVARIANCE_TYPES,
  FCM_DEFAULTS,
  FuzzyCMeansSegmentation,
  GMM_DEFAULTS,
  GaussianMixtureSegmentation,
  NEURAL_DEFAULTS,
  NeuralSegmentation,
  type BackendChoice,
  type CovarianceType,
  type ExportResult,
  type ExportTarget,
  type MethodKey,
  type PreparedData,
  type RunControl,
} from '../engine';
import type { FlagSpec, FlagValues } from './args';

/** A configured method, ready to fit and export (GMM, FCM and Neural segmentations all are). */
export interface ProfileExporter {
  exportClusterProfile(data: PreparedData, target: ExportTarget, control: RunControl): Promise<ExportResult>;
  /** Throws what fitting would throw for this data, before any work. */
  checkData?(data: PreparedData): void;
}

export interface MethodCommand {
  name: MethodKey;
  /** One line for the usage text. */
  summary: string;
  defaults: { nClusters: number; randomSeed: number; silhouetteSampleSize: number };
  flags: FlagSpec[];
  /** The method with its options from the flags (invalid options throw here, before any data is read). */
  create(flags: FlagValues, common: CommonSettings): ProfileExporter;
  run(data: PreparedData, flags: FlagValues, common: CommonSettings, outputDir: string, control: RunControl): Promise<ExportResult>;
}

export interface CommonSettings {
  nClusters: number;
  randomSeed: number;
  silhouetteSampleSize: number;
  /** --threads; the engine's default (the cores, at most 4) when absent. */
  threads?: number;
}

function value<T>(flags: FlagValues, name: string, fallback: T): T {
  return (flags[name] as T | undefined) ?? fallback;
}

function command(spec: Omit<MethodCommand, 'run'>): MethodCommand {
  return {
    ...spec,
    run(data, flags, common, outputDir, control) {
      return spec.create(flags, common).exportClusterProfile(data, { outputDir }, control);
    },
  };
}

const gmm = command({
  name: 'gmm',
  summary: 'Gaussian Mixture Model (EM, as scikit-learn)',
  defaults: GMM_DEFAULTS,
  flags: [
    { name: 'covariance', kind: 'string', value: 'TYPE', choices: COVARIANCE_TYPES, help: 'covariance type: full (default), tied, diag or spherical' },
    { name: 'n-init', kind: 'int', value: 'N', help: `restarts; the best lower bound is kept (default ${GMM_DEFAULTS.nInit})` },
    { name: 'max-iter', kind: 'int', value: 'N', help: `EM iterations at most (default ${GMM_DEFAULTS.maxIter})` },
    { name: 'tol', kind: 'number', value: 'X', help: `stop when the mean log-likelihood changes by less (default ${GMM_DEFAULTS.tol})` },
    { name: 'reg-covar', kind: 'number', value: 'X', help: `added to covariance diagonals (default ${GMM_DEFAULTS.regCovar})` },
  ],
  create(flags, common) {
    return new GaussianMixtureSegmentation({
      ...common,
      covarianceType: value<CovarianceType>(flags, 'covariance', GMM_DEFAULTS.covarianceType),
      nInit: value(flags, 'n-init', GMM_DEFAULTS.nInit),
      maxIter: value(flags, 'max-iter', GMM_DEFAULTS.maxIter),
      tol: value(flags, 'tol', GMM_DEFAULTS.tol),
      regCovar: value(flags, 'reg-covar', GMM_DEFAULTS.regCovar),
    });
  },
});

const fuzzy = command({
  name: 'fuzzy',
  summary: 'Fuzzy C-Means (as scikit-fuzzy\'s cmeans)',
  defaults: FCM_DEFAULTS,
  flags: [
    { name: 'm', kind: 'number', value: 'X', help: `fuzziness, greater than 1; near 1 is almost crisp (default ${FCM_DEFAULTS.fuzziness})` },
    { name: 'max-iter', kind: 'int', value: 'N', help: `membership updates at most (default ${FCM_DEFAULTS.maxIterations})` },
    { name: 'threshold', kind: 'number', value: 'X', help: `stop when the memberships change by less (Frobenius norm; default ${FCM_DEFAULTS.convergenceThreshold})` },
    { name: 'n-init', kind: 'int', value: 'N', help: `restarts; the lowest objective J_m is kept (default ${FCM_DEFAULTS.nInit})` },
  ],
  create(flags, common) {
    return new FuzzyCMeansSegmentation({
      ...common,
      fuzziness: value(flags, 'm', FCM_DEFAULTS.fuzziness),
      maxIterations: value(flags, 'max-iter', FCM_DEFAULTS.maxIterations),
      convergenceThreshold: value(flags, 'threshold', FCM_DEFAULTS.convergenceThreshold),
      nInit: value(flags, 'n-init', FCM_DEFAULTS.nInit),
    });
  },
});

const neural = command({
  name: 'neural',
  summary: 'autoencoder (TensorFlow.js), then K-Means on its latent codes',
  defaults: NEURAL_DEFAULTS,
  flags: [
    { name: 'encoding-dim', kind: 'int', value: 'N', help: `latent values per customer, fewer than the features (default ${NEURAL_DEFAULTS.encodingDim})` },
    { name: 'epochs', kind: 'int', value: 'N', help: `passes over the data while training (default ${NEURAL_DEFAULTS.epochs})` },
    { name: 'batch-size', kind: 'int', value: 'N', help: `rows per training step (default ${NEURAL_DEFAULTS.batchSize})` },
    { name: 'learning-rate', kind: 'number', value: 'X', help: `Adam's learning rate (default ${NEURAL_DEFAULTS.learningRate})` },
    { name: 'backend', kind: 'string', value: 'auto|wasm|cpu', choices: BACKEND_CHOICES, help: 'TensorFlow.js backend: WebAssembly, else CPU (auto, default), or either one' },
    { name: 'n-init', kind: 'int', value: 'N', help: `K-Means restarts in the latent space; the lowest inertia is kept (default ${NEURAL_DEFAULTS.nInit})` },
  ],
  create(flags, common) {
    return new NeuralSegmentation({
      ...common,
      encodingDim: value(flags, 'encoding-dim', NEURAL_DEFAULTS.encodingDim),
      epochs: value(flags, 'epochs', NEURAL_DEFAULTS.epochs),
      batchSize: value(flags, 'batch-size', NEURAL_DEFAULTS.batchSize),
      learningRate: value(flags, 'learning-rate', NEURAL_DEFAULTS.learningRate),
      backend: value<BackendChoice>(flags, 'backend', NEURAL_DEFAULTS.backend),
      nInit: value(flags, 'n-init', NEURAL_DEFAULTS.nInit),
    });
  },
});

export const METHOD_COMMANDS: readonly MethodCommand[] = [gmm, fuzzy, neural];
