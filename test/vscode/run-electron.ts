/**
 * The same extension-host suite in desktop VS Code, through @vscode/test-electron,
 * for contributors with internet: it downloads a VS Code build on first use
 * (cached in .vscode-test/). `npm run build && npm run test:vscode:electron`.
 * Machines without internet use `npm run test:vscode` (code-server) instead.
 * Options: SEGMENT_VSCODE_VERSION (default: stable), SEGMENT_TEST_GREP, SEGMENT_KEEP=1.
 * On a Linux machine without a display, run it under xvfb-run.
 */
import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { runTests } from '@vscode/test-electron';
import { ROOT, makeHome, makeWorkspace, removeQuietly, seconds } from './host';

async function main(): Promise<number> {
  for (const file of ['dist/extension.js', 'dist/worker.js', 'out/test/suite/index.js']) {
    if (!existsSync(join(ROOT, file))) {
      console.error(`${file} is missing. Build it first: npm run build`);
      return 1;
    }
  }
  const started = Date.now();
  const home = makeHome('segment-electron');
  const workspace = makeWorkspace('segment-electron-ws');
  copyFileSync(join(ROOT, 'examples', 'customers.csv'), join(workspace, 'customers.csv'));
  try {
    const code = await runTests({
      version: process.env.SEGMENT_VSCODE_VERSION ?? 'stable',
      // With a contributions-only extension declaring the language model vendor the tests register a chat model under.
      extensionDevelopmentPath: [ROOT, join(ROOT, 'test', 'vscode', 'lm-vendor')],
      extensionTestsPath: join(ROOT, 'out', 'test', 'suite', 'index'),
      extensionTestsEnv: process.env.SEGMENT_TEST_GREP ? { SEGMENT_TEST_GREP: process.env.SEGMENT_TEST_GREP } : {},
      launchArgs: [
        workspace,
        '--disable-extensions',
        '--disable-workspace-trust',
        '--skip-welcome',
        '--skip-release-notes',
        '--user-data-dir',
        join(home, 'user-data'),
        '--extensions-dir',
        join(home, 'extensions'),
      ],
    });
    console.log(`\nDesktop VS Code: the extension-host suite passed in ${seconds(started)}.`);
    return code;
  } catch (error) {
    console.error(`\nDesktop VS Code: the extension-host suite failed (${seconds(started)}): ${(error as Error).message ?? error}`);
    return 1;
  } finally {
    if (!process.env.SEGMENT_KEEP) removeQuietly(home, workspace);
  }
}

main().then((code) => process.exit(code));
