/**
 * `segment score MODEL NEW.csv`: the scores file beside the new CSV (or in
 * --out), a profile of the scored rows with --profile, --json and --quiet,
 * exit 2 for wrong usage and 1 for bad input with one line, and Ctrl-C in
 * every phase.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { load } from 'js-yaml';
import { main } from '../../src/cli/main';
import { capture } from '../helpers/cli';
import { BUNDLE, interruptAt, writeBigCsv } from '../helpers/signals';
import { tempDir, type Ends } from '../helpers/tempDir';

const EXAMPLE = join(resolve(__dirname, '..', '..'), 'examples', 'customers.csv');

/** A GMM model of the example CSV (diag, 3 clusters) and a new CSV of its first 30 rows, in a fresh folder. */
async function modelAndNewCsv(t: Ends, extra: string[] = []): Promise<{ dir: string; model: string; csv: string; assignments: string }> {
  const dir = tempDir(t, 'segment-score-cli-');
  const io = capture();
  assert.equal(await main(['gmm', EXAMPLE, '-k', '3', '--covariance', 'diag', '--out', join(dir, 'model'), '--json', ...extra], io), 0, io.err());
  const report = JSON.parse(io.out());
  const csv = join(dir, 'new', 'new.csv');
  mkdirSync(join(dir, 'new'));
  writeFileSync(csv, `${readFileSync(EXAMPLE, 'utf8').split('\n').slice(0, 31).join('\n')}\n`);
  return { dir, model: report.model, csv, assignments: report.assignments };
}

/** Paths and time stamps made comparable. */
function normalised(text: string, dir: string): string {
  return text.split(dir).join('DIR').replace(/_\d{8}_\d{6}/g, '_TS');
}

test('segment score writes the scores beside the new CSV and says what it found', async (t) => {
  const { dir, model, csv, assignments } = await modelAndNewCsv(t);
  const io = capture();
  assert.equal(await main(['score', model, csv], io), 0, io.err());
  assert.equal(io.err(), '');
  const written = readdirSync(join(dir, 'new')).sort();
  assert.equal(written.length, 2);
  assert.match(written[0], /^gmm_scores_\d{8}_\d{6}\.csv$/);
  assert.equal(written[1], 'new.csv');
  const scores = readFileSync(join(dir, 'new', written[0]), 'utf8').trimEnd().split('\n');
  // Row 26 of the example has a gap and is dropped, as in training; the others are scored as they were fitted.
  const expected = readFileSync(assignments, 'utf8').split('\n').slice(0, 30);
  assert.equal(scores.length, 30);
  scores.forEach((line, i) => assert.ok(line.startsWith(i === 0 ? `${expected[0]},log_likelihood,unusual` : `${expected[i]},`), line));
  const sizes = [0, 1, 2].map((c) => scores.slice(1).filter((l) => l.split(',')[2] === String(c)).length);
  const unusual = scores.slice(1).filter((l) => l.endsWith(',1')).length;
  const threshold = JSON.parse(readFileSync(model, 'utf8')).unusual_threshold as number;
  const pct = (x: number) => ((100 * x) / 29).toFixed(2);
  assert.equal(
    normalised(io.out(), dir),
    [
      'Gaussian Mixture Model (GMM): new.csv scored with gmm_model_TS.json (3 clusters)',
      '  29 of 30 rows scored (1 dropped for missing values)',
      ...sizes.map((s, c) => `  cluster_${c}: ${String(s).padStart(6)} ${s === 1 ? 'customer' : 'customers'} (${pct(s)}%)`),
      `  unusual: ${unusual} ${unusual === 1 ? 'row' : 'rows'} (${pct(unusual)}%) with a log-likelihood below ${threshold.toFixed(4)}, the training rows' 1st percentile`,
      'Wrote:',
      '  DIR/new/gmm_scores_TS.csv',
      '',
    ].join('\n'),
  );
});

test('--out, --profile, --json and --quiet', async (t) => {
  const { dir, model, csv } = await modelAndNewCsv(t);
  const out = join(dir, 'scored');
  const io = capture();
  assert.equal(await main(['score', model, csv, '--out', out, '--profile', '--json'], io), 0, io.err());
  const report = JSON.parse(io.out());
  assert.deepEqual(Object.keys(report), [
    'method',
    'model',
    'scores',
    'json',
    'yaml',
    'source_file',
    'n_rows_read',
    'n_scored',
    'n_rows_dropped',
    'n_values_imputed',
    'sizes',
    'unusual',
    'metrics',
    'warnings',
  ]);
  assert.deepEqual(
    [report.method, report.model, report.source_file, report.n_rows_read, report.n_scored, report.n_rows_dropped, report.n_values_imputed, report.warnings],
    ['gmm', model, 'new.csv', 30, 29, 1, 0, []],
  );
  assert.deepEqual(readdirSync(out).sort(), [basename(report.json), basename(report.yaml), basename(report.scores)].sort());
  assert.deepEqual(readdirSync(join(dir, 'new')), ['new.csv'], 'nothing beside the CSV with --out');
  const profile = JSON.parse(readFileSync(report.json, 'utf8'));
  assert.deepEqual(load(readFileSync(report.yaml, 'utf8')), profile);
  assert.equal(profile.metadata.scored_with, basename(model));
  assert.equal(profile.metadata.source_file, 'new.csv');
  assert.equal(profile.metadata.n_samples, 29);
  assert.deepEqual(report.metrics, profile.metrics);
  assert.deepEqual(
    Object.values(report.sizes),
    Object.values(profile.clusters).map((c) => (c as { size: number }).size),
  );
  assert.equal(report.unusual.threshold, JSON.parse(readFileSync(model, 'utf8')).unusual_threshold);

  const quiet = capture();
  assert.equal(await main(['score', model, csv, '-o', out, '--profile', '-q'], quiet), 0);
  const paths = quiet.out().trim().split('\n');
  assert.deepEqual(
    paths.map((p) => basename(p).replace(/_\d{8}_\d{6}(_\d+)?/, '')),
    ['gmm_scores.csv', 'gmm_cluster_profile.json', 'gmm_cluster_profile.yaml'],
  );
  assert.ok(paths.every((p) => existsSync(p)));
});

test('segment score: wrong usage exits 2 with one line and a pointer to --help', async () => {
  const cases: [string[], string][] = [
    [['score'], 'give the model file and the CSV to score'],
    [['score', 'gmm_model.json'], 'give the CSV to score after the model file'],
    [['score', 'a.json', 'b.csv', 'c.csv'], 'one model file and one CSV (got 3 files)'],
    [['score', 'a.json', 'b.csv', '--bogus'], 'unknown option --bogus'],
    [['score', 'a.json', 'b.csv', '--clusters', '3'], 'unknown option --clusters'],
    [['score', 'a.json', 'b.csv', '--threads', '0'], '--threads must be a whole number of at least 1 (got 0).'],
    [['score', 'a.json', 'b.csv', '--threads', 'x'], '--threads expects a whole number, got "x"'],
  ];
  for (const [argv, message] of cases) {
    const io = capture();
    assert.equal(await main(argv, io), 2, argv.join(' '));
    assert.equal(io.err(), `segment: ${message}\nRun "segment --help" for the options.\n`);
  }
  const help = capture();
  assert.equal(await main(['score', '--help'], help), 0);
  for (const flag of ['--out', '--profile', '--threads', '--quiet', '--json']) assert.ok(help.out().includes(flag), flag);
  const usage = capture();
  assert.equal(await main(['--help'], usage), 0);
  assert.match(usage.out(), /\n {2}segment score <model\.json> <new\.csv> \[options\]\n/);
  assert.match(usage.out(), /\n {2}\{method\}_model_YYYYMMDD_HHMMSS\.json {23}the fitted model, for segment score\n/);
});

test('segment score: bad input exits 1 with the one-line message, nothing written', async (t) => {
  const { dir, model, csv } = await modelAndNewCsv(t);
  const notThere = join(dir, 'nope.json');
  const missing = capture();
  assert.equal(await main(['score', notThere, csv], missing), 1);
  assert.equal(missing.err(), `segment: No file at ${notThere}. Check the path of the model file.\n`);

  const profile = capture();
  const profileFile = model.replace('_model_', '_cluster_profile_');
  assert.equal(await main(['score', profileFile, csv], profile), 1);
  assert.equal(
    profile.err(),
    `segment: "${basename(profileFile)}" is a cluster profile, not a model file: score with the {method}_model_{timestamp}.json written beside it.\n`,
  );

  const narrow = join(dir, 'new', 'narrow.csv');
  writeFileSync(narrow, 'customer_id,total_revenue\nC1,12\n');
  const column = capture();
  assert.equal(await main(['score', model, narrow], column), 1);
  assert.equal(
    column.err(),
    `segment: The model ${basename(model)} needs a column "recency_days", which "narrow.csv" does not have. Its columns are: customer_id, total_revenue.\n`,
  );
  assert.deepEqual(readdirSync(join(dir, 'new')).sort(), ['narrow.csv', 'new.csv']);
});

test('segment score: a cancelled run exits 130 and writes nothing', async (t) => {
  const { dir, model, csv } = await modelAndNewCsv(t);
  const controller = new AbortController();
  controller.abort();
  const io = capture();
  assert.equal(await main(['score', model, csv, '--profile'], io, controller.signal), 130);
  assert.equal(io.err(), 'segment: Cancelled: no files were written.\n');
  assert.deepEqual(readdirSync(join(dir, 'new')), ['new.csv']);
});

test('the built program scores: exit codes and stderr', async (t) => {
  assert.ok(existsSync(BUNDLE), 'dist/cli.js exists (npm test builds it first; or run npm run build)');
  const { dir, model, csv } = await modelAndNewCsv(t);
  const ok = spawnSync(process.execPath, [BUNDLE, 'score', model, csv, '--quiet'], { encoding: 'utf8' });
  assert.equal(ok.status, 0, ok.stderr);
  assert.equal(ok.stderr, '');
  assert.match(ok.stdout, new RegExp(`^${join(dir, 'new')}/gmm_scores_\\d{8}_\\d{6}\\.csv\\n$`));
  const usage = spawnSync(process.execPath, [BUNDLE, 'score', model], { encoding: 'utf8' });
  assert.equal(usage.status, 2);
  assert.equal(usage.stderr, 'segment: give the CSV to score after the model file\nRun "segment --help" for the options.\n');
});

test('Ctrl-C while scoring reads, scores, profiles or writes: exit 130 within 1 s, nothing written', { timeout: 240_000 }, async (t) => {
  assert.ok(existsSync(BUNDLE), 'dist/cli.js exists (npm test builds it first; or run npm run build)');
  const dir = tempDir(t, 'segment-score-sigint-');
  const small = join(dir, 'small.csv');
  writeBigCsv(small, 2000);
  const fitted = spawnSync(process.execPath, [BUNDLE, 'gmm', small, '--out', join(dir, 'model'), '--json'], { encoding: 'utf8' });
  assert.equal(fitted.status, 0, fitted.stderr);
  const model = JSON.parse(fitted.stdout).model as string;
  const big = join(dir, 'big.csv');
  writeBigCsv(big);
  const moments: [string, string, number][] = [
    ['reading', 'gmm read', 100],
    ['scoring', 'gmm fit', 0],
    ['the profile', 'gmm metrics', 50],
    ['writing', 'gmm write', 0],
  ];
  for (const [moment, phase, delay] of moments) {
    const out = join(dir, moment.replace(/\W+/g, '-'));
    mkdirSync(out);
    const stopped = await interruptAt(['score', model, big, '--profile', '--out', out, '-q'], phase, delay);
    assert.ok(stopped.reached, `${moment}: the run reached "${phase}" and got the SIGINT (stderr: ${stopped.stderr})`);
    assert.equal(stopped.code, 130, `${moment}: exit code (stderr: ${stopped.stderr})`);
    assert.ok(stopped.stopMs <= 1000, `${moment}: stopped ${stopped.stopMs} ms after the SIGINT`);
    assert.match(stopped.stderr, /segment: Cancelled: no files were written\.\n$/, moment);
    assert.deepEqual(readdirSync(out), [], `${moment}: nothing written`);
  }
});

test('a level of a one-hot column the model never saw: scored as the reference level, one warning on stderr', async (t) => {
  const dir = tempDir(t, 'segment-score-cli-level-');
  const { MIXED_FIXTURE } = await import('../helpers/mixed');
  const io = capture();
  const fit = ['gmm', MIXED_FIXTURE, '-k', '3', '--covariance', 'diag', '--columns', 'age,monthly_spend,paperless,contract', '--categorical', 'onehot'];
  assert.equal(await main([...fit, '--out', dir, '--json'], io), 0, io.err());
  const { model } = JSON.parse(io.out());
  const csv = join(dir, 'new.csv');
  writeFileSync(csv, 'age,monthly_spend,paperless,contract\n30,40,Yes,Two year\n31,41,Maybe,Two year\n32,42,Maybe,Two year\n');
  for (const mode of [[], ['--quiet'], ['--json']]) {
    const scored = capture();
    assert.equal(await main(['score', model, csv, ...mode], scored), 0, scored.err());
    // The first of its warnings (the others: columns of the training the new CSV does not have, empty clusters).
    assert.equal(
      scored.err().split('\n')[0],
      `warning: Column "paperless" of "new.csv" has a level ("Maybe") that the model ${basename(model)} was not trained on, in 2 rows (first on line 3): ` +
        'they are scored as the reference level "No".',
    );
    assert.ok(!scored.out().includes('warning:'), scored.out());
  }
});
