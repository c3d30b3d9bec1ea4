/**
 * The cluster panel's webview: receives profiles from the extension host
 * (src/shared/panelProtocol.ts), builds the view model (src/shared/profile/)
 * and renders it. Bundled by scripts/build.mjs into dist/webview.js (IIFE,
 * with the @vscode-elements/elements components it uses); its styles are
 * dist/panel.css.
 */
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-collapsible/index.js';
import '@vscode-elements/elements/dist/vscode-tabs/index.js';
import '@vscode-elements/elements/dist/vscode-tab-header/index.js';
import '@vscode-elements/elements/dist/vscode-tab-panel/index.js';
import { buildPanelModel, type PanelModel } from '../src/shared/profile';
import { isHostToWebview, readState, type PanelState, type WebviewToHost } from '../src/shared/panelProtocol';
import { render, type RenderContext } from './render';
import { h } from './dom';

interface VsCodeApi {
  postMessage(message: WebviewToHost): void;
  getState(): unknown;
  setState(state: PanelState): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

const vscode: VsCodeApi = acquireVsCodeApi();
const root = document.getElementById('app') ?? document.body.appendChild(h('main', { class: 'app' }));

let state: PanelState = readState(vscode.getState());
let model: PanelModel | null = null;
let restoreScroll = true;

function persist(): void {
  vscode.setState(state);
}

const ctx: RenderContext = {
  get model() {
    return model!;
  },
  get state() {
    return state;
  },
  update(patch) {
    state = { ...state, ...patch };
    persist();
  },
  rerender() {
    draw();
  },
  openFile(path) {
    vscode.postMessage({ type: 'openFile', path });
  },
  askModel(type, path) {
    vscode.postMessage({ type, path });
  },
};

function draw(): void {
  if (!model) return;
  const y = window.scrollY;
  render(root, ctx);
  // After a reload, come back to where the user was; after a re-post, stay put.
  const target = restoreScroll ? state.scrollY : y;
  restoreScroll = false;
  requestAnimationFrame(() => window.scrollTo(0, target));
}

function reportError(e: unknown): void {
  const message = e instanceof Error ? e.message : String(e);
  try {
    vscode.postMessage({ type: 'error', message, detail: e instanceof Error ? e.stack : undefined });
  } catch {
    // The host is gone; nothing else to tell.
  }
  root.replaceChildren(h('section', { class: 'callout error', attrs: { role: 'alert' } }, h('h2', { class: 'callout-title' }, 'The panel failed'), h('p', null, message)));
}

window.addEventListener('message', (event: MessageEvent) => {
  const msg: unknown = event.data;
  if (!isHostToWebview(msg)) return;
  try {
    const t0 = performance.now();
    model = buildPanelModel(msg.profiles);
    const paths = msg.profiles.map((p) => p.path);
    const current = msg.focus && paths.includes(msg.focus) ? msg.focus : state.current && paths.includes(state.current) ? state.current : (paths[0] ?? null);
    state = { ...state, paths, current, ...(msg.tab ? { tab: msg.tab } : {}) };
    persist();
    draw();
    document.body.dataset.renderMs = (performance.now() - t0).toFixed(1);
  } catch (e) {
    reportError(e);
  }
});

let scrollTimer: number | undefined;
window.addEventListener('scroll', () => {
  window.clearTimeout(scrollTimer);
  scrollTimer = window.setTimeout(() => {
    if (!model) return;
    state = { ...state, scrollY: Math.round(window.scrollY) };
    persist();
  }, 150);
});

// Anything else that goes wrong on the page is logged by the host; the panel stays as it is.
window.addEventListener('error', (e) => {
  if (/ResizeObserver loop/.test(String(e.message))) return;
  try {
    vscode.postMessage({ type: 'error', message: String(e.message), detail: e.error instanceof Error ? e.error.stack : undefined });
  } catch {
    // The host is gone.
  }
});

vscode.postMessage({ type: 'ready' });
