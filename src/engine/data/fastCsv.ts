/**
 * The fast CSV reader: bytes to columns without a string per cell. It
 * tokenises the bytes itself and hands each cell to the same ColumnBuilder
 * as the csv-parse reader (./csv.ts), as a byte range whose number is read
 * from the bytes (./byteNumber.ts); only cells whose text is kept (ids,
 * text, levels the first time they are seen) become strings.
 *
 * It reads what csv-parse reads with the options csv.ts gives it (trim,
 * CRLF/LF/CR, "" inside quotes, blank lines skipped), and declines, so that
 * csv.ts reads the file with csv-parse instead, whenever the file is anything
 * else or anything is wrong with it: bytes that are not UTF-8 or a NUL, a
 * quote inside an unquoted value or text after a closing one, a quote never
 * closed, a row longer than 1,000,000 bytes, a ragged row, a bad header, no
 * header or no rows. The reference reader then finds the same table or
 * reports the error in its own words, so either way the result is the one
 * csv-parse gives. Cancelling is not declining: it stops the read.
 */
import { isUtf8 } from 'node:buffer';
import { throwIfAborted } from '../errors';
import type { ColumnPart, CsvProgress, CsvTable, LineEnding, TableBuilder } from './csv';

export interface FastReadSetup {
  delimiter: string;
  lineEnding: LineEnding;
  table: TableBuilder;
  signal?: AbortSignal;
  onProgress?: (progress: CsvProgress) => void;
  totalBytes: number;
  /** Bytes asked of `read` at a time. */
  blockBytes: number;
}

export type FastReadOutcome = { table: CsvTable } | { declined: string };

/** Reads up to `length` bytes of the file, in order, into `into` at `offset`; 0 at the end. */
export type ByteReader = (into: Buffer, offset: number, length: number) => Promise<number>;

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;
const VT = 0x0b;
const FF = 0x0c;
const ROWS_PER_PROGRESS = 10_000;
/** A row this long may be one csv-parse refuses (its limit is 1,000,000 characters): left to it. */
const MAX_RECORD_BYTES = 1_000_000;

/** Why the fast reader leaves a file to csv-parse. */
class Decline extends Error {}

/**
 * Reads a CSV file through `read` into `setup.table`, or says why it leaves
 * the file to csv-parse.
 */
export async function readCsvFast(read: ByteReader, setup: FastReadSetup): Promise<FastReadOutcome> {
  try {
    const { hadBom, bytes } = await parseBlocks(read, setup, true);
    const { table } = setup;
    if (!table.hasHeader || table.rowsRead === 0) throw new Decline('no header or no data rows');
    setup.onProgress?.({ rowsRead: table.rowsRead, bytesRead: bytes, totalBytes: setup.totalBytes });
    const parser = new RecordParser(setup);
    return { table: table.finish(hadBom, setup.lineEnding, (record, line) => parser.readKept(record, line)) };
  } catch (error) {
    if (error instanceof Decline) return { declined: error.message };
    throw error;
  }
}

/** What the reader of one byte range of a file found (./csvRanges.ts joins the ranges). */
export interface RangePart {
  rows: number;
  /** Line breaks in the range: the next range starts that many lines later. */
  lineBreaks: number;
  /** Per row, its line counted from the range's first line (1). */
  lineOfRow: Int32Array;
  columns: ColumnPart[];
}

/**
 * Reads the whole records of one byte range of a file (from the start of a
 * line to just after a line break, past the header): `setup.table` already
 * has the header. Declines as readCsvFast does, and also when the range
 * ends inside a quoted value (a line break inside quotes was taken for a
 * range boundary).
 */
export async function readRangeFast(read: ByteReader, setup: FastReadSetup): Promise<RangePart | { declined: string }> {
  try {
    const parser = await parseBlocks(read, setup, false);
    return { ...setup.table.parts(), lineBreaks: parser.lineBreaks };
  } catch (error) {
    if (error instanceof Decline) return { declined: error.message };
    throw error;
  }
}

/** Where the header of a CSV ends, read from its first bytes `sample`. */
export interface HeaderEnd {
  names: string[];
  /** The byte offset of the first data row's line, and its line number. */
  dataStart: number;
  firstDataLine: number;
  hadBom: boolean;
}

/** The header record at the start of `sample` (not the whole file), or null when it does not end there or the fast reader would decline it. */
export function readHeader(sample: Buffer, setup: FastReadSetup): HeaderEnd | null {
  const hadBom = sample.length >= 3 && sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf;
  const bytes = hadBom ? sample.subarray(3) : sample;
  const parser = new RecordParser(setup);
  try {
    const used = parser.parse(bytes, false, 0, true);
    const names = setup.table.headerNames;
    if (names === null) return null;
    checkText(bytes, used);
    return { names, dataStart: used + (hadBom ? 3 : 0), firstDataLine: parser.lineBreaks + 1, hadBom };
  } catch (error) {
    if (error instanceof Decline) return null;
    throw error;
  }
}

/**
 * Feeds the bytes `read` gives to a RecordParser, block by block. One buffer
 * is reused throughout: the unfinished record at its end moves to its start
 * before the next block is read in. At the start of a file (`fileStart`) a
 * byte order mark is skipped, as csv.ts's Utf8Guard does.
 */
async function parseBlocks(read: ByteReader, setup: FastReadSetup, fileStart: boolean): Promise<{ hadBom: boolean; bytes: number; lineBreaks: number }> {
  const parser = new RecordParser(setup);
  const blockBytes = setup.blockBytes;
  let work = Buffer.allocUnsafe(Math.max(2 * blockBytes, 64));
  let filled = 0;
  let started = !fileStart;
  let hadBom = false;
  let bytesBefore = 0;
  let reserved = false;
  const start = (): void => {
    started = true;
    hadBom = work[0] === 0xef && work[1] === 0xbb && work[2] === 0xbf && filled >= 3;
    if (!hadBom) return;
    work.copyWithin(0, 3, filled);
    filled -= 3;
    bytesBefore = 3;
  };
  for (;;) {
    if (work.length - filled < blockBytes) {
      const bigger = Buffer.allocUnsafe(Math.max(2 * work.length, filled + blockBytes));
      work.copy(bigger, 0, 0, filled);
      work = bigger;
    }
    const got = await read(work, filled, blockBytes);
    if (got === 0) break;
    filled += got;
    if (!started) {
      if (filled < 3) continue; // too short to tell whether it starts with a BOM
      start();
    }
    throwIfAborted(setup.signal);
    const view = work.subarray(0, filled);
    checkText(view, filled - incompleteTailLength(view));
    const used = parser.parse(view, false, bytesBefore);
    bytesBefore += used;
    if (!reserved && setup.table.nRows > 0) {
      // Rows of the whole file by the first block's: the columns made that long at once, not doubled up to it.
      reserved = true;
      setup.table.reserve(Math.ceil((setup.table.nRows * setup.totalBytes * 1.02) / bytesBefore) + 16);
    }
    work.copyWithin(0, used, filled);
    filled -= used;
    if (filled > MAX_RECORD_BYTES) throw new Decline('a row longer than 1,000,000 bytes');
  }
  if (!started) start();
  if (filled > 0) {
    const view = work.subarray(0, filled);
    checkText(view, filled);
    bytesBefore += parser.parse(view, true, bytesBefore);
  }
  throwIfAborted(setup.signal);
  return { hadBom, bytes: bytesBefore, lineBreaks: parser.lineBreaks };
}

/** UTF-8 without NUL bytes, as csv.ts's Utf8Guard demands, else declined (the guard says where). */
function checkText(buf: Buffer, whole: number): void {
  const checked = buf.subarray(0, whole);
  if (!isUtf8(checked)) throw new Decline('not UTF-8');
  if (checked.indexOf(0) >= 0) throw new Decline('a NUL byte');
}

/** Bytes at the end of `buf` that begin a character the next block completes. */
function incompleteTailLength(buf: Buffer): number {
  for (let k = 1; k <= Math.min(3, buf.length); k++) {
    const b = buf[buf.length - k];
    if ((b & 0xc0) === 0x80) continue;
    const length = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return length > k ? k : 0;
  }
  return 0;
}

/** How a field's cell is handed to its column. */
const ASCII = 0; // buf[start, end), trimmed ASCII
const RAW = 1; // buf[start, end) as UTF-8, trimmed by ColumnBuilder.add
const ESCAPED = 2; // the same, with "" read as "

/**
 * Splits bytes into records and fields as csv-parse does (trim on, quote and
 * escape '"', record delimiters CRLF, LF and CR, empty lines skipped) and
 * adds each record to the table.
 */
class RecordParser {
  private readonly delimiter: number;
  private readonly table: TableBuilder;
  /** The physical line (1-based) the next record starts on. */
  private line = 1;
  private starts = new Int32Array(64);
  private ends = new Int32Array(64);
  private kinds = new Uint8Array(64);
  private nFields = 0;
  /** Reading the records a sample kept (readKept), not offering them to it. */
  private readingKept = false;

  constructor(private readonly setup: FastReadSetup) {
    this.delimiter = setup.delimiter.charCodeAt(0);
    this.table = setup.table;
  }

  /** Line breaks passed so far (whole records only). */
  get lineBreaks(): number {
    return this.line - 1;
  }

  /**
   * Adds the whole records at the start of buf; returns how many bytes they
   * took. With `final`, buf ends the file and is read to its end; with
   * `headerOnly`, it stops after the header.
   */
  parse(buf: Buffer, final: boolean, bytesBefore: number, headerOnly = false): number {
    const end = buf.length;
    let p = 0;
    while (p < end && !(headerOnly && this.table.hasHeader)) {
      const lineBefore = this.line;
      const next = this.record(buf, p, final);
      if (next < 0) {
        this.line = lineBefore; // the record continues in the next block
        break;
      }
      if (next - p > MAX_RECORD_BYTES) throw new Decline('a row longer than 1,000,000 bytes');
      this.addRecord(buf, lineBefore, p, next);
      p = next;
      const rows = this.table.rowsRead;
      if (rows % ROWS_PER_PROGRESS === 0 && rows > 0 && !this.readingKept) {
        throwIfAborted(this.setup.signal);
        this.setup.onProgress?.({ rowsRead: rows, bytesRead: bytesBefore + p, totalBytes: this.setup.totalBytes });
      }
    }
    return p;
  }

  /**
   * Splits the record at p into fields (this.starts/ends/kinds) and returns
   * where the next one starts, or −1 when buf ends before the record does
   * (never with `final`). Counts the line breaks it passes.
   */
  private record(buf: Buffer, from: number, final: boolean): number {
    const end = buf.length;
    const delimiter = this.delimiter;
    let p = from;
    this.nFields = 0;
    for (;;) {
      // Leading spaces (csv-parse's ltrim); the delimiter itself is never one.
      while (p < end && isBlank(buf[p]) && buf[p] !== delimiter) p++;
      let start: number;
      let stop: number;
      let kind: number;
      if (p < end && buf[p] === QUOTE) {
        start = p + 1;
        let escaped = false;
        let high = 0;
        let q = start;
        for (;;) {
          if (q >= end) {
            if (final) throw new Decline('a quote never closed');
            return -1;
          }
          const b = buf[q];
          if (b === QUOTE) {
            if (q + 1 >= end && !final) return -1; // "" or the closing quote: the next block tells
            if (buf[q + 1] === QUOTE) {
              escaped = true;
              q += 2;
              continue;
            }
            break;
          }
          if (b === LF) this.line++;
          else if (b === CR && !(q + 1 < end && buf[q + 1] === LF)) {
            if (q + 1 >= end && !final) return -1;
            this.line++;
          }
          high |= b;
          q++;
        }
        stop = q;
        p = q + 1;
        while (p < end && isBlank(buf[p]) && buf[p] !== delimiter) p++;
        if (p < end && buf[p] !== delimiter && buf[p] !== LF && buf[p] !== CR) throw new Decline('text after a closing quote');
        kind = escaped ? ESCAPED : high >= 0x80 ? RAW : ASCII;
      } else {
        start = p;
        let high = 0;
        while (p < end) {
          const b = buf[p];
          if (b === delimiter || b === LF || b === CR) break;
          if (b === QUOTE) throw new Decline('a quote inside an unquoted value');
          high |= b;
          p++;
        }
        stop = p;
        kind = high >= 0x80 ? RAW : ASCII;
      }
      if (kind === ASCII) {
        while (start < stop && isSpace(buf[start])) start++;
        while (stop > start && isSpace(buf[stop - 1])) stop--;
      }
      this.pushField(start, stop, kind);
      if (p >= end) {
        if (!final) return -1;
        return p;
      }
      const b = buf[p];
      if (b === delimiter) {
        p++;
        continue;
      }
      // A record delimiter: CRLF, LF or CR.
      if (b === CR) {
        if (p + 1 >= end && !final) return -1;
        p += buf[p + 1] === LF && p + 1 < end ? 2 : 1;
      } else {
        p++;
      }
      this.line++;
      return p;
    }
  }

  private pushField(start: number, stop: number, kind: number): void {
    const j = this.nFields++;
    if (j === this.starts.length) {
      this.starts = grow(this.starts);
      this.ends = grow(this.ends);
      const kinds = new Uint8Array(this.kinds.length * 2);
      kinds.set(this.kinds);
      this.kinds = kinds;
    }
    this.starts[j] = start;
    this.ends[j] = stop;
    this.kinds[j] = kind;
  }

  /** A record the sample kept (its bytes, from line `line`), read into the table as the file's only rows are. */
  readKept(record: Buffer, line: number): void {
    this.line = line;
    this.readingKept = true;
    this.parse(record, true, 0);
  }

  /** The record buf[start, end), from line `line`. */
  private addRecord(buf: Buffer, line: number, start: number, end: number): void {
    const n = this.nFields;
    const table = this.table;
    // A line of nothing but spaces, or one empty quoted value: skipped.
    if (n === 1 && this.isBlankField(buf, 0)) return;
    if (!table.hasHeader) {
      const names = Array.from({ length: n }, (_, j) => this.text(buf, j));
      try {
        table.addRecord(names, line);
      } catch {
        throw new Decline('a header csv.ts refuses');
      }
      return;
    }
    const columns = table.columnBuilders;
    if (n !== columns.length) throw new Decline('a ragged row');
    if (table.sampling && !this.readingKept) {
      const slot = table.admitRow();
      if (slot >= 0) table.keepRow(slot, buf.subarray(start, end), line);
      return;
    }
    const row = table.beginRow(line);
    const { starts, ends, kinds } = this;
    const { skipped } = table;
    for (let j = 0; j < n; j++) {
      if (skipped[j] !== 0) continue;
      if (kinds[j] === ASCII) columns[j].addAscii(row, buf, starts[j], ends[j], line);
      else columns[j].add(row, this.text(buf, j), line);
    }
    table.endRow();
  }

  private isBlankField(buf: Buffer, j: number): boolean {
    return this.kinds[j] === ASCII ? this.starts[j] === this.ends[j] : this.text(buf, j).trim() === '';
  }

  /** Field j as csv-parse gives it, up to the trimming ColumnBuilder does anyway. */
  private text(buf: Buffer, j: number): string {
    const kind = this.kinds[j];
    const text = buf.toString(kind === ASCII ? 'latin1' : 'utf8', this.starts[j], this.ends[j]);
    return kind === ESCAPED ? text.replaceAll('""', '"') : text;
  }
}

/** Space, tab, vertical tab, form feed: csv-parse's leading trim in ASCII (line breaks end records). */
function isBlank(b: number): boolean {
  return b === SPACE || b === TAB || b === VT || b === FF;
}

/** What String.prototype.trim removes, in ASCII. */
function isSpace(b: number): boolean {
  return isBlank(b) || b === LF || b === CR;
}

function grow(values: Int32Array): Int32Array<ArrayBuffer> {
  const bigger = new Int32Array(values.length * 2);
  bigger.set(values);
  return bigger;
}
