/**
 * Driving code-server's workbench from Playwright, shared by the browser
 * tests (run.ts and panel.ts): screenshots, checks, the command palette,
 * quick picks, notifications, context menus, and the cluster panel's webview
 * (two nested iframes).
 */
import { join } from 'node:path';
import type { FrameLocator, Locator, Page } from 'playwright-core';
import { ROOT, delay } from '../vscode/host';

export const RESULTS = join(ROOT, 'test-results');

let shot = 0;
/** test-results/browser-NN-name.png */
export async function screenshot(page: Page, name: string): Promise<void> {
  shot += 1;
  await delay(400); // let the quick input and toasts finish their animation
  const file = join(RESULTS, `browser-${String(shot).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file });
  console.log(`  screenshot ${file}`);
}

export function step(text: string): void {
  console.log(`- ${text}`);
}

export function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`check failed: ${message}`);
}

// ---------------------------------------------------------------------------

export function explorerRow(page: Page, name: string): Locator {
  return page.locator(`.explorer-folders-view .monaco-list-row[aria-label="${name}"]`);
}

let palettePictured = false;

/**
 * F1, type the command, wait for its row, click it. Right after start-up the
 * command may not be there yet, and a palette opened while a webview had the
 * focus can close again at once: retry both.
 */
export async function runFromPalette(page: Page, title: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
    try {
      await page.keyboard.press('F1');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ timeout: 5000 });
      await input.fill(`>${title}`, { timeout: 5000 });
      await row.waitFor({ timeout: 3000 });
      if (!palettePictured) await screenshot(page, 'palette');
      palettePictured = true;
      // Click the row itself: Enter would run the focused row, which a recently used command can take.
      await row.click();
      return;
    } catch (error) {
      await page.keyboard.press('Escape');
      if (Date.now() > deadline) throw error;
      console.log(`  (palette: "${title}" not run yet, again: ${String(error).split('\n')[0]})`);
      await delay(1000);
    }
  }
}

/** Opens the palette with the text typed; true when a row with exactly that command shows (the palette stays open). */
export async function paletteOffers(page: Page, title: string): Promise<boolean> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor();
  await input.fill(`>${title}`);
  await delay(700);
  return (await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).count()) > 0;
}

export async function pickClusters(page: Page, typed: string, shotName?: string): Promise<void> {
  const title = page.locator('.quick-input-widget .quick-input-title', { hasText: '(1/3)' });
  await title.waitFor({ timeout: 30_000 });
  await page.locator('.quick-input-widget input').fill(typed);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: `${typed} clusters` }).first().waitFor();
  if (shotName) await screenshot(page, shotName);
  await page.keyboard.press('Enter');
}

/**
 * Accepts the columns to cluster on (step 2) and, when there are columns
 * left to describe (a file of numbers only has none), those to describe only (step 3), as offered.
 */
export async function acceptColumns(page: Page, shotName?: string): Promise<void> {
  const title = (step: string) => page.locator('.quick-input-widget .quick-input-title', { hasText: step });
  await title('(2/3)').waitFor({ timeout: 30_000 });
  await page.locator('.quick-input-list .monaco-list-row').first().waitFor();
  if (shotName) await screenshot(page, shotName);
  await page.keyboard.press('Enter');
  const describe = await title('(3/3)').waitFor({ timeout: 3000 }).then(() => true, () => false);
  if (!describe) return;
  await page.locator('.quick-input-list .monaco-list-row').first().waitFor();
  if (shotName) await screenshot(page, `${shotName}-describe`);
  await page.keyboard.press('Enter');
}

/**
 * The result's notification, told from the progress one (same title, and its
 * phase "computing silhouette…" names the metric too) by its Open JSON button.
 */
export async function successToast(page: Page, text: string): Promise<Locator> {
  const toast = page
    .locator('.notifications-toasts .notification-list-item', { hasText: text })
    .filter({ hasText: 'silhouette' })
    .filter({ has: page.getByRole('button', { name: 'Open JSON' }) })
    .last();
  await toast.waitFor({ timeout: 60_000 });
  return toast;
}

export async function clearNotifications(page: Page): Promise<void> {
  await runFromPalette(page, 'Notifications: Clear All Notifications');
  const toasts = page.locator('.notifications-toasts .notification-list-item');
  const deadline = Date.now() + 10_000;
  while ((await toasts.count()) > 0) {
    check(Date.now() < deadline, 'the notifications were cleared');
    await delay(200);
  }
}

/** Right-click, then through the labels of nested menus. */
export async function contextMenu(page: Page, target: Locator, labels: string[], shotName?: string): Promise<void> {
  await target.click({ button: 'right' });
  for (const [index, label] of labels.entries()) {
    const item = page.locator('.monaco-menu .action-item', { has: page.locator('.action-label', { hasText: new RegExp(`^${label}$`) }) }).last();
    await item.waitFor({ timeout: 10_000 });
    if (index < labels.length - 1) {
      await item.hover();
      await delay(400);
    } else {
      if (shotName) await screenshot(page, shotName);
      // A menu ignores a click that comes right after it opened (the right button's release).
      if (labels.length === 1) await delay(300);
      await item.click();
    }
  }
}

/** The cluster panel's page: VS Code's webview host iframe, then the iframe holding the extension's HTML. */
export function panelFrame(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview.ready').last().frameLocator('iframe#active-frame');
}

/** The panel's tab in the editor area (its title is the profiles' CSV: "Clusters: shop.csv"). */
export function panelTab(page: Page, title?: string): Locator {
  return page.locator('.tabs-container .tab', { hasText: title ?? 'Clusters:' });
}

export async function selectPanelTab(frame: FrameLocator, label: string): Promise<void> {
  await frame.locator('vscode-tab-header', { hasText: label }).click();
  await frame.locator('vscode-tab-header[active]', { hasText: label }).waitFor({ timeout: 10_000 });
}
