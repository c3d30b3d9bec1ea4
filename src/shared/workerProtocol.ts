/**
 * The one message protocol between the extension host and the worker process
 * (dist/worker.js, started with child_process.fork). Both sides import these
 * types, so a message that one side sends and the other does not understand
 * is a compile error. Nothing here imports vscode or the engine: it is plain
 * data that crosses the IPC channel as JSON.
 *
 *   extension ──run──────▶ worker      one run per process
 *   extension ──score────▶ worker      or one scoring of a CSV with a model file
 *   extension ──sweep────▶ worker      or one sweep over k (`segment sweep`), writing the k-selection files
 *   extension ──cancel───▶ worker      the worker aborts its AbortController
 *   extension ◀─progress── worker      phase, message, overall fraction
 *   extension ◀─log─────── worker      lines for the "Segment" output channel
 *   extension ◀─written─── worker      one method's files are on disk
 *   extension ◀─done────── worker      every method finished
 *   extension ◀─scored──── worker      the scores (and the scored rows' profile) are on disk
 *   extension ◀─swept───── worker      the k-selection files are on disk
 *   extension ◀─error───── worker      bad input (the engine's message), a cancel, or a bug
 */
import type { CommonOptions, CovarianceType, MethodKey, MethodParams } from './methods';

export type { MethodKey, MethodParams } from './methods';

export type MissingPolicy = 'drop' | 'median';

/** Binary and categorical columns: described per cluster (the default), or clustered one-hot encoded. */
export type CategoricalMode = 'describe' | 'onehot';
export const CATEGORICAL_MODES: readonly CategoricalMode[] = ['describe', 'onehot'];

/** Where the worker reads the CSV from. */
export type CsvSource =
  | { kind: 'file'; path: string }
  /** An unsaved or untitled document: its text as the editor holds it. */
  | { kind: 'text'; text: string; fileName: string };

export interface PrepareSettings {
  /** Cluster on exactly these columns (empty or absent: the automatic choice). */
  columns?: string[];
  exclude?: string[];
  /** Describe these per cluster without clustering on them. */
  describe?: string[];
  missing: MissingPolicy;
  /** Absent: 'describe'. */
  categorical?: CategoricalMode;
  /** Fit on a seeded uniform sample of this many rows (segment.sampleRows); absent or 'auto': every row. */
  sample?: number | 'auto';
}

/** Only the extension's test API sets these: they make the worker misbehave on purpose. */
export interface DebugBehaviour {
  /** Allocate until the process runs out of memory. */
  exhaustMemory?: boolean;
  /** Spin without ever looking at the cancel flag, so only the kill stops it. */
  ignoreCancel?: boolean;
  /** End the process at once without a word, as a crash or the kernel's OOM killer would. */
  crashProcess?: boolean;
}

/** What a fit of a CSV needs, for an export (`run`) and for a sweep. */
interface FitRequestFields {
  source: CsvSource;
  prepare: PrepareSettings;
  /** Options every method takes; an absent one keeps the engine's default (a sweep sets the number of clusters). */
  common: Partial<CommonOptions>;
  /** The methods' own options, by the engine's names. */
  params: MethodParams;
  outputDir: string;
  /** The time in ms since the epoch: it fixes the file names' timestamp. */
  now: number;
  /** Heap limit of the engine thread in MB (0 or absent: Node's default). */
  memoryLimitMb?: number;
}

export interface RunRequest extends FitRequestFields {
  type: 'run';
  methods: MethodKey[];
  debug?: DebugBehaviour;
}

/** Reads the header and a sample of rows to offer the columns before a run. */
export interface InspectRequest {
  type: 'inspect';
  source: CsvSource;
  prepare: PrepareSettings;
}

/** Scores a CSV with a model file, no refit (`segment score`), writing the scores and a profile of the scored rows. */
export interface ScoreCsvRequest {
  type: 'score';
  /** The model file ({method}_model_{ts}.json). */
  model: string;
  source: CsvSource;
  outputDir: string;
  /** The files' time stamp in ms since the epoch. */
  now: number;
  /** Heap limit of the engine thread in MB (0 or absent: Node's default). */
  memoryLimitMb?: number;
}

/** How many segments? A sweep of k over a CSV (`segment sweep`), writing {method}_k_selection_{ts}.json and .yaml. */
export interface SweepRunRequest extends FitRequestFields {
  type: 'sweep';
  method: MethodKey;
  /** The smallest and the largest k, both included. */
  kRange: [number, number];
  /** GMM: the covariance types to try (absent: the setting's). */
  covarianceTypes?: CovarianceType[];
}

export interface CancelRequest {
  type: 'cancel';
}

export type ToWorker = RunRequest | InspectRequest | ScoreCsvRequest | SweepRunRequest | CancelRequest;

export type Phase = 'read' | 'fit' | 'metrics' | 'write';

export interface ProgressMessage {
  type: 'progress';
  method?: MethodKey;
  phase: Phase;
  /** Ready to show, e.g. "reading 120,000 rows", "EM iteration 12/100" or "epoch 40/100". */
  message: string;
  /** 0..1 over the whole run (every method). */
  overall: number;
}

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

export interface LogMessage {
  type: 'log';
  level: LogLevel;
  message: string;
}

export interface MethodResult {
  method: MethodKey;
  json: string;
  yaml: string;
  assignments: string;
  /** The model file, for scoring new rows. */
  model: string;
  nSamples: number;
  nClusters: number;
  nFeatures: number;
  /** The profile's metrics block (silhouette_score, davies_bouldin_index, …). */
  metrics: Record<string, number | null>;
  warnings: string[];
}

export interface WrittenMessage {
  type: 'written';
  result: MethodResult;
}

export interface DoneMessage {
  type: 'done';
  results: MethodResult[];
}

/** What a scoring wrote and found. */
export interface ScoreSummary {
  method: MethodKey;
  model: string;
  /** The profile exported with the model (beside it, unless moved). */
  trainingProfile: string;
  scores: string;
  /** The profile of the scored rows. */
  json: string;
  yaml: string;
  nRowsRead: number;
  nScored: number;
  nRowsDropped: number;
  /** Rows per cluster, by cluster number. */
  sizes: number[];
  /** GMM: rows below the training's 1st percentile of log-likelihood. */
  unusual: { count: number; threshold: number } | null;
  warnings: string[];
}

export interface ScoredMessage {
  type: 'scored';
  result: ScoreSummary;
}

/** What a sweep wrote and recommends. */
export interface SweepSummary {
  method: MethodKey;
  json: string;
  yaml: string;
  /** The fits tried (k × covariance types) and how many of them failed. */
  nFits: number;
  nFailed: number;
  recommendation: { k: number; covarianceType?: CovarianceType; criterion: string; reason: string };
}

export interface SweptMessage {
  type: 'swept';
  result: SweepSummary;
}

export interface InspectColumn {
  name: string;
  /** True when the automatic choice would cluster on it. */
  selected: boolean;
  /** Why the automatic choice does not cluster on it. */
  reason?: string;
  /** What the sample holds: numeric, binary, categorical, text (more than 50 values) or empty. */
  kind?: string;
  /** Distinct values in the sample, for a column with text. */
  levels?: number;
  /** The automatic choice's role: feature (clustered), descriptor (described only), id or ignored. */
  role?: 'id' | 'feature' | 'descriptor' | 'ignored';
}

export interface InspectedMessage {
  type: 'inspected';
  columns: InspectColumn[];
  /** Data rows in the sample that was read. */
  sampleRows: number;
}

export interface ErrorMessage {
  type: 'error';
  /** The engine's SegmentErrorCode, or 'INTERNAL' for a bug. */
  code: string;
  /** One sentence for the user. */
  message: string;
  /** A stack or other detail for the log. */
  detail?: string;
}

export type FromWorker = ProgressMessage | LogMessage | WrittenMessage | DoneMessage | InspectedMessage | ScoredMessage | SweptMessage | ErrorMessage;

/** The share of a run each phase takes on the progress bar (sums to 1 per method). */
export const PHASE_SPAN: Record<Phase, [start: number, end: number]> = {
  read: [0, 0.15],
  fit: [0.15, 0.85],
  metrics: [0.85, 0.95],
  write: [0.95, 1],
};

/**
 * The overall fraction for a progress report: reading happens once, then each
 * method takes an equal share of what is left.
 */
export function overallFraction(phase: Phase, fraction: number | undefined, methodIndex: number, methodCount: number): number {
  const f = Math.min(1, Math.max(0, fraction ?? 0));
  const readShare = PHASE_SPAN.read[1];
  if (phase === 'read') return readShare * f;
  const [start, end] = PHASE_SPAN[phase];
  const within = (start - readShare + (end - start) * f) / (1 - readShare);
  return readShare + ((1 - readShare) * (methodIndex + within)) / Math.max(1, methodCount);
}

/** The engine's file-name timestamp and the names it gives a run's files, so the names the extension looks for always match. */
export { fileStamp, outputNamePattern } from './timestamps';
