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

/** k-means++ seeding; returns k×d centers copied from rows of x. */
export function kmeansPlusPlus(x: Float64Array, n: number, d: number, k: number, rng: Random): Float64Array {
  const centers = new Float64Array(k * d);
  const localTrials = 2 + Math.floor(Math.log(k));
  const first = rng.int(n);
  centers.set(x.subarray(first * d, first * d + d), 0);
  let closest = new Float64Array(n);
  let potential = 0;
  for (let i = 0; i < n; i++) {
    closest[i] = squaredDistance(x, i, x, first, d);
    potential += closest[i];
  }
  const cumulative = new Float64Array(n);
  let candidateDist = new Float64Array(n);
  let bestDist = new Float64Array(n);
  for (let c = 1; c < k; c++) {
    let acc = 0;
    for (let i = 0; i < n; i++) {
      acc += closest[i];
      cumulative[i] = acc;
    }
    let bestPotential = Infinity;
    let bestId = 0;
    for (let t = 0; t < localTrials; t++) {
      const candidate = Math.min(searchSorted(cumulative, rng.next() * potential), n - 1);
      let candidatePotential = 0;
      for (let i = 0; i < n; i++) {
        const dist = Math.min(closest[i], squaredDistance(x, i, x, candidate, d));
        candidateDist[i] = dist;
        candidatePotential += dist;
      }
      if (candidatePotential < bestPotential) {
        bestPotential = candidatePotential;
        bestId = candidate;
        [bestDist, candidateDist] = [candidateDist, bestDist];
      }
    }
    potential = bestPotential;
    [closest, bestDist] = [bestDist, closest];
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

/** Mean of the per-feature variances: sklearn scales the tolerance by it. */
function meanVariance(x: Float64Array, n: number, d: number): number {
  let total = 0;
  for (let j = 0; j < d; j++) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += x[i * d + j];
    mean /= n;
    let v = 0;
    for (let i = 0; i < n; i++) {
      const diff = x[i * d + j] - mean;
      v += diff * diff;
    }
    total += v / n;
  }
  return total / d;
}

/**
 * Fills labels and distances (one per row) exactly as assignToCenters does,
 * row by row; lets a caller spread the rows over engine threads.
 */
export type RowAssigner = (centers: Float64Array, k: number, labels: Int32Array, distances: Float64Array) => void;

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
    let best = Infinity;
    let bestC = 0;
    for (let c = 0; c < k; c++) {
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

/** Nearest center of every row; returns inertia, fills labels and each row's squared distance. */
export function assignToCenters(
  x: Float64Array,
  n: number,
  d: number,
  centers: Float64Array,
  k: number,
  labels: Int32Array,
  distances: Float64Array,
  assigner?: RowAssigner,
): number {
  if (assigner) assigner(centers, k, labels, distances);
  else assignRows(x, 0, n, d, centers, k, labels, distances);
  return sumOf(distances);
}

/** Lloyd iterations from the given centers, one yield per iteration. */
export function* lloyd(
  x: Float64Array,
  n: number,
  d: number,
  k: number,
  initialCenters: Float64Array,
  options: KMeansOptions = KMEANS_DEFAULTS,
  assigner?: RowAssigner,
): Generator<KMeansStep, KMeansResult> {
  const centers = Float64Array.from(initialCenters);
  const next = new Float64Array(k * d);
  const counts = new Float64Array(k);
  const labels = new Int32Array(n).fill(-1);
  const previous = new Int32Array(n);
  const distances = new Float64Array(n);
  const tolerance = meanVariance(x, n, d) * options.tolerance;
  let converged = false;
  let strict = false;
  let iteration = 0;
  while (iteration < options.maxIterations) {
    iteration++;
    previous.set(labels);
    assignToCenters(x, n, d, centers, k, labels, distances, assigner);
    next.fill(0);
    counts.fill(0);
    for (let i = 0; i < n; i++) {
      const c = labels[i];
      counts[c]++;
      for (let j = 0; j < d; j++) next[c * d + j] += x[i * d + j];
    }
    relocateEmptyClusters(x, n, d, k, labels, distances, next, counts);
    let shift = 0;
    for (let c = 0; c < k; c++) {
      for (let j = 0; j < d; j++) {
        const value = next[c * d + j] / counts[c];
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
  const inertia = strict
    ? sumOf(distances)
    : assignToCenters(x, n, d, centers, k, labels, distances, assigner);
  return { centers, labels, inertia, nIterations: iteration, converged };
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

function sumOf(values: Float64Array): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i];
  return s;
}

/** One full k-means run (seeding + Lloyd), driven to the end. */
export function kmeans(
  x: Float64Array,
  n: number,
  d: number,
  k: number,
  rng: Random,
  options: KMeansOptions = KMEANS_DEFAULTS,
  assigner?: RowAssigner,
): KMeansResult {
  const run = lloyd(x, n, d, k, kmeansPlusPlus(x, n, d, k, rng), options, assigner);
  for (;;) {
    const step = run.next();
    if (step.done) return step.value;
  }
}
