/** Loading the scikit-learn golden fixtures (tools/golden/README.md) and comparing numbers to them. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';

export function loadGolden<T>(name: string): T {
  return JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'golden', name), 'utf8')) as T;
}

/** |actual − expected| ≤ rel·max(1, |expected|): relative for large values, absolute near 0. */
export function assertClose(actual: number, expected: number, rel: number, what: string): void {
  const bound = rel * Math.max(1, Math.abs(expected));
  assert.ok(
    Math.abs(actual - expected) <= bound,
    `${what}: got ${actual}, expected ${expected} (difference ${Math.abs(actual - expected)} > ${bound})`,
  );
}

export function assertAllClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rel: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) assertClose(actual[i], expected[i], rel, `${what}[${i}]`);
}

/** Two labelings describe the same partition (equal up to renaming the clusters). */
export function samePartition(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  const forward = new Map<number, number>();
  const backward = new Map<number, number>();
  for (let i = 0; i < a.length; i++) {
    if ((forward.get(a[i]) ?? b[i]) !== b[i] || (backward.get(b[i]) ?? a[i]) !== a[i]) return false;
    forward.set(a[i], b[i]);
    backward.set(b[i], a[i]);
  }
  return true;
}
