/**
 * `segment sweep gmm|fuzzy|neural <file.csv> [--k 2..8]`: how many segments?
 * Fits every k of the range on the CSV read once, writes the k-selection
 * JSON and YAML, prints a table with the recommended fit marked and the
 * reason, and with --export writes the recommended profile too.
 */
import { dirname, resolve } from 'node:path';
import {
  COVARIANCE_TYPES,
  InvalidOptionError,
  METHOD_KEYS,
  METHOD_LABELS,
  OPTION_FLAGS,
  fitName,
  isMethodKey,
  isSuccess,
  printable,
  sweepToFiles,
  type CovarianceType,
  type MethodKey,
  type SweepFiles,
  type SweepFit,
  type SweepSuccess,
} from '../engine';
import { DEFAULT_K_RANGE, parseKRangeText } from '../shared/kRange';
import { UsageError, flagHelp, parseFlags, type FlagSpec, type FlagValues } from './args';
import type { CliIo } from './io';
import type { RunAnnouncement } from './main';
import { methodFlags, methodRun, prepareOptions } from './methodFlags';
import { ProgressBar } from './progressBar';
import { summarize } from './summary';

export const SWEEP = 'sweep';
const DEFAULT_RANGE = DEFAULT_K_RANGE;

const K_FLAG: FlagSpec = { name: 'k', short: 'k', kind: 'string', value: 'K1..K2', help: `the numbers of clusters to try, both ends included (default ${DEFAULT_RANGE})` };
const EXPORT_FLAG: FlagSpec = { name: 'export', kind: 'boolean', help: 'then write the recommended profile, as the method\'s own command would with that k' };
const COVARIANCE_LIST: FlagSpec = {
  name: 'covariance',
  kind: 'string',
  value: 'TYPES',
  help: `gmm: covariance types to try, a comma list of ${COVARIANCE_TYPES.join(', ')}, or all (default full)`,
};

/** The flags every method has but --clusters (the range replaces it). */
function commonFlags(common: readonly FlagSpec[]): FlagSpec[] {
  return common.filter((f) => f.name !== 'clusters');
}

/** A method's own flags but --covariance (the sweep's takes a list). */
function ownFlags(method: MethodKey): FlagSpec[] {
  return methodFlags(method).filter((f) => f.name !== COVARIANCE_LIST.name);
}

const SWEEP_FLAGS = [K_FLAG, COVARIANCE_LIST, EXPORT_FLAG];

export const SWEEP_USAGE_LINE = `segment sweep ${METHOD_KEYS.join('|')} <file.csv> [--k K1..K2] [options]`;

export const SWEEP_USAGE = `  ${SWEEP_USAGE_LINE}
      How many segments? Fits each k of the range with three seeds on the CSV read once, and
      recommends one: GMM the lowest BIC (the knee of the BIC curve when the lowest is at the
      largest k), Fuzzy C-Means and Neural the highest silhouette among the stable fits
      (stability ARI ≥ 0.8). Writes {method}_k_selection_YYYYMMDD_HHMMSS.json and .yaml.
      Takes the options of the method (below) but --clusters, and:
${flagHelp(SWEEP_FLAGS)}`;

/** `--k 2..8` as [2, 8]; wrong usage otherwise. */
export function parseKRange(text: string): [number, number] {
  const parsed = parseKRangeText(text, '--k');
  if (parsed.error !== undefined) throw new UsageError(parsed.error);
  return parsed.range;
}

/** `--covariance full,diag` or `all`; wrong usage otherwise. */
export function parseCovarianceTypes(text: string): CovarianceType[] {
  if (text.trim() === 'all') return [...COVARIANCE_TYPES];
  const items = text.split(',').map((s) => s.trim());
  for (const item of items) {
    if (!(COVARIANCE_TYPES as readonly string[]).includes(item)) {
      throw new UsageError(`--covariance takes ${COVARIANCE_TYPES.join(', ')}, a comma list of them, or all; got "${text}"`);
    }
  }
  return [...new Set(items as CovarianceType[])];
}

/** What the sweep command runs with: main's streams, its common flags, the cancel and the announcement of where it writes. */
export interface SweepContext {
  io: CliIo;
  /** The flags every method has (main's). */
  common: readonly FlagSpec[];
  signal?: AbortSignal;
  onRun?: (run: RunAnnouncement) => void;
}

/**
 * Runs the sweep command. Wrong usage (a bad range or option) exits 2 with the
 * usage line; other errors are thrown to main's handler.
 */
export async function sweepCommand(argv: string[], context: SweepContext): Promise<number> {
  try {
    return await sweep(argv, context);
  } catch (error) {
    if (!(error instanceof UsageError || error instanceof InvalidOptionError)) throw error;
    context.io.stderr.write(`segment: ${error.message}\nUsage: ${SWEEP_USAGE_LINE}\nRun "segment --help" for the options.\n`);
    return 2;
  }
}

async function sweep(argv: string[], { io, common, signal, onRun }: SweepContext): Promise<number> {
  const [method, ...rest] = argv;
  if (method === undefined || method === '--help' || method === '-h') {
    io.stdout.write(`Usage:\n${SWEEP_USAGE}\n`);
    return method === undefined ? 2 : 0;
  }
  if (!isMethodKey(method)) throw new UsageError(`segment sweep takes a method, ${METHOD_KEYS.join(', ')}; got "${method}"`);
  const { positionals, flags } = parseFlags(rest, [...SWEEP_FLAGS.filter((f) => method === 'gmm' || f !== COVARIANCE_LIST), ...commonFlags(common), ...ownFlags(method)]);
  if (flags.help) {
    io.stdout.write(`Usage:\n${SWEEP_USAGE}\n\nOptions for every method:\n${flagHelp(commonFlags(common))}\n\nOptions for ${method}:\n${flagHelp(ownFlags(method))}\n`);
    return 0;
  }
  if (positionals.length !== 1) {
    throw new UsageError(positionals.length === 0 ? 'give the CSV file to cluster' : `one CSV file at a time (got ${positionals.length})`);
  }
  const kRange = parseKRange((flags.k as string | undefined) ?? DEFAULT_RANGE);
  const covarianceTypes = method === 'gmm' ? parseCovarianceTypes((flags.covariance as string | undefined) ?? 'full') : undefined;
  const { options } = methodRun(method, { ...flags, [COVARIANCE_LIST.name]: undefined });
  const csvPath = resolve(positionals[0]);
  const outputDir = flags.out ? resolve(flags.out as string) : dirname(csvPath);
  const now = new Date();
  onRun?.({ outputDir, now, methods: [method] });
  const bar = new ProgressBar(io.stderr, !flags.quiet && !flags.json && io.stderr.isTTY === true);
  const tracePhases = process.env.SEGMENT_TRACE_PHASES === '1';
  let lastPhase = '';
  let files: SweepFiles;
  try {
    files = await sweepToFiles(
      {
        method,
        kRange,
        covarianceTypes,
        options,
        optionNames: OPTION_FLAGS,
        source: { kind: 'file', path: csvPath },
        prepare: prepareOptions(flags),
        outputDir,
        export: flags.export === true,
        now,
      },
      {
        signal,
        onProgress: (progress, stage) => {
          const phase = `${progress.phase === 'read' ? 'data' : method}${stage === 'export' ? ' export' : ''} ${progress.phase}`;
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
  report(files, flags, io);
  return 0;
}

function report(files: SweepFiles, flags: FlagValues, io: CliIo): void {
  const exported = files.exported?.result;
  const exportedPaths = exported ? [exported.json, exported.yaml, exported.assignments, exported.model] : [];
  if (flags.json) {
    const out = {
      method: files.sweep.method,
      json: files.json,
      yaml: files.yaml,
      recommendation: files.document.recommendation,
      results: files.document.results,
      ...(exported ? { exported: { json: exported.json, yaml: exported.yaml, assignments: exported.assignments, model: exported.model } } : {}),
    };
    io.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return;
  }
  if (flags.quiet) {
    io.stdout.write([files.json, files.yaml, ...exportedPaths].map((p) => `${p}\n`).join(''));
    return;
  }
  io.stdout.write(sweepSummary(files));
  if (exported) io.stdout.write(`\nThe recommended profile:\n${summarize(exported)}`);
}

/** The human-readable report of a sweep: what was fitted, the table with the recommended fit marked, the reason, the files. */
export function sweepSummary(files: SweepFiles): string {
  const { sweep: result, data } = files;
  const { method, recommendation } = result;
  const lines: string[] = [];
  const dropped = data.nRowsDropped > 0 ? ` (${data.nRowsDropped} dropped for missing values)` : '';
  const range = `k = ${result.kValues[0]}..${result.kValues[result.kValues.length - 1]}`;
  const covariance = result.covarianceTypes ? `; ${result.covarianceTypes.join(', ')} covariance` : '';
  lines.push(`${METHOD_LABELS[method].name} sweep: ${data.fileName}`);
  lines.push(`  ${data.n} of ${data.nRowsRead} rows clustered${dropped}; ${data.d} features; ${range}${covariance}; n_init ${result.options.nInit}`);
  lines.push(`  stability: mean pairwise adjusted Rand index of the fits with seeds ${result.seeds.join(', ')}`);
  const columns = tableColumns(method);
  const marker = (fit: SweepFit) => (fit.k === recommendation.k && fit.covarianceType === recommendation.covarianceType ? '→' : '');
  // The columns that name a fit, for a failed one too.
  const named = (fit: SweepFit) => [marker(fit), String(fit.k), ...(method === 'gmm' ? [fit.covarianceType ?? ''] : [])];
  const rows = result.fits.map((fit) => [...named(fit), ...(isSuccess(fit) ? columns.map((c) => c.value(fit)) : [])]);
  const names = method === 'gmm' ? ['', 'k', 'covariance'] : ['', 'k'];
  const header = [...names, ...columns.map((c) => c.title)];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `  ${cells.map((cell, i) => (i < names.length ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ')}`.trimEnd();
  lines.push(line(header));
  result.fits.forEach((fit, i) => lines.push(isSuccess(fit) ? line(rows[i]) : `${line(rows[i])}  failed: ${fit.error.message}`));
  lines.push(`Recommended: ${fitName(method, recommendation)}. ${recommendation.reason}`);
  lines.push('Wrote:', `  ${files.json}`, `  ${files.yaml}`);
  for (const fit of result.fits) {
    if (isSuccess(fit)) for (const warning of fit.warnings) lines.push(`warning: ${fitName(method, fit)}: ${warning}`);
  }
  // Column names and paths come from the user's files: no control character reaches the terminal.
  return `${lines.map(printable).join('\n')}\n`;
}

interface Column {
  title: string;
  value: (fit: SweepSuccess) => string;
}

function fixed(value: unknown, digits: number): string {
  return typeof value === 'number' ? value.toFixed(digits) : 'n/a';
}

function tableColumns(method: MethodKey): Column[] {
  const metric = (title: string, key: string, digits: number): Column => ({ title, value: (fit) => fixed(fit.metrics[key], digits) });
  const own: Record<MethodKey, Column[]> = {
    gmm: [metric('BIC', 'bic', 1), metric('AIC', 'aic', 1)],
    fuzzy: [metric('PC', 'partition_coefficient', 4), metric('PE', 'partition_entropy', 4)],
    neural: [metric('recon. error', 'reconstruction_error', 4)],
  };
  return [
    ...own[method],
    metric('silhouette', 'silhouette_score', 4),
    metric('Davies–Bouldin', 'davies_bouldin_index', 4),
    metric('Calinski–Harabasz', 'calinski_harabasz_score', 1),
    { title: 'stability', value: (fit) => fit.stabilityAri.toFixed(3) },
    {
      title: 'smallest',
      value: (fit) => {
        const least = Math.min(...fit.sizes);
        return `${least} (${((100 * least) / fit.sizes.reduce((a, b) => a + b, 0)).toFixed(1)}%)`;
      },
    },
    { title: 'iterations', value: (fit) => `${fit.nIterations}${fit.converged ? '' : ' (not converged)'}` },
  ];
}
