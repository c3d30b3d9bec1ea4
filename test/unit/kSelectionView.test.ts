/**
 * The k view's model (src/shared/profile/kSelection.ts): a k-selection
 * document from a real sweep (GMM, two covariance types; Fuzzy C-Means) to
 * its charts, recommendation, tooltips and export buttons; and a hand-edited
 * or hostile document to problems, never an exception.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kSelectionDocument } from '../../src/engine/sweep/document';
import { runSweep } from '../../src/engine/sweep/sweep';
import { buildPanelModel, isKSelectionDocument } from '../../src/shared/profile';
import { isWebviewToHost } from '../../src/shared/panelProtocol';
import { parseKRangeText } from '../../src/shared/kRange';
import { blobs } from '../helpers/data';
import { FOUR_CENTERS } from '../helpers/threads';

const NOW = new Date(2026, 10, 24, 9, 30, 0);
const data = () =>
  blobs(
    FOUR_CENTERS.map((center) => center.map((v) => 3 * v)),
    60,
    0.7,
    5,
  );

async function sweepDocument(method: 'gmm' | 'fuzzy', covarianceTypes?: ('full' | 'diag')[]) {
  const d = data();
  const sweep = await runSweep(d, { method, kRange: [2, 6], covarianceTypes, options: {} });
  return JSON.parse(JSON.stringify(kSelectionDocument(sweep, d, NOW))) as Record<string, unknown> & { results: Record<string, unknown>[] };
}

test('a GMM sweep over two covariance types: a chart per criterion, a series per type, the recommendation marked', async () => {
  const doc = await sweepDocument('gmm', ['full', 'diag']);
  assert.ok(isKSelectionDocument(doc));
  const model = buildPanelModel([{ path: '/data/gmm_k_selection_20261124_093000.json', profile: doc }]);
  const p = model.profiles[0];
  assert.equal(p.status, 'ok');
  assert.deepEqual(p.problems, []);
  assert.equal(model.comparisons.length, 0);
  const k = p.kSelection!;
  assert.ok(k);
  assert.equal(p.shortLabel, 'GMM · k = 2..6 sweep');
  assert.equal(k.method, 'gmm');
  assert.deepEqual(k.kValues, [2, 3, 4, 5, 6]);
  assert.deepEqual(k.covarianceTypes, ['full', 'diag']);
  assert.deepEqual(
    k.charts.map((c) => c.key),
    ['bic', 'aic', 'silhouette_score', 'davies_bouldin_index', 'calinski_harabasz_score', 'stability_ari'],
  );
  const bic = k.charts[0];
  assert.deepEqual(
    bic.series.map((s) => [s.name, s.points.map((pt) => pt.k)]),
    [
      ['full', [2, 3, 4, 5, 6]],
      ['diag', [2, 3, 4, 5, 6]],
    ],
  );
  // The chart's values are the file's, each point's tooltip has its sizes.
  const results = doc.results;
  const full4 = results.find((r) => r.k === 4 && r.covariance_type === 'full')!;
  const point = bic.series[0].points[2];
  assert.equal(point.value, full4.bic);
  assert.equal(bic.min, Math.min(...results.map((r) => r.bic as number)));
  assert.match(point.tooltip, /^k = 4 \(full covariance\): BIC [\d,.]+; sizes 60 · 60 · 60 · 60 \(smallest 25\.0%\)/);
  // The recommendation: k = 4, the lowest BIC, marked on every chart and on its export button only.
  const rec = doc.recommendation as { k: number; covariance_type: string; reason: string };
  assert.equal(k.recommendation?.k, 4);
  assert.equal(k.recommendation?.covarianceType, rec.covariance_type);
  assert.equal(k.recommendation?.criterionText, 'lowest BIC');
  assert.equal(k.recommendation?.reason, rec.reason);
  for (const chart of k.charts) {
    const marked = chart.series.flatMap((s) => s.points.filter((pt) => pt.recommended).map((pt) => `${s.name}:${pt.k}`));
    assert.deepEqual(marked, [`${rec.covariance_type}:4`], chart.key);
  }
  assert.equal(k.exports.length, 10);
  assert.deepEqual(
    k.exports.filter((e) => e.recommended).map((e) => e.label),
    [`Export profile with k = 4 (${rec.covariance_type})`],
  );
  assert.equal(k.exports[0].label, 'Export profile with k = 2 (full)');
  assert.match(bic.summary, /^BIC against k: the lowest, [\d,.]+, at k = 4 \((full|diag) covariance\)\.$/);
});

test('a Fuzzy C-Means sweep: PC and PE charts, no covariance, plain button labels', async () => {
  const doc = await sweepDocument('fuzzy');
  const k = buildPanelModel([{ path: 'fuzzy_k_selection_20261124_093000.yaml', profile: doc }]).profiles[0].kSelection!;
  assert.deepEqual(
    k.charts.map((c) => c.key),
    ['partition_coefficient', 'partition_entropy', 'silhouette_score', 'davies_bouldin_index', 'calinski_harabasz_score', 'stability_ari'],
  );
  assert.deepEqual(k.charts[0].series.map((s) => s.name), ['']);
  assert.deepEqual(k.exports.map((e) => e.label), [2, 3, 4, 5, 6].map((n) => `Export profile with k = ${n}`));
  assert.equal(k.recommendation?.criterionText, 'highest silhouette among stable fits');
  assert.match(k.charts.at(-1)!.series[0].points[2].tooltip, /^k = 4: Stability \(ARI\) 1\.000; sizes 60 · 60 · 60 · 60/);
});

test('a failed fit is listed, not charted; wrong types and hostile text become problems and text', async () => {
  const doc = await sweepDocument('fuzzy');
  doc.results[4] = { k: 6, error: 'The covariance is singular\n<img src=x onerror=alert(1)>' };
  doc.results[1] = { ...doc.results[1], silhouette_score: 'high', sizes: 'many' };
  doc.results.push('nonsense' as never);
  (doc.metadata as Record<string, unknown>).source_file = '__proto__\u202e.csv';
  const p = buildPanelModel([{ path: 'x_k_selection_1.json', profile: doc }]).profiles[0];
  const k = p.kSelection!;
  assert.deepEqual(k.failures, ['k = 6: The covariance is singular\\n<img src=x onerror=alert(1)>']);
  assert.equal(k.exports.length, 4);
  assert.equal(k.dataFile, '__proto__\\u202e.csv');
  assert.deepEqual(p.problems, [
    'results[1].silhouette_score should be a number but is the text "high".',
    'results[1].sizes should be a list of numbers but is the text "many".',
    'results[5] should be a mapping but is the text "nonsense".',
  ]);
  const silhouette = k.charts.find((c) => c.key === 'silhouette_score')!;
  assert.deepEqual(silhouette.series[0].points.map((pt) => pt.k), [2, 4, 5]);
  // A recommendation that is not a mapping: no mark, one problem.
  const broken = buildPanelModel([{ path: 'y_k_selection_1.json', profile: { ...doc, recommendation: 4 } }]).profiles[0];
  assert.equal(broken.kSelection?.recommendation, null);
  assert.ok(broken.problems.includes('recommendation should be a mapping but is the number 4.'));
  assert.ok(broken.kSelection!.charts.every((c) => c.series.every((s) => s.points.every((pt) => !pt.recommended))));
});

test('a profile is not a k-selection document', () => {
  assert.equal(isKSelectionDocument({ metadata: {}, clusters: {}, results: [] }), false);
  assert.equal(isKSelectionDocument({ results: [], recommendation: { k: 3 } }), true);
  assert.equal(isKSelectionDocument([]), false);
});

test('the k view’s messages to the host are checked', () => {
  assert.ok(isWebviewToHost({ type: 'exportK', path: '/a_k_selection_1.json', k: 4 }));
  assert.ok(isWebviewToHost({ type: 'exportK', path: '/a_k_selection_1.json', k: 4, covarianceType: 'diag' }));
  for (const k of [1, 2.5, '4', null]) assert.ok(!isWebviewToHost({ type: 'exportK', path: '/a.json', k }), String(k));
  assert.ok(!isWebviewToHost({ type: 'exportK', k: 4 }));
  assert.ok(!isWebviewToHost({ type: 'exportK', path: '/a.json', k: 4, covarianceType: 3 }));
  assert.ok(isWebviewToHost({ type: 'kViewShown', path: '/a.json', charts: ['bic'], exports: ['Export profile with k = 2'] }));
  assert.ok(!isWebviewToHost({ type: 'kViewShown', path: '/a.json', charts: [1], exports: [] }));
});

test('the k range as typed: the CLI’s and the command’s rules', () => {
  assert.deepEqual(parseKRangeText(' 2 .. 8 ', 'The k range'), { range: [2, 8] });
  assert.deepEqual(parseKRangeText('3..3', 'The k range'), { range: [3, 3] });
  assert.equal(parseKRangeText('1..4', 'The k range').error, 'The k range must start at 2 or more, got 1..4: a segmentation has at least 2 clusters');
  assert.equal(parseKRangeText('8..2', '--k').error, '--k 8..2 is reversed: write the smaller k first, 2..8');
  assert.equal(parseKRangeText('2-8', '--k').error, '--k expects a range such as 2..8, got "2-8"');
  assert.equal(parseKRangeText('', 'The k range').error, 'The k range expects a range such as 2..8, got ""');
});
