/**
 * The one profile reader (src/shared/profile/parse.ts), on its own and
 * through `segment prompt`: a BOM, the limits on size, YAML aliases and
 * nesting, plain data only, and a clear refusal of a document that is not a
 * profile.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { openSync, closeSync, ftruncateSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { PROFILE_LIMITS, aboutFile, parseProfileBytes, parseProfileText, sizeError, whyNotAProfile } from '../../src/shared/profile/parse';
import { runCli } from '../helpers/cli';
import { tempDir } from '../helpers/tempDir';
import { clone, exampleGmm } from '../panel/fixtures';

const freshDir = () => tempDir({ after }, 'segment-reader-');

/** A cluster of two features with every number written as text. */
function textCluster(id: number, size: number, revenue: [number, number], recency: [number, number]) {
  return {
    cluster_id: String(id),
    size: String(size),
    percentage: String(Math.round((10000 * size) / 300) / 100),
    cluster_center: { total_revenue: String(revenue[0]), recency_days: String(recency[0]) },
    feature_statistics: {
      total_revenue: { mean: String(revenue[0]), std: String(revenue[1]) },
      recency_days: { mean: String(recency[0]), std: String(recency[1]) },
    },
  };
}

/** A small profile whose every number is written as text, as a spreadsheet or a careless script may save it. */
const NUMBERS_AS_TEXT = {
  metadata: { method: 'Gaussian Mixture Model (GMM)', n_clusters: '2', n_samples: '300', source_file: 'customers.csv' },
  metrics: { silhouette_score: '0.41' },
  features_used: ['total_revenue', 'recency_days'],
  clusters: { cluster_0: textCluster(0, 200, [1520.5, 310.2], [12, 4.1]), cluster_1: textCluster(1, 100, [310, 80.5], [95, 20]) },
};

test('segment prompt reads a JSON profile with a UTF-8 BOM, as the panel does', async () => {
  const dir = freshDir();
  const text = JSON.stringify(await exampleGmm(), null, 2);
  const plain = join(dir, 'gmm_cluster_profile_20261124_094838.json');
  const bom = join(dir, 'bom_cluster_profile_20261124_094838.json');
  writeFileSync(plain, text);
  writeFileSync(bom, `\ufeff${text}`);
  const withBom = await runCli(['prompt', bom]);
  assert.equal(withBom.code, 0, withBom.err);
  assert.equal(withBom.out, (await runCli(['prompt', plain])).out);
  assert.match(withBom.out, /## Cluster 0: \d+ customers/);
});

test('segment prompt refuses a 124 KB YAML whose cluster is aliased 2,000 times, before expanding it', async () => {
  const dir = freshDir();
  const features = Array.from({ length: 790 }, (_, j) => `feature_${j}`);
  const cluster = {
    cluster_id: 0,
    size: 10,
    cluster_center: Object.fromEntries(features.map((f) => [f, 1.5])),
    feature_statistics: Object.fromEntries(features.map((f) => [f, { mean: 1.5, median: 1.5, std: 0.25 }])),
  };
  const head = dump({ metadata: { method: 'Gaussian Mixture Model (GMM)', n_clusters: 2001 }, features_used: features });
  const anchored = dump({ clusters: { cluster_0: cluster } }).replace(/^ {2}cluster_0:\n/m, '  cluster_0: &c\n');
  const aliases = Array.from({ length: 2000 }, (_, i) => `  cluster_${i + 1}: *c\n`).join('');
  const file = join(dir, 'aliased_cluster_profile_20261124_094838.yaml');
  writeFileSync(file, head + anchored + aliases);
  assert.equal(Math.round(statSync(file).size / 1024), 124, `${statSync(file).size} bytes`);
  const run = await runCli(['prompt', file]);
  assert.equal(run.code, 1);
  assert.equal(run.err, 'segment: aliased_cluster_profile_20261124_094838.yaml has more than 1,000 YAML aliases, more than any cluster profile (Segment writes none).\n');
  assert.equal(run.out, '');
});

test('segment prompt refuses a 60 MB profile without reading it, naming the limit', async () => {
  const file = join(freshDir(), 'huge_cluster_profile_20261124_094838.json');
  const fd = openSync(file, 'w');
  ftruncateSync(fd, 60 * 1024 * 1024); // sparse: 60 MB on paper, nothing on disk
  closeSync(fd);
  const run = await runCli(['prompt', file]);
  assert.equal(run.code, 1);
  assert.equal(run.err, 'segment: huge_cluster_profile_20261124_094838.json is too large (60 MB; Segment reads profiles of up to 50 MB).\n');
});

test('segment prompt refuses JSON nested 10,000 deep', async () => {
  const file = join(freshDir(), 'deep_cluster_profile_20261124_094838.json');
  writeFileSync(file, `{"clusters": {"cluster_0": {"size": 1, "persona": ${'['.repeat(10_000)}${']'.repeat(10_000)}}}}`);
  const run = await runCli(['prompt', file]);
  assert.equal(run.code, 1);
  assert.equal(run.err, 'segment: deep_cluster_profile_20261124_094838.json is nested more than 64 levels deep, deeper than any cluster profile.\n');
});

test('segment prompt on a profile whose numbers are text exits 1 and says so, instead of printing an empty prompt', async () => {
  const dir = freshDir();
  const file = join(dir, 'text_cluster_profile_20261124_094838.json');
  writeFileSync(file, JSON.stringify(NUMBERS_AS_TEXT, null, 2));
  const run = await runCli(['prompt', file]);
  assert.equal(run.code, 1);
  assert.equal(
    run.err,
    'segment: text_cluster_profile_20261124_094838.json is not a cluster profile Segment can read: ' +
      'clusters.cluster_0.size should be a number but is the text "200" (and 13 more values in clusters are text, not numbers).\n',
  );
  assert.equal(run.out, '');
  // A real export with every number written as text: the same refusal, in YAML too.
  const real = JSON.parse(JSON.stringify(await exampleGmm(), (_, v: unknown) => (typeof v === 'number' ? String(v) : v)));
  const yaml = join(dir, 'texts_cluster_profile_20261124_094838.yaml');
  writeFileSync(yaml, dump(real));
  const fromYaml = await runCli(['prompt', yaml]);
  assert.equal(fromYaml.code, 1);
  assert.match(fromYaml.err, /^segment: texts_cluster_profile_20261124_094838\.yaml is not a cluster profile Segment can read: clusters\.cluster_0\.size should be a number but is the text "\d+" \(and [\d,]+ more values in clusters are text, not numbers\)\.\n$/);
});

test('segment prompt names what is missing: no clusters, an empty file, broken JSON', async () => {
  const dir = freshDir();
  const cases: [string, string, string][] = [
    ['none_cluster_profile_x.json', '{"metadata": {"method": "GMM"}}', 'none_cluster_profile_x.json is not a cluster profile Segment can read: it has no "clusters" section.'],
    ['list_cluster_profile_x.yaml', '- 1\n- 2\n', 'list_cluster_profile_x.yaml is not a cluster profile Segment can read: it is a list of 2, not a mapping of metadata, metrics, features_used and clusters.'],
    ['empty_cluster_profile_x.yaml', '\ufeff\n  \n', 'empty_cluster_profile_x.yaml is empty.'],
    ['latin1_cluster_profile_x.json', '{"a": "caf\u00e9"}', 'latin1_cluster_profile_x.json is not UTF-8 text.'],
  ];
  for (const [name, text, message] of cases) {
    const file = join(dir, name);
    writeFileSync(file, text, name.startsWith('latin1') ? 'latin1' : 'utf8');
    const run = await runCli(['prompt', file]);
    assert.equal(run.code, 1, name);
    assert.equal(run.err, `segment: ${message}\n`);
  }
});

test('the reader: plain data only, "__proto__" an ordinary key, YAML\'s non-finite numbers as text', () => {
  const json = parseProfileText('{"__proto__": {"polluted": true}, "constructor": 1, "a": [1, {"b": null}]}', 'x.json');
  assert.equal(json.error, undefined);
  const doc = json.profile as Record<string, unknown>;
  assert.deepEqual(Object.keys(doc), ['__proto__', 'constructor', 'a']);
  assert.equal(Object.getPrototypeOf(doc), Object.prototype);
  assert.deepEqual(Object.getOwnPropertyDescriptor(doc, '__proto__')?.value, { polluted: true });
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  const yaml = parseProfileText('__proto__:\n  polluted: true\nbig: .inf\nwhen: 2026-11-24\n', 'x.yaml');
  const y = yaml.profile as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(y), Object.prototype);
  assert.deepEqual(Object.keys(y), ['__proto__', 'big', 'when']);
  assert.equal(y.big, 'Infinity');
  assert.equal(typeof y.when, 'string');
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test('the reader\'s limits and messages, as the panel shows them after the file name', () => {
  const bytes = new TextEncoder().encode('\ufeff{"clusters": {}}');
  assert.deepEqual(parseProfileBytes(bytes, 'a.json'), { profile: { clusters: {} } });
  assert.deepEqual(parseProfileBytes(new Uint8Array([0x7b, 0xff, 0x7d]), 'a.json'), { error: 'it is not UTF-8 text' });
  assert.equal(sizeError(PROFILE_LIMITS.bytes), undefined);
  assert.equal(sizeError(PROFILE_LIMITS.bytes + 1), 'it is too large (50 MB; Segment reads profiles of up to 50 MB)');
  assert.deepEqual(parseProfileText('a: [\n', 'a.yaml').error?.startsWith('it is not valid YAML: '), true);
  assert.deepEqual(parseProfileText('{"a": ', 'a.json').error?.startsWith('it is not valid JSON: '), true);
  assert.equal(parseProfileText(`a: ${'['.repeat(100)}${']'.repeat(100)}\n`, 'a.yaml').error, 'it is nested more than 64 levels deep, deeper than any cluster profile');
  assert.equal(parseProfileText('metadata: &m\n  self: *m\n', 'a.yaml').error, 'it contains itself (a YAML alias inside its own anchor)');
  const levels = ['a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1]'];
  for (let i = 1; i < 8; i++) levels.push(`${'abcdefgh'[i]}: &${'abcdefgh'[i]} [${Array(9).fill(`*${'abcdefgh'[i - 1]}`).join(', ')}]`);
  assert.equal(parseProfileText(levels.join('\n'), 'a.yaml').error, 'it holds more than 2,000,000 values (YAML aliases expanded), more than any cluster profile');
  assert.equal(aboutFile('a.yaml', 'it is empty'), 'a.yaml is empty');
  assert.equal(aboutFile('a.yaml', 'the file is no longer there'), 'a.yaml: the file is no longer there');
});

test('whyNotAProfile: a real export is a profile; text where numbers belong, no clusters or no numbers is not', async () => {
  const gmm = await exampleGmm();
  assert.equal(whyNotAProfile(gmm), undefined);
  const asList = clone(gmm) as unknown as Record<string, unknown>;
  asList.clusters = Object.values(gmm.clusters);
  assert.equal(whyNotAProfile(asList), undefined, 'clusters as a list: the panel reads them in order, so does the prompt');
  assert.equal(whyNotAProfile(NUMBERS_AS_TEXT), 'clusters.cluster_0.size should be a number but is the text "200" (and 13 more values in clusters are text, not numbers)');
  assert.equal(whyNotAProfile({ clusters: {} }), 'its "clusters" section has no clusters');
  assert.equal(whyNotAProfile({ clusters: 'four' }), 'its "clusters" section should be a mapping of cluster_0, cluster_1, … but is the text "four"');
  assert.equal(whyNotAProfile({ clusters: { cluster_0: 7 } }), 'clusters.cluster_0 should be a mapping but is the number 7');
  assert.equal(whyNotAProfile({ clusters: { cluster_0: { cluster_center: { a: 1 } } } }), 'clusters.cluster_0.size is missing');
  assert.equal(whyNotAProfile({ clusters: { cluster_0: { size: null } } }), 'clusters.cluster_0.size should be a number but is empty (null)');
  assert.equal(whyNotAProfile({ clusters: { cluster_0: { size: 3 } } }), 'clusters.cluster_0 has no numbers in cluster_center or feature_statistics');
  const oneText = clone(gmm);
  (oneText.clusters.cluster_1.cluster_center as Record<string, unknown>).total_revenue = '1,234.5';
  assert.equal(whyNotAProfile(oneText), 'clusters.cluster_1.cluster_center.total_revenue should be a number but is the text "1,234.5"');
});
