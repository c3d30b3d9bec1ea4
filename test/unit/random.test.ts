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

test('derived seeds are pinned: these exact values (a change here changes every restart and sample)', () => {
  // Written down from deriveSeed once, and the same from a separate transcription of it into
  // Python: [seed, stream, deriveSeed(seed, stream)].
  const pinned: [number, number, number][] = [
    [42, 0, 1942017462],
    [42, 1, 360880079],
    [42, 3, 1216902006],
    [43, 0, 421049611],
    [0, 0, 1297569550],
    [7, 99, 1543156135],
  ];
  for (const [seed, stream, expected] of pinned) assert.equal(deriveSeed(seed, stream), expected, `deriveSeed(${seed}, ${stream})`);
});

test('derived seeds are 32-bit unsigned integers, distinct per stream and per seed, and well mixed', () => {
  const seeds = Array.from({ length: 100 }, (_, i) => deriveSeed(42, i));
  for (const s of seeds) assert.ok(Number.isInteger(s) && s >= 0 && s < 2 ** 32, `${s}`);
  assert.equal(new Set(seeds).size, 100);
  assert.notEqual(deriveSeed(42, 0), deriveSeed(43, 0));
  // Neighbouring streams differ in about half of their 32 bits (16 on average), not in one or two.
  const bitsDiffering = (a: number, b: number) => [...((a ^ b) >>> 0).toString(2)].filter((bit) => bit === '1').length;
  const meanDiffering = seeds.slice(1).reduce((sum, s, i) => sum + bitsDiffering(s, seeds[i]), 0) / (seeds.length - 1);
  assert.ok(meanDiffering > 14 && meanDiffering < 18, `${meanDiffering} bits differ on average`);
});

test('generators from derived seeds give streams that differ from each other and from the parent\'s', () => {
  const firstValues = (seed: number) => {
    const r = new Random(seed);
    return Array.from({ length: 4 }, () => r.nextUint32()).join(',');
  };
  const streams = [firstValues(42), ...Array.from({ length: 50 }, (_, i) => firstValues(deriveSeed(42, i)))];
  assert.equal(new Set(streams).size, streams.length);
});

test('sampleIndices gives distinct sorted indices', () => {
  const idx = new Random(1).sampleIndices(50, 20);
  assert.equal(new Set(idx).size, 20);
  for (let i = 1; i < idx.length; i++) assert.ok(idx[i] > idx[i - 1]);
});
