/**
 * Reads a customer CSV into columns of numbers. The file is streamed through
 * csv-parse and every cell is decoded on the spot into a per-column
 * Float64Array, so memory is the numbers themselves (plus the texts of
 * id-like and non-numeric columns), even for a million rows.
 *
 * Messy but common traits are accepted (a delimiter other than a comma, a
 * byte order mark, CRLF, quoted delimiters, blank lines, NA-style markers,
 * decimal commas); anything that cannot be read reliably stops with a
 * SegmentError saying what to fix.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { debuglog } from 'node:util';
import { isUtf8 } from 'node:buffer';
import { Readable, Transform, Writable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parse, type InfoRecord } from 'csv-parse';
import { SegmentError, cancelledError, throwIfAborted } from '../errors';
import { NumberShape, isInfinityToken, isMissingToken, numberShape, numberValue } from './numeric';
import { RowReservoir, type RowSample, type SampleRequest } from './sample';
import type { ParquetFormat } from './parquet';
import { LevelCodes, MAX_LEVELS, hashBytes } from './levels';
import { scanNumber, scanned } from './byteNumber';
import { readCsvFast, type FastReadOutcome, type FastReadSetup } from './fastCsv';
import { readCsvInRanges, type ByteSource, type RangeReadSetup } from './csvRanges';

// Read once: an imported binding can cost a getter call per use where modules are compiled to CommonJS (tsx).
const SHAPE_NONE = NumberShape.NONE;
const SHAPE_INTEGER = NumberShape.INTEGER;
const SHAPE_DECIMAL = NumberShape.DECIMAL;
const SHAPE_COMMA_DECIMAL = NumberShape.COMMA_DECIMAL;
const scannedNumber = scanned;

export type Delimiter = ',' | ';' | '\t' | '|';
export type LineEnding = 'LF' | 'CRLF' | 'CR';

export interface CsvProgress {
  rowsRead: number;
  bytesRead: number;
  totalBytes: number;
}

export interface CsvReadOptions {
  /** Default: sniffed from the start of the file. */
  delimiter?: Delimiter;
  /** When it fires, reading stops with a CANCELLED SegmentError. */
  signal?: AbortSignal;
  /** Called every 10,000 data rows and once at the end. */
  onProgress?: (progress: CsvProgress) => void;
  /** Keep only a seeded uniform sample of this many data rows, drawn while reading (sample.ts). */
  sample?: SampleRequest;
  /** Threads that may read a large file in byte ranges (./csvRanges.ts), this one included; default: the cores, at most 4. */
  threads?: number;
  /**
   * The only columns the caller looks at (scoring: the model's): the readers
   * leave the others out of the table, so their cells are split from the
   * rest (rows are checked as ever) but not read. Unset: every column.
   */
  columns?: readonly string[];
}

export interface CsvColumn {
  name: string;
  /** One entry per data row: the number, NaN where missing or non-numeric. */
  values: Float64Array;
  /** Cells that are empty or a missing-value marker (NA, N/A, NaN, null). */
  missing: number;
  /** Non-missing cells that are not numbers (in a column with text, INF and 1e309 too). */
  nonNumeric: number;
  firstNonNumeric: { value: string; line: number } | null;
  /**
   * In a column of numbers, the cells that are infinite ("Infinity", "-inf")
   * or too large for a double ("1e309"); NaN in `values`. Only a feature may
   * not have one (prepare.ts), so an excluded column is read all the same.
   */
  nonFinite: number;
  firstNonFinite: { value: string; line: number } | null;
  /**
   * The trimmed cell texts ('' where missing), kept only for columns named
   * like an identifier and for columns with any non-numeric value. Rows read
   * before a column's first non-numeric value hold String(number).
   */
  text: string[] | null;
  /**
   * In a column of at most MAX_LEVELS distinct non-missing cells: those
   * cells, trimmed and exactly as written, in order of first appearance
   * (a categorical column's levels; scoring reads a one-hot column's cells
   * here even when the new file holds only numbers in it). Null otherwise.
   */
  levels: string[] | null;
  /** With levels: per data row, 0 where missing, else 1 + the index of the row's cell in levels. */
  codes: Uint8Array | null;
}

export interface CsvTable {
  fileName: string;
  delimiter: string;
  hadBom: boolean;
  lineEnding: LineEnding;
  /** True when at least one column was read with a decimal comma ("1,5"). */
  decimalComma: boolean;
  /** Data rows; blank lines are skipped and not counted. */
  nRows: number;
  columns: CsvColumn[];
  /** 1-based physical line on which each data row starts. */
  lineOfRow: Int32Array;
  /** Read with a sample that left rows out: which data rows of the file the table's rows are. */
  sample?: RowSample;
  /** A table read from a Parquet file (parquet.ts); absent for a CSV. */
  format?: ParquetFormat;
  /** Every column name in the file's order, when the read left some out of `columns` (CsvReadOptions.columns). */
  header?: string[];
}

/** 1 for each of `names` that a read asked for `columns` leaves out (CsvReadOptions.columns), else 0. */
export function leftOutColumns(names: readonly string[], columns: readonly string[] | undefined): Uint8Array<ArrayBuffer> {
  const wanted = columns && new Set(columns);
  return Uint8Array.from(names, (name) => (wanted && !wanted.has(name) ? 1 : 0));
}

/** Every column name of the file, in its order (also those a read left out). */
export function columnNames(table: CsvTable): string[] {
  return table.header ?? table.columns.map((column) => column.name);
}

/** Bytes read to guess the delimiter and line ending. */
const SNIFF_BYTES = 64 * 1024;
const CHUNK_BYTES = 64 * 1024;
const ROWS_PER_PROGRESS = 10_000;
/** Guards against an unclosed quote swallowing the rest of a large file. */
const MAX_RECORD_CHARS = 1_000_000;
const INITIAL_CAPACITY = 1024;
export { MAX_LEVELS };
const CANDIDATE_DELIMITERS: readonly Delimiter[] = [',', ';', '\t', '|'];
const debug = debuglog('segment');
const EXCEL_UTF8_HINT = 'Re-save the file as UTF-8 (in Excel: Save As → "CSV UTF-8 (Comma delimited)") and try again.';

// ---------------------------------------------------------------------------
// Public API

/** Reads a CSV file from disk, streamed. */
export async function readCsv(path: string, options: CsvReadOptions = {}): Promise<CsvTable> {
  throwIfAborted(options.signal);
  const { sample, totalBytes } = await readSample(path);
  const input: CsvInput = {
    readRanges: (setup) => readFileInRanges(path, totalBytes, sample, setup),
    readFast: (setup) => readFileFast(path, setup),
    stream: () => createReadStream(path, { highWaterMark: CHUNK_BYTES }),
  };
  return readTable(input, sample, { fileName: basename(path), path, totalBytes, options });
}

/** Reads CSV text that is already in memory, e.g. an unsaved editor document. */
export async function readCsvText(text: string, fileName: string, options: CsvReadOptions = {}): Promise<CsvTable> {
  throwIfAborted(options.signal);
  const bytes = Buffer.from(text, 'utf8');
  const input: CsvInput = {
    readRanges: (setup) => readCsvInRanges(bufferSource(bytes), bytes.subarray(0, SNIFF_BYTES), setup),
    readFast: (setup) => {
      let at = 0;
      return readCsvFast(async (into, offset, length) => {
        const copied = bytes.copy(into, offset, at, Math.min(bytes.length, at + length));
        at += copied;
        return copied;
      }, setup);
    },
    stream: () => Readable.from(chunksOf(bytes), { objectMode: false }),
  };
  return readTable(input, bytes.subarray(0, SNIFF_BYTES), { fileName, path: fileName, totalBytes: bytes.length, options });
}

/** `id`, `*_id`, `*Id`, `*ID`, `Customer ID`, `customer-id`: named like an identifier. */
export function isIdLikeName(name: string): boolean {
  const trimmed = name.trim();
  return /(^|[_\s-])id$/i.test(trimmed) || /[a-z0-9](Id|ID)$/.test(trimmed);
}

// ---------------------------------------------------------------------------
// Dialect sniffing

export interface Dialect {
  delimiter: Delimiter;
  lineEnding: LineEnding;
}

/**
 * Guesses the delimiter and line ending from the start of the file. A
 * delimiter wins when it splits every sampled line (outside quotes) into the
 * same number of fields, more than one; among several winners the one giving
 * the most fields, then the comma. `complete` says the sample is the whole
 * file, so its last line is not cut off.
 */
export function sniffDialect(sample: string, complete: boolean): Dialect {
  const { lines, lineEnding } = countDelimitersPerLine(sample.replace(/^\uFEFF/, ''), complete);
  return { delimiter: chooseDelimiter(lines), lineEnding };
}

type DelimiterCounts = number[]; // indexed like CANDIDATE_DELIMITERS

function countDelimitersPerLine(sample: string, complete: boolean): { lines: DelimiterCounts[]; lineEnding: LineEnding } {
  const lines: DelimiterCounts[] = [];
  let lineEnding: LineEnding | null = null;
  let counts = [0, 0, 0, 0];
  let blank = true;
  let inQuotes = false;
  const endLine = () => {
    if (!blank) lines.push(counts);
    counts = [0, 0, 0, 0];
    blank = true;
  };
  for (let i = 0; i < sample.length; i++) {
    const ch = sample[i];
    if (ch === '"') inQuotes = !inQuotes;
    if (inQuotes) {
      blank = false;
      continue;
    }
    if (ch === '\n' || ch === '\r') {
      const crlf = ch === '\r' && sample[i + 1] === '\n';
      lineEnding ??= crlf ? 'CRLF' : ch === '\r' ? 'CR' : 'LF';
      if (crlf) i++;
      endLine();
      continue;
    }
    const which = CANDIDATE_DELIMITERS.indexOf(ch as Delimiter);
    if (which >= 0) counts[which]++;
    // Only spaces and tabs: a blank line, which csv-parse skips too.
    if (ch !== ' ' && ch !== '\t') blank = false;
  }
  // The last line is only whole when the sample is the whole file.
  if (complete && !inQuotes) endLine();
  return { lines, lineEnding: lineEnding ?? 'LF' };
}

function chooseDelimiter(lines: DelimiterCounts[]): Delimiter {
  if (lines.length === 0) return ',';
  let best = -1;
  for (let c = 0; c < CANDIDATE_DELIMITERS.length; c++) {
    const count = lines[0][c];
    const consistent = count > 0 && lines.every((line) => line[c] === count);
    if (consistent && (best < 0 || count > lines[0][best])) best = c;
  }
  if (best >= 0) return CANDIDATE_DELIMITERS[best];
  // No delimiter is consistent (a ragged line in the sample): go by the
  // header, and let the parser report the ragged line precisely.
  for (let c = 0; c < CANDIDATE_DELIMITERS.length; c++) {
    if (lines[0][c] > (best < 0 ? 0 : lines[0][best])) best = c;
  }
  return best >= 0 ? CANDIDATE_DELIMITERS[best] : ',';
}

// ---------------------------------------------------------------------------
// Parsing pipeline

interface ReadContext {
  fileName: string;
  /** The path as given, for file-system messages. */
  path: string;
  totalBytes: number;
  options: CsvReadOptions;
}

/** The bytes of a CSV, for the fast reader or as a stream for csv-parse. */
interface CsvInput {
  /** The fast reader over byte ranges on engine threads (./csvRanges.ts), or null: read in one piece. */
  readRanges(setup: RangeReadSetup): Promise<CsvTable | null>;
  readFast(setup: FastReadSetup): Promise<FastReadOutcome>;
  stream(): Readable;
}

/** Knobs for tests and the bench; production code leaves them alone. */
export const csvTuning = {
  /** Try the fast reader (./fastCsv.ts) before csv-parse; false (or SEGMENT_CSV_READER=csv-parse) reads every file with csv-parse. */
  fast: process.env.SEGMENT_CSV_READER !== 'csv-parse',
  /** Bytes the fast reader reads at once (tests make it tiny to cut rows and characters apart). */
  blockBytes: 4 * 1024 * 1024,
};

/** Files read by the fast reader, and files it left to csv-parse, in this process. */
export const csvReaderStats = { fast: 0, declined: 0 };

/**
 * The one place that chooses the reader: the fast one, unless it declines the
 * file (it says why, under NODE_DEBUG=segment), then csv-parse, the reference.
 */
async function readTable(input: CsvInput, sample: Buffer, context: ReadContext): Promise<CsvTable> {
  const { options, fileName } = context;
  rejectNonText(sample, fileName);
  const sniffed = sniffDialect(sample.toString('utf8'), context.totalBytes <= sample.length);
  const delimiter = options.delimiter ?? sniffed.delimiter;
  if (csvTuning.fast) {
    // A sample is drawn in one pass, in file order: not in ranges.
    const ranged = options.sample ? null : await input.readRanges({
      fileName,
      delimiter,
      lineEnding: sniffed.lineEnding,
      totalBytes: context.totalBytes,
      blockBytes: csvTuning.blockBytes,
      signal: options.signal,
      onProgress: options.onProgress,
      threads: options.threads,
      columns: options.columns,
    });
    if (ranged) {
      csvReaderStats.fast++;
      return ranged;
    }
    const fast = await input.readFast({
      delimiter,
      lineEnding: sniffed.lineEnding,
      table: new TableBuilder(fileName, delimiter, options.sample, options.columns),
      signal: options.signal,
      onProgress: options.onProgress,
      totalBytes: context.totalBytes,
      blockBytes: csvTuning.blockBytes,
    });
    if ('table' in fast) {
      csvReaderStats.fast++;
      return fast.table;
    }
    csvReaderStats.declined++;
    debug(`fast CSV reader: "${fileName}" read with csv-parse instead (${fast.declined})`);
  }
  return parseSource(input.stream(), sniffed, delimiter, context);
}

async function parseSource(source: Readable, sniffed: Dialect, delimiter: Delimiter, context: ReadContext): Promise<CsvTable> {
  const { options, fileName } = context;
  const table = new TableBuilder(fileName, delimiter, options.sample, options.columns);
  const lines = new LineTracker();
  const guard = new Utf8Guard(fileName, sniffed.lineEnding === 'CR' ? 0x0d : 0x0a);
  const report = () => options.onProgress?.({ rowsRead: table.rowsRead, bytesRead: guard.bytesRead, totalBytes: context.totalBytes });

  const parser = parse({
    delimiter,
    record_delimiter: ['\r\n', '\n', '\r'],
    skip_empty_lines: true,
    relax_column_count: true, // ragged rows are reported by TableBuilder, with its own wording
    trim: true,
    max_record_size: MAX_RECORD_CHARS,
    on_record: (record: string[], info: InfoRecord) => {
      table.addRecord(record, lines.recordStart(record, info));
      if (table.rowsRead % ROWS_PER_PROGRESS === 0 && table.rowsRead > 0) {
        throwIfAborted(options.signal);
        report();
      }
      return null; // consumed here: nothing is buffered downstream
    },
  });
  const sink = new Writable({ objectMode: true, write: (_record, _encoding, done) => done() });

  try {
    await pipeline(source, guard, parser, sink, { signal: options.signal });
  } catch (error) {
    throw toSegmentError(error, context, lines);
  }
  report();
  return table.finish(guard.hadBom, sniffed.lineEnding);
}

/**
 * Two mistakes common enough to name: picking the workbook instead of its
 * CSV export, and Excel's "Unicode Text" (UTF-16: in a CSV file, about every
 * other byte NUL). A stray NUL is reported by Utf8Guard, with its place.
 */
function rejectNonText(sample: Buffer, fileName: string): void {
  const zip = sample.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]));
  const ole = sample.subarray(0, 4).equals(Buffer.from([0xd0, 0xcf, 0x11, 0xe0]));
  if (zip || ole) {
    throw new SegmentError(
      'NOT_UTF8',
      `The file "${fileName}" is an Excel workbook, not a CSV file. In Excel, use Save As → "CSV UTF-8 (Comma delimited)" and open that file instead.`,
    );
  }
  const nuls = countByte(sample, 0, sample.length);
  if (nuls >= 2 && nuls * 4 >= sample.length) {
    throw new SegmentError('NOT_UTF8', `The file "${fileName}" is UTF-16 text, not UTF-8. ${EXCEL_UTF8_HINT}`);
  }
}

function* chunksOf(bytes: Buffer): Generator<Buffer> {
  for (let start = 0; start < bytes.length; start += CHUNK_BYTES) {
    yield bytes.subarray(start, start + CHUNK_BYTES);
  }
}

/** The fast reader over byte ranges of a file on disk, or null (see readCsvInRanges). */
async function readFileInRanges(path: string, totalBytes: number, sample: Buffer, setup: RangeReadSetup): Promise<CsvTable | null> {
  let handle;
  try {
    handle = await open(path, 'r');
    const file = handle;
    const source: ByteSource = { totalBytes, read: async (into, offset, length, position) => (await file.read(into, offset, length, position)).bytesRead };
    return await readCsvInRanges(source, sample, { ...setup, path });
  } catch (error) {
    throw fileSystemError(error, path);
  } finally {
    await handle?.close();
  }
}

function bufferSource(bytes: Buffer): ByteSource {
  return { totalBytes: bytes.length, read: async (into, offset, length, position) => bytes.copy(into, offset, position, Math.min(bytes.length, position + length)) };
}

/** The fast reader over a file on disk. */
async function readFileFast(path: string, setup: FastReadSetup): Promise<FastReadOutcome> {
  let handle;
  try {
    handle = await open(path, 'r');
    const file = handle;
    return await readCsvFast(async (into, offset, length) => (await file.read(into, offset, length, null)).bytesRead, setup);
  } catch (error) {
    throw fileSystemError(error, path);
  } finally {
    await handle?.close();
  }
}

async function readSample(path: string): Promise<{ sample: Buffer; totalBytes: number }> {
  let handle;
  try {
    handle = await open(path, 'r');
    const stats = await handle.stat();
    if (stats.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    const sample = Buffer.alloc(Math.min(SNIFF_BYTES, stats.size));
    const { bytesRead } = await handle.read(sample, 0, sample.length, 0);
    return { sample: sample.subarray(0, bytesRead), totalBytes: stats.size };
  } catch (error) {
    throw fileSystemError(error, path);
  } finally {
    await handle?.close();
  }
}

// ---------------------------------------------------------------------------
// Line numbers

/**
 * Turns csv-parse's running line count into the physical line on which each
 * record starts. csv-parse counts a CRLF inside a quoted value as two lines,
 * so those are counted here and subtracted.
 */
class LineTracker {
  private parserLine = 0;
  private emptyLines = 0;
  private crlfInQuotes = 0;

  /** Call once per record, in order; `info` is csv-parse's snapshot at its end. */
  recordStart(record: string[], info: InfoRecord): number {
    const parserStart = this.parserLine + 1 + (info.empty_lines - this.emptyLines);
    const start = parserStart - this.crlfInQuotes;
    if (info.lines > parserStart) this.crlfInQuotes += countCrlf(record);
    this.parserLine = info.lines;
    this.emptyLines = info.empty_lines;
    return start;
  }

  /** Where the record being parsed when an error struck started. */
  nextRecordStart(emptyLinesAtError: number): number {
    return this.parserLine + 1 + (emptyLinesAtError - this.emptyLines) - this.crlfInQuotes;
  }

  physical(parserLine: number): number {
    return parserLine - this.crlfInQuotes;
  }
}

function countCrlf(record: string[]): number {
  let count = 0;
  for (const field of record) {
    for (let at = field.indexOf('\r\n'); at >= 0; at = field.indexOf('\r\n', at + 2)) count++;
  }
  return count;
}

// ---------------------------------------------------------------------------
// UTF-8 check

/**
 * Passes bytes through unchanged after checking they are UTF-8, so a file
 * saved as Windows-1252 or UTF-16 is refused instead of read as garbage.
 * Also strips a UTF-8 byte order mark. A character split across two chunks
 * is held back until the next one.
 */
class Utf8Guard extends Transform {
  bytesRead = 0;
  hadBom = false;
  private started = false;
  private carry: Buffer | null = null;
  /** Absolute offset of the first byte not yet checked. */
  private offset = 0;
  private linesBefore = 0;

  constructor(
    private readonly fileName: string,
    private readonly newlineByte: number,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.bytesRead += chunk.length;
    this.pass(this.carry ? Buffer.concat([this.carry, chunk]) : chunk, false, done);
  }

  override _flush(done: TransformCallback): void {
    this.pass(this.carry ?? Buffer.alloc(0), true, done);
  }

  private pass(bytes: Buffer, final: boolean, done: TransformCallback): void {
    this.carry = null;
    let buf = bytes;
    if (!this.started) {
      if (buf.length < 3 && !final) {
        this.carry = buf; // too short to tell whether it starts with a BOM
        return done();
      }
      this.started = true;
      if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) {
        this.hadBom = true;
        buf = buf.subarray(3);
        this.offset = 3;
      }
    }
    const whole = final ? buf.length : buf.length - incompleteTailLength(buf);
    const checked = buf.subarray(0, whole);
    if (!isUtf8(checked)) return done(this.notUtf8(buf, whole));
    const nul = checked.indexOf(0);
    if (nul >= 0) return done(this.nulByte(checked, nul));
    this.linesBefore += countByte(checked, this.newlineByte, checked.length);
    this.offset += whole;
    if (whole < buf.length) this.carry = buf.subarray(whole);
    if (checked.length > 0) done(null, checked);
    else done();
  }

  private nulByte(buf: Buffer, at: number): SegmentError {
    const line = this.linesBefore + countByte(buf, this.newlineByte, at) + 1;
    return new SegmentError(
      'NOT_UTF8',
      `The file "${this.fileName}" has a NUL byte (0x00) at offset ${this.offset + at} (line ${line}), which a text file never has: ` +
        'it may be damaged or not a CSV file. Remove that byte, or export the data again as CSV UTF-8.',
    );
  }

  private notUtf8(buf: Buffer, end: number): SegmentError {
    const at = firstInvalidUtf8(buf, end);
    if (this.offset === 0 && (buf[0] === 0xff || buf[0] === 0xfe) && buf[1] === (buf[0] ^ 0x01)) {
      return new SegmentError('NOT_UTF8', `The file "${this.fileName}" is UTF-16 text, not UTF-8. ${EXCEL_UTF8_HINT}`);
    }
    const line = this.linesBefore + countByte(buf, this.newlineByte, at) + 1;
    const byte = `0x${buf[at].toString(16).toUpperCase().padStart(2, '0')}`;
    return new SegmentError(
      'NOT_UTF8',
      `The file "${this.fileName}" is not UTF-8 text: byte ${byte} at offset ${this.offset + at} (line ${line}) is not valid UTF-8. ${EXCEL_UTF8_HINT}`,
    );
  }
}

/** Bytes at the end of `buf` that begin a character the next chunk completes. */
function incompleteTailLength(buf: Buffer): number {
  for (let k = 1; k <= Math.min(3, buf.length); k++) {
    const b = buf[buf.length - k];
    if ((b & 0xc0) === 0x80) continue; // continuation byte: look further back
    const length = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return length > k ? k : 0;
  }
  return 0;
}

/** Offset of the first byte in buf[0, end) that does not start a valid UTF-8 character. */
function firstInvalidUtf8(buf: Buffer, end: number): number {
  let i = 0;
  while (i < end) {
    const b = buf[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    const length = b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (length === 0 || i + length > end) return i;
    const second = buf[i + 1];
    // Overlong forms, surrogates and code points above U+10FFFF.
    const secondMin = b === 0xe0 ? 0xa0 : b === 0xf0 ? 0x90 : 0x80;
    const secondMax = b === 0xed ? 0x9f : b === 0xf4 ? 0x8f : 0xbf;
    if (second < secondMin || second > secondMax) return i;
    for (let k = 2; k < length; k++) if ((buf[i + k] & 0xc0) !== 0x80) return i;
    i += length;
  }
  return Math.min(i, Math.max(end - 1, 0));
}

function countByte(buf: Buffer, byte: number, end: number): number {
  let count = 0;
  for (let at = buf.indexOf(byte); at >= 0 && at < end; at = buf.indexOf(byte, at + 1)) count++;
  return count;
}

// ---------------------------------------------------------------------------
// Building the table

export class TableBuilder {
  nRows = 0;
  /** The columns live in a ColumnStorage: no room is reserved beyond it (rows past it grow a column of its own). */
  private fixedStorage = false;
  private header: string[] | null = null;
  private columns: ColumnBuilder[] = [];
  private lineOfRow = new Int32Array(INITIAL_CAPACITY);
  /**
   * With a sample: the rows kept so far, their cells joined by NUL (which
   * Utf8Guard keeps out of any cell), or the fast reader's record bytes.
   */
  private readonly reservoir: RowReservoir<{ cells: string | Buffer; line: number }> | null;

  /** 1 for each column left out of the table (CsvReadOptions.columns): its cells are not read. */
  skipped = new Uint8Array(0);

  constructor(
    private readonly fileName: string,
    private readonly delimiter: Delimiter,
    sample?: SampleRequest,
    private readonly wanted?: readonly string[],
  ) {
    this.reservoir = sample ? new RowReservoir(sample) : null;
  }

  /** Data rows read from the file so far (with a sample, more than the table will hold). */
  get rowsRead(): number {
    return this.reservoir?.seen ?? this.nRows;
  }

  addRecord(record: string[], line: number): void {
    if (isBlankRecord(record)) return;
    if (this.header === null) {
      this.setHeader(record, line);
      return;
    }
    if (record.length !== this.columns.length) {
      throw new SegmentError(
        'RAGGED_ROW',
        `Line ${line} of "${this.fileName}" has ${plural(record.length, 'value')} but the header has ${plural(this.columns.length, 'column')}. ` +
          `Look for a missing or extra ${describeDelimiter(this.delimiter)} on that line, and put double quotes around any value that contains one.`,
      );
    }
    if (this.reservoir) this.reservoir.offer({ cells: record.join('\0'), line });
    else this.addRow(record, line);
  }

  private addRow(record: string[], line: number): void {
    const row = this.beginRow(line);
    const { skipped } = this;
    for (let j = 0; j < record.length; j++) if (skipped[j] === 0) this.columns[j].add(row, record[j], line);
    this.nRows++;
  }

  /** Whether rows are sampled: the fast reader then offers each data row's bytes (admitRow, keepRow), read at the end. */
  get sampling(): boolean {
    return this.reservoir !== null;
  }

  /** The next data row's slot in the sample, or −1 when it is not kept. */
  admitRow(): number {
    return this.reservoir!.admit();
  }

  /** The record bytes of the row admitRow() gave `slot` to, copied (the reader's buffer is reused). */
  keepRow(slot: number, bytes: Buffer, line: number): void {
    this.reservoir!.keep(slot, { cells: Buffer.from(bytes), line });
  }

  /** The column names, once the header has been read. */
  get headerNames(): string[] | null {
    return this.header;
  }

  /**
   * A table for the rows of one byte range of a file (./csvRanges.ts), whose
   * header `names` was read (and checked) from the file's start.
   */
  static forRange(fileName: string, delimiter: Delimiter, names: string[], storage?: ColumnStorage, columns?: readonly string[]): TableBuilder {
    const table = new TableBuilder(fileName, delimiter, undefined, columns);
    table.useHeader(names);
    if (storage) {
      table.fixedStorage = true;
      table.lineOfRow = new Int32Array(storage.capacity);
      table.columns.forEach((column, j) => column.useStorage(storageView(storage, j)));
    }
    return table;
  }

  /** What was read, before the ranges of a file are joined: rows, their lines, each column's part. */
  parts(): { rows: number; lineOfRow: Int32Array; columns: ColumnPart[] } {
    return {
      rows: this.nRows,
      lineOfRow: this.lineOfRow.slice(0, this.nRows),
      columns: this.columns.map((column) => column.part(this.nRows)),
    };
  }

  /** Whether the header has been read (then `columnBuilders` are the columns). */
  get hasHeader(): boolean {
    return this.header !== null;
  }

  get columnBuilders(): readonly ColumnBuilder[] {
    return this.columns;
  }

  /**
   * For a reader that adds a row cell by cell (./fastCsv.ts): the index of the
   * new row, starting on `line`; add every column's cell, then call endRow().
   */
  beginRow(line: number): number {
    const row = this.nRows;
    if (row === this.lineOfRow.length) this.lineOfRow = growInt32(this.lineOfRow);
    this.lineOfRow[row] = line;
    return row;
  }

  endRow(): void {
    this.nRows++;
  }

  /** Room for `rows` data rows in every column, expected from the file's size. */
  reserve(rows: number): void {
    if (rows <= this.lineOfRow.length || this.fixedStorage) return;
    this.lineOfRow = growInt32(this.lineOfRow, rows);
    for (const column of this.columns) column.reserve(rows);
  }

  /** `readRecord` reads the fast reader's kept record bytes into this table. */
  finish(hadBom: boolean, lineEnding: LineEnding, readRecord?: (bytes: Buffer, line: number) => void): CsvTable {
    // The sample's rows, in file order, read as if the file held only them.
    const drained = this.reservoir?.drain();
    for (const { cells, line } of drained?.items ?? []) {
      if (typeof cells === 'string') this.addRow(cells.split('\0'), line);
      else readRecord!(cells, line);
    }
    if (this.header === null) {
      throw new SegmentError(
        'EMPTY_FILE',
        `The file "${this.fileName}" is empty. It needs a header row of column names followed by one row per customer.`,
      );
    }
    if (this.nRows === 0) {
      throw new SegmentError(
        'NO_DATA_ROWS',
        `The file "${this.fileName}" has a header but no data rows. Add one row per customer below the header.`,
      );
    }
    return {
      fileName: this.fileName,
      delimiter: this.delimiter,
      hadBom,
      lineEnding,
      decimalComma: this.columns.some((column) => column.usedDecimalComma),
      nRows: this.nRows,
      columns: this.columns.filter((_, j) => this.skipped[j] === 0).map((column) => column.finish(this.nRows)),
      lineOfRow: this.lineOfRow.slice(0, this.nRows),
      ...(this.skipped.includes(1) ? { header: [...this.header] } : {}),
      ...(drained?.sample ? { sample: drained.sample } : {}),
    };
  }

  private setHeader(record: string[], line: number): void {
    const names = record.map((name) => name.trim());
    checkHeaderNamesPresent(names, line, this.fileName);
    checkHeaderNamesUnique(names, this.fileName);
    this.useHeader(names);
  }

  private useHeader(names: string[]): void {
    this.header = names;
    // Decimal commas are only possible when the comma does not separate fields.
    const allowDecimalComma = this.delimiter !== ',';
    this.columns = names.map((name) => new ColumnBuilder(name, allowDecimalComma));
    this.skipped = leftOutColumns(names, this.wanted);
  }
}

/** A line of only spaces: skipped like an empty line. */
function isBlankRecord(record: string[]): boolean {
  return record.length === 1 && record[0].trim() === '';
}

function checkHeaderNamesPresent(names: string[], line: number, fileName: string): void {
  const unnamed = names.flatMap((name, j) => (name === '' ? [j + 1] : []));
  if (unnamed.length === 0) return;
  const which = unnamed.length === 1 ? `Column ${unnamed[0]} of "${fileName}" has` : `Columns ${joinAnd(unnamed.map(String))} of "${fileName}" have`;
  const trailing = unnamed.includes(names.length) ? ', or remove the extra delimiter at the end of the header line' : '';
  throw new SegmentError('EMPTY_HEADER', `${which} no name in the header (line ${line}). Give every column a name${trailing}.`);
}

function checkHeaderNamesUnique(names: string[], fileName: string): void {
  const positions = new Map<string, number[]>();
  names.forEach((name, j) => positions.set(name, [...(positions.get(name) ?? []), j + 1]));
  const repeated = [...positions].filter(([, at]) => at.length > 1);
  if (repeated.length === 0) return;
  const list = repeated.map(([name, at]) => `"${name}" (columns ${joinAnd(at.map(String))})`);
  throw new SegmentError(
    'DUPLICATE_HEADER',
    `Column names must be unique, but the header of "${fileName}" repeats ${joinAnd(list)}. Rename the duplicates.`,
  );
}

/**
 * One column, decoded cell by cell. Decimal commas are accepted provisionally
 * and withdrawn if the same column later shows a period decimal: then the
 * comma values were something else (thousands separators, lists) and count as
 * non-numeric.
 */
export class ColumnBuilder {
  private values: Float64Array = new Float64Array(INITIAL_CAPACITY);
  private missing = 0;
  private nonNumeric = 0;
  private firstNonNumeric: { value: string; line: number; row: number } | null = null;
  private nonFinite = 0;
  private firstNonFinite: { value: string; line: number } | null = null;
  private text: string[] | null;
  private sawPeriodDecimal = false;
  private commaRows: Int32Array | null = null;
  private commaCount = 0;
  private firstComma: { value: string; line: number; row: number } | null = null;
  private inStorage = false;
  /** The first row whose text is kept as written (rows before it hold String(number)). */
  private textFrom = 0;
  /**
   * Every cell as written, coded by its distinct value, while there are at
   * most MAX_LEVELS of them: a column that turns out to hold text then has
   * its levels exactly (rows read before its first text are not rebuilt from
   * their numbers, which would turn "07" into "7").
   */
  private levels = new LevelCodes(INITIAL_CAPACITY, (names, codes, row) => this.textFromLevels(names, codes, row));
  private readonly stringCell = new StringCell();
  private readonly byteCell = new AsciiCell();

  constructor(
    readonly name: string,
    private readonly allowDecimalComma: boolean,
  ) {
    this.text = isIdLikeName(name) ? [] : null;
  }

  /** Reads into `values` (a ColumnStorage's view): its rows are kept there, not copied out, while they fit. */
  useStorage(values: Float64Array): void {
    this.values = values;
    this.inStorage = true;
  }

  get usedDecimalComma(): boolean {
    return this.commaCount > 0;
  }

  add(row: number, cell: string, line: number): void {
    if (row === this.values.length) this.values = growFloat64(this.values);
    const token = cell.trim();
    if (isMissingToken(token)) {
      this.addMissing(row);
      return;
    }
    this.levels.note(row, token);
    const shape = numberShape(token, this.allowDecimalComma);
    this.stringCell.text = token;
    this.addShaped(row, shape, shape === SHAPE_NONE ? NaN : numberValue(token, shape), this.stringCell, line);
  }

  /**
   * add() for a trimmed cell of ASCII bytes, buf[start, end) (./fastCsv.ts):
   * the same outcome, with the number read from the bytes and the cell's
   * text made only where it is kept.
   */
  addAscii(row: number, buf: Buffer, start: number, end: number, line: number): void {
    if (row === this.values.length) this.values = growFloat64(this.values);
    // A column of numbers so far, with no texts or levels kept and no decimal comma read: a finite number
    // is all there is to do (a missing token is never a number's shape). Anything else takes the full path.
    if (this.text === null && !this.levels.alive && this.commaCount === 0) {
      const shape = scanNumber(buf, start, end, this.allowDecimalComma);
      const value = scannedNumber.value;
      if ((shape === SHAPE_INTEGER || shape === SHAPE_DECIMAL) && value - value === 0) {
        if (shape === SHAPE_DECIMAL) this.sawPeriodDecimal = true;
        this.values[row] = value;
        return;
      }
    }
    if (end - start <= 4 && isMissingAscii(buf, start, end)) {
      this.addMissing(row);
      return;
    }
    this.levels.noteAscii(row, buf, start, end);
    const shape = scanNumber(buf, start, end, this.allowDecimalComma);
    const cell = this.byteCell;
    cell.buf = buf;
    cell.start = start;
    cell.end = end;
    this.addShaped(row, shape, scannedNumber.value, cell, line);
  }

  reserve(rows: number): void {
    if (rows > this.values.length) this.values = growFloat64(this.values, rows);
  }

  private addMissing(row: number): void {
    this.values[row] = NaN;
    this.missing++;
    if (this.text !== null && !this.levels.alive) this.text.push('');
  }

  /** A non-missing cell of the given shape and value (NaN for NONE); `cell` gives its text when needed. */
  private addShaped(row: number, shape: NumberShape, value: number, cell: CellText, line: number): void {
    if (shape === SHAPE_NONE || (shape === SHAPE_COMMA_DECIMAL && this.sawPeriodDecimal)) {
      if (cell.mayBeInfinity() && isInfinityToken(cell.get())) this.addNonFinite(row, cell.get(), line);
      else this.addNonNumeric(row, cell, line);
      return;
    }
    if (!Number.isFinite(value)) {
      this.addNonFinite(row, cell.get(), line);
      return;
    }
    if (shape === SHAPE_DECIMAL) this.notePeriodDecimal(row);
    this.values[row] = value;
    if (shape === SHAPE_COMMA_DECIMAL) this.noteCommaRow(row, cell, line);
    if (this.text !== null && !this.levels.alive) this.text.push(cell.get());
  }

  finish(nRows: number): CsvColumn {
    return joinColumnParts(this.name, [this.part(nRows)], [nRows], [0])!;
  }

  /** What this builder read of its column, over its first nRows rows (./csvRanges.ts joins those of a file's byte ranges). */
  part(nRows: number): ColumnPart {
    const first = this.firstNonNumeric;
    return {
      values: this.inStorage ? this.values.subarray(0, nRows) : trimmed(this.values, nRows),
      missing: this.missing,
      nonNumeric: this.nonNumeric,
      firstNonNumeric: first && { value: first.value, line: first.line },
      nonFinite: this.nonFinite,
      firstNonFinite: this.firstNonFinite,
      text: this.text,
      textFrom: this.textFrom,
      ...this.levels.finish(nRows),
      decimalComma: this.firstComma !== null,
    };
  }

  /**
   * The texts of rows [text.length, end): while the levels are kept, a
   * column with texts pushes none (one string per level rather than per
   * cell); each such row's text is its level, '' where missing.
   */
  private textFromLevels(names: readonly string[], codes: Uint8Array, end: number): void {
    if (this.text === null || this.text.length >= end) return;
    this.text = textsWithLevels(this.text, names, codes, end);
  }

  /** Kept with its text, in case the column turns out to be text. */
  private addNonFinite(row: number, token: string, line: number): void {
    if (this.text === null) this.text = this.textSoFar(row);
    if (!this.levels.alive) this.text.push(token);
    this.values[row] = NaN;
    this.nonFinite++;
    this.firstNonFinite ??= { value: token, line };
  }

  private addNonNumeric(row: number, cell: CellText, line: number): void {
    if (this.text === null) this.text = this.textSoFar(row);
    if (!this.levels.alive) this.text.push(cell.get());
    this.values[row] = NaN;
    this.nonNumeric++;
    if (this.firstNonNumeric === null || row < this.firstNonNumeric.row) this.firstNonNumeric = { value: cell.get(), line, row };
  }

  private noteCommaRow(row: number, cell: CellText, line: number): void {
    if (this.commaRows === null) this.commaRows = new Int32Array(INITIAL_CAPACITY);
    if (this.commaCount === this.commaRows.length) this.commaRows = growInt32(this.commaRows);
    this.commaRows[this.commaCount++] = row;
    this.firstComma ??= { value: cell.get(), line, row };
  }

  /** A period decimal rules out decimal commas in this column: withdraw those read so far. */
  private notePeriodDecimal(row: number): void {
    this.sawPeriodDecimal = true;
    if (this.commaCount === 0 || this.commaRows === null || this.firstComma === null) return;
    if (this.text === null) this.text = this.textSoFar(row);
    for (let k = 0; k < this.commaCount; k++) {
      this.values[this.commaRows[k]] = NaN;
      this.nonNumeric++;
    }
    const first = this.firstComma;
    if (this.firstNonNumeric === null || first.row < this.firstNonNumeric.row) this.firstNonNumeric = first;
    this.commaRows = null;
    this.commaCount = 0;
  }

  /** Texts of rows [0, row) rebuilt from the numbers, once a column turns out to need them. */
  private textSoFar(row: number): string[] {
    this.textFrom = row;
    const texts = new Array<string>(row);
    let k = 0;
    for (let i = 0; i < row; i++) {
      const value = this.values[i];
      const isComma = this.commaRows !== null && k < this.commaCount && this.commaRows[k] === i;
      if (isComma) k++;
      texts[i] = Number.isNaN(value) ? '' : isComma ? String(value).replace('.', ',') : String(value);
    }
    return texts;
  }
}

/**
 * One shared buffer for every column of a file read in byte ranges
 * (./csvRanges.ts): column j is `stride` numbers from j × stride, and the
 * range reading rows into it writes `capacity` of them from `base`. The
 * ranges' rows are then moved together in place: no column is allocated
 * and copied once more (allocating many large arrays is what costs, in
 * garbage collections).
 */
export interface ColumnStorage {
  buffer: SharedArrayBuffer;
  stride: number;
  base: number;
  capacity: number;
}

/** Column j's slots for the range of `storage`. */
export function storageView(storage: ColumnStorage, j: number, rows = storage.capacity): Float64Array {
  return new Float64Array(storage.buffer, 8 * (j * storage.stride + storage.base), rows);
}

/**
 * What the reader of one byte range of a file (./csvRanges.ts), or of the
 * whole file, knows of a column: ColumnBuilder's state, before joining.
 */
export interface ColumnPart extends Omit<CsvColumn, 'name'> {
  /** Here not counting the infinities, which count as text only beside other text (known when joined). */
  nonNumeric: number;
  /**
   * The texts kept, or null: rows before textFrom rebuilt from their numbers,
   * later ones as written; rows from text.length on are read from the levels.
   */
  text: string[] | null;
  textFrom: number;
  /** A decimal comma was read: its meaning depends on every row before it, so such ranges are not joined. */
  decimalComma: boolean;
}

/**
 * A column from the parts of it read from consecutive byte ranges of a file
 * (rows[k] rows each, whose lines are lineOffsets[k] after those the part
 * counted), exactly as one reader of the whole file makes it; null where the
 * parts cannot tell that (a decimal comma; a range's numbers whose texts the
 * whole-file reader would have kept as written), and then the file is read
 * in one piece. `joinInPlace` joins the values where they are (./csvRanges.ts), or says it cannot (null).
 */
export function joinColumnParts(
  name: string,
  parts: ColumnPart[],
  rows: number[],
  lineOffsets: number[],
  joinInPlace?: () => Float64Array | null,
): CsvColumn | null {
  if (parts.length > 1 && parts.some((p) => p.decimalComma)) return null;
  const n = rows.reduce((a, b) => a + b, 0);
  const text = joinTexts(parts, rows, n);
  if (text === undefined) return null;
  let missing = 0;
  let nonNumeric = 0;
  let nonFinite = 0;
  let firstNonNumeric: CsvColumn['firstNonNumeric'] = null;
  let firstNonFinite: CsvColumn['firstNonFinite'] = null;
  parts.forEach((p, k) => {
    missing += p.missing;
    nonNumeric += p.nonNumeric;
    nonFinite += p.nonFinite;
    if (firstNonNumeric === null && p.firstNonNumeric) firstNonNumeric = { value: p.firstNonNumeric.value, line: p.firstNonNumeric.line + lineOffsets[k] };
    if (firstNonFinite === null && p.firstNonFinite) firstNonFinite = { value: p.firstNonFinite.value, line: p.firstNonFinite.line + lineOffsets[k] };
  });
  // Beside other text, an infinity is one more text value.
  const isText = nonNumeric > 0;
  return {
    name,
    // Last: joining in place moves the parts' values (the texts above read them where they were).
    values: joinInPlace?.() ?? (parts.length === 1 ? parts[0].values : concatFloat64(parts.map((p) => p.values), n)),
    missing,
    nonNumeric: nonNumeric + (isText ? nonFinite : 0),
    firstNonNumeric,
    nonFinite: isText ? 0 : nonFinite,
    firstNonFinite: isText ? null : firstNonFinite,
    text,
    ...joinLevels(parts, rows, n),
  };
}

/** The distinct values of all parts in order of first appearance, and the codes renumbered to them; null above MAX_LEVELS. */
function joinLevels(parts: ColumnPart[], rows: number[], n: number): { levels: string[] | null; codes: Uint8Array | null } {
  if (parts.length === 1) return { levels: parts[0].levels, codes: parts[0].codes };
  if (parts.some((p) => p.levels === null)) return { levels: null, codes: null };
  const index = new Map<string, number>();
  const codes = new Uint8Array(n);
  let at = 0;
  for (let k = 0; k < parts.length; k++) {
    const part = parts[k];
    const renumber = part.levels!.map((level) => {
      if (!index.has(level)) index.set(level, index.size + 1);
      return index.get(level)!;
    });
    if (index.size > MAX_LEVELS) return { levels: null, codes: null };
    const from = part.codes!;
    for (let i = 0; i < rows[k]; i++) codes[at + i] = from[i] === 0 ? 0 : renumber[from[i] - 1];
    at += rows[k];
  }
  return { levels: [...index.keys()], codes };
}

/**
 * The column's texts as the whole-file reader keeps them: none until its
 * first text; rows before that rebuilt from their numbers; every later row
 * as written. undefined when a range after that first text has numbers
 * whose written form it did not keep (neither as texts nor as levels).
 */
function joinTexts(parts: ColumnPart[], rows: number[], n: number): string[] | null | undefined {
  const first = parts.findIndex((p) => p.text !== null);
  if (first < 0) return null;
  if (parts.length === 1) {
    const { text, levels, codes } = parts[0];
    return text!.length >= n || levels === null || codes === null ? text : textsWithLevels(text!, levels, codes, n);
  }
  const text = new Array<string>(n);
  let at = 0;
  for (let k = 0; k < parts.length; k++) {
    const part = parts[k];
    const kept = part.text ?? [];
    const fromLevels = k > first && part.levels !== null;
    // After the column's first text every row is kept as written: rows this part rebuilt from their numbers
    // (or kept none of) are right only when missing.
    const rebuilt = k > first && !fromLevels ? (part.text === null ? rows[k] : part.textFrom) : 0;
    for (let i = 0; i < rows[k]; i++) {
      const value = part.values[i];
      if (k < first) text[at + i] = Number.isNaN(value) ? '' : String(value);
      else if (i < rebuilt) {
        if (!Number.isNaN(value)) return undefined;
        text[at + i] = '';
      } else text[at + i] = fromLevels || i >= kept.length ? levelText(part, i) : kept[i];
    }
    at += rows[k];
  }
  return text;
}

/** The cell of row i as written, from the part's levels ('' where missing). */
function levelText(part: ColumnPart, i: number): string {
  const code = part.codes !== null && i < part.codes.length ? part.codes[i] : 0;
  return code === 0 ? '' : part.levels![code - 1];
}

/** `text` followed by the texts of rows [text.length, end) read from their levels, '' where missing. */
function textsWithLevels(before: string[], names: readonly string[], codes: Uint8Array, end: number): string[] {
  // Sized once: a million pushes cost more than the filling itself.
  const text = new Array<string>(end);
  for (let i = 0; i < before.length; i++) text[i] = before[i];
  for (let i = before.length; i < end; i++) {
    const code = i < codes.length ? codes[i] : 0;
    text[i] = code === 0 ? '' : names[code - 1];
  }
  return text;
}

function concatFloat64(arrays: Float64Array[], n: number): Float64Array {
  const out = new Float64Array(n);
  let at = 0;
  for (const a of arrays) {
    out.set(a, at);
    at += a.length;
  }
  return out;
}

/** The text of the cell being added, made only when it is needed. */
interface CellText {
  get(): string;
  /** False when the cell cannot be an infinity token (isInfinityToken), so a text cell need not be made a string. */
  mayBeInfinity(): boolean;
}

class StringCell implements CellText {
  text = '';
  get(): string {
    return this.text;
  }
  mayBeInfinity(): boolean {
    return mayBeInfinity(this.text.length, this.text.charCodeAt(0));
  }
}

/** What isInfinityToken looks at first: at most 9 characters, starting with i, I, + or -. */
function mayBeInfinity(length: number, first: number): boolean {
  const lower = first | 0x20;
  return length <= 9 && (lower === 0x69 || first === 0x2b || first === 0x2d);
}

/**
 * A cell of ASCII bytes. Its text comes from a small cache of the column's
 * recent texts, so a column of repeated values (cities, tiers, dates) makes
 * one string per value rather than one per cell.
 */
class AsciiCell implements CellText {
  buf: Buffer = Buffer.alloc(0);
  start = 0;
  end = 0;
  private readonly recent: string[] = new Array<string>(TEXT_CACHE_SLOTS).fill('');

  mayBeInfinity(): boolean {
    return mayBeInfinity(this.end - this.start, this.buf[this.start]);
  }

  get(): string {
    const { buf, start, end } = this;
    const length = end - start;
    if (length > TEXT_CACHE_MAX_LENGTH) return buf.toString('latin1', start, end);
    const slot = hashBytes(buf, start, end) & (TEXT_CACHE_SLOTS - 1);
    const cached = this.recent[slot];
    if (cached.length === length) {
      let k = 0;
      while (k < length && cached.charCodeAt(k) === buf[start + k]) k++;
      if (k === length) return cached;
    }
    const text = buf.toString('latin1', start, end);
    this.recent[slot] = text;
    return text;
  }
}

/** A power of two. */
const TEXT_CACHE_SLOTS = 1024;
/** Longer texts are rarely repeated, and costly to compare. */
const TEXT_CACHE_MAX_LENGTH = 48;

const MISSING_ASCII = ['na', 'n/a', 'nan', 'null'].map((token) => Buffer.from(token, 'latin1'));

/** isMissingToken for a non-empty trimmed ASCII cell of at most 4 bytes. */
function isMissingAscii(buf: Buffer, start: number, end: number): boolean {
  const length = end - start;
  if (length === 0) return true;
  for (const token of MISSING_ASCII) {
    if (token.length !== length) continue;
    let k = 0;
    for (; k < length; k++) {
      const want = token[k];
      const got = buf[start + k];
      // Letters in either case; '/' only as itself.
      if (got !== want && !(want >= 0x61 && got === want - 0x20)) break;
    }
    if (k === length) return true;
  }
  return false;
}

/**
 * The first n values: a view when the array is at most 10% longer (a
 * column reserved from the file's size), which spares a copy per column.
 */
function trimmed(values: Float64Array, n: number): Float64Array {
  if (values.length === n) return values;
  return values.length <= n * 1.1 ? values.subarray(0, n) : values.slice(0, n);
}

function growFloat64(values: Float64Array, atLeast = 0): Float64Array<ArrayBuffer> {
  const bigger = new Float64Array(Math.max(values.length * 2, atLeast));
  bigger.set(values);
  return bigger;
}

function growInt32(values: Int32Array, atLeast = 0): Int32Array<ArrayBuffer> {
  const bigger = new Int32Array(Math.max(values.length * 2, atLeast));
  bigger.set(values);
  return bigger;
}

// ---------------------------------------------------------------------------
// Errors

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function describeDelimiter(delimiter: Delimiter): string {
  return { ',': 'comma (,)', ';': 'semicolon (;)', '\t': 'tab', '|': 'pipe (|)' }[delimiter];
}

/** "a", "a and b", "a, b and c". */
function joinAnd(items: string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

interface CsvParseError extends Error {
  code: string;
  lines?: number;
  empty_lines?: number;
}

function toSegmentError(error: unknown, context: ReadContext, lines: LineTracker): SegmentError {
  if (error instanceof SegmentError) return error;
  if (error instanceof Error && error.name === 'AbortError') return cancelledError();
  const code = (error as { code?: unknown })?.code;
  if (typeof code === 'string' && (code.startsWith('CSV_') || code === 'INVALID_OPENING_QUOTE')) {
    return malformedCsvError(error as CsvParseError, context.fileName, lines);
  }
  return fileSystemError(error, context.path);
}

function malformedCsvError(error: CsvParseError, fileName: string, lines: LineTracker): SegmentError {
  const at = lines.physical(error.lines ?? 0);
  const recordStart = lines.nextRecordStart(error.empty_lines ?? 0);
  const quoteAdvice = 'Put the whole value in double quotes and write each quote inside it as two ("").';
  const message = (() => {
    switch (error.code) {
      case 'CSV_QUOTE_NOT_CLOSED':
        return `Line ${recordStart} of "${fileName}" opens a quoted value that is never closed. Add the closing double quote (") or remove the opening one.`;
      case 'CSV_INVALID_CLOSING_QUOTE':
        return `Line ${at} of "${fileName}" has characters right after a closing double quote. ${quoteAdvice}`;
      case 'INVALID_OPENING_QUOTE':
        return `Line ${at} of "${fileName}" has a double quote (") inside a value that does not start with one. ${quoteAdvice}`;
      case 'CSV_MAX_RECORD_SIZE':
        // Over several lines, a quoted value has swallowed line breaks; on one line, the line itself is that long.
        if (at <= recordStart) {
          return `Line ${recordStart} of "${fileName}" is longer than 1,000,000 characters, too long for one row. Check that every row ends with a line break and that this is the CSV file you meant.`;
        }
        return `Line ${recordStart} of "${fileName}" starts a row longer than 1,000,000 characters, most likely because of a double quote (") that is never closed. Check the quotes on that line.`;
      default:
        return `The file "${fileName}" could not be read as CSV near line ${at} (${error.message}). Check its quotes and delimiters.`;
    }
  })();
  return new SegmentError('MALFORMED_CSV', message);
}

function fileSystemError(error: unknown, path: string): SegmentError {
  if (error instanceof SegmentError) return error;
  const code = (error as { code?: unknown })?.code;
  switch (code) {
    case 'ENOENT':
      return new SegmentError('FILE_NOT_FOUND', `File not found: "${path}". Check the folder and the file name, then try again.`);
    case 'EISDIR':
      return new SegmentError('FILE_UNREADABLE', `"${path}" is a folder, not a CSV file. Choose a .csv file inside it.`);
    case 'EACCES':
    case 'EPERM':
      return new SegmentError('FILE_UNREADABLE', `Permission denied reading "${path}". Check that your account may open the file.`);
    default: {
      const detail = error instanceof Error ? error.message : String(error);
      return new SegmentError('FILE_UNREADABLE', `Could not read "${path}" (${detail}). Check that the file is accessible and try again.`);
    }
  }
}
