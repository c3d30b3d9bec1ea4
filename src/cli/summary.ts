/** The human-readable report of an export: what was clustered, how well, and where the files are. */
import { printable, type ExportResult } from '../engine';

type Obj = Record<string, unknown>;

function fixed(value: unknown, digits: number): string {
  return typeof value === 'number' ? value.toFixed(digits) : 'n/a';
}

const DELIMITER_NAMES: Record<string, string> = { ',': 'comma', ';': 'semicolon', '\t': 'tab', '|': 'pipe' };

/** What the reader detected, e.g. " (semicolon-separated, BOM, CRLF, decimal commas)". */
function formatNote(format: Obj | null): string {
  if (!format) return '';
  const parts = [`${DELIMITER_NAMES[format.delimiter as string] ?? format.delimiter}-separated`];
  if (format.bom) parts.push('BOM');
  if (format.line_ending !== 'LF') parts.push(String(format.line_ending));
  if (format.decimal_comma) parts.push('decimal commas');
  return ` (${parts.join(', ')})`;
}

const LISTED = 8;
const BY_CHOICE = new Set(['not in the requested columns', 'excluded by request']);

/** Columns left out for a reason worth reading; those the user chose not to use only counted. */
function notUsed(excluded: { column: string; reason: string }[]): string[] {
  const reasoned = excluded.filter((e) => !BY_CHOICE.has(e.reason));
  const chosen = excluded.length - reasoned.length;
  const lines = reasoned.slice(0, LISTED).map((e) => `    ${e.column}: ${e.reason}`);
  if (reasoned.length > LISTED) lines.push(`    … and ${reasoned.length - LISTED} more (see excluded_columns in the profile)`);
  if (chosen > 0) lines.push(`    ${chosen} more column${chosen === 1 ? '' : 's'} left out by choice`);
  return lines.length > 0 ? ['  not used:', ...lines] : [];
}

export function summarize(result: ExportResult): string {
  const { metadata, metrics, clusters } = result.profile;
  const lines: string[] = [];
  const dropped = metadata.n_rows_dropped as number;
  const imputed = metadata.n_values_imputed as number;
  const rows = `${metadata.n_samples} of ${metadata.n_rows_read} rows clustered`;
  const note = dropped > 0 ? ` (${dropped} dropped for missing values)` : imputed > 0 ? ` (${imputed} missing values filled with the median)` : '';
  lines.push(`${metadata.method}: ${metadata.source_file}${formatNote(metadata.input_format as Obj | null)}`);
  lines.push(`  ${rows}${note}; ${result.profile.features_used.length} features; ${metadata.n_clusters} clusters; seed ${metadata.random_seed}`);
  lines.push(...notUsed(metadata.excluded_columns as { column: string; reason: string }[]));
  lines.push(
    `  silhouette ${fixed(metrics.silhouette_score, 4)} (−1..1, higher is better) · ` +
      `Davies–Bouldin ${fixed(metrics.davies_bouldin_index, 4)} (lower is better) · ` +
      `Calinski–Harabasz ${fixed(metrics.calinski_harabasz_score, 1)} (higher is better)`,
  );
  if (metrics.bic !== undefined) {
    const converged = metadata.converged ? `converged in ${metadata.n_iterations} iterations` : `did not converge in ${metadata.n_iterations} iterations`;
    lines.push(`  BIC ${fixed(metrics.bic, 1)} · AIC ${fixed(metrics.aic, 1)} · log-likelihood ${fixed(metrics.log_likelihood, 4)} per row · ${converged}`);
  }
  if (metrics.partition_coefficient !== undefined) {
    const converged = metadata.converged ? `converged in ${metadata.n_iterations} iterations` : `did not converge in ${metadata.n_iterations} iterations`;
    lines.push(
      `  partition coefficient ${fixed(metrics.partition_coefficient, 4)} (1/k..1, higher is crisper) · ` +
        `partition entropy ${fixed(metrics.partition_entropy, 4)} (lower is crisper) · ${converged}`,
    );
  }
  if (metrics.reconstruction_error !== undefined) {
    lines.push(
      `  reconstruction error ${fixed(metrics.reconstruction_error, 4)} (MSE on standardised features, lower is better) · ` +
        `latent silhouette ${fixed(metrics.latent_silhouette_score, 4)} (−1..1, higher is better) · ` +
        `final loss ${fixed(metadata.final_loss, 4)} after ${metadata.epochs} epochs (${metadata.backend})`,
    );
  }
  for (const [name, cluster] of Object.entries(clusters)) {
    const c = cluster as Obj;
    lines.push(`  ${name}: ${String(c.size).padStart(6)} customers (${fixed(c.percentage, 2)}%)`);
  }
  lines.push('Wrote:', `  ${result.json}`, `  ${result.yaml}`, `  ${result.assignments}`, `  ${result.model}`);
  for (const warning of (metadata.warnings as string[] | undefined) ?? []) lines.push(`warning: ${warning}`);
  // Column names, cells and paths come from the user's files: no control character reaches the terminal.
  return `${lines.map(printable).join('\n')}\n`;
}
