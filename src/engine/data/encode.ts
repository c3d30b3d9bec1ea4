/**
 * One-hot encoding of the binary and categorical columns clustered with
 * `categorical: "onehot"` (../shared/spec/PROFILE.md, "Categorical columns
 * and descriptors"), as scikit-learn's OneHotEncoder(drop="first") with
 * sorted categories: a column with L levels among the rows kept becomes
 * L − 1 indicator features named `column=level`, the first level in sorted
 * order dropped. Under median imputation a missing level is the most frequent
 * level (ties: the first in sorted order, as SimpleImputer(strategy=
 * "most_frequent")); otherwise the row was dropped before.
 */
import type { CsvColumn } from './csv';
import { compareText } from './columns';
import { SegmentError } from '../errors';

export { CATEGORICAL_MODES, type CategoricalMode } from '../../shared/workerProtocol';

/** Where an indicator feature comes from. */
export interface OneHotIndicator {
  column: string;
  level: string;
}

/** A categorical column's indicators over the rows kept: which code each one is 1 for, and the code a missing cell takes. */
export interface OneHotColumn {
  indicators: OneHotIndicator[];
  /** The level code (1-based, as CsvColumn.codes) of each indicator. */
  codes: number[];
  /** The code filled in for a missing cell: under median imputation the most frequent level, else 0. */
  fill: number;
  /** Cells filled in. */
  imputed: number;
}

export function oneHotColumn(column: CsvColumn, keep: Int32Array, impute: boolean): OneHotColumn {
  const levels = column.levels!;
  const rowCodes = column.codes!;
  const counts = new Float64Array(levels.length + 1);
  for (const i of keep) counts[rowCodes[i]]++;
  const present = levels.map((_, l) => l + 1).filter((code) => counts[code] > 0);
  present.sort((a, b) => compareText(levels[a - 1], levels[b - 1]));
  const missing = counts[0];
  // The most frequent level; on a tie, the first in sorted order (also without gaps here: a model fills new rows' gaps with it).
  const fill = impute ? present.reduce((best, code) => (counts[code] > counts[best] ? code : best), present[0]) : 0;
  const kept = present.slice(1);
  return {
    indicators: kept.map((code) => ({ column: column.name, level: levels[code - 1] })),
    codes: kept,
    fill,
    imputed: fill > 0 ? missing : 0,
  };
}

export function indicatorName(indicator: OneHotIndicator): string {
  return `${indicator.column}=${indicator.level}`;
}

/** Two features may not have one name (a column "a=b" and the level "b" of a column "a"): the profile is keyed by it. */
export function checkFeatureNames(names: string[], sources: (OneHotIndicator | null)[]): void {
  const seen = new Map<string, number>();
  names.forEach((name, j) => {
    const first = seen.get(name);
    if (first === undefined) {
      seen.set(name, j);
      return;
    }
    const what = (k: number) => {
      const source = sources[k];
      return source ? `level "${source.level}" of column "${source.column}"` : `column "${names[k]}"`;
    };
    throw new SegmentError(
      'DUPLICATE_HEADER',
      `One-hot encoding would name two features "${name}": the ${what(first)} and the ${what(j)}. Rename one of the columns.`,
    );
  });
}
