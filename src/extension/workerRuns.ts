/**
 * What the export runner (runner.ts), the scorer (scoreCommand.ts) and the
 * sweeper (sweepCommand.ts) share:
 * the runs in progress, each cancellable as its notification's Cancel button
 * does; their progress as events (the tests wait on them); one worker run in
 * a cancellable progress notification; and an error shown with Show Log.
 */
import * as vscode from 'vscode';
import type { FromWorker, ProgressMessage, ToWorker } from '../shared/workerProtocol';
import { startWorker, type WorkerHandle, type WorkerOutcome } from './workerClient';

/** Error codes of the engine (bad input and the like), after which it has left no file behind. */
export const ENGINE_ERROR = /^(?!INTERNAL$|WORKER_CRASHED$|WORKER_START_FAILED$|OUT_OF_MEMORY$)[A-Z_]+$/;

type AnswerResult<K extends FromWorker['type']> = Extract<FromWorker, { type: K }> extends { result: infer R } ? R : never;

export interface AnswerOutcome<R> {
  status: 'done' | 'cancelled' | 'failed';
  result?: R;
  error?: { code: string; message: string };
  killed?: boolean;
}

export interface WorkerRunsContext {
  workerPath: string;
  log: vscode.LogOutputChannel;
}

export interface ProgressOptions {
  /** Put before a progress message in the notification (e.g. the method of an Export All). */
  prefix?: (progress: ProgressMessage) => string;
  /** Every message from the worker, as it comes. */
  onMessage?: (message: FromWorker) => void;
}

export abstract class WorkerRuns implements vscode.Disposable {
  private readonly running = new Set<vscode.CancellationTokenSource>();
  private readonly progressEmitter = new vscode.EventEmitter<ProgressMessage>();
  /** Every progress message of every run (the tests wait on it). */
  readonly onDidProgress = this.progressEmitter.event;

  constructor(private readonly context: WorkerRunsContext) {}

  dispose(): void {
    this.cancelAll();
    this.progressEmitter.dispose();
  }

  /** Cancels every run in progress, as the notification's Cancel button does. */
  cancelAll(): number {
    const count = this.running.size;
    for (const source of this.running) source.cancel();
    return count;
  }

  get runningCount(): number {
    return this.running.size;
  }

  /**
   * The worker on `request`, in a notification titled `title` showing its
   * percentage and phase, with Cancel (which cancelAll presses too); `settle`
   * turns the worker's outcome into the caller's.
   */
  protected async inProgress<T>(
    title: string,
    request: ToWorker,
    options: ProgressOptions,
    settle: (outcome: WorkerOutcome, worker: WorkerHandle) => Promise<T>,
  ): Promise<T> {
    const { log, workerPath } = this.context;
    const source = new vscode.CancellationTokenSource();
    this.running.add(source);
    try {
      return await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
        let shown = 0;
        const worker = startWorker(workerPath, request, {
          onLog: (level, message) => log[level](message),
          onMessage: (message) => {
            options.onMessage?.(message);
            if (message.type !== 'progress') return;
            this.progressEmitter.fire(message);
            const percent = Math.min(100, Math.floor(message.overall * 100));
            progress.report({ increment: Math.max(0, percent - shown), message: `${percent}% · ${options.prefix?.(message) ?? ''}${message.message}` });
            shown = Math.max(shown, percent);
          },
        });
        const onCancel = () => {
          if (worker.cancelRequested) return;
          log.info('cancel requested');
          progress.report({ message: 'cancelling…' });
          worker.cancel();
        };
        const subscriptions = [token.onCancellationRequested(onCancel), source.token.onCancellationRequested(onCancel)];
        try {
          return await settle(await worker.outcome, worker);
        } finally {
          subscriptions.forEach((s) => s.dispose());
        }
      });
    } finally {
      this.running.delete(source);
      source.dispose();
    }
  }

  /**
   * inProgress for a run that ends in one answer of type `answer`: its result,
   * or why not. What a cancelled run (or one that died) may have left is taken
   * back by `remove`; the engine itself leaves nothing on bad input.
   */
  protected runForAnswer<K extends 'scored' | 'swept'>(
    title: string,
    request: ToWorker,
    answer: K,
    remove: (done: AnswerResult<K> | undefined, pid: number | undefined) => Promise<void>,
  ): Promise<AnswerOutcome<AnswerResult<K>>> {
    const { log } = this.context;
    const resultOf = (message: FromWorker): AnswerResult<K> | undefined =>
      message.type === answer ? (message as unknown as { result: AnswerResult<K> }).result : undefined;
    return this.inProgress(title, request, {}, async (result, worker): Promise<AnswerOutcome<AnswerResult<K>>> => {
      if (result.kind === 'cancelled' || worker.cancelRequested) {
        // Done just as the cancel came in, or killed part-way: take back what this run may have left.
        await remove(result.kind === 'answer' ? resultOf(result.message) : undefined, worker.pid);
        return { status: 'cancelled', killed: result.kind === 'cancelled' && result.killed };
      }
      if (result.kind === 'error') {
        if (result.message.detail) log.error(`${result.message.code}: ${result.message.detail}`);
        // A process that died could not clean up.
        if (!ENGINE_ERROR.test(result.message.code)) await remove(undefined, worker.pid);
        return { status: 'failed', error: { code: result.message.code, message: result.message.message } };
      }
      const done = resultOf(result.message);
      if (done === undefined) return { status: 'failed', error: { code: 'INTERNAL', message: 'Segment failed: the worker answered something else.' } };
      return { status: 'done', result: done };
    });
  }

  /** The error in the log and as an error notification (with Show Log). */
  protected fail(error: { code: string; message: string }): { status: 'failed'; error: { code: string; message: string } } {
    const { log } = this.context;
    log.error(`${error.code}: ${error.message}`);
    void vscode.window.showErrorMessage(`Segment: ${error.message}`, 'Show Log').then((choice) => {
      if (choice === 'Show Log') log.show(true);
    });
    return { status: 'failed', error };
  }
}
