/**
 * Fuzzy C-Means on engine threads (src/engine/kernels/fcm.ts, src/engine/kernels/threads.ts):
 * the same fit bit for bit as on one thread, no thread left behind after a
 * fit or a cancelled one, and a fall-back to one thread when the threads
 * cannot start or fail.
 */
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { FCM_DEFAULTS, fitFcm, type FcmFit, type FcmOptions } from '../../src/engine/methods/fuzzySegmentation';
import { engineThreadStats, threadTuning } from '../../src/engine/kernels/threads';
import { assertIdentical, onTwoThreads, overlappingBlobs, cancelTest, fallbackTests, resetThreads, threadsGone } from '../helpers/threads';
import { blobs } from '../helpers/data';

const data = overlappingBlobs(19);

function fit(options: Partial<FcmOptions>, log?: string[]): FcmFit {
  return fitFcm(data, { ...FCM_DEFAULTS, ...options }, { onLog: (message) => log?.push(message) });
}

function assertSameFit(a: FcmFit, b: FcmFit): void {
  assert.equal(a.nIterations, b.nIterations, 'iterations');
  assert.ok(Object.is(a.objective, b.objective), `objective ${a.objective} vs ${b.objective}`);
  assert.ok(Object.is(a.change, b.change), 'change');
  assertIdentical(a.memberships, b.memberships, 'memberships');
  assertIdentical(a.centers, b.centers, 'centers');
  assertIdentical(a.labels, b.labels, 'labels');
}

afterEach(resetThreads);

for (const fuzziness of [2, 1.5]) {
  test(`m = ${fuzziness}: two and four threads give the same fit as one, bit for bit`, async () => {
    const options: Partial<FcmOptions> = { fuzziness, nInit: fuzziness === 2 ? 2 : 1, convergenceThreshold: 1e-7 };
    const single = fit({ ...options, threads: 1 });
    assert.ok(single.nIterations > 5, `${single.nIterations} iterations`);
    assertSameFit(single, onTwoThreads(() => fit({ ...options, threads: 2 })));
    assertSameFit(single, fit({ ...options, threads: 4 }));
    await threadsGone();
  });
}

test('fits with little work per pass stay on one thread', () => {
  const before = engineThreadStats().created;
  // Several chunks of rows, but n·k·d = 24,000 per pass: threads would not pay.
  fitFcm(blobs([[0, 0], [3, 3]], 3000, 1, 3), { ...FCM_DEFAULTS, nClusters: 2, threads: 4 });
  // One chunk of rows: nothing to share.
  threadTuning.minWork = 0;
  fitFcm(blobs([[0, 0], [3, 3]], 100, 1, 3), { ...FCM_DEFAULTS, nClusters: 2, threads: 4 });
  assert.equal(engineThreadStats().created, before);
});

cancelTest('a fit', (control) => fitFcm(data, { ...FCM_DEFAULTS, convergenceThreshold: 1e-300, threads: 2 }, control));

fallbackTests('a fit', (threads, log) => fit({ threads }, log), assertSameFit);
