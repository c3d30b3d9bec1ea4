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
  if (format.format === 'parquet') return ` (Parquet, ${format.row_groups} row ${format.row_groups === 1 ? 'group' : 'groups'})`;
  const parts = [`${DELIMITER_NAMES[format.delimiter as string] ?? format.delimiter}-separated`];
  if (format.bom) parts.push('BOM');
  if (format.line_ending !== 'LF') parts.push(String(format.line_ending));
  if (format.decimal_comma) parts.push('decimal commas');
  return ` (${parts.join(', ')})`;
}

const LISTED = 8;
/** Columns with the highest separation shown. */
const TOP_SEPARATING = 5;
const BY_CHOICE = new Set(['not in the requested columns', 'excluded by request']);

interface ColumnEntry {
  name: string;
  role: string;
  reason?: string;
}

/** "a, b, c and 5 more". */
function names(list: string[]): string {
  if (list.length <= LISTED) return list.join(', ');
  return `${list.slice(0, LISTED).join(', ')} and ${list.length - LISTED} more`;
}

/** The columns clustered and described, by name; those ignored with a reason worth reading (the ones left out by choice only counted). */
function columnRoles(columns: ColumnEntry[]): string[] {
  const lines: string[] = [];
  const features = columns.filter((c) => c.role === 'feature').map((c) => c.name);
  const described = columns.filter((c) => c.role === 'descriptor').map((c) => c.name);
  lines.push(`  clustered on (${features.length}): ${names(features)}`);
  if (described.length > 0) lines.push(`  described, not clustered (${described.length}): ${names(described)}`);
  const ignored = columns.filter((c) => c.role === 'id' || c.role === 'ignored');
  const reasoned = ignored.filter((c) => !BY_CHOICE.has(c.reason ?? ''));
  const chosen = ignored.length - reasoned.length;
  const ignoredLines = reasoned.slice(0, LISTED).map((c) => `    ${c.name}: ${c.role === 'id' ? 'the id column, ' : ''}${c.reason ?? 'ignored'}`);
  if (reasoned.length > LISTED) ignoredLines.push(`    … and ${reasoned.length - LISTED} more (see metadata.columns in the profile)`);
  if (chosen > 0) ignoredLines.push(`    ${chosen} more column${chosen === 1 ? '' : 's'} left out by choice`);
  if (ignoredLines.length > 0) lines.push('  ignored:', ...ignoredLines);
  return lines;
}

const MEASURES: Record<string, string> = { eta_squared: 'η²', cramers_v: "Cramér's V" };

/** The columns that set the clusters apart most, numeric and categorical together; ties in CSV order. */
function topSeparating(separation: Obj | undefined): string[] {
  const entries = Object.entries(separation ?? {})
    .map(([name, s], index) => ({ name, index, measure: (s as Obj).measure as string, value: (s as Obj).value }))
    .filter((e) => typeof e.value === 'number')
    .sort((a, b) => (b.value as number) - (a.value as number) || a.index - b.index)
    .slice(0, TOP_SEPARATING);
  if (entries.length === 0) return [];
  const items = entries.map((e) => `${e.name} (${MEASURES[e.measure] ?? e.measure} ${fixed(e.value, 2)})`);
  return [`  separate the clusters most: ${items.join(', ')}`];
}

export function summarize(result: ExportResult): string {
  const { metadata, metrics, clusters } = result.profile;
  const lines: string[] = [];
  const dropped = metadata.n_rows_dropped as number;
  const imputed = metadata.n_values_imputed as number;
  const sample = metadata.sample as Obj | undefined;
  const sampled = sample ? ` (a sample of ${metadata.n_rows_read} of the ${sample.of} rows, seed ${sample.seed})` : '';
  const rows = `${metadata.n_samples} of ${metadata.n_rows_read} rows clustered${sampled}`;
  const note = dropped > 0 ? ` (${dropped} dropped for missing values)` : imputed > 0 ? ` (${imputed} missing values filled with the median)` : '';
  lines.push(`${metadata.method}: ${metadata.source_file}${formatNote(metadata.input_format as Obj | null)}`);
  lines.push(`  ${rows}${note}; ${result.profile.features_used.length} features; ${metadata.n_clusters} clusters; seed ${metadata.random_seed}`);
  lines.push(...columnRoles((metadata.columns as unknown as ColumnEntry[] | undefined) ?? []));
  lines.push(...topSeparating(result.profile.separation as Obj | undefined));
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
