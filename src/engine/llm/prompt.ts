/**
 * The language-model prompt for a profile: the seed's template (segment
 * names, personas, marketing strategies, business insights) filled with a
 * compact view of the profile, built from the same view model the cluster
 * panel shows, so both read a profile the same way. Only aggregates go in:
 * sizes, centers in original units, z-scores against the whole data, the
 * method's diagnostics; never a customer's row or id.
 *
 * Binary and categorical columns add each cluster's distinctive levels
 * (highest lift, with shares; a level held by fewer than 5 customers is
 * never named, so a rare value cannot single one out), and numeric columns
 * described but not clustered add their mean per cluster.
 *
 * It fits a token budget by leaving out the columns that separate the
 * clusters least (lowest η², or Cramér's V for a categorical column) first,
 * and says so in the prompt.
 */
import { buildPanelModel, type ClusterView, type LevelView, type ProfileView } from '../../shared/profile';
import { MIN_DISTINCTIVE_COUNT } from '../../shared/profile/categories';
import { whyNotAProfile } from '../../shared/profile/parse';
import { SegmentError } from '../errors';

export interface PromptOptions {
  /** Upper bound on the prompt's size in tokens (estimated). */
  maxTokens: number;
}

export const PROMPT_DEFAULTS: Readonly<PromptOptions> = { maxTokens: 6000 };

export interface SegmentPrompt {
  text: string;
  estimatedTokens: number;
  featuresShown: number;
  featuresTotal: number;
  /** Features, categorical columns and numeric descriptors shown, and in the profile. */
  columnsShown: number;
  columnsTotal: number;
  /** The profile's cluster ids, in order: what the answer's JSON block names. */
  clusterIds: number[];
}

/** At least this many columns stay, whatever the budget. */
const MIN_FEATURES = 3;
/** Levels per categorical column in the overall line. */
const OVERALL_LEVELS = 3;

const INSTRUCTIONS = `You are a data analyst specializing in customer segmentation.
Analyze the following cluster profile and provide:

1. **Segment Names**: Descriptive names for each cluster
2. **Customer Personas**: Detailed descriptions of typical customers
3. **Marketing Strategies**: Tailored recommendations for each segment
4. **Business Insights**: Key patterns and opportunities`;

const RESPONSE_FORMAT = `Format your response as:
- Segment Overview
- Detailed Analysis per Cluster
- Cross-Cluster Comparisons
- Actionable Recommendations

End your response with one JSON code block that names every cluster, in exactly this form:
\`\`\`json
{"segments": [{"cluster_id": 0, "segment_name": "Short descriptive name", "persona": "One sentence describing the typical customer."}]}
\`\`\``;

/**
 * Rough token count for English text and numbers: one token per ~3.5
 * characters. It errs high, so a prompt within the estimate fits the model.
 */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 3.5);
}

export function buildSegmentPrompt(profile: unknown, options: Partial<PromptOptions> = {}): SegmentPrompt {
  const { maxTokens } = { ...PROMPT_DEFAULTS, ...options };
  const why = whyNotAProfile(profile);
  if (why) throw new SegmentError('INVALID_PROFILE', `This is not a cluster profile Segment can read: ${why}.`);
  const view = buildPanelModel([{ path: 'profile', profile }]).profiles[0];
  if (!view || view.status === 'error') {
    throw new SegmentError('INVALID_PROFILE', `This is not a cluster profile Segment can read: ${view?.errors.join(' ') ?? 'it is empty'}`);
  }
  const ranked = columnsBySeparation(view);
  const render = (kept: number) => {
    const text = [INSTRUCTIONS, '', 'Cluster Profile:', compactProfile(view, ranked.slice(0, kept), ranked.length), '', RESPONSE_FORMAT].join('\n');
    return { text, estimatedTokens: estimateTokens(text) };
  };
  // The most features that fit: fewer features never make the prompt longer, so search.
  let low = Math.min(MIN_FEATURES, ranked.length);
  let high = ranked.length;
  if (render(high).estimatedTokens > maxTokens) {
    while (low < high) {
      const mid = Math.ceil((low + high) / 2);
      if (render(mid).estimatedTokens <= maxTokens) low = mid;
      else high = mid - 1;
    }
  } else {
    low = high;
  }
  const { text, estimatedTokens } = render(low);
  if (estimatedTokens > maxTokens) {
    throw new SegmentError(
      'INVALID_OPTION',
      `The prompt needs about ${estimatedTokens} tokens even with only ${low} ${onlyFeatures(view) ? 'features' : 'columns'}, more than the budget of ${maxTokens}. Raise the budget or ask for fewer clusters.`,
    );
  }
  return {
    text,
    estimatedTokens,
    featuresShown: ranked.slice(0, low).filter((c) => c.kind === 'feature').length,
    featuresTotal: view.features.length,
    columnsShown: low,
    columnsTotal: ranked.length,
    clusterIds: view.clusters.map((c) => c.id),
  };
}

/** A column the prompt shows: a feature, a categorical column or a numeric descriptor, by its index in the view. */
interface Column {
  kind: 'feature' | 'category' | 'descriptor';
  index: number;
  separation: number | null;
}

/** A profile with no categorical column and no descriptor: the prompt speaks of features only, as before they existed. */
function onlyFeatures(view: ProfileView): boolean {
  return view.categories.length === 0 && view.descriptors.length === 0;
}

/** Every column, most separating (η² or Cramér's V) first; unknown separation last; ties: features, categories, descriptors, each in CSV order. */
function columnsBySeparation(view: ProfileView): Column[] {
  const columns: Column[] = [
    ...view.features.map((f) => ({ kind: 'feature' as const, index: f.index, separation: f.separation })),
    ...view.categories.map((c) => ({ kind: 'category' as const, index: c.index, separation: c.separation })),
    ...view.descriptors.map((d) => ({ kind: 'descriptor' as const, index: d.index, separation: d.separation })),
  ];
  return columns.map((c, order) => ({ c, order })).sort((a, b) => (b.c.separation ?? -1) - (a.c.separation ?? -1) || a.order - b.order).map(({ c }) => c);
}

function compactProfile(view: ProfileView, keptColumns: Column[], total: number): string {
  const kept = keptColumns.filter((c) => c.kind === 'feature').map((c) => c.index);
  const categories = keptColumns.filter((c) => c.kind === 'category').map((c) => c.index);
  const descriptors = keptColumns.filter((c) => c.kind === 'descriptor').map((c) => c.index);
  const { header } = view;
  const lines: string[] = [];
  const facts = [header.method, `${header.k ?? view.clusters.length} clusters`];
  if (header.n != null) facts.push(`${header.n} customers`);
  if (header.dataFile) facts.push(`data file ${header.dataFile}`);
  lines.push(`Method: ${facts.join(' · ')}`);
  const metrics = view.metrics.filter((m) => m.value != null).map((m) => `${m.label} ${m.text} (${m.hint})`);
  if (metrics.length) lines.push(`Quality: ${metrics.join('; ')}`);
  for (const warning of header.warnings) lines.push(`Warning from the clustering: ${warning}`);
  lines.push(
    'Each cluster lists its center (the typical customer, in the data\'s own units) and, in brackets, z: how many overall ' +
      'standard deviations the center lies above (+) or below (−) the average customer. Features are listed from the most to the least distinctive for that cluster.',
  );
  if (categories.length || descriptors.length) {
    lines.push(
      'Categorical columns give, per cluster, the levels more common there than among all customers: the share of the cluster\'s customers with that level and, in brackets, ' +
        `how many times as common it is there as overall (levels held by fewer than ${MIN_DISTINCTIVE_COUNT} customers are never named). ` +
        'Columns marked "described" were not used to form the clusters, only described per cluster.',
    );
  }
  if (keptColumns.length < total) {
    const what = onlyFeatures(view) ? 'features' : 'columns';
    lines.push(
      `Only ${keptColumns.length} of ${total} ${what} are shown: the ${total - keptColumns.length} that separate the clusters least were left out to keep this prompt within its size budget.`,
    );
  }
  const keptSet = new Set(kept);
  const averages = kept
    .map((f) => view.features[f])
    .filter((f) => f.overallMean != null)
    .map((f) => `${f.name} ${formatValue(f.overallMean!)}`);
  if (averages.length) lines.push(`Average customer: ${averages.join('; ')}`);
  const overall = categories.map((i) => overallLevels(view, i)).filter((t) => t !== null);
  if (overall.length) lines.push(`All customers by category: ${overall.join('; ')}`);
  for (const cluster of view.clusters) {
    const [title, center, ...diagnostics] = clusterLines(view, cluster, keptSet);
    lines.push('', title, center, ...columnLines(view, cluster, categories, descriptors), ...diagnostics);
  }
  return lines.join('\n');
}

/** A level in double quotes, as JSON writes a string (a level may hold commas, semicolons or quotes); the rest as "other levels". */
function levelName(level: LevelView): string {
  return level.other ? 'other levels' : JSON.stringify(level.name);
}

function described(role: string | null): string {
  return role === 'descriptor' ? ' (described)' : '';
}

/** "contract (described): Month-to-month 39%, One year 33%, Two year 27%": the most common levels held by enough customers. */
function overallLevels(view: ProfileView, index: number): string | null {
  const category = view.categories[index];
  const levels = category.levels.filter((l) => (l.count ?? 0) >= MIN_DISTINCTIVE_COUNT).slice(0, OVERALL_LEVELS);
  if (levels.length === 0) return null;
  return `${category.name}${described(category.role)}: ${levels.map((l) => `${levelName(l)} ${l.share.text}`).join(', ')}`;
}

/** A cluster's distinctive levels per categorical column and its numeric descriptors' means, in the order of separation. */
function columnLines(view: ProfileView, cluster: ClusterView, categories: number[], descriptors: number[]): string[] {
  const lines: string[] = [];
  const levels = categories
    .map((i) => {
      const cc = cluster.categories[i];
      const category = view.categories[i];
      if (!cc || cc.distinctive.length === 0) return null;
      const items = cc.distinctive.map((d) => `${levelName(category.levels[d.level])} ${cc.cells[d.level].share.text} (${cc.cells[d.level].lift.text})`);
      return `${category.name}${described(category.role)} ${items.join(', ')}`;
    })
    .filter((t) => t !== null);
  if (levels.length) lines.push(`Distinctive categories: ${levels.join('; ')}`);
  const means = descriptors
    .map((i) => {
      const row = cluster.descriptors[i];
      return row?.mean.value == null ? null : `${view.descriptors[i].name} ${formatValue(row.mean.value)}`;
    })
    .filter((t) => t !== null);
  if (means.length) lines.push(`Described, not clustered (mean): ${means.join('; ')}`);
  return lines;
}

function clusterLines(view: ProfileView, cluster: ClusterView, kept: Set<number>): string[] {
  const title = `## Cluster ${cluster.id}${cluster.name ? ` ("${cluster.name}")` : ''}: ${cluster.size.text} customers (${cluster.percentage.text})`;
  const rows = cluster.stats
    .filter((row) => kept.has(row.feature) && row.center.value != null)
    .sort((a, b) => Math.abs(b.z.value ?? 0) - Math.abs(a.z.value ?? 0) || a.feature - b.feature);
  const centers = rows.map((row) => {
    const z = row.z.value == null ? '' : ` [z ${signed(row.z.value)}]`;
    return `${view.features[row.feature].name} ${formatValue(row.center.value!)}${z}`;
  });
  const lines = [title, `Center: ${centers.join('; ')}`];
  for (const block of cluster.diagnostics) {
    if (block.title === 'Covariance' || block.title === 'Other fields') continue;
    lines.push(`${block.title}: ${block.facts.map((f) => `${f.label} ${f.value}`).join(', ')}`);
  }
  return lines;
}

/** Four significant digits: enough to describe a segment, short enough to keep the prompt small. */
function formatValue(v: number): string {
  if (v === 0) return '0';
  const magnitude = Math.abs(v);
  if (magnitude >= 1e4) return String(Math.round(v));
  return String(Number(v.toPrecision(4)));
}

function signed(z: number): string {
  return `${z >= 0 ? '+' : '−'}${Math.abs(z).toFixed(2)}`;
}
