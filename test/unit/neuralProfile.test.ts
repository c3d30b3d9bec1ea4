import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { load } from 'js-yaml';
import { parse } from 'csv-parse/sync';
import { NEURAL_DEFAULTS, NeuralSegmentation, fitNeural, meanSquaredError, type NeuralOptions } from '../../src/engine/methods/neuralSegmentation';
import { Autoencoder, type AutoencoderWeights } from '../../src/engine/methods/autoencoder';
import { liveTensors } from '../../src/engine/methods/tfBackend';
import { silhouetteScore } from '../../src/engine/kernels/metrics';
import { defaultThreadCount } from '../../src/engine/kernels/threads';
import { mean as meanOf, std } from '../../src/engine/kernels/stats';
import { methodFlags } from '../../src/cli/methodFlags';
import { main } from '../../src/cli/main';
import { capture } from '../helpers/cli';
import { blobs, preparedFromRaw } from '../helpers/data';
import { originalMatrix, originalValues } from '../../src/engine/data/prepare';
import { assertClose } from '../helpers/golden';
import { tempDir, type Ends } from '../helpers/tempDir';

const ROOT = resolve(__dirname, '..', '..');
const EXAMPLE = join(ROOT, 'examples', 'customers.csv');
const BUNDLE = join(ROOT, 'dist', 'cli.js');
const NOW = new Date(2026, 0, 2, 3, 4, 5);

/** Three unequal blobs (30, 20, 10 rows) in 5 features, original units far from 0. */
function customers() {
  const data = blobs(
    [
      [100, 5, 40, 10, 300],
      [900, 50, 10, 30, 100],
      [400, 25, 70, 50, 200],
    ],
    30,
    2,
    4,
    ['revenue', 'orders', 'recency', 'returns', 'basket'],
  );
  const keep = Array.from({ length: data.n }, (_, i) => i).filter((i) => !(i >= 40 && i < 50) && !(i >= 60 && i < 80));
  const all = originalMatrix(data);
  const raw = Float64Array.from(keep.flatMap((i) => Array.from(all.subarray(i * 5, i * 5 + 5))));
  return preparedFromRaw(raw, keep.length, 5, data.features);
}

/** Small and quick: 2 latent values, 40 epochs of batch 16. */
const QUICK: Partial<NeuralOptions> = { nClusters: 3, encodingDim: 2, epochs: 40, batchSize: 16 };

/** The autoencoder's forward pass in float64 JavaScript, from its float32 weights. */
function forward(weights: AutoencoderWeights, x: Float64Array, n: number): Float64Array {
  const { sizes, relu } = weights.architecture;
  let a = x;
  for (let l = 0; l < sizes.length - 1; l++) {
    const [rows, cols] = [sizes[l], sizes[l + 1]];
    const out = new Float64Array(n * cols);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < cols; j++) {
        let s = weights.biases[l][j];
        for (let t = 0; t < rows; t++) s += a[i * rows + t] * weights.kernels[l][t * cols + j];
        out[i * cols + j] = relu[l] ? Math.max(0, s) : s;
      }
    }
    a = out;
  }
  return a;
}

test('the Neural profile has every field PROFILE.md lists, clusters numbered by descending size', async () => {
  const data = customers();
  const profile = await new NeuralSegmentation(QUICK).generateClusterProfile(data, {}, NOW);
  assert.deepEqual(Object.keys(profile), ['metadata', 'metrics', 'features_used', 'categorical_overview', 'separation', 'clusters']);
  const m = profile.metadata;
  assert.equal(m.method, 'Neural Network (Autoencoder + K-Means)');
  assert.equal(m.n_clusters, 3);
  assert.equal(m.n_samples, 60);
  assert.equal(m.random_seed, 42);
  assert.equal(m.scaling, 'standard');
  assert.equal(m.silhouette_sample_size, null);
  assert.match(m.timestamp as string, /^2026-01-02T03:04:05[+-]\d\d:\d\d$/);
  const keys = Object.keys(m);
  assert.deepEqual(keys.slice(keys.indexOf('encoding_dim')), [
    'encoding_dim',
    'encoding_dim_chosen',
    'epochs',
    'batch_size',
    'encoder_layers',
    'decoder_layers',
    'activation',
    'bottleneck_activation',
    'output_activation',
    'optimizer',
    'learning_rate',
    'loss',
    'backend',
    'tfjs_version',
    'final_loss',
    'loss_history',
    'n_init',
    'kmeans_max_iter',
    'kmeans_tol',
    'kmeans_n_iterations',
    'kmeans_converged',
    'kmeans_inertia',
    'warnings',
  ]);
  assert.deepEqual(
    [m.encoding_dim, m.epochs, m.batch_size, m.encoder_layers, m.decoder_layers, m.activation, m.bottleneck_activation, m.output_activation],
    [2, 40, 16, [64, 32, 2], [32, 64, 5], 'relu', 'linear', 'linear'],
  );
  assert.deepEqual([m.optimizer, m.learning_rate, m.loss, m.backend, m.tfjs_version], ['adam', 0.001, 'mean_squared_error', 'wasm', '4.22.0']);
  assert.deepEqual([m.n_init, m.kmeans_max_iter, m.kmeans_tol, m.kmeans_converged], [10, 300, 1e-4, true]);
  const history = m.loss_history as number[];
  assert.equal(history.length, 40);
  assert.equal(m.final_loss, history[39]);
  assert.ok(history[39] < history[0] / 2, `${history[39]} < ${history[0]} / 2`);
  assert.deepEqual(m.warnings, []);
  assert.deepEqual(Object.keys(profile.metrics), [
    'silhouette_score',
    'davies_bouldin_index',
    'calinski_harabasz_score',
    'reconstruction_error',
    'latent_silhouette_score',
  ]);
  // Well-separated blobs: found exactly, numbered by size.
  assert.deepEqual(
    [0, 1, 2].map((c) => profile.clusters[`cluster_${c}`].size),
    [30, 20, 10],
  );
  assert.ok((profile.metrics.silhouette_score as number) > 0.7);
  assert.ok((profile.metrics.latent_silhouette_score as number) > 0.7);
  assert.deepEqual(Object.keys(profile.clusters.cluster_0), [
    'cluster_id',
    'size',
    'percentage',
    'cluster_center',
    'feature_statistics',
    'categorical_statistics',
    'descriptor_statistics',
    'encoded_space_stats',
  ]);
  assert.deepEqual(Object.keys(profile.clusters.cluster_0.encoded_space_stats as object), ['mean_distance_to_center', 'std_distance_to_center']);
  assert.deepEqual(JSON.parse(JSON.stringify(profile)), profile);
});

test('reconstruction_error is the MSE of the model\'s own predictions; the device forward pass matches float64 arithmetic', async () => {
  const data = customers();
  const model = new NeuralSegmentation(QUICK);
  const fit = await model.fit(data);
  const profile = await model.generateClusterProfile(data, {}, NOW);
  const trained = Autoencoder.fromWeights(fit.weights);
  const predictions = trained.predict(data.z, data.n);
  const latent = trained.encode(data.z, data.n);
  trained.dispose();
  let total = 0;
  for (let t = 0; t < data.n * data.d; t++) total += (predictions[t] - data.z[t]) ** 2;
  assert.equal(profile.metrics.reconstruction_error, total / (data.n * data.d));
  assert.equal(fit.reconstructionError, meanSquaredError(predictions, data.z));
  assert.deepEqual(latent, fit.latent);
  const exact = forward(fit.weights, data.z, data.n);
  for (let t = 0; t < exact.length; t++) assertClose(predictions[t], exact[t], 1e-5, `prediction ${t}`);
  assert.ok(fit.reconstructionError < 0.5, String(fit.reconstructionError));
});

test('K-Means ran in the latent space: distances, encoded_space_stats and latent_silhouette_score agree with the latent codes', async () => {
  const data = customers();
  const model = new NeuralSegmentation(QUICK);
  const fit = await model.fit(data);
  const profile = await model.generateClusterProfile(data, {}, NOW);
  const { n } = data;
  const e = 2;
  let inertia = 0;
  for (let i = 0; i < n; i++) {
    const toCenter = (c: number) => Math.hypot(fit.latent[i * e] - fit.centers[c * e], fit.latent[i * e + 1] - fit.centers[c * e + 1]);
    assertClose(fit.distances[i], toCenter(fit.labels[i]), 1e-12, `distance ${i}`);
    // Each sample sits with its nearest center.
    for (let c = 0; c < 3; c++) assert.ok(toCenter(fit.labels[i]) <= toCenter(c) + 1e-12);
    inertia += fit.distances[i] ** 2;
  }
  assertClose(profile.metadata.kmeans_inertia as number, inertia, 1e-9, 'inertia');
  const latentSilhouette = silhouetteScore(fit.latent, n, e, fit.labels, { sampleSize: 20000, seed: 42 }).score;
  assert.equal(profile.metrics.latent_silhouette_score, latentSilhouette);
  for (let c = 0; c < 3; c++) {
    const members = Array.from({ length: n }, (_, i) => i).filter((i) => fit.labels[i] === c);
    const cluster = profile.clusters[`cluster_${c}`] as Record<string, unknown>;
    const distances = Float64Array.from(members, (i) => fit.distances[i]);
    const stats = cluster.encoded_space_stats as { mean_distance_to_center: number; std_distance_to_center: number };
    assert.equal(stats.mean_distance_to_center, meanOf(distances));
    assert.equal(stats.std_distance_to_center, std(distances, 0), 'std with ddof 0');
    // cluster_center: the members' mean in original units, equal to feature_statistics' mean.
    const center = cluster.cluster_center as Record<string, number>;
    const statistics = cluster.feature_statistics as Record<string, { mean: number }>;
    data.features.forEach((f, j) => {
      assert.equal(center[f], statistics[f].mean);
      assertClose(center[f], meanOf(originalValues(data, j, Int32Array.from(members))), 1e-12, `center ${f}`);
    });
  }
});

test('the same seed gives the same profile; another seed trains another model', async () => {
  const data = customers();
  const a = await new NeuralSegmentation({ ...QUICK, randomSeed: 5 }).generateClusterProfile(data, {}, NOW);
  const b = await new NeuralSegmentation({ ...QUICK, randomSeed: 5 }).generateClusterProfile(data, {}, new Date(2027, 5, 6));
  assert.notEqual(a.metadata.timestamp, b.metadata.timestamp);
  assert.deepEqual({ ...a, metadata: { ...a.metadata, timestamp: null } }, { ...b, metadata: { ...b.metadata, timestamp: null } });
  const c = await new NeuralSegmentation({ ...QUICK, randomSeed: 6 }).generateClusterProfile(data, {}, NOW);
  assert.notDeepEqual(c.metadata.loss_history, a.metadata.loss_history);
  assert.notEqual(c.metrics.reconstruction_error, a.metrics.reconstruction_error);
});

test('option errors say what is allowed, word for word', () => {
  const cases: [Partial<NeuralOptions>, string][] = [
    [{ nClusters: 1 }, 'The number of clusters must be a whole number of at least 2 (got 1).'],
    [{ encodingDim: 0 }, 'encoding_dim must be a whole number of at least 1 (got 0).'],
    [{ encodingDim: 2.5 }, 'encoding_dim must be a whole number of at least 1 (got 2.5).'],
    [{ epochs: 0 }, 'epochs must be a whole number of at least 1 (got 0).'],
    [{ batchSize: 0 }, 'batch_size must be a whole number of at least 1 (got 0).'],
    [{ learningRate: 0 }, 'learning_rate must be a number greater than 0 (got 0).'],
    [{ learningRate: -0.001 }, 'learning_rate must be a number greater than 0 (got -0.001).'],
    [{ learningRate: NaN }, 'learning_rate must be a number greater than 0 (got NaN).'],
    [{ backend: 'gpu' as never }, 'Unknown backend "gpu": use auto, wasm or cpu.'],
    [{ nInit: 0 }, 'n_init must be a whole number of at least 1 (got 0).'],
    [{ maxIter: 0 }, 'max_iter must be a whole number of at least 1 (got 0).'],
    [{ tol: 0 }, 'tol must be a number greater than 0 (got 0).'],
    [{ randomSeed: -1 }, 'seed must be a whole number of at least 0 (got -1).'],
    [{ threads: 0 }, 'threads must be a whole number of at least 1 (got 0).'],
    [{ silhouetteSampleSize: 1 }, 'silhouette sample size must be a whole number of at least 2 (got 1).'],
  ];
  for (const [options, message] of cases) {
    assert.throws(() => new NeuralSegmentation(options), { name: 'SegmentError', code: 'INVALID_OPTION', message });
  }
  assert.deepEqual(new NeuralSegmentation().options, NEURAL_DEFAULTS);
  assert.deepEqual(NEURAL_DEFAULTS, {
    nClusters: 4,
    encodingDim: 'auto',
    epochs: 100,
    batchSize: 32,
    learningRate: 1e-3,
    backend: 'auto',
    nInit: 10,
    maxIter: 300,
    tol: 1e-4,
    randomSeed: 42,
    silhouetteSampleSize: 20000,
    threads: defaultThreadCount(),
  });
});

test('what the data must allow: fewer latent values than features, 2 features, k rows; checked before any training', async () => {
  const data = customers();
  const baseline = liveTensors();
  const cases: [Partial<NeuralOptions>, ReturnType<typeof customers>, string, string][] = [
    [
      { encodingDim: 5 },
      data,
      'INVALID_OPTION',
      'encoding_dim must be smaller than the number of features (got 5 with 5 features): the autoencoder has to compress the data. ' +
        'Set encoding_dim to at most 4, leave it to be chosen from the data, or cluster on more columns.',
    ],
    [
      { encodingDim: 10 },
      data,
      'INVALID_OPTION',
      'encoding_dim must be smaller than the number of features (got 10 with 5 features): the autoencoder has to compress the data. ' +
        'Set encoding_dim to at most 4, leave it to be chosen from the data, or cluster on more columns.',
    ],
    [
      { encodingDim: 1 },
      preparedFromRaw(Float64Array.from([1, 2, 3, 4, 5]), 5, 1, ['a']),
      'INVALID_OPTION',
      'The Neural method needs at least 2 features to compress (got 1): cluster on more columns, or use the GMM or Fuzzy C-Means method.',
    ],
    [
      { encodingDim: 1, nClusters: 4 },
      preparedFromRaw(Float64Array.from([1, 2, 3, 4, 5, 7]), 3, 2, ['a', 'b']),
      'TOO_FEW_ROWS',
      'There are 3 rows to cluster but 4 clusters were asked for. Ask for at most 2 clusters, or use a file with more rows.',
    ],
  ];
  for (const [options, input, code, message] of cases) {
    const model = new NeuralSegmentation(options);
    assert.throws(() => model.checkData(input), { name: 'SegmentError', code, message });
    await assert.rejects(model.fitPredict(input), { name: 'SegmentError', code, message });
  }
  assert.equal(liveTensors(), baseline);
});

test('a batch larger than the data is one batch of all rows, with a warning', async () => {
  const data = customers();
  const whole = await fitNeural(data, { ...NEURAL_DEFAULTS, ...QUICK, epochs: 10, batchSize: 60 });
  const larger = await fitNeural(data, { ...NEURAL_DEFAULTS, ...QUICK, epochs: 10, batchSize: 500 });
  assert.deepEqual(whole.warnings, []);
  assert.deepEqual(larger.warnings, ['batch_size 500 is larger than the 60 rows clustered, so every epoch was one batch of all 60 rows.']);
  assert.deepEqual(larger.lossHistory, whole.lossHistory);
  assert.deepEqual(larger.weights, whole.weights);
});

test('an autoencoder worse than the column means is a warning, word for word', async () => {
  const data = customers();
  const fit = await fitNeural(data, { ...NEURAL_DEFAULTS, ...QUICK, epochs: 3, learningRate: 5 });
  assert.ok(fit.reconstructionError >= 1);
  assert.deepEqual(fit.warnings, [
    `The autoencoder reconstructs the data no better than the column means would (reconstruction error ${fit.reconstructionError.toPrecision(3)}, ` +
      'the means score 1), so its latent codes carry little of the data. Use a smaller learning_rate (got 5) or more epochs.',
  ]);
});

test('the CPU backend trains the same network to the same clusters; concurrent fits take turns', async () => {
  const data = customers();
  const options = { ...NEURAL_DEFAULTS, ...QUICK, epochs: 10 };
  const alone = await fitNeural(data, { ...options, backend: 'wasm' });
  // Started together: the process-wide backend must not switch under a running training.
  const [wasm, cpu] = await Promise.all([fitNeural(data, { ...options, backend: 'wasm' }), fitNeural(data, { ...options, backend: 'cpu' })]);
  assert.deepEqual(wasm.lossHistory, alone.lossHistory);
  assert.equal(wasm.backend, 'wasm');
  assert.equal(cpu.backend, 'cpu');
  assert.deepEqual(cpu.labels, wasm.labels);
  cpu.lossHistory.forEach((loss, e) => assertClose(loss, wasm.lossHistory[e], 1e-5, `loss of epoch ${e + 1}`));
  assertClose(cpu.reconstructionError, wasm.reconstructionError, 1e-5, 'reconstruction error');
});

test('progress: one message per epoch, then K-Means; cancellation mid-training writes nothing and releases every tensor', async (t) => {
  const data = customers();
  const messages: string[] = [];
  const fractions: number[] = [];
  await fitNeural(data, { ...NEURAL_DEFAULTS, ...QUICK, epochs: 5, nInit: 2 }, {
    onProgress: (p) => {
      assert.equal(p.phase, 'fit');
      messages.push(p.message);
      fractions.push(p.fraction ?? NaN);
    },
  });
  const epochs = messages.filter((m) => m.startsWith('epoch'));
  assert.deepEqual([...new Set(epochs)], ['epoch 1/5', 'epoch 2/5', 'epoch 3/5', 'epoch 4/5', 'epoch 5/5']);
  assert.equal(messages[messages.indexOf('epoch 5/5') + 1], 'K-Means iteration 1/300, restart 1/2');
  assert.ok(messages.includes('K-Means iteration 1/300, restart 2/2'));
  assert.ok(fractions.every((f, i) => f >= 0 && f <= 1 && (i === 0 || f >= fractions[i - 1])), 'fractions rise from 0 to 1');
  assertClose(fractions[messages.indexOf('epoch 5/5')], 0.95, 1e-12, 'training ends at 95%');

  const dir = tempDir(t, 'segment-neural-cancel-');
  const baseline = liveTensors();
  const controller = new AbortController();
  const model = new NeuralSegmentation({ ...QUICK, epochs: 1000 });
  await assert.rejects(
    model.exportClusterProfile(data, { outputDir: dir }, {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.message === 'epoch 3/1000') controller.abort();
      },
    }),
    { name: 'SegmentError', code: 'CANCELLED', message: 'Cancelled: no files were written.' },
  );
  assert.deepEqual(readdirSync(dir), []);
  assert.equal(liveTensors(), baseline);
  // A cancelled fit is not kept: the next call trains again.
  const labels = await new NeuralSegmentation({ ...QUICK, epochs: 2 }).fitPredict(data);
  assert.equal(labels.length, data.n);
  assert.equal(liveTensors(), baseline);
});

test('the export writes neural_* files with a distance_to_center column', async (t) => {
  const dir = tempDir(t, 'segment-neural-');
  const data = customers();
  const model = new NeuralSegmentation(QUICK);
  const result = await model.exportClusterProfile(data, { outputDir: dir, now: new Date(2026, 10, 24, 9, 30, 15) });
  assert.equal(result.json, join(dir, 'neural_cluster_profile_20261124_093015.json'));
  assert.equal(result.yaml, join(dir, 'neural_cluster_profile_20261124_093015.yaml'));
  assert.equal(result.assignments, join(dir, 'neural_assignments_20261124_093015.csv'));
  const fromJson = JSON.parse(readFileSync(result.json, 'utf8'));
  assert.deepStrictEqual(load(readFileSync(result.yaml, 'utf8')), fromJson);
  assert.deepStrictEqual(fromJson, result.profile);
  const rows = parse(readFileSync(result.assignments, 'utf8'), { columns: true }) as Record<string, string>[];
  assert.deepEqual(Object.keys(rows[0]), ['row', 'cluster', 'distance_to_center']);
  assert.equal(rows.length, data.n);
  const fit = await model.fit(data);
  rows.forEach((row, i) => {
    assert.equal(row.row, String(i + 1));
    assert.equal(Number(row.cluster), fit.labels[i]);
    assert.equal(Number(row.distance_to_center), fit.distances[i]);
  });
});

// ----------------------------------------------------------------------------- the CLI


test('the CLI offers `segment neural` with --encoding-dim, --epochs, --batch-size, --learning-rate, --backend and --n-init', async (t) => {
  assert.deepEqual(
    methodFlags('neural').map((f) => [f.name, f.kind]),
    [
      ['encoding-dim', 'int'],
      ['epochs', 'int'],
      ['batch-size', 'int'],
      ['learning-rate', 'number'],
      ['backend', 'string'],
      ['n-init', 'int'],
    ],
  );
  const help = capture();
  assert.equal(await main(['--help'], help), 0);
  for (const flag of ['--encoding-dim', '--epochs', '--batch-size', '--learning-rate', '--backend', 'segment neural', 'segment all']) {
    assert.ok(help.out().includes(flag), `help mentions ${flag}`);
  }
  const dir = tempDir(t, 'segment-neural-cli-');
  const io = capture();
  const argv = ['neural', EXAMPLE, '-k', '3', '--encoding-dim', '6', '--epochs', '4', '--batch-size', '64', '--learning-rate', '0.002', '--backend', 'wasm', '--n-init', '3', '--out', dir, '--json'];
  assert.equal(await main(argv, io), 0, io.err());
  const report = JSON.parse(io.out());
  assert.equal(report.method, 'neural');
  assert.match(report.json, /neural_cluster_profile_\d{8}_\d{6}\.json$/);
  const profile = JSON.parse(readFileSync(report.json, 'utf8'));
  const m = profile.metadata;
  assert.deepEqual(
    [m.n_clusters, m.encoding_dim, m.epochs, m.batch_size, m.learning_rate, m.backend, m.n_init, m.encoder_layers, m.decoder_layers],
    [3, 6, 4, 64, 0.002, 'wasm', 3, [64, 32, 6], [32, 64, 24]],
  );
  assert.deepEqual(report.metrics, profile.metrics);
  assert.match(readFileSync(report.assignments, 'utf8'), /^row,customer_id,cluster,distance_to_center\n1,C00001,\d,\d+\.\d+/);
  assert.equal(readdirSync(dir).length, 4);

  const human = capture();
  assert.equal(await main(['neural', EXAMPLE, '--epochs', '3', '--out', dir], human), 0);
  assert.match(human.out(), /^Neural Network \(Autoencoder \+ K-Means\): customers\.csv \(comma-separated\)\n/);
  assert.match(
    human.out(),
    /\n {2}reconstruction error \d\.\d{4} \(MSE on standardised features, lower is better\) · latent silhouette -?\d\.\d{4} \(−1\.\.1, higher is better\) · final loss \d\.\d{4} after 3 epochs \(wasm\)\n/,
  );

  const bad = capture();
  assert.equal(await main(['neural', EXAMPLE, '--epochs', '0', '--out', dir], bad), 2);
  assert.equal(bad.err(), 'segment: --epochs must be a whole number of at least 1 (got 0).\nRun "segment --help" for the options.\n');
  const usage = capture();
  assert.equal(await main(['neural', EXAMPLE, '--backend', 'gpu'], usage), 2);
  assert.equal(usage.err(), 'segment: --backend must be one of auto, wasm, cpu, got "gpu"\nRun "segment --help" for the options.\n');
  assert.equal(readdirSync(dir).length, 8);
});

test('`segment all` reads the CSV once and writes the 12 files, one summary each (--json: an array)', async (t) => {
  const dir = tempDir(t, 'segment-all-');
  const io = capture();
  assert.equal(await main(['all', EXAMPLE, '-k', '3', '--epochs', '3', '--n-init', '2', '--out', dir, '--json'], io), 0, io.err());
  const reports = JSON.parse(io.out());
  assert.deepEqual(
    reports.map((r: { method: string }) => r.method),
    ['gmm', 'fuzzy', 'neural'],
  );
  const files = readdirSync(dir).sort();
  assert.equal(files.length, 12);
  const stamp = /^gmm_cluster_profile_(\d{8}_\d{6})\.json$/.exec(files.find((f) => f.startsWith('gmm_cluster'))!)![1];
  assert.deepEqual(
    files,
    [
      `fuzzy_assignments_${stamp}.csv`,
      `fuzzy_cluster_profile_${stamp}.json`,
      `fuzzy_cluster_profile_${stamp}.yaml`,
      `fuzzy_model_${stamp}.json`,
      `gmm_assignments_${stamp}.csv`,
      `gmm_cluster_profile_${stamp}.json`,
      `gmm_cluster_profile_${stamp}.yaml`,
      `gmm_model_${stamp}.json`,
      `neural_assignments_${stamp}.csv`,
      `neural_cluster_profile_${stamp}.json`,
      `neural_cluster_profile_${stamp}.yaml`,
      `neural_model_${stamp}.json`,
    ],
  );
  for (const report of reports) {
    const profile = JSON.parse(readFileSync(report.json, 'utf8'));
    assert.equal(profile.metadata.n_samples, 497);
    assert.equal(profile.metadata.n_clusters, 3);
    assert.equal(profile.metadata.n_init, 2, `--n-init applies to ${report.method}`);
    assert.deepEqual(report.metrics, profile.metrics);
  }
  assert.equal(JSON.parse(readFileSync(reports[2].json, 'utf8')).metadata.epochs, 3);

  const human = capture();
  assert.equal(await main(['all', EXAMPLE, '--epochs', '2', '--out', freshDir(t)], human), 0);
  const text = human.out();
  assert.match(text, /^Gaussian Mixture Model \(GMM\): customers\.csv/);
  assert.match(text, /\n\nFuzzy C-Means \(FCM\): customers\.csv/);
  assert.match(text, /\n\nNeural Network \(Autoencoder \+ K-Means\): customers\.csv/);
  assert.equal(text.match(/\nWrote:\n/g)?.length, 3);

  const quiet = capture();
  assert.equal(await main(['all', EXAMPLE, '--epochs', '2', '--out', freshDir(t), '--quiet'], quiet), 0);
  assert.equal(quiet.out().trim().split('\n').length, 12);
});

function freshDir(t: Ends): string {
  return tempDir(t, 'segment-all-');
}

test('`segment all` checks every option and the data before fitting, and a failure or cancel leaves no file', async (t) => {
  const dir = freshDir(t);
  const bad = capture();
  assert.equal(await main(['all', join(dir, 'missing.csv'), '--epochs', '0', '--out', dir], bad), 2);
  assert.equal(bad.err(), 'segment: --epochs must be a whole number of at least 1 (got 0).\nRun "segment --help" for the options.\n', 'options before the file is read');
  const tooWide = capture();
  const threeColumns = ['--columns', 'total_revenue,recency_days,return_rate'];
  assert.equal(await main(['all', EXAMPLE, ...threeColumns, '--encoding-dim', '10', '--out', dir], tooWide), 1);
  assert.equal(
    tooWide.err(),
    'segment: --encoding-dim must be smaller than the number of features (got 10 with 3 features): the autoencoder has to compress the data. ' +
      'Set --encoding-dim to at most 2, leave it to be chosen from the data, or cluster on more columns.\n',
  );
  assert.deepEqual(readdirSync(dir), []);

  // Cancelled while the neural method trains: the GMM and FCM files already written are taken back.
  const controller = new AbortController();
  const io = capture();
  const done = main(['all', EXAMPLE, '--epochs', '100000', '--out', dir], io, controller.signal);
  const started = Date.now();
  while (readdirSync(dir).filter((f) => !f.startsWith('.')).length < 8 && Date.now() - started < 20000) {
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.equal(readdirSync(dir).filter((f) => f.startsWith('fuzzy_') || f.startsWith('gmm_')).length, 8, 'gmm and fuzzy were written, models included');
  controller.abort();
  assert.equal(await done, 130);
  assert.equal(io.err(), 'segment: Cancelled: no files were written.\n');
  assert.deepEqual(readdirSync(dir), []);
});

test('the built bundle trains on the WebAssembly binaries beside it (dist/), with no node_modules in reach', (t) => {
  assert.ok(existsSync(BUNDLE), 'dist/cli.js exists (npm test builds it first; or run npm run build)');
  const dir = tempDir(t, 'segment-bundle-');
  for (const file of ['cli.js', 'tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm']) copyFileSync(join(ROOT, 'dist', file), join(dir, file));
  const out = join(dir, 'out');
  const run = spawnSync(process.execPath, [join(dir, 'cli.js'), 'neural', EXAMPLE, '--epochs', '2', '--backend', 'wasm', '--out', out, '--json'], {
    encoding: 'utf8',
    cwd: dir,
  });
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stderr, '');
  const report = JSON.parse(run.stdout);
  assert.equal(JSON.parse(readFileSync(report.json, 'utf8')).metadata.backend, 'wasm');
  assert.equal(readdirSync(out).length, 4);
});
