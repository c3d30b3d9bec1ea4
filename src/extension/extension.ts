/**
 * dist/extension.js: the Segment extension. It registers the commands, keeps
 * the `segment.csvAvailable` context key, leaves every computation to the
 * worker process (dist/worker.js) — nothing heavy runs in the extension host —
 * and shows profiles in the cluster panel (clusterPanel.ts, a webview).
 * activate() returns a small API that the extension's own tests use.
 */
import { compareWithTraining, registerCompareCommand, type CompareOutcome } from './compareCommand';
import * as vscode from 'vscode';
import type { KViewShownMessage, ShowMessage } from '../shared/panelProtocol';
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
import { EXPORT_K_COMMAND, SWEEP_COMMAND, Sweeper, type SweepOptions, type SweepOutcome } from './sweepCommand';
import { lastRecommendation, type LastRecommendation } from './kSelections';
import { modelFolders as outputFolders } from './scoreCommand';

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
  /** Hands the panel a message as if its webview had sent it (e.g. the k view's exportK). */
  receive(message: unknown): void;
  /** Every k view a panel's webview drew: its charts and export buttons. */
  readonly onDidShowKView: vscode.Event<KViewShownMessage>;
}

/** Choose Number of Clusters… (sweepCommand.ts) for the tests. */
export interface SweepApi {
  /** The command, with options instead of the quick picks. */
  sweep(target?: vscode.Uri, options?: SweepOptions): Promise<SweepOutcome>;
  /** What the k view's "Export profile with k = N" runs. */
  exportK(file: vscode.Uri, k: number, covarianceType?: string): Promise<RunOutcome | undefined>;
  /** The recommendation the exports' cluster pick offers for a CSV. */
  lastRecommendation(csv: vscode.Uri, methods: readonly MethodKey[]): Promise<LastRecommendation | undefined>;
  readonly onDidProgress: vscode.Event<ProgressMessage>;
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
  /** Compare with Training Profile (compareCommand.ts) on a profile of scored rows. */
  compareWithTraining(scored: vscode.Uri): Promise<CompareOutcome>;
  readonly clusterPanel: ClusterPanelApi;
  /** Copy LLM Prompt and Describe Segments with AI, with hooks for the tests (lmCommands.ts). */
  readonly llm: LlmCommands;
  readonly sweeps: SweepApi;
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
    openPanel: (files, options) => panels.open(files, options),
  });
  const sweeper = new Sweeper({
    workerPath: vscode.Uri.joinPath(context.extensionUri, 'dist', 'worker.js').fsPath,
    log,
    state: context.workspaceState,
    memory: new ChoiceMemory(context.workspaceState),
    runner,
    openPanel: (files, focus) => panels.open(files, { focus }),
  });
  context.subscriptions.push(runner, scorer, sweeper, trackCsvAvailability(), ...registerPanelCommands(panels), registerCompareCommand(panels));
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
    vscode.commands.registerCommand(SWEEP_COMMAND, (uri?: unknown) => sweeper.sweep(uri)),
    vscode.commands.registerCommand(EXPORT_K_COMMAND, (file: vscode.Uri, k: number, covarianceType?: string) => sweeper.exportK(file, k, covarianceType)),
    vscode.commands.registerCommand(SCALEOUT_COMMAND, (uri?: unknown, options?: ScaleoutOptions) => exportScaleoutJob(uri, options, log)),
  );
  log.info(`Segment activated (methods: ${AVAILABLE_METHODS.join(', ')})`);

  return {
    methods: AVAILABLE_METHODS,
    exportProfiles: (methods, target, options) => runner.export(methods, target, options),
    cancelRunning: () => runner.cancelAll() + scorer.cancelAll() + sweeper.cancelAll(),
    get runningCount() {
      return runner.runningCount + scorer.runningCount + sweeper.runningCount;
    },
    onDidProgress: runner.onDidProgress,
    scoreCsv: (target, options) => scorer.score(target, options),
    modelsFor: (csv) => modelFilesIn(modelFolders(csv, readSettings(csv).outputFolder)),
    onDidScoreProgress: scorer.onDidProgress,
    compareWithTraining: (scored) => compareWithTraining(panels, scored),
    llm: llm.commands,
    sweeps: {
      sweep: (target, options) => sweeper.sweep(target, options),
      exportK: (file, k, covarianceType) => sweeper.exportK(file, k, covarianceType),
      lastRecommendation: (csv, methods) => lastRecommendation(outputFolders(csv, readSettings(csv).outputFolder), csv.path.split('/').pop() ?? '', methods),
      onDidProgress: sweeper.onDidProgress,
    },
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
      receive: (message) => panels.active?.receive(message),
      onDidShowKView: panels.onDidShowKView,
    },
  };
}

export function deactivate(): void {
  // The runner's dispose (through context.subscriptions) cancels what is still running; the panels close with theirs.
}
