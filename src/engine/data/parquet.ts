/**
 * Reads a Parquet file into the table the CSV reader makes (CsvTable), so
 * that column roles, preparation, profiles and scoring treat it as they
 * treat a CSV. Read with hyparquet (pure JavaScript, no native binary) one
 * row group at a time: only the columns of one row group are held as
 * JavaScript values, the rest is the per-column Float64Arrays of the table.
 *
 * The column types come from the Parquet schema: numbers (integers, floats,
 * decimals) are numeric columns; strings, dates, timestamps and booleans are
 * text, which the CSV's rules then make binary, categorical or free text
 * (a boolean column is binary); a null is a missing value. A string column
 * stays text even when its values look like numbers. Row numbers are the
 * 1-based row indexes; messages that name a line of a CSV name the row.
 */
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { FileMetaData, SchemaTree } from 'hyparquet';
import { SegmentError, cancelledError, throwIfAborted } from '../errors';
import { isIdLikeName, leftOutColumns, type CsvColumn, type CsvReadOptions, type CsvTable } from './csv';
import { isMissingToken } from './numeric';
import { LevelCodes } from './levels';
import { RowReservoir } from './sample';

/** How a Parquet column's values become a table column. */
type ValueKind = 'number' | 'text';

/** What the profile's metadata.input_format says of a Parquet file. */
export interface ParquetFormat {
  kind: 'parquet';
  rowGroups: number;
  /** The writer, as the file's footer names it (e.g. "parquet-cpp-arrow version 15.0.0"). */
  createdBy: string | null;
}

const ROWS_PER_PROGRESS = 10_000;

/** True for a file the Parquet reader reads: by its name, as the CSV reader reads every other. */
export function isParquetPath(path: string): boolean {
  return /\.(parquet|parq|pq)$/i.test(path);
}

export interface ParquetReadOptions extends CsvReadOptions {
  /** Read the first rows only (the column picker's look at a file). */
  rowLimit?: number;
}

export async function readParquet(path: string, options: ParquetReadOptions = {}): Promise<CsvTable> {
  throwIfAborted(options.signal);
  const fileName = basename(path);
  const { asyncBufferFromFile, parquetMetadataAsync, parquetSchema, parquetRead } = await import('hyparquet');
  const { compressors } = await import('hyparquet-compressors');
  const totalBytes = await fileSize(path);
  const file = await asyncBufferFromFile(path);
  let metadata: FileMetaData;
  try {
    metadata = await parquetMetadataAsync(file);
  } catch (error) {
    throw unreadable(error, fileName, totalBytes);
  }
  const all = topLevelColumns(parquetSchema(metadata), fileName);
  // Asked for some columns only (scoring): the others' column chunks are not even decompressed.
  const skipped = leftOutColumns(all.map((c) => c.name), options.columns);
  const columns = all.filter((_, j) => !skipped[j]);
  const totalRows = Math.min(Number(metadata.num_rows), options.rowLimit ?? Infinity);
  if (totalRows === 0) {
    throw new SegmentError('NO_DATA_ROWS', `The Parquet file "${fileName}" has columns but no rows. It needs one row per customer.`);
  }
  const sample = options.sample && options.sample.rows < totalRows ? options.sample : undefined;
  const reservoir = sample ? new RowReservoir<unknown[]>(sample) : null;
  const nRows = sample ? sample.rows : totalRows;
  const builders = columns.map((c) => new ParquetColumnBuilder(c.name, c.kind, nRows));
  const addRow = (row: number, cells: readonly unknown[]) => builders.forEach((b, j) => b.add(row, cells[j]));

  let rowsRead = 0;
  let bytesRead = 0;
  const report = () => options.onProgress?.({ rowsRead, bytesRead, totalBytes });
  for (const group of metadata.row_groups) {
    throwIfAborted(options.signal);
    if (rowsRead === totalRows) break;
    const groupRows = Math.min(Number(group.num_rows), totalRows - rowsRead);
    const values = await readRowGroup(parquetRead, { file, metadata, compressors }, columns, rowsRead, groupRows, fileName, totalBytes);
    const cells = new Array<unknown>(columns.length);
    for (let r = 0; r < groupRows; r++) {
      for (let j = 0; j < columns.length; j++) cells[j] = values[j][r];
      if (reservoir) reservoir.offer(cells.slice());
      else addRow(rowsRead, cells);
      rowsRead++;
      if (rowsRead % ROWS_PER_PROGRESS === 0) {
        throwIfAborted(options.signal);
        report();
      }
    }
    bytesRead += Number(group.total_compressed_size ?? group.total_byte_size);
    report();
  }
  const drained = reservoir?.drain();
  drained?.items.forEach((cells, row) => addRow(row, cells));
  bytesRead = totalBytes;
  report();
  // Messages that name a CSV's line name the row here (1-based).
  const rowNumbers = drained?.sample ? drained.sample.rowIndex.map((i) => i + 1) : Int32Array.from({ length: nRows }, (_, i) => i + 1);
  return {
    fileName,
    delimiter: '',
    hadBom: false,
    lineEnding: 'LF',
    decimalComma: false,
    nRows,
    columns: builders.map((b) => b.finish(rowNumbers)),
    lineOfRow: rowNumbers,
    ...(columns.length < all.length ? { header: all.map((c) => c.name) } : {}),
    ...(drained?.sample ? { sample: drained.sample } : {}),
    format: { kind: 'parquet', rowGroups: metadata.row_groups.length, createdBy: metadata.created_by ?? null },
  };
}

interface ParquetColumn {
  /** Trimmed, as a CSV header's names are. */
  name: string;
  /** As the schema writes it. */
  raw: string;
  kind: ValueKind;
}

/** The file's top-level columns, each numeric or text by its schema type. */
function topLevelColumns(schema: SchemaTree, fileName: string): ParquetColumn[] {
  const columns = schema.children.map((child) => ({ name: child.element.name, raw: child.element.name, kind: valueKind(child) }));
  if (columns.length === 0) {
    throw new SegmentError('EMPTY_FILE', `The Parquet file "${fileName}" has no columns. It needs one column per customer attribute.`);
  }
  const names = columns.map((c) => c.name.trim());
  const unnamed = names.findIndex((name) => name === '');
  if (unnamed >= 0) throw new SegmentError('EMPTY_HEADER', `Column ${unnamed + 1} of "${fileName}" has no name. Give every column a name.`);
  const repeated = names.find((name, j) => names.indexOf(name) !== j);
  if (repeated !== undefined) {
    throw new SegmentError('DUPLICATE_HEADER', `Column names must be unique, but "${fileName}" has two columns named "${repeated}". Rename one of them.`);
  }
  return columns.map((c, j) => ({ ...c, name: names[j] }));
}

/** Integers, floats and decimals are numbers; everything else (strings, booleans, dates, times, nested values) is text. */
function valueKind(column: SchemaTree): ValueKind {
  if (column.children.length > 0) return 'text';
  const { type, converted_type: converted, logical_type: logical } = column.element;
  if (logical && ['DATE', 'TIME', 'TIMESTAMP', 'INTERVAL', 'STRING', 'ENUM', 'JSON', 'BSON', 'UUID'].includes(logical.type)) return 'text';
  if (converted && /^(DATE|TIME|TIMESTAMP|INTERVAL|UTF8|ENUM|JSON|BSON)/.test(converted)) return 'text';
  if (logical?.type === 'DECIMAL' || logical?.type === 'FLOAT16' || converted === 'DECIMAL') return 'number';
  return type === 'INT32' || type === 'INT64' || type === 'FLOAT' || type === 'DOUBLE' ? 'number' : 'text';
}

type ParquetRead = (typeof import('hyparquet'))['parquetRead'];

/** One row group's columns, each as an array of its values (null where missing). */
async function readRowGroup(
  parquetRead: ParquetRead,
  source: Pick<Parameters<ParquetRead>[0], 'file' | 'metadata' | 'compressors'>,
  columns: readonly ParquetColumn[],
  rowStart: number,
  rows: number,
  fileName: string,
  totalBytes: number,
): Promise<ArrayLike<unknown>[]> {
  const values = columns.map(() => new Array<unknown>(rows).fill(null));
  const index = new Map(columns.map((c, j) => [c.name, j]));
  try {
    await parquetRead({
      ...source,
      rowStart,
      rowEnd: rowStart + rows,
      columns: columns.map((c) => c.raw),
      // A chunk may hold rows outside the group: only the group's are taken.
      onChunk: ({ columnName, columnData, rowStart: chunkStart }) => {
        const out = values[index.get(columnName.trim())!];
        if (!out) return;
        const from = Math.max(rowStart, chunkStart);
        const to = Math.min(rowStart + rows, chunkStart + columnData.length);
        for (let i = from; i < to; i++) out[i - rowStart] = columnData[i - chunkStart];
      },
    });
  } catch (error) {
    throw unreadable(error, fileName, totalBytes);
  }
  return values;
}

/** One column of the table, built as the CSV reader builds its columns (csv.ts ColumnBuilder), from typed values. */
class ParquetColumnBuilder {
  private readonly values: Float64Array;
  private missing = 0;
  private nonNumeric = 0;
  private firstNonNumeric: { value: string; row: number } | null = null;
  private nonFinite = 0;
  private firstNonFinite: { value: string; row: number } | null = null;
  private readonly text: string[] | null;
  private readonly levels: LevelCodes;

  constructor(
    private readonly name: string,
    private readonly kind: ValueKind,
    nRows: number,
  ) {
    this.values = new Float64Array(nRows);
    this.levels = new LevelCodes(nRows);
    this.text = kind === 'text' || isIdLikeName(name) ? new Array<string>(nRows).fill('') : null;
  }

  add(row: number, value: unknown): void {
    if (this.kind === 'number') this.addNumber(row, value);
    else this.addText(row, value);
  }

  finish(rowNumbers: Int32Array): CsvColumn {
    const at = (first: { value: string; row: number } | null) => first && { value: first.value, line: rowNumbers[first.row] };
    return {
      name: this.name,
      values: this.values,
      missing: this.missing,
      nonNumeric: this.nonNumeric,
      firstNonNumeric: at(this.firstNonNumeric),
      nonFinite: this.nonFinite,
      firstNonFinite: at(this.firstNonFinite),
      text: this.text,
      ...this.levels.finish(this.values.length),
    };
  }

  private addNumber(row: number, value: unknown): void {
    const number = typeof value === 'bigint' ? Number(value) : (value as number | null);
    if (number === null || number === undefined || Number.isNaN(number)) {
      this.values[row] = NaN;
      this.missing++;
      return;
    }
    const written = String(value);
    this.levels.note(row, written);
    if (this.text) this.text[row] = written;
    if (!Number.isFinite(number)) {
      this.values[row] = NaN;
      this.nonFinite++;
      this.firstNonFinite ??= { value: written, row };
      return;
    }
    this.values[row] = number;
  }

  private addText(row: number, value: unknown): void {
    this.values[row] = NaN;
    const token = value === null || value === undefined ? '' : cellText(value).trim();
    if (isMissingToken(token)) {
      this.missing++;
      return;
    }
    this.text![row] = token;
    this.levels.note(row, token);
    this.nonNumeric++;
    this.firstNonNumeric ??= { value: token, row };
  }
}

/** A non-number value as text: booleans as true/false, a date as YYYY-MM-DD, a timestamp in ISO 8601, nested values as JSON. */
function cellText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return '';
    const iso = value.toISOString();
    return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso;
  }
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  if (typeof value === 'object') return JSON.stringify(value, (_key, v) => (typeof v === 'bigint' ? v.toString() : v));
  return String(value);
}

async function fileSize(path: string): Promise<number> {
  try {
    const stats = await stat(path);
    if (stats.isDirectory()) throw new SegmentError('FILE_UNREADABLE', `"${path}" is a folder, not a Parquet file. Choose a .parquet file inside it.`);
    return stats.size;
  } catch (error) {
    if (error instanceof SegmentError) throw error;
    const code = (error as { code?: unknown })?.code;
    if (code === 'ENOENT') throw new SegmentError('FILE_NOT_FOUND', `File not found: "${path}". Check the folder and the file name, then try again.`);
    throw new SegmentError('FILE_UNREADABLE', `Could not read "${path}" (${(error as Error)?.message ?? String(error)}). Check that the file is accessible and try again.`);
  }
}

/** What hyparquet could not read, said for the user: not Parquet, cut short, or a feature it lacks. */
function unreadable(error: unknown, fileName: string, totalBytes: number): SegmentError {
  if (error instanceof SegmentError) return error;
  if (error instanceof Error && error.name === 'AbortError') return cancelledError();
  const detail = (error instanceof Error ? error.message : String(error)).replace(/^parquet /, '');
  if (totalBytes < 12 || /footer != PAR1|too short/.test(detail)) {
    return new SegmentError(
      'MALFORMED_PARQUET',
      `"${fileName}" is not a Parquet file, or it was cut short: it does not end with the Parquet footer (${totalBytes} bytes). ` +
        'Copy or export it again; a CSV file must be named .csv.',
    );
  }
  return new SegmentError(
    'MALFORMED_PARQUET',
    `"${fileName}" could not be read as Parquet (${detail}). The file may be damaged or cut short: copy or export it again.`,
  );
}
