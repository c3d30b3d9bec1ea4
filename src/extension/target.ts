/**
 * Which CSV a command acts on: the one right-clicked in the explorer (or on an
 * editor tab), else the active editor's, else one picked in a file dialog.
 * A document with unsaved changes, an untitled one, or one on a file system
 * that is not the disk (a virtual workspace) is read from its text; a saved
 * file on disk is streamed by the worker from its path.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CsvSource } from '../shared/workerProtocol';

export interface CsvTarget {
  uri: vscode.Uri;
  /** For messages: the file name. */
  name: string;
  source: CsvSource;
}

const CSV_PATH = /\.(csv|tsv)$/i;
/** A Parquet file is binary: read from its path by the worker, never as an editor's text. */
const PARQUET_PATH = /\.(parquet|parq|pq)$/i;

/** A CSV or TSV by its name, or by a language id a CSV extension gives it (csv, tsv, "csv (semicolon)", …). */
export function isCsvDocument(document: vscode.TextDocument): boolean {
  return CSV_PATH.test(document.uri.path) || /^(csv|tsv)\b/i.test(document.languageId);
}

/** A data file a run can read: a CSV, a TSV, or a Parquet file. */
export function isCsvUri(uri: vscode.Uri): boolean {
  return CSV_PATH.test(uri.path) || PARQUET_PATH.test(uri.path);
}

export async function resolveTarget(arg: unknown): Promise<CsvTarget | undefined> {
  if (arg instanceof vscode.Uri) return targetForUri(arg);
  const editor = vscode.window.activeTextEditor;
  if (editor && isCsvDocument(editor.document)) return targetForDocument(editor.document);
  // A CSV shown by a custom editor (a table viewer) has no text editor but is the active tab.
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  if ((input instanceof vscode.TabInputText || input instanceof vscode.TabInputCustom) && isCsvUri(input.uri)) {
    return targetForUri(input.uri);
  }
  const picked = await vscode.window.showOpenDialog({
    canSelectMany: false,
    openLabel: 'Cluster',
    title: 'Segment: choose a CSV file',
    filters: { 'CSV, TSV and Parquet': ['csv', 'tsv', 'parquet'] },
    defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
  });
  return picked?.[0] ? targetForUri(picked[0]) : undefined;
}

async function targetForUri(uri: vscode.Uri): Promise<CsvTarget> {
  if (PARQUET_PATH.test(uri.path)) {
    const name = path.posix.basename(uri.path);
    if (uri.scheme !== 'file') throw new Error(`the Parquet file "${name}" is not on this computer's disk; copy it into a local folder and run again`);
    return { uri, name, source: { kind: 'file', path: uri.fsPath } };
  }
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (open) return targetForDocument(open);
  const name = path.posix.basename(uri.path);
  if (uri.scheme === 'file') return { uri, name, source: { kind: 'file', path: uri.fsPath } };
  // A virtual file system: read it through VS Code.
  const bytes = await vscode.workspace.fs.readFile(uri);
  return { uri, name, source: { kind: 'text', text: new TextDecoder('utf-8').decode(bytes), fileName: name } };
}

function targetForDocument(document: vscode.TextDocument): CsvTarget {
  const name = path.posix.basename(document.uri.path) || 'untitled.csv';
  if (document.uri.scheme === 'file' && !document.isDirty) {
    return { uri: document.uri, name, source: { kind: 'file', path: document.uri.fsPath } };
  }
  return { uri: document.uri, name, source: { kind: 'text', text: document.getText(), fileName: name } };
}

/**
 * Where the files go: the `segment.outputFolder` setting (absolute, or
 * relative to the CSV's workspace folder), else beside the CSV. A CSV that is
 * not on disk (untitled, virtual) goes to the first workspace folder on disk,
 * else to a folder the user picks.
 */
export async function resolveOutputDir(target: CsvTarget, outputFolder: string): Promise<string | undefined> {
  const known = outputDirFor(target.uri, outputFolder);
  if (known) return known;
  const picked = await vscode.window.showOpenDialog({
    canSelectFiles: false,
    canSelectFolders: true,
    canSelectMany: false,
    openLabel: 'Write profiles here',
    title: `Segment: where to write the profiles of ${target.name}`,
    defaultUri: vscode.Uri.file(os.homedir()),
  });
  return picked?.[0]?.scheme === 'file' ? picked[0].fsPath : undefined;
}

/** Where the files of a CSV go without asking (resolveOutputDir's rules); undefined when the user would have to pick a folder. */
export function outputDirFor(csv: vscode.Uri, outputFolder: string): string | undefined {
  const folder = vscode.workspace.getWorkspaceFolder(csv) ?? localWorkspaceFolders()[0];
  if (outputFolder) {
    const expanded = outputFolder.replace(/^~(?=$|[\\/])/, os.homedir());
    if (path.isAbsolute(expanded)) return expanded;
    const base = folder?.uri.scheme === 'file' ? folder.uri.fsPath : csv.scheme === 'file' ? path.dirname(csv.fsPath) : undefined;
    if (base) return path.resolve(base, expanded);
  } else if (csv.scheme === 'file') {
    return path.dirname(csv.fsPath);
  } else if (folder?.uri.scheme === 'file') {
    return folder.uri.fsPath;
  }
  return undefined;
}

function localWorkspaceFolders(): readonly vscode.WorkspaceFolder[] {
  return (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file');
}
