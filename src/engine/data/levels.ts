/**
 * A column's cells coded by their distinct values while there are at most
 * MAX_LEVELS of them (a categorical column's levels, in order of first
 * appearance): one byte per cell, dropped at the 51st distinct value, so most
 * columns of numbers drop it early. Shared by the CSV and Parquet readers.
 */

/** A column with more distinct values than this is free text, not a category (../shared/spec/PROFILE.md, Column roles). */
export const MAX_LEVELS = 50;

export class LevelCodes {
  private index: Map<string, number> | null = new Map();
  private names: string[] = [];
  private codes: Uint8Array | null;

  constructor(capacity: number) {
    this.codes = new Uint8Array(capacity);
  }

  /** Row `row` holds `token` (rows not noted are missing: code 0). */
  note(row: number, token: string): void {
    if (this.index === null) return;
    let code = this.index.get(token);
    if (code === undefined) {
      if (this.names.length === MAX_LEVELS) {
        this.index = null;
        this.names = [];
        this.codes = null;
        return;
      }
      code = this.names.push(token);
      this.index.set(token, code);
    }
    if (row >= this.codes!.length) this.codes = grow(this.codes!, row + 1);
    this.codes![row] = code;
  }

  /** CsvColumn's levels and codes over n rows; null for a column of more than MAX_LEVELS values. */
  finish(n: number): { levels: string[] | null; codes: Uint8Array | null } {
    if (this.index === null || this.codes === null) return { levels: null, codes: null };
    // The first n entries, zeros after the last one written (trailing missing cells never grew the array).
    const codes = new Uint8Array(n);
    codes.set(this.codes.subarray(0, Math.min(n, this.codes.length)));
    return { levels: this.names, codes };
  }
}

function grow(values: Uint8Array, atLeast: number): Uint8Array<ArrayBuffer> {
  const bigger = new Uint8Array(Math.max(values.length * 2, atLeast));
  bigger.set(values);
  return bigger;
}
