/**
 * The rows of a new CSV as a model sees them: its features found by name,
 * each value checked, gaps filled with the model's imputation or the row
 * dropped as in training, and standardised with the model's scaler (never
 * refitted on the new rows). The result is a PreparedData, so the profile
 * builders and the assignments table take scored rows as they take fitted ones.
 */
import { columnNames, type CsvColumn, type CsvTable } from '../data/csv';
import { checkFinite, closeMatches, inputFormatOf, joinOr, shortList, type PreparedData } from '../data/prepare';
import { SegmentError } from '../errors';
import { standardiseRows, standardisedSource, type StandardisedSource } from '../kernels/standardise';
import type { ModelCommon } from './modelFile';
import { categoryCodes, isCategory, numericValues, type CategoryValues, type ColumnInfo, type NumericDescriptor } from '../data/columns';

export interface ScoringRows {
  /** The rows; their standardised matrix z is made when first read (GMM scoring reads `source` instead). */
  data: PreparedData;
  /** The kept rows' columns with the model's scaler, to standardise chunk by chunk. */
  source: StandardisedSource;
  warnings: string[];
}

/**
 * The columns scoring looks at without a profile: the model's features (a
 * one-hot indicator's column), and its id column; a reader may leave the
 * others unread (CsvReadOptions.columns).
 */
export function scoringColumns(model: ModelCommon): string[] {
  const names = model.features.map((feature, j) => model.indicators[j]?.column ?? feature);
  if (model.idColumn !== null) names.push(model.idColumn);
  return [...new Set(names)];
}

export function scoringRows(table: CsvTable, model: ModelCommon, options: { describe?: boolean } = {}): ScoringRows {
  const warnings: string[] = [];
  // Each one-hot column's levels, read once for all its indicators.
  const oneHot = new Map<string, Int32Array>();
  // Per feature, its value in each row (NaN: missing): a number, or a one-hot indicator's 1 or 0.
  // Plain Float64Arrays, so the loops over a million rows below see one shape.
  const columns: Float64Array[] = model.features.map((feature, j) => {
    const indicator = model.indicators[j];
    if (indicator === null) return featureColumn(table, feature, model.fileName).values;
    if (!oneHot.has(indicator.column)) oneHot.set(indicator.column, oneHotCodes(table, indicator.column, model, warnings));
    return indicatorValues(oneHot.get(indicator.column)!, model.categories.get(indicator.column)!.indexOf(indicator.level));
  });
  const d = columns.length;
  const imputation = model.imputation;
  const kept = keptRows(columns, table.nRows, imputation !== null);
  const n = kept.length;
  if (n === 0) {
    throw new SegmentError(
      'NO_DATA_ROWS',
      `Every row of "${table.fileName}" has a missing value in at least one of the model's columns (${shortList(model.features, ', ')}), ` +
        'so no rows are left to score. The model drops such rows, as its training did: fill the gaps, or score with a model exported with median imputation.',
    );
  }
  const source = standardisedSource(columns, kept, imputation ?? new Float64Array(d).fill(NaN), model.mean, model.scale);
  const nValuesImputed = imputation === null ? 0 : missingValues(columns, kept);
  let z: Float64Array | undefined;
  // The values in original units, for a profile of the scored rows, are read from the columns themselves.
  const originals = columns.map((values, j) => ({ values, fill: imputation === null ? NaN : imputation[j] }));
  const rowsKept = n < table.nRows ? kept : undefined;
  const names = new Set([...model.features, ...model.categories.keys()]);
  // The training's descriptors only matter to a profile of the scored rows.
  const described = options.describe === false ? {} : describedAsInTraining(table, kept, model, warnings);
  const idColumn = model.idColumn === null ? undefined : table.columns.find((c) => c.name === model.idColumn);
  if (model.idColumn !== null && idColumn === undefined) {
    warnings.push(`"${table.fileName}" has no column "${model.idColumn}" (the id column of the training data), so the scores name each row by its number only.`);
  }
  return {
    data: {
      fileName: table.fileName,
      inputFormat: inputFormatOf(table),
      features: [...model.features],
      ...(model.indicators.some((x) => x !== null) ? { indicators: model.indicators } : {}),
      n,
      d,
      originals,
      ...(rowsKept ? { rowsKept } : {}),
      // n×d, made on first use only (a profile, FCM and Neural scoring): 8·n·d bytes that GMM scoring does without.
      get z(): Float64Array {
        return (z ??= standardisedRows(source));
      },
      mean: model.mean,
      scale: model.scale,
      rowNumbers: rowNumbersOf(kept),
      idColumn: idColumn?.name ?? null,
      ids: idColumn ? Array.from(kept, (i) => idText(idColumn, i)) : null,
      excluded: columnNames(table)
        .filter((name) => !names.has(name))
        .map((name) => ({ column: name, reason: name === idColumn?.name ? 'the id column' : 'not a feature of the model' })),
      nRowsRead: table.nRows,
      nRowsDropped: table.nRows - n,
      nValuesImputed,
      missing: imputation === null ? 'drop' : 'median',
      ...described,
    },
    source,
    warnings,
  };
}

/**
 * The columns the training described (and its one-hot columns), over the
 * scored rows, so a profile of them has the same categorical sections: the
 * training's metadata.columns say which. A described column the new CSV does
 * not have is left out with a warning.
 */
function describedAsInTraining(
  table: CsvTable,
  keep: Int32Array,
  model: ModelCommon,
  warnings: string[],
): Pick<PreparedData, 'columns' | 'categories' | 'numericDescriptors'> {
  const columns = trainingColumns(model.training.columns);
  if (columns === null) return {};
  const categories: CategoryValues[] = [];
  const numericDescriptors: NumericDescriptor[] = [];
  const absent: string[] = [];
  for (const info of columns) {
    const category = isCategory(info.kind);
    if (info.role !== 'descriptor' && !(info.role === 'feature' && category)) continue;
    const column = table.columns.find((c) => c.name === info.name);
    if (column === undefined || (category && column.levels === null)) {
      if (info.role === 'descriptor') absent.push(info.name);
      continue;
    }
    if (!category) numericDescriptors.push({ name: info.name, values: numericValues(column, keep) });
    else categories.push({ name: info.name, kind: info.kind as 'binary' | 'categorical', role: info.role as 'feature' | 'descriptor', levels: column.levels!, codes: categoryCodes(column, keep) });
  }
  if (absent.length) {
    warnings.push(`"${table.fileName}" has no column ${joinOr(absent.map((name) => `"${name}"`))} that the training described (or too many values in it), so it is not described here.`);
  }
  return { columns, categories, numericDescriptors };
}

/** The training profile's metadata.columns, if it has them in their form. */
function trainingColumns(value: unknown): ColumnInfo[] | null {
  if (!Array.isArray(value)) return null;
  const ok = value.every((c) => c !== null && typeof c === 'object' && typeof c.name === 'string' && typeof c.kind === 'string' && typeof c.role === 'string');
  return ok ? (value as ColumnInfo[]).map((c) => ({ ...c })) : null;
}

function missingColumn(table: CsvTable, feature: string, modelFile: string): SegmentError {
  const names = columnNames(table);
  const close = closeMatches(feature, names);
  const suggestion = close.length > 0 ? ` Did you mean ${joinOr(close.map((c) => `"${c}"`))}?` : '';
  return new SegmentError(
    'UNKNOWN_COLUMN',
    `The model ${modelFile} needs a column "${feature}", which "${table.fileName}" does not have.${suggestion} Its columns are: ${shortList(names, ', ')}.`,
  );
}

/** The column a model feature names, checked: there, numeric, finite. */
function featureColumn(table: CsvTable, feature: string, modelFile: string): CsvColumn {
  const column = table.columns.find((c) => c.name === feature);
  if (column === undefined) throw missingColumn(table, feature, modelFile);
  if (column.nonNumeric > 0 && column.firstNonNumeric !== null) {
    const { value, line } = column.firstNonNumeric;
    const more = column.nonNumeric > 1 ? ` (and ${column.nonNumeric - 1} more ${column.nonNumeric === 2 ? 'value' : 'values'} like it)` : '';
    throw new SegmentError(
      'COLUMN_NOT_NUMERIC',
      `Column "${feature}" of "${table.fileName}" has "${value.length > 40 ? `${value.slice(0, 39)}…` : value}" on line ${line}${more}, ` +
        'but the model needs a number there. Correct the value, or leave the cell empty to treat it as missing.',
    );
  }
  checkFinite(column);
  return column;
}

/**
 * A one-hot column over every row: the index of each row's level among the
 * levels the model knows (-1 where it has none). A level the model never saw
 * has no indicator of its own: it is scored as the dropped reference level
 * (index 0, every indicator 0), and a warning names the column, the new
 * levels, how many rows had them and the first line.
 */
function oneHotCodes(table: CsvTable, name: string, model: ModelCommon, warnings: string[]): Int32Array {
  const column = table.columns.find((c) => c.name === name);
  if (column === undefined) throw missingColumn(table, name, model.fileName);
  const known = model.categories.get(name)!;
  const index = new Map(known.map((level, k) => [level, k]));
  const codes = new Int32Array(table.nRows);
  const unseen = new Map<string, number>();
  let firstLine = 0;
  const levels = column.levels && column.codes ? column.levels : null;
  if (levels !== null) {
    // Each of the file's levels looked up once, then every row by its code (UNSEEN: a level the model lacks).
    const UNSEEN = -2;
    const byCode = Int32Array.from([-1, ...levels.map((level) => index.get(level) ?? UNSEEN)]);
    const unseenRows = new Int32Array(byCode.length);
    const order: number[] = [];
    const cells = column.codes!;
    for (let i = 0; i < table.nRows; i++) {
      const k = byCode[cells[i]];
      if (k !== UNSEEN) {
        codes[i] = k;
        continue;
      }
      if (unseenRows[cells[i]]++ === 0) order.push(cells[i]);
      if (firstLine === 0) firstLine = table.lineOfRow[i];
    }
    for (const code of order) unseen.set(levels[code - 1], unseenRows[code]);
  } else {
    for (let i = 0; i < table.nRows; i++) {
      const cell = cellText(column, i);
      const k = cell === null ? -1 : index.get(cell);
      if (k !== undefined) {
        codes[i] = k;
        continue;
      }
      unseen.set(cell!, (unseen.get(cell!) ?? 0) + 1);
      if (firstLine === 0) firstLine = table.lineOfRow[i];
    }
  }
  if (unseen.size > 0) warnings.push(unseenLevelsWarning(table.fileName, name, known[0], unseen, firstLine, model.fileName));
  return codes;
}

function unseenLevelsWarning(fileName: string, column: string, reference: string, unseen: Map<string, number>, firstLine: number, modelFile: string): string {
  const rows = [...unseen.values()].reduce((a, b) => a + b, 0);
  const clip = (level: string) => `"${level.length > 40 ? `${level.slice(0, 39)}…` : level}"`;
  const levels = shortList([...unseen.keys()].map(clip), ', ');
  return (
    `Column "${column}" of "${fileName}" has ${unseen.size === 1 ? 'a level' : `${unseen.size} levels`} (${levels}) that the model ${modelFile} was not trained on, ` +
    `in ${rows.toLocaleString('en-US')} ${rows === 1 ? 'row' : 'rows'} (first on line ${firstLine}): ${rows === 1 ? 'it is' : 'they are'} scored as the reference level ${clip(reference)}.`
  );
}

/** A one-hot indicator from its column's codes: 1 where the row has the level, 0 where another, NaN where none. */
function indicatorValues(codes: Int32Array, level: number): Float64Array {
  const values = new Float64Array(codes.length);
  for (let i = 0; i < codes.length; i++) values[i] = codes[i] < 0 ? NaN : codes[i] === level ? 1 : 0;
  return values;
}

/** A cell as written (trimmed), or null where missing (a column without levels). */
function cellText(column: CsvColumn, i: number): string | null {
  const v = column.values[i];
  if (column.text) return column.text[i] === '' && Number.isNaN(v) ? null : column.text[i];
  return Number.isNaN(v) ? null : String(v);
}

function idText(column: CsvColumn, i: number): string {
  const v = column.values[i];
  return column.text ? column.text[i] : Number.isNaN(v) ? '' : String(v);
}

/** The rows to score: all of them with imputation, else those with a value in every feature (NaN: missing). */
function keptRows(columns: Float64Array[], nRows: number, imputed: boolean): Int32Array {
  const keep = new Int32Array(nRows);
  let n = 0;
  if (imputed) {
    for (let i = 0; i < nRows; i++) keep[i] = i;
    return keep;
  }
  // Row by row, across the columns: one pass, no per-row counts kept.
  row: for (let i = 0; i < nRows; i++) {
    for (let j = 0; j < columns.length; j++) if (Number.isNaN(columns[j][i])) continue row;
    keep[n++] = i;
  }
  return keep.subarray(0, n);
}

/** 1-based data-row numbers of the kept rows. */
function rowNumbersOf(kept: Int32Array): Int32Array {
  const numbers = new Int32Array(kept.length);
  for (let t = 0; t < kept.length; t++) numbers[t] = kept[t] + 1;
  return numbers;
}

/** The missing values (NaN) in the kept rows, which the imputation fills. */
function missingValues(columns: Float64Array[], kept: Int32Array): number {
  let count = 0;
  for (const values of columns) for (let t = 0; t < kept.length; t++) if (Number.isNaN(values[kept[t]])) count++;
  return count;
}

/** z of all the kept rows (n×d, row-major), in shared memory for the engine threads. */
function standardisedRows(source: StandardisedSource): Float64Array {
  const n = source.kept.length;
  const z = new Float64Array(new SharedArrayBuffer(n * source.columns.length * 8));
  standardiseRows(source, 0, n, z);
  return z;
}
