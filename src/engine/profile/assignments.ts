/** The `{method}_assignments_{ts}.csv` table: one row per sample clustered, in input order. */
import type { PreparedData } from '../data/prepare';
import { NumberShape, numberShape } from '../data/numeric';
import { csvField } from './export';

export interface SoftScores {
  /** Column names after `cluster`, e.g. prob_cluster_0 … or distance_to_center. */
  columns: string[];
  /** n × columns.length, row-major. */
  values: Float64Array;
}

const ROWS_PER_CHUNK = 4096;

/**
 * `row` (the 1-based data-row number) first, then the id column under its own
 * name when there is one, then `cluster` and the soft scores (../shared/spec/PROFILE.md, Files).
 */
export function* assignmentsCsv(data: PreparedData, labels: Int32Array, scores: SoftScores): Generator<string> {
  const id = data.idColumn !== null && data.ids !== null ? { name: data.idColumn, values: data.ids } : null;
  const width = scores.columns.length;
  yield ['row', ...(id ? [spreadsheetSafe(id.name)] : []), 'cluster', ...scores.columns].map(csvField).join(',') + '\n';
  let chunk = '';
  for (let i = 0; i < data.n; i++) {
    const idField = id ? `,${csvField(spreadsheetSafe(id.values[i]))}` : '';
    let line = `${data.rowNumbers[i]}${idField},${labels[i]}`;
    for (let c = 0; c < width; c++) line += `,${scores.values[i * width + c]}`;
    chunk += line + '\n';
    if ((i + 1) % ROWS_PER_CHUNK === 0) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
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
