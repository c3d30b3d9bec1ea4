/** A data file into the table every run starts from: a Parquet file by its name (.parquet), any other as CSV. */
import { readCsv, type CsvReadOptions, type CsvTable } from './csv';
import { isParquetPath, readParquet } from './parquet';

export function readTableFile(path: string, options: CsvReadOptions = {}): Promise<CsvTable> {
  return isParquetPath(path) ? readParquet(path, options) : readCsv(path, options);
}
