/**
 * One-hot encoding (categorical: "onehot") against scikit-learn's
 * ColumnTransformer(OneHotEncoder(drop="first"), …) → StandardScaler →
 * GaussianMixture pipeline on the mixed fixture (tools/golden/make_onehot_golden.py),
 * and the one-hot path through every method.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadDataset } from '../../src/engine/data/dataset';
import { readCsvText } from '../../src/engine/data/csv';
import { originalMatrix, prepareFeatures, type PrepareOptions } from '../../src/engine/data/prepare';
import { estimateParameters, expectationMaximization, type CovarianceType } from '../../src/engine/kernels/gmm';
import { exportMethods } from '../../src/engine/pipeline';
import { assertAllClose, assertClose, loadGolden } from '../helpers/golden';
import { assertSameFit, covariancesFromPrecisions, runToEnd, sklearnPrecisionCholesky, type EmRun, type FitExpectation } from '../helpers/gmmGolden';
import { MIXED_FIXTURE } from '../helpers/mixed';
import { tempDir } from '../helpers/tempDir';

interface OwnInitFit extends FitExpectation {
  covariance_type: CovarianceType;
  kmeans_init_labels: number[];
  lower_bound: number;
}

interface Case {
  name: string;
  missing: 'drop' | 'median';
  columns: string[];
  n: number;
  d: number;
  rows: number[];
  features: string[];
  raw: number[];
  z: number[];
  mean: number[];
  scale: number[];
  gmm: OwnInitFit[];
  em: EmRun[];
}

const golden = loadGolden<{ k: number; cases: Case[] }>('onehot.json');
const { k } = golden;

for (const c of golden.cases) {
  describe(`one-hot against scikit-learn's pipeline, missing values ${c.missing === 'drop' ? 'dropped' : 'filled'}`, async () => {
    const data = await loadDataset(MIXED_FIXTURE, { columns: c.columns, categorical: 'onehot', missing: c.missing });

    test('the same rows, features (column=level, the first sorted level dropped) and encoded values, bit for bit', () => {
      assert.deepEqual(Array.from(data.rowNumbers), c.rows);
      assert.deepEqual(data.features, c.features);
      assert.deepEqual([data.n, data.d], [c.n, c.d]);
      assert.deepEqual(Array.from(originalMatrix(data)), c.raw);
      assert.deepEqual(
        data.indicators?.map((x) => (x ? `${x.column}|${x.level}` : null)),
        c.features.map((f) => (f.includes('=') ? f.replace('=', '|') : null)),
      );
    });

    test('the standardised matrix, mean and scale equal StandardScaler to 1e-12', () => {
      assertAllClose(data.z, c.z, 1e-12, 'z');
      assertAllClose(data.mean, c.mean, 1e-12, 'mean');
      assertAllClose(data.scale, c.scale, 1e-12, 'scale');
    });

    for (const run of c.em) {
      test(`EM on the encoded matrix matches GaussianMixture step for step: ${run.covariance_type}`, () => {
        const result = runToEnd(
          expectationMaximization(data.z, data.n, data.d, k, run.covariance_type, {
            weights: Float64Array.from(run.weights_init),
            means: Float64Array.from(run.means_init),
            covariances: covariancesFromPrecisions(run.covariance_type, run.precisions_init, k, data.d),
          }, { tol: run.tol, maxIter: run.max_iter, regCovar: run.reg_covar }),
        );
        assertSameFit(result, run, data.n, k);
        assertAllClose(result.lowerBounds, run.lower_bounds, 1e-9, 'lower bound per iteration');
        assertAllClose(sklearnPrecisionCholesky(result), run.precisions_cholesky, 1e-9, 'precisions_cholesky');
      });
    }

    for (const fit of c.gmm) {
      test(`from GaussianMixture's own k-means start, the same fit: ${fit.covariance_type}`, () => {
        // sklearn's init_params="kmeans": its KMeans labels as responsibilities (KMeans' random numbers are numpy's).
        const resp = new Float64Array(data.n * k);
        fit.kmeans_init_labels.forEach((label, i) => (resp[i * k + label] = 1));
        const init = estimateParameters(data.z, data.n, data.d, resp, k, fit.covariance_type, 1e-6);
        for (let j = 0; j < k; j++) init.weights[j] /= data.n;
        const result = runToEnd(expectationMaximization(data.z, data.n, data.d, k, fit.covariance_type, init, { tol: 1e-3, maxIter: 100, regCovar: 1e-6 }));
        assertSameFit(result, fit, data.n, k);
        assertClose(result.lowerBound, fit.lower_bound, 1e-9, 'lower_bound');
      });
    }
  });
}

describe('one-hot through the three methods and the profile', () => {
  test('gmm, fuzzy and neural cluster the indicators; centers are shares; the categories are described and separated as columns', async (t) => {
    const dir = tempDir(t, 'segment-onehot-');
    const results = await exportMethods({
      source: { kind: 'text', text: readFileSync(MIXED_FIXTURE, 'utf8'), fileName: 'mixed-customers.csv' },
      prepare: { columns: ['age', 'monthly_spend', 'tenure_months', 'contract', 'paperless'], categorical: 'onehot' },
      methods: [
        { method: 'gmm', options: { nClusters: 3, covarianceType: 'diag' } },
        { method: 'fuzzy', options: { nClusters: 3 } },
        { method: 'neural', options: { nClusters: 3, epochs: 5, backend: 'cpu' } },
      ],
      outputDir: dir,
    });
    for (const { method, result } of results) {
      const { profile } = result;
      assert.deepEqual(profile.features_used, ['age', 'monthly_spend', 'tenure_months', 'paperless=Yes', 'contract=One year', 'contract=Two year'], method);
      const columns = profile.metadata.columns as { name: string; role: string }[];
      assert.deepEqual(columns.filter((col) => col.role === 'feature').map((col) => col.name), ['age', 'monthly_spend', 'tenure_months', 'paperless', 'contract']);
      // separation is per CSV column: the one-hot columns by Cramér's V, not per indicator.
      const separation = profile.separation as Record<string, { measure: string }>;
      assert.deepEqual(Object.keys(separation), ['age', 'monthly_spend', 'tenure_months', 'churned', 'satisfaction', 'paperless', 'contract', 'region', 'store']);
      assert.equal(separation.contract.measure, 'cramers_v');
      for (const cluster of Object.values(profile.clusters)) {
        const center = cluster.cluster_center as Record<string, number>;
        const share = (cluster.feature_statistics as Record<string, { mean: number }>)['contract=Two year'].mean;
        const levels = (cluster.categorical_statistics as Record<string, { levels: Record<string, { share: number }> }>).contract.levels;
        // The mean of an indicator over the members is the share of that level among them.
        assertClose(share, levels['Two year'].share, 1e-12, `${method} share of Two year`);
        assert.ok(center['contract=Two year'] >= -1e-9 && center['contract=Two year'] <= 1 + 1e-9, `${method} center ${center['contract=Two year']}`);
      }
    }
  });
});

describe('one-hot: missing levels, constant columns, options', () => {
  async function prepare(text: string, options: PrepareOptions) {
    return prepareFeatures(await readCsvText(text, 'plans.csv'), { categorical: 'onehot', ...options });
  }

  test('a missing level is the most frequent one under median imputation (ties: the first in sorted order), else the row is dropped', async () => {
    const csv = 'x,plan\n1,b\n2,a\n3,\n1,b\n2,a\n3,c\n';
    const median = await prepare(csv, { missing: 'median' });
    assert.deepEqual(median.features, ['x', 'plan=b', 'plan=c']);
    // a and b are tied (2 each): a, the first in sorted order, fills the gap, so row 3 has no indicator set.
    assert.deepEqual(Array.from(originalMatrix(median)), [1, 1, 0, 2, 0, 0, 3, 0, 0, 1, 1, 0, 2, 0, 0, 3, 0, 1]);
    assert.equal(median.nValuesImputed, 1);
    // The statistics describe the data as it is: the gap stays a gap there.
    assert.deepEqual(Array.from(median.categories![0].codes), [0, 1, -1, 0, 1, 2]);
    const dropped = await prepare(csv, {});
    assert.deepEqual(Array.from(dropped.rowNumbers), [1, 2, 4, 5, 6]);
  });

  test('a one-hot column left with one level after dropping rows is left out (refused when asked for by name)', async () => {
    const csv = 'x,y,plan\n1,5,a\n2,,b\n3,6,a\n1,7,a\n';
    const auto = await prepare(csv, {});
    assert.deepEqual(auto.features, ['x', 'y']);
    assert.deepEqual(auto.excluded, [{ column: 'plan', reason: 'constant after dropping rows with missing values (every remaining value is "a")' }]);
    await assert.rejects(prepare(csv, { columns: ['x', 'y', 'plan'] }), {
      code: 'COLUMN_CONSTANT',
      message:
        'Column "plan" has the same value ("a") in every row left after dropping rows with missing values, so it cannot separate customers; remove it from the columns or use median imputation.',
    });
  });

  test('two features with one name are refused, and so is an unknown mode', async () => {
    await assert.rejects(prepare('plan=b,plan,x\n1,a,1\n2,b,2\n1,a,1\n', {}), {
      code: 'DUPLICATE_HEADER',
      message: 'One-hot encoding would name two features "plan=b": the column "plan=b" and the level "b" of column "plan". Rename one of the columns.',
    });
    await assert.rejects(prepare('x,y\n1,2\n2,1\n1,1\n', { categorical: 'dummy' as never }), {
      code: 'INVALID_OPTION',
      message: 'Unknown handling of categorical columns "dummy"; use "describe" or "onehot".',
    });
  });

  test('without one-hot, a categorical column asked for is refused with the way out; a file of categories only says it can be encoded', async () => {
    const table = await readCsvText('x,plan\n1,a\n2,b\n1,a\n', 'plans.csv');
    assert.throws(() => prepareFeatures(table, { columns: ['x', 'plan'] }), {
      code: 'COLUMN_NOT_NUMERIC',
      message:
        'Column "plan" is not numeric (e.g. "a" on line 2): it is binary (2 levels), which is described per cluster, not clustered; remove it from the columns, describe it, or cluster categorical columns one-hot encoded.',
    });
    const categories = await readCsvText('plan,size\na,S\nb,M\na,L\nb,S\n', 'plans.csv');
    assert.throws(() => prepareFeatures(categories), {
      code: 'NO_NUMERIC_COLUMNS',
      message:
        '"plans.csv" has no numeric column to cluster: plan is binary (2 levels): described, not clustered; size is categorical (3 levels): described, not clustered. Add numeric columns (one number per customer), name the columns to use, or cluster the categorical columns one-hot encoded.',
    });
    assert.deepEqual(prepareFeatures(categories, { categorical: 'onehot' }).features, ['plan=b', 'size=M', 'size=S']);
  });
});
