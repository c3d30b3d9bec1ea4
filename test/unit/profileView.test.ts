/**
 * The cluster panel's view model (src/shared/profile/), its protocol and
 * page helpers, in plain Node: derived statistics against the data itself,
 * grouping and sorting, untrusted input; and a lint-like check that
 * the webview code never parses HTML strings.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { dump, load } from 'js-yaml';
import { buildPanelModel, groupOf, orderFeatures, type ProfileInput, type ProfileView } from '../../src/shared/profile';
import { DEFAULT_STATE, isHostToWebview, isWebviewToHost, readState } from '../../src/shared/panelProtocol';
import { escapeHtml, makeNonce, panelCsp, panelHtml } from '../../src/shared/csp';
import { formatFixed, formatMetric, formatSigned } from '../../src/shared/format';
import { GaussianMixtureSegmentation } from '../../src/engine/methods/gmmSegmentation';
import { FuzzyCMeansSegmentation } from '../../src/engine/methods/fuzzySegmentation';
import type { Profile } from '../../src/engine/profile/profile';
import { originalValues } from '../../src/engine/data/prepare';
import { buildSegmentPrompt } from '../../src/engine/llm/prompt';
import { HOSTILE, ROOT, asNeural, clone, exampleData, exampleFuzzy, exampleGmm, hostileGmm, wideGmm, withPersonas } from '../panel/fixtures';

function one(profile: unknown, path = '/ws/gmm_cluster_profile_20261124_094838.json'): ProfileView {
  const model = buildPanelModel([{ path, profile }]);
  assert.equal(model.profiles.length, 1);
  return model.profiles[0];
}

function close(actual: number | null, expected: number, rel = 1e-9, what = ''): void {
  assert.ok(actual != null, `${what}: null`);
  const err = Math.abs(actual - expected) / Math.max(Math.abs(expected), 1e-12);
  assert.ok(err <= rel, `${what}: ${actual} vs ${expected} (relative error ${err})`);
}

test('the whole data’s mean, std and η² derived from a GMM and an FCM profile equal those of the standardised CSV', async () => {
  const data = await exampleData();
  for (const Method of [GaussianMixtureSegmentation, FuzzyCMeansSegmentation]) {
    const seg = new Method({ nClusters: 4 });
    const profile = await seg.generateClusterProfile(data);
    const labels = await seg.fitPredict(data);
    const view = one(profile);
    assert.equal(view.status, 'ok');
    assert.deepEqual(view.problems, []);
    assert.equal(view.features.length, data.d);
    for (let j = 0; j < data.d; j++) {
      const f = view.features[j];
      assert.equal(f.name, data.features[j]);
      close(f.overallMean, data.mean[j], 1e-9, `${Method.name} mean of ${f.name}`);
      close(f.overallStd, data.scale[j], 1e-9, `${Method.name} std of ${f.name}`);
      // η² from the raw data and the hard labels.
      const values = originalValues(data, j);
      const sums = new Float64Array(4);
      const counts = new Float64Array(4);
      for (let i = 0; i < data.n; i++) {
        sums[labels[i]] += values[i];
        counts[labels[i]]++;
      }
      let between = 0;
      for (let c = 0; c < 4; c++) between += counts[c] * (sums[c] / counts[c] - data.mean[j]) ** 2;
      close(f.separation, between / (data.n * data.scale[j] ** 2), 1e-9, `${Method.name} η² of ${f.name}`);
    }
    // The heat map's z-scores are the centers standardised as the method saw them.
    const centers = Object.values(profile.clusters).map((c) => c.cluster_center as Record<string, number>);
    view.clusters.forEach((c, ci) =>
      view.features.forEach((f, j) => {
        const z = (centers[ci][f.name] - data.mean[j]) / data.scale[j];
        close(view.heat[ci][j].z, z, 1e-9, `z of ${c.key} ${f.name}`);
        assert.equal(view.heat[ci][j].text, formatSigned(z, 2));
      }),
    );
  }
});

test('what the panel shows of a GMM profile: header, metrics with what good looks like, sizes, diagnostics', async () => {
  const profile = await exampleGmm();
  const v = one(profile);
  assert.equal(v.header.method, 'Gaussian Mixture Model (GMM)');
  assert.equal(v.header.methodKind, 'gmm');
  assert.equal(v.header.dataFile, 'customers.csv');
  assert.equal(v.header.n, 497);
  assert.equal(v.header.k, 4);
  assert.equal(v.header.seed, '42');
  assert.match(v.header.timestampText, /^2026-11-24 09:48:38 [+-]\d\d:\d\d$/);
  assert.deepEqual(v.header.warnings, []);
  assert.equal(v.header.excluded.length, 6);
  const keys = v.metrics.map((m) => m.key);
  assert.deepEqual(keys.slice(0, 6), ['silhouette_score', 'davies_bouldin_index', 'calinski_harabasz_score', 'log_likelihood', 'bic', 'aic']);
  const sil = v.metrics[0];
  assert.equal(sil.text, formatMetric(profile.metrics.silhouette_score as number));
  assert.match(sil.hint, /−1 to 1; higher is better/);
  assert.equal(sil.direction, 'higher');
  assert.ok(sil.verdict);
  assert.match(v.metrics.find((m) => m.key === 'davies_bouldin_index')!.hint, /≥ 0; lower is better/);
  assert.match(v.metrics.find((m) => m.key === 'bic')!.hint, /lower is better/);
  const sizes = Object.values(profile.clusters).map((c) => c.size as number);
  assert.deepEqual(v.clusters.map((c) => c.size.value), sizes);
  assert.deepEqual(v.clusters.map((c) => c.percentage.text), Object.values(profile.clusters).map((c) => `${(c.percentage as number).toFixed(2)}%`));
  close(v.clusters[0].share, sizes[0] / 497, 1e-12, 'share');
  // GMM diagnostics: posterior stats and the mixture weight per cluster, √variance per feature, certainty overall.
  const post = v.clusters[0].diagnostics.find((b) => b.title.startsWith('Posterior'))!;
  assert.ok(post.facts.some((f) => f.label === 'mixture weight'));
  assert.ok(post.facts.some((f) => f.label === 'median'));
  const variances = profile.clusters.cluster_0.covariance_info as { feature_variances: Record<string, number> };
  close(v.clusters[0].stats[0].modelStd!.value, Math.sqrt(variances.feature_variances[v.features[0].name]), 1e-12, 'σ model');
  assert.ok(v.diagnostics.some((b) => b.title === 'Assignment certainty'));
  assert.ok(v.diagnostics.some((b) => b.title === 'GMM settings' && b.facts.some((f) => f.label === 'Covariance type' && f.value === 'full')));
  // Feature statistics in original units with one number of decimals per feature.
  const row = v.clusters[1].stats[0];
  const st = (profile.clusters.cluster_1.feature_statistics as Record<string, Record<string, number>>)[v.features[0].name];
  assert.equal(row.mean.value, st.mean);
  assert.equal(row.q75.value, st.q75);
  assert.equal(row.median.text, formatFixed(st.median, v.features[0].decimals));
});

test('FCM and Neural fields: partition coefficient with its 1/k floor, membership stats, reconstruction error, latent silhouette, loss curve', async () => {
  const fcm = one(await exampleFuzzy(), '/ws/fuzzy_cluster_profile_20261124_094838.yaml');
  assert.equal(fcm.header.methodShort, 'FCM');
  assert.match(fcm.metrics.find((m) => m.key === 'partition_coefficient')!.hint, /^0\.25 \(all fuzzy\) to 1/);
  assert.match(fcm.metrics.find((m) => m.key === 'partition_entropy')!.hint, /^0 \(crisp\) to 1\.386/);
  assert.ok(!fcm.metrics.some((m) => m.key === 'partition_entropy_log_base'));
  assert.ok(fcm.clusters[0].diagnostics.some((b) => b.title.startsWith('Membership') && b.facts.length === 4));

  const neural = one(asNeural(await exampleGmm()), '/ws/neural_cluster_profile_20261124_094838.json');
  assert.equal(neural.header.methodKind, 'neural');
  assert.deepEqual(neural.problems, []);
  assert.match(neural.metrics.find((m) => m.key === 'reconstruction_error')!.hint, /lower is better/);
  assert.match(neural.metrics.find((m) => m.key === 'latent_silhouette_score')!.hint, /latent space; higher is better/);
  assert.deepEqual(neural.lossCurve!.series.map((s) => s.name), ['loss', 'val_loss']);
  assert.equal(neural.lossCurve!.epochs, 60);
  assert.match(neural.lossCurve!.summary, /^loss 0\.9400 → 0\.0413 over 60 epochs$/);
  const latent = neural.clusters[1].diagnostics.find((b) => b.title === 'Latent space')!;
  assert.deepEqual(latent.facts.map((f) => f.label), ['mean distance to center', 'std of the distance']);
  assert.ok(neural.diagnostics.some((b) => b.facts.some((f) => f.label === 'Hidden layers' && f.value === '64, 32')));

  // The loss history where else it may be written, and in other shapes.
  const p = asNeural(await exampleGmm());
  delete p.loss_history;
  p.metrics.loss_history = [1, 0.5, 'x', 0.25];
  const v = one(p);
  assert.deepEqual(v.lossCurve!.series[0].values, [1, 0.5, 0.25]);
  assert.ok(v.problems.some((m) => m.includes('metrics.loss_history has 1 entries that are not numbers')));
  p.metrics.loss_history = 'falling';
  assert.equal(one(p).lossCurve, null);
});

test('features are grouped by prefix (count_size_ before count_) and the group’s common prefix is dropped from the label', async () => {
  assert.equal(groupOf('dept_total_value_Womenswear'), 'dept_');
  assert.equal(groupOf('class_total_value_Denim'), 'class_');
  assert.equal(groupOf('count_size_XL'), 'count_size_');
  assert.equal(groupOf('count_Teen'), 'count_');
  assert.equal(groupOf('total_revenue'), 'other');
  assert.equal(groupOf('dept_'), 'other');
  const v = one(await exampleGmm());
  assert.deepEqual(
    v.groups.map((g) => [g.key, g.features.length]),
    [
      ['other', 5],
      ['dept_', 5],
      ['class_', 6],
      ['count_', 4],
      ['count_size_', 4],
    ],
  );
  const byName = (n: string) => v.features.find((f) => f.name === n)!;
  assert.equal(byName('dept_total_value_Accessories & Footwear').shortName, 'Accessories & Footwear');
  assert.equal(byName('count_size_XL').shortName, 'XL');
  assert.equal(byName('count_Baby').shortName, 'Baby');
  assert.equal(byName('return_rate').shortName, 'return_rate');
});

test('features sort by separation (η², strongest first) within groups or overall; CSV order otherwise', async () => {
  const v = one(await exampleGmm());
  const csv = orderFeatures(v, 'csv', false);
  assert.equal(csv.length, 1);
  assert.deepEqual(csv[0].features, v.features.map((f) => f.index));
  const all = orderFeatures(v, 'separation', false)[0].features.map((i) => v.features[i].separation!);
  assert.deepEqual(all, [...all].sort((a, b) => b - a));
  for (const g of orderFeatures(v, 'separation', true)) {
    const seps = g.features.map((i) => v.features[i].separation!);
    assert.deepEqual(seps, [...seps].sort((a, b) => b - a), g.label);
    assert.deepEqual([...g.features].sort((a, b) => a - b), v.groups.find((x) => x.key === g.key)!.features);
  }
  // The profile's own groups are not reordered by a sort.
  assert.deepEqual(v.groups[0].features, [0, 1, 2, 3, 4]);
  // Every η² is a share: 0..1.
  for (const f of v.features) assert.ok(f.separation! >= 0 && f.separation! <= 1, f.name);
});

test('hostile names stay as they are: the model carries text, never markup', async () => {
  const profile = await hostileGmm();
  const p = withPersonas(profile);
  p.clusters.cluster_0.segment_name = '<script>alert(1)</script>';
  const v = one(p, '/tmp/<img src=x onerror=alert(1)>.json');
  const f = v.features.find((x) => x.name === HOSTILE)!;
  assert.ok(f, v.features.map((x) => x.name).join(', '));
  assert.equal(f.shortName, HOSTILE);
  assert.ok(v.heat[0][f.index].title.includes(HOSTILE));
  assert.equal(v.clusters[0].name, '<script>alert(1)</script>');
  assert.equal(v.fileName, '<img src=x onerror=alert(1)>.json');
  assert.equal(v.header.dataFile, 'hostile <b>customers</b>.csv');
  assert.ok(!JSON.stringify(v).includes('&lt;'), 'the model must not escape: the renderer sets text');
});

/** The profile with one feature renamed everywhere it is a key (as a CSV with that column name would give it). */
function renameFeature(profile: Profile, from: string, to: string): Profile {
  const rename = (m: unknown) => {
    if (m == null || typeof m !== 'object' || !(from in m)) return m;
    return Object.fromEntries(Object.entries(m).map(([k, v]) => [k === from ? to : k, v]));
  };
  const p = clone(profile);
  p.features_used = p.features_used.map((f) => (f === from ? to : f));
  for (const c of Object.values(p.clusters)) {
    c.cluster_center = rename(c.cluster_center) as typeof c.cluster_center;
    c.feature_statistics = rename(c.feature_statistics) as typeof c.feature_statistics;
    const cov = c.covariance_info as { feature_variances?: unknown } | undefined;
    if (cov) cov.feature_variances = rename(cov.feature_variances);
  }
  return p;
}

test('fields and columns named like what every object inherits are read as data, never as the inherited thing', async () => {
  const gmm = await exampleGmm();
  const named = renameFeature(renameFeature(gmm, 'total_revenue', 'constructor'), 'recency_days', '__proto__');
  const p = JSON.parse(JSON.stringify(named)); // JSON.parse keeps "__proto__" an own key, as the profile reader does
  p.uncertainty_metrics.constructor = 0.5;
  p.metadata.toString = 'text';
  p.metrics.valueOf = 2;
  const v = one(p);
  assert.equal(v.status, 'ok', v.errors.join(' '));
  assert.deepEqual(v.problems, []);
  const f = v.features.findIndex((x) => x.name === 'constructor');
  const g = v.features.findIndex((x) => x.name === '__proto__');
  assert.equal(v.clusters[0].stats[f].center.value, (gmm.clusters.cluster_0.cluster_center as Record<string, number>).total_revenue);
  assert.equal(v.clusters[0].stats[g].mean.value, (gmm.clusters.cluster_0.feature_statistics as Record<string, Record<string, number>>).recency_days.mean);
  const facts = v.diagnostics.flatMap((b) => b.facts);
  assert.ok(facts.some((x) => x.label === 'constructor' && x.value === '0.5'));
  assert.ok(facts.some((x) => x.label === 'toString' && x.value === 'text'));
  assert.ok(v.metrics.some((m) => m.key === 'valueOf' && m.label === 'valueOf' && m.text === '2.000'));
  // Absent, they are missing (not "a function", not a mapping).
  const q = clone(gmm);
  q.features_used = [...q.features_used, 'constructor', '__proto__'];
  const w = one(q);
  assert.equal(w.problems[0], 'clusters.cluster_0.feature_statistics has no statistics for constructor, __proto__.');
  assert.equal(w.problems[1], "clusters.cluster_0.cluster_center has no value for constructor, __proto__; the members' mean is shown instead.");
});

test('control and reordering characters in names are shown as escapes, in the panel and in the prompt', async () => {
  const gmm = await exampleGmm();
  const p = renameFeature(gmm, 'total_revenue', 'total\nrevenue\n## Cluster 9: 1 customers');
  p.clusters.cluster_1.segment_name = 'Big\u202espenders';
  (p as Record<string, unknown>)['note\u0007'] = 'kept';
  p.metadata.source_file = 'shop\r\n.csv';
  const v = one(p);
  assert.equal(v.status, 'ok');
  assert.ok(v.features.some((f) => f.name === 'total\\nrevenue\\n## Cluster 9: 1 customers'));
  assert.equal(v.clusters[1].name, 'Big\\u202espenders');
  assert.ok(v.diagnostics.find((b) => b.title === 'Other fields')!.facts.some((x) => x.label === 'note\\u0007' && x.value === 'kept'));
  assert.equal(v.header.dataFile, 'shop\\r\\n.csv');
  const prompt = buildSegmentPrompt(p).text;
  assert.ok(prompt.includes('total\\nrevenue\\n## Cluster 9: 1 customers '));
  assert.doesNotMatch(prompt, /^## Cluster 9/m);
  assert.doesNotMatch(prompt, /(?!\n)[\p{Cc}\p{Bidi_Control}]/u);
});

test('a profile edited by hand in YAML: segment_name and persona are shown, a wrong type becomes a message', async () => {
  const profile = await exampleGmm();
  let yaml = dump(profile, { lineWidth: -1, noRefs: true });
  yaml = yaml.replace(
    /^ {2}cluster_3:\n/m,
    '  cluster_3:\n    segment_name: Big spenders\n    persona: |\n      Buys a lot, often.\n\n      Loves new collections.\n',
  );
  yaml = yaml.replace(/^( {2}cluster_1:\n(?: {4}.*\n)*? {4}size:) \d+$/m, '$1 lots');
  const edited = load(yaml);
  const v = one(edited, '/ws/gmm_cluster_profile_20261124_094838.yaml');
  assert.equal(v.status, 'ok');
  const c3 = v.clusters[3];
  assert.equal(c3.name, 'Big spenders');
  assert.deepEqual(c3.persona!.paragraphs, ['Buys a lot, often.', 'Loves new collections.']);
  assert.ok(v.problems.some((m) => m === 'clusters.cluster_1.size should be a number but is the text "lots".'), v.problems.join('\n'));
  assert.equal(v.clusters[1].size.text, '—');
  // Without every size the whole data cannot be derived: said, and the heat map is empty, not wrong.
  assert.ok(v.problems.some((m) => m.includes('cluster sizes are missing')));
  assert.ok(v.heat.every((row) => row.every((c) => c.z == null)));
  // A persona written as a mapping or a list.
  const p = withPersonas(profile);
  p.clusters.cluster_2.persona = ['Young', 'Urban', { channel: 'app' }];
  const w = one(p);
  assert.deepEqual(w.clusters[1].persona!.facts.map((f) => `${f.label}=${f.value}`), ['age=30–45', 'channel=app', 'motto=Kids first']);
  assert.deepEqual(w.clusters[2].persona!.paragraphs, ['Young', 'Urban', 'channel: app']);
});

test('malformed profiles give readable messages, never an exception', async () => {
  const good = await exampleGmm();
  const cases: [string, unknown, RegExp][] = [
    ['a list', [1, 2], /is not a cluster profile: .*a list of 2/],
    ['text', 'hello', /is not a cluster profile: .*the text "hello"/],
    ['null', null, /is not a cluster profile/],
    ['no clusters', { metadata: {}, metrics: {} }, /has no "clusters" section/],
    ['clusters as text', { clusters: 'four' }, /should be a mapping of cluster_0, cluster_1, … but is the text "four"/],
    ['empty clusters', { clusters: {} }, /has no clusters/],
  ];
  for (const [what, profile, message] of cases) {
    const v = one(profile);
    assert.equal(v.status, 'error', what);
    assert.match(v.errors.join(' '), message, what);
  }
  const unreadable = buildPanelModel([{ path: '/ws/a.yaml', error: 'bad indentation of a mapping entry (3:5)' }]).profiles[0];
  assert.equal(unreadable.errors[0], 'a.yaml could not be read: bad indentation of a mapping entry (3:5)');

  const p = clone(good) as Record<string, unknown> & Profile;
  delete (p as Record<string, unknown>).features_used;
  p.metadata.n_samples = 1000;
  p.metrics.silhouette_score = 'high' as unknown as number;
  const c0 = p.clusters.cluster_0;
  delete (c0.feature_statistics as Record<string, unknown>).total_revenue;
  (c0.cluster_center as Record<string, unknown>).recency_days = 'n/a';
  (p.clusters.cluster_2.feature_statistics as Record<string, Record<string, unknown>>).return_rate.std = null;
  const v = one(p);
  assert.equal(v.status, 'ok');
  const text = v.problems.join('\n');
  for (const expected of [
    'features_used is missing; the features are taken from the clusters.',
    'metadata.n_samples is 1,000 but the cluster sizes add up to 497; the sizes are used.',
    'metrics.silhouette_score should be a number but is the text "high".',
    'clusters.cluster_0.feature_statistics has no statistics for total_revenue.',
    'clusters.cluster_0 has values that are not numbers: cluster_center.recency_days (the text "n/a").',
    'The whole data’s spread cannot be derived for 2 features',
  ]) {
    assert.ok(text.includes(expected), `missing: ${expected}\nin:\n${text}`);
  }
  assert.ok(!v.metrics.some((m) => m.key === 'silhouette_score'));
  // The features come from the clusters in their order.
  assert.deepEqual(v.features.map((f) => f.name).sort(), [...good.features_used].sort());

  // Random damage anywhere never throws.
  const rng = mulberry(7);
  const junk = [null, 'x', -1, 1e308, [], {}, [null], { a: { b: [] } }, true, Number.NaN];
  for (let round = 0; round < 300; round++) {
    const q = clone(good) as unknown as Record<string, unknown>;
    for (let hit = 0; hit < 1 + Math.floor(rng() * 6); hit++) damage(q, rng, junk);
    const model = buildPanelModel([{ path: `/ws/${round}.json`, profile: q }]);
    assert.equal(model.profiles.length, 1);
    assert.ok(model.profiles[0].status === 'ok' || model.profiles[0].errors.length > 0);
  }
  // Nonsense at the top level.
  assert.doesNotThrow(() => buildPanelModel(null as unknown as ProfileInput[]));
  assert.doesNotThrow(() => buildPanelModel([null, 3, { path: 5 }] as unknown as ProfileInput[]));
  assert.match(buildPanelModel([]).messages[0], /No profile to show/);
});

function mulberry(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Replaces or deletes one value somewhere in the tree. */
function damage(root: Record<string, unknown>, rng: () => number, junk: unknown[]): void {
  let node: unknown = root;
  for (let depth = 0; depth < 6; depth++) {
    if (typeof node !== 'object' || node === null) return;
    const keys = Object.keys(node);
    if (keys.length === 0) return;
    const key = keys[Math.floor(rng() * keys.length)];
    const child = (node as Record<string, unknown>)[key];
    if (rng() < 0.35 || typeof child !== 'object' || child === null) {
      if (rng() < 0.3) delete (node as Record<string, unknown>)[key];
      else (node as Record<string, unknown>)[key] = junk[Math.floor(rng() * junk.length)];
      return;
    }
    node = child;
  }
}

test('several profiles of the same CSV are compared: metrics side by side with the best marked, sizes by rank', async () => {
  const [gmm, fcm] = [await exampleGmm(), await exampleFuzzy()];
  const other = clone(gmm);
  other.metadata.source_file = 'other.csv';
  const model = buildPanelModel([
    { path: '/ws/gmm.json', profile: gmm },
    { path: '/ws/fuzzy.json', profile: fcm },
    { path: '/ws/other.json', profile: other },
    { path: '/ws/broken.json', error: 'unreadable' },
  ]);
  assert.equal(model.comparisons.length, 1);
  const cmp = model.comparisons[0];
  assert.equal(cmp.dataFile, 'customers.csv');
  assert.deepEqual(cmp.profiles, [0, 1]);
  const sil = cmp.metrics.find((m) => m.key === 'silhouette_score')!;
  const sils = [gmm.metrics.silhouette_score as number, fcm.metrics.silhouette_score as number];
  assert.deepEqual(sil.best, [sils[0] >= sils[1] ? 0 : 1]);
  const db = cmp.metrics.find((m) => m.key === 'davies_bouldin_index')!;
  const dbs = [gmm.metrics.davies_bouldin_index as number, fcm.metrics.davies_bouldin_index as number];
  assert.deepEqual(db.best, [dbs[0] <= dbs[1] ? 0 : 1]);
  const bic = cmp.metrics.find((m) => m.key === 'bic')!;
  assert.deepEqual(bic.best, [], 'one value is no contest');
  assert.equal(bic.values[1].text, '—');
  assert.equal(cmp.sizes.length, 4);
  assert.equal(cmp.sizes[0][0]!.value, gmm.clusters.cluster_0.size);
  assert.equal(cmp.sizes[0][1]!.value, fcm.clusters.cluster_0.size);
  assert.equal(cmp.shares[1].length, 4);
  assert.deepEqual(cmp.notes, []);
});

test('a 60-feature × 10-cluster profile builds: a 10 × 60 heat map, no problems (its time: npm run bench, bench/profileView.ts)', async () => {
  const wide = wideGmm();
  assert.equal((wide.features_used as string[]).length, 60);
  const view = buildPanelModel([{ path: '/ws/wide.json', profile: wide }]).profiles[0];
  assert.equal(view.heat.length, 10);
  assert.equal(view.heat[0].length, 60);
  assert.deepEqual(view.problems, []);
});

test('the protocol: messages are checked, a stored state is read defensively', async () => {
  assert.ok(isHostToWebview({ type: 'show', profiles: [{ path: '/a.json', profile: {} }] }));
  assert.ok(isHostToWebview({ type: 'show', profiles: [], focus: '/a.json' }));
  assert.ok(!isHostToWebview({ type: 'show', profiles: [{ profile: {} }] }));
  assert.ok(!isHostToWebview({ type: 'show' }));
  assert.ok(!isHostToWebview({ type: 'eval', code: '1' }));
  assert.ok(!isHostToWebview('show'));
  assert.ok(isWebviewToHost({ type: 'ready' }));
  assert.ok(isWebviewToHost({ type: 'openFile', path: '/a.yaml' }));
  assert.ok(!isWebviewToHost({ type: 'openFile' }));
  assert.ok(isWebviewToHost({ type: 'error', message: 'x' }));
  assert.deepEqual(readState(undefined), DEFAULT_STATE);
  assert.deepEqual(readState('garbage'), DEFAULT_STATE);
  const s = readState({ tab: 'heatmap', sort: 'separation', grouped: false, orientation: 'features', openClusters: { '/a': ['cluster_1', 3] }, scrollY: -5, paths: ['/a', 1], current: '/a' });
  assert.deepEqual(s, { ...DEFAULT_STATE, tab: 'heatmap', sort: 'separation', grouped: false, orientation: 'features', openClusters: { '/a': ['cluster_1'] }, scrollY: 0, paths: ['/a'], current: '/a' });
  assert.equal(readState({ tab: 'nope' }).tab, 'overview');
});

test('the page: the CSP the host must use, a fresh nonce each time, and HTML with every interpolation escaped', async () => {
  const nonce = makeNonce();
  assert.match(nonce, /^[A-Za-z0-9]{32}$/);
  assert.notEqual(makeNonce(), nonce);
  const src = 'https://*.vscode-cdn.net';
  assert.equal(
    panelCsp(src, nonce),
    `default-src 'none'; script-src 'nonce-${nonce}'; style-src ${src}; img-src ${src}; require-trusted-types-for 'script'; trusted-types lit-html; base-uri 'none'; form-action 'none'`,
  );
  // code-server's cspSource is a list with a keyword in it.
  assert.match(panelCsp("'self' https://*.vscode-cdn.net", nonce), /; style-src 'self' https:\/\/\*\.vscode-cdn\.net; /);
  assert.throws(() => panelCsp(src, 'short'));
  assert.throws(() => panelCsp("x; script-src 'unsafe-inline'", nonce));
  assert.throws(() => panelCsp('"><script>', nonce));
  const html = panelHtml({
    cspSource: src,
    nonce,
    scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview.js?a=1&b="2"',
    styleUris: ['https://x/panel.css', 'https://x/<x>.css'],
    title: 'Clusters of <img src=x onerror=alert(1)> & "co"',
  });
  assert.ok(html.includes(`<script nonce="${nonce}" src="https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview.js?a=1&amp;b=&quot;2&quot;"></script>`));
  assert.ok(html.includes('<title>Clusters of &lt;img src=x onerror=alert(1)&gt; &amp; &quot;co&quot;</title>'));
  assert.ok(html.includes('<link rel="stylesheet" href="https://x/&lt;x&gt;.css">'));
  assert.ok(html.includes(`content="${escapeHtml(panelCsp(src, nonce))}"`));
  assert.equal((html.match(/<script/g) ?? []).length, 1);
  assert.ok(!/<[^>]*\son\w+=/.test(html) && !/style=/.test(html));
});

function filesUnder(dir: string, exts: RegExp): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return filesUnder(path, exts);
    return exts.test(name) ? [path] : [];
  });
}

test('lint: the webview and the view model never turn strings into HTML, inline handlers or inline styles', async () => {
  const files = [
    ...filesUnder(join(ROOT, 'webview'), /\.(ts|js|mjs|html)$/),
    ...filesUnder(join(ROOT, 'src', 'shared'), /\.(ts|js)$/),
  ];
  assert.ok(files.length >= 7, files.join(', '));
  const forbidden: [RegExp, string][] = [
    [/\binnerHTML\b/, 'innerHTML'],
    [/\bouterHTML\b/, 'outerHTML'],
    [/\binsertAdjacentHTML\b/, 'insertAdjacentHTML'],
    [/\bdocument\s*\.\s*write(ln)?\b/, 'document.write'],
    [/\bcreateContextualFragment\b/, 'createContextualFragment'],
    [/\bDOMParser\b/, 'DOMParser'],
    [/\b(set|parse)HTMLUnsafe\b/, 'setHTMLUnsafe'],
    [/\bsrcdoc\b(?!\$)/, 'srcdoc'],
    [/\beval\s*\(/, 'eval'],
    [/\bnew\s+Function\s*\(/, 'new Function'],
    [/setAttribute\(\s*['"](style|on\w+)['"]/i, 'setAttribute(style/on…)'],
    [/\.\s*on(click|load|error|input|change|mouse\w+|key\w+|message)\s*=/, 'on… property handler'],
    [/\.style\.cssText\b/, 'style.cssText'],
    [/<[a-z][^>]*\son\w+\s*=/i, 'inline handler in markup'],
  ];
  const hits: string[] = [];
  for (const file of files) {
    const text = readFileSync(file, 'utf8')
      // Comments may name the APIs they avoid.
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
    const code = file.endsWith('dom.ts') ? text.replace(/const REFUSED_ATTRIBUTE = .*$/m, '') : text;
    for (const [re, what] of forbidden) if (re.test(code)) hits.push(`${file.slice(ROOT.length + 1)}: ${what}`);
  }
  assert.deepEqual(hits, []);
});

test('lint: the panel’s colours come from the theme only', async () => {
  // The panel's stylesheet and the k view's (which uses the panel's custom properties).
  const css = ['panel.css', 'kView.css'].map((name) => readFileSync(join(ROOT, 'webview', name), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '')).join('\n');
  const hits = [
    ...(css.match(/#[0-9a-f]{3,8}\b/gi) ?? []),
    ...(css.match(/\b(rgba?|hsla?|hwb|lab|lch|oklab|oklch)\(/gi) ?? []),
    ...(css.match(/:\s*(white|black|red|blue|green|gray|grey|yellow|orange|purple)\b/gi) ?? []),
  ];
  assert.deepEqual(hits, []);
  // Every var() colour is a --vscode-* variable or one of the panel's own custom properties.
  const vars = new Set([...css.matchAll(/var\((--[\w-]+)/g)].map((m) => m[1]));
  const own = new Set([...css.matchAll(/(--[\w-]+)\s*:/g)].map((m) => m[1]));
  for (const v of vars) assert.ok(v.startsWith('--vscode-') || own.has(v) || ['--share', '--heat'].includes(v), v);
});
