/** The `{method}_assignments_{ts}.csv` table (and the scores CSV): one row per sample clustered, in input order. */
import type { PreparedData } from '../data/prepare';
import { NumberShape, numberShape } from '../data/numeric';
import { csvField } from './export';
import { INT_BYTES, RowTails, WAVE_ROWS, writeInteger, writeText } from './rowTails';

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
const COMMA = 0x2c;

/**
 * `row` (the 1-based data-row number) first, then the id column under its own
 * name when there is one, then `cluster` and the soft scores (../shared/spec/PROFILE.md, Files).
 * Chunks of UTF-8 bytes of about CHUNK_BYTES; every number as String(x)
 * writes it (formatted on up to `threads` threads, src/engine/profile/rowTails.ts).
 * A chunk is valid until the next one is asked for: the same buffer is
 * reused (fresh memory costs a page fault per 4 KB, 0.3 s for a 100 MB table
 * on a small VM), so a caller that keeps chunks copies them.
 */
export function* assignmentsCsv(data: PreparedData, labels: Int32Array, scores: SoftScores, threads = 1): Generator<Uint8Array> {
  const id = data.idColumn !== null && data.ids !== null ? { name: data.idColumn, values: data.ids } : null;
  const perRow = scores.perRow ?? [];
  const width = scores.columns.length - perRow.length;
  const header = ['row', ...(id ? [spreadsheetSafe(id.name)] : []), 'cluster', ...scores.columns].map(csvField).join(',') + '\n';
  let out = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, 3 * header.length));
  let at = writeText(out, 0, header);
  const tails = new RowTails(labels, scores.values, width, perRow, data.n, threads);
  try {
    for (let first = 0; first < data.n; first += WAVE_ROWS) {
      const last = first + tails.format(first);
      for (let i = first; i < last; i++) {
        const idField = id ? csvField(spreadsheetSafe(id.values[i])) : '';
        const start = tails.start(i);
        const end = tails.end(i);
        // UTF-8 takes at most 3 bytes per UTF-16 unit.
        const rowBytes = INT_BYTES + 1 + 3 * idField.length + (end - start);
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
        at += tails.bytes.copy(out, at, start, end);
      }
    }
  } finally {
    tails.close();
  }
  if (at > 0) yield out.subarray(0, at);
}

/** The whole table as text (tests, small tables). */
export function assignmentsCsvText(data: PreparedData, labels: Int32Array, scores: SoftScores, threads = 1): string {
  return Buffer.concat(Array.from(assignmentsCsv(data, labels, scores, threads), (chunk) => Buffer.from(chunk))).toString('utf8');
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
