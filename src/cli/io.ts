/** Where the CLI writes: stdout and stderr, or an in-memory pair in tests (test/helpers/cli.ts). */

export interface OutputStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface CliIo {
  stdout: OutputStream;
  stderr: OutputStream;
}
