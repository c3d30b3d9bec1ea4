/**
 * The Neural method's autoencoder, trained with TensorFlow.js.
 *
 * Architecture (../shared/spec/PROFILE.md "Neural Network"): dense layers
 *   input d → 64 → 32 → encoding_dim → 32 → 64 → d,
 * ReLU after every hidden layer, a linear bottleneck (the latent code K-Means
 * clusters) and a linear output; loss the mean squared error over the batch
 * and the features; Adam (β1 0.9, β2 0.999, ε 1e-7: Keras' and tf.train.adam's
 * defaults). Kernels are initialised Glorot-uniform (Keras' default), biases
 * to zero, from the engine's seeded Random, so a seed gives the same initial
 * weights on every backend.
 *
 * The training step is written out rather than left to tfjs-layers'
 * model.fit or the gradient tape, because at batch 32 the time goes in
 * per-kernel overhead, not arithmetic (bench/neural.ts has the figures):
 *   - forward: one fused matMul + bias + ReLU kernel per layer;
 *   - backward: the chain rule by hand, ∂W = aᵀ·δ, ∂b = Σ δ, δ ← (δ·Wᵀ) ⊙ [a > 0],
 *     with Wᵀ uploaded beside W and aᵀ made by an explicit transpose (the WASM
 *     backend's matMul with a transposed operand is several times slower than
 *     transpose + matMul at these sizes);
 *   - Adam: in JavaScript on float64 master weights (8,000 parameters take
 *     ~50 µs; as TensorFlow.js ops it would be ~10 kernels for each of the 12
 *     weight tensors), then W, Wᵀ and b are uploaded as float32 tensors;
 *   - kernels are dispatched with tf.engine().runKernel on rank-3 tensors
 *     (a batch dimension of 1), which is what tf.matMul and tf.fused.matMul
 *     do after reshaping their operands: calling the kernels directly saves
 *     ~25 reshape dispatches per step. The kernels used are TRAINING_KERNELS
 *     in tfBackend.ts, checked on the backend before training.
 * 37 kernels per step in all. The gradients equal TensorFlow.js' autodiff and
 * the updates tf.train.adam's (test/unit/autoencoder.test.ts checks both).
 *
 * Every step runs inside tf.tidy; the weights' tensors are replaced after
 * each update and released by dispose(), so tf.memory().numTensors is the
 * same after every epoch and back to where it was after dispose().
 */
import * as tf from '@tensorflow/tfjs-core';
import { SegmentError, throwIfAborted } from '../errors';
import { Random } from '../kernels/random';

export const HIDDEN_LAYERS: readonly number[] = [64, 32];
export const ADAM_BETA1 = 0.9;
export const ADAM_BETA2 = 0.999;
export const ADAM_EPSILON = 1e-7;

/** Rows per forward pass when encoding or reconstructing a whole dataset. */
const PREDICT_CHUNK = 4096;
/** The training loop lets the event loop run at least this often (ms), so an abort can arrive. */
const YIELD_INTERVAL_MS = 50;

export interface AutoencoderArchitecture {
  /** Widths: input, hidden…, encoding, …hidden, output. */
  sizes: number[];
  /** relu[l]: layer l's output goes through ReLU (false: linear). */
  relu: boolean[];
  /** Index of the bottleneck layer's output in the activations (sizes index). */
  bottleneck: number;
}

/** d → 64 → 32 → e → 32 → 64 → d, ReLU hidden layers, linear bottleneck and output. */
export function autoencoderArchitecture(inputDim: number, encodingDim: number): AutoencoderArchitecture {
  const encoder = [...HIDDEN_LAYERS, encodingDim];
  const decoder = [...[...HIDDEN_LAYERS].reverse(), inputDim];
  const sizes = [inputDim, ...encoder, ...decoder];
  const relu = sizes.slice(1).map((_, l) => l !== encoder.length - 1 && l !== sizes.length - 2);
  return { sizes, relu, bottleneck: encoder.length };
}

/** The weights as the device holds them (float32): kernels[l] is in×out row-major, biases[l] out. */
export interface AutoencoderWeights {
  architecture: AutoencoderArchitecture;
  kernels: Float32Array[];
  biases: Float32Array[];
}

/** Device tensors are rank 3 with a batch dimension of 1, as the matMul kernels take them. */
interface DeviceWeights {
  /** 1×in×out. */
  kernels: tf.Tensor3D[];
  /** Transposed kernels (1×out×in), for the backward pass. */
  transposed: tf.Tensor3D[];
  biases: tf.Tensor1D[];
}

/** A kernel by its TensorFlow name (TRAINING_KERNELS), without the op layer's reshapes and checks. */
function kernel(name: string, inputs: Record<string, tf.Tensor>, attrs: Record<string, unknown> = {}): tf.Tensor3D {
  return tf.engine().runKernel(name, inputs as tf.NamedTensorMap, attrs as tf.NamedAttrMap) as tf.Tensor3D;
}

/** rows×cols float32 values as a 1×rows×cols tensor. */
export function matrixTensor(values: Float32Array, rows: number, cols: number): tf.Tensor3D {
  return tf.tensor3d(values, [1, rows, cols], 'float32');
}

export class Autoencoder {
  readonly architecture: AutoencoderArchitecture;
  readonly learningRate: number;
  private readonly kernels: Float64Array[];
  private readonly biases: Float64Array[];
  private readonly moments: { m: Float64Array; v: Float64Array }[];
  private steps = 0;
  private device: DeviceWeights | null = null;
  private kernels32: Float32Array[] = [];
  private biases32: Float32Array[] = [];

  constructor(architecture: AutoencoderArchitecture, learningRate: number, rng: Random) {
    this.architecture = architecture;
    this.learningRate = learningRate;
    const { sizes } = architecture;
    const layers = sizes.length - 1;
    this.kernels = [];
    this.biases = [];
    for (let l = 0; l < layers; l++) {
      const fanIn = sizes[l];
      const fanOut = sizes[l + 1];
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      this.kernels.push(Float64Array.from({ length: fanIn * fanOut }, () => (2 * rng.next() - 1) * limit));
      this.biases.push(new Float64Array(fanOut));
    }
    // One (m, v) pair per parameter tensor: kernels first, then biases.
    this.moments = [...this.kernels, ...this.biases].map((p) => ({ m: new Float64Array(p.length), v: new Float64Array(p.length) }));
    for (let l = 0; l < layers; l++) {
      this.kernels32.push(Float32Array.from(this.kernels[l]));
      this.biases32.push(Float32Array.from(this.biases[l]));
    }
    this.upload(this.kernels32, this.biases32);
  }

  get layers(): number {
    return this.architecture.sizes.length - 1;
  }

  /** Adam steps taken so far. */
  get iterations(): number {
    return this.steps;
  }

  private weightsOnDevice(): DeviceWeights {
    if (this.device === null) throw new Error('the autoencoder has been disposed');
    return this.device;
  }

  private upload(kernels: Float32Array[], biases: Float32Array[], transposed?: Float32Array[]): void {
    const { sizes } = this.architecture;
    const next: DeviceWeights = { kernels: [], transposed: [], biases: [] };
    for (let l = 0; l < this.layers; l++) {
      const [rows, cols] = [sizes[l], sizes[l + 1]];
      next.kernels.push(matrixTensor(kernels[l], rows, cols));
      next.transposed.push(matrixTensor(transposed?.[l] ?? transpose(kernels[l], rows, cols), cols, rows));
      next.biases.push(tf.tensor1d(biases[l], 'float32'));
    }
    this.releaseDevice();
    this.device = next;
  }

  private releaseDevice(): void {
    if (this.device === null) return;
    tf.dispose([...this.device.kernels, ...this.device.transposed, ...this.device.biases]);
    this.device = null;
  }

  /** Forward pass of a batch (1×rows×d) on the device; returns every layer's output (activations[0] = x). */
  private forward(x: tf.Tensor3D, upTo = this.layers): tf.Tensor3D[] {
    const w = this.weightsOnDevice();
    const activations = [x];
    for (let l = 0; l < upTo; l++) {
      activations.push(
        kernel('_FusedMatMul', { a: activations[l], b: w.kernels[l], bias: w.biases[l] }, {
          transposeA: false,
          transposeB: false,
          activation: this.architecture.relu[l] ? 'relu' : 'linear',
        }),
      );
    }
    return activations;
  }

  /**
   * Gradients of the batch's mean squared error, kernels then biases, one
   * array per tensor, each to be multiplied by `scale` (2/(rows·d): folded
   * into the Adam loop rather than spent as a kernel); sumSquares is
   * Σ (x̂ − x)² over the batch. x is the batch (1×rows×d), xT its transpose.
   * The arrays are only read (the CPU backend's dataSync returns its own buffer).
   */
  private backward(x: tf.Tensor3D, xT: tf.Tensor3D): { grads: Float32Array[]; scale: number; sumSquares: number } {
    const [, rows, d] = x.shape;
    const w = this.weightsOnDevice();
    const { relu } = this.architecture;
    const layers = this.layers;
    const grads: Float32Array[] = new Array(2 * layers);
    let sumSquares = 0;
    tf.tidy(() => {
      const a = this.forward(x);
      let delta = kernel('Sub', { a: a[layers], b: x });
      const diff = delta.dataSync();
      for (let t = 0; t < diff.length; t++) sumSquares += diff[t] * diff[t];
      for (let l = layers - 1; l >= 0; l--) {
        const aT = l === 0 ? xT : kernel('Transpose', { x: a[l] }, { perm: [0, 2, 1] });
        grads[l] = kernel('BatchMatMul', { a: aT, b: delta }, { transposeA: false, transposeB: false }).dataSync() as Float32Array;
        grads[layers + l] = kernel('Sum', { x: delta }, { axis: [0, 1], keepDims: false }).dataSync() as Float32Array;
        if (l > 0) {
          const back = kernel('BatchMatMul', { a: delta, b: w.transposed[l] }, { transposeA: false, transposeB: false });
          delta = relu[l - 1] ? kernel('Multiply', { a: back, b: kernel('Step', { x: a[l] }, { alpha: 0 }) }) : back;
        }
      }
    });
    return { grads, scale: 2 / (rows * d), sumSquares };
  }

  /** Gradients of the batch's mean squared error (kernels then biases) and Σ (x̂ − x)²; see trainBatch. */
  gradients(x: tf.Tensor3D, xT: tf.Tensor3D): { grads: Float32Array[]; sumSquares: number } {
    const { grads, scale, sumSquares } = this.backward(x, xT);
    return {
      grads: grads.map((g) => {
        const out = new Float32Array(g.length);
        for (let i = 0; i < g.length; i++) out[i] = g[i] * scale;
        return out;
      }),
      sumSquares,
    };
  }

  /**
   * One Adam step on a batch (x 1×rows×d and its transpose 1×d×rows, float32);
   * returns the batch's mean squared error before the update.
   */
  trainBatch(x: tf.Tensor3D, xT: tf.Tensor3D): number {
    const [, rows, d] = x.shape;
    const { grads, scale, sumSquares } = this.backward(x, xT);
    this.adamStep(grads, scale);
    return sumSquares / (rows * d);
  }

  /** One Adam step with these gradients (kernels then biases, as gradients() returns them). */
  applyAdam(grads: Float32Array[]): void {
    this.adamStep(grads, 1);
  }

  /**
   * tf.train.adam's update, lr·m̂/(√v̂ + ε) with m̂ = m/(1−β1ᵗ), v̂ = v/(1−β2ᵗ),
   * in the equivalent form lr·√(1−β2ᵗ)/(1−β1ᵗ) · m/(√v + ε·√(1−β2ᵗ)), on
   * scale·grads; then W, Wᵀ and b go to the device.
   */
  private adamStep(grads: Float32Array[], scale: number): void {
    this.steps++;
    const t = this.steps;
    const c2 = Math.sqrt(1 - ADAM_BETA2 ** t);
    const step = { size: (this.learningRate * c2) / (1 - ADAM_BETA1 ** t), epsilon: ADAM_EPSILON * c2, scale };
    const { sizes } = this.architecture;
    const layers = this.layers;
    const kernels32: Float32Array[] = [];
    const transposed32: Float32Array[] = [];
    const biases32: Float32Array[] = [];
    for (let l = 0; l < layers; l++) {
      const [rows, cols] = [sizes[l], sizes[l + 1]];
      const out = new Float32Array(rows * cols);
      const outT = new Float32Array(rows * cols);
      adam(this.kernels[l], this.moments[l], grads[l], step, out, outT, rows, cols);
      kernels32.push(out);
      transposed32.push(outT);
      const bias = new Float32Array(cols);
      adam(this.biases[l], this.moments[layers + l], grads[layers + l], step, bias, null, 1, cols);
      biases32.push(bias);
    }
    this.kernels32 = kernels32;
    this.biases32 = biases32;
    this.upload(kernels32, biases32, transposed32);
  }

  /** The layer `upTo`'s output for every row of z (n×d, float64), computed in chunks; float32 values as float64. */
  private run(z: Float64Array, n: number, upTo: number): Float64Array {
    const { sizes } = this.architecture;
    const d = sizes[0];
    const width = sizes[upTo];
    const out = new Float64Array(n * width);
    for (let start = 0; start < n; start += PREDICT_CHUNK) {
      const rows = Math.min(PREDICT_CHUNK, n - start);
      const chunk = Float32Array.from(z.subarray(start * d, (start + rows) * d));
      tf.tidy(() => {
        const a = this.forward(matrixTensor(chunk, rows, d), upTo);
        out.set(a[upTo].dataSync(), start * width);
      });
    }
    return out;
  }

  /** Latent codes (n×encoding_dim) of the rows of z. */
  encode(z: Float64Array, n: number): Float64Array {
    return this.run(z, n, this.architecture.bottleneck);
  }

  /** Reconstructions (n×d) of the rows of z. */
  predict(z: Float64Array, n: number): Float64Array {
    return this.run(z, n, this.layers);
  }

  /** The weights the device computes with (copies). */
  weights(): AutoencoderWeights {
    return {
      architecture: this.architecture,
      kernels: this.kernels32.map((k) => k.slice()),
      biases: this.biases32.map((b) => b.slice()),
    };
  }

  /** Loads weights (e.g. from weights()); the optimizer state is left as it is. */
  static fromWeights(weights: AutoencoderWeights, learningRate = 1e-3): Autoencoder {
    const model = new Autoencoder(weights.architecture, learningRate, new Random(0));
    weights.kernels.forEach((k, l) => model.kernels[l].set(k));
    weights.biases.forEach((b, l) => model.biases[l].set(b));
    model.kernels32 = weights.kernels.map((k) => k.slice());
    model.biases32 = weights.biases.map((b) => b.slice());
    model.upload(model.kernels32, model.biases32);
    return model;
  }

  /** Releases the device tensors; the model cannot be used afterwards. */
  dispose(): void {
    this.releaseDevice();
  }
}

/** Adam on a rows×cols parameter, writing the new values (and, with outT, their transpose) as float32. */
function adam(
  param: Float64Array,
  moments: { m: Float64Array; v: Float64Array },
  grad: Float32Array,
  step: { size: number; epsilon: number; scale: number },
  out: Float32Array,
  outT: Float32Array | null,
  rows: number,
  cols: number,
): void {
  const { m, v } = moments;
  const { size, epsilon, scale } = step;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const k = i * cols + j;
      const g = grad[k] * scale;
      const mk = ADAM_BETA1 * m[k] + (1 - ADAM_BETA1) * g;
      const vk = ADAM_BETA2 * v[k] + (1 - ADAM_BETA2) * g * g;
      m[k] = mk;
      v[k] = vk;
      const p = param[k] - (size * mk) / (Math.sqrt(vk) + epsilon);
      param[k] = p;
      out[k] = p;
      if (outT !== null) outT[j * rows + i] = p;
    }
  }
}

function transpose(values: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = values[i * cols + j];
  return out;
}

export interface TrainOptions {
  epochs: number;
  batchSize: number;
  /** Shuffles the rows before every epoch. */
  rng: Random;
  signal?: AbortSignal;
  /** After every epoch (1-based) with its loss, and during one (at most every 50 ms) with loss null. */
  onProgress?: (epoch: number, fractionOfEpoch: number, loss: number | null) => void;
}

/**
 * Trains on the rows of z (n×d standardised, row-major), shuffled every epoch,
 * in batches of batchSize (the last one smaller; a batchSize above n means one
 * batch of n). Returns each epoch's loss: the mean over the epoch's batches of
 * their mean squared errors weighted by batch size, as Keras' History reports.
 * Checks the signal between batches and throws the engine's CANCELLED error.
 */
export async function trainAutoencoder(
  model: Autoencoder,
  z: Float64Array,
  n: number,
  options: TrainOptions,
): Promise<number[]> {
  const d = model.architecture.sizes[0];
  const batch = Math.min(options.batchSize, n);
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const shuffled = new Float32Array(n * d);
  const losses: number[] = [];
  let lastYield = performance.now();
  for (let epoch = 1; epoch <= options.epochs; epoch++) {
    options.rng.shuffle(order);
    for (let i = 0; i < n; i++) {
      const row = order[i] * d;
      for (let j = 0; j < d; j++) shuffled[i * d + j] = z[row + j];
    }
    let total = 0;
    for (let start = 0; start < n; start += batch) {
      throwIfAborted(options.signal);
      const rows = Math.min(batch, n - start);
      const values = shuffled.subarray(start * d, (start + rows) * d);
      const x = matrixTensor(values, rows, d);
      const xT = matrixTensor(transpose(values, rows, d), d, rows);
      try {
        total += model.trainBatch(x, xT) * rows;
      } finally {
        x.dispose();
        xT.dispose();
      }
      if (performance.now() - lastYield >= YIELD_INTERVAL_MS) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        lastYield = performance.now();
        options.onProgress?.(epoch, (start + rows) / n, null);
      }
    }
    const loss = total / n;
    if (!Number.isFinite(loss)) {
      throw new SegmentError(
        'ILL_CONDITIONED',
        `Training diverged: the loss became ${loss} in epoch ${epoch}. Use a smaller learning_rate (got ${model.learningRate}).`,
      );
    }
    losses.push(loss);
    options.onProgress?.(epoch, 1, loss);
  }
  throwIfAborted(options.signal);
  return losses;
}
