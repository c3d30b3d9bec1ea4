/**
 * `segment sweep`: wrong usage (exit 2 with the usage line), the numbers of
 * the sweep file against `segment <method> -k K` with the same seed (byte
 * for byte), the knee when BIC falls to the end of the range, what it prints,
 * and a cancel.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { load } from 'js-yaml';
import { main } from '../../src/cli/main';
import { capture, runCli } from '../helpers/cli';
import { tempDir } from '../helpers/tempDir';

const ROOT = resolve(__dirname, '..', '..');
const EXAMPLE = join(ROOT, 'examples', 'customers.csv');
const USAGE_LINE = 'Usage: segment sweep gmm|fuzzy|neural <file.csv> [--k K1..K2] [options]\nRun "segment --help" for the options.\n';

test('wrong usage exits 2 with the message and the usage line, before or after reading, and writes nothing', async (t) => {
  const dir = tempDir(t, 'segment-sweep-cli-');
  const cases: [string[], string][] = [
    [['kmeans', EXAMPLE], 'segment sweep takes a method, gmm, fuzzy, neural; got "kmeans"'],
    [['gmm'], 'give the CSV file to cluster'],
    [['gmm', EXAMPLE, EXAMPLE], 'one CSV file at a time (got 2)'],
    [['gmm', EXAMPLE, '--k', '1..8'], '--k must start at 2 or more, got 1..8: a segmentation has at least 2 clusters'],
    [['gmm', EXAMPLE, '-k', '0..3'], '--k must start at 2 or more, got 0..3: a segmentation has at least 2 clusters'],
    [['fuzzy', EXAMPLE, '--k', '8..2'], '--k 8..2 is reversed: write the smaller k first, 2..8'],
    [['fuzzy', EXAMPLE, '--k='], '--k expects a range such as 2..8, got ""'],
    [['fuzzy', EXAMPLE, '--k', '2-8'], '--k expects a range such as 2..8, got "2-8"'],
    [['fuzzy', EXAMPLE, '--k', '4'], '--k expects a range such as 2..8, got "4"'],
    [['neural', EXAMPLE, '--k', '2..x'], '--k expects a range such as 2..8, got "2..x"'],
    [['gmm', EXAMPLE, '--k', '2..600'], 'The k range 2..600 goes beyond the data: there are 497 rows to cluster (3 rows with missing values were dropped), so k can be at most 496.'],
    [['gmm', EXAMPLE, '--k', '497..500'], 'The k range 497..500 goes beyond the data: there are 497 rows to cluster (3 rows with missing values were dropped), so k can be at most 496.'],
    [['gmm', EXAMPLE, '--covariance', 'round'], '--covariance takes full, tied, diag, spherical, a comma list of them, or all; got "round"'],
    [['gmm', EXAMPLE, '--covariance', 'full,,diag'], '--covariance takes full, tied, diag, spherical, a comma list of them, or all; got "full,,diag"'],
    [['fuzzy', EXAMPLE, '--covariance', 'diag'], 'unknown option --covariance'],
    [['gmm', EXAMPLE, '--clusters', '4'], 'unknown option --clusters'],
    [['gmm', EXAMPLE, '--tol=-1'], '--tol must be a number greater than 0 (got -1).'],
    [['fuzzy', EXAMPLE, '--m', '1'], '--m must be a number greater than 1 (got 1); 2 is the usual choice, values near 1 give almost crisp clusters.'],
  ];
  for (const [argv, message] of cases) {
    const { code, out, err } = await runCli(['sweep', ...argv, '--out', dir]);
    assert.equal(code, 2, argv.join(' '));
    assert.equal(err, `segment: ${message}\n${USAGE_LINE}`);
    assert.equal(out, '');
  }
  assert.deepEqual(readdirSync(dir), []);
  const bare = await runCli(['sweep']);
  assert.equal(bare.code, 2);
  assert.match(bare.out, /^Usage:\n {2}segment sweep gmm\|fuzzy\|neural <file\.csv> \[--k K1\.\.K2\] \[options\]\n/);
});

test('help: segment --help and segment sweep <method> --help document the sweep and its flags', async () => {
  const help = await runCli(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.out, /\nHow many segments\?\n {2}segment sweep gmm\|fuzzy\|neural <file\.csv> \[--k K1\.\.K2\] \[options\]\n/);
  const gmm = await runCli(['sweep', 'gmm', '--help']);
  assert.equal(gmm.code, 0);
  for (const flag of ['-k, --k K1..K2', '--covariance TYPES', '--export', '--seed N', '--n-init N', '--reg-covar X', '--out DIR', '--json']) {
    assert.ok(gmm.out.includes(flag), `sweep gmm --help mentions ${flag}`);
  }
  assert.ok(!gmm.out.includes('--clusters K'), 'the range replaces --clusters');
  const unknown = await runCli(['kmeans', EXAMPLE]);
  assert.equal(unknown.err, 'segment: unknown command "kmeans" (available: gmm, fuzzy, neural, all, sweep, score, sql, prompt, dask)\nRun "segment --help" for the options.\n');
});

interface Entry {
  k: number;
  covariance_type?: string;
  sizes: number[];
  converged: boolean;
  n_iterations: number;
  warnings: string[];
  stability_ari: number;
  [key: string]: unknown;
}

/** The sweep file's entry against the profile of `segment <method> -k K` with the same options: every metric the same text. */
function assertSameAsProfile(entry: Entry, profileText: string, what: string): void {
  const profile = JSON.parse(profileText);
  for (const [key, value] of Object.entries(profile.metrics)) {
    assert.ok(key in entry, `${what}: ${key} in the sweep file`);
    assert.equal(JSON.stringify(entry[key]), JSON.stringify(value), `${what}: ${key}`);
    // The text of the number in the profile file is the text in the sweep file.
    if (typeof value === 'number') assert.ok(profileText.includes(`"${key}": ${JSON.stringify(value)}`), `${what}: ${key} as written`);
  }
  const prefix = profile.metadata.kmeans_converged === undefined ? '' : 'kmeans_';
  assert.equal(entry.converged, profile.metadata[`${prefix}converged`], `${what}: converged`);
  assert.equal(entry.n_iterations, profile.metadata[`${prefix}n_iterations`], `${what}: n_iterations`);
  assert.deepEqual(entry.sizes, Object.values(profile.clusters).map((c) => (c as { size: number }).size), `${what}: sizes`);
  assert.deepEqual(entry.warnings, profile.metadata.warnings, `${what}: warnings`);
  assert.ok(entry.stability_ari >= -1 && entry.stability_ari <= 1, `${what}: stability ${entry.stability_ari}`);
}

test('every metric in the sweep file equals the single-run profile for the same k and seed, byte for byte', async (t) => {
  const dir = tempDir(t, 'segment-sweep-cli-');
  const runs: [string, string[], string[][]][] = [
    ['gmm', ['--k', '2..5', '--covariance', 'full,diag', '--seed', '7'], [['--seed', '7']]],
    ['fuzzy', ['--k', '2..5', '--m', '1.6'], [['--m', '1.6']]],
    ['neural', ['--k', '2..4', '--epochs', '4', '--n-init', '3'], [['--epochs', '4', '--n-init', '3']]],
  ];
  for (const [method, flags, [single]] of runs) {
    const sweep = await runCli(['sweep', method, EXAMPLE, ...flags, '--out', dir, '--json']);
    assert.equal(sweep.code, 0, sweep.err);
    const report = JSON.parse(sweep.out);
    const text = readFileSync(report.json, 'utf8');
    const file = JSON.parse(text);
    assert.deepEqual(load(readFileSync(report.yaml, 'utf8')), file, `${method}: the YAML holds the JSON's document`);
    assert.deepEqual(report.results, file.results);
    assert.deepEqual(report.recommendation, file.recommendation);
    for (const entry of file.results as Entry[]) {
      const covariance = entry.covariance_type ? ['--covariance', entry.covariance_type] : [];
      const one = await runCli([method, EXAMPLE, '-k', String(entry.k), ...covariance, ...single, '--out', join(dir, 'single'), '--json']);
      assert.equal(one.code, 0, one.err);
      assertSameAsProfile(entry, readFileSync(JSON.parse(one.out).json, 'utf8'), `${method} k = ${entry.k} ${entry.covariance_type ?? ''}`);
    }
  }
});

test('when the lowest BIC is at the largest k tried, the knee of the BIC curve is recommended and the reason says so', async (t) => {
  const dir = tempDir(t, 'segment-sweep-cli-');
  const { code, out } = await runCli(['sweep', 'gmm', EXAMPLE, '--covariance', 'diag', '--out', dir]);
  assert.equal(code, 0);
  const reason =
    'The lowest BIC (-6070.8) is at k = 8 (diag covariance), the largest k tried, so the BIC may fall further beyond the range; ' +
    'recommended instead is k = 3 (diag covariance), the knee of the diag BIC curve by the kneedle method (Satopää et al. 2011).';
  const [json] = readdirSync(dir).filter((f) => f.endsWith('.json'));
  const file = JSON.parse(readFileSync(join(dir, json), 'utf8'));
  assert.deepEqual(file.recommendation, { k: 3, covariance_type: 'diag', criterion: 'bic_knee', reason });
  const bics = (file.results as Entry[]).map((r) => r.bic as number);
  assert.equal(Math.min(...bics), bics[bics.length - 1], 'BIC is lowest at k = 8');
  const lines = out.split('\n');
  assert.equal(lines[0], 'Gaussian Mixture Model (GMM) sweep: customers.csv');
  assert.equal(lines[1], '  497 of 500 rows clustered (3 dropped for missing values); 24 features; k = 2..8; diag covariance; n_init 1');
  assert.equal(lines[2], '  stability: mean pairwise adjusted Rand index of the fits with seeds 42, 360880079, 3434169815');
  assert.match(lines[3], /^ {5}k {2}covariance {6}BIC {6}AIC {2}silhouette {2}Davies–Bouldin {2}Calinski–Harabasz {2}stability {4}smallest {2}iterations$/);
  const rows = lines.slice(4, 11);
  assert.deepEqual(
    rows.map((r) => r.slice(0, 14)),
    ['     2  diag  ', '  →  3  diag  ', '     4  diag  ', '     5  diag  ', '     6  diag  ', '     7  diag  ', '     8  diag  '],
  );
  assert.equal(rows[1], '  →  3  diag         6298.6   5684.1      0.2313          1.3806              218.4      1.000  70 (14.1%)          34');
  assert.equal(lines[11], `Recommended: k = 3 (diag covariance). ${reason}`);
  assert.deepEqual(lines.slice(12, 15), ['Wrote:', `  ${join(dir, json)}`, `  ${join(dir, json.replace(/\.json$/, '.yaml'))}`]);
});

test('--quiet prints the paths, --export adds the recommended profile, a failed fit is a row of the table', async (t) => {
  const dir = tempDir(t, 'segment-sweep-cli-');
  const quiet = await runCli(['sweep', 'fuzzy', EXAMPLE, '--k', '2..3', '--out', dir, '-q', '--export']);
  assert.equal(quiet.code, 0);
  const paths = quiet.out.trim().split('\n');
  assert.equal(paths.length, 6);
  assert.match(paths[0], /\/fuzzy_k_selection_\d{8}_\d{6}\.json$/);
  assert.match(paths[1], /\/fuzzy_k_selection_\d{8}_\d{6}\.yaml$/);
  assert.match(paths[2], /\/fuzzy_cluster_profile_\d{8}_\d{6}\.json$/);
  assert.match(paths[5], /\/fuzzy_model_\d{8}_\d{6}\.json$/);
  assert.equal(readdirSync(dir).length, 6);
  const profile = JSON.parse(readFileSync(paths[2], 'utf8'));
  const selection = JSON.parse(readFileSync(paths[0], 'utf8'));
  assert.equal(profile.metadata.n_clusters, selection.recommendation.k);

  const json = JSON.parse((await runCli(['sweep', 'fuzzy', EXAMPLE, '--k', '2..3', '--out', dir, '--json', '--export'])).out);
  assert.deepEqual(Object.keys(json.exported), ['json', 'yaml', 'assignments', 'model']);
  for (const path of Object.values(json.exported) as string[]) assert.ok(readdirSync(dir).includes(path.slice(dir.length + 1)), path);
  const human = await runCli(['sweep', 'fuzzy', EXAMPLE, '--k', '2..3', '--out', dir, '--export']);
  assert.match(human.out, /\nRecommended: k = 2\. k = 2 has the highest silhouette \(0\.5472\) of the fits with stability ARI ≥ 0\.8\.\n/);
  assert.match(human.out, /\n\nThe recommended profile:\nFuzzy C-Means \(FCM\): customers\.csv \(comma-separated\)\n/);
});

test('a cancelled sweep exits 130 and writes nothing', async (t) => {
  const dir = tempDir(t, 'segment-sweep-cli-');
  const io = capture();
  const controller = new AbortController();
  controller.abort();
  assert.equal(await main(['sweep', 'gmm', EXAMPLE, '--out', dir], io, controller.signal), 130);
  assert.equal(io.err(), 'segment: Cancelled: no files were written.\n');
  assert.deepEqual(readdirSync(dir), []);
});

test('--categorical onehot and --describe reach the sweep: its features are the indicators, the exported profile describes as asked', async (t) => {
  const dir = tempDir(t, 'segment-sweep-cli-');
  const mixed = join(ROOT, 'test', 'fixtures', 'csv', 'mixed-customers.csv');
  const args = ['sweep', 'fuzzy', mixed, '--k', '2..3', '--out', dir, '-q', '--export', '--categorical', 'onehot', '--columns', 'age,contract', '--describe', 'satisfaction'];
  const run = await runCli(args);
  assert.equal(run.code, 0, run.err);
  const [selectionPath, , profilePath] = run.out.trim().split('\n');
  const selection = JSON.parse(readFileSync(selectionPath, 'utf8'));
  assert.deepEqual(selection.metadata.features, ['age', 'contract=One year', 'contract=Two year']);
  const profile = JSON.parse(readFileSync(profilePath, 'utf8'));
  assert.deepEqual(profile.features_used, ['age', 'contract=One year', 'contract=Two year']);
  const roles = Object.fromEntries((profile.metadata.columns as { name: string; role: string }[]).map((c) => [c.name, c.role]));
  assert.deepEqual([roles.contract, roles.satisfaction, roles.region], ['feature', 'descriptor', 'descriptor']);
});
