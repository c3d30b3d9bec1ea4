/** Ctrl-C on the built `segment` program (dist/cli.js): a big CSV to be busy with, and a SIGINT sent in a chosen phase. */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Random } from '../../src/engine/kernels/random';

export const BUNDLE = join(resolve(__dirname, '..', '..'), 'dist', 'cli.js');

/** `rows` customers × 20 features in 4 groups (200,000 rows: about 27 MB). */
export function writeBigCsv(path: string, rows = 200_000): void {
  const rng = new Random(11);
  const header = ['customer_id', ...Array.from({ length: 20 }, (_, j) => `f${j}`)].join(',');
  const lines = [header];
  for (let i = 0; i < rows; i++) {
    const group = i % 4;
    const cells = Array.from({ length: 20 }, (_, j) => (group * 3 + (j % 5) + 2 * rng.next()).toFixed(3));
    lines.push(`C${i},${cells.join(',')}`);
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
}

export interface Stopped {
  code: number | null;
  stderr: string;
  /** From the SIGINT to the process's exit. */
  stopMs: number;
  /** Whether the phase was reached before the run ended by itself. */
  reached: boolean;
}

/** Runs the program and sends SIGINT `delayMs` after it announces `phase` (SEGMENT_TRACE_PHASES). */
export function interruptAt(args: string[], phase: string, delayMs: number): Promise<Stopped> {
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
