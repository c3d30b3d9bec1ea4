import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import {
  applySegmentNames,
  parseSegmentNames,
  profilePair,
  replaceProfileFiles,
  reportPathFor,
  ReportWriter,
} from '../../src/engine/profile/segmentNames';
import { GaussianMixtureSegmentation } from '../../src/engine/methods/gmmSegmentation';
import { blobs } from '../helpers/data';
import { tempDir, type Ends } from '../helpers/tempDir';

const ANSWER = `## Segment Overview
Three groups…

\`\`\`json
{"segments": [
  {"cluster_id": 0, "segment_name": "Loyal Regulars", "persona": "Shops every week,\\n  rarely returns."},
  {"cluster_id": 1, "segment_name": "  Bargain Hunters "},
  {"cluster_id": 7, "segment_name": "Ghosts"},
  {"cluster_id": 1, "segment_name": "Again"}
]}
\`\`\`
`;

test('the JSON block of the answer is read defensively', () => {
  const { names, problems } = parseSegmentNames(ANSWER, [0, 1, 2]);
  assert.deepEqual(names, [
    { clusterId: 0, segmentName: 'Loyal Regulars', persona: 'Shops every week, rarely returns.' },
    { clusterId: 1, segmentName: 'Bargain Hunters', persona: null },
  ]);
  assert.deepEqual(problems, [
    'entry 3 names cluster 7, which the profile does not have',
    'cluster 1 is named twice; the first name is kept',
    'no name for cluster 2',
  ]);
  assert.throws(() => parseSegmentNames('No JSON here, sorry.', [0]), {
    code: 'INVALID_PROFILE',
    message:
      'The answer has no JSON block of segment names ({"segments": [...]}), so no names were written. The report was saved; you can add names to the YAML by hand.',
  });
});

async function exported(t: Ends) {
  const dir = tempDir(t, 'segment-names-');
  const data = blobs([[0, 0], [6, 6], [0, 6]], 20, 1, 3);
  return new GaussianMixtureSegmentation({ nClusters: 3 }).exportClusterProfile(data, { outputDir: dir, now: new Date(2026, 4, 6, 7, 8, 9) });
}

test('names go into both profile files, right after cluster_id, and JSON and YAML stay equal', async (t) => {
  const result = await exported(t);
  const { names } = parseSegmentNames(ANSWER, [0, 1, 2]);
  const named = applySegmentNames(result.profile, names);
  assert.deepEqual(Object.keys(named.clusters.cluster_0).slice(0, 4), ['cluster_id', 'segment_name', 'persona', 'size']);
  assert.deepEqual(Object.keys(named.clusters.cluster_1).slice(0, 3), ['cluster_id', 'segment_name', 'size']);
  assert.deepEqual(Object.keys(named.clusters.cluster_2), Object.keys(result.profile.clusters.cluster_2));
  assert.equal(result.profile.clusters.cluster_0.segment_name, undefined, 'the original object is not changed');

  const pair = profilePair(result.yaml);
  assert.deepEqual(pair, { json: result.json, yaml: result.yaml });
  await replaceProfileFiles(pair, named);
  const fromJson = JSON.parse(readFileSync(result.json, 'utf8'));
  assert.deepStrictEqual(load(readFileSync(result.yaml, 'utf8')), fromJson);
  assert.equal(fromJson.clusters.cluster_0.segment_name, 'Loyal Regulars');
  // Renaming again replaces rather than duplicates.
  const renamed = applySegmentNames(fromJson, [{ clusterId: 0, segmentName: 'Champions', persona: null }]);
  assert.equal(renamed.clusters.cluster_0.segment_name, 'Champions');
  assert.equal(renamed.clusters.cluster_0.persona, undefined);
  assert.deepEqual(readdirSync(join(result.json, '..')).filter((f) => f.includes('.tmp')), []);
});

test('the report streams into a temporary file and gets its name only when finished, never replacing one', async (t) => {
  const result = await exported(t);
  const target = reportPathFor(result.yaml);
  assert.equal(target, result.yaml.replace('gmm_cluster_profile_', 'gmm_segment_report_').replace(/\.yaml$/, '.md'));
  const first = await ReportWriter.create(target);
  await first.write('# Segments\n');
  await first.write('part two\n');
  assert.deepEqual(readdirSync(join(target, '..')).filter((f) => f.endsWith('.md')), [], 'no report before it is finished');
  assert.equal(await first.finish(), target);
  assert.equal(readFileSync(target, 'utf8'), '# Segments\npart two\n');
  writeFileSync(target, 'my edits\n');
  const second = await ReportWriter.create(target);
  await second.write('new\n');
  assert.equal(await second.finish(), target.replace(/\.md$/, '_2.md'));
  assert.equal(readFileSync(target, 'utf8'), 'my edits\n');
  const abandoned = await ReportWriter.create(target);
  await abandoned.write('half');
  await abandoned.abandon();
  assert.deepEqual(readdirSync(join(target, '..')).filter((f) => f.includes('segment_report')).sort(), [
    'gmm_segment_report_20260506_070809.md',
    'gmm_segment_report_20260506_070809_2.md',
  ]);
  assert.deepEqual(readdirSync(join(target, '..')).filter((f) => f.endsWith('.tmp')), []);
});

test('names are written into clusters whose fields include __proto__ or constructor, which are kept as they are', () => {
  const cluster = JSON.parse('{"cluster_id": 0, "size": 3, "__proto__": {"x": 1}, "constructor": 2, "segment_name": "old"}');
  const profile = { metadata: {}, metrics: {}, features_used: [], clusters: JSON.parse('{"__proto__": {"cluster_id": 1, "size": 1}}') };
  profile.clusters.cluster_0 = cluster;
  const named = applySegmentNames(profile, [
    { clusterId: 0, segmentName: 'Loyal spenders', persona: 'Anna, 41' },
    { clusterId: 1, segmentName: 'Odd one', persona: null },
  ]);
  assert.deepEqual(Object.keys(named.clusters), ['__proto__', 'cluster_0']);
  assert.deepEqual(Object.keys(named.clusters.cluster_0), ['cluster_id', 'segment_name', 'persona', 'size', '__proto__', 'constructor']);
  assert.deepEqual(named.clusters.cluster_0.__proto__, { x: 1 });
  assert.equal(Object.getPrototypeOf(named.clusters.cluster_0), Object.prototype);
  assert.deepEqual(JSON.parse(JSON.stringify(named)).clusters.__proto__, { cluster_id: 1, segment_name: 'Odd one', size: 1 });
});
