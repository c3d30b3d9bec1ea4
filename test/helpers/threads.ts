/** What the engine-thread suites share (gmmThreads, fcmThreads, silhouetteThreads). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { RunControl } from '../../src/engine/progress';
import { engineThreadStats, threadTuning } from '../../src/engine/kernels/threads';
import type { PreparedData } from '../../src/engine/data/prepare';
import { blobs } from './data';

export const THREAD_FIXTURES = join(__dirname, '..', 'fixtures', 'threads');

/** The centers of four blobs in 4 features, 2.2 apart at least. */
export const FOUR_CENTERS = [
  [0, 0, 0, 0],
  [2, 0, 1, 0],
  [0, 2, 0, 1],
  [2, 2, 1, 1],
];

/** 12,000 rows (unless fewer per blob are asked for) in 4 overlapping blobs of 4 features: 6 chunks of rows, enough iterations to share. */
export function overlappingBlobs(seed: number, perBlob = 3000): PreparedData {
  return blobs(FOUR_CENTERS, perBlob, 1.1, seed);
}

/** Every number the same, bit for bit (Object.is: -0 and NaN too). */
export function assertIdentical(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  assert.equal(a.length, b.length, `${what}: length`);
  for (let i = 0; i < a.length; i++) {
    if (!Object.is(a[i], b[i])) assert.fail(`${what}[${i}]: ${a[i]} !== ${b[i]}`);
  }
}

/**
 * `run` (on 2 threads), with the work threshold lowered and the thread
 * started before the first pass, so that it surely takes chunks: asserts one
 * engine thread was started and ran chunks, and returns the result.
 */
export function onTwoThreads<R>(run: () => R): R {
  const before = engineThreadStats();
  threadTuning.minWork = 0;
  threadTuning.awaitStart = true;
  const result = run();
  const after = engineThreadStats();
  assert.equal(after.created, before.created + 1, 'one engine thread started');
  assert.ok(after.chunksByThreads > before.chunksByThreads, 'the engine thread ran chunks');
  return result;
}

/** Resolves once every engine thread has exited (their 'exit' events come on the event loop). */
export async function threadsGone(): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (engineThreadStats().live > 0) {
    if (Date.now() > deadline) assert.fail(`${engineThreadStats().live} engine threads still alive`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** For afterEach: the tuning knobs back to their defaults, and every thread gone. */
export async function resetThreads(): Promise<void> {
  delete threadTuning.entry;
  delete threadTuning.awaitStart;
  delete threadTuning.minWork;
  await threadsGone();
}

/**
 * The two fall-back tests every threaded computation has: without a thread
 * entry it runs on one thread with the same result and says why; a pass that
 * fails in a thread is redone on the calling thread (the log says `redone`,
 * or `to be redone` when the whole computation is) and the threads stop.
 * `run(threads, log)` computes on that many threads; `assertSame` compares.
 */
export function fallbackTests<R>(
  what: string,
  run: (threads: number, log: string[]) => R,
  assertSame: (a: R, b: R) => void,
  redone = 'redone',
): void {
  test(`without a thread entry, ${what} runs on one thread with the same result, and says why`, () => {
    const single = run(1, []);
    threadTuning.minWork = 0;
    threadTuning.entry = join(THREAD_FIXTURES, 'no-such-engineThread.js');
    const before = engineThreadStats().created;
    const log: string[] = [];
    assertSame(single, run(2, log));
    assert.equal(engineThreadStats().created, before, 'no thread started');
    assert.equal(log.length, 1, log.join('\n'));
    assert.match(log[0], /engine threads: not used \(.*no-such-engineThread\.js does not exist\); running on one thread/);
  });

  test(`when a pass of ${what} fails in an engine thread, the work is ${redone} on the calling thread, and the threads stop`, async () => {
    const single = run(1, []);
    threadTuning.minWork = 0;
    threadTuning.awaitStart = true;
    threadTuning.entry = join(THREAD_FIXTURES, 'failingEngineThread.ts');
    const log: string[] = [];
    assertSame(single, run(2, log));
    assert.ok(log.some((m) => m.includes(`a pass failed in a thread; ${redone} on one thread`)), log.join('\n'));
    await threadsGone();
  });
}

/**
 * No engine thread is left after `run` (a computation on 2 threads that
 * reports progress) ends, nor after it is cancelled at its second progress report.
 */
export function cancelTest(what: string, run: (control: RunControl) => void): void {
  test(`the engine threads are gone after ${what} and after a cancelled one`, async () => {
    threadTuning.minWork = 0;
    threadTuning.awaitStart = true;
    run({});
    await threadsGone();
    const controller = new AbortController();
    let seen = 0;
    const before = engineThreadStats().created;
    const onProgress = () => {
      if (++seen === 2) controller.abort();
    };
    assert.throws(() => run({ signal: controller.signal, onProgress }), { code: 'CANCELLED' });
    assert.equal(engineThreadStats().created, before + 1);
    await threadsGone();
    assert.ok(!process.getActiveResourcesInfo().includes('Worker'));
  });
}
