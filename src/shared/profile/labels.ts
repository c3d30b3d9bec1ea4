/**
 * What the panel calls things: metrics (with what good looks like), metadata
 * fields, assignment-certainty fields, feature groups and methods; and the
 * keys it knows, so that every other field is still shown, as it is.
 */
import { formatFixed } from '../format';
import { METHOD_LABELS, type MethodKey } from '../methods';
import type { Direction, GroupKey } from './types';

export interface MetricSpec {
  label: string;
  hint: (k: number | null) => string;
  direction: Direction;
}

export const METRIC_SPECS: Record<string, MetricSpec> = {
  silhouette_score: {
    label: 'Silhouette',
    hint: () => '−1 to 1; higher is better (above 0.5 strong, 0.25–0.5 reasonable, below 0.25 weak structure)',
    direction: 'higher',
  },
  davies_bouldin_index: { label: 'Davies–Bouldin', hint: () => '≥ 0; lower is better (0 = perfectly separated)', direction: 'lower' },
  calinski_harabasz_score: {
    label: 'Calinski–Harabasz',
    hint: () => '≥ 0; higher is better (compare runs on the same data)',
    direction: 'higher',
  },
  log_likelihood: { label: 'Log-likelihood per row', hint: () => 'higher is better (compare models on the same data)', direction: 'higher' },
  bic: { label: 'BIC', hint: () => 'lower is better (compare models on the same data; penalises parameters)', direction: 'lower' },
  aic: { label: 'AIC', hint: () => 'lower is better (compare models on the same data)', direction: 'lower' },
  partition_coefficient: {
    label: 'Partition coefficient',
    hint: (k) => `${k ? trimZeros(formatFixed(1 / k, 3)) : '1/k'} (all fuzzy) to 1 (crisp); higher is crisper`,
    direction: 'higher',
  },
  partition_entropy: {
    label: 'Partition entropy',
    hint: (k) => `0 (crisp) to ${k ? trimZeros(formatFixed(Math.log(k), 3)) : 'ln k'} (all fuzzy); lower is crisper`,
    direction: 'lower',
  },
  reconstruction_error: {
    label: 'Reconstruction error',
    hint: () => '≥ 0, mean squared error on the standardised features; lower is better',
    direction: 'lower',
  },
  latent_silhouette_score: { label: 'Latent silhouette', hint: () => '−1 to 1 in the latent space; higher is better', direction: 'higher' },
  n_parameters: { label: 'Free parameters', hint: () => 'parameters of the model (BIC and AIC penalise them)', direction: 'none' },
};

export const METRIC_ORDER = Object.keys(METRIC_SPECS);

export function trimZeros(text: string): string {
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}

export function silhouetteVerdict(v: number): string {
  if (v >= 0.7) return 'strong structure';
  if (v >= 0.5) return 'reasonable structure';
  if (v >= 0.25) return 'weak structure';
  return 'no substantial structure';
}

export const META_LABELS: Record<string, string> = {
  source_file: 'Data file',
  n_rows_read: 'Rows read',
  sample: 'Sample',
  n_samples: 'Rows clustered',
  n_rows_dropped: 'Rows dropped',
  missing_values: 'Missing values',
  n_values_imputed: 'Values imputed',
  id_column: 'Id column',
  scaling: 'Scaling',
  silhouette_sample_size: 'Silhouette sample',
  input_format: 'Input format',
  tool: 'Tool',
  covariance_type: 'Covariance type',
  converged: 'Converged',
  n_iterations: 'Iterations',
  n_init: 'Initialisations',
  tol: 'Tolerance',
  max_iter: 'Max iterations',
  max_iterations: 'Max iterations',
  reg_covar: 'Covariance regularisation',
  reg_covar_used: 'Regularisation used',
  init_params: 'Initialisation',
  lower_bound: 'Lower bound',
  fuzziness_parameter: 'Fuzziness m',
  convergence_threshold: 'Convergence threshold',
  objective: 'Objective',
  center_spread_ratio: 'Center spread ratio',
  encoding_dim: 'Latent dimensions',
  epochs: 'Epochs',
  batch_size: 'Batch size',
  learning_rate: 'Learning rate',
  backend: 'Backend',
  hidden_layers: 'Hidden layers',
  layer_sizes: 'Layer sizes',
  encoder_layers: 'Encoder layers',
  decoder_layers: 'Decoder layers',
  activation: 'Activation',
  optimizer: 'Optimizer',
  validation_split: 'Validation split',
  tfjs_backend: 'Backend',
};

export const DATA_KEYS = ['source_file', 'n_rows_read', 'sample', 'n_samples', 'n_rows_dropped', 'missing_values', 'n_values_imputed', 'id_column', 'scaling', 'silhouette_sample_size', 'input_format', 'tool'];
export const HEADER_META_KEYS = new Set(['method', 'timestamp', 'n_clusters', 'random_seed', 'warnings', 'excluded_columns', 'columns']);

export const UNCERTAINTY_LABELS: Record<string, [string, string?]> = {
  avg_max_probability: ['Average top probability', 'mean over rows of the highest posterior; 1 = every row is certain'],
  high_confidence_count: ['Confident rows', 'top posterior ≥ the high-confidence threshold'],
  high_confidence_pct: ['Confident rows (%)'],
  low_confidence_count: ['Uncertain rows', 'top posterior < the low-confidence threshold'],
  avg_entropy: ['Average entropy', 'mean Shannon entropy of the posterior (natural log); 0 = certain'],
  high_confidence_threshold: ['High-confidence threshold'],
  low_confidence_threshold: ['Low-confidence threshold'],
};

export const KNOWN_ROOT_KEYS = new Set([
  'metadata',
  'metrics',
  'features_used',
  'clusters',
  'mixture_weights',
  'uncertainty_metrics',
  'loss_history',
  'training',
  'categorical_overview',
  'separation',
]);
export const KNOWN_CLUSTER_KEYS = new Set([
  'cluster_id',
  'size',
  'percentage',
  'cluster_center',
  'feature_statistics',
  'categorical_statistics',
  'descriptor_statistics',
  'mixture_weight',
  'probability_stats',
  'covariance_info',
  'membership_stats',
  'encoded_space_stats',
  'segment_name',
  'persona',
]);

export const STAT_KEYS = ['mean', 'median', 'std', 'min', 'max', 'q25', 'q75'] as const;

export const GROUP_LABELS: Record<GroupKey, string> = {
  dept_: 'Departments (dept_)',
  class_: 'Classes (class_)',
  count_size_: 'Sizes (count_size_)',
  count_: 'Counts (count_)',
  other: 'Other',
  all: 'All features',
  categorical: 'Categorical columns',
  described: 'Described, not clustered',
};

/** The method a profile is of: from its metadata.method, else from its file name (gmm_…, fuzzy_…, neural_…). */
export function methodKindOf(method: string | null, fileName: string): MethodKey | 'unknown' {
  const m = (method ?? '').toLowerCase();
  if (/gaussian|\bgmm\b/.test(m)) return 'gmm';
  if (/fuzzy|\bfcm\b/.test(m)) return 'fuzzy';
  if (/neural|autoencoder/.test(m)) return 'neural';
  const f = fileName.toLowerCase();
  if (f.startsWith('gmm_')) return 'gmm';
  if (f.startsWith('fuzzy_')) return 'fuzzy';
  if (f.startsWith('neural_')) return 'neural';
  return 'unknown';
}

/** "GMM", "FCM", "Neural"; "Profile" when the method is not known. */
export function methodShort(kind: MethodKey | 'unknown'): string {
  return kind === 'unknown' ? 'Profile' : METHOD_LABELS[kind].short;
}
