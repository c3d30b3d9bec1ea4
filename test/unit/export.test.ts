import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { parse } from 'csv-parse/sync';
import { GaussianMixtureSegmentation } from '../../src/engine/methods/gmmSegmentation';
import { assignmentsCsv, assignmentsCsvText, spreadsheetSafe } from '../../src/engine/profile/assignments';
import { csvField } from '../../src/engine/profile/export';
import { WAVE_ROWS, rowTailsTuning } from '../../src/engine/profile/rowTails';
import { engineThreadStats, threadTuning } from '../../src/engine/kernels/threads';
import { readCsvText } from '../../src/engine/data/csv';
import { prepareFeatures } from '../../src/engine/data/prepare';
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

/** The assignments CSV of a small file, with made-up labels and one score column. */
async function assignmentsOf(text: string): Promise<string> {
  const data = prepareFeatures(await readCsvText(text, 'customers.csv'));
  const labels = Int32Array.from({ length: data.n }, (_, i) => i % 2);
  const scores = { columns: ['distance_to_center'], values: Float64Array.from({ length: data.n }, (_, i) => i / 4) };
  return assignmentsCsvText(data, labels, scores);
}

test('the assignments CSV starts with row (the data-row number), then the id column under its own name, then cluster', async () => {
  // Row 2 is dropped for its missing spend: the row numbers say which CSV rows the others are.
  const csv = await assignmentsOf('customer_id,age,spend\nC1,30,1.5\nC2,31,\nC3,40,2.5\nC4,41,3\n');
  assert.equal(csv, 'row,customer_id,cluster,distance_to_center\n1,C1,0,0\n3,C3,1,0.25\n4,C4,0,0.5\n');
});

for (const threads of [1, 2]) test(`the assignments CSV writes every number as String(x) does, and ids as UTF-8, across chunks and waves, per-row columns last (${threads} thread${threads > 1 ? 's' : ''})`, () => {
  const awkward = [
    0, -0, 1, -1, 0.25, NaN, Infinity, -Infinity, 2 ** 31 - 1, 2 ** 31, -(2 ** 31), -(2 ** 31) + 1, 1e21, -1.2345678901234567e20,
    1e-7, -1.2345678901234567e-6, 1e-7 - 2 ** -76, 5e-324, -2.2250738585072014e-308, 1.7976931348623157e308, 0.9999999999896936, 22.42041908030237,
  ];
  const ids = ['C1', 'Zoë', '東京', 'a,b', 'say "hi"', '=1+2', '-3.5', '\ud800', ''];
  const n = 70_000;
  const width = 3;
  const values = Float64Array.from({ length: n * width }, (_, i) => (i % 7 === 0 ? awkward[(i / 7) % awkward.length] : Math.sin(i) * 10 ** ((i % 41) - 20)));
  const data = {
    n,
    rowNumbers: Int32Array.from({ length: n }, (_, i) => 2 * i + 1),
    idColumn: 'customer_id',
    ids: Array.from({ length: n }, (_, i) => ids[i % ids.length]),
  } as unknown as Parameters<typeof assignmentsCsvText>[0];
  const labels = Int32Array.from({ length: n }, (_, i) => i % 5);
  const logLikelihoods = Float64Array.from({ length: n }, (_, i) => -Math.log1p(i) * 3.7);
  const flags = Uint8Array.from({ length: n }, (_, i) => i % 3 & 1);
  // The numbers of two of the waves formatted by an engine thread, where asked.
  rowTailsTuning.minRows = 0;
  threadTuning.awaitStart = true;
  const before = engineThreadStats().chunksByThreads;
  let chunks: Buffer[];
  try {
    // Each chunk copied as it comes: the next reuses its buffer.
    chunks = Array.from(assignmentsCsv(data, labels, { columns: ['a', 'b', 'c', 'log_likelihood', 'unusual'], values, perRow: [logLikelihoods, flags] }, threads), (chunk) => Buffer.from(chunk));
  } finally {
    delete rowTailsTuning.minRows;
    delete threadTuning.awaitStart;
  }
  if (threads > 1) assert.ok(engineThreadStats().chunksByThreads > before, 'the engine thread formatted chunks');
  assert.ok(chunks.length > 1, 'the table spans several chunks');
  assert.ok(n > 2 * WAVE_ROWS, 'and several waves');
  // The table as text made the plain way: String(x) of every number, the text encoded as UTF-8.
  let expected = 'row,customer_id,cluster,a,b,c,log_likelihood,unusual\n';
  for (let i = 0; i < n; i++) {
    expected += `${2 * i + 1},${csvField(spreadsheetSafe(ids[i % ids.length]))},${i % 5}`;
    for (let c = 0; c < width; c++) expected += `,${values[i * width + c]}`;
    expected += `,${logLikelihoods[i]},${flags[i]}\n`;
  }
  assert.ok(Buffer.concat(chunks).equals(Buffer.from(expected, 'utf8')));
});

test('without an id column the assignments CSV starts with row, then cluster', async () => {
  const csv = await assignmentsOf('age,spend\n30,1.5\n30,2.5\n40,2.5\n');
  assert.equal(csv, 'row,cluster,distance_to_center\n1,0,0\n2,1,0.25\n3,0,0.5\n');
});

test('ids a spreadsheet would run as a formula get a leading quote; plain numbers do not (issue 11.10)', async () => {
  const csv = await assignmentsOf(
    [
      'customer_id,age,spend',
      '"=HYPERLINK(""http://x"",""y"")",30,1.5',
      '+1-2,31,2',
      '-3.5,40,2.5',
      '@SUM(A1),41,3',
      '"\t=1",42,3.5',
      '"\r=2",43,4',
      '-cmd,44,4.5',
      'C8,45,5',
    ].join('\n') + '\n',
  );
  assert.equal(
    csv,
    [
      'row,customer_id,cluster,distance_to_center',
      `1,"'=HYPERLINK(""http://x"",""y"")",0,0`,
      "2,'+1-2,1,0.25",
      '3,-3.5,0,0.5',
      "4,'@SUM(A1),1,0.75",
      // The reader trims the tab and the carriage return, but not the formula after them.
      "5,'=1,0,1",
      "6,'=2,1,1.25",
      "7,'-cmd,0,1.5",
      '8,C8,1,1.75',
    ].join('\n') + '\n',
  );
});

test('a leading tab or carriage return is quoted too, as OWASP lists them', () => {
  assert.deepEqual(['\t=1', '\r=2', '\tplain', '-', '=', ''].map(spreadsheetSafe), ["'\t=1", "'\r=2", "'\tplain", "'-", "'=", '']);
});

test('a numeric id column keeps its negative numbers as they are, and a formula-like id column name is quoted too', async () => {
  assert.equal(await assignmentsOf('id,age\n-3,30\n-4,31\n+5,30\n'), 'row,id,cluster,distance_to_center\n1,-3,0,0\n2,-4,1,0.25\n3,+5,0,0.5\n');
  assert.equal(
    await assignmentsOf('=cmd_id,age\nA,30\nB,31\nC,30\n'),
    "row,'=cmd_id,cluster,distance_to_center\n1,A,0,0\n2,B,1,0.25\n3,C,0,0.5\n",
  );
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
  assert.equal(names.filter((n) => !n.startsWith('.')).length, 4);
});
