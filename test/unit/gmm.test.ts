import { test } from 'node:test';
import assert from 'node:assert/strict';
import { determinant, inverse, Matrix } from 'ml-matrix';
import { Random } from '../../src/engine/kernels/random';
import {
  expectationMaximization,
  expectationStep,
  modelFromParameters,
  nParameters,
  type CovarianceType,
  type GmmParameters,
} from '../../src/engine/kernels/gmm';
import { fitGmm, GMM_DEFAULTS } from '../../src/engine/methods/gmmSegmentation';
import { assertAllClose, assertClose, loadGolden, samePartition } from '../helpers/golden';
import { covariancesFromPrecisions, runToEnd, sklearnPrecisionCholesky, type EmRun } from '../helpers/gmmGolden';
import { matrixOriginals, type PreparedData } from '../../src/engine/data/prepare';

const em = loadGolden<{ n: number; d: number; k: number; X: number[]; runs: (EmRun & { bic: number; aic: number; n_parameters: number })[] }>('gmm_em.json');

for (const run of em.runs) {
  test(`EM matches scikit-learn step for step: ${run.covariance_type}, tol ${run.tol}`, () => {
    const { n, d, k } = em;
    const init: GmmParameters = {
      weights: Float64Array.from(run.weights_init),
      means: Float64Array.from(run.means_init),
      covariances: covariancesFromPrecisions(run.covariance_type, run.precisions_init, k, d),
    };
    const result = runToEnd(
      expectationMaximization(Float64Array.from(em.X), n, d, k, run.covariance_type, init, {
        tol: run.tol,
        maxIter: run.max_iter,
        regCovar: run.reg_covar,
      }),
    );
    assert.equal(result.nIterations, run.n_iter, 'n_iter');
    assert.equal(result.converged, run.converged, 'converged');
    assertAllClose(result.lowerBounds, run.lower_bounds, 1e-9, 'lower bound per iteration');
    assertAllClose(result.model.weights, run.weights, 1e-9, 'weights');
    assertAllClose(result.model.means, run.means, 1e-9, 'means');
    assertAllClose(result.model.covariances, run.covariances, 1e-9, 'covariances');
    assertAllClose(sklearnPrecisionCholesky(result), run.precisions_cholesky, 1e-9, 'precisions_cholesky');
    assertAllClose(result.resp, run.proba, 1e-9, 'predict_proba');
    assertClose(result.score, run.score, 1e-9, 'score');
    const p = nParameters(run.covariance_type, k, d);
    assert.equal(p, run.n_parameters);
    assertClose(-2 * result.score * n + p * Math.log(n), run.bic, 1e-9, 'bic');
    assertClose(-2 * result.score * n + 2 * p, run.aic, 1e-9, 'aic');
  });
}

interface InitCase {
  name: string;
  n: number;
  d: number;
  k: number;
  X: number[];
  fits: {
    covariance_type: CovarianceType;
    labels: number[];
    score: number;
    bic: number;
    aic: number;
    weights_sorted_desc: number[];
    means_sorted_by_first_coord: number[];
  }[];
}

/** A PreparedData over data that is already the model's input (the z block is what EM sees). */
function preparedFrom(x: number[], n: number, d: number): PreparedData {
  const z = Float64Array.from(x);
  return {
    fileName: 'golden.csv',
    features: Array.from({ length: d }, (_, j) => `x${j}`),
    n,
    d,
    originals: matrixOriginals(z, n, d),
    z,
    mean: new Float64Array(d),
    scale: new Float64Array(d).fill(1),
    rowNumbers: Int32Array.from({ length: n }, (_, i) => i + 1),
    idColumn: null,
    ids: null,
    excluded: [],
    nRowsRead: n,
    nRowsDropped: 0,
    nValuesImputed: 0,
    missing: 'drop',
  };
}

const kmeansInit = loadGolden<{ cases: InitCase[] }>('gmm_kmeans_init.json');
for (const c of kmeansInit.cases) {
  for (const expected of c.fits) {
    test(`from its own k-means init, the same model as scikit-learn: ${c.name}, ${expected.covariance_type}`, () => {
      const data = preparedFrom(c.X, c.n, c.d);
      const fit = fitGmm(data, { ...GMM_DEFAULTS, nClusters: c.k, covarianceType: expected.covariance_type });
      assert.ok(samePartition(fit.labels, expected.labels), 'same partition as sklearn');
      const weights = Array.from(fit.model.weights).sort((a, b) => b - a);
      assertAllClose(weights, expected.weights_sorted_desc, 1e-9, 'weights');
      const rows = Array.from({ length: c.k }, (_, r) => Array.from(fit.model.means.subarray(r * c.d, (r + 1) * c.d)));
      rows.sort((a, b) => a[0] - b[0]);
      assertAllClose(rows.flat(), expected.means_sorted_by_first_coord, 1e-9, 'means');
      assertClose(fit.em.score, expected.score, 1e-9, 'score');
    });
  }
}

test('the blocked E-step equals the textbook density for every row and component (odd n, odd k)', () => {
  const rng = new Random(11);
  const n = 7;
  const d = 3;
  const k = 3;
  const x = Float64Array.from({ length: n * d }, () => rng.normal());
  for (const type of ['full', 'tied'] as const) {
    const blocks = type === 'full' ? k : 1;
    const covariances = new Float64Array(blocks * d * d);
    for (let b = 0; b < blocks; b++) {
      for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) covariances[b * d * d + i * d + j] = i === j ? 1.5 + b : 0.3;
    }
    const params = {
      weights: Float64Array.from([0.2, 0.5, 0.3]),
      means: Float64Array.from({ length: k * d }, () => rng.normal()),
      covariances,
    };
    const model = modelFromParameters(type, k, d, params);
    const resp = new Float64Array(n * k);
    const meanLogLik = expectationStep(x, n, model, resp);
    let total = 0;
    for (let i = 0; i < n; i++) {
      const dens = [0, 1, 2].map((c) => {
        const b = type === 'full' ? c : 0;
        const cov = new Matrix(d, d);
        for (let r = 0; r < d; r++) for (let s = 0; s < d; s++) cov.set(r, s, covariances[b * d * d + r * d + s]);
        const diff = Matrix.columnVector(Array.from({ length: d }, (_, j) => x[i * d + j] - params.means[c * d + j]));
        const q = diff.transpose().mmul(inverse(cov)).mmul(diff).get(0, 0);
        return params.weights[c] * Math.exp(-0.5 * q) / Math.sqrt((2 * Math.PI) ** d * determinant(cov));
      });
      const sum = dens.reduce((a, v) => a + v);
      total += Math.log(sum);
      for (let c = 0; c < k; c++) assertClose(resp[i * k + c], dens[c] / sum, 1e-12, `${type} resp[${i}][${c}]`);
    }
    assertClose(meanLogLik, total / n, 1e-12, `${type} mean log-likelihood`);
  }
});
