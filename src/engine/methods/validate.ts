/** Option checks shared by the methods; each message says what is allowed. */
import { SegmentError } from '../errors';

export function requireClusterCount(k: number): void {
  if (!Number.isInteger(k) || k < 2) {
    throw new SegmentError('INVALID_OPTION', `The number of clusters must be a whole number of at least 2 (got ${k}).`);
  }
}

export function requireInteger(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new SegmentError('INVALID_OPTION', `${name} must be a whole number of at least ${min} (got ${value}).`);
  }
}

export function requirePositive(name: string, value: number): void {
  if (!(value > 0) || !Number.isFinite(value)) {
    throw new SegmentError('INVALID_OPTION', `${name} must be a number greater than 0 (got ${value}).`);
  }
}

/** The defaults with the options given over them; an option given as undefined keeps its default. */
export function withDefaults<T extends object>(defaults: Readonly<T>, options: Partial<T>): T {
  const merged = { ...defaults };
  for (const [key, value] of Object.entries(options)) {
    if (value !== undefined) (merged as Record<string, unknown>)[key] = value;
  }
  return merged;
}
