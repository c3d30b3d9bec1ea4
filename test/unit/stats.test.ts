import { test } from 'node:test';
import assert from 'node:assert/strict';
import { featureStatistics, mean, medianSorted, quantileSorted, std } from '../../src/engine/kernels/stats';

function assertRel(actual: number | null, expected: number, what: string, tolerance = 1e-15): void {
  assert.ok(actual !== null && Math.abs(actual / expected - 1) <= tolerance, `${what}: ${actual} ≠ ${expected}`);
}

test('statistics of ordinary values are numpy’s and pandas’', () => {
  const s = featureStatistics(Float64Array.from([4, 1, 3, 2]));
  assert.deepEqual(s, { mean: 2.5, median: 2.5, std: Math.sqrt(5 / 3), min: 1, max: 4, q25: 1.75, q75: 3.25 });
});

test('huge values give finite means, std, medians and quantiles (issue 11.2)', () => {
  const values = Float64Array.from([1e307, 1.5e307, 1.75e307, 1.25e307].map((v) => v * 10));
  const s = featureStatistics(values);
  assertRel(s.mean, 1.375e308, 'mean');
  assertRel(s.std, Math.sqrt(((0.375 ** 2 + 0.125 ** 2) * 2) / 3) * 1e308, 'std');
  assertRel(s.median, 1.375e308, 'median');
  assertRel(s.q25, 1.1875e308, 'q25');
  assertRel(s.q75, 1.5625e308, 'q75');
  assertRel(mean([1.7e308, 1.7e308]), 1.7e308, 'mean of two');
  assertRel(std([1e155, 0], 0), 5e154, 'std, ddof 0');
});

test('a quantile or median between the two ends of the number line is finite', () => {
  const sorted = Float64Array.from([-1.6e308, 1.6e308]);
  assertRel(quantileSorted(sorted, 0.25), -0.8e308, 'q25');
  assertRel(quantileSorted(sorted, 0.75), 0.8e308, 'q75');
  assert.equal(medianSorted(sorted), 0);
  assertRel(medianSorted(Float64Array.from([1.6e308, 1.7e308])), 1.65e308, 'median of two');
});
