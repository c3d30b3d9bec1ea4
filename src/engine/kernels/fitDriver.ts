/**
 * The method-agnostic fit loop: restarts from seeds derived from the master
 * seed, step-wise progress, cancellation between iterations, and keeping the
 * best restart. Each method supplies one restart as a generator that yields
 * once per iteration (as mljs/kmeans does) and returns its outcome.
 */
import { Random, deriveSeed } from './random';
import { throwIfAborted } from '../errors';

export interface FitProgress {
  /** What the method is doing, e.g. "EM iteration". */
  phase: string;
  restart: number; // 1-based
  nRestarts: number;
  iteration: number;
  maxIterations: number;
  /** 0..1 over all restarts. */
  fraction: number;
  /** Ready to show: "EM iteration 12/100, restart 2/5". */
  message: string;
}

export interface IterationStep {
  iteration: number;
  maxIterations: number;
}

export interface RestartOutcome {
  /** Higher is better: GMM's lower bound, FCM's −J_m, K-Means' −inertia. */
  score: number;
}

export interface FitDriverOptions {
  seed: number;
  nInit: number;
  phase: string;
  signal?: AbortSignal;
  onProgress?: (progress: FitProgress) => void;
}

export interface FitDriverResult<R> {
  best: R;
  bestRestart: number; // 0-based
  scores: number[];
}

export function runRestarts<R extends RestartOutcome>(
  options: FitDriverOptions,
  runOnce: (rng: Random, restart: number) => Generator<IterationStep, R>,
): FitDriverResult<R> {
  const { nInit, phase, signal, onProgress } = options;
  let best: R | undefined;
  let bestRestart = 0;
  const scores: number[] = [];
  for (let restart = 0; restart < nInit; restart++) {
    throwIfAborted(signal);
    const run = runOnce(new Random(deriveSeed(options.seed, restart)), restart);
    let step = run.next();
    while (!step.done) {
      throwIfAborted(signal);
      const { iteration, maxIterations } = step.value;
      if (onProgress) {
        const restartPart = nInit > 1 ? `, restart ${restart + 1}/${nInit}` : '';
        onProgress({
          phase,
          restart: restart + 1,
          nRestarts: nInit,
          iteration,
          maxIterations,
          fraction: (restart + iteration / maxIterations) / nInit,
          message: `${phase} ${iteration}/${maxIterations}${restartPart}`,
        });
      }
      step = run.next();
    }
    const outcome = step.value;
    scores.push(outcome.score);
    // Strictly better replaces, so ties keep the earliest restart (as sklearn).
    if (best === undefined || outcome.score > best.score) {
      best = outcome;
      bestRestart = restart;
    }
  }
  if (best === undefined) throw new RangeError('nInit must be at least 1');
  return { best, bestRestart, scores };
}
