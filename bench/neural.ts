/**
 * Training speed of the Neural method's autoencoder against PyTorch, in the
 * same run on the same numbers: seconds per epoch at 20k rows, batch 32.
 *
 *   npx tsx bench/neural.ts [--rows N] [--rounds N] [--quick] [--no-python]
 *
 *   --rows N     example customers to generate (default 20000; seed 7, as bench/bench.ts)
 *   --rounds N   alternating rounds of ours (WebAssembly) and PyTorch (1 thread), default 3
 *   --quick      skip the slow CPU-backend variants of model.fit and the tape step
 *   --no-python  ours only
 *
 * What it measures, each in a fresh Node process (TensorFlow.js' backend is
 * process-wide state, and tfjs-layers registers gradients globally):
 *   ours         src/engine/methods/autoencoder.ts: fused matMul forward, hand-written
 *                backward, Adam in JavaScript (what `segment neural` runs);
 *   tape         the textbook custom step: tf.fused.matMul layers, optimizer.minimize
 *                (tf.variableGrads + tf.train.adam) inside tf.tidy, the data
 *                pre-shuffled into batch tensors once per epoch;
 *   model.fit    tfjs-layers: tf.sequential of dense layers, compile(adam, mse), fit;
 * on the WebAssembly and the CPU backends, then PyTorch (bench/neural_torch.py,
 * same architecture, Adam 1e-3, batch 32) with torch.set_num_threads(1) and
 * with one thread per core. Every variant trains one warm-up epoch, then the
 * median of the measured epochs is reported, as a ratio to PyTorch on one
 * thread (below 1 = we are faster). The headline pair (ours on WebAssembly,
 * PyTorch on one thread) runs in alternating rounds, as the machine is shared. Also: kernels dispatched per training step
 * (tf.profile), the cost of single kernels at these shapes, and where a step
 * of ours spends its time. Results go to bench/output/neural-results.json.
 *
 * bench/bench.ts can import runNeuralBench and formatNeuralBench.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { customersCsv } from '../examples/customers';
import { loadDatasetFromText } from '../src/engine/data/dataset';
import { Random, deriveSeed } from '../src/engine/kernels/random';
import { BENCH_DIR, OUTPUT_DIR, SEED, readJson, writeJson } from './data';
import { runProcess } from './run';

const PYTHON = process.env.BENCH_PYTHON ?? '/usr/bin/python3';
const BATCH = 32;
const ENCODING_DIM = 10;
const LEARNING_RATE = 1e-3;

type Backend = 'wasm' | 'cpu';
type Variant = 'ours' | 'tape' | 'fit';

export interface NeuralBenchOptions {
  rows: number;
  /** Skip the CPU backend's model.fit and tape variants (minutes at 20k rows). */
  quick: boolean;
  /** Python with torch, or null for ours only. */
  python: string | null;
  /** Alternating rounds of ours (WebAssembly) and PyTorch (1 thread). */
  rounds: number;
}

export interface EpochTimes {
  /** Seconds of every epoch, the first one being warm-up. */
  seconds: number[];
  losses: number[];
  /** Median of seconds[1..]. */
  secondsPerEpoch: number;
  microsecondsPerStep: number;
}

export interface CaseResult extends EpochTimes {
  label: string;
  variant: Variant | 'torch';
  backend: Backend | 'torch';
  /** Kernels one training step dispatches (tf.profile), null for PyTorch. */
  kernelsPerStep: number | null;
  threads?: number;
  /** ours only: where a steady-state step goes, µs. */
  split?: Record<string, number>;
  /** ours only: selectBackend's time, ms (WebAssembly compile and start-up). */
  backendStartMs?: number;
  /** s/epoch of every round, when the case ran in several. */
  rounds?: number[];
}

export interface OpTiming {
  backend: Backend;
  op: string;
  microseconds: number;
}

export interface NeuralBenchResult {
  rows: number;
  n: number;
  d: number;
  stepsPerEpoch: number;
  cases: CaseResult[];
  ops: OpTiming[];
  /** ours on WebAssembly over PyTorch on one thread, median of the rounds (the goal is ≤ 1). */
  ratio: number | null;
  roundRatios: number[];
  torch: string | null;
}

// ----------------------------------------------------------------------------- data

function matrixPath(rows: number): string {
  return join(OUTPUT_DIR, `neural-z-${rows}-s${SEED}.f32`);
}

/** The example customers, prepared as `segment neural` prepares them; z written as float32 for the cases and Python. */
async function writeMatrix(rows: number): Promise<{ n: number; d: number }> {
  mkdirSync(OUTPUT_DIR, { recursive: true });
  const data = await loadDatasetFromText(customersCsv({ rows, seed: SEED }), 'customers.csv');
  const z32 = Float32Array.from(data.z);
  writeFileSync(matrixPath(rows), new Uint8Array(z32.buffer));
  writeJson(`${matrixPath(rows)}.json`, { n: data.n, d: data.d, features: data.features });
  return { n: data.n, d: data.d };
}

function readMatrix(rows: number): { z: Float64Array; n: number; d: number } {
  const meta = readJson<{ n: number; d: number }>(`${matrixPath(rows)}.json`);
  if (!meta) throw new Error(`no matrix for ${rows} rows: run bench/neural.ts without --case first`);
  const bytes = readFileSync(matrixPath(rows));
  const z32 = new Float32Array(meta.n * meta.d);
  new Uint8Array(z32.buffer).set(bytes);
  return { z: Float64Array.from(z32), n: meta.n, d: meta.d };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function epochTimes(seconds: number[], losses: number[], steps: number): EpochTimes {
  const measured = seconds.length > 1 ? seconds.slice(1) : seconds;
  const secondsPerEpoch = median(measured);
  return { seconds, losses, secondsPerEpoch, microsecondsPerStep: (1e6 * secondsPerEpoch) / steps };
}

/** Glorot-uniform kernels and zero biases from the engine's Random, as the engine initialises them. */
function initialWeights(sizes: number[], seed: number): { kernels: Float32Array[]; biases: Float32Array[] } {
  const rng = new Random(deriveSeed(seed, 1));
  const kernels: Float32Array[] = [];
  const biases: Float32Array[] = [];
  for (let l = 0; l < sizes.length - 1; l++) {
    const limit = Math.sqrt(6 / (sizes[l] + sizes[l + 1]));
    kernels.push(Float32Array.from({ length: sizes[l] * sizes[l + 1] }, () => (2 * rng.next() - 1) * limit));
    biases.push(new Float32Array(sizes[l + 1]));
  }
  return { kernels, biases };
}

// ----------------------------------------------------------------------------- the cases (child processes)

async function oursCase(backend: Backend, rows: number, epochs: number): Promise<CaseResult> {
  const tf = await import('@tensorflow/tfjs-core');
  const { Autoencoder, autoencoderArchitecture, matrixTensor, trainAutoencoder } = await import('../src/engine/methods/autoencoder');
  const { selectBackend } = await import('../src/engine/methods/tfBackend');
  const { z, n, d } = readMatrix(rows);
  const started = performance.now();
  await selectBackend(backend);
  const backendStartMs = performance.now() - started;
  const steps = Math.ceil(n / BATCH);
  const model = new Autoencoder(autoencoderArchitecture(d, ENCODING_DIM), LEARNING_RATE, new Random(deriveSeed(42, 1)));
  const seconds: number[] = [];
  let last = performance.now();
  const losses = await trainAutoencoder(model, z, n, {
    epochs,
    batchSize: BATCH,
    rng: new Random(deriveSeed(42, 2)),
    onProgress: (_epoch, _within, loss) => {
      if (loss === null) return;
      const now = performance.now();
      seconds.push((now - last) / 1000);
      last = now;
    },
  });

  // Two more passes over one shuffled epoch, step by step, to split a step's time:
  // a whole trainBatch, then gradients() alone (its forward, backward and reads), Adam being the difference.
  const parts = { tensors: 0, step: 0, gradients: 0, dispose: 0 };
  const order = new Random(3).shuffle(Int32Array.from({ length: n }, (_, i) => i));
  const values = new Float32Array(BATCH * d);
  const transposed = new Float32Array(BATCH * d);
  let kernelsPerStep = 0;
  for (const pass of ['step', 'gradients'] as const) {
    for (let start = 0; start + BATCH <= n; start += BATCH) {
      const t0 = performance.now();
      for (let i = 0; i < BATCH; i++) for (let j = 0; j < d; j++) values[i * d + j] = z[order[start + i] * d + j];
      for (let i = 0; i < BATCH; i++) for (let j = 0; j < d; j++) transposed[j * BATCH + i] = values[i * d + j];
      const x = matrixTensor(values, BATCH, d);
      const xT = matrixTensor(transposed, d, BATCH);
      const t1 = performance.now();
      if (pass === 'step') model.trainBatch(x, xT);
      else model.gradients(x, xT);
      const t2 = performance.now();
      if (pass === 'step' && start === 0) {
        const info = await tf.profile(() => {
          model.trainBatch(x, xT);
        });
        kernelsPerStep = info.kernels.length;
      }
      const t3 = performance.now();
      x.dispose();
      xT.dispose();
      const t4 = performance.now();
      if (pass === 'step') {
        parts.tensors += t1 - t0;
        parts.step += t2 - t1;
        parts.dispose += t4 - t3;
      } else {
        parts.gradients += t2 - t1;
      }
    }
  }
  const measuredSteps = Math.floor(n / BATCH);
  const perStep = (ms: number) => (1000 * ms) / measuredSteps;
  const split = {
    'batch tensors x, xᵀ (shuffled rows, JS transpose)': perStep(parts.tensors),
    'forward + backward + reading gradients (TF.js)': perStep(parts.gradients),
    'Adam in JS + uploading W, Wᵀ, b': perStep(parts.step - parts.gradients),
    'disposing the batch': perStep(parts.dispose),
  };
  model.dispose();
  return {
    label: `ours: fused forward, hand-written backward, JS Adam (${backend})`,
    variant: 'ours',
    backend,
    ...epochTimes(seconds, losses, steps),
    kernelsPerStep,
    split,
    backendStartMs,
  };
}

async function tapeCase(backend: Backend, rows: number, epochs: number): Promise<CaseResult> {
  const tf = await import('@tensorflow/tfjs-core');
  await import('@tensorflow/tfjs-layers'); // registers the gradients tf.variableGrads needs
  const { selectBackend } = await import('../src/engine/methods/tfBackend');
  const { autoencoderArchitecture } = await import('../src/engine/methods/autoencoder');
  const { z, n, d } = readMatrix(rows);
  await selectBackend(backend);
  const { sizes, relu } = autoencoderArchitecture(d, ENCODING_DIM);
  const init = initialWeights(sizes, 42);
  const kernels = init.kernels.map((k, l) => tf.variable(tf.tensor2d(k, [sizes[l], sizes[l + 1]])));
  const biases = init.biases.map((b) => tf.variable(tf.tensor1d(b)));
  const variables = [...kernels, ...biases];
  const optimizer = tf.train.adam(LEARNING_RATE);
  const loss = (x: import('@tensorflow/tfjs-core').Tensor2D) => {
    let h = x;
    kernels.forEach((k, l) => {
      h = tf.fused.matMul({ a: h, b: k, bias: biases[l], activation: relu[l] ? 'relu' : 'linear' }) as typeof x;
    });
    return tf.mean(tf.squaredDifference(h, x)) as import('@tensorflow/tfjs-core').Scalar;
  };
  const rng = new Random(deriveSeed(42, 2));
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const seconds: number[] = [];
  const losses: number[] = [];
  let kernelsPerStep = 0;
  for (let epoch = 0; epoch < epochs; epoch++) {
    const t0 = performance.now();
    rng.shuffle(order);
    const shuffled = new Float32Array(n * d);
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) shuffled[i * d + j] = z[order[i] * d + j];
    const batches: import('@tensorflow/tfjs-core').Tensor2D[] = [];
    for (let s = 0; s < n; s += BATCH) {
      const m = Math.min(BATCH, n - s);
      batches.push(tf.tensor2d(shuffled.subarray(s * d, (s + m) * d), [m, d]));
    }
    let total = 0;
    for (const x of batches) {
      tf.tidy(() => {
        const value = optimizer.minimize(() => loss(x), true, variables);
        total += value!.dataSync()[0] * x.shape[0];
      });
    }
    if (epoch === 0) {
      const info = await tf.profile(() => {
        optimizer.minimize(() => loss(batches[0]), false, variables);
      });
      kernelsPerStep = info.kernels.length;
    }
    tf.dispose(batches);
    seconds.push((performance.now() - t0) / 1000);
    losses.push(total / n);
  }
  return {
    label: `tape: optimizer.minimize (variableGrads + tf.train.adam) in tf.tidy (${backend})`,
    variant: 'tape',
    backend,
    ...epochTimes(seconds, losses, Math.ceil(n / BATCH)),
    kernelsPerStep,
  };
}

async function fitCase(backend: Backend, rows: number, epochs: number): Promise<CaseResult> {
  const tf = await import('@tensorflow/tfjs-core');
  const tfl = await import('@tensorflow/tfjs-layers');
  const { selectBackend } = await import('../src/engine/methods/tfBackend');
  const { autoencoderArchitecture } = await import('../src/engine/methods/autoencoder');
  const { z, n, d } = readMatrix(rows);
  await selectBackend(backend);
  const { sizes, relu } = autoencoderArchitecture(d, ENCODING_DIM);
  const model = tfl.sequential();
  for (let l = 0; l < sizes.length - 1; l++) {
    model.add(
      tfl.layers.dense({
        units: sizes[l + 1],
        activation: relu[l] ? 'relu' : 'linear',
        ...(l === 0 ? { inputShape: [d] } : {}),
      }),
    );
  }
  model.compile({ optimizer: tf.train.adam(LEARNING_RATE), loss: 'meanSquaredError' });
  const x = tf.tensor2d(Float32Array.from(z), [n, d]);
  const xb = tf.tensor2d(Float32Array.from(z.subarray(0, BATCH * d)), [BATCH, d]);
  const info = await tf.profile(async () => {
    await model.trainOnBatch(xb, xb);
  });
  const seconds: number[] = [];
  let last = performance.now();
  const history = await model.fit(x, x, {
    epochs,
    batchSize: BATCH,
    shuffle: true,
    verbose: 0,
    callbacks: {
      onEpochEnd: async () => {
        const now = performance.now();
        seconds.push((now - last) / 1000);
        last = now;
      },
    },
  });
  tf.dispose([x, xb]);
  model.dispose();
  return {
    label: `tfjs-layers model.fit (${backend})`,
    variant: 'fit',
    backend,
    ...epochTimes(seconds, history.history.loss as number[], Math.ceil(n / BATCH)),
    kernelsPerStep: info.kernels.length,
  };
}

/** µs per kernel at the shapes of a batch-32 step (24 features), each inside tf.tidy. */
async function opsCase(backend: Backend): Promise<OpTiming[]> {
  const tf = await import('@tensorflow/tfjs-core');
  const { selectBackend } = await import('../src/engine/methods/tfBackend');
  await selectBackend(backend);
  const x = tf.randomNormal([32, 24]) as import('@tensorflow/tfjs-core').Tensor2D;
  const w0 = tf.randomNormal([24, 64]) as import('@tensorflow/tfjs-core').Tensor2D;
  const b0 = tf.randomNormal([64]);
  const a64 = tf.randomNormal([32, 64]) as import('@tensorflow/tfjs-core').Tensor2D;
  const d32 = tf.randomNormal([32, 32]) as import('@tensorflow/tfjs-core').Tensor2D;
  const w1 = tf.randomNormal([64, 32]) as import('@tensorflow/tfjs-core').Tensor2D;
  const flat = tf.randomNormal([8000]);
  const buffer = new Float32Array(8000);
  const cases: [string, () => unknown][] = [
    ['empty tf.tidy', () => undefined],
    ['fused matMul 32×24·24×64 + bias + ReLU', () => tf.fused.matMul({ a: x, b: w0, bias: b0, activation: 'relu' })],
    ['matMul 32×24·24×64', () => tf.matMul(x, w0)],
    ['matMul aᵀ·δ (transposeA) 64×32·32×32', () => tf.matMul(a64, d32, true, false)],
    ['transpose 32×64, then matMul', () => tf.matMul(tf.transpose(a64), d32)],
    ['matMul δ·Wᵀ (transposeB) 32×32·32×64', () => tf.matMul(d32, w1, false, true)],
    ['transpose 32×64', () => tf.transpose(a64)],
    ['sum over the batch 32×64 → 64', () => tf.sum(a64, 0)],
    ['step 32×64', () => tf.step(a64)],
    ['mul 32×64', () => tf.mul(a64, a64)],
    ['mul 32×64 by a JS number (makes a scalar)', () => tf.mul(a64, 0.5)],
    ['sub 32×24', () => tf.sub(x, x)],
    ['tensor from 8,000 floats', () => tf.tensor1d(buffer)],
    ['dataSync of 8,000 floats', () => void tf.tidy(() => tf.add(flat, 0)).dataSync()],
    ['slice 1,536 of 8,000', () => tf.slice(flat, 100, 1536)],
  ];
  const results: OpTiming[] = [];
  for (const [op, f] of cases) {
    const run = () => {
      const out = tf.tidy(() => f() as never);
      if (out) tf.dispose(out);
    };
    const reps = backend === 'cpu' && op.includes('matMul') ? 2000 : 10000;
    for (let i = 0; i < reps / 5; i++) run();
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) run();
    results.push({ backend, op, microseconds: ((performance.now() - t0) * 1000) / reps });
  }
  return results;
}

async function runCase(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { case: { type: 'string' }, backend: { type: 'string' }, rows: { type: 'string' }, epochs: { type: 'string' } },
  });
  const backend = values.backend as Backend;
  const rows = Number(values.rows);
  const epochs = Number(values.epochs);
  let result: unknown;
  switch (values.case) {
    case 'ours':
      result = await oursCase(backend, rows, epochs);
      break;
    case 'tape':
      result = await tapeCase(backend, rows, epochs);
      break;
    case 'fit':
      result = await fitCase(backend, rows, epochs);
      break;
    case 'ops':
      result = await opsCase(backend);
      break;
    default:
      throw new Error(`unknown case ${values.case}`);
  }
  process.stdout.write(`BENCH_RESULT ${JSON.stringify(result)}\n`);
}

// ----------------------------------------------------------------------------- the orchestrator

async function child<T>(args: string[]): Promise<T> {
  const out = await runProcess(process.execPath, ['--import', 'tsx', join(BENCH_DIR, 'neural.ts'), ...args], { timeoutMs: 30 * 60_000 });
  const line = out.stdout.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
  if (out.code !== 0 || !line) throw new Error(`neural case ${args.join(' ')} failed (exit ${out.code}):\n${out.stderr.trim() || out.stdout.trim()}`);
  return JSON.parse(line.slice('BENCH_RESULT '.length)) as T;
}

async function torchCase(python: string, rows: number, n: number, d: number, epochs: number, threads: number): Promise<CaseResult | null> {
  const out = await runProcess(python, [join(BENCH_DIR, 'neural_torch.py'), matrixPath(rows), String(n), String(d), String(epochs), String(threads)], {
    timeoutMs: 30 * 60_000,
  });
  const line = out.stdout.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
  if (out.code !== 0 || !line) {
    process.stderr.write(`[bench] PyTorch not measured: ${(out.stderr.trim().split('\n').pop() ?? '').slice(0, 200)}\n`);
    return null;
  }
  const r = JSON.parse(line.slice('BENCH_RESULT '.length)) as { seconds: number[]; losses: number[]; torch: string; threads: number };
  return {
    label: `PyTorch ${r.torch}, ${r.threads} thread${r.threads === 1 ? '' : 's'}`,
    variant: 'torch',
    backend: 'torch',
    ...epochTimes(r.seconds, r.losses, Math.ceil(n / BATCH)),
    kernelsPerStep: null,
    threads: r.threads,
  };
}

/** Epochs per run of the two headline cases (one warm-up + 8 measured), and how many alternating rounds. */
const HEADLINE_EPOCHS = 9;

export async function runNeuralBench(options: NeuralBenchOptions, log: (line: string) => void = () => {}): Promise<NeuralBenchResult> {
  const { n, d } = await writeMatrix(options.rows);
  log(`data: ${n} rows × ${d} features (example customers, seed ${SEED}), batch ${BATCH}`);
  const rowsArg = ['--rows', String(options.rows)];

  // The headline pair, ours on WebAssembly and PyTorch on one thread, alternates round by round,
  // so both see the same machine load (it is shared); the ratio is the median of the rounds' ratios.
  const oursRounds: CaseResult[] = [];
  const torchRounds: CaseResult[] = [];
  for (let round = 1; round <= options.rounds; round++) {
    log(`round ${round}/${options.rounds}: ours on wasm${options.python ? ' and PyTorch (1 thread)' : ''}, ${HEADLINE_EPOCHS} epochs each…`);
    oursRounds.push(await child<CaseResult>(['--case', 'ours', '--backend', 'wasm', ...rowsArg, '--epochs', String(HEADLINE_EPOCHS)]));
    if (options.python) {
      const torch = await torchCase(options.python, options.rows, n, d, HEADLINE_EPOCHS, 1);
      if (torch) torchRounds.push(torch);
    }
  }
  const cases: CaseResult[] = [combineRounds(oursRounds)];
  if (torchRounds.length > 0) cases.push(combineRounds(torchRounds));

  const plan: [Variant, Backend, number][] = [
    ['ours', 'cpu', 3],
    ['tape', 'wasm', 3],
    ['fit', 'wasm', 3],
    ...(options.quick
      ? []
      : ([
          ['tape', 'cpu', 2],
          ['fit', 'cpu', 2],
        ] as [Variant, Backend, number][])),
  ];
  for (const [variant, backend, epochs] of plan) {
    log(`${variant} on ${backend}: ${epochs} epochs…`);
    cases.push(await child<CaseResult>(['--case', variant, '--backend', backend, ...rowsArg, '--epochs', String(epochs)]));
  }
  // Debian's torch starts with one thread here (omp_get_max_threads() = 1): also ask for every core.
  const cores = availableParallelism();
  if (options.python && cores > 1) {
    log(`PyTorch, ${cores} threads: ${HEADLINE_EPOCHS} epochs…`);
    const torch = await torchCase(options.python, options.rows, n, d, HEADLINE_EPOCHS, cores);
    if (torch) cases.push(torch);
  }
  const ops: OpTiming[] = [];
  for (const backend of ['wasm', 'cpu'] as Backend[]) {
    log(`single kernels on ${backend}…`);
    ops.push(...(await child<OpTiming[]>(['--case', 'ops', '--backend', backend])));
  }
  const ratios = torchRounds.length === oursRounds.length ? oursRounds.map((o, r) => o.secondsPerEpoch / torchRounds[r].secondsPerEpoch) : [];
  const result: NeuralBenchResult = {
    rows: options.rows,
    n,
    d,
    stepsPerEpoch: Math.ceil(n / BATCH),
    cases,
    ops,
    ratio: ratios.length > 0 ? median(ratios) : null,
    roundRatios: ratios,
    torch: torchRounds[0]?.label.split(' ')[1].replace(/,$/, '') ?? null,
  };
  writeJson(join(OUTPUT_DIR, 'neural-results.json'), result);
  return result;
}

/** One case from several rounds: the median round (by s/epoch), with every round's s/epoch kept. */
function combineRounds(rounds: CaseResult[]): CaseResult {
  const perRound = rounds.map((r) => r.secondsPerEpoch);
  const middle = [...rounds].sort((a, b) => a.secondsPerEpoch - b.secondsPerEpoch)[(rounds.length - 1) >> 1];
  return { ...middle, rounds: perRound };
}

export function formatNeuralBench(result: NeuralBenchResult): string {
  const torch1 = result.cases.find((c) => c.variant === 'torch' && c.threads === 1);
  const lines: string[] = [];
  lines.push(
    `Neural autoencoder (${result.d} → 64 → 32 → ${ENCODING_DIM} → 32 → 64 → ${result.d}), ${result.n.toLocaleString('en-US')} rows, ` +
      `batch ${BATCH} (${result.stepsPerEpoch} steps per epoch); median of the epochs after a warm-up one`,
  );
  lines.push('');
  const header = `${'variant'.padEnd(74)}${'s/epoch'.padStart(9)}${'µs/step'.padStart(9)}${'1st epoch'.padStart(11)}${'kernels/step'.padStart(14)}${'× PyTorch 1T'.padStart(14)}`;
  lines.push(header, '-'.repeat(header.length));
  for (const c of result.cases) {
    const ratio = torch1 ? `${(c.secondsPerEpoch / torch1.secondsPerEpoch).toFixed(2)}×` : 'n/a';
    lines.push(
      c.label.padEnd(74) +
        c.secondsPerEpoch.toFixed(3).padStart(9) +
        c.microsecondsPerStep.toFixed(0).padStart(9) +
        c.seconds[0].toFixed(3).padStart(11) +
        (c.kernelsPerStep === null ? '' : String(c.kernelsPerStep)).padStart(14) +
        ratio.padStart(14),
    );
  }
  for (const c of result.cases.filter((c) => c.rounds)) {
    lines.push(`  ${c.label}: s/epoch in each round ${c.rounds!.map((s) => s.toFixed(3)).join(', ')}`);
  }
  const ours = result.cases.find((c) => c.variant === 'ours' && c.backend === 'wasm');
  if (ours?.split) {
    lines.push('', `Where a step of ours goes (WebAssembly, µs per step; WebAssembly start-up ${ours.backendStartMs?.toFixed(0)} ms once):`);
    const total = Object.values(ours.split).reduce((a, b) => a + b, 0);
    for (const [part, us] of Object.entries(ours.split)) lines.push(`  ${part.padEnd(48)}${us.toFixed(1).padStart(8)}  ${((100 * us) / total).toFixed(0).padStart(3)}%`);
  }
  lines.push('', 'Single kernels at batch-32 shapes (µs each, inside tf.tidy, including TF.js dispatch):');
  lines.push(`  ${'kernel'.padEnd(48)}${'wasm'.padStart(8)}${'cpu'.padStart(8)}`);
  for (const op of [...new Set(result.ops.map((o) => o.op))]) {
    const at = (b: Backend) => result.ops.find((o) => o.op === op && o.backend === b)?.microseconds.toFixed(1) ?? '';
    lines.push(`  ${op.padEnd(48)}${at('wasm').padStart(8)}${at('cpu').padStart(8)}`);
  }
  if (result.ratio !== null) {
    lines.push(
      '',
      `ours (WebAssembly) / PyTorch on one thread: ${result.ratio.toFixed(2)}×, the median of the rounds ` +
        `(${result.roundRatios.map((r) => r.toFixed(2)).join(', ')}); goal ≤ 1.0×`,
    );
  }
  return `${lines.join('\n')}\n`;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--case')) return runCase(argv);
  const { values } = parseArgs({
    args: argv,
    options: { rows: { type: 'string' }, rounds: { type: 'string' }, quick: { type: 'boolean' }, 'no-python': { type: 'boolean' } },
  });
  const result = await runNeuralBench(
    {
      rows: Number(values.rows ?? 20000),
      rounds: Number(values.rounds ?? 3),
      quick: values.quick ?? false,
      python: values['no-python'] ? null : PYTHON,
    },
    (line) => process.stderr.write(`[bench] ${line}\n`),
  );
  process.stdout.write(formatNeuralBench(result));
}

const invoked = process.argv[1] !== undefined && /neural\.ts$/.test(process.argv[1]);
if (invoked) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
