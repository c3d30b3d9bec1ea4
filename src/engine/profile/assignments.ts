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

export function* assignmentsCsv(data: PreparedData, labels: Int32Array, scores: SoftScores): Generator<string> {
  const idName = data.idColumn ?? 'row';
  const width = scores.columns.length;
  yield [idName, 'cluster', ...scores.columns].map(csvField).join(',') + '\n';
  let chunk = '';
  for (let i = 0; i < data.n; i++) {
    const id = data.ids ? csvField(data.ids[i]) : String(data.rowNumbers[i]);
    let line = `${id},${labels[i]}`;
    for (let c = 0; c < width; c++) line += `,${scores.values[i * width + c]}`;
    chunk += line + '\n';
    if ((i + 1) % ROWS_PER_CHUNK === 0) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}
