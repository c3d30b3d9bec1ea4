/**
 * The extension-host test entry (out/test/suite/index.js once built): a
 * Mocha run, as @vscode/test-electron expects, `run(): Promise<void>`.
 * The same module runs in desktop VS Code (test/vscode/run-electron.ts) and
 * in code-server's extension host (test/vscode/run-code-server.ts).
 * Mocha itself is loaded from the repository's node_modules at run time.
 */
import Mocha from 'mocha';
import { defineExtensionTests } from './extension.test';
import { definePanelTests } from './panel.test';
import { defineLlmTests } from './llm.test';
import { defineScoreTests } from './score.test';
import { defineParquetTests } from './parquet.test';
import { defineKSelectionTests } from './kSelection.test';
import { defineScaleoutTests } from './scaleout.test';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60_000, reporter: 'spec' });
  const grep = process.env.SEGMENT_TEST_GREP;
  if (grep) mocha.grep(grep);
  // The tests are bundled into this file rather than loaded by path: announce a
  // "file" so that describe/it (imported from mocha) reach this run's root suite.
  mocha.suite.emit('pre-require', globalThis, 'extension.test', mocha);
  defineExtensionTests();
  definePanelTests();
  defineLlmTests();
  defineScoreTests();
  defineParquetTests();
  defineKSelectionTests();
  defineScaleoutTests();
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} extension test(s) failed`)) : resolve()));
  });
}
