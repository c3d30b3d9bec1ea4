import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kmeans, kmeansPlusPlus, lloyd } from '../../src/engine/kernels/kmeans';
import { Random } from '../../src/engine/kernels/random';
import { loadGolden, samePartition } from '../helpers/golden';

test('two obvious groups on a line: centers are the group means (hand-checked)', () => {
  const x = Float64Array.from([1, 2, 3, 101, 102, 103]);
  const result = kmeans(x, 6, 1, 2, new Random(0));
  const centers = Array.from(result.centers).sort((a, b) => a - b);
  assert.deepEqual(centers, [2, 102]);
  assert.ok(samePartition(result.labels, [0, 0, 0, 1, 1, 1]));
  assert.equal(result.inertia, 4); // (1 + 0 + 1) per group
  assert.ok(result.converged);
});

test('k-means++ picks distinct rows as centers, reproducibly', () => {
  const x = Float64Array.from([0, 0, 0, 1, 10, 10, 10, 11, 50, 50]);
  const a = kmeansPlusPlus(x, 5, 2, 3, new Random(5));
  const b = kmeansPlusPlus(x, 5, 2, 3, new Random(5));
  assert.deepEqual(a, b);
  const rows = new Set([0, 1, 2].map((c) => `${a[c * 2]},${a[c * 2 + 1]}`));
  assert.equal(rows.size, 3);
});

test('an empty cluster takes the farthest point instead of staying empty', () => {
  // Two centers start on the same spot: one of them would be empty.
  const x = Float64Array.from([0, 1, 2, 50]);
  const run = lloyd(x, 4, 1, 2, Float64Array.from([1, 1]));
  let step = run.next();
  while (!step.done) step = run.next();
  const labels = step.value.labels;
  assert.ok(samePartition(labels, [0, 0, 0, 1]));
});

test('on well-separated blobs, the same partition as scikit-learn\'s k-means', () => {
  const golden = loadGolden<{ cases: { n: number; d: number; k: number; X: number[]; kmeans_init_labels: number[] }[] }>(
    'gmm_kmeans_init.json',
  );
  for (const c of golden.cases) {
    const result = kmeans(Float64Array.from(c.X), c.n, c.d, c.k, new Random(0));
    assert.ok(samePartition(result.labels, c.kmeans_init_labels));
  }
});
