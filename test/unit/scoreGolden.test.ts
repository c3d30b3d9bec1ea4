/**
 * `segment score` against scikit-learn: a GaussianMixture holding a model
 * file's parameters (test/fixtures/golden/score_model_{type}.json, written by
 * Segment from score_train.csv) gives predict_proba and score_samples of
 * score_new.csv (tools/golden/make_score_golden.py, committed as
 * score.json); scoring the same CSV with the same model file gives them to
 * 1e-9, for each covariance type. No Python at test time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { scoreRows } from '../../src/engine/scoring/score';
import { exportMethods } from '../../src/engine/pipeline';
import type { CovarianceType } from '../../src/shared/methods';
import { assertAllClose, loadGolden } from '../helpers/golden';
import { tempDir } from '../helpers/tempDir';

const FIXTURES = join(__dirname, '..', 'fixtures', 'golden');
const TOL = 1e-9;

interface Case {
  model: string;
  n: number;
  k: number;
  predict_proba: number[];
  score_samples: number[];
  predict: number[];
}

const golden = loadGolden<{ new_csv: string; cases: Record<CovarianceType, Case> }>('score.json');

for (const [type, expected] of Object.entries(golden.cases)) {
  test(`${type}: posteriors and log-likelihoods of new rows equal scikit-learn's predict_proba and score_samples (1e-9)`, async (t) => {
    const dir = tempDir(t, 'segment-score-golden-');
    const result = await scoreRows({ model: join(FIXTURES, expected.model), source: { kind: 'file', path: join(FIXTURES, golden.new_csv) }, outputDir: dir });
    const rows: string[][] = parse(readFileSync(result.scores, 'utf8'));
    const { k, n } = expected;
    assert.deepEqual(rows[0], ['row', 'customer_id', 'cluster', ...Array.from({ length: k }, (_, c) => `prob_cluster_${c}`), 'log_likelihood', 'unusual']);
    assert.equal(rows.length, n + 1);
    const body = rows.slice(1);
    assertAllClose(body.flatMap((r) => r.slice(3, 3 + k).map(Number)), expected.predict_proba, TOL, `${type} predict_proba`);
    assertAllClose(body.map((r) => Number(r[3 + k])), expected.score_samples, TOL, `${type} score_samples`);
    assert.deepEqual(body.map((r) => Number(r[2])), expected.predict, `${type} predict`);
    // The two customers far outside every group: unusual, with a log-likelihood in the hundreds or thousands below zero.
    const unusual = body.filter((r) => r[r.length - 1] === '1').map((r) => r[1]);
    for (const id of ['N006', 'N018']) assert.ok(unusual.includes(id), `${type}: ${id} is unusual`);
    assert.ok(expected.score_samples[5] < -1000 && expected.score_samples[17] < -100, `${type}: N006 and N018 are far out`);
  });
}

test('the fixture models are the ones Segment writes for score_train.csv', async (t) => {
  const dir = tempDir(t, 'segment-score-golden-');
  for (const type of Object.keys(golden.cases) as CovarianceType[]) {
    const [done] = await exportMethods({
      source: { kind: 'file', path: join(FIXTURES, 'score_train.csv') },
      prepare: {},
      methods: [{ method: 'gmm', options: { nClusters: 3, covarianceType: type } }],
      outputDir: dir,
    });
    const fresh = JSON.parse(readFileSync(done.result.model, 'utf8'));
    const fixture = JSON.parse(readFileSync(join(FIXTURES, golden.cases[type].model), 'utf8'));
    for (const key of ['features', 'scaler', 'imputation', 'id_column', 'covariance_type', 'weights', 'means', 'covariances', 'precisions_cholesky', 'unusual_threshold']) {
      assert.deepEqual(fresh[key], fixture[key], `${type} ${key}`);
    }
  }
});
