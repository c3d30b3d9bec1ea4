import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GaussianMixtureSegmentation, fitGmm, GMM_DEFAULTS } from '../../src/engine/methods/gmmSegmentation';
import { blobs, preparedFromRaw } from '../helpers/data';
import { originalMatrix, originalValues } from '../../src/engine/data/prepare';
import { loadGolden, samePartition } from '../helpers/golden';
import { mean as meanOf, std } from '../../src/engine/kernels/stats';

const NOW = new Date(2026, 0, 2, 3, 4, 5);

/** Unequal blobs in original units far from 0, so units and numbering are both visible. */
function customers() {
  const data = blobs(
    [
      [100, 5],
      [900, 50],
      [400, 20],
    ],
    20,
    3,
    4,
    ['revenue', 'orders'],
  );
  // Drop 10 of the first blob and 5 of the third to make sizes 10, 20, 15.
  const keep = Array.from({ length: data.n }, (_, i) => i).filter((i) => !(i < 10) && !(i >= 40 && i < 45));
  const all = originalMatrix(data);
  const raw = Float64Array.from(keep.flatMap((i) => [all[i * 2], all[i * 2 + 1]]));
  return preparedFromRaw(raw, keep.length, 2, ['revenue', 'orders']);
}

test('the GMM profile has every field PROFILE.md lists, clusters numbered by descending size', async () => {
  const data = customers();
  const profile = await new GaussianMixtureSegmentation({ nClusters: 3 }).generateClusterProfile(data, {}, NOW);
  assert.deepEqual(Object.keys(profile), ['metadata', 'metrics', 'features_used', 'mixture_weights', 'uncertainty_metrics', 'categorical_overview', 'separation', 'clusters']);
  const m = profile.metadata;
  assert.equal(m.method, 'Gaussian Mixture Model (GMM)');
  assert.equal(m.n_clusters, 3);
  assert.equal(m.n_samples, 45);
  assert.equal(m.random_seed, 42);
  assert.equal(m.scaling, 'standard');
  assert.equal(m.covariance_type, 'full');
  assert.equal(m.init_params, 'kmeans');
  assert.equal(m.silhouette_sample_size, null);
  assert.match(m.timestamp as string, /^2026-01-02T03:04:05[+-]\d\d:\d\d$/);
  for (const key of ['silhouette_score', 'davies_bouldin_index', 'calinski_harabasz_score', 'log_likelihood', 'bic', 'aic']) {
    assert.equal(typeof profile.metrics[key], 'number', key);
  }
  const sizes = [0, 1, 2].map((c) => profile.clusters[`cluster_${c}`].size);
  assert.deepEqual(sizes, [20, 15, 10]);
  assert.deepEqual(
    [0, 1, 2].map((c) => profile.clusters[`cluster_${c}`].percentage),
    [44.44, 33.33, 22.22],
  );
  assert.equal((profile.mixture_weights as number[]).length, 3);
  // Numbers only: every feature is numeric, nothing is described, and separation is each feature's η².
  assert.deepEqual(m.columns, [
    { name: 'revenue', kind: 'numeric', role: 'feature' },
    { name: 'orders', kind: 'numeric', role: 'feature' },
  ]);
  assert.deepEqual(profile.categorical_overview, {});
  assert.deepEqual(Object.keys(profile.separation as object), ['revenue', 'orders']);
  const revenue = (profile.separation as Record<string, { measure: string; value: number }>).revenue;
  assert.equal(revenue.measure, 'eta_squared');
  assert.ok(revenue.value > 0.5 && revenue.value <= 1, String(revenue.value));
  const c0 = profile.clusters.cluster_0;
  assert.deepEqual([c0.categorical_statistics, c0.descriptor_statistics], [{}, {}]);
  assert.deepEqual(Object.keys(c0), [
    'cluster_id',
    'size',
    'percentage',
    'cluster_center',
    'feature_statistics',
    'categorical_statistics',
    'descriptor_statistics',
    'mixture_weight',
    'probability_stats',
    'covariance_info',
  ]);
});

test('centers, statistics and variances are in original units', async () => {
  const data = customers();
  const model = new GaussianMixtureSegmentation({ nClusters: 3 });
  const labels = await model.fitPredict(data);
  const profile = await model.generateClusterProfile(data, {}, NOW);
  for (let c = 0; c < 3; c++) {
    const revenue = originalValues(data, 0, Int32Array.from({ length: data.n }, (_, i) => i).filter((i) => labels[i] === c));
    const cluster = profile.clusters[`cluster_${c}`] as Record<string, Record<string, Record<string, number>>>;
    const stats = cluster.feature_statistics.revenue;
    assert.ok(Math.abs(stats.mean - meanOf(revenue)) < 1e-9 * Math.abs(stats.mean));
    assert.ok(Math.abs(stats.std - std(revenue, 1)!) < 1e-9 * stats.std);
    assert.equal(stats.min, Math.min(...revenue));
    assert.equal(stats.max, Math.max(...revenue));
    // A well-separated component's mean is its members' mean; its variance theirs (ddof 0) + reg_covar·scale².
    const center = cluster.cluster_center as unknown as Record<string, number>;
    assert.ok(Math.abs(center.revenue - meanOf(revenue)) < 1e-6 * Math.abs(center.revenue));
    const variance = (cluster.covariance_info as unknown as { feature_variances: Record<string, number> }).feature_variances.revenue;
    const expected = std(revenue, 0)! ** 2 + 1e-6 * data.scale[0] ** 2;
    assert.ok(Math.abs(variance - expected) < 1e-6 * expected, `${variance} vs ${expected}`);
  }
});

test('uncertainty metrics agree with the posteriors', async () => {
  const data = customers();
  const fit = fitGmm(data, { ...GMM_DEFAULTS, nClusters: 3 });
  const profile = await new GaussianMixtureSegmentation({ nClusters: 3 }).generateClusterProfile(data, {}, NOW);
  const u = profile.uncertainty_metrics as Record<string, number>;
  let sumMax = 0;
  let high = 0;
  for (let i = 0; i < data.n; i++) {
    const max = Math.max(...fit.resp.subarray(i * 3, i * 3 + 3));
    sumMax += max;
    if (max >= 0.9) high++;
  }
  assert.equal(u.avg_max_probability, sumMax / data.n);
  assert.equal(u.high_confidence_count, high);
  assert.equal(u.high_confidence_threshold, 0.9);
  assert.equal(u.low_confidence_threshold, 0.6);
  assert.ok(u.avg_entropy >= 0);
});

test('option errors say what is allowed, word for word', async () => {
  const cases: [Record<string, unknown>, string][] = [
    [{ nClusters: 1 }, 'The number of clusters must be a whole number of at least 2 (got 1).'],
    [{ nClusters: 2.5 }, 'The number of clusters must be a whole number of at least 2 (got 2.5).'],
    [{ covarianceType: 'round' }, 'Unknown covariance type "round": use full, tied, diag or spherical.'],
    [{ tol: 0 }, 'tol must be a number greater than 0 (got 0).'],
    [{ regCovar: -1 }, 'reg_covar must be a number of at least 0 (got -1).'],
    [{ maxIter: 0 }, 'max_iter must be a whole number of at least 1 (got 0).'],
    [{ nInit: 0 }, 'n_init must be a whole number of at least 1 (got 0).'],
    [{ randomSeed: -3 }, 'seed must be a whole number of at least 0 (got -3).'],
    [{ threads: 0 }, 'threads must be a whole number of at least 1 (got 0).'],
  ];
  for (const [options, message] of cases) {
    assert.throws(() => new GaussianMixtureSegmentation(options), { name: 'SegmentError', code: 'INVALID_OPTION', message });
  }
});

test('an option given as undefined keeps its default (as a spread of CLI flags or settings gives)', async () => {
  const options = new GaussianMixtureSegmentation({ nClusters: 3, threads: undefined, tol: undefined }).options;
  assert.equal(options.threads, GMM_DEFAULTS.threads);
  assert.equal(options.tol, GMM_DEFAULTS.tol);
  assert.equal(options.nClusters, 3);
});

test('more clusters than rows is a clear error', async () => {
  const data = preparedFromRaw(Float64Array.from([1, 2, 3, 4, 5, 7]), 3, 2, ['a', 'b']);
  await assert.rejects(() => new GaussianMixtureSegmentation({ nClusters: 4 }).fitPredict(data), {
    code: 'TOO_FEW_ROWS',
    message: 'There are 3 rows to cluster but 4 clusters were asked for. Ask for at most 2 clusters, or use a file with more rows.',
  });
});

test('an ill-defined covariance is refitted with a larger reg_covar, and the profile says so', async () => {
  // Collinear columns (col 2 = 2 × col 0): with reg_covar 0 the covariance is singular
  // (sklearn raises); we retry with 1e-6 and find sklearn's fit at 1e-6.
  const golden = loadGolden<{ n: number; d: number; X: number[]; attempts: { reg_covar: number; outcome: string; labels?: number[] }[] }>(
    'ill_conditioned.json',
  );
  assert.equal(golden.attempts.find((a) => a.reg_covar === 0)!.outcome, 'error');
  const sklearnFit = golden.attempts.find((a) => a.reg_covar === 1e-6)!;
  const data = preparedFromRaw(Float64Array.from(golden.X), golden.n, golden.d, ['a', 'b', 'a_twice']);
  const model = new GaussianMixtureSegmentation({ nClusters: 2, regCovar: 0 });
  const profile = await model.generateClusterProfile(data, {}, NOW);
  assert.ok(samePartition((await model.fitPredict(data)), sklearnFit.labels!));
  assert.equal(profile.metadata.reg_covar, 0);
  assert.equal(profile.metadata.reg_covar_used, 1e-6);
  assert.deepEqual(profile.metadata.warnings, [
    "A cluster's covariance was ill-defined with reg_covar=0, so the model was refitted with reg_covar=0.000001. " +
      'A cluster may have collapsed onto near-identical customers, or some columns may be (nearly) collinear.',
  ]);
});

test('the same seed gives the same clusters in the same order; n_init keeps the best lower bound', async () => {
  const data = blobs([[0, 0], [3, 0], [0, 3], [3, 3]], 25, 1.2, 9);
  const a = fitGmm(data, { ...GMM_DEFAULTS, nInit: 4, randomSeed: 1 });
  const b = fitGmm(data, { ...GMM_DEFAULTS, nInit: 4, randomSeed: 1 });
  assert.deepEqual(a.labels, b.labels);
  assert.deepEqual(a.model.means, b.model.means);
  for (let seed = 0; seed < 4; seed++) {
    const single = fitGmm(data, { ...GMM_DEFAULTS, nInit: 1, randomSeed: seed });
    assert.ok(single.em.lowerBound <= fitGmm(data, { ...GMM_DEFAULTS, nInit: 4, randomSeed: seed }).em.lowerBound + 1e-12);
  }
});

test('progress is reported per EM iteration and cancellation stops the fit', async () => {
  const data = blobs([[0, 0], [3, 0], [0, 3]], 30, 1.5, 2);
  const messages: string[] = [];
  fitGmm(data, { ...GMM_DEFAULTS, nClusters: 3, nInit: 2, tol: 1e-9 }, { onProgress: (p) => messages.push(p.message) });
  assert.equal(messages[0], 'EM iteration 1/100, restart 1/2');
  assert.ok(messages.includes('EM iteration 1/100, restart 2/2'));
  const controller = new AbortController();
  let seen = 0;
  assert.throws(
    () =>
      fitGmm(data, { ...GMM_DEFAULTS, nClusters: 3, tol: 1e-12 }, {
        signal: controller.signal,
        onProgress: () => {
          if (++seen === 3) controller.abort();
        },
      }),
    { code: 'CANCELLED', message: 'Cancelled: no files were written.' },
  );
  assert.equal(seen, 3);
});

test('wide data are refused before any work when a full or tied covariance cannot be fitted, with the way out', async () => {
  const wide = preparedFromRaw(Float64Array.from({ length: 30 * 40 }, (_, t) => ((t * 7919) % 97) / 7), 30, 40, Array.from({ length: 40 }, (_, j) => `f${j}`));
  for (const covarianceType of ['full', 'tied'] as const) {
    await assert.rejects(new GaussianMixtureSegmentation({ covarianceType }).fitPredict(wide), {
      code: 'TOO_FEW_ROWS',
      message: `There are 40 features but only 30 rows: a ${covarianceType} covariance needs more rows than features. Use covariance type = diag, or cluster on fewer columns.`,
    });
  }
  const labels = await new GaussianMixtureSegmentation({ covarianceType: 'diag' }).fitPredict(wide);
  assert.equal(labels.length, 30);
  // 1,000 features × 100 components: 2.2 GB of covariances; refused by its size alone, before any allocation.
  const many = { ...wide, n: 5000, d: 1000 } as typeof wide;
  assert.throws(() => new GaussianMixtureSegmentation({ nClusters: 100 }).checkData(many), {
    code: 'TOO_MANY_FEATURES',
    message: 'A full covariance over 1,000 features would take 2.2 GB of memory. Use covariance type = diag, or cluster on fewer columns.',
  });
});
