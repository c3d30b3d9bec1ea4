/**
 * `segment`: the engine on the command line. Exit codes: 0 success, 1 bad
 * input (one actionable line, never a stack trace), 2 wrong usage,
 * 130 cancelled with Ctrl-C (nothing written).
 *
 * `segment <method> <file.csv>` runs one method; `segment all <file.csv>`
 * reads and prepares the CSV once and runs every method on it, writing all
 * twelve files or none (a failure or cancel removes what the run had written).
 */
import { dirname, resolve } from 'node:path';
import {
  InvalidOptionError,
  METHOD_KEYS,
  METHOD_LABELS,
  OPTION_FLAGS,
  TOOL_NAME,
  TOOL_VERSION,
  exportMethods,
  isMethodKey,
  isSegmentError,
  type MethodExport,
  type MethodKey,
} from '../engine';
import type { OutputKind } from '../shared/timestamps';
import { UsageError, flagHelp, parseFlags, type FlagSpec, type FlagValues } from './args';
import { CATEGORICAL_MODES } from '../shared/workerProtocol';
import type { CliIo } from './io';
import { ALL_METHOD_FLAGS, COMMON_OPTION_FLAGS, DATA_OPTION_FLAGS, SHARED_FLAGS, methodFlags, methodRun, prepareOptions } from './methodFlags';
import { ProgressBar } from './progressBar';
import { PROMPT_USAGE, promptCommand } from './prompt';
import { SCORE_USAGE, scoreCommand } from './score';
import { SQL, SQL_USAGE, sqlCommand } from './sql';
import { summarize } from './summary';
import { SWEEP, SWEEP_USAGE, sweepCommand } from './sweep';
import { DASK, DASK_USAGE, daskCommand } from './dask';

export type { CliIo, OutputStream } from './io';

const COMMON_FLAGS: FlagSpec[] = [
  ...COMMON_OPTION_FLAGS.filter((f) => f.name !== 'threads' && f.name !== 'silhouette-sample'),
  { name: 'columns', kind: 'list', value: 'a,b,…', help: 'cluster on exactly these columns (default: every numeric column but ids)' },
  { name: 'exclude', kind: 'list', value: 'a,b,…', help: 'leave these columns out: neither clustered nor described' },
  { name: 'describe', kind: 'list', value: 'a,b,…', help: 'describe these columns per cluster without clustering on them' },
  { name: 'missing', kind: 'string', value: 'drop|median', choices: ['drop', 'median'], help: 'rows with a missing value: drop them (default) or fill with the column median' },
  {
    name: 'categorical',
    kind: 'string',
    value: 'describe|onehot',
    choices: CATEGORICAL_MODES,
    help: 'binary and categorical columns: describe them per cluster (default) or cluster on them one-hot encoded',
  },
  ...DATA_OPTION_FLAGS,
  { name: 'out', short: 'o', kind: 'string', value: 'DIR', help: 'folder for the output files (default: beside the CSV)' },
  ...COMMON_OPTION_FLAGS.filter((f) => f.name === 'threads' || f.name === 'silhouette-sample'),
  { name: 'quiet', short: 'q', kind: 'boolean', help: 'print only the paths of the files written' },
  { name: 'json', kind: 'boolean', help: 'print the result as JSON (paths, metrics, warnings) on stdout' },
  { name: 'help', short: 'h', kind: 'boolean', help: 'show this help' },
];

const ALL = 'all';
const PROMPT = 'prompt';
const SCORE = 'score';


const USAGE = `${TOOL_NAME} ${TOOL_VERSION}: customer segments from a CSV, as JSON and YAML cluster profiles

Usage:
${METHOD_KEYS.map((m) => `  segment ${m} <file.csv> [options]`.padEnd(40) + METHOD_LABELS[m].summary).join('\n')}
${`  segment ${ALL} <file.csv> [options]`.padEnd(40)}${METHOD_KEYS.join(', ')} on the same data, read once: ${METHOD_KEYS.length * 4} files
  segment --help | --version

Scoring new customers:
${SCORE_USAGE}

How many segments?
${SWEEP_USAGE}

When one machine is not enough:
${SQL_USAGE}
${DASK_USAGE}

Language models:
${PROMPT_USAGE}

A Parquet file (.parquet) is read wherever a CSV is; --sample N fits on a uniform sample of N rows drawn while reading.

Writes beside the CSV (or into --out), never overwriting a file:
  {method}_cluster_profile_YYYYMMDD_HHMMSS.json and .yaml   the cluster profile
  {method}_assignments_YYYYMMDD_HHMMSS.csv                  each customer's cluster and soft scores
  {method}_model_YYYYMMDD_HHMMSS.json                       the fitted model, for segment score

Options for every method:
${flagHelp(COMMON_FLAGS)}
${METHOD_KEYS.map((m) => `\nOptions for ${m}:\n${flagHelp(methodFlags(m))}`).join('\n')}

Options for ${ALL}: those of every method; ${SHARED_FLAGS.map((f) => `--${f.name}`).join(' and ')} apply to each method that has them
(each keeps its own default otherwise).

Exit status: 0 done, 1 the input cannot be clustered (the message says why), 2 wrong usage, 130 cancelled.
Examples:
  segment gmm customers.csv --clusters 5 --covariance diag --out profiles/
  segment all customers.csv --clusters 5 --epochs 50 --out profiles/
  segment sweep gmm customers.csv --k 2..10 --covariance all --export
`;

/** Where a run writes, told before it writes: the process can take back its files if its thread must be stopped. */
export interface RunAnnouncement {
  outputDir: string;
  now: Date;
  methods: readonly MethodKey[];
  /** What removeRunFiles looks for (src/engine/profile/export.ts): a scoring's kinds of files, strictly after its start. */
  kinds?: readonly OutputKind[];
  strict?: boolean;
}

export async function main(argv: string[], io: CliIo, signal?: AbortSignal, onRun?: (run: RunAnnouncement) => void): Promise<number> {
  try {
    const [command, ...rest] = argv;
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      io.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    }
    if (command === '--version' || command === '-V') {
      io.stdout.write(`${TOOL_VERSION}\n`);
      return 0;
    }
    if (command === PROMPT) return await promptCommand(rest, io);
    if (command === SCORE) return await scoreCommand(rest, io, signal, onRun);
    if (command === SQL) return await sqlCommand(rest, io);
    if (command === SWEEP) return await sweepCommand(rest, { io, common: COMMON_FLAGS, signal, onRun });
    if (command === DASK) return await daskCommand(rest, io, signal);
    const method = isMethodKey(command) ? command : undefined;
    if (!method && command !== ALL) {
      throw new UsageError(`unknown command "${command}" (available: ${[...METHOD_KEYS, ALL, SWEEP, SCORE, SQL, PROMPT, DASK].join(', ')})`);
    }
    const { positionals, flags } = parseFlags(rest, [...COMMON_FLAGS, ...(method ? methodFlags(method) : ALL_METHOD_FLAGS)]);
    if (flags.help) {
      io.stdout.write(USAGE);
      return 0;
    }
    if (positionals.length !== 1) {
      throw new UsageError(positionals.length === 0 ? 'give the CSV file to cluster' : `one CSV file at a time (got ${positionals.length})`);
    }
    const methods = method ? [method] : METHOD_KEYS;
    const results = await runMethods(methods, positionals[0], flags, io, signal, onRun);
    report(results, flags, io, method === undefined);
    return 0;
  } catch (error) {
    return failure(error, io);
  }
}

/**
 * The engine's run pipeline with the CLI's options, progress bar and names:
 * options are checked before the file is read, the data against every method
 * before any fit, and a failure or Ctrl-C removes what the run had written.
 */
async function runMethods(
  methods: readonly MethodKey[],
  file: string,
  flags: FlagValues,
  io: CliIo,
  signal?: AbortSignal,
  onRun?: (run: RunAnnouncement) => void,
): Promise<MethodExport[]> {
  const csvPath = resolve(file);
  const outputDir = flags.out ? resolve(flags.out as string) : dirname(csvPath);
  // One time stamp for the run, so the files of `segment all` sort together.
  const now = new Date();
  onRun?.({ outputDir, now, methods });
  const bar = new ProgressBar(io.stderr, !flags.quiet && !flags.json && io.stderr.isTTY === true);
  const tracePhases = process.env.SEGMENT_TRACE_PHASES === '1';
  let lastPhase = '';
  try {
    return await exportMethods(
      {
        source: { kind: 'file', path: csvPath },
        prepare: prepareOptions(flags),
        methods: methods.map((m) => methodRun(m, flags)),
        outputDir,
        now,
        optionNames: OPTION_FLAGS,
      },
      {
        signal,
        onProgress: (progress, { method, index, count }) => {
          const phase = `${method ?? 'data'} ${progress.phase}`;
          // For the tests that stop a run in a given phase (stderr is not a terminal there, so no bar).
          if (tracePhases && phase !== lastPhase) io.stderr.write(`phase: ${phase}\n`);
          lastPhase = phase;
          const prefix = method && count > 1 ? `${method} (${index + 1}/${count}): ` : '';
          bar.update({ ...progress, message: prefix + progress.message });
        },
      },
    );
  } finally {
    bar.clear();
  }
}

function report(results: MethodExport[], flags: FlagValues, io: CliIo, many: boolean): void {
  if (flags.json) {
    const out = results.map(({ method, result }) => {
      const metadata = result.profile.metadata;
      return {
        method,
        json: result.json,
        yaml: result.yaml,
        assignments: result.assignments,
        model: result.model,
        n_samples: metadata.n_samples,
        n_clusters: metadata.n_clusters,
        metrics: result.profile.metrics,
        warnings: metadata.warnings,
      };
    });
    io.stdout.write(`${JSON.stringify(many ? out : out[0], null, 2)}\n`);
    return;
  }
  if (flags.quiet) {
    for (const { result } of results) io.stdout.write(`${result.json}\n${result.yaml}\n${result.assignments}\n${result.model}\n`);
    return;
  }
  io.stdout.write(results.map(({ result }) => summarize(result)).join('\n'));
}

function failure(error: unknown, io: CliIo): number {
  // An option out of its range is wrong usage too (exit 2), as a flag that is not a number is.
  if (error instanceof UsageError || error instanceof InvalidOptionError) {
    io.stderr.write(`segment: ${error.message}\nRun "segment --help" for the options.\n`);
    return 2;
  }
  if (isSegmentError(error)) {
    io.stderr.write(`segment: ${error.message}\n`);
    return error.code === 'CANCELLED' ? 130 : 1;
  }
  // A bug, not bad input: still one line, with the detail behind an environment switch.
  const detail = process.env.SEGMENT_DEBUG ? `\n${(error as Error)?.stack ?? String(error)}` : '';
  io.stderr.write(
    `segment: unexpected error: ${(error as Error)?.message ?? String(error)}. Please report it (set SEGMENT_DEBUG=1 for details).${detail}\n`,
  );
  return 1;
}
