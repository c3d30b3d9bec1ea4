import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { parse } from 'csv-parse/sync';
import { GaussianMixtureSegmentation } from '../../src/engine/methods/gmmSegmentation';
import { blobs } from '../helpers/data';
import { capture } from '../helpers/cli';
import { main } from '../../src/cli/main';
import { tempDir, type Ends } from '../helpers/tempDir';

const AWKWARD = ['yes', '1e3', 'a: b', 'Accessories & Footwear'];
const NOW = new Date(2026, 10, 24, 9, 30, 15);

function freshDir(t: Ends): string {
  return tempDir(t, 'segment-export-');
}

function threeBlobs() {
  return blobs(
    [
      [0, 0, 0, 0],
      [8, 8, 0, 0],
      [0, 8, 8, 8],
    ],
    30,
    1,
    11,
    AWKWARD,
  );
}

test('JSON and YAML hold the same document, awkward feature names included', async (t) => {
  const dir = freshDir(t);
  const result = await new GaussianMixtureSegmentation({ nClusters: 3 }).exportClusterProfile(threeBlobs(), { outputDir: dir, now: NOW });
  assert.equal(result.json, join(dir, 'gmm_cluster_profile_20261124_093015.json'));
  assert.equal(result.yaml, join(dir, 'gmm_cluster_profile_20261124_093015.yaml'));
  assert.equal(result.assignments, join(dir, 'gmm_assignments_20261124_093015.csv'));
  const fromJson = JSON.parse(readFileSync(result.json, 'utf8'));
  const fromYaml = load(readFileSync(result.yaml, 'utf8'));
  assert.deepStrictEqual(fromYaml, fromJson);
  assert.deepStrictEqual(fromJson, JSON.parse(JSON.stringify(result.profile)));
  assert.deepEqual(fromJson.features_used, AWKWARD);
  assert.deepEqual(Object.keys(fromJson.clusters.cluster_0.cluster_center), AWKWARD);
  const yamlText = readFileSync(result.yaml, 'utf8');
  assert.match(yamlText, /^ {6}'yes': /m, 'yes is quoted, or YAML 1.1 readers see true');
  assert.match(yamlText, /^ {6}'1e3': /m, '1e3 is quoted, or it reads as a number');
  assert.match(yamlText, /^ {6}'a: b': /m);
  assert.doesNotMatch(yamlText, /[&*]id\d/, 'no anchors or aliases');
  assert.ok(readFileSync(result.json, 'utf8').startsWith('{\n  "metadata": {\n    "method": "Gaussian Mixture Model (GMM)"'));
});

test('the assignments CSV has one row per sample, the cluster, and each cluster probability', async (t) => {
  const dir = freshDir(t);
  const data = threeBlobs();
  const result = await new GaussianMixtureSegmentation({ nClusters: 3 }).exportClusterProfile(data, { outputDir: dir, now: NOW });
  const rows: string[][] = parse(readFileSync(result.assignments, 'utf8'));
  assert.deepEqual(rows[0], ['row', 'cluster', 'prob_cluster_0', 'prob_cluster_1', 'prob_cluster_2']);
  assert.equal(rows.length, data.n + 1);
  const sizes = [0, 0, 0];
  rows.slice(1).forEach((r, i) => {
    assert.equal(r[0], String(i + 1));
    const probs = r.slice(2).map(Number);
    const cluster = Number(r[1]);
    sizes[cluster]++;
    assert.equal(probs.indexOf(Math.max(...probs)), cluster);
    assert.ok(Math.abs(probs.reduce((a, b) => a + b) - 1) < 1e-12);
  });
  assert.deepEqual(sizes, [0, 1, 2].map((c) => result.profile.clusters[`cluster_${c}`].size));
});

test('an existing file is never overwritten: the next export gets _2', async (t) => {
  const dir = freshDir(t);
  const mine = join(dir, 'gmm_cluster_profile_20261124_093015.yaml');
  writeFileSync(mine, 'my notes\n');
  const result = await new GaussianMixtureSegmentation({ nClusters: 3 }).exportClusterProfile(threeBlobs(), { outputDir: dir, now: NOW });
  assert.equal(readFileSync(mine, 'utf8'), 'my notes\n');
  assert.equal(result.json, join(dir, 'gmm_cluster_profile_20261124_093015_2.json'));
  assert.equal(result.yaml, join(dir, 'gmm_cluster_profile_20261124_093015_2.yaml'));
  assert.equal(result.assignments, join(dir, 'gmm_assignments_20261124_093015_2.csv'));
  const again = await new GaussianMixtureSegmentation({ nClusters: 3 }).exportClusterProfile(threeBlobs(), { outputDir: dir, now: NOW });
  assert.equal(again.json, join(dir, 'gmm_cluster_profile_20261124_093015_3.json'));
  assert.deepEqual(
    readdirSync(dir).filter((f) => f.startsWith('.')),
    [],
    'no temporary file is left behind',
  );
});

test('the same seed gives byte-identical files but for the timestamp', async (t) => {
  const a = await new GaussianMixtureSegmentation({ nClusters: 3, randomSeed: 5, nInit: 3 }).exportClusterProfile(threeBlobs(), {
    outputDir: freshDir(t),
    now: NOW,
  });
  const later = new Date(2026, 10, 25, 10, 0, 0);
  const b = await new GaussianMixtureSegmentation({ nClusters: 3, randomSeed: 5, nInit: 3 }).exportClusterProfile(threeBlobs(), {
    outputDir: freshDir(t),
    now: later,
  });
  const strip = (text: string) => text.replace(/"?timestamp"?: "?[^"\n]+"?/, 'timestamp');
  assert.equal(strip(readFileSync(a.json, 'utf8')), strip(readFileSync(b.json, 'utf8')));
  assert.equal(strip(readFileSync(a.yaml, 'utf8')), strip(readFileSync(b.yaml, 'utf8')));
  assert.equal(readFileSync(a.assignments, 'utf8'), readFileSync(b.assignments, 'utf8'));
  assert.notEqual(a.profile.metadata.timestamp, b.profile.metadata.timestamp);
});

test('an output folder that cannot be created is a clear error and nothing is written', async (t) => {
  const dir = freshDir(t);
  const blocker = join(dir, 'file');
  writeFileSync(blocker, 'x');
  await assert.rejects(
    new GaussianMixtureSegmentation({ nClusters: 3 }).exportClusterProfile(threeBlobs(), { outputDir: join(blocker, 'sub'), now: NOW }),
    {
      name: 'SegmentError',
      code: 'OUTPUT_NOT_WRITABLE',
      message: `Cannot write the profile files to ${join(blocker, 'sub')}: a file stands where the folder should be. Choose another output folder; nothing was written.`,
    },
  );
  assert.deepEqual(readdirSync(dir), ['file']);
});

test('columns named __proto__, constructor and toString are keys like any other: the export works and JSON equals YAML', async (t) => {
  const dir = tempDir(t, 'segment-proto-');
  const csv = join(dir, 'hostile.csv');
  const rows = ['x,__proto__,constructor,toString'];
  for (let i = 0; i < 40; i++) rows.push(`${i % 7}.5,${(i * 3) % 11}.25,${(i * 5) % 13}.5,${i % 2 ? 10 : 1}.75`);
  writeFileSync(csv, `${rows.join('\n')}\n`);
  const io = capture();
  assert.equal(await main(['gmm', csv, '-k', '2', '--out', dir, '--json'], io), 0, io.err());
  const report = JSON.parse(io.out());
  const json = JSON.parse(readFileSync(report.json, 'utf8'));
  assert.deepEqual(json.features_used, ['x', '__proto__', 'constructor', 'toString']);
  assert.deepEqual(Object.keys(json.clusters.cluster_0.cluster_center), ['x', '__proto__', 'constructor', 'toString']);
  assert.equal(Object.getPrototypeOf(json.clusters.cluster_0.feature_statistics), Object.prototype);
  assert.deepEqual(load(readFileSync(report.yaml, 'utf8')), json);
});

test('a folder that cannot be made (under /proc) is refused at once, nothing written', async () => {
  const io = capture();
  assert.equal(await main(['gmm', join(__dirname, '..', '..', 'examples', 'customers.csv'), '--out', '/proc/segment-test/out'], io), 1);
  assert.equal(
    io.err(),
    'segment: Cannot write the profile files to /proc/segment-test/out: a folder cannot be created there. Choose another output folder; nothing was written.\n',
  );
});

test('temporary files left by a killed export are swept at the next export in that folder; a running one\'s are kept', async (t) => {
  const dir = tempDir(t, 'segment-sweep-');
  const dead = spawnSync(process.execPath, ['-e', '']).pid;
  const stale = `.segment-${dead}-1700000000000-0.tmp`;
  const live = `.segment-${process.ppid}-1700000000000-0.tmp`;
  writeFileSync(join(dir, stale), 'half a profile');
  writeFileSync(join(dir, live), 'being written');
  await new GaussianMixtureSegmentation({ nClusters: 3 }).exportClusterProfile(threeBlobs(), { outputDir: dir, now: NOW });
  const names = readdirSync(dir);
  assert.ok(!names.includes(stale), 'the dead process\'s file is gone');
  assert.ok(names.includes(live), 'a running process\'s file stays');
  assert.equal(names.filter((n) => !n.startsWith('.')).length, 3);
});
