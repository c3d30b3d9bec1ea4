/** Small in-memory datasets for tests, built the way prepareFeatures would. */
import { matrixOriginals, type PreparedData } from '../../src/engine/data/prepare';
import { Random } from '../../src/engine/kernels/random';

/** Standardises a raw n×d matrix (ddof 0) into a PreparedData. */
export function preparedFromRaw(raw: Float64Array, n: number, d: number, features: string[]): PreparedData {
  const mean = new Float64Array(d);
  const scale = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    let m = 0;
    for (let i = 0; i < n; i++) m += raw[i * d + j];
    m /= n;
    let v = 0;
    for (let i = 0; i < n; i++) v += (raw[i * d + j] - m) ** 2;
    mean[j] = m;
    scale[j] = Math.sqrt(v / n) || 1;
  }
  const z = raw.map((x, t) => (x - mean[t % d]) / scale[t % d]);
  return {
    fileName: 'test.csv',
    features,
    n,
    d,
    originals: matrixOriginals(raw, n, d),
    z,
    mean,
    scale,
    rowNumbers: Int32Array.from({ length: n }, (_, i) => i + 1),
    idColumn: null,
    ids: null,
    excluded: [],
    nRowsRead: n,
    nRowsDropped: 0,
    nValuesImputed: 0,
    missing: 'drop',
  };
}

/** `perCluster` points around each of the given centers (rows of d), with unit noise × spread. */
export function blobs(centers: number[][], perCluster: number, spread: number, seed: number, features?: string[]): PreparedData {
  const d = centers[0].length;
  const n = centers.length * perCluster;
  const rng = new Random(seed);
  const raw = new Float64Array(n * d);
  centers.forEach((center, c) => {
    for (let i = 0; i < perCluster; i++) {
      for (let j = 0; j < d; j++) raw[(c * perCluster + i) * d + j] = center[j] + spread * rng.normal();
    }
  });
  return preparedFromRaw(raw, n, d, features ?? Array.from({ length: d }, (_, j) => `x${j}`));
}
