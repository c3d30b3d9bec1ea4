/**
 * A mixed CSV end to end through the command line (issue 12, "Bad input"): a
 * 60-level text column, Yes/No, and level names that are HTML or __proto__,
 * through every method: the profile's JSON and YAML hold the same levels,
 * free text is ignored with its count (refused when asked for), and the
 * prompt quotes the hostile levels as text.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { main } from '../../src/cli/main';
import { capture } from '../helpers/cli';
import { tempDir } from '../helpers/tempDir';

const HOSTILE = '<img src=x onerror=alert(1)>';

function mixedCsv(): string {
  const lines = ['customer_id,spend,visits,answer,plan,note'];
  for (let i = 0; i < 120; i++) {
    const plan = i >= 60 ? 'constructor' : i % 4 === 0 ? '__proto__' : `"${HOSTILE}"`;
    const spend = i < 60 ? 20 + (i % 9) : 200 + (i % 13);
    const visits = i < 60 ? 1 + (i % 2) : 8 + (i % 3);
    lines.push(`C${i},${spend},${visits},${i < 70 ? 'Yes' : 'No'},${plan},note ${i % 60}`);
  }
  return `${lines.join('\n')}\n`;
}

test('a mixed CSV through segment all: free text ignored with its count, hostile levels survive JSON and YAML, the prompt quotes them', async (t) => {
  const dir = tempDir(t, 'segment-mixed-');
  const csv = join(dir, 'mixed.csv');
  writeFileSync(csv, mixedCsv());
  const io = capture();
  assert.equal(await main(['all', csv, '-k', '2', '--out', dir, '--epochs', '5', '--backend', 'cpu', '--json'], io), 0, io.err());
  const results = JSON.parse(io.out()) as { method: string; json: string; yaml: string }[];
  assert.equal(results.length, 3);
  for (const { method, json, yaml } of results) {
    const profile = JSON.parse(readFileSync(json, 'utf8'));
    assert.deepEqual(load(readFileSync(yaml, 'utf8')), profile, `${method}: YAML equals JSON`);
    const columns = profile.metadata.columns as { name: string; kind: string; role: string; reason?: string; levels?: number }[];
    assert.deepEqual(columns.find((c) => c.name === 'note'), {
      name: 'note',
      kind: 'text',
      role: 'ignored',
      reason: 'free text (60 distinct values, more than the 50 a category may have)',
      levels: 60,
    });
    assert.deepEqual(Object.keys(profile.categorical_overview.plan), ['constructor', HOSTILE, '__proto__']);
    assert.deepEqual(Object.keys(profile.categorical_overview.answer), ['Yes', 'No']);
    const levels = profile.clusters.cluster_0.categorical_statistics.plan.levels;
    assert.ok(Object.prototype.hasOwnProperty.call(levels, '__proto__'), `${method}: __proto__ is an own key`);
    assert.equal(typeof levels.__proto__.share, 'number');
    const prompt = capture();
    assert.equal(await main(['prompt', yaml], prompt), 0, prompt.err());
    // Columns by Cramér's V (plan 1, answer 0.85); levels by lift, ties in the overall order.
    assert.match(prompt.out(), /\nDistinctive categories: plan \(described\) "<img src=x onerror=alert\(1\)>" 75% \(×2\), "__proto__" 25% \(×2\); answer \(described\) "Yes" 100% \(×1\.7\)\n/);
    assert.match(prompt.out(), /\nDistinctive categories: plan \(described\) "constructor" 100% \(×2\); answer \(described\) "No" 83% \(×2\)\n/);
    assert.ok(!/C\d+\b/.test(prompt.out().replace(/Cluster \d+/g, '')), 'no customer id');
  }
  const forced = capture();
  assert.equal(await main(['gmm', csv, '--columns', 'spend,note', '--out', dir], forced), 1);
  assert.equal(
    forced.err(),
    'segment: Column "note" has 60 distinct values, more than the 50 a category may have, so it cannot be clustered; remove it from the columns.\n',
  );
});
