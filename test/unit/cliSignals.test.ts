/**
 * Ctrl-C on the `segment` program (dist/cli.js): wherever the run is
 * (reading, EM, silhouette and statistics, writing), the process exits 130
 * within a second and nothing stays in the output folder.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Random } from '../../src/engine/kernels/random';
import { tempDir, type Ends } from '../helpers/tempDir';

const ROOT = resolve(__dirname, '..', '..');
const BUNDLE = join(ROOT, 'dist', 'cli.js');

/** 200,000 customers × 20 features in 4 groups (about 27 MB). */
function writeBigCsv(path: string): void {
  const rng = new Random(11);
  const header = ['customer_id', ...Array.from({ length: 20 }, (_, j) => `f${j}`)].join(',');
  const lines = [header];
  for (let i = 0; i < 200_000; i++) {
    const group = i % 4;
    const cells = Array.from({ length: 20 }, (_, j) => (group * 3 + (j % 5) + 2 * rng.next()).toFixed(3));
    lines.push(`C${i},${cells.join(',')}`);
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
}

interface Stopped {
  code: number | null;
  stderr: string;
  /** From the SIGINT to the process's exit. */
  stopMs: number;
  /** Whether the phase was reached before the run ended by itself. */
  reached: boolean;
}

/** Runs the program and sends SIGINT `delayMs` after it announces `phase` (SEGMENT_TRACE_PHASES). */
function interruptAt(args: string[], phase: string, delayMs: number): Promise<Stopped> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BUNDLE, ...args], { env: { ...process.env, SEGMENT_TRACE_PHASES: '1' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let sentAt = 0;
    let reached = false;
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => {
      stderr += text;
      if (!reached && stderr.includes(`phase: ${phase}\n`)) {
        reached = true;
        setTimeout(() => {
          sentAt = Date.now();
          child.kill('SIGINT');
        }, delayMs);
      }
    });
    child.on('error', reject);
    child.on('exit', (code) => resolvePromise({ code, stderr, stopMs: Date.now() - sentAt, reached: reached && sentAt > 0 }));
  });
}

/** A fresh folder with the big CSV in it, once the bundle is known to exist. */
function bigCsv(t: Ends, prefix: string): { dir: string; csv: string } {
  assert.ok(existsSync(BUNDLE), 'dist/cli.js exists (npm test builds it first; or run npm run build)');
  const dir = tempDir(t, prefix);
  const csv = join(dir, 'customers.csv');
  writeBigCsv(csv);
  return { dir, csv };
}

/** Runs the program with `args(out)`, stops it `delay` ms into `phase`, and checks it exits 130 within 1 s with nothing in out. */
async function stopsCleanly(dir: string, moment: string, args: (out: string) => string[], phase: string, delay: number): Promise<void> {
  const out = join(dir, moment.replace(/\W+/g, '-'));
  mkdirSync(out);
  const stopped = await interruptAt(args(out), phase, delay);
  assert.ok(stopped.reached, `${moment}: the run reached "${phase}" and got the SIGINT (stderr: ${stopped.stderr})`);
  assert.equal(stopped.code, 130, `${moment}: exit code (stderr: ${stopped.stderr})`);
  assert.ok(stopped.stopMs <= 1000, `${moment}: stopped ${stopped.stopMs} ms after the SIGINT`);
  assert.match(stopped.stderr, /segment: Cancelled: no files were written\.\n$/, moment);
  assert.deepEqual(readdirSync(out), [], `${moment}: nothing written`);
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
    await stopsCleanly(dir, moment, (out) => [command[0], csv, ...command.slice(1), '--out', out, '-q'], phase, delay);
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
    await stopsCleanly(dir, moment, (out) => ['sweep', 'gmm', csv, ...flags, '--out', out, '-q'], phase, delay);
  }
});
