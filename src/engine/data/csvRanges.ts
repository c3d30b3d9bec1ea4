/**
 * The fast reader (./fastCsv.ts) over byte ranges of one file, one range per
 * engine thread: each range starts just after a line break and is read as
 * if it were a file of its own with the header already known; the parts are
 * then joined (csv.ts, joinColumnParts) into exactly the table one reader of
 * the whole file makes.
 *
 * A boundary may fall inside a quoted value that holds a line break. That is
 * found without a separate scan: the range before it then ends inside quotes,
 * which its reader declines. When any range declines, or the parts cannot be
 * joined exactly, the file is read in one piece instead (the caller does
 * that): the split is only ever a faster way to the same table.
 */
import { open } from 'node:fs/promises';
import { parentPort, Worker } from 'node:worker_threads';
import { debuglog } from 'node:util';
import { SegmentError, throwIfAborted } from '../errors';
import { defaultThreadCount, engineThreadEntry, type EngineThreadData } from '../kernels/threads';
import { TableBuilder, joinColumnParts, leftOutColumns, storageView, type ColumnPart, type ColumnStorage, type CsvColumn, type CsvProgress, type CsvTable, type Delimiter, type LineEnding } from './csv';
import { readHeader, readRangeFast, type ByteReader, type FastReadSetup, type HeaderEnd, type RangePart } from './fastCsv';

/** Bytes of a file by position. */
export interface ByteSource {
  totalBytes: number;
  read(into: Buffer, offset: number, length: number, position: number): Promise<number>;
}

export interface RangeReadSetup {
  fileName: string;
  /** The file's path, for engine threads to open it themselves; absent for text in memory (ranges are then read on this thread). */
  path?: string;
  delimiter: Delimiter;
  lineEnding: LineEnding;
  totalBytes: number;
  blockBytes: number;
  signal?: AbortSignal;
  onProgress?: (progress: CsvProgress) => void;
  /** Threads that may read ranges, this one included (the run's `threads`); default: the cores, at most 4. */
  threads?: number;
  /** The only columns to read (CsvReadOptions.columns); unset: every one. */
  columns?: readonly string[];
}

/** Knobs for tests and the bench; production code leaves them alone. */
export const rangeTuning = {
  /** Smaller files are read in one piece: starting threads would cost more than they save. */
  minBytes: 64 * 1024 * 1024,
  /** Ranges to cut a file into; 0: one per engine thread (the cores, at most 4). */
  ranges: 0,
  /** Read every range on the calling thread (the tests' corpus: the same joining without thread start-up). */
  onCallingThread: false,
  /** Each range's room in the shared columns: the rows the sample suggests, times the margin, plus the slack (tests shrink it to see ranges outgrow it). */
  storageMargin: 1.15,
  storageSlack: 1024,
};

/** Files read in ranges; files whose ranges could not be joined, or of which a range declined (both then read in one piece); in this process. */
export const rangeStats = { split: 0, joinedNot: 0, declined: 0 };

/** Above this (2 GiB), each range keeps its own columns. */
const MAX_STORAGE_BYTES = 2 ** 31;
/** How far past a planned boundary the next line break is looked for. */
const BOUNDARY_WINDOW = 64 * 1024;
const PROGRESS_MS = 100;
const debug = debuglog('segment');

/**
 * The table read in ranges, or null when the file is not split (small, one
 * core, CR line endings, no header in `sample`) or its ranges cannot be
 * joined exactly: the caller then reads it in one piece.
 */
export async function readCsvInRanges(source: ByteSource, sample: Buffer, setup: RangeReadSetup): Promise<CsvTable | null> {
  const count = rangeTuning.ranges || setup.threads || defaultThreadCount();
  if (count < 2 || setup.totalBytes < rangeTuning.minBytes || setup.lineEnding === 'CR') return null;
  const header = readHeader(sample, fastSetup(setup, new TableBuilder(setup.fileName, setup.delimiter), setup.totalBytes, true));
  if (header === null) return null;
  const ranges = await planRanges(source, header.dataStart, count);
  if (ranges === null) return null;
  const storages = columnStorages(sample, header, ranges);
  const parts = await readRanges(source, ranges, header, setup, storages);
  const table = parts && joinRanges(parts, header, setup, storages);
  if (table) {
    rangeStats.split++;
    setup.onProgress?.({ rowsRead: table.nRows, bytesRead: setup.totalBytes, totalBytes: setup.totalBytes });
  } else if (parts) rangeStats.joinedNot++;
  else rangeStats.declined++;
  debug(`CSV ranges: "${setup.fileName}" ${table ? `read in ${ranges.length} ranges` : 'read in one piece instead'}`);
  return table;
}

interface ByteRange {
  start: number;
  end: number;
}

/** `count` ranges of about equal size from dataStart to the end, each boundary just after a line break. */
async function planRanges(source: ByteSource, dataStart: number, count: number): Promise<ByteRange[] | null> {
  const window = Buffer.allocUnsafe(BOUNDARY_WINDOW);
  const bounds = [dataStart];
  for (let k = 1; k < count; k++) {
    const planned = dataStart + Math.floor(((source.totalBytes - dataStart) * k) / count);
    const from = Math.max(planned - 1, bounds[bounds.length - 1]);
    const got = await source.read(window, 0, window.length, from);
    const lf = window.subarray(0, got).indexOf(0x0a);
    if (lf < 0) return null; // a line longer than the window: not worth splitting
    const bound = from + lf + 1;
    if (bound >= source.totalBytes) break;
    if (bound > bounds[bounds.length - 1]) bounds.push(bound);
  }
  bounds.push(source.totalBytes);
  const ranges = bounds.slice(1).map((end, k) => ({ start: bounds[k], end }));
  return ranges.length >= 2 ? ranges : null;
}

/**
 * Room for every range's rows in one shared buffer (ColumnStorage): rows
 * expected from the sample's line breaks per byte, with a margin; a range
 * with more rows than that keeps its own arrays (then copied when joined).
 */
function columnStorages(sample: Buffer, header: HeaderEnd, ranges: ByteRange[]): ColumnStorage[] | null {
  const after = sample.subarray(header.dataStart);
  let lineBreaks = 0;
  for (let at = after.indexOf(0x0a); at >= 0; at = after.indexOf(0x0a, at + 1)) lineBreaks++;
  if (lineBreaks === 0) return null;
  const rowsPerByte = lineBreaks / after.length;
  const capacities = ranges.map((r) => Math.ceil((r.end - r.start) * rowsPerByte * rangeTuning.storageMargin) + rangeTuning.storageSlack);
  const stride = capacities.reduce((a, b) => a + b, 0);
  const bytes = 8 * stride * header.names.length;
  if (bytes > MAX_STORAGE_BYTES) return null;
  const buffer = new SharedArrayBuffer(bytes);
  let base = 0;
  return capacities.map((capacity) => {
    const storage = { buffer, stride, base, capacity };
    base += capacity;
    return storage;
  });
}

/** The setup of a fast read into `table` of `totalBytes` bytes. */
function fastSetup(setup: RangeReadSetup, table: TableBuilder, totalBytes: number, quiet = false): FastReadSetup {
  return {
    delimiter: setup.delimiter,
    lineEnding: setup.lineEnding,
    table,
    signal: setup.signal,
    onProgress: quiet ? undefined : setup.onProgress,
    totalBytes,
    blockBytes: setup.blockBytes,
  };
}

/** Reads the range `range` of `source` into a table with the header `names`. */
function readRange(
  source: ByteSource,
  range: ByteRange,
  names: string[],
  setup: RangeReadSetup,
  storage?: ColumnStorage,
): Promise<RangePart | { declined: string }> {
  const table = TableBuilder.forRange(setup.fileName, setup.delimiter, names, storage, setup.columns);
  return readRangeFast(rangeReader(source, range), fastSetup(setup, table, range.end - range.start));
}

function rangeReader(source: ByteSource, range: ByteRange): ByteReader {
  let at = range.start;
  return async (into, offset, length) => {
    const want = Math.min(length, range.end - at);
    if (want <= 0) return 0;
    const got = await source.read(into, offset, want, at);
    at += got;
    return got;
  };
}

/**
 * Every range's part, in order: the first on this thread, the others on
 * engine threads (or all here, without a path or when tuned so); null as
 * soon as one declines.
 */
async function readRanges(
  source: ByteSource,
  ranges: ByteRange[],
  header: HeaderEnd,
  setup: RangeReadSetup,
  storages: ColumnStorage[] | null,
): Promise<RangePart[] | null> {
  const progress = new RangeProgress(ranges.length, setup);
  const here = rangeTuning.onCallingThread || setup.path === undefined;
  const entry = here ? null : engineThreadEntry();
  if (entry && 'error' in entry) {
    debug(`CSV ranges: no engine threads (${entry.error})`);
    return null;
  }
  const threads: Worker[] = [];
  const stop = (): void => {
    for (const thread of threads) void thread.terminate();
  };
  try {
    const reads = ranges.map((range, k) => {
      const onProgress = (p: CsvProgress): void => progress.report(k, p);
      const rangeSetup = { ...setup, onProgress };
      const storage = storages?.[k];
      if (k === 0 || entry === null) return readRange(source, range, header.names, rangeSetup, storage);
      const thread = new Worker(entry.code, { eval: entry.eval, workerData: rangeThreadData(setup, range, header.names, storage) });
      threads.push(thread);
      return rangeInThread(thread, onProgress);
    });
    // Cancel also arrives while this thread only waits for the others.
    const cancelled = new Promise<never>((_, reject) => {
      const timer = setInterval(() => {
        try {
          throwIfAborted(setup.signal);
        } catch (error) {
          clearInterval(timer);
          reject(error);
        }
      }, PROGRESS_MS);
      void Promise.allSettled(reads).then(() => clearInterval(timer));
    });
    let parts: Array<RangePart | { declined: string }>;
    try {
      parts = await Promise.race([Promise.all(reads), cancelled]);
    } catch (error) {
      if (error instanceof SegmentError) throw error; // cancelled
      // A thread that could not start or failed: the whole-file reader reads the file, or reports what is wrong with it.
      debug(`CSV ranges: ${error instanceof Error ? error.message : String(error)}`);
      return null;
    }
    if (parts.some((part) => 'declined' in part)) {
      debug(`CSV ranges: a range declined (${parts.map((p) => ('declined' in p ? p.declined : 'read')).join('; ')})`);
      return null;
    }
    return parts as RangePart[];
  } finally {
    stop();
  }
}

/** The rows and bytes of all ranges so far, reported as one read's progress. */
class RangeProgress {
  private readonly rows: number[];
  private readonly bytes: number[];
  private last = 0;

  constructor(
    ranges: number,
    private readonly setup: RangeReadSetup,
  ) {
    this.rows = new Array<number>(ranges).fill(0);
    this.bytes = new Array<number>(ranges).fill(0);
  }

  report(range: number, progress: CsvProgress): void {
    this.rows[range] = progress.rowsRead;
    this.bytes[range] = progress.bytesRead;
    const now = Date.now();
    if (now - this.last < PROGRESS_MS) return;
    this.last = now;
    const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0);
    this.setup.onProgress?.({ rowsRead: sum(this.rows), bytesRead: sum(this.bytes), totalBytes: this.setup.totalBytes });
  }
}

/** What an engine thread reading a range is given (src/engine/kernels/engineThread.ts runs serveRange on it). */
export interface RangeThreadSetup {
  path: string;
  fileName: string;
  delimiter: Delimiter;
  lineEnding: LineEnding;
  blockBytes: number;
  range: ByteRange;
  names: string[];
  storage?: ColumnStorage;
  columns?: string[];
}

type RangeMessage = { progress: CsvProgress } | { part: RangePart | { declined: string } } | { error: string };

function rangeThreadData(setup: RangeReadSetup, range: ByteRange, names: string[], storage: ColumnStorage | undefined): EngineThreadData {
  const task: RangeThreadSetup = {
    path: setup.path!,
    fileName: setup.fileName,
    delimiter: setup.delimiter,
    lineEnding: setup.lineEnding,
    blockBytes: setup.blockBytes,
    range,
    names,
    storage,
    ...(setup.columns ? { columns: [...setup.columns] } : {}),
  };
  return { control: new SharedArrayBuffer(4), task: { kind: 'csvRange', setup: task } };
}

function rangeInThread(thread: Worker, onProgress: (p: CsvProgress) => void): Promise<RangePart | { declined: string }> {
  return new Promise((resolve, reject) => {
    thread.on('message', (message: RangeMessage) => {
      if ('progress' in message) onProgress(message.progress);
      else if ('part' in message) resolve(message.part);
      else reject(new Error(message.error));
    });
    thread.on('error', reject);
    thread.on('exit', (code) => reject(new Error(`a CSV range thread stopped (exit code ${code})`)));
  });
}

/** In an engine thread: reads its range and posts the part (its arrays moved, not copied), with progress on the way. */
export async function serveRange(task: RangeThreadSetup): Promise<void> {
  const port = parentPort!;
  try {
    const handle = await open(task.path, 'r');
    try {
      const source: ByteSource = { totalBytes: task.range.end, read: async (into, offset, length, position) => (await handle.read(into, offset, length, position)).bytesRead };
      const setup: RangeReadSetup = { ...task, totalBytes: task.range.end - task.range.start, onProgress: (progress) => port.postMessage({ progress }) };
      const part = await readRange(source, task.range, task.names, setup, task.storage);
      port.postMessage({ part }, 'declined' in part ? [] : transferables(part));
    } finally {
      await handle.close();
    }
  } catch (error) {
    port.postMessage({ error: error instanceof Error ? error.message : String(error) });
  }
}

/** The part's own arrays (moved to the calling thread; those in shared storage are seen there already). */
function transferables(part: RangePart): ArrayBuffer[] {
  const buffers = new Set<ArrayBufferLike>([part.lineOfRow.buffer]);
  for (const column of part.columns) {
    buffers.add(column.values.buffer);
    if (column.codes) buffers.add(column.codes.buffer);
  }
  return [...buffers].filter((b): b is ArrayBuffer => !(b instanceof SharedArrayBuffer));
}

/**
 * Column j's values of all ranges together at the start of its storage,
 * moved there in place (each range's rows to just after the previous
 * range's), or null when a range outgrew its room (then they are copied).
 */
function joinInStorage(parts: ColumnPart[], j: number, storages: ColumnStorage[], nRows: number): Float64Array | null {
  // Values in shared memory are in the storage (a range that outgrew it has an ordinary array); from another
  // thread they arrive over another SharedArrayBuffer object on the same memory, so the offset is what tells.
  const inPlace = parts.every((part, k) => part.values.buffer instanceof SharedArrayBuffer && part.values.byteOffset === storageView(storages[k], j, 0).byteOffset);
  if (!inPlace) return null;
  // The column's whole stride: a range's rows may lie past nRows before they move.
  const all = storageView({ ...storages[0], base: 0 }, j, storages[0].stride);
  // Left to right, each range's rows move left, never onto rows of a later range still to move.
  let at = 0;
  parts.forEach((part, k) => {
    const from = storages[k].base;
    if (from !== at) all.copyWithin(at, from, from + part.values.length);
    at += part.values.length;
  });
  return all.subarray(0, nRows);
}

/** The parts joined into one table, or null when a column cannot be joined exactly (joinColumnParts). */
function joinRanges(parts: RangePart[], header: HeaderEnd, setup: RangeReadSetup, storages: ColumnStorage[] | null): CsvTable | null {
  const rows = parts.map((part) => part.rows);
  const nRows = rows.reduce((a, b) => a + b, 0);
  if (nRows === 0) return null; // the whole-file reader gives the error
  // Lines before each range's first: the header's, then each earlier range's line breaks.
  const lineOffsets: number[] = [];
  let line = header.firstDataLine;
  for (const part of parts) {
    lineOffsets.push(line - 1);
    line += part.lineBreaks;
  }
  const columns: CsvColumn[] = [];
  const skipped = leftOutColumns(header.names, setup.columns);
  for (let j = 0; j < header.names.length; j++) {
    if (skipped[j]) continue;
    const columnParts = parts.map((part) => part.columns[j]);
    const column = joinColumnParts(header.names[j], columnParts, rows, lineOffsets, () => storages && joinInStorage(columnParts, j, storages, nRows));
    if (column === null) return null;
    columns.push(column);
  }
  const lineOfRow = new Int32Array(nRows);
  let at = 0;
  parts.forEach((part, k) => {
    for (let i = 0; i < part.rows; i++) lineOfRow[at + i] = part.lineOfRow[i] + lineOffsets[k];
    at += part.rows;
  });
  throwIfAborted(setup.signal);
  return {
    fileName: setup.fileName,
    delimiter: setup.delimiter,
    hadBom: header.hadBom,
    lineEnding: setup.lineEnding,
    decimalComma: false, // a range that read one is never joined
    nRows,
    columns,
    lineOfRow,
    ...(columns.length < header.names.length ? { header: [...header.names] } : {}),
  };
}
