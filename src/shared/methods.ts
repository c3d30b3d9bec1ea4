/**
 * The clustering methods as data: their keys, their names, their options
 * (types, defaults, bounds, CLI flags, VS Code settings). Browser-safe and
 * free of engine code, so the extension, the worker protocol and the panel
 * share it without bundling the engine. The engine's registry
 * (src/engine/methods/registry.ts) adds what runs: validation with these
 * rules, the data check, the fit.
 */

export type MethodKey = 'gmm' | 'fuzzy' | 'neural';
export const METHOD_KEYS: readonly MethodKey[] = ['gmm', 'fuzzy', 'neural'];

export function isMethodKey(value: unknown): value is MethodKey {
  return typeof value === 'string' && (METHOD_KEYS as readonly string[]).includes(value);
}

export interface MethodLabels {
  /** The profile's metadata.method (../shared/spec/PROFILE.md, "metadata"). */
  name: string;
  /** In VS Code's command titles and notifications: "Export GMM Profile". */
  title: string;
  /** In the panel's tabs and headings. */
  short: string;
  /** One line for the CLI's usage text. */
  summary: string;
}

export const METHOD_LABELS: Readonly<Record<MethodKey, MethodLabels>> = {
  gmm: {
    name: 'Gaussian Mixture Model (GMM)',
    title: 'GMM',
    short: 'GMM',
    summary: 'Gaussian Mixture Model (EM, as scikit-learn)',
  },
  fuzzy: {
    name: 'Fuzzy C-Means (FCM)',
    title: 'Fuzzy C-Means',
    short: 'FCM',
    summary: "Fuzzy C-Means (as scikit-fuzzy's cmeans)",
  },
  neural: {
    name: 'Neural Network (Autoencoder + K-Means)',
    title: 'Neural Network',
    short: 'Neural',
    summary: 'autoencoder (TensorFlow.js), then K-Means on its latent codes',
  },
};

export type CovarianceType = 'full' | 'tied' | 'diag' | 'spherical';
export const COVARIANCE_TYPES: readonly CovarianceType[] = ['full', 'tied', 'diag', 'spherical'];
export type BackendChoice = 'auto' | 'wasm' | 'cpu';
export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'wasm', 'cpu'];

/** Options every method has. */
export interface CommonOptions {
  nClusters: number;
  randomSeed: number;
  /** Exact silhouette up to this many samples, a seeded sample of this size above. */
  silhouetteSampleSize: number;
  /**
   * Threads for the passes over the rows and the silhouettes (the calling
   * one included; 1 = no engine threads). Results are the same bit for bit
   * whatever the count; small data stay on one thread.
   */
  threads: number;
}

export interface GmmOptions extends CommonOptions {
  covarianceType: CovarianceType;
  /** Convergence threshold on the change of the mean per-sample lower bound. */
  tol: number;
  /** Added to the covariance diagonals; raised ×10 up to 1e-3 when a covariance is ill-defined. */
  regCovar: number;
  maxIter: number;
  nInit: number;
}

export interface FcmOptions extends CommonOptions {
  /** The fuzzifier m > 1: near 1 is almost crisp (k-means), larger is fuzzier. */
  fuzziness: number;
  /** Membership updates per restart at most. */
  maxIterations: number;
  /** Stop when the Frobenius norm of the change of the membership matrix falls below this. */
  convergenceThreshold: number;
  nInit: number;
}

export interface NeuralOptions extends CommonOptions {
  /** Width of the latent code K-Means clusters, smaller than the number of features; 'auto' chooses it from the data. */
  encodingDim: number | 'auto';
  epochs: number;
  /** Rows per Adam step; above the number of rows, each epoch is one batch of all rows. */
  batchSize: number;
  learningRate: number;
  /** TensorFlow.js backend: 'auto' (WebAssembly, else CPU), 'wasm' or 'cpu'. */
  backend: BackendChoice;
  /** K-Means restarts in the latent space; the lowest inertia wins. */
  nInit: number;
  /** K-Means: Lloyd iterations per restart at most. */
  maxIter: number;
  /** K-Means: stop when the centers move less (squared, relative to the mean latent variance). */
  tol: number;
}

export interface MethodOptions {
  gmm: GmmOptions;
  fuzzy: FcmOptions;
  neural: NeuralOptions;
}

/** A method's own options, without the common ones. */
export type OwnOptions<M extends MethodKey> = Omit<MethodOptions[M], keyof CommonOptions>;

/** What a value must be; the engine checks it, the CLI parses by it, package.json declares it. */
export type OptionRule =
  | { kind: 'int'; min: number }
  | { kind: 'number'; greaterThan: number }
  | { kind: 'number'; atLeast: number }
  | { kind: 'choice'; choices: readonly string[] };

export interface OptionSpec<K extends string = string> {
  /** The engine's option name. */
  key: K;
  /** How the engine's own messages name it (the profile's metadata key where there is one). */
  label: string;
  /** The CLI flag, without dashes; absent when the CLI does not offer it. */
  flag?: string;
  short?: string;
  /** The placeholder in the CLI's help, e.g. N, X, TYPE. */
  placeholder?: string;
  /** The VS Code setting, without "segment."; absent when VS Code does not offer it. */
  setting?: string;
  rule: OptionRule;
  /** The default. For a whole number, 'auto' means the engine chooses (from the data or the machine): the setting's 0, the flag's "auto". */
  default: number | string;
  /** Said after the rule in an error message, e.g. "; 2 is the usual choice". */
  hint?: string;
  /** The CLI's help text, without the default. */
  help: string;
}

/** The setting's value that stands for 'auto' (integer settings only). */
export const AUTO_SETTING = 0;

/** True when the engine chooses the value (from the data or the machine) unless one is given. */
export function chosenByEngine(spec: OptionSpec): boolean {
  return spec.default === 'auto' && spec.rule.kind === 'int';
}

/** The default as package.json declares it: AUTO_SETTING for an option the engine chooses. */
export function settingDefault(spec: OptionSpec): number | string {
  return chosenByEngine(spec) ? AUTO_SETTING : spec.default;
}

export const COMMON_OPTIONS: readonly OptionSpec<keyof CommonOptions>[] = [
  {
    key: 'nClusters',
    label: 'The number of clusters',
    flag: 'clusters',
    short: 'k',
    placeholder: 'K',
    setting: 'clusters',
    rule: { kind: 'int', min: 2 },
    default: 4,
    help: 'number of clusters',
  },
  {
    key: 'randomSeed',
    label: 'seed',
    flag: 'seed',
    placeholder: 'N',
    setting: 'seed',
    rule: { kind: 'int', min: 0 },
    default: 42,
    help: 'random seed; the same seed gives the same clusters',
  },
  {
    key: 'silhouetteSampleSize',
    label: 'silhouette sample size',
    flag: 'silhouette-sample',
    placeholder: 'N',
    setting: 'silhouetteSampleSize',
    rule: { kind: 'int', min: 2 },
    default: 20000,
    help: 'exact silhouette up to N rows, a seeded sample of N above',
  },
  {
    key: 'threads',
    label: 'threads',
    flag: 'threads',
    placeholder: 'N',
    setting: 'threads',
    rule: { kind: 'int', min: 1 },
    default: 'auto',
    help: "CPU threads for GMM's EM, Fuzzy C-Means and every silhouette; the result is the same whatever N (default: the cores, at most 4)",
  },
];

export const METHOD_OPTIONS: { readonly [M in MethodKey]: readonly OptionSpec<keyof OwnOptions<M> & string>[] } = {
  gmm: [
    {
      key: 'covarianceType',
      label: 'covariance type',
      flag: 'covariance',
      placeholder: 'TYPE',
      setting: 'gmm.covarianceType',
      rule: { kind: 'choice', choices: COVARIANCE_TYPES },
      default: 'full',
      help: 'covariance type: full, tied, diag or spherical',
    },
    {
      key: 'nInit',
      label: 'n_init',
      flag: 'n-init',
      placeholder: 'N',
      setting: 'gmm.nInit',
      rule: { kind: 'int', min: 1 },
      default: 1,
      help: 'restarts; the best lower bound is kept',
    },
    {
      key: 'maxIter',
      label: 'max_iter',
      flag: 'max-iter',
      placeholder: 'N',
      setting: 'gmm.maxIter',
      rule: { kind: 'int', min: 1 },
      default: 100,
      help: 'EM iterations at most',
    },
    {
      key: 'tol',
      label: 'tol',
      flag: 'tol',
      placeholder: 'X',
      setting: 'gmm.tol',
      rule: { kind: 'number', greaterThan: 0 },
      default: 1e-3,
      help: 'stop when the mean log-likelihood changes by less',
    },
    {
      key: 'regCovar',
      label: 'reg_covar',
      flag: 'reg-covar',
      placeholder: 'X',
      setting: 'gmm.regCovar',
      rule: { kind: 'number', atLeast: 0 },
      default: 1e-6,
      help: 'added to covariance diagonals',
    },
  ],
  fuzzy: [
    {
      key: 'fuzziness',
      label: 'The fuzziness m',
      flag: 'm',
      placeholder: 'X',
      setting: 'fuzzy.m',
      rule: { kind: 'number', greaterThan: 1 },
      default: 2,
      hint: '; 2 is the usual choice, values near 1 give almost crisp clusters',
      help: 'fuzziness, greater than 1; near 1 is almost crisp',
    },
    {
      key: 'maxIterations',
      label: 'max_iterations',
      flag: 'max-iter',
      placeholder: 'N',
      setting: 'fuzzy.maxIterations',
      rule: { kind: 'int', min: 1 },
      default: 150,
      help: 'membership updates at most',
    },
    {
      key: 'convergenceThreshold',
      label: 'convergence_threshold',
      flag: 'threshold',
      placeholder: 'X',
      setting: 'fuzzy.threshold',
      rule: { kind: 'number', greaterThan: 0 },
      default: 1e-5,
      help: 'stop when the memberships change by less (Frobenius norm)',
    },
    {
      key: 'nInit',
      label: 'n_init',
      flag: 'n-init',
      placeholder: 'N',
      setting: 'fuzzy.nInit',
      rule: { kind: 'int', min: 1 },
      default: 1,
      help: 'restarts; the lowest objective J_m is kept',
    },
  ],
  neural: [
    {
      key: 'encodingDim',
      label: 'encoding_dim',
      flag: 'encoding-dim',
      placeholder: 'N|auto',
      setting: 'neural.encodingDim',
      rule: { kind: 'int', min: 1 },
      default: 'auto',
      help: 'latent values per customer, fewer than the features (default auto: min(10, ⌈features/2⌉), at least 2, below the number of features)',
    },
    {
      key: 'epochs',
      label: 'epochs',
      flag: 'epochs',
      placeholder: 'N',
      setting: 'neural.epochs',
      rule: { kind: 'int', min: 1 },
      default: 100,
      help: 'passes over the data while training',
    },
    {
      key: 'batchSize',
      label: 'batch_size',
      flag: 'batch-size',
      placeholder: 'N',
      setting: 'neural.batchSize',
      rule: { kind: 'int', min: 1 },
      default: 32,
      help: 'rows per training step',
    },
    {
      key: 'learningRate',
      label: 'learning_rate',
      flag: 'learning-rate',
      placeholder: 'X',
      setting: 'neural.learningRate',
      rule: { kind: 'number', greaterThan: 0 },
      default: 1e-3,
      help: "Adam's learning rate",
    },
    {
      key: 'backend',
      label: 'backend',
      flag: 'backend',
      placeholder: 'auto|wasm|cpu',
      setting: 'neural.backend',
      rule: { kind: 'choice', choices: BACKEND_CHOICES },
      default: 'auto',
      help: 'TensorFlow.js backend: WebAssembly, else CPU (auto), or either one',
    },
    {
      key: 'nInit',
      label: 'n_init',
      flag: 'n-init',
      placeholder: 'N',
      setting: 'neural.nInit',
      rule: { kind: 'int', min: 1 },
      default: 10,
      help: 'K-Means restarts in the latent space; the lowest inertia is kept',
    },
    { key: 'maxIter', label: 'max_iter', rule: { kind: 'int', min: 1 }, default: 300, help: 'K-Means: Lloyd iterations per restart at most' },
    { key: 'tol', label: 'tol', rule: { kind: 'number', greaterThan: 0 }, default: 1e-4, help: 'K-Means: relative tolerance on the centers' },
  ],
};

/**
 * Options of the reading rather than of a method: every fitting command
 * (segment <method>, all, sweep) and the VS Code export commands have them.
 * The sample's 'auto' (the setting's 0) reads every row.
 */
export const SAMPLE_OPTION: OptionSpec<'sampleRows'> = {
  key: 'sampleRows',
  label: 'sample size',
  flag: 'sample',
  placeholder: 'N',
  setting: 'sampleRows',
  rule: { kind: 'int', min: 1 },
  default: 'auto',
  help: 'fit on a uniform sample of N data rows drawn while reading, seeded by --seed (default: every row)',
};
export const DATA_OPTIONS: readonly OptionSpec[] = [SAMPLE_OPTION];

/** Every option of a method, the common ones first. */
export function optionSpecs(method: MethodKey): readonly OptionSpec[] {
  return [...COMMON_OPTIONS, ...METHOD_OPTIONS[method]];
}

/**
 * Option values as they cross from the extension to the worker: any subset,
 * by the engine's names (so renaming an engine option breaks this type, not a
 * setting silently).
 */
export type MethodParams = { [M in MethodKey]: Partial<OwnOptions<M>> };
