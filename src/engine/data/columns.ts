/**
 * What kind of values each CSV column holds, and the role it plays in a run
 * (../shared/spec/PROFILE.md, "Column roles"): numeric columns are clustered,
 * binary and categorical ones described per cluster, free text, empty and
 * constant columns ignored, and at most one column names the rows (the id).
 */
import { MAX_LEVELS, type CsvColumn } from './csv';

export type ColumnKind = 'numeric' | 'binary' | 'categorical' | 'text' | 'empty';
export type ColumnRole = 'id' | 'feature' | 'descriptor' | 'ignored';

/** One entry of metadata.columns, in CSV order. */
export interface ColumnInfo {
  name: string;
  kind: ColumnKind;
  role: ColumnRole;
  /** Why a column is not a feature (as in excluded_columns). */
  reason?: string;
  /** Distinct non-missing values, for a binary, categorical or text column. */
  levels?: number;
}

/** A binary or categorical column over the rows clustered. */
export interface CategoryValues {
  name: string;
  kind: 'binary' | 'categorical';
  role: 'feature' | 'descriptor';
  /** The distinct values as written (trimmed), in order of first appearance in the CSV. */
  levels: string[];
  /** Per row clustered: the index of its value in levels, −1 where missing. */
  codes: Int32Array;
}

/** A numeric column described, not clustered, over the rows clustered. */
export interface NumericDescriptor {
  name: string;
  /** Per row clustered; NaN where missing. */
  values: Float64Array;
}

export interface KindOf {
  kind: ColumnKind;
  /** Distinct non-missing values of a column with text; null for numeric and empty columns. */
  levels: number | null;
}

/**
 * numeric: every value present is a number (0/1 included); binary: text with
 * exactly two distinct values; categorical: text with up to 50 (one, a
 * constant, included: it is ignored as such); text: more than 50; empty: no value.
 */
export function columnKind(column: CsvColumn): KindOf {
  const present = column.values.length - column.missing;
  if (present === 0) return { kind: 'empty', levels: null };
  if (column.nonNumeric === 0) return { kind: 'numeric', levels: null };
  const levels = column.levels?.length ?? distinctTexts(column);
  return { kind: levels > MAX_LEVELS ? 'text' : levels === 2 ? 'binary' : 'categorical', levels };
}

/** Distinct values of a column with more than MAX_LEVELS of them (read from its texts). */
function distinctTexts(column: CsvColumn): number {
  const seen = new Set<string>();
  const text = column.text ?? [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '' && Number.isNaN(column.values[i])) continue; // missing
    seen.add(text[i]);
  }
  return seen.size;
}

export function isCategory(kind: ColumnKind): kind is 'binary' | 'categorical' {
  return kind === 'binary' || kind === 'categorical';
}

/** The values of a binary or categorical column for the rows kept (row indexes into the table). */
export function categoryCodes(column: CsvColumn, keep: Int32Array): Int32Array {
  const codes = column.codes!;
  // A plain loop: TypedArray.from(keep, f) goes through an iterator and a temporary list of a million entries.
  const out = new Int32Array(keep.length);
  for (let t = 0; t < keep.length; t++) out[t] = codes[keep[t]] - 1;
  return out;
}

/** The values of a numeric column for the rows kept; NaN where missing. */
export function numericValues(column: CsvColumn, keep: Int32Array): Float64Array {
  const out = new Float64Array(keep.length);
  for (let t = 0; t < keep.length; t++) out[t] = column.values[keep[t]];
  return out;
}

/** Python's ordering of str (by code point), which UTF-16 comparison differs from above U+FFFF. */
export function compareText(a: string, b: string): number {
  const x = Array.from(a);
  const y = Array.from(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] !== y[i]) return x[i].codePointAt(0)! - y[i].codePointAt(0)!;
  }
  return x.length - y.length;
}
