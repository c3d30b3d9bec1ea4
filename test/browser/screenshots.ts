/**
 * The README's pictures of the Categories view, taken in a real VS Code
 * (code-server with the packaged extension, as test/browser/run.ts): exports
 * a GMM profile of the mixed example (examples/customers_mixed.csv) from the
 * command palette, presses "Open Panel", checks that the Categories view and
 * a cluster card show the file's shares with lift ("Month-to-month 78% ·
 * ×1.4"), then writes media/panel-categories-light.png and -dark.png.
 * `npm run screenshots` (packages first). SEGMENT_KEEP=1 keeps the folders.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { buildPanelModel } from '../../src/shared/profile';
import { ROOT, codeServerCli, delay, launchBrowser, makeHome, makeWorkspace, removeQuietly, requireHost, seconds, startCodeServer } from '../vscode/host';
import { WORKBENCH_THEMES, chooseColorTheme } from './panel';
import { RESULTS, acceptColumns, check, explorerRow, panelFrame, pickClusters, runFromPalette, selectPanelTab, step, successToast } from './workbench';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
const VSIX = join(ROOT, `${pkg.name}-${pkg.version}.vsix`);
const CSV = 'customers_mixed.csv';
const MEDIA = join(ROOT, 'media');

async function main(): Promise<void> {
  requireHost();
  check(existsSync(VSIX), `${VSIX} is missing: npm run package first (npm run screenshots does both)`);
  const started = Date.now();
  mkdirSync(RESULTS, { recursive: true });
  const home = makeHome('segment-screenshots');
  const workspace = makeWorkspace('segment-screenshots-ws');
  copyFileSync(join(ROOT, 'examples', CSV), join(workspace, CSV));
  const installed = await codeServerCli(home, ['--install-extension', VSIX]);
  check(/successfully installed/i.test(installed), `the .vsix installs:\n${installed}`);
  const server = await startCodeServer({ home });
  const context = await launchBrowser(join(home, 'chromium'));
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.setViewportSize({ width: 1400, height: 860 });
    await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}`, { timeout: 120_000 });
    await page.locator('.monaco-workbench').waitFor({ timeout: 120_000 });
    const csvRow = explorerRow(page, CSV);
    await csvRow.waitFor({ timeout: 60_000 });
    step(`workbench ready (${seconds(started)})`);

    // From the command palette on the CSV open in the editor: it retries until the extension's commands are registered.
    await csvRow.click();
    await page.locator('.tabs-container .tab', { hasText: CSV }).waitFor({ timeout: 60_000 });
    // On a busy machine the extension can take minutes to activate: three minutes of retries.
    for (let attempt = 1; ; attempt++) {
      try {
        await runFromPalette(page, 'Segment: Export GMM Profile');
        break;
      } catch (error) {
        if (attempt === 3) throw error;
      }
    }
    await pickClusters(page, '4');
    await acceptColumns(page);
    const toast = await successToast(page, `GMM profile of ${CSV}`);
    const json = readdirSync(workspace).find((n) => /^gmm_cluster_profile_\d{8}_\d{6}\.json$/.test(n));
    check(json, `the GMM profile was written (found ${readdirSync(workspace).join(', ')})`);
    const profile = JSON.parse(readFileSync(join(workspace, json), 'utf8'));
    const model = buildPanelModel([{ path: join(workspace, json.replace(/\.json$/, '.yaml')), profile }]).profiles[0];
    await toast.getByRole('button', { name: 'Open Panel' }).click();
    const frame = panelFrame(page);
    await frame.locator('.size-row').first().waitFor({ timeout: 60_000 });
    step('exported the mixed example and opened the panel');

    // A cluster card: the levels more common there, as the file has them.
    const contract = model.categories.find((c) => c.name === 'contract')!;
    const card = model.clusters.find((c) => c.categories[contract.index].distinctive.some((d) => d.text.startsWith('Month-to-month ')))!;
    const expected = card.categories[contract.index].distinctive.map((d) => d.text).join(', ');
    await selectPanelTab(frame, 'Clusters');
    const cardEl = frame.locator(`.cluster-card[data-cluster="${card.key}"]`);
    await cardEl.locator('> summary').click();
    const item = cardEl.locator('ul.category-list li', { has: frame.locator('.name', { hasText: 'contract' }) });
    await item.waitFor({ timeout: 20_000 });
    const shown = await item.locator('.levels').textContent();
    check(shown === expected, `${card.key}'s card shows "${shown}", the file says "${expected}"`);
    check(/Month-to-month \d+% · ×\d/.test(shown ?? ''), `the card reads like "Month-to-month 78% · ×1.8" (${shown})`);
    step(`${card.key}'s card: contract ${shown}`);

    // The Categories view: the contract table's cells for that cluster.
    await selectPanelTab(frame, 'Categories');
    const table = frame.locator('section.category[data-column="contract"]');
    const level = contract.levels.findIndex((l) => l.name === 'Month-to-month');
    const cell = table.locator(`tbody tr[data-cluster="${card.key}"] td.share`).nth(level);
    const cellText = `${await cell.locator('.share-text').textContent()} ${await cell.locator('.lift').textContent()}`;
    const want = card.categories[contract.index].cells[level];
    check(cellText === `${want.share.text} ${want.lift.text}`, `the Categories view shows ${cellText} for ${card.key}, the file ${want.share.text} ${want.lift.text}`);
    step(`Categories view: Month-to-month in ${card.key} ${cellText}`);

    // The pictures: the panel across the editor area, the Categories view, light and dark.
    await runFromPalette(page, 'View: Toggle Primary Side Bar Visibility');
    await runFromPalette(page, 'Notifications: Clear All Notifications');
    // The panel's group (the active one) across the editor area, without the CSV beside it.
    await page.locator('.tabs-container .tab', { hasText: 'Clusters:' }).click();
    await runFromPalette(page, 'View: Toggle Maximize Editor Group');
    for (const [kind, theme] of WORKBENCH_THEMES) {
      await chooseColorTheme(page, theme);
      await frame.locator(`body.vscode-${kind}`).waitFor({ timeout: 20_000 });
      await selectPanelTab(frame, 'Categories');
      await shot(page, join(MEDIA, `panel-categories-${kind}.png`));
    }
    step(`screenshots written (${seconds(started)})`);
  } finally {
    await context.close().catch(() => undefined);
    await server.stop();
    if (!process.env.SEGMENT_KEEP) removeQuietly(home, workspace);
  }
}

async function shot(page: Page, file: string): Promise<void> {
  await delay(800);
  await page.screenshot({ path: file });
  console.log(`  screenshot ${file}`);
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
