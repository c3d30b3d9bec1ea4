/**
 * Fuzzy C-Means speed: our fcm.ts against the numpy transcription of
 * scikit-fuzzy's cmeans (tools/golden/fcm_reference.py, run by bench/fcm_numpy.py
 * with the Debian /usr/bin/python3), on the same standardised matrix of the
 * seeded example customers and from the same initial memberships, in one run.
 *
 *   npx tsx bench/fcm.ts [--rows 20000,200000] [--threads N]
 *
 * Ours runs twice: on one thread, and on N threads (default: the engine's
 * default, the cores up to 4, at least 2; the results must be identical,
 * else it warns). The threaded total includes starting the threads.
 *
 * Standalone (bench/bench.ts is not involved). Files go to bench/output/fcm/
 * (git-ignored): the customers CSV per row count (made once, reused), and per
 * run the matrix z and the initial memberships as raw little-endian float64,
 * row-major, which Python reads with numpy.fromfile.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { writeCustomersCsvFile } from '../examples/customers';
import { loadDataset } from '../src/engine/data/dataset';
import { FcmWorkspace, fuzzyCMeans, randomMemberships, type FcmResult } from '../src/engine/kernels/fcm';
import { FCM_DEFAULTS } from '../src/engine/methods/fuzzySegmentation';
import { Random, deriveSeed } from '../src/engine/kernels/random';
import { defaultThreadCount } from '../src/engine/kernels/threads';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const OUT_DIR = join(BENCH_DIR, 'output', 'fcm');
const PYTHON = '/usr/bin/python3';
const DATA_SEED = 7;

export interface FcmBenchCase {
  rows: number;
  n: number;
  d: number;
  k: number;
  iterations: { ours: number; numpy: number };
  converged: { ours: boolean; numpy: boolean };
  /** Wall time of each iteration, ms (ours includes the first center sums in iteration 1). */
  iterationMs: { ours: number[]; numpy: number[] };
  meanIterationMs: { ours: number; numpy: number };
  medianIterationMs: { ours: number; numpy: number };
  totalMs: { ours: number; numpy: number };
  /** ours / numpy: mean per-iteration time, median per-iteration time, and total. */
  ratio: { meanIteration: number; medianIteration: number; total: number };
  /** max |u_ours − u_numpy| over the final memberships, and the objectives' relative difference. */
  agreement: { maxMembershipDifference: number; objectiveRelativeDifference: number };
  numpyThreads: string;
  /** Ours on `threads` threads: per-iteration and total times, ratios to numpy, and whether the result is identical to one thread's. */
  threaded: {
    threads: number;
    meanIterationMs: number;
    medianIterationMs: number;
    totalMs: number;
    ratio: { meanIteration: number; medianIteration: number; total: number };
    identical: boolean;
  };
}

interface NumpyReport {
  iteration_ms: number[];
  total_ms: number;
  n_iter: number;
  converged: boolean;
  objective: number;
  numpy: string;
  threads: string;
}

function writeF64(path: string, values: Float64Array): void {
  writeFileSync(path, new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
}

function readF64(path: string, length: number): Float64Array {
  const bytes = readFileSync(path);
  if (bytes.byteLength !== length * 8) throw new Error(`${path}: expected ${length * 8} bytes, got ${bytes.byteLength}`);
  const out = new Float64Array(length);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function meanOf(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

async function customersCsv(rows: number): Promise<string> {
  const path = join(OUT_DIR, `customers-${rows}-s${DATA_SEED}.csv`);
  const done = `${path}.done`;
  if (!existsSync(done)) {
    await writeCustomersCsvFile(path, { rows, seed: DATA_SEED }, { force: true });
    writeFileSync(done, `${rows} rows, seed ${DATA_SEED}\n`);
  }
  return path;
}

/** Our FCM on `threads` threads; the total includes starting the threads (iteration 1 too). */
function runOurs(
  z: Float64Array,
  n: number,
  d: number,
  k: number,
  u0: Float64Array,
  threads: number,
): { result: FcmResult; iterationMs: number[]; totalMs: number } {
  const iterationMs: number[] = [];
  const start = performance.now();
  let last = start;
  const workspace = new FcmWorkspace(z, n, d, k, { threads });
  try {
    const run = fuzzyCMeans(
      z,
      n,
      d,
      k,
      u0,
      {
        fuzziness: FCM_DEFAULTS.fuzziness,
        maxIterations: FCM_DEFAULTS.maxIterations,
        convergenceThreshold: FCM_DEFAULTS.convergenceThreshold,
      },
      workspace,
    );
    let step = run.next();
    while (!step.done) {
      const now = performance.now();
      iterationMs.push(now - last);
      last = now;
      step = run.next();
    }
    return { result: step.value, iterationMs, totalMs: performance.now() - start };
  } finally {
    workspace.close();
  }
}

export async function benchFcm(
  rowCounts: number[] = [20000, 200000],
  log: (line: string) => void = console.log,
  threads: number = Math.max(2, defaultThreadCount()),
): Promise<FcmBenchCase[]> {
  mkdirSync(OUT_DIR, { recursive: true });
  const k = FCM_DEFAULTS.nClusters;
  const cases: FcmBenchCase[] = [];
  for (const rows of rowCounts) {
    const data = await loadDataset(await customersCsv(rows));
    const { n, d, z } = data;
    // The first restart's initial memberships, exactly as fitFcm draws them for seed 42.
    const u0 = randomMemberships(n, k, new Random(deriveSeed(FCM_DEFAULTS.randomSeed, 0)));
    const zPath = join(OUT_DIR, `z-${rows}.f64`);
    const u0Path = join(OUT_DIR, `u0-${rows}.f64`);
    const uPath = join(OUT_DIR, `u-numpy-${rows}.f64`);
    writeF64(zPath, z);
    writeF64(u0Path, u0);

    const ours = runOurs(z, n, d, k, u0, 1);
    const many = runOurs(z, n, d, k, u0, threads);
    const identical =
      many.result.nIterations === ours.result.nIterations &&
      Object.is(many.result.objective, ours.result.objective) &&
      many.result.memberships.every((v, t) => Object.is(v, ours.result.memberships[t]));
    if (!identical) log(`warning: FCM on ${threads} threads differs from the one on 1 thread (objective ${many.result.objective} vs ${ours.result.objective})`);

    // skfuzzy's maxiter = N makes at most N − 1 updates: pass ours + 1 for the same cap.
    const python = spawnSync(
      PYTHON,
      [
        join(BENCH_DIR, 'fcm_numpy.py'),
        zPath,
        u0Path,
        uPath,
        String(n),
        String(d),
        String(k),
        String(FCM_DEFAULTS.fuzziness),
        String(FCM_DEFAULTS.convergenceThreshold),
        String(FCM_DEFAULTS.maxIterations + 1),
      ],
      { encoding: 'utf8', maxBuffer: 1 << 26 },
    );
    if (python.status !== 0) throw new Error(`numpy side failed: ${python.stderr || python.error}`);
    const numpy = JSON.parse(python.stdout) as NumpyReport;
    const uNumpy = readF64(uPath, n * k);
    let maxDiff = 0;
    for (let t = 0; t < n * k; t++) maxDiff = Math.max(maxDiff, Math.abs(uNumpy[t] - ours.result.memberships[t]));

    const c: FcmBenchCase = {
      rows,
      n,
      d,
      k,
      iterations: { ours: ours.result.nIterations, numpy: numpy.n_iter },
      converged: { ours: ours.result.converged, numpy: numpy.converged },
      iterationMs: { ours: ours.iterationMs, numpy: numpy.iteration_ms },
      meanIterationMs: { ours: meanOf(ours.iterationMs), numpy: meanOf(numpy.iteration_ms) },
      medianIterationMs: { ours: median(ours.iterationMs), numpy: median(numpy.iteration_ms) },
      totalMs: { ours: ours.totalMs, numpy: numpy.total_ms },
      ratio: {
        meanIteration: meanOf(ours.iterationMs) / meanOf(numpy.iteration_ms),
        medianIteration: median(ours.iterationMs) / median(numpy.iteration_ms),
        total: ours.totalMs / numpy.total_ms,
      },
      agreement: {
        maxMembershipDifference: maxDiff,
        objectiveRelativeDifference: Math.abs(ours.result.objective - numpy.objective) / Math.abs(numpy.objective),
      },
      numpyThreads: numpy.threads,
      threaded: {
        threads,
        meanIterationMs: meanOf(many.iterationMs),
        medianIterationMs: median(many.iterationMs),
        totalMs: many.totalMs,
        ratio: {
          meanIteration: meanOf(many.iterationMs) / meanOf(numpy.iteration_ms),
          medianIteration: median(many.iterationMs) / median(numpy.iteration_ms),
          total: many.totalMs / numpy.total_ms,
        },
        identical,
      },
    };
    cases.push(c);
    const f = (v: number) => v.toFixed(1);
    log(
      `FCM ${rows} rows (n=${n}, d=${d}, k=${k}, m=${FCM_DEFAULTS.fuzziness}): ` +
        `${c.iterations.ours} iterations ours / ${c.iterations.numpy} numpy (converged ${c.converged.ours}/${c.converged.numpy})`,
    );
    log(
      `  per iteration  ours ${f(c.meanIterationMs.ours)} ms mean, ${f(c.medianIterationMs.ours)} median | ` +
        `numpy ${f(c.meanIterationMs.numpy)} ms mean, ${f(c.medianIterationMs.numpy)} median | ` +
        `ours/numpy ${c.ratio.meanIteration.toFixed(2)} (mean) ${c.ratio.medianIteration.toFixed(2)} (median)`,
    );
    log(`  total          ours ${f(c.totalMs.ours)} ms | numpy ${f(c.totalMs.numpy)} ms | ours/numpy ${c.ratio.total.toFixed(2)}`);
    const t = c.threaded;
    log(
      `  ${t.threads} threads      per iteration ours ${f(t.meanIterationMs)} ms mean, ${f(t.medianIterationMs)} median, ` +
        `ours/numpy ${t.ratio.meanIteration.toFixed(2)} (mean) ${t.ratio.medianIteration.toFixed(2)} (median); ` +
        `total ${f(t.totalMs)} ms, ours/numpy ${t.ratio.total.toFixed(2)}; ${t.identical ? 'identical to 1 thread' : 'DIFFERS from 1 thread'}`,
    );
    log(
      `  agreement      max |Δu| ${c.agreement.maxMembershipDifference.toExponential(2)}, ` +
        `objective rel. diff ${c.agreement.objectiveRelativeDifference.toExponential(2)} (numpy ${numpy.numpy}, ${numpy.threads} BLAS thread(s))`,
    );
  }
  writeFileSync(join(OUT_DIR, 'results.json'), `${JSON.stringify(cases, null, 2)}\n`);
  return cases;
}

function parseThreads(argv: string[]): number | undefined {
  const at = argv.indexOf('--threads');
  if (at < 0) return undefined;
  const threads = Number(argv[at + 1]);
  if (!Number.isInteger(threads) || threads < 1) throw new Error('--threads expects a whole number of at least 1');
  return threads;
}

function parseRows(argv: string[]): number[] | undefined {
  const at = argv.indexOf('--rows');
  if (at < 0) return undefined;
  const rows = (argv[at + 1] ?? '').split(',').map(Number);
  if (rows.length === 0 || !rows.every((r) => Number.isInteger(r) && r > 0)) throw new Error('--rows expects e.g. 20000,200000');
  return rows;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  benchFcm(parseRows(process.argv.slice(2)), console.log, parseThreads(process.argv.slice(2))).catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
