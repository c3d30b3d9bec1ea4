/**
 * Small dense kernels on row-major Float64Array matrices. The engine's
 * matrices are d×d with d the number of features (tens), so plain loops beat
 * the allocation and indirection of a general matrix library; ml-matrix is the
 * reference these are tested against.
 */

/**
 * Lower Cholesky factor of the symmetric positive-definite d×d matrix `a`,
 * written into `out` (may be `a`). Reads only the lower triangle. Returns
 * false when `a` is not numerically positive definite.
 */
export function choleskyLower(a: Float64Array, d: number, out: Float64Array): boolean {
  for (let j = 0; j < d; j++) {
    let diag = a[j * d + j];
    for (let k = 0; k < j; k++) diag -= out[j * d + k] * out[j * d + k];
    if (!(diag > 0) || !Number.isFinite(diag)) return false;
    const ljj = Math.sqrt(diag);
    out[j * d + j] = ljj;
    for (let i = j + 1; i < d; i++) {
      let s = a[i * d + j];
      for (let k = 0; k < j; k++) s -= out[i * d + k] * out[j * d + k];
      out[i * d + j] = s / ljj;
    }
    for (let k = j + 1; k < d; k++) out[j * d + k] = 0;
  }
  return true;
}

/** Inverse of a lower-triangular d×d matrix (forward substitution), lower-triangular result. */
export function invertLower(l: Float64Array, d: number, out: Float64Array): void {
  out.fill(0);
  for (let col = 0; col < d; col++) {
    out[col * d + col] = 1 / l[col * d + col];
    for (let i = col + 1; i < d; i++) {
      let s = 0;
      for (let k = col; k < i; k++) s -= l[i * d + k] * out[k * d + col];
      out[i * d + col] = s / l[i * d + i];
    }
  }
}

/** Transpose of a d×d matrix into a new array. */
export function transposeSquare(a: Float64Array, d: number): Float64Array {
  const t = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) t[j * d + i] = a[i * d + j];
  return t;
}

/** Numerically stable log(Σ exp(v[offset..offset+len))). */
export function logSumExp(v: Float64Array, offset: number, len: number): number {
  let max = -Infinity;
  for (let j = 0; j < len; j++) if (v[offset + j] > max) max = v[offset + j];
  if (max === -Infinity) return -Infinity;
  if (max === Infinity) return Infinity;
  let s = 0;
  for (let j = 0; j < len; j++) s += Math.exp(v[offset + j] - max);
  return max + Math.log(s);
}

/** Squared Euclidean distance between row i of a and row j of b (both with d columns). */
export function squaredDistance(a: Float64Array, i: number, b: Float64Array, j: number, d: number): number {
  let s = 0;
  const ai = i * d;
  const bj = j * d;
  for (let t = 0; t < d; t++) {
    const diff = a[ai + t] - b[bj + t];
    s += diff * diff;
  }
  return s;
}
