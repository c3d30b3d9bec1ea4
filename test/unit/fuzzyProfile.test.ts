import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { parse } from 'csv-parse/sync';
import { FCM_DEFAULTS, FuzzyCMeansSegmentation, fitFcm } from '../../src/engine/methods/fuzzySegmentation';
import { randomMemberships, runFuzzyCMeans } from '../../src/engine/kernels/fcm';
import { Random, deriveSeed } from '../../src/engine/kernels/random';
import { methodFlags, methodRun } from '../../src/cli/methodFlags';
import type { FlagValues } from '../../src/cli/args';
import { createSegmentation } from '../../src/engine/methods/registry';
import { mean as meanOf, std } from '../../src/engine/kernels/stats';
import { blobs, preparedFromRaw } from '../helpers/data';
import { originalMatrix, originalValues } from '../../src/engine/data/prepare';
import { assertClose } from '../helpers/golden';
import { tempDir } from '../helpers/tempDir';

const NOW = new Date(2026, 0, 2, 3, 4, 5);

/** Unequal blobs in original units far from 0 (sizes 25, 20, 15), so units and numbering are both visible. */
function customers() {
  const data = blobs(
    [
      [100, 5],
      [900, 50],
      [400, 20],
    ],
    25,
    3,
    4,
    ['revenue', 'orders'],
  );
  const keep = Array.from({ length: data.n }, (_, i) => i).filter((i) => !(i >= 25 && i < 30) && !(i >= 50 && i < 60));
  const all = originalMatrix(data);
  const raw = Float64Array.from(keep.flatMap((i) => [all[i * 2], all[i * 2 + 1]]));
  return preparedFromRaw(raw, keep.length, 2, ['revenue', 'orders']);
}

function gaussianNoise(n: number, d: number, seed: number) {
  const rng = new Random(seed);
  const raw = Float64Array.from({ length: n * d }, () => rng.normal());
  return preparedFromRaw(raw, n, d, Array.from({ length: d }, (_, j) => `x${j}`));
}

type Stats = { mean: number; std: number; min: number; max: number };

test('the FCM profile has every field PROFILE.md lists, clusters numbered by descending size', async () => {
  const data = customers();
  const profile = await new FuzzyCMeansSegmentation({ nClusters: 3 }).generateClusterProfile(data, {}, NOW);
  assert.deepEqual(Object.keys(profile), ['metadata', 'metrics', 'features_used', 'categorical_overview', 'separation', 'clusters']);
  const m = profile.metadata;
  assert.equal(m.method, 'Fuzzy C-Means (FCM)');
  assert.equal(m.n_clusters, 3);
  assert.equal(m.n_samples, 60);
  assert.equal(m.random_seed, 42);
  assert.equal(m.scaling, 'standard');
  assert.equal(m.silhouette_sample_size, null);
  assert.match(m.timestamp as string, /^2026-01-02T03:04:05[+-]\d\d:\d\d$/);
  assert.equal(m.fuzziness_parameter, 2);
  assert.equal(m.max_iterations, 150);
  assert.equal(m.convergence_threshold, 1e-5);
  assert.equal(m.converged, true);
  assert.equal(m.n_init, 1);
  assert.ok((m.n_iterations as number) >= 1 && (m.n_iterations as number) <= 150);
  assert.ok((m.objective as number) > 0);
  assert.deepEqual(m.warnings, []);
  const keys = Object.keys(m);
  assert.deepEqual(keys.slice(keys.indexOf('fuzziness_parameter')), [
    'fuzziness_parameter',
    'max_iterations',
    'convergence_threshold',
    'n_iterations',
    'converged',
    'n_init',
    'objective',
    'center_spread_ratio',
    'warnings',
  ]);
  assert.deepEqual(Object.keys(profile.metrics), [
    'silhouette_score',
    'davies_bouldin_index',
    'calinski_harabasz_score',
    'partition_coefficient',
    'partition_entropy',
    'partition_entropy_log_base',
  ]);
  assert.equal(profile.metrics.partition_entropy_log_base, 'e');
  const pc = profile.metrics.partition_coefficient as number;
  assert.ok(pc > 1 / 3 && pc <= 1);
  assert.ok((profile.metrics.partition_entropy as number) >= 0 && (profile.metrics.partition_entropy as number) < Math.log(3));
  assert.deepEqual(
    [0, 1, 2].map((c) => profile.clusters[`cluster_${c}`].size),
    [25, 20, 15],
  );
  assert.deepEqual(Object.keys(profile.clusters.cluster_0), [
    'cluster_id',
    'size',
    'percentage',
    'cluster_center',
    'feature_statistics',
    'categorical_statistics',
    'descriptor_statistics',
    'membership_stats',
  ]);
  assert.deepEqual(Object.keys(profile.clusters.cluster_0.membership_stats as object), ['mean', 'std', 'min', 'max']);
});

test('centers are the fuzzy centers in original units; membership_stats and the partition metrics agree with the memberships', async () => {
  const data = customers();
  const model = new FuzzyCMeansSegmentation({ nClusters: 3 });
  const fit = await model.fit(data);
  const profile = await model.generateClusterProfile(data, {}, NOW);
  const k = 3;
  let pc = 0;
  let pe = 0;
  for (let t = 0; t < data.n * k; t++) {
    const u = fit.memberships[t];
    pc += u * u;
    if (u > 0) pe -= u * Math.log(u);
  }
  assertClose(profile.metrics.partition_coefficient as number, pc / data.n, 1e-12, 'partition coefficient');
  assertClose(profile.metrics.partition_entropy as number, pe / data.n, 1e-12, 'partition entropy');
  for (let c = 0; c < k; c++) {
    const members = Array.from({ length: data.n }, (_, i) => i).filter((i) => fit.labels[i] === c);
    // Hard label = argmax membership.
    for (const i of members) {
      for (let o = 0; o < k; o++) assert.ok(fit.memberships[i * k + c] >= fit.memberships[i * k + o]);
    }
    const cluster = profile.clusters[`cluster_${c}`] as Record<string, unknown>;
    const center = cluster.cluster_center as Record<string, number>;
    assertClose(center.revenue, fit.centers[c * 2] * data.scale[0] + data.mean[0], 1e-12, 'center revenue');
    assertClose(center.orders, fit.centers[c * 2 + 1] * data.scale[1] + data.mean[1], 1e-12, 'center orders');
    // Well separated: the fuzzy center is close to the members' mean.
    const revenue = originalValues(data, 0, Int32Array.from(members));
    assert.ok(Math.abs(center.revenue - meanOf(revenue)) < 0.01 * Math.abs(center.revenue));
    const stats = (cluster.feature_statistics as Record<string, Stats>).revenue;
    assertClose(stats.mean, meanOf(revenue), 1e-12, 'mean revenue');
    assertClose(stats.std, std(revenue, 1)!, 1e-12, 'std revenue');
    const own = Float64Array.from(members, (i) => fit.memberships[i * k + c]);
    const ms = cluster.membership_stats as Stats;
    assertClose(ms.mean, meanOf(own), 1e-12, 'membership mean');
    assertClose(ms.std, std(own, 0)!, 1e-12, 'membership std (ddof 0)');
    assert.equal(ms.min, Math.min(...own));
    assert.equal(ms.max, Math.max(...own));
    assert.ok(ms.min > 1 / 3 && ms.max <= 1);
  }
});

test('option errors say what is allowed, word for word', async () => {
  const fuzziness = (m: number) =>
    `The fuzziness m must be a number greater than 1 (got ${m}); 2 is the usual choice, values near 1 give almost crisp clusters.`;
  const cases: [Record<string, unknown>, string][] = [
    [{ fuzziness: 1 }, fuzziness(1)],
    [{ fuzziness: NaN }, fuzziness(NaN)],
    [{ fuzziness: 0.5 }, fuzziness(0.5)],
    [{ fuzziness: Infinity }, fuzziness(Infinity)],
    [{ nClusters: 1 }, 'The number of clusters must be a whole number of at least 2 (got 1).'],
    [{ maxIterations: 0 }, 'max_iterations must be a whole number of at least 1 (got 0).'],
    [{ convergenceThreshold: 0 }, 'convergence_threshold must be a number greater than 0 (got 0).'],
    [{ convergenceThreshold: NaN }, 'convergence_threshold must be a number greater than 0 (got NaN).'],
    [{ nInit: 0 }, 'n_init must be a whole number of at least 1 (got 0).'],
    [{ randomSeed: -3 }, 'seed must be a whole number of at least 0 (got -3).'],
    [{ silhouetteSampleSize: 1 }, 'silhouette sample size must be a whole number of at least 2 (got 1).'],
    [{ threads: 0 }, 'threads must be a whole number of at least 1 (got 0).'],
  ];
  for (const [options, message] of cases) {
    assert.throws(() => new FuzzyCMeansSegmentation(options), { name: 'SegmentError', code: 'INVALID_OPTION', message });
  }
  assert.equal(fuzziness(1), 'The fuzziness m must be a number greater than 1 (got 1); 2 is the usual choice, values near 1 give almost crisp clusters.');
  assert.equal(fuzziness(NaN), 'The fuzziness m must be a number greater than 1 (got NaN); 2 is the usual choice, values near 1 give almost crisp clusters.');
});

test('more clusters than rows is a clear error, and so is one row per cluster (its metrics are undefined)', async () => {
  const data = preparedFromRaw(Float64Array.from([1, 2, 3, 4, 5, 7]), 3, 2, ['a', 'b']);
  await assert.rejects(() => new FuzzyCMeansSegmentation({ nClusters: 4 }).fitPredict(data), {
    code: 'TOO_FEW_ROWS',
    message: 'There are 3 rows to cluster but 4 clusters were asked for. Ask for at most 2 clusters, or use a file with more rows.',
  });
  await assert.rejects(() => new FuzzyCMeansSegmentation({ nClusters: 3, fuzziness: 1.1 }).generateClusterProfile(data, {}, NOW), {
    code: 'TOO_FEW_ROWS',
    message:
      'There are 3 rows to cluster and 3 clusters were asked for: every row would be a cluster of its own, ' +
      'and the silhouette and the Davies–Bouldin index are undefined. Ask for at most 2 clusters, or use a file with more rows.',
  });
});

test('the same seed gives the same profile; n_init keeps the lowest objective', async () => {
  const data = blobs([[0, 0], [3, 0], [0, 3], [3, 3]], 25, 1.2, 9);
  const a = await new FuzzyCMeansSegmentation({ randomSeed: 1, nInit: 3 }).generateClusterProfile(data, {}, NOW);
  const b = await new FuzzyCMeansSegmentation({ randomSeed: 1, nInit: 3 }).generateClusterProfile(data, {}, NOW);
  assert.deepEqual(a, b);
  const fitA = fitFcm(data, { ...FCM_DEFAULTS, randomSeed: 1, nInit: 3 });
  assert.deepEqual(fitA.labels, fitFcm(data, { ...FCM_DEFAULTS, randomSeed: 1, nInit: 3 }).labels);
  for (let seed = 0; seed < 3; seed++) {
    const restarts = [0, 1, 2, 3].map(
      (r) =>
        runFuzzyCMeans(data.z, data.n, data.d, 4, randomMemberships(data.n, 4, new Random(deriveSeed(seed, r))), {
          fuzziness: 2,
          maxIterations: 150,
          convergenceThreshold: 1e-5,
        }).objective,
    );
    const best = fitFcm(data, { ...FCM_DEFAULTS, nInit: 4, randomSeed: seed });
    assert.equal(best.objective, Math.min(...restarts));
    assert.equal(fitFcm(data, { ...FCM_DEFAULTS, nInit: 1, randomSeed: seed }).objective, restarts[0]);
  }
});

test('progress is reported per FCM iteration and cancellation stops the fit', async () => {
  const data = blobs([[0, 0], [3, 0], [0, 3]], 30, 1.5, 2);
  const messages: string[] = [];
  fitFcm(data, { ...FCM_DEFAULTS, nClusters: 3, nInit: 2 }, { onProgress: (p) => messages.push(p.message) });
  assert.equal(messages[0], 'FCM iteration 1/150, restart 1/2');
  assert.ok(messages.includes('FCM iteration 1/150, restart 2/2'));
  const controller = new AbortController();
  let seen = 0;
  await assert.rejects(
    () =>
      new FuzzyCMeansSegmentation({ nClusters: 3, convergenceThreshold: 1e-300 }).generateClusterProfile(data, {
        signal: controller.signal,
        onProgress: () => {
          if (++seen === 3) controller.abort();
        },
      }),
    { name: 'SegmentError', code: 'CANCELLED', message: 'Cancelled: no files were written.' },
  );
  assert.equal(seen, 3);
  const aborted = new AbortController();
  aborted.abort();
  assert.throws(() => fitFcm(data, FCM_DEFAULTS, { signal: aborted.signal }), { code: 'CANCELLED' });
});

test('centers collapsed onto the mean are reported: 200 × 60 Gaussian noise warns, well-separated blobs do not', async () => {
  const noise = gaussianNoise(200, 60, 5);
  const fit = fitFcm(noise, FCM_DEFAULTS);
  assert.ok(fit.spread.collapsed);
  assert.ok(fit.spread.ratio < 0.01, String(fit.spread.ratio));
  assertClose(fit.spread.rmsRadius, Math.sqrt(60), 1e-12, 'RMS radius of standardised data');
  assert.deepEqual(fit.warnings, [
    "All 4 fuzzy centers collapsed onto the overall mean (the farthest is less than 0.01% of a typical customer's distance from it), " +
      'so every customer belongs almost equally to every cluster and the segments are not meaningful. ' +
      'Fuzzy C-Means does this with many features (here 60): cluster on fewer, well-chosen columns with --columns, ' +
      'use a fuzziness closer to 1 (e.g. --m 1.2), or use the Neural method.',
  ]);
  assert.ok(Math.abs(fit.partitionCoefficient - 0.25) < 1e-6);
  const profile = await new FuzzyCMeansSegmentation().generateClusterProfile(noise, {}, NOW);
  assert.deepEqual(profile.metadata.warnings, fit.warnings);
  assert.deepEqual(JSON.parse(JSON.stringify(profile)), profile);

  const separated = blobs([[0, 0, 0], [10, 0, 0], [0, 10, 0], [0, 0, 10]], 50, 1, 3);
  const clean = fitFcm(separated, FCM_DEFAULTS);
  assert.equal(clean.spread.collapsed, false);
  assert.ok(clean.spread.ratio > 0.5);
  assert.deepEqual(clean.warnings, []);
  assert.deepEqual(
    Array.from({ length: 4 }, (_, c) => clean.labels.filter((l) => l === c).length),
    [50, 50, 50, 50],
  );
});

test('a cluster that ends up with no hard members has null membership_stats and the profile stays valid JSON', async () => {
  // 5-D noise: FCM drives all 4 centers to the mean, and argmax leaves two clusters empty.
  const data = gaussianNoise(200, 5, 5);
  const profile = await new FuzzyCMeansSegmentation().generateClusterProfile(data, {}, NOW);
  const empty = Object.values(profile.clusters).filter((c) => c.size === 0);
  assert.ok(empty.length > 0);
  for (const c of empty) assert.deepEqual(c.membership_stats, { mean: null, std: null, min: null, max: null });
  assert.deepEqual(JSON.parse(JSON.stringify(profile)), profile);
  const names = Object.entries(profile.clusters).filter(([, c]) => c.size === 0).map(([name]) => name);
  assert.equal(
    (profile.metadata.warnings as string[]).at(-1),
    `${names.join(', ')} ended up with no customers, so their statistics are null. The data hold 200 distinct points for 4 clusters: ask for at most ${4 - names.length} clusters.`,
  );
});

test('not converging within max_iterations is a warning, word for word', async () => {
  const data = blobs([[0, 0], [3, 0], [0, 3]], 30, 1.5, 2);
  const fit = fitFcm(data, { ...FCM_DEFAULTS, nClusters: 3, maxIterations: 2 });
  assert.equal(fit.converged, false);
  assert.equal(fit.nIterations, 2);
  assert.deepEqual(fit.warnings, [
    `Fuzzy C-Means did not converge in 2 iterations (last change of the memberships ${fit.change.toPrecision(3)}, threshold 0.00001). ` +
      'Raise max_iterations or the threshold, or try fewer clusters.',
  ]);
});

test('the export writes fuzzy_* files with membership columns', async (t) => {
  const dir = tempDir(t, 'segment-fuzzy-');
  const data = customers();
  const model = new FuzzyCMeansSegmentation({ nClusters: 3 });
  const result = await model.exportClusterProfile(data, { outputDir: dir, now: new Date(2026, 10, 24, 9, 30, 15) });
  assert.equal(result.json, join(dir, 'fuzzy_cluster_profile_20261124_093015.json'));
  assert.equal(result.yaml, join(dir, 'fuzzy_cluster_profile_20261124_093015.yaml'));
  assert.equal(result.assignments, join(dir, 'fuzzy_assignments_20261124_093015.csv'));
  const fromJson = JSON.parse(readFileSync(result.json, 'utf8'));
  assert.deepStrictEqual(load(readFileSync(result.yaml, 'utf8')), fromJson);
  assert.deepStrictEqual(fromJson, result.profile);
  const rows = parse(readFileSync(result.assignments, 'utf8'), { columns: true }) as Record<string, string>[];
  assert.deepEqual(Object.keys(rows[0]), ['row', 'cluster', 'membership_cluster_0', 'membership_cluster_1', 'membership_cluster_2']);
  assert.equal(rows.length, data.n);
  const fit = await model.fit(data);
  rows.forEach((row, i) => {
    assert.equal(row.row, String(i + 1));
    assert.equal(Number(row.cluster), fit.labels[i]);
    const u = [0, 1, 2].map((c) => Number(row[`membership_cluster_${c}`]));
    assert.deepEqual(u, Array.from(fit.memberships.subarray(i * 3, i * 3 + 3)));
    assert.equal(Math.max(...u), u[fit.labels[i]]);
  });
});

test('the CLI offers `segment fuzzy` with --m, --max-iter, --threshold and --n-init', async (t) => {
  assert.deepEqual(
    methodFlags('fuzzy').map((f) => [f.name, f.kind]),
    [
      ['m', 'number'],
      ['max-iter', 'int'],
      ['threshold', 'number'],
      ['n-init', 'int'],
    ],
  );
  const dir = tempDir(t, 'segment-fuzzy-cli-');
  const common = { clusters: 3, seed: 7 };
  const run = (flags: FlagValues) => createSegmentation('fuzzy', methodRun('fuzzy', { ...common, ...flags }).options).exportClusterProfile(customers(), { outputDir: dir });
  const result = await run({ m: 1.5, 'max-iter': 60, threshold: 1e-6, 'n-init': 2 });
  const m = result.profile.metadata;
  assert.deepEqual(
    [m.method, m.n_clusters, m.random_seed, m.fuzziness_parameter, m.max_iterations, m.convergence_threshold, m.n_init],
    ['Fuzzy C-Means (FCM)', 3, 7, 1.5, 60, 1e-6, 2],
  );
  assert.match(result.json, /fuzzy_cluster_profile_\d{8}_\d{6}\.json$/);
  const defaults = await run({});
  assert.deepEqual(
    [defaults.profile.metadata.fuzziness_parameter, defaults.profile.metadata.max_iterations, defaults.profile.metadata.convergence_threshold],
    [2, 150, 1e-5],
  );
});
