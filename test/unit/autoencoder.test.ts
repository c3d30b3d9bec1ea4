import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
// Only for the reference gradients (tf.variableGrads needs the gradient registry, which
// tfjs-layers registers); the engine itself never loads tfjs-layers.
import '@tensorflow/tfjs-layers';
import { Autoencoder, autoencoderArchitecture, matrixTensor, trainAutoencoder } from '../../src/engine/methods/autoencoder';
import { TRAINING_KERNELS, liveTensors, missingKernels, selectBackend, wasmDirectory } from '../../src/engine/methods/tfBackend';
import { loadDataset } from '../../src/engine/data/dataset';
import { meanSquaredError } from '../../src/engine/methods/neuralSegmentation';
import { Random } from '../../src/engine/kernels/random';
import { isSegmentError } from '../../src/engine/errors';
import { blobs } from '../helpers/data';
import { tempDir } from '../helpers/tempDir';

const ROOT = resolve(__dirname, '..', '..');
const EXAMPLE = join(ROOT, 'examples', 'customers.csv');

/** Rows of z (n×d float64) as training takes them: 1×rows×d and its transpose, float32; and rows×d for the reference. */
function batchOf(z: Float64Array, rows: number[], d: number): { x: tf.Tensor3D; xT: tf.Tensor3D; x2: tf.Tensor2D; dispose: () => void } {
  const values = new Float32Array(rows.length * d);
  rows.forEach((row, i) => values.set(z.subarray(row * d, row * d + d), i * d));
  const transposed = new Float32Array(rows.length * d);
  for (let i = 0; i < rows.length; i++) for (let j = 0; j < d; j++) transposed[j * rows.length + i] = values[i * d + j];
  const x = matrixTensor(values, rows.length, d);
  const xT = matrixTensor(transposed, d, rows.length);
  const x2 = tf.tensor2d(values, [rows.length, d]);
  return { x, xT, x2, dispose: () => tf.dispose([x, xT, x2]) };
}

/** The same network as TensorFlow.js variables, for autodiff and tf.train.adam. */
function referenceModel(model: Autoencoder) {
  const w = model.weights();
  const kernels = w.kernels.map((k, l) => tf.variable(tf.tensor2d(k, [w.architecture.sizes[l], w.architecture.sizes[l + 1]])));
  const biases = w.biases.map((b) => tf.variable(tf.tensor1d(b)));
  const loss = (x: tf.Tensor2D) => {
    let h: tf.Tensor2D = x;
    kernels.forEach((k, l) => {
      h = tf.add(tf.matMul(h, k), biases[l]);
      if (w.architecture.relu[l]) h = tf.relu(h);
    });
    return tf.mean(tf.squaredDifference(h, x)) as tf.Scalar;
  };
  return { kernels, biases, loss, dispose: () => tf.dispose([...kernels, ...biases]) };
}

function assertNear(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]) / Math.max(1, Math.abs(expected[i])));
  assert.ok(worst <= tolerance, `${what}: largest difference ${worst} > ${tolerance}`);
}

const small = () => blobs([[0, 0, 0, 0, 0], [6, 6, 0, 0, 3], [0, 6, 6, 3, 0]], 12, 1, 5);

test('the architecture is d → 64 → 32 → e → 32 → 64 → d, ReLU hidden layers, linear bottleneck and output', () => {
  const a = autoencoderArchitecture(24, 10);
  assert.deepEqual(a.sizes, [24, 64, 32, 10, 32, 64, 24]);
  assert.deepEqual(a.relu, [true, true, false, true, true, false]);
  assert.equal(a.bottleneck, 3);
});

test('the WebAssembly binaries are found and both backends run every kernel training uses', async () => {
  assert.notEqual(wasmDirectory(), null);
  const data = small();
  for (const backend of ['wasm', 'cpu'] as const) {
    const selection = await selectBackend(backend);
    assert.deepEqual(selection, { backend, version: '4.22.0', warnings: [] });
    assert.deepEqual(missingKernels(backend), [], `${backend} registers every kernel of TRAINING_KERNELS`);
    const model = new Autoencoder(autoencoderArchitecture(data.d, 2), 1e-3, new Random(1));
    const batch = batchOf(data.z, [0, 1, 2, 3, 14, 30], data.d);
    const info = await tf.profile(() => {
      model.trainBatch(batch.x, batch.xT);
      model.encode(data.z, data.n);
      model.predict(data.z, data.n);
    });
    batch.dispose();
    model.dispose();
    // Exactly the list the backend check looks at: nothing runs that is not checked, nothing is checked that
    // does not run. (tf.fused.matMul's custom-gradient wrapper shows up as "fusedMatMul__op"; it is not a kernel.)
    const kernels = [...new Set(info.kernelNames)].filter((name) => !name.endsWith('__op'));
    assert.deepEqual(kernels.sort(), [...TRAINING_KERNELS].sort(), backend);
  }
});

test('the hand-written backward pass equals TensorFlow.js autodiff', async () => {
  await selectBackend('wasm');
  const data = small();
  const model = new Autoencoder(autoencoderArchitecture(data.d, 2), 1e-3, new Random(3));
  const reference = referenceModel(model);
  const batch = batchOf(data.z, [0, 5, 9, 13, 17, 22, 28, 35], data.d);
  const { grads, sumSquares } = model.gradients(batch.x, batch.xT);
  const expected = tf.variableGrads(() => reference.loss(batch.x2), [...reference.kernels, ...reference.biases]);
  const names = [...reference.kernels, ...reference.biases].map((v) => v.name);
  names.forEach((name, t) => assertNear(grads[t], expected.grads[name].dataSync(), 1e-7, `gradient ${t}`));
  assertNear([sumSquares / (8 * data.d)], expected.value.dataSync(), 1e-6, 'loss');
  batch.dispose();
  tf.dispose([expected.value, ...Object.values(expected.grads)]);
  reference.dispose();
  model.dispose();
});

test('the JavaScript Adam steps equal tf.train.adam\'s', async () => {
  await selectBackend('wasm');
  const data = small();
  const model = new Autoencoder(autoencoderArchitecture(data.d, 2), 1e-3, new Random(4));
  const reference = referenceModel(model);
  const optimizer = tf.train.adam(1e-3);
  const rng = new Random(9);
  for (let step = 0; step < 6; step++) {
    const rows = Array.from(rng.sampleIndices(data.n, 8));
    const batch = batchOf(data.z, rows, data.d);
    model.trainBatch(batch.x, batch.xT);
    optimizer.minimize(() => reference.loss(batch.x2), true, [...reference.kernels, ...reference.biases])?.dispose();
    batch.dispose();
  }
  const ours = model.weights();
  reference.kernels.forEach((k, l) => assertNear(ours.kernels[l], k.dataSync(), 5e-7, `kernel ${l}`));
  reference.biases.forEach((b, l) => assertNear(ours.biases[l], b.dataSync(), 5e-7, `bias ${l}`));
  assert.equal(model.iterations, 6);
  optimizer.dispose();
  reference.dispose();
  model.dispose();
});

test('training lowers the loss on the example data, epoch after epoch', async () => {
  await selectBackend('wasm');
  const data = await loadDataset(EXAMPLE);
  const model = new Autoencoder(autoencoderArchitecture(data.d, 10), 1e-3, new Random(42));
  const before = meanSquaredError(model.predict(data.z, data.n), data.z);
  const losses = await trainAutoencoder(model, data.z, data.n, { epochs: 6, batchSize: 32, rng: new Random(7) });
  const after = meanSquaredError(model.predict(data.z, data.n), data.z);
  model.dispose();
  assert.equal(losses.length, 6);
  for (let e = 1; e < losses.length; e++) assert.ok(losses[e] < losses[e - 1], `epoch ${e + 1}: ${losses[e]} < ${losses[e - 1]}`);
  assert.ok(losses[5] < 0.5 * losses[0], `${losses[5]} < half of ${losses[0]}`);
  assert.ok(after < 0.5 * before, `reconstruction error ${after} < half of ${before} before training`);
});

test('the same seed trains the same weights; a batch larger than n is one batch of all rows', async () => {
  await selectBackend('wasm');
  const data = small();
  const train = async (seed: number, batchSize: number) => {
    const model = new Autoencoder(autoencoderArchitecture(data.d, 2), 1e-3, new Random(seed));
    const losses = await trainAutoencoder(model, data.z, data.n, { epochs: 4, batchSize, rng: new Random(seed + 1) });
    const result = { losses, weights: model.weights(), steps: model.iterations };
    model.dispose();
    return result;
  };
  const a = await train(11, 8);
  assert.deepEqual(await train(11, 8), a);
  assert.notDeepEqual((await train(12, 8)).weights, a.weights);
  assert.equal(a.steps, 4 * Math.ceil(data.n / 8));
  const whole = await train(11, data.n);
  assert.deepEqual(await train(11, 10 * data.n), whole);
  assert.equal(whole.steps, 4);
});

test('tf.memory().numTensors does not grow across epochs or runs', async () => {
  await selectBackend('wasm');
  const data = small();
  const baseline = liveTensors();
  for (let run = 0; run < 2; run++) {
    const model = new Autoencoder(autoencoderArchitecture(data.d, 2), 1e-3, new Random(run));
    const held = liveTensors();
    // W, Wᵀ and b of six layers.
    assert.equal(held - baseline, 18);
    const perEpoch: number[] = [];
    await trainAutoencoder(model, data.z, data.n, {
      epochs: 5,
      batchSize: 8,
      rng: new Random(1),
      onProgress: (_epoch, _within, loss) => {
        if (loss !== null) perEpoch.push(liveTensors());
      },
    });
    assert.deepEqual(perEpoch, [held, held, held, held, held]);
    model.encode(data.z, data.n);
    model.predict(data.z, data.n);
    assert.equal(liveTensors(), held);
    model.dispose();
    assert.equal(liveTensors(), baseline, `run ${run + 1}`);
  }
});

test('an abort during training stops it between batches with the CANCELLED error, tensors released', async () => {
  await selectBackend('wasm');
  const data = small();
  const baseline = liveTensors();
  const model = new Autoencoder(autoencoderArchitecture(data.d, 2), 1e-3, new Random(1));
  const controller = new AbortController();
  // From a timer: the loop must let the event loop run for the abort to arrive.
  setTimeout(() => controller.abort(), 150);
  let epochs = 0;
  const started = Date.now();
  await assert.rejects(
    trainAutoencoder(model, data.z, data.n, {
      epochs: 100000,
      batchSize: 4,
      rng: new Random(1),
      signal: controller.signal,
      onProgress: (_e, _w, loss) => {
        if (loss !== null) epochs++;
      },
    }),
    (error: unknown) => isSegmentError(error) && error.code === 'CANCELLED' && error.message === 'Cancelled: no files were written.',
  );
  assert.ok(Date.now() - started < 2000, 'stopped soon after the abort');
  assert.ok(epochs >= 1 && epochs < 100000);
  assert.equal(liveTensors() - baseline, 18, 'only the model\'s own weights are left');
  model.dispose();
  assert.equal(liveTensors(), baseline);
});

test('a learning rate that makes the loss overflow is reported, not clustered', async () => {
  await selectBackend('wasm');
  const data = await loadDataset(EXAMPLE);
  const model = new Autoencoder(autoencoderArchitecture(data.d, 10), 1e6, new Random(42));
  await assert.rejects(
    trainAutoencoder(model, data.z, data.n, { epochs: 2, batchSize: 32, rng: new Random(7) }),
    (error: unknown) =>
      isSegmentError(error) &&
      error.code === 'ILL_CONDITIONED' &&
      error.message === 'Training diverged: the loss became NaN in epoch 1. Use a smaller learning_rate (got 1000000).',
  );
  model.dispose();
});

test('without the WebAssembly binaries, auto falls back to the CPU backend with a warning and wasm is an error', (t) => {
  const dir = tempDir(t, 'segment-nowasm-');
  const script = join(dir, 'probe.ts');
  writeFileSync(
    script,
    `import { selectBackend } from ${JSON.stringify(join(ROOT, 'src', 'engine', 'methods', 'tfBackend'))};
(async () => {
  const auto = await selectBackend('auto');
  let error = '';
  try { await selectBackend('wasm'); } catch (e) { error = (e as { code: string; message: string }).code + ': ' + (e as Error).message; }
  process.stdout.write(JSON.stringify({ auto, error }));
})();
`,
  );
  const result = spawnSync(process.execPath, ['--import', 'tsx', script], {
    encoding: 'utf8',
    cwd: ROOT,
    env: { ...process.env, SEGMENT_WASM_DIR: dir },
  });
  assert.equal(result.status, 0, result.stderr);
  const missing = 'the WebAssembly binaries (tfjs-backend-wasm.wasm, tfjs-backend-wasm-simd.wasm) were not found beside the program or in node_modules';
  assert.deepEqual(JSON.parse(result.stdout), {
    auto: { backend: 'cpu', version: '4.22.0', warnings: [`The autoencoder was trained on the slower CPU backend because ${missing}.`] },
    error: `BACKEND_UNAVAILABLE: The WebAssembly backend cannot be used: ${missing}. Use backend "cpu" (slower) or "auto".`,
  });
});
