/**
 * The heat map's rows (src/shared/profile/heatmap.ts heatRows, orderHeatRows):
 * every column clustered or described, numeric and categorical together,
 * ordered by the root `separation`; a categorical column as its most
 * distinctive level's share per cluster, coloured by lift; descriptors
 * marked as not clustered. Checked against the CSV's own rows.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadDataset } from '../../src/engine/data/dataset';
import type { PrepareOptions } from '../../src/engine/data/prepare';
import { GaussianMixtureSegmentation } from '../../src/engine/methods/gmmSegmentation';
import { HEAT_LIFT_CAP, HEAT_Z_CAP, buildProfileView, orderHeatRows, type ProfileView } from '../../src/shared/profile';
import { formatSigned } from '../../src/shared/format';

const MIXED_CSV = join(__dirname, '..', '..', 'examples', 'customers_mixed.csv');

type Raw = Record<string, unknown> & {
  separation: Record<string, { measure: string; value: number }>;
  categorical_overview: Record<string, Record<string, { count: number; share?: number }>>;
  clusters: Record<string, { size: number; categorical_statistics: Record<string, { levels: Record<string, { count: number; share?: number; lift?: number }> }> }>;
};

async function mixed(prepare: PrepareOptions): Promise<{ raw: Raw; view: ProfileView; labels: Int32Array; values: (name: string) => Float64Array }> {
  const data = await loadDataset(MIXED_CSV, prepare);
  const gmm = new GaussianMixtureSegmentation({ nClusters: 4, randomSeed: 42 });
  const profile = await gmm.generateClusterProfile(data, {}, new Date(2026, 0, 1));
  const raw = JSON.parse(JSON.stringify(profile)) as Raw;
  const view = buildProfileView({ path: 'gmm_cluster_profile_20260101_000000.json', profile: raw }, 0);
  const labels = await gmm.fitPredict(data);
  const values = (name: string) => data.numericDescriptors!.find((d) => d.name === name)!.values;
  return { raw, view, labels, values };
}

test('every column clustered or described is a row, by the root separation (η² and Cramér’s V together), descriptors not clustered', async () => {
  const { raw, view } = await mixed({ describe: ['tenure_months'] });
  assert.deepEqual(view.problems, []);
  const byValue = Object.entries(raw.separation)
    .sort(([, a], [, b]) => b.value - a.value)
    .map(([name]) => name);
  const [all] = orderHeatRows(view.heatRows, 'separation', false);
  assert.deepEqual(all.rows.map((r) => view.heatRows[r].name), byValue);
  assert.deepEqual(all.rows.map((r) => view.heatRows[r].separation), byValue.map((name) => raw.separation[name].value));
  // Numeric and categorical interleave: the ranking is not one kind after the other.
  const kinds = all.rows.map((r) => view.heatRows[r].kind);
  assert.ok(kinds.indexOf('categorical') < kinds.lastIndexOf('numeric'), kinds.join(' '));

  const row = (name: string) => view.heatRows.find((r) => r.name === name)!;
  assert.deepEqual(
    ['tenure_months', 'contract', 'churn', 'recency_days'].map((name) => [row(name).kind, row(name).clustered, row(name).measure]),
    [
      ['numeric', false, 'η²'],
      ['categorical', false, "Cramér's V"],
      ['categorical', false, "Cramér's V"],
      ['numeric', true, 'η²'],
    ],
  );
  // CSV order follows the file's columns; grouped, the features first, then the categorical columns, then the numeric descriptors.
  const [csv] = orderHeatRows(view.heatRows, 'csv', false);
  assert.deepEqual(
    csv.rows.map((r) => view.heatRows[r].name),
    ['region', 'channel', 'contract', 'payment_method', 'loyalty_tier', 'tenure_months', 'total_revenue', 'recency_days', 'frequency_per_month', 'avg_order_value', 'return_rate', 'churn'],
  );
  const grouped = orderHeatRows(view.heatRows, 'separation', true);
  assert.deepEqual(grouped.map((g) => [g.key, g.rows.length]), [['other', 5], ['categorical', 6], ['described', 1]]);
  assert.equal(view.heatCells.length, 4);
  for (const cells of view.heatCells) assert.equal(cells.length, 12);
});

test('a categorical row: its level contributes most to χ²; each cell the cluster’s share, coloured by lift', async () => {
  const { raw, view } = await mixed({});
  for (const r of view.heatRows.filter((row) => row.kind === 'categorical')) {
    const overview = raw.categorical_overview[r.name];
    const clusters = Object.values(raw.clusters);
    // χ² contribution of each level, from the profile's counts (the members with a value per cluster).
    const score = (level: string) =>
      clusters.reduce((sum, c) => {
        const levels = c.categorical_statistics[r.name].levels;
        const withValue = Object.entries(levels).filter(([, e]) => e.share !== undefined).reduce((s, [, e]) => s + e.count, 0);
        const expected = withValue * overview[level].share!;
        return sum + (levels[level].count - expected) ** 2 / expected;
      }, 0);
    const levels = Object.keys(overview).filter((l) => overview[l].share !== undefined);
    const best = levels.reduce((a, b) => (score(b) > score(a) ? b : a));
    assert.equal(r.level, best, r.name);
    clusters.forEach((c, ci) => {
      const entry = c.categorical_statistics[r.name].levels[best];
      const cell = view.heatCells[ci][view.heatRows.indexOf(r)];
      assert.equal(cell.text, `${Math.round(100 * entry.share!)}%`);
      assert.equal(cell.intensity, Math.min(1, Math.abs(Math.log(entry.lift!)) / Math.log(HEAT_LIFT_CAP)));
      assert.equal(cell.sign, entry.lift! > 1 ? 1 : entry.lift! < 1 ? -1 : 0);
      assert.ok(cell.title.includes(`${r.name} = ${best}`), cell.title);
    });
  }
  // The churn flag shows the answer that sets the clusters apart, Yes (the rarer one).
  assert.equal(view.heatRows.find((r) => r.name === 'churn')!.level, 'Yes');
});

test('a numeric descriptor’s cells: the members’ mean as a z-score against all rows clustered, to 1e-9', async () => {
  const { view, labels, values } = await mixed({ describe: ['tenure_months'] });
  const x = values('tenure_months');
  const present = [...x.keys()].filter((i) => !Number.isNaN(x[i]));
  const mean = present.reduce((s, i) => s + x[i], 0) / present.length;
  const std = Math.sqrt(present.reduce((s, i) => s + (x[i] - mean) ** 2, 0) / present.length);
  const r = view.heatRows.findIndex((row) => row.name === 'tenure_months');
  view.clusters.forEach((c, ci) => {
    const members = present.filter((i) => labels[i] === ci);
    const clusterMean = members.reduce((s, i) => s + x[i], 0) / members.length;
    const z = (clusterMean - mean) / std;
    const cell = view.heatCells[ci][r];
    assert.ok(Math.abs(cell.z! - z) <= 1e-9 * Math.max(1, Math.abs(z)), `${c.key}: ${cell.z} vs ${z}`);
    assert.equal(cell.text, formatSigned(z, 2));
    assert.equal(cell.intensity, Math.min(1, Math.abs(cell.z!) / HEAT_Z_CAP));
  });
});

test('one-hot: a categorical column clustered is one row (not its indicators), marked clustered', async () => {
  const { view } = await mixed({ categorical: 'onehot', exclude: ['region', 'channel', 'payment_method', 'loyalty_tier'] });
  assert.ok(view.features.some((f) => f.name.startsWith('contract=')));
  const names = view.heatRows.map((r) => r.name);
  assert.ok(!names.some((n) => n.includes('=')), names.join(', '));
  const contract = view.heatRows.find((r) => r.name === 'contract')!;
  assert.deepEqual([contract.kind, contract.clustered], ['categorical', true]);
  assert.equal(view.heatRows.length, 8);
});

test('a profile of numbers only: the rows are its features, the cells its z-scores', async () => {
  const { view } = await mixed({ exclude: ['region', 'channel', 'contract', 'payment_method', 'loyalty_tier', 'churn'] });
  assert.deepEqual(view.heatRows.map((r) => r.feature), view.features.map((_, j) => j));
  assert.deepEqual(view.heatCells, view.heat);
});
