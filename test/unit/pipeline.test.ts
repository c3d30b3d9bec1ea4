/**
 * The one run pipeline (src/engine/pipeline.ts) that the CLI and the
 * extension's worker share: options, then the data against every method,
 * before any fit; all files or none.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { exportMethods } from '../../src/engine/pipeline';
import { OPTION_SETTINGS } from '../../src/engine/methods/options';
import { GaussianMixtureSegmentation } from '../../src/engine/methods/gmmSegmentation';
import { encodingDimFor } from '../../src/engine/methods/neuralSegmentation';
import type { RunRequest } from '../../src/shared/workerProtocol';
import { runWorker } from '../helpers/worker';
import { preparedFromRaw } from '../helpers/data';
import { tempDir } from '../helpers/tempDir';

const ROOT = join(__dirname, '..', '..');
const EXAMPLE = join(ROOT, 'examples', 'customers.csv');
const THREE_COLUMNS = ['total_revenue', 'recency_days', 'return_rate'];



test("the Neural latent width, when not given, comes from the data: min(10, ⌈d/2⌉), at least 2, below d", () => {
  const widths = [2, 3, 4, 5, 9, 19, 20, 24, 100].map((d) => [d, encodingDimFor({ encodingDim: 'auto' }, d)]);
  assert.deepEqual(widths, [
    [2, 1],
    [3, 2],
    [4, 2],
    [5, 3],
    [9, 5],
    [19, 10],
    [20, 10],
    [24, 10],
    [100, 10],
  ]);
  assert.equal(encodingDimFor({ encodingDim: 7 }, 24), 7);
});

test('all three methods on a CSV with 3 numeric columns: the Neural width is chosen from the data and recorded', async (t) => {
  const dir = tempDir(t, 'segment-pipeline-');
  const done = await exportMethods({
    source: { kind: 'file', path: EXAMPLE },
    prepare: { columns: THREE_COLUMNS },
    methods: [
      { method: 'gmm', options: { nClusters: 3 } },
      { method: 'fuzzy', options: { nClusters: 3 } },
      { method: 'neural', options: { nClusters: 3, epochs: 2 } },
    ],
    outputDir: dir,
  });
  assert.deepEqual(
    done.map((d) => d.method),
    ['gmm', 'fuzzy', 'neural'],
  );
  const neural = JSON.parse(readFileSync(done[2].result.json, 'utf8'));
  assert.deepEqual([neural.metadata.encoding_dim, neural.metadata.encoding_dim_chosen], [2, 'auto']);
  assert.equal(readdirSync(dir).length, 12);
});

test('every method is checked against the data before any is fitted: nothing is fitted, nothing written', async (t) => {
  const dir = tempDir(t, 'segment-pipeline-');
  const started: string[] = [];
  await assert.rejects(
    exportMethods(
      {
        source: { kind: 'file', path: EXAMPLE },
        prepare: { columns: THREE_COLUMNS },
        methods: [
          { method: 'gmm', options: {} },
          { method: 'fuzzy', options: {} },
          { method: 'neural', options: { encodingDim: 10 } },
        ],
        outputDir: dir,
        optionNames: OPTION_SETTINGS,
      },
      { onMethodStart: (method) => started.push(method) },
    ),
    {
      code: 'INVALID_OPTION',
      message:
        'segment.neural.encodingDim must be smaller than the number of features (got 10 with 3 features): the autoencoder has to compress the data. ' +
        'Set segment.neural.encodingDim to at most 2, leave it to be chosen from the data, or cluster on more columns.',
    },
  );
  assert.deepEqual(started, []);
  assert.deepEqual(readdirSync(dir), []);
});

test("a wrong option is reported before the file is read, named as the caller's user knows it", async (t) => {
  const dir = tempDir(t, 'segment-pipeline-');
  await assert.rejects(
    exportMethods({
      source: { kind: 'file', path: join(dir, 'no-such-file.csv') },
      prepare: {},
      methods: [{ method: 'gmm', options: { nClusters: 1 } }],
      outputDir: dir,
      optionNames: OPTION_SETTINGS,
    }),
    { code: 'INVALID_OPTION', message: 'segment.clusters must be a whole number of at least 2 (got 1).' },
  );
});

test("Export All in the extension's worker (dist/worker.js) refuses before fitting when one method cannot run, naming the setting", async (t) => {
  const dir = tempDir(t, 'segment-pipeline-');
  const request: RunRequest = {
    type: 'run',
    source: { kind: 'file', path: EXAMPLE },
    methods: ['gmm', 'fuzzy', 'neural'],
    prepare: { columns: THREE_COLUMNS, missing: 'drop' },
    common: { nClusters: 3 },
    params: { gmm: {}, fuzzy: {}, neural: { encodingDim: 5 } },
    outputDir: dir,
    now: Date.now(),
  };
  const messages = await runWorker(request);
  const error = messages.find((m) => m.type === 'error');
  assert.deepEqual(error, {
    type: 'error',
    code: 'INVALID_OPTION',
    message:
      'segment.neural.encodingDim must be smaller than the number of features (got 5 with 3 features): the autoencoder has to compress the data. ' +
      'Set segment.neural.encodingDim to at most 2, leave it to be chosen from the data, or cluster on more columns.',
  });
  assert.ok(!messages.some((m) => m.type === 'progress' && m.phase === 'fit'), 'no method was fitted');
  assert.deepEqual(readdirSync(dir), []);
});

test('EM stopped after one iteration says so without a NaN change', async () => {
  const raw = Float64Array.from({ length: 120 }, (_, i) => (i % 2 ? 5 : 0) + Math.sin(i) + (i % 4 === 0 ? 10 : 0));
  const data = preparedFromRaw(raw, 60, 2, ['a', 'b']);
  const one = await new GaussianMixtureSegmentation({ nClusters: 3, maxIter: 1 }).generateClusterProfile(data);
  assert.deepEqual(one.metadata.warnings, ['EM did not converge in 1 iteration (tol 0.001). Raise max_iter or tol, or try fewer clusters.']);
  const two = await new GaussianMixtureSegmentation({ nClusters: 3, maxIter: 2, tol: 1e-12 }).generateClusterProfile(data);
  assert.match(
    String((two.metadata.warnings as string[])[0]),
    /^EM did not converge in 2 iterations \(last change of the lower bound \d[.\de+-]*, tol 1e-12\)\. Raise max_iter or tol, or try fewer clusters\.$/,
  );
});
