/**
 * The extension's side of the worker process: fork dist/worker.js, send one
 * request, relay what comes back, and settle exactly once, whatever the
 * process does (answers, crashes, runs out of memory, ignores a cancel).
 */
import { fork, type ChildProcess } from 'node:child_process';
import type { DoneMessage, ErrorMessage, FromWorker, InspectedMessage, LogLevel, ScoredMessage, SweptMessage, ToWorker } from '../shared/workerProtocol';

/** A cancelled worker that has not stopped by then is killed. */
export const CANCEL_GRACE_MS = 1000;
const STDERR_KEPT = 8 * 1024;

export type WorkerOutcome =
  | { kind: 'answer'; message: DoneMessage | InspectedMessage | ScoredMessage | SweptMessage }
  | { kind: 'error'; message: ErrorMessage }
  /** The worker stopped after a cancel; killed: it had to be killed. */
  | { kind: 'cancelled'; killed: boolean };

export interface WorkerEvents {
  onMessage?(message: FromWorker): void;
  onLog?(level: LogLevel, message: string): void;
}

export interface WorkerHandle {
  readonly pid: number | undefined;
  readonly outcome: Promise<WorkerOutcome>;
  /** Ask the worker to stop; kill it if it has not within CANCEL_GRACE_MS. */
  cancel(): void;
  readonly cancelRequested: boolean;
}

export function startWorker(workerPath: string, request: ToWorker, events: WorkerEvents = {}): WorkerHandle {
  let child: ChildProcess;
  let settled = false;
  let cancelRequested = false;
  let killed = false;
  let killTimer: NodeJS.Timeout | undefined;
  let stderr = '';
  let settle: (outcome: WorkerOutcome) => void = () => undefined;
  const outcome = new Promise<WorkerOutcome>((resolve) => {
    settle = (value) => {
      if (settled) return;
      settled = true;
      if (killTimer) clearTimeout(killTimer);
      resolve(value);
    };
  });

  try {
    child = fork(workerPath, [], {
      // Not the extension host's flags (an inspector port, say): a plain Node process.
      execArgv: [],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      // In desktop VS Code process.execPath is the Electron binary: run it as Node.
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    });
  } catch (error) {
    settle({ kind: 'error', message: spawnError(error) });
    return { pid: undefined, outcome, cancel: () => undefined, cancelRequested: false };
  }

  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => events.onLog?.('debug', `worker stdout: ${chunk.trimEnd()}`));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_KEPT);
    events.onLog?.('warn', `worker stderr: ${chunk.trimEnd()}`);
  });
  child.on('message', (message: FromWorker) => {
    if (settled) return;
    events.onMessage?.(message);
    if (message.type === 'log') events.onLog?.(message.level, message.message);
    if (message.type === 'done' || message.type === 'inspected' || message.type === 'scored' || message.type === 'swept') settle({ kind: 'answer', message });
    if (message.type === 'error') {
      settle(message.code === 'CANCELLED' ? { kind: 'cancelled', killed: false } : { kind: 'error', message });
    }
  });
  child.on('error', (error) => settle({ kind: 'error', message: spawnError(error) }));
  // 'close', not 'exit': by then every IPC message the worker sent has been delivered.
  child.on('close', (code, signal) => {
    if (cancelRequested) {
      settle({ kind: 'cancelled', killed });
      return;
    }
    settle({ kind: 'error', message: crashError(code, signal, stderr) });
  });
  child.send(request);

  return {
    get pid() {
      return child.pid;
    },
    outcome,
    get cancelRequested() {
      return cancelRequested;
    },
    cancel() {
      if (settled || cancelRequested) return;
      cancelRequested = true;
      if (child.connected) child.send({ type: 'cancel' } satisfies ToWorker);
      killTimer = setTimeout(() => {
        if (settled) return;
        killed = true;
        events.onLog?.('warn', `the worker (pid ${child.pid}) did not stop within ${CANCEL_GRACE_MS} ms of the cancel: killed it`);
        child.kill('SIGKILL');
      }, CANCEL_GRACE_MS);
    },
  };
}

function spawnError(error: unknown): ErrorMessage {
  return {
    type: 'error',
    code: 'WORKER_START_FAILED',
    message: `Segment could not start its background process: ${(error as Error)?.message ?? String(error)}.`,
    detail: (error as Error)?.stack,
  };
}

function crashError(code: number | null, signal: NodeJS.Signals | null, stderr: string): ErrorMessage {
  const how = signal ? `was stopped by ${signal}` : `exited with code ${code}`;
  if (/heap out of memory|Reached heap limit|ERR_WORKER_OUT_OF_MEMORY|Allocation failed/i.test(stderr) || signal === 'SIGKILL') {
    return {
      type: 'error',
      code: 'OUT_OF_MEMORY',
      message: `Segment's background process ${how}, most likely out of memory. Cluster on fewer columns or a sample of the rows, or raise "segment.worker.memoryLimitMB".`,
      detail: stderr,
    };
  }
  return {
    type: 'error',
    code: 'WORKER_CRASHED',
    message: `Segment's background process ${how} before it finished; nothing was written. The "Segment" output has the details.`,
    detail: stderr,
  };
}
