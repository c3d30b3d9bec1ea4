/**
 * An error the user can act on. `message` is one plain sentence (or two) that
 * says what is wrong and what to do; it is shown as-is by the CLI and the
 * extension, never with a stack trace. `code` lets callers and tests tell
 * errors apart without matching on wording.
 */
import { printable } from './printable';

export type SegmentErrorCode =
  | 'FILE_NOT_FOUND'
  | 'FILE_UNREADABLE'
  | 'EMPTY_FILE'
  | 'NO_DATA_ROWS'
  | 'NOT_UTF8'
  | 'MALFORMED_CSV'
  | 'RAGGED_ROW'
  | 'DUPLICATE_HEADER'
  | 'EMPTY_HEADER'
  | 'UNKNOWN_COLUMN'
  | 'NO_NUMERIC_COLUMNS'
  | 'COLUMN_ALL_MISSING'
  | 'COLUMN_CONSTANT'
  | 'COLUMN_NOT_NUMERIC'
  | 'NON_FINITE_VALUE'
  | 'VALUE_OUT_OF_RANGE'
  | 'TOO_FEW_ROWS'
  | 'INVALID_OPTION'
  | 'INVALID_PROFILE'
  | 'ILL_CONDITIONED'
  | 'BACKEND_UNAVAILABLE'
  | 'CANCELLED'
  | 'OUTPUT_NOT_WRITABLE';

export class SegmentError extends Error {
  readonly code: SegmentErrorCode;

  /** The message names columns, values and files from the CSV: its control characters are escaped (printable.ts). */
  constructor(code: SegmentErrorCode, message: string) {
    super(printable(message));
    this.name = 'SegmentError';
    this.code = code;
  }
}

export function isSegmentError(error: unknown): error is SegmentError {
  return error instanceof SegmentError;
}

/** Thrown when a caller's AbortSignal fires; nothing has been written. */
export function cancelledError(): SegmentError {
  return new SegmentError('CANCELLED', 'Cancelled: no files were written.');
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw cancelledError();
}
