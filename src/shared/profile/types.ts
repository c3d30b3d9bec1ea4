/**
 * The view model's types: a profile as the host read it (ProfileInput), and
 * everything the cluster panel shows of it (PanelModel), already checked,
 * derived and formatted. Plain data: it crosses into the webview as it is.
 */
import type { MethodKey } from '../methods';

/** One profile as the host read it: the parsed document, or why it could not be parsed. */
export interface ProfileInput {
  /** Where the profile lives (shown, and sent back in openFile). */
  path: string;
  /** The parsed JSON or YAML document. */
  profile?: unknown;
  /** Set instead of `profile` when the file could not be read or parsed (e.g. a YAML syntax error). */
  error?: string;
}

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
  /** Which method, from metadata.method or else the file name. */
  methodKind: MethodKey | 'unknown';
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
  /** metadata.scored_with: the model file that scored these rows (a profile of scored rows), else null. */
  scoredWith: string | null;
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

/** The members' statistics of a column (../shared/spec/PROFILE.md: std ddof 1, linear quantiles), as shown. */
export interface StatisticsShown {
  mean: Shown;
  median: Shown;
  std: Shown;
  min: Shown;
  q25: Shown;
  q75: Shown;
  max: Shown;
}

export interface StatRowView extends StatisticsShown {
  feature: number;
  center: Shown;
  /** The center's z-score against the whole data. */
  z: Shown;
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

/** Whether a column was clustered or only described (metadata.columns); null when the profile does not say. */
export type ColumnRoleView = 'feature' | 'descriptor' | null;

/** A level of a binary or categorical column over all rows clustered ("(other)" included, "(missing)" not). */
export interface LevelView {
  /** As shown: control characters escaped. */
  name: string;
  /** The entry for the levels past the 20 most frequent ("(other)"), not a level of the CSV. */
  other: boolean;
  count: number | null;
  share: Shown;
}

/** A binary or categorical column (categorical_overview). */
export interface CategoryView {
  index: number;
  name: string;
  role: ColumnRoleView;
  /** Cramér's V (separation), 0..1. */
  separation: number | null;
  separationText: string;
  levels: LevelView[];
  /** Rows clustered without a value. */
  missing: number | null;
}

export interface LevelCellView {
  count: number | null;
  /** Among the cluster's members with a value. */
  share: Shown;
  /** The share over the level's share among all rows: ×1.8 is 1.8 times as common here. */
  lift: Shown;
}

/** One cluster's view of one categorical column (categorical_statistics). */
export interface ClusterCategoryView {
  /** Index into ProfileView.categories. */
  category: number;
  mode: string | null;
  /** Aligned with the category's levels. */
  cells: LevelCellView[];
  /** Members without a value. */
  missing: number;
  /** The levels more common here than overall (lift > 1) among at least 5 members, highest lift first, at most three: "Month-to-month 78% · ×1.8". */
  distinctive: { level: number; text: string }[];
}

/** A numeric column described, not clustered (descriptor_statistics). */
export interface DescriptorView {
  index: number;
  name: string;
  /** η² (separation), 0..1. */
  separation: number | null;
  separationText: string;
  decimals: number;
}

export interface DescriptorRowView extends StatisticsShown {
  /** Index into ProfileView.descriptors. */
  descriptor: number;
  /** Members without a value. */
  missing: number | null;
}

/** One column's separation: how strongly the clusters differ in it, 0..1. */
export interface SeparationView {
  name: string;
  kind: 'numeric' | 'categorical';
  role: ColumnRoleView;
  /** "η²" or "Cramér's V". */
  measure: string;
  value: number;
  text: string;
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
  /** Aligned with ProfileView.categories. */
  categories: ClusterCategoryView[];
  /** Aligned with ProfileView.descriptors. */
  descriptors: DescriptorRowView[];
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
  /** The binary and categorical columns, in the profile's (CSV) order. */
  categories: CategoryView[];
  /** The numeric columns described, not clustered. */
  descriptors: DescriptorView[];
  /** Every column clustered or described, the most separating first (numeric and categorical together). */
  separation: SeparationView[];
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

/** A feature of one cluster in the training profile and in a scored profile. */
export interface FeatureShiftView {
  name: string;
  /** The cluster's center (the model's: the same in both profiles for GMM and FCM). */
  center: Shown;
  /** The members' mean in the training rows and in the scored rows, original units. */
  training: Shown;
  scored: Shown;
  /** scored − training, signed. */
  difference: Shown;
}

/** A level of a categorical column in one cluster: its share of the members in each profile. */
export interface LevelShiftView {
  level: string;
  training: Shown;
  scored: Shown;
  /** In percentage points, signed. */
  change: Shown;
}

export interface CategoryShiftView {
  column: string;
  levels: LevelShiftView[];
}

/** One cluster of the model, in the training rows and in the scored rows. */
export interface ClusterShiftView {
  key: string;
  label: string;
  size: { training: Shown; scored: Shown };
  /** Share of the rows, in percent. */
  share: { training: Shown; scored: Shown };
  /** scored − training share, in percentage points ("+1.25 pp"). */
  shareChange: Shown;
  features: FeatureShiftView[];
  categories: CategoryShiftView[];
}

/** A profile of scored rows beside the training profile of its model (metadata.scored_with). */
export interface ScoredComparisonView {
  /** Indexes into PanelModel.profiles. */
  training: number;
  scored: number;
  trainingLabel: string;
  scoredLabel: string;
  /** The model file (metadata.scored_with). */
  model: string;
  /** The training's data file and the scored one. */
  trainingData: string | null;
  scoredData: string | null;
  rows: { training: Shown; scored: Shown };
  clusters: ClusterShiftView[];
  notes: string[];
}

export interface PanelModel {
  profiles: ProfileView[];
  comparisons: ComparisonView[];
  /** Each scored profile beside its training profile, when both are open. */
  scored: ScoredComparisonView[];
  messages: string[];
}

export type FeatureSort = 'csv' | 'separation';
