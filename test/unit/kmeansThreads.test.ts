/**
 * K-Means (GMM's start) on engine threads: the k-means++ candidates' distances
 * and the Lloyd assignment over chunks of rows, the centers' sums and the
 * feature variances over single features. Seeding, every Lloyd step and the
 * result are the same bit for bit as on one thread.
 */
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { EmWorkspace } from '../../src/engine/kernels/gmm';
import { assignRows, kmeans, kmeansPlusPlus, lloyd, type KMeansResult } from '../../src/engine/kernels/kmeans';
import { squaredDistance } from '../../src/engine/kernels/linalg';
import { Random } from '../../src/engine/kernels/random';
import { assertIdentical, onTwoThreads, overlappingBlobs, resetThreads } from '../helpers/threads';

afterEach(resetThreads);

function assertSameKMeans(a: KMeansResult, b: KMeansResult): void {
  assertIdentical(a.centers, b.centers, 'centers');
  assertIdentical(a.labels, b.labels, 'labels');
  assert.ok(Object.is(a.inertia, b.inertia), `inertia ${a.inertia} !== ${b.inertia}`);
  assert.equal(a.nIterations, b.nIterations, 'iterations');
  assert.equal(a.converged, b.converged, 'converged');
}

for (const k of [3, 6]) {
  test(`k=${k}: k-means on two engine threads gives the same seeding, steps and result as on one, bit for bit`, () => {
    const { z, n, d } = overlappingBlobs(23);
    const single = kmeans(z, n, d, k, new Random(11));
    const singleSteps = [...stepsOf(lloyd(z, n, d, k, kmeansPlusPlus(z, n, d, k, new Random(11))))];
    onTwoThreads(() => {
      const workspace = new EmWorkspace(z, n, d, k, 'full', { threads: 2 });
      try {
        const engine = workspace.kmeans;
        assert.ok(engine, 'the workspace has engine threads');
        assertIdentical(kmeansPlusPlus(z, n, d, k, new Random(11), engine), kmeansPlusPlus(z, n, d, k, new Random(11)), 'seeds');
        // The workspace's buffers serve run after run: a second run repeats the first.
        assertSameKMeans(single, kmeans(z, n, d, k, new Random(11), undefined, engine));
        assertSameKMeans(single, kmeans(z, n, d, k, new Random(11), undefined, engine));
        const threadedSteps = [...stepsOf(lloyd(z, n, d, k, kmeansPlusPlus(z, n, d, k, new Random(11), engine), undefined, engine))];
        assert.deepEqual(threadedSteps, singleSteps);
        assert.ok(single.nIterations > 2, `${single.nIterations} Lloyd iterations`);
      } finally {
        workspace.close();
      }
    });
  });
}

function* stepsOf(run: Generator<{ centerShift: number }, KMeansResult>): Generator<number> {
  for (let step = run.next(); !step.done; step = run.next()) yield step.value.centerShift;
}

test('an empty cluster is refilled the same way on engine threads', () => {
  // Many copies of a few points and some others; three centers start on the same spot, so two clusters are empty at first.
  const n = 40_000;
  const x = new Float64Array(n * 2);
  for (let i = 0; i < n; i++) {
    x[2 * i] = i < n - 40 ? 0 : i;
    x[2 * i + 1] = i % 3;
  }
  const centers = Float64Array.from([0, 0, 0, 0, 0, 0, n, 1, n - 10, 2]);
  const single = driven(lloyd(x, n, 2, 5, centers));
  onTwoThreads(() => {
    const workspace = new EmWorkspace(x, n, 2, 5, 'diag', { threads: 2 });
    try {
      assertSameKMeans(single, driven(lloyd(x, n, 2, 5, centers, undefined, workspace.kmeans)));
    } finally {
      workspace.close();
    }
  });
  assert.equal(new Set(single.labels).size, 5, 'no cluster stays empty');
});

function driven(run: Generator<unknown, KMeansResult>): KMeansResult {
  for (;;) {
    const step = run.next();
    if (step.done) return step.value;
  }
}

test('the assignment of four centers at a time equals one center at a time, ties to the first, bit for bit', () => {
  const rng = new Random(4);
  const n = 500;
  for (const [d, k] of [[3, 9], [7, 4], [1, 5], [24, 6]]) {
    const x = Float64Array.from({ length: n * d }, () => Math.round(rng.normal() * 4) / 4);
    // Some centers repeat others, so ties happen.
    const centers = Float64Array.from({ length: k * d }, (_, t) => x[(t % (2 * d)) * 3]);
    const labels = new Int32Array(n);
    const distances = new Float64Array(n);
    assignRows(x, 0, n, d, centers, k, labels, distances);
    for (let i = 0; i < n; i++) {
      let best = Infinity;
      let bestC = 0;
      for (let c = 0; c < k; c++) {
        const dist = squaredDistance(x, i, centers, c, d);
        if (dist < best) {
          best = dist;
          bestC = c;
        }
      }
      assert.equal(labels[i], bestC, `d=${d} k=${k} row ${i}`);
      assert.ok(Object.is(distances[i], best), `d=${d} k=${k} row ${i}: ${distances[i]} !== ${best}`);
    }
  }
});
