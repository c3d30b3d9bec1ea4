/**
 * The facts the panel lists beside the numbers: the data and the method's
 * settings from metadata, the assignment certainty, a cluster's own
 * diagnostics, and every field the panel does not know, shown as it is.
 */
import { formatFixed, formatPercent } from '../format';
import { DATA_KEYS, HEADER_META_KEYS, KNOWN_CLUSTER_KEYS, KNOWN_ROOT_KEYS, META_LABELS, methodShort, UNCERTAINTY_LABELS } from './labels';
import type { MethodKey } from '../methods';
import type { Fact, FactBlock } from './types';
import { describeValue, isObj, own, readNumber, readObj, scalarText, valueText, visible, type Obj, type Problems } from './untrusted';

/** metadata.sample as "1,000 of 250,000 rows, seed 42"; null when its numbers are not numbers. */
function sampleText(sample: Obj): string | null {
  const { rows, of, seed } = sample;
  if (typeof rows !== 'number' || typeof of !== 'number') return null;
  const count = (n: number) => n.toLocaleString('en-US');
  return `${count(rows)} of ${count(of)} rows${typeof seed === 'number' ? `, seed ${seed}` : ''}`;
}

/** Profile-level blocks: the data, the method's settings, uncertainty, other fields. */
export function profileDiagnostics(root: Obj, metadata: Obj | null, methodKind: MethodKey | 'unknown', problems: Problems): FactBlock[] {
  const diagnostics: FactBlock[] = [];
  if (metadata) {
    const dataFacts: Fact[] = [];
    for (const key of DATA_KEYS) {
      if (!(key in metadata)) continue;
      let t = valueText(metadata[key]);
      if (key === 'silhouette_sample_size' && metadata[key] == null) t = 'exact (every row)';
      if (key === 'sample' && isObj(metadata.sample)) t = sampleText(metadata.sample) ?? t;
      if (key === 'tool' && isObj(metadata.tool)) t = [scalarText(metadata.tool.name), scalarText(metadata.tool.version)].filter(Boolean).join(' ');
      if (key === 'input_format' && isObj(metadata.input_format)) {
        const f = metadata.input_format;
        t = [
          f.format === 'parquet' ? 'Parquet' : null,
          typeof f.row_groups === 'number' ? `${f.row_groups} row ${f.row_groups === 1 ? 'group' : 'groups'}` : null,
          typeof f.delimiter === 'string' ? `delimiter ${JSON.stringify(f.delimiter)}` : null,
          f.bom === true ? 'BOM' : null,
          typeof f.line_ending === 'string' ? f.line_ending : null,
          f.decimal_comma === true ? 'decimal comma' : null,
        ]
          .filter(Boolean)
          .join(', ');
      }
      if (t != null) dataFacts.push({ label: own(META_LABELS, key) ?? key, value: t });
    }
    if (dataFacts.length) diagnostics.push({ title: 'Data', facts: dataFacts });
    const methodFacts: Fact[] = [];
    for (const [key, v] of Object.entries(metadata)) {
      if (DATA_KEYS.includes(key) || HEADER_META_KEYS.has(key) || key === 'loss_history') continue;
      const t = valueText(v);
      if (t != null) methodFacts.push({ label: own(META_LABELS, key) ?? visible(key), value: t });
    }
    if (methodFacts.length) diagnostics.push({ title: `${methodKind === 'unknown' ? 'Method' : methodShort(methodKind)} settings`, facts: methodFacts });
  }
  const um = readObj(root, 'uncertainty_metrics', 'profile', problems);
  if (um) {
    const facts: Fact[] = [];
    for (const [key, v] of Object.entries(um)) {
      const t = valueText(v);
      if (t == null) continue;
      const [label, hint] = own(UNCERTAINTY_LABELS, key) ?? [visible(key)];
      facts.push({ label, value: key.endsWith('_pct') && typeof v === 'number' ? formatPercent(v, 1) : t, hint });
    }
    if (facts.length) diagnostics.push({ title: 'Assignment certainty', facts, note: 'How sure the model is about each row’s cluster.' });
  }
  const otherFacts: Fact[] = [];
  for (const [key, v] of Object.entries(root)) {
    if (KNOWN_ROOT_KEYS.has(key)) continue;
    const t = valueText(v);
    otherFacts.push({ label: visible(key), value: t ?? describeValue(v) });
  }
  if (otherFacts.length) diagnostics.push({ title: 'Other fields', facts: otherFacts });
  return diagnostics;
}

function statFacts(obj: Obj, keys: string[] | null, decimals = 4): Fact[] {
  const facts: Fact[] = [];
  const entries = keys ? keys.filter((key) => key in obj).map((key) => [key, obj[key]] as const) : Object.entries(obj);
  for (const [key, v] of entries) {
    if (typeof v === 'number') facts.push({ label: visible(key), value: formatFixed(v, decimals) });
    else {
      const t = valueText(v);
      if (t != null) facts.push({ label: visible(key), value: t });
    }
  }
  return facts;
}

/** A cluster's own diagnostics: GMM posteriors, FCM memberships, the Neural latent space, and fields the panel does not know. */
export function clusterDiagnostics(o: Obj, path: string, problems: Problems): FactBlock[] {
  const blocks: FactBlock[] = [];
  const w = readNumber(o, 'mixture_weight', path, problems);
  const prob = readObj(o, 'probability_stats', path, problems);
  if (w != null || prob) {
    const facts: Fact[] = [];
    if (w != null) facts.push({ label: 'mixture weight', value: `${formatFixed(w, 4)} (${formatPercent(100 * w)})`, hint: 'the component’s share of the mixture' });
    if (prob) facts.push(...statFacts(prob, ['mean', 'median', 'std', 'min', 'max']));
    blocks.push({ title: 'Posterior probability of its members', facts, note: 'GMM: how strongly the members belong here (1 = certain).' });
  }
  const mem = readObj(o, 'membership_stats', path, problems);
  if (mem) blocks.push({ title: 'Membership of its members', facts: statFacts(mem, null), note: 'Fuzzy C-Means: each member’s degree of membership in this cluster (1 = only here).' });
  const enc = readObj(o, 'encoded_space_stats', path, problems);
  if (enc) {
    const labels: Record<string, string> = { mean_distance_to_center: 'mean distance to center', std_distance_to_center: 'std of the distance' };
    blocks.push({
      title: 'Latent space',
      facts: statFacts(enc, null).map((f) => ({ ...f, label: own(labels, f.label) ?? f.label })),
      note: 'Neural: distances of the members’ latent codes to the K-Means center (smaller = tighter).',
    });
  }
  const cov = isObj(o.covariance_info) ? o.covariance_info : null;
  if (cov && typeof cov.type === 'string') blocks.push({ title: 'Covariance', facts: [{ label: 'type', value: cov.type }], note: 'σ (model) in the table: √ of the component’s variance, original units.' });
  const other: Fact[] = [];
  for (const [key, v] of Object.entries(o)) {
    if (KNOWN_CLUSTER_KEYS.has(key)) continue;
    other.push({ label: visible(key), value: valueText(v) ?? describeValue(v) });
  }
  if (other.length) blocks.push({ title: 'Other fields', facts: other });
  return blocks;
}
