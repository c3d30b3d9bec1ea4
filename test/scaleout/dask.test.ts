/**
 * `segment dask` for real: the generated script runs on a Dask LocalCluster
 * of 2 worker processes (one started by this file, shared by every case
 * through --scheduler) over the example data split into 4 CSV files, and its
 * scores and profile are compared with `segment score --profile` on the same
 * rows: identical labels, probabilities and memberships to 1e-9, counts,
 * means, std, min and max to 1e-9, quantiles within the accuracy the profile
 * records; the profile is read by the shared reader and the panel's view
 * model builds from it.
 *
 * Needs Debian's python3-dask, python3-distributed, python3-pandas and
 * python3-numpy at /usr/bin/python3 (scripts/ensure-test-host.mjs installs
 * them); without them every case fails, saying which is missing.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/cli';
import { tempDir } from '../helpers/tempDir';
import { parseProfileText, whyNotAProfile } from '../../src/shared/profile/parse';
import { buildPanelModel } from '../../src/shared/profile';
import { readCsv } from '../../src/engine/data/csv';

const PYTHON = process.env.SEGMENT_TEST_PYTHON ?? '/usr/bin/python3';
const EXAMPLE = join(__dirname, '..', '..', 'examples', 'customers.csv');
const MODULES = ['numpy', 'pandas', 'dask', 'distributed'];

const dir = tempDir({ after }, 'segment-dask-');
let scheduler = '';
let cluster: ChildProcess | undefined;

/** Starts a LocalCluster of 2 worker processes, one thread each; resolves to its scheduler's address. */
function startCluster(): Promise<string> {
  const code = [
    'import sys',
    'from dask.distributed import LocalCluster',
    'cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)',
    'print(cluster.scheduler_address, flush=True)',
    'sys.stdin.read()',
    'cluster.close()',
  ].join('\n');
  cluster = spawn(PYTHON, ['-c', code], { stdio: ['pipe', 'pipe', 'pipe'] });
  let err = '';
  cluster.stderr!.setEncoding('utf8').on('data', (t: string) => (err += t));
  return new Promise((resolve, reject) => {
    let out = '';
    cluster!.stdout!.setEncoding('utf8').on('data', (t: string) => {
      out += t;
      const address = /tcp:\/\/[\d.]+:\d+/.exec(out)?.[0];
      if (address) resolve(address);
    });
    cluster!.on('exit', (code) => reject(new Error(`the LocalCluster exited (${code}) before it was ready: ${err.slice(-2000)}`)));
  });
}

before(async () => {
  const probe = spawnSync(PYTHON, ['-c', `import ${MODULES.join(', ')}`], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      `The Dask tests need ${PYTHON} with ${MODULES.join(', ')} (Debian: apt-get install python3-dask python3-distributed python3-pandas python3-numpy; ` +
        `npm test installs them): ${probe.error?.message ?? probe.stderr.trim().split('\n').pop()}`,
    );
  }
  scheduler = await startCluster();
  // The example split into 4 files of whole rows (no cell of it spans lines).
  const lines = readFileSync(EXAMPLE, 'utf8').trimEnd().split('\n');
  mkdirSync(join(dir, 'parts'));
  const bounds = [1, 131, 261, 381, lines.length];
  for (let p = 0; p < 4; p++) writeFileSync(join(dir, 'parts', `part${p}.csv`), [lines[0], ...lines.slice(bounds[p], bounds[p + 1])].join('\n') + '\n');
});

after(() => {
  // Closing its stdin ends the cluster's script, which closes the cluster; the kill is for a hung one.
  cluster?.stdin?.end();
  const timer = setTimeout(() => cluster?.kill('SIGKILL'), 15_000);
  cluster?.on('exit', () => clearTimeout(timer));
});

async function fit(argv: string[], csv = EXAMPLE): Promise<string> {
  const out = join(dir, `fit-${argv.join('-').replace(/[^a-z0-9-]/gi, '')}`);
  const run = await runCli([argv[0], csv, ...argv.slice(1), '--out', out, '--quiet']);
  assert.equal(run.code, 0, run.err);
  return run.out.split('\n').find((line) => /_model_\d{8}_\d{6}\.json$/.test(line))!;
}

interface Reference {
  scores: string;
  json: string;
}

async function reference(model: string, name: string, csv = EXAMPLE): Promise<Reference> {
  const run = await runCli(['score', model, csv, '--profile', '--out', join(dir, `ref-${name}`), '--json']);
  assert.equal(run.code, 0, run.err);
  return JSON.parse(run.out) as Reference;
}

/** `segment dask MODEL --run` on the shared cluster; the output folder's files. */
async function runDask(model: string, name: string, parts = 'parts'): Promise<{ out: string; script: string; profile: string; scores: string }> {
  const out = join(dir, `dask-${name}`);
  const count = readdirSync(join(dir, parts)).length;
  const run = await runCli(['dask', model, '--input', join(dir, parts, '*.csv'), '--output', out, '--scheduler', scheduler, '--run', '--python', PYTHON, '--scores-format', 'csv']);
  assert.equal(run.code, 0, run.err);
  const script = run.out.trim();
  assert.match(script, /segment_dask_(gmm|fuzzy|neural)_\d{8}_\d{6}\.py$/);
  // Progress: one line per partition.
  assert.equal(run.err.match(new RegExp(`partition \\d+/${count} done`, 'g'))?.length, count, run.err);
  const files = readdirSync(out);
  const profile = files.find((f) => /_cluster_profile_\d{8}_\d{6}\.json$/.test(f))!;
  const scores = files.find((f) => /_scores_\d{8}_\d{6}$/.test(f))!;
  assert.ok(profile && scores, files.join(', '));
  // Nothing else: the temporary folder is gone.
  assert.deepEqual(files.sort(), [profile, profile.replace(/\.json$/, '.yaml'), scores].sort());
  return { out, script, profile: join(out, profile), scores: join(out, scores) };
}

/** A CSV of plain cells (no quotes) as rows of cells, header first. */
function plainCsv(text: string): string[][] {
  return text.trimEnd().split('\n').map((line) => line.split(','));
}

function close(actual: unknown, expected: number, tol: number, path: string): void {
  assert.equal(typeof actual, 'number', `${path}: ${String(actual)} is not a number`);
  const ok = Math.abs((actual as number) - expected) <= tol * Math.max(1, Math.abs(expected));
  assert.ok(ok, `${path}: ${String(actual)} differs from ${expected} by more than ${tol}`);
}

/** Every value of `expected` in `actual`: numbers within tol (quantiles checked apart), the rest equal. */
function deepClose(actual: unknown, expected: unknown, tol: number, path: string, skip: (path: string, key: string) => boolean): void {
  if (typeof expected === 'number') return close(actual, expected, tol, path);
  if (expected === null || typeof expected !== 'object') return assert.deepEqual(actual, expected, path);
  assert.ok(actual !== null && typeof actual === 'object', `${path} is missing`);
  if (Array.isArray(expected)) assert.equal((actual as unknown[]).length, expected.length, `${path}: length`);
  else assert.deepEqual(Object.keys(actual as object), Object.keys(expected), `${path}: keys`);
  for (const [key, value] of Object.entries(expected)) {
    if (skip(path, key)) continue;
    deepClose((actual as Record<string, unknown>)[key], value, tol, `${path}.${key}`, skip);
  }
}

/** numpy's linear-interpolation quantile of sorted values. */
function quantile(sorted: number[], q: number): number {
  const h = (sorted.length - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

type Obj = Record<string, unknown>;
const obj = (v: unknown) => v as Obj;

/**
 * The job's scores and profile against segment score --profile's. `loose`:
 * what may differ in the last float32 digits (the Neural encoder runs in
 * numpy here, in TensorFlow.js there), compared to 1e-5.
 */
function compare(job: { profile: string; scores: string }, ref: Reference, loose: Set<string> = new Set(), idColumn = 'customer_id'): Obj {
  // Scores: the partitions in order are the example's rows in order.
  const parts = readdirSync(job.scores).sort();
  assert.deepEqual(parts, Array.from({ length: parts.length }, (_, i) => `part-${String(i).padStart(5, '0')}.csv`));
  const rows = parts.flatMap((p, i) => plainCsv(readFileSync(join(job.scores, p), 'utf8')).slice(i === 0 ? 0 : 1));
  const expected = plainCsv(readFileSync(ref.scores, 'utf8'));
  assert.deepEqual(rows[0], expected[0], 'the scores columns');
  assert.equal(rows.length, expected.length, 'scored rows');
  const header = expected[0];
  for (let i = 1; i < expected.length; i++) {
    for (let c = 1; c < header.length; c++) {
      const [a, b] = [rows[i][c], expected[i][c]];
      if (header[c] === idColumn || header[c] === 'cluster' || header[c] === 'unusual') assert.equal(a, b, `row ${i} ${header[c]}`);
      else close(Number(a), Number(b), loose.has(header[c]) ? 1e-5 : 1e-9, `row ${i} ${header[c]}`);
    }
  }
  // The profile: the shared reader takes both files, and the panel builds its view.
  const text = readFileSync(job.profile, 'utf8');
  const parsed = parseProfileText(text, job.profile);
  const yaml = parseProfileText(readFileSync(job.profile.replace(/\.json$/, '.yaml'), 'utf8'), 'x.yaml');
  assert.ok(parsed.profile && yaml.profile, parsed.error ?? yaml.error);
  assert.deepEqual(yaml.profile, parsed.profile, 'the YAML holds the JSON document');
  assert.equal(whyNotAProfile(parsed.profile), undefined);
  const panel = buildPanelModel([{ path: job.profile, profile: parsed.profile }]);
  assert.notEqual(panel.profiles[0].status, 'error', panel.profiles[0].errors.join('; '));
  const actual = obj(parsed.profile);
  const wanted = obj(JSON.parse(readFileSync(ref.json, 'utf8')));
  const meta = obj(actual.metadata);
  const wantedMeta = obj(wanted.metadata);
  for (const key of ['method', 'n_clusters', 'n_samples', 'random_seed', 'scored_with', 'n_rows_read', 'n_rows_dropped', 'missing_values', 'n_values_imputed', 'id_column', 'columns', 'scaling']) {
    assert.deepEqual(meta[key], wantedMeta[key], `metadata.${key}`);
  }
  // The same warnings, but those on where a Neural encoder ran (TensorFlow.js's backend here, numpy there).
  const encoderNote = (w: unknown) => !/backend|encoder ran in numpy/.test(String(w));
  assert.deepEqual((meta.warnings as unknown[]).filter(encoderNote), (wantedMeta.warnings as unknown[]).filter(encoderNote), 'metadata.warnings');
  // Every field of the scored profile's metadata, in its order (then the job's own: scale_out, quantiles).
  assert.deepEqual(Object.keys(meta).filter((k) => k in wantedMeta), Object.keys(wantedMeta));
  const quantiles = obj(meta.quantiles);
  assert.equal(quantiles.exact, true, 'every partition kept all its values');
  assert.equal(quantiles.max_rank_error, 0);
  const skip = (path: string, key: string) => path === '$' && key === 'metadata';
  const { metadata: _m, ...rest } = wanted;
  void _m;
  const tolOf = (key: string) => (loose.has(key) ? 1e-5 : 1e-9);
  for (const [key, value] of Object.entries(rest)) {
    if (key === 'metrics') {
      for (const [metric, v] of Object.entries(obj(value))) {
        if (typeof v === 'number') close(obj(actual.metrics)[metric], v, tolOf(metric), `metrics.${metric}`);
        else assert.deepEqual(obj(actual.metrics)[metric], v, `metrics.${metric}`);
      }
      continue;
    }
    if (key === 'clusters') {
      for (const [name, cluster] of Object.entries(obj(value))) {
        for (const [field, v] of Object.entries(obj(cluster))) {
          deepClose(obj(obj(actual.clusters)[name])[field], v, tolOf(field), `clusters.${name}.${field}`, skip);
        }
      }
      continue;
    }
    deepClose(actual[key], value, 1e-9, key, skip);
  }
  return actual;
}

describe('segment dask on a LocalCluster of 2 workers, against segment score --profile', { timeout: 600_000 }, () => {
  test('GMM, full covariance', async () => {
    const model = await fit(['gmm', '--clusters', '3', '--covariance', 'full']);
    const job = await runDask(model, 'gmm-full');
    compare(job, await reference(model, 'gmm-full'));
    // The script is self-contained: the model is inlined, no path to it.
    const script = readFileSync(job.script, 'utf8');
    assert.match(script, /^MODEL_JSON = \($/m);
    assert.doesNotMatch(script, new RegExp(model.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  });

  test('GMM, diagonal covariance, one-hot categorical features, a described column', async () => {
    const model = await fit(['gmm', '--clusters', '3', '--covariance', 'diag', '--categorical', 'onehot', '--columns', 'total_revenue,recency_days,frequency_per_month,loyalty_tier,city', '--describe', 'avg_order_value,favourite_store']);
    const actual = compare(await runDask(model, 'gmm-onehot'), await reference(model, 'gmm-onehot'));
    assert.ok((actual.features_used as string[]).some((f) => f.startsWith('loyalty_tier=')));
    assert.ok(Object.keys(obj(obj(obj(actual.clusters).cluster_0).categorical_statistics)).includes('favourite_store'));
    assert.ok(Object.keys(obj(obj(obj(actual.clusters).cluster_0).descriptor_statistics)).includes('avg_order_value'));
  });

  let fuzzyScript = '';
  test('Fuzzy C-Means', async () => {
    const model = await fit(['fuzzy', '--clusters', '3']);
    const job = await runDask(model, 'fuzzy');
    compare(job, await reference(model, 'fuzzy'));
    fuzzyScript = job.script;
  });

  test('Neural: the encoder in float32 as TensorFlow.js, the same labels', async () => {
    const model = await fit(['neural', '--clusters', '3', '--epochs', '20']);
    compare(await runDask(model, 'neural'), await reference(model, 'neural'), new Set(['distance_to_center', 'encoded_space_stats', 'reconstruction_error', 'latent_silhouette_score']));
  });

  test('approximate quantiles (8 values per partition and cluster) stay within the rank error the profile records', async () => {
    assert.ok(fuzzyScript, 'the Fuzzy C-Means case wrote the script');
    const out = join(dir, 'dask-fuzzy-q8');
    const run = spawnSync(PYTHON, [fuzzyScript, '--scheduler', scheduler, '--output', out, '--scores-format', 'csv', '--quantile-points', '8'], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const profileName = readdirSync(out).find((f) => f.endsWith('.json'))!;
    const profile = obj(JSON.parse(readFileSync(join(out, profileName), 'utf8')));
    const q = obj(obj(profile.metadata).quantiles);
    assert.equal(q.exact, false);
    const error = q.max_rank_error as number;
    assert.ok(error > 0 && error < 0.5, `max_rank_error ${error}`);
    // The exact quantiles from the example's values and the job's labels.
    const table = await readCsv(EXAMPLE);
    const labels = readdirSync(join(out, readdirSync(out).find((f) => f.startsWith('fuzzy_scores_'))!))
      .sort()
      .flatMap((p) => plainCsv(readFileSync(join(out, readdirSync(out).find((f) => f.startsWith('fuzzy_scores_'))!, p), 'utf8')).slice(1))
      .map((r) => ({ id: r[1], cluster: Number(r[2]) }));
    const rowOf = new Map(table.columns.find((c) => c.name === 'customer_id')!.text!.map((id, i) => [id, i]));
    let checked = 0;
    for (const [name, cluster] of Object.entries(obj(profile.clusters))) {
      const c = Number(name.slice('cluster_'.length));
      for (const [feature, stats] of Object.entries(obj(obj(cluster).feature_statistics))) {
        const column = table.columns.find((col) => col.name === feature)!;
        const values = labels.filter((l) => l.cluster === c).map((l) => column.values[rowOf.get(l.id)!]).sort((a, b) => a - b);
        for (const [key, p] of [['q25', 0.25], ['median', 0.5], ['q75', 0.75]] as const) {
          const v = obj(stats)[key] as number;
          const [lo, hi] = [quantile(values, p - error), quantile(values, p + error)];
          assert.ok(v >= lo - 1e-9 * Math.abs(lo) && v <= hi + 1e-9 * Math.abs(hi), `${name}.${feature}.${key} = ${v}, outside [${lo}, ${hi}]`);
          checked++;
        }
        // The exact statistics stay exact.
        close(obj(stats).min, values[0], 1e-12, `${name}.${feature}.min`);
        close(obj(stats).max, values[values.length - 1], 1e-12, `${name}.${feature}.max`);
      }
    }
    assert.ok(checked > 100);
  });

  test('hostile column names and levels (quotes, SQL, formulas, markup, __proto__, unicode) survive the script and its profile', async () => {
    const names = ['"; DROP TABLE x; --', `it's "quoted" \\ '''`, '__proto__', 'ünï ☃ <img src=x onerror=alert(1)>'];
    const levels = ["'''", 'a,b', '=1+1', '"""\\', '<b>☃</b>'];
    let seed = 12345;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const field = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
    const header = ['id', ...names].map(field).join(',');
    const rows = Array.from({ length: 160 }, (_, i) => {
      const group = i % 2;
      const level = levels[Math.floor(random() * levels.length)];
      return [String(i + 1), (group * 5 + random()).toFixed(4), (group * 3 + random()).toFixed(4), (random() * 10).toFixed(3), level].map(field).join(',');
    });
    const csv = join(dir, 'hostile.csv');
    writeFileSync(csv, [header, ...rows].join('\n') + '\n');
    mkdirSync(join(dir, 'hostile-parts'));
    writeFileSync(join(dir, 'hostile-parts', 'a.csv'), [header, ...rows.slice(0, 70)].join('\n') + '\n');
    writeFileSync(join(dir, 'hostile-parts', 'b.csv'), [header, ...rows.slice(70)].join('\n') + '\n');
    const model = await fit(['gmm', '--clusters', '2', '--covariance', 'diag', '--categorical', 'onehot'], csv);
    const document = JSON.parse(readFileSync(model, 'utf8'));
    assert.ok(document.features.some((f: unknown) => typeof f === 'object'), 'a one-hot feature');
    const job = await runDask(model, 'hostile', 'hostile-parts');
    // The inlined model is the model file's document, value for value.
    const load = [
      'import importlib.util, json, sys',
      'spec = importlib.util.spec_from_file_location("job", sys.argv[1])',
      'job = importlib.util.module_from_spec(spec)',
      'spec.loader.exec_module(job)',
      'print(json.dumps(json.loads(job.MODEL_JSON)))',
    ].join('\n');
    const inlined = spawnSync(PYTHON, ['-c', load, job.script], { encoding: 'utf8' });
    assert.equal(inlined.status, 0, inlined.stderr);
    assert.deepEqual(JSON.parse(inlined.stdout), document);
    const actual = compare(job, await reference(model, 'hostile', csv), new Set(), 'id');
    assert.ok(Object.keys(obj(actual.separation)).includes('__proto__'));
  });

  test('a model column the input lacks: one clear line, nothing written', async () => {
    const model = await fit(['gmm', '--clusters', '2', '--columns', 'total_revenue,recency_days']);
    mkdirSync(join(dir, 'bad'));
    writeFileSync(join(dir, 'bad', 'a.csv'), 'total_revenue,days\n1,2\n3,4\n');
    const out = join(dir, 'dask-bad');
    const run = await runCli(['dask', model, '--input', join(dir, 'bad', '*.csv'), '--output', out, '--scheduler', scheduler, '--run', '--python', PYTHON]);
    assert.equal(run.code, 1);
    assert.match(run.err, /segment-dask: the model gmm_model_\d{8}_\d{6}\.json needs the column "recency_days", which .*a\.csv|\*\.csv does not have/);
    assert.doesNotMatch(run.err, /Traceback/);
    assert.deepEqual(readdirSync(out), []);
  });
});
