/** Temporary folders for tests that are removed again, whatever the test's outcome. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Anything that runs a function when it ends: a test's context `t`, or `{ after }` from node:test for a suite or a file. */
export interface Ends {
  after(fn: () => void): void;
}

/**
 * A fresh folder under the system's temporary folder, named `prefix` and a random suffix,
 * removed with everything in it when `owner` ends: `tempDir(t, 'segment-export-')` inside a
 * test, `tempDir({ after }, 'segment-csv-')` at the top of a file or in a describe body.
 */
export function tempDir(owner: Ends, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  owner.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
