/**
 * Rows of new data standardised with a model's scaler, as the training's
 * standardiseInPlace (src/engine/data/prepare.ts) computed them: on values
 * divided by a power of two (exact), so the training rows get the training's
 * z bit for bit, and huge values (near 1.8e308) do not overflow the
 * subtraction. Scoring reads them chunk by chunk from the columns, in the
 * E-step's threads, so no n×d matrix is made for them (src/engine/kernels/gmmKernels.ts).
 */
import { powerOfTwoScale } from './stats';

/** Where the n rows to standardise come from. */
export interface StandardisedSource {
  /** Per feature, its value in each row of the table (original units; NaN: missing). */
  columns: Float64Array[];
  /** The table row of each of the n rows. */
  kept: Int32Array;
  /** Per feature, the value that fills a missing one (NaN where rows with gaps were dropped instead). */
  fill: Float64Array;
  /** Per feature: the power of two the values are divided by, and the mean and scale divided by it. */
  unit: Float64Array;
  mean: Float64Array;
  scale: Float64Array;
}

export function standardisedSource(columns: Float64Array[], kept: Int32Array, fill: Float64Array, mean: Float64Array, scale: Float64Array): StandardisedSource {
  const unit = Float64Array.from(mean, (m, j) => powerOfTwoScale(Math.max(Math.abs(m), scale[j])));
  return {
    columns,
    kept,
    fill,
    unit,
    mean: Float64Array.from(mean, (v, j) => v / unit[j]),
    scale: Float64Array.from(scale, (v, j) => v / unit[j]),
  };
}

/** Rows lo … hi−1 as z = (x − mean) / scale into out (row-major, from out[0]); returns the gaps filled. */
export function standardiseRows(source: StandardisedSource, lo: number, hi: number, out: Float64Array): number {
  const { columns, kept, fill, unit, mean, scale } = source;
  const d = columns.length;
  let filled = 0;
  for (let t = lo, at = 0; t < hi; t++) {
    const i = kept[t];
    for (let j = 0; j < d; j++, at++) {
      let v = columns[j][i];
      if (Number.isNaN(v)) {
        v = fill[j];
        filled++;
      }
      out[at] = (v / unit[j] - mean[j]) / scale[j];
    }
  }
  return filled;
}
