/**
 * A static harness for the cluster panel without VS Code: a node:http server
 * on 127.0.0.1 (random port) that serves the panel's page exactly as the
 * extension host will build it (panelHtml and panelCsp from src/shared/csp.ts,
 * with this server's origin as the cspSource), plus what VS Code itself adds
 * to a webview (acquireVsCodeApi, the theme's body classes and --vscode-*
 * variables, its default styles).
 *
 *   GET /panel?theme=light|dark|high-contrast   the webview page
 *   GET /                                       harness.html: the page inside a stand-in workbench
 *   GET /dist/webview.js, /dist/panel.css       the panel's bundle and styles, built fresh from webview/
 *   GET /harness/…                              the fake VS Code script, default styles, workbench files
 *
 * The bundle is built here with the same esbuild options as the webview
 * entry in scripts/build.mjs, so the harness always shows the current code.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { escapeHtml, makeNonce, panelHtml } from '../../src/shared/csp';
import type { ProfileInput } from '../../src/shared/profile';
import themesJson from './themes.json';

const ROOT = resolve(__dirname, '..', '..');
const HERE = resolve(__dirname);

export const THEMES = themesJson.themes as Record<string, { kind: string; id: string; vars: Record<string, string> }>;
export type ThemeName = keyof typeof themesJson.themes;

export interface Harness {
  /** http://127.0.0.1:PORT */
  origin: string;
  /** The webview page's URL for a theme. */
  panelUrl(theme?: string): string;
  /** Profiles offered on the workbench page (harness.html). */
  fixtures: Record<string, ProfileInput[]>;
  /** Every page served, with the CSP it carried. */
  served: { path: string; csp: string | null }[];
  close(): Promise<void>;
}

async function bundle(entry: string): Promise<string> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
    write: false,
    sourcemap: false,
    logLevel: 'warning',
  });
  return result.outputFiles[0].text;
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
};

/** The page VS Code would show: the host's HTML with VS Code's own additions before the CSP meta. */
function webviewPage(origin: string, theme: string): { html: string; csp: string } {
  const nonce = makeNonce();
  const base = panelHtml({
    cspSource: origin,
    nonce,
    scriptUri: `${origin}/dist/webview.js`,
    styleUris: [`${origin}/dist/panel.css`, `${origin}/dist/kView.css`],
    title: 'Segment: clusters',
  });
  const t = THEMES[theme] ?? THEMES.dark;
  const vars = Object.entries(t.vars)
    .map(([k, v]) => `${k}: ${v};`)
    .join(' ');
  // VS Code prepends its API script and default styles to <head>, and writes the theme into
  // <html style> and <body class>, all before the page's CSP meta takes effect.
  const html = base
    .replace('<html lang="en">', `<html lang="en" style="${escapeHtml(vars)}">`)
    .replace(
      '<head>\n',
      `<head>\n  <script nonce="${nonce}" src="${origin}/harness/fake-vscode.js"></script>\n  <link rel="stylesheet" href="${origin}/harness/vscode-default.css">\n`,
    )
    .replace(
      '<body>',
      `<body class="vscode-body ${escapeHtml(t.kind)}" data-vscode-theme-kind="${escapeHtml(t.kind)}" data-vscode-theme-id="${escapeHtml(t.id)}">`,
    );
  const csp = /http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(html)?.[1] ?? '';
  return { html, csp: csp.replace(/&#39;/g, "'") };
}

export async function startHarness(options: { fixtures?: Record<string, ProfileInput[]> } = {}): Promise<Harness> {
  const [webviewJs, fakeJs, workbenchJs] = await Promise.all([
    bundle(join(ROOT, 'webview', 'main.ts')),
    bundle(join(HERE, 'browser', 'fakeVscode.ts')),
    bundle(join(HERE, 'browser', 'workbench.ts')),
  ]);
  const served: Harness['served'] = [];
  const fixtures = options.fixtures ?? {};
  let origin = '';

  const send = (res: ServerResponse, status: number, type: string, body: string) => {
    res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
    res.end(body);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', origin);
    const path = url.pathname;
    const files: Record<string, () => Promise<string> | string> = {
      '/dist/webview.js': () => webviewJs,
      '/dist/panel.css': () => readFile(join(ROOT, 'webview', 'panel.css'), 'utf8'),
      '/dist/kView.css': () => readFile(join(ROOT, 'webview', 'kView.css'), 'utf8'),
      '/harness/fake-vscode.js': () => fakeJs,
      '/harness/workbench.js': () => workbenchJs,
      '/harness/vscode-default.css': () => readFile(join(HERE, 'vscode-default.css'), 'utf8'),
      '/harness/workbench.css': () => readFile(join(HERE, 'workbench.css'), 'utf8'),
      '/harness/info.json': () => JSON.stringify({ themes: Object.keys(THEMES), fixtures }),
      '/': () => readFile(join(HERE, 'harness.html'), 'utf8'),
    };
    if (path === '/panel') {
      const page = webviewPage(origin, url.searchParams.get('theme') ?? 'dark');
      served.push({ path: req.url ?? path, csp: page.csp });
      return send(res, 200, TYPES['.html'], page.html);
    }
    if (path === '/favicon.ico') return send(res, 204, 'image/x-icon', '');
    const file = files[path];
    if (!file) return send(res, 404, 'text/plain', 'not found');
    const ext = path === '/' ? '.html' : path.slice(path.lastIndexOf('.'));
    return send(res, 200, TYPES[ext] ?? 'application/octet-stream', await file());
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => send(res, 500, 'text/plain', String(e)));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    panelUrl: (theme = 'dark') => `${origin}/panel?theme=${encodeURIComponent(theme)}`,
    fixtures,
    served,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}
