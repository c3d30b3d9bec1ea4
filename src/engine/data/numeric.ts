/**
 * How a CSV cell is read as a number. The syntax is deliberately strict: a
 * value either is a plain decimal number or it is text, so "12abc", "0x1F",
 * dates and thousands separators never turn silently into numbers.
 */

/** The shape of a trimmed, non-missing cell. */
export const NumberShape = {
  /** Not a number: text, a date, "0x1F", "1,234" where commas cannot be decimals. */
  NONE: 0,
  /** Digits only, with an optional sign: valid under either decimal mark. */
  INTEGER: 1,
  /** A period fraction or an exponent: "-3.5", ".5", "1e3", "+2E-4". */
  DECIMAL: 2,
  /** Digits, one comma, digits: "1,5", "-12,75" (a decimal comma, where allowed). */
  COMMA_DECIMAL: 3,
} as const;
export type NumberShape = (typeof NumberShape)[keyof typeof NumberShape];

const MISSING_TOKENS = new Set(['', 'na', 'n/a', 'nan', 'null']);

/** Empty, NA, N/A, NaN or null in any case; `text` is already trimmed. */
export function isMissingToken(text: string): boolean {
  // Every token is at most 4 characters: skip lower-casing long values.
  return text.length <= 4 && MISSING_TOKENS.has(text.toLowerCase());
}

const INFINITY_TOKEN = /^[+-]?inf(inity)?$/i;

/** "Infinity", "-inf", "INF", …: spelled-out infinities, which are never valid data. */
export function isInfinityToken(text: string): boolean {
  if (text.length > 9) return false;
  const first = text.charCodeAt(0) | 0x20; // lower case; '+' and '-' stay apart from it
  return (first === 0x69 || first === 0x2b || first === 0x2d) && INFINITY_TOKEN.test(text); // i, +, -
}

/** The character codes of numbers (./byteNumber.ts reads the same syntax from bytes). */
export const NUMBER_CHARS = { ZERO: 48, NINE: 57, PLUS: 43, MINUS: 45, PERIOD: 46, COMMA: 44, LOWER_E: 101, UPPER_E: 69 } as const;
const { ZERO, NINE, PLUS, MINUS, PERIOD, COMMA, LOWER_E, UPPER_E } = NUMBER_CHARS;

function isDigit(code: number): boolean {
  return code >= ZERO && code <= NINE;
}

/** Index of the first non-digit at or after `from`. */
function skipDigits(text: string, from: number): number {
  let i = from;
  while (i < text.length && isDigit(text.charCodeAt(i))) i++;
  return i;
}

/**
 * Classifies a trimmed cell with a hand-written scanner (one pass, no
 * allocation) because it runs on every cell of files with millions of them.
 * `allowDecimalComma` is false when the comma is the field delimiter.
 */
export function numberShape(text: string, allowDecimalComma: boolean): NumberShape {
  const n = text.length;
  let i = 0;
  const first = text.charCodeAt(0);
  if (first === PLUS || first === MINUS) i = 1;
  const intEnd = skipDigits(text, i);
  const intDigits = intEnd - i;
  i = intEnd;
  if (i === n) return intDigits > 0 ? NumberShape.INTEGER : NumberShape.NONE;

  const mark = text.charCodeAt(i);
  if (mark === COMMA) {
    if (!allowDecimalComma || intDigits === 0) return NumberShape.NONE;
    const fracEnd = skipDigits(text, i + 1);
    return fracEnd === n && fracEnd > i + 1 ? NumberShape.COMMA_DECIMAL : NumberShape.NONE;
  }
  let fracDigits = 0;
  if (mark === PERIOD) {
    const fracEnd = skipDigits(text, i + 1);
    fracDigits = fracEnd - (i + 1);
    i = fracEnd;
  }
  if (intDigits + fracDigits === 0) return NumberShape.NONE;
  if (i === n) return NumberShape.DECIMAL;

  const e = text.charCodeAt(i);
  if (e !== LOWER_E && e !== UPPER_E) return NumberShape.NONE;
  i++;
  const sign = text.charCodeAt(i);
  if (sign === PLUS || sign === MINUS) i++;
  const expEnd = skipDigits(text, i);
  return expEnd === n && expEnd > i ? NumberShape.DECIMAL : NumberShape.NONE;
}

/** The value of a cell whose shape is not NONE. May be ±Infinity on overflow ("1e309"). */
export function numberValue(text: string, shape: NumberShape): number {
  return shape === NumberShape.COMMA_DECIMAL ? Number(text.replace(',', '.')) : Number(text);
}
