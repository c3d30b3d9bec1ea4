import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CholeskyDecomposition, Matrix, inverse } from 'ml-matrix';
import { choleskyLower, invertLower, logSumExp } from '../../src/engine/kernels/linalg';
import { Random } from '../../src/engine/kernels/random';
import { assertAllClose } from '../helpers/golden';

function randomSpd(d: number, rng: Random): Float64Array {
  const a = new Float64Array(d * d);
  for (let i = 0; i < a.length; i++) a[i] = rng.normal();
  const s = new Float64Array(d * d);
  for (let i = 0; i < d; i++)
    for (let j = 0; j < d; j++) {
      let v = 0;
      for (let t = 0; t < d; t++) v += a[i * d + t] * a[j * d + t];
      s[i * d + j] = v + (i === j ? 0.5 : 0);
    }
  return s;
}

test('our Cholesky kernel and its triangular inverse agree with ml-matrix', () => {
  const rng = new Random(3);
  for (const d of [1, 2, 5, 24, 50]) {
    const spd = randomSpd(d, rng);
    const ours = new Float64Array(d * d);
    assert.ok(choleskyLower(spd, d, ours));
    const reference = new CholeskyDecomposition(new Matrix(Array.from({ length: d }, (_, i) => Array.from(spd.subarray(i * d, i * d + d)))));
    assertAllClose(ours, reference.lowerTriangularMatrix.to1DArray(), 1e-10, `L (d=${d})`);
    const inv = new Float64Array(d * d);
    invertLower(ours, d, inv);
    const referenceInverse = inverse(reference.lowerTriangularMatrix).to1DArray();
    assertAllClose(inv, referenceInverse, 1e-8, `L⁻¹ (d=${d})`);
  }
});

test('Cholesky refuses a matrix that is not positive definite', () => {
  const singular = Float64Array.from([1, 2, 2, 4]); // rank 1
  assert.equal(choleskyLower(singular, 2, new Float64Array(4)), false);
  const indefinite = Float64Array.from([1, 0, 0, -1]);
  assert.equal(choleskyLower(indefinite, 2, new Float64Array(4)), false);
});

test('logSumExp is exact in log space where exp would underflow or overflow', () => {
  assert.equal(logSumExp(Float64Array.from([-1000, -1000]), 0, 2), -1000 + Math.log(2));
  assert.equal(logSumExp(Float64Array.from([1000, 1000]), 0, 2), 1000 + Math.log(2));
  assert.equal(logSumExp(Float64Array.from([-Infinity, -Infinity]), 0, 2), -Infinity);
});
