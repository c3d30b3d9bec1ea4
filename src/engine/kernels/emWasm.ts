/**
 * The GMM EM's two heaviest passes in WebAssembly with 128-bit SIMD
 * (src/engine/kernels/wasm/emKernels.wat): the E-step's log-probabilities
 * for full and tied covariances, and the full covariance sums. The same
 * operations in the same order as their JavaScript in gmmKernels.ts, two
 * numbers per instruction, so every result is equal bit for bit and they are
 * about twice as fast or more. One instance per thread (its own memory): a
 * chunk's rows and the model are copied in, the results out. Where
 * WebAssembly SIMD is missing, the caller keeps to JavaScript.
 */
import { debuglog } from 'node:util';
import { EmKernelsWasm } from './wasm/emKernelsWasm';

/** Knobs for tests and the bench; production code leaves them alone. */
export const kernelTuning: {
  /** false: the JavaScript kernels only (this thread). */
  wasm?: boolean;
} = {};

/** The parts of the WebAssembly API used here (the project's TypeScript libraries do not declare it). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
const wasmApi = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

type LogProbExport = (rows: number, d: number, k: number, fStride: number, F: number, P: number, B: number, X: number, S: number, O: number) => void;
type CovarianceSumsExport = (rows: number, d: number, k: number, X: number, R: number, M: number, SK: number, O: number, D: number, W: number) => void;

/** Offsets in doubles are kept even: 16-byte aligned vectors. */
const even = (n: number) => n + (n & 1);

const PAGE_BYTES = 65536;
const debug = debuglog('segment');

export class WasmEmKernels {
  private readonly memory: WasmMemory;
  private readonly logProbAt: LogProbExport;
  private readonly covarianceSumsAt: CovarianceSumsExport;
  private f64: Float64Array;

  constructor(api: WasmApi, module: object) {
    const instance = new api.Instance(module, {});
    this.memory = instance.exports.memory as WasmMemory;
    this.logProbAt = instance.exports.logProb as LogProbExport;
    this.covarianceSumsAt = instance.exports.covarianceSums as CovarianceSumsExport;
    this.f64 = new Float64Array(this.memory.buffer);
  }

  /**
   * out[(lo + t)·k + c] for each row t of x (rows×d, row-major): bias_c − ½‖L_c⁻¹x_t − L_c⁻¹μ_c‖²,
   * with `factors` k blocks of d×d (full) or one (tied), `projected` k×d.
   */
  logProb(full: boolean, k: number, d: number, factors: Float64Array, projected: Float64Array, bias: Float64Array, x: Float64Array, lo: number, out: Float64Array): void {
    const rows = x.length / d;
    const F = 0;
    const P = even(F + factors.length);
    const B = even(P + k * d);
    const X = even(B + k);
    const S = even(X + rows * d);
    const O = even(S + 8 * d);
    this.reserve((O + (rows + 7 - ((rows + 7) % 8)) * k) * 8);
    const f64 = this.f64;
    f64.set(factors, F);
    f64.set(projected.subarray(0, k * d), P);
    f64.set(bias.subarray(0, k), B);
    f64.set(x, X);
    this.logProbAt(rows, d, k, full ? d * d * 8 : 0, F * 8, P * 8, B * 8, X * 8, S * 8, O * 8);
    out.set(f64.subarray(O, O + rows * k), lo * k);
  }

  /**
   * For each component c, the packed lower triangle of Σ r_ic (x_i − μ_c)(x_i − μ_c)ᵀ
   * over rows lo … hi−1 whose r_ic is not at or below skip_c, into out (k × d(d+1)/2).
   */
  covarianceSums(k: number, d: number, x: Float64Array, resp: Float64Array, means: Float64Array, skip: Float64Array, lo: number, hi: number, out: Float64Array): void {
    const rows = hi - lo;
    const tri = (d * (d + 1)) / 2;
    const X = 0;
    const R = even(X + rows * d);
    const M = even(R + rows * k);
    const SK = even(M + k * d);
    const O = even(SK + k);
    const D = even(O + k * tri);
    const W = even(D + 4 * d);
    this.reserve((W + 4) * 8);
    const f64 = this.f64;
    f64.set(x.subarray(lo * d, hi * d), X);
    f64.set(resp.subarray(lo * k, hi * k), R);
    f64.set(means.subarray(0, k * d), M);
    f64.set(skip.subarray(0, k), SK);
    this.covarianceSumsAt(rows, d, k, X * 8, R * 8, M * 8, SK * 8, O * 8, D * 8, W * 8);
    out.set(f64.subarray(O, O + k * tri));
  }

  private reserve(bytes: number): void {
    const have = this.memory.buffer.byteLength;
    if (bytes <= have) return;
    this.memory.grow(Math.ceil((bytes - have) / PAGE_BYTES));
    this.f64 = new Float64Array(this.memory.buffer);
  }
}

let compiled: object | null | undefined;
let kernel: WasmEmKernels | null | undefined;

/** This thread's kernels, or null where WebAssembly SIMD is not available (or turned off for a test). */
export function wasmEmKernels(): WasmEmKernels | null {
  if (kernelTuning.wasm === false) return null;
  if (kernel !== undefined) return kernel;
  if (compiled === undefined) {
    try {
      if (!wasmApi) throw new Error('no WebAssembly');
      compiled = new wasmApi.Module(Uint8Array.from(atob(EmKernelsWasm), (ch) => ch.charCodeAt(0)));
    } catch (error) {
      debug('WebAssembly SIMD kernel not available, using JavaScript: %s', (error as Error).message);
      compiled = null;
    }
  }
  kernel = compiled === null || !wasmApi ? null : new WasmEmKernels(wasmApi, compiled);
  return kernel;
}
