/**
 * Number formatting for the cluster panel: fixed, locale-independent (en-US
 * digits and grouping) so the view model gives the same text in Node and in
 * the webview, with a real minus sign (U+2212) for negative values.
 */

const formatters = new Map<string, Intl.NumberFormat>();

function formatter(decimals: number, signed: boolean): Intl.NumberFormat {
  const key = `${decimals}:${signed}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.NumberFormat('en-US', {
      minimumFractionDigits: decimals,
      maximumFractionDigits: decimals,
      signDisplay: signed ? 'exceptZero' : 'auto',
    });
    formatters.set(key, f);
  }
  return f;
}

export const MINUS = '\u2212';
export const DASH = '\u2014';

function clean(text: string): string {
  return text.replace(/-/g, MINUS);
}

/** A number with exactly `decimals` decimals and thousands grouping; "—" for null. */
export function formatFixed(value: number | null | undefined, decimals: number): string {
  if (value == null || !Number.isFinite(value)) return DASH;
  const d = Math.max(0, Math.min(10, Math.round(decimals)));
  const text = clean(formatter(d, false).format(value));
  // −0.00 reads as a negative value that is not there.
  return /^−[0.,]*$/.test(text) ? text.slice(1) : text;
}

/** A signed number ("+1.23", "−0.40", "0.00"), for z-scores. */
export function formatSigned(value: number | null | undefined, decimals: number): string {
  if (value == null || !Number.isFinite(value)) return DASH;
  const text = clean(formatter(decimals, true).format(value));
  return /^[−+][0.,]*$/.test(text) ? text.slice(1) : text;
}

/**
 * Decimals that show a feature's values to about three significant digits of
 * its spread: std 649 → 0 (818), std 0.6 → 3 (2.457), std 0.05 → 4 (0.0550).
 */
export function decimalsForSpread(spread: number | null | undefined): number {
  if (spread == null || !Number.isFinite(spread) || spread <= 0) return 2;
  return Math.max(0, Math.min(6, 2 - Math.floor(Math.log10(spread))));
}

/** A headline metric: 0.3295, 1.318, 214.3, −4,078.3. */
export function formatMetric(value: number | null | undefined): string {
  if (value == null || !Number.isFinite(value)) return DASH;
  const a = Math.abs(value);
  if (a >= 100) return formatFixed(value, 1);
  if (a >= 1) return formatFixed(value, 3);
  if (a === 0) return '0';
  if (a < 0.0001) return clean(value.toExponential(2));
  return formatFixed(value, 4);
}

/** A count: 1,234. */
export function formatCount(value: number | null | undefined): string {
  return formatFixed(value, 0);
}

/** A percentage given as 0..100: "60.16%". */
export function formatPercent(value: number | null | undefined, decimals = 2): string {
  if (value == null || !Number.isFinite(value)) return DASH;
  return `${formatFixed(value, decimals)}%`;
}

/**
 * A number as a person would write it in a setting: 1,299 · 0.001 · 12.2165 · 1e−6
 * (integers grouped; others to 6 significant digits without trailing zeros).
 */
export function formatPlain(value: number | null | undefined): string {
  if (value == null || !Number.isFinite(value)) return DASH;
  if (Number.isInteger(value) && Math.abs(value) < 1e15) return formatFixed(value, 0);
  const a = Math.abs(value);
  if (a < 1e-4 || a >= 1e15) return clean(value.toExponential().replace(/\.?0+e/, 'e').replace('e+', 'e'));
  const [int, frac] = String(Number(a.toPrecision(6))).split('.');
  return `${value < 0 ? MINUS : ''}${formatFixed(Number(int), 0)}${frac ? `.${frac}` : ''}`;
}
