/**
 * The profile's features: their names (features_used, else the clusters'
 * keys), their prefix groups (dept_, class_, count_size_, count_) and the
 * orders the panel shows them in.
 */
import { DASH, decimalsForSpread, formatFixed } from '../format';
import { GROUP_LABELS } from './labels';
import type { WholeData } from './statistics';
import type { FeatureGroupView, FeatureSort, FeatureView, GroupKey, ProfileView } from './types';
import { describeValue, isObj, visible, type Obj, type Problems } from './untrusted';

/** The prefix groups; count_size_ must be tried before count_. */
const GROUP_PREFIXES: GroupKey[] = ['dept_', 'class_', 'count_size_', 'count_'];

export function groupOf(name: string): GroupKey {
  for (const prefix of GROUP_PREFIXES) if (name.startsWith(prefix) && name.length > prefix.length) return prefix;
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

/** The feature names: features_used, or (when it is missing or empty) the keys of the clusters' centers and statistics. */
export function readFeatureNames(root: Obj, clusters: readonly { obj: Obj }[], problems: Problems): string[] {
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
      } else problems.add(`features_used[${i}] should be a column name but is ${describeValue(f)}; left out.`);
    });
    if (out.length > 0) return out;
  } else if (v !== undefined) {
    problems.add(`features_used should be a list of column names but is ${describeValue(v)}.`);
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

/** The features with what is derived of them, and their prefix groups (each group's common prefix cut from the short names). */
export function featureViews(names: string[], whole: WholeData): { features: FeatureView[]; groups: FeatureGroupView[] } {
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
  const { overallMean, overallStd, separation } = whole;
  const features: FeatureView[] = names.map((name, i) => ({
    index: i,
    name: visible(name),
    group: groupKeys[i],
    shortName: visible(shortNames[i]),
    overallMean: overallMean[i],
    overallStd: overallStd[i],
    separation: separation[i],
    separationText: separation[i] == null ? DASH : formatFixed(separation[i], 2),
    decimals: decimalsForSpread(overallStd[i] ?? null),
  }));
  return { features, groups };
}
