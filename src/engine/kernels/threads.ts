/**
 * A small synchronous pool of engine threads (node:worker_threads) for passes
 * over chunks of rows. The engine stays synchronous: the calling thread
 * publishes a pass in a shared control block, works on chunks itself, and
 * blocks with Atomics.wait until every chunk is done. Threads claim chunks
 * one at a time (whoever is free takes the next), and each chunk writes only
 * its own output, so which thread ran a chunk never changes a result.
 *
 * A thread that is slow to start simply joins later; one that cannot start
 * at all never claims a chunk, and the calling thread does the work. A pass
 * that fails in a thread is redone on the calling thread, and the pool is
 * closed. Threads are unref'd and told to stop on close(), so they never
 * keep a process alive.
 *
 * The thread entry (src/engine/kernels/engineThread.ts) is found beside this module:
 * `engineThread.js` beside a bundle (dist/cli.js, dist/worker.js), else
 * `engineThread.ts` beside the source, loaded through tsx.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import { join } from 'node:path';
import { debuglog } from 'node:util';
import { Worker } from 'node:worker_threads';

/** Runs pass `pass` over chunk `chunk`: the same function on every thread. */
export type ChunkRunner = (pass: number, chunk: number) => void;

/** What an engine thread is given: its control block and the task's shared buffers. */
export interface EngineThreadData {
  control: SharedArrayBuffer;
  task: EngineTask;
}

/** The tasks an engine thread knows (src/engine/kernels/engineThread.ts builds its ChunkRunner from one). */
export type EngineTask = { kind: 'gmm' | 'silhouette' | 'fcm' | 'csvRange' | 'rowTails'; setup: unknown };

/** What a thread needs to see a typed array in shared memory. */
export interface SharedSlice {
  buffer: SharedArrayBuffer;
  byteOffset: number;
  length: number;
  int32: boolean;
}

type TypedArray = Float64Array | Int32Array;

/** `T` with every typed array in it (fields, tuples, at any depth) as the SharedSlice a thread gets. */
export type Shared<T> = T extends TypedArray ? SharedSlice : T extends object ? { [K in keyof T]: Shared<T[K]> } : T;

/** `a` itself when it lives in shared memory, else a copy that does. */
export function sharedCopy<T extends TypedArray>(a: T): T {
  if (a.buffer instanceof SharedArrayBuffer) return a;
  const copy = new (a.constructor as new (buffer: SharedArrayBuffer) => T)(new SharedArrayBuffer(a.byteLength));
  copy.set(a);
  return copy;
}

/**
 * The buffers of a task as the threads get them (workerData): every typed
 * array replaced by its SharedSlice (the arrays must be shared: see
 * sharedCopy and float64Array), everything else as it is.
 */
export function shareArrays<T>(value: T): Shared<T> {
  return mapArrays(value, (a) => {
    if (!(a.buffer instanceof SharedArrayBuffer)) throw new TypeError('engine threads need SharedArrayBuffer-backed arrays');
    return { buffer: a.buffer, byteOffset: a.byteOffset, length: a.length, int32: a instanceof Int32Array };
  }) as Shared<T>;
}

/** What shareArrays made, back as arrays over the same memory (in an engine thread). */
export function viewArrays<T>(value: Shared<T>): T {
  return mapArrays(value, undefined, (s) =>
    s.int32 ? new Int32Array(s.buffer, s.byteOffset, s.length) : new Float64Array(s.buffer, s.byteOffset, s.length),
  ) as T;
}

function isSlice(value: object): value is SharedSlice {
  return 'buffer' in value && value.buffer instanceof SharedArrayBuffer && !ArrayBuffer.isView(value);
}

function mapArrays(value: unknown, share?: (a: TypedArray) => SharedSlice, view?: (s: SharedSlice) => TypedArray): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (share && (value instanceof Float64Array || value instanceof Int32Array)) return share(value);
  if (view && isSlice(value)) return view(value);
  if (Array.isArray(value)) return value.map((v: unknown) => mapArrays(v, share, view));
  return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, mapArrays(v, share, view)]));
}

/** A zeroed Float64Array in shared memory when `shared`, else an ordinary one. */
export function float64Array(length: number, shared: boolean): Float64Array {
  return shared ? new Float64Array(new SharedArrayBuffer(length * 8)) : new Float64Array(length);
}

// The control block, an Int32Array over a SharedArrayBuffer.
/** Chunks of the current pass not yet claimed (claimed from the top: chunk = value − 1); −1 = stop. */
const REMAINING = 0;
/** Chunks of the current pass finished. */
const DONE = 1;
const PASS_ID = 2;
const N_CHUNKS = 3;
/** Set by a thread whose pass failed. */
const FAILED = 4;
/** Threads that reached their loop, and threads in it now. */
const STARTED = 5;
const RUNNING = 6;
/** Chunks run by the engine threads (not the calling thread), over the pool's life. */
const THREAD_CHUNKS = 7;
const CONTROL_SIZE = 8;

/** Without any chunk finishing for this long, a pass is taken to be stuck. */
const STALL_MS = 120_000;

const debug = debuglog('segment');

/** Knobs for tests and the bench; production code leaves them alone. */
export const threadTuning: {
  /** Overrides the thread entry (a .js or .ts file); a path that does not exist means no threads. */
  entry?: string;
  /** Block in openChunkPool until the threads are in their loops (tests that must see them work). */
  awaitStart?: boolean;
  /** Overrides each method's work threshold below which no threads are started (0: always start them). */
  minWork?: number;
} = {};

let created = 0;
let live = 0;
let chunksByThreads = 0;

/** Engine threads created by this process, still alive, and the chunks they ran (pools already closed). */
export function engineThreadStats(): { created: number; live: number; chunksByThreads: number } {
  return { created, live, chunksByThreads };
}

/** The default number of threads of a fit (the calling thread included): the cores, at most 4. */
export function defaultThreadCount(): number {
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return Math.max(1, Math.min(cores, 4));
}

/**
 * Thrown by run() of a pool opened with `redo: false` when a pass failed in a
 * thread (the pool is closed by then): its chunks may have been half done.
 */
export class EngineThreadFailure extends Error {}

export interface PoolOptions {
  /**
   * Redo a pass that failed in a thread on the calling thread (the default):
   * right when each chunk writes its output afresh. Passes whose chunks add
   * to what earlier passes left set it to false, and get EngineThreadFailure.
   */
  redo?: boolean;
}

export interface ChunkPool {
  /** Threads working on a pass, the calling thread included. */
  readonly threads: number;
  /** Runs `pass` over chunks 0..nChunks−1 on all threads; `local` is the calling thread's runner. */
  run(pass: number, nChunks: number, local: ChunkRunner): void;
  close(): void;
}

/** Σ over the chunks, in chunk order, of `length` numbers at `offset` of each chunk's slot of `slot` numbers, into out. */
export function sumSlots(layout: { nChunks: number; slot: number }, partials: Float64Array, offset: number, length: number, out: Float64Array): void {
  out.fill(0, 0, length);
  for (let ch = 0; ch < layout.nChunks; ch++) {
    const base = ch * layout.slot + offset;
    for (let t = 0; t < length; t++) out[t] += partials[base + t];
  }
}

/** Runs a pass on the pool, or on the calling thread alone without one. */
export function runChunks(pool: ChunkPool | null, pass: number, nChunks: number, local: ChunkRunner): void {
  if (pool) pool.run(pass, nChunks, local);
  else for (let chunk = 0; chunk < nChunks; chunk++) local(pass, chunk);
}

interface ThreadEntry {
  code: string;
  eval: boolean;
}

/** engineThread.js beside the bundle, else engineThread.ts beside the source (through tsx), else why neither works. */
export function engineThreadEntry(): ThreadEntry | { error: string } {
  const explicit = threadTuning.entry;
  const js = explicit ?? join(__dirname, 'engineThread.js');
  if (explicit === undefined || explicit.endsWith('.js')) {
    if (existsSync(js)) return { code: js, eval: false };
    if (explicit !== undefined) return { error: `${explicit} does not exist` };
  }
  const ts = explicit ?? join(__dirname, 'engineThread.ts');
  if (!existsSync(ts)) return { error: `neither ${js} nor ${ts} exists` };
  // Under tsx (tests, the bench): Node 20's worker threads do not get tsx's loader from
  // --import, so a one-line CommonJS bootstrap registers it, then loads the source.
  let tsx: string;
  try {
    tsx = createRequire(__filename).resolve(['tsx', 'cjs'].join('/'));
  } catch {
    return { error: `${ts} needs tsx, which cannot be found` };
  }
  return { code: `require(${JSON.stringify(tsx)});\nrequire(${JSON.stringify(ts)});`, eval: true };
}

/**
 * Starts `workers` engine threads for `task`, or returns null (and logs why)
 * when none can be started; the caller then runs every pass itself.
 */
export function openChunkPool(
  workers: number,
  task: EngineTask,
  log: (message: string) => void = debug,
  options: PoolOptions = {},
): ChunkPool | null {
  if (workers < 1) return null;
  const entry = engineThreadEntry();
  if ('error' in entry) {
    log(`engine threads: not used (${entry.error}); running on one thread`);
    return null;
  }
  const control = new SharedArrayBuffer(CONTROL_SIZE * 4);
  const ctl = new Int32Array(control);
  const threads: Worker[] = [];
  const data: EngineThreadData = { control, task };
  try {
    for (let t = 0; t < workers; t++) {
      const worker = new Worker(entry.code, { eval: entry.eval, workerData: data });
      created++;
      live++;
      worker.unref();
      worker.on('error', (error: Error) => log(`engine thread: ${error.stack ?? error.message}`));
      worker.on('exit', () => {
        live--;
      });
      threads.push(worker);
    }
  } catch (error) {
    log(`engine threads: cannot start (${error instanceof Error ? error.message : String(error)}); running on one thread`);
    stop(ctl, threads);
    return null;
  }
  log(`engine threads: ${workers} started, ${workers + 1} threads in all`);
  if (threadTuning.awaitStart) {
    const deadline = Date.now() + 30_000;
    let started: number;
    while ((started = Atomics.load(ctl, STARTED)) < workers && Date.now() < deadline) Atomics.wait(ctl, STARTED, started, 100);
  }
  return new Pool(ctl, threads, log, options.redo ?? true);
}

function stop(ctl: Int32Array, threads: Worker[]): void {
  Atomics.store(ctl, REMAINING, -1);
  Atomics.notify(ctl, REMAINING);
  // They leave their loop after the chunk in hand (none, between passes); wait a moment for that.
  const deadline = Date.now() + 1000;
  let running: number;
  while ((running = Atomics.load(ctl, RUNNING)) > 0 && Date.now() < deadline) Atomics.wait(ctl, RUNNING, running, 50);
  for (const worker of threads) void worker.terminate();
}

class Pool implements ChunkPool {
  private closed = false;

  constructor(
    private readonly ctl: Int32Array,
    private readonly workers: Worker[],
    private readonly log: (message: string) => void,
    private readonly redo: boolean,
  ) {}

  get threads(): number {
    return this.closed ? 1 : this.workers.length + 1;
  }

  run(pass: number, nChunks: number, local: ChunkRunner): void {
    if (this.closed) {
      runChunks(null, pass, nChunks, local);
      return;
    }
    const ctl = this.ctl;
    // The pass's description first, then the chunks become claimable.
    Atomics.store(ctl, PASS_ID, pass);
    Atomics.store(ctl, N_CHUNKS, nChunks);
    Atomics.store(ctl, DONE, 0);
    Atomics.store(ctl, REMAINING, nChunks);
    Atomics.notify(ctl, REMAINING);
    for (;;) {
      const remaining = Atomics.load(ctl, REMAINING);
      if (remaining <= 0) break;
      if (Atomics.compareExchange(ctl, REMAINING, remaining, remaining - 1) !== remaining) continue;
      local(pass, remaining - 1);
      Atomics.add(ctl, DONE, 1);
    }
    let done: number;
    let lastDone = -1;
    let lastProgress = Date.now();
    while ((done = Atomics.load(ctl, DONE)) < nChunks) {
      if (done !== lastDone) {
        lastDone = done;
        lastProgress = Date.now();
      } else if (Date.now() - lastProgress > STALL_MS) {
        this.close();
        throw new Error(`an engine thread stopped responding (${nChunks - done} of ${nChunks} chunks unfinished)`);
      }
      Atomics.wait(ctl, DONE, done, 1000);
    }
    if (Atomics.load(ctl, FAILED) !== 0) {
      this.log(`engine threads: a pass failed in a thread; ${this.redo ? 'redone' : 'to be redone'} on one thread, the threads stopped`);
      this.close();
      if (!this.redo) throw new EngineThreadFailure('a pass failed in an engine thread');
      runChunks(null, pass, nChunks, local);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    const started = Atomics.load(this.ctl, STARTED);
    if (started < this.workers.length) {
      this.log(`engine threads: ${started} of ${this.workers.length} started before the work was done`);
    }
    chunksByThreads += Atomics.load(this.ctl, THREAD_CHUNKS);
    stop(this.ctl, this.workers);
  }
}

/** An engine thread's loop: claim chunks of the published pass until told to stop. */
export function serveChunks(control: SharedArrayBuffer, runner: ChunkRunner): void {
  const ctl = new Int32Array(control);
  Atomics.add(ctl, RUNNING, 1);
  Atomics.add(ctl, STARTED, 1);
  Atomics.notify(ctl, STARTED);
  try {
    for (;;) {
      const remaining = Atomics.load(ctl, REMAINING);
      if (remaining < 0) return;
      if (remaining === 0) {
        Atomics.wait(ctl, REMAINING, 0);
        continue;
      }
      if (Atomics.compareExchange(ctl, REMAINING, remaining, remaining - 1) !== remaining) continue;
      // A claimed chunk holds the pass open, so what it describes cannot change under us.
      const pass = Atomics.load(ctl, PASS_ID);
      const nChunks = Atomics.load(ctl, N_CHUNKS);
      try {
        runner(pass, remaining - 1);
        Atomics.add(ctl, THREAD_CHUNKS, 1);
      } catch (error) {
        Atomics.store(ctl, FAILED, 1);
        debug(`engine thread: pass ${pass} chunk ${remaining - 1}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      }
      if (Atomics.add(ctl, DONE, 1) + 1 === nChunks) Atomics.notify(ctl, DONE);
    }
  } finally {
    Atomics.sub(ctl, RUNNING, 1);
    Atomics.notify(ctl, RUNNING);
  }
}
