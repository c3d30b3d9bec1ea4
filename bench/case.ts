/**
 * One measured case, run by bench/bench.ts in a fresh Node process
 * (`node --expose-gc --import tsx bench/case.ts <case> <rows> [flags]`), so
 * each case has its own memory numbers and starts with a cold JIT, as a real
 * CLI run does. Prints one line `BENCH_RESULT {json}` on stdout.
 *
 *   export <rows>       read + prepare the CSV, write the standardised matrix for Python (not a measurement)
 *   read <rows>         time readCsv + prepareFeatures
 *   gmm <rows> [--threads N]  time fitGmm (full, k=4, nInit 1, seed 42) on the exported matrix, on N threads (default 1)
 *   gmm-phases <rows>   the same EM on one thread, step by step, timing k-means++ / Lloyd / E-step / M-step
 *   silhouette <rows> [--threads N]  time the exact silhouette of our GMM labels, on N threads (default 1)
 *   sweep <rows> [--threads N]  time `segment sweep gmm` (full, k 2..8, three seeds, the profile's metrics) on N threads (default 1)
 *   baseline            the process with the engine loaded and nothing else
 */
import { statSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { fitGmm, GMM_DEFAULTS, type GmmOptions } from '../src/engine/methods/gmmSegmentation';
import {
  estimateParameters,
  expectationStep,
  modelFromParameters,
  type GmmParameters,
} from '../src/engine/kernels/gmm';
import { kmeansPlusPlus, lloyd } from '../src/engine/kernels/kmeans';
import { silhouetteScore } from '../src/engine/kernels/metrics';
import { Random, deriveSeed } from '../src/engine/kernels/random';
import type { PreparedData } from '../src/engine/data/prepare';
import { isSuccess, runSweep } from '../src/engine/sweep/sweep';
import {
  SEED,
  csvPath,
  loadLabels,
  loadMatrix,
  saveLabels,
  saveMatrix,
  sourceHash,
  type MatrixMeta,
} from './data';
import { MemoryProbe } from './memory';

export const GMM_OPTIONS: GmmOptions = {
  ...GMM_DEFAULTS,
  nClusters: 4,
  covarianceType: 'full',
  tol: 1e-3,
  maxIter: 100,
  nInit: 1,
  randomSeed: 42,
};

/** The k range of the sweep case, both ends included. */
export const SWEEP_K: [number, number] = [2, 8];

/**
 * fitGmm only reads n, d, z and nRowsDropped; the rest is filler of the right shape. The
 * columns in original units (z's own columns, as mean 0 and scale 1 say) only for a case that
 * builds profiles: they would add n×d to a fit's measured memory, and fitGmm reads none.
 */
function preparedFromMatrix(z: Float64Array, meta: MatrixMeta, withOriginals = false): PreparedData {
  const column = (j: number) => Float64Array.from({ length: meta.n }, (_, i) => z[i * meta.d + j]);
  return {
    fileName: 'bench.csv',
    features: meta.features,
    n: meta.n,
    d: meta.d,
    originals: withOriginals ? meta.features.map((_, j) => ({ values: column(j), fill: NaN })) : [],
    z,
    mean: new Float64Array(meta.d),
    scale: new Float64Array(meta.d).fill(1),
    rowNumbers: Int32Array.from({ length: meta.n }, (_, i) => i + 1),
    idColumn: null,
    ids: null,
    excluded: [],
    nRowsRead: meta.nRowsRead,
    nRowsDropped: meta.nRowsDropped,
    nValuesImputed: 0,
    missing: 'drop',
  };
}

async function loadReader() {
  const csv = await import('../src/engine/data/csv');
  const prepare = await import('../src/engine/data/prepare');
  return { readCsv: csv.readCsv, prepareFeatures: prepare.prepareFeatures };
}

async function caseExport(rows: number) {
  const { readCsv, prepareFeatures } = await loadReader();
  const path = csvPath(rows);
  const data = prepareFeatures(await readCsv(path), {});
  const st = statSync(path);
  const meta: MatrixMeta = {
    n: data.n,
    d: data.d,
    features: [...data.features],
    nRowsRead: data.nRowsRead,
    nRowsDropped: data.nRowsDropped,
    csvBytes: st.size,
    csvMtimeMs: st.mtimeMs,
    sourceHash: sourceHash(),
    dtype: '<f8',
    order: 'C',
  };
  saveMatrix(rows, SEED, data.z, meta);
  return { n: data.n, d: data.d, nRowsDropped: data.nRowsDropped, features: meta.features };
}

async function caseRead(rows: number) {
  const { readCsv, prepareFeatures } = await loadReader();
  const path = csvPath(rows);
  const probe = new MemoryProbe();
  const sampler = setInterval(() => probe.sample(), 10);
  const t0 = performance.now();
  const table = await readCsv(path);
  const t1 = performance.now();
  probe.sample();
  const data = prepareFeatures(table, {});
  const t2 = performance.now();
  clearInterval(sampler);
  return {
    seconds: (t2 - t0) / 1000,
    readSeconds: (t1 - t0) / 1000,
    prepareSeconds: (t2 - t1) / 1000,
    n: data.n,
    d: data.d,
    csvBytes: statSync(path).size,
    memory: probe.report(),
  };
}

function caseGmm(rows: number, saveLabelsToo: boolean, threads: number) {
  const { z, meta } = loadMatrix(rows);
  const data = preparedFromMatrix(z, meta);
  const probe = new MemoryProbe();
  const events: number[] = [];
  const t0 = performance.now();
  const fit = fitGmm(data, { ...GMM_OPTIONS, threads }, {
    onProgress: () => {
      events.push(performance.now());
      probe.sample();
    },
  });
  const t1 = performance.now();
  const memory = probe.report();
  if (saveLabelsToo) saveLabels(rows, SEED, fit.labels);
  // Iteration i's event comes right after its E+M step; the first also includes the k-means init.
  const iterationSeconds = events.map((t, i) => (t - (i === 0 ? t0 : events[i - 1])) / 1000);
  const steady = iterationSeconds.slice(1);
  const perIteration = steady.length > 0 ? steady.reduce((a, b) => a + b, 0) / steady.length : iterationSeconds[0];
  const last = events.length > 0 ? events[events.length - 1] : t0;
  return {
    seconds: (t1 - t0) / 1000,
    iterations: fit.em.nIterations,
    converged: fit.em.converged,
    lowerBound: fit.em.lowerBound,
    regCovarUsed: fit.regCovarUsed,
    weights: Array.from(fit.model.weights),
    /** Mean of iterations 2..last (pure E+M, as seen through the progress events). */
    steadySecondsPerIteration: perIteration,
    /** Start to the first progress event: k-means init, initial M-step and the first E+M. */
    firstIterationSeconds: iterationSeconds[0],
    /** After the last iteration: the final E-step and the renumbering. */
    tailSeconds: (t1 - last) / 1000,
    n: meta.n,
    d: meta.d,
    memory,
  };
}

function elapsed(t: number): number {
  return (performance.now() - t) / 1000;
}

/** The EM of fitGmm step by step (same seed derivation, same calls), each step timed. */
function caseGmmPhases(rows: number) {
  const { z, meta } = loadMatrix(rows);
  const { n, d } = meta;
  const { nClusters: k, covarianceType: type, regCovar, tol, maxIter, randomSeed } = GMM_OPTIONS;
  const probe = new MemoryProbe();
  const tStart = performance.now();
  const rng = new Random(deriveSeed(randomSeed, 0));

  let t = performance.now();
  const centers = kmeansPlusPlus(z, n, d, k, rng);
  const seeding = elapsed(t);

  t = performance.now();
  const run = lloyd(z, n, d, k, centers);
  let step = run.next();
  while (!step.done) step = run.next();
  const km = step.value;
  const lloydSeconds = elapsed(t);

  t = performance.now();
  const oneHot = new Float64Array(n * k);
  for (let i = 0; i < n; i++) oneHot[i * k + km.labels[i]] = 1;
  const init: GmmParameters = estimateParameters(z, n, d, oneHot, k, type, regCovar);
  for (let c = 0; c < k; c++) init.weights[c] /= n;
  let model = modelFromParameters(type, k, d, init);
  const initMStep = elapsed(t);

  const resp = new Float64Array(n * k);
  let eSeconds = 0;
  let mEstimateSeconds = 0;
  let mCholeskySeconds = 0;
  let lowerBound = -Infinity;
  let iterations = 0;
  let converged = false;
  while (iterations < maxIter) {
    iterations++;
    const previous = lowerBound;
    t = performance.now();
    lowerBound = expectationStep(z, n, model, resp);
    eSeconds += elapsed(t);
    t = performance.now();
    const params = estimateParameters(z, n, d, resp, k, type, regCovar);
    mEstimateSeconds += elapsed(t);
    t = performance.now();
    let sum = 0;
    for (let c = 0; c < k; c++) sum += params.weights[c];
    for (let c = 0; c < k; c++) params.weights[c] /= sum;
    model = modelFromParameters(type, k, d, params);
    mCholeskySeconds += elapsed(t);
    probe.sample();
    if (Math.abs(lowerBound - previous) < tol) {
      converged = true;
      break;
    }
  }
  t = performance.now();
  expectationStep(z, n, model, resp);
  const finalE = elapsed(t);
  const total = elapsed(tStart);

  // The means pass alone (what estimateParameters does before the covariances), once, to split the M-step.
  t = performance.now();
  const nk = new Float64Array(k);
  const means = new Float64Array(k * d);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) {
      const r = resp[i * k + c];
      if (r === 0) continue;
      nk[c] += r;
      for (let j = 0; j < d; j++) means[c * d + j] += r * z[i * d + j];
    }
  }
  const meansPass = elapsed(t);

  // How many responsibilities are negligible (what a skip threshold in the M-step could save).
  const small = { zero: 0, below1e16: 0, below1e8: 0, below1e4: 0 };
  for (let i = 0; i < n * k; i++) {
    const r = resp[i];
    if (r === 0) small.zero++;
    if (r < 1e-16) small.below1e16++;
    if (r < 1e-8) small.below1e8++;
    if (r < 1e-4) small.below1e4++;
  }
  const respShares = {
    zero: small.zero / (n * k),
    below1e16: small.below1e16 / (n * k),
    below1e8: small.below1e8 / (n * k),
    below1e4: small.below1e4 / (n * k),
  };

  return {
    seconds: total,
    iterations,
    converged,
    lowerBound,
    kmeansIterations: km.nIterations,
    phases: {
      kmeansPlusPlus: seeding,
      kmeansLloyd: lloydSeconds,
      initialMStep: initMStep,
      eStep: eSeconds + finalE,
      mStepEstimate: mEstimateSeconds,
      mStepCholesky: mCholeskySeconds,
    },
    eStepCalls: iterations + 1,
    /** One means accumulation, timed separately: the rest of mStepEstimate is the covariance pass. */
    meansPassSecondsOnce: meansPass,
    /** Share of the final n×k responsibilities that are 0 / below 1e-16 / 1e-8 / 1e-4. */
    respShares,
    n,
    d,
    memory: probe.report(),
  };
}

function caseSilhouette(rows: number, threads: number) {
  const { z, meta } = loadMatrix(rows);
  const labels = loadLabels(rows, meta.n);
  const probe = new MemoryProbe();
  const t0 = performance.now();
  const result = silhouetteScore(z, meta.n, meta.d, labels, { sampleSize: meta.n, seed: 42, threads });
  const t1 = performance.now();
  return { seconds: (t1 - t0) / 1000, score: result.score, exact: result.sampleSize === null, n: meta.n, memory: probe.report() };
}

/** The sweep of `segment sweep gmm --k 2..8` on the exported matrix: every fit, metric and stability, timed. */
async function caseSweep(rows: number, threads: number) {
  const { z, meta } = loadMatrix(rows);
  const data = preparedFromMatrix(z, meta, true);
  const probe = new MemoryProbe();
  const t0 = performance.now();
  const sweep = await runSweep(data, { method: 'gmm', kRange: SWEEP_K, options: { ...GMM_OPTIONS, threads } }, { onProgress: () => probe.sample() });
  const seconds = (performance.now() - t0) / 1000;
  return {
    seconds,
    seeds: sweep.seeds,
    recommendation: sweep.recommendation,
    fits: sweep.fits.map((f) =>
      isSuccess(f)
        ? { k: f.k, bic: f.metrics.bic, silhouette: f.metrics.silhouette_score, daviesBouldin: f.metrics.davies_bouldin_index, stability: f.stabilityAri, iterations: f.nIterations }
        : { k: f.k, error: f.error.message },
    ),
    n: meta.n,
    d: meta.d,
    memory: probe.report(),
  };
}

function caseBaseline() {
  const probe = new MemoryProbe();
  return { seconds: 0, memory: probe.report() };
}

/** `--name N` among the flags, else the default. */
function flagValue(flags: string[], name: string, fallback: number): number {
  const at = flags.indexOf(name);
  const value = at >= 0 ? Number(flags[at + 1]) : NaN;
  return Number.isFinite(value) ? value : fallback;
}

async function main(): Promise<void> {
  const [name, rowsText, ...flags] = process.argv.slice(2);
  const rows = Number(rowsText ?? 0);
  let result: unknown;
  switch (name) {
    case 'export':
      result = await caseExport(rows);
      break;
    case 'read':
      result = await caseRead(rows);
      break;
    case 'gmm':
      result = caseGmm(rows, flags.includes('--save-labels'), flagValue(flags, '--threads', 1));
      break;
    case 'gmm-phases':
      result = caseGmmPhases(rows);
      break;
    case 'silhouette':
      result = caseSilhouette(rows, flagValue(flags, '--threads', 1));
      break;
    case 'sweep':
      result = await caseSweep(rows, flagValue(flags, '--threads', 1));
      break;
    case 'baseline':
      result = caseBaseline();
      break;
    default:
      throw new Error(`unknown case ${name}`);
  }
  process.stdout.write(`BENCH_RESULT ${JSON.stringify(result)}\n`);
}

const invoked = process.argv[1] !== undefined && /case\.ts$/.test(process.argv[1]);
if (invoked) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exitCode = 1;
  });
}
