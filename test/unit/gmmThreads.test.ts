/**
 * EM on engine threads (src/engine/threads.ts, src/engine/gmmKernels.ts):
 * the same results bit for bit as on one thread, no thread left behind after
 * a fit or a cancelled one, and a fall-back to one thread when the threads
 * cannot start or fail.
 */
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { fork, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fitGmm, GMM_DEFAULTS, type GmmFit, type GmmOptions } from '../../src/engine/gmmSegmentation';
import { COVARIANCE_TYPES } from '../../src/engine/gmm';
import { defaultThreadCount, engineThreadStats, threadTuning } from '../../src/engine/threads';
import { blobs } from '../helpers/data';
import type { PreparedData } from '../../src/engine/prepare';
import type { FromWorker, RunRequest } from '../../src/shared/protocol';

const FIXTURES = join(__dirname, '..', 'fixtures', 'threads');
const DIST = join(__dirname, '..', '..', 'dist');

/** 12,000 rows in 4 overlapping blobs: 6 chunks of rows, enough EM iterations to share. */
const data: PreparedData = blobs(
  [
    [0, 0, 0, 0],
    [2, 0, 1, 0],
    [0, 2, 0, 1],
    [2, 2, 1, 1],
  ],
  3000,
  1.1,
  17,
);

function fit(options: Partial<GmmOptions>, log?: string[]): GmmFit {
  return fitGmm(data, { ...GMM_DEFAULTS, ...options }, { onLog: (message) => log?.push(message) });
}

/** Every number the same, bit for bit (Object.is: -0 and NaN too). */
function assertIdentical(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  assert.equal(a.length, b.length, `${what}: length`);
  for (let i = 0; i < a.length; i++) {
    if (!Object.is(a[i], b[i])) assert.fail(`${what}[${i}]: ${a[i]} !== ${b[i]}`);
  }
}

function assertSameFit(a: GmmFit, b: GmmFit): void {
  assert.equal(a.em.nIterations, b.em.nIterations, 'iterations');
  assertIdentical(a.em.lowerBounds, b.em.lowerBounds, 'lower bounds');
  assert.ok(Object.is(a.em.lowerBound, b.em.lowerBound), 'lower bound');
  assert.ok(Object.is(a.em.score, b.em.score), 'score');
  assertIdentical(a.model.weights, b.model.weights, 'weights');
  assertIdentical(a.model.means, b.model.means, 'means');
  assertIdentical(a.model.covariances, b.model.covariances, 'covariances');
  assertIdentical(a.model.precisionFactors, b.model.precisionFactors, 'precision factors');
  assertIdentical(a.labels, b.labels, 'labels');
  assertIdentical(a.resp, b.resp, 'responsibilities');
}

/** Resolves once every engine thread has exited (their 'exit' events come on the event loop). */
async function threadsGone(): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (engineThreadStats().live > 0) {
    if (Date.now() > deadline) assert.fail(`${engineThreadStats().live} engine threads still alive`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

afterEach(async () => {
  delete threadTuning.entry;
  delete threadTuning.awaitStart;
  delete threadTuning.minWork;
  await threadsGone();
});

for (const covarianceType of COVARIANCE_TYPES) {
  test(`${covarianceType}: two threads give the same fit as one, bit for bit`, async () => {
    const options: Partial<GmmOptions> = { covarianceType, tol: 1e-6, nInit: 2 };
    const single = fit({ ...options, threads: 1 });
    const before = engineThreadStats();
    // Small data: lower the work threshold, and let the thread start before the first pass so it surely takes chunks.
    threadTuning.minWork = 0;
    threadTuning.awaitStart = true;
    const double = fit({ ...options, threads: 2 });
    const after = engineThreadStats();
    assert.equal(after.created, before.created + 1, 'one engine thread started');
    assert.ok(after.chunksByThreads > before.chunksByThreads, 'the engine thread ran chunks');
    assertSameFit(single, double);
    assert.ok(single.em.nIterations > 2, `${single.em.nIterations} EM iterations`);
    // Four threads (three engine threads) too: the chunks are the same whoever runs them.
    assertSameFit(single, fit({ ...options, threads: 4 }));
    await threadsGone();
  });
}

test('fits with little work per pass stay on one thread', () => {
  const before = engineThreadStats().created;
  // Several chunks of rows, but n·k·d = 24,000 multiply-adds per pass: threads would not pay.
  const small = blobs([[0, 0], [3, 3]], 3000, 1, 3);
  fitGmm(small, { ...GMM_DEFAULTS, nClusters: 2, covarianceType: 'diag', threads: 4 });
  // One chunk of rows: nothing to share.
  fitGmm(blobs([[0, 0], [3, 3]], 100, 1, 3), { ...GMM_DEFAULTS, nClusters: 2, threads: 4 });
  assert.equal(engineThreadStats().created, before);
});

test('the engine threads are gone after a fit and after a cancelled fit', async () => {
  threadTuning.minWork = 0;
  threadTuning.awaitStart = true;
  fit({ threads: 2 });
  await threadsGone();
  const controller = new AbortController();
  let seen = 0;
  const before = engineThreadStats().created;
  assert.throws(
    () =>
      fitGmm(data, { ...GMM_DEFAULTS, tol: 1e-12, threads: 2 }, {
        signal: controller.signal,
        onProgress: () => {
          if (++seen === 2) controller.abort();
        },
      }),
    { code: 'CANCELLED' },
  );
  assert.equal(engineThreadStats().created, before + 1);
  await threadsGone();
  assert.ok(!process.getActiveResourcesInfo().includes('Worker'));
});

test('without a thread entry, the fit runs on one thread with the same result, and says why', () => {
  const single = fit({ threads: 1 });
  threadTuning.minWork = 0;
  threadTuning.entry = join(FIXTURES, 'no-such-engineThread.js');
  const before = engineThreadStats().created;
  const log: string[] = [];
  assertSameFit(single, fit({ threads: 2 }, log));
  assert.equal(engineThreadStats().created, before, 'no thread started');
  assert.equal(log.length, 1, log.join('\n'));
  assert.match(log[0], /engine threads: not used \(.*no-such-engineThread\.js does not exist\); running on one thread/);
});

test('a pass that fails in an engine thread is redone on the calling thread, and the threads stop', async () => {
  const single = fit({ threads: 1 });
  threadTuning.minWork = 0;
  threadTuning.awaitStart = true;
  threadTuning.entry = join(FIXTURES, 'failingEngineThread.ts');
  const log: string[] = [];
  assertSameFit(single, fit({ threads: 2 }, log));
  assert.ok(log.some((m) => m.includes('a pass failed in a thread; redone on one thread')), log.join('\n'));
  await threadsGone();
});

test('a process that fitted on engine threads ends by itself at once', () => {
  const started = Date.now();
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(FIXTURES, 'fitAndExit.ts')], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(run.status, 0, run.stderr);
  const out = JSON.parse(run.stdout) as { lowerBound: number; created: number };
  assert.equal(out.created, 1);
  assert.ok(Number.isFinite(out.lowerBound));
  assert.ok(Date.now() - started < 30_000, `${Date.now() - started} ms`);
});

/** 12,000 customers × 8 features as a CSV: above the work threshold of a full-covariance fit. */
function writeBigCsv(dir: string): string {
  const big = blobs([[0, 0, 0, 0, 0, 0, 0, 0], [2, 0, 1, 0, 2, 0, 1, 0], [0, 2, 0, 1, 0, 2, 0, 1]], 4000, 1.2, 23);
  const lines = ['customer_id,' + big.features.join(',')];
  for (let i = 0; i < big.n; i++) lines.push(`C${i + 1},${Array.from(big.raw.subarray(i * big.d, (i + 1) * big.d)).join(',')}`);
  const csv = join(dir, 'customers.csv');
  writeFileSync(csv, lines.join('\n') + '\n');
  return csv;
}

function requireBundles(...bundles: string[]): void {
  for (const bundle of bundles) {
    assert.ok(existsSync(join(DIST, bundle)), `dist/${bundle} exists (npm test builds it first; or run npm run build)`);
  }
}

/** The profile without the lines that name the run's time. */
function profileBody(path: string): string {
  return readFileSync(path, 'utf8').replace(/^\s*"timestamp": .*$/m, '');
}

test('the CLI bundle starts its engine threads from dist/engineThread.js, gives the profile of --threads 1, and ends at once', { skip: defaultThreadCount() < 2 && 'one core' }, () => {
  requireBundles('cli.js', 'engineThread.js');
  const dir = mkdtempSync(join(tmpdir(), 'segment-threads-'));
  try {
    const csv = writeBigCsv(dir);
    const cli = (threads: number) => {
      const out = join(dir, `threads-${threads}`);
      const started = Date.now();
      const run = spawnSync(process.execPath, [join(DIST, 'cli.js'), 'gmm', csv, '-k', '3', '--threads', String(threads), '--out', out, '--json'], {
        encoding: 'utf8',
        env: { ...process.env, NODE_DEBUG: 'segment' },
        timeout: 60_000,
      });
      assert.equal(run.status, 0, run.stderr);
      assert.ok(Date.now() - started < 30_000, `${Date.now() - started} ms`);
      const result = JSON.parse(run.stdout) as { json: string; assignments: string };
      return { stderr: run.stderr, json: result.json, assignments: result.assignments };
    };
    const two = cli(2);
    assert.match(two.stderr, /engine threads: 1 started/);
    assert.doesNotMatch(two.stderr, /not used|cannot start|failed/);
    const one = cli(1);
    assert.doesNotMatch(one.stderr, /engine threads: \d+ started/);
    assert.equal(profileBody(two.json), profileBody(one.json));
    assert.equal(readFileSync(two.assignments, 'utf8'), readFileSync(one.assignments, 'utf8'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the extension\'s background process (dist/worker.js) fits on engine threads and says so in its log', { skip: defaultThreadCount() < 2 && 'one core' }, async () => {
  requireBundles('worker.js', 'engineThread.js');
  const dir = mkdtempSync(join(tmpdir(), 'segment-threads-'));
  try {
    const csv = writeBigCsv(dir);
    const worker = fork(join(DIST, 'worker.js'), [], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    const messages: FromWorker[] = [];
    const ended = new Promise<void>((resolve, reject) => {
      worker.on('message', (message: FromWorker) => {
        messages.push(message);
        if (message.type === 'done' || message.type === 'error') worker.kill();
      });
      worker.on('exit', () => resolve());
      worker.on('error', reject);
    });
    const request: RunRequest = {
      type: 'run',
      source: { kind: 'file', path: csv },
      methods: ['gmm'],
      prepare: { missing: 'drop' },
      common: { nClusters: 3, randomSeed: 42, silhouetteSampleSize: 20000, threads: 2 },
      params: {
        gmm: { covarianceType: 'full', nInit: 1, maxIter: 100, tol: 1e-3, regCovar: 1e-6 },
        fuzzy: { fuzziness: 2, maxIterations: 150, convergenceThreshold: 1e-5, nInit: 1 },
        neural: { encodingDim: 3, epochs: 1, batchSize: 32, learningRate: 1e-3, backend: 'cpu', nInit: 1 },
      },
      outputDir: dir,
      now: Date.now(),
    };
    worker.send(request);
    await ended;
    const done = messages.find((m) => m.type === 'done');
    assert.ok(done, JSON.stringify(messages.filter((m) => m.type === 'error')));
    const logs = messages.flatMap((m) => (m.type === 'log' ? [m.message] : []));
    assert.ok(logs.some((line) => /^gmm: engine threads: 1 started, 2 threads in all$/.test(line)), logs.join('\n'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
