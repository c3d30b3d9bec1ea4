/** Driving the CLI's main() in tests: an in-memory stdout/stderr, and one call that runs a command line. */
import type { CliIo } from '../../src/cli/io';
import { main } from '../../src/cli/main';

export function capture(): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (t: string) => (out += t) },
    stderr: { write: (t: string) => (err += t), isTTY: false },
    out: () => out,
    err: () => err,
  };
}

/** `segment …argv` in this process: its exit code and what it printed. */
export async function runCli(argv: string[], signal?: AbortSignal): Promise<{ code: number; out: string; err: string }> {
  const io = capture();
  const code = await main(argv, io, signal);
  return { code, out: io.out(), err: io.err() };
}
