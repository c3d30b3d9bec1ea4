/**
 * The sweep case of `npm run bench`: `segment sweep gmm --k 2..8` (full
 * covariance, n_init 1, three seeds per k, the profile's metrics with the
 * exact silhouette, the stability) on the 20k standardised matrix, against a
 * scikit-learn loop doing the same fits and metrics (bench/sklearn_bench.py
 * sweep: GaussianMixture per k and seed, silhouette_score,
 * davies_bouldin_score, calinski_harabasz_score, bic, aic, adjusted_rand_score),
 * in the same run, each side in a fresh process.
 *
 * Ours runs on one thread and on `threads` (the fits one after another, each
 * on the engine threads of its passes over the rows and of its silhouette:
 * the results must be identical, else it warns); scikit-learn with its
 * default threads and with one BLAS/OpenMP thread.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { MemoryReport } from './memory';
import { defaultThreadCount } from '../src/engine/kernels/threads';
import { SINGLE_THREAD_ENV, runNodeCase, runPythonCase } from './run';
import { stabilitySeeds } from '../src/engine/sweep/sweep';
import { GMM_OPTIONS, SWEEP_K } from './case';

interface OursSweep {
  seconds: number;
  seeds: number[];
  recommendation: { k: number; criterion: string; reason: string };
  fits: { k: number; bic?: number; silhouette?: number; stability?: number; iterations?: number; error?: string }[];
  n: number;
  d: number;
  memory: MemoryReport;
}

interface SklearnSweep {
  seconds: number;
  fitSeconds: number;
  metricSeconds: number;
  fits: { k: number; bic: number; silhouette: number; stability: number; iterations: number }[];
}

export interface SweepBench {
  rows: number;
  threads: number;
  ours: { oneThread: OursSweep; threaded: OursSweep; identical: boolean };
  sklearn?: { defaultThreads: SklearnSweep; oneThread: SklearnSweep };
}

export interface SweepBenchOptions {
  rows: number;
  threads: number;
  /** The Debian interpreter with scikit-learn, or null for ours only. */
  python: string | null;
  log: (line: string) => void;
}

export async function benchSweep(options: SweepBenchOptions): Promise<SweepBench> {
  const { rows, threads, python, log } = options;
  const timeoutMs = 20 * 60_000;
  log(`ours: sweep GMM full k ${SWEEP_K.join('..')} ${rows} on 1 thread`);
  const oneThread = await runNodeCase<OursSweep>(['sweep', String(rows), '--threads', '1'], { timeoutMs });
  log(`ours: sweep on ${threads} threads`);
  const threaded = await runNodeCase<OursSweep>(['sweep', String(rows), '--threads', String(threads)], { timeoutMs });
  const identical = JSON.stringify(threaded.fits) === JSON.stringify(oneThread.fits);
  if (!identical) log(`warning: the sweep on ${threads} threads differs from the one on 1 thread`);
  const result: SweepBench = { rows, threads, ours: { oneThread, threaded, identical } };
  if (python) {
    const args = ['sweep', String(rows), '--seeds', stabilitySeeds(GMM_OPTIONS.randomSeed).join(','), '--k', SWEEP_K.join('..')];
    log('sklearn (default threads): sweep');
    const defaultThreads = await runPythonCase<SklearnSweep>(python, args, { timeoutMs });
    log('sklearn (1 thread): sweep');
    const single = await runPythonCase<SklearnSweep>(python, args, { env: { ...process.env, ...SINGLE_THREAD_ENV }, timeoutMs });
    result.sklearn = { defaultThreads, oneThread: single };
  }
  return result;
}

const lowestBic = (fits: { k: number; bic?: number }[]) => fits.reduce((a, b) => ((b.bic ?? Infinity) < (a.bic ?? Infinity) ? b : a)).k;

export function formatSweepBench(b: SweepBench): string {
  const { oneThread, threaded } = b.ours;
  const lines = [
    `Sweep: segment sweep gmm --k ${SWEEP_K.join('..')} (full, n_init 1, 3 seeds per k, the profile's metrics, exact silhouette), ${oneThread.n} × ${oneThread.d}:`,
    `  ours 1 thread ${oneThread.seconds.toFixed(2)} s, ${b.threads} threads ${threaded.seconds.toFixed(2)} s (${b.ours.identical ? 'identical results' : 'RESULTS DIFFER'}); ` +
      `recommended k = ${oneThread.recommendation.k} (${oneThread.recommendation.criterion}); lowest BIC at k = ${lowestBic(oneThread.fits)}`,
  ];
  const sk = b.sklearn;
  if (sk) {
    const ratio = (ours: number, theirs: number) => `${(ours / theirs).toFixed(2)}×`;
    lines.push(
      `  sklearn default threads ${sk.defaultThreads.seconds.toFixed(2)} s, 1 thread ${sk.oneThread.seconds.toFixed(2)} s ` +
        `(fits ${sk.oneThread.fitSeconds.toFixed(2)} s, metrics ${sk.oneThread.metricSeconds.toFixed(2)} s); lowest BIC at k = ${lowestBic(sk.oneThread.fits)}`,
      `  ratio ours/sklearn: ${ratio(threaded.seconds, sk.defaultThreads.seconds)} (${b.threads} threads vs its default), ` +
        `${ratio(oneThread.seconds, sk.oneThread.seconds)} (1 thread each); goal ≤ 0.50×`,
    );
  } else {
    lines.push('  sklearn: not available');
  }
  return lines.join('\n');
}

// Standalone: `npx tsx bench/sweep.ts [--threads N]`, on the 20k matrix an earlier `npm run bench` left in bench/output/.
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const at = process.argv.indexOf('--threads');
  const threads = at > 0 ? Number(process.argv[at + 1]) : Math.max(2, defaultThreadCount());
  benchSweep({ rows: 20_000, threads, python: process.env.BENCH_PYTHON ?? '/usr/bin/python3', log: (line) => process.stderr.write(`[bench] ${line}\n`) })
    .then((result) => console.log(formatSweepBench(result)))
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
}
