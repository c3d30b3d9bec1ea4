/**
 * The WebAssembly SIMD kernel of the GMM E-step (src/engine/kernels/emWasm.ts)
 * computes exactly what the JavaScript kernel computes, bit for bit, for
 * full and tied covariances, any d and k, any number of rows in a chunk, and
 * values from tiny to huge; its committed bytes are what the .wat compiles to.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { kernelTuning, wasmEmKernels } from '../../src/engine/kernels/emWasm';
import { modelFromParameters, type CovarianceType } from '../../src/engine/kernels/gmm';
import { EmWorkspace } from '../../src/engine/kernels/gmm';
import { PASS, emLayout, runEmChunk } from '../../src/engine/kernels/gmmKernels';
import { Random } from '../../src/engine/kernels/random';
import { assertIdentical } from '../helpers/threads';
// @ts-expect-error: a plain .mjs build script, no types
import { generatedModule, moduleFile, watFiles } from '../../scripts/build-wasm.mjs';

test('the committed WebAssembly modules are what their .wat files compile to (npm run build:wasm)', async () => {
  const files: string[] = watFiles();
  assert.ok(files.includes('emKernels.wat'));
  for (const wat of files) assert.equal(readFileSync(moduleFile(wat), 'utf8'), await generatedModule(wat), `${wat}: run npm run build:wasm`);
});

test('this Node runs the WebAssembly SIMD kernel (else the E-step would silently take the slower JavaScript path)', () => {
  assert.notEqual(wasmEmKernels(), null);
});

/** A random positive-definite covariance per block: A·Aᵀ + scale·I. */
function covariances(type: CovarianceType, k: number, d: number, rng: Random, scale: number): Float64Array {
  const blocks = type === 'full' ? k : 1;
  const out = new Float64Array(blocks * d * d);
  for (let c = 0; c < blocks; c++) {
    const a = Float64Array.from({ length: d * d }, () => rng.normal());
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) {
        let s = 0;
        for (let t = 0; t < d; t++) s += a[i * d + t] * a[j * d + t];
        out[c * d * d + i * d + j] = (s + (i === j ? 0.5 : 0)) * scale * scale;
      }
    }
  }
  return out;
}

/** The E-step's log-probabilities of every chunk, with the kernel asked for. */
function logProbs(type: CovarianceType, x: Float64Array, n: number, d: number, k: number, model: ReturnType<typeof modelFromParameters>, wasm: boolean): Float64Array {
  kernelTuning.wasm = wasm;
  try {
    // The workspace writes the model's constants into its params; the raw pass is then run chunk by chunk.
    const workspace = new EmWorkspace(x, n, d, k, type, { rowLogLikelihoods: true });
    const posterior = workspace.posterior(model);
    return Float64Array.from([...posterior.resp, ...posterior.logLikelihoods]);
  } finally {
    delete kernelTuning.wasm;
  }
}

const CASES: { type: CovarianceType; n: number; d: number; k: number; scale: number }[] = [
  { type: 'full', n: 1, d: 1, k: 2, scale: 1 },
  { type: 'full', n: 7, d: 2, k: 3, scale: 1 },
  { type: 'full', n: 37, d: 3, k: 1, scale: 1e-3 },
  { type: 'full', n: 2100, d: 24, k: 4, scale: 1 },
  { type: 'full', n: 4099, d: 5, k: 5, scale: 1e120 },
  { type: 'full', n: 300, d: 40, k: 2, scale: 1e-150 },
  { type: 'tied', n: 9, d: 4, k: 3, scale: 1 },
  { type: 'tied', n: 2053, d: 22, k: 4, scale: 7 },
  { type: 'tied', n: 15, d: 1, k: 6, scale: 1e-100 },
];

for (const { type, n, d, k, scale } of CASES) {
  test(`${type}, n ${n}, d ${d}, k ${k}, values of order ${scale}: the WebAssembly E-step equals the JavaScript one bit for bit`, () => {
    const rng = new Random(n * 31 + d * 7 + k);
    const x = Float64Array.from({ length: n * d }, (_, t) => (rng.normal() + (t % 3)) * scale);
    // A few exact zeros and repeated values, as real (standardised) data has.
    for (let t = 0; t < x.length; t += 11) x[t] = 0;
    const means = Float64Array.from({ length: k * d }, () => rng.normal() * scale);
    const weights = Float64Array.from({ length: k }, () => 0.5 + rng.next());
    const model = modelFromParameters(type, k, d, { weights, means, covariances: covariances(type, k, d, rng, scale) });
    assertIdentical(logProbs(type, x, n, d, k, model, true), logProbs(type, x, n, d, k, model, false), 'posterior and row log-likelihoods');
  });
}

test('a chunk that starts inside the rows (lo > 0) is read and written at its own rows', () => {
  const [n, d, k] = [50, 6, 3];
  const rng = new Random(4);
  const layout = emLayout(n, d, k, 'full');
  const model = modelFromParameters('full', k, d, {
    weights: Float64Array.from([1, 2, 3]),
    means: Float64Array.from({ length: k * d }, () => rng.normal()),
    covariances: covariances('full', k, d, rng, 1),
  });
  const x = Float64Array.from({ length: n * d }, () => rng.normal());
  const run = (wasm: boolean) => {
    kernelTuning.wasm = wasm;
    try {
      const workspace = new EmWorkspace(x, n, d, k, 'full', { rowLogLikelihoods: true });
      const whole = workspace.posterior(model).resp.slice();
      // Rows 28 … 49 again as chunk 1 of chunks of 28 rows, into a fresh posterior.
      const resp = new Float64Array(n * k).fill(7);
      const buffers = { x, resp, params: (workspace as unknown as { buffers: { params: Float64Array } }).buffers.params, partials: new Float64Array(2 * layout.slot) };
      runEmChunk({ ...layout, chunkRows: 28, nChunks: 2 }, buffers, PASS.E_STEP, 1);
      return { whole, resp };
    } finally {
      delete kernelTuning.wasm;
    }
  };
  const js = run(false);
  const simd = run(true);
  assertIdentical(simd.resp, js.resp, 'rows 28 … 49');
  // Those rows are where the whole pass put them; the rows the chunk did not cover are untouched.
  assertIdentical(simd.resp.subarray(28 * k), simd.whole.subarray(28 * k), 'rows 28 … 49 as in the whole pass');
  assert.ok(simd.resp.subarray(0, 28 * k).every((v) => v === 7));
});

for (const { n, d, k } of [
  { n: 5, d: 1, k: 2 },
  { n: 2051, d: 24, k: 4 },
  { n: 4103, d: 7, k: 3 },
  { n: 301, d: 40, k: 5 },
]) {
  test(`full covariance sums, n ${n}, d ${d}, k ${k}: an EM iteration in WebAssembly equals the JavaScript one bit for bit`, () => {
    const rng = new Random(n + d * 13 + k * 101);
    // Separated clusters, so many responsibilities fall below the skip threshold and rows are left out.
    const x = Float64Array.from({ length: n * d }, (_, t) => rng.normal() + 6 * (Math.floor(t / d) % k));
    const means = Float64Array.from({ length: k * d }, (_, t) => 6 * Math.floor(t / d) + rng.normal());
    const weights = Float64Array.from({ length: k }, () => 0.5 + rng.next());
    const model = modelFromParameters('full', k, d, { weights, means, covariances: covariances('full', k, d, rng, 1) });
    const iteration = (wasm: boolean) => {
      kernelTuning.wasm = wasm;
      try {
        const workspace = new EmWorkspace(x, n, d, k, 'full');
        const { lowerBound, params } = workspace.iterate(model, 1e-6);
        return Float64Array.from([lowerBound, ...params.weights, ...params.means, ...params.covariances]);
      } finally {
        delete kernelTuning.wasm;
      }
    };
    assertIdentical(iteration(true), iteration(false), 'lower bound, weights, means, covariances');
  });
}
