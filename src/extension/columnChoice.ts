/**
 * The column quick pick's answer as the engine's options (no vscode here, so
 * it is unit-tested): the columns to cluster on, and among the others the
 * ones to describe per cluster; every other column is left out. The engine
 * describes some columns by default (binary and categorical ones; with an
 * explicit column list, every other usable column), so only the differences
 * from that default are sent: `describe` for a column it would not describe,
 * `exclude` for one it would.
 */
import type { InspectColumn } from '../shared/workerProtocol';

export interface ColumnChoice {
  /** Explicit features; undefined: the automatic choice. */
  columns?: string[];
  /** Columns the engine would not describe by default, to describe. */
  describe?: string[];
  /** Columns the engine would describe (or, automatic, cluster on) by default, to leave out. */
  exclude?: string[];
}

const REQUESTED_OUT = 'excluded by request';

/** "numeric", "categorical · 3 levels", "free text · 60 levels": what the sample holds. */
export function kindText(column: InspectColumn): string {
  if (!column.kind) return '';
  const kind = column.kind === 'text' ? 'free text' : column.kind;
  return column.levels !== undefined && column.kind !== 'numeric' ? `${kind} · ${column.levels} level${column.levels === 1 ? '' : 's'}` : kind;
}

/**
 * The columns that may be described once `features` are chosen: those the
 * engine can use (clustered or described in the sample's automatic choice),
 * and those left out by segment.excludeColumns; not the id, constant, empty
 * or free-text columns (the engine would ignore them anyway).
 */
export function describable(columns: InspectColumn[], features: string[]): InspectColumn[] {
  return columns.filter((c) => !features.includes(c.name) && (c.role === 'feature' || c.role === 'descriptor' || c.reason === REQUESTED_OUT));
}

/** The columns the engine describes by default for this choice of features. */
export function describedByDefault(columns: InspectColumn[], features: string[], explicit = false): string[] {
  if (!explicit && isAutomatic(columns, features)) return columns.filter((c) => c.role === 'descriptor').map((c) => c.name);
  return describable(columns, features).map((c) => c.name);
}

function isAutomatic(columns: InspectColumn[], features: string[]): boolean {
  const automatic = columns.filter((c) => c.selected).map((c) => c.name);
  return features.length === automatic.length && features.every((name) => automatic.includes(name));
}

/**
 * The engine's options for clustering on `features` and describing
 * `described`. `settingsExclude` (segment.excludeColumns) shapes the
 * automatic choice and stays in it unless a column is now described;
 * `explicit` (segment.columns is set) sends the features even when they are
 * the automatic ones.
 */
export function columnChoice(columns: InspectColumn[], features: string[], described: string[], settingsExclude: string[], explicit = false): ColumnChoice {
  const automatic = !explicit && isAutomatic(columns, features);
  const byDefault = describedByDefault(columns, features, explicit);
  const describe = described.filter((name) => !byDefault.includes(name));
  const leftOut = byDefault.filter((name) => !described.includes(name));
  const exclude = automatic ? [...new Set([...settingsExclude.filter((name) => !described.includes(name)), ...leftOut])] : leftOut;
  return {
    ...(automatic ? {} : { columns: features }),
    ...(describe.length ? { describe } : {}),
    ...(exclude.length ? { exclude } : {}),
  };
}
