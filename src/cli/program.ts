/**
 * dist/cli.js, the `segment` program. The engine's loops are synchronous, so
 * a process that fitted on its main thread could not see Ctrl-C until the
 * fit was over. As the extension's worker does, the run goes on an engine
 * thread, and this thread stays free for signals:
 *   - Ctrl-C raises a flag in shared memory that every checkpoint of the
 *     engine looks at; the run stops, takes back what it wrote, and the
 *     process exits 130 with "nothing written".
 *   - If the run has not stopped 1 s later (or on a second Ctrl-C), the
 *     thread is terminated and this thread removes the run's files itself.
 */
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { cancelFlagSignal, raiseCancelFlag } from '../engine/errors';
import { removeRunFiles } from '../engine/profile/export';
import { main, type RunAnnouncement } from './main';

interface ThreadData {
  argv: string[];
  cancelFlag: SharedArrayBuffer;
  stdout: { isTTY: boolean; columns?: number };
  stderr: { isTTY: boolean; columns?: number };
}

type FromThread =
  | ({ type: 'run'; now: number } & Omit<RunAnnouncement, 'now'>)
  | { type: 'exit'; code: number };

/** How long a cancelled run may take to stop by itself (then ending the thread and cleaning up must fit in the second promised). */
const STOP_GRACE_MS = 600;
const CANCELLED = 'segment: Cancelled: no files were written.\n';

if (isMainThread) processMain();
else threadMain(workerData as ThreadData);

function processMain(): void {
  const cancelFlag = new SharedArrayBuffer(4);
  const stream = (s: NodeJS.WriteStream) => ({ isTTY: s.isTTY === true, columns: s.columns });
  const data: ThreadData = { argv: process.argv.slice(2), cancelFlag, stdout: stream(process.stdout), stderr: stream(process.stderr) };
  const thread = new Worker(__filename, { workerData: data });
  let run: RunAnnouncement | undefined;
  let code: number | undefined;
  let stopped = false;
  thread.on('message', (message: FromThread) => {
    if (message.type === 'run') run = { ...message, now: new Date(message.now) };
    else code = message.code;
  });
  thread.on('error', (error) => {
    process.stderr.write(`segment: unexpected error: ${error.message}. Please report it (set SEGMENT_DEBUG=1 for details).\n`);
    if (process.env.SEGMENT_DEBUG) process.stderr.write(`${error.stack}\n`);
    code = 1;
  });
  thread.on('exit', () => {
    if (!stopped) process.exitCode = code ?? 1;
  });

  const stop = async () => {
    if (stopped || code !== undefined) return;
    stopped = true;
    await thread.terminate();
    if (run) await removeRunFiles({ ...run, pid: process.pid });
    process.stderr.write(CANCELLED);
    process.exitCode = 130;
  };
  process.on('SIGINT', () => {
    if (Atomics.load(new Int32Array(cancelFlag), 0) === 1) {
      void stop();
      return;
    }
    raiseCancelFlag(cancelFlag);
    setTimeout(() => void stop(), STOP_GRACE_MS).unref();
  });
}

function threadMain({ argv, cancelFlag, stdout, stderr }: ThreadData): void {
  const port = parentPort;
  if (!port) return;
  const post = (message: FromThread) => port.postMessage(message);
  const io = {
    stdout: { write: (text: string) => process.stdout.write(text), ...stdout },
    stderr: { write: (text: string) => process.stderr.write(text), ...stderr },
  };
  void main(argv, io, cancelFlagSignal(cancelFlag), (run) => post({ type: 'run', ...run, now: run.now.getTime() })).then((code) =>
    post({ type: 'exit', code }),
  );
}
