/**
 * A seeded uniform sample of a file's data rows, drawn while reading
 * (`--sample N`, segment.sampleRows): reservoir sampling (Vitter's
 * Algorithm R), so one pass over the file and memory for N rows only,
 * whatever its length. Every subset of N rows is equally likely, and the
 * same seed over the same rows gives the same sample.
 *
 * A reader offers each data row in file order and gets the kept ones back in
 * file order at the end, with their 0-based data-row indexes, so a table read
 * with a sample is the table of a file holding only those rows (its column
 * kinds, levels and first-seen orders included), and the row numbers of the
 * assignments file still point into the original file. The reader chooses
 * what a row is (csv.ts: its cells; parquet.ts: its values).
 */
import { Random, deriveSeed } from '../kernels/random';

export interface SampleRequest {
  /** Rows to keep; a file with no more rows than this is read whole. */
  rows: number;
  /** The run's seed. */
  seed: number;
}

/** How a table's rows were sampled (metadata.sample); absent on a table of every row. */
export interface RowSample {
  /** Rows asked for (the table has exactly these many). */
  rows: number;
  /** Data rows in the file. */
  of: number;
  seed: number;
  /** Per table row, its 0-based data-row index in the file, increasing. */
  rowIndex: Int32Array;
}

/** The sampler's own stream of the run's seed, so its draws are not the fits' draws. */
const SAMPLE_STREAM = 0x53414d50;

export class RowReservoir<T> {
  /** Data rows offered so far. */
  seen = 0;
  private readonly items: T[] = [];
  private readonly indexes: number[] = [];
  private readonly random: Random;

  constructor(private readonly request: SampleRequest) {
    this.random = new Random(deriveSeed(request.seed, SAMPLE_STREAM));
  }

  /** The next data row, in file order. */
  offer(item: T): void {
    const slot = this.admit();
    if (slot >= 0) this.keep(slot, item);
  }

  /**
   * offer() in two steps, for a reader that makes the row only if it is
   * kept: the next data row's slot in the reservoir, or −1 if it is not
   * kept; then keep(slot, item) for a kept one.
   */
  admit(): number {
    const index = this.seen++;
    const { rows } = this.request;
    if (index < rows) return index;
    // Row `index` replaces a random one of the reservoir with probability rows / (index + 1).
    const slot = this.random.int(index + 1);
    return slot < rows ? slot : -1;
  }

  /** The row admit() gave `slot` to. */
  keep(slot: number, item: T): void {
    this.items[slot] = item;
    this.indexes[slot] = this.seen - 1;
  }

  /** The rows kept, in file order, and how they were sampled (null when every row was kept). */
  drain(): { items: T[]; sample: RowSample | null } {
    const order = this.indexes.map((_, slot) => slot).sort((a, b) => this.indexes[a] - this.indexes[b]);
    const items = order.map((slot) => this.items[slot]);
    if (this.seen <= this.request.rows) return { items, sample: null };
    return {
      items,
      sample: { rows: this.request.rows, of: this.seen, seed: this.request.seed, rowIndex: Int32Array.from(order, (slot) => this.indexes[slot]) },
    };
  }
}

/** 1-based data-row numbers of a table's rows `keep` (indexes into the table): their place in the file. */
export function dataRowNumbers(keep: ArrayLike<number>, sample: RowSample | undefined): Int32Array {
  // A plain loop: TypedArray.from(keep, f) goes through an iterator and a temporary list of a million entries.
  const out = new Int32Array(keep.length);
  for (let t = 0; t < keep.length; t++) out[t] = (sample ? sample.rowIndex[keep[t]] : keep[t]) + 1;
  return out;
}
