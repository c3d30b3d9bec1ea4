/**
 * Parquet files for the tests, written with hyparquet-writer (Debian has no
 * pyarrow): a CSV read by the engine's own reader becomes a Parquet file with
 * a DOUBLE column per numeric CSV column and a STRING column per other one.
 */
import { writeFileSync } from 'node:fs';
import { readCsv, type CsvColumn } from '../../src/engine/data/csv';
import { columnKind } from '../../src/engine/data/columns';

export interface ParquetColumnData {
  name: string;
  data: unknown[];
  type: 'DOUBLE' | 'INT32' | 'INT64' | 'STRING' | 'BOOLEAN' | 'FLOAT' | 'TIMESTAMP';
  nullable?: boolean;
}

export async function writeParquet(path: string, columnData: ParquetColumnData[], rowGroupSize = 1000, codec: 'SNAPPY' | 'UNCOMPRESSED' = 'SNAPPY'): Promise<void> {
  const { parquetWriteBuffer } = await import('hyparquet-writer');
  writeFileSync(path, Buffer.from(parquetWriteBuffer({ columnData: columnData as never, rowGroupSize, codec })));
}

/** The CSV's cells of one column: numbers as numbers, text as it was written, missing as null. */
function columnData(column: CsvColumn): ParquetColumnData {
  if (columnKind(column).kind === 'numeric' && !column.name.endsWith('_id')) {
    return { name: column.name, type: 'DOUBLE', data: Array.from(column.values, (v) => (Number.isNaN(v) ? null : v)) };
  }
  const data = column.text ?? Array.from(column.codes!, (code) => (code === 0 ? '' : column.levels![code - 1]));
  return { name: column.name, type: 'STRING', data: data.map((t) => (t === '' ? null : t)) };
}

/** `csv` converted to Parquet at `path`, in row groups of `rowGroupSize` rows. */
export async function csvToParquet(csv: string, path: string, rowGroupSize = 128): Promise<void> {
  const table = await readCsv(csv);
  await writeParquet(path, table.columns.map(columnData), rowGroupSize);
}
