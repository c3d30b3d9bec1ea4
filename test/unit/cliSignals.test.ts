/**
 * Ctrl-C on the `segment` program (dist/cli.js): wherever the run is
 * (reading, EM, silhouette and statistics, writing), the process exits 130
 * within a second and nothing stays in the output folder.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { BUNDLE, interruptAt, writeBigCsv } from '../helpers/signals';
import { tempDir } from '../helpers/tempDir';

test('Ctrl-C while reading, fitting, computing the metrics or writing: exit 130 within 1 s, nothing written', { timeout: 240_000 }, async (t) => {
  assert.ok(existsSync(BUNDLE), 'dist/cli.js exists (npm test builds it first; or run npm run build)');
  const dir = tempDir(t, 'segment-sigint-');
  const csv = join(dir, 'customers.csv');
  writeBigCsv(csv);
  const moments: [string, string[], string, number][] = [
    ['reading', ['gmm'], 'data read', 100],
    ['EM', ['gmm'], 'gmm fit', 300],
    ['silhouette and statistics', ['gmm'], 'gmm metrics', 50],
    ['writing', ['gmm'], 'gmm write', 0],
    ['fuzzy c-means', ['fuzzy', '--threads', '1'], 'fuzzy fit', 300],
    ['segment all, second method', ['all', '--epochs', '2'], 'fuzzy fit', 100],
  ];
  for (const [moment, command, phase, delay] of moments) {
    const out = join(dir, moment.replace(/\W+/g, '-'));
    mkdirSync(out);
    const stopped = await interruptAt([command[0], csv, ...command.slice(1), '--out', out, '-q'], phase, delay);
    assert.ok(stopped.reached, `${moment}: the run reached "${phase}" and got the SIGINT (stderr: ${stopped.stderr})`);
    assert.equal(stopped.code, 130, `${moment}: exit code (stderr: ${stopped.stderr})`);
    assert.ok(stopped.stopMs <= 1000, `${moment}: stopped ${stopped.stopMs} ms after the SIGINT`);
    assert.match(stopped.stderr, /segment: Cancelled: no files were written\.\n$/, moment);
    assert.deepEqual(readdirSync(out), [], `${moment}: nothing written`);
    t.diagnostic(`${moment}: exit 130 ${stopped.stopMs} ms after the SIGINT`);
  }
});
