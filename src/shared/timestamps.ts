/** The time stamps of profile files, in their names and in metadata.timestamp, and the names themselves (browser-safe). */
import { DASH } from './format';
import type { MethodKey } from './methods';

/** Local time as ISO 8601 with the UTC offset, e.g. 2026-11-24T09:16:32+01:00. */
export function isoLocal(date: Date): string {
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  const abs = Math.abs(offset);
  return `${fileStamp(date, '-', 'T', ':')}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** YYYYMMDD_HHMMSS in local time (the file-name convention), or other separators. */
export function fileStamp(date: Date, dateSep = '', mid = '_', timeSep = ''): string {
  const day = [date.getFullYear(), pad(date.getMonth() + 1), pad(date.getDate())].join(dateSep);
  const time = [pad(date.getHours()), pad(date.getMinutes()), pad(date.getSeconds())].join(timeSep);
  return `${day}${mid}${time}`;
}

function pad(v: number): string {
  return String(v).padStart(2, '0');
}

/** The kinds of files the engine writes: an export's profile, assignments and model; a scoring's scores (and profile); a sweep's k selection. */
export type OutputKind = 'cluster_profile' | 'assignments' | 'model' | 'scores' | 'k_selection';
export const OUTPUT_KINDS: readonly OutputKind[] = ['cluster_profile', 'assignments', 'model', 'scores', 'k_selection'];
/** The kinds of files a scoring writes (`segment score --profile`). */
export const SCORING_KINDS: readonly OutputKind[] = ['scores', 'cluster_profile'];

/** The names the engine gives a method's files of these kinds for a timestamp, with the _2, _3 … suffixes it adds on a clash. */
export function outputNamePattern(method: MethodKey, stamp: string, kinds: readonly OutputKind[] = OUTPUT_KINDS): RegExp {
  return new RegExp(`^${method}_(${kinds.join('|')})_${stamp}(_\\d+)?\\.(json|yaml|csv)$`);
}

/** The hidden temporary file a process writes before linking it to its final name. */
export const TEMPORARY_NAME = /^\.segment-(\d+)-\d+-\d+\.tmp$/;
/** "2026-11-24T09:48:38+00:00" → "2026-11-24 09:48:38 +00:00" (the profile's own local time, not the viewer's); "—" for none. */
export function timestampText(ts: string | null): string {
  if (!ts) return DASH;
  const m = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d(?::\d\d)?)(?:\.\d+)?(Z|[+-]\d\d:?\d\d)?$/.exec(ts);
  if (!m) return ts;
  return `${m[1]} ${m[2]}${m[3] ? ` ${m[3] === 'Z' ? 'UTC' : m[3]}` : ''}`;
}
