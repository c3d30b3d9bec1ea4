/**
 * The label vectors whose adjusted Rand indices tools/golden/make_ari_golden.py
 * computes with scikit-learn (test/fixtures/golden/ari_labels.json, committed):
 * the labels of the three stability fits of two real sweeps of the example
 * customers, a few small cases from scikit-learn's documentation, and three
 * random labelings of 20,000 rows (pair counts beyond 2^53).
 *
 *   npx tsx tools/golden/ari_labels.ts && /usr/bin/python3 tools/golden/make_ari_golden.py
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadDataset } from '../../src/engine/data/dataset';
import { Random } from '../../src/engine/kernels/random';
import { createSegmentation } from '../../src/engine/methods/registry';
import { stabilitySeeds } from '../../src/engine/sweep/sweep';
import type { MethodKey } from '../../src/shared/methods';

const ROOT = join(__dirname, '..', '..');
export const ARI_LABELS = join(ROOT, 'test', 'fixtures', 'golden', 'ari_labels.json');
export const EXAMPLE = join(ROOT, 'examples', 'customers.csv');
/** The real sweeps whose stability labels are kept: method, k, seed. */
export const SWEEP_CASES: readonly { name: string; method: MethodKey; k: number; seed: number }[] = [
  { name: 'example_gmm_full_k4', method: 'gmm', k: 4, seed: 42 },
  { name: 'example_fuzzy_k5', method: 'fuzzy', k: 5, seed: 42 },
];

/** Labels 0..9 as a string of digits, one a row. */
function digits(labels: ArrayLike<number>): string {
  return Array.from(labels, (l) => {
    if (!(l >= 0 && l <= 9)) throw new RangeError(`label ${l} is not a digit`);
    return String(l);
  }).join('');
}

async function main(): Promise<void> {
  const data = await loadDataset(EXAMPLE);
  const cases: { name: string; description: string; labelings: string[] }[] = [];
  for (const { name, method, k, seed } of SWEEP_CASES) {
    const labelings: string[] = [];
    for (const s of stabilitySeeds(seed)) labelings.push(digits(await createSegmentation(method, { nClusters: k, randomSeed: s }).fitPredict(data)));
    cases.push({ name, description: `examples/customers.csv, ${method} k = ${k}, the fits with seeds ${stabilitySeeds(seed).join(', ')}`, labelings });
  }
  cases.push(
    { name: 'renamed', description: 'one partition under three namings', labelings: ['001122', '220011', '112200'] },
    { name: 'sklearn_docs', description: "scikit-learn's docstring examples", labelings: ['0011', '0012', '0101'] },
    { name: 'one_cluster', description: 'one cluster against singletons and halves', labelings: ['0000', '0123', '0011'] },
  );
  const rng = new Random(2026);
  const random = () => digits(Int32Array.from({ length: 20_000 }, () => rng.int(8)));
  cases.push({ name: 'random_20000', description: '20,000 rows, 8 labels uniformly at random (Random(2026))', labelings: [random(), random(), random()] });
  writeFileSync(ARI_LABELS, `${JSON.stringify({ cases }, null, 2)}\n`);
  process.stdout.write(`wrote ${ARI_LABELS}\n`);
}

if (require.main === module) void main();
