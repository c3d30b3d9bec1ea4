/**
 * Mode B, the cluster panel, as a user meets it in code-server (run from
 * run.ts in the same session):
 *   1. exports a GMM profile of a CSV whose columns are named
 *      `<img src=x onerror=alert(1)>` and `<img src=y onerror=window.__xss=1>`,
 *      and presses "Open Panel" on the notification;
 *   2. inside the webview, reads the cluster sizes and one center value and
 *      checks them against the JSON file on disk; the hostile names are text,
 *      no <img> exists, no dialog opened, the flag was never set; the heat map
 *      has a cell per cluster and feature;
 *   3. opens the YAML from the panel's file link, adds
 *      `segment_name: VIP Champions` under cluster_0 in the editor, saves, and
 *      sees the name appear in the panel;
 *   4. switches to a light and a dark theme (Preferences: Color Theme) and takes
 *      screenshots, test-results/vscode-panel-*.png;
 *   5. reloads the window: the panel comes back (serializer), with the name;
 *   6. opens a JSON profile with the editor title button "Open in Cluster Panel";
 *   7. opens a 60-feature × 10-cluster profile from the explorer's context
 *      menu: 600 heat-map cells, rendered fast;
 *   8. "Export All Profiles", "Open Panel": three profiles, compared;
 *   9. the example customers' profile, the panel alone: the README's picture
 *      (copied by hand to media/panel.png).
 */
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { buildPanelModel } from '../../src/shared/profile';
import { wideGmm } from '../panel/fixtures';
import { delay } from '../vscode/host';
import {
  RESULTS,
  acceptColumns,
  check,
  contextMenu,
  explorerRow,
  panelFrame,
  panelTab,
  pickClusters,
  runFromPalette,
  screenshot,
  selectPanelTab,
  step,
  successToast,
} from './workbench';

export const HOSTILE = '<img src=x onerror=alert(1)>';
const HOSTILE_FLAG = '<img src=y onerror=window.__xss=1>';
const WIDE_NAME = 'gmm_cluster_profile_20261124_094838.json';

/** The files the panel steps need in the test workspace. */
export function panelFiles(): Record<string, string> {
  return {
    'hostile/shop.csv': hostileCsv(),
    [`wide/${WIDE_NAME}`]: `${JSON.stringify(wideGmm(), null, 2)}\n`,
  };
}

export interface PanelStepsEnv {
  workspace: string;
}

interface Security {
  images: number;
  xss: unknown;
  csp: string | null;
}

/** Evaluated in the webview's document (a string: tsx's helpers must not reach the browser). */
const SECURITY = `(() => ({
  images: document.getElementsByTagName('img').length,
  xss: window.__xss === undefined ? null : window.__xss,
  csp: document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.getAttribute('content') ?? null,
}))()`;

export async function panelSteps(page: Page, env: PanelStepsEnv): Promise<void> {
  for (const old of readdirSync(RESULTS).filter((name) => name.startsWith('vscode-panel-'))) rmSync(join(RESULTS, old));
  const dialogs: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  const dir = join(env.workspace, 'hostile');

  // 1. Export GMM on the hostile CSV; "Open Panel" on the notification.
  await explorerRow(page, 'hostile').click();
  await contextMenu(page, explorerRow(page, 'shop.csv'), ['Segment', 'Export GMM Profile']);
  await pickClusters(page, '3');
  await acceptColumns(page);
  const toast = await successToast(page, 'GMM profile of shop.csv');
  await screenshot(page, 'open-panel-notification');
  const jsonName = readdirSync(dir).find((n) => /^gmm_cluster_profile_\d{8}_\d{6}\.json$/.test(n));
  check(jsonName, `the GMM profile was written (found ${readdirSync(dir).join(', ')})`);
  const jsonPath = join(dir, jsonName);
  const yamlPath = jsonPath.replace(/\.json$/, '.yaml');
  const yamlName = jsonName.replace(/\.json$/, '.yaml');
  const opened = Date.now();
  await toast.getByRole('button', { name: 'Open Panel' }).click();
  const frame = panelFrame(page);
  await frame.locator('.size-row').first().waitFor({ timeout: 30_000 });
  await panelTab(page, 'Clusters: shop.csv').waitFor({ timeout: 10_000 });
  step(`"Open Panel" showed the profile in ${Date.now() - opened} ms`);

  // 2. What the panel shows is what the file says.
  const profile = JSON.parse(readFileSync(jsonPath, 'utf8'));
  const model = buildPanelModel([{ path: yamlPath, profile }]).profiles[0];
  const clusters = Object.values(profile.clusters) as { size: number; cluster_center: Record<string, number> }[];
  const sizes = await frame.locator('.size-row .size-n').allTextContents();
  check(sizes.length === 3, `three clusters in the sizes list (${sizes.join(', ')})`);
  check(
    sizes.every((text, i) => Number(text.replace(/,/g, '')) === clusters[i].size),
    `the sizes ${sizes.join(', ')} are the file's ${clusters.map((c) => c.size).join(', ')}`,
  );
  check(JSON.stringify(sizes) === JSON.stringify(model.clusters.map((c) => c.size.text)), 'the sizes are formatted as the view model formats them');
  check((await frame.locator('.file button.link').textContent()) === yamlName, 'the panel names the YAML file it shows');
  await selectPanelTab(frame, 'Heat map');
  const cells = await frame.locator('table.heat td.cell').count();
  check(cells === clusters.length * profile.features_used.length, `a heat-map cell per cluster and feature (${cells})`);
  const heat = (await frame.locator('table.heat').evaluate(
    `((name) => {
      const table = document.querySelector('table.heat');
      const heads = [...table.querySelectorAll('thead th.feat')];
      const i = heads.findIndex((th) => th.dataset.feature === name);
      const row = table.querySelector('tbody tr');
      const cell = row.querySelectorAll('td.cell')[i];
      return { index: i, header: heads[i]?.querySelector('.feat-name')?.textContent ?? null, cluster: row.querySelector('th.clu')?.dataset.cluster ?? null, value: cell?.dataset.value ?? null, title: cell?.title ?? '' };
    })(${JSON.stringify(HOSTILE)})`,
  )) as { index: number; header: string | null; cluster: string | null; value: string | null; title: string };
  check(heat.index >= 0 && heat.header === HOSTILE, `the hostile column's header is its name as text (${JSON.stringify(heat)})`);
  check(heat.cluster === 'cluster_0', 'the first heat-map row is cluster_0');
  const j = model.features.findIndex((f) => f.name === HOSTILE);
  const expected = model.clusters[0].stats[j].center.text;
  const center = clusters[0].cluster_center[HOSTILE];
  check(heat.value === expected, `cluster_0's center of the hostile column reads ${heat.value}, expected ${expected}`);
  check(Math.abs(Number(heat.value!.replace(/,/g, '')) - center) <= Math.max(1e-3, Math.abs(center) * 1e-3), `${heat.value} is the file's center ${center}`);
  check(heat.title.includes(HOSTILE), 'the cell tooltip names the column as text');
  check((await frame.locator('table.heat th.feat', { hasText: 'window.__xss' }).count()) === 1, 'the second hostile column is text too');
  const security = (await frame.locator('body').evaluate(SECURITY)) as Security;
  check(security.images === 0, `no <img> element in the webview (${security.images})`);
  check(security.xss === null, 'the onerror flag was never set');
  check(dialogs.length === 0, `no dialog opened (${dialogs.join(', ')})`);
  check(/script-src 'nonce-[A-Za-z0-9]{32}'/.test(security.csp ?? '') && !/unsafe/.test(security.csp ?? ''), `the page carries the panel's CSP (${security.csp})`);
  step(`the panel shows the file's sizes (${sizes.join(', ')}) and center (${heat.value}); hostile column names stay text, no script ran`);

  // 3. Edit the YAML in the editor: a segment name appears in the panel.
  await selectPanelTab(frame, 'Overview');
  await frame.locator('.file button.link').click();
  await page.locator('.tabs-container .tab', { hasText: yamlName }).waitFor({ timeout: 15_000 });
  await delay(500);
  // The line after "  cluster_0:" is "    cluster_id: 0": the name goes in front of it, at the same indentation.
  const line = readFileSync(yamlPath, 'utf8').split('\n').indexOf('  cluster_0:') + 2;
  check(line > 1, 'the YAML has a cluster_0 entry');
  await page.keyboard.press('F1');
  await page.locator('.quick-input-widget input').fill(`:${line}`);
  await delay(300);
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
  await delay(300);
  await page.keyboard.press('Home'); // to the first non-blank character
  await page.keyboard.insertText('segment_name: VIP Champions');
  await page.keyboard.press('Escape'); // a word suggestion, if one opened
  await page.keyboard.press('Enter'); // the new line keeps the indentation
  await runFromPalette(page, 'File: Save');
  await frame.locator('.size-row .segment-name', { hasText: 'VIP Champions' }).waitFor({ timeout: 15_000 });
  check(/\n {2}cluster_0:\n {4}segment_name: VIP Champions\n {4}cluster_id: 0\n/.test(readFileSync(yamlPath, 'utf8')), 'the YAML on disk has the segment name under cluster_0');
  step('a segment_name typed into the YAML and saved appears in the panel');
  await page.mouse.move(5, 5);

  // 4. Light and dark themes (the side bar closed: the YAML and the panel side by side, as in the README).
  await runFromPalette(page, 'View: Toggle Primary Side Bar Visibility');
  await page.locator('.part.sidebar').waitFor({ state: 'hidden' });
  for (const [kind, theme] of WORKBENCH_THEMES) {
    await chooseColorTheme(page, theme);
    await frame.locator(`body.vscode-${kind}`).waitFor({ timeout: 20_000 });
    await selectPanelTab(frame, 'Overview');
    await panelShot(page, `${kind}-overview`);
    await selectPanelTab(frame, 'Heat map');
    await panelShot(page, `${kind}-heatmap`);
  }
  await runFromPalette(page, 'View: Toggle Primary Side Bar Visibility');
  await page.locator('.part.sidebar').waitFor();
  step('screenshots in the light and dark themes');

  // 5. Reload the window: the panel comes back, reads the file again, keeps its tab. In a browser the
  //    workbench writes its state (with the webview's) every 5 s, not when the page unloads: wait for that.
  await delay(5500);
  await page.reload();
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  const restored = panelFrame(page);
  await restored.locator('table.heat th.clu .segment-name', { hasText: 'VIP Champions' }).waitFor({ timeout: 60_000 });
  check(/^Heat map/.test((await restored.locator('vscode-tab-header[active]').textContent()) ?? ''), 'the panel is back on the tab it was on');
  await panelTab(page, 'Clusters: shop.csv').waitFor({ timeout: 10_000 });
  await panelShot(page, 'after-reload');
  step('after a window reload the panel is restored with the edited profile');

  // 6. The editor title button on a JSON profile.
  await explorerRow(page, jsonName).click();
  await page.locator('.tabs-container .tab', { hasText: jsonName }).waitFor({ timeout: 15_000 });
  const titleButton = page.locator('.editor-actions .action-label[aria-label^="Open in Cluster Panel"]').filter({ visible: true }).first();
  await titleButton.waitFor({ timeout: 15_000 });
  await titleButton.click();
  await panelFrame(page).locator('.file button.link', { hasText: jsonName }).waitFor({ timeout: 30_000 });
  step('"Open in Cluster Panel" in the editor title shows the JSON');

  // 7. 60 features × 10 clusters, from the explorer's context menu.
  check(existsSync(join(env.workspace, 'wide', WIDE_NAME)), 'the wide profile is in the workspace');
  await explorerRow(page, 'wide').click();
  await contextMenu(page, explorerRow(page, WIDE_NAME), ['Open in Cluster Panel']);
  const wide = panelFrame(page);
  await wide.locator('.file button.link', { hasText: WIDE_NAME }).waitFor({ timeout: 30_000 });
  await selectPanelTab(wide, 'Heat map');
  const wideCells = await wide.locator('table.heat td.cell').count();
  check(wideCells === 600, `600 heat-map cells (${wideCells})`);
  const renderMs = Number(await wide.locator('body').evaluate('document.body.dataset.renderMs'));
  check(renderMs < 1000, `the wide profile rendered in ${renderMs} ms`);
  await panelShot(page, 'wide-heatmap');
  step(`a 60 × 10 profile: 600 cells, rendered in ${renderMs} ms`);

  // 8. Export All, "Open Panel": the three profiles, compared.
  await contextMenu(page, explorerRow(page, 'shop.csv'), ['Segment', 'Export All Profiles']);
  await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: '3 clusters' }).waitFor({ timeout: 30_000 });
  await page.keyboard.press('Enter');
  await acceptColumns(page);
  const all = await successToast(page, '3 profiles of shop.csv');
  await all.getByRole('button', { name: 'Open Panel' }).click();
  const compared = panelFrame(page);
  await compared.locator('.switcher button').nth(2).waitFor({ timeout: 30_000 });
  check((await compared.locator('.switcher button').count()) === 3, 'three profiles in the panel');
  await selectPanelTab(compared, 'Compare');
  await compared.locator('table.compare-metrics').waitFor();
  await panelShot(page, 'compare');
  const finalSecurity = (await compared.locator('body').evaluate(SECURITY)) as Security;
  check(finalSecurity.images === 0 && finalSecurity.xss === null && dialogs.length === 0, 'still no script ran');
  step('"Export All Profiles" → "Open Panel" shows the three profiles with the comparison');

  // 9. The example customers' profile (steps 1–2 of run.ts) across the whole editor area, for the README.
  const customers = readdirSync(env.workspace).filter((n) => /^gmm_cluster_profile_\d{8}_\d{6}\.yaml$/.test(n)).sort().at(-1);
  check(customers, 'the example customers have a GMM profile');
  await contextMenu(page, explorerRow(page, customers), ['Open in Cluster Panel']);
  const readme = panelFrame(page);
  await readme.locator('.file button.link', { hasText: customers }).waitFor({ timeout: 30_000 });
  await runFromPalette(page, 'View: Toggle Primary Side Bar Visibility');
  await runFromPalette(page, 'View: Toggle Maximize Editor Group');
  await selectPanelTab(readme, 'Heat map');
  await panelShot(page, 'readme', 620);
  await runFromPalette(page, 'View: Toggle Maximize Editor Group');
  await runFromPalette(page, 'View: Toggle Primary Side Bar Visibility');
}

async function panelShot(page: Page, name: string, clipHeight?: number): Promise<void> {
  await delay(500);
  const file = join(RESULTS, `vscode-panel-${name}.png`);
  const size = page.viewportSize();
  await page.screenshot({ path: file, ...(clipHeight && size ? { clip: { x: 0, y: 0, width: size.width, height: Math.min(clipHeight, size.height) } } : {}) });
  console.log(`  screenshot ${file}`);
}

/** Preferences: Color Theme, then the theme by name, as a person switches it. */
/** The body class of the webview and the workbench theme that gives it; VS Code 1.139's names for what older versions call "Default Light Modern" and "Default Dark Modern". */
export const WORKBENCH_THEMES = [
  ['light', 'Light Modern'],
  ['dark', 'Dark Modern'],
] as const;

export async function chooseColorTheme(page: Page, theme: string): Promise<void> {
  await runFromPalette(page, 'Preferences: Color Theme');
  const input = page.locator('.quick-input-widget input');
  await page.locator('.quick-input-list .monaco-list-row').first().waitFor();
  await input.fill(theme);
  await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: theme }).waitFor({ timeout: 10_000 });
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
}

/** 110 customers in three groups; two columns are named like XSS payloads. */
function hostileCsv(): string {
  let state = 5;
  const random = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  const quote = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const rows = [['customer_id', 'total_revenue', HOSTILE, HOSTILE_FLAG, 'visits_per_month', 'count_Kids'].map(quote).join(',')];
  const centers = [
    [300, 2, 50, 3, 1],
    [1500, 8, 400, 9, 6],
    [4000, 15, 1200, 20, 2],
  ];
  let id = 1;
  [60, 35, 15].forEach((count, k) => {
    for (let i = 0; i < count; i++) {
      const values = centers[k].map((c, j) => Math.max(0, c * (0.85 + 0.3 * random())).toFixed(j === 0 || j === 2 ? 2 : 0));
      rows.push([`C${String(id++).padStart(4, '0')}`, ...values].join(','));
    }
  });
  return `${rows.join('\n')}\n`;
}

