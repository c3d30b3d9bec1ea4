/** The `{method}_assignments_{ts}.csv` table: one row per sample clustered, in input order. */
import type { PreparedData } from '../data/prepare';
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
 * name when there is one, then `cluster` and the soft scores (PROFILE.md, Files).
 */
export function* assignmentsCsv(data: PreparedData, labels: Int32Array, scores: SoftScores): Generator<string> {
  const id = data.idColumn !== null && data.ids !== null ? { name: data.idColumn, values: data.ids } : null;
  const width = scores.columns.length;
  yield ['row', ...(id ? [id.name] : []), 'cluster', ...scores.columns].map(csvField).join(',') + '\n';
  let chunk = '';
  for (let i = 0; i < data.n; i++) {
    const idField = id ? `,${csvField(id.values[i])}` : '';
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
