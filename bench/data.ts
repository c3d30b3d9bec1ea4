/**
 * The bench's data files, all under bench/output/ (git-ignored):
 *
 *   customers-<rows>-s<seed>.csv        the seeded example customers
 *   customers-<rows>-s<seed>.csv.json   how it was made (rows, seed, bytes), for reuse
 *   z-<rows>-s<seed>.f64                the standardised matrix z that prepareFeatures
 *                                       made from that CSV: raw little-endian float64,
 *                                       row-major n×d, no header
 *   z-<rows>-s<seed>.json               n, d, features, … of that matrix
 *   labels-<rows>-s<seed>.i32           our GMM's hard labels (little-endian int32),
 *                                       so both silhouettes score the same partition
 *
 * Node and Python read the same .f64 file, so both sides fit exactly the same numbers.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_MISSING_RATE, writeCustomersCsvFile } from '../examples/customers';

export const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
export const REPO_DIR = resolve(BENCH_DIR, '..');
export const OUTPUT_DIR = join(BENCH_DIR, 'output');
export const SEED = 7;

export interface MatrixMeta {
  n: number;
  d: number;
  features: string[];
  nRowsRead: number;
  nRowsDropped: number;
  /** Identifies the CSV this came from, so a regenerated CSV invalidates it. */
  csvBytes: number;
  csvMtimeMs: number;
  /** sha256 of src/engine/data/csv.ts + prepare.ts when it was made. */
  sourceHash: string;
  dtype: '<f8';
  order: 'C';
}

export function csvPath(rows: number, seed = SEED): string {
  return join(OUTPUT_DIR, `customers-${rows}-s${seed}.csv`);
}
export function matrixPath(rows: number, seed = SEED): string {
  return join(OUTPUT_DIR, `z-${rows}-s${seed}.f64`);
}
export function matrixMetaPath(rows: number, seed = SEED): string {
  return join(OUTPUT_DIR, `z-${rows}-s${seed}.json`);
}
export function labelsPath(rows: number, seed = SEED): string {
  return join(OUTPUT_DIR, `labels-${rows}-s${seed}.i32`);
}

export function readJson<T>(path: string): T | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

export function writeJson(path: string, value: unknown): void {
  writeFileSync(path, JSON.stringify(value, null, 2) + '\n');
}

/** The matrix as written by the export case: a Float64Array view over the file's bytes. */
export function loadMatrix(rows: number, seed = SEED): { z: Float64Array; meta: MatrixMeta } {
  const meta = readJson<MatrixMeta>(matrixMetaPath(rows, seed));
  if (!meta) throw new Error(`no matrix for ${rows} rows: run bench/bench.ts first`);
  if (!littleEndian()) throw new Error('big-endian hosts are not supported');
  const bytes = readFileSync(matrixPath(rows, seed));
  if (bytes.byteLength !== meta.n * meta.d * 8) throw new Error(`${matrixPath(rows, seed)} has the wrong size`);
  // Copy into an aligned buffer (Buffer pool slices need not be 8-byte aligned), shared as
  // prepareFeatures allocates it, so engine threads read it without a copy.
  const z = new Float64Array(new SharedArrayBuffer(meta.n * meta.d * 8));
  new Uint8Array(z.buffer).set(bytes);
  return { z, meta };
}

export function saveMatrix(rows: number, seed: number, z: Float64Array, meta: MatrixMeta): void {
  if (!littleEndian()) throw new Error('big-endian hosts are not supported');
  writeFileSync(matrixPath(rows, seed), new Uint8Array(z.buffer, z.byteOffset, z.byteLength));
  writeJson(matrixMetaPath(rows, seed), meta);
}

export function saveLabels(rows: number, seed: number, labels: Int32Array): void {
  writeFileSync(labelsPath(rows, seed), new Uint8Array(labels.buffer, labels.byteOffset, labels.byteLength));
}

export function loadLabels(rows: number, n: number, seed = SEED): Int32Array {
  const bytes = readFileSync(labelsPath(rows, seed));
  if (bytes.byteLength !== n * 4) throw new Error(`${labelsPath(rows, seed)} has the wrong size`);
  const labels = new Int32Array(n);
  new Uint8Array(labels.buffer).set(bytes);
  return labels;
}

function littleEndian(): boolean {
  return new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
}

/** Is the matrix file for this CSV current (same CSV bytes/mtime, same csv/prepare sources)? */
export function matrixIsCurrent(rows: number, seed: number, sourceHash: string): boolean {
  const meta = readJson<MatrixMeta>(matrixMetaPath(rows, seed));
  const csv = csvPath(rows, seed);
  if (!meta || !existsSync(csv) || !existsSync(matrixPath(rows, seed))) return false;
  const st = statSync(csv);
  return (
    meta.csvBytes === st.size &&
    meta.csvMtimeMs === st.mtimeMs &&
    meta.sourceHash === sourceHash &&
    statSync(matrixPath(rows, seed)).size === meta.n * meta.d * 8
  );
}

/** sha256 of the CSV reader and the preparation, to know when an exported matrix is stale. */
export function sourceHash(): string {
  const h = createHash('sha256');
  for (const f of ['src/engine/data/csv.ts', 'src/engine/data/prepare.ts']) {
    try {
      h.update(readFileSync(join(REPO_DIR, f)));
    } catch {
      h.update(`missing ${f}`);
    }
  }
  return h.digest('hex').slice(0, 16);
}

/** The example customers at `rows` rows (seed SEED) in bench/output/, generated unless a current copy is there. */
export async function ensureCustomersCsv(rows: number, log: (message: string) => void): Promise<string> {
  const path = csvPath(rows);
  const sidecar = `${path}.json`;
  const made = readJson<{ rows: number; seed: number; missingRate: number; bytes: number }>(sidecar);
  if (
    made &&
    existsSync(path) &&
    made.rows === rows &&
    made.seed === SEED &&
    made.missingRate === DEFAULT_MISSING_RATE &&
    statSync(path).size === made.bytes
  ) {
    log(`reusing ${relative(REPO_DIR, path)} (${rows} rows, seed ${SEED})`);
    return path;
  }
  log(`generating ${relative(REPO_DIR, path)} (${rows} rows, seed ${SEED}) …`);
  await writeCustomersCsvFile(path, { rows, seed: SEED }, { force: true });
  writeJson(sidecar, { rows, seed: SEED, missingRate: DEFAULT_MISSING_RATE, bytes: statSync(path).size });
  return path;
}

/** dist/engineThread.js when it is newer than every engine source file (the threads the built CLI runs), else undefined. */
export function builtThreadEntry(): string | undefined {
  const built = join(REPO_DIR, 'dist', 'engineThread.js');
  if (!existsSync(built)) return undefined;
  const builtAt = statSync(built).mtimeMs;
  const sources = readdirSync(join(REPO_DIR, 'src', 'engine'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
  return sources.every((f) => statSync(join(REPO_DIR, 'src', 'engine', f)).mtimeMs <= builtAt) ? built : undefined;
}
