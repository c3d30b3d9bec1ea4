/**
 * The k range of a sweep as people type it, "2..8" (both ends included):
 * the CLI's --k and the VS Code command's input box read it the same way.
 * Browser-safe. The engine checks the largest k against the rows later.
 */

export const DEFAULT_K_RANGE = '2..8';

export type KRangeParse = { range: [number, number]; error?: undefined } | { range?: undefined; error: string };

/** "2..8" as [2, 8], or why not; `subject` names the input in the message ("--k", "The k range"). */
export function parseKRangeText(text: string, subject: string): KRangeParse {
  const match = /^\s*(\d+)\s*\.\.\s*(\d+)\s*$/.exec(text);
  if (!match) return { error: `${subject} expects a range such as ${DEFAULT_K_RANGE}, got "${text}"` };
  const [kMin, kMax] = [Number(match[1]), Number(match[2])];
  if (kMin < 2) return { error: `${subject} must start at 2 or more, got ${kMin}..${kMax}: a segmentation has at least 2 clusters` };
  if (kMax < kMin) return { error: `${subject} ${kMin}..${kMax} is reversed: write the smaller k first, ${kMax}..${kMin}` };
  return { range: [kMin, kMax] };
}
