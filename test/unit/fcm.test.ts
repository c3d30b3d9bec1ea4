import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  fuzzyCMeans,
  normaliseMemberships,
  partitionCoefficient,
  partitionEntropy,
  randomMemberships,
  runFuzzyCMeans,
  type FcmParameters,
} from '../../src/engine/kernels/fcm';
import { hardLabels } from '../../src/engine/profile/profile';
import { Random } from '../../src/engine/kernels/random';
import { assertAllClose, assertClose, loadGolden } from '../helpers/golden';

interface GoldenCase {
  name: string;
  n: number;
  d: number;
  k: number;
  m: number;
  error: number;
  maxiter: number;
  X: number[];
  u0: number[];
  trace: { iteration: number; centers: number[]; memberships: number[]; objective: number; change: number }[];
  n_iter: number;
  converged: boolean;
  jm: number[];
  centers: number[];
  memberships: number[];
  labels: number[];
  fpc: number;
  partition_entropy: number;
}

const TOL = 1e-9;
const PARAMS: FcmParameters = { fuzziness: 2, maxIterations: 150, convergenceThreshold: 1e-5 };

function allFinite(values: Float64Array): boolean {
  return values.every((v) => Number.isFinite(v));
}

function rowsSumToOne(u: Float64Array, n: number, k: number): void {
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let c = 0; c < k; c++) s += u[i * k + c];
    assertClose(s, 1, 1e-12, `row ${i} sum`);
  }
}

test('one iteration by hand: 1-D points 0, 2, 8, 10, k = 2, m = 2', () => {
  // Initial memberships (rows: samples; columns: clusters):
  //   0 → (0.8, 0.2), 2 → (0.8, 0.2), 8 → (0.2, 0.8), 10 → (0.2, 0.8)
  // Weights u^m = u²: 0.64 and 0.04.
  //   v0 = (0.64·0 + 0.64·2 + 0.04·8 + 0.04·10) / (2·0.64 + 2·0.04) = 2 / 1.36 = 25/17
  //   v1 = 10 − 25/17 = 145/17 (by symmetry)
  // Memberships with m = 2: u_i0 = (1/d_i0²) / (1/d_i0² + 1/d_i1²) = d_i1² / (d_i0² + d_i1²)
  //   x = 0:  d0 = 25/17, d1 = 145/17 = 29·5/17  →  u_00 = 29² / (1 + 29²) = 841/866
  //   x = 2:  d0 = 9/17,  d1 = 111/17            →  u_10 = 111² / (9² + 111²) = 12321/12402
  //   x = 8, 10 mirror them.
  // Objective J = Σ u_old² d_new² = 2·[0.64·(25/17)² + 0.04·(145/17)² + 0.64·(9/17)² + 0.04·(111/17)²]
  const z = Float64Array.from([0, 2, 8, 10]);
  const u0 = Float64Array.from([0.8, 0.2, 0.8, 0.2, 0.2, 0.8, 0.2, 0.8]);
  const run = fuzzyCMeans(z, 4, 1, 2, u0, { ...PARAMS, maxIterations: 1 });
  const step = run.next();
  assert.equal(step.done, false);
  if (step.done) return;
  assertAllClose(step.value.centers, [25 / 17, 145 / 17], 1e-15, 'centers');
  const u00 = 841 / 866;
  const u10 = 12321 / 12402;
  assertAllClose(step.value.memberships, [u00, 1 - u00, u10, 1 - u10, 1 - u10, u10, 1 - u00, u00], 1e-15, 'memberships');
  const sq = (v: number) => (v / 17) ** 2;
  const objective = 2 * (0.64 * sq(25) + 0.04 * sq(145) + 0.64 * sq(9) + 0.04 * sq(111));
  assertClose(step.value.objective, objective, 1e-14, 'objective');
  const change = Math.sqrt(2 * ((u00 - 0.8) ** 2 * 2 + (u10 - 0.8) ** 2 * 2));
  assertClose(step.value.change, change, 1e-14, 'change');
  const end = run.next();
  assert.equal(end.done, true);
  if (!end.done) return;
  assert.equal(end.value.nIterations, 1);
  assert.equal(end.value.converged, false);
  assert.deepEqual(hardLabels(end.value.memberships, 4, 2), Int32Array.from([0, 0, 1, 1]));
});

for (const golden of loadGolden<{ cases: GoldenCase[] }>('fcm.json').cases) {
  test(`golden ${golden.name}: the numpy (scikit-fuzzy) trajectory from the same initial memberships, to ${TOL}`, () => {
    const { n, d, k } = golden;
    const X = Float64Array.from(golden.X);
    // skfuzzy's maxiter=N makes at most N−1 updates; ours makes maxIterations.
    const run = fuzzyCMeans(X, n, d, k, Float64Array.from(golden.u0), {
      fuzziness: golden.m,
      maxIterations: golden.maxiter - 1,
      convergenceThreshold: golden.error,
    });
    const objectives: number[] = [];
    let step = run.next();
    while (!step.done) {
      const { iteration, centers, memberships, objective, change } = step.value;
      objectives.push(objective);
      const expected = golden.trace[iteration - 1];
      if (expected) {
        assertAllClose(centers, expected.centers, TOL, `centers after iteration ${iteration}`);
        assertAllClose(memberships, expected.memberships, TOL, `memberships after iteration ${iteration}`);
        assertClose(objective, expected.objective, TOL, `objective of iteration ${iteration}`);
        assertClose(change, expected.change, TOL, `change of iteration ${iteration}`);
      }
      step = run.next();
    }
    const result = step.value;
    assert.equal(golden.trace.length, Math.min(3, golden.n_iter));
    assert.equal(result.nIterations, golden.n_iter);
    assert.equal(result.converged, golden.converged);
    assertAllClose(objectives, golden.jm, TOL, 'objective history');
    assertClose(result.objective, golden.jm[golden.jm.length - 1], TOL, 'objective');
    assertAllClose(result.centers, golden.centers, TOL, 'final centers');
    assertAllClose(result.memberships, golden.memberships, TOL, 'final memberships');
    assert.deepEqual(Array.from(hardLabels(result.memberships, n, k)), golden.labels);
    assertClose(partitionCoefficient(result.memberships, n, k), golden.fpc, TOL, 'partition coefficient');
    assertClose(partitionEntropy(result.memberships, n, k), golden.partition_entropy, TOL, 'partition entropy');
  });
}

test('random initial memberships are seeded and normalised per sample', () => {
  const a = randomMemberships(50, 3, new Random(7));
  const b = randomMemberships(50, 3, new Random(7));
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, randomMemberships(50, 3, new Random(8)));
  rowsSumToOne(a, 50, 3);
  assert.ok(a.every((v) => v >= 0 && v <= 1));
  // A row that sums to 0 becomes uniform rather than NaN.
  assert.deepEqual(normaliseMemberships(Float64Array.from([0, 0, 2, 6]), 2, 2), Float64Array.from([0.5, 0.5, 0.25, 0.75]));
});

test('a sample exactly on a center gets membership 1 there and 0 elsewhere', () => {
  // Crisp start: cluster 0 = {0, 2, 4} (center 2, which is a sample), cluster 1 = {10, 12} (center 11).
  const z = Float64Array.from([0, 2, 4, 10, 12]);
  const u0 = Float64Array.from([1, 0, 1, 0, 1, 0, 0, 1, 0, 1]);
  const run = fuzzyCMeans(z, 5, 1, 2, u0, { ...PARAMS, maxIterations: 1 });
  const step = run.next();
  if (step.done) throw new Error('expected an iteration');
  // Weights max(u, eps)²: the eps² of the other cluster's samples is absorbed (6 + 22·eps² = 6), so the centers are exactly 2 and 11.
  assert.deepEqual(Array.from(step.value.centers), [2, 11]);
  const u = step.value.memberships;
  assert.equal(u[2], 1);
  assert.equal(u[3], 0);
  assert.ok(allFinite(u));
  rowsSumToOne(u, 5, 2);
});

test('several zero distances share the membership equally, 0 elsewhere; identical rows give no NaN', () => {
  // Every row the same point: centers on it, every distance (almost) 0, memberships 1/3.
  const z = new Float64Array(6 * 2).fill(3.5);
  const result = runFuzzyCMeans(z, 6, 2, 3, randomMemberships(6, 3, new Random(1)), PARAMS);
  assert.ok(allFinite(result.memberships) && allFinite(result.centers));
  assert.ok(result.memberships.every((v) => v === 1 / 3));
  assertAllClose(result.centers, new Float64Array(6).fill(3.5), 1e-15, 'centers');
  assert.ok(result.objective < 1e-25);
  assertClose(partitionEntropy(result.memberships, 6, 3), Math.log(3), 1e-15, 'entropy');
  assert.ok(result.converged);
  // Clusters 0 and 1 start identical on {0, 2, 4}: both centers are exactly 2, a sample
  // (the eps² floor of the weights of -8 and 14 is absorbed: 1.5 + 6·eps² = 1.5).
  // Cluster 2 holds {-8, 14}: center 3. The sample at 2 has distances 0, 0, 1.
  const line = Float64Array.from([0, 2, 4, -8, 14]);
  const u0 = Float64Array.from([0.5, 0.5, 0, 0.5, 0.5, 0, 0.5, 0.5, 0, 0, 0, 1, 0, 0, 1]);
  const step = fuzzyCMeans(line, 5, 1, 3, u0, { ...PARAMS, maxIterations: 1 }).next();
  if (step.done) throw new Error('expected an iteration');
  assert.deepEqual(Array.from(step.value.centers), [2, 2, 3]);
  const u = step.value.memberships;
  assert.deepEqual(Array.from(u.subarray(3, 6)), [0.5, 0.5, 0]);
  // The sample at 0: squared distances 4, 4, 9, so memberships ∝ 1/4, 1/4, 1/9.
  const s = 2 / 4 + 1 / 9;
  assertAllClose(u.subarray(0, 3), [1 / 4 / s, 1 / 4 / s, 1 / 9 / s], 1e-15, 'memberships of 0');
  assert.ok(allFinite(u));
  rowsSumToOne(u, 5, 3);
});

test('degenerate data give no NaN: duplicate points, k = n, a cluster that loses every sample', () => {
  const dup = Float64Array.from([0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 5, 5, 5, 5, 5, 5]);
  for (const k of [2, 3, 4, 8]) {
    const result = runFuzzyCMeans(dup, 8, 2, k, randomMemberships(8, k, new Random(k)), PARAMS);
    assert.ok(allFinite(result.memberships) && allFinite(result.centers), `k=${k}`);
    assert.ok(Number.isFinite(result.objective));
    rowsSumToOne(result.memberships, 8, k);
  }
  // k = n on distinct points, m close to 1: each center ends on its own sample.
  const points = Float64Array.from([0, 0, 1, 0, 0, 1, 1, 1, 0.5, 3]);
  const u0 = new Float64Array(25);
  for (let i = 0; i < 5; i++) for (let c = 0; c < 5; c++) u0[i * 5 + c] = i === c ? 0.9 : 0.025;
  const result = runFuzzyCMeans(points, 5, 2, 5, u0, { ...PARAMS, fuzziness: 1.05 });
  assert.ok(allFinite(result.memberships) && allFinite(result.centers));
  assert.deepEqual(Array.from(hardLabels(result.memberships, 5, 5)), [0, 1, 2, 3, 4]);
  assertAllClose(result.centers, points, 1e-9, 'centers on the samples');
  // A cluster whose memberships all underflow still has a finite center (skfuzzy's eps floor).
  const far = runFuzzyCMeans(Float64Array.from([0, 0.1, 0.2, 100]), 4, 1, 2, Float64Array.from([1, 0, 1, 0, 1, 0, 1, 0]), {
    ...PARAMS,
    fuzziness: 1.01,
  });
  assert.ok(allFinite(far.memberships) && allFinite(far.centers));
});

test('m = 1.01 stays finite (the membership ratios are taken relative to the nearest center)', () => {
  const rng = new Random(3);
  const n = 300;
  const d = 5;
  const z = new Float64Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) z[i * d + j] = (i % 3) * 4 + rng.normal();
  const result = runFuzzyCMeans(z, n, d, 3, randomMemberships(n, 3, new Random(9)), { ...PARAMS, fuzziness: 1.01 });
  assert.ok(allFinite(result.memberships) && allFinite(result.centers));
  assert.ok(Number.isFinite(result.objective));
  rowsSumToOne(result.memberships, n, 3);
  // Nearly crisp: the partition coefficient is close to 1.
  assert.ok(partitionCoefficient(result.memberships, n, 3) > 0.99);
  // Even with distances spanning 1e-150 … 1e150 the update stays finite.
  const extreme = Float64Array.from([1e-150, 2e-150, 1e150, 1.5e150]);
  const out = runFuzzyCMeans(extreme, 4, 1, 2, Float64Array.from([0.9, 0.1, 0.9, 0.1, 0.1, 0.9, 0.1, 0.9]), {
    ...PARAMS,
    fuzziness: 1.01,
  });
  assert.ok(allFinite(out.memberships) && allFinite(out.centers));
});

test('partition coefficient and entropy: crisp, uniform, and 0 · ln 0 = 0', () => {
  const crisp = Float64Array.from([1, 0, 0, 1, 1, 0]);
  assert.equal(partitionCoefficient(crisp, 3, 2), 1);
  assert.equal(partitionEntropy(crisp, 3, 2), 0);
  const uniform = new Float64Array(8).fill(0.25);
  assert.equal(partitionCoefficient(uniform, 2, 4), 0.25);
  assertClose(partitionEntropy(uniform, 2, 4), Math.log(4), 1e-15, 'entropy');
  const mixed = Float64Array.from([0.5, 0.5, 0, 0.9, 0.1, 0]);
  assertClose(partitionCoefficient(mixed, 2, 3), (0.5 + 0.82) / 2, 1e-15, 'coefficient');
  assertClose(partitionEntropy(mixed, 2, 3), (Math.log(2) - 0.9 * Math.log(0.9) - 0.1 * Math.log(0.1)) / 2, 1e-15, 'entropy');
});

test('the run stops at the threshold or at maxIterations, yielding once per iteration', () => {
  const rng = new Random(5);
  const z = Float64Array.from({ length: 120 }, (_, t) => (t < 60 ? 0 : 6) + rng.normal());
  const u0 = randomMemberships(60, 2, new Random(2));
  const steps: number[] = [];
  const run = fuzzyCMeans(z, 60, 2, 2, u0, { ...PARAMS, maxIterations: 4, convergenceThreshold: 1e-300 });
  let step = run.next();
  while (!step.done) {
    steps.push(step.value.iteration);
    assert.equal(step.value.maxIterations, 4);
    step = run.next();
  }
  assert.deepEqual(steps, [1, 2, 3, 4]);
  assert.equal(step.value.converged, false);
  const converged = runFuzzyCMeans(z, 60, 2, 2, u0, PARAMS);
  assert.ok(converged.converged);
  assert.ok(converged.change < 1e-5);
  assert.equal(converged.objectives.length, converged.nIterations);
  // The objective never increases (Bezdek's alternating optimisation).
  for (let t = 1; t < converged.objectives.length; t++) assert.ok(converged.objectives[t] <= converged.objectives[t - 1] + 1e-12);
  // The initial memberships are not modified.
  assert.deepEqual(u0, randomMemberships(60, 2, new Random(2)));
});

/** The textbook loops, one center at a time (what the unrolled kernels must reproduce). */
function plainFcm(z: Float64Array, n: number, d: number, k: number, u0: Float64Array, m: number, iterations: number) {
  let u = Float64Array.from(u0);
  const centers = new Float64Array(k * d);
  for (let t = 0; t < iterations; t++) {
    for (let c = 0; c < k; c++) {
      let sw = 0;
      const num = new Float64Array(d);
      for (let i = 0; i < n; i++) {
        const w = Math.max(u[i * k + c], Number.EPSILON) ** m;
        sw += w;
        for (let j = 0; j < d; j++) num[j] += w * z[i * d + j];
      }
      for (let j = 0; j < d; j++) centers[c * d + j] = num[j] / sw;
    }
    const next = new Float64Array(n * k);
    for (let i = 0; i < n; i++) {
      const d2 = Array.from({ length: k }, (_, c) => {
        let s = 0;
        for (let j = 0; j < d; j++) s += (z[i * d + j] - centers[c * d + j]) ** 2;
        return s;
      });
      for (let c = 0; c < k; c++) next[i * k + c] = 1 / d2.reduce((acc, dj) => acc + (d2[c] / dj) ** (1 / (m - 1)), 0);
    }
    u = next;
  }
  return { u, centers };
}

test('every number of clusters (the 4-, 2- and 1-center kernel paths) matches the textbook loops', () => {
  const rng = new Random(11);
  const n = 80;
  const d = 7;
  const z = Float64Array.from({ length: n * d }, () => rng.normal() * 2);
  for (let k = 2; k <= 9; k++) {
    for (const m of [2, 1.7]) {
      const u0 = randomMemberships(n, k, new Random(k));
      const ours = runFuzzyCMeans(z, n, d, k, u0, { fuzziness: m, maxIterations: 5, convergenceThreshold: 1e-300 });
      const plain = plainFcm(z, n, d, k, u0, m, 5);
      assertAllClose(ours.centers, plain.centers, 1e-12, `centers k=${k} m=${m}`);
      assertAllClose(ours.memberships, plain.u, 1e-12, `memberships k=${k} m=${m}`);
    }
  }
});
