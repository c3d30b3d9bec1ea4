/**
 * The sweep's stability: the mean pairwise adjusted Rand index of the labels
 * of three seeds, against scikit-learn's adjusted_rand_score on committed
 * label vectors (tools/golden/make_ari_golden.py; no Python at test time).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadDataset } from '../../src/engine/data/dataset';
import { createSegmentation } from '../../src/engine/methods/registry';
import { adjustedRandIndex, meanPairwiseAri } from '../../src/engine/sweep/ari';
import { isSuccess, runSweep, stabilitySeeds } from '../../src/engine/sweep/sweep';
import { deriveSeed } from '../../src/engine/kernels/random';
import { EXAMPLE, SWEEP_CASES } from '../../tools/golden/ari_labels';
import { assertClose, loadGolden } from '../helpers/golden';

interface LabelCase {
  name: string;
  labelings: string[];
}
interface AriCase {
  name: string;
  n: number;
  pairs: { i: number; j: number; ari: number }[];
  mean: number;
}

const inputs = loadGolden<{ cases: LabelCase[] }>('ari_labels.json').cases;
const golden = loadGolden<{ cases: AriCase[] }>('ari.json').cases;
const labelsOf = (c: LabelCase) => c.labelings.map((s) => Int32Array.from(s, Number));

test("the adjusted Rand index equals scikit-learn's adjusted_rand_score on every pair (1e-12), and the mean of the pairs", () => {
  assert.deepEqual(
    golden.map((c) => c.name),
    inputs.map((c) => c.name),
  );
  for (const [index, expected] of golden.entries()) {
    const labelings = labelsOf(inputs[index]);
    assert.equal(labelings[0].length, expected.n);
    for (const { i, j, ari } of expected.pairs) assertClose(adjustedRandIndex(labelings[i], labelings[j]), ari, 1e-12, `${expected.name} (${i}, ${j})`);
    assertClose(meanPairwiseAri(labelings), expected.mean, 1e-12, `${expected.name} mean`);
  }
  // The pair counts of 20,000 rows pass 2^53: computed exactly, then rounded once, as Python does.
  const random = golden.find((c) => c.name === 'random_20000')!;
  assert.ok(random.pairs.every((p) => Math.abs(p.ari) < 1e-3 && p.ari !== 0), 'random labelings agree by chance only');
});

test('the adjusted Rand index refuses labelings of different lengths, and the stability needs two', () => {
  assert.throws(() => adjustedRandIndex([0, 1, 1], [0, 1, 1, 0]), { message: 'labelings of different lengths (3 and 4)' });
  assert.throws(() => meanPairwiseAri([[0, 1, 1]]), { message: 'the stability needs at least two labelings' });
});

test('the stability seeds are the seed, deriveSeed(seed, 1) and deriveSeed(seed, 2)', () => {
  assert.deepEqual(stabilitySeeds(42), [42, deriveSeed(42, 1), deriveSeed(42, 2)]);
  assert.deepEqual(stabilitySeeds(42), [42, 360880079, 3434169815]);
});

test("a sweep's stability_ari is scikit-learn's mean ARI of the labels of its three fits (the committed ones)", async () => {
  const data = await loadDataset(EXAMPLE);
  for (const { name, method, k, seed } of SWEEP_CASES) {
    const committed = labelsOf(inputs.find((c) => c.name === name)!);
    // The committed vectors are the labels the engine gives now (else regenerate: tools/golden/README.md).
    for (const [s, labels] of committed.entries()) {
      const fitted = await createSegmentation(method, { nClusters: k, randomSeed: stabilitySeeds(seed)[s] }).fitPredict(data);
      assert.deepEqual(fitted, labels, `${name}: seed ${s}`);
    }
    const sweep = await runSweep(data, { method, kRange: [k, k], options: { randomSeed: seed } });
    const [fit] = sweep.fits;
    assert.ok(isSuccess(fit));
    assertClose(fit.stabilityAri, golden.find((c) => c.name === name)!.mean, 1e-12, name);
    assert.ok(fit.stabilityAri < 0.8, `${name} is one of the unstable fits (${fit.stabilityAri})`);
  }
});
