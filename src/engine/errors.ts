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
  | 'MALFORMED_PARQUET'
  | 'RAGGED_ROW'
  | 'DUPLICATE_HEADER'
  | 'EMPTY_HEADER'
  | 'UNKNOWN_COLUMN'
  | 'NO_NUMERIC_COLUMNS'
  | 'COLUMN_ALL_MISSING'
  | 'COLUMN_CONSTANT'
  | 'COLUMN_NOT_NUMERIC'
  | 'COLUMN_TOO_MANY_LEVELS'
  | 'NON_FINITE_VALUE'
  | 'VALUE_OUT_OF_RANGE'
  | 'TOO_FEW_ROWS'
  | 'TOO_MANY_FEATURES'
  | 'INVALID_OPTION'
  | 'INVALID_PROFILE'
  | 'INVALID_MODEL'
  | 'ILL_CONDITIONED'
  | 'BACKEND_UNAVAILABLE'
  | 'CANCELLED'
  | 'OUTPUT_NOT_WRITABLE'
  // A scale-out job (segment dask --run) could not start or failed on the cluster.
  | 'SCALEOUT_FAILED';

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

/** Signals whose cancel arrives through shared memory, with the check that aborts them. */
const flagChecks = new WeakMap<AbortSignal, () => void>();

/**
 * A signal for a run on a thread that its canceller cannot reach by message
 * while the engine computes (the engine's loops are synchronous): the other
 * thread raises a flag in shared memory (raiseCancelFlag), and every
 * throwIfAborted on this signal looks at it.
 */
export function cancelFlagSignal(flag: SharedArrayBuffer): AbortSignal {
  const controller = new AbortController();
  const cells = new Int32Array(flag);
  flagChecks.set(controller.signal, () => {
    if (!controller.signal.aborted && Atomics.load(cells, 0) === 1) controller.abort();
  });
  return controller.signal;
}

/** Looks at a cancelFlagSignal's flag now (aborting the signal if it is raised), e.g. when a cancel message arrives. */
export function checkCancelFlag(signal: AbortSignal): void {
  flagChecks.get(signal)?.();
}

export function raiseCancelFlag(flag: SharedArrayBuffer): void {
  Atomics.store(new Int32Array(flag), 0, 1);
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal) checkCancelFlag(signal);
  if (signal?.aborted) throw cancelledError();
}
