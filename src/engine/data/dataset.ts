/** From a CSV to the standardised matrix a method fits: read, then prepare. */
import { readCsv, readCsvText, type CsvTable } from './csv';
import { prepareFeatures, type PrepareOptions, type PreparedData } from './prepare';
import type { RunControl } from '../progress';

const formatCount = new Intl.NumberFormat('en-US');

function readControl(control: RunControl) {
  return {
    signal: control.signal,
    onProgress: (p: { rowsRead: number; bytesRead: number; totalBytes: number }) =>
      control.onProgress?.({
        phase: 'read' as const,
        message: `reading ${formatCount.format(p.rowsRead)} rows`,
        fraction: p.totalBytes > 0 ? p.bytesRead / p.totalBytes : undefined,
      }),
  };
}

export async function loadDataset(path: string, options: PrepareOptions = {}, control: RunControl = {}): Promise<PreparedData> {
  const table: CsvTable = await readCsv(path, readControl(control));
  return prepareFeatures(table, options);
}

/** For a document that exists only in an editor (unsaved or untitled). */
export async function loadDatasetFromText(
  text: string,
  fileName: string,
  options: PrepareOptions = {},
  control: RunControl = {},
): Promise<PreparedData> {
  const table = await readCsvText(text, fileName, readControl(control));
  return prepareFeatures(table, options);
}
