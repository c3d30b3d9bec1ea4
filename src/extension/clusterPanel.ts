/**
 * The cluster panel on the extension host's side. One ClusterPanel owns one
 * WebviewPanel and everything attached to it (message handler, file
 * watchers, save listener, debounce timer); disposing either disposes both.
 * ClusterPanels (one per extension) keeps the panel the commands reuse,
 * registers the WebviewPanelSerializer that brings panels back after a
 * window reload, and tells the tests what was posted.
 *
 * The host only reads and parses the profile files (profiles.ts) and posts
 * them; the webview (dist/webview.js) builds the view model and renders it.
 * The page itself comes from src/shared/csp.ts (panelHtml, panelCsp,
 * makeNonce): a fresh nonce every time the HTML is set, scripts allowed only
 * with it, and resources only from the extension's dist/ folder.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { makeNonce, panelHtml } from '../shared/csp';
import { PANEL_VIEW_TYPE, isWebviewToHost, readState, type PanelTab, type ProfileInput, type ShowMessage } from '../shared/panelProtocol';
import { profileKey, readProfile, uriFromKey } from './profiles';

/** At most this many profiles in one panel (a restored state asking for more is cut). */
const MAX_FILES = 24;
const REFRESH_DELAY_MS = 120;

export interface PanelContext {
  extensionUri: vscode.Uri;
  log: vscode.LogOutputChannel;
  /** Called after each message the host posted to a webview. */
  onPosted(message: ShowMessage): void;
}

export interface OpenOptions {
  /** The profile to bring to the front (one of the files). */
  focus?: vscode.Uri;
  /** The tab to bring to the front (the compare tab after scoring). */
  tab?: PanelTab;
  /** Default: beside the active editor when there is one, else the active group. */
  viewColumn?: vscode.ViewColumn;
  preserveFocus?: boolean;
}

export class ClusterPanel implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private watchers: vscode.Disposable[] = [];
  private files: vscode.Uri[] = [];
  private focus: string | undefined;
  private tab: PanelTab | undefined;
  /** The webview's script has said 'ready' since its page was last (re)loaded. */
  private ready = false;
  private refreshTimer: NodeJS.Timeout | undefined;
  /** Bumped on every refresh, so a slow read never overwrites a newer one. */
  private generation = 0;
  private disposed = false;
  private readonly disposeEmitter = new vscode.EventEmitter<void>();
  readonly onDidDispose = this.disposeEmitter.event;

  /** A new panel, or (from the serializer) one VS Code restored. */
  constructor(
    private readonly ctx: PanelContext,
    readonly panel: vscode.WebviewPanel,
    files: readonly vscode.Uri[],
  ) {
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((message: unknown) => this.onMessage(message)),
      // Without retainContextWhenHidden the page is discarded while hidden and loaded again (and says 'ready') when shown.
      panel.onDidChangeViewState(() => {
        if (!panel.visible) this.ready = false;
      }),
      vscode.workspace.onDidSaveTextDocument((document) => {
        if (this.shows(document.uri)) this.scheduleRefresh();
      }),
    );
    panel.iconPath = vscode.Uri.joinPath(ctx.extensionUri, 'media', 'icon.png');
    this.setFiles(files);
    this.setHtml();
    // Reads the files once for the tab's title; the page gets them when it says 'ready'.
    this.scheduleRefresh(0);
  }

  static create(ctx: PanelContext, files: readonly vscode.Uri[], options: OpenOptions = {}): ClusterPanel {
    const panel = vscode.window.createWebviewPanel(
      PANEL_VIEW_TYPE,
      'Segment: clusters',
      { viewColumn: options.viewColumn ?? defaultColumn(), preserveFocus: options.preserveFocus ?? false },
      ClusterPanel.webviewOptions(ctx.extensionUri),
    );
    const instance = new ClusterPanel(ctx, panel, files);
    instance.focus = options.focus ? profileKey(options.focus) : undefined;
    instance.tab = options.tab;
    return instance;
  }

  /** Scripts on; local resources only from dist/ (the bundle and its stylesheet); find widget for long tables. */
  static webviewOptions(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist')],
      enableFindWidget: true,
    };
  }

  /** The profile files shown, as the webview names them. */
  get paths(): string[] {
    return this.files.map(profileKey);
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  /** Shows these files (replacing what was shown), brings the panel forward, and posts as soon as the page is ready. */
  show(files: readonly vscode.Uri[], options: OpenOptions = {}): void {
    this.setFiles(files);
    this.focus = options.focus ? profileKey(options.focus) : undefined;
    this.tab = options.tab;
    this.panel.reveal(options.viewColumn ?? this.panel.viewColumn, options.preserveFocus ?? false);
    this.scheduleRefresh(0);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.watchers.forEach((d) => d.dispose());
    this.watchers = [];
    this.disposables.forEach((d) => d.dispose());
    this.disposables.length = 0;
    this.panel.dispose();
    this.disposeEmitter.fire();
    this.disposeEmitter.dispose();
  }

  // -------------------------------------------------------------------------

  private setHtml(): void {
    const webview = this.panel.webview;
    const dist = vscode.Uri.joinPath(this.ctx.extensionUri, 'dist');
    this.ready = false;
    webview.options = ClusterPanel.webviewOptions(this.ctx.extensionUri);
    webview.html = panelHtml({
      cspSource: webview.cspSource,
      nonce: makeNonce(),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.js')).toString(),
      styleUris: [webview.asWebviewUri(vscode.Uri.joinPath(dist, 'panel.css')).toString()],
      title: 'Segment: clusters',
    });
  }

  private setFiles(files: readonly vscode.Uri[]): void {
    const seen = new Set<string>();
    this.files = files.filter((uri) => {
      const key = uri.toString();
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    if (this.files.length > MAX_FILES) {
      this.ctx.log.warn(`cluster panel: showing the first ${MAX_FILES} of ${this.files.length} profiles`);
      this.files = this.files.slice(0, MAX_FILES);
    }
    this.watch();
  }

  private shows(uri: vscode.Uri): boolean {
    const key = uri.toString();
    return this.files.some((f) => f.toString() === key);
  }

  /** One watcher per folder holding a shown file (created, changed, deleted, renamed away); events for other files are ignored. */
  private watch(): void {
    this.watchers.forEach((d) => d.dispose());
    this.watchers = [];
    const folders = new Map<string, vscode.Uri>();
    for (const f of this.files) {
      const folder = vscode.Uri.joinPath(f, '..');
      folders.set(folder.toString(), folder);
    }
    for (const folder of folders.values()) {
      const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, '*'));
      const changed = (uri: vscode.Uri) => {
        if (this.shows(uri)) this.scheduleRefresh();
      };
      this.watchers.push(watcher, watcher.onDidChange(changed), watcher.onDidCreate(changed), watcher.onDidDelete(changed));
    }
  }

  private scheduleRefresh(delay = REFRESH_DELAY_MS): void {
    if (this.disposed) return;
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined;
      void this.refresh();
    }, delay);
  }

  /** Reads every shown file and posts them; while the page is not ready, only the title is updated ('ready' posts). */
  private async refresh(): Promise<void> {
    const generation = ++this.generation;
    const profiles: ProfileInput[] = await Promise.all(this.files.map((f) => readProfile(f)));
    if (this.disposed || generation !== this.generation) return;
    this.panel.title = panelTitle(profiles);
    for (const p of profiles) if (p.error) this.ctx.log.warn(`cluster panel: ${path.basename(p.path)} could not be read: ${p.error}`);
    if (!this.ready) return;
    const message: ShowMessage = { type: 'show', profiles };
    if (this.focus && profiles.some((p) => p.path === this.focus)) message.focus = this.focus;
    if (this.tab) message.tab = this.tab;
    const delivered = await this.panel.webview.postMessage(message);
    if (this.disposed) return;
    if (delivered) {
      this.focus = undefined;
      this.tab = undefined;
      this.ctx.onPosted(message);
    } else {
      this.ready = false;
    }
  }

  private onMessage(message: unknown): void {
    if (!isWebviewToHost(message)) {
      this.ctx.log.warn('cluster panel: ignored a message that is not part of the protocol');
      return;
    }
    switch (message.type) {
      case 'ready':
        this.ready = true;
        this.scheduleRefresh(0);
        break;
      case 'openFile':
        void this.openFile(message.path);
        break;
      case 'copyPrompt':
      case 'describe': {
        // Only a profile the panel shows; the command does the rest (and says what went wrong).
        const uri = this.files.find((f) => profileKey(f) === message.path);
        if (uri) void vscode.commands.executeCommand(message.type === 'describe' ? 'segment.describeSegments' : 'segment.copyLlmPrompt', uri);
        else this.ctx.log.warn(`cluster panel: refused ${message.type} for ${JSON.stringify(message.path)}, which it is not showing`);
        break;
      }
      case 'error':
        this.ctx.log.error(`cluster panel: ${message.message}${message.detail ? `\n${message.detail}` : ''}`);
        break;
    }
  }

  /** Opens a shown profile in a text editor beside the panel; a path the panel is not showing is refused. */
  private async openFile(key: string): Promise<void> {
    const uri = this.files.find((f) => profileKey(f) === key);
    if (!uri) {
      this.ctx.log.warn(`cluster panel: refused to open ${JSON.stringify(key)}, which it is not showing`);
      return;
    }
    const column = this.panel.viewColumn && this.panel.viewColumn > vscode.ViewColumn.One ? vscode.ViewColumn.One : vscode.ViewColumn.Beside;
    try {
      await vscode.window.showTextDocument(uri, { preview: false, viewColumn: column });
    } catch (error) {
      void vscode.window.showErrorMessage(`Segment: could not open ${path.basename(uri.path)}: ${(error as Error).message}`);
    }
  }
}

/** Keeps the panel the commands reuse, the serializer, and what was last posted (for the tests). */
export class ClusterPanels implements vscode.Disposable {
  private current: ClusterPanel | undefined;
  private readonly all = new Set<ClusterPanel>();
  private readonly postEmitter = new vscode.EventEmitter<ShowMessage>();
  /** Every 'show' message delivered to a panel's webview. */
  readonly onDidPost = this.postEmitter.event;
  lastPosted: ShowMessage | undefined;
  private readonly ctx: PanelContext;

  /** Restores panels after a window reload (registered under PANEL_VIEW_TYPE). */
  readonly serializer: vscode.WebviewPanelSerializer<unknown> = {
    deserializeWebviewPanel: async (panel, state) => {
      const paths = readState(state).paths;
      const files = paths.map(uriFromKey).filter((u): u is vscode.Uri => u !== undefined && /\.(json|ya?ml)$/i.test(u.path));
      this.ctx.log.info(`cluster panel restored with ${files.length} profile(s)`);
      this.adopt(new ClusterPanel(this.ctx, panel, files));
    },
  };

  constructor(extensionUri: vscode.Uri, log: vscode.LogOutputChannel) {
    this.ctx = {
      extensionUri,
      log,
      onPosted: (message) => {
        this.lastPosted = message;
        this.postEmitter.fire(message);
      },
    };
  }

  register(): vscode.Disposable {
    return vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, this.serializer);
  }

  /** Shows the files in the panel, reusing the open one (or the one restored) if there is one. */
  open(files: readonly vscode.Uri[], options: OpenOptions = {}): ClusterPanel {
    if (this.current && !this.current.isDisposed) {
      this.current.show(files, options);
      return this.current;
    }
    const panel = ClusterPanel.create(this.ctx, files, options);
    this.adopt(panel);
    return panel;
  }

  get active(): ClusterPanel | undefined {
    return this.current;
  }

  closeAll(): void {
    for (const p of [...this.all]) p.dispose();
  }

  /**
   * On deactivation. The panels are left open: the extension host stops when the window
   * reloads or closes, and a panel disposed then would not be restored by the serializer.
   */
  dispose(): void {
    this.postEmitter.dispose();
  }

  private adopt(panel: ClusterPanel): void {
    this.all.add(panel);
    this.current ??= panel;
    panel.onDidDispose(() => {
      this.all.delete(panel);
      if (this.current === panel) this.current = [...this.all].at(-1);
    });
  }
}

function defaultColumn(): vscode.ViewColumn {
  return vscode.window.activeTextEditor ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active;
}

/** "Clusters: customers.csv" when the profiles share a data file; else the file name or the count. */
export function panelTitle(profiles: readonly ProfileInput[]): string {
  const sources = new Set<string>();
  for (const p of profiles) {
    const meta = (p.profile as { metadata?: { source_file?: unknown } } | undefined)?.metadata;
    if (typeof meta?.source_file === 'string' && meta.source_file.trim()) sources.add(meta.source_file.trim().slice(0, 80));
  }
  if (sources.size === 1) return `Clusters: ${[...sources][0]}`;
  if (profiles.length === 1) return `Clusters: ${path.basename(profiles[0].path)}`;
  return profiles.length === 0 ? 'Segment: clusters' : `Clusters: ${profiles.length} profiles`;
}
