/**
 * The rows of a new CSV as a model sees them: its features found by name,
 * each value checked, gaps filled with the model's imputation or the row
 * dropped as in training, and standardised with the model's scaler (never
 * refitted on the new rows). The result is a PreparedData, so the profile
 * builders and the assignments table take scored rows as they take fitted ones.
 */
import type { CsvColumn, CsvTable } from '../data/csv';
import { checkFinite, closeMatches, joinOr, shortList, type PreparedData } from '../data/prepare';
import { SegmentError } from '../errors';
import { powerOfTwoScale } from '../kernels/stats';
import type { ModelCommon } from './modelFile';

export interface ScoringRows {
  data: PreparedData;
  warnings: string[];
}

export function scoringRows(table: CsvTable, model: ModelCommon): ScoringRows {
  const columns = model.features.map((feature) => featureColumn(table, feature, model.fileName));
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
  const names = new Set(model.features);
  const idColumn = model.idColumn === null ? undefined : table.columns.find((c) => c.name === model.idColumn);
  const warnings: string[] = [];
  if (model.idColumn !== null && idColumn === undefined) {
    warnings.push(`"${table.fileName}" has no column "${model.idColumn}" (the id column of the training data), so the scores name each row by its number only.`);
  }
  return {
    data: {
      fileName: table.fileName,
      inputFormat: { delimiter: table.delimiter, bom: table.hadBom, lineEnding: table.lineEnding, decimalComma: table.decimalComma },
      features: [...model.features],
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
    },
    warnings,
  };
}

/** The column a model feature names, checked: there, numeric, finite. */
function featureColumn(table: CsvTable, feature: string, modelFile: string): CsvColumn {
  const column = table.columns.find((c) => c.name === feature);
  const names = table.columns.map((c) => c.name);
  if (column === undefined) {
    const close = closeMatches(feature, names);
    const suggestion = close.length > 0 ? ` Did you mean ${joinOr(close.map((c) => `"${c}"`))}?` : '';
    throw new SegmentError(
      'UNKNOWN_COLUMN',
      `The model ${modelFile} needs a column "${feature}", which "${table.fileName}" does not have.${suggestion} Its columns are: ${shortList(names, ', ')}.`,
    );
  }
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
