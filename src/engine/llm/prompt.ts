/**
 * The language-model prompt for a profile: the seed's template (segment
 * names, personas, marketing strategies, business insights) filled with a
 * compact view of the profile, built from the same view model the cluster
 * panel shows, so both read a profile the same way. Only aggregates go in:
 * sizes, centers in original units, z-scores against the whole data, the
 * method's diagnostics; never a customer's row or id.
 *
 * It fits a token budget by leaving out the features that separate the
 * clusters least (lowest η²) first, and says so in the prompt.
 */
import { buildPanelModel, type ClusterView, type ProfileView } from '../../shared/profile';
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
  /** The profile's cluster ids, in order: what the answer's JSON block names. */
  clusterIds: number[];
}

/** At least this many features stay, whatever the budget. */
const MIN_FEATURES = 3;

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
  const ranked = featuresBySeparation(view);
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
      `The prompt needs about ${estimatedTokens} tokens even with only ${low} features, more than the budget of ${maxTokens}. Raise the budget or ask for fewer clusters.`,
    );
  }
  return {
    text,
    estimatedTokens,
    featuresShown: low,
    featuresTotal: ranked.length,
    clusterIds: view.clusters.map((c) => c.id),
  };
}

/** Feature indexes, most separating (η²) first; unknown separation last, then CSV order. */
function featuresBySeparation(view: ProfileView): number[] {
  return view.features
    .map((f) => f.index)
    .sort((a, b) => (view.features[b].separation ?? -1) - (view.features[a].separation ?? -1) || a - b);
}

function compactProfile(view: ProfileView, kept: number[], total: number): string {
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
  if (kept.length < total) {
    lines.push(
      `Only ${kept.length} of ${total} features are shown: the ${total - kept.length} that separate the clusters least were left out to keep this prompt within its size budget.`,
    );
  }
  const keptSet = new Set(kept);
  const averages = kept
    .map((f) => view.features[f])
    .filter((f) => f.overallMean != null)
    .map((f) => `${f.name} ${formatValue(f.overallMean!)}`);
  if (averages.length) lines.push(`Average customer: ${averages.join('; ')}`);
  for (const cluster of view.clusters) lines.push('', ...clusterLines(view, cluster, keptSet));
  return lines.join('\n');
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
