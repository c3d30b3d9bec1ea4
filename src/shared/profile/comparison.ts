/**
 * Profiles of the same data file side by side: their metrics (the best
 * marked where the metric has a direction), their cluster sizes by rank, and
 * notes where the comparison needs care.
 */
import { DASH } from '../format';
import { METRIC_ORDER, METRIC_SPECS } from './labels';
import type { ComparisonMetricRow, ComparisonView, ProfileView, Shown } from './types';
import { own } from './untrusted';
import { trainingIndexOf } from './scoredComparison';

/** One comparison per data file that two or more of the (readable) profiles clustered. */
export function buildComparisons(profiles: ProfileView[]): ComparisonView[] {
  const byFile = new Map<string, number[]>();
  profiles.forEach((p, i) => {
    if (p.status !== 'ok') return;
    // A profile of scored rows goes with its training profile (and that one's data file) when it is open.
    const training = trainingIndexOf(profiles, i);
    const key = (training === null ? p.header.dataFile : profiles[training].header.dataFile) ?? '(unknown data file)';
    byFile.set(key, [...(byFile.get(key) ?? []), i]);
  });
  const out: ComparisonView[] = [];
  for (const [dataFile, idx] of byFile) {
    if (idx.length < 2) continue;
    const ps = idx.map((i) => profiles[i]);
    const notes: string[] = [];
    const ns = new Set(ps.map((p) => p.header.n));
    if (ns.size > 1 && !ps.some((p) => p.header.scoredWith)) notes.push('These profiles clustered different numbers of rows; compare their metrics with care.');
    const featureSets = new Set(ps.map((p) => p.features.map((f) => f.name).join('\u0000')));
    if (featureSets.size > 1) notes.push('These profiles clustered on different columns; their metrics are not directly comparable.');
    const keys: string[] = [];
    for (const p of ps) for (const m of p.metrics) if (!keys.includes(m.key)) keys.push(m.key);
    keys.sort((a, b) => {
      const ia = METRIC_ORDER.indexOf(a);
      const ib = METRIC_ORDER.indexOf(b);
      return (ia < 0 ? 999 : ia) - (ib < 0 ? 999 : ib);
    });
    const metrics: ComparisonMetricRow[] = keys.map((key) => {
      const views = ps.map((p) => p.metrics.find((m) => m.key === key) ?? null);
      const first = views.find((v) => v != null)!;
      const values = views.map((v) => ({ value: v?.value ?? null, text: v?.text ?? DASH }));
      const present = values.map((v, i) => [v.value, i] as const).filter(([v]) => v != null) as [number, number][];
      let best: number[] = [];
      const hintsDiffer = new Set(views.filter(Boolean).map((v) => v!.hint)).size > 1;
      if (first.direction !== 'none' && present.length >= 2) {
        const target = first.direction === 'higher' ? Math.max(...present.map(([v]) => v)) : Math.min(...present.map(([v]) => v));
        best = present.filter(([v]) => v === target).map(([, i]) => i);
      }
      return { key, label: first.label, hint: hintsDiffer ? (own(METRIC_SPECS, key)?.hint(null) ?? first.hint) : first.hint, direction: first.direction, values, best };
    });
    const maxK = Math.max(...ps.map((p) => p.clusters.length));
    const sizes: (Shown | null)[][] = [];
    for (let r = 0; r < maxK; r++) {
      sizes.push(
        ps.map((p) => {
          const c = p.clusters[r];
          return c ? { value: c.size.value, text: `${c.size.text} (${c.percentage.text})` } : null;
        }),
      );
    }
    out.push({ dataFile, profiles: idx, labels: ps.map((p) => p.shortLabel), metrics, sizes, shares: ps.map((p) => p.clusters.map((c) => c.share)), notes });
  }
  return out;
}
