/**
 * A model exported with one-hot columns (issue 12 with issue 14): the model
 * file lists an indicator as {column, level} with its column's levels beside,
 * scoring the training CSV reproduces its assignments, a gap takes the most
 * frequent level under median imputation, and a level the model never saw is
 * refused with the levels it knows.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportMethods } from '../../src/engine/pipeline';
import { scoreRows } from '../../src/engine/scoring/score';
import { parseModel } from '../../src/engine/scoring/modelFile';
import type { MissingPolicy } from '../../src/engine/data/prepare';
import type { MethodKey } from '../../src/shared/methods';
import { tempDir, type Ends } from '../helpers/tempDir';
import { MIXED_FIXTURE } from '../helpers/mixed';

const COLUMNS = ['age', 'monthly_spend', 'tenure_months', 'paperless', 'contract', 'region'];

async function exportOnehot(t: Ends, method: MethodKey, missing: MissingPolicy) {
  const dir = tempDir(t, 'segment-score-onehot-');
  const options =
    method === 'neural' ? { nClusters: 3, epochs: 3, backend: 'cpu' as const } : method === 'gmm' ? { nClusters: 3, covarianceType: 'diag' as const } : { nClusters: 3 };
  const [done] = await exportMethods({
    source: { kind: 'file', path: MIXED_FIXTURE },
    prepare: { columns: COLUMNS, categorical: 'onehot', missing },
    methods: [{ method, options }],
    outputDir: dir,
  });
  return { dir, done };
}

const lines = (path: string) => readFileSync(path, 'utf8').trimEnd().split('\n');

for (const [method, missing] of [['gmm', 'drop'], ['gmm', 'median'], ['fuzzy', 'median'], ['neural', 'drop']] as const) {
  test(`${method}, missing ${missing}: scoring the training CSV with a one-hot model reproduces its assignments`, async (t) => {
    const { dir, done } = await exportOnehot(t, method, missing);
    const model = JSON.parse(readFileSync(done.result.model, 'utf8'));
    assert.deepEqual(model.features.slice(3), [
      { column: 'paperless', level: 'Yes' },
      { column: 'contract', level: 'One year' },
      { column: 'contract', level: 'Two year' },
      { column: 'region', level: 'East' },
      { column: 'region', level: 'North' },
      { column: 'region', level: 'South' },
      { column: 'region', level: 'West' },
    ]);
    assert.deepEqual(model.categories, {
      paperless: ['No', 'Yes'],
      contract: ['Month-to-month', 'One year', 'Two year'],
      region: ['Central', 'East', 'North', 'South', 'West'],
    });
    if (missing === 'median') {
      // The indicators of the most frequent level: paperless No (75 of 148), region North.
      assert.deepEqual(model.imputation.slice(3), [0, 0, 0, 0, 1, 0, 0]);
    }
    const result = await scoreRows({ model: done.result.model, source: { kind: 'file', path: MIXED_FIXTURE }, outputDir: dir, threads: 1 });
    const expected = lines(done.result.assignments);
    const got = lines(result.scores);
    assert.equal(got.length, expected.length);
    got.forEach((line, i) => assert.ok(line.startsWith(expected[i]), `line ${i + 1}: ${line} does not go on from ${expected[i]}`));
    assert.equal(result.nScored, missing === 'drop' ? 139 : 150);
  });
}

test('a new level is refused with the levels the model knows; a gap is dropped, or filled with the most frequent level', async (t) => {
  const { dir, done } = await exportOnehot(t, 'gmm', 'median');
  const csv = join(dir, 'new.csv');
  const header = 'customer_id,age,monthly_spend,tenure_months,churned,satisfaction,paperless,contract,region,store,comment';
  writeFileSync(csv, `${header}\nN1,30,40,5,0,7,Yes,Month-to-month,North,S01,hi\nN2,50,90,40,0,8,,Two year,,S02,\n`);
  const result = await scoreRows({ model: done.result.model, source: { kind: 'file', path: csv }, outputDir: dir, threads: 1 });
  assert.deepEqual([result.nScored, result.nRowsDropped], [2, 0]);
  writeFileSync(csv, `${header}\nN1,30,40,5,0,7,Yes,Three year,North,S01,hi\n`);
  await assert.rejects(scoreRows({ model: done.result.model, source: { kind: 'file', path: csv }, outputDir: dir, threads: 1 }), {
    code: 'UNKNOWN_LEVEL',
    message:
      `Column "contract" of "new.csv" has the level "Three year" on line 2, which the model ${done.result.model.split('/').pop()} was not trained on ` +
      '(it knows "Month-to-month", "One year", "Two year"). Use one of those levels, or leave the cell empty to treat it as missing.',
  });
  const dropped = await exportOnehot(t, 'gmm', 'drop');
  writeFileSync(csv, `${header}\nN1,30,40,5,0,7,Yes,Two year,North,S01,hi\nN2,50,90,40,0,8,,Two year,South,S02,\n`);
  const partial = await scoreRows({ model: dropped.done.result.model, source: { kind: 'file', path: csv }, outputDir: dir, threads: 1 });
  assert.deepEqual([partial.nScored, partial.nRowsDropped], [1, 1]);
});

test('a model whose indicators do not match its categories is refused', async (t) => {
  const { done } = await exportOnehot(t, 'gmm', 'drop');
  const model = JSON.parse(readFileSync(done.result.model, 'utf8'));
  model.categories.contract = ['One year', 'Two year'];
  assert.throws(() => parseModel(JSON.stringify(model), 'm.json'), {
    code: 'INVALID_MODEL',
    message: '"m.json" is not a valid Segment model: "features" must be a list of distinct column names or {column, level} indicators, each level one of its column\'s categories but the first.',
  });
  delete model.categories;
  assert.throws(() => parseModel(JSON.stringify(model), 'm.json'), {
    code: 'INVALID_MODEL',
    message: '"m.json" is not a valid Segment model: "categories" must be an object.',
  });
});

test('a profile of the training rows scored with a one-hot model has the training profile\'s clusters, categorical sections included', async (t) => {
  const { dir, done } = await exportOnehot(t, 'gmm', 'drop');
  const result = await scoreRows({ model: done.result.model, source: { kind: 'file', path: MIXED_FIXTURE }, outputDir: dir, threads: 1, profile: true });
  const training = JSON.parse(JSON.stringify(done.result.profile));
  const scored = JSON.parse(readFileSync(result.json!, 'utf8'));
  assert.deepEqual(scored.clusters, training.clusters);
  assert.deepEqual(scored.categorical_overview, training.categorical_overview);
  assert.deepEqual(scored.separation, training.separation);
  assert.deepEqual(scored.metadata.columns, training.metadata.columns);
  assert.ok(Object.keys(scored.clusters.cluster_0.categorical_statistics).includes('store'));
  // A new CSV without a column the training described: not described, and a warning says so.
  const csv = join(dir, 'fewer.csv');
  const text = readFileSync(MIXED_FIXTURE, 'utf8').replace(/,store,/, ',shop,');
  writeFileSync(csv, text);
  const fewer = await scoreRows({ model: done.result.model, source: { kind: 'file', path: csv }, outputDir: dir, threads: 1, profile: true });
  assert.ok(fewer.warnings.includes('"fewer.csv" has no column "store" that the training described (or too many values in it), so it is not described here.'), fewer.warnings.join('\n'));
  assert.ok(!Object.keys(fewer.profile!.clusters.cluster_0.categorical_statistics as object).includes('store'));
});
