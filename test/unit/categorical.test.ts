/**
 * The profile's categorical sections (../shared/spec/PROFILE.md, "Categorical
 * columns and descriptors") against pandas and scipy (tools/golden/make_categorical_golden.py),
 * given the labels our engine gives the mixed fixture, and their edge cases.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { loadDataset } from '../../src/engine/data/dataset';
import { readCsvText } from '../../src/engine/data/csv';
import { prepareFeatures } from '../../src/engine/data/prepare';
import { GaussianMixtureSegmentation } from '../../src/engine/methods/gmmSegmentation';
import {
  categoricalOverview,
  categoricalStatistics,
  compareText,
  cramersV,
  descriptorStatistics,
  etaSquared,
} from '../../src/engine/profile/categorical';
import { assertClose, loadGolden } from '../helpers/golden';
import { MIXED_FIXTURE, MIXED_RUN } from '../helpers/mixed';

type Tree = null | boolean | number | string | Tree[] | { [key: string]: Tree };

/** Same keys in the same order, the same strings, numbers within 1e-12 (relative above 1). */
function assertSameTree(actual: Tree, expected: Tree, path: string): void {
  if (typeof expected === 'number') {
    assert.equal(typeof actual, 'number', `${path}: a number`);
    assertClose(actual as number, expected, 1e-12, path);
    return;
  }
  if (expected === null || typeof expected !== 'object') {
    assert.equal(actual, expected, path);
    return;
  }
  assert.ok(actual !== null && typeof actual === 'object', `${path}: an object`);
  const a = actual as { [key: string]: Tree };
  assert.deepEqual(Object.keys(a), Object.keys(expected), `${path}: keys in order`);
  for (const key of Object.keys(expected)) assertSameTree(a[key], (expected as { [key: string]: Tree })[key], `${path}.${key}`);
}

interface Golden {
  k: number;
  categorical_overview: Tree;
  separation: Tree;
  clusters: Record<string, { categorical_statistics: Tree; descriptor_statistics: Tree }>;
}

describe('against pandas and scipy on the mixed fixture', async () => {
  const golden = loadGolden<Golden>('categorical.json');
  const labelsGolden = loadGolden<{ rows: number[]; labels: number[] }>('mixed_labels.json');
  const data = await loadDataset(MIXED_FIXTURE, MIXED_RUN.prepare);
  const gmm = new GaussianMixtureSegmentation(MIXED_RUN.options);
  const profile = await gmm.generateClusterProfile(data, {}, new Date(2026, 0, 1));
  const labels = await gmm.fitPredict(data);

  test('the engine still gives the labels the golden values were computed from', () => {
    assert.deepEqual(Array.from(data.rowNumbers), labelsGolden.rows);
    assert.deepEqual(Array.from(labels), labelsGolden.labels);
  });

  test('metadata.columns: an id, four features, a numeric and four categorical descriptors, free text ignored', () => {
    assert.deepEqual(profile.metadata.columns, [
      { name: 'customer_id', kind: 'text', role: 'id', reason: 'id-like (named like an identifier)', levels: 150 },
      { name: 'age', kind: 'numeric', role: 'feature' },
      { name: 'monthly_spend', kind: 'numeric', role: 'feature' },
      { name: 'tenure_months', kind: 'numeric', role: 'feature' },
      { name: 'churned', kind: 'numeric', role: 'feature' },
      { name: 'satisfaction', kind: 'numeric', role: 'descriptor', reason: 'described by request' },
      { name: 'paperless', kind: 'binary', role: 'descriptor', reason: 'binary (2 levels): described, not clustered', levels: 2 },
      { name: 'contract', kind: 'categorical', role: 'descriptor', reason: 'categorical (3 levels): described, not clustered', levels: 3 },
      { name: 'region', kind: 'categorical', role: 'descriptor', reason: 'categorical (5 levels): described, not clustered', levels: 5 },
      { name: 'store', kind: 'categorical', role: 'descriptor', reason: 'categorical (22 levels): described, not clustered', levels: 22 },
      { name: 'comment', kind: 'text', role: 'ignored', reason: 'free text (143 distinct values, more than the 50 a category may have)', levels: 143 },
    ]);
  });

  test('categorical_overview equals value_counts, 20 levels and "(other)", "(missing)" counted', () => {
    assertSameTree(profile.categorical_overview as Tree, golden.categorical_overview, 'categorical_overview');
  });

  test('separation equals numpy η² and scipy association(method="cramer", correction=False) to 1e-12', () => {
    assertSameTree(profile.separation as Tree, golden.separation, 'separation');
  });

  test('per cluster: categorical_statistics equal pandas crosstab counts, shares and lifts; descriptor_statistics numpy', () => {
    for (const [key, expected] of Object.entries(golden.clusters)) {
      const cluster = profile.clusters[key];
      assertSameTree(cluster.categorical_statistics as Tree, expected.categorical_statistics, `${key}.categorical_statistics`);
      assertSameTree(cluster.descriptor_statistics as Tree, expected.descriptor_statistics, `${key}.descriptor_statistics`);
    }
    assert.deepEqual(Object.keys(profile.clusters.cluster_0).slice(4, 7), ['feature_statistics', 'categorical_statistics', 'descriptor_statistics']);
    assert.deepEqual(Object.keys(profile).slice(-3), ['categorical_overview', 'separation', 'clusters']);
  });
});

describe('edge cases', () => {
  async function prepare(text: string) {
    return prepareFeatures(await readCsvText(text, 'edge.csv'), { describe: ['score'] });
  }

  test('a cluster whose members have no value: share and lift 0, mode null, the members under "(missing)"', async () => {
    const data = await prepare('x,y,tier,score\n1,2,A,\n2,1,,\n1,1,B,4\n2,2,A,5\n');
    const noValue = Int32Array.from([1]);
    assert.deepEqual(categoricalStatistics(data, noValue), {
      tier: { mode: null, levels: { A: { count: 0, share: 0, lift: 0 }, B: { count: 0, share: 0, lift: 0 }, '(missing)': { count: 1 } } },
    });
    assert.deepEqual(descriptorStatistics(data, Int32Array.from([0, 1])), {
      score: { mean: null, median: null, std: null, min: null, max: null, q25: null, q75: null, missing: 2 },
    });
    // No member at all (an empty cluster): the same, without "(missing)".
    assert.deepEqual(categoricalStatistics(data, new Int32Array(0)), {
      tier: { mode: null, levels: { A: { count: 0, share: 0, lift: 0 }, B: { count: 0, share: 0, lift: 0 } } },
    });
    const both = categoricalStatistics(data, Int32Array.from([0, 2, 3])) as Record<string, { mode: string; levels: object }>;
    assert.deepEqual(both.tier, { mode: 'A', levels: { A: { count: 2, share: 2 / 3, lift: 2 / 3 / (2 / 3) }, B: { count: 1, share: 1 / 3, lift: 1 } } });
  });

  test('levels by overall count, ties by text in code-point order; the mode ties to the level listed first', async () => {
    const data = await prepare('x,y,tier,score\n1,2,b,1\n2,1,a,1\n1,1,\u{1F600},1\n2,2,\uFF5E,1\n1,2,b,1\n');
    const overview = categoricalOverview(data) as Record<string, object>;
    // Python sorts str by code point: U+FF5E before U+1F600 (UTF-16 order would be the reverse).
    assert.deepEqual(Object.keys(overview.tier), ['b', 'a', '\uFF5E', '\u{1F600}']);
    const stats = categoricalStatistics(data, Int32Array.from([1, 2, 3])) as Record<string, { mode: string }>;
    assert.equal(stats.tier.mode, 'a');
    assert.ok(compareText('\uFF5E', '\u{1F600}') < 0 && compareText('a', 'ab') < 0 && compareText('b', 'a') > 0);
  });

  test('a level written "(other)" or "(missing)" keeps its name; the entries for the rest and the gaps take another', async () => {
    const rows = Array.from({ length: 24 }, (_, i) => `${i},${i % 5},${i < 2 ? '(missing)' : i < 4 ? '(other)' : `L${i}`},1`);
    const data = await prepare(`x,y,tier,score\n${rows.join('\n')}\n5,5,,1\n`);
    const overview = (categoricalOverview(data) as Record<string, Record<string, unknown>>).tier;
    assert.deepEqual(Object.keys(overview).slice(0, 2), ['(missing)', '(other)']);
    assert.deepEqual(Object.keys(overview).slice(-2), ['((other))', '((missing))']);
    assert.deepEqual(overview['((other))'], { count: 2, share: 2 / 24 });
    assert.deepEqual(overview['((missing))'], { count: 1 });
  });

  test('η² and Cramér\'s V are 0 where there is nothing to separate, never NaN', () => {
    const labels = Int32Array.from([0, 0, 1, 1]);
    assert.equal(etaSquared([5, 5, 5, 5], labels, 2), 0);
    assert.equal(etaSquared([NaN, NaN, NaN, NaN], labels, 2), 0);
    assert.equal(etaSquared([1, 1, 3, 3], labels, 2), 1);
    assert.equal(cramersV(Int32Array.from([0, 0, 0, 0]), 2, labels, 2), 0);
    assert.equal(cramersV(Int32Array.from([0, 1, -1, -1]), 2, labels, 2), 0); // one cluster with values
    assert.equal(cramersV(Int32Array.from([0, 0, 1, 1]), 2, labels, 2), 1);
    // An empty cluster and a level no row clustered has are not in the table (as pandas' crosstab leaves them out).
    assert.equal(cramersV(Int32Array.from([0, 0, 1, 1]), 3, labels, 3), 1);
  });

  test('η² of values near 1e308 is finite and equals that of the same values scaled down', () => {
    const labels = Int32Array.from([0, 0, 1, 1, 1]);
    const small = [1, 2, 7, 8, 9];
    const huge = small.map((v) => v * 2 ** 1000);
    assert.equal(etaSquared(huge, labels, 2), etaSquared(small, labels, 2));
    assert.ok(etaSquared(huge, labels, 2) > 0.9);
  });
});
