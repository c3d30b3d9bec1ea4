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
 * all computed while a row is in cache. Memory: z plus three n×k arrays
 * (old and new memberships, weights).
 */
import type { IterationStep } from './fitDriver';
import type { Random } from './random';

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

/**
 * FCM from the given initial memberships (n×k, not modified; normalised per
 * sample before use), one yield per iteration. This is the entry point the
 * golden tests start from the same memberships as the numpy reference.
 */
export function* fuzzyCMeans(
  z: Float64Array,
  n: number,
  d: number,
  k: number,
  initialMemberships: Float64Array,
  parameters: FcmParameters,
): Generator<FcmStep, FcmResult> {
  const { fuzziness: m, maxIterations, convergenceThreshold } = parameters;
  if (initialMemberships.length !== n * k) throw new RangeError(`initial memberships must be n×k = ${n * k} values`);

  let uOld: Float64Array = normaliseMemberships(Float64Array.from(initialMemberships), n, k);
  let uNew: Float64Array = new Float64Array(n * k);
  // w = max(u, eps)^m of the memberships the current centers come from.
  const weights = new Float64Array(n * k);
  const weightSums = new Float64Array(k);
  const weightedSums = new Float64Array(k * d);
  const centers = new Float64Array(k * d);

  initialWeights(z, n, d, k, m, uOld, weights, weightSums, weightedSums);

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
    const { jm, change2 } = updatePass(z, n, d, k, m, centers, uOld, uNew, weights, weightSums, weightedSums);
    objective = jm;
    objectives.push(jm);
    change = Math.sqrt(change2);
    const previous = uOld;
    uOld = uNew;
    uNew = previous;
    yield { iteration, maxIterations, change, objective, memberships: uOld, centers };
    if (change < convergenceThreshold) {
      converged = true;
      break;
    }
  }
  return {
    memberships: uOld,
    centers: Float64Array.from(centers),
    objective,
    objectives,
    nIterations: iteration,
    converged,
    change,
  };
}

/** The weights of the initial memberships and the weighted sums of the first centers. */
function initialWeights(
  z: Float64Array,
  n: number,
  d: number,
  k: number,
  m: number,
  u0: Float64Array,
  weights: Float64Array,
  weightSums: Float64Array,
  weightedSums: Float64Array,
): void {
  for (let i = 0; i < n; i++) {
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
 * One iteration's pass over the rows, given the centers: distances, the
 * objective with the old weights, the membership update into uNew, the
 * change of U, and the new weights with the weighted sums of the next
 * centers. A plain function, not part of the generator, so that V8
 * optimises the hot loop as a whole.
 */
function updatePass(
  z: Float64Array,
  n: number,
  d: number,
  k: number,
  m: number,
  centers: Float64Array,
  uOld: Float64Array,
  uNew: Float64Array,
  weights: Float64Array,
  weightSums: Float64Array,
  weightedSums: Float64Array,
): { jm: number; change2: number } {
  const squareWeights = m === 2;
  // The membership exponent on squared distances: (d²_min / d²)^(1/(m−1)); 1 for m = 2.
  const power = 1 / (m - 1);
  const unitPower = power === 1;
  const dist = new Float64Array(k);
  weightSums.fill(0);
  weightedSums.fill(0);
  let jm = 0;
  let change2 = 0;
  for (let i = 0; i < n; i++) {
    const row = i * k;
    const xi = i * d;
    // Squared distances to the centers, and the objective with the old weights.
    squaredDistances(z, xi, centers, d, k, dist);
    let dmin = Infinity;
    for (let c = 0; c < k; c++) {
      const s = dist[c];
      jm += weights[row + c] * s;
      if (s < dmin) dmin = s;
    }
    // The membership update, relative to the smallest distance: uNew holds
    // the ratios r_c ∈ [0, 1] (1 at the nearest center), scaled by 1/Σr below.
    let scale: number;
    if (dmin === 0) {
      let zeros = 0;
      for (let c = 0; c < k; c++) {
        const onCenter = dist[c] === 0;
        uNew[row + c] = onCenter ? 1 : 0;
        if (onCenter) zeros++;
      }
      scale = 1 / zeros;
    } else {
      let sum = 0;
      for (let c = 0; c < k; c++) {
        const r = unitPower ? dmin / dist[c] : dist[c] === dmin ? 1 : Math.pow(dmin / dist[c], power);
        uNew[row + c] = r;
        sum += r;
      }
      scale = 1 / sum;
    }
    // Normalise; the change of U; the new weights and their sums.
    for (let c = 0; c < k; c++) {
      const un = uNew[row + c] * scale;
      uNew[row + c] = un;
      const delta = un - uOld[row + c];
      change2 += delta * delta;
      const u = un > FCM_EPS ? un : FCM_EPS;
      const w = squareWeights ? u * u : Math.pow(u, m);
      weights[row + c] = w;
      weightSums[c] += w;
    }
    accumulateRow(z, xi, weights, row, weightedSums, d, k);
  }
  return { jm, change2 };
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
