/**
 * What VS Code puts into a webview before the extension's own script runs,
 * for the static harness (test/panel/harness.ts): acquireVsCodeApi (state
 * kept in sessionStorage, so it survives a reload as VS Code's does), the
 * theme (body classes and --vscode-* variables on <html>, set the way VS
 * Code's webview host sets them), and hooks for tests on window.__harness.
 * Runs in the browser; bundled by esbuild when the harness starts.
 */
import themesJson from '../themes.json';

interface Theme {
  kind: string;
  id: string;
  vars: Record<string, string>;
}

const themes = (themesJson as { themes: Record<string, Theme> }).themes;
const STATE_KEY = 'segment-panel-harness-state';

interface HarnessHooks {
  /** Messages the webview posted to the host, in order. */
  messages: unknown[];
  /** securitypolicyviolation events seen. */
  cspViolations: { directive: string; blocked: string; sample: string }[];
  /** Errors thrown on the page. */
  errors: string[];
  stateWrites: number;
  show(profiles: unknown[], focus?: string): void;
  setTheme(name: string): void;
  themeNames: string[];
}

declare global {
  interface Window {
    __harness: HarnessHooks;
    acquireVsCodeApi: () => { postMessage(m: unknown): void; getState(): unknown; setState(s: unknown): unknown };
  }
}

const hooks: HarnessHooks = {
  messages: [],
  cspViolations: [],
  errors: [],
  stateWrites: 0,
  show(profiles, focus) {
    // As VS Code delivers host messages: a message event on the webview's own window.
    window.postMessage({ type: 'show', profiles, ...(focus ? { focus } : {}) }, window.location.origin);
  },
  setTheme(name) {
    applyTheme(name);
  },
  themeNames: Object.keys(themes),
};
window.__harness = hooks;

document.addEventListener('securitypolicyviolation', (e) => {
  hooks.cspViolations.push({ directive: e.violatedDirective, blocked: e.blockedURI, sample: e.sample });
});
window.addEventListener('error', (e) => hooks.errors.push(String(e.message)));

let acquired = false;
window.acquireVsCodeApi = () => {
  if (acquired) throw new Error('An instance of the VS Code API has already been acquired');
  acquired = true;
  return Object.freeze({
    postMessage(message: unknown) {
      hooks.messages.push(JSON.parse(JSON.stringify(message)));
      // In the workbench page (harness.html) the parent plays the host.
      if (window.parent !== window) window.parent.postMessage({ fromWebview: message }, window.location.origin);
    },
    getState() {
      const s = sessionStorage.getItem(STATE_KEY);
      return s ? JSON.parse(s) : undefined;
    },
    setState(state: unknown) {
      hooks.stateWrites++;
      sessionStorage.setItem(STATE_KEY, JSON.stringify(state));
      return state;
    },
  });
};

/** VS Code's applyStyles: theme classes and data attributes on <body>, variables on <html> (CSSOM). */
function applyTheme(name: string): void {
  const theme = themes[name] ?? themes.dark;
  const body = document.body;
  body.classList.remove('vscode-light', 'vscode-dark', 'vscode-high-contrast', 'vscode-high-contrast-light');
  body.classList.add('vscode-body', theme.kind);
  body.dataset.vscodeThemeKind = theme.kind;
  body.dataset.vscodeThemeId = theme.id;
  const style = document.documentElement.style;
  for (let i = style.length - 1; i >= 0; i--) if (style[i].startsWith('--vscode-')) style.removeProperty(style[i]);
  for (const [k, v] of Object.entries(theme.vars)) style.setProperty(k, v);
}

// The harness server writes the initial theme into the page as VS Code does; apply it here only if it did not.
document.addEventListener(
  'DOMContentLoaded',
  () => {
    if (!document.body.dataset.vscodeThemeKind) applyTheme(new URLSearchParams(window.location.search).get('theme') ?? 'dark');
  },
  { once: true },
);
