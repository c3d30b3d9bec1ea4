/** Runs one bench case in a fresh process and returns the JSON it prints as `BENCH_RESULT {…}`. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { BENCH_DIR, REPO_DIR } from './data';

/** The environment that keeps numpy's BLAS and OpenMP to one thread. */
export const SINGLE_THREAD_ENV = {
  OMP_NUM_THREADS: '1',
  OPENBLAS_NUM_THREADS: '1',
  MKL_NUM_THREADS: '1',
  BLIS_NUM_THREADS: '1',
};

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  /** Extra node flags (e.g. --cpu-prof). */
  nodeFlags?: string[];
  timeoutMs?: number;
}

export function runProcess(
  command: string,
  args: string[],
  options: RunOptions = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: REPO_DIR,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const timer = options.timeoutMs
      ? setTimeout(() => {
          stderr += `\n[bench] timed out after ${options.timeoutMs} ms`;
          child.kill('SIGKILL');
        }, options.timeoutMs)
      : undefined;
    child.on('error', reject);
    child.on('close', (code) => {
      if (timer) clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function parseResult<T>(what: string, out: { code: number | null; stdout: string; stderr: string }): T {
  const line = out.stdout.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
  if (out.code !== 0 || !line) {
    throw new Error(`${what} failed (exit ${out.code}):\n${out.stderr.trim() || out.stdout.trim()}`);
  }
  return JSON.parse(line.slice('BENCH_RESULT '.length)) as T;
}

/** `node --expose-gc --import tsx bench/case.ts <args>` */
export async function runNodeCase<T>(args: string[], options: RunOptions = {}): Promise<T> {
  const nodeArgs = ['--expose-gc', ...(options.nodeFlags ?? []), '--import', 'tsx', join(BENCH_DIR, 'case.ts'), ...args];
  return parseResult<T>(`node case ${args.join(' ')}`, await runProcess(process.execPath, nodeArgs, options));
}

export async function runPythonCase<T>(python: string, args: string[], options: RunOptions = {}): Promise<T> {
  const out = await runProcess(python, [join(BENCH_DIR, 'sklearn_bench.py'), ...args], options);
  return parseResult<T>(`sklearn case ${args.join(' ')}`, out);
}
