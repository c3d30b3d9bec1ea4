/**
 * The README's screenshots of the k view (media/k-view-light.png and
 * media/k-view-dark.png): a GMM sweep of the example customers (k = 2..8,
 * full and diag covariance) in the panel's static harness, with the CSP the
 * extension host uses, in Debian's Chromium. `npm run screenshots:k-view`.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { startHarness } from './harness';
import { ROOT, exampleKSelection } from './fixtures';

const CHROMIUM = process.env.PANEL_TEST_CHROMIUM ?? '/usr/bin/chromium';

async function main(): Promise<void> {
  const doc = await exampleKSelection();
  const harness = await startHarness();
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
  try {
    mkdirSync(join(ROOT, 'media'), { recursive: true });
    for (const theme of ['light', 'dark']) {
      const page = await browser.newPage({ viewport: { width: 1100, height: 900 }, deviceScaleFactor: 1 });
      await page.goto(harness.panelUrl(theme));
      await page.waitForFunction('window.__harness && window.__harness.messages.some((m) => m.type === "ready")');
      const input = [{ path: '/work/customers/gmm_k_selection_20261124_094838.json', profile: doc }];
      await page.evaluate(`window.__harness.show(JSON.parse(${JSON.stringify(JSON.stringify(input))}))`);
      await page.locator('figure.k-chart').first().waitFor();
      // A tooltip as a user sees it on hover is the browser's own; the focus ring on the recommended BIC point shows which.
      await page.locator('figure.k-chart[data-criterion="bic"] circle.k-point.recommended').focus();
      const file = join(ROOT, 'media', `k-view-${theme}.png`);
      await page.screenshot({ path: file, fullPage: true });
      console.log(`wrote ${file}`);
      await page.close();
    }
  } finally {
    await browser.close();
    await harness.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
