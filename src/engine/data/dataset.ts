/** From a CSV to the standardised matrix a method fits: read, then prepare. */
import { readCsvText, type CsvTable } from './csv';
import { readTableFile } from './table';
import { prepareFeatures, type PrepareOptions, type PreparedData } from './prepare';
import type { RunControl } from '../progress';
import type { SampleRequest } from './sample';

const formatCount = new Intl.NumberFormat('en-US');

/** The sample to draw while reading, if any: `sample` rows, drawn with the run's seed (sample.ts). */
function sampleRequest(options: PrepareOptions): SampleRequest | undefined {
  const rows = options.sample;
  if (rows === undefined || rows === 'auto' || rows === 0) return undefined;
  return { rows, seed: options.seed ?? 0 };
}

function readControl(control: RunControl, options: PrepareOptions) {
  return {
    sample: sampleRequest(options),
    threads: options.threads,
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
  const table: CsvTable = await readTableFile(path, readControl(control, options));
  return prepareFeatures(table, options);
}

/** For a document that exists only in an editor (unsaved or untitled). */
export async function loadDatasetFromText(
  text: string,
  fileName: string,
  options: PrepareOptions = {},
  control: RunControl = {},
): Promise<PreparedData> {
  const table = await readCsvText(text, fileName, readControl(control, options));
  return prepareFeatures(table, options);
}
