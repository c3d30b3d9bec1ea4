/**
 * `segment dask` without a cluster: the usage errors, the script it writes
 * (name, place, the model and the settings as Python literals, never over a
 * file), and the one-sentence refusal when no Python can run the job. The
 * job itself runs for real in test/scaleout/dask.test.ts.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { runCli } from '../helpers/cli';
import { tempDir } from '../helpers/tempDir';
import { writeDaskJob } from '../../src/engine/scaleout/dask';

const EXAMPLE = join(__dirname, '..', '..', 'examples', 'customers.csv');
const dir = tempDir({ after }, 'segment-dask-cli-');
let model = '';

before(async () => {
  const run = await runCli(['gmm', EXAMPLE, '--clusters', '2', '--covariance', 'diag', '--out', join(dir, 'fit'), '--quiet']);
  assert.equal(run.code, 0, run.err);
  model = run.out.split('\n').find((l) => l.includes('_model_'))!;
});

test('usage: the model, --input and --output are needed', async () => {
  for (const [argv, message] of [
    [['dask'], /give the model file/],
    [['dask', 'm.json', '--output', 'x'], /--input 'PATH\/\*\.csv'/],
    [['dask', 'm.json', '--input', 'a/*.csv'], /--output DIR/],
    [['dask', 'm.json', '--input', 'a/*.csv', '--output', 'x', '--scores-format', 'orc'], /scores-format/],
  ] as const) {
    const run = await runCli([...argv]);
    assert.equal(run.code, 2, run.err);
    assert.match(run.err, message);
  }
  const help = await runCli(['dask', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.out, /segment dask <model\.json> --input/);
});

test('a file that is not a model is refused before anything is written', async () => {
  const profile = join(dir, 'fit', readdirSync(join(dir, 'fit')).find((f) => /^gmm_cluster_profile_\d{8}_\d{6}\.json$/.test(f))!);
  const run = await runCli(['dask', join(dir, 'fit', 'nope.json'), '--input', 'a/*.csv', '--output', join(dir, 'o')]);
  assert.equal(run.code, 1);
  assert.match(run.err, /No file at .*nope\.json/);
  const refused = await runCli(['dask', profile, '--input', 'a/*.csv', '--output', join(dir, 'o')]);
  assert.equal(refused.code, 1);
  assert.match(refused.err, /is a cluster profile, not a model file/);
});

test('writes segment_dask_{method}_{ts}.py beside the model, the settings as Python literals, never over a file', async () => {
  const input = join(dir, 'data "quoted"', '*.csv');
  const now = new Date(2026, 11, 2, 10, 30, 0);
  const first = await writeDaskJob(model, { input, outputDir: join(dir, 'out'), scheduler: 'tcp://10.0.0.5:8786', now });
  const second = await writeDaskJob(model, { input, outputDir: join(dir, 'out'), now });
  assert.equal(basename(first.scriptPath), 'segment_dask_gmm_20261202_103000.py');
  assert.equal(basename(second.scriptPath), 'segment_dask_gmm_20261202_103000_2.py');
  assert.equal(join(first.scriptPath, '..'), join(model, '..'));
  const text = readFileSync(first.scriptPath, 'utf8');
  assert.ok(text.includes(`INPUT = ${JSON.stringify(input)}\n`));
  assert.ok(text.includes(`SCHEDULER = "tcp://10.0.0.5:8786"\n`));
  assert.ok(readFileSync(second.scriptPath, 'utf8').includes('SCHEDULER = None\n'));
  assert.doesNotMatch(text, /__SEGMENT_[A-Z_]+__/);
  // The CLI prints the script's path; without --run nothing else happens.
  const run = await runCli(['dask', model, '--input', 'parts/*.csv', '--output', join(dir, 'out'), '--script-dir', join(dir, 'scripts')]);
  assert.equal(run.code, 0, run.err);
  assert.match(run.out.trim(), /scripts[\\/]segment_dask_gmm_\d{8}_\d{6}\.py$/);
  assert.ok(readFileSync(run.out.trim(), 'utf8').includes(`INPUT = ${JSON.stringify(join(process.cwd(), 'parts', '*.csv'))}`), 'a local glob is made absolute');
});

test('--run with a Python that cannot run the job: one sentence, exit 1', async () => {
  const run = await runCli(['dask', model, '--input', 'parts/*.csv', '--output', join(dir, 'out2'), '--script-dir', join(dir, 'scripts2'), '--run', '--python', join(dir, 'no-python')]);
  assert.equal(run.code, 1);
  assert.match(run.err, /No Python here can run the job \(.*no-python: not found\)\. It needs numpy, pandas, dask, distributed/);
});
