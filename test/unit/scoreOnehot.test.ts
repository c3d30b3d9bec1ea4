/**
 * A model exported with one-hot columns (issue 12 with issue 14): the model
 * file lists an indicator as {column, level} with its column's levels beside,
 * scoring the training CSV reproduces its assignments, a gap takes the most
 * frequent level under median imputation, and a level the model never saw is
 * scored as the reference level with a warning.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
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

test('a new level is scored as the reference level with a warning naming column, levels, rows and first line; a gap is dropped, or filled with the most frequent level', async (t) => {
  const { dir, done } = await exportOnehot(t, 'gmm', 'median');
  const modelFile = done.result.model.split('/').pop();
  const csv = join(dir, 'new.csv');
  const header = 'customer_id,age,monthly_spend,tenure_months,churned,satisfaction,paperless,contract,region,store,comment';
  writeFileSync(csv, `${header}\nN1,30,40,5,0,7,Yes,Month-to-month,North,S01,hi\nN2,50,90,40,0,8,,Two year,,S02,\n`);
  const result = await scoreRows({ model: done.result.model, source: { kind: 'file', path: csv }, outputDir: dir, threads: 1 });
  assert.deepEqual([result.nScored, result.nRowsDropped], [2, 0]);
  const known = readFileSync(result.scores, 'utf8');
  // The same rows with new levels in place of the reference ones: the same scores, and a warning.
  writeFileSync(
    csv,
    `${header}\nN1,30,40,5,0,7,Yes,Three year,North,S01,hi\nN2,50,90,40,0,8,,Two year,,S02,\nN3,30,40,5,0,7,Yes,Weekly,North,S01,hi\n` +
      'N4,30,40,5,0,7,Yes,Three year,Atlantis,S01,hi\n',
  );
  const unseen = await scoreRows({ model: done.result.model, source: { kind: 'file', path: csv }, outputDir: dir, threads: 1, profile: true, now: new Date(Date.UTC(2026, 0, 2)) });
  const warnings = [
    `Column "contract" of "new.csv" has 2 levels ("Three year", "Weekly") that the model ${modelFile} was not trained on, in 3 rows (first on line 2): ` +
      'they are scored as the reference level "Month-to-month".',
    `Column "region" of "new.csv" has a level ("Atlantis") that the model ${modelFile} was not trained on, in 1 row (first on line 5): it is scored as the reference level "Central".`,
    'cluster_2 got none of the 4 rows scored, so its statistics in the profile are null.',
  ];
  assert.deepEqual(unseen.warnings, warnings);
  assert.deepEqual(unseen.profile!.metadata.warnings, warnings);
  const scored = JSON.parse(readFileSync(unseen.json!, 'utf8'));
  assert.deepEqual(scored.metadata.warnings, warnings);
  const rows = readFileSync(unseen.scores, 'utf8').trimEnd().split('\n');
  const before = known.trimEnd().split('\n');
  assert.equal(rows[0], before[0]);
  // N1 and N3 are N1 of before (Month-to-month is the reference); N2 unchanged.
  const after = (line: string) => line.split(',').slice(2).join(',');
  assert.deepEqual([after(rows[1]), after(rows[2]), after(rows[3])], [after(before[1]), after(before[2]), after(before[1])]);
  const dropped = await exportOnehot(t, 'gmm', 'drop');
  writeFileSync(csv, `${header}\nN1,30,40,5,0,7,Yes,Two year,North,S01,hi\nN2,50,90,40,0,8,,Two year,South,S02,\n`);
  const partial = await scoreRows({ model: dropped.done.result.model, source: { kind: 'file', path: csv }, outputDir: dir, threads: 1 });
  assert.deepEqual([partial.nScored, partial.nRowsDropped], [1, 1]);
});

test('a value that is not a number and a missing column stay errors naming column and line', async (t) => {
  const { dir, done } = await exportOnehot(t, 'gmm', 'median');
  const modelFile = done.result.model.split('/').pop();
  const csv = join(dir, 'bad.csv');
  const header = 'customer_id,age,monthly_spend,tenure_months,churned,satisfaction,paperless,contract,region,store,comment';
  writeFileSync(csv, `${header}\nN1,30,40,5,0,7,Yes,Two year,North,S01,hi\nN2,fifty,90,40,0,8,No,Two year,East,S02,\nN3,?,90,40,0,8,No,Two year,East,S02,\n`);
  await assert.rejects(scoreRows({ model: done.result.model, source: { kind: 'file', path: csv }, outputDir: dir, threads: 1 }), {
    code: 'COLUMN_NOT_NUMERIC',
    message:
      'Column "age" of "bad.csv" has "fifty" on line 3 (and 1 more value like it), but the model needs a number there. Correct the value, or leave the cell empty to treat it as missing.',
  });
  writeFileSync(csv, `${header.replace('contract', 'contracts')}\nN1,30,40,5,0,7,Yes,Two year,North,S01,hi\n`);
  await assert.rejects(scoreRows({ model: done.result.model, source: { kind: 'file', path: csv }, outputDir: dir, threads: 1 }), {
    code: 'UNKNOWN_COLUMN',
    message:
      `The model ${modelFile} needs a column "contract", which "bad.csv" does not have. Did you mean "contracts"? ` +
      'Its columns are: customer_id, age, monthly_spend, tenure_months, churned, satisfaction, paperless, contracts, and 3 more.',
  });
  assert.deepEqual(readdirSync(dir).filter((f) => f.includes('_scores_')), []);
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
