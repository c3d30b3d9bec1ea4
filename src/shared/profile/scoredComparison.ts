/**
 * A profile of scored rows (`segment score --profile`, metadata.scored_with
 * naming the model file) beside the training profile of that model: per
 * cluster, its size and share in each (the change in percentage points), the
 * members' feature means with the difference, and the categorical shares.
 * The model file and its training profile share the export's stamp
 * ({method}_model_{ts}.json beside {method}_cluster_profile_{ts}.json, the
 * model's `profile` field), so the pair is found by name among the open profiles.
 */
import { DASH, formatFixed, formatSigned } from '../format';
import type { CategoryShiftView, ClusterShiftView, ClusterView, FeatureShiftView, ProfileView, ScoredComparisonView, Shown } from './types';

// The stamp, and the set's suffix (_2, _3… when the first names were taken: one suffix for the whole set).
const MODEL_NAME = /^(.+)_model_(\d{8}_\d{6}(?:_\d+)?)\.json$/;
const PROFILE_NAME = /^(.+)_cluster_profile_(\d{8}_\d{6}(?:_\d+)?)\.(json|ya?ml)$/;

/** The stem shared by a model file and its training profile ("gmm_20261201_081502"), or null. */
function exportStem(fileName: string, pattern: RegExp): string | null {
  const m = pattern.exec(fileName);
  return m ? `${m[1]}_${m[2]}` : null;
}

/** The open training profile of the i-th profile when that one is a profile of scored rows, else null. */
export function trainingIndexOf(profiles: ProfileView[], i: number): number | null {
  const scoredWith = profiles[i].header.scoredWith;
  const stem = scoredWith === null ? null : exportStem(scoredWith, MODEL_NAME);
  if (stem === null) return null;
  const j = profiles.findIndex((p) => p.status === 'ok' && p.header.scoredWith === null && exportStem(p.fileName, PROFILE_NAME) === stem);
  return j < 0 ? null : j;
}

export function buildScoredComparisons(profiles: ProfileView[]): ScoredComparisonView[] {
  const out: ScoredComparisonView[] = [];
  profiles.forEach((scored, s) => {
    if (scored.status !== 'ok') return;
    const t = trainingIndexOf(profiles, s);
    if (t !== null) out.push(compare(profiles[t], scored, t, s));
  });
  return out;
}

const count = (value: number | null): Shown => ({ value, text: formatFixed(value, 0) });
const percent = (value: number | null): Shown => ({ value, text: value === null ? DASH : `${formatFixed(value, 2)}%` });
const points = (value: number | null): Shown => ({ value, text: value === null ? DASH : `${formatSigned(value, 2)} pp` });
const differenceOf = (a: number | null, b: number | null): number | null => (a === null || b === null ? null : b - a);

function compare(training: ProfileView, scored: ProfileView, t: number, s: number): ScoredComparisonView {
  const notes: string[] = [];
  const names = training.features.map((f) => f.name);
  if (names.join('\u0000') !== scored.features.map((f) => f.name).join('\u0000')) {
    notes.push('The two profiles list different features; only the features of both are compared.');
  }
  if (training.clusters.length !== scored.clusters.length) {
    notes.push(`The training profile has ${training.clusters.length} clusters and the scored one ${scored.clusters.length}; only the clusters of both are compared.`);
  }
  const clusters: ClusterShiftView[] = [];
  for (const a of training.clusters) {
    const b = scored.clusters.find((c) => c.key === a.key);
    if (b) clusters.push(clusterShift(training, scored, a, b));
  }
  return {
    training: t,
    scored: s,
    trainingLabel: training.shortLabel,
    scoredLabel: scored.shortLabel,
    model: scored.header.scoredWith!,
    trainingData: training.header.dataFile,
    scoredData: scored.header.dataFile,
    rows: { training: count(training.header.n), scored: count(scored.header.n) },
    clusters,
    notes,
  };
}

function clusterShift(training: ProfileView, scored: ProfileView, a: ClusterView, b: ClusterView): ClusterShiftView {
  const features: FeatureShiftView[] = [];
  for (const row of a.stats) {
    const feature = training.features[row.feature];
    const j = scored.features.findIndex((f) => f.name === feature.name);
    const other = b.stats.find((r) => r.feature === j);
    if (!other) continue;
    const difference = differenceOf(row.mean.value, other.mean.value);
    features.push({
      name: feature.name,
      center: row.center,
      training: row.mean,
      scored: other.mean,
      difference: { value: difference, text: formatSigned(difference, feature.decimals) },
    });
  }
  const shareA = a.percentage.value;
  const shareB = b.percentage.value;
  return {
    key: a.key,
    label: a.label,
    size: { training: a.size, scored: b.size },
    share: { training: percent(shareA), scored: percent(shareB) },
    shareChange: points(differenceOf(shareA, shareB)),
    features,
    categories: categoryShifts(training, scored, a, b),
  };
}

/** Each categorical column of both profiles: the share of every level among the cluster's members, training then scored. */
function categoryShifts(training: ProfileView, scored: ProfileView, a: ClusterView, b: ClusterView): CategoryShiftView[] {
  const out: CategoryShiftView[] = [];
  for (const cellsA of a.categories) {
    const category = training.categories[cellsA.category];
    const j = scored.categories.findIndex((c) => c.name === category.name);
    const cellsB = b.categories.find((c) => c.category === j);
    if (!cellsB) continue;
    const levelsB = scored.categories[j].levels;
    // The training's levels, then any the scored rows have that the training did not (a new level).
    const names = [...category.levels.map((l) => l.name), ...levelsB.map((l) => l.name).filter((n) => !category.levels.some((l) => l.name === n))];
    const shareOf = (levels: { name: string }[], cells: { share: Shown }[], name: string): Shown => {
      const k = levels.findIndex((l) => l.name === name);
      return k < 0 ? { value: null, text: DASH } : cells[k].share;
    };
    out.push({
      column: category.name,
      levels: names.map((level) => {
        const x = shareOf(category.levels, cellsA.cells, level);
        const y = shareOf(levelsB, cellsB.cells, level);
        // A level absent from one side has no share there: 0% of the members.
        const change = x.value === null && y.value === null ? null : 100 * ((y.value ?? 0) - (x.value ?? 0));
        return { level, training: x, scored: y, change: points(change) };
      }),
    });
  }
  return out;
}
