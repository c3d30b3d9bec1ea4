/**
 * The profile's clusters: the section read as it is (a mapping, or a list
 * worked around), each cluster's numbers per feature, and the cluster views
 * the panel shows (statistics rows with z-scores, highlights, name, persona,
 * diagnostics).
 */
import { formatCount, formatFixed, formatPercent, formatSigned } from '../format';
import { clusterDiagnostics } from './diagnostics';
import { STAT_KEYS } from './labels';
import type { ClusterView, Fact, FeatureView, PersonaView, Shown, StatRowView } from './types';
import { describeValue, isObj, own, readNumber, readObj, valueText, visible, type Obj, type Problems } from './untrusted';

export interface RawCluster {
  key: string;
  obj: Obj;
  path: string;
}

/** The clusters in number order, or why there is nothing to show. */
export function readClusters(root: Obj, problems: Problems): RawCluster[] | string {
  const v = root.clusters;
  if (v === undefined) return 'It has no "clusters" section, so there is nothing to show.';
  let entries: [string, unknown][];
  if (Array.isArray(v)) {
    problems.add('clusters is a list; expected a mapping cluster_0, cluster_1, … (read in list order).');
    entries = v.map((c, i) => [`cluster_${i}`, c]);
  } else if (isObj(v)) {
    entries = Object.entries(v);
  } else {
    return `Its "clusters" section should be a mapping of cluster_0, cluster_1, … but is ${describeValue(v)}.`;
  }
  const out: RawCluster[] = [];
  for (const [key, c] of entries) {
    if (!isObj(c)) {
      problems.add(`clusters.${key} should be a mapping but is ${describeValue(c)}; left out.`);
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

export type FeatureStats = Record<(typeof STAT_KEYS)[number], number | null>;

/** One cluster's numbers, per feature in the order of the feature names (null where absent or not a number). */
export interface ClusterNumbers {
  raw: RawCluster;
  size: number | null;
  pct: number | null;
  center: (number | null)[];
  stats: FeatureStats[];
  /** GMM: the diagonal of the component's covariance (covariance_info.feature_variances), original units. */
  variances: (number | null)[] | null;
}

export function readClusterNumbers(raw: RawCluster, names: string[], problems: Problems): ClusterNumbers {
  const size = readNumber(raw.obj, 'size', raw.path, problems, true);
  if (size != null && (size < 0 || !Number.isInteger(size))) problems.add(`${raw.path}.size should be a whole number ≥ 0 but is ${size}.`);
  const pct = readNumber(raw.obj, 'percentage', raw.path, problems);
  const centerObj = readObj(raw.obj, 'cluster_center', raw.path, problems);
  const statsObj = readObj(raw.obj, 'feature_statistics', raw.path, problems, true);
  const center: (number | null)[] = [];
  const stats: FeatureStats[] = [];
  const missingStats: string[] = [];
  const missingCenter: string[] = [];
  const badValues: string[] = [];
  for (const name of names) {
    const s = statsObj ? own(statsObj, name) : undefined;
    const row: FeatureStats = { mean: null, median: null, std: null, min: null, max: null, q25: null, q75: null };
    if (isObj(s)) {
      for (const key of STAT_KEYS) {
        const v = own(s, key);
        if (typeof v === 'number' && Number.isFinite(v)) row[key] = v;
        else if (v != null) badValues.push(`${name}.${key} (${describeValue(v)})`);
      }
    } else if (statsObj) {
      missingStats.push(name);
      if (s != null) badValues.push(`${name} (${describeValue(s)})`);
    }
    stats.push(row);
    const cv = centerObj ? own(centerObj, name) : undefined;
    if (typeof cv === 'number' && Number.isFinite(cv)) center.push(cv);
    else {
      if (centerObj && cv == null) missingCenter.push(name);
      else if (cv != null) badValues.push(`cluster_center.${name} (${describeValue(cv)})`);
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
    if (fv) {
      variances = names.map((n) => {
        const v = own(fv, n);
        return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : null;
      });
    }
  }
  return { raw, size, pct, center, stats, variances };
}

function shown(value: number | null, decimals: number): Shown {
  return { value, text: formatFixed(value, decimals) };
}

/** One row per feature: the center, its z-score against the whole data, the members' statistics. */
function statRows(w: ClusterNumbers, features: FeatureView[]): StatRowView[] {
  return features.map((f, j) => {
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
}

export function clusterViews(numbers: ClusterNumbers[], features: FeatureView[], n: number | null, problems: Problems): ClusterView[] {
  const ids = new Set<number>();
  const clusters: ClusterView[] = numbers.map((w, c) => {
    const idRaw = readNumber(w.raw.obj, 'cluster_id', w.raw.path, problems);
    const keyNum = /^cluster_(\d+)$/.exec(w.raw.key);
    const id = idRaw ?? (keyNum ? Number(keyNum[1]) : c);
    ids.add(id);
    const pct = w.pct ?? (w.size != null && n ? (100 * w.size) / n : null);
    const stats = statRows(w, features);
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
      diagnostics: clusterDiagnostics(w.raw.obj, w.raw.path, problems),
      // Filled in by the view with the profile's categorical sections (categories.ts).
      categories: [],
      descriptors: [],
    };
  });
  if (ids.size < clusters.length) problems.add('Two clusters have the same cluster_id.');
  return clusters;
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
      else facts.push({ label: visible(k), value: t });
    }
    return facts.length ? { paragraphs: [], facts } : null;
  }
  problems.add(`${path} should be text but is ${describeValue(v)}.`);
  return null;
}

function readSegmentName(v: unknown, path: string, problems: Problems): string | null {
  if (v == null) return null;
  if (typeof v === 'string') return visible(v.trim()) || null;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  problems.add(`${path} should be text but is ${describeValue(v)}.`);
  return null;
}
