/**
 * A profile read for people: from profiles as read from disk (JSON or YAML,
 * possibly edited by hand or by a language model) to everything the cluster
 * panel shows and the language-model prompt (prompt.ts) tells, already
 * checked, derived and formatted. Pure: no DOM, no vscode, no I/O, so the
 * extension host, the webview, the CLI and plain Node tests all run the same
 * code.
 *
 * Nothing in a profile is trusted: every field is read defensively, and a
 * missing or wrongly typed field becomes a readable message in the model
 * (ProfileView.problems), never an exception. A profile that cannot be shown
 * at all has status 'error' and says why in ProfileView.errors.
 *
 * Derived values (PROFILE.md: centers and statistics are in original units,
 * feature_statistics are over the hard-assigned members, std with ddof = 1):
 *   overall mean      = Σ size·mean / n
 *   overall variance  = [Σ (size − 1)·std² + Σ size·(mean − overall mean)²] / n   (population, ddof = 0)
 *   separation η²     = Σ size·(mean − overall mean)² / (n · overall variance)
 * so the heat map's z-scores are against the whole data, exactly as the
 * method's own standardisation saw it.
 */
import { DASH, decimalsForSpread, formatCount, formatFixed, formatMetric, formatPercent, formatPlain, formatSigned } from './format';

// ---------------------------------------------------------------------------
// Input and output types

/** One profile as the host read it: the parsed document, or why it could not be parsed. */
export interface ProfileInput {
  /** Where the profile lives (shown, and sent back in openFile). */
  path: string;
  /** The parsed JSON or YAML document. */
  profile?: unknown;
  /** Set instead of `profile` when the file could not be read or parsed (e.g. a YAML syntax error). */
  error?: string;
}

export type MethodKind = 'gmm' | 'fuzzy' | 'neural' | 'unknown';
export type Direction = 'higher' | 'lower' | 'none';

/** A number as shown: the value (null when absent) and its text. */
export interface Shown {
  value: number | null;
  text: string;
}

/** One line of a key–value list. */
export interface Fact {
  label: string;
  value: string;
  /** A longer explanation (tooltip). */
  hint?: string;
}

export interface FactBlock {
  title: string;
  facts: Fact[];
  /** A sentence under the title. */
  note?: string;
}

export interface MetricView {
  key: string;
  label: string;
  value: number | null;
  text: string;
  /** What good looks like, e.g. "−1 to 1; higher is better". */
  hint: string;
  direction: Direction;
  /** A word on the value where there is an accepted reading (silhouette). */
  verdict?: string;
}

export interface ExcludedColumnView {
  column: string;
  reason: string;
}

export interface HeaderView {
  /** "Gaussian Mixture Model (GMM)", or what the profile says. */
  method: string;
  methodKind: MethodKind;
  /** "GMM", "FCM", "Neural". */
  methodShort: string;
  dataFile: string | null;
  n: number | null;
  k: number | null;
  seed: string | null;
  timestamp: string | null;
  /** "2026-11-24 09:48:38 +00:00". */
  timestampText: string;
  warnings: string[];
  excluded: ExcludedColumnView[];
}

export type GroupKey = 'dept_' | 'class_' | 'count_size_' | 'count_' | 'other' | 'all';

export interface FeatureView {
  index: number;
  name: string;
  group: GroupKey;
  /** The name without its group's common prefix ("Accessories & Footwear"). */
  shortName: string;
  overallMean: number | null;
  overallStd: number | null;
  /** η²: the share of the feature's variance between clusters, 0..1 (null when not derivable). */
  separation: number | null;
  separationText: string;
  /** Decimals for this feature's values in original units. */
  decimals: number;
}

export interface FeatureGroupView {
  key: GroupKey;
  label: string;
  /** Indexes into ProfileView.features, in display order. */
  features: number[];
}

export interface StatRowView {
  feature: number;
  center: Shown;
  /** The center's z-score against the whole data. */
  z: Shown;
  mean: Shown;
  median: Shown;
  std: Shown;
  min: Shown;
  q25: Shown;
  q75: Shown;
  max: Shown;
  /** GMM: √ of the component's variance (covariance_info.feature_variances), original units. */
  modelStd: Shown | null;
}

export interface HighlightView {
  feature: number;
  z: number;
  /** "dept_total_value_Kids & Baby +2.10σ". */
  text: string;
}

export interface PersonaView {
  paragraphs: string[];
  facts: Fact[];
}

export interface ClusterView {
  key: string;
  id: number;
  /** "Cluster 0". */
  label: string;
  /** segment_name, if the profile has one. */
  name: string | null;
  persona: PersonaView | null;
  size: Shown;
  percentage: Shown;
  /** size / n, 0..1, for the bar. */
  share: number;
  stats: StatRowView[];
  /** The features where the center is furthest from the overall mean (|z| ≥ 0.5), strongest first. */
  highlights: HighlightView[];
  diagnostics: FactBlock[];
}

export interface HeatCell {
  z: number | null;
  /** The z-score as text ("+1.23"), so the map does not rely on colour alone. */
  text: string;
  /** The center in original units. */
  valueText: string;
  /** Tooltip: cluster, feature, center, overall mean and std, z. */
  title: string;
  /** 0..1: |z| / HEAT_Z_CAP, capped. */
  intensity: number;
  sign: -1 | 0 | 1;
}

export interface LossSeries {
  name: string;
  values: number[];
}

export interface LossCurveView {
  series: LossSeries[];
  min: number;
  max: number;
  epochs: number;
  /** "loss 0.912 → 0.0512 over 100 epochs". */
  summary: string;
}

export interface ProfileView {
  /** Stable within a model: "p0", "p1", … */
  id: string;
  path: string;
  fileName: string;
  /** "GMM · k = 4 · 2026-11-24 09:48". */
  shortLabel: string;
  status: 'ok' | 'error';
  /** Why the profile cannot be shown (status 'error'). */
  errors: string[];
  /** What was wrong but worked around: missing or wrongly typed fields. */
  problems: string[];
  header: HeaderView;
  metrics: MetricView[];
  /** Profile-level blocks: the data, the method's settings, uncertainty, other fields. */
  diagnostics: FactBlock[];
  lossCurve: LossCurveView | null;
  features: FeatureView[];
  /** Features grouped by prefix, in CSV order within each group. */
  groups: FeatureGroupView[];
  clusters: ClusterView[];
  /** heat[cluster][feature], clusters and features in the order above. */
  heat: HeatCell[][];
}

export interface ComparisonMetricRow {
  key: string;
  label: string;
  hint: string;
  direction: Direction;
  /** One per compared profile. */
  values: Shown[];
  /** Indexes (into the comparison's profiles) of the best value(s). */
  best: number[];
}

export interface ComparisonView {
  dataFile: string;
  /** Indexes into PanelModel.profiles. */
  profiles: number[];
  labels: string[];
  metrics: ComparisonMetricRow[];
  /** sizes[rank][profile]: the rank-th largest cluster of each profile (null where it has fewer). */
  sizes: (Shown | null)[][];
  /** shares[profile][cluster], 0..1, for stacked bars. */
  shares: number[][];
  notes: string[];
}

export interface PanelModel {
  profiles: ProfileView[];
  comparisons: ComparisonView[];
  messages: string[];
}

/** |z| at which the heat map's colour is at full strength. */
export const HEAT_Z_CAP = 2.5;

const MAX_PROBLEMS = 40;

// ---------------------------------------------------------------------------
// Reading untrusted values

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** "the text "299"", "a list", … for messages. */
function describe(v: unknown): string {
  if (v === undefined) return 'missing';
  if (v === null) return 'empty (null)';
  if (typeof v === 'string') return `the text ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  if (typeof v === 'number') return Number.isFinite(v) ? `the number ${v}` : `the value ${String(v)}`;
  if (typeof v === 'boolean') return `the value ${v}`;
  if (Array.isArray(v)) return `a list of ${v.length}`;
  if (isObj(v)) return 'a mapping';
  return `a ${typeof v}`;
}

class Problems {
  readonly list: string[] = [];
  private dropped = 0;
  add(message: string): void {
    if (this.list.length < MAX_PROBLEMS) this.list.push(message);
    else this.dropped++;
  }
  done(): string[] {
    return this.dropped > 0 ? [...this.list, `…and ${this.dropped} more problems of the same kinds.`] : this.list;
  }
}

/** A finite number, or null; anything else present is a problem. */
function readNumber(obj: Obj | null, key: string, path: string, problems: Problems, required = false): number | null {
  if (!obj) return null;
  const v = obj[key];
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (v === null || (v === undefined && !required)) return null;
  if (v === undefined) problems.add(`${path}.${key} is missing.`);
  else problems.add(`${path}.${key} should be a number but is ${describe(v)}.`);
  return null;
}

function readObj(obj: Obj | null, key: string, path: string, problems: Problems, required = false): Obj | null {
  if (!obj) return null;
  const v = obj[key];
  if (isObj(v)) return v;
  if (v == null) {
    if (required) problems.add(`${path}.${key} is missing.`);
    return null;
  }
  problems.add(`${path}.${key} should be a mapping but is ${describe(v)}.`);
  return null;
}

/** Text for a scalar (strings as they are, numbers as written, booleans yes/no). */
function scalarText(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return formatPlain(v);
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (v === null) return DASH;
  return null;
}

/** Text for a value that may be a list of scalars or a flat mapping. */
function valueText(v: unknown): string | null {
  const s = scalarText(v);
  if (s != null) return s;
  if (Array.isArray(v)) {
    const parts = v.map(scalarText);
    if (parts.every((p) => p != null)) return parts.length > 12 ? `${parts.slice(0, 12).join(', ')}, … (${parts.length})` : parts.join(', ');
    return `a list of ${v.length}`;
  }
  if (isObj(v)) {
    const parts = Object.entries(v).map(([k, x]) => {
      const t = scalarText(x);
      return t == null ? null : `${k}: ${t}`;
    });
    if (parts.every((p) => p != null)) return parts.join(' · ');
    return 'a mapping';
  }
  return null;
}

function fileNameOf(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] || path;
}

// ---------------------------------------------------------------------------
// Labels

interface MetricSpec {
  label: string;
  hint: (k: number | null) => string;
  direction: Direction;
}

const METRIC_SPECS: Record<string, MetricSpec> = {
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

const METRIC_ORDER = Object.keys(METRIC_SPECS);

function trimZeros(text: string): string {
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}

function silhouetteVerdict(v: number): string {
  if (v >= 0.7) return 'strong structure';
  if (v >= 0.5) return 'reasonable structure';
  if (v >= 0.25) return 'weak structure';
  return 'no substantial structure';
}

const META_LABELS: Record<string, string> = {
  source_file: 'Data file',
  n_rows_read: 'Rows read',
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

const DATA_KEYS = ['source_file', 'n_rows_read', 'n_samples', 'n_rows_dropped', 'missing_values', 'n_values_imputed', 'id_column', 'scaling', 'silhouette_sample_size', 'input_format', 'tool'];
const HEADER_META_KEYS = new Set(['method', 'timestamp', 'n_clusters', 'random_seed', 'warnings', 'excluded_columns']);

const UNCERTAINTY_LABELS: Record<string, [string, string?]> = {
  avg_max_probability: ['Average top probability', 'mean over rows of the highest posterior; 1 = every row is certain'],
  high_confidence_count: ['Confident rows', 'top posterior ≥ the high-confidence threshold'],
  high_confidence_pct: ['Confident rows (%)'],
  low_confidence_count: ['Uncertain rows', 'top posterior < the low-confidence threshold'],
  avg_entropy: ['Average entropy', 'mean Shannon entropy of the posterior (natural log); 0 = certain'],
  high_confidence_threshold: ['High-confidence threshold'],
  low_confidence_threshold: ['Low-confidence threshold'],
};

const KNOWN_ROOT_KEYS = new Set(['metadata', 'metrics', 'features_used', 'clusters', 'mixture_weights', 'uncertainty_metrics', 'loss_history', 'training']);
const KNOWN_CLUSTER_KEYS = new Set([
  'cluster_id',
  'size',
  'percentage',
  'cluster_center',
  'feature_statistics',
  'mixture_weight',
  'probability_stats',
  'covariance_info',
  'membership_stats',
  'encoded_space_stats',
  'segment_name',
  'persona',
]);

const STAT_KEYS = ['mean', 'median', 'std', 'min', 'max', 'q25', 'q75'] as const;

// ---------------------------------------------------------------------------
// Feature groups

/** Prefix groups; count_size_ must be tried before count_. */
const GROUP_PREFIXES: { key: GroupKey; prefix: string; label: string }[] = [
  { key: 'dept_', prefix: 'dept_', label: 'Departments (dept_)' },
  { key: 'class_', prefix: 'class_', label: 'Classes (class_)' },
  { key: 'count_size_', prefix: 'count_size_', label: 'Sizes (count_size_)' },
  { key: 'count_', prefix: 'count_', label: 'Counts (count_)' },
];

export const GROUP_LABELS: Record<GroupKey, string> = {
  dept_: 'Departments (dept_)',
  class_: 'Classes (class_)',
  count_size_: 'Sizes (count_size_)',
  count_: 'Counts (count_)',
  other: 'Other',
  all: 'All features',
};

export function groupOf(name: string): GroupKey {
  for (const g of GROUP_PREFIXES) if (name.startsWith(g.prefix) && name.length > g.prefix.length) return g.key;
  return 'other';
}

/** The names without their longest common prefix that ends in "_" (only when ≥ 2 names share one). */
function stripCommonPrefix(names: string[]): string[] {
  if (names.length < 2) return names;
  let prefix = names[0];
  for (const n of names) {
    let i = 0;
    while (i < prefix.length && i < n.length && prefix[i] === n[i]) i++;
    prefix = prefix.slice(0, i);
  }
  const cut = prefix.lastIndexOf('_') + 1;
  if (cut <= 0) return names;
  const out = names.map((n) => n.slice(cut));
  return out.every((n) => n.length > 0) ? out : names;
}

export type FeatureSort = 'csv' | 'separation';

/**
 * The features in display order: by prefix group (groups in order of first
 * appearance) or as one group, in CSV order or by separation (η², strongest
 * first; features without one last).
 */
export function orderFeatures(profile: Pick<ProfileView, 'features' | 'groups'>, sort: FeatureSort, grouped: boolean): FeatureGroupView[] {
  const groups: FeatureGroupView[] = grouped
    ? profile.groups.map((g) => ({ ...g, features: [...g.features] }))
    : [{ key: 'all', label: GROUP_LABELS.all, features: profile.features.map((f) => f.index) }];
  if (sort === 'separation') {
    const sep = (i: number) => profile.features[i]?.separation ?? -1;
    for (const g of groups) g.features.sort((a, b) => sep(b) - sep(a) || a - b);
  }
  return groups;
}

// ---------------------------------------------------------------------------
// One profile

interface RawCluster {
  key: string;
  obj: Obj;
  path: string;
}

function readClusters(root: Obj, problems: Problems): RawCluster[] | string {
  const v = root.clusters;
  if (v === undefined) return 'It has no "clusters" section, so there is nothing to show.';
  let entries: [string, unknown][];
  if (Array.isArray(v)) {
    problems.add('clusters is a list; expected a mapping cluster_0, cluster_1, … (read in list order).');
    entries = v.map((c, i) => [`cluster_${i}`, c]);
  } else if (isObj(v)) {
    entries = Object.entries(v);
  } else {
    return `Its "clusters" section should be a mapping of cluster_0, cluster_1, … but is ${describe(v)}.`;
  }
  const out: RawCluster[] = [];
  for (const [key, c] of entries) {
    if (!isObj(c)) {
      problems.add(`clusters.${key} should be a mapping but is ${describe(c)}; left out.`);
      continue;
    }
    out.push({ key, obj: c, path: `clusters.${key}` });
  }
  if (out.length === 0) return 'Its "clusters" section has no clusters.';
  const numbered = out.map((c) => /^cluster_(\d+)$/.exec(c.key));
  if (numbered.every((m) => m != null)) {
    const idx = (c: RawCluster) => Number(/^cluster_(\d+)$/.exec(c.key)![1]);
    out.sort((a, b) => idx(a) - idx(b));
  }
  return out;
}

function readFeatures(root: Obj, clusters: RawCluster[], problems: Problems): string[] {
  const v = root.features_used;
  const seen = new Set<string>();
  const out: string[] = [];
  const push = (name: string) => {
    if (seen.has(name)) return false;
    seen.add(name);
    out.push(name);
    return true;
  };
  if (Array.isArray(v)) {
    v.forEach((f, i) => {
      if (typeof f === 'string' || typeof f === 'number') {
        if (!push(String(f))) problems.add(`features_used lists ${JSON.stringify(String(f))} twice.`);
      } else problems.add(`features_used[${i}] should be a column name but is ${describe(f)}; left out.`);
    });
    if (out.length > 0) return out;
  } else if (v !== undefined) {
    problems.add(`features_used should be a list of column names but is ${describe(v)}.`);
  } else {
    problems.add('features_used is missing; the features are taken from the clusters.');
  }
  for (const c of clusters) {
    for (const key of ['cluster_center', 'feature_statistics']) {
      const m = c.obj[key];
      if (isObj(m)) Object.keys(m).forEach(push);
    }
  }
  return out;
}

function readPersona(v: unknown, path: string, problems: Problems): PersonaView | null {
  if (v == null) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') {
    const paragraphs = String(v)
      .split(/\n\s*\n/)
      .map((p) => p.trim())
      .filter((p) => p.length > 0);
    return paragraphs.length ? { paragraphs, facts: [] } : null;
  }
  if (Array.isArray(v)) {
    const paragraphs = v.map((x) => valueText(x) ?? '').filter((x) => x.length > 0);
    return paragraphs.length ? { paragraphs, facts: [] } : null;
  }
  if (isObj(v)) {
    const facts: Fact[] = [];
    for (const [k, x] of Object.entries(v)) {
      const t = valueText(x);
      if (t == null) problems.add(`${path}.${k} is nested too deeply to show.`);
      else facts.push({ label: k, value: t });
    }
    return facts.length ? { paragraphs: [], facts } : null;
  }
  problems.add(`${path} should be text but is ${describe(v)}.`);
  return null;
}

function readSegmentName(v: unknown, path: string, problems: Problems): string | null {
  if (v == null) return null;
  if (typeof v === 'string') return v.trim() || null;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  problems.add(`${path} should be text but is ${describe(v)}.`);
  return null;
}

function methodKindOf(method: string | null, fileName: string): MethodKind {
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

const METHOD_SHORT: Record<MethodKind, string> = { gmm: 'GMM', fuzzy: 'FCM', neural: 'Neural', unknown: 'Profile' };

/** "2026-11-24T09:48:38+00:00" → "2026-11-24 09:48:38 +00:00" (the profile's own local time, not the viewer's). */
function timestampText(ts: string | null): string {
  if (!ts) return DASH;
  const m = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d(?::\d\d)?)(?:\.\d+)?(Z|[+-]\d\d:?\d\d)?$/.exec(ts);
  if (!m) return ts;
  return `${m[1]} ${m[2]}${m[3] ? ` ${m[3] === 'Z' ? 'UTC' : m[3]}` : ''}`;
}

function shown(value: number | null, decimals: number): Shown {
  return { value, text: formatFixed(value, decimals) };
}

function readLossCurve(root: Obj, metadata: Obj | null, metrics: Obj | null, problems: Problems): LossCurveView | null {
  const training = isObj(root.training) ? root.training : null;
  const candidates: [unknown, string][] = [
    [root.loss_history, 'loss_history'],
    [metrics?.loss_history, 'metrics.loss_history'],
    [metadata?.loss_history, 'metadata.loss_history'],
    [training?.loss_history, 'training.loss_history'],
    [training?.loss, 'training.loss'],
  ];
  const found = candidates.find(([v]) => v !== undefined && v !== null);
  if (!found) return null;
  const [v, path] = found;
  const series: LossSeries[] = [];
  const toValues = (x: unknown, p: string): number[] | null => {
    if (!Array.isArray(x)) {
      problems.add(`${p} should be a list of numbers but is ${describe(x)}.`);
      return null;
    }
    const values: number[] = [];
    x.forEach((e) => {
      if (typeof e === 'number' && Number.isFinite(e)) values.push(e);
      else if (isObj(e) && typeof e.loss === 'number' && Number.isFinite(e.loss)) values.push(e.loss);
    });
    if (values.length < x.length) problems.add(`${p} has ${x.length - values.length} entries that are not numbers; left out.`);
    return values;
  };
  if (Array.isArray(v)) {
    const values = toValues(v, path);
    if (values?.length) series.push({ name: 'loss', values });
  } else if (isObj(v)) {
    for (const [name, x] of Object.entries(v)) {
      const values = toValues(x, `${path}.${name}`);
      if (values?.length) series.push({ name, values });
    }
  } else {
    problems.add(`${path} should be a list of numbers but is ${describe(v)}.`);
  }
  if (series.length === 0) return null;
  const all = series.flatMap((s) => s.values);
  const min = Math.min(...all);
  const max = Math.max(...all);
  const epochs = Math.max(...series.map((s) => s.values.length));
  const first = series[0].values;
  return {
    series,
    min,
    max,
    epochs,
    summary: `${series[0].name} ${formatMetric(first[0])} → ${formatMetric(first[first.length - 1])} over ${formatCount(first.length)} epochs`,
  };
}

function buildProfile(input: ProfileInput, index: number): ProfileView {
  const path = typeof input?.path === 'string' ? input.path : `(profile ${index + 1})`;
  const fileName = fileNameOf(path);
  const problems = new Problems();
  const empty = (errors: string[]): ProfileView => ({
    id: `p${index}`,
    path,
    fileName,
    shortLabel: fileName,
    status: 'error',
    errors,
    problems: problems.done(),
    header: {
      method: 'Unknown method',
      methodKind: methodKindOf(null, fileName),
      methodShort: METHOD_SHORT[methodKindOf(null, fileName)],
      dataFile: null,
      n: null,
      k: null,
      seed: null,
      timestamp: null,
      timestampText: DASH,
      warnings: [],
      excluded: [],
    },
    metrics: [],
    diagnostics: [],
    lossCurve: null,
    features: [],
    groups: [],
    clusters: [],
    heat: [],
  });

  if (input?.error != null) return empty([`${fileName} could not be read: ${String(input.error)}`]);
  const root = input?.profile;
  if (!isObj(root)) {
    return empty([
      `${fileName} is not a cluster profile: expected a mapping with metadata, metrics, features_used and clusters, but it is ${describe(root)}.`,
    ]);
  }

  const rawClusters = readClusters(root, problems);
  if (typeof rawClusters === 'string') return empty([`${fileName} cannot be shown. ${rawClusters}`]);

  // --- metadata and header
  const metadata = readObj(root, 'metadata', 'profile', problems, true);
  const metrics = readObj(root, 'metrics', 'profile', problems, true);
  const methodRaw = metadata?.method;
  const method = typeof methodRaw === 'string' && methodRaw.trim() ? methodRaw.trim() : null;
  if (metadata && methodRaw !== undefined && method == null) problems.add(`metadata.method should be text but is ${describe(methodRaw)}.`);
  const methodKind = methodKindOf(method, fileName);
  const dataFileRaw = metadata?.source_file;
  const dataFile = typeof dataFileRaw === 'string' ? dataFileRaw : null;
  if (dataFileRaw != null && dataFile == null) problems.add(`metadata.source_file should be text but is ${describe(dataFileRaw)}.`);
  const tsRaw = metadata?.timestamp;
  const timestamp = typeof tsRaw === 'string' ? tsRaw : null;
  if (tsRaw != null && timestamp == null) problems.add(`metadata.timestamp should be text but is ${describe(tsRaw)}.`);
  const kMeta = readNumber(metadata, 'n_clusters', 'metadata', problems);
  const nMeta = readNumber(metadata, 'n_samples', 'metadata', problems);
  const seedRaw = metadata?.random_seed;
  const seed = seedRaw == null ? null : (scalarText(seedRaw) ?? describe(seedRaw));
  const warnings: string[] = [];
  if (metadata?.warnings != null) {
    if (Array.isArray(metadata.warnings)) metadata.warnings.forEach((w) => warnings.push(valueText(w) ?? describe(w)));
    else warnings.push(valueText(metadata.warnings) ?? describe(metadata.warnings));
  }
  const excluded: ExcludedColumnView[] = [];
  if (metadata?.excluded_columns != null) {
    if (Array.isArray(metadata.excluded_columns)) {
      for (const e of metadata.excluded_columns) {
        if (isObj(e)) excluded.push({ column: scalarText(e.column) ?? describe(e.column), reason: scalarText(e.reason) ?? '' });
        else excluded.push({ column: scalarText(e) ?? describe(e), reason: '' });
      }
    } else problems.add(`metadata.excluded_columns should be a list but is ${describe(metadata.excluded_columns)}.`);
  }

  // --- features and clusters
  const names = readFeatures(root, rawClusters, problems);
  const d = names.length;
  const k = rawClusters.length;
  if (kMeta != null && kMeta !== k) problems.add(`metadata.n_clusters is ${kMeta} but the profile has ${k} clusters.`);

  interface Work {
    raw: RawCluster;
    size: number | null;
    pct: number | null;
    center: (number | null)[];
    stats: Record<(typeof STAT_KEYS)[number], number | null>[];
    variances: (number | null)[] | null;
  }
  const work: Work[] = rawClusters.map((raw) => {
    const size = readNumber(raw.obj, 'size', raw.path, problems, true);
    if (size != null && (size < 0 || !Number.isInteger(size))) problems.add(`${raw.path}.size should be a whole number ≥ 0 but is ${size}.`);
    const pct = readNumber(raw.obj, 'percentage', raw.path, problems);
    const centerObj = readObj(raw.obj, 'cluster_center', raw.path, problems);
    const statsObj = readObj(raw.obj, 'feature_statistics', raw.path, problems, true);
    const center: (number | null)[] = [];
    const stats: Work['stats'] = [];
    const missingStats: string[] = [];
    const missingCenter: string[] = [];
    const badValues: string[] = [];
    for (const name of names) {
      const s = statsObj ? statsObj[name] : undefined;
      const row = { mean: null, median: null, std: null, min: null, max: null, q25: null, q75: null } as Work['stats'][number];
      if (isObj(s)) {
        for (const key of STAT_KEYS) {
          const v = s[key];
          if (typeof v === 'number' && Number.isFinite(v)) row[key] = v;
          else if (v != null) badValues.push(`${name}.${key} (${describe(v)})`);
        }
      } else if (statsObj) {
        missingStats.push(name);
        if (s != null) badValues.push(`${name} (${describe(s)})`);
      }
      stats.push(row);
      const cv = centerObj ? centerObj[name] : undefined;
      if (typeof cv === 'number' && Number.isFinite(cv)) center.push(cv);
      else {
        if (centerObj && cv == null) missingCenter.push(name);
        else if (cv != null) badValues.push(`cluster_center.${name} (${describe(cv)})`);
        center.push(row.mean);
      }
    }
    const list = (xs: string[]) => (xs.length > 3 ? `${xs.slice(0, 3).join(', ')} and ${xs.length - 3} more` : xs.join(', '));
    if (missingStats.length) problems.add(`${raw.path}.feature_statistics has no statistics for ${list(missingStats)}.`);
    if (missingCenter.length) problems.add(`${raw.path}.cluster_center has no value for ${list(missingCenter)}; the members' mean is shown instead.`);
    if (!centerObj && raw.obj.cluster_center === undefined) problems.add(`${raw.path}.cluster_center is missing; the members' means are shown instead.`);
    if (badValues.length) problems.add(`${raw.path} has values that are not numbers: ${list(badValues)}.`);
    let variances: (number | null)[] | null = null;
    const cov = readObj(raw.obj, 'covariance_info', raw.path, problems);
    if (cov) {
      const fv = readObj(cov, 'feature_variances', `${raw.path}.covariance_info`, problems);
      if (fv) variances = names.map((n) => (typeof fv[n] === 'number' && Number.isFinite(fv[n]) && (fv[n] as number) >= 0 ? (fv[n] as number) : null));
    }
    return { raw, size, pct, center, stats, variances };
  });

  // --- the whole data's mean and std per feature, from the clusters' statistics
  const sizes = work.map((w) => (w.size != null && w.size >= 0 ? w.size : null));
  const sizesKnown = sizes.every((s) => s != null);
  const nFromSizes = sizes.reduce<number>((a, s) => a + (s ?? 0), 0);
  if (!sizesKnown) problems.add('Some cluster sizes are missing, so the whole data’s mean and spread cannot be derived; the heat map is left empty.');
  if (nMeta != null && sizesKnown && nMeta !== nFromSizes) {
    problems.add(`metadata.n_samples is ${formatCount(nMeta)} but the cluster sizes add up to ${formatCount(nFromSizes)}; the sizes are used.`);
  }
  const n = sizesKnown ? nFromSizes : nMeta;

  const overallMean: (number | null)[] = [];
  const overallStd: (number | null)[] = [];
  const separation: (number | null)[] = [];
  let underivable = 0;
  for (let j = 0; j < d; j++) {
    let ok = sizesKnown && nFromSizes > 0;
    let sum = 0;
    for (let c = 0; ok && c < k; c++) {
      const s = sizes[c]!;
      if (s === 0) continue;
      const m = work[c].stats[j].mean;
      if (m == null) ok = false;
      else sum += s * m;
    }
    if (!ok) {
      overallMean.push(null);
      overallStd.push(null);
      separation.push(null);
      if (sizesKnown) underivable++;
      continue;
    }
    const mean = sum / nFromSizes;
    let within = 0;
    let between = 0;
    let varOk = true;
    for (let c = 0; c < k; c++) {
      const s = sizes[c]!;
      if (s === 0) continue;
      const st = work[c].stats[j];
      const dm = st.mean! - mean;
      between += s * dm * dm;
      if (s > 1) {
        if (st.std == null) varOk = false;
        else within += (s - 1) * st.std * st.std;
      }
    }
    overallMean.push(mean);
    if (!varOk) {
      overallStd.push(null);
      separation.push(null);
      underivable++;
      continue;
    }
    const variance = (within + between) / nFromSizes;
    overallStd.push(Math.sqrt(Math.max(variance, 0)));
    separation.push(variance > 0 ? Math.min(1, between / (nFromSizes * variance)) : null);
  }
  if (underivable > 0) {
    problems.add(`The whole data’s spread cannot be derived for ${underivable} feature${underivable === 1 ? '' : 's'} (a cluster lacks its mean or std there); those heat-map cells are empty.`);
  }

  // --- features and groups
  const groupKeys = names.map(groupOf);
  const groupOrder: GroupKey[] = [];
  groupKeys.forEach((g) => {
    if (!groupOrder.includes(g)) groupOrder.push(g);
  });
  const shortNames = [...names];
  const groups: FeatureGroupView[] = groupOrder.map((g) => {
    const members = names.map((_, i) => i).filter((i) => groupKeys[i] === g);
    if (g !== 'other') stripCommonPrefix(members.map((i) => names[i])).forEach((s, t) => (shortNames[members[t]] = s));
    return { key: g, label: GROUP_LABELS[g], features: members };
  });
  const features: FeatureView[] = names.map((name, i) => ({
    index: i,
    name,
    group: groupKeys[i],
    shortName: shortNames[i],
    overallMean: overallMean[i],
    overallStd: overallStd[i],
    separation: separation[i],
    separationText: separation[i] == null ? DASH : formatFixed(separation[i], 2),
    decimals: decimalsForSpread(overallStd[i] ?? null),
  }));

  // --- clusters
  const maxIdFromKeys = new Set<number>();
  const clusters: ClusterView[] = work.map((w, c) => {
    const idRaw = readNumber(w.raw.obj, 'cluster_id', w.raw.path, problems);
    const keyNum = /^cluster_(\d+)$/.exec(w.raw.key);
    const id = idRaw ?? (keyNum ? Number(keyNum[1]) : c);
    maxIdFromKeys.add(id);
    const pct = w.pct ?? (w.size != null && n ? (100 * w.size) / n : null);
    const stats: StatRowView[] = features.map((f, j) => {
      const st = w.stats[j];
      const dec = f.decimals;
      const centre = w.center[j];
      const z = centre != null && f.overallMean != null && f.overallStd ? (centre - f.overallMean) / f.overallStd : null;
      const v = w.variances ? w.variances[j] : null;
      return {
        feature: j,
        center: shown(centre, dec),
        z: { value: z, text: formatSigned(z, 2) },
        mean: shown(st.mean, dec),
        median: shown(st.median, dec),
        std: shown(st.std, dec),
        min: shown(st.min, dec),
        q25: shown(st.q25, dec),
        q75: shown(st.q75, dec),
        max: shown(st.max, dec),
        modelStd: w.variances ? shown(v == null ? null : Math.sqrt(v), dec) : null,
      };
    });
    const highlights = stats
      .filter((s) => s.z.value != null && Math.abs(s.z.value) >= 0.5)
      .sort((a, b) => Math.abs(b.z.value!) - Math.abs(a.z.value!) || a.feature - b.feature)
      .slice(0, 5)
      .map((s) => ({ feature: s.feature, z: s.z.value!, text: `${features[s.feature].name} ${s.z.text}σ` }));
    return {
      key: w.raw.key,
      id,
      label: `Cluster ${id}`,
      name: readSegmentName(w.raw.obj.segment_name, `${w.raw.path}.segment_name`, problems),
      persona: readPersona(w.raw.obj.persona, `${w.raw.path}.persona`, problems),
      size: { value: w.size, text: formatCount(w.size) },
      percentage: { value: pct, text: formatPercent(pct) },
      share: w.size != null && n ? Math.max(0, Math.min(1, w.size / n)) : 0,
      stats,
      highlights,
      diagnostics: clusterDiagnostics(w.raw, problems),
    };
  });
  if (maxIdFromKeys.size < clusters.length) problems.add('Two clusters have the same cluster_id.');

  // --- heat map
  const heat: HeatCell[][] = clusters.map((cl) =>
    cl.stats.map((s) => {
      const f = features[s.feature];
      const z = s.z.value;
      const title =
        `${cl.label}${cl.name ? ` · ${cl.name}` : ''}\n${f.name}\n` +
        `center ${s.center.text} (whole data: mean ${formatFixed(f.overallMean, f.decimals)}, std ${formatFixed(f.overallStd, f.decimals)})\n` +
        `z = ${s.z.text}`;
      return {
        z,
        text: s.z.text,
        valueText: s.center.text,
        title,
        intensity: z == null ? 0 : Math.min(1, Math.abs(z) / HEAT_Z_CAP),
        sign: z == null || z === 0 ? 0 : z > 0 ? 1 : -1,
      };
    }),
  );

  // --- metrics
  const metricViews: MetricView[] = [];
  if (metrics) {
    const keys = [...METRIC_ORDER.filter((key) => key in metrics), ...Object.keys(metrics).filter((key) => !(key in METRIC_SPECS))];
    for (const key of keys) {
      const v = metrics[key];
      if (key === 'loss_history' || key.endsWith('_log_base')) continue;
      const spec = METRIC_SPECS[key];
      if (v != null && (typeof v !== 'number' || !Number.isFinite(v))) {
        problems.add(`metrics.${key} should be a number but is ${describe(v)}.`);
        continue;
      }
      const value = v == null ? null : v;
      metricViews.push({
        key,
        label: spec?.label ?? key,
        value,
        text: key === 'n_parameters' ? formatCount(value) : formatMetric(value),
        hint: value == null ? 'not computed' : (spec?.hint(k) ?? ''),
        direction: spec?.direction ?? 'none',
        verdict: key === 'silhouette_score' && value != null ? silhouetteVerdict(value) : undefined,
      });
    }
  }

  // --- profile-level diagnostics
  const diagnostics: FactBlock[] = [];
  if (metadata) {
    const dataFacts: Fact[] = [];
    for (const key of DATA_KEYS) {
      if (!(key in metadata)) continue;
      let t = valueText(metadata[key]);
      if (key === 'silhouette_sample_size' && metadata[key] == null) t = 'exact (every row)';
      if (key === 'tool' && isObj(metadata.tool)) t = [scalarText(metadata.tool.name), scalarText(metadata.tool.version)].filter(Boolean).join(' ');
      if (key === 'input_format' && isObj(metadata.input_format)) {
        const f = metadata.input_format;
        t = [
          typeof f.delimiter === 'string' ? `delimiter ${JSON.stringify(f.delimiter)}` : null,
          f.bom === true ? 'BOM' : null,
          typeof f.line_ending === 'string' ? f.line_ending : null,
          f.decimal_comma === true ? 'decimal comma' : null,
        ]
          .filter(Boolean)
          .join(', ');
      }
      if (t != null) dataFacts.push({ label: META_LABELS[key] ?? key, value: t });
    }
    if (dataFacts.length) diagnostics.push({ title: 'Data', facts: dataFacts });
    const methodFacts: Fact[] = [];
    for (const [key, v] of Object.entries(metadata)) {
      if (DATA_KEYS.includes(key) || HEADER_META_KEYS.has(key) || key === 'loss_history') continue;
      const t = valueText(v);
      if (t != null) methodFacts.push({ label: META_LABELS[key] ?? key, value: t });
    }
    if (methodFacts.length) diagnostics.push({ title: `${METHOD_SHORT[methodKind] === 'Profile' ? 'Method' : METHOD_SHORT[methodKind]} settings`, facts: methodFacts });
  }
  const um = readObj(root, 'uncertainty_metrics', 'profile', problems);
  if (um) {
    const facts: Fact[] = [];
    for (const [key, v] of Object.entries(um)) {
      const t = valueText(v);
      if (t == null) continue;
      const [label, hint] = UNCERTAINTY_LABELS[key] ?? [key];
      facts.push({ label, value: key.endsWith('_pct') && typeof v === 'number' ? formatPercent(v, 1) : t, hint });
    }
    if (facts.length) diagnostics.push({ title: 'Assignment certainty', facts, note: 'How sure the model is about each row’s cluster.' });
  }
  const otherFacts: Fact[] = [];
  for (const [key, v] of Object.entries(root)) {
    if (KNOWN_ROOT_KEYS.has(key)) continue;
    const t = valueText(v);
    otherFacts.push({ label: key, value: t ?? describe(v) });
  }
  if (otherFacts.length) diagnostics.push({ title: 'Other fields', facts: otherFacts });

  const lossCurve = readLossCurve(root, metadata, metrics, problems);

  const header: HeaderView = {
    method: method ?? 'Unknown method',
    methodKind,
    methodShort: METHOD_SHORT[methodKind],
    dataFile,
    n,
    k,
    seed,
    timestamp,
    timestampText: timestampText(timestamp),
    warnings,
    excluded,
  };
  const shortTs = timestamp ? timestampText(timestamp).slice(0, 16) : fileName;
  return {
    id: `p${index}`,
    path,
    fileName,
    shortLabel: `${header.methodShort} · k = ${k} · ${shortTs}`,
    status: 'ok',
    errors: [],
    problems: problems.done(),
    header,
    metrics: metricViews,
    diagnostics,
    lossCurve,
    features,
    groups,
    clusters,
    heat,
  };
}

function statFacts(obj: Obj, keys: string[] | null, decimals = 4): Fact[] {
  const facts: Fact[] = [];
  const entries = keys ? keys.filter((key) => key in obj).map((key) => [key, obj[key]] as const) : Object.entries(obj);
  for (const [key, v] of entries) {
    if (typeof v === 'number') facts.push({ label: key, value: formatFixed(v, decimals) });
    else {
      const t = valueText(v);
      if (t != null) facts.push({ label: key, value: t });
    }
  }
  return facts;
}

function clusterDiagnostics(raw: RawCluster, problems: Problems): FactBlock[] {
  const blocks: FactBlock[] = [];
  const o = raw.obj;
  const w = readNumber(o, 'mixture_weight', raw.path, problems);
  const prob = readObj(o, 'probability_stats', raw.path, problems);
  if (w != null || prob) {
    const facts: Fact[] = [];
    if (w != null) facts.push({ label: 'mixture weight', value: `${formatFixed(w, 4)} (${formatPercent(100 * w)})`, hint: 'the component’s share of the mixture' });
    if (prob) facts.push(...statFacts(prob, ['mean', 'median', 'std', 'min', 'max']));
    blocks.push({ title: 'Posterior probability of its members', facts, note: 'GMM: how strongly the members belong here (1 = certain).' });
  }
  const mem = readObj(o, 'membership_stats', raw.path, problems);
  if (mem) blocks.push({ title: 'Membership of its members', facts: statFacts(mem, null), note: 'Fuzzy C-Means: each member’s degree of membership in this cluster (1 = only here).' });
  const enc = readObj(o, 'encoded_space_stats', raw.path, problems);
  if (enc) {
    const labels: Record<string, string> = { mean_distance_to_center: 'mean distance to center', std_distance_to_center: 'std of the distance' };
    blocks.push({
      title: 'Latent space',
      facts: statFacts(enc, null).map((f) => ({ ...f, label: labels[f.label] ?? f.label })),
      note: 'Neural: distances of the members’ latent codes to the K-Means center (smaller = tighter).',
    });
  }
  const cov = isObj(o.covariance_info) ? o.covariance_info : null;
  if (cov && typeof cov.type === 'string') blocks.push({ title: 'Covariance', facts: [{ label: 'type', value: cov.type }], note: 'σ (model) in the table: √ of the component’s variance, original units.' });
  const other: Fact[] = [];
  for (const [key, v] of Object.entries(o)) {
    if (KNOWN_CLUSTER_KEYS.has(key)) continue;
    other.push({ label: key, value: valueText(v) ?? describe(v) });
  }
  if (other.length) blocks.push({ title: 'Other fields', facts: other });
  return blocks;
}

// ---------------------------------------------------------------------------
// Comparison

function buildComparisons(profiles: ProfileView[]): ComparisonView[] {
  const byFile = new Map<string, number[]>();
  profiles.forEach((p, i) => {
    if (p.status !== 'ok') return;
    const key = p.header.dataFile ?? '(unknown data file)';
    byFile.set(key, [...(byFile.get(key) ?? []), i]);
  });
  const out: ComparisonView[] = [];
  for (const [dataFile, idx] of byFile) {
    if (idx.length < 2) continue;
    const ps = idx.map((i) => profiles[i]);
    const notes: string[] = [];
    const ns = new Set(ps.map((p) => p.header.n));
    if (ns.size > 1) notes.push('These profiles clustered different numbers of rows; compare their metrics with care.');
    const featureSets = new Set(ps.map((p) => p.features.map((f) => f.name).join('\u0000')));
    if (featureSets.size > 1) notes.push('These profiles clustered on different columns; their metrics are not directly comparable.');
    const keys: string[] = [];
    for (const p of ps) for (const m of p.metrics) if (!keys.includes(m.key)) keys.push(m.key);
    keys.sort((a, b) => {
      const ia = METRIC_ORDER.indexOf(a);
      const ib = METRIC_ORDER.indexOf(b);
      return (ia < 0 ? 999 : ia) - (ib < 0 ? 999 : ib);
    });
    const metrics: ComparisonMetricRow[] = keys.map((key) => {
      const views = ps.map((p) => p.metrics.find((m) => m.key === key) ?? null);
      const first = views.find((v) => v != null)!;
      const values = views.map((v) => ({ value: v?.value ?? null, text: v?.text ?? DASH }));
      const present = values.map((v, i) => [v.value, i] as const).filter(([v]) => v != null) as [number, number][];
      let best: number[] = [];
      const hintsDiffer = new Set(views.filter(Boolean).map((v) => v!.hint)).size > 1;
      if (first.direction !== 'none' && present.length >= 2) {
        const target = first.direction === 'higher' ? Math.max(...present.map(([v]) => v)) : Math.min(...present.map(([v]) => v));
        best = present.filter(([v]) => v === target).map(([, i]) => i);
      }
      return { key, label: first.label, hint: hintsDiffer ? (METRIC_SPECS[key]?.hint(null) ?? first.hint) : first.hint, direction: first.direction, values, best };
    });
    const maxK = Math.max(...ps.map((p) => p.clusters.length));
    const sizes: (Shown | null)[][] = [];
    for (let r = 0; r < maxK; r++) {
      sizes.push(
        ps.map((p) => {
          const c = p.clusters[r];
          return c ? { value: c.size.value, text: `${c.size.text} (${c.percentage.text})` } : null;
        }),
      );
    }
    out.push({ dataFile, profiles: idx, labels: ps.map((p) => p.shortLabel), metrics, sizes, shares: ps.map((p) => p.clusters.map((c) => c.share)), notes });
  }
  return out;
}

// ---------------------------------------------------------------------------
// Entry point

/** Everything the panel shows, for one or more profiles. Never throws. */
export function buildPanelModel(profiles: ProfileInput[]): PanelModel {
  const messages: string[] = [];
  const inputs = Array.isArray(profiles) ? profiles : [];
  if (!Array.isArray(profiles)) messages.push('The panel was given no list of profiles.');
  else if (inputs.length === 0) messages.push('No profile to show. Open a *_cluster_profile_*.json or .yaml file, or run a segmentation.');
  const views = inputs.map((input, i) => {
    try {
      return buildProfile(input, i);
    } catch (e) {
      const path = typeof input?.path === 'string' ? input.path : `(profile ${i + 1})`;
      return {
        ...buildProfile({ path, error: 'unexpected' }, i),
        errors: [`${fileNameOf(path)} could not be shown because of a bug in the panel: ${e instanceof Error ? e.message : String(e)}`],
      };
    }
  });
  // Disambiguate labels of profiles that would read the same.
  const counts = new Map<string, number>();
  views.forEach((v) => counts.set(v.shortLabel, (counts.get(v.shortLabel) ?? 0) + 1));
  views.forEach((v) => {
    if ((counts.get(v.shortLabel) ?? 0) > 1) v.shortLabel = `${v.shortLabel} · ${v.fileName}`;
  });
  let comparisons: ComparisonView[] = [];
  try {
    comparisons = buildComparisons(views);
  } catch (e) {
    messages.push(`The comparison could not be built: ${e instanceof Error ? e.message : String(e)}`);
  }
  return { profiles: views, comparisons, messages };
}
