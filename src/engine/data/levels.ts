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
  /** The levels by their bytes, for noteAscii; dropped with the levels. */
  private bytes: LevelBytes | null = null;

  /**
   * `beforeDrop` sees the levels and codes one last time before the 51st
   * distinct value, in row `row`, drops them (a column that keeps its
   * cells' texts reads those of the rows before from the codes).
   */
  constructor(
    capacity: number,
    private readonly beforeDrop?: (names: readonly string[], codes: Uint8Array, row: number) => void,
  ) {
    this.codes = new Uint8Array(capacity);
  }

  /** Whether the cells are still coded (at most MAX_LEVELS distinct values so far). */
  get alive(): boolean {
    return this.index !== null;
  }

  /** Row `row` holds `token` (rows not noted are missing: code 0); returns its code, 0 once the levels are dropped. */
  note(row: number, token: string): number {
    if (this.index === null) return 0;
    let code = this.index.get(token);
    if (code === undefined) {
      if (this.names.length === MAX_LEVELS) {
        this.beforeDrop?.(this.names, this.codes!, row);
        this.index = null;
        this.names = [];
        this.codes = null;
        this.bytes = null;
        return 0;
      }
      code = this.names.push(token);
      this.index.set(token, code);
    }
    this.store(row, code);
    return code;
  }

  /** note() for a cell of Latin-1/ASCII bytes buf[start, end) (./fastCsv.ts): levels seen before are found without a string. */
  noteAscii(row: number, buf: Buffer, start: number, end: number): void {
    if (this.index === null) return;
    this.bytes ??= new LevelBytes();
    const known = this.bytes.find(buf, start, end);
    if (known > 0) {
      this.store(row, known);
      return;
    }
    const code = this.note(row, buf.toString('latin1', start, end));
    if (code > 0) this.bytes?.remember(buf, start, end, code);
  }

  private store(row: number, code: number): void {
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

/**
 * A column's levels (at most MAX_LEVELS) by their bytes: a small open-
 * addressing table, so a categorical column's cells are coded without
 * making a string of each.
 */
class LevelBytes {
  private readonly slots = new Uint8Array(128);
  private readonly keys: Buffer[] = [];
  private readonly codes: number[] = [];

  /** The code of the level spelled buf[start, end), 0 if not seen. */
  find(buf: Buffer, start: number, end: number): number {
    for (let slot = hashBytes(buf, start, end) & 127; ; slot = (slot + 1) & 127) {
      const entry = this.slots[slot];
      if (entry === 0) return 0;
      if (sameBytes(this.keys[entry - 1], buf, start, end)) return this.codes[entry - 1];
    }
  }

  remember(buf: Buffer, start: number, end: number, code: number): void {
    let slot = hashBytes(buf, start, end) & 127;
    while (this.slots[slot] !== 0) slot = (slot + 1) & 127;
    this.keys.push(Buffer.from(buf.subarray(start, end)));
    this.codes.push(code);
    this.slots[slot] = this.keys.length;
  }
}

function sameBytes(key: Buffer, buf: Buffer, start: number, end: number): boolean {
  if (key.length !== end - start) return false;
  for (let k = 0; k < key.length; k++) if (key[k] !== buf[start + k]) return false;
  return true;
}

/** FNV-1a. */
export function hashBytes(buf: Buffer, start: number, end: number): number {
  let hash = 0x811c9dc5;
  for (let k = start; k < end; k++) hash = Math.imul(hash ^ buf[k], 0x01000193);
  return hash >>> 0;
}
