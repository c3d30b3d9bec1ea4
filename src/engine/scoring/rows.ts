/**
 * The rows of a new CSV as a model sees them: its features found by name,
 * each value checked, gaps filled with the model's imputation or the row
 * dropped as in training, and standardised with the model's scaler (never
 * refitted on the new rows). The result is a PreparedData, so the profile
 * builders and the assignments table take scored rows as they take fitted ones.
 */
import type { CsvColumn, CsvTable } from '../data/csv';
import { columnKind, numericValues, type CategoryValues, type ColumnInfo, type ColumnKind, type ColumnRole, type NumericDescriptor } from '../data/columns';
import { checkFinite, closeMatches, joinOr, shortList, type PreparedData } from '../data/prepare';
import { SegmentError } from '../errors';
import { powerOfTwoScale } from '../kernels/stats';
import type { ModelCommon } from './modelFile';

export interface ScoringRows {
  data: PreparedData;
  warnings: string[];
}

export function scoringRows(table: CsvTable, model: ModelCommon): ScoringRows {
  const warnings: string[] = [];
  const columns = featureValues(table, model, warnings);
  const d = columns.length;
  const imputation = model.imputation;
  const keep: number[] = [];
  let nValuesImputed = 0;
  for (let i = 0; i < table.nRows; i++) {
    let gaps = 0;
    for (const column of columns) if (Number.isNaN(column[i])) gaps++;
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
      const v = columns[j][keep[t]];
      raw[t * d + j] = Number.isNaN(v) && imputation !== null ? imputation[j] : v;
    }
  }
  const names = new Set(model.features.map((name, j) => model.indicators[j]?.column ?? name));
  const idColumn = model.idColumn === null ? undefined : table.columns.find((c) => c.name === model.idColumn);
  if (model.idColumn !== null && idColumn === undefined) {
    warnings.push(`"${table.fileName}" has no column "${model.idColumn}" (the id column of the training data), so the scores name each row by its number only.`);
  }
  return {
    data: {
      fileName: table.fileName,
      inputFormat: { delimiter: table.delimiter, bom: table.hadBom, lineEnding: table.lineEnding, decimalComma: table.decimalComma },
      features: [...model.features],
      ...(model.indicators.some((i) => i !== null) ? { indicators: model.indicators } : {}),
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
      ...columnSections(table, model, Int32Array.from(keep), warnings),
    },
    warnings,
  };
}

const KINDS: readonly ColumnKind[] = ['numeric', 'binary', 'categorical', 'text', 'empty'];
const ROLES: readonly ColumnRole[] = ['id', 'feature', 'descriptor', 'ignored'];

/** The training's metadata.columns as far as it is well formed (the model file is input like any other). */
function trainingColumns(model: ModelCommon): ColumnInfo[] {
  const columns = model.training.columns;
  if (!Array.isArray(columns)) return [];
  return columns.flatMap((c): ColumnInfo[] => {
    if (c === null || typeof c !== 'object' || Array.isArray(c)) return [];
    const { name, kind, role, reason } = c as Record<string, unknown>;
    if (typeof name !== 'string' || !KINDS.includes(kind as ColumnKind) || !ROLES.includes(role as ColumnRole)) return [];
    return [{ name, kind: kind as ColumnKind, role: role as ColumnRole, ...(typeof reason === 'string' ? { reason } : {}) }];
  });
}

/**
 * The sections a profile of the scored rows describes beside the features,
 * as the training's did: each column's kind and role (metadata.columns), the
 * binary and categorical columns clustered or described, and the numeric
 * columns described, over the rows scored. A described column the new CSV
 * lacks is left out, and a warning names it.
 */
function columnSections(table: CsvTable, model: ModelCommon, keep: Int32Array, warnings: string[]): Pick<PreparedData, 'columns' | 'categories' | 'numericDescriptors'> {
  const trained = trainingColumns(model);
  if (trained.length === 0) return {};
  const present = trained.filter((c) => table.columns.some((t) => t.name === c.name));
  const lacking = trained.filter((c) => c.role === 'descriptor' && !present.includes(c)).map((c) => `"${c.name}"`);
  if (lacking.length > 0) {
    warnings.push(`"${table.fileName}" has no column ${joinOr(lacking)}, which the training profile described: the profile of the scored rows leaves ${lacking.length === 1 ? 'it' : 'them'} out.`);
  }
  const categories: CategoryValues[] = [];
  const numericDescriptors: NumericDescriptor[] = [];
  for (const info of present) {
    const column = table.columns.find((t) => t.name === info.name)!;
    if ((info.kind === 'binary' || info.kind === 'categorical') && (info.role === 'feature' || info.role === 'descriptor')) {
      const cells = columnTexts(column);
      const levels: string[] = [];
      const index = new Map<string, number>();
      const codes = Int32Array.from(keep, (i) => {
        const text = cells[i];
        if (text === '') return -1;
        if (!index.has(text)) {
          index.set(text, levels.length);
          levels.push(text);
        }
        return index.get(text)!;
      });
      categories.push({ name: info.name, kind: info.kind, role: info.role, levels, codes });
    } else if (info.kind === 'numeric' && info.role === 'descriptor') {
      numericDescriptors.push({ name: info.name, values: numericValues(column, keep) });
    }
  }
  // Each column's kind and role as trained (and why it is not a feature); its distinct values counted in the new CSV.
  const columns = present.map((info): ColumnInfo => {
    const { levels } = columnKind(table.columns.find((t) => t.name === info.name)!);
    return { ...info, ...(levels !== null && info.kind !== 'numeric' && info.kind !== 'empty' ? { levels } : {}) };
  });
  return { columns, categories, numericDescriptors };
}

/**
 * Each model feature's value in every row of the table (NaN where missing):
 * a numeric column's numbers, a one-hot indicator's 1 or 0. A level the
 * model was not trained on gets 0 in every indicator of its column, as the
 * reference level does, and a warning counts its rows.
 */
function featureValues(table: CsvTable, model: ModelCommon, warnings: string[]): Float64Array[] {
  const cellsOf = new Map<string, string[]>();
  return model.features.map((feature, j) => {
    const indicator = model.indicators[j];
    if (!indicator) return featureColumn(table, feature, model.fileName).values;
    let cells = cellsOf.get(indicator.column);
    if (!cells) {
      cells = oneHotCells(table, model, indicator.column, warnings);
      cellsOf.set(indicator.column, cells);
    }
    return Float64Array.from(cells, (text) => (text === '' ? NaN : text === indicator.level ? 1 : 0));
  });
}

/** A one-hot column's cells as text ('' where missing), with the warning for levels the model does not know. */
function oneHotCells(table: CsvTable, model: ModelCommon, name: string, warnings: string[]): string[] {
  const cells = columnTexts(requireColumn(table, name, model.fileName));
  const reference = model.referenceLevels.get(name);
  const known = new Set([reference, ...model.indicators.flatMap((i) => (i && i.column === name ? [i.level] : []))]);
  const unknown = cells.flatMap((text, i) => (text !== '' && !known.has(text) ? [i] : []));
  if (unknown.length > 0) {
    const first = unknown[0];
    const rows = unknown.length === 1 ? '1 row' : `${unknown.length.toLocaleString('en-US')} rows`;
    warnings.push(
      `Column "${name}" of "${table.fileName}" has ${rows} with a level the model was not trained on (e.g. "${cells[first]}" on line ${table.lineOfRow[first]}): ` +
        `${unknown.length === 1 ? 'it was' : 'they were'} scored as its reference level "${reference}".`,
    );
  }
  return cells;
}

/** Each cell's trimmed text ('' where missing). */
function columnTexts(column: CsvColumn): string[] {
  if (column.text) return column.text;
  return Array.from(column.values, (v) => (Number.isNaN(v) ? '' : String(v)));
}

/** The column a model feature (or one-hot column) names; its absence is one sentence with near names. */
function requireColumn(table: CsvTable, name: string, modelFile: string): CsvColumn {
  const column = table.columns.find((c) => c.name === name);
  if (column !== undefined) return column;
  const names = table.columns.map((c) => c.name);
  const close = closeMatches(name, names);
  const suggestion = close.length > 0 ? ` Did you mean ${joinOr(close.map((c) => `"${c}"`))}?` : '';
  throw new SegmentError(
    'UNKNOWN_COLUMN',
    `The model ${modelFile} needs a column "${name}", which "${table.fileName}" does not have.${suggestion} Its columns are: ${shortList(names, ', ')}.`,
  );
}

/** The column a numeric model feature names, checked: there, numeric, finite. */
function featureColumn(table: CsvTable, feature: string, modelFile: string): CsvColumn {
  const column = requireColumn(table, feature, modelFile);
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
