// One esbuild script, one entry per runtime. Add an entry here for each new
// runtime (the extension host, the worker process, the webview), and list
// files that must sit beside the bundles at run time in `assets`.
import { build } from 'esbuild';
import { chmod, copyFile, mkdir } from 'node:fs/promises';
import { basename, join } from 'node:path';

const production = process.argv.includes('--production');

/** @type {{ in: string, out: string, platform?: 'node' | 'browser', format?: 'cjs' | 'esm' | 'iife', banner?: string, external?: string[] }[]} */
const entries = [
  { in: 'src/cli/main.ts', out: 'dist/cli.js', banner: '#!/usr/bin/env node' },
];

/** Files copied into dist/ as they are (e.g. WebAssembly binaries loaded at run time). */
const assets = [];

await Promise.all(
  entries.map((entry) =>
    build({
      entryPoints: [entry.in],
      outfile: entry.out,
      bundle: true,
      platform: entry.platform ?? 'node',
      target: entry.platform === 'browser' ? 'es2022' : 'node20',
      format: entry.format ?? 'cjs',
      sourcemap: !production,
      minify: production,
      external: entry.external ?? [],
      banner: entry.banner ? { js: entry.banner } : undefined,
      logLevel: 'warning',
    }),
  ),
);
await mkdir('dist', { recursive: true });
await Promise.all(assets.map((file) => copyFile(file, join('dist', basename(file)))));
await chmod('dist/cli.js', 0o755);
