/**
 * A sweep from a CSV to its files: check the options, read and prepare the
 * CSV once, sweep k, write the k-selection JSON and YAML, and with `export`
 * the recommended profile through the one run pipeline (exportMethods) on
 * the same data, with the same timestamp. A failure or a cancel at any point
 * removes what the run had written: all of its files or none.
 */
import { promises as fs } from 'node:fs';
import type { CsvSource } from '../../shared/workerProtocol';
import type { MethodKey } from '../../shared/methods';
import type { PrepareOptions, PreparedData } from '../data/prepare';
import { throwIfAborted } from '../errors';
import { exportMethods, load, readThreads, readingOptions, type MethodExport } from '../pipeline';
import type { Progress, RunControl } from '../progress';
import { kSelectionDocument, writeKSelectionFiles, type KSelectionPaths } from './document';
import { runSweep, sweepOptions, type SweepRequest, type SweepResult } from './sweep';
import type { JsonObject } from '../profile/profile';

export interface SweepFilesRequest<M extends MethodKey = MethodKey> extends SweepRequest<M> {
  source: CsvSource;
  prepare: PrepareOptions;
  outputDir: string;
  /** Also write the recommended profile (all its files), as the method's own command would with that k. */
  export?: boolean;
  /** The run's time: one timestamp for all its files. Now by default. */
  now?: Date;
}

export interface SweepFiles<M extends MethodKey = MethodKey> extends KSelectionPaths {
  sweep: SweepResult<M>;
  document: JsonObject;
  data: PreparedData;
  /** With `export`: the recommended profile's files. */
  exported?: MethodExport;
}

/** A cancel, progress (of the sweep, or of the recommended profile's export) and the log. */
export interface SweepHooks {
  /** A cancel from another thread: a cancelFlagSignal (src/engine/errors.ts), which every checkpoint looks at. */
  signal?: AbortSignal;
  onProgress?: (progress: Progress, stage: 'sweep' | 'export') => void;
  onLog?: (message: string) => void;
}

export async function sweepToFiles<M extends MethodKey>(request: SweepFilesRequest<M>, hooks: SweepHooks = {}): Promise<SweepFiles<M>> {
  const { signal } = hooks;
  const now = request.now ?? new Date();
  const control: RunControl = { signal, onLog: hooks.onLog, onProgress: (p) => hooks.onProgress?.(p, 'sweep') };
  // Options first: a wrong one is reported before the file is read.
  const options = sweepOptions(request);
  const prepare = readingOptions(request.prepare, options.randomSeed, request.optionNames);
  // Clustering needs at least 3 rows: a smaller file is refused before its columns are judged (the k range is checked on the data).
  const data = await load(request.source, { ...prepare, clusters: 2, ...readThreads([options]) }, control);
  const sweep = await runSweep(data, request, control);
  throwIfAborted(signal);
  const document = kSelectionDocument(sweep, data, now);
  control.onProgress?.({ phase: 'write', message: 'writing the k-selection files' });
  const paths = await writeKSelectionFiles(request.outputDir, request.method, document, now);
  try {
    throwIfAborted(signal);
    let exported: MethodExport | undefined;
    if (request.export) {
      const { k, covarianceType } = sweep.recommendation;
      [exported] = await exportMethods(
        {
          source: request.source,
          prepare: request.prepare,
          data,
          methods: [{ method: request.method, options: { ...request.options, nClusters: k, ...(covarianceType ? { covarianceType } : {}) } }],
          outputDir: request.outputDir,
          now,
          optionNames: request.optionNames,
        },
        { signal, onProgress: (p) => hooks.onProgress?.(p, 'export'), onLog: (m) => hooks.onLog?.(m) },
      );
    }
    return { ...paths, sweep, document, data, exported };
  } catch (error) {
    await Promise.all([paths.json, paths.yaml].map((path) => fs.rm(path, { force: true })));
    throw error;
  }
}
