/**
 * EM on engine threads (src/engine/kernels/threads.ts, src/engine/kernels/gmmKernels.ts):
 * the same results bit for bit as on one thread, no thread left behind after
 * a fit or a cancelled one, and a fall-back to one thread when the threads
 * cannot start or fail.
 */
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fitGmm, GMM_DEFAULTS, type GmmFit, type GmmOptions } from '../../src/engine/methods/gmmSegmentation';
import { COVARIANCE_TYPES } from '../../src/engine/kernels/gmm';
import { defaultThreadCount, engineThreadStats } from '../../src/engine/kernels/threads';
import { THREAD_FIXTURES as FIXTURES, assertIdentical, onTwoThreads, overlappingBlobs, cancelTest, fallbackTests, resetThreads, threadsGone } from '../helpers/threads';
import { blobs } from '../helpers/data';
import { originalMatrix, type PreparedData } from '../../src/engine/data/prepare';
import type { RunRequest } from '../../src/shared/workerProtocol';
import { runWorker } from '../helpers/worker';
import { tempDir } from '../helpers/tempDir';

const DIST = join(__dirname, '..', '..', 'dist');

const data: PreparedData = overlappingBlobs(17);

function fit(options: Partial<GmmOptions>, log?: string[]): GmmFit {
  return fitGmm(data, { ...GMM_DEFAULTS, ...options }, { onLog: (message) => log?.push(message) });
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
  assertIdentical(a.logLikelihoods, b.logLikelihoods, 'row log-likelihoods');
  assert.ok(Object.is(a.unusualThreshold, b.unusualThreshold), 'unusual threshold');
}

afterEach(resetThreads);

for (const covarianceType of COVARIANCE_TYPES) {
  test(`${covarianceType}: two threads give the same fit as one, bit for bit`, async () => {
    const options: Partial<GmmOptions> = { covarianceType, tol: 1e-6, nInit: 2 };
    const single = fit({ ...options, threads: 1 });
    // Small data: the work threshold lowered for the threads.
    assertSameFit(single, onTwoThreads(() => fit({ ...options, threads: 2 })));
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

cancelTest('a fit', (control) => fitGmm(data, { ...GMM_DEFAULTS, tol: 1e-12, threads: 2 }, control));

fallbackTests('a fit', (threads, log) => fit({ threads }, log), assertSameFit);

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
  const raw = originalMatrix(big);
  for (let i = 0; i < big.n; i++) lines.push(`C${i + 1},${Array.from(raw.subarray(i * big.d, (i + 1) * big.d)).join(',')}`);
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

test('the CLI bundle starts its engine threads from dist/engineThread.js, gives the profile of --threads 1, and ends at once', { skip: defaultThreadCount() < 2 && 'one core' }, (t) => {
  requireBundles('cli.js', 'engineThread.js');
  const dir = tempDir(t, 'segment-threads-');
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
});

test('the extension\'s background process (dist/worker.js) fits on engine threads and says so in its log', { skip: defaultThreadCount() < 2 && 'one core' }, async (t) => {
  requireBundles('worker.js', 'engineThread.js');
  const dir = tempDir(t, 'segment-threads-');
  const csv = writeBigCsv(dir);
  const request: RunRequest = {
    type: 'run',
    source: { kind: 'file', path: csv },
    methods: ['gmm'],
    prepare: { missing: 'drop' },
    common: { nClusters: 3, threads: 2 },
    params: { gmm: {}, fuzzy: {}, neural: {} },
    outputDir: dir,
    now: Date.now(),
  };
  const messages = await runWorker(request);
  const done = messages.find((m) => m.type === 'done');
  assert.ok(done, JSON.stringify(messages.filter((m) => m.type === 'error')));
  const logs = messages.flatMap((m) => (m.type === 'log' ? [m.message] : []));
  assert.ok(logs.some((line) => /^gmm: engine threads: 1 started, 2 threads in all$/.test(line)), logs.join('\n'));
});
