// One esbuild script, one entry per runtime. Add an entry here for each new
// runtime (the extension host, the worker process, the webview), and list
// files that must sit beside the bundles at run time in `assets`.
import { build } from 'esbuild';
import { chmod, copyFile, mkdir } from 'node:fs/promises';
import { basename, join } from 'node:path';

const production = process.argv.includes('--production');

/** @type {{ in: string, out: string, platform?: 'node' | 'browser', format?: 'cjs' | 'esm' | 'iife', banner?: string, external?: string[] }[]} */
const entries = [
  { in: 'src/cli/program.ts', out: 'dist/cli.js', banner: '#!/usr/bin/env node' },
  // The cluster panel's webview script (runs in the browser; bundles @vscode-elements/elements).
  { in: 'webview/main.ts', out: 'dist/webview.js', platform: 'browser', format: 'iife' },
  // The VS Code extension (its host provides 'vscode') and the background process it forks.
  { in: 'src/extension/extension.ts', out: 'dist/extension.js', external: ['vscode'] },
  { in: 'src/worker/main.ts', out: 'dist/worker.js' },
  // The engine threads a large fit starts (src/engine/kernels/threads.ts looks for it beside dist/cli.js and dist/worker.js).
  { in: 'src/engine/kernels/engineThread.ts', out: 'dist/engineThread.js' },
  // The Mocha suite that runs inside the extension host (mocha comes from node_modules at run time).
  { in: 'test/vscode/suite/index.ts', out: 'out/test/suite/index.js', external: ['vscode', 'mocha'] },
];

/** Files copied into dist/ as they are (e.g. WebAssembly binaries loaded at run time). */
const assets = [
  // TensorFlow.js' WebAssembly backend (the Neural method) loads one of these from beside the bundle:
  // SIMD where the runtime has it, else the plain one (its threaded build is never used in Node).
  'node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm',
  'node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm',
  // The cluster panel's stylesheet (dist/panel.css), loaded by the webview beside dist/webview.js.
  'webview/panel.css',
  // The k view's stylesheet (dist/kView.css), beside panel.css.
  'webview/kView.css',
];

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
