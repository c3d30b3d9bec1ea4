/** Between scikit-learn's GaussianMixture and ours: its precisions_init as our starting covariances, our factors as its precisions_cholesky_. */
import { inverse, Matrix } from 'ml-matrix';
import assert from 'node:assert/strict';
import type { CovarianceType, EmResult } from '../../src/engine/kernels/gmm';
import { hardLabels } from '../../src/engine/profile/profile';
import { assertAllClose, assertClose } from './golden';

/** What a GaussianMixture fit ended with (tools/golden/README.md). */
export interface FitExpectation {
  n_iter: number;
  converged: boolean;
  weights: number[];
  means: number[];
  covariances: number[];
  score: number;
  labels: number[];
  proba: number[];
}

/** An EM run from given starting parameters (gmm_em.json's runs, onehot.json's em). */
export interface EmRun extends FitExpectation {
  covariance_type: CovarianceType;
  tol: number;
  max_iter: number;
  reg_covar: number;
  weights_init: number[];
  means_init: number[];
  precisions_init: number[];
  lower_bounds: number[];
  precisions_cholesky: number[];
}

/** Our EM ended where scikit-learn's did: iterations, parameters, posteriors, score (1e-9) and labels. */
export function assertSameFit(result: EmResult, expected: FitExpectation, n: number, k: number): void {
  assert.equal(result.nIterations, expected.n_iter, 'n_iter');
  assert.equal(result.converged, expected.converged, 'converged');
  assertAllClose(result.model.weights, expected.weights, 1e-9, 'weights');
  assertAllClose(result.model.means, expected.means, 1e-9, 'means');
  assertAllClose(result.model.covariances, expected.covariances, 1e-9, 'covariances');
  assertAllClose(result.resp, expected.proba, 1e-9, 'predict_proba');
  assertClose(result.score, expected.score, 1e-9, 'score');
  assert.deepEqual(Array.from(hardLabels(result.resp, n, k)), expected.labels);
}

/** sklearn takes precisions_init; our EM starts from covariances, their inverses. */
export function covariancesFromPrecisions(type: CovarianceType, p: number[], k: number, d: number): Float64Array {
  if (type === 'diag' || type === 'spherical') return Float64Array.from(p, (v) => 1 / v);
  const blocks = type === 'full' ? k : 1;
  const out = new Float64Array(blocks * d * d);
  for (let b = 0; b < blocks; b++) {
    const m = new Matrix(d, d);
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) m.set(i, j, p[b * d * d + i * d + j]);
    out.set(inverse(m).to1DArray(), b * d * d);
  }
  return out;
}

export function runToEnd<T>(gen: Generator<unknown, T>): T {
  for (;;) {
    const step = gen.next();
    if (step.done) return step.value;
  }
}

/** sklearn's precisions_cholesky_ is the transpose of our L⁻¹ for full and tied. */
export function sklearnPrecisionCholesky(result: EmResult): Float64Array {
  const { covarianceType: type, d, precisionFactors: f } = result.model;
  if (type === 'diag' || type === 'spherical') return f;
  const out = new Float64Array(f.length);
  for (let b = 0; b < f.length / (d * d); b++) {
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) out[b * d * d + j * d + i] = f[b * d * d + i * d + j];
  }
  return out;
}
