/**
 * The Dask job against `segment score --profile` on the same rows:
 *
 *   npx tsx bench/dask.ts [--rows N] [--python PATH]
 *
 * Fits a GMM (full, k=4, seed 42) on 20,000 example customers, then scores
 * and profiles N rows (default 1,000,000) twice: `segment score MODEL big.csv
 * --profile` (one Node process) and `segment dask MODEL --run` on the same
 * rows split into 4 CSV files (a LocalCluster of 2 worker processes, one
 * thread each; the cluster's start is part of the time). Prints both wall
 * times, the ratio dask/score and the cost per row. The machine may be shared:
 * only the ratio within one run means something.
 */
import { createReadStream, createWriteStream, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { writeCustomersCsvFile } from '../examples/customers';
import { OUTPUT_DIR, REPO_DIR, SEED } from './data';
import { runProcess } from './run';

const PARTITIONS = 4;

export interface DaskBench {
  rows: number;
  partitions: number;
  workers: number;
  scoreSeconds: number;
  daskSeconds: number;
  ratio: number;
  scoreMicrosecondsPerRow: number;
  daskMicrosecondsPerRow: number;
}

/** The example customers at `rows`, generated once into bench/output. */
async function customers(rows: number): Promise<string> {
  const path = join(OUTPUT_DIR, `dask-customers-${rows}-s${SEED}.csv`);
  if (!existsSync(path)) await writeCustomersCsvFile(path, { rows, seed: SEED });
  return path;
}

/** The CSV split into `parts` files of whole lines (the generator writes no cell across lines). */
async function split(csv: string, rows: number, parts: number): Promise<string> {
  const dir = join(OUTPUT_DIR, `dask-parts-${rows}-${parts}`);
  if (existsSync(dir) && readdirSync(dir).length === parts) return dir;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const lines = createInterface({ input: createReadStream(csv, 'utf8'), crlfDelay: Infinity });
  let header: string | undefined;
  let index = 0;
  let part = -1;
  let out: ReturnType<typeof createWriteStream> | undefined;
  for await (const line of lines) {
    if (header === undefined) {
      header = line;
      continue;
    }
    const target = Math.min(parts - 1, Math.floor((index++ * parts) / rows));
    if (target !== part) {
      out?.end();
      if (out) await once(out, 'close');
      part = target;
      out = createWriteStream(join(dir, `part${part}.csv`));
      out.write(`${header}\n`);
    }
    if (!out!.write(`${line}\n`)) await once(out!, 'drain');
  }
  out?.end();
  if (out) await once(out, 'close');
  return dir;
}

async function cli(args: string[]): Promise<{ seconds: number; stdout: string }> {
  const start = performance.now();
  const run = await runProcess(process.execPath, [join(REPO_DIR, 'dist', 'cli.js'), ...args]);
  const seconds = (performance.now() - start) / 1000;
  if (run.code !== 0) throw new Error(`segment ${args[0]} failed (exit ${run.code}):\n${run.stderr.trim()}`);
  return { seconds, stdout: run.stdout };
}

export async function benchDask(rows: number, python: string, log: (line: string) => void = console.log): Promise<DaskBench> {
  mkdirSync(OUTPUT_DIR, { recursive: true });
  const work = join(OUTPUT_DIR, 'dask-run');
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const sample = await customers(20_000);
  const fitted = await cli(['gmm', sample, '--clusters', '4', '--covariance', 'full', '--out', join(work, 'fit'), '--quiet']);
  const model = fitted.stdout.split('\n').find((l) => /_model_\d{8}_\d{6}\.json$/.test(l))!;
  const big = await customers(rows);
  const parts = await split(big, rows, PARTITIONS);
  log(`dask bench: ${rows.toLocaleString('en-US')} rows, GMM full k=4 fitted on 20,000; ${PARTITIONS} partitions, LocalCluster of 2 workers × 1 thread`);
  const score = await cli(['score', model, big, '--profile', '--out', join(work, 'score'), '--quiet']);
  log(`  segment score --profile: ${score.seconds.toFixed(1)} s`);
  const dask = await cli(['dask', model, '--input', join(parts, '*.csv'), '--output', join(work, 'dask'), '--run', '--python', python, '--scores-format', 'csv']);
  log(`  segment dask --run:      ${dask.seconds.toFixed(1)} s`);
  const result: DaskBench = {
    rows,
    partitions: PARTITIONS,
    workers: 2,
    scoreSeconds: score.seconds,
    daskSeconds: dask.seconds,
    ratio: dask.seconds / score.seconds,
    scoreMicrosecondsPerRow: (score.seconds * 1e6) / rows,
    daskMicrosecondsPerRow: (dask.seconds * 1e6) / rows,
  };
  log(
    `  ratio dask/score ${result.ratio.toFixed(2)}; per row: score ${result.scoreMicrosecondsPerRow.toFixed(1)} µs, dask ${result.daskMicrosecondsPerRow.toFixed(1)} µs`,
  );
  return result;
}

if (process.argv[1] && /bench[\\/]dask\.ts$/.test(process.argv[1])) {
  const { values } = parseArgs({ options: { rows: { type: 'string' }, python: { type: 'string' } } });
  benchDask(Number(values.rows ?? 1_000_000), values.python ?? process.env.BENCH_PYTHON ?? '/usr/bin/python3').catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
