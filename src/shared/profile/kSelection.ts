/**
 * The k view: a k-selection file (`{method}_k_selection_{ts}.json|yaml`,
 * PROFILE.md "Choosing k", written by `segment sweep` and by "Segment:
 * Choose Number of Clusters…") as the cluster panel shows it: one small
 * chart per criterion against k (a series per covariance type), the
 * recommended fit marked with the reason, each point's tooltip with the
 * cluster sizes, and one "Export profile with k = N" per fit. Browser-safe
 * and untrusted-input safe like the rest of the view model: a field that is
 * missing or of the wrong type is a problem, never an exception.
 */
import { formatCount, formatFixed, formatMetric } from '../format';
import { METHOD_LABELS, type MethodKey } from '../methods';
import { timestampText } from '../timestamps';
import { METRIC_SPECS, methodKindOf } from './labels';
import type { Direction } from './types';
import { describeValue, isObj, own, visible, type Obj, type Problems } from './untrusted';

/** One fit's value on a chart. */
export interface KPointView {
  k: number;
  value: number;
  text: string;
  /** The fit, the value and its cluster sizes: the point's tooltip. */
  tooltip: string;
  recommended: boolean;
}

export interface KSeriesView {
  /** The covariance type for GMM ("full"); "" for a method with one series. */
  name: string;
  points: KPointView[];
}

export interface KChartView {
  /** The results field: "bic", "silhouette_score", "stability_ari", … */
  key: string;
  label: string;
  /** What good looks like. */
  hint: string;
  direction: Direction;
  series: KSeriesView[];
  /** The range of every series' values (for the y axis). */
  min: number;
  max: number;
  /** One sentence for screen readers: the best value and where. */
  summary: string;
}

export interface KExportView {
  k: number;
  covarianceType: string | null;
  /** "Export profile with k = 4", "… (diag covariance)" when several types were tried. */
  label: string;
  recommended: boolean;
  /** "120 · 98 · 80 · 52 rows". */
  sizesText: string;
}

export interface KRecommendationView {
  k: number;
  covarianceType: string | null;
  /** "k = 4 (full covariance)". */
  fit: string;
  /** "lowest BIC", "knee of the BIC curve", … */
  criterionText: string;
  reason: string;
}

export interface KSelectionView {
  method: MethodKey | 'unknown';
  /** "GMM", "FCM", "Neural". */
  methodShort: string;
  dataFile: string | null;
  nSamples: number | null;
  timestampText: string;
  kValues: number[];
  /** The covariance types tried (GMM), else empty. */
  covarianceTypes: string[];
  charts: KChartView[];
  recommendation: KRecommendationView | null;
  exports: KExportView[];
  /** "k = 9 (full covariance): the covariance …": fits that failed. */
  failures: string[];
  /** Facts under the charts: the stability's seeds, the silhouette sample. */
  notes: string[];
}

/** The criteria, in the order the charts are drawn; a chart only when some fit has the value. */
const CRITERIA: { key: string; label: string; hint: string; direction: Direction }[] = [
  ...['bic', 'aic', 'partition_coefficient', 'partition_entropy', 'reconstruction_error', 'silhouette_score', 'davies_bouldin_index', 'calinski_harabasz_score'].map((key) => {
    const spec = METRIC_SPECS[key];
    return { key, label: spec.label, hint: spec.hint(null), direction: spec.direction };
  }),
  { key: 'stability_ari', label: 'Stability (ARI)', hint: 'mean adjusted Rand index of three seeds’ labels; 1 = the same clusters every time, ≥ 0.8 stable', direction: 'higher' },
];

const CRITERION_TEXT: Record<string, string> = {
  bic: 'lowest BIC',
  bic_knee: 'knee of the BIC curve',
  silhouette: 'highest silhouette among stable fits',
  stability_ari: 'most stable fit',
};

/** The recommendation's criterion in a few words ("lowest BIC"), as the exports' cluster pick shows it too. */
export function criterionText(criterion: string): string {
  return own(CRITERION_TEXT, criterion) ?? visible(criterion);
}

/** True for a document shaped like a k-selection file (results and k_values or a recommendation), not a profile. */
export function isKSelectionDocument(doc: unknown): boolean {
  if (!isObj(doc) || !Array.isArray(own(doc, 'results')) || own(doc, 'clusters') !== undefined) return false;
  const metadata = own(doc, 'metadata');
  return isObj(own(doc, 'recommendation')) || (isObj(metadata) && Array.isArray(own(metadata, 'k_values')));
}

interface Fit {
  k: number;
  covarianceType: string | null;
  values: Record<string, number>;
  sizes: number[];
}

function fitLabel(k: number, covarianceType: string | null): string {
  return covarianceType ? `k = ${k} (${covarianceType} covariance)` : `k = ${k}`;
}

function sizesText(sizes: readonly number[]): string {
  if (sizes.length === 0) return 'sizes not recorded';
  const n = sizes.reduce((a, b) => a + b, 0);
  const least = Math.min(...sizes);
  return `sizes ${sizes.map((s) => formatCount(s)).join(' · ')} (smallest ${formatFixed(n > 0 ? (100 * least) / n : null, 1)}%)`;
}

function valueText(key: string, v: number): string {
  return key === 'stability_ari' ? formatFixed(v, 3) : formatMetric(v);
}

/** The k view of a k-selection document; what it had to work around goes to `problems`. */
export function buildKSelectionView(root: Obj, fileName: string, problems: Problems): KSelectionView {
  const metadata = isObj(own(root, 'metadata')) ? (own(root, 'metadata') as Obj) : {};
  if (!isObj(own(root, 'metadata'))) problems.add(`metadata should be a mapping but is ${describeValue(own(root, 'metadata'))}.`);
  const methodText = typeof own(metadata, 'method') === 'string' ? (own(metadata, 'method') as string) : '';
  const method = methodKindOf(methodText || null, fileName);
  const text = (key: string) => (typeof own(metadata, key) === 'string' ? visible(own(metadata, key) as string) : null);
  const count = (key: string) => {
    const v = own(metadata, key);
    return typeof v === 'number' && Number.isFinite(v) ? v : null;
  };

  const fits: Fit[] = [];
  const failures: string[] = [];
  (own(root, 'results') as unknown[]).forEach((entry, i) => {
    if (!isObj(entry)) {
      problems.add(`results[${i}] should be a mapping but is ${describeValue(entry)}.`);
      return;
    }
    const k = own(entry, 'k');
    if (typeof k !== 'number' || !Number.isInteger(k)) {
      problems.add(`results[${i}].k should be a whole number but is ${describeValue(k)}.`);
      return;
    }
    const cov = own(entry, 'covariance_type');
    const covarianceType = typeof cov === 'string' ? visible(cov) : null;
    const error = own(entry, 'error');
    if (error !== undefined) {
      failures.push(`${fitLabel(k, covarianceType)}: ${typeof error === 'string' ? visible(error) : describeValue(error)}`);
      return;
    }
    const values: Record<string, number> = {};
    for (const { key } of CRITERIA) {
      const v = own(entry, key);
      if (typeof v === 'number' && Number.isFinite(v)) values[key] = v;
      else if (v != null) problems.add(`results[${i}].${key} should be a number but is ${describeValue(v)}.`);
    }
    const rawSizes = own(entry, 'sizes');
    const sizes = Array.isArray(rawSizes) && rawSizes.every((s) => typeof s === 'number' && Number.isFinite(s)) ? (rawSizes as number[]) : [];
    if (rawSizes !== undefined && sizes.length === 0) problems.add(`results[${i}].sizes should be a list of numbers but is ${describeValue(rawSizes)}.`);
    fits.push({ k, covarianceType, values, sizes });
  });

  const recommendation = readRecommendation(own(root, 'recommendation'), problems);
  const isRecommended = (f: { k: number; covarianceType: string | null }) =>
    recommendation !== null && f.k === recommendation.k && (recommendation.covarianceType === null || f.covarianceType === recommendation.covarianceType);
  const covarianceTypes = [...new Set(fits.map((f) => f.covarianceType).filter((c): c is string => c !== null))];
  const several = covarianceTypes.length > 1;

  const charts: KChartView[] = [];
  for (const criterion of CRITERIA) {
    const withValue = fits.filter((f) => criterion.key in f.values);
    if (withValue.length === 0) continue;
    const names = [...new Set(withValue.map((f) => f.covarianceType ?? ''))];
    const series = names.map((name) => ({
      name,
      points: withValue
        .filter((f) => (f.covarianceType ?? '') === name)
        .sort((a, b) => a.k - b.k)
        .map((f) => {
          const value = f.values[criterion.key];
          return {
            k: f.k,
            value,
            text: valueText(criterion.key, value),
            tooltip: `${fitLabel(f.k, f.covarianceType)}: ${criterion.label} ${valueText(criterion.key, value)}; ${sizesText(f.sizes)}${isRecommended(f) ? ' — recommended' : ''}`,
            recommended: isRecommended(f),
          };
        }),
    }));
    const all = withValue.map((f) => f.values[criterion.key]);
    const best = criterion.direction === 'none' ? null : withValue.reduce((a, b) => (better(criterion.direction, b.values[criterion.key], a.values[criterion.key]) ? b : a));
    charts.push({
      ...criterion,
      series,
      min: Math.min(...all),
      max: Math.max(...all),
      summary: `${criterion.label} against k${best ? `: the ${criterion.direction === 'lower' ? 'lowest' : 'highest'}, ${valueText(criterion.key, best.values[criterion.key])}, at ${fitLabel(best.k, best.covarianceType)}` : ''}.`,
    });
  }

  const exports: KExportView[] = fits
    .slice()
    .sort((a, b) => covarianceTypes.indexOf(a.covarianceType ?? '') - covarianceTypes.indexOf(b.covarianceType ?? '') || a.k - b.k)
    .map((f) => ({
      k: f.k,
      covarianceType: f.covarianceType,
      label: `Export profile with k = ${f.k}${several && f.covarianceType ? ` (${f.covarianceType})` : ''}`,
      recommended: isRecommended(f),
      sizesText: sizesText(f.sizes),
    }));

  const notes: string[] = [];
  const seeds = own(metadata, 'stability_seeds');
  if (Array.isArray(seeds) && seeds.every((s) => typeof s === 'number')) notes.push(`Stability: the mean pairwise adjusted Rand index of the fits with seeds ${seeds.join(', ')}.`);
  const sample = count('silhouette_sample_size');
  if (sample !== null) notes.push(`Silhouettes of a seeded sample of ${formatCount(sample)} rows.`);
  const nInit = count('n_init');
  if (nInit !== null) notes.push(`Each fit the best of ${formatCount(nInit)} initialisation${nInit === 1 ? '' : 's'}.`);

  const kValues = Array.isArray(own(metadata, 'k_values')) ? (own(metadata, 'k_values') as unknown[]).filter((k): k is number => typeof k === 'number') : [...new Set(fits.map((f) => f.k))].sort((a, b) => a - b);
  return {
    method,
    methodShort: method === 'unknown' ? 'Sweep' : METHOD_LABELS[method].short,
    dataFile: text('source_file'),
    nSamples: count('n_samples'),
    timestampText: timestampText(text('timestamp')),
    kValues,
    covarianceTypes,
    charts,
    recommendation,
    exports,
    failures,
    notes,
  };
}

function better(direction: Direction, a: number, b: number): boolean {
  return direction === 'lower' ? a < b : a > b;
}

function readRecommendation(raw: unknown, problems: Problems): KRecommendationView | null {
  if (raw === undefined) {
    problems.add('recommendation is missing.');
    return null;
  }
  if (!isObj(raw)) {
    problems.add(`recommendation should be a mapping but is ${describeValue(raw)}.`);
    return null;
  }
  const k = own(raw, 'k');
  if (typeof k !== 'number' || !Number.isInteger(k)) {
    problems.add(`recommendation.k should be a whole number but is ${describeValue(k)}.`);
    return null;
  }
  const cov = own(raw, 'covariance_type');
  const covarianceType = typeof cov === 'string' ? visible(cov) : null;
  const criterion = own(raw, 'criterion');
  const reason = own(raw, 'reason');
  return {
    k,
    covarianceType,
    fit: fitLabel(k, covarianceType),
    criterionText: typeof criterion === 'string' ? criterionText(criterion) : 'criterion not recorded',
    reason: typeof reason === 'string' ? visible(reason) : 'No reason recorded.',
  };
}
