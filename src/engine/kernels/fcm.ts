/**
 * Fuzzy C-Means (Bezdek), as scikit-fuzzy's `cmeans` computes it:
 *
 *   w_ik = max(u_ik, eps)^m                       (skfuzzy clips memberships to eps)
 *   v_k  = Σ_i w_ik x_i / Σ_i w_ik                (centers: uᵐ-weighted means)
 *   d_ik = ‖x_i − v_k‖                            (Euclidean)
 *   J    = Σ_i Σ_k w_ik d_ik²                     (skfuzzy's jm: old memberships, new centers)
 *   u_ik = 1 / Σ_j (d_ik / d_ij)^(2/(m−1))        (membership update)
 *
 * stopping when ‖U_new − U_old‖_F < threshold (strictly) or after
 * maxIterations updates. (skfuzzy's loop runs `while p < maxiter − 1`, so its
 * maxiter=N makes at most N−1 updates; here maxIterations=N makes N.)
 *
 * The membership update is computed relative to the sample's smallest
 * distance, r_ij = (d_min² / d_ij²)^(1/(m−1)) ∈ [0, 1] and u_ij = r_ij / Σ r,
 * as skfuzzy's normalize_power_columns does, so nothing can overflow however
 * close m is to 1 (small ratios underflow to 0, harmlessly); the sum is at
 * least 1. A sample lying exactly on one or more centers (d = 0) shares its
 * membership equally among those centers and has 0 elsewhere (skfuzzy clips
 * d to eps instead and gives ~eps² there; the difference is below 1e-30).
 * With m = 2 the exponent is 1, so an iteration needs no sqrt and no pow.
 *
 * Layout: z is row-major n×d, memberships row-major n×k, centers k×d. One
 * pass over the data per iteration: distances, the membership update, the
 * objective, the change of U and the weighted sums of the next centers are
 * all computed while a row is in cache. Memory: z plus four n×k arrays
 * (old and new memberships and their weights: a pass reads the old ones and
 * writes the new ones only, so a chunk can be run again with the same result).
 *
 * The pass runs over fixed chunks of FCM_CHUNK_ROWS rows; each chunk writes
 * its partial sums (J, ‖ΔU‖², Σw, Σw·x) into its own slot, added up in
 * chunk order. The chunks depend only on n, so on one thread or on engine
 * threads (src/engine/kernels/threads.ts; FcmWorkspace) the results are the same
 * bit for bit.
 */
import type { IterationStep } from './fitDriver';
import type { Random } from './random';
import {
  float64Array,
  openChunkPool,
  runChunks,
  shareArrays,
  sharedCopy,
  sumSlots,
  threadTuning,
  viewArrays,
  type ChunkPool,
  type ChunkRunner,
  type Shared,
} from './threads';

/** numpy's float64 eps, skfuzzy's clipping floor for memberships. */
export const FCM_EPS = Number.EPSILON;

export interface FcmParameters {
  /** m > 1. */
  fuzziness: number;
  /** Upper bound on membership updates. */
  maxIterations: number;
  /** Stop when the Frobenius norm of the change of U falls below this. */
  convergenceThreshold: number;
}

export interface FcmStep extends IterationStep {
  /** ‖U_t − U_{t−1}‖_F of this iteration. */
  change: number;
  /** J of this iteration (skfuzzy's jm entry). */
  objective: number;
  /** The memberships after this iteration (n×k). A live view: copy it to keep it past the next step. */
  memberships: Float64Array;
  /** The centers this iteration computed (k×d), from which `memberships` were derived. A live view. */
  centers: Float64Array;
}

export interface FcmResult {
  /** Final memberships, n×k, rows summing to 1. */
  memberships: Float64Array;
  /** k×d: the centers the final memberships were computed from (skfuzzy's cntr). */
  centers: Float64Array;
  /** J of the last iteration (skfuzzy's jm[-1]). */
  objective: number;
  /** J per iteration (skfuzzy's jm). */
  objectives: number[];
  nIterations: number;
  converged: boolean;
  /** ‖ΔU‖_F of the last iteration. */
  change: number;
}

/**
 * Seeded random initial memberships: uniform draws in row-major order,
 * normalised per sample (skfuzzy: np.random.rand(c, n) normalised per column).
 */
export function randomMemberships(n: number, k: number, rng: Random): Float64Array {
  const u = new Float64Array(n * k);
  for (let t = 0; t < n * k; t++) u[t] = rng.next();
  return normaliseMemberships(u, n, k);
}

/**
 * Each row divided by its sum, in place (skfuzzy's normalize_columns). A row
 * summing to 0 (or to a non-finite value) becomes uniform.
 */
export function normaliseMemberships(u: Float64Array, n: number, k: number): Float64Array {
  for (let i = 0; i < n; i++) {
    const row = i * k;
    let sum = 0;
    for (let c = 0; c < k; c++) sum += u[row + c];
    if (sum > 0 && Number.isFinite(sum)) {
      for (let c = 0; c < k; c++) u[row + c] /= sum;
    } else {
      for (let c = 0; c < k; c++) u[row + c] = 1 / k;
    }
  }
  return u;
}

/** Rows per chunk of the passes: fixed, so the sums never depend on the number of threads. */
export const FCM_CHUNK_ROWS = 2048;

/**
 * Work of one pass (n·k·d) below which engine threads do not pay for
 * themselves. Measured on 2 cores from the bundle, 150 iterations, k = 4:
 * 2 threads break even at 5,000 × 24 (0.5 million), win 0.6–0.8× from
 * 10,000 × 24 (1 million) up, 0.6× at 200,000 × 24; a fit that converges in
 * a few iterations gains less (a new thread starts cold).
 */
export const MIN_FCM_PARALLEL_WORK = 1_000_000;

/** The passes: the first weights and center sums, or an iteration's update; OLD_IS_B: the old memberships are u[1]. */
const PASS_INIT = 1;
const PASS_UPDATE = 2;
const OLD_IS_B = 4;

/** A chunk's slot in the partials: J, ‖ΔU‖², Σ_i w_ic (k), Σ_i w_ic x_i (k×d). */
const JM = 0;
const CHANGE2 = 1;
const WEIGHT_SUMS = 2;

export interface FcmLayout {
  n: number;
  d: number;
  k: number;
  chunkRows: number;
  nChunks: number;
  /** Numbers per chunk slot in the partials. */
  slot: number;
}

interface FcmBuffers {
  z: Float64Array;
  /** Two n×k memberships, old and new by turns. */
  u: [Float64Array, Float64Array];
  /** max(u, eps)^m of u[0] and u[1], n×k each. */
  weights: [Float64Array, Float64Array];
  /** m, then the centers (k×d), written by the calling thread before a pass. */
  params: Float64Array;
  partials: Float64Array;
}

function fcmLayout(n: number, d: number, k: number): FcmLayout {
  const nChunks = Math.max(1, Math.ceil(n / FCM_CHUNK_ROWS));
  return { n, d, k, chunkRows: FCM_CHUNK_ROWS, nChunks, slot: WEIGHT_SUMS + k + k * d };
}

export interface FcmWorkspaceOptions {
  /** Threads for the passes, the calling one included; 1 (the default) starts none. */
  threads?: number;
  /** Where to say why threads are not used (default: NODE_DEBUG=segment). */
  log?: (message: string) => void;
}

/**
 * Where FCM's passes run: the buffers and, for data large enough, a pool of
 * engine threads sharing them. One per fit (restarts reuse it); close() it
 * when done (it stops the threads). Any number of threads gives the same
 * results bit for bit.
 */
export class FcmWorkspace {
  readonly layout: FcmLayout;
  private readonly buffers: FcmBuffers;
  private readonly local: ChunkRunner;
  private pool: ChunkPool | null = null;

  constructor(z: Float64Array, n: number, d: number, k: number, options: FcmWorkspaceOptions = {}) {
    const layout = fcmLayout(n, d, k);
    this.layout = layout;
    const workers = Math.min(options.threads ?? 1, layout.nChunks) - 1;
    const threaded = workers > 0 && n * k * d >= (threadTuning.minWork ?? MIN_FCM_PARALLEL_WORK);
    const buffers: FcmBuffers = {
      z: threaded ? sharedCopy(z.subarray(0, n * d)) : z,
      u: [float64Array(n * k, threaded), float64Array(n * k, threaded)],
      weights: [float64Array(n * k, threaded), float64Array(n * k, threaded)],
      params: float64Array(1 + k * d, threaded),
      partials: float64Array(layout.nChunks * layout.slot, threaded),
    };
    this.buffers = buffers;
    this.local = fcmRunner(layout, buffers);
    if (threaded) {
      const setup: FcmThreadSetup = { layout, buffers: shareArrays(buffers) };
      this.pool = openChunkPool(workers, { kind: 'fcm', setup }, options.log);
    }
  }

  /** Threads the passes run on, this one included. */
  get threads(): number {
    return this.pool?.threads ?? 1;
  }

  /** Stops the engine threads; the workspace still works, on one thread. */
  close(): void {
    this.pool?.close();
    this.pool = null;
  }

  /**
   * FCM from the given initial memberships (n×k, not modified; normalised per
   * sample before use), one yield per iteration.
   */
  *run(initialMemberships: Float64Array, parameters: FcmParameters): Generator<FcmStep, FcmResult> {
    const { fuzziness: m, maxIterations, convergenceThreshold } = parameters;
    const { n, d, k } = this.layout;
    if (initialMemberships.length !== n * k) throw new RangeError(`initial memberships must be n×k = ${n * k} values`);
    const { u, params, partials } = this.buffers;
    const layout = this.layout;
    u[0].set(initialMemberships);
    normaliseMemberships(u[0], n, k);
    params[0] = m;
    const centers = params.subarray(1, 1 + k * d);
    const weightSums = new Float64Array(k);
    const weightedSums = new Float64Array(k * d);
    const totals = new Float64Array(2);
    let old = 0;
    const sums = () => {
      sumSlots(layout, partials, WEIGHT_SUMS, k, weightSums);
      sumSlots(layout, partials, WEIGHT_SUMS + k, k * d, weightedSums);
    };
    runChunks(this.pool, PASS_INIT, layout.nChunks, this.local);
    sums();

    const objectives: number[] = [];
    let objective = NaN;
    let change = NaN;
    let converged = false;
    let iteration = 0;
    while (iteration < maxIterations) {
      iteration++;
      for (let c = 0; c < k; c++) {
        const vc = c * d;
        const inv = 1 / weightSums[c];
        for (let j = 0; j < d; j++) centers[vc + j] = weightedSums[vc + j] * inv;
      }
      runChunks(this.pool, PASS_UPDATE | (old === 1 ? OLD_IS_B : 0), layout.nChunks, this.local);
      sumSlots(layout, partials, JM, 2, totals);
      sums();
      objective = totals[JM];
      objectives.push(objective);
      change = Math.sqrt(totals[CHANGE2]);
      old = 1 - old;
      yield { iteration, maxIterations, change, objective, memberships: u[old], centers };
      if (change < convergenceThreshold) {
        converged = true;
        break;
      }
    }
    return {
      memberships: Float64Array.from(u[old]),
      centers: Float64Array.from(centers),
      objective,
      objectives,
      nIterations: iteration,
      converged,
      change,
    };
  }
}

/**
 * FCM from the given initial memberships (n×k, not modified; normalised per
 * sample before use), one yield per iteration, in `workspace` (a fit's, with
 * its threads) or, without one, on this thread alone. This is the entry point
 * the golden tests start from the same memberships as the numpy reference.
 */
export function* fuzzyCMeans(
  z: Float64Array,
  n: number,
  d: number,
  k: number,
  initialMemberships: Float64Array,
  parameters: FcmParameters,
  workspace?: FcmWorkspace,
): Generator<FcmStep, FcmResult> {
  const ws = workspace ?? new FcmWorkspace(z, n, d, k);
  return yield* ws.run(initialMemberships, parameters);
}

/**
 * A runner of the passes over `buffers`. Each runner (one per thread) sums a
 * chunk in its own unshared scratch and copies the result into the chunk's
 * slot at the end: slots of chunks running side by side share cache lines,
 * and adding into them row by row would bounce those lines between cores.
 */
function fcmRunner(layout: FcmLayout, buffers: FcmBuffers): ChunkRunner {
  const { n, d, k } = layout;
  const scratch = new Float64Array(layout.slot);
  const weightSums = scratch.subarray(WEIGHT_SUMS, WEIGHT_SUMS + k);
  const weightedSums = scratch.subarray(WEIGHT_SUMS + k, WEIGHT_SUMS + k + k * d);
  const centers = buffers.params.subarray(1, 1 + k * d);
  return (pass, chunk) => {
    const lo = chunk * layout.chunkRows;
    const hi = Math.min(n, lo + layout.chunkRows);
    const m = buffers.params[0];
    const old = pass & OLD_IS_B ? 1 : 0;
    scratch.fill(0);
    if (pass & PASS_INIT) {
      initialWeights(buffers.z, lo, hi, d, k, m, buffers.u[old], buffers.weights[old], weightSums, weightedSums);
    } else {
      const { u, weights } = buffers;
      const { jm, change2 } = updatePass(buffers.z, lo, hi, d, k, m, centers, u[old], u[1 - old], weights[old], weights[1 - old], weightSums, weightedSums);
      scratch[JM] = jm;
      scratch[CHANGE2] = change2;
    }
    buffers.partials.set(scratch, chunk * layout.slot);
  };
}

/** What an engine thread gets for an FCM fit: the layout and the shared buffers. */
interface FcmThreadSetup {
  layout: FcmLayout;
  buffers: Shared<FcmBuffers>;
}

/** An engine thread's runner over the buffers of `setup` (an FcmThreadSetup). */
export function fcmChunkRunner(setup: unknown): ChunkRunner {
  const s = setup as FcmThreadSetup;
  return fcmRunner(s.layout, viewArrays<FcmBuffers>(s.buffers));
}

/** The weights of the initial memberships and the weighted sums of the first centers, rows lo..hi−1. */
function initialWeights(
  z: Float64Array,
  lo: number,
  hi: number,
  d: number,
  k: number,
  m: number,
  u0: Float64Array,
  weights: Float64Array,
  weightSums: Float64Array,
  weightedSums: Float64Array,
): void {
  for (let i = lo; i < hi; i++) {
    const row = i * k;
    for (let c = 0; c < k; c++) {
      const u = u0[row + c] > FCM_EPS ? u0[row + c] : FCM_EPS;
      const w = m === 2 ? u * u : Math.pow(u, m);
      weights[row + c] = w;
      weightSums[c] += w;
    }
    accumulateRow(z, i * d, weights, row, weightedSums, d, k);
  }
}

/**
 * One iteration's pass over rows lo..hi−1, given the centers: distances, the
 * objective with the old weights, the membership update into uNew, the
 * change of U, and the new weights into wNew with the weighted sums of the
 * next centers (added to weightSums and weightedSums, zeroed by the caller). A
 * plain function, not part of the generator, so that V8 optimises the hot
 * loop as a whole.
 */
function updatePass(
  z: Float64Array,
  lo: number,
  hi: number,
  d: number,
  k: number,
  m: number,
  centers: Float64Array,
  uOld: Float64Array,
  uNew: Float64Array,
  wOld: Float64Array,
  wNew: Float64Array,
  weightSums: Float64Array,
  weightedSums: Float64Array,
): { jm: number; change2: number } {
  const squareWeights = m === 2;
  const { power, unitPower } = membershipPower(m);
  const dist = new Float64Array(k);
  // m = 2: the weights are u·u, recomputed from the memberships (the same
  // bits as stored ones) rather than read and written: less memory traffic.
  // The weights of two rows: their weighted sums are added two rows at a time.
  const wRows = new Float64Array(2 * k);
  let jm = 0;
  let change2 = 0;
  for (let i = lo; i < hi; i++) {
    const row = i * k;
    const xi = i * d;
    // Squared distances to the centers, and the objective with the old weights.
    squaredDistances(z, xi, centers, d, k, dist);
    let dmin = Infinity;
    for (let c = 0; c < k; c++) {
      const s = dist[c];
      if (squareWeights) {
        const uo = uOld[row + c] > FCM_EPS ? uOld[row + c] : FCM_EPS;
        jm += uo * uo * s;
      } else {
        jm += wOld[row + c] * s;
      }
      if (s < dmin) dmin = s;
    }
    const scale = membershipRatios(dist, dmin, k, power, unitPower, uNew, row);
    // Normalise; the change of U; the new weights and their sums.
    const second = (i - lo) & 1;
    const wRow = second * k;
    for (let c = 0; c < k; c++) {
      const un = uNew[row + c] * scale;
      uNew[row + c] = un;
      const delta = un - uOld[row + c];
      change2 += delta * delta;
      const u = un > FCM_EPS ? un : FCM_EPS;
      const w = squareWeights ? u * u : Math.pow(u, m);
      if (!squareWeights) wNew[row + c] = w;
      wRows[wRow + c] = w;
      weightSums[c] += w;
    }
    if (second === 1) accumulateTwoRows(z, xi - d, xi, wRows, weightedSums, d, k);
    else if (i === hi - 1) accumulateRow(z, xi, wRows, 0, weightedSums, d, k);
  }
  return { jm, change2 };
}

/** The membership exponent on squared distances: (d²_min / d²)^(1/(m−1)); 1 for m = 2. */
function membershipPower(m: number): { power: number; unitPower: boolean } {
  const power = 1 / (m - 1);
  return { power, unitPower: power === 1 };
}

/**
 * The membership update of one row from its squared distances to the centers
 * (dist, k; dmin the smallest): writes the ratios r_c ∈ [0, 1] (1 at the
 * nearest center) into u[row…row+k−1] and returns 1/Σr, the factor that
 * makes them the memberships.
 */
function membershipRatios(
  dist: Float64Array,
  dmin: number,
  k: number,
  power: number,
  unitPower: boolean,
  u: Float64Array,
  row: number,
): number {
  if (dmin === 0) {
    let zeros = 0;
    for (let c = 0; c < k; c++) {
      const onCenter = dist[c] === 0;
      u[row + c] = onCenter ? 1 : 0;
      if (onCenter) zeros++;
    }
    return 1 / zeros;
  }
  let sum = 0;
  for (let c = 0; c < k; c++) {
    const r = unitPower ? dmin / dist[c] : dist[c] === dmin ? 1 : Math.pow(dmin / dist[c], power);
    u[row + c] = r;
    sum += r;
  }
  return 1 / sum;
}

/**
 * One membership update from the centers (k×d) for the rows of z (n×d),
 * scikit-fuzzy's cmeans_predict step: the same arithmetic as a fit's update,
 * so the memberships of a fit's final centers are its final memberships,
 * bit for bit.
 */
export function membershipsFromCenters(z: Float64Array, n: number, d: number, centers: Float64Array, k: number, m: number): Float64Array {
  const { power, unitPower } = membershipPower(m);
  const u = new Float64Array(n * k);
  const dist = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const row = i * k;
    squaredDistances(z, i * d, centers, d, k, dist);
    let dmin = Infinity;
    for (let c = 0; c < k; c++) if (dist[c] < dmin) dmin = dist[c];
    const scale = membershipRatios(dist, dmin, k, power, unitPower, u, row);
    for (let c = 0; c < k; c++) u[row + c] = u[row + c] * scale;
  }
  return u;
}

/*
 * The two inner kernels, each over one row of z and every center, four
 * centers per pass over the row (then two, then one): the row is read once
 * per group and the four sums are independent, which runs about twice as
 * fast in V8 as one center at a time. Each center's sum still runs over j in
 * order, so the results are the same bits as the plain loops.
 */

/** out[c] = ‖z_row − v_c‖² for every center c. */
function squaredDistances(z: Float64Array, xi: number, centers: Float64Array, d: number, k: number, out: Float64Array): void {
  let c = 0;
  for (; c + 3 < k; c += 4) {
    const v0 = c * d;
    const v1 = v0 + d;
    const v2 = v1 + d;
    const v3 = v2 + d;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let j = 0; j < d; j++) {
      const x = z[xi + j];
      const t0 = x - centers[v0 + j];
      const t1 = x - centers[v1 + j];
      const t2 = x - centers[v2 + j];
      const t3 = x - centers[v3 + j];
      s0 += t0 * t0;
      s1 += t1 * t1;
      s2 += t2 * t2;
      s3 += t3 * t3;
    }
    out[c] = s0;
    out[c + 1] = s1;
    out[c + 2] = s2;
    out[c + 3] = s3;
  }
  if (c + 1 < k) {
    const v0 = c * d;
    const v1 = v0 + d;
    let s0 = 0;
    let s1 = 0;
    for (let j = 0; j < d; j++) {
      const x = z[xi + j];
      const t0 = x - centers[v0 + j];
      const t1 = x - centers[v1 + j];
      s0 += t0 * t0;
      s1 += t1 * t1;
    }
    out[c] = s0;
    out[c + 1] = s1;
    c += 2;
  }
  if (c < k) {
    const v0 = c * d;
    let s0 = 0;
    for (let j = 0; j < d; j++) {
      const t0 = z[xi + j] - centers[v0 + j];
      s0 += t0 * t0;
    }
    out[c] = s0;
  }
}

/** sums[c·d + j] += w[row + c] · z[xi + j] for every center c and feature j. */
function accumulateRow(z: Float64Array, xi: number, w: Float64Array, row: number, sums: Float64Array, d: number, k: number): void {
  let c = 0;
  for (; c + 3 < k; c += 4) {
    const w0 = w[row + c];
    const w1 = w[row + c + 1];
    const w2 = w[row + c + 2];
    const w3 = w[row + c + 3];
    const v0 = c * d;
    const v1 = v0 + d;
    const v2 = v1 + d;
    const v3 = v2 + d;
    for (let j = 0; j < d; j++) {
      const x = z[xi + j];
      sums[v0 + j] += w0 * x;
      sums[v1 + j] += w1 * x;
      sums[v2 + j] += w2 * x;
      sums[v3 + j] += w3 * x;
    }
  }
  if (c + 1 < k) {
    const w0 = w[row + c];
    const w1 = w[row + c + 1];
    const v0 = c * d;
    const v1 = v0 + d;
    for (let j = 0; j < d; j++) {
      const x = z[xi + j];
      sums[v0 + j] += w0 * x;
      sums[v1 + j] += w1 * x;
    }
    c += 2;
  }
  if (c < k) {
    const w0 = w[row + c];
    const v0 = c * d;
    for (let j = 0; j < d; j++) sums[v0 + j] += w0 * z[xi + j];
  }
}

/**
 * accumulateRow for two rows, a then b (weights w[0..k−1] and w[k..2k−1]):
 * each sum gets a's term then b's, as two calls would add them, with one
 * load and store of the sum instead of two.
 */
function accumulateTwoRows(z: Float64Array, xa: number, xb: number, w: Float64Array, sums: Float64Array, d: number, k: number): void {
  let c = 0;
  for (; c + 3 < k; c += 4) {
    const a0 = w[c];
    const a1 = w[c + 1];
    const a2 = w[c + 2];
    const a3 = w[c + 3];
    const b0 = w[k + c];
    const b1 = w[k + c + 1];
    const b2 = w[k + c + 2];
    const b3 = w[k + c + 3];
    const v0 = c * d;
    const v1 = v0 + d;
    const v2 = v1 + d;
    const v3 = v2 + d;
    for (let j = 0; j < d; j++) {
      const x = z[xa + j];
      const y = z[xb + j];
      sums[v0 + j] = sums[v0 + j] + a0 * x + b0 * y;
      sums[v1 + j] = sums[v1 + j] + a1 * x + b1 * y;
      sums[v2 + j] = sums[v2 + j] + a2 * x + b2 * y;
      sums[v3 + j] = sums[v3 + j] + a3 * x + b3 * y;
    }
  }
  for (; c < k; c++) {
    const a0 = w[c];
    const b0 = w[k + c];
    const v0 = c * d;
    for (let j = 0; j < d; j++) sums[v0 + j] = sums[v0 + j] + a0 * z[xa + j] + b0 * z[xb + j];
  }
}

/** Runs the generator to the end (for callers that need no progress or cancellation). */
export function runFuzzyCMeans(
  z: Float64Array,
  n: number,
  d: number,
  k: number,
  initialMemberships: Float64Array,
  parameters: FcmParameters,
): FcmResult {
  const run = fuzzyCMeans(z, n, d, k, initialMemberships, parameters);
  let step = run.next();
  while (!step.done) step = run.next();
  return step.value;
}

/** Bezdek's partition coefficient (1/n) Σ_i Σ_k u_ik² (skfuzzy's fpc): 1/k (all equal) … 1 (crisp). */
export function partitionCoefficient(u: Float64Array, n: number, k: number): number {
  let s = 0;
  for (let t = 0; t < n * k; t++) s += u[t] * u[t];
  return s / n;
}

/** Partition entropy −(1/n) Σ_i Σ_k u_ik ln u_ik, natural log, 0·ln 0 = 0: 0 (crisp) … ln k (all equal). */
export function partitionEntropy(u: Float64Array, n: number, k: number): number {
  let s = 0;
  for (let t = 0; t < n * k; t++) {
    const v = u[t];
    if (v > 0) s -= v * Math.log(v);
  }
  return s / n;
}
