/**
 * The silhouette on engine threads (src/engine/kernels/metrics.ts, src/engine/kernels/threads.ts):
 * the same score and per-sample values bit for bit as on one thread, no
 * thread left behind after a score or a cancelled one, a fall-back to one
 * thread when the threads cannot start or fail, and the methods passing
 * their `threads` on.
 */
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { silhouetteSamples, silhouetteScore, type SilhouetteOptions } from '../../src/engine/kernels/metrics';
import { engineThreadStats, threadTuning } from '../../src/engine/kernels/threads';
import { assertIdentical, fallbackTests, onTwoThreads, resetThreads, threadsGone } from '../helpers/threads';
import { FuzzyCMeansSegmentation } from '../../src/engine/methods/fuzzySegmentation';
import { GaussianMixtureSegmentation } from '../../src/engine/methods/gmmSegmentation';
import { blobs } from '../helpers/data';

/**
 * 1,001 rows × 24: 8 tiles of 128 rows (the last one odd, and not a multiple
 * of 4), three overlapping blobs, some rows given another label, one singleton.
 */
const d = 24;
const n = 1001;
const data = blobs(
  [0, 1, 2].map((c) => Array.from({ length: d }, (_, j) => (j % 3 === c ? 3 : 0))),
  334,
  1,
  11,
);
const x = data.z.subarray(0, n * d);
const labels = Int32Array.from({ length: n }, (_, i) => (i === 500 ? 3 : i % 7 === 0 ? (Math.floor(i / 334) + 1) % 3 : Math.floor(i / 334)));

function score(options: Partial<SilhouetteOptions>, log?: string[]) {
  return silhouetteScore(x, n, d, labels, { sampleSize: 20000, seed: 3, log: (m) => log?.push(m), ...options });
}

afterEach(resetThreads);

test('on 2 and 4 threads, the silhouette is the same as on one, bit for bit', async () => {
  const single = score({ threads: 1 });
  const samples = silhouetteSamples(x, n, d, labels);
  assert.ok(single.score !== null && single.score > 0.1 && single.score < 0.9, String(single.score));
  const double = onTwoThreads(() => score({ threads: 2 }));
  assert.ok(Object.is(double.score, single.score), `${double.score} !== ${single.score}`);
  assert.ok(Object.is(score({ threads: 4 }).score, single.score), '4 threads');
  assertIdentical(silhouetteSamples(x, n, d, labels, { threads: 2 }), samples, 'per-sample values, 2 threads');
  assertIdentical(silhouetteSamples(x, n, d, labels, { threads: 4 }), samples, 'per-sample values, 4 threads');
  // A sampled silhouette too (the sample is drawn before the threads start).
  const sampled = score({ sampleSize: 700, threads: 1 });
  assert.equal(sampled.sampleSize, 700);
  assert.ok(Object.is(score({ sampleSize: 700, threads: 2 }).score, sampled.score), 'sampled, 2 threads');
  await threadsGone();
});

test('a silhouette with little work stays on one thread', async () => {
  const before = engineThreadStats().created;
  // 1,001 rows × 24: 12 million pair operations, below the threshold.
  score({ threads: 4 });
  // One tile of rows: nothing to share.
  threadTuning.minWork = 0;
  silhouetteScore(x, 100, d, labels.subarray(0, 100), { sampleSize: 20000, seed: 3, threads: 4 });
  assert.equal(engineThreadStats().created, before);
});

test('a cancelled silhouette on engine threads leaves no thread behind', async () => {
  threadTuning.minWork = 0;
  threadTuning.awaitStart = true;
  // Aborted after a few passes (the signal is read before each pass).
  let reads = 0;
  const signal = {
    get aborted() {
      return ++reads > 5;
    },
  } as AbortSignal;
  const before = engineThreadStats().created;
  assert.throws(() => score({ threads: 2, signal }), { code: 'CANCELLED' });
  assert.equal(engineThreadStats().created, before + 1);
  await threadsGone();
  assert.ok(!process.getActiveResourcesInfo().includes('Worker'));
});

fallbackTests(
  'a silhouette',
  (threads, log) => score({ threads }, log),
  (a, b) => assert.ok(Object.is(a.score, b.score), `${a.score} !== ${b.score}`),
  'to be redone',
);

test('GMM and FCM profiles compute their silhouette on their threads, with the same result', async () => {
  const small = blobs([[0, 0, 0], [3, 0, 1], [0, 3, 2]], 200, 1.2, 5);
  for (const make of [
    (threads: number) => new GaussianMixtureSegmentation({ nClusters: 3, threads }),
    (threads: number) => new FuzzyCMeansSegmentation({ nClusters: 3, threads }),
  ]) {
    const one = (await make(1).generateClusterProfile(small)).metrics;
    threadTuning.minWork = 0;
    threadTuning.awaitStart = true;
    const before = engineThreadStats().created;
    const two = (await make(2).generateClusterProfile(small)).metrics;
    delete threadTuning.minWork;
    assert.ok(engineThreadStats().created > before, 'engine threads started');
    assert.deepEqual(two, one);
    await threadsGone();
  }
});
