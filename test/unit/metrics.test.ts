import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  silhouetteSamples,
  silhouetteScore,
  daviesBouldinScore,
  calinskiHarabaszScore,
} from '../../src/engine/kernels/metrics';
import { assertAllClose, assertClose, loadGolden } from '../helpers/golden';

interface MetricCase {
  name: string;
  n: number;
  d: number;
  k: number;
  X: number[];
  labels: number[];
  silhouette: number;
  davies_bouldin: number;
  calinski_harabasz: number;
  silhouette_samples: number[];
  silhouette_exact_dist: number;
  silhouette_samples_exact_dist: number[];
}

const golden = loadGolden<{ cases: MetricCase[] }>('metrics.json');

for (const c of golden.cases) {
  test(`metrics agree with scikit-learn to 1e-9: ${c.name}`, () => {
    const x = Float64Array.from(c.X);
    const labels = Int32Array.from(c.labels);
    // Our distances are computed directly, as scipy's cdist: compared with that reference to 1e-12,
    // and with sklearn's own (dot-product) distances to 1e-9.
    const samples = silhouetteSamples(x, c.n, c.d, labels);
    assertAllClose(samples, c.silhouette_samples_exact_dist, 1e-12, 'silhouette samples (exact distances)');
    assertAllClose(samples, c.silhouette_samples, 1e-9, 'silhouette samples (sklearn)');
    const score = silhouetteScore(x, c.n, c.d, labels, { sampleSize: 20000, seed: 0 });
    assert.equal(score.sampleSize, null);
    assertClose(score.score!, c.silhouette, 1e-9, 'silhouette_score');
    assertClose(daviesBouldinScore(x, c.n, c.d, labels)!, c.davies_bouldin, 1e-9, 'davies_bouldin_score');
    assertClose(calinskiHarabaszScore(x, c.n, c.d, labels)!, c.calinski_harabasz, 1e-9, 'calinski_harabasz_score');
  });
}

test('silhouette by hand on four points in two pairs', () => {
  // Points 0, 1 on the left (distance 1 apart), 10, 11 on the right.
  const x = Float64Array.from([0, 1, 10, 11]);
  const labels = Int32Array.from([0, 0, 1, 1]);
  const s = silhouetteSamples(x, 4, 1, labels);
  // point 0: a = 1, b = (10 + 11) / 2 = 10.5, s = 9.5 / 10.5
  assertClose(s[0], 9.5 / 10.5, 1e-15, 's[0]');
  // point 1: a = 1, b = (9 + 10) / 2 = 9.5, s = 8.5 / 9.5
  assertClose(s[1], 8.5 / 9.5, 1e-15, 's[1]');
});

test('metrics are null where scikit-learn refuses them (one cluster, or as many clusters as samples)', () => {
  const x = Float64Array.from([0, 1, 2, 3]);
  for (const labels of [Int32Array.from([0, 0, 0, 0]), Int32Array.from([0, 1, 2, 3])]) {
    assert.equal(silhouetteScore(x, 4, 1, labels, { sampleSize: 100, seed: 1 }).score, null);
    assert.equal(daviesBouldinScore(x, 4, 1, labels), null);
    assert.equal(calinskiHarabaszScore(x, 4, 1, labels), null);
  }
});

test('empty cluster ids are ignored, as sklearn only sees the labels present', () => {
  const c = golden.cases[0];
  const x = Float64Array.from(c.X);
  const shifted = Int32Array.from(c.labels, (l) => (l === 0 ? 0 : l + 3)); // ids 0, 4, 5
  assertClose(silhouetteScore(x, c.n, c.d, shifted, { sampleSize: 1e6, seed: 0 }).score!, c.silhouette, 1e-12, 'silhouette');
  assertClose(daviesBouldinScore(x, c.n, c.d, shifted)!, c.davies_bouldin, 1e-12, 'davies_bouldin');
  assertClose(calinskiHarabaszScore(x, c.n, c.d, shifted)!, c.calinski_harabasz, 1e-12, 'calinski_harabasz');
});

test('above the sample size the silhouette uses a seeded sample: same seed, same value', () => {
  const c = golden.cases.find((g) => g.name === 'overlapping_5d_kmeans')!;
  const x = Float64Array.from(c.X);
  const labels = Int32Array.from(c.labels);
  const a = silhouetteScore(x, c.n, c.d, labels, { sampleSize: 100, seed: 7 });
  const b = silhouetteScore(x, c.n, c.d, labels, { sampleSize: 100, seed: 7 });
  const other = silhouetteScore(x, c.n, c.d, labels, { sampleSize: 100, seed: 8 });
  assert.equal(a.sampleSize, 100);
  assert.equal(a.score, b.score);
  assert.notEqual(a.score, other.score);
  assert.ok(Math.abs(a.score! - c.silhouette) < 0.1, 'a sample of 100 estimates the exact value');
});

test('a long silhouette can be cancelled', () => {
  const c = golden.cases.find((g) => g.name === 'overlapping_5d_kmeans')!;
  const controller = new AbortController();
  controller.abort();
  assert.throws(
    () => silhouetteScore(Float64Array.from(c.X), c.n, c.d, Int32Array.from(c.labels), { sampleSize: 1e6, seed: 0, signal: controller.signal }),
    { code: 'CANCELLED' },
  );
});
