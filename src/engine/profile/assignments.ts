/** The `{method}_assignments_{ts}.csv` table (and the scores CSV): one row per sample clustered, in input order. */
import type { PreparedData } from '../data/prepare';
import { NumberShape, numberShape } from '../data/numeric';
import { csvField } from './export';

export interface SoftScores {
  /** Column names after `cluster`, e.g. prob_cluster_0 … or distance_to_center. */
  columns: string[];
  /** n × (columns.length − perRow.length), row-major: the first columns. */
  values: Float64Array;
  /** The last columns, one number per row each (GMM scoring's log_likelihood and unusual), so no n×columns matrix is copied together. */
  perRow?: ArrayLike<number>[];
}

/** Bytes of a chunk of the table: large writes, a bounded buffer. */
const CHUNK_BYTES = 1 << 20;
/** The most bytes String(x) of a double takes ("-0.0000012345678901234567"), and an int32's. */
const NUMBER_BYTES = 25;
const INT_BYTES = 11;
const COMMA = 0x2c;
const NEWLINE = 0x0a;

/**
 * `row` (the 1-based data-row number) first, then the id column under its own
 * name when there is one, then `cluster` and the soft scores (../shared/spec/PROFILE.md, Files).
 * Chunks of UTF-8 bytes of about CHUNK_BYTES; every number as String(x)
 * writes it. A chunk is valid until the next one is asked for: the same
 * buffer is reused (fresh memory costs a page fault per 4 KB, 0.3 s for a
 * 100 MB table on a small VM), so a caller that keeps chunks copies them.
 */
export function* assignmentsCsv(data: PreparedData, labels: Int32Array, scores: SoftScores): Generator<Uint8Array> {
  const id = data.idColumn !== null && data.ids !== null ? { name: data.idColumn, values: data.ids } : null;
  const perRow = scores.perRow ?? [];
  const width = scores.columns.length - perRow.length;
  const { values } = scores;
  const header = ['row', ...(id ? [spreadsheetSafe(id.name)] : []), 'cluster', ...scores.columns].map(csvField).join(',') + '\n';
  let out = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, 3 * header.length));
  let at = writeText(out, 0, header);
  const fixedBytes = 2 * INT_BYTES + scores.columns.length * (NUMBER_BYTES + 1) + 3;
  for (let i = 0; i < data.n; i++) {
    const idField = id ? csvField(spreadsheetSafe(id.values[i])) : '';
    // UTF-8 takes at most 3 bytes per UTF-16 unit.
    const rowBytes = fixedBytes + 3 * idField.length;
    if (at + rowBytes > out.length) {
      yield out.subarray(0, at);
      if (rowBytes > out.length) out = Buffer.allocUnsafe(rowBytes);
      at = 0;
    }
    at = writeInteger(out, at, data.rowNumbers[i]);
    if (id) {
      out[at++] = COMMA;
      at = writeText(out, at, idField);
    }
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
  }
  if (at > 0) yield out.subarray(0, at);
}

/** The whole table as text (tests, small tables). */
export function assignmentsCsvText(data: PreparedData, labels: Int32Array, scores: SoftScores): string {
  return Buffer.concat(Array.from(assignmentsCsv(data, labels, scores), (chunk) => Buffer.from(chunk))).toString('utf8');
}

/** An integer of at most 31 bits as its decimal digits; returns the end. */
function writeInteger(out: Uint8Array, at: number, value: number): number {
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
function writeText(out: Buffer, at: number, text: string): number {
  for (let c = 0; c < text.length; c++) {
    const unit = text.charCodeAt(c);
    if (unit >= 0x80) return at + out.write(text, at, 'utf8');
    out[at + c] = unit;
  }
  return at + text.length;
}

const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * OWASP's defence against CSV injection, for the text this table copies from
 * the input (the id column's name and values): a cell that starts with =, +,
 * -, @, a tab or a carriage return, which a spreadsheet would run as a
 * formula, gets a leading single quote. A plain number ("-3.5", "+5") is left
 * as it is: it is no formula.
 */
export function spreadsheetSafe(value: string): string {
  if (!FORMULA_START.test(value) || numberShape(value, true) !== NumberShape.NONE) return value;
  return `'${value}`;
}
