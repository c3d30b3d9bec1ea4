/**
 * The silhouettes of several labelings at once (silhouetteScores, what a
 * sweep uses for its fits of every k): each the number silhouetteScore gives
 * that labeling alone, bit for bit, exact or sampled, on one thread or on
 * engine threads.
 */
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { silhouetteScore, silhouetteScores, type SilhouetteOptions } from '../../src/engine/kernels/metrics';
import { Random } from '../../src/engine/kernels/random';
import { onTwoThreads, resetThreads } from '../helpers/threads';
import { blobs } from '../helpers/data';

afterEach(resetThreads);

/** 1,001 rows × 6 in three blobs; labelings of 2 to 6 clusters, one with a singleton, one with a single cluster (undefined). */
const d = 6;
const n = 1001;
const x = blobs(
  [0, 1, 2].map((c) => Array.from({ length: d }, (_, j) => (j % 3 === c ? 3 : 0))),
  334,
  1,
  4,
).z.subarray(0, n * d);
const rng = new Random(5);
const labelings = [
  ...[2, 3, 4, 6].map((k) => Int32Array.from({ length: n }, (_, i) => (i % 5 === 0 ? rng.int(k) : Math.floor(i / 334) % k))),
  Int32Array.from({ length: n }, (_, i) => (i === 17 ? 1 : 0)),
  new Int32Array(n),
  Int32Array.from({ length: n }, (_, i) => (i < 500 ? 7 : 3)),
];

function assertSameAsAlone(options: SilhouetteOptions, what: string): void {
  const together = silhouetteScores(x, n, d, labelings, options);
  assert.equal(together.length, labelings.length);
  labelings.forEach((labels, l) => {
    const alone = silhouetteScore(x, n, d, labels, { ...options, threads: 1 });
    assert.ok(Object.is(together[l].score, alone.score), `${what}, labeling ${l}: ${together[l].score} !== ${alone.score}`);
    assert.equal(together[l].sampleSize, alone.sampleSize, `${what}, labeling ${l}: sample size`);
  });
  assert.equal(together[5].score, null, 'one cluster: undefined');
}

test('each labeling gets the silhouette it gets alone, bit for bit, exact and sampled', () => {
  assertSameAsAlone({ sampleSize: 20000, seed: 3, threads: 1 }, 'exact');
  assertSameAsAlone({ sampleSize: 600, seed: 3, threads: 1 }, 'sampled');
  assert.deepEqual(silhouetteScores(x, n, d, [], { sampleSize: 20000, seed: 3 }), []);
});

test('on engine threads too', () => {
  onTwoThreads(() => assertSameAsAlone({ sampleSize: 20000, seed: 3, threads: 2 }, 'exact, 2 threads'));
});
