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
import { tempDir, type Ends } from '../helpers/tempDir';

/** A fresh folder with the big CSV in it, once the bundle is known to exist. */
function bigCsv(t: Ends, prefix: string): { dir: string; csv: string } {
  assert.ok(existsSync(BUNDLE), 'dist/cli.js exists (npm test builds it first; or run npm run build)');
  const dir = tempDir(t, prefix);
  const csv = join(dir, 'customers.csv');
  writeBigCsv(csv);
  return { dir, csv };
}

/** Runs the program with `args(out)`, stops it `delay` ms into `phase`, and checks it exits 130 within 1 s with nothing in out. */
async function stopsCleanly(dir: string, moment: string, args: (out: string) => string[], phase: string, delay: number): Promise<number> {
  const out = join(dir, moment.replace(/\W+/g, '-'));
  mkdirSync(out);
  const stopped = await interruptAt(args(out), phase, delay);
  assert.ok(stopped.reached, `${moment}: the run reached "${phase}" and got the SIGINT (stderr: ${stopped.stderr})`);
  assert.equal(stopped.code, 130, `${moment}: exit code (stderr: ${stopped.stderr})`);
  assert.ok(stopped.stopMs <= 1000, `${moment}: stopped ${stopped.stopMs} ms after the SIGINT`);
  assert.match(stopped.stderr, /segment: Cancelled: no files were written\.\n$/, moment);
  assert.deepEqual(readdirSync(out), [], `${moment}: nothing written`);
  return stopped.stopMs;
}

test('Ctrl-C while reading, fitting, computing the metrics or writing: exit 130 within 1 s, nothing written', { timeout: 240_000 }, async (t) => {
  const { dir, csv } = bigCsv(t, 'segment-sigint-');
  const moments: [string, string[], string, number][] = [
    ['reading', ['gmm'], 'data read', 100],
    ['EM', ['gmm'], 'gmm fit', 300],
    ['silhouette and statistics', ['gmm'], 'gmm metrics', 50],
    ['writing', ['gmm'], 'gmm write', 0],
    ['fuzzy c-means', ['fuzzy', '--threads', '1'], 'fuzzy fit', 300],
    ['segment all, second method', ['all', '--epochs', '2'], 'fuzzy fit', 100],
  ];
  for (const [moment, command, phase, delay] of moments) {
    const ms = await stopsCleanly(dir, moment, (out) => [command[0], csv, ...command.slice(1), '--out', out, '-q'], phase, delay);
    t.diagnostic(`${moment}: exit 130 ${ms} ms after the SIGINT`);
  }
});

test('Ctrl-C during a sweep (its fits, its metrics, the export of the recommended profile): exit 130 within 1 s, nothing written', { timeout: 240_000 }, async (t) => {
  const { dir, csv } = bigCsv(t, 'segment-sigint-sweep-');
  const moments: [string, string[], string, number][] = [
    ['sweep fits', ['--k', '2..4'], 'gmm fit', 300],
    ['sweep metrics', ['--k', '2..4'], 'gmm metrics', 50],
    ['export of the recommended profile', ['--k', '2..2', '--export'], 'gmm export fit', 100],
  ];
  for (const [moment, flags, phase, delay] of moments) {
    const ms = await stopsCleanly(dir, moment, (out) => ['sweep', 'gmm', csv, ...flags, '--out', out, '-q'], phase, delay);
    t.diagnostic(`${moment}: exit 130 ${ms} ms after the SIGINT`);
  }
});
