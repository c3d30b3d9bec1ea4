/** The heat map: each cluster center's z-score against the whole data, per feature, with its text and tooltip. */
import { DASH, formatFixed, formatSigned } from '../format';
import { GROUP_LABELS } from './labels';
import { deriveWholeData } from './statistics';
import type { CategoryView, ClusterView, DescriptorView, FeatureSort, FeatureView, GroupKey, HeatCell, HeatGroupView, HeatRowView, SeparationView } from './types';
import { Problems } from './untrusted';

/** |z| at which the heat map's colour is at full strength. */
export const HEAT_Z_CAP = 2.5;

/** heat[cluster][feature], clusters and features in the order given. */
export function heatMap(clusters: ClusterView[], features: FeatureView[]): HeatCell[][] {
  return clusters.map((cl) =>
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
}

// ---------------------------------------------------------------------------
// The heat map's rows: numeric and categorical columns together (issue 12)

/** A lift at which (or at whose inverse) a categorical cell's colour is at full strength: ×2.5 or ×0.4. */
export const HEAT_LIFT_CAP = 2.5;

/**
 * The level a categorical row shows: the one that contributes most to the
 * χ² of the clusters × levels table (and so to Cramér's V), Σ_c (O − E)² / E
 * with E = the cluster's members with a value × the level's overall share.
 * For a Yes/No column it is the rarer answer, the one that sets clusters apart.
 */
export function mostDistinctiveLevel(category: CategoryView, clusters: readonly ClusterView[]): number | null {
  let best: number | null = null;
  let bestScore = -1;
  category.levels.forEach((level, l) => {
    const p = level.share.value;
    if (p == null || p <= 0) return;
    let score = 0;
    for (const cl of clusters) {
      const cc = cl.categories[category.index];
      if (!cc) continue;
      const withValue = cc.cells.reduce((sum, cell) => sum + (cell.count ?? 0), 0);
      const expected = withValue * p;
      if (expected > 0) score += ((cc.cells[l]?.count ?? 0) - expected) ** 2 / expected;
    }
    if (score > bestScore) {
      bestScore = score;
      best = l;
    }
  });
  return best;
}

function zCell(z: number | null, valueText: string, title: string): HeatCell {
  return {
    z,
    text: z == null ? DASH : formatSigned(z, 2),
    valueText,
    title: `${title}\nz = ${z == null ? DASH : formatSigned(z, 2)}`,
    intensity: z == null ? 0 : Math.min(1, Math.abs(z) / HEAT_Z_CAP),
    sign: z == null || z === 0 ? 0 : z > 0 ? 1 : -1,
  };
}

function clusterLine(cl: ClusterView): string {
  return `${cl.label}${cl.name ? ` · ${cl.name}` : ''}`;
}

/** The root separation of a column by its shown name. */
function separationOf(separation: readonly SeparationView[], name: string): SeparationView | undefined {
  return separation.find((s) => s.name === name);
}

export interface HeatRowsInput {
  features: FeatureView[];
  clusters: ClusterView[];
  categories: CategoryView[];
  descriptors: DescriptorView[];
  separation: SeparationView[];
  /** Each column's position in the CSV (metadata.columns), by shown name. */
  csvOrder: Map<string, number>;
}

/**
 * Every column clustered or described as a heat-map row: numeric features
 * (the center's z-score), categorical columns (their most distinctive
 * level's share per cluster, coloured by its lift; the one-hot indicators of
 * a clustered one are this one row), numeric descriptors (the members' mean
 * as a z-score against all rows), descriptors marked as not clustered.
 * cells[cluster][row].
 */
export function heatRows(input: HeatRowsInput): { rows: HeatRowView[]; cells: HeatCell[][] } {
  const { features, clusters, categories, descriptors, separation, csvOrder } = input;
  const rows: HeatRowView[] = [];
  const columns: ((cl: ClusterView) => HeatCell)[] = [];
  const position = (name: string, fallback: number) => csvOrder.get(name) ?? csvOrder.size + fallback;
  const oneHot = categories.filter((c) => c.role === 'feature').map((c) => `${c.name}=`);

  features.forEach((f, j) => {
    if (oneHot.some((prefix) => f.name.startsWith(prefix))) return;
    const sep = separationOf(separation, f.name);
    const value = sep?.value ?? f.separation;
    rows.push({
      key: `f${j}`,
      kind: 'numeric',
      clustered: true,
      name: f.name,
      shortName: f.shortName,
      level: null,
      group: f.group,
      feature: j,
      measure: 'η²',
      separation: value,
      separationText: value == null ? DASH : formatFixed(value, 2),
      position: position(f.name, j),
      title: `${f.name}\nwhole data: mean ${f.overallMean == null ? DASH : f.overallMean.toPrecision(6)}, std ${f.overallStd == null ? DASH : f.overallStd.toPrecision(6)}\nseparation η² = ${value == null ? DASH : formatFixed(value, 2)}`,
    });
    columns.push((cl) => {
      const s = cl.stats[j];
      return zCell(s.z.value, s.center.text, `${clusterLine(cl)}\n${f.name}\ncenter ${s.center.text} (whole data: mean ${formatFixed(f.overallMean, f.decimals)}, std ${formatFixed(f.overallStd, f.decimals)})`);
    });
  });

  categories.forEach((cat) => {
    const l = mostDistinctiveLevel(cat, clusters);
    if (l === null) return;
    const level = cat.levels[l];
    const clustered = cat.role === 'feature';
    rows.push({
      key: `c${cat.index}`,
      kind: 'categorical',
      clustered,
      name: cat.name,
      shortName: cat.name,
      level: level.name,
      group: 'categorical',
      feature: null,
      measure: "Cramér's V",
      separation: cat.separation,
      separationText: cat.separationText,
      position: position(cat.name, features.length + cat.index),
      title:
        `${cat.name} = ${level.name}\nall rows: ${level.share.text}${level.count != null ? ` (${level.count})` : ''}\n` +
        `separation Cramér's V = ${cat.separationText}${clustered ? ' · clustered (one-hot)' : ' · described, not clustered'}\n` +
        'Each cell: the share of the cluster with this level, coloured by its lift.',
    });
    columns.push((cl) => {
      const cell = cl.categories[cat.index]?.cells[l];
      const lift = cell?.lift.value ?? null;
      const share = cell?.share ?? { value: null, text: DASH };
      return {
        z: null,
        text: share.text,
        valueText: share.text,
        title: `${clusterLine(cl)}\n${cat.name} = ${level.name}\n${share.text} of the cluster's members with a value${cell?.count != null ? ` (${cell.count})` : ''}, ${cell?.lift.text ?? DASH} its share among all rows (${level.share.text})`,
        // A lift of 0 (no member has the level) is as far below as it gets: full colour.
        intensity: lift == null ? 0 : Math.min(1, Math.abs(Math.log(lift)) / Math.log(HEAT_LIFT_CAP)),
        sign: lift == null || lift === 1 ? 0 : lift > 1 ? 1 : -1,
      };
    });
  });

  // Numeric descriptors: their whole-data mean and spread derived from the members with a value, as the features' are.
  descriptors.forEach((d) => {
    const withValue = clusters.map((cl) => {
      const row = cl.descriptors[d.index];
      return { size: cl.size.value == null ? null : cl.size.value - (row?.missing ?? 0), stats: [{ mean: row?.mean.value ?? null, std: row?.std.value ?? null }] };
    });
    // The features' derivation already reported a missing size; its messages here would repeat it.
    const whole = deriveWholeData(withValue, 1, null, new Problems());
    const mean = whole.overallMean[0];
    const std = whole.overallStd[0];
    rows.push({
      key: `d${d.index}`,
      kind: 'numeric',
      clustered: false,
      name: d.name,
      shortName: d.name,
      level: null,
      group: 'described',
      feature: null,
      measure: 'η²',
      separation: d.separation,
      separationText: d.separationText,
      position: position(d.name, features.length + categories.length + d.index),
      title: `${d.name} (described, not clustered)\nwhole data: mean ${mean == null ? DASH : mean.toPrecision(6)}, std ${std == null ? DASH : std.toPrecision(6)}\nseparation η² = ${d.separationText}`,
    });
    columns.push((cl) => {
      const m = cl.descriptors[d.index]?.mean ?? { value: null, text: DASH };
      const z = m.value != null && mean != null && std != null && std > 0 ? (m.value - mean) / std : null;
      return zCell(z, m.text, `${clusterLine(cl)}\n${d.name} (not clustered)\nmembers' mean ${m.text} (whole data: mean ${formatFixed(mean, d.decimals)}, std ${formatFixed(std, d.decimals)})`);
    });
  });
  return { rows, cells: clusters.map((cl) => columns.map((cell) => cell(cl))) };
}

const HEAT_GROUP_ORDER: GroupKey[] = ['categorical', 'described'];

/**
 * The heat map's rows in display order: CSV order, or by separation (the
 * root `separation`, η² and Cramér's V together, strongest first; rows
 * without one last); grouped by prefix (categorical columns and numeric
 * descriptors in groups of their own, after the features') or as one group.
 */
export function orderHeatRows(rows: readonly HeatRowView[], sort: FeatureSort, grouped: boolean): HeatGroupView[] {
  const indexes = rows.map((_, r) => r).sort((a, b) => rows[a].position - rows[b].position || a - b);
  if (sort === 'separation') indexes.sort((a, b) => (rows[b].separation ?? -1) - (rows[a].separation ?? -1) || rows[a].position - rows[b].position);
  if (!grouped) return [{ key: 'all', label: GROUP_LABELS.all, rows: indexes }];
  const keys: GroupKey[] = [];
  for (const r of rows.map((_, i) => i).sort((a, b) => rows[a].position - rows[b].position)) {
    const g = rows[r].group;
    if (!keys.includes(g) && !HEAT_GROUP_ORDER.includes(g)) keys.push(g);
  }
  keys.push(...HEAT_GROUP_ORDER.filter((g) => rows.some((r) => r.group === g)));
  return keys.map((key) => ({ key, label: GROUP_LABELS[key], rows: indexes.filter((r) => rows[r].group === key) }));
}
