/**
 * K-Means as scikit-learn's KMeans does it: greedy k-means++ seeding
 * (2 + ⌊ln k⌋ candidates per new center, the one that lowers the potential
 * most wins), then Lloyd iterations until the labels stop changing or the
 * total squared center shift drops to tol × mean feature variance. An empty
 * cluster takes the point farthest from its center. Used to initialise the
 * GMM (one run, as sklearn's init_params='kmeans') and by the Neural method.
 */
import { Random } from './random';
import { squaredDistance } from './linalg';

export interface KMeansOptions {
  maxIterations: number;
  tolerance: number;
}

export const KMEANS_DEFAULTS: KMeansOptions = { maxIterations: 300, tolerance: 1e-4 };

export interface KMeansResult {
  centers: Float64Array; // k×d
  labels: Int32Array;
  inertia: number;
  nIterations: number;
  converged: boolean;
}

export interface KMeansStep {
  iteration: number;
  maxIterations: number;
  centerShift: number;
}

/**
 * What the passes over the rows read and write. An engine workspace keeps
 * them in shared memory so its threads can run the passes (gmm.ts); every
 * pass writes only its own rows or its own feature, so the results are the
 * same bit for bit whichever thread ran which part.
 */
export interface KMeansBuffers {
  x: Float64Array;
  n: number;
  d: number;
  k: number;
  /** Seeding: each row's squared distance to its closest center so far (n). */
  closest: Float64Array;
  /** Seeding: rows of x tried as the next center, ahead of one NEARER pass (trials, with their count in `state`). */
  candidates: Int32Array;
  /** Seeding: min(closest, squared distance to candidate t) for each candidate t (trials × n). */
  nearer: Float64Array;
  /** [number of candidates of the next NEARER pass]. */
  state: Int32Array;
  /** Lloyd: the centers the ASSIGN pass reads (k×d). */
  centers: Float64Array;
  labels: Int32Array;
  /** Each row's squared distance to its center (n). */
  distances: Float64Array;
  /** Σ x per cluster, from the SUMS pass (k×d). */
  sums: Float64Array;
  /** Each feature's variance (d), from the VARIANCE pass. */
  variances: Float64Array;
}

/** The passes: NEARER and ASSIGN run over chunks of rows, SUMS and VARIANCE over single features. */
export const KMEANS_PASS = { NEARER: 1, ASSIGN: 2, SUMS: 3, VARIANCE: 4 } as const;
export type KMeansPass = (typeof KMEANS_PASS)[keyof typeof KMEANS_PASS];
/** Where a pass kind sits in an engine workspace's pass number (above its EM pass flags). */
export const KMEANS_PASS_SHIFT = 8;

/** Runs a pass over all its chunks: on this thread alone, or spread over engine threads. */
export interface KMeansEngine {
  readonly buffers: KMeansBuffers;
  run(pass: KMeansPass): void;
}

/** Candidates per new center in the greedy k-means++ (scikit-learn's 2 + ⌊ln k⌋). */
export function seedingTrials(k: number): number {
  return 2 + Math.floor(Math.log(k));
}

/**
 * Buffers for k-means of x (n×d) into k clusters; `alloc` makes each
 * Float64Array (shared ones for engine threads). `scratch` (at least
 * seedingTrials(k)·n numbers) may lend the seeding's candidate distances
 * memory that is idle meanwhile (an EM workspace lends its posterior).
 */
export function kmeansBuffers(
  x: Float64Array,
  n: number,
  d: number,
  k: number,
  alloc: (length: number) => Float64Array = (length) => new Float64Array(length),
  allocInt: (length: number) => Int32Array = (length) => new Int32Array(length),
  scratch?: Float64Array,
): KMeansBuffers {
  const trials = seedingTrials(k);
  const distances = alloc(n);
  return {
    x,
    n,
    d,
    k,
    // The seeding is over before the first assignment: its closest distances live where the rows' distances will.
    closest: distances,
    candidates: allocInt(trials),
    nearer: scratch && scratch.length >= trials * n ? scratch.subarray(0, trials * n) : alloc(trials * n),
    state: allocInt(1),
    centers: alloc(k * d),
    labels: allocInt(n),
    distances,
    sums: alloc(k * d),
    variances: alloc(d),
  };
}

/** Chunks of a pass: row chunks of `chunkRows` rows, or one per feature. */
export function kmeansChunks(buffers: KMeansBuffers, pass: KMeansPass, chunkRows: number): number {
  return pass === KMEANS_PASS.SUMS || pass === KMEANS_PASS.VARIANCE ? buffers.d : Math.max(1, Math.ceil(buffers.n / chunkRows));
}

/** One chunk of a pass (the same function on the calling thread and on engine threads). */
export function runKMeansChunk(b: KMeansBuffers, pass: KMeansPass, chunk: number, chunkRows: number): void {
  switch (pass) {
    case KMEANS_PASS.NEARER: {
      const lo = chunk * chunkRows;
      nearerRows(b, lo, Math.min(b.n, lo + chunkRows));
      break;
    }
    case KMEANS_PASS.ASSIGN: {
      const lo = chunk * chunkRows;
      assignRows(b.x, lo, Math.min(b.n, lo + chunkRows), b.d, b.centers, b.k, b.labels, b.distances);
      break;
    }
    case KMEANS_PASS.SUMS:
      featureSums(b, chunk);
      break;
    case KMEANS_PASS.VARIANCE:
      b.variances[chunk] = featureVariance(b.x, b.n, b.d, chunk);
      break;
  }
}

/** The engine of a run on this thread alone: each pass as one chunk of all rows (or one per feature). */
export function localKMeansEngine(x: Float64Array, n: number, d: number, k: number): KMeansEngine {
  const buffers = kmeansBuffers(x, n, d, k);
  const rows = Math.max(1, n);
  return {
    buffers,
    run(pass) {
      const chunks = kmeansChunks(buffers, pass, rows);
      for (let chunk = 0; chunk < chunks; chunk++) runKMeansChunk(buffers, pass, chunk, rows);
    },
  };
}

/** Rows lo..hi−1: for each candidate t, min(closest, the squared distance to it) into nearer's row t. */
function nearerRows(b: KMeansBuffers, lo: number, hi: number): void {
  const { x, d, n, closest, nearer, candidates } = b;
  const count = b.state[0];
  for (let t = 0; t < count; t++) {
    const candidate = candidates[t];
    const out = t * n;
    for (let i = lo; i < hi; i++) nearer[out + i] = Math.min(closest[i], squaredDistance(x, i, x, candidate, d));
  }
}

/** Feature j of Σ x per cluster, rows in order (as one pass over the rows adds them). */
function featureSums(b: KMeansBuffers, j: number): void {
  const { x, n, d, k, labels, sums } = b;
  for (let c = 0; c < k; c++) sums[c * d + j] = 0;
  for (let i = 0; i < n; i++) sums[labels[i] * d + j] += x[i * d + j];
}

/** The population variance of feature j (two passes: the mean, then the squares). */
function featureVariance(x: Float64Array, n: number, d: number, j: number): number {
  let mean = 0;
  for (let i = 0; i < n; i++) mean += x[i * d + j];
  mean /= n;
  let v = 0;
  for (let i = 0; i < n; i++) {
    const diff = x[i * d + j] - mean;
    v += diff * diff;
  }
  return v / n;
}

/** Σ of `length` numbers from `offset`, in order. */
function sumRange(values: Float64Array, offset: number, length: number): number {
  let s = 0;
  for (let i = offset; i < offset + length; i++) s += values[i];
  return s;
}

/**
 * k-means++ seeding; returns k×d centers copied from rows of x. The distances
 * of a center's candidates take one pass (the engine's threads may share
 * it); the sums over the rows stay in row order on this thread.
 */
export function kmeansPlusPlus(
  x: Float64Array,
  n: number,
  d: number,
  k: number,
  rng: Random,
  engine: KMeansEngine = localKMeansEngine(x, n, d, k),
): Float64Array {
  const b = engine.buffers;
  const centers = new Float64Array(k * d);
  const localTrials = seedingTrials(k);
  const first = rng.int(n);
  centers.set(x.subarray(first * d, first * d + d), 0);
  // The first center's distances: min(∞, distance) is the distance.
  b.closest.fill(Infinity);
  b.candidates[0] = first;
  b.state[0] = 1;
  engine.run(KMEANS_PASS.NEARER);
  b.closest.set(b.nearer.subarray(0, n));
  let potential = sumRange(b.closest, 0, n);
  const cumulative = new Float64Array(n);
  for (let c = 1; c < k; c++) {
    let acc = 0;
    for (let i = 0; i < n; i++) {
      acc += b.closest[i];
      cumulative[i] = acc;
    }
    // The candidates depend on this center's potential only, so all are drawn first.
    for (let t = 0; t < localTrials; t++) b.candidates[t] = Math.min(searchSorted(cumulative, rng.next() * potential), n - 1);
    b.state[0] = localTrials;
    engine.run(KMEANS_PASS.NEARER);
    let bestPotential = Infinity;
    let best = 0;
    for (let t = 0; t < localTrials; t++) {
      const candidatePotential = sumRange(b.nearer, t * n, n);
      if (candidatePotential < bestPotential) {
        bestPotential = candidatePotential;
        best = t;
      }
    }
    potential = bestPotential;
    b.closest.set(b.nearer.subarray(best * n, best * n + n));
    const bestId = b.candidates[best];
    centers.set(x.subarray(bestId * d, bestId * d + d), c * d);
  }
  return centers;
}

/** First index whose cumulative value is ≥ target (numpy's searchsorted, side='left'). */
function searchSorted(cumulative: Float64Array, target: number): number {
  let lo = 0;
  let hi = cumulative.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cumulative[mid] < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Rows lo..hi−1: the nearest center (the first one on a tie) and the squared distance to it. */
export function assignRows(
  x: Float64Array,
  lo: number,
  hi: number,
  d: number,
  centers: Float64Array,
  k: number,
  labels: Int32Array,
  distances: Float64Array,
): void {
  for (let i = lo; i < hi; i++) {
    const xi = i * d;
    let best = Infinity;
    let bestC = 0;
    let c = 0;
    // Four centers per pass over the row: four independent sums, each in feature order as squaredDistance adds.
    for (; c + 4 <= k; c += 4) {
      const c0 = c * d;
      const c1 = c0 + d;
      const c2 = c1 + d;
      const c3 = c2 + d;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let t = 0; t < d; t++) {
        const v = x[xi + t];
        const e0 = v - centers[c0 + t];
        const e1 = v - centers[c1 + t];
        const e2 = v - centers[c2 + t];
        const e3 = v - centers[c3 + t];
        s0 += e0 * e0;
        s1 += e1 * e1;
        s2 += e2 * e2;
        s3 += e3 * e3;
      }
      if (s0 < best) {
        best = s0;
        bestC = c;
      }
      if (s1 < best) {
        best = s1;
        bestC = c + 1;
      }
      if (s2 < best) {
        best = s2;
        bestC = c + 2;
      }
      if (s3 < best) {
        best = s3;
        bestC = c + 3;
      }
    }
    for (; c < k; c++) {
      const dist = squaredDistance(x, i, centers, c, d);
      if (dist < best) {
        best = dist;
        bestC = c;
      }
    }
    labels[i] = bestC;
    distances[i] = best;
  }
}

/**
 * Each row's nearest center (the first one on a tie) and its Euclidean
 * distance to it: how a fitted K-Means labels rows, new ones included.
 */
export function nearestCenters(x: Float64Array, n: number, d: number, centers: Float64Array, k: number): { labels: Int32Array; distances: Float64Array } {
  const labels = new Int32Array(n);
  const distances = new Float64Array(n);
  assignRows(x, 0, n, d, centers, k, labels, distances);
  for (let i = 0; i < n; i++) distances[i] = Math.sqrt(distances[i]);
  return { labels, distances };
}

/**
 * Lloyd iterations from the given centers, one yield per iteration. The
 * assignment runs over chunks of rows and the centers' sums over single
 * features (each in row order), so the engine's threads may share both;
 * the sums over all rows (inertia) stay in row order on this thread.
 */
export function* lloyd(
  x: Float64Array,
  n: number,
  d: number,
  k: number,
  initialCenters: Float64Array,
  options: KMeansOptions = KMEANS_DEFAULTS,
  engine: KMeansEngine = localKMeansEngine(x, n, d, k),
): Generator<KMeansStep, KMeansResult> {
  const b = engine.buffers;
  const { centers, labels, distances, sums } = b;
  centers.set(initialCenters.subarray(0, k * d));
  labels.fill(-1);
  const counts = new Float64Array(k);
  const previous = new Int32Array(n);
  engine.run(KMEANS_PASS.VARIANCE);
  // sklearn scales the tolerance by the mean of the per-feature variances.
  const tolerance = (sumRange(b.variances, 0, d) / d) * options.tolerance;
  let converged = false;
  let strict = false;
  let iteration = 0;
  while (iteration < options.maxIterations) {
    iteration++;
    previous.set(labels);
    engine.run(KMEANS_PASS.ASSIGN);
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[labels[i]]++;
    engine.run(KMEANS_PASS.SUMS);
    relocateEmptyClusters(x, n, d, k, labels, distances, sums, counts);
    let shift = 0;
    for (let c = 0; c < k; c++) {
      for (let j = 0; j < d; j++) {
        const value = sums[c * d + j] / counts[c];
        const delta = value - centers[c * d + j];
        shift += delta * delta;
        centers[c * d + j] = value;
      }
    }
    yield { iteration, maxIterations: options.maxIterations, centerShift: shift };
    if (labelsEqual(labels, previous)) {
      converged = strict = true;
      break;
    }
    if (shift <= tolerance) {
      converged = true;
      break;
    }
  }
  // As sklearn: unless the labels were already stable, label once more so they match the final centers.
  if (!strict) engine.run(KMEANS_PASS.ASSIGN);
  const inertia = sumRange(distances, 0, n);
  // Copies: an engine's buffers serve its next run.
  return { centers: centers.slice(), labels: labels.slice(), inertia, nIterations: iteration, converged };
}

function relocateEmptyClusters(
  x: Float64Array,
  n: number,
  d: number,
  k: number,
  labels: Int32Array,
  distances: Float64Array,
  sums: Float64Array,
  counts: Float64Array,
): void {
  const empty: number[] = [];
  for (let c = 0; c < k; c++) if (counts[c] === 0) empty.push(c);
  if (empty.length === 0) return;
  const farthest = Array.from({ length: n }, (_, i) => i).sort((a, b) => distances[b] - distances[a] || a - b);
  empty.forEach((c, t) => {
    const i = farthest[t];
    const old = labels[i];
    counts[old]--;
    for (let j = 0; j < d; j++) sums[old * d + j] -= x[i * d + j];
    counts[c] = 1;
    for (let j = 0; j < d; j++) sums[c * d + j] = x[i * d + j];
    labels[i] = c;
  });
}

function labelsEqual(a: Int32Array, b: Int32Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** One full k-means run (seeding + Lloyd), driven to the end; `engine` may spread its passes over threads. */
export function kmeans(
  x: Float64Array,
  n: number,
  d: number,
  k: number,
  rng: Random,
  options: KMeansOptions = KMEANS_DEFAULTS,
  engine: KMeansEngine = localKMeansEngine(x, n, d, k),
): KMeansResult {
  const run = lloyd(x, n, d, k, kmeansPlusPlus(x, n, d, k, rng, engine), options, engine);
  for (;;) {
    const step = run.next();
    if (step.done) return step.value;
  }
}
