/**
 * The numbers of the assignments and scores tables (src/engine/profile/assignments.ts):
 * each row's ",cluster,score,…,score\n", exactly as String(x) writes every
 * number, formatted in waves of rows into one reused byte buffer, chunk by
 * chunk, on the engine threads when the table is large. Formatting the
 * numbers is most of the time of writing a large table (String(x) of a
 * double takes about 0.3 µs); which thread formats a row never changes its bytes.
 */
import { Buffer } from 'node:buffer';
import { openChunkPool, runChunks, sharedCopy, shareArrays, viewArrays, type ChunkPool, type ChunkRunner, type Shared } from '../kernels/threads';

/** Rows per wave: the byte buffer holds one wave's tails (about 5 MB with six scores). */
export const WAVE_ROWS = 32768;
/** Rows per chunk (each chunk formats into its own part of the buffer). */
const CHUNK_ROWS = 1024;
/** Below this many rows no engine thread is started (it takes longer to start than it saves). */
const MIN_THREADED_ROWS = 100_000;
/** The most bytes String(x) of a double takes ("-0.0000012345678901234567"), and an int32's. */
const NUMBER_BYTES = 25;
export const INT_BYTES = 11;
const COMMA = 0x2c;
const NEWLINE = 0x0a;

/** Knobs for tests and the bench; production code leaves them alone. */
export const rowTailsTuning: { minRows?: number } = {};

interface TailArrays {
  labels: Int32Array;
  /** n × width, row-major. */
  values: Float64Array;
  /** Further columns, one number per row each. */
  perRow: Float64Array[];
  /** End of each row of the wave in the buffer. */
  ends: Int32Array;
  /** [first row of the wave]. */
  wave: Int32Array;
}

interface TailSetup {
  arrays: Shared<TailArrays>;
  bytes: SharedArrayBuffer;
  n: number;
  width: number;
  rowBytes: number;
}

interface TailState {
  arrays: Omit<TailArrays, 'perRow'> & { perRow: ArrayLike<number>[] };
  bytes: Buffer;
  n: number;
  width: number;
  rowBytes: number;
}

export class RowTails {
  /** The current wave's tails; row i's are bytes[start(i) … end(i)). */
  readonly bytes: Buffer;
  private readonly state: TailState;
  private readonly local: ChunkRunner;
  private pool: ChunkPool | null = null;

  constructor(labels: Int32Array, values: Float64Array, width: number, perRow: ArrayLike<number>[], n: number, threads = 1, log?: (message: string) => void) {
    const rowBytes = 1 + INT_BYTES + (width + perRow.length) * (NUMBER_BYTES + 1) + 1;
    const waveRows = Math.min(WAVE_ROWS, Math.ceil(Math.max(n, 1) / CHUNK_ROWS) * CHUNK_ROWS);
    const threaded = threads > 1 && n >= (rowTailsTuning.minRows ?? MIN_THREADED_ROWS);
    const byteLength = waveRows * rowBytes;
    if (threaded) {
      const shared = new SharedArrayBuffer(byteLength);
      const arrays: TailArrays = {
        labels: sharedCopy(labels),
        values: sharedCopy(values),
        perRow: perRow.map((column) => (column instanceof Float64Array ? sharedCopy(column) : sharedFloat64(column))),
        ends: new Int32Array(new SharedArrayBuffer(waveRows * 4)),
        wave: new Int32Array(new SharedArrayBuffer(4)),
      };
      this.state = { arrays, bytes: Buffer.from(shared), n, width, rowBytes };
      const setup: TailSetup = { arrays: shareArrays(arrays), bytes: shared, n, width, rowBytes };
      this.pool = openChunkPool(threads - 1, { kind: 'rowTails', setup }, log);
    } else {
      this.state = { arrays: { labels, values, perRow, ends: new Int32Array(waveRows), wave: new Int32Array(1) }, bytes: Buffer.allocUnsafe(byteLength), n, width, rowBytes };
    }
    this.bytes = this.state.bytes;
    const state = this.state;
    this.local = (_pass, chunk) => formatChunk(state, chunk);
  }

  /** Formats the tails of rows first … first + WAVE_ROWS − 1 (as many as there are); returns how many. */
  format(first: number): number {
    const rows = Math.min(WAVE_ROWS, this.state.n - first);
    this.state.arrays.wave[0] = first;
    runChunks(this.pool, 1, Math.ceil(rows / CHUNK_ROWS), this.local);
    return rows;
  }

  /** Where row i of the last wave starts in bytes. */
  start(i: number): number {
    const r = i - this.state.arrays.wave[0];
    return r % CHUNK_ROWS === 0 ? r * this.state.rowBytes : this.state.arrays.ends[r - 1];
  }

  /** Where row i of the last wave ends in bytes. */
  end(i: number): number {
    return this.state.arrays.ends[i - this.state.arrays.wave[0]];
  }

  close(): void {
    this.pool?.close();
    this.pool = null;
  }
}

function sharedFloat64(values: ArrayLike<number>): Float64Array {
  const out = new Float64Array(new SharedArrayBuffer(values.length * 8));
  for (let i = 0; i < values.length; i++) out[i] = values[i];
  return out;
}

/** One chunk of the wave: its rows' tails into its own part of the buffer, each row's end noted. */
function formatChunk(state: TailState, chunk: number): void {
  const { arrays, bytes: out, n, width, rowBytes } = state;
  const { labels, values, perRow, ends } = arrays;
  const first = arrays.wave[0];
  const lo = first + chunk * CHUNK_ROWS;
  const hi = Math.min(n, lo + CHUNK_ROWS, first + WAVE_ROWS);
  let at = chunk * CHUNK_ROWS * rowBytes;
  for (let i = lo; i < hi; i++) {
    out[at++] = COMMA;
    at = writeInteger(out, at, labels[i]);
    for (let c = 0, v = i * width; c < width; c++, v++) {
      out[at++] = COMMA;
      at = writeNumber(out, at, values[v]);
    }
    for (const column of perRow) {
      out[at++] = COMMA;
      at = writeNumber(out, at, column[i]);
    }
    out[at++] = NEWLINE;
    ends[i - first] = at;
  }
}

/** An engine thread's runner over the buffers of `setup` (a TailSetup). */
export function rowTailsChunkRunner(setup: unknown): ChunkRunner {
  const s = setup as TailSetup;
  const state: TailState = { arrays: viewArrays<TailArrays>(s.arrays), bytes: Buffer.from(s.bytes), n: s.n, width: s.width, rowBytes: s.rowBytes };
  return (_pass, chunk) => formatChunk(state, chunk);
}

/** An integer of at most 31 bits as its decimal digits; returns the end. */
export function writeInteger(out: Uint8Array, at: number, value: number): number {
  if (value < 0) {
    out[at++] = 0x2d;
    value = -value;
  }
  let end = at + 1;
  for (let rest = value; rest >= 10; rest = (rest / 10) | 0) end++;
  for (let p = end - 1, rest = value; p >= at; p--, rest = (rest / 10) | 0) out[p] = 0x30 + (rest % 10);
  return end;
}

/** A double exactly as String(x) writes it: the integers (most posteriors are 0 or 1) without making a string. */
function writeNumber(out: Buffer, at: number, value: number): number {
  // −0 too: String(-0) is "0", and writeInteger writes no sign for it.
  if (Number.isInteger(value) && value < 2147483648 && value > -2147483648) return writeInteger(out, at, value);
  return writeText(out, at, String(value));
}

/** Text as UTF-8 (the room checked by the caller); returns the end. */
export function writeText(out: Buffer, at: number, text: string): number {
  for (let c = 0; c < text.length; c++) {
    const unit = text.charCodeAt(c);
    if (unit >= 0x80) return at + out.write(text, at, 'utf8');
    out[at + c] = unit;
  }
  return at + text.length;
}
