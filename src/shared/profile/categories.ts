/**
 * The profile's categorical columns and descriptors (../shared/spec/PROFILE.md,
 * "Categorical columns and descriptors"), read defensively: the levels of
 * each binary and categorical column over all rows (categorical_overview),
 * each cluster's shares and lifts (categorical_statistics), the numeric
 * descriptors' statistics (descriptor_statistics), and the columns ranked by
 * separation. Level and column names are data from the CSV: shown with
 * their control characters escaped, and only ever as text.
 */
import { DASH, decimalsForSpread, formatFixed, formatPercent } from '../format';
import type { RawCluster } from './clusters';
import { STAT_KEYS } from './labels';
import type {
  CategoryView,
  ClusterCategoryView,
  ColumnRoleView,
  DescriptorRowView,
  DescriptorView,
  FeatureView,
  LevelCellView,
  SeparationView,
  Shown,
} from './types';
import { describeValue, isObj, own, readObj, visible, type Obj, type Problems } from './untrusted';

const MEASURES: Record<string, string> = { eta_squared: 'η²', cramers_v: "Cramér's V" };
/** Levels listed before "(other)" (../shared/spec/PROFILE.md). */
const MAX_LISTED_LEVELS = 20;
/** Levels named in a cluster's short list of what is more common there. */
const DISTINCTIVE_LEVELS = 3;
/**
 * A level is only called distinctive of a cluster when at least this many of
 * its members have it: a lift from two or three customers is noise, and the
 * language-model prompt never names a level so few customers share.
 */
export const MIN_DISTINCTIVE_COUNT = 5;

export interface ColumnSections {
  categories: CategoryView[];
  descriptors: DescriptorView[];
  separation: SeparationView[];
  /** [cluster][category] */
  clusterCategories: ClusterCategoryView[][];
  /** [cluster][descriptor] */
  clusterDescriptors: DescriptorRowView[][];
}

function finite(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** metadata.columns: each column's role, by its name. */
function readRoles(metadata: Obj | null, problems: Problems): Map<string, ColumnRoleView> {
  const roles = new Map<string, ColumnRoleView>();
  const columns = metadata?.columns;
  if (columns === undefined) return roles;
  if (!Array.isArray(columns)) {
    problems.add(`metadata.columns should be a list but is ${describeValue(columns)}.`);
    return roles;
  }
  for (const c of columns) {
    if (!isObj(c) || typeof c.name !== 'string') continue;
    roles.set(c.name, c.role === 'feature' || c.role === 'descriptor' ? c.role : null);
  }
  return roles;
}

/** separation: column → {measure, value}, in the profile's order; entries that are not a measure in 0..1 are problems. */
function readSeparation(root: Obj, problems: Problems): Map<string, { measure: string; value: number }> {
  const out = new Map<string, { measure: string; value: number }>();
  const sep = readObj(root, 'separation', 'profile', problems);
  if (!sep) return out;
  const bad: string[] = [];
  for (const [name, entry] of Object.entries(sep)) {
    const value = isObj(entry) ? finite(entry.value) : null;
    if (!isObj(entry) || typeof entry.measure !== 'string' || value == null || value < 0 || value > 1) bad.push(visible(name));
    else out.set(name, { measure: entry.measure, value });
  }
  if (bad.length) problems.add(`separation has entries that are not a measure with a value from 0 to 1: ${bad.slice(0, 3).join(', ')}${bad.length > 3 ? ` and ${bad.length - 3} more` : ''}.`);
  return out;
}

function shareShown(share: number | null): Shown {
  return { value: share, text: share == null ? DASH : formatPercent(100 * share, 0) };
}

/** "×1.8", "×0.35", "×12": two significant digits. */
export function liftText(lift: number | null): string {
  return lift == null ? DASH : `×${Number(lift.toPrecision(2))}`;
}

/** A level entry of the overview or of a cluster: the "(missing)" one has a count and no share. */
function isMissingEntry(entry: unknown): boolean {
  return isObj(entry) && entry.share === undefined && finite(entry.count) != null;
}

function readCategories(
  root: Obj,
  clusters: RawCluster[],
  roles: Map<string, ColumnRoleView>,
  separation: Map<string, { measure: string; value: number }>,
  problems: Problems,
): { categories: CategoryView[]; perCluster: ClusterCategoryView[][] } {
  const overview = readObj(root, 'categorical_overview', 'profile', problems);
  const categories: CategoryView[] = [];
  const keys: string[][] = [];
  const missingKeys: (string | null)[] = [];
  for (const [name, levels] of Object.entries(overview ?? {})) {
    if (!isObj(levels)) {
      problems.add(`categorical_overview.${visible(name)} should be a mapping of levels but is ${describeValue(levels)}.`);
      continue;
    }
    const levelKeys: string[] = [];
    let missingKey: string | null = null;
    for (const [level, entry] of Object.entries(levels)) {
      if (isMissingEntry(entry)) missingKey = level;
      else levelKeys.push(level);
    }
    const sep = separation.get(name);
    categories.push({
      index: categories.length,
      name: visible(name),
      role: roles.get(name) ?? null,
      separation: sep?.value ?? null,
      separationText: sep ? formatFixed(sep.value, 2) : DASH,
      levels: levelKeys.map((level, i) => {
        const entry = own(levels, level);
        // PROFILE.md: 20 levels, then "(other)" (more parentheses when a level of the CSV is called so).
        const other = i === MAX_LISTED_LEVELS && i === levelKeys.length - 1 && /^\(+other\)+$/.test(level);
        return { name: visible(level), other, count: isObj(entry) ? finite(entry.count) : null, share: shareShown(isObj(entry) ? finite(entry.share) : null) };
      }),
      missing: missingKey === null ? 0 : finite((own(levels, missingKey) as Obj).count),
    });
    keys.push(Object.keys(levels).filter((level) => level !== missingKey));
    missingKeys.push(missingKey);
  }
  const rawNames = Object.keys(overview ?? {}).filter((name) => isObj(own(overview!, name)));
  const perCluster = clusters.map((raw) => {
    const stats = readObj(raw.obj, 'categorical_statistics', raw.path, problems);
    if (!stats && categories.length) problems.add(`${raw.path}.categorical_statistics is missing; its categories are shown empty.`);
    return categories.map((category, i) => clusterCategory(category, own(stats ?? {}, rawNames[i]), keys[i], missingKeys[i]));
  });
  return { categories, perCluster };
}

function clusterCategory(category: CategoryView, entry: unknown, levelKeys: string[], missingKey: string | null): ClusterCategoryView {
  const levels = isObj(entry) && isObj(entry.levels) ? entry.levels : {};
  const cells: LevelCellView[] = levelKeys.map((key) => {
    const cell = own(levels, key);
    const share = isObj(cell) ? finite(cell.share) : null;
    const lift = isObj(cell) ? finite(cell.lift) : null;
    return { count: isObj(cell) ? finite(cell.count) : null, share: shareShown(share), lift: { value: lift, text: liftText(lift) } };
  });
  const missingEntry = missingKey === null ? undefined : own(levels, missingKey);
  const distinctive = cells
    .map((cell, level) => ({ cell, level }))
    .filter(({ cell }) => (cell.lift.value ?? 0) > 1 && (cell.count ?? 0) >= MIN_DISTINCTIVE_COUNT)
    .sort((a, b) => b.cell.lift.value! - a.cell.lift.value! || a.level - b.level)
    .slice(0, DISTINCTIVE_LEVELS)
    .map(({ cell, level }) => ({ level, text: `${category.levels[level].name} ${cell.share.text} · ${cell.lift.text}` }));
  const mode = isObj(entry) && typeof entry.mode === 'string' ? visible(entry.mode) : null;
  return { category: category.index, mode, cells, missing: (isObj(missingEntry) ? finite(missingEntry.count) : null) ?? 0, distinctive };
}

function readDescriptors(
  clusters: RawCluster[],
  separation: Map<string, { measure: string; value: number }>,
  problems: Problems,
): { descriptors: DescriptorView[]; perCluster: DescriptorRowView[][] } {
  const objs = clusters.map((raw) => readObj(raw.obj, 'descriptor_statistics', raw.path, problems));
  const names: string[] = [];
  for (const o of objs) for (const name of Object.keys(o ?? {})) if (!names.includes(name)) names.push(name);
  const descriptors: DescriptorView[] = names.map((name, index) => {
    const stds = objs.map((o) => (o && isObj(own(o, name)) ? finite((own(o, name) as Obj).std) : null)).filter((v): v is number => v != null);
    const sep = separation.get(name);
    return {
      index,
      name: visible(name),
      separation: sep?.value ?? null,
      separationText: sep ? formatFixed(sep.value, 2) : DASH,
      decimals: decimalsForSpread(stds.length ? Math.max(...stds) : null),
    };
  });
  const perCluster = objs.map((o) =>
    descriptors.map((d): DescriptorRowView => {
      const entry = o ? own(o, names[d.index]) : undefined;
      const value = (key: string) => (isObj(entry) ? finite(entry[key]) : null);
      const stat = (key: (typeof STAT_KEYS)[number]) => ({ value: value(key), text: formatFixed(value(key), d.decimals) });
      return {
        descriptor: d.index,
        mean: stat('mean'),
        median: stat('median'),
        std: stat('std'),
        min: stat('min'),
        q25: stat('q25'),
        q75: stat('q75'),
        max: stat('max'),
        missing: value('missing'),
      };
    }),
  );
  return { descriptors, perCluster };
}

/**
 * Every column clustered or described, the most separating first (ties in
 * the profile's order). A profile without a separation section (written
 * before it existed) ranks its features by the η² derived from the clusters.
 */
function separationRanking(
  separation: Map<string, { measure: string; value: number }>,
  roles: Map<string, ColumnRoleView>,
  features: FeatureView[],
): SeparationView[] {
  const entries: SeparationView[] =
    separation.size > 0
      ? [...separation].map(([name, { measure, value }]) => ({
          name: visible(name),
          kind: measure === 'cramers_v' ? 'categorical' : 'numeric',
          role: roles.get(name) ?? null,
          measure: own(MEASURES, measure) ?? visible(measure),
          value,
          text: formatFixed(value, 2),
        }))
      : features
          .filter((f) => f.separation != null)
          .map((f) => ({ name: f.name, kind: 'numeric', role: 'feature', measure: 'η²', value: f.separation!, text: f.separationText }));
  return entries.map((e, order) => ({ e, order })).sort((a, b) => b.e.value - a.e.value || a.order - b.order).map(({ e }) => e);
}

export function readColumnSections(root: Obj, metadata: Obj | null, clusters: RawCluster[], features: FeatureView[], problems: Problems): ColumnSections {
  const roles = readRoles(metadata, problems);
  const separation = readSeparation(root, problems);
  const { categories, perCluster } = readCategories(root, clusters, roles, separation, problems);
  const described = readDescriptors(clusters, separation, problems);
  return {
    categories,
    descriptors: described.descriptors,
    separation: separationRanking(separation, roles, features),
    clusterCategories: perCluster,
    clusterDescriptors: described.perCluster,
  };
}
