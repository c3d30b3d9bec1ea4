/**
 * Cluster-validity metrics with scikit-learn's definitions
 * (sklearn/metrics/cluster/_unsupervised.py), on row-major n×d data and hard
 * labels 0..k−1. Clusters with no members are ignored, as sklearn only sees
 * the labels present. A metric that is undefined (fewer than 2 or more than
 * n−1 clusters present) is null.
 */
import { Random } from './random';
import { throwIfAborted } from '../errors';
import {
  EngineThreadFailure,
  float64Array,
  openChunkPool,
  runChunks,
  shareArrays,
  sharedCopy,
  threadTuning,
  viewArrays,
  type ChunkRunner,
  type Shared,
} from './threads';

/** Cluster ids present, relabelled 0..m−1 in increasing order of the original id. */
function compactLabels(labels: Int32Array): { labels: Int32Array; m: number } {
  let max = -1;
  for (let i = 0; i < labels.length; i++) if (labels[i] > max) max = labels[i];
  const map = new Int32Array(max + 1).fill(-1);
  for (let i = 0; i < labels.length; i++) map[labels[i]] = 1;
  let m = 0;
  for (let c = 0; c <= max; c++) if (map[c] === 1) map[c] = m++;
  return { labels: labels.map((l) => map[l]), m };
}

function definedFor(m: number, n: number): boolean {
  return m >= 2 && m <= n - 1;
}

const TILE = 128;

/**
 * Pair work n²·d/2 below which engine threads do not pay for themselves (a
 * new thread starts cold, and every anti-diagonal waits for its slowest
 * tile): measured on 2 cores from the bundle, 2 threads lose up to
 * ~200 million (n = 6,000 × d = 10, 3,000 × 50) and win from ~320 million
 * (8,000 × 10: 0.80×; 4,000 × 50: 0.84×; 12,000 × 10: 0.67×).
 */
export const MIN_SILHOUETTE_PARALLEL_WORK = 300_000_000;

/** How the pairwise distance sums are computed: cancellation and engine threads. */
export interface DistanceSumOptions {
  signal?: AbortSignal;
  /** Threads, the calling one included; 1 (the default) starts none. Results are the same bit for bit. */
  threads?: number;
  /** Where to say why threads are not used (default: NODE_DEBUG=segment). */
  log?: (message: string) => void;
}

/**
 * Per-sample silhouette values. Distances are computed once per pair, tile
 * by tile for cache locality; memory is O(n·k), never O(n²).
 */
export function silhouetteSamples(
  x: Float64Array,
  n: number,
  d: number,
  rawLabels: Int32Array,
  options: DistanceSumOptions = {},
): Float64Array {
  return silhouetteSamplesOf(x, n, d, [rawLabels], options)[0];
}

/**
 * Per-sample silhouette values of several labelings of the same rows (a
 * sweep's fits of every k): each pair's distance is computed once and added
 * to the sums of every labeling, each in the order it would have on its own,
 * so every labeling's values are those of silhouetteSamples, bit for bit.
 */
function silhouetteSamplesOf(
  x: Float64Array,
  n: number,
  d: number,
  rawLabelings: readonly Int32Array[],
  options: DistanceSumOptions,
): Float64Array[] {
  const labelings = rawLabelings.map(compactLabels);
  const sums = clusterDistanceSums(x, n, d, labelings, options);
  return labelings.map(({ labels, m }, l) => samplesFromSums(labels, m, n, sums[l]));
}

/** The silhouette of each sample from its sums of distances to each cluster. */
function samplesFromSums(labels: Int32Array, m: number, n: number, sums: Float64Array): Float64Array {
  const counts = new Float64Array(m);
  for (let i = 0; i < n; i++) counts[labels[i]]++;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const own = labels[i];
    if (counts[own] <= 1) continue; // sklearn: a singleton's silhouette is 0
    const a = sums[i * m + own] / (counts[own] - 1);
    let b = Infinity;
    for (let c = 0; c < m; c++) {
      if (c === own) continue;
      const mean = sums[i * m + c] / counts[c];
      if (mean < b) b = mean;
    }
    const denominator = Math.max(a, b);
    out[i] = denominator > 0 ? (b - a) / denominator : 0;
  }
  return out;
}

/**
 * Where the sums of several labelings live: labeling l's labels (0..ms[l]−1)
 * at l·n of one array, its n×ms[l] sums at offsets[l] of another.
 */
interface SumsLayout {
  n: number;
  d: number;
  ms: number[];
  offsets: number[];
}

/**
 * sums[i·m + c] = Σ_{j in cluster c} ‖x_i − x_j‖ for each labeling, each
 * pair's distance computed once (tile (I, J), I ≤ J, adds it to rows of
 * both). Whatever the order of the tiles, the distance of a pair is the same
 * number, and every row's sums take their terms in increasing j as long as
 * row tile R sees its tiles (0, R), (1, R), …, (R, R), (R, R+1), … in that
 * order. One thread runs them row tile by row tile; engine threads run them
 * by anti-diagonals (pass p: the tiles with I + J = p, which share no rows),
 * so the sums, and the score, are the same bit for bit on any number of
 * threads, and for a labeling alone or with others.
 */
function clusterDistanceSums(
  x: Float64Array,
  n: number,
  d: number,
  labelings: readonly { labels: Int32Array; m: number }[],
  options: DistanceSumOptions,
): Float64Array[] {
  const tiles = Math.ceil(n / TILE);
  const workers = Math.min(options.threads ?? 1, Math.ceil(tiles / 2)) - 1;
  const threaded = workers > 0 && (n * n * d) / 2 >= (threadTuning.minWork ?? MIN_SILHOUETTE_PARALLEL_WORK);
  const ms = labelings.map((l) => l.m);
  const offsets: number[] = [];
  let total = 0;
  for (const m of ms) {
    offsets.push(total);
    total += n * m;
  }
  const layout: SumsLayout = { n, d, ms, offsets };
  const labels = new Int32Array(labelings.length * n);
  labelings.forEach((l, index) => labels.set(l.labels, index * n));
  const sums = float64Array(total, threaded);
  const perLabeling = () => offsets.map((offset, l) => sums.subarray(offset, offset + n * ms[l]));
  if (threaded) {
    const setup: SilhouetteThreadSetup = { ...layout, arrays: shareArrays({ x: sharedCopy(x.subarray(0, n * d)), labels: sharedCopy(labels), sums }) };
    // The tiles add to the sums: a pass that failed in a thread cannot be redone, the whole is.
    const pool = openChunkPool(workers, { kind: 'silhouette', setup }, options.log, { redo: false });
    try {
      const local = silhouetteChunkRunner(setup);
      for (let pass = 0; pass < 2 * tiles - 1; pass++) {
        throwIfAborted(options.signal);
        runChunks(pool, pass, antiDiagonal(pass, tiles).count, local);
      }
      return perLabeling();
    } catch (error) {
      if (!(error instanceof EngineThreadFailure)) throw error;
      sums.fill(0);
    } finally {
      pool?.close();
    }
  }
  for (let i0 = 0; i0 < n; i0 += TILE) {
    throwIfAborted(options.signal); // an exact silhouette of 20,000 rows takes seconds
    for (let j0 = i0; j0 < n; j0 += TILE) distanceTile(x, layout, labels, sums, i0, j0);
  }
  return perLabeling();
}

/** The tiles (I, p − I), I ≤ p − I, of anti-diagonal p: I from `first`, `count` of them. */
function antiDiagonal(pass: number, tiles: number): { first: number; count: number } {
  const first = Math.max(0, pass - (tiles - 1));
  return { first, count: (pass >> 1) - first + 1 };
}

interface SilhouetteArrays {
  x: Float64Array;
  /** Every labeling's, 0..m−1, one after the other. */
  labels: Int32Array;
  sums: Float64Array;
}

/** What an engine thread gets for a silhouette: the layout and the shared data, labels and sums. */
interface SilhouetteThreadSetup extends SumsLayout {
  arrays: Shared<SilhouetteArrays>;
}

/** Pass p, chunk c: tile (I, p − I) with I the c-th of the anti-diagonal. */
export function silhouetteChunkRunner(setup: unknown): ChunkRunner {
  const s = setup as SilhouetteThreadSetup;
  const { x, labels, sums } = viewArrays<SilhouetteArrays>(s.arrays);
  const tiles = Math.ceil(s.n / TILE);
  return (pass, chunk) => {
    const row = antiDiagonal(pass, tiles).first + chunk;
    distanceTile(x, s, labels, sums, row * TILE, (pass - row) * TILE);
  };
}

/**
 * One tile of pairs: rows i0.. against rows j0.. (j0 ≥ i0; on the diagonal,
 * each pair once). Off-diagonal tiles take 2 rows × 4 columns per step:
 * eight independent sums instead of one chain of dependent additions per
 * pair, each loaded value used twice. Each distance goes to every labeling.
 */
function distanceTile(x: Float64Array, layout: SumsLayout, labels: Int32Array, sums: Float64Array, i0: number, j0: number): void {
  const { n, d, ms, offsets } = layout;
  const dist = new Float64Array(8);
  const i1 = Math.min(i0 + TILE, n);
  const j1 = Math.min(j0 + TILE, n);
  const diagonal = j0 === i0;
  let i = i0;
  for (; !diagonal && i + 2 <= i1; i += 2) {
    const xa = i * d;
    const xb = xa + d;
    let j = j0;
    for (; j + 4 <= j1; j += 4) {
      const p0 = j * d;
      const p1 = p0 + d;
      const p2 = p1 + d;
      const p3 = p2 + d;
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      let b0 = 0;
      let b1 = 0;
      let b2 = 0;
      let b3 = 0;
      for (let t = 0; t < d; t++) {
        const va = x[xa + t];
        const vb = x[xb + t];
        const y0 = x[p0 + t];
        const y1 = x[p1 + t];
        const y2 = x[p2 + t];
        const y3 = x[p3 + t];
        let u = va - y0;
        a0 += u * u;
        u = va - y1;
        a1 += u * u;
        u = va - y2;
        a2 += u * u;
        u = va - y3;
        a3 += u * u;
        u = vb - y0;
        b0 += u * u;
        u = vb - y1;
        b1 += u * u;
        u = vb - y2;
        b2 += u * u;
        u = vb - y3;
        b3 += u * u;
      }
      dist[0] = Math.sqrt(a0);
      dist[1] = Math.sqrt(a1);
      dist[2] = Math.sqrt(a2);
      dist[3] = Math.sqrt(a3);
      dist[4] = Math.sqrt(b0);
      dist[5] = Math.sqrt(b1);
      dist[6] = Math.sqrt(b2);
      dist[7] = Math.sqrt(b3);
      for (let l = 0; l < ms.length; l++) {
        const m = ms[l];
        const at = l * n;
        const base = offsets[l];
        const la = labels[at + i];
        const lb = labels[at + i + 1];
        for (let r = 0; r < 4; r++) {
          const lj = labels[at + j + r];
          sums[base + i * m + lj] += dist[r];
          sums[base + (i + 1) * m + lj] += dist[4 + r];
          sums[base + (j + r) * m + la] += dist[r];
          sums[base + (j + r) * m + lb] += dist[4 + r];
        }
      }
    }
    for (; j < j1; j++) {
      addPair(x, layout, labels, sums, i, j);
      addPair(x, layout, labels, sums, i + 1, j);
    }
  }
  for (; i < i1; i++) {
    for (let j = diagonal ? i + 1 : j0; j < j1; j++) addPair(x, layout, labels, sums, i, j);
  }
}

function addPair(x: Float64Array, layout: SumsLayout, labels: Int32Array, sums: Float64Array, i: number, j: number): void {
  const { n, d, ms, offsets } = layout;
  let s = 0;
  for (let t = 0; t < d; t++) {
    const u = x[i * d + t] - x[j * d + t];
    s += u * u;
  }
  const dist = Math.sqrt(s);
  for (let l = 0; l < ms.length; l++) {
    const m = ms[l];
    const at = l * n;
    sums[offsets[l] + i * m + labels[at + j]] += dist;
    sums[offsets[l] + j * m + labels[at + i]] += dist;
  }
}

export interface SilhouetteOptions extends DistanceSumOptions {
  /** Exact up to this many samples; above it, a seeded random sample of this size. */
  sampleSize: number;
  seed: number;
}

export interface SilhouetteResult {
  score: number | null;
  /** null when exact. */
  sampleSize: number | null;
}

export function silhouetteScore(
  x: Float64Array,
  n: number,
  d: number,
  labels: Int32Array,
  options: SilhouetteOptions,
): SilhouetteResult {
  return silhouetteScores(x, n, d, [labels], options)[0];
}

/**
 * The silhouette scores of several labelings of the same rows, each the
 * number silhouetteScore gives it alone (the same sample of rows when
 * sampled: it depends only on n, the sample size and the seed), for the
 * distances' cost of one.
 */
export function silhouetteScores(
  x: Float64Array,
  n: number,
  d: number,
  labelings: readonly Int32Array[],
  options: SilhouetteOptions,
): SilhouetteResult[] {
  let data = x;
  let sampled = labelings;
  let size = n;
  let sampleSize: number | null = null;
  if (n > options.sampleSize) {
    const indices = new Random(options.seed).sampleIndices(n, options.sampleSize);
    size = options.sampleSize;
    sampleSize = size;
    data = new Float64Array(size * d);
    indices.forEach((row, t) => data.set(x.subarray(row * d, row * d + d), t * d));
    sampled = labelings.map((labels) => Int32Array.from(indices, (row) => labels[row]));
  }
  const defined = sampled.filter((labels) => definedFor(compactLabels(labels).m, size));
  const values = defined.length > 0 ? silhouetteSamplesOf(data, size, d, defined, options) : [];
  return sampled.map((labels) => {
    const at = defined.indexOf(labels);
    if (at < 0) return { score: null, sampleSize };
    let total = 0;
    for (let i = 0; i < size; i++) total += values[at][i];
    return { score: total / size, sampleSize };
  });
}

function centroidsOf(x: Float64Array, n: number, d: number, labels: Int32Array, m: number) {
  const counts = new Float64Array(m);
  const centroids = new Float64Array(m * d);
  for (let i = 0; i < n; i++) {
    const c = labels[i];
    counts[c]++;
    for (let t = 0; t < d; t++) centroids[c * d + t] += x[i * d + t];
  }
  for (let c = 0; c < m; c++) for (let t = 0; t < d; t++) centroids[c * d + t] /= counts[c];
  return { counts, centroids };
}

function distance(a: Float64Array, i: number, b: Float64Array, j: number, d: number): number {
  let s = 0;
  for (let t = 0; t < d; t++) {
    const diff = a[i * d + t] - b[j * d + t];
    s += diff * diff;
  }
  return Math.sqrt(s);
}

export function daviesBouldinScore(x: Float64Array, n: number, d: number, rawLabels: Int32Array): number | null {
  const { labels, m } = compactLabels(rawLabels);
  if (!definedFor(m, n)) return null;
  const { counts, centroids } = centroidsOf(x, n, d, labels, m);
  const intra = new Float64Array(m);
  for (let i = 0; i < n; i++) intra[labels[i]] += distance(x, i, centroids, labels[i], d);
  for (let c = 0; c < m; c++) intra[c] /= counts[c];
  const between = new Float64Array(m * m);
  for (let a = 0; a < m; a++) for (let b = 0; b < m; b++) between[a * m + b] = distance(centroids, a, centroids, b, d);
  // sklearn returns 0 when all spreads or all centroid distances are (close to) zero.
  if (allClose(intra, 0) || allClose(between, 0)) return 0;
  let total = 0;
  for (let a = 0; a < m; a++) {
    let worst = -Infinity;
    for (let b = 0; b < m; b++) {
      if (a === b) continue; // sklearn's 0/inf on the diagonal is 0
      const dist = between[a * m + b];
      const ratio = dist === 0 ? 0 : (intra[a] + intra[b]) / dist;
      if (ratio > worst) worst = ratio;
    }
    total += Math.max(worst, 0);
  }
  return total / m;
}

/** numpy.allclose(values, target) with its default tolerances. */
function allClose(values: Float64Array, target: number): boolean {
  return values.every((v) => Math.abs(v - target) <= 1e-8 + 1e-5 * Math.abs(target));
}

export function calinskiHarabaszScore(x: Float64Array, n: number, d: number, rawLabels: Int32Array): number | null {
  const { labels, m } = compactLabels(rawLabels);
  if (!definedFor(m, n)) return null;
  const { counts, centroids } = centroidsOf(x, n, d, labels, m);
  const grand = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let t = 0; t < d; t++) grand[t] += x[i * d + t];
  for (let t = 0; t < d; t++) grand[t] /= n;
  let extra = 0;
  for (let c = 0; c < m; c++) {
    let s = 0;
    for (let t = 0; t < d; t++) {
      const diff = centroids[c * d + t] - grand[t];
      s += diff * diff;
    }
    extra += counts[c] * s;
  }
  let intra = 0;
  for (let i = 0; i < n; i++) {
    const c = labels[i];
    for (let t = 0; t < d; t++) {
      const diff = x[i * d + t] - centroids[c * d + t];
      intra += diff * diff;
    }
  }
  return intra === 0 ? 1 : (extra * (n - m)) / (intra * (m - 1));
}
