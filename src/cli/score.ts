/** `segment score <model.json> <new.csv>`: new rows assigned with a model file, no refit. */
import { dirname, resolve } from 'node:path';
import { METHOD_LABELS, printable, scoreRows, type ScoreResult } from '../engine';
import { UsageError, flagHelp, parseFlags, type FlagSpec } from './args';
import type { CliIo } from './io';
import type { RunAnnouncement } from './main';
import { SCORING_KINDS } from '../shared/timestamps';
import { ProgressBar } from './progressBar';

export const SCORE_FLAGS: FlagSpec[] = [
  { name: 'out', short: 'o', kind: 'string', value: 'DIR', help: 'folder for the output files (default: beside the new CSV)' },
  { name: 'profile', kind: 'boolean', help: 'also write a profile (JSON and YAML) of the scored rows under the model' },
  { name: 'threads', kind: 'int', value: 'N', help: "CPU threads for GMM's posteriors and the profile's silhouette (default: the cores, at most 4)" },
  { name: 'quiet', short: 'q', kind: 'boolean', help: 'print only the paths of the files written' },
  { name: 'json', kind: 'boolean', help: 'print the result as JSON (paths, counts, warnings) on stdout' },
  { name: 'help', short: 'h', kind: 'boolean', help: 'show this help' },
];

export const SCORE_USAGE = `  segment score <model.json> <new.csv> [options]
      Assigns the rows of a new CSV to the segments of a model file ({method}_model_*.json,
      written by every export), without refitting: {method}_scores_YYYYMMDD_HHMMSS.csv beside
      the new CSV, with the columns of the assignments file; GMM adds log_likelihood and
      unusual (1 below the 1st percentile of the training rows' log-likelihood).
${flagHelp(SCORE_FLAGS)}`;

export async function scoreCommand(
  argv: string[],
  io: CliIo,
  signal?: AbortSignal,
  onRun?: (run: RunAnnouncement) => void,
): Promise<number> {
  const { positionals, flags } = parseFlags(argv, SCORE_FLAGS);
  if (flags.help) {
    io.stdout.write(`Usage:\n${SCORE_USAGE}\n`);
    return 0;
  }
  if (positionals.length !== 2) {
    throw new UsageError(
      positionals.length === 0
        ? 'give the model file and the CSV to score'
        : positionals.length === 1
          ? 'give the CSV to score after the model file'
          : `one model file and one CSV (got ${positionals.length} files)`,
    );
  }
  const threads = flags.threads as number | undefined;
  if (threads !== undefined && threads < 1) throw new UsageError(`--threads must be a whole number of at least 1 (got ${threads}).`);
  const [model, csv] = positionals.map((p) => resolve(p));
  const outputDir = flags.out ? resolve(flags.out as string) : dirname(csv);
  const now = new Date();
  const bar = new ProgressBar(io.stderr, !flags.quiet && !flags.json && io.stderr.isTTY === true);
  const tracePhases = process.env.SEGMENT_TRACE_PHASES === '1';
  let method = 'score';
  let lastPhase = '';
  let result: ScoreResult;
  try {
    result = await scoreRows(
      { model, source: { kind: 'file', path: csv }, outputDir, profile: flags.profile === true, now, threads },
      {
        signal,
        onModel: (common) => {
          method = common.method;
          // After a kill, only what a scoring writes, and only since it started: not an export of the same second.
          onRun?.({ outputDir, now, methods: [common.method], kinds: SCORING_KINDS, strict: true });
        },
        onProgress: (progress) => {
          const phase = `${method} ${progress.phase}`;
          // For the tests that stop a run in a given phase (stderr is not a terminal there, so no bar).
          if (tracePhases && phase !== lastPhase) io.stderr.write(`phase: ${phase}\n`);
          lastPhase = phase;
          bar.update(progress);
        },
      },
    );
  } finally {
    bar.clear();
  }
  const written = [result.scores, ...(result.json ? [result.json] : []), ...(result.yaml ? [result.yaml] : [])];
  if (flags.json) io.stdout.write(`${JSON.stringify(scoreJson(result), null, 2)}\n`);
  else if (flags.quiet) io.stdout.write(written.map((p) => `${p}\n`).join(''));
  else io.stdout.write(summarizeScores(result, written));
  // Warnings (a new categorical level, a column left undescribed…) on stderr, whatever the output mode.
  io.stderr.write(result.warnings.map((warning) => `${printable(`warning: ${warning}`)}\n`).join(''));
  return 0;
}

function scoreJson(result: ScoreResult): Record<string, unknown> {
  return {
    method: result.method,
    model: result.model,
    scores: result.scores,
    json: result.json,
    yaml: result.yaml,
    source_file: result.sourceFile,
    n_rows_read: result.nRowsRead,
    n_scored: result.nScored,
    n_rows_dropped: result.nRowsDropped,
    n_values_imputed: result.nValuesImputed,
    sizes: Object.fromEntries(result.sizes.map((size, c) => [`cluster_${c}`, size])),
    unusual: result.unusual,
    metrics: result.profile?.metrics ?? null,
    warnings: result.warnings,
  };
}

function percent(count: number, total: number): string {
  return ((100 * count) / total).toFixed(2);
}

export function summarizeScores(result: ScoreResult, written: string[]): string {
  const { nScored: n } = result;
  const lines: string[] = [];
  lines.push(`${METHOD_LABELS[result.method].name}: ${result.sourceFile} scored with ${result.model.split(/[\\/]/).pop()} (${result.sizes.length} clusters)`);
  const note =
    result.nRowsDropped > 0
      ? ` (${result.nRowsDropped} dropped for missing values)`
      : result.nValuesImputed > 0
        ? ` (${result.nValuesImputed} missing values filled with the training's medians)`
        : '';
  lines.push(`  ${n} of ${result.nRowsRead} rows scored${note}`);
  result.sizes.forEach((size, c) => lines.push(`  cluster_${c}: ${String(size).padStart(6)} ${size === 1 ? 'customer' : 'customers'} (${percent(size, n)}%)`));
  if (result.unusual) {
    const { count, threshold } = result.unusual;
    lines.push(
      `  unusual: ${count} ${count === 1 ? 'row' : 'rows'} (${percent(count, n)}%) with a log-likelihood below ${threshold.toFixed(4)}, the training rows' 1st percentile`,
    );
  }
  if (result.profile) {
    const { metrics } = result.profile;
    const fixed = (v: unknown) => (typeof v === 'number' ? v.toFixed(4) : 'n/a');
    lines.push(`  silhouette ${fixed(metrics.silhouette_score)} · Davies–Bouldin ${fixed(metrics.davies_bouldin_index)} (on the scored rows)`);
  }
  lines.push('Wrote:', ...written.map((p) => `  ${p}`));
  // Names and paths come from the user's files: no control character reaches the terminal.
  return `${lines.map(printable).join('\n')}\n`;
}
