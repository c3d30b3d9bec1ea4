/**
 * `segment sweep` in the engine (src/engine/sweep/): the recommendation on
 * well-separated blobs, results that do not depend on the number of threads,
 * fits that fail, and the k-selection files (written as profiles are, the
 * JSON and the YAML the same document, all or nothing).
 */
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { SegmentError } from '../../src/engine/errors';
import { GMM_STEPS } from '../../src/engine/methods/gmmSegmentation';
import { engineThreadStats, threadTuning } from '../../src/engine/kernels/threads';
import { isSuccess, runSweep, stabilitySeeds, type SweepFit } from '../../src/engine/sweep/sweep';
import { sweepToFiles } from '../../src/engine/sweep/run';
import { fileStamp } from '../../src/shared/timestamps';
import type { MethodKey } from '../../src/shared/methods';
import { blobs, preparedFromRaw } from '../helpers/data';
import { FOUR_CENTERS, overlappingBlobs, resetThreads } from '../helpers/threads';
import { tempDir } from '../helpers/tempDir';

const ROOT = join(__dirname, '..', '..');
const EXAMPLE = join(ROOT, 'examples', 'customers.csv');
const NOW = new Date(2026, 10, 24, 9, 30, 0);

afterEach(resetThreads);

/** Four well-separated Gaussian clusters of 100 rows in 4 features (centers 6.6 apart at least, spread 0.7). */
const fourBlobs = () =>
  blobs(
    FOUR_CENTERS.map((center) => center.map((v) => 3 * v)),
    100,
    0.7,
    5,
  );

test('on seeded well-separated blobs (4 Gaussian clusters) every method recommends 4', async () => {
  const data = fourBlobs();
  const expected: Record<MethodKey, string> = {
    gmm: 'k = 4 (full covariance) has the lowest BIC (2099.5).',
    fuzzy: 'k = 4 has the highest silhouette (0.6632) of the fits with stability ARI ≥ 0.8.',
    neural: 'k = 4 has the highest silhouette (0.6632) of the fits with stability ARI ≥ 0.8.',
  };
  for (const method of ['gmm', 'fuzzy', 'neural'] as const) {
    const sweep = await runSweep(data, { method, kRange: [2, 8], options: method === 'neural' ? { epochs: 30 } : {} });
    assert.equal(sweep.recommendation.k, 4, method);
    assert.equal(sweep.recommendation.reason, expected[method]);
    const four = sweep.fits.find((f) => f.k === 4);
    assert.ok(four && isSuccess(four));
    assert.deepEqual(four.sizes, [100, 100, 100, 100], method);
    assert.equal(four.stabilityAri, 1, `${method}: the three seeds find the same four blobs`);
    assert.deepEqual(
      sweep.fits.map((f) => f.k),
      [2, 3, 4, 5, 6, 7, 8],
    );
  }
});

/** What a fit's entry holds, comparable with deepStrictEqual (Object.is on every number). */
const plain = (fits: SweepFit[]) => fits.map((f) => (isSuccess(f) ? { ...f } : { k: f.k, error: f.error.message }));

test('the results are the same, bit for bit, on 1 thread and on engine threads', async () => {
  // 3,200 rows: two chunks of rows, and many tiles of the silhouette.
  const data = overlappingBlobs(9, 800);
  for (const [method, extra] of [
    ['gmm', { covarianceTypes: ['full', 'diag'] as const }],
    ['fuzzy', {}],
  ] as const) {
    const one = await runSweep(data, { method, kRange: [2, 4], ...extra, options: { threads: 1 } });
    threadTuning.minWork = 0;
    threadTuning.awaitStart = true;
    const before = engineThreadStats();
    const many = await runSweep(data, { method, kRange: [2, 4], ...extra, options: { threads: 3 } });
    const after = engineThreadStats();
    assert.ok(after.created > before.created && after.chunksByThreads > before.chunksByThreads, `${method}: engine threads did work`);
    assert.deepStrictEqual(plain(many.fits), plain(one.fits), method);
    assert.deepStrictEqual(many.recommendation, one.recommendation, method);
    await resetThreads();
  }
});

test('a fit that fails is recorded with its error and the sweep goes on; a failing stability fit names its seed', async (t) => {
  const data = fourBlobs();
  const [, , third] = stabilitySeeds(42);
  const fit = GMM_STEPS.fit;
  t.after(() => (GMM_STEPS.fit = fit));
  GMM_STEPS.fit = (d, options, control) => {
    if (options.nClusters === 3) throw new SegmentError('ILL_CONDITIONED', 'k = 3 cannot be fitted (a stand-in for a singular covariance).');
    if (options.nClusters === 5 && options.randomSeed === third) throw new SegmentError('ILL_CONDITIONED', 'This seed cannot be fitted.');
    return fit(d, options, control);
  };
  const sweep = await runSweep(data, { method: 'gmm', kRange: [2, 6], options: {} });
  const failures = sweep.fits.filter((f) => !isSuccess(f)).map((f) => [f.k, 'error' in f ? f.error.message : '']);
  assert.deepEqual(failures, [
    [3, 'k = 3 cannot be fitted (a stand-in for a singular covariance).'],
    [5, `The fit with seed ${third} (one of the stability's) failed: This seed cannot be fitted.`],
  ]);
  assert.deepEqual(
    sweep.fits.filter(isSuccess).map((f) => f.k),
    [2, 4, 6],
  );
  assert.equal(sweep.recommendation.k, 4);
});

test('a covariance type that fails for every k is recorded; only every fit failing is an error', async () => {
  // 5 rows of 6 features: a full covariance needs more rows than features, a diagonal one does not.
  const raw = Float64Array.from({ length: 30 }, (_, t) => ((t * 7919) % 31) + (t % 6) * 0.5);
  const data = preparedFromRaw(raw, 5, 6, ['a', 'b', 'c', 'd', 'e', 'f']);
  const full = 'There are 6 features but only 5 rows: a full covariance needs more rows than features. Use covariance type = diag, or cluster on fewer columns.';
  const sweep = await runSweep(data, { method: 'gmm', kRange: [2, 3], covarianceTypes: ['full', 'diag'], options: {} });
  assert.deepEqual(
    sweep.fits.map((f) => [f.k, f.covarianceType, isSuccess(f) ? 'ok' : f.error.message]),
    [
      [2, 'full', full],
      [3, 'full', full],
      [2, 'diag', 'ok'],
      [3, 'diag', 'ok'],
    ],
  );
  assert.equal(sweep.recommendation.covarianceType, 'diag');
  await assert.rejects(runSweep(data, { method: 'gmm', kRange: [2, 3], options: {} }), { code: 'TOO_FEW_ROWS', message: full });
});

test('a k range beyond the data or out of order is refused as wrong usage, before any fit', async () => {
  const data = fourBlobs();
  await assert.rejects(runSweep(data, { method: 'fuzzy', kRange: [2, 400], options: {} }), {
    code: 'INVALID_OPTION',
    message: 'The k range 2..400 goes beyond the data: there are 400 rows to cluster, so k can be at most 399.',
  });
  for (const kRange of [
    [1, 4],
    [5, 4],
    [2.5, 4],
  ] as const) {
    await assert.rejects(runSweep(data, { method: 'fuzzy', kRange, options: {} }), {
      code: 'INVALID_OPTION',
      message: `The k range must be whole numbers from 2 up, the smaller first (got ${kRange[0]}..${kRange[1]}).`,
    });
  }
});

test('the k-selection JSON and YAML hold the same document, never overwrite a file, and --export adds the recommended profile', async (t) => {
  const dir = tempDir(t, 'segment-sweep-');
  const stamp = fileStamp(NOW);
  writeFileSync(join(dir, `gmm_k_selection_${stamp}.yaml`), 'mine\n');
  const files = await sweepToFiles({
    method: 'gmm',
    kRange: [2, 7],
    covarianceTypes: ['full', 'diag'],
    options: {},
    source: { kind: 'file', path: EXAMPLE },
    prepare: {},
    outputDir: dir,
    now: NOW,
    export: true,
  });
  assert.equal(files.json, join(dir, `gmm_k_selection_${stamp}_2.json`));
  assert.equal(files.yaml, join(dir, `gmm_k_selection_${stamp}_2.yaml`));
  assert.equal(readFileSync(join(dir, `gmm_k_selection_${stamp}.yaml`), 'utf8'), 'mine\n', 'the existing file is untouched');
  const json = JSON.parse(readFileSync(files.json, 'utf8'));
  assert.deepEqual(load(readFileSync(files.yaml, 'utf8')), json);
  assert.deepEqual(json, JSON.parse(JSON.stringify(files.document)));
  assert.deepEqual(Object.keys(json), ['metadata', 'results', 'recommendation']);
  assert.deepEqual(json.metadata.k_values, [2, 3, 4, 5, 6, 7]);
  assert.deepEqual(json.metadata.covariance_types, ['full', 'diag']);
  assert.deepEqual(json.metadata.stability_seeds, stabilitySeeds(42));
  assert.equal(json.metadata.stability_seeds_derivation, 'the seed, then deriveSeed(seed, 1) and deriveSeed(seed, 2)');
  assert.equal(json.metadata.n_samples, 497);
  assert.equal(json.metadata.source_file, 'customers.csv');
  assert.equal(json.metadata.silhouette_sample_size, null);
  assert.deepEqual(json.metadata.parameters, { tol: 0.001, reg_covar: 0.000001, max_iter: 100 });
  assert.equal(json.results.length, 12);
  assert.deepEqual(Object.keys(json.results[0]), [
    'k',
    'covariance_type',
    'silhouette_score',
    'davies_bouldin_index',
    'calinski_harabasz_score',
    'log_likelihood',
    'bic',
    'aic',
    'n_parameters',
    'stability_ari',
    'converged',
    'n_iterations',
    'sizes',
    'warnings',
  ]);
  assert.deepEqual(json.recommendation, { k: 6, covariance_type: 'full', criterion: 'bic', reason: 'k = 6 (full covariance) has the lowest BIC (-8585.5).' });
  // The recommended profile, with the run's time stamp, as `segment gmm -k 6` writes it.
  const profile = files.exported!.result;
  assert.equal(profile.json, join(dir, `gmm_cluster_profile_${stamp}.json`));
  assert.equal(profile.profile.metadata.n_clusters, 6);
  assert.equal(profile.profile.metadata.covariance_type, 'full');
  assert.deepEqual(profile.profile.metrics, Object.fromEntries(Object.keys(profile.profile.metrics).map((key) => [key, json.results[4][key]])));
  assert.deepEqual(readdirSync(dir).sort(), [
    `gmm_assignments_${stamp}.csv`,
    `gmm_cluster_profile_${stamp}.json`,
    `gmm_cluster_profile_${stamp}.yaml`,
    `gmm_k_selection_${stamp}.yaml`,
    `gmm_k_selection_${stamp}_2.json`,
    `gmm_k_selection_${stamp}_2.yaml`,
    `gmm_model_${stamp}.json`,
  ]);
});

test('a cancel writes nothing: before the sweep, and while the recommended profile is exported', async (t) => {
  const dir = tempDir(t, 'segment-sweep-');
  const request = { method: 'fuzzy' as const, kRange: [2, 3] as const, options: {}, source: { kind: 'file' as const, path: EXAMPLE }, prepare: {}, outputDir: dir, export: true };
  const aborted = new AbortController();
  aborted.abort();
  await assert.rejects(sweepToFiles(request, { signal: aborted.signal }), { code: 'CANCELLED', message: 'Cancelled: no files were written.' });
  const controller = new AbortController();
  const stages: string[] = [];
  await assert.rejects(
    sweepToFiles(request, {
      signal: controller.signal,
      onProgress: (progress, stage) => {
        stages.push(`${stage} ${progress.phase}`);
        // The k-selection files are on disk by the time the export reports.
        if (stage === 'export' && progress.phase === 'metrics') {
          assert.equal(readdirSync(dir).filter((f) => f.includes('k_selection')).length, 2);
          controller.abort();
        }
      },
    }),
    { code: 'CANCELLED' },
  );
  assert.ok(stages.includes('export metrics'), stages.join(', '));
  assert.deepEqual(readdirSync(dir), []);
});
