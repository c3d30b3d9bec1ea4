/**
 * `segment dask <model.json> --input GLOB --output DIR [--scheduler ADDRESS] [--run]`:
 * the model as a self-contained Dask job (src/engine/scaleout/dask.ts), and
 * with --run, the job run with a Python that has dask, distributed, pandas
 * and numpy. Its progress (one line per partition) goes to stderr as it
 * comes; Ctrl-C interrupts it, and the job then removes its temporary folder
 * (it writes nothing under a final name before it has succeeded).
 */
import { spawn, spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { SegmentError, printable } from '../engine';
import { writeDaskJob } from '../engine/scaleout/dask';
import { UsageError, flagHelp, parseFlags, type FlagSpec } from './args';
import type { CliIo } from './io';

export const DASK = 'dask';
const SCORES_FORMATS = ['auto', 'csv', 'parquet'] as const;
/** What the job imports; a Python without one of them cannot run it. */
const JOB_MODULES = ['numpy', 'pandas', 'dask', 'distributed'];

export const DASK_FLAGS: FlagSpec[] = [
  { name: 'input', short: 'i', kind: 'string', value: "'PATH/*.csv'", help: 'the files to score, a glob the cluster can read (CSV, or Parquet with pyarrow)' },
  { name: 'output', short: 'o', kind: 'string', value: 'DIR', help: 'the folder the job writes the scores and the profile into' },
  { name: 'scheduler', kind: 'string', value: 'ADDRESS', help: 'a Dask scheduler, e.g. tcp://10.0.0.5:8786 (default: the job starts a LocalCluster)' },
  {
    name: 'scores-format',
    kind: 'string',
    value: 'auto|csv|parquet',
    choices: SCORES_FORMATS,
    help: 'the scores files: Parquet when the Python has pyarrow (auto, the default), else CSV',
  },
  { name: 'script-dir', kind: 'string', value: 'DIR', help: 'where the script is written (default: beside the model)' },
  { name: 'run', kind: 'boolean', help: 'run the job now' },
  { name: 'python', kind: 'string', value: 'PATH', help: 'the Python that runs it (default: python3, else /usr/bin/python3, the first with dask)' },
  { name: 'help', short: 'h', kind: 'boolean', help: 'show this help' },
];

export const DASK_USAGE = `  segment dask <model.json> --input 'PATH/*.csv' --output DIR [--scheduler ADDRESS] [--run]
      Writes segment_dask_{method}_YYYYMMDD_HHMMSS.py beside the model: a self-contained Python
      script (dask, distributed, pandas, numpy) that scores every row on a Dask cluster and writes
      the scores (one file per partition) and a profile of all rows, as segment score --profile.
${flagHelp(DASK_FLAGS)}`;

export async function daskCommand(argv: string[], io: CliIo, signal?: AbortSignal): Promise<number> {
  const { positionals, flags } = parseFlags(argv, DASK_FLAGS);
  if (flags.help) {
    io.stdout.write(`Usage:\n${DASK_USAGE}\n`);
    return 0;
  }
  if (positionals.length !== 1) {
    throw new UsageError(positionals.length === 0 ? 'give the model file ({method}_model_*.json)' : `one model file at a time (got ${positionals.length})`);
  }
  if (typeof flags.input !== 'string' || flags.input === '') throw new UsageError("give the files to score with --input 'PATH/*.csv'");
  if (typeof flags.output !== 'string' || flags.output === '') throw new UsageError('give the folder the job writes into with --output DIR');
  // A local glob is made absolute, so the script runs from any folder; a URL (s3://, hdfs://, …) stays as it is.
  const input = /^[a-z][a-z0-9+.-]*:\/\//i.test(flags.input) ? flags.input : resolve(flags.input);
  const { scriptPath } = await writeDaskJob(resolve(positionals[0]), {
    input,
    outputDir: flags.output,
    scheduler: flags.scheduler as string | undefined,
    scoresFormat: (flags['scores-format'] as (typeof SCORES_FORMATS)[number] | undefined) ?? 'auto',
    scriptDir: flags['script-dir'] as string | undefined,
  });
  io.stdout.write(`${printable(scriptPath)}\n`);
  if (!flags.run) return 0;
  const python = findPython(flags.python as string | undefined);
  return runJob(python, scriptPath, io, signal);
}

/** The first Python that imports every module the job needs, or why none does. */
function findPython(given: string | undefined): string {
  const candidates = given ? [given] : ['python3', '/usr/bin/python3'];
  const problems: string[] = [];
  for (const python of candidates) {
    const probe = spawnSync(python, ['-c', `import ${JOB_MODULES.join(', ')}`], { encoding: 'utf8', timeout: 60_000 });
    if (probe.error) {
      problems.push(`${python}: ${(probe.error as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : probe.error.message}`);
      continue;
    }
    if (probe.status === 0) return python;
    const missing = /No module named '([^']+)'/.exec(probe.stderr)?.[1];
    problems.push(`${python}: ${missing ? `has no ${missing}` : probe.stderr.trim().split('\n').pop()}`);
  }
  throw new SegmentError(
    'SCALEOUT_FAILED',
    `No Python here can run the job (${problems.join('; ')}). It needs ${JOB_MODULES.join(', ')}: ` +
      'on Debian or Ubuntu apt-get install python3-dask python3-distributed python3-pandas python3-numpy, ' +
      'else pip install "dask[distributed]" pandas numpy; or name a Python with --python.',
  );
}

/** Runs the script, its output passed on as it comes; a cancel interrupts it (SIGINT: it cleans up). */
function runJob(python: string, scriptPath: string, io: CliIo, signal?: AbortSignal): Promise<number> {
  return new Promise((done, fail) => {
    const child = spawn(python, [scriptPath], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.setEncoding('utf8').on('data', (text: string) => io.stderr.write(text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => io.stderr.write(text));
    const cancel = () => child.kill('SIGINT');
    signal?.addEventListener('abort', cancel, { once: true });
    child.on('error', (error) => fail(new SegmentError('SCALEOUT_FAILED', `Could not start ${python}: ${error.message}`)));
    child.on('close', (code, killedBy) => {
      signal?.removeEventListener('abort', cancel);
      if (signal?.aborted) fail(new SegmentError('CANCELLED', 'Cancelled: the Dask job was interrupted and wrote nothing.'));
      else if (code === 0) done(0);
      else fail(new SegmentError('SCALEOUT_FAILED', `The Dask job ${scriptPath} failed (${killedBy ? `killed by ${killedBy}` : `exit status ${code}`}); its messages are above.`));
    });
  });
}
