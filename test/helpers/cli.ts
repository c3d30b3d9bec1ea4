/** An in-memory stdout/stderr for driving the CLI's main() in tests. */
import type { CliIo } from '../../src/cli/io';

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
