import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { main } from '../../src/cli/main';
import { capture } from '../helpers/cli';
import { tempDir, type Ends } from '../helpers/tempDir';
import { printable } from '../../src/engine/printable';

const ROOT = resolve(__dirname, '..', '..');
const EXAMPLE = join(ROOT, 'examples', 'customers.csv');
const BUNDLE = join(ROOT, 'dist', 'cli.js');


function freshDir(t: Ends): string {
  return tempDir(t, 'segment-cli-');
}

test('--help documents every flag', async () => {
  const io = capture();
  assert.equal(await main(['--help'], io), 0);
  for (const flag of ['--clusters', '--seed', '--columns', '--exclude', '--missing', '--out', '--silhouette-sample', '--threads', '--quiet', '--json', '--covariance', '--n-init', '--max-iter', '--tol', '--reg-covar']) {
    assert.ok(io.out().includes(flag), `help mentions ${flag}`);
  }
});

test('wrong usage exits 2 with one line and a pointer to --help', async () => {
  const cases: [string[], string][] = [
    [['kmeans', 'a.csv'], `segment: unknown command "kmeans" (available: gmm, fuzzy, neural, all, sweep, score, sql, prompt, dask)`],
    [['gmm'], 'segment: give the CSV file to cluster'],
    [['gmm', 'a.csv', '--clusters', 'four'], 'segment: --clusters expects a whole number, got "four"'],
    [['gmm', 'a.csv', '--covariance', 'round'], 'segment: --covariance must be one of full, tied, diag, spherical, got "round"'],
    [['gmm', 'a.csv', '--bogus'], 'segment: unknown option --bogus'],
    [['gmm', 'a.csv', '--tol', 'x'], 'segment: --tol expects a number, got "x"'],
  ];
  for (const [argv, first] of cases) {
    const io = capture();
    assert.equal(await main(argv, io), 2, argv.join(' '));
    assert.equal(io.err(), `${first}\nRun "segment --help" for the options.\n`);
  }
});

test('an option value out of its range is wrong usage too: exit 2, named by its flag, before the file is read', async () => {
  const cases: [string[], string][] = [
    [['-k', '0'], '--clusters must be a whole number of at least 2 (got 0).'],
    [['-k', '1'], '--clusters must be a whole number of at least 2 (got 1).'],
    [['--threads', '0'], '--threads must be a whole number of at least 1 (got 0).'],
    [['--max-iter', '0'], '--max-iter must be a whole number of at least 1 (got 0).'],
    [['--tol=-1'], '--tol must be a number greater than 0 (got -1).'],
    [['--tol', '-1'], 'option --tol needs a value; write a value that starts with a dash as --tol=-…'],
    [['--silhouette-sample', '1'], '--silhouette-sample must be a whole number of at least 2 (got 1).'],
  ];
  for (const [flags, message] of cases) {
    const io = capture();
    assert.equal(await main(['gmm', 'no-such-file.csv', ...flags], io), 2, flags.join(' '));
    assert.equal(io.err(), `segment: ${message}\nRun "segment --help" for the options.\n`);
  }
});

test('bad input exits 1 with the engine\'s message, no stack trace, nothing written', async (t) => {
  const dir = freshDir(t);
  const empty = join(dir, 'empty.csv');
  writeFileSync(empty, '');
  const io = capture();
  assert.equal(await main(['gmm', empty, '--out', join(dir, 'out')], io), 1);
  assert.match(io.err(), /^segment: .+\n$/);
  assert.doesNotMatch(io.err(), /\n\s+at /);
  assert.equal(existsSync(join(dir, 'out')), false);

  const io2 = capture();
  assert.equal(await main(['gmm', EXAMPLE, '--clusters', '1', '--out', join(dir, 'out')], io2), 2, 'an option out of range is wrong usage');
  assert.equal(io2.err(), 'segment: --clusters must be a whole number of at least 2 (got 1).\nRun "segment --help" for the options.\n');
});

test('a cancelled run exits 130 and writes nothing', async (t) => {
  const dir = freshDir(t);
  const io = capture();
  const controller = new AbortController();
  controller.abort();
  assert.equal(await main(['gmm', EXAMPLE, '--out', dir], io, controller.signal), 130);
  assert.equal(io.err(), 'segment: Cancelled: no files were written.\n');
  assert.deepEqual(readdirSync(dir), []);
});

test('gmm on the example CSV writes the four files and reports them (--json)', async (t) => {
  const dir = freshDir(t);
  const io = capture();
  assert.equal(await main(['gmm', EXAMPLE, '--clusters', '5', '--covariance', 'diag', '--out', dir, '--json'], io), 0);
  const report = JSON.parse(io.out());
  assert.equal(report.method, 'gmm');
  assert.equal(report.n_clusters, 5);
  assert.equal(report.n_samples, 497);
  for (const key of ['json', 'yaml', 'assignments', 'model']) assert.ok(existsSync(report[key]), key);
  const profile = JSON.parse(readFileSync(report.json, 'utf8'));
  assert.equal(profile.metadata.covariance_type, 'diag');
  assert.equal(profile.metadata.source_file, 'customers.csv');
  assert.equal(profile.metadata.n_rows_dropped, 3);
  assert.equal(profile.metadata.id_column, 'customer_id');
  assert.deepEqual(report.metrics, profile.metrics);
  assert.match(readFileSync(report.assignments, 'utf8'), /^row,customer_id,cluster,prob_cluster_0,.*\n1,C00001,\d,/);
  assert.equal(JSON.parse(readFileSync(report.model, 'utf8')).profile, basename(report.json));
  assert.equal(readdirSync(dir).length, 4);
});

test('--quiet prints only the paths; a human summary otherwise', async (t) => {
  const quiet = capture();
  assert.equal(await main(['gmm', EXAMPLE, '--out', freshDir(t), '--quiet'], quiet), 0);
  const lines = quiet.out().trim().split('\n');
  assert.deepEqual(lines.map((p) => basename(p).replace(/_\d{8}_\d{6}/, '')), ['gmm_cluster_profile.json', 'gmm_cluster_profile.yaml', 'gmm_assignments.csv', 'gmm_model.json']);
  assert.ok(lines.every((p) => existsSync(p)));

  const human = capture();
  assert.equal(await main(['gmm', EXAMPLE, '--out', freshDir(t), '--columns', 'total_revenue,recency_days,frequency_per_month', '-k', '3'], human), 0);
  const text = human.out();
  assert.match(text, /^Gaussian Mixture Model \(GMM\): customers\.csv \(comma-separated\)\n/);
  // These three columns have no missing values, so no row is dropped.
  assert.match(text, /\n {2}500 of 500 rows clustered; 3 features; 3 clusters; seed 42\n/);
  assert.match(text, /\n {2}clustered on \(3\): total_revenue, recency_days, frequency_per_month\n/);
  // The other usable columns are described: the three categorical ones and the 21 other numeric ones.
  assert.match(
    text,
    /\n {2}described, not clustered \(25\): first_name, city, loyalty_tier, favourite_store, avg_order_value, return_rate, dept_total_value_Accessories & Footwear, dept_total_value_Womenswear and 17 more\n/,
  );
  assert.match(text, /\n {2}ignored:\n {4}customer_id: the id column, id-like \(named like an identifier\)\n {4}signup_date: free text \(428 distinct values, more than the 50 a category may have\)\n/);
  assert.match(text, /\n {2}separate the clusters most: (\S+ \((η²|Cramér's V) \d\.\d\d\)(, |\n)){5}/);
  assert.match(text, /silhouette -?\d\.\d{4} \(−1\.\.1, higher is better\)/);
  assert.match(text, /cluster_0: +\d+ customers \(\d+\.\d\d%\)/);
});

test('the summary lists the columns clustered, described and ignored, and the five that separate the clusters most', async (t) => {
  const mixed = join(ROOT, 'test', 'fixtures', 'csv', 'mixed-customers.csv');
  const io = capture();
  const args = ['gmm', mixed, '--out', freshDir(t), '-k', '3', '--describe', 'satisfaction,churned', '--exclude', 'store'];
  assert.equal(await main(args, io), 0, io.err());
  const lines = io.out().split('\n');
  assert.deepEqual(lines.slice(1, 8), [
    '  147 of 150 rows clustered (3 dropped for missing values); 3 features; 3 clusters; seed 42',
    '  clustered on (3): age, monthly_spend, tenure_months',
    '  described, not clustered (5): churned, satisfaction, paperless, contract, region',
    '  ignored:',
    '    customer_id: the id column, id-like (named like an identifier)',
    '    comment: free text (143 distinct values, more than the 50 a category may have)',
    '    1 more column left out by choice',
  ]);
  const top = /^ {2}separate the clusters most: (.*)$/.exec(lines[8]);
  assert.ok(top, lines[8]);
  const ranked = top[1].split(', ').map((item) => /^(\S+) \((η²|Cramér's V) (\d\.\d\d)\)$/.exec(item));
  assert.equal(ranked.length, 5);
  const values = ranked.map((m) => Number(m![3]));
  assert.deepEqual(values, [...values].sort((a, b) => b - a), 'highest first');
  const profile = JSON.parse(readFileSync(io.out().match(/\n {2}(\S+\.json)\n/)![1], 'utf8'));
  const expected = Object.entries(profile.separation as Record<string, { measure: string; value: number }>)
    .sort(([, a], [, b]) => b.value - a.value)
    .slice(0, 5)
    .map(([name, s]) => `${name} (${s.measure === 'eta_squared' ? 'η²' : "Cramér's V"} ${s.value.toFixed(2)})`);
  assert.equal(top[1], expected.join(', '));
  assert.ok(ranked.some((m) => m![2] === "Cramér's V") && ranked.some((m) => m![2] === 'η²'), top[1]);
});

test('--categorical onehot clusters the categorical columns as indicators; the summary names the columns', async (t) => {
  const mixed = join(ROOT, 'test', 'fixtures', 'csv', 'mixed-customers.csv');
  const io = capture();
  const args = ['fuzzy', mixed, '--out', freshDir(t), '-k', '3', '--categorical', 'onehot', '--columns', 'age,tenure_months,contract', '--json'];
  assert.equal(await main(args, io), 0, io.err());
  const profile = JSON.parse(readFileSync(JSON.parse(io.out()).json, 'utf8'));
  assert.deepEqual(profile.features_used, ['age', 'tenure_months', 'contract=One year', 'contract=Two year']);
  const human = capture();
  assert.equal(await main(args.slice(0, -1), human), 0, human.err());
  assert.match(human.out(), /\n {2}150 of 150 rows clustered; 4 features; 3 clusters; seed 42\n {2}clustered on \(3\): age, tenure_months, contract\n/);
});

test('fuzzy on the example CSV: membership columns and partition metrics', async (t) => {
  const dir = freshDir(t);
  const io = capture();
  assert.equal(await main(['fuzzy', EXAMPLE, '-k', '3', '--m', '1.5', '--out', dir, '--json'], io), 0);
  const report = JSON.parse(io.out());
  assert.equal(report.method, 'fuzzy');
  assert.match(report.json, /fuzzy_cluster_profile_\d{8}_\d{6}\.json$/);
  const profile = JSON.parse(readFileSync(report.json, 'utf8'));
  assert.equal(profile.metadata.method, 'Fuzzy C-Means (FCM)');
  assert.equal(profile.metadata.fuzziness_parameter, 1.5);
  assert.equal(typeof profile.metrics.partition_coefficient, 'number');
  assert.match(readFileSync(report.assignments, 'utf8'), /^row,customer_id,cluster,membership_cluster_0,membership_cluster_1,membership_cluster_2\n/);
  const human = capture();
  assert.equal(await main(['fuzzy', EXAMPLE, '-k', '3', '--out', freshDir(t)], human), 0);
  assert.match(human.out(), /\n {2}partition coefficient 0\.\d{4} \(1\/k\.\.1, higher is crisper\) · partition entropy \d\.\d{4} \(lower is crisper\) · converged in \d+ iterations\n/);
  const bad = capture();
  assert.equal(await main(['fuzzy', EXAMPLE, '--m', '1', '--out', freshDir(t)], bad), 2);
  assert.match(bad.err(), /^segment: --m must be a number greater than 1 \(got 1\); 2 is the usual choice/);
});

test('what the reader detected is reported in the summary and the profile', async (t) => {
  const io = capture();
  const semicolon = join(ROOT, 'test', 'fixtures', 'csv', 'excel-semicolon.csv');
  assert.equal(await main(['gmm', semicolon, '-k', '2', '--out', freshDir(t), '--json'], io), 0);
  const profile = JSON.parse(readFileSync(JSON.parse(io.out()).json, 'utf8'));
  assert.deepEqual(profile.metadata.input_format, { delimiter: ';', bom: true, line_ending: 'CRLF', decimal_comma: true });
  const human = capture();
  assert.equal(await main(['gmm', semicolon, '-k', '2', '--out', freshDir(t)], human), 0);
  assert.match(human.out(), /^Gaussian Mixture Model \(GMM\): excel-semicolon\.csv \(semicolon-separated, BOM, CRLF, decimal commas\)\n/);
});

test('the built bundle runs as a program: exit codes and stderr', (t) => {
  assert.ok(existsSync(BUNDLE), 'dist/cli.js exists (npm test builds it first; or run npm run build)');
  const ok = spawnSync(process.execPath, [BUNDLE, 'gmm', EXAMPLE, '--out', freshDir(t), '--quiet'], { encoding: 'utf8' });
  assert.equal(ok.status, 0, ok.stderr);
  assert.equal(ok.stdout.trim().split('\n').length, 4);
  const missing = spawnSync(process.execPath, [BUNDLE, 'gmm', join(freshDir(t), 'nope.csv')], { encoding: 'utf8' });
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /^segment: .*nope\.csv.*\n$/);
  const usage = spawnSync(process.execPath, [BUNDLE], { encoding: 'utf8' });
  assert.equal(usage.status, 2);
  const version = spawnSync(process.execPath, [BUNDLE, '--version'], { encoding: 'utf8' });
  assert.equal(version.stdout.trim(), JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
});

test('segment prompt prints the language-model prompt of a JSON or YAML profile', async (t) => {
  const dir = freshDir(t);
  const made = capture();
  assert.equal(await main(['gmm', EXAMPLE, '--out', dir, '--json'], made), 0);
  const { json, yaml } = JSON.parse(made.out());
  for (const file of [json, yaml]) {
    const io = capture();
    assert.equal(await main(['prompt', file], io), 0);
    assert.match(io.out(), /^You are a data analyst specializing in customer segmentation\./);
    assert.match(io.out(), /## Cluster 0: \d+ customers/);
    // 24 features and 4 categorical columns described.
    assert.match(io.err(), /^segment: about \d+ tokens, 28 of 28 columns\n$/);
  }
  const small = capture();
  assert.equal(await main(['prompt', yaml, '--max-tokens', '1000'], small), 0);
  assert.match(small.err(), /least separating columns left out\n$/);
  assert.match(small.out(), /Only \d+ of 28 columns are shown/);

  const broken = join(dir, 'broken_cluster_profile.yaml');
  writeFileSync(broken, 'clusters: [unclosed\n');
  const bad = capture();
  assert.equal(await main(['prompt', broken], bad), 1);
  assert.match(bad.err(), /^segment: broken_cluster_profile\.yaml is not valid YAML: /);
  const missing = capture();
  assert.equal(await main(['prompt', join(dir, 'none.json')], missing), 1);
  assert.equal(missing.err(), `segment: No file at ${join(dir, 'none.json')}. Check the path of the profile.\n`);
  const usage = capture();
  assert.equal(await main(['prompt'], usage), 2);
});

test('a two-row file of integers is refused for its row count, not for id-like columns (issue 11.9)', async (t) => {
  const dir = freshDir(t);
  const csv = join(dir, 'two.csv');
  writeFileSync(csv, 'a,b,c,d\n1,2,3,4\n5,6,7,8\n');
  const io = capture();
  assert.equal(await main(['gmm', csv, '--out', dir], io), 1);
  assert.equal(io.err(), 'segment: "two.csv" has only 2 data rows for 4 clusters. Clustering needs at least 3 rows: use a file with more rows.\n');
});

test('names and values from the CSV reach the terminal with their control characters escaped (issue 11.10)', async (t) => {
  const dir = freshDir(t);
  const csv = join(dir, 'controls.csv');
  const rows = Array.from({ length: 12 }, (_, i) => `\x07bell,${i % 4},${(i * 7) % 5}`);
  writeFileSync(csv, `\x1b[31mnote\x1b[0m,visits,spend\u202e\n${rows.join('\n')}\n`);
  const io = capture();
  assert.equal(await main(['gmm', csv, '-k', '2', '--out', dir], io), 0, io.err());
  assert.match(io.out(), /\n {4}\\u001b\[31mnote\\u001b\[0m: constant \(every value is "\\u0007bell"\)\n/);
  assert.equal(printable(io.out().replace(/\n/g, '')), io.out().replace(/\n/g, ''), 'no control character but line breaks');

  const bad = capture();
  assert.equal(await main(['gmm', csv, '--columns', 'visits,\x1b[2Jspend', '--out', dir], bad), 1);
  assert.equal(
    bad.err(),
    'segment: There is no column "\\u001b[2Jspend" in "controls.csv". The columns are: \\u001b[31mnote\\u001b[0m, visits, spend\\u202e.\n',
  );
  const usage = capture();
  assert.equal(await main(['gmm', csv, '--covariance', 'full\x1b[8m'], usage), 2);
  assert.equal(usage.err(), 'segment: --covariance must be one of full, tied, diag, spherical, got "full\\u001b[8m"\nRun "segment --help" for the options.\n');

  const json = capture();
  assert.equal(await main(['gmm', csv, '-k', '2', '--out', dir, '--json'], json), 0);
  const prompt = capture();
  assert.equal(await main(['prompt', JSON.parse(json.out()).json], prompt), 0, prompt.err());
  assert.match(prompt.out(), /spend\\u202e/);
  assert.equal(printable(prompt.out().replace(/\n/g, '')), prompt.out().replace(/\n/g, ''), 'no control character but line breaks');
});

