/** The profile's metadata for the header: which method, which data, when, and what was left out or warned about. */
import { methodKindOf } from './labels';
import type { MethodKey } from '../methods';
import type { ExcludedColumnView } from './types';
import { describeValue, isObj, readNumber, readObj, scalarText, valueText, visible, type Obj, type Problems } from './untrusted';

export interface HeaderFields {
  metadata: Obj | null;
  metrics: Obj | null;
  /** metadata.method, trimmed; null when absent or not text. */
  method: string | null;
  methodKind: MethodKey | 'unknown';
  dataFile: string | null;
  timestamp: string | null;
  /** metadata.n_clusters and metadata.n_samples, checked against the clusters later. */
  kMeta: number | null;
  nMeta: number | null;
  seed: string | null;
  warnings: string[];
  excluded: ExcludedColumnView[];
  scoredWith: string | null;
}

export function readHeader(root: Obj, fileName: string, problems: Problems): HeaderFields {
  const metadata = readObj(root, 'metadata', 'profile', problems, true);
  const metrics = readObj(root, 'metrics', 'profile', problems, true);
  const methodRaw = metadata?.method;
  const method = typeof methodRaw === 'string' && methodRaw.trim() ? visible(methodRaw.trim()) : null;
  if (metadata && methodRaw !== undefined && method == null) problems.add(`metadata.method should be text but is ${describeValue(methodRaw)}.`);
  const methodKind = methodKindOf(method, fileName);
  const dataFileRaw = metadata?.source_file;
  const dataFile = typeof dataFileRaw === 'string' ? visible(dataFileRaw) : null;
  if (dataFileRaw != null && dataFile == null) problems.add(`metadata.source_file should be text but is ${describeValue(dataFileRaw)}.`);
  const tsRaw = metadata?.timestamp;
  const timestamp = typeof tsRaw === 'string' ? tsRaw : null;
  if (tsRaw != null && timestamp == null) problems.add(`metadata.timestamp should be text but is ${describeValue(tsRaw)}.`);
  const kMeta = readNumber(metadata, 'n_clusters', 'metadata', problems);
  const nMeta = readNumber(metadata, 'n_samples', 'metadata', problems);
  const seedRaw = metadata?.random_seed;
  const seed = seedRaw == null ? null : (scalarText(seedRaw) ?? describeValue(seedRaw));
  const warnings: string[] = [];
  if (metadata?.warnings != null) {
    if (Array.isArray(metadata.warnings)) metadata.warnings.forEach((w) => warnings.push(visible(valueText(w) ?? describeValue(w))));
    else warnings.push(visible(valueText(metadata.warnings) ?? describeValue(metadata.warnings)));
  }
  const excluded: ExcludedColumnView[] = [];
  if (metadata?.excluded_columns != null) {
    if (Array.isArray(metadata.excluded_columns)) {
      for (const e of metadata.excluded_columns) {
        if (isObj(e)) excluded.push({ column: visible(scalarText(e.column) ?? describeValue(e.column)), reason: visible(scalarText(e.reason) ?? '') });
        else excluded.push({ column: visible(scalarText(e) ?? describeValue(e)), reason: '' });
      }
    } else problems.add(`metadata.excluded_columns should be a list but is ${describeValue(metadata.excluded_columns)}.`);
  }
  const scoredWithRaw = metadata?.scored_with;
  const scoredWith = typeof scoredWithRaw === 'string' ? visible(scoredWithRaw) : null;
  if (scoredWithRaw != null && scoredWith == null) problems.add(`metadata.scored_with should be text but is ${describeValue(scoredWithRaw)}.`);
  return { metadata, metrics, method, methodKind, dataFile, timestamp, kMeta, nMeta, seed, warnings, excluded, scoredWith };
}
