/**
 * VS Code's column quick pick (issue 12.4): the worker's inspect answer gives
 * each column's kind, level count and automatic role; the picks (cluster on /
 * describe only / leave out) become the engine's options, and the engine then
 * gives every column the role picked.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { readCsvText } from '../../src/engine/data/csv';
import { prepareFeatures } from '../../src/engine/data/prepare';
import { columnChoice, describable, describedByDefault, kindText } from '../../src/extension/columnChoice';
import type { InspectColumn } from '../../src/shared/workerProtocol';
import { runWorker } from '../helpers/worker';
import { MIXED_FIXTURE } from '../helpers/mixed';

const CSV = readFileSync(MIXED_FIXTURE, 'utf8');

async function inspect(exclude: string[] = []): Promise<InspectColumn[]> {
  const messages = await runWorker({ type: 'inspect', source: { kind: 'text', text: CSV, fileName: 'mixed-customers.csv' }, prepare: { missing: 'drop', exclude } });
  const answer = messages.find((m) => m.type === 'inspected');
  assert.ok(answer && answer.type === 'inspected', JSON.stringify(messages));
  return answer.columns;
}

/** The roles the engine gives the columns for the options the picks became. */
async function roles(features: string[], described: string[], columns: InspectColumn[], settingsExclude: string[] = [], explicit = false) {
  const choice = columnChoice(columns, features, described, settingsExclude, explicit);
  const data = prepareFeatures(await readCsvText(CSV, 'mixed-customers.csv'), { ...choice, missing: 'drop' });
  return { choice, roles: Object.fromEntries(data.columns!.map((c) => [c.name, c.role])) };
}

test('the worker inspects a sample: each column in CSV order with its kind, level count and automatic role', async () => {
  const columns = await inspect();
  assert.deepEqual(
    columns.map((c) => [c.name, c.kind, c.levels ?? null, c.role, c.selected]),
    [
      ['customer_id', 'text', 150, 'id', false],
      ['age', 'numeric', null, 'feature', true],
      ['monthly_spend', 'numeric', null, 'feature', true],
      ['tenure_months', 'numeric', null, 'feature', true],
      ['churned', 'numeric', null, 'feature', true],
      ['satisfaction', 'numeric', null, 'feature', true],
      ['paperless', 'binary', 2, 'descriptor', false],
      ['contract', 'categorical', 3, 'descriptor', false],
      ['region', 'categorical', 5, 'descriptor', false],
      ['store', 'categorical', 22, 'descriptor', false],
      ['comment', 'text', 143, 'ignored', false],
    ],
  );
  assert.deepEqual(columns.map(kindText).slice(5, 11), ['numeric', 'binary · 2 levels', 'categorical · 3 levels', 'categorical · 5 levels', 'categorical · 22 levels', 'free text · 143 levels']);
  assert.equal(columns[10].reason, 'free text (143 distinct values, more than the 50 a category may have)');
});

test('the automatic picks send nothing; moving columns sends only the differences, and the engine gives each the role picked', async () => {
  const columns = await inspect();
  const automatic = ['age', 'monthly_spend', 'tenure_months', 'churned', 'satisfaction'];
  assert.deepEqual(describedByDefault(columns, automatic), ['paperless', 'contract', 'region', 'store']);
  assert.deepEqual(columnChoice(columns, automatic, ['paperless', 'contract', 'region', 'store'], []), {});

  // satisfaction: cluster on → describe only; store: describe only → leave out.
  const moved = await roles(['age', 'monthly_spend', 'tenure_months', 'churned'], ['satisfaction', 'paperless', 'contract', 'region'], columns);
  assert.deepEqual(moved.choice, { columns: ['age', 'monthly_spend', 'tenure_months', 'churned'], exclude: ['store'] });
  assert.deepEqual(moved.roles, {
    customer_id: 'id',
    age: 'feature',
    monthly_spend: 'feature',
    tenure_months: 'feature',
    churned: 'feature',
    satisfaction: 'descriptor',
    paperless: 'descriptor',
    contract: 'descriptor',
    region: 'descriptor',
    store: 'ignored',
    comment: 'ignored',
  });
  // The columns one may describe once four are clustered: the other usable ones, not the id or the free text.
  assert.deepEqual(describable(columns, ['age', 'monthly_spend', 'tenure_months', 'churned']).map((c) => c.name), ['satisfaction', 'paperless', 'contract', 'region', 'store']);

  // Keeping the automatic features but leaving contract out and no more.
  const fewer = await roles(automatic, ['paperless', 'region', 'store'], columns);
  assert.deepEqual(fewer.choice, { exclude: ['contract'] });
  assert.equal(fewer.roles.contract, 'ignored');
});

test('segment.excludeColumns stays in the automatic choice unless the column is now described; with segment.columns the features are always sent', async () => {
  const columns = await inspect(['satisfaction']);
  assert.equal(columns.find((c) => c.name === 'satisfaction')!.reason, 'excluded by request');
  const features = ['age', 'monthly_spend', 'tenure_months', 'churned'];
  const kept = await roles(features, ['paperless', 'contract', 'region', 'store'], columns, ['satisfaction']);
  assert.deepEqual(kept.choice, { exclude: ['satisfaction'] });
  assert.equal(kept.roles.satisfaction, 'ignored');
  const described = await roles(features, ['satisfaction', 'paperless', 'contract', 'region', 'store'], columns, ['satisfaction']);
  assert.deepEqual(described.choice, { describe: ['satisfaction'] });
  assert.equal(described.roles.satisfaction, 'descriptor');
  const explicit = await roles(features, ['paperless'], columns, ['satisfaction'], true);
  assert.deepEqual(explicit.choice, { columns: features, exclude: ['satisfaction', 'contract', 'region', 'store'] });
  assert.deepEqual([explicit.roles.satisfaction, explicit.roles.paperless, explicit.roles.store], ['ignored', 'descriptor', 'ignored']);
});
