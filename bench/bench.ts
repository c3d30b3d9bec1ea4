/**
 * `npm run bench`: speed and memory of the engine against scikit-learn,
 * measured in the same run on exactly the same standardised matrix, reported
 * as ratios ours/sklearn (below 1 = we are faster; the product goal is ≤ 0.5).
 *
 *   npx tsx bench/bench.ts [--quick] [--profile] [--no-python] [--reps N]
 *
 *   --quick      20k rows only (no 200k cases)
 *   --profile    also a V8 CPU profile of the 200k GMM fit (bench/output/profiles/)
 *   --no-python  ours only
 *   --reps N     repetitions of the cheap 20k cases (default 3; the 200k cases run once)
 *   --threads N  threads of our multi-threaded GMM fits and silhouette (default: the engine's default, the cores up to 4)
 *
 * Then the sweep (`segment sweep gmm --k 2..8` at 20k rows against a scikit-learn
 * loop, bench/sweep.ts), Fuzzy C-Means, Neural and the panel's view model.
 *
 * Every measured case runs in a fresh process (bench/case.ts for Node,
 * bench/sklearn_bench.py for Python), so peak memory is per case and the JIT
 * starts cold each time, as a real CLI run does. The median of the repetitions
 * is reported. Results also go to bench/output/results.json.
 */
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { selfTimes } from './cpuprofile';
import {
  OUTPUT_DIR,
  REPO_DIR,
  SEED,
  ensureCustomersCsv,
  matrixIsCurrent,
  readJson,
  sourceHash,
  writeJson,
  type MatrixMeta,
} from './data';
import type { MemoryReport } from './memory';
import { SINGLE_THREAD_ENV, runNodeCase, runProcess, runPythonCase } from './run';
import { defaultThreadCount } from '../src/engine/kernels/threads';

import { benchFcm } from './fcm';
import { formatNeuralBench, runNeuralBench } from './neural';
import { benchProfileView } from './profileView';
import { benchSweep, formatSweepBench } from './sweep';
import { benchSample, formatSampleBench } from './sample';
import { benchCsvRead, formatCsvRead } from './csvRead';
import { END_TO_END_ROWS, endToEndCase, formatEndToEnd, type EndToEndCase } from './endToEnd';
import { benchSql, formatSqlBench } from './sql';
import { benchDask } from './dask';
const SMALL = 20_000;
const LARGE = 200_000;
const PYTHON = process.env.BENCH_PYTHON ?? '/usr/bin/python3';

// ----------------------------------------------------------------------------- result shapes

interface GmmResult {
  seconds: number;
  iterations: number;
  converged: boolean;
  lowerBound: number;
  weights: number[];
  steadySecondsPerIteration: number;
  firstIterationSeconds: number;
  tailSeconds: number;
  n: number;
  d: number;
  memory: MemoryReport;
}

interface PhasesResult {
  seconds: number;
  iterations: number;
  converged: boolean;
  lowerBound: number;
  kmeansIterations: number;
  phases: Record<string, number>;
  eStepCalls: number;
  meansPassSecondsOnce: number;
  respShares: Record<string, number>;
  memory: MemoryReport;
}

interface SilhouetteResult {
  seconds: number;
  score: number | null;
  exact: boolean;
  memory: MemoryReport;
}

interface ReadResult {
  seconds: number;
  readSeconds: number;
  prepareSeconds: number;
  n: number;
  d: number;
  csvBytes: number;
  memory: MemoryReport;
}

interface PyMemory {
  rssBeforeBytes: number;
  peakRssBytes: number;
  peakRssSource: string;
}

interface PyThreads {
  available: boolean;
  pools?: { api: string; numThreads: number; version: string | null }[];
}

interface PyCommon {
  threads: PyThreads;
  env: Record<string, string>;
  versions: Record<string, string>;
}

interface PyGmm extends PyCommon {
  seconds: number;
  runs: number[];
  iterations: number;
  secondsPerIteration: number;
  initSeconds: number;
  converged: boolean;
  lowerBound: number;
  weights: number[];
  phases: Record<string, number>;
  eStepCalls: number;
  memory: PyMemory;
}

interface PySilhouette extends PyCommon {
  seconds: number;
  runs: number[];
  score: number;
  memory: PyMemory;
}

interface PyRead extends PyCommon {
  available: boolean;
  reason?: string;
  seconds?: number;
  runs?: number[];
  memory?: PyMemory;
}

interface Measured<T> {
  /** Median over the repetitions, by seconds. */
  median: T;
  runs: number[];
}

// ----------------------------------------------------------------------------- helpers

function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

function median(values: number[]): number {
  const v = [...values].sort((a, b) => a - b);
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

/** Repeats a Node case in fresh processes; keeps the run with the median time (and its memory). */
async function repeatNode<T extends { seconds: number; memory: MemoryReport }>(
  reps: number,
  args: string[],
  firstArgs: string[] = args,
): Promise<Measured<T>> {
  const results: T[] = [];
  for (let r = 0; r < reps; r++) {
    results.push(await runNodeCase<T>(r === 0 ? firstArgs : args, { timeoutMs: 10 * 60_000 }));
    log(`  ours ${args.slice(0, 2).join(' ')} run ${r + 1}/${reps}: ${results[r].seconds.toFixed(3)} s`);
  }
  const sorted = [...results].sort((a, b) => a.seconds - b.seconds);
  const mid = sorted[(sorted.length - 1) >> 1];
  const medianResult = { ...mid, seconds: median(results.map((r) => r.seconds)) };
  // Memory: the largest peak seen, so one lucky run does not hide a spike.
  const worst = results.reduce((a, b) => (b.memory.peakRssBytes > a.memory.peakRssBytes ? b : a));
  medianResult.memory = worst.memory;
  return { median: medianResult, runs: results.map((r) => r.seconds) };
}

const MB = 1024 * 1024;
const fmtS = (s: number | undefined): string => (s === undefined || !Number.isFinite(s) ? '—' : s < 0.1 ? s.toFixed(4) : s.toFixed(3));
const fmtRatio = (ours: number | undefined, theirs: number | undefined): string =>
  ours === undefined || theirs === undefined || !(theirs > 0) ? '—' : `${(ours / theirs).toFixed(2)}×`;
const fmtMb = (bytes: number | undefined): string => (bytes === undefined ? '—' : (bytes / MB).toFixed(0));
function fmtMem(m: { rssBeforeBytes: number; peakRssBytes: number } | undefined): string {
  if (!m) return '—';
  return `${fmtMb(m.peakRssBytes)} (+${fmtMb(Math.max(0, m.peakRssBytes - m.rssBeforeBytes))})`;
}

function table(headers: string[], rows: string[][], rightAlign: boolean[]): string {
  const widths = headers.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[]) =>
    cells.map((cell, c) => (rightAlign[c] ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join(' │ ');
  const rule = widths.map((w) => '─'.repeat(w)).join('─┼─');
  return [line(headers), rule, ...rows.map(line)].join('\n');
}

// ----------------------------------------------------------------------------- data

async function ensureCsv(rows: number): Promise<void> {
  await ensureCustomersCsv(rows, log);
}

async function ensureMatrix(rows: number): Promise<MatrixMeta> {
  if (!matrixIsCurrent(rows, SEED, sourceHash())) {
    log(`reading + preparing ${rows} rows → standardised matrix for both sides …`);
    await runNodeCase(['export', String(rows)], { timeoutMs: 10 * 60_000 });
  }
  const meta = readJson<MatrixMeta>(join(OUTPUT_DIR, `z-${rows}-s${SEED}.json`));
  if (!meta) throw new Error(`no matrix for ${rows} rows`);
  log(`matrix ${rows}: n=${meta.n} d=${meta.d} (${meta.nRowsDropped} rows with missing values dropped)`);
  return meta;
}

async function pythonAvailable(): Promise<string | null> {
  try {
    const out = await runProcess(PYTHON, ['-c', 'import sklearn, numpy, threadpoolctl; print(sklearn.__version__)'], {
      timeoutMs: 60_000,
    });
    if (out.code === 0) return out.stdout.trim();
    const bare = await runProcess(PYTHON, ['-c', 'import sklearn; print(sklearn.__version__)'], { timeoutMs: 60_000 });
    return bare.code === 0 ? bare.stdout.trim() : null;
  } catch {
    return null;
  }
}

// ----------------------------------------------------------------------------- main

async function main(): Promise<void> {
  const { values: flags } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      profile: { type: 'boolean', default: false },
      'no-python': { type: 'boolean', default: false },
      reps: { type: 'string', default: '3' },
      threads: { type: 'string' },
    },
  });
  const reps = Math.max(1, Number(flags.reps) || 3);
  // Ours on one thread, and on `threads` (the CLI's default on this machine); the results are identical.
  const threads = Math.max(2, Math.floor(Number(flags.threads)) || defaultThreadCount());
  const large = !flags.quick;
  const started = Date.now();
  mkdirSync(OUTPUT_DIR, { recursive: true });

  // 1. Data: CSVs, then the standardised matrices both sides fit.
  const sizes = large ? [SMALL, LARGE] : [SMALL];
  for (const rows of sizes) await ensureCsv(rows);
  const metas: Record<number, MatrixMeta> = {};
  for (const rows of sizes) metas[rows] = await ensureMatrix(rows);

  // 2. Ours, each case in a fresh process.
  log('ours: baseline process');
  const baseline = await runNodeCase<{ memory: MemoryReport }>(['baseline']);
  log(`ours: GMM fit ${SMALL} × ${reps}`);
  const gmmSmall = await repeatNode<GmmResult>(reps, ['gmm', String(SMALL), '--threads', '1'], ['gmm', String(SMALL), '--threads', '1', '--save-labels']);
  log(`ours: GMM fit ${SMALL} on ${threads} threads × ${reps}`);
  const gmmSmallThreads = await repeatNode<GmmResult>(reps, ['gmm', String(SMALL), '--threads', String(threads)]);
  log(`ours: exact silhouette ${SMALL} × ${reps}`);
  const silSmall = await repeatNode<SilhouetteResult>(reps, ['silhouette', String(SMALL), '--threads', '1']);
  log(`ours: exact silhouette ${SMALL} on ${threads} threads × ${reps}`);
  const silSmallThreads = await repeatNode<SilhouetteResult>(reps, ['silhouette', String(SMALL), '--threads', String(threads)]);
  if (!Object.is(silSmall.median.score, silSmallThreads.median.score)) {
    log(`warning: the silhouette on ${threads} threads differs from the one on 1 thread (${silSmallThreads.median.score} vs ${silSmall.median.score})`);
  }
  log(`ours: GMM phases ${SMALL}`);
  const phasesSmall = await runNodeCase<PhasesResult>(['gmm-phases', String(SMALL)]);
  let gmmLarge: Measured<GmmResult> | undefined;
  let gmmLargeThreads: Measured<GmmResult> | undefined;
  let readLarge: Measured<ReadResult> | undefined;
  let phasesLarge: PhasesResult | undefined;
  if (large) {
    log(`ours: read + prepare ${LARGE} × ${reps}`);
    readLarge = await repeatNode<ReadResult>(reps, ['read', String(LARGE)]);
    log(`ours: GMM fit ${LARGE} × 1`);
    gmmLarge = await repeatNode<GmmResult>(1, ['gmm', String(LARGE), '--threads', '1']);
    log(`ours: GMM fit ${LARGE} on ${threads} threads × 1`);
    gmmLargeThreads = await repeatNode<GmmResult>(1, ['gmm', String(LARGE), '--threads', String(threads)]);
    log(`ours: GMM phases ${LARGE}`);
    phasesLarge = await runNodeCase<PhasesResult>(['gmm-phases', String(LARGE)], { timeoutMs: 10 * 60_000 });
  }

  // 3. scikit-learn on the same matrices, default threads and one thread.
  const sklearnVersion = flags['no-python'] ? null : await pythonAvailable();
  type Side = { gmmSmall?: PyGmm; silSmall?: PySilhouette; gmmLarge?: PyGmm; readLarge?: PyRead };
  const sk: { default: Side; single: Side } = { default: {}, single: {} };
  if (sklearnVersion) {
    for (const [mode, env] of [
      ['default', process.env],
      ['single', { ...process.env, ...SINGLE_THREAD_ENV }],
    ] as const) {
      const side = sk[mode];
      const opts = { env, timeoutMs: 10 * 60_000 };
      log(`sklearn (${mode} threads): GMM fit ${SMALL} × ${reps}`);
      side.gmmSmall = await runPythonCase<PyGmm>(PYTHON, ['gmm', String(SMALL), '--reps', String(reps)], opts);
      log(`sklearn (${mode} threads): silhouette ${SMALL} × ${reps}`);
      side.silSmall = await runPythonCase<PySilhouette>(PYTHON, ['silhouette', String(SMALL), '--reps', String(reps)], opts);
      if (large) {
        log(`sklearn (${mode} threads): GMM fit ${LARGE} × 1`);
        side.gmmLarge = await runPythonCase<PyGmm>(PYTHON, ['gmm', String(LARGE), '--reps', '1'], opts);
        side.readLarge = await runPythonCase<PyRead>(PYTHON, ['read', String(LARGE), '--reps', String(reps)], opts);
      }
    }
  } else {
    log(flags['no-python'] ? 'sklearn: skipped (--no-python)' : `sklearn: not available (${PYTHON} cannot import sklearn)`);
  }

  // 4. Optional CPU profile of the 200k fit.
  let profile: ReturnType<typeof selfTimes> & { file: string } | undefined;
  const profileRows = large ? LARGE : SMALL;
  if (flags.profile) {
    const dir = join(OUTPUT_DIR, 'profiles');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    log(`ours: CPU profile of the GMM fit ${profileRows}`);
    await runNodeCase(['gmm', String(profileRows)], {
      nodeFlags: ['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-interval', '500'],
      timeoutMs: 10 * 60_000,
    });
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (file) profile = { file: relative(REPO_DIR, join(dir, file)), ...selfTimes(join(dir, file)) };
  }

  // 5. Report.
  const pools = (t: PyThreads | undefined) =>
    t?.available && t.pools ? t.pools.map((p) => `${p.api} ${p.numThreads}`).join(', ') : 'unknown';
  const defaultThreads = sk.default.gmmSmall ? pools(sk.default.gmmSmall.threads) : '';
  const singleThreads = sk.single.gmmSmall ? pools(sk.single.gmmSmall.threads) : '';
  const na = sklearnVersion ? '—' : 'n/a';

  interface Row {
    name: string;
    ours?: number;
    skDefault?: number;
    skSingle?: number;
    iters?: string;
    oursMem?: MemoryReport;
    skMem?: PyMemory;
    note?: string;
  }
  // A whole fit against sklearn's, on one thread or several.
  const fitRow = (name: string, ours: GmmResult, skD: PyGmm | undefined, skS: PyGmm | undefined): Row => ({
    name,
    ours: ours.seconds,
    skDefault: skD?.seconds,
    skSingle: skS?.seconds,
    iters: `${ours.iterations} / ${skS?.iterations ?? skD?.iterations ?? na}`,
    oursMem: ours.memory,
    skMem: skS?.memory,
  });
  // The init and per-iteration split of ours comes from the instrumented replica (same computation, own process).
  const initOf = (p: PhasesResult) => p.phases.kmeansPlusPlus + p.phases.kmeansLloyd + p.phases.initialMStep;
  const gmmRows = (
    label: string,
    ours: GmmResult,
    phases: PhasesResult,
    skD: PyGmm | undefined,
    skS: PyGmm | undefined,
  ): Row[] => [
    fitRow(`GMM fit ${label}`, ours, skD, skS),
    {
      name: `  per EM iteration`,
      ours: (ours.seconds - initOf(phases)) / ours.iterations,
      skDefault: skD?.secondsPerIteration,
      skSingle: skS?.secondsPerIteration,
    },
    {
      name: `  k-means init`,
      ours: initOf(phases),
      skDefault: skD?.initSeconds,
      skSingle: skS?.initSeconds,
    },
  ];
  // On several threads: the whole fit, and the steady EM iteration as seen through the progress events (2..last).
  const threadedRows = (label: string, ours: GmmResult, skD: PyGmm | undefined, skS: PyGmm | undefined): Row[] => [
    fitRow(`GMM fit ${label}, ${threads} threads`, ours, skD, skS),
    {
      name: `  per EM iteration (steady)`,
      ours: ours.steadySecondsPerIteration,
      skDefault: skD?.secondsPerIteration,
      skSingle: skS?.secondsPerIteration,
    },
  ];
  for (const [one, many] of [
    [gmmSmall.median, gmmSmallThreads.median],
    [gmmLarge?.median, gmmLargeThreads?.median],
  ] as const) {
    if (one && many && (one.iterations !== many.iterations || one.lowerBound !== many.lowerBound || one.weights.some((w, c) => w !== many.weights[c]))) {
      log(`warning: the fit on ${threads} threads differs from the one on 1 thread (lower bound ${many.lowerBound} vs ${one.lowerBound})`);
    }
  }
  for (const [g, p] of [
    [gmmSmall.median, phasesSmall],
    [gmmLarge?.median, phasesLarge],
  ] as const) {
    if (g && p && (g.iterations !== p.iterations || g.lowerBound !== p.lowerBound)) {
      log(`warning: the instrumented replica differs from fitGmm (${p.iterations} vs ${g.iterations} iterations)`);
    }
  }
  const rows: Row[] = [
    ...gmmRows(`${SMALL / 1000}k`, gmmSmall.median, phasesSmall, sk.default.gmmSmall, sk.single.gmmSmall),
    ...threadedRows(`${SMALL / 1000}k`, gmmSmallThreads.median, sk.default.gmmSmall, sk.single.gmmSmall),
    ...(gmmLarge && phasesLarge
      ? gmmRows(`${LARGE / 1000}k`, gmmLarge.median, phasesLarge, sk.default.gmmLarge, sk.single.gmmLarge)
      : []),
    ...(gmmLargeThreads ? threadedRows(`${LARGE / 1000}k`, gmmLargeThreads.median, sk.default.gmmLarge, sk.single.gmmLarge) : []),
    {
      name: `silhouette exact ${SMALL / 1000}k`,
      ours: silSmall.median.seconds,
      skDefault: sk.default.silSmall?.seconds,
      skSingle: sk.single.silSmall?.seconds,
      oursMem: silSmall.median.memory,
      skMem: sk.single.silSmall?.memory,
    },
    {
      name: `silhouette exact ${SMALL / 1000}k, ${threads} threads`,
      ours: silSmallThreads.median.seconds,
      skDefault: sk.default.silSmall?.seconds,
      skSingle: sk.single.silSmall?.seconds,
      oursMem: silSmallThreads.median.memory,
      skMem: sk.single.silSmall?.memory,
    },
  ];
  if (readLarge) {
    const skRead = sk.single.readLarge;
    rows.push({
      name: `read+prepare CSV ${LARGE / 1000}k`,
      ours: readLarge.median.seconds,
      skDefault: sk.default.readLarge?.available ? sk.default.readLarge.seconds : undefined,
      skSingle: skRead?.available ? skRead.seconds : undefined,
      oursMem: readLarge.median.memory,
      skMem: skRead?.available ? skRead.memory : undefined,
      note: sklearnVersion && skRead && !skRead.available ? 'no pandas: not compared' : undefined,
    });
  }

  const headers = [
    'case',
    'ours (s)',
    `sklearn (s) default${defaultThreads ? ` [${defaultThreads}]` : ''}`,
    `sklearn (s) 1 thread`,
    'ours/sk default',
    'ours/sk 1 thread',
    'iters ours/sk',
    'peak RSS MB ours (+Δ)',
    'peak RSS MB sk 1thr (+Δ)',
  ];
  const body = rows.map((r) => [
    r.name,
    fmtS(r.ours),
    r.note ?? (sklearnVersion ? fmtS(r.skDefault) : 'not available'),
    r.note ? '' : sklearnVersion ? fmtS(r.skSingle) : 'not available',
    fmtRatio(r.ours, r.skDefault),
    fmtRatio(r.ours, r.skSingle),
    r.iters ?? '',
    r.oursMem ? fmtMem(r.oursMem) : '',
    r.skMem ? fmtMem(r.skMem) : '',
  ]);

  const out: string[] = [];
  out.push('');
  out.push(
    `Segment bench — ${metas[SMALL].d} standardised features (customers seed ${SEED}), ` +
      `GMM full k=4 nInit=1 tol=1e-3 maxIter=100 seed 42; ${cpus().length} CPUs (${cpus()[0]?.model.trim()}), ` +
      `${(totalmem() / 1024 ** 3).toFixed(1)} GB, Node ${process.version}`,
  );
  out.push(
    sklearnVersion
      ? `sklearn ${sklearnVersion} (${PYTHON}); default threads: ${defaultThreads}; single: ${singleThreads} ` +
          `(OMP/OPENBLAS/MKL_NUM_THREADS=1). Ours: GMM fits on 1 thread and on ${threads} (engine threads; identical results).`
      : `sklearn: not available (${flags['no-python'] ? '--no-python' : `${PYTHON} cannot import sklearn`})`,
  );
  out.push(
    `Times: median of ${reps} fresh processes at ${SMALL / 1000}k, 1 at ${LARGE / 1000}k. Ratio = ours/sklearn (< 1: we are faster; goal ≤ 0.50×). ` +
      `Peak RSS = whole process peak during the case, +Δ = above the process before the case (inputs loaded). ` +
      `Node baseline process: ${fmtMb(baseline.memory.rssBeforeBytes)} MB.`,
  );
  out.push('');
  out.push(table(headers, body, [false, true, true, true, true, true, true, true, true]));
  out.push('');

  // Verdicts against the stated goal, on the single-thread comparison, and against sklearn's default threads.
  if (sklearnVersion) {
    const verdicts = rows
      .filter((r) => r.ours !== undefined && r.skSingle !== undefined && !r.name.startsWith('  '))
      .map((r) => {
        const ratio = r.ours! / r.skSingle!;
        return `  ${r.name}: ${ratio.toFixed(2)}× vs 1-thread sklearn → ${ratio <= 0.5 ? 'goal met' : 'goal NOT met'} ` +
          `(${(r.ours! / (r.skDefault ?? NaN)).toFixed(2)}× vs default threads)`;
      });
    out.push('Goal ratio ≤ 0.50× (ours faster by 2×):');
    out.push(...verdicts);
    const skRead = sk.single.readLarge;
    if (skRead && !skRead.available) out.push(`  read+prepare: not compared — ${skRead.reason}`);
    out.push('');
    const lbLine = (label: string, ours: GmmResult, theirs: PyGmm | undefined) =>
      theirs
        ? `  ${label}: lower bound ours ${ours.lowerBound.toFixed(6)} (${ours.iterations} it) vs sklearn ${theirs.lowerBound.toFixed(6)} (${theirs.iterations} it); ` +
          `weights ours [${[...ours.weights].sort((a, b) => b - a).map((w) => w.toFixed(3)).join(', ')}] vs sklearn [${theirs.weights.map((w) => w.toFixed(3)).join(', ')}]`
        : '';
    out.push('Same answer? (k-means init streams differ — our seeded PRNG is not numpy\'s — so iterations may differ):');
    out.push(lbLine(`${SMALL / 1000}k`, gmmSmall.median, sk.single.gmmSmall));
    if (gmmLarge) out.push(lbLine(`${LARGE / 1000}k`, gmmLarge.median, sk.single.gmmLarge));
    if (sk.single.silSmall) {
      out.push(
        `  silhouette (same labels): ours ${silSmall.median.score?.toFixed(10)} vs sklearn ${sk.single.silSmall.score.toFixed(10)}`,
      );
    }
    out.push('');
  }

  // Where the GMM time goes.
  const phaseLines = (label: string, p: PhasesResult, skP: PyGmm | undefined) => {
    const ph = p.phases;
    const total = p.seconds;
    const pct = (s: number) => `${s.toFixed(3)} s (${((100 * s) / total).toFixed(0)}%)`;
    const covPass = Math.max(0, ph.mStepEstimate - p.meansPassSecondsOnce * p.iterations);
    const lines = [
      `  ${label} ours (${p.iterations} EM iterations, ${p.kmeansIterations} Lloyd iterations, total ${total.toFixed(3)} s):`,
      `    k-means++ seeding ${pct(ph.kmeansPlusPlus)}, Lloyd ${pct(ph.kmeansLloyd)}, initial M-step ${pct(ph.initialMStep)}`,
      `    E-step ×${p.eStepCalls} ${pct(ph.eStep)} = ${(ph.eStep / p.eStepCalls).toFixed(4)} s each`,
      `    M-step ×${p.iterations} ${pct(ph.mStepEstimate + ph.mStepCholesky)} = ${((ph.mStepEstimate + ph.mStepCholesky) / p.iterations).toFixed(4)} s each ` +
        `(means pass ≈ ${(p.meansPassSecondsOnce).toFixed(4)} s, covariance pass ≈ ${(covPass / p.iterations).toFixed(4)} s, ` +
        `Cholesky+inverse ${(ph.mStepCholesky / p.iterations).toFixed(5)} s)`,
      `    final responsibilities: ${Object.entries(p.respShares)
        .map(([key, v]) => `${(100 * v).toFixed(1)}% ${key === 'zero' ? '= 0' : `< ${key.replace('below1e', '1e-')}`}`)
        .join(', ')}`,
    ];
    if (skP) {
      const s = skP.phases;
      const t = skP.seconds;
      const pc = (v: number) => `${v.toFixed(3)} s (${((100 * v) / t).toFixed(0)}%)`;
      lines.push(
        `  ${label} sklearn 1 thread (${skP.iterations} iterations, total ${t.toFixed(3)} s): k-means ${pc(s.kmeans)}, ` +
          `initial M-step ${pc(s.initialMStep)}, E-step ×${skP.eStepCalls} ${pc(s.eStep)} = ${(s.eStep / skP.eStepCalls).toFixed(4)} s each, ` +
          `M-step ×${skP.iterations} ${pc(s.mStep)} = ${(s.mStep / skP.iterations).toFixed(4)} s each`,
      );
      lines.push(
        `    per call ours/sklearn: E-step ${((ph.eStep / p.eStepCalls) / (s.eStep / skP.eStepCalls)).toFixed(2)}×, ` +
          `M-step ${(((ph.mStepEstimate + ph.mStepCholesky) / p.iterations) / (s.mStep / skP.iterations)).toFixed(2)}×, ` +
          `k-means init ${((ph.kmeansPlusPlus + ph.kmeansLloyd) / s.kmeans).toFixed(2)}× (Lloyd iterations ours ${p.kmeansIterations})`,
      );
    }
    return lines;
  };
  out.push('Where the GMM time goes (instrumented replica of fitGmm\'s loop on 1 thread, bench/case.ts gmm-phases):');
  out.push(...phaseLines(`${SMALL / 1000}k`, phasesSmall, sk.single.gmmSmall));
  if (phasesLarge) out.push(...phaseLines(`${LARGE / 1000}k`, phasesLarge, sk.single.gmmLarge));
  if (readLarge) {
    const r = readLarge.median;
    out.push(
      `Read ${LARGE / 1000}k (${(r.csvBytes / MB).toFixed(1)} MB CSV): readCsv ${r.readSeconds.toFixed(3)} s + prepareFeatures ${r.prepareSeconds.toFixed(3)} s ` +
        `(${(r.csvBytes / MB / r.seconds).toFixed(1)} MB/s)`,
    );
  }
  if (profile) {
    out.push('');
    out.push(`CPU profile of the ${profileRows / 1000}k fit (${profile.file}), self time:`);
    for (const f of profile.functions.slice(0, 10)) {
      out.push(`  ${(100 * f.share).toFixed(1).padStart(5)}%  ${f.seconds.toFixed(2).padStart(7)} s  ${f.fn}  ${f.where}`);
    }
  }
  out.push('');
  out.push(`Whole bench: ${((Date.now() - started) / 1000).toFixed(0)} s. JSON: ${relative(REPO_DIR, join(OUTPUT_DIR, 'results.json'))}`);
  console.log(out.join('\n'));

  // `segment sweep gmm --k 2..8` against a scikit-learn loop of the same fits and metrics (bench/sweep.ts).
  console.log('');
  const sweep = await benchSweep({
    rows: SMALL,
    threads,
    python: sklearnVersion ? PYTHON : null,
    log,
  });
  console.log(formatSweepBench(sweep));

  // Fuzzy C-Means against the numpy reference on the same matrices (bench/fcm.ts).
  console.log('');
  const fcm = flags['no-python'] ? [] : await benchFcm(sizes, log, threads);

  // The Neural method's training against PyTorch (bench/neural.ts), 20k rows, batch 32.
  console.log('');
  const neural = await runNeuralBench({ rows: SMALL, quick: true, python: flags['no-python'] ? null : PYTHON, rounds: large ? 3 : 1 }, log);
  console.log(formatNeuralBench(neural));

  // The cluster panel's view model on large profiles, against a JSON round trip (bench/profileView.ts).
  console.log('');
  const profileView = benchProfileView();

  // Sampling while reading (--sample) against reading every row, same file, same run (bench/sample.ts);
  // 2M rows and a sample of 200k here (10M and 1M: npx tsx bench/sample.ts).
  console.log('');
  const sample = await benchSample({ rows: large ? 2_000_000 : 200_000, sample: large ? 200_000 : 20_000, log });
  console.log(formatSampleBench(sample));
  // Reading only: the fast CSV reader against pandas.read_csv (and csv-parse), 200k and 1M rows (bench/csvRead.ts).
  console.log('');
  const csvRead = await benchCsvRead({ rows: large ? [LARGE, 1_000_000] : [SMALL], reps, csvParse: true, log });
  console.log(formatCsvRead(csvRead));
  // End to end: segment gmm (the CLI bundle) against pandas + scikit-learn at 200k and 1M rows (bench/endToEnd.ts); not with --quick.
  const endToEnd: EndToEndCase[] = [];
  if (large) {
    console.log('');
    for (const rows of END_TO_END_ROWS) endToEnd.push(await endToEndCase(rows, log, !flags['no-python']));
    console.log(formatEndToEnd(endToEnd));
  }
  // segment sql's DuckDB score query against segment score on 1M rows (bench/sql.ts); --quick: 200k.
  console.log('');
  const sql = await benchSql(large ? 1_000_000 : LARGE, log);
  console.log(formatSqlBench(sql));
  // The Dask job (segment dask --run, 4 partitions, 2 workers) against segment score --profile on the same 1M rows (bench/dask.ts).
  console.log('');
  const dask = large && !flags['no-python'] ? await benchDask(1_000_000, PYTHON) : null;

  writeJson(join(OUTPUT_DIR, 'results.json'), {
    generatedAt: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model, totalMemBytes: totalmem(), node: process.version },
    settings: { seed: SEED, rows: sizes, reps, threads, gmm: { covarianceType: 'full', nClusters: 4, nInit: 1, tol: 1e-3, maxIter: 100, seed: 42 } },
    matrices: metas,
    goalRatio: 0.5,
    table: rows.map((r) => ({
      case: r.name.trim(),
      oursSeconds: r.ours ?? null,
      sklearnDefaultSeconds: r.skDefault ?? null,
      sklearnSingleThreadSeconds: r.skSingle ?? null,
      ratioDefault: r.ours !== undefined && r.skDefault ? r.ours / r.skDefault : null,
      ratioSingleThread: r.ours !== undefined && r.skSingle ? r.ours / r.skSingle : null,
      iterations: r.iters ?? null,
      oursMemory: r.oursMem ?? null,
      sklearnSingleThreadMemory: r.skMem ?? null,
      note: r.note ?? null,
    })),
    ours: { baseline, threads, gmmSmall, gmmSmallThreads, silSmall, silSmallThreads, phasesSmall, gmmLarge, gmmLargeThreads, readLarge, phasesLarge },
    sklearn: sklearnVersion ? { version: sklearnVersion, python: PYTHON, defaultThreads: sk.default, singleThread: sk.single } : 'not available',
    profile: profile ?? null,
    sweep,
    fcm,
    neural,
    profileView,
    sample,
    csvRead,
    endToEnd,
    sql,
    dask,
  });
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exitCode = 1;
});
