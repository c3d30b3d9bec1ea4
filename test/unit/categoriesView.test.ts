/** The view model's categorical sections (src/shared/profile/categories.ts): what the panel and the prompt read of them. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadDataset } from '../../src/engine/data/dataset';
import { GaussianMixtureSegmentation } from '../../src/engine/methods/gmmSegmentation';
import { buildProfileView, liftText } from '../../src/shared/profile';
import { MIXED_FIXTURE, MIXED_RUN } from '../helpers/mixed';

async function mixedProfile(): Promise<Record<string, unknown>> {
  const data = await loadDataset(MIXED_FIXTURE, MIXED_RUN.prepare);
  const profile = await new GaussianMixtureSegmentation(MIXED_RUN.options).generateClusterProfile(data, {}, new Date(2026, 0, 1));
  return JSON.parse(JSON.stringify(profile));
}

type Levels = Record<string, { count: number; share?: number; lift?: number }>;

test('categories, their levels and each cluster\'s shares and lifts are the profile\'s; the ranking puts every column by separation', async () => {
  const profile = await mixedProfile();
  const view = buildProfileView({ path: 'gmm_cluster_profile_20260101_000000.json', profile }, 0);
  assert.deepEqual(view.problems, []);
  assert.deepEqual(view.categories.map((c) => [c.name, c.role, c.levels.length, c.missing]), [
    ['paperless', 'descriptor', 2, 2],
    ['contract', 'descriptor', 3, 0],
    ['region', 'descriptor', 5, 6],
    ['store', 'descriptor', 21, 0],
  ]);
  const store = view.categories[3];
  assert.deepEqual([store.levels[19].other, store.levels[20].name, store.levels[20].other], [false, '(other)', true]);
  const clusters = profile.clusters as Record<string, { categorical_statistics: Record<string, { mode: string; levels: Levels }> }>;
  const region = clusters.cluster_1.categorical_statistics.region;
  const cell = view.clusters[1].categories[2];
  assert.equal(cell.mode, region.mode);
  assert.equal(cell.missing, region.levels['(missing)']?.count ?? 0);
  view.categories[2].levels.forEach((level, i) => {
    assert.equal(cell.cells[i].share.value, region.levels[level.name].share);
    assert.equal(cell.cells[i].lift.value, region.levels[level.name].lift);
    assert.equal(cell.cells[i].lift.text, liftText(region.levels[level.name].lift!));
  });
  // Distinctive: lift above 1, at least 5 members, highest lift first.
  for (const c of view.clusters) {
    for (const cc of c.categories) {
      const lifts = cc.distinctive.map((d) => cc.cells[d.level].lift.value!);
      assert.ok(lifts.every((l) => l > 1));
      assert.deepEqual(lifts, [...lifts].sort((a, b) => b - a));
      assert.ok(cc.distinctive.every((d) => cc.cells[d.level].count! >= 5));
    }
  }
  assert.deepEqual(view.descriptors.map((d) => d.name), ['satisfaction']);
  assert.equal(view.clusters[0].descriptors[0].missing, (profile.clusters as Record<string, { descriptor_statistics: Record<string, { missing: number }> }>).cluster_0.descriptor_statistics.satisfaction.missing);
  const ranking = view.separation;
  assert.equal(ranking.length, 9);
  assert.deepEqual(ranking.map((s) => s.value), [...ranking.map((s) => s.value)].sort((a, b) => b - a));
  assert.deepEqual(ranking.find((s) => s.name === 'store'), { name: 'store', kind: 'categorical', role: 'descriptor', measure: "Cramér's V", value: ranking.find((s) => s.name === 'store')!.value, text: '0.55' });
  // The new sections are known fields, not "Other fields".
  assert.ok(view.diagnostics.every((b) => b.title !== 'Other fields'));
  assert.ok(view.clusters.every((c) => c.diagnostics.every((b) => b.title !== 'Other fields')));
  assert.ok(view.diagnostics.every((b) => b.facts.every((f) => f.label !== 'columns')));
});

test('a profile written before these sections: no categories, the features ranked by the η² derived from the clusters', async () => {
  const profile = await mixedProfile();
  delete profile.categorical_overview;
  delete profile.separation;
  for (const c of Object.values(profile.clusters as Record<string, Record<string, unknown>>)) {
    delete c.categorical_statistics;
    delete c.descriptor_statistics;
  }
  const view = buildProfileView({ path: 'old.json', profile }, 0);
  assert.deepEqual(view.problems, []);
  assert.deepEqual([view.categories, view.descriptors], [[], []]);
  assert.deepEqual(view.separation.map((s) => s.name).sort(), ['age', 'churned', 'monthly_spend', 'tenure_months']);
  assert.ok(view.separation.every((s) => s.measure === 'η²' && s.kind === 'numeric'));
});

test('malformed sections become problems, never exceptions', async () => {
  const profile = await mixedProfile();
  profile.separation = { age: { measure: 'eta_squared', value: 2 }, contract: 'high' };
  (profile.categorical_overview as Record<string, unknown>).region = 'North';
  delete (profile.clusters as Record<string, Record<string, unknown>>).cluster_2.categorical_statistics;
  (profile.metadata as Record<string, unknown>).columns = 'all';
  const view = buildProfileView({ path: 'broken.json', profile }, 0);
  assert.equal(view.status, 'ok');
  assert.deepEqual(view.problems, [
    'metadata.columns should be a list but is the text "all".',
    'separation has entries that are not a measure with a value from 0 to 1: age, contract.',
    'categorical_overview.region should be a mapping of levels but is the text "North".',
    'clusters.cluster_2.categorical_statistics is missing; its categories are shown empty.',
  ]);
  assert.deepEqual(view.categories.map((c) => c.name), ['paperless', 'contract', 'store']);
  assert.deepEqual(view.clusters[2].categories[1].cells.map((c) => c.share.text), ['—', '—', '—']);
  assert.deepEqual(view.clusters[0].categories[1].cells.map((c) => typeof c.share.value), ['number', 'number', 'number']);
});
