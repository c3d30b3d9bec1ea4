/**
 * The rows of a new CSV as a model sees them: its features found by name,
 * each value checked, gaps filled with the model's imputation or the row
 * dropped as in training, and standardised with the model's scaler (never
 * refitted on the new rows). The result is a PreparedData, so the profile
 * builders and the assignments table take scored rows as they take fitted ones.
 */
import type { CsvColumn, CsvTable } from '../data/csv';
import { checkFinite, closeMatches, inputFormatOf, joinOr, shortList, type PreparedData } from '../data/prepare';
import { SegmentError } from '../errors';
import { powerOfTwoScale } from '../kernels/stats';
import type { ModelCommon } from './modelFile';
import type { OneHotIndicator } from '../data/encode';
import { categoryCodes, isCategory, numericValues, type CategoryValues, type ColumnInfo, type NumericDescriptor } from '../data/columns';

export interface ScoringRows {
  data: PreparedData;
  warnings: string[];
}

export function scoringRows(table: CsvTable, model: ModelCommon): ScoringRows {
  const warnings: string[] = [];
  // Per feature, its value in each row (NaN: missing): a number, or a one-hot indicator's 1 or 0.
  const columns = model.features.map((feature, j) => {
    const indicator = model.indicators[j];
    return indicator ? { values: indicatorValues(table, indicator, model) } : featureColumn(table, feature, model.fileName);
  });
  const d = columns.length;
  const imputation = model.imputation;
  const keep: number[] = [];
  let nValuesImputed = 0;
  for (let i = 0; i < table.nRows; i++) {
    let gaps = 0;
    for (const column of columns) if (Number.isNaN(column.values[i])) gaps++;
    if (gaps > 0 && imputation === null) continue;
    nValuesImputed += gaps;
    keep.push(i);
  }
  if (keep.length === 0) {
    throw new SegmentError(
      'NO_DATA_ROWS',
      `Every row of "${table.fileName}" has a missing value in at least one of the model's columns (${shortList(model.features, ', ')}), ` +
        'so no rows are left to score. The model drops such rows, as its training did: fill the gaps, or score with a model exported with median imputation.',
    );
  }
  const n = keep.length;
  const raw = new Float64Array(n * d);
  for (let t = 0; t < n; t++) {
    for (let j = 0; j < d; j++) {
      const v = columns[j].values[keep[t]];
      raw[t * d + j] = Number.isNaN(v) && imputation !== null ? imputation[j] : v;
    }
  }
  const names = new Set([...model.features, ...model.categories.keys()]);
  const described = describedAsInTraining(table, Int32Array.from(keep), model, warnings);
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
      raw,
      z: standardiseWith(raw, n, d, model.mean, model.scale),
      mean: model.mean,
      scale: model.scale,
      rowNumbers: Int32Array.from(keep, (i) => i + 1),
      idColumn: idColumn?.name ?? null,
      ids: idColumn ? keep.map((i) => idText(idColumn, i)) : null,
      excluded: table.columns
        .filter((c) => !names.has(c.name))
        .map((c) => ({ column: c.name, reason: c === idColumn ? 'the id column' : 'not a feature of the model' })),
      nRowsRead: table.nRows,
      nRowsDropped: table.nRows - n,
      nValuesImputed,
      missing: imputation === null ? 'drop' : 'median',
      ...described,
    },
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
  const names = table.columns.map((c) => c.name);
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
 * A one-hot indicator over every row: 1 where the row has the level, 0 where
 * it has another level the model knows, NaN where it has none. A level the
 * model never saw has no place in its encoding: refused, naming the levels it knows.
 */
function indicatorValues(table: CsvTable, indicator: OneHotIndicator, model: ModelCommon): Float64Array {
  const column = table.columns.find((c) => c.name === indicator.column);
  if (column === undefined) throw missingColumn(table, indicator.column, model.fileName);
  const known = model.categories.get(indicator.column)!;
  const values = new Float64Array(table.nRows);
  for (let i = 0; i < table.nRows; i++) {
    const cell = cellText(column, i);
    if (cell === null) values[i] = NaN;
    else if (cell === indicator.level) values[i] = 1;
    else if (known.includes(cell)) values[i] = 0;
    else {
      throw new SegmentError(
        'UNKNOWN_LEVEL',
        `Column "${column.name}" of "${table.fileName}" has the level "${cell.length > 40 ? `${cell.slice(0, 39)}…` : cell}" on line ${table.lineOfRow[i]}, ` +
          `which the model ${model.fileName} was not trained on (it knows ${shortList(known.map((k) => `"${k}"`), ', ')}). Use one of those levels, or leave the cell empty to treat it as missing.`,
      );
    }
  }
  return values;
}

/** A cell as written (trimmed), or null where missing. */
function cellText(column: CsvColumn, i: number): string | null {
  if (column.levels && column.codes) return column.codes[i] === 0 ? null : column.levels[column.codes[i] - 1];
  const v = column.values[i];
  if (column.text) return column.text[i] === '' && Number.isNaN(v) ? null : column.text[i];
  return Number.isNaN(v) ? null : String(v);
}

function idText(column: CsvColumn, i: number): string {
  const v = column.values[i];
  return column.text ? column.text[i] : Number.isNaN(v) ? '' : String(v);
}

/**
 * z = (x − mean) / scale, computed as the training's standardise() does:
 * on values divided by a power of two (exact), so the training rows get the
 * training's z bit for bit, and huge values (near 1.8e308) do not overflow
 * the subtraction.
 */
export function standardiseWith(raw: Float64Array, n: number, d: number, mean: Float64Array, scale: Float64Array): Float64Array {
  const unit = Float64Array.from(mean, (m, j) => powerOfTwoScale(Math.max(Math.abs(m), scale[j])));
  const z = new Float64Array(new SharedArrayBuffer(n * d * 8));
  for (let j = 0; j < d; j++) {
    const m = mean[j] / unit[j];
    const s = scale[j] / unit[j];
    for (let t = 0; t < n; t++) z[t * d + j] = (raw[t * d + j] / unit[j] - m) / s;
  }
  return z;
}
