/**
 * numberShape and numberValue (./numeric.ts) for a cell given as ASCII bytes,
 * in one pass and without making a string: the fast CSV reader's number
 * parser. The value is exactly what Number() gives for the same text.
 *
 * Exactness: a mantissa of at most 15 significant digits is an exact double
 * (< 2^53), and so is every 10^k with k ≤ 22; IEEE multiplication and
 * division round the exact product or quotient to nearest, which is what
 * Number() does with the decimal text (Clinger's fast path). Anything else
 * (more digits, a larger exponent) is handed to Number() itself.
 */
import { NUMBER_CHARS, NumberShape } from './numeric';

// Read once: an imported binding can cost a getter call per use where modules are compiled to CommonJS (tsx).
const NONE = NumberShape.NONE;
const INTEGER = NumberShape.INTEGER;
const DECIMAL = NumberShape.DECIMAL;
const COMMA_DECIMAL = NumberShape.COMMA_DECIMAL;

const { ZERO, NINE, PLUS, MINUS, PERIOD, COMMA, LOWER_E, UPPER_E } = NUMBER_CHARS;

/** Significant digits whose integer is always an exact double. */
const EXACT_DIGITS = 15;
/** 10^0 … 10^22, every one an exact double. */
const POW10 = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];
/** An exponent beyond this is left to Number() (it only has to stay an exact small integer here). */
const EXPONENT_CAP = 100_000;

/** The value of the cell last scanned by scanNumber (NaN for NumberShape.NONE). */
export const scanned = { value: NaN };

/**
 * The shape of the trimmed, non-missing cell buf[start, end) (ASCII), as
 * numberShape gives it for the same text, and its value in `scanned.value`,
 * as numberValue gives it.
 */
export function scanNumber(buf: Uint8Array, start: number, end: number, allowDecimalComma: boolean): NumberShape {
  scanned.value = NaN;
  if (start >= end) return NONE;
  let i = start;
  const first = buf[i];
  const negative = first === MINUS;
  if (first === PLUS || negative) i++;
  digits.mantissa = 0;
  digits.significant = 0;
  const intStart = i;
  i = readDigits(buf, i, end);
  const intDigits = i - intStart;
  if (i === end) {
    if (intDigits === 0) return NONE;
    scanned.value = valueOf(buf, start, end, negative, 0, false);
    return INTEGER;
  }

  const mark = buf[i];
  if (mark === COMMA) {
    if (!allowDecimalComma || intDigits === 0) return NONE;
    const fracStart = ++i;
    i = readDigits(buf, i, end);
    if (i !== end || i === fracStart) return NONE;
    scanned.value = valueOf(buf, start, end, negative, -(end - fracStart), true);
    return COMMA_DECIMAL;
  }
  let fracDigits = 0;
  if (mark === PERIOD) {
    const fracStart = ++i;
    i = readDigits(buf, i, end);
    fracDigits = i - fracStart;
  }
  if (intDigits + fracDigits === 0) return NONE;
  if (i === end) {
    scanned.value = valueOf(buf, start, end, negative, -fracDigits, false);
    return DECIMAL;
  }

  const e = buf[i];
  if (e !== LOWER_E && e !== UPPER_E) return NONE;
  i++;
  const sign = buf[i];
  const negativeExponent = sign === MINUS;
  if (i < end && (sign === PLUS || negativeExponent)) i++;
  const expStart = i;
  let exponent = 0;
  for (; i < end; i++) {
    const b = buf[i];
    if (b < ZERO || b > NINE) return NONE;
    if (exponent < EXPONENT_CAP) exponent = exponent * 10 + (b - ZERO);
  }
  if (i === expStart) return NONE;
  const power = (negativeExponent ? -exponent : exponent) - fracDigits;
  scanned.value = valueOf(buf, start, end, negative, power, false);
  return DECIMAL;
}

/** The digits read so far: their integer (exact while at most EXACT_DIGITS) and how many count. */
const digits = { mantissa: 0, significant: 0 };

/** Reads the digits from i on into `digits` (leading zeros do not count); returns the index of the first non-digit. */
function readDigits(buf: Uint8Array, from: number, end: number): number {
  let { mantissa, significant } = digits;
  let i = from;
  for (; i < end; i++) {
    const b = buf[i];
    if (b < ZERO || b > NINE) break;
    if (significant > 0 || b !== ZERO) {
      mantissa = mantissa * 10 + (b - ZERO);
      significant++;
    }
  }
  digits.mantissa = mantissa;
  digits.significant = significant;
  return i;
}

/** The digits × 10^power with the sign, exactly as Number() reads the text. */
function valueOf(buf: Uint8Array, start: number, end: number, negative: boolean, power: number, decimalComma: boolean): number {
  const { mantissa, significant } = digits;
  let magnitude: number;
  if (mantissa === 0) magnitude = 0; // "0", "0.000", "-0e999": a (signed) zero whatever the exponent
  else if (significant <= EXACT_DIGITS && power >= 0 && power <= 22) magnitude = mantissa * POW10[power];
  else if (significant <= EXACT_DIGITS && power < 0 && power >= -22) magnitude = mantissa / POW10[-power];
  else return slowValue(buf, start, end, decimalComma);
  return negative ? -magnitude : magnitude;
}

/** Number() of the text itself: long mantissas, large exponents. */
function slowValue(buf: Uint8Array, start: number, end: number, decimalComma: boolean): number {
  const text = Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('latin1');
  return Number(decimalComma ? text.replace(',', '.') : text);
}
