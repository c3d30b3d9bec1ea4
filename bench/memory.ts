/**
 * Per-case memory: the peak resident set of this process from a reset point
 * (Linux: writing 5 to /proc/self/clear_refs resets VmHWM), plus the JS heap
 * and ArrayBuffer bytes sampled whenever `sample()` is called.
 */
import { readFileSync, writeFileSync } from 'node:fs';

export interface MemoryReport {
  /** RSS just before the measured work (inputs already loaded). */
  rssBeforeBytes: number;
  /** Peak RSS from the reset point to the end of the work. */
  peakRssBytes: number;
  /** How the peak was measured: VmHWM after a reset, or getrusage's whole-process maxrss. */
  peakRssSource: 'VmHWM-reset' | 'maxrss-process';
  /** Largest heapUsed + arrayBuffers seen by sample() (only where the code gives a chance to sample). */
  peakHeapBytes: number;
  heapBeforeBytes: number;
}

function vmHwmBytes(): number | undefined {
  try {
    const m = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

function resetPeak(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

function heapNow(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

export class MemoryProbe {
  private peakHeap = 0;
  private readonly rssBefore: number;
  private readonly heapBefore: number;
  private readonly reset: boolean;

  /** Call with the inputs loaded, right before the measured work. */
  constructor() {
    (globalThis as { gc?: () => void }).gc?.();
    this.rssBefore = process.memoryUsage().rss;
    this.heapBefore = heapNow();
    this.peakHeap = this.heapBefore;
    this.reset = resetPeak() && vmHwmBytes() !== undefined;
  }

  sample(): void {
    const h = heapNow();
    if (h > this.peakHeap) this.peakHeap = h;
  }

  report(): MemoryReport {
    this.sample();
    const hwm = this.reset ? vmHwmBytes() : undefined;
    return {
      rssBeforeBytes: this.rssBefore,
      peakRssBytes: hwm ?? process.resourceUsage().maxRSS * 1024,
      peakRssSource: hwm !== undefined ? 'VmHWM-reset' : 'maxrss-process',
      peakHeapBytes: this.peakHeap,
      heapBeforeBytes: this.heapBefore,
    };
  }
}
