/**
 * The cluster panel in a real browser (Debian's Chromium through
 * playwright-core), served by the static harness with the CSP the extension
 * host uses. Run: node --import tsx --test test/panel/panel.test.ts
 *
 * Screenshots land in test-results/panel-*.png: look at them after a change.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { buildPanelModel, type ProfileInput } from '../../src/shared/profile';
import type { Profile } from '../../src/engine/profile/profile';
import { startHarness, type Harness } from './harness';
import { tempDir } from '../helpers/tempDir';
import { HOSTILE, HOSTILE_NAME, HOSTILE_PERSONA, ROOT, asNeural, clone, exampleFuzzy, exampleGmm, hostileGmm, mixedHostileGmm, wideGmm, withPersonas } from './fixtures';

/** Debian's Chromium; PANEL_TEST_CHROMIUM overrides it (only to check that a missing browser fails the run). */
const CHROMIUM = process.env.PANEL_TEST_CHROMIUM ?? '/usr/bin/chromium';
const RESULTS = join(ROOT, 'test-results');
const THEMES = ['light', 'dark', 'high-contrast'] as const;

let harness: Harness;
let context: BrowserContext;
let hostile: Profile;
let gmm: Profile;
let fuzzy: Profile;

before(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: the panel's browser test needs Debian's Chromium (apt-get install -y chromium).`);
  }
  mkdirSync(RESULTS, { recursive: true });
  [hostile, gmm, fuzzy] = await Promise.all([hostileGmm(), exampleGmm(), exampleFuzzy()]);
  harness = await startHarness();
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 900 },
  });
});

after(async () => {
  await context?.close();
  await harness?.close();
});
// Chromium's profile folder. Its removal is registered after the hook above, and after hooks
// run in the order they were registered: the browser is closed before its folder goes.
const userDataDir = tempDir({ after }, 'segment-panel-chromium-');

interface PageLog {
  console: string[];
  pageErrors: string[];
}

async function openPanel(theme: string, profiles: ProfileInput[], page?: Page): Promise<{ page: Page; log: PageLog }> {
  const p = page ?? (await context.newPage());
  const log: PageLog = { console: [], pageErrors: [] };
  p.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') log.console.push(`${m.type()}: ${m.text()}`);
  });
  p.on('pageerror', (e) => log.pageErrors.push(String(e)));
  p.on('response', (r) => {
    if (r.status() >= 400) log.console.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  await p.goto(harness.panelUrl(theme));
  await waitForReady(p);
  await show(p, profiles);
  return { page: p, log };
}

async function waitForReady(page: Page): Promise<void> {
  await page.waitForFunction('window.__harness && window.__harness.messages.some((m) => m.type === "ready")');
}

async function show(page: Page, profiles: ProfileInput[]): Promise<void> {
  await page.evaluate('document.body.dataset.renderMs = ""');
  // Parsed as JSON, not as an object literal: a level or column called __proto__ stays a key, as in postMessage's structured clone.
  await page.evaluate(`window.__harness.show(JSON.parse(${JSON.stringify(JSON.stringify(profiles))}))`);
  await page.waitForFunction('document.body.dataset.renderMs !== ""');
  // Let the web components upgrade and lay out.
  await page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
}

async function selectTab(page: Page, label: string): Promise<void> {
  await page.locator('vscode-tab-header', { hasText: label }).click();
  await page.waitForFunction(`[...document.querySelectorAll('vscode-tab-header')].some((t) => t.active && t.textContent.includes(${JSON.stringify(label)}))`);
}

async function securityReport(page: Page): Promise<{ csp: unknown[]; errors: unknown[]; xss: unknown; images: number }> {
  const report = (await page.evaluate('({ csp: window.__harness.cspViolations, errors: window.__harness.errors, xss: window.__xss ?? null })')) as {
    csp: unknown[];
    errors: unknown[];
    xss: unknown;
  };
  return { ...report, images: await page.locator('img').count() };
}

test('a GMM profile with a hostile column name: names stay text, no script runs, no CSP rule is broken', async () => {
  const profile = clone(hostile);
  profile.clusters.cluster_0.segment_name = HOSTILE_NAME;
  profile.clusters.cluster_0.persona = HOSTILE_PERSONA;
  const input: ProfileInput = { path: '/data/<b>gmm</b>_cluster_profile_20261124_094838.yaml', profile };
  const model = buildPanelModel([input]).profiles[0];
  assert.equal(model.status, 'ok');

  const { page, log } = await openPanel('dark', [input]);

  // The served page carries the policy from panelCsp, with this server as the source.
  const csp = harness.served.at(-1)!.csp!;
  assert.match(csp, new RegExp(`^default-src 'none'; script-src 'nonce-[A-Za-z0-9]{32}'; style-src ${harness.origin}; img-src ${harness.origin}; require-trusted-types-for 'script'`));

  // Sizes as the profile has them.
  const sizes = await page.locator('.size-row .size-n').allTextContents();
  assert.deepEqual(sizes, Object.values(profile.clusters).map((c) => String(c.size)));
  const pcts = await page.locator('.size-row .size-pct').allTextContents();
  assert.deepEqual(pcts, Object.values(profile.clusters).map((c) => `${(c.percentage as number).toFixed(2)}%`));

  // The hostile segment name is text in the sizes list.
  assert.equal(await page.locator('.size-row .segment-name').first().textContent(), HOSTILE_NAME);

  // The heat map: the hostile feature's header is its name as text, and one center value matches the model.
  await selectTab(page, 'Heat map');
  const header = page.locator('table.heat th.feat', { hasText: 'onerror' });
  assert.equal(await header.locator('.feat-name').textContent(), HOSTILE);
  const j = model.features.findIndex((f) => f.name === HOSTILE);
  assert.ok(j >= 0);
  const cell = page.locator('table.heat tbody tr').first().locator('td.cell').nth(j);
  assert.equal(await cell.textContent(), model.heat[0][j].text);
  const title = (await cell.getAttribute('title'))!;
  assert.ok(title.includes(HOSTILE), title);
  const centerText = model.clusters[0].stats[j].center.text;
  assert.ok(title.includes(`center ${centerText}`), title);
  assert.equal(await cell.getAttribute('data-value'), centerText);
  assert.equal(await page.locator('table.heat td.cell').count(), model.clusters.length * model.features.length);

  // The cluster card: name and persona as text.
  await selectTab(page, 'Clusters');
  const card = page.locator('.cluster-card[data-cluster="cluster_0"]');
  assert.equal(await card.locator('summary .segment-name').textContent(), HOSTILE_NAME);
  await card.locator('> summary').click();
  await card.locator('.persona').waitFor();
  assert.equal(await card.locator('.persona p').first().textContent(), HOSTILE_PERSONA);
  assert.equal(await card.locator('table.stats th.name', { hasText: 'onerror' }).textContent(), HOSTILE);

  const security = await securityReport(page);
  assert.deepEqual(security, { csp: [], errors: [], xss: null, images: 0 });
  assert.deepEqual(log.pageErrors, []);
  assert.deepEqual(log.console, []);
  await page.screenshot({ path: join(RESULTS, 'panel-hostile.png'), fullPage: true });
  await page.close();
});

for (const theme of ['light', 'dark'] as const) {
  test(`categories (${theme}): shares with lift per cluster and level, the separation ranking, descriptors marked as not clustered; hostile levels stay text`, async () => {
    const profile = await mixedHostileGmm();
    const input: ProfileInput = { path: '/ws/gmm_cluster_profile_20261124_094838.json', profile };
    const model = buildPanelModel([input]).profiles[0];
    assert.equal(model.status, 'ok');
    assert.deepEqual(model.problems, []);
    const { page, log } = await openPanel(theme, [input]);

    // The overview ranks every column clustered or described by its separation.
    const ranked = await page.locator('table.separation tbody th.name').allTextContents();
    assert.deepEqual(ranked, model.separation.map((s) => s.name));
    const values = model.separation.map((s) => s.value);
    assert.deepEqual(values, [...values].sort((a, b) => b - a));
    assert.equal(await page.locator('table.separation tr', { hasText: 'paperless' }).locator('td').first().textContent(), 'described, not clustered');
    assert.equal(await page.locator('table.separation tr', { hasText: 'tenure_months' }).locator('td').first().textContent(), 'clustered');
    await page.screenshot({ path: join(RESULTS, `panel-categories-${theme}-overview.png`), fullPage: true });

    // The Categories tab: one table per column, the column with the highest Cramér's V first.
    await selectTab(page, 'Categories');
    const columns = await page.locator('section.category').evaluateAll((els) => els.map((e) => e.getAttribute('data-column')));
    const byV = [...model.categories].sort((a, b) => b.separation! - a.separation!).map((c) => c.name);
    assert.deepEqual(columns, byV);
    const hostileTable = page.locator('section.category', { has: page.locator('h3', { hasText: 'onerror' }) });
    assert.equal(await hostileTable.locator('h3').evaluate((e) => e.firstChild!.textContent), HOSTILE);
    const levels = await hostileTable.locator('thead th.level').allTextContents();
    assert.ok(levels.includes(HOSTILE) && levels.includes('__proto__'), levels.join(' | '));
    // A cell: the cluster's share and lift as the profile has them.
    const region = model.categories.find((c) => c.name === HOSTILE)!;
    const j = region.levels.findIndex((l) => l.name === HOSTILE);
    const expected = model.clusters[0].categories[region.index].cells[j];
    const cell = hostileTable.locator('tbody tr[data-cluster="cluster_0"] td.share').nth(j);
    assert.equal(await cell.locator('.share-text').textContent(), expected.share.text);
    assert.equal(await cell.locator('.lift').textContent(), expected.lift.text);
    const share = (profile.clusters.cluster_0.categorical_statistics as Record<string, { levels: Record<string, { share: number }> }>)[HOSTILE].levels[HOSTILE].share;
    assert.equal(expected.share.text, `${Math.round(100 * share)}%`);
    await page.screenshot({ path: join(RESULTS, `panel-categories-${theme}.png`), fullPage: true });

    // A cluster card: the levels more common there, the descriptors marked as not clustered.
    await selectTab(page, 'Clusters');
    const card = page.locator('.cluster-card[data-cluster="cluster_0"]');
    await card.locator('> summary').click();
    await card.locator('.cluster-categories').waitFor();
    const item = card.locator('ul.category-list li', { has: page.locator('.name', { hasText: 'contract' }) });
    assert.equal(await item.locator('.tag').textContent(), 'described, not clustered');
    const contract = model.categories.find((c) => c.name === 'contract')!;
    assert.equal(await item.locator('.levels').textContent(), model.clusters[0].categories[contract.index].distinctive.map((d) => d.text).join(', '));
    assert.match((await item.locator('.levels').textContent())!, /^[^,]+ \d+% · ×\d/);
    assert.equal(await card.locator('table.descriptors tbody th.name').textContent(), 'satisfaction');
    await page.screenshot({ path: join(RESULTS, `panel-categories-${theme}-cluster.png`), fullPage: true });

    const security = await securityReport(page);
    assert.deepEqual(security, { csp: [], errors: [], xss: null, images: 0 });
    assert.deepEqual(log.pageErrors, []);
    assert.deepEqual(log.console, []);
    await page.close();
  });
}

test('the panel keeps its tab, sort order and open clusters across a reload, and follows a re-post', async () => {
  const path = '/ws/gmm_cluster_profile_20261124_094838.yaml';
  const { page, log } = await openPanel('light', [{ path, profile: gmm }]);
  await selectTab(page, 'Heat map');
  await page.locator('button.seg', { hasText: 'By separation' }).click();
  await selectTab(page, 'Clusters');
  await page.locator('.cluster-card[data-cluster="cluster_2"] > summary').click();
  // The card fills its table and saves the state in the same (asynchronous) toggle handler.
  await page.locator('.cluster-card[data-cluster="cluster_2"] table.stats').waitFor();

  await page.reload();
  await waitForReady(page);
  // After a reload the host answers 'ready' with the same profiles.
  await show(page, [{ path, profile: gmm }]);
  const active = await page.locator('vscode-tab-header[active]').textContent();
  assert.match(active!, /^Clusters/);
  assert.equal(await page.locator('.cluster-card[data-cluster="cluster_2"]').getAttribute('open'), '');
  assert.equal(await page.locator('.cluster-card[data-cluster="cluster_0"]').getAttribute('open'), null);
  await selectTab(page, 'Heat map');
  assert.equal(await page.locator('button.seg', { hasText: 'By separation' }).getAttribute('aria-pressed'), 'true');
  const model = buildPanelModel([{ path, profile: gmm }]).profiles[0];
  const firstGroup = model.groups[0].features.map((i) => model.features[i]).sort((a, b) => b.separation! - a.separation!);
  const shown = await page.locator('table.heat thead th.feat .feat-name').allTextContents();
  assert.deepEqual(shown.slice(0, firstGroup.length), firstGroup.map((f) => f.shortName));

  // The YAML was edited: a segment name appears, the tab stays.
  await show(page, [{ path, profile: withPersonas(gmm) }]);
  assert.match((await page.locator('vscode-tab-header[active]').textContent())!, /^Heat map/);
  assert.equal(await page.locator('table.heat tbody th.clu .segment-name').first().textContent(), 'Occasional browsers');

  // The file link asks the host to open the profile.
  await page.locator('.file button.link').click();
  const messages = (await page.evaluate('window.__harness.messages')) as { type: string; path?: string }[];
  assert.deepEqual(messages.at(-1), { type: 'openFile', path });
  // The language-model buttons ask the host to run their commands on this profile.
  await page.locator('.ai-actions button', { hasText: 'Describe with AI' }).click();
  await page.locator('.ai-actions button', { hasText: 'Copy LLM Prompt' }).click();
  const asked = (await page.evaluate('window.__harness.messages')) as { type: string; path?: string }[];
  assert.deepEqual(asked.slice(-2), [
    { type: 'describe', path },
    { type: 'copyPrompt', path },
  ]);
  assert.deepEqual(log.pageErrors, []);
  await page.close();
});

test('malformed input gives readable messages in the page', async () => {
  const broken = clone(gmm) as Record<string, unknown>;
  (broken.clusters as Record<string, Record<string, unknown>>).cluster_1.size = 'many';
  const { page, log } = await openPanel('dark', [
    { path: '/ws/edited.yaml', profile: broken },
    { path: '/ws/typo.yaml', error: 'bad indentation of a mapping entry (3:5)' },
    { path: '/ws/notes.yaml', profile: 'just some text' },
  ]);
  const problems = await page.locator('.callout.warning li').allTextContents();
  assert.ok(problems.some((t) => t.includes('clusters.cluster_1.size should be a number but is the text "many"')), problems.join('\n'));
  await page.locator('.switcher button', { hasText: 'typo.yaml' }).click();
  assert.match((await page.locator('.callout.error').textContent())!, /typo\.yaml could not be read: bad indentation/);
  await page.locator('.switcher button', { hasText: 'notes.yaml' }).click();
  assert.match((await page.locator('.callout.error').textContent())!, /notes\.yaml is not a cluster profile/);
  assert.deepEqual(log.pageErrors, []);
  await page.close();
});

for (const theme of THEMES) {
  test(`screenshots in the ${theme} theme`, async () => {
    const inputs: ProfileInput[] = [
      { path: '/ws/output/gmm_cluster_profile_20261124_094838.yaml', profile: withPersonas(gmm) },
      { path: '/ws/output/fuzzy_cluster_profile_20261124_094838.yaml', profile: fuzzy },
      { path: '/ws/output/neural_cluster_profile_20261124_094838.yaml', profile: asNeural(gmm) },
    ];
    const { page, log } = await openPanel(theme, inputs);
    assert.equal(await page.evaluate('document.body.dataset.vscodeThemeKind'), theme === 'high-contrast' ? 'vscode-high-contrast' : `vscode-${theme}`);
    await page.screenshot({ path: join(RESULTS, `panel-${theme}-overview.png`), fullPage: true });
    await selectTab(page, 'Heat map');
    assert.ok((await page.locator('table.heat td.cell').count()) > 0);
    await page.screenshot({ path: join(RESULTS, `panel-${theme}-heatmap.png`), fullPage: true });
    await selectTab(page, 'Clusters');
    await page.locator('.cluster-card[data-cluster="cluster_0"] > summary').click();
    await page.locator('.cluster-card[data-cluster="cluster_0"] table.stats').waitFor();
    await page.screenshot({ path: join(RESULTS, `panel-${theme}-clusters.png`), fullPage: true });
    await selectTab(page, 'Compare');
    await page.screenshot({ path: join(RESULTS, `panel-${theme}-compare.png`), fullPage: true });
    await page.locator('.switcher button', { hasText: 'Neural' }).click();
    await selectTab(page, 'Overview');
    await page.locator('figure.loss').waitFor();
    await page.screenshot({ path: join(RESULTS, `panel-${theme}-neural.png`), fullPage: true });
    const security = await securityReport(page);
    assert.deepEqual(security, { csp: [], errors: [], xss: null, images: 0 });
    assert.deepEqual(log.pageErrors, []);
    assert.deepEqual(log.console, []);
    await page.close();
  });
}

test('a 60-feature × 10-cluster profile renders fast and readable', async () => {
  const wide = wideGmm();
  const { page, log } = await openPanel('dark', [{ path: '/ws/gmm_cluster_profile_wide.json', profile: wide }]);
  await selectTab(page, 'Heat map');
  assert.equal(await page.locator('table.heat td.cell').count(), 600);
  const ms = Number(await page.evaluate('document.body.dataset.renderMs'));
  assert.ok(ms < 500, `model + render took ${ms} ms`);
  await page.screenshot({ path: join(RESULTS, 'panel-wide-heatmap.png'), fullPage: true });
  await page.locator('button.seg', { hasText: 'Features' }).click();
  await page.locator('button.seg', { hasText: 'By separation' }).click();
  await page.screenshot({ path: join(RESULTS, 'panel-wide-heatmap-features.png'), fullPage: true });
  await selectTab(page, 'Clusters');
  await page.locator('.cluster-card[data-cluster="cluster_9"] > summary').click();
  await page.locator('.cluster-card[data-cluster="cluster_9"] table.stats').waitFor();
  await page.locator('.cluster-card[data-cluster="cluster_9"]').screenshot({ path: join(RESULTS, 'panel-wide-cluster.png') });
  assert.deepEqual(log.pageErrors, []);
  assert.deepEqual(log.console, []);
  await page.close();
});

test('a theme change at run time (as VS Code applies it) restyles the panel', async () => {
  const { page } = await openPanel('light', [{ path: '/ws/gmm.yaml', profile: gmm }]);
  const bg = () => page.evaluate('getComputedStyle(document.querySelector(".metric")).backgroundColor');
  const light = await bg();
  await page.evaluate('window.__harness.setTheme("dark")');
  const dark = await bg();
  assert.notEqual(light, dark);
  assert.equal(await page.evaluate('document.body.classList.contains("vscode-dark")'), true);
  await page.close();
});

test('compare tab: a scored profile beside its training profile, per cluster sizes, share change, feature means and categorical shares; hostile levels stay text', async (t) => {
  const { exportMethods } = await import('../../src/engine/pipeline');
  const { scoreRows } = await import('../../src/engine/scoring/score');
  const { readFileSync, writeFileSync } = await import('node:fs');
  const dir = tempDir(t, 'segment-panel-scored-');
  const csv = join(dir, 'mixed.csv');
  writeFileSync(csv, readFileSync(join(ROOT, 'test', 'fixtures', 'csv', 'mixed-customers.csv'), 'utf8').replace(/,West,/g, `,"${HOSTILE}",`));
  const [done] = await exportMethods({
    source: { kind: 'file', path: csv },
    prepare: { columns: ['age', 'monthly_spend', 'tenure_months'] },
    methods: [{ method: 'gmm', options: { nClusters: 3, covarianceType: 'diag' } }],
    outputDir: dir,
  });
  const next = join(dir, 'next.csv');
  writeFileSync(next, `${readFileSync(csv, 'utf8').split('\n').slice(0, 71).join('\n')}\n`);
  const scored = await scoreRows({ model: done.result.model, source: { kind: 'file', path: next }, outputDir: join(dir), threads: 1, profile: true, now: new Date(2026, 11, 1) });
  const inputs: ProfileInput[] = [
    { path: done.result.json, profile: JSON.parse(readFileSync(done.result.json, 'utf8')) },
    { path: scored.json!, profile: JSON.parse(readFileSync(scored.json!, 'utf8')) },
  ];
  const model = buildPanelModel(inputs);
  assert.equal(model.scored.length, 1);
  const cmp = model.scored[0];
  const { page, log } = await openPanel('dark', inputs);
  await selectTab(page, 'Compare');
  const pair = page.locator('.scored-pair');
  assert.equal(await pair.locator('h2').textContent(), `Training and scored rows of ${cmp.model}`);
  const rows = pair.locator('table.scored-sizes tbody tr');
  assert.equal(await rows.count(), cmp.clusters.length);
  for (const [i, c] of cmp.clusters.entries()) {
    assert.deepEqual(await rows.nth(i).locator('th, td').allTextContents(), [c.label, c.size.training.text, c.share.training.text, c.size.scored.text, c.share.scored.text, c.shareChange.text]);
    const card = pair.locator(`.scored-cluster[data-cluster="${c.key}"]`);
    const features = card.locator('table.scored-features tbody tr');
    assert.equal(await features.count(), c.features.length);
    assert.deepEqual(await features.first().locator('th, td').allTextContents(), [c.features[0].name, c.features[0].center.text, c.features[0].training.text, c.features[0].scored.text, c.features[0].difference.text]);
    const levels = c.categories.flatMap((x) => x.levels.map((l) => l.level));
    assert.deepEqual(await card.locator('table.scored-categories tbody td.name').allTextContents(), levels);
  }
  // The hostile level is a level name, as text.
  assert.ok((await pair.locator('table.scored-categories td.name', { hasText: 'onerror' }).first().textContent()) === HOSTILE);
  // The labels lead to each profile.
  await pair.locator('button.link', { hasText: cmp.trainingLabel }).first().click();
  await page.waitForFunction(`[...document.querySelectorAll('vscode-tab-header')].some((t) => t.active && t.textContent.includes('Overview'))`);
  const security = await securityReport(page);
  assert.deepEqual(security, { csp: [], errors: [], xss: null, images: 0 });
  assert.deepEqual(log.pageErrors, []);
  assert.deepEqual(log.console, []);
  await selectTab(page, 'Compare');
  await page.screenshot({ path: join(RESULTS, 'panel-scored-compare.png'), fullPage: true });
  await page.close();
});
