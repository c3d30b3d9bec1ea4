/**
 * The panel's comparison of a profile of scored rows with the training
 * profile of its model (src/shared/profile/scoredComparison.ts), on real
 * files: a GMM exported from the mixed fixture, then the fixture's first 60
 * rows scored with its model and profiled.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { exportMethods } from '../../src/engine/pipeline';
import { scoreRows } from '../../src/engine/scoring/score';
import { buildPanelModel } from '../../src/shared/profile';
import { tempDir, type Ends } from '../helpers/tempDir';
import { MIXED_FIXTURE } from '../helpers/mixed';

async function trainingAndScored(t: Ends) {
  const dir = tempDir(t, 'segment-scored-comparison-');
  const [done] = await exportMethods({
    source: { kind: 'file', path: MIXED_FIXTURE },
    prepare: { columns: ['age', 'monthly_spend', 'tenure_months'] },
    methods: [{ method: 'gmm', options: { nClusters: 3, covarianceType: 'diag' } }],
    outputDir: dir,
  });
  const csv = join(dir, 'next_month.csv');
  writeFileSync(csv, `${readFileSync(MIXED_FIXTURE, 'utf8').split('\n').slice(0, 61).join('\n')}\n`);
  const result = await scoreRows({ model: done.result.model, source: { kind: 'file', path: csv }, outputDir: dir, threads: 1, profile: true });
  const training = JSON.parse(readFileSync(done.result.json, 'utf8'));
  const scored = JSON.parse(readFileSync(result.json!, 'utf8'));
  return { done, result, training, scored };
}

test('a scored profile beside its training profile: sizes, shares and their change, feature means and differences, categorical shares', async (t) => {
  const { done, result, training, scored } = await trainingAndScored(t);
  const model = buildPanelModel([
    { path: result.json!, profile: scored },
    { path: done.result.json, profile: training },
  ]);
  assert.deepEqual(model.messages, []);
  assert.equal(model.scored.length, 1);
  const cmp = model.scored[0];
  assert.deepEqual([cmp.training, cmp.scored, cmp.model], [1, 0, basename(done.result.model)]);
  assert.deepEqual([cmp.trainingData, cmp.scoredData], ['mixed-customers.csv', 'next_month.csv']);
  assert.deepEqual([cmp.rows.training.value, cmp.rows.scored.value], [training.metadata.n_samples, scored.metadata.n_samples]);
  assert.equal(model.profiles[0].shortLabel.endsWith(' · scored'), true);
  assert.deepEqual(
    cmp.clusters.map((c) => c.key),
    Object.keys(training.clusters),
  );
  for (const c of cmp.clusters) {
    const a = training.clusters[c.key];
    const b = scored.clusters[c.key];
    assert.deepEqual([c.size.training.value, c.size.scored.value], [a.size, b.size]);
    assert.deepEqual([c.share.training.value, c.share.scored.value], [a.percentage, b.percentage]);
    assert.equal(c.shareChange.value, b.percentage - a.percentage);
    assert.match(c.shareChange.text, /^([+−]\d+\.\d\d|0\.00) pp$/);
    assert.deepEqual(
      c.features.map((f) => f.name),
      training.features_used,
    );
    for (const f of c.features) {
      const ma = a.feature_statistics[f.name].mean;
      const mb = b.feature_statistics[f.name]?.mean ?? null;
      assert.deepEqual([f.training.value, f.scored.value, f.center.value], [ma, mb, a.cluster_center[f.name]]);
      assert.equal(f.difference.value, mb === null ? null : mb - ma);
    }
    // The categorical columns the training described, level by level.
    assert.deepEqual(
      c.categories.map((x) => x.column),
      Object.keys(a.categorical_statistics),
    );
    for (const category of c.categories) {
      const levelsA = a.categorical_statistics[category.column].levels;
      const levelsB = b.categorical_statistics[category.column]?.levels ?? {};
      for (const level of category.levels) {
        const x = levelsA[level.level]?.share ?? null;
        const y = levelsB[level.level]?.share ?? null;
        assert.deepEqual([level.training.value, level.scored.value], [x, y], `${c.key} ${category.column} ${level.level}`);
        if (x !== null || y !== null) assert.equal(level.change.value, 100 * ((y ?? 0) - (x ?? 0)));
      }
    }
  }
  // Both profiles are one group in the metrics comparison, under the training's data file.
  assert.deepEqual(
    model.comparisons.map((c) => [c.dataFile, c.profiles]),
    [['mixed-customers.csv', [0, 1]]],
  );
});

test('without its training profile, or with a training profile of another export, a scored profile stands alone', async (t) => {
  const { done, result, training, scored } = await trainingAndScored(t);
  assert.deepEqual(buildPanelModel([{ path: result.json!, profile: scored }]).scored, []);
  const other = done.result.json.replace(/_(\d{8})_(\d{6})\./, '_19990101_000000.');
  const model = buildPanelModel([
    { path: other, profile: training },
    { path: result.json!, profile: scored },
  ]);
  assert.deepEqual(model.scored, []);
  // A scored_with that is not text is a problem of the profile, not a crash.
  const odd = buildPanelModel([{ path: result.json!, profile: { ...scored, metadata: { ...scored.metadata, scored_with: { __proto__: 1 } } } }]);
  assert.ok(odd.profiles[0].problems.includes('metadata.scored_with should be text but is a mapping.'), odd.profiles[0].problems.join('\n'));
});

test('the pair is found by the export\'s stamp and suffix, for a JSON or a YAML training profile', async (t) => {
  const { done, result, training, scored } = await trainingAndScored(t);
  const yaml = done.result.json.replace(/\.json$/, '.yaml');
  assert.equal(buildPanelModel([{ path: yaml, profile: training }, { path: result.json!, profile: scored }]).scored.length, 1);
  // A second export of the same second got the suffix _2 on each of its files: its model pairs with its own profile only.
  const suffixed = { ...scored, metadata: { ...scored.metadata, scored_with: basename(done.result.model).replace('.json', '_2.json') } };
  const twin = done.result.json.replace('.json', '_2.json');
  const model = buildPanelModel([
    { path: done.result.json, profile: training },
    { path: twin, profile: training },
    { path: result.json!, profile: suffixed },
  ]);
  assert.deepEqual(
    model.scored.map((c) => c.training),
    [1],
  );
});
