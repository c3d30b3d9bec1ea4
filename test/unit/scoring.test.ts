/**
 * The model file every export writes and scoring rows with it
 * (src/engine/scoring/): scoring the training CSV reproduces the
 * assignments file exactly, for each method and GMM covariance type, under
 * either missing-value policy; the file holds what PROFILE.md says; a file
 * that is not a model, or a CSV that does not fit the model, is one sentence.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { exportMethods, type MethodExport } from '../../src/engine/pipeline';
import { parseModelText, scoreRows, type ScoreResult } from '../../src/engine/scoring/score';
import { MODEL_FORMAT, parseModel } from '../../src/engine/scoring/modelFile';
import { readGmmModel, scoreGmm } from '../../src/engine/scoring/gmmModel';
import { scoringRows } from '../../src/engine/scoring/rows';
import { Random } from '../../src/engine/kernels/random';
import { assertIdentical, resetThreads } from '../helpers/threads';
import { engineThreadStats, threadTuning } from '../../src/engine/kernels/threads';
import { EmWorkspace } from '../../src/engine/kernels/gmm';
import { readCsvText } from '../../src/engine/data/csv';
import { prepareFeatures, type MissingPolicy } from '../../src/engine/data/prepare';
import { medianSorted } from '../../src/engine/kernels/stats';
import { choleskyLower } from '../../src/engine/kernels/linalg';
import { removeRunFiles, writeFileSet } from '../../src/engine/profile/export';
import { SCORING_KINDS, fileStamp } from '../../src/shared/timestamps';
import { TOOL_VERSION } from '../../src/engine/version';
import type { MethodKey, MethodOptions } from '../../src/shared/methods';
import { assertClose } from '../helpers/golden';
import { tempDir, type Ends } from '../helpers/tempDir';

const EXAMPLE = join(__dirname, '..', '..', 'examples', 'customers.csv');
const NOW = new Date(2026, 10, 24, 9, 30, 15);

async function exportOne<M extends MethodKey>(
  t: Ends,
  method: M,
  options: Partial<MethodOptions[M]>,
  missing: MissingPolicy = 'drop',
  csv = EXAMPLE,
): Promise<{ dir: string; done: MethodExport }> {
  const dir = tempDir(t, 'segment-score-');
  const [done] = await exportMethods({ source: { kind: 'file', path: csv }, prepare: { missing }, methods: [{ method, options }], outputDir: dir, now: NOW });
  return { dir, done };
}

function score(model: string, csv: string, outputDir: string, profile = false): Promise<ScoreResult> {
  return scoreRows({ model, source: { kind: 'file', path: csv }, outputDir, profile, threads: 1 });
}

function lines(path: string): string[] {
  return readFileSync(path, 'utf8').trimEnd().split('\n');
}

/** The scores file is the assignments file, line for line; GMM's lines go on with log_likelihood and unusual. */
function assertReproduces(result: ScoreResult, assignments: string, gmm: boolean): void {
  const expected = lines(assignments);
  const got = lines(result.scores);
  assert.equal(got.length, expected.length, 'rows');
  if (!gmm) {
    assert.deepEqual(got, expected);
    return;
  }
  assert.equal(got[0], `${expected[0]},log_likelihood,unusual`);
  for (let i = 1; i < expected.length; i++) {
    assert.ok(got[i].startsWith(`${expected[i]},`), `line ${i + 1}: ${got[i]} does not go on from ${expected[i]}`);
    assert.match(got[i].slice(expected[i].length), /^,-?\d[\d.e+-]*,[01]$/);
  }
}

const CASES: [string, MethodKey, Record<string, unknown>, MissingPolicy][] = [
  ['GMM full', 'gmm', { covarianceType: 'full' }, 'drop'],
  ['GMM tied', 'gmm', { covarianceType: 'tied' }, 'drop'],
  ['GMM diag', 'gmm', { covarianceType: 'diag' }, 'drop'],
  ['GMM spherical', 'gmm', { covarianceType: 'spherical' }, 'drop'],
  ['GMM full, median imputation', 'gmm', { covarianceType: 'full', nClusters: 3 }, 'median'],
  ['Fuzzy C-Means, m = 2', 'fuzzy', {}, 'drop'],
  ['Fuzzy C-Means, m = 1.5, median imputation', 'fuzzy', { fuzziness: 1.5, nClusters: 5 }, 'median'],
  ['Neural', 'neural', { epochs: 3, nClusters: 3 }, 'drop'],
];

for (const [name, method, options, missing] of CASES) {
  test(`${name}: scoring the training CSV with the model file reproduces its assignments file exactly`, async (t) => {
    const { dir, done } = await exportOne(t, method, options, missing);
    const result = await score(done.result.model, EXAMPLE, dir);
    assertReproduces(result, done.result.assignments, method === 'gmm');
    assert.deepEqual(
      [result.nRowsRead, result.nScored, result.nRowsDropped],
      missing === 'drop' ? [500, 497, 3] : [500, 500, 0],
    );
    if (method === 'gmm') {
      // 1st percentile of n values by linear interpolation: between the 5th and 6th lowest of 497 or 500.
      assert.equal(result.unusual?.count, 5);
      assert.equal(result.unusual?.threshold, JSON.parse(readFileSync(done.result.model, 'utf8')).unusual_threshold);
    } else {
      assert.equal(result.unusual, null);
    }
  });
}

test('two threads score a GMM as one does, bit for bit', async (t) => {
  const dir = tempDir(t, 'segment-score-');
  const csv = join(dir, 'many.csv');
  const rng = new Random(4);
  const rows = Array.from({ length: 40000 }, (_, i) => [i % 3, 2 * (i % 2), 0].map((c) => (c + rng.normal()).toFixed(4)).join(','));
  writeFileSync(csv, `a,b,c\n${rows.join('\n')}\n`);
  const { done } = await exportOne(t, 'gmm', { covarianceType: 'full', nClusters: 3 }, 'drop', csv);
  const { common, reader } = parseModel(readFileSync(done.result.model, 'utf8'), 'many.json');
  const scoring = readGmmModel(reader, common.features.length);
  const { data, source } = scoringRows(await readCsvText(readFileSync(csv, 'utf8'), 'many.csv'), common);
  const one = scoreGmm(scoring, source, data.n, 1);
  // The rows standardised chunk by chunk as the E-step reads them score as the whole standardised matrix does.
  const whole = new EmWorkspace(data.z, data.n, data.d, scoring.k, scoring.model.covarianceType, { rowLogLikelihoods: true }).posterior(scoring.model);
  assertIdentical(whole.resp, one.resp, 'posteriors from the matrix');
  assertIdentical(whole.logLikelihoods, one.logLikelihoods, 'log-likelihoods from the matrix');
  // scoreGmm's workspace on two threads, its one pass run 20 times: the engine thread surely takes chunks of some.
  threadTuning.minWork = 0;
  threadTuning.awaitStart = true;
  const before = engineThreadStats().chunksByThreads;
  const workspace = new EmWorkspace(new Float64Array(0), data.n, data.d, scoring.k, scoring.model.covarianceType, { threads: 2, rowLogLikelihoods: true, source });
  try {
    assert.equal(workspace.threads, 2);
    for (let pass = 0; pass < 20; pass++) {
      const two = workspace.posterior(scoring.model);
      assertIdentical(two.resp, one.resp, 'posteriors');
      assertIdentical(two.logLikelihoods, one.logLikelihoods, 'log-likelihoods');
    }
    workspace.close();
    assert.ok(engineThreadStats().chunksByThreads > before, 'the engine thread ran chunks');
  } finally {
    workspace.close();
    await resetThreads();
  }
  // And both are the fit's.
  assertReproduces(await score(done.result.model, csv, dir), done.result.assignments, true);
});

test('segment score on one thread and on three writes the same scores CSV, byte for byte', async (t) => {
  const dir = tempDir(t, 'segment-score-');
  const csv = join(dir, 'many.csv');
  const rng = new Random(9);
  // Ids, gaps (dropped rows) and posteriors of 0, 1 and in between, over many chunks of rows.
  const rows = Array.from({ length: 30000 }, (_, i) => {
    const cells = [i % 4, 2 * (i % 2), i % 3].map((c) => (c + 0.7 * rng.normal()).toFixed(5));
    if (i % 997 === 5) cells[1] = '';
    return `id-${i},${cells.join(',')}`;
  });
  writeFileSync(csv, `customer_id,a,b,c\n${rows.join('\n')}\n`);
  const { done } = await exportOne(t, 'gmm', { covarianceType: 'full', nClusters: 4 }, 'drop', csv);
  const one = await scoreRows({ model: done.result.model, source: { kind: 'file', path: csv }, outputDir: join(dir, 'one'), threads: 1, now: NOW });
  threadTuning.minWork = 0;
  threadTuning.awaitStart = true;
  const before = engineThreadStats().chunksByThreads;
  try {
    const three = await scoreRows({ model: done.result.model, source: { kind: 'file', path: csv }, outputDir: join(dir, 'three'), threads: 3, now: NOW });
    assert.ok(engineThreadStats().chunksByThreads > before, 'the engine threads ran chunks');
    assert.equal(one.nRowsDropped, 31);
    assert.ok(readFileSync(three.scores).equals(readFileSync(one.scores)), 'the same bytes');
  } finally {
    await resetThreads();
  }
  assertReproduces(one, done.result.assignments, true);
});

test('the GMM model file: the fields of PROFILE.md, scikit-learn layouts, components in profile cluster order', async (t) => {
  const { done } = await exportOne(t, 'gmm', { covarianceType: 'full' });
  const model = JSON.parse(readFileSync(done.result.model, 'utf8'));
  const profile = done.result.profile;
  assert.equal(basename(done.result.model), 'gmm_model_20261124_093015.json');
  assert.deepEqual(Object.keys(model), [
    'format',
    'method',
    'profile',
    'features',
    'scaler',
    'imputation',
    'id_column',
    'covariance_type',
    'weights',
    'means',
    'covariances',
    'precisions_cholesky',
    'unusual_threshold',
    'training',
  ]);
  assert.deepEqual(
    [model.format, model.method, model.profile, model.imputation, model.id_column, model.covariance_type],
    [MODEL_FORMAT, 'gmm', 'gmm_cluster_profile_20261124_093015.json', null, 'customer_id', 'full'],
  );
  assert.deepEqual(model.features, profile.features_used);
  assert.deepEqual(model.training, JSON.parse(JSON.stringify(profile.metadata)));
  const data = prepareFeatures(await readCsvText(readFileSync(EXAMPLE, 'utf8'), 'customers.csv'));
  assert.deepEqual(model.scaler, { mean: Array.from(data.mean), scale: Array.from(data.scale) });
  assert.deepEqual(model.weights, profile.mixture_weights);
  const d = model.features.length;
  model.means.forEach((mean: number[], c: number) => {
    const center = profile.clusters[`cluster_${c}`].cluster_center as Record<string, number>;
    mean.forEach((z, j) => assertClose(z * data.scale[j] + data.mean[j], center[model.features[j]], 1e-12, `cluster_${c} ${model.features[j]}`));
  });
  // precisions_cholesky[c] is scikit-learn's: upper triangular P with P·Pᵀ the inverse of covariances[c].
  for (let c = 0; c < model.weights.length; c++) {
    const P: number[][] = model.precisions_cholesky[c];
    const S: number[][] = model.covariances[c];
    for (let a = 0; a < d; a++) {
      for (let b = 0; b < a; b++) assert.equal(P[a][b], 0, `P[${c}] is upper triangular`);
      for (let b = 0; b < d; b++) {
        // (S · P · Pᵀ)[a][b] = δ_ab
        let s = 0;
        for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) s += S[a][i] * P[i][j] * P[b][j];
        assertClose(s, a === b ? 1 : 0, 1e-8, `S·P·Pᵀ of cluster_${c} at ${a},${b}`);
      }
    }
  }
});

test('the shapes of the other covariance types follow scikit-learn: tied d×d, diag k×d, spherical k', async (t) => {
  for (const [type, shape] of [
    ['tied', [24, 24]],
    ['diag', [4, 24]],
    ['spherical', [4]],
  ] as const) {
    const { done } = await exportOne(t, 'gmm', { covarianceType: type });
    const model = JSON.parse(readFileSync(done.result.model, 'utf8'));
    for (const key of ['covariances', 'precisions_cholesky']) {
      const dims: number[] = [];
      for (let v = model[key]; Array.isArray(v); v = v[0]) dims.push(v.length);
      assert.deepEqual(dims, shape, `${type} ${key}`);
    }
    if (type !== 'tied') {
      const flat = (v: unknown): number[] => (Array.isArray(v) ? v.flatMap(flat) : [v as number]);
      flat(model.covariances).forEach((v, i) => assertClose(flat(model.precisions_cholesky)[i], 1 / Math.sqrt(v), 1e-15, `${type} [${i}]`));
    } else {
      const L = new Float64Array(24 * 24);
      assert.ok(choleskyLower(Float64Array.from(model.covariances.flat()), 24, L));
    }
  }
});

test('the FCM and Neural model files: m and the centers; the layers, the latent centers and the backend', async (t) => {
  const fcm = (await exportOne(t, 'fuzzy', { fuzziness: 1.7, nClusters: 3 })).done;
  const fcmModel = JSON.parse(readFileSync(fcm.result.model, 'utf8'));
  assert.deepEqual(Object.keys(fcmModel), ['format', 'method', 'profile', 'features', 'scaler', 'imputation', 'id_column', 'm', 'centers', 'training']);
  assert.equal(fcmModel.m, 1.7);
  fcmModel.centers.forEach((center: number[], c: number) => {
    const original = fcm.result.profile.clusters[`cluster_${c}`].cluster_center as Record<string, number>;
    center.forEach((z, j) => assertClose(z * fcmModel.scaler.scale[j] + fcmModel.scaler.mean[j], original[fcmModel.features[j]], 1e-12, `center ${c}, ${j}`));
  });

  const neural = (await exportOne(t, 'neural', { epochs: 2, nClusters: 3, encodingDim: 5 })).done;
  const model = JSON.parse(readFileSync(neural.result.model, 'utf8'));
  assert.deepEqual(Object.keys(model), ['format', 'method', 'profile', 'features', 'scaler', 'imputation', 'id_column', 'backend', 'encoder', 'decoder', 'centers', 'training']);
  const shapes = (layers: { weights: number[][]; biases: number[]; activation: string }[]) =>
    layers.map((l) => [l.weights.length, l.weights[0].length, l.biases.length, l.activation]);
  assert.deepEqual(shapes(model.encoder), [
    [24, 64, 64, 'relu'],
    [64, 32, 32, 'relu'],
    [32, 5, 5, 'linear'],
  ]);
  assert.deepEqual(shapes(model.decoder), [
    [5, 32, 32, 'relu'],
    [32, 64, 64, 'relu'],
    [64, 24, 24, 'linear'],
  ]);
  assert.deepEqual([model.centers.length, model.centers[0].length], [3, 5]);
  assert.equal(model.backend, neural.result.profile.metadata.backend);
  // The weights are the float32 values the fit computed with.
  assert.ok(model.encoder[0].weights.flat().every((w: number) => Math.fround(w) === w));
});

test('under median imputation the model holds each feature\'s fill value: the median its gaps got, else the median of its values', async (t) => {
  const { done } = await exportOne(t, 'fuzzy', { nClusters: 3 }, 'median');
  const model = JSON.parse(readFileSync(done.result.model, 'utf8'));
  const table = await readCsvText(readFileSync(EXAMPLE, 'utf8'), 'customers.csv');
  const expected = model.features.map((f: string) => {
    const values = table.columns.find((c) => c.name === f)!.values.filter((v) => !Number.isNaN(v)).sort();
    return medianSorted(values);
  });
  assert.deepEqual(model.imputation, expected);
});

test('a row with a gap is scored with the fill value under median imputation, and dropped under drop', async (t) => {
  const text = readFileSync(EXAMPLE, 'utf8');
  const { dir, done } = await exportOne(t, 'gmm', { covarianceType: 'diag', nClusters: 3 }, 'median');
  const model = JSON.parse(readFileSync(done.result.model, 'utf8'));
  const header = text.split('\n')[0].split(',');
  // Row 1 twice: as it is with avg_order_value left empty, and with the model's fill value written in.
  const row = text.split('\n')[1].split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/);
  const column = header.indexOf('avg_order_value');
  const fill = model.imputation[model.features.indexOf('avg_order_value')];
  const gap = [...row];
  gap[column] = '';
  const filled = [...row];
  filled[column] = String(fill);
  const csv = join(dir, 'new.csv');
  writeFileSync(csv, `${header.join(',')}\n${gap.join(',')}\n${filled.join(',')}\n`);
  const result = await score(done.result.model, csv, dir);
  const [, first, second] = lines(result.scores);
  assert.equal(first.replace(/^1,/, ''), second.replace(/^2,/, ''));
  assert.deepEqual([result.nScored, result.nValuesImputed], [2, 1]);

  const dropping = await exportOne(t, 'gmm', { covarianceType: 'diag', nClusters: 3 });
  const dropped = await score(dropping.done.result.model, csv, dir);
  assert.deepEqual(lines(dropped.scores).map((l) => l.split(',')[0]), ['row', '2']);
  assert.equal(dropped.nRowsDropped, 1);
});

test('huge values (near 1e307) score exactly as they were fitted', async (t) => {
  const dir = tempDir(t, 'segment-score-');
  const csv = join(dir, 'huge.csv');
  const rows = Array.from({ length: 60 }, (_, i) => `${(i % 3) * 3e307 - 4e307 + i * 1e305},${(i % 3) + Math.sin(i)},${i % 7}`);
  writeFileSync(csv, `a,b,c\n${rows.join('\n')}\n`);
  for (const method of ['gmm', 'fuzzy'] as const) {
    const { dir: out, done } = await exportOne(t, method, { nClusters: 3 }, 'drop', csv);
    assertReproduces(await score(done.result.model, csv, out), done.result.assignments, method === 'gmm');
  }
});

test('a profile of the training rows scored with the model has the training profile\'s clusters, column sections and metrics, and says which model', async (t) => {
  for (const [method, options] of [
    ['gmm', { covarianceType: 'tied' }],
    ['fuzzy', {}],
    ['neural', { epochs: 2 }],
  ] as const) {
    const { dir, done } = await exportOne(t, method, options);
    const result = await score(done.result.model, EXAMPLE, dir, true);
    const training = done.result.profile;
    const scored = JSON.parse(readFileSync(result.json!, 'utf8'));
    assert.deepEqual(scored, JSON.parse(JSON.stringify(result.profile)));
    // Everything but the metadata and the metrics as the training profile has it: clusters, column sections, separation.
    const trainingDocument = JSON.parse(JSON.stringify(training));
    assert.deepEqual(Object.keys(scored), Object.keys(trainingDocument), method);
    for (const key of Object.keys(trainingDocument)) {
      if (key !== 'metadata' && key !== 'metrics') assert.deepEqual(scored[key], trainingDocument[key], `${method} ${key}`);
    }
    for (const [key, value] of Object.entries(training.metrics)) {
      if (typeof value === 'number') assertClose(scored.metrics[key], value, 1e-12, `${method} ${key}`);
      else assert.deepEqual(scored.metrics[key], value, `${method} ${key}`);
    }
    const { scored_with: scoredWith, timestamp, warnings, ...rest } = scored.metadata;
    assert.equal(scoredWith, basename(done.result.model));
    assert.equal(typeof timestamp, 'string');
    assert.deepEqual(warnings, []);
    const trainingMetadata = JSON.parse(JSON.stringify(training.metadata));
    const trainingExcluded = trainingMetadata.excluded_columns;
    for (const key of ['timestamp', 'warnings', 'excluded_columns']) delete trainingMetadata[key];
    const { excluded_columns: scoredExcluded, ...scoredRest } = rest;
    assert.deepEqual(scoredRest, trainingMetadata, `${method} metadata`);
    assert.deepEqual(
      scoredExcluded.map((e: { column: string }) => e.column),
      trainingExcluded.map((e: { column: string }) => e.column),
    );
    assert.equal(scoredExcluded[0].reason, 'the id column');
    assert.equal(scoredExcluded[1].reason, 'not a feature of the model');
  }
});

test('the model names the profile it was written with, under the suffix the set got when a name was taken', async (t) => {
  const dir = tempDir(t, 'segment-score-');
  const taken = join(dir, 'gmm_model_20261124_093015.json');
  writeFileSync(taken, 'not ours');
  const [done] = await exportMethods({ source: { kind: 'file', path: EXAMPLE }, prepare: {}, methods: [{ method: 'gmm', options: {} }], outputDir: dir, now: NOW });
  assert.deepEqual(
    [done.result.json, done.result.yaml, done.result.assignments, done.result.model].map((p) => basename(p)),
    [
      'gmm_cluster_profile_20261124_093015_2.json',
      'gmm_cluster_profile_20261124_093015_2.yaml',
      'gmm_assignments_20261124_093015_2.csv',
      'gmm_model_20261124_093015_2.json',
    ],
  );
  assert.equal(JSON.parse(readFileSync(done.result.model, 'utf8')).profile, 'gmm_cluster_profile_20261124_093015_2.json');
  assert.equal(readFileSync(taken, 'utf8'), 'not ours');
  // The JSON is written first and linked last: of the pair, the YAML is the newer file (the panel shows the newer).
  assert.ok(statSync(done.result.yaml).mtimeMs >= statSync(done.result.json).mtimeMs);
});

test('a set of files is linked in the order given: the model after the assignments and the YAML, before the JSON', async (t) => {
  const dir = tempDir(t, 'segment-score-');
  const seen: string[][] = [];
  const present = () => readdirSync(dir).filter((f) => !f.startsWith('.')).sort();
  await writeFileSet(dir, 'the profile files', {
    assignments: { name: (s) => `a${s}.csv`, content: 'a' },
    yaml: { name: (s) => `p${s}.yaml`, content: 'y' },
    model: {
      name: (s) => `m${s}.json`,
      content: (paths) => {
        seen.push(present());
        return `{"profile": "${basename(paths.json)}"}`;
      },
    },
    json: { name: (s) => `p${s}.json`, content: 'j' },
  });
  assert.deepEqual(seen, [['a.csv', 'p.yaml']]);
  assert.deepEqual(present(), ['a.csv', 'm.json', 'p.json', 'p.yaml']);
  assert.equal(readFileSync(join(dir, 'm.json'), 'utf8'), '{"profile": "p.json"}');
});

test('a run cancelled after its first method was written takes back that method\'s model file too', async (t) => {
  const dir = tempDir(t, 'segment-score-');
  const controller = new AbortController();
  await assert.rejects(
    exportMethods(
      {
        source: { kind: 'file', path: EXAMPLE },
        prepare: {},
        methods: [
          { method: 'gmm', options: {} },
          { method: 'fuzzy', options: {} },
        ],
        outputDir: dir,
        now: NOW,
      },
      {
        signal: controller.signal,
        onWritten: ({ result }) => {
          assert.ok(existsSync(result.model));
          controller.abort();
        },
      },
    ),
    { code: 'CANCELLED' },
  );
  assert.deepEqual(readdirSync(dir), []);
});

test("a killed run's model and scores files are found by its timestamp and removed", async (t) => {
  const dir = tempDir(t, 'segment-score-');
  const stamp = fileStamp(NOW);
  const names = [`gmm_model_${stamp}.json`, `gmm_scores_${stamp}.csv`, `gmm_scores_${stamp}_2.csv`, 'gmm_model_20200101_000000.json', 'notes.txt'];
  for (const name of names) writeFileSync(join(dir, name), '');
  const removed = await removeRunFiles({ outputDir: dir, now: NOW, pid: -1, methods: ['gmm'] });
  assert.deepEqual(removed.map((p) => basename(p)).sort(), names.slice(0, 3).sort());
  assert.deepEqual(readdirSync(dir).sort(), ['gmm_model_20200101_000000.json', 'notes.txt']);
});

test("after a killed scoring, strict removal spares the export of the same second it followed, and an export's model", async (t) => {
  const dir = tempDir(t, 'segment-score-');
  const started = new Date();
  const stamp = fileStamp(started);
  const training = [`gmm_cluster_profile_${stamp}.json`, `gmm_model_${stamp}.json`];
  for (const name of training) writeFileSync(join(dir, name), '');
  const earlier = new Date(started.getTime() - 500);
  for (const name of training) utimesSync(join(dir, name), earlier, earlier);
  const scoring = [`gmm_scores_${stamp}.csv`, `gmm_cluster_profile_${stamp}_2.json`];
  for (const name of scoring) writeFileSync(join(dir, name), '');
  const removed = await removeRunFiles({ outputDir: dir, now: started, pid: -1, methods: ['gmm'], kinds: SCORING_KINDS, strict: true });
  assert.deepEqual(removed.map((p) => basename(p)).sort(), [...scoring].sort());
  assert.deepEqual(readdirSync(dir).sort(), [...training].sort());
  // Without strict, the second's slack would take the training profile too (and all kinds, its model).
  const loose = await removeRunFiles({ outputDir: dir, now: started, pid: -1, methods: ['gmm'] });
  assert.deepEqual(loose.map((p) => basename(p)).sort(), [...training].sort());
});

test('a new CSV without the training\'s id column: the scores name rows by number, and a warning says so', async (t) => {
  const { dir, done } = await exportOne(t, 'fuzzy', { nClusters: 3 });
  const text = readFileSync(EXAMPLE, 'utf8').replace(/^customer_id,/, 'client,').split('\n').slice(0, 6).join('\n');
  const csv = join(dir, 'new.csv');
  writeFileSync(csv, `${text}\n`);
  const result = await score(done.result.model, csv, dir);
  assert.match(lines(result.scores)[0], /^row,cluster,membership_cluster_0,/);
  assert.deepEqual(result.warnings, ['"new.csv" has no column "customer_id" (the id column of the training data), so the scores name each row by its number only.']);
});

// ---------------------------------------------------------------------------
// What is not a model, and what does not fit one

/** The message scoring `csvText` with a GMM model of the example gives. */
async function csvError(t: Ends, csvText: string): Promise<string> {
  const { dir, done } = await exportOne(t, 'gmm', { covarianceType: 'diag', nClusters: 2 });
  const csv = join(dir, 'new.csv');
  writeFileSync(csv, csvText);
  const error = await score(done.result.model, csv, dir).then(
    () => assert.fail('scoring should fail'),
    (e: Error) => e,
  );
  assert.deepEqual(readdirSync(dir).filter((f) => f.includes('_scores_')), [], 'nothing written');
  return `${(error as { code?: string }).code}: ${error.message}`;
}

function exampleWith(edit: (header: string[], rows: string[][]) => void): string {
  const [head, ...rest] = readFileSync(EXAMPLE, 'utf8').trimEnd().split('\n');
  const split = (line: string) => line.split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/);
  const header = split(head);
  const rows = rest.slice(0, 20).map(split);
  edit(header, rows);
  return `${[header, ...rows].map((r) => r.join(',')).join('\n')}\n`;
}

test('a column the model needs is missing: the message names it, suggests a near name, and lists the columns', async (t) => {
  const text = exampleWith((header) => {
    header[header.indexOf('recency_days')] = 'Recency_Days';
  });
  const message = await csvError(t, text);
  assert.match(message, /^UNKNOWN_COLUMN: The model gmm_model_20261124_093015\.json needs a column "recency_days", which "new\.csv" does not have\. Did you mean "Recency_Days"\? Its columns are: customer_id, first_name, city, loyalty_tier, signup_date, favourite_store, total_revenue, Recency_Days, and 22 more\.$/);
});

test('a value that is not a number in a model column: the message names the column, the value and its line', async (t) => {
  const text = exampleWith((header, rows) => {
    const j = header.indexOf('return_rate');
    rows[4][j] = 'about 5%';
    rows[9][j] = 'high';
  });
  assert.equal(
    await csvError(t, text),
    'COLUMN_NOT_NUMERIC: Column "return_rate" of "new.csv" has "about 5%" on line 6 (and 1 more value like it), but the model needs a number there. ' +
      'Correct the value, or leave the cell empty to treat it as missing.',
  );
  const one = exampleWith((header, rows) => {
    rows[0][header.indexOf('total_revenue')] = '12 EUR';
  });
  assert.equal(
    await csvError(t, one),
    'COLUMN_NOT_NUMERIC: Column "total_revenue" of "new.csv" has "12 EUR" on line 2, but the model needs a number there. ' +
      'Correct the value, or leave the cell empty to treat it as missing.',
  );
});

test('an infinite value in a model column is refused with its line; every row with a gap under drop leaves nothing to score', async (t) => {
  const infinite = exampleWith((header, rows) => {
    rows[2][header.indexOf('avg_order_value')] = 'inf';
  });
  assert.equal(
    await csvError(t, infinite),
    'NON_FINITE_VALUE: Column "avg_order_value" has an infinite value ("inf") on line 4. Replace it with a finite number or leave the cell empty to treat it as missing.',
  );
  const gaps = exampleWith((header, rows) => {
    for (const row of rows) row[header.indexOf('return_rate')] = 'NA';
  });
  assert.match(
    await csvError(t, gaps),
    /^NO_DATA_ROWS: Every row of "new\.csv" has a missing value in at least one of the model's columns \(total_revenue, recency_days, .+, and 16 more\), so no rows are left to score\. The model drops such rows, as its training did: fill the gaps, or score with a model exported with median imputation\.$/,
  );
});

/** A model document to break in a test: any field, any depth. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Model = Record<string, any>;

/** The message parseModelText gives for a document. */
function modelError(text: string, name = 'm.json'): string {
  try {
    parseModelText(text, name);
  } catch (error) {
    return `${(error as { code: string }).code}: ${(error as Error).message}`;
  }
  return assert.fail('parseModelText should fail');
}

test('a file that is not a model, or a model of another format, is refused in one sentence naming the file', () => {
  let jsonMessage = '';
  try {
    JSON.parse('{"format": ');
  } catch (error) {
    jsonMessage = (error as Error).message;
  }
  assert.equal(modelError('{"format": '), `INVALID_MODEL: "m.json" is not a Segment model file: it is not JSON (${jsonMessage}).`);
  assert.equal(modelError('[1, 2]'), 'INVALID_MODEL: "m.json" is not a Segment model file: it holds a list, not an object.');
  assert.equal(modelError('"model"'), 'INVALID_MODEL: "m.json" is not a Segment model file: it holds a string, not an object.');
  assert.equal(
    modelError('{"metadata": {}, "metrics": {}, "features_used": [], "clusters": {}}', 'gmm_cluster_profile_20261124_093015.json'),
    'INVALID_MODEL: "gmm_cluster_profile_20261124_093015.json" is a cluster profile, not a model file: score with the {method}_model_{timestamp}.json written beside it.',
  );
  assert.equal(
    modelError('{"method": "gmm"}'),
    'INVALID_MODEL: "m.json" is not a Segment model file: it has no "format" field. Score with a {method}_model_{timestamp}.json that an export wrote.',
  );
  assert.equal(
    modelError('{"format": "segment-model/2"}'),
    `INVALID_MODEL: "m.json" is a model of format "segment-model/2", which Segment ${TOOL_VERSION} cannot read (it reads "segment-model/1"). ` +
      'Score with the version of Segment that wrote it, or export the model again.',
  );
});

test('a model file with a field of the wrong shape names the field and what it must be', async (t) => {
  const gmm = JSON.parse(readFileSync((await exportOne(t, 'gmm', { covarianceType: 'full', nClusters: 3 })).done.result.model, 'utf8'));
  const neural = JSON.parse(readFileSync((await exportOne(t, 'neural', { epochs: 1, nClusters: 3 })).done.result.model, 'utf8'));
  const fcm = JSON.parse(readFileSync((await exportOne(t, 'fuzzy', { nClusters: 3 })).done.result.model, 'utf8'));
  const broken = (model: Record<string, unknown>, edit: (m: Model) => void) => {
    const copy = JSON.parse(JSON.stringify(model));
    edit(copy);
    return modelError(JSON.stringify(copy));
  };
  const prefix = 'INVALID_MODEL: "m.json" is not a valid Segment model: ';
  const cases: [Record<string, unknown>, (m: Model) => void, string][] = [
    [gmm, (m) => (m.method = 'kmeans'), '"method" must be "gmm", "fuzzy" or "neural".'],
    [gmm, (m) => (m.features = ['a', 'a']), '"features" must be a list of distinct column names or {column, level} indicators.'],
    [gmm, (m) => (m.scaler.scale[3] = 0), '"scaler.scale" must be 24 positive numbers (one per feature).'],
    [gmm, (m) => m.scaler.mean.pop(), '"scaler.mean" must be 24 numbers (one per feature).'],
    [gmm, (m) => (m.imputation = [1, 2]), '"imputation" must be 24 numbers (one per feature) or null.'],
    [gmm, (m) => (m.id_column = 3), '"id_column" must be a column name or null.'],
    [gmm, (m) => delete m.training, '"training" must be an object.'],
    [gmm, (m) => (m.covariance_type = 'round'), '"covariance_type" must be "full", "tied", "diag" or "spherical".'],
    [gmm, (m) => (m.weights[1] = -0.2), '"weights" must be a list of positive numbers.'],
    [gmm, (m) => (m.weights = [1]), '"weights" must be at least 2 positive numbers (one per cluster).'],
    [gmm, (m) => (m.means[2] = m.means[2].slice(1)), '"means" must be 3 lists of 24 numbers.'],
    [gmm, (m) => (m.covariances[0][0][0] = 'x'), '"covariances" must be 3 lists of 24 lists of 24 numbers.'],
    [gmm, (m) => (m.precisions_cholesky[1][5][5] = -1), '"precisions_cholesky" must be 3 × 24 × 24 numbers, the Cholesky factors of the precisions (a positive diagonal).'],
    [gmm, (m) => (m.unusual_threshold = null), '"unusual_threshold" must be a number.'],
    [fcm, (m) => (m.m = 1), '"m" must be a number greater than 1.'],
    [fcm, (m) => (m.centers = [m.centers[0]]), '"centers" must be at least 2 lists of 24 numbers (one per cluster).'],
    [neural, (m) => (m.backend = 'gpu'), '"backend" must be "wasm" or "cpu".'],
    [neural, (m) => (m.encoder[1].activation = 'tanh'), '"encoder[1].activation" must be "relu" or "linear".'],
    [neural, (m) => m.encoder[1].biases.pop(), '"encoder[1].biases" must be 32 numbers (one per output).'],
    [neural, (m) => (m.encoder[0].weights = m.encoder[0].weights.slice(1)), '"encoder[0].weights" must be 24 lists of 64 numbers.'],
    [neural, (m) => m.decoder.pop(), '"decoder" must be layers whose last has 24 outputs (one per feature).'],
    [neural, (m) => (m.encoder = []), '"encoder" must be a list of objects.'],
    [neural, (m) => (m.centers[1] = [0]), `"centers" must be 3 lists of ${neural.centers[0].length} numbers.`],
  ];
  for (const [model, edit, message] of cases) assert.equal(broken(model, edit), prefix + message);
});

test('a model file that is not there', async (t) => {
  const dir = tempDir(t, 'segment-score-');
  const missing = join(dir, 'gone.json');
  await assert.rejects(score(missing, EXAMPLE, dir), { code: 'FILE_NOT_FOUND', message: `No file at ${missing}. Check the path of the model file.` });
});

test('clusters no new row went to are named in a warning (their statistics in a profile are null)', async (t) => {
  const { dir, done } = await exportOne(t, 'fuzzy', { nClusters: 3 });
  const [header, first] = readFileSync(EXAMPLE, 'utf8').split('\n');
  const csv = join(dir, 'same.csv');
  writeFileSync(csv, `${header}\n${first}\n${first}\n`);
  const plain = await score(done.result.model, csv, dir);
  const label = Number(lines(plain.scores)[1].split(',')[2]);
  const others = [0, 1, 2].filter((c) => c !== label).map((c) => `cluster_${c}`).join(', ');
  assert.deepEqual(plain.warnings, [`${others} got none of the 2 rows scored.`]);
  const profiled = await score(done.result.model, csv, dir, true);
  assert.deepEqual(profiled.warnings, [`${others} got none of the 2 rows scored, so their statistics in the profile are null.`]);
  const profile = JSON.parse(readFileSync(profiled.json!, 'utf8'));
  assert.deepEqual(profile.metadata.warnings, profiled.warnings);
  assert.equal(profile.clusters[`cluster_${label}`].size, 2);
  assert.equal(profile.metrics.silhouette_score, null, 'undefined for one cluster, as for a fit');
});
