/**
 * dist/worker.js: the background process the extension forks for each run.
 *
 * The engine's fit loops are synchronous, so a process busy fitting would not
 * read a "cancel" message from its IPC channel until the fit is over. Hence
 * two threads in this one bundle:
 *   - the process's main thread talks to the extension (process.send /
 *     'message'), starts the engine thread, relays its messages, and on
 *     "cancel" raises a flag in shared memory;
 *   - the engine thread runs the engine exactly as the CLI does (src/cli/main.ts)
 *     and looks at that flag on every progress report, aborting its
 *     AbortController, so the engine stops at its next checkpoint.
 * If the engine is somewhere without checkpoints, the extension kills the
 * process after 1 s. An engine thread that runs out of memory ends with an
 * error event here, which becomes an ordinary error message.
 */
import { promises as fs } from 'node:fs';
import { basename } from 'node:path';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import {
  OPTION_SETTINGS,
  cancelFlagSignal,
  checkCancelFlag,
  exportMethods,
  fitName,
  isSuccess,
  raiseCancelFlag,
  isSegmentError,
  isParquetPath,
  loadDatasetFromText,
  prepareFeatures,
  readParquet,
  scoreRows,
  sweepToFiles,
  type ExportResult,
  type MethodKey,
  type PreparedData,
} from '../engine';
import {
  PHASE_SPAN,
  overallFraction,
  type ErrorMessage,
  type FromWorker,
  type InspectRequest,
  type MethodResult,
  type RunRequest,
  type ScoreCsvRequest,
  type ScoreSummary,
  type SweepRunRequest,
  type ToWorker,
} from '../shared/workerProtocol';

interface ThreadData {
  request: RunRequest | InspectRequest | ScoreCsvRequest | SweepRunRequest;
  /** Int32Array over a SharedArrayBuffer: [0] becomes 1 when the extension asks to cancel. */
  cancelFlag: SharedArrayBuffer;
}

/** At most this often a progress message crosses to the extension (a phase change always does). */
const PROGRESS_INTERVAL_MS = 100;
/** How much of the CSV the column picker looks at. */
const INSPECT_BYTES = 256 * 1024;
/** How many rows of a Parquet file it looks at (from the first row group on). */
const INSPECT_PARQUET_ROWS = 5000;

if (isMainThread) {
  processMain();
} else {
  threadMain(workerData as ThreadData);
}

// ---------------------------------------------------------------------------
// The process: IPC with the extension

function processMain(): void {
  if (!process.send) {
    console.error('dist/worker.js is the Segment extension\'s background process; the extension starts it. For the command line use dist/cli.js.');
    process.exitCode = 2;
    return;
  }
  const send = (message: FromWorker) => process.send?.(message);
  let thread: Worker | undefined;
  let finished = false;
  const cancelFlag = new SharedArrayBuffer(4);

  process.on('message', (message: ToWorker) => {
    if (message.type === 'cancel') {
      raiseCancelFlag(cancelFlag);
      thread?.postMessage(message);
      return;
    }
    if (message.type === 'run' && message.debug?.crashProcess) process.exit(7);
    if (thread) {
      send(internalError(new Error(`a worker process runs one request; got a second "${message.type}"`)));
      return;
    }
    const resourceLimits = message.type !== 'inspect' && message.memoryLimitMb ? { maxOldGenerationSizeMb: message.memoryLimitMb } : undefined;
    thread = new Worker(__filename, { workerData: { request: message, cancelFlag } satisfies ThreadData, resourceLimits });
    thread.on('message', (out: FromWorker) => {
      send(out);
      if (out.type === 'done' || out.type === 'error' || out.type === 'inspected' || out.type === 'scored' || out.type === 'swept') {
        finished = true;
        // The answer is out; a thread kept alive by some leftover handle must not keep the process.
        setTimeout(() => void thread?.terminate(), 2000).unref();
      }
    });
    thread.on('error', (error: Error & { code?: string }) => {
      finished = true;
      if (error.code === 'ERR_WORKER_OUT_OF_MEMORY') {
        send({
          type: 'error',
          code: 'OUT_OF_MEMORY',
          message:
            'Segment ran out of memory on this file. Cluster on fewer columns, use a sample of the rows, or raise "segment.worker.memoryLimitMB".',
          detail: error.stack ?? String(error),
        });
      } else {
        send(internalError(error));
      }
    });
    thread.on('exit', (code) => {
      if (!finished) send(internalError(new Error(`the engine thread stopped with exit code ${code} without an answer`)));
      // Nothing left to do: let the process end once the channel has flushed.
      process.disconnect?.();
    });
  });
  process.on('disconnect', () => {
    // The extension went away (window closed, extension host restarted): stop at once.
    if (!finished) process.exit(0);
  });
}

// ---------------------------------------------------------------------------
// The engine thread

function threadMain({ request, cancelFlag }: ThreadData): void {
  const port = parentPort;
  if (!port) return;
  const post = (message: FromWorker) => port.postMessage(message);
  // Every checkpoint of the engine looks at the flag; a message reaches this thread only when it is idle (reading).
  const signal = cancelFlagSignal(cancelFlag);
  port.on('message', (message: ToWorker) => {
    if (message.type === 'cancel') checkCancelFlag(signal);
  });
  const task =
    request.type === 'run'
      ? runRequest(request, signal, post)
      : request.type === 'score'
        ? scoreRequest(request, signal, post)
        : request.type === 'sweep'
          ? sweepRequest(request, signal, post)
          : inspect(request, post);
  task.then(
    () => port.close(),
    (error: unknown) => {
      post(toErrorMessage(error));
      port.close();
    },
  );
}

/** The engine's run pipeline (the same as the CLI's), reporting to the extension. */
async function runRequest(
  request: RunRequest,
  signal: AbortSignal,
  post: (message: FromWorker) => void,
): Promise<void> {
  let lastSent = 0;
  let lastPhase = '';
  if (request.debug?.exhaustMemory) exhaustMemory();
  if (request.debug?.ignoreCancel) spinForever(post);

  const source = request.source.kind === 'file' ? request.source.path : `the unsaved editor text of ${request.source.fileName} (${request.source.text.length.toLocaleString('en-US')} characters)`;
  post({ type: 'log', level: 'info', message: `reading ${source}` });
  const results: MethodResult[] = [];
  await exportMethods(
    {
      source: request.source,
      prepare: request.prepare,
      methods: request.methods.map((method) => ({ method, options: { ...request.common, ...request.params[method] } })),
      outputDir: request.outputDir,
      now: new Date(request.now),
      optionNames: OPTION_SETTINGS,
    },
    {
      signal,
      // The engine's own notes (e.g. how many threads a fit used, or why it ran on one) go to the Segment log.
      onLog: (message, method) => post({ type: 'log', level: 'info', message: method ? `${method}: ${message}` : message }),
      onProgress: (p, { method, index, count }) => {
        const now = Date.now();
        if (p.phase === lastPhase && now - lastSent < PROGRESS_INTERVAL_MS) return;
        lastSent = now;
        lastPhase = p.phase;
        post({ type: 'progress', method, phase: p.phase, message: p.message, overall: overallFraction(p.phase, p.fraction, index, count) });
      },
      onData: (data) => post({ type: 'log', level: 'info', message: describeData(data) }),
      onMethodStart: (method, options, data) =>
        post({ type: 'log', level: 'info', message: `${method}: fitting ${options.nClusters} clusters on ${data.n} rows × ${data.d} features` }),
      onWritten: ({ method, result, seconds }, data) => {
        const summary = summarize(method, result, data);
        results.push(summary);
        post({ type: 'log', level: 'info', message: `${method}: done in ${seconds.toFixed(1)} s; ${metricsLine(summary)}` });
        for (const warning of summary.warnings) post({ type: 'log', level: 'warn', message: `${method}: ${warning}` });
        post({ type: 'written', result: summary });
      },
    },
  );
  post({ type: 'done', results });
}

/** The engine's scoring (the same as `segment score --profile`), reporting to the extension. */
async function scoreRequest(request: ScoreCsvRequest, signal: AbortSignal, post: (message: FromWorker) => void): Promise<void> {
  const source = request.source.kind === 'file' ? request.source.path : `the unsaved editor text of ${request.source.fileName}`;
  post({ type: 'log', level: 'info', message: `scoring ${source} with ${request.model}` });
  let lastSent = 0;
  let lastPhase = '';
  let method: ScoreSummary['method'] | undefined;
  const result = await scoreRows(
    { model: request.model, source: request.source, outputDir: request.outputDir, profile: true, now: new Date(request.now) },
    {
      signal,
      onLog: (message) => post({ type: 'log', level: 'info', message }),
      onModel: (model) => {
        method = model.method;
        post({ type: 'log', level: 'info', message: `the model: ${model.method}, ${model.features.length} features, trained on ${String(model.training.source_file)}` });
      },
      onProgress: (p) => {
        const now = Date.now();
        if (p.phase === lastPhase && now - lastSent < PROGRESS_INTERVAL_MS) return;
        lastSent = now;
        lastPhase = p.phase;
        post({ type: 'progress', method, phase: p.phase, message: p.message, overall: overallFraction(p.phase, p.fraction, 0, 1) });
      },
    },
  );
  for (const warning of result.warnings) post({ type: 'log', level: 'warn', message: warning });
  if (!result.json || !result.yaml) throw new Error('the scored rows have no profile');
  post({
    type: 'scored',
    result: {
      method: result.method,
      model: result.model,
      trainingProfile: result.trainingProfile,
      scores: result.scores,
      json: result.json,
      yaml: result.yaml,
      nRowsRead: result.nRowsRead,
      nScored: result.nScored,
      nRowsDropped: result.nRowsDropped,
      sizes: result.sizes,
      unusual: result.unusual,
      warnings: result.warnings,
    },
  });
}

/** The engine's sweep (the same as `segment sweep`), reporting each fit to the extension. */
async function sweepRequest(request: SweepRunRequest, signal: AbortSignal, post: (message: FromWorker) => void): Promise<void> {
  const { method } = request;
  const source = request.source.kind === 'file' ? request.source.path : `the unsaved editor text of ${request.source.fileName}`;
  const range = `k = ${request.kRange[0]}..${request.kRange[1]}`;
  post({ type: 'log', level: 'info', message: `${method}: sweeping ${range}${request.covarianceTypes ? ` (${request.covarianceTypes.join(', ')} covariance)` : ''} on ${source}` });
  let lastSent = 0;
  let lastMessage = '';
  const files = await sweepToFiles(
    {
      method,
      kRange: request.kRange,
      covarianceTypes: request.covarianceTypes,
      options: { ...request.common, ...request.params[method] },
      optionNames: OPTION_SETTINGS,
      source: request.source,
      prepare: request.prepare,
      outputDir: request.outputDir,
      now: new Date(request.now),
    },
    {
      signal,
      onLog: (message) => post({ type: 'log', level: 'info', message: `${method}: ${message}` }),
      onProgress: (p) => {
        const now = Date.now();
        // A new fit ("k = 3 (2/7), seed 1/3: …") always crosses; its iterations at most every PROGRESS_INTERVAL_MS.
        const fit = p.message.split(':')[0];
        if (fit === lastMessage && now - lastSent < PROGRESS_INTERVAL_MS) return;
        lastSent = now;
        lastMessage = fit;
        const f = Math.min(1, Math.max(0, p.fraction ?? 0));
        const overall = p.phase === 'read' ? PHASE_SPAN.read[1] * f : p.phase === 'write' ? PHASE_SPAN.write[0] : PHASE_SPAN.read[1] + (PHASE_SPAN.write[0] - PHASE_SPAN.read[1]) * f;
        post({ type: 'progress', method, phase: p.phase, message: p.message, overall });
      },
    },
  );
  const { recommendation, fits } = files.sweep;
  const nFailed = fits.filter((fit) => !isSuccess(fit)).length;
  post({ type: 'log', level: 'info', message: `${method}: recommended ${fitName(method, recommendation)}. ${recommendation.reason}` });
  post({
    type: 'swept',
    result: {
      method,
      json: files.json,
      yaml: files.yaml,
      nFits: fits.length,
      nFailed,
      recommendation: {
        k: recommendation.k,
        ...(recommendation.covarianceType ? { covarianceType: recommendation.covarianceType } : {}),
        criterion: recommendation.criterion,
        reason: recommendation.reason,
      },
    },
  });
}

async function inspect(request: InspectRequest, post: (message: FromWorker) => void): Promise<void> {
  const { source } = request;
  // The automatic choice on a sample; 'median' so that no row is dropped from a small sample.
  const { exclude, categorical } = request.prepare;
  const options = { exclude, categorical, missing: 'median' as const };
  let data: PreparedData;
  if (source.kind === 'file' && isParquetPath(source.path)) {
    data = prepareFeatures(await readParquet(source.path, { rowLimit: INSPECT_PARQUET_ROWS }), options);
  } else {
    const head = source.kind === 'file' ? await readHead(source.path) : cutAtLastLine(source.text);
    const fileName = source.kind === 'file' ? basename(source.path) : source.fileName;
    data = await loadDatasetFromText(head.text, fileName, options);
  }
  post({
    type: 'inspected',
    // In CSV order, each with its kind, level count and role (metadata.columns of the sample).
    columns: (data.columns ?? []).map((c) => ({
      name: c.name,
      selected: c.role === 'feature',
      ...(c.reason !== undefined ? { reason: c.reason } : {}),
      kind: c.kind,
      ...(c.levels !== undefined ? { levels: c.levels } : {}),
      role: c.role,
    })),
    sampleRows: data.nRowsRead,
  });
}

async function readHead(path: string): Promise<{ text: string }> {
  const handle = await fs.open(path, 'r');
  try {
    const buffer = Buffer.alloc(INSPECT_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, INSPECT_BYTES, 0);
    let bytes = buffer.subarray(0, bytesRead);
    if (bytesRead === INSPECT_BYTES) {
      // Cut before the last line break so that no row (or UTF-8 sequence) is cut in two.
      const cut = bytes.lastIndexOf(0x0a);
      if (cut > 0) bytes = bytes.subarray(0, cut + 1);
    }
    return { text: bytes.toString('utf8') };
  } finally {
    await handle.close();
  }
}

function cutAtLastLine(text: string): { text: string } {
  if (text.length <= INSPECT_BYTES) return { text };
  const head = text.slice(0, INSPECT_BYTES);
  const cut = head.lastIndexOf('\n');
  return { text: cut > 0 ? head.slice(0, cut + 1) : head };
}

// ---------------------------------------------------------------------------
// Results and errors

function summarize(method: MethodKey, result: ExportResult, data: PreparedData): MethodResult {
  const { metadata, metrics } = result.profile;
  const numbers: Record<string, number | null> = {};
  for (const [key, value] of Object.entries(metrics)) numbers[key] = typeof value === 'number' ? value : null;
  const warnings = Array.isArray(metadata.warnings) ? metadata.warnings.map(String) : [];
  return {
    method,
    json: result.json,
    yaml: result.yaml,
    assignments: result.assignments,
    model: result.model,
    nSamples: data.n,
    nClusters: typeof metadata.n_clusters === 'number' ? metadata.n_clusters : 0,
    nFeatures: data.d,
    metrics: numbers,
    warnings,
  };
}

function metricsLine(result: MethodResult): string {
  return Object.entries(result.metrics)
    .filter(([, value]) => value !== null)
    .map(([key, value]) => `${key} ${Number(value).toPrecision(4)}`)
    .join(', ');
}

function describeData(data: PreparedData): string {
  const dropped = data.nRowsDropped > 0 ? `, ${data.nRowsDropped} dropped for missing values` : '';
  const imputed = data.nValuesImputed > 0 ? `, ${data.nValuesImputed} values filled with the median` : '';
  const excluded = data.excluded.length > 0 ? `; not used: ${data.excluded.map((e) => `${e.column} (${e.reason})`).join(', ')}` : '';
  return `read ${data.nRowsRead} rows${dropped}${imputed}; features: ${data.features.join(', ')}${excluded}`;
}

function toErrorMessage(error: unknown): ErrorMessage {
  if (isSegmentError(error)) return { type: 'error', code: error.code, message: error.message };
  return internalError(error);
}

function internalError(error: unknown): ErrorMessage {
  const message = error instanceof Error ? error.message : String(error);
  return {
    type: 'error',
    code: 'INTERNAL',
    message: `Segment failed unexpectedly: ${message}. Please report it with the details from the "Segment" output.`,
    detail: error instanceof Error ? error.stack : undefined,
  };
}

// ---------------------------------------------------------------------------
// Misbehaviour on request (the extension's tests only)

function exhaustMemory(): never {
  const hoard: number[][] = [];
  for (;;) hoard.push(Array.from({ length: 1 << 16 }, (_, i) => i + hoard.length));
}

function spinForever(post: (message: FromWorker) => void): never {
  post({ type: 'progress', phase: 'fit', message: 'spinning without checkpoints (test)', overall: 0.5 });
  for (;;) {
    // Busy, never looking at the cancel flag: only the extension's kill ends this.
  }
}
