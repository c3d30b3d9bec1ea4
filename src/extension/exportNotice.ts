/**
 * The notification after an export, as text (no vscode import, so it is
 * unit-tested): the headline with the silhouette, then the run's warnings.
 * A data-quality warning (rows dropped, a nearly constant feature, a
 * collapsed variance) is what the user must read before trusting the
 * segments, so the first one is shown in full, not only counted; all of
 * them are in the log and in the profile's metadata.warnings.
 */
import type { MethodResult } from '../shared/workerProtocol';
import { METHOD_LABELS } from '../shared/methods';

export interface ExportNotice {
  text: string;
  /** Shown as a warning notification when the run has warnings. */
  severity: 'info' | 'warning';
  /** Every distinct warning, in order (Export All repeats the data's own for each method). */
  warnings: string[];
}

function formatMetric(value: number | null | undefined): string {
  return typeof value === 'number' && Number.isFinite(value) ? value.toFixed(3) : 'n/a';
}

export function exportNotice(fileName: string, results: readonly MethodResult[]): ExportNotice {
  const first = results[0];
  const silhouette = (r: MethodResult) => formatMetric(r.metrics.silhouette_score);
  const headline =
    results.length === 1
      ? `${METHOD_LABELS[first.method].title} profile of ${fileName}: silhouette ${silhouette(first)} (${first.nClusters} clusters, ${first.nSamples.toLocaleString('en-US')} rows).`
      : `${results.length} profiles of ${fileName}: silhouette ${results.map((r) => `${METHOD_LABELS[r.method].title} ${silhouette(r)}`).join(', ')}.`;
  const warnings = [...new Set(results.flatMap((r) => r.warnings))];
  if (warnings.length === 0) return { text: `Segment: ${headline}`, severity: 'info', warnings };
  const more = warnings.length - 1;
  const rest = more === 0 ? ' (also in Segment: Show Log)' : ` (${more === 1 ? 'one more warning' : `${more} more warnings`}: see Segment: Show Log)`;
  return { text: `Segment: ${headline} Warning: ${warnings[0]}${rest}`, severity: 'warning', warnings };
}
