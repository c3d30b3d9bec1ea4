/** What a long engine job reports, and how a caller steers it. */
export type Phase = 'read' | 'fit' | 'metrics' | 'write';

export interface Progress {
  phase: Phase;
  /** Ready to show, e.g. "reading 120,000 rows", "EM iteration 12/100, restart 2/5". */
  message: string;
  /** 0..1 within the phase, when known. */
  fraction?: number;
}

export interface RunControl {
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
  /** Diagnostics for a log, never for the output: e.g. why no engine threads were used. */
  onLog?: (message: string) => void;
}
