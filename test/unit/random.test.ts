import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Random, deriveSeed } from '../../src/engine/kernels/random';

test('the same seed gives the same stream; another seed another stream', () => {
  const a = new Random(42);
  const b = new Random(42);
  const c = new Random(43);
  const xs = Array.from({ length: 5 }, () => a.next());
  assert.deepEqual(xs, Array.from({ length: 5 }, () => b.next()));
  assert.notDeepEqual(xs, Array.from({ length: 5 }, () => c.next()));
});

test('the stream is pinned: these exact values for seed 42 (a change here changes every result)', () => {
  const r = new Random(42);
  const firsts = [r.nextUint32(), r.nextUint32(), r.nextUint32()];
  // Written down from the generator once: they guard reproducibility across releases.
  assert.deepEqual(firsts, [2837322924, 544945897, 479756282]);
});

test('uniforms lie in [0, 1), ints in [0, n), normals have mean 0 and variance 1', () => {
  const r = new Random(7);
  let sum = 0;
  let sumSq = 0;
  const n = 20000;
  for (let i = 0; i < n; i++) {
    const u = r.next();
    assert.ok(u >= 0 && u < 1);
    const k = r.int(5);
    assert.ok(Number.isInteger(k) && k >= 0 && k < 5);
    const z = r.normal();
    sum += z;
    sumSq += z * z;
  }
  assert.ok(Math.abs(sum / n) < 0.03);
  assert.ok(Math.abs(sumSq / n - 1) < 0.05);
});

test('derived seeds differ per stream and are stable', () => {
  const seeds = new Set(Array.from({ length: 100 }, (_, i) => deriveSeed(42, i)));
  assert.equal(seeds.size, 100);
  assert.equal(deriveSeed(42, 3), deriveSeed(42, 3));
  assert.notEqual(deriveSeed(42, 0), deriveSeed(43, 0));
});

test('sampleIndices gives distinct sorted indices', () => {
  const idx = new Random(1).sampleIndices(50, 20);
  assert.equal(new Set(idx).size, 20);
  for (let i = 1; i < idx.length; i++) assert.ok(idx[i] > idx[i - 1]);
});
