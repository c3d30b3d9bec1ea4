/**
 * The message protocol between the extension host (the WebviewPanel) and the
 * cluster panel's webview (dist/webview.js). Both sides import these types.
 * Plain data only: messages cross postMessage as structured clones.
 *
 *   host ──show──────▶ webview   the profiles to show (parsed JSON/YAML, or why a file could not be read);
 *                                send again whenever a profile file changes: the webview re-renders
 *                                and keeps its tab, open clusters and sort order
 *   host ◀─ready────── webview   the script has loaded; send 'show' now (also after a reload)
 *   host ◀─openFile─── webview   the user asked to open a profile file in an editor
 *   host ◀─copyPrompt─ webview   the user asked for the profile's LLM prompt (runs segment.copyLlmPrompt)
 *   host ◀─describe─── webview   the user asked a language model to describe the segments (segment.describeSegments)
 *   host ◀─error────── webview   the webview failed (a bug): log it
 *
 * The webview builds the view model itself (buildPanelModel, bundled in),
 * so the host only reads and parses files. The webview persists PanelState
 * with acquireVsCodeApi().setState; a WebviewPanelSerializer receives it in
 * deserializeWebviewPanel(panel, state) and can re-read `state.paths`.
 */
import type { ProfileInput } from './profile';

export type { ProfileInput } from './profile';

/** The view type the host registers (createWebviewPanel, registerWebviewPanelSerializer). */
export const PANEL_VIEW_TYPE = 'segment.clusterPanel';

export interface ShowMessage {
  type: 'show';
  profiles: ProfileInput[];
  /** Which profile to bring to the front (a path among `profiles`); otherwise the last one shown stays. */
  focus?: string;
  /** Which tab to bring to the front (e.g. 'compare' after scoring); otherwise the last one stays. */
  tab?: PanelTab;
}

export type HostToWebview = ShowMessage;

export interface ReadyMessage {
  type: 'ready';
}

export interface OpenFileMessage {
  type: 'openFile';
  path: string;
}

/** The language-model commands, for a profile the panel shows. */
export interface AskModelMessage {
  type: 'copyPrompt' | 'describe';
  path: string;
}

export interface WebviewErrorMessage {
  type: 'error';
  message: string;
  detail?: string;
}

export type WebviewToHost = ReadyMessage | OpenFileMessage | AskModelMessage | WebviewErrorMessage;

export type PanelTab = 'overview' | 'heatmap' | 'categories' | 'clusters' | 'compare';
export type HeatOrientation = 'clusters' | 'features';

/** What the webview persists with setState (JSON-serialisable, small). */
export interface PanelState {
  version: 1;
  /** The profiles last shown, so a serializer can re-read them after a reload. */
  paths: string[];
  /** The profile in front. */
  current: string | null;
  tab: PanelTab;
  /** Cluster keys whose cards are open, per profile path. */
  openClusters: Record<string, string[]>;
  sort: 'csv' | 'separation';
  grouped: boolean;
  orientation: HeatOrientation;
  scrollY: number;
}

export const DEFAULT_STATE: PanelState = {
  version: 1,
  paths: [],
  current: null,
  tab: 'overview',
  openClusters: {},
  sort: 'csv',
  grouped: true,
  orientation: 'clusters',
  scrollY: 0,
};

const TABS: PanelTab[] = ['overview', 'heatmap', 'categories', 'clusters', 'compare'];

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A state read back from getState(), checked field by field (an old or foreign state falls back to defaults). */
export function readState(raw: unknown): PanelState {
  const s = isRecord(raw) ? raw : {};
  const strings = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  const open: Record<string, string[]> = {};
  if (isRecord(s.openClusters)) for (const [k, v] of Object.entries(s.openClusters)) open[k] = strings(v);
  return {
    version: 1,
    paths: strings(s.paths),
    current: typeof s.current === 'string' ? s.current : null,
    tab: TABS.includes(s.tab as PanelTab) ? (s.tab as PanelTab) : DEFAULT_STATE.tab,
    openClusters: open,
    sort: s.sort === 'separation' ? 'separation' : 'csv',
    grouped: typeof s.grouped === 'boolean' ? s.grouped : DEFAULT_STATE.grouped,
    orientation: s.orientation === 'features' ? 'features' : 'clusters',
    scrollY: typeof s.scrollY === 'number' && Number.isFinite(s.scrollY) && s.scrollY >= 0 ? s.scrollY : 0,
  };
}

/** True for a well-formed host → webview message (anything else posted to the window is ignored). */
export function isHostToWebview(v: unknown): v is HostToWebview {
  if (!isRecord(v)) return false;
  if (v.type === 'show') {
    return (
      Array.isArray(v.profiles) &&
      v.profiles.every((p) => isRecord(p) && typeof p.path === 'string') && (v.focus === undefined || typeof v.focus === 'string') &&
      (v.tab === undefined || TABS.includes(v.tab as PanelTab))
    );
  }
  return false;
}

/** True for a well-formed webview → host message (for the host's onDidReceiveMessage). */
export function isWebviewToHost(v: unknown): v is WebviewToHost {
  if (!isRecord(v)) return false;
  switch (v.type) {
    case 'ready':
      return true;
    case 'openFile':
    case 'copyPrompt':
    case 'describe':
      return typeof v.path === 'string';
    case 'error':
      return typeof v.message === 'string' && (v.detail === undefined || typeof v.detail === 'string');
    default:
      return false;
  }
}
