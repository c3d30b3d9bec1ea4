import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import { buildSegmentPrompt, estimateTokens } from '../../src/engine/llm/prompt';
import { loadDataset, loadDatasetFromText } from '../../src/engine/data/dataset';
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

test('the budget holds: the least separating columns go first, and the prompt says so', async () => {
  const { gmm } = await exampleProfiles();
  const full = buildSegmentPrompt(gmm);
  assert.doesNotMatch(full.text, /columns are shown/);
  // 24 features and 4 categorical columns described (first_name, city, loyalty_tier, favourite_store).
  assert.deepEqual([full.columnsShown, full.columnsTotal, full.featuresShown, full.featuresTotal], [28, 28, 24, 24]);
  let previous = full.columnsShown;
  for (const budget of [2400, 2000, 1800, 1500, 1200, 1000]) {
    const prompt = buildSegmentPrompt(gmm, { maxTokens: budget });
    assert.ok(prompt.estimatedTokens <= budget, `${prompt.estimatedTokens} ≤ ${budget}`);
    assert.equal(prompt.estimatedTokens, estimateTokens(prompt.text));
    assert.ok(prompt.columnsShown <= previous);
    previous = prompt.columnsShown;
    if (prompt.columnsShown < 28) {
      assert.match(
        prompt.text,
        new RegExp(`Only ${prompt.columnsShown} of 28 columns are shown: the ${28 - prompt.columnsShown} that separate the clusters least were left out`),
      );
    }
  }
  // Cramér's V ranks the categorical columns among the features: loyalty_tier (0.65) stays where city (0.15) goes.
  const mid = buildSegmentPrompt(gmm, { maxTokens: 2000 });
  assert.ok(mid.columnsShown < 28 && mid.columnsShown > 3, String(mid.columnsShown));
  assert.match(mid.text, /Distinctive categories: loyalty_tier \(described\) "Platinum"/);
  assert.doesNotMatch(mid.text, /city \(described\)/);
  // Which features survive a tight budget: the ones with the largest between-cluster share.
  const tight = buildSegmentPrompt(gmm, { maxTokens: 1000 });
  assert.ok(tight.featuresShown < 24 && tight.featuresShown >= 3);
  assert.match(tight.text, /dept_total_value_Womenswear/);
  assert.doesNotMatch(tight.text, /count_size_XL/);
  assert.throws(() => buildSegmentPrompt(gmm, { maxTokens: 100 }), { code: 'INVALID_OPTION' });
});

test('no customer id or row leaks into the prompt: a level is named only when at least 5 customers share it', async () => {
  const profiles = await exampleProfiles();
  const rows: Record<string, string>[] = parse(readFileSync(EXAMPLE, 'utf8'), { columns: true });
  const count = (column: string, value: string) => rows.filter((row) => row[column] === value).length;
  for (const profile of Object.values(profiles)) {
    const text = buildSegmentPrompt(profile).text;
    let named = 0;
    for (const row of rows) {
      assert.ok(!text.includes(row.customer_id), `id ${row.customer_id} leaked`);
      assert.ok(!text.includes(row.signup_date), `signup date ${row.signup_date} leaked`);
      for (const column of ['first_name', 'city', 'loyalty_tier', 'favourite_store']) {
        if (!text.includes(JSON.stringify(row[column]))) continue;
        named++;
        assert.ok(count(column, row[column]) >= 5, `${column} ${row[column]} is held by ${count(column, row[column])} customers`);
      }
    }
    assert.ok(named > 0);
    assert.doesNotMatch(text, /"min"|"max"|q25|q75/);
  }
});

test('a level few customers share is never named, hostile levels are quoted text, described numbers give their mean', async () => {
  const lines = ['spend,visits,plan,note,score'];
  for (let i = 0; i < 60; i++) {
    const plan = i === 7 ? 'Solo Customer Plan' : i < 30 ? '<img src=x onerror=alert(1)>' : i % 2 ? '__proto__' : '"Basic, ""Plus"""';
    lines.push(`${i < 30 ? 10 + (i % 5) : 90 + (i % 7)},${i % 4},${plan},n${i % 3},${i < 30 ? 3 : 8}`);
  }
  const data = await loadDatasetFromText(`${lines.join('\n')}\n`, 'plans.csv', { describe: ['score'] });
  const profile = await new GaussianMixtureSegmentation({ nClusters: 2 }).generateClusterProfile(data, {}, NOW);
  const text = buildSegmentPrompt(profile).text;
  assert.doesNotMatch(text, /Solo Customer Plan/);
  assert.match(text, /Distinctive categories: plan \(described\) "<img src=x onerror=alert\(1\)>" \d+% \(×\d/);
  assert.match(text, /"__proto__" \d+% \(×\d/);
  assert.match(text, /"Basic, \\"Plus\\"" \d+%/);
  assert.match(text, /\nDescribed, not clustered \(mean\): score (3|8)\n/);
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

test('a profile of numbers only gets the prompt it always had: no category lines, features counted as features', async () => {
  const lines = ['spend,visits'];
  for (let i = 0; i < 40; i++) lines.push(`${i < 20 ? 10 + (i % 5) : 90 + (i % 7)},${i % 4}`);
  const data = await loadDatasetFromText(`${lines.join('\n')}\n`, 'numbers.csv');
  const profile = await new GaussianMixtureSegmentation({ nClusters: 2 }).generateClusterProfile(data, {}, NOW);
  const prompt = buildSegmentPrompt(profile);
  assert.deepEqual([prompt.featuresShown, prompt.featuresTotal, prompt.columnsShown, prompt.columnsTotal], [2, 2, 2, 2]);
  assert.doesNotMatch(prompt.text, /Categorical columns|Distinctive categories|All customers by category|Described, not clustered/);
  assert.match(prompt.text, /\nAverage customer: (spend|visits) [^;]+; (spend|visits) [^\n]+\n/);
});
