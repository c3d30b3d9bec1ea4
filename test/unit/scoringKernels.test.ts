/**
 * The kernels that score rows with a fitted model (src/engine/scoring/) are
 * the ones the fits end with, so a fit's posterior, memberships and nearest
 * centers are what scoring its own rows gives, bit for bit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { membershipsFromCenters, randomMemberships, runFuzzyCMeans } from '../../src/engine/kernels/fcm';
import { EmWorkspace, expectationStep, modelFromParameters } from '../../src/engine/kernels/gmm';
import { nearestCenters } from '../../src/engine/kernels/kmeans';
import { Random } from '../../src/engine/kernels/random';
import { assertIdentical } from '../helpers/threads';
import { assertClose } from '../helpers/golden';

function normals(n: number, d: number, seed: number): Float64Array {
  const rng = new Random(seed);
  return Float64Array.from({ length: n * d }, (_, t) => rng.normal() + (Math.floor(t / d) % 3) * 2);
}

for (const m of [2, 1.7]) {
  test(`FCM, m = ${m}: one update from a fit's final centers gives its final memberships, bit for bit`, () => {
    const [n, d, k] = [300, 3, 4];
    const z = normals(n, d, 5);
    const fit = runFuzzyCMeans(z, n, d, k, randomMemberships(n, k, new Random(9)), {
      fuzziness: m,
      maxIterations: 40,
      convergenceThreshold: 1e-9,
    });
    assertIdentical(membershipsFromCenters(z, n, d, fit.centers, k, m), fit.memberships, 'memberships');
  });
}

test('FCM: a row on a center belongs to it alone; a row on two equal centers shares them', () => {
  const centers = Float64Array.from([0, 0, 1, 1, 1, 1]);
  const u = membershipsFromCenters(Float64Array.from([0, 0, 1, 1, 3, 1]), 3, 2, centers, 3, 2);
  // Row 3 (3, 1): squared distances 10, 4, 4 → ratios 0.4, 1, 1 → 0.4/2.4, 1/2.4, 1/2.4.
  assert.deepEqual(Array.from(u), [1, 0, 0, 0, 0.5, 0.5, 0.4 * (1 / 2.4), 1 * (1 / 2.4), 1 * (1 / 2.4)]);
});

test("GMM: the posterior pass gives the E-step's posterior and each row's log Σ π N(x | μ, Σ)", () => {
  const [n, d, k] = [200, 2, 2];
  const z = normals(n, d, 3);
  const model = modelFromParameters('full', k, d, {
    weights: Float64Array.from([0.3, 0.7]),
    means: Float64Array.from([0, 0, 2, 1]),
    covariances: Float64Array.from([1, 0.3, 0.3, 2, 0.5, 0, 0, 0.5]),
  });
  const resp = new Float64Array(n * k);
  const mean = expectationStep(z, n, model, resp);
  const workspace = new EmWorkspace(z, n, d, k, 'full', { rowLogLikelihoods: true });
  const posterior = workspace.posterior(model);
  assertIdentical(posterior.resp, resp, 'posterior');
  // One chunk of rows: the E-step's total is these values added in order.
  assert.ok(Object.is(posterior.logLikelihoods.reduce((a, b) => a + b) / n, mean));
  const density = (x: number, y: number, c: number) => {
    const [a, b, e] = c === 0 ? [1, 0.3, 2] : [0.5, 0, 0.5];
    const det = a * e - b * b;
    const [dx, dy] = c === 0 ? [x, y] : [x - 2, y - 1];
    const q = (e * dx * dx - 2 * b * dx * dy + a * dy * dy) / det;
    return Math.exp(-q / 2) / (2 * Math.PI * Math.sqrt(det));
  };
  for (let i = 0; i < n; i += 37) {
    const [x, y] = [z[i * d], z[i * d + 1]];
    assertClose(posterior.logLikelihoods[i], Math.log(0.3 * density(x, y, 0) + 0.7 * density(x, y, 1)), 1e-12, `row ${i}`);
  }
});

test('GMM: a workspace made without row log-likelihoods says so', () => {
  const model = modelFromParameters('spherical', 2, 1, {
    weights: Float64Array.from([0.5, 0.5]),
    means: Float64Array.from([0, 1]),
    covariances: Float64Array.from([1, 1]),
  });
  const workspace = new EmWorkspace(Float64Array.from([0, 1, 2]), 3, 1, 2, 'spherical');
  assert.throws(() => workspace.posterior(model), { message: 'the workspace keeps no row log-likelihoods' });
});

test('nearest centers: the first center on a tie, and the Euclidean distance', () => {
  const x = Float64Array.from([0, 0, 3, 4, 1, 0]);
  const centers = Float64Array.from([2, 0, 0, 0, 0, 0]);
  const { labels, distances } = nearestCenters(x, 3, 2, centers, 3);
  assert.deepEqual(Array.from(labels), [1, 0, 0]);
  assert.deepEqual(Array.from(distances), [0, Math.sqrt(17), 1]);
});
