import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import { buildSegmentPrompt, estimateTokens } from '../../src/engine/llm/prompt';
import { loadDataset } from '../../src/engine/data/dataset';
import { GaussianMixtureSegmentation } from '../../src/engine/methods/gmmSegmentation';
import { FuzzyCMeansSegmentation } from '../../src/engine/methods/fuzzySegmentation';

const ROOT = resolve(__dirname, '..', '..');
const EXAMPLE = join(ROOT, 'examples', 'customers.csv');
const NOW = new Date(2026, 0, 1, 12, 0, 0);

async function exampleProfiles() {
  const data = await loadDataset(EXAMPLE);
  return {
    gmm: await new GaussianMixtureSegmentation().generateClusterProfile(data, {}, NOW),
    fuzzy: await new FuzzyCMeansSegmentation().generateClusterProfile(data, {}, NOW),
  };
}

test('golden prompts for the example profiles (UPDATE_GOLDEN=1 rewrites them)', async () => {
  const profiles = await exampleProfiles();
  for (const [method, profile] of Object.entries(profiles)) {
    const prompt = buildSegmentPrompt(profile);
    const file = join(ROOT, 'test', 'fixtures', 'prompts', `${method}.md`);
    if (process.env.UPDATE_GOLDEN) writeFileSync(file, prompt.text);
    assert.ok(existsSync(file), `${file} is missing: run the test with UPDATE_GOLDEN=1 once`);
    assert.equal(prompt.text, readFileSync(file, 'utf8'), `${method} prompt differs from ${file}`);
    assert.equal(prompt.featuresShown, 24);
    assert.deepEqual(prompt.clusterIds, [0, 1, 2, 3]);
    assert.match(prompt.text, /^You are a data analyst specializing in customer segmentation\./);
    assert.match(prompt.text, /1\. \*\*Segment Names\*\*[\s\S]*4\. \*\*Business Insights\*\*/);
    assert.match(prompt.text, /- Segment Overview\n- Detailed Analysis per Cluster\n- Cross-Cluster Comparisons\n- Actionable Recommendations/);
  }
});

test('the budget holds: the least separating features go first, and the prompt says so', async () => {
  const { gmm } = await exampleProfiles();
  const full = buildSegmentPrompt(gmm);
  assert.doesNotMatch(full.text, /features are shown/);
  let previous = full.featuresShown;
  for (const budget of [1800, 1500, 1200, 1000]) {
    const prompt = buildSegmentPrompt(gmm, { maxTokens: budget });
    assert.ok(prompt.estimatedTokens <= budget, `${prompt.estimatedTokens} ≤ ${budget}`);
    assert.equal(prompt.estimatedTokens, estimateTokens(prompt.text));
    assert.ok(prompt.featuresShown <= previous);
    previous = prompt.featuresShown;
    if (prompt.featuresShown < 24) {
      assert.match(
        prompt.text,
        new RegExp(`Only ${prompt.featuresShown} of 24 features are shown: the ${24 - prompt.featuresShown} that separate the clusters least were left out`),
      );
    }
  }
  // Which features survive a tight budget: the ones with the largest between-cluster share.
  const tight = buildSegmentPrompt(gmm, { maxTokens: 1000 });
  assert.ok(tight.featuresShown < 24 && tight.featuresShown >= 3);
  assert.match(tight.text, /dept_total_value_Womenswear/);
  assert.doesNotMatch(tight.text, /count_size_XL/);
  assert.throws(() => buildSegmentPrompt(gmm, { maxTokens: 100 }), { code: 'INVALID_OPTION' });
});

test('no customer id or row value leaks into the prompt', async () => {
  const profiles = await exampleProfiles();
  const rows: Record<string, string>[] = parse(readFileSync(EXAMPLE, 'utf8'), { columns: true });
  for (const profile of Object.values(profiles)) {
    const text = buildSegmentPrompt(profile).text;
    for (const row of rows) {
      assert.ok(!text.includes(row.customer_id), `id ${row.customer_id} leaked`);
      assert.ok(!text.includes(row.first_name), `name ${row.first_name} leaked`);
      assert.ok(!text.includes(row.city), `city ${row.city} leaked`);
    }
    assert.doesNotMatch(text, /"min"|"max"|q25|q75/);
  }
});

test('names written back into the profile are part of the prompt; a broken profile is a clear error', async () => {
  const { gmm } = await exampleProfiles();
  const named = JSON.parse(JSON.stringify(gmm));
  named.clusters.cluster_2.segment_name = 'Fashion Enthusiasts';
  assert.match(buildSegmentPrompt(named).text, /## Cluster 2 \("Fashion Enthusiasts"\): 56 customers/);
  assert.throws(() => buildSegmentPrompt({ hello: 'world' }), {
    code: 'INVALID_PROFILE',
    message: /^This is not a cluster profile Segment can read: /,
  });
});
