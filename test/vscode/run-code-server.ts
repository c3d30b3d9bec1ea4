/**
 * Mode A: the Mocha suite (out/test/suite/index.js) inside code-server's
 * extension host, the extension loaded from this repository as in
 * development. `npm run test:vscode`. Exit status: the suite's.
 *
 * code-server takes the test payload only from the page URL and only when
 * started with `--vscode-option enable-smoke-test-driver`; the suite's exit
 * code arrives in the page's codeAutomationExit(), its console (Mocha's
 * report) in codeAutomationLog(). Options: SEGMENT_TEST_GREP=pattern,
 * SEGMENT_KEEP=1 (keep the temporary folders).
 */
import { copyFileSync, cpSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { format } from 'node:util';
import { ROOT, launchBrowser, makeHome, makeWorkspace, removeQuietly, requireHost, seconds, startCodeServer } from './host';

const SUITE_TIMEOUT_MS = 10 * 60_000;
const NOISE = /ENOTFOUND|open-vsx|vsda|AccountPolicyGate|workbench\.js:\d+/;

async function main(): Promise<number> {
  requireHost({ built: ['dist/extension.js', 'dist/worker.js', 'out/test/suite/index.js'] });
  const started = Date.now();
  const home = makeHome('segment-mode-a');
  const workspace = makeWorkspace('segment-mode-a-ws');
  copyFileSync(join(ROOT, 'examples', 'customers.csv'), join(workspace, 'customers.csv'));
  // Installed, not loaded as a second development extension (the page's payload keeps one extensionDevelopmentPath):
  // a contributions-only extension declaring the language model vendor the tests register a chat model under.
  cpSync(join(ROOT, 'test', 'vscode', 'lm-vendor'), join(home, 'extensions', 'segment-profiles.segment-test-lm-vendor-0.0.1'), { recursive: true });
  const server = await startCodeServer({ home, extraArgs: ['--vscode-option', 'enable-smoke-test-driver'] });
  console.log(`code-server ready on ${server.url} (${seconds(started)}); workspace ${workspace}`);
  const context = await launchBrowser(join(home, 'chromium'));
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    const exitCode = new Promise<number>((resolveExit) => {
      void page.exposeFunction('codeAutomationExit', (code: number) => resolveExit(code));
    });
    await page.exposeFunction('codeAutomationLog', (_level: string, args: unknown[]) => {
      const text = format(...(Array.isArray(args) ? args : [args]));
      // The workbench's chatter offline (gallery look-ups, vsda) is noise; Mocha's report is what matters.
      if (!NOISE.test(text)) console.log(text);
    });
    const authority = `vscode-remote://127.0.0.1:${server.port}`;
    const env: Record<string, string> = {};
    if (process.env.SEGMENT_TEST_GREP) env.SEGMENT_TEST_GREP = process.env.SEGMENT_TEST_GREP;
    const payload = [
      ['extensionDevelopmentPath', `${authority}${ROOT}`],
      ['extensionTestsPath', `${authority}${join(ROOT, 'out', 'test', 'suite', 'index')}`],
      ['extensionEnvironment', JSON.stringify(env)],
    ];
    // A busy machine (other test runs on the same cores) can take longer than the default 30 s to load the workbench.
    await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`, { timeout: 120_000 });
    const timeout = new Promise<number>((resolveTimeout) =>
      setTimeout(() => {
        console.error(`The suite did not finish within ${SUITE_TIMEOUT_MS / 60_000} minutes.`);
        resolveTimeout(1);
      }, SUITE_TIMEOUT_MS).unref(),
    );
    const code = await Promise.race([exitCode, timeout]);
    mkdirSync(join(ROOT, 'test-results'), { recursive: true });
    await page.screenshot({ path: join(ROOT, 'test-results', 'mode-a-end.png') }).catch(() => undefined);
    console.log(`\nMode A: the extension-host suite ${code === 0 ? 'passed' : 'FAILED'} in ${seconds(started)} (server start and stop included).`);
    if (code !== 0) console.log(`code-server log (last 3000 characters):\n${server.output().slice(-3000)}`);
    return code;
  } finally {
    await context.close().catch(() => undefined);
    await server.stop();
    if (!process.env.SEGMENT_KEEP) removeQuietly(home, workspace);
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
