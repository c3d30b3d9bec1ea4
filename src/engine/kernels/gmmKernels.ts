/**
 * The Gaussian mixture EM's passes over the rows, cut into fixed chunks of
 * rows (src/engine/kernels/gmm.ts drives them). Each chunk writes its own partial
 * sums into its own slot; the calling thread adds the slots up in chunk
 * order. The chunks depend only on n, d, k and the covariance type, never on
 * the number of threads, so one thread or four do exactly the same
 * floating-point operations in the same order: the results are identical bit
 * for bit, whichever thread ran which chunk. The same functions run on the
 * calling thread and in the engine threads (src/engine/kernels/engineThread.ts).
 *
 * Layouts (row-major Float64Array):
 *  x: n×d; resp: n×k;
 *  params: what the passes read, written by the calling thread between
 *    passes: bias (k), projected means L⁻¹μ (k×d, full and tied), precision
 *    factors (as GmmModel.precisionFactors), means (k×d), skip thresholds (k);
 *  partials: nChunks slots of `slot` numbers: the chunk's log-likelihood
 *    total (1), n_k (k), Σ r·x (k×d), then per type: full the lower
 *    triangles of Σ r·(x−μ)(x−μ)ᵀ packed row by row (k×d(d+1)/2), tied the
 *    packed lower triangle of XᵀX (d(d+1)/2), diag and spherical Σ r·x² (k×d).
 */
import { KMEANS_PASS_SHIFT, runKMeansChunk, type KMeansBuffers, type KMeansPass } from './kmeans';
import { wasmEmKernels } from './emWasm';
import { logSumExp } from './linalg';
import { standardiseRows, type StandardisedSource } from './standardise';
import { shareArrays, viewArrays, type ChunkRunner, type Shared } from './threads';

export type EmCovariance = 'full' | 'tied' | 'diag' | 'spherical';

/** What one pass computes per chunk; flags, combined with |. */
export const PASS = {
  /** Log-probabilities, normalised in place into the posterior; the chunk's log-likelihood total. */
  E_STEP: 1,
  /** n_k and Σ r·x (with the skip thresholds in params), and Σ r·x² for diag and spherical. */
  SUMS: 2,
  /** Σ r·x only (after the skip thresholds changed). */
  MEANS: 4,
  /** Full: Σ r·(x−μ)(x−μ)ᵀ with the means and skip thresholds in params. */
  COVARIANCE: 8,
  /** Tied: XᵀX. */
  GRAM: 16,
  /** K-Means: a pass of kmeans.ts (its KMEANS_PASS kind shifted by KMEANS_PASS_SHIFT), alone; its chunks are K-Means'. */
  KMEANS: 32,
  /** With E_STEP: each row's log-likelihood log Σ_c π_c N(x | μ_c, Σ_c) into logLikelihoods (scikit-learn's score_samples). */
  ROW_LOG_LIKELIHOOD: 64,
} as const;

/** Rows per chunk: a multiple of 4 (the kernels' row blocks). Chosen by measurement (bench/case.ts). */
export const CHUNK_ROWS = 2048;
/** The partial sums of all chunks stay below this; beyond it the chunks grow instead. */
const MAX_PARTIAL_BYTES = 64 * 1024 * 1024;

export interface EmLayout {
  n: number;
  d: number;
  k: number;
  type: EmCovariance;
  chunkRows: number;
  nChunks: number;
  /** Offsets into params. */
  bias: number;
  projected: number;
  factors: number;
  means: number;
  skip: number;
  paramsSize: number;
  /** Numbers per chunk slot in partials, and the offsets inside a slot. */
  slot: number;
  nk: number;
  sums: number;
  second: number;
}

export interface EmBuffers {
  x: Float64Array;
  resp: Float64Array;
  params: Float64Array;
  partials: Float64Array;
  /** K-Means' buffers (the KMEANS pass only). */
  kmeans?: KMeansBuffers;
  /** Each row's log-likelihood, n (the ROW_LOG_LIKELIHOOD pass only). */
  logLikelihoods?: Float64Array;
  /** In place of x (E_STEP passes only): the rows' columns, standardised chunk by chunk as they are read. */
  source?: StandardisedSource;
}

/** This thread's chunk of standardised rows (a source's), reused from pass to pass. */
let standardisedChunk = new Float64Array(0);

export function factorSize(type: EmCovariance, k: number, d: number): number {
  return type === 'full' ? k * d * d : type === 'tied' ? d * d : type === 'diag' ? k * d : k;
}

function secondSize(type: EmCovariance, k: number, d: number): number {
  const tri = (d * (d + 1)) / 2;
  return type === 'full' ? k * tri : type === 'tied' ? tri : k * d;
}

/** The chunking and the buffer layouts for one fit: a function of n, d, k and the type only. */
export function emLayout(n: number, d: number, k: number, type: EmCovariance): EmLayout {
  const slot = 1 + k + k * d + secondSize(type, k, d);
  let chunkRows = CHUNK_ROWS;
  const maxChunks = Math.max(1, Math.floor(MAX_PARTIAL_BYTES / (8 * slot)));
  if (Math.ceil(n / chunkRows) > maxChunks) chunkRows = 4 * Math.ceil(n / maxChunks / 4);
  const nChunks = Math.max(1, Math.ceil(n / chunkRows));
  const bias = 0;
  const projected = bias + k;
  const factors = projected + k * d;
  const means = factors + factorSize(type, k, d);
  const skip = means + k * d;
  return {
    n,
    d,
    k,
    type,
    chunkRows,
    nChunks,
    bias,
    projected,
    factors,
    means,
    skip,
    paramsSize: skip + k,
    slot,
    nk: 1,
    sums: 1 + k,
    second: 1 + k + k * d,
  };
}

/** Runs the passes `pass` (PASS flags) over one chunk. */
export function runEmChunk(layout: EmLayout, buffers: EmBuffers, pass: number, chunk: number): void {
  if (pass & PASS.KMEANS) {
    if (!buffers.kmeans) throw new Error('no K-Means buffers in this workspace');
    runKMeansChunk(buffers.kmeans, (pass >> KMEANS_PASS_SHIFT) as KMeansPass, chunk, layout.chunkRows);
    return;
  }
  const lo = chunk * layout.chunkRows;
  const hi = Math.min(layout.n, lo + layout.chunkRows);
  const slot = buffers.partials.subarray(chunk * layout.slot, (chunk + 1) * layout.slot);
  if (pass & PASS.E_STEP) {
    // Row i of the chunk is at x[(i − first)·d]: the whole matrix (first 0), or the source's rows lo … hi−1 just standardised.
    let x = buffers.x;
    let first = 0;
    if (buffers.source) {
      if (pass & ~(PASS.E_STEP | PASS.ROW_LOG_LIKELIHOOD)) throw new Error('a workspace over columns runs E-steps only');
      if (standardisedChunk.length < (hi - lo) * layout.d) standardisedChunk = new Float64Array((hi - lo) * layout.d);
      standardiseRows(buffers.source, lo, hi, standardisedChunk);
      x = standardisedChunk;
      first = lo;
    }
    if (layout.type === 'full' || layout.type === 'tied') triangularLogProb(layout, buffers, x, first, lo, hi);
    else diagonalLogProb(layout, buffers, x, first, lo, hi);
    slot[0] = normalise(buffers.resp, layout.k, lo, hi, pass & PASS.ROW_LOG_LIKELIHOOD ? buffers.logLikelihoods : undefined);
  }
  if (pass & PASS.SUMS) {
    responsibilitySums(layout, buffers.resp, lo, hi, slot);
    weightedSums(layout, buffers, lo, hi, slot);
    if (layout.type === 'diag' || layout.type === 'spherical') weightedSquares(layout, buffers, lo, hi, slot);
  } else if (pass & PASS.MEANS) {
    weightedSums(layout, buffers, lo, hi, slot);
  }
  if (pass & PASS.COVARIANCE) fullCovarianceSums(layout, buffers, lo, hi, slot);
  if (pass & PASS.GRAM) gramSums(layout, buffers.x, lo, hi, slot);
}

/**
 * Full and tied: ‖L⁻¹x − L⁻¹μ‖² (sklearn's X·prec_chol − μ·prec_chol). Two
 * components × four rows per pass: eight independent sums hide the
 * floating-point add latency that bounds a single dot product, and each
 * loaded x feeds two factor rows. A leftover component goes four rows at a
 * time, leftover rows one at a time (each row's value is the same either way).
 */
function triangularLogProb(layout: EmLayout, buffers: EmBuffers, x: Float64Array, first: number, lo: number, hi: number): void {
  const { k, d } = layout;
  const { params, resp: out } = buffers;
  const full = layout.type === 'full';
  const f = params.subarray(layout.factors, layout.factors + factorSize(layout.type, k, d));
  const projected = params.subarray(layout.projected, layout.projected + k * d);
  const bias = params.subarray(layout.bias, layout.bias + k);
  // The same sums, two rows per SIMD instruction, where WebAssembly has it (bit for bit the same results).
  const wasm = wasmEmKernels();
  if (wasm) {
    wasm.logProb(full, k, d, f, projected, bias, x.subarray((lo - first) * d, (hi - first) * d), lo, out);
    return;
  }
  const blocked = lo + (hi - lo - ((hi - lo) % 4));
  let c = 0;
  for (; c + 2 <= k; c += 2) {
    const f0 = full ? c * d * d : 0;
    const f1 = full ? (c + 1) * d * d : 0;
    const p0 = c * d;
    const p1 = (c + 1) * d;
    for (let i = lo; i < blocked; i += 4) {
      const x0 = (i - first) * d;
      const x1 = x0 + d;
      const x2 = x1 + d;
      const x3 = x2 + d;
      let q00 = 0;
      let q01 = 0;
      let q02 = 0;
      let q03 = 0;
      let q10 = 0;
      let q11 = 0;
      let q12 = 0;
      let q13 = 0;
      for (let a = 0; a < d; a++) {
        const m0 = projected[p0 + a];
        const m1 = projected[p1 + a];
        let s00 = -m0;
        let s01 = -m0;
        let s02 = -m0;
        let s03 = -m0;
        let s10 = -m1;
        let s11 = -m1;
        let s12 = -m1;
        let s13 = -m1;
        const r0 = f0 + a * d;
        const r1 = f1 + a * d;
        for (let b = 0; b <= a; b++) {
          const g0 = f[r0 + b];
          const g1 = f[r1 + b];
          const v0 = x[x0 + b];
          const v1 = x[x1 + b];
          const v2 = x[x2 + b];
          const v3 = x[x3 + b];
          s00 += g0 * v0;
          s01 += g0 * v1;
          s02 += g0 * v2;
          s03 += g0 * v3;
          s10 += g1 * v0;
          s11 += g1 * v1;
          s12 += g1 * v2;
          s13 += g1 * v3;
        }
        q00 += s00 * s00;
        q01 += s01 * s01;
        q02 += s02 * s02;
        q03 += s03 * s03;
        q10 += s10 * s10;
        q11 += s11 * s11;
        q12 += s12 * s12;
        q13 += s13 * s13;
      }
      const o = i * k + c;
      out[o] = bias[c] - 0.5 * q00;
      out[o + k] = bias[c] - 0.5 * q01;
      out[o + 2 * k] = bias[c] - 0.5 * q02;
      out[o + 3 * k] = bias[c] - 0.5 * q03;
      out[o + 1] = bias[c + 1] - 0.5 * q10;
      out[o + k + 1] = bias[c + 1] - 0.5 * q11;
      out[o + 2 * k + 1] = bias[c + 1] - 0.5 * q12;
      out[o + 3 * k + 1] = bias[c + 1] - 0.5 * q13;
    }
  }
  for (; c < k; c++) {
    const base = full ? c * d * d : 0;
    for (let i = lo; i < blocked; i += 4) {
      const x0 = (i - first) * d;
      const x1 = x0 + d;
      const x2 = x1 + d;
      const x3 = x2 + d;
      let q0 = 0;
      let q1 = 0;
      let q2 = 0;
      let q3 = 0;
      for (let a = 0; a < d; a++) {
        const m = projected[c * d + a];
        let s0 = -m;
        let s1 = -m;
        let s2 = -m;
        let s3 = -m;
        const row = base + a * d;
        for (let b = 0; b <= a; b++) {
          const g = f[row + b];
          s0 += g * x[x0 + b];
          s1 += g * x[x1 + b];
          s2 += g * x[x2 + b];
          s3 += g * x[x3 + b];
        }
        q0 += s0 * s0;
        q1 += s1 * s1;
        q2 += s2 * s2;
        q3 += s3 * s3;
      }
      out[i * k + c] = bias[c] - 0.5 * q0;
      out[(i + 1) * k + c] = bias[c] - 0.5 * q1;
      out[(i + 2) * k + c] = bias[c] - 0.5 * q2;
      out[(i + 3) * k + c] = bias[c] - 0.5 * q3;
    }
  }
  for (let i = blocked; i < hi; i++) {
    const x0 = (i - first) * d;
    for (let comp = 0; comp < k; comp++) {
      const base = full ? comp * d * d : 0;
      let q = 0;
      for (let a = 0; a < d; a++) {
        let s = -projected[comp * d + a];
        for (let b = 0; b <= a; b++) s += f[base + a * d + b] * x[x0 + b];
        q += s * s;
      }
      out[i * k + comp] = bias[comp] - 0.5 * q;
    }
  }
}

/** Diag and spherical: Σ_j ((x_j − μ_j)/σ_j)², a short loop per component. */
function diagonalLogProb(layout: EmLayout, buffers: EmBuffers, x: Float64Array, first: number, lo: number, hi: number): void {
  const { k, d } = layout;
  const { params, resp: out } = buffers;
  const f = params.subarray(layout.factors, layout.factors + factorSize(layout.type, k, d));
  const means = params.subarray(layout.means, layout.means + k * d);
  const bias = params.subarray(layout.bias, layout.bias + k);
  const spherical = layout.type === 'spherical';
  for (let i = lo; i < hi; i++) {
    const row = (i - first) * d;
    for (let c = 0; c < k; c++) {
      let q = 0;
      if (spherical) {
        for (let j = 0; j < d; j++) {
          const diff = x[row + j] - means[c * d + j];
          q += diff * diff;
        }
        q *= f[c] * f[c];
      } else {
        for (let j = 0; j < d; j++) {
          const s = (x[row + j] - means[c * d + j]) * f[c * d + j];
          q += s * s;
        }
      }
      out[i * k + c] = bias[c] - 0.5 * q;
    }
  }
}

/** Each row from weighted log-probabilities to its posterior, in place; returns Σ log Σ_c exp (each row's into `rows` when given). */
function normalise(resp: Float64Array, k: number, lo: number, hi: number, rows?: Float64Array): number {
  let total = 0;
  for (let i = lo; i < hi; i++) {
    const row = i * k;
    const norm = logSumExp(resp, row, k);
    total += norm;
    if (rows) rows[i] = norm;
    for (let c = 0; c < k; c++) resp[row + c] = Math.exp(resp[row + c] - norm);
  }
  return total;
}

function responsibilitySums(layout: EmLayout, resp: Float64Array, lo: number, hi: number, slot: Float64Array): void {
  const { k } = layout;
  const nk = slot.subarray(layout.nk, layout.nk + k);
  nk.fill(0);
  for (let i = lo; i < hi; i++) for (let c = 0; c < k; c++) nk[c] += resp[i * k + c];
}

/** Σ_i r_ic x_i, four rows per pass (independent sums); responsibilities at or below the component's skip threshold left out. */
function weightedSums(layout: EmLayout, buffers: EmBuffers, lo: number, hi: number, slot: Float64Array): void {
  const { k, d } = layout;
  const { x, resp, params } = buffers;
  const sums = slot.subarray(layout.sums, layout.sums + k * d);
  sums.fill(0);
  const rows = new Int32Array(4);
  const weight = new Float64Array(4);
  for (let c = 0; c < k; c++) {
    const skip = params[layout.skip + c];
    const mean = sums.subarray(c * d, c * d + d);
    let m = 0;
    for (let i = lo; i < hi; i++) {
      const r = resp[i * k + c];
      if (r <= skip) continue;
      rows[m] = i * d;
      weight[m] = r;
      if (++m === 4) {
        const r0 = rows[0];
        const r1 = rows[1];
        const r2 = rows[2];
        const r3 = rows[3];
        const w0 = weight[0];
        const w1 = weight[1];
        const w2 = weight[2];
        const w3 = weight[3];
        for (let j = 0; j < d; j++) mean[j] += w0 * x[r0 + j] + w1 * x[r1 + j] + (w2 * x[r2 + j] + w3 * x[r3 + j]);
        m = 0;
      }
    }
    for (let t = 0; t < m; t++) for (let j = 0; j < d; j++) mean[j] += weight[t] * x[rows[t] + j];
  }
}

/** Diag and spherical: Σ_i r_ic x_ij² (zero responsibilities left out). */
function weightedSquares(layout: EmLayout, buffers: EmBuffers, lo: number, hi: number, slot: Float64Array): void {
  const { k, d } = layout;
  const { x, resp } = buffers;
  const squares = slot.subarray(layout.second, layout.second + k * d);
  squares.fill(0);
  for (let i = lo; i < hi; i++) {
    for (let c = 0; c < k; c++) {
      const r = resp[i * k + c];
      if (r === 0) continue;
      for (let j = 0; j < d; j++) {
        const v = x[i * d + j];
        squares[c * d + j] += r * v * v;
      }
    }
  }
}

/** Full: lower triangles of Σ_i r_ic (x_i − μ_c)(x_i − μ_c)ᵀ, four rows at a time (each entry loaded and stored once per four rows). */
function fullCovarianceSums(layout: EmLayout, buffers: EmBuffers, lo: number, hi: number, slot: Float64Array): void {
  const { k, d } = layout;
  const { x, resp, params } = buffers;
  const tri = (d * (d + 1)) / 2;
  const out = slot.subarray(layout.second, layout.second + k * tri);
  out.fill(0);
  const means = params.subarray(layout.means, layout.means + k * d);
  // The same sums, two entries per SIMD instruction, where WebAssembly has it (bit for bit the same results).
  const wasm = wasmEmKernels();
  if (wasm) {
    wasm.covarianceSums(k, d, x, resp, means, params.subarray(layout.skip, layout.skip + k), lo, hi, out);
    return;
  }
  const diff = new Float64Array(4 * d);
  const weight = new Float64Array(4);
  for (let c = 0; c < k; c++) {
    const block = c * tri;
    const skip = params[layout.skip + c];
    let m = 0;
    for (let i = lo; i < hi; i++) {
      const r = resp[i * k + c];
      if (r <= skip) continue;
      for (let a = 0; a < d; a++) diff[m * d + a] = x[i * d + a] - means[c * d + a];
      weight[m] = r;
      if (++m === 4) {
        rankFourUpdate(diff, weight, d, out, block);
        m = 0;
      }
    }
    if (m > 0) {
      weight.fill(0, m);
      diff.fill(0, m * d);
      rankFourUpdate(diff, weight, d, out, block);
    }
  }
}

/** Packed lower triangle of cov += Σ_{t<4} w_t · diff_t diff_tᵀ (row a starts at a(a+1)/2). */
function rankFourUpdate(diff: Float64Array, w: Float64Array, d: number, cov: Float64Array, block: number): void {
  const d2 = 2 * d;
  const d3 = 3 * d;
  for (let a = 0; a < d; a++) {
    const w0 = w[0] * diff[a];
    const w1 = w[1] * diff[d + a];
    const w2 = w[2] * diff[d2 + a];
    const w3 = w[3] * diff[d3 + a];
    const row = block + ((a * (a + 1)) >> 1);
    for (let b = 0; b <= a; b++) {
      cov[row + b] += w0 * diff[b] + w1 * diff[d + b] + (w2 * diff[d2 + b] + w3 * diff[d3 + b]);
    }
  }
}

/** Tied: packed lower triangle of Σ_i x_i x_iᵀ. */
function gramSums(layout: EmLayout, x: Float64Array, lo: number, hi: number, slot: Float64Array): void {
  const { d } = layout;
  const g = slot.subarray(layout.second, layout.second + (d * (d + 1)) / 2);
  g.fill(0);
  for (let i = lo; i < hi; i++) {
    const row = i * d;
    for (let a = 0; a < d; a++) {
      const xa = x[row + a];
      const packed = (a * (a + 1)) >> 1;
      for (let b = 0; b <= a; b++) g[packed + b] += xa * x[row + b];
    }
  }
}

/** What an engine thread gets for a GMM fit: the layout and the shared buffers. */
export interface GmmThreadSetup {
  layout: EmLayout;
  buffers: Shared<EmBuffers>;
}

export function gmmThreadSetup(layout: EmLayout, buffers: EmBuffers): GmmThreadSetup {
  return { layout, buffers: shareArrays(buffers) };
}

/** An engine thread's runner over the buffers of `setup` (a GmmThreadSetup). */
export function gmmChunkRunner(setup: unknown): ChunkRunner {
  const s = setup as GmmThreadSetup;
  const buffers = viewArrays<EmBuffers>(s.buffers);
  return (pass, chunk) => runEmChunk(s.layout, buffers, pass, chunk);
}
