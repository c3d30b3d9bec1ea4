/**
 * dist/extension.js: the Segment extension. It registers the commands, keeps
 * the `segment.csvAvailable` context key, and leaves every computation to the
 * worker process (dist/worker.js): nothing heavy runs in the extension host.
 * activate() returns a small API that the extension's own tests use.
 */
import * as vscode from 'vscode';
import type { MethodId, ProgressMessage } from '../shared/protocol';
import { ChoiceMemory } from './confirm';
import { trackCsvAvailability } from './csvContext';
import { AVAILABLE_METHODS, COMMANDS, METHOD_COMMANDS } from './methods';
import { Runner, type RunOptions, type RunOutcome } from './runner';

export interface SegmentApi {
  readonly methods: readonly MethodId[];
  /** What the commands do, with options the commands do not take. */
  exportProfiles(methods: readonly MethodId[], target?: vscode.Uri, options?: RunOptions): Promise<RunOutcome>;
  /** Cancels every run in progress, as the notification's Cancel button does; returns how many. */
  cancelRunning(): number;
  readonly runningCount: number;
  readonly onDidProgress: vscode.Event<ProgressMessage>;
}

export function activate(context: vscode.ExtensionContext): SegmentApi {
  const log = vscode.window.createOutputChannel('Segment', { log: true });
  const runner = new Runner({
    workerPath: vscode.Uri.joinPath(context.extensionUri, 'dist', 'worker.js').fsPath,
    log,
    memory: new ChoiceMemory(context.workspaceState),
  });
  context.subscriptions.push(log, runner, trackCsvAvailability());

  // Explorer and editor-tab menus pass the clicked resource; the palette passes nothing.
  for (const { command, method } of METHOD_COMMANDS) {
    context.subscriptions.push(vscode.commands.registerCommand(command, (uri?: unknown) => runner.export([method], uri)));
  }
  context.subscriptions.push(
    vscode.commands.registerCommand(COMMANDS.exportAll, (uri?: unknown) => runner.export(AVAILABLE_METHODS, uri)),
    vscode.commands.registerCommand(COMMANDS.showLog, () => log.show()),
  );
  log.info(`Segment activated (methods: ${AVAILABLE_METHODS.join(', ')})`);

  return {
    methods: AVAILABLE_METHODS,
    exportProfiles: (methods, target, options) => runner.export(methods, target, options),
    cancelRunning: () => runner.cancelAll(),
    get runningCount() {
      return runner.runningCount;
    },
    onDidProgress: runner.onDidProgress,
  };
}

export function deactivate(): void {
  // The runner's dispose (through context.subscriptions) cancels what is still running.
}
