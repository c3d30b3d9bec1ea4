/**
 * dist/extension.js: the Segment extension. It registers the commands, keeps
 * the `segment.csvAvailable` context key, leaves every computation to the
 * worker process (dist/worker.js) — nothing heavy runs in the extension host —
 * and shows profiles in the cluster panel (clusterPanel.ts, a webview).
 * activate() returns a small API that the extension's own tests use.
 */
import * as vscode from 'vscode';
import type { ShowMessage } from '../shared/panelProtocol';
import type { MethodKey, ProgressMessage } from '../shared/workerProtocol';
import { ClusterPanels } from './clusterPanel';
import { ChoiceMemory } from './confirm';
import { trackCsvAvailability } from './csvContext';
import { AVAILABLE_METHODS, COMMANDS, EXPORT_COMMANDS } from './methods';
import { registerLlmCommands, type LlmCommands } from './lmCommands';
import { registerPanelCommands } from './panelCommands';
import { Runner, type RunOptions, type RunOutcome } from './runner';
import { SCORE_COMMAND, Scorer, modelFilesIn, modelFolders, type ModelFile, type ScoreOptions, type ScoreOutcome } from './scoreCommand';
import { SCALEOUT_COMMAND, exportScaleoutJob, type ScaleoutOptions } from './scaleoutCommand';
import { readSettings } from './settings';

export interface ClusterPanelApi {
  /** Shows these profile files in the cluster panel (reusing it), as "Open in Cluster Panel" does. */
  open(files: readonly vscode.Uri[], focus?: vscode.Uri): void;
  readonly isOpen: boolean;
  /** The files the panel shows, as paths (file URIs) or URI strings. */
  readonly paths: readonly string[];
  /** The last 'show' message a panel's webview received, and every one as it is delivered. */
  readonly lastPosted: ShowMessage | undefined;
  readonly onDidPost: vscode.Event<ShowMessage>;
  /** The serializer registered for the panel's view type (what a window reload calls). */
  readonly serializer: vscode.WebviewPanelSerializer<unknown>;
  /** Closes the panel(s). */
  close(): void;
}

export interface SegmentApi {
  readonly methods: readonly MethodKey[];
  /** What the commands do, with options the commands do not take. */
  exportProfiles(methods: readonly MethodKey[], target?: vscode.Uri, options?: RunOptions): Promise<RunOutcome>;
  /** Cancels every run and scoring in progress, as the notification's Cancel button does; returns how many. */
  cancelRunning(): number;
  readonly runningCount: number;
  readonly onDidProgress: vscode.Event<ProgressMessage>;
  /** Score CSV with Model… (scoreCommand.ts); options.model instead of the pick. */
  scoreCsv(target?: vscode.Uri, options?: ScoreOptions): Promise<ScoreOutcome>;
  /** The model files the command offers for a CSV, newest first. */
  modelsFor(csv: vscode.Uri): Promise<ModelFile[]>;
  readonly onDidScoreProgress: vscode.Event<ProgressMessage>;
  readonly clusterPanel: ClusterPanelApi;
  /** Copy LLM Prompt and Describe Segments with AI, with hooks for the tests (lmCommands.ts). */
  readonly llm: LlmCommands;
}

export function activate(context: vscode.ExtensionContext): SegmentApi {
  const log = vscode.window.createOutputChannel('Segment', { log: true });
  const panels = new ClusterPanels(context.extensionUri, log);
  // First, so that a panel VS Code is restoring finds its serializer (activation event onWebviewPanel:segment.clusterPanel).
  context.subscriptions.push(log, panels, panels.register());
  const runner = new Runner({
    workerPath: vscode.Uri.joinPath(context.extensionUri, 'dist', 'worker.js').fsPath,
    log,
    memory: new ChoiceMemory(context.workspaceState),
    openPanel: (files) => panels.open(files),
  });
  const scorer = new Scorer({
    workerPath: vscode.Uri.joinPath(context.extensionUri, 'dist', 'worker.js').fsPath,
    log,
    openPanel: (files) => panels.open(files),
  });
  context.subscriptions.push(runner, scorer, trackCsvAvailability(), ...registerPanelCommands(panels));
  const llm = registerLlmCommands(context, log);
  context.subscriptions.push(...llm.disposables);

  // Explorer and editor-tab menus pass the clicked resource; the palette passes nothing.
  for (const { command, method } of EXPORT_COMMANDS) {
    context.subscriptions.push(vscode.commands.registerCommand(command, (uri?: unknown) => runner.export([method], uri)));
  }
  context.subscriptions.push(
    vscode.commands.registerCommand(COMMANDS.exportAll, (uri?: unknown) => runner.export(AVAILABLE_METHODS, uri)),
    vscode.commands.registerCommand(COMMANDS.showLog, () => log.show()),
    vscode.commands.registerCommand(SCORE_COMMAND, (uri?: unknown) => scorer.score(uri)),
    vscode.commands.registerCommand(SCALEOUT_COMMAND, (uri?: unknown, options?: ScaleoutOptions) => exportScaleoutJob(uri, options, log)),
  );
  log.info(`Segment activated (methods: ${AVAILABLE_METHODS.join(', ')})`);

  return {
    methods: AVAILABLE_METHODS,
    exportProfiles: (methods, target, options) => runner.export(methods, target, options),
    cancelRunning: () => runner.cancelAll() + scorer.cancelAll(),
    get runningCount() {
      return runner.runningCount + scorer.runningCount;
    },
    onDidProgress: runner.onDidProgress,
    scoreCsv: (target, options) => scorer.score(target, options),
    modelsFor: (csv) => modelFilesIn(modelFolders(csv, readSettings(csv).outputFolder)),
    onDidScoreProgress: scorer.onDidProgress,
    llm: llm.commands,
    clusterPanel: {
      open: (files, focus) => void panels.open(files, { focus }),
      get isOpen() {
        return panels.active !== undefined;
      },
      get paths() {
        return panels.active?.paths ?? [];
      },
      get lastPosted() {
        return panels.lastPosted;
      },
      onDidPost: panels.onDidPost,
      serializer: panels.serializer,
      close: () => panels.closeAll(),
    },
  };
}

export function deactivate(): void {
  // The runner's dispose (through context.subscriptions) cancels what is still running; the panels close with theirs.
}
