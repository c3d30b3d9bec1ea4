/**
 * The one run pipeline, used by the CLI and by the extension's worker alike:
 * check every method's options → read and prepare the CSV once → check the
 * data against every method → fit, profile and write each method in turn.
 * On a failure or a cancel, every file the run wrote is removed again, so a
 * run writes all of its files or none.
 */
import { promises as fs } from 'node:fs';
import type { CsvSource } from '../shared/workerProtocol';
import type { MethodKey, MethodOptions } from '../shared/methods';
import { loadDataset, loadDatasetFromText } from './data/dataset';
import type { PrepareOptions, PreparedData } from './data/prepare';
import { throwIfAborted } from './errors';
import { createSegmentation } from './methods/registry';
import { OPTION_LABELS, checkOption, type OptionNamer } from './methods/options';
import { SAMPLE_OPTION } from '../shared/methods';
import type { Progress, RunControl } from './progress';
import type { ExportResult } from './profile/export';

export interface MethodRun<M extends MethodKey = MethodKey> {
  method: M;
  /** Over the method's defaults; undefined values keep them. */
  options: Partial<MethodOptions[M]>;
}

export interface ExportRequest {
  source: CsvSource;
  prepare: PrepareOptions;
  /** The source's data when already read and prepared (by a sweep, say): not read again. */
  data?: PreparedData;
  methods: readonly MethodRun[];
  outputDir: string;
  /** The run's time: one timestamp for all its files, so they sort together. Now by default. */
  now?: Date;
  /** How messages name an option: its flag on the command line, its setting in VS Code. */
  optionNames?: OptionNamer;
}

export interface MethodExport {
  method: MethodKey;
  result: ExportResult;
  seconds: number;
}

/** Where a progress report comes from: the read (no method) or the index-th of `count` methods. */
export interface ProgressSource {
  method?: MethodKey;
  index: number;
  count: number;
}

export interface ExportHooks {
  /** A cancel from another thread: a cancelFlagSignal (src/engine/errors.ts), which every checkpoint looks at. */
  signal?: AbortSignal;
  onProgress?: (progress: Progress, source: ProgressSource) => void;
  /** Diagnostics for a log (e.g. how many threads a fit used). */
  onLog?: (message: string, method?: MethodKey) => void;
  onData?: (data: PreparedData) => void;
  onMethodStart?: (method: MethodKey, options: Readonly<MethodOptions[MethodKey]>, data: PreparedData) => void;
  /** One method's files are on disk (they are still removed if a later method fails). */
  onWritten?: (done: MethodExport, data: PreparedData) => void;
}

export async function exportMethods(request: ExportRequest, hooks: ExportHooks = {}): Promise<MethodExport[]> {
  const { signal } = hooks;
  const count = request.methods.length;
  const checkpoint = () => throwIfAborted(signal);
  const controlFor = (index: number, method?: MethodKey): RunControl => ({
    signal,
    onLog: (message) => hooks.onLog?.(message, method),
    onProgress: (progress) => hooks.onProgress?.(progress, { method, index, count }),
  });
  const name = request.optionNames ?? OPTION_LABELS;
  // Options first: a wrong one is reported before the file is read.
  const segmentations = request.methods.map((run) => createSegmentation(run.method, run.options, name));
  // The most clusters asked for: a file with fewer rows is refused for that before its columns are judged.
  const clusters = Math.max(...segmentations.map((s) => s.options.nClusters));
  const prepare = readingOptions(request.prepare, segmentations[0].options.randomSeed, name);
  const data = request.data ?? (await load(request.source, { ...prepare, clusters, ...readThreads(segmentations.map((s) => s.options)) }, controlFor(0)));
  hooks.onData?.(data);
  // Then the data against every method, before any fit: "all" never fails on its third method's check.
  for (const segmentation of segmentations) segmentation.checkData(data);

  const now = request.now ?? new Date();
  const done: MethodExport[] = [];
  try {
    for (const [index, segmentation] of segmentations.entries()) {
      checkpoint();
      hooks.onMethodStart?.(segmentation.method, segmentation.options, data);
      const started = performance.now();
      const result = await segmentation.exportClusterProfile(data, { outputDir: request.outputDir, now }, controlFor(index, segmentation.method));
      const exported = { method: segmentation.method, result, seconds: (performance.now() - started) / 1000 };
      done.push(exported);
      // A cancel that arrived while the files were being written still wins.
      checkpoint();
      hooks.onWritten?.(exported, data);
    }
    return done;
  } catch (error) {
    await removeExports(done);
    throw error;
  }
}

async function removeExports(done: readonly MethodExport[]): Promise<void> {
  const written = done.flatMap(({ result }) => [result.json, result.yaml, result.assignments, result.model]);
  await Promise.all(written.map((path) => fs.rm(path, { force: true })));
}

/** The reading's options checked (before the file is read), with the run's seed, which draws a sample. */
export function readingOptions(prepare: PrepareOptions, seed: number, name: OptionNamer = OPTION_LABELS): PrepareOptions {
  if (prepare.sample !== undefined) checkOption(SAMPLE_OPTION, prepare.sample, name);
  return { ...prepare, seed };
}

/** The run's `threads` (the most any method asks for) for reading a large CSV too; none: the reader's default. */
export function readThreads(options: readonly object[]): { threads?: number } {
  const threads = Math.max(0, ...options.map((o) => ('threads' in o && typeof o.threads === 'number' ? o.threads : 0)));
  return threads > 0 ? { threads } : {};
}

/** Reads and prepares the CSV of a run. */
export function load(source: CsvSource, prepare: PrepareOptions, control: RunControl): Promise<PreparedData> {
  return source.kind === 'file'
    ? loadDataset(source.path, prepare, control)
    : loadDatasetFromText(source.text, source.fileName, prepare, control);
}
