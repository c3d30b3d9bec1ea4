/**
 * The `segment.csvAvailable` context key: true when the active editor holds a
 * CSV or TSV, or the workspace has one. The command palette shows the export
 * commands only then (package.json "menus.commandPalette").
 */
import * as vscode from 'vscode';
import { isCsvDocument } from './target';

export const CSV_AVAILABLE_KEY = 'segment.csvAvailable';
const CSV_GLOB = '**/*.{csv,tsv,parquet,CSV,TSV,PARQUET}';
const EXCLUDE = '**/{node_modules,.git}/**';

export function trackCsvAvailability(): vscode.Disposable {
  let workspaceHasCsv = false;
  let current: boolean | undefined;
  const update = () => {
    const editor = vscode.window.activeTextEditor;
    const value = workspaceHasCsv || (editor !== undefined && isCsvDocument(editor.document));
    if (value === current) return;
    current = value;
    void vscode.commands.executeCommand('setContext', CSV_AVAILABLE_KEY, value);
  };
  let pending: NodeJS.Timeout | undefined;
  const rescan = () => {
    if (pending) clearTimeout(pending);
    pending = setTimeout(async () => {
      pending = undefined;
      const found = await vscode.workspace.findFiles(CSV_GLOB, EXCLUDE, 1).then(
        (uris) => uris.length > 0,
        () => false,
      );
      workspaceHasCsv = found;
      update();
    }, 300);
  };
  const watcher = vscode.workspace.createFileSystemWatcher(CSV_GLOB, false, true, false);
  update();
  rescan();
  return vscode.Disposable.from(
    watcher,
    watcher.onDidCreate(rescan),
    watcher.onDidDelete(rescan),
    vscode.workspace.onDidChangeWorkspaceFolders(rescan),
    vscode.window.onDidChangeActiveTextEditor(update),
    vscode.workspace.onDidOpenTextDocument(update),
    { dispose: () => pending && clearTimeout(pending) },
  );
}
