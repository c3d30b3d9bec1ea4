/**
 * The cluster panel's view model (src/shared/profile/) on large profiles:
 * the time buildPanelModel takes, the median of several runs after a
 * warm-up one, against a reference measured in the same run on the same
 * profile: a JSON round trip (stringify, then parse), what posting the
 * profile to the webview costs at least. bench/bench.ts runs it; alone:
 *
 *   npx tsx bench/profileView.ts
 *
 * Cases: the panel test's 60-feature × 10-cluster GMM profile, and a
 * synthetic 1,000-feature × 100-cluster one (about the largest profile the
 * panel reads: 800,000 values).
 */
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { Random } from '../src/engine/kernels/random';
import { buildPanelModel } from '../src/shared/profile';
import { wideGmm } from '../test/panel/fixtures';

export interface ProfileViewBenchCase {
  name: string;
  features: number;
  clusters: number;
  runs: number;
  /** Median of the runs, milliseconds. */
  viewMs: number;
  jsonRoundTripMs: number;
  /** viewMs / jsonRoundTripMs. */
  ratio: number;
  problems: number;
}

function medianMs(runs: number, f: () => void): number {
  f();
  const times: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    f();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const m = times.length >> 1;
  return times.length % 2 ? times[m] : (times[m - 1] + times[m]) / 2;
}

/** A profile with every per-cluster field the view reads, random but consistent (sizes add up, min ≤ q25 ≤ median ≤ q75 ≤ max). */
export function syntheticProfile(d: number, k: number, seed = 3): Record<string, unknown> {
  const rng = new Random(seed);
  const features = Array.from({ length: d }, (_, j) => (j % 3 === 0 ? `dept_total_value_${j}` : j % 3 === 1 ? `count_${j}` : `feature_${j}`));
  const sizes = Array.from({ length: k }, (_, c) => 50 + 10 * (k - c));
  const n = sizes.reduce((a, b) => a + b, 0);
  const clusters: Record<string, unknown> = {};
  sizes.forEach((size, c) => {
    const center: Record<string, number> = {};
    const stats: Record<string, Record<string, number>> = {};
    for (const name of features) {
      const mean = 100 * rng.next();
      const std = 1 + 10 * rng.next();
      center[name] = mean;
      stats[name] = { mean, median: mean, std, min: mean - 3 * std, max: mean + 3 * std, q25: mean - 0.7 * std, q75: mean + 0.7 * std };
    }
    clusters[`cluster_${c}`] = { cluster_id: c, size, percentage: Math.round((10000 * size) / n) / 100, cluster_center: center, feature_statistics: stats };
  });
  return {
    metadata: { method: 'Gaussian Mixture Model (GMM)', timestamp: '2026-11-24T09:48:38+00:00', n_clusters: k, n_samples: n, source_file: 'synthetic.csv' },
    metrics: { silhouette_score: 0.3, davies_bouldin_index: 1.2, calinski_harabasz_score: 210 },
    features_used: features,
    clusters,
  };
}

export function benchProfileView(log: (line: string) => void = console.log): ProfileViewBenchCase[] {
  const profiles: [string, unknown, number, number, number][] = [
    ['60 features × 10 clusters (GMM, the panel test\'s)', wideGmm(), 60, 10, 7],
    ['1,000 features × 100 clusters (synthetic)', syntheticProfile(1000, 100), 1000, 100, 3],
  ];
  const cases: ProfileViewBenchCase[] = [];
  for (const [name, profile, features, clusters, runs] of profiles) {
    const input = [{ path: '/bench/gmm_cluster_profile_20261124_094838.json', profile }];
    let problems = 0;
    const viewMs = medianMs(runs, () => {
      problems = buildPanelModel(input).profiles[0].problems.length;
    });
    const jsonRoundTripMs = medianMs(runs, () => JSON.parse(JSON.stringify(profile)));
    cases.push({ name, features, clusters, runs, viewMs, jsonRoundTripMs, ratio: viewMs / jsonRoundTripMs, problems });
  }
  log('Cluster panel view model (buildPanelModel), median of the runs after a warm-up, against a JSON round trip of the same profile:');
  const header = `${'profile'.padEnd(52)}${'runs'.padStart(6)}${'view ms'.padStart(10)}${'JSON ms'.padStart(10)}${'view/JSON'.padStart(11)}`;
  log(header);
  log('-'.repeat(header.length));
  for (const c of cases) {
    const warn = c.problems ? `  (${c.problems} problems: the case is not a clean profile)` : '';
    log(`${c.name.padEnd(52)}${String(c.runs).padStart(6)}${c.viewMs.toFixed(1).padStart(10)}${c.jsonRoundTripMs.toFixed(1).padStart(10)}${`${c.ratio.toFixed(1)}×`.padStart(11)}${warn}`);
  }
  return cases;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) benchProfileView();
