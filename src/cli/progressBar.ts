/** A one-line progress bar on stderr, only when stderr is a terminal. */
import type { Progress } from '../engine';
import type { OutputStream } from './io';

const WIDTH = 24;
const MIN_INTERVAL_MS = 80;

export class ProgressBar {
  private lastDraw = 0;
  private drawn = false;

  constructor(
    private readonly stream: OutputStream,
    private readonly enabled: boolean,
  ) {}

  update(progress: Progress): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.lastDraw < MIN_INTERVAL_MS) return;
    this.lastDraw = now;
    const fraction = progress.fraction;
    const bar =
      fraction === undefined
        ? ' '.repeat(WIDTH)
        : '█'.repeat(Math.round(fraction * WIDTH)).padEnd(WIDTH, '░');
    const percent = fraction === undefined ? '    ' : `${String(Math.round(fraction * 100)).padStart(3)}%`;
    const line = `${bar} ${percent} ${progress.message}`;
    const columns = this.stream.columns ?? 80;
    this.stream.write(`\r${line.slice(0, columns - 1).padEnd(Math.min(columns - 1, 79))}`);
    this.drawn = true;
  }

  clear(): void {
    if (!this.drawn) return;
    const columns = this.stream.columns ?? 80;
    this.stream.write(`\r${' '.repeat(Math.min(columns - 1, 79))}\r`);
    this.drawn = false;
  }
}
