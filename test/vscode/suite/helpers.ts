/** What the extension-host suites share: settings, fresh folders in the workspace, the example customers. */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

export const EXTENSION_ID = 'segment-profiles.segment-profiles';

/** The workspace folder the tests run in. */
export function workspaceRoot(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('the tests run in a workspace folder');
  return folder.uri.fsPath;
}

/** examples/customers.csv of the extension under test. */
export function exampleCustomers(): string {
  const extension = vscode.extensions.getExtension(EXTENSION_ID);
  if (!extension) throw new Error(`${EXTENSION_ID} is not loaded`);
  return path.join(extension.extensionPath, 'examples', 'customers.csv');
}

/** segment.<key> in the workspace's settings (undefined removes it). */
export async function setting(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration('segment').update(key, value, vscode.ConfigurationTarget.Workspace);
}

/** An empty folder of that name in the workspace (emptied if it was there). */
export async function folder(name: string): Promise<string> {
  const dir = path.join(workspaceRoot(), name);
  await fs.rm(dir, { recursive: true, force: true });
  await fs.mkdir(dir, { recursive: true });
  return dir;
}

/** A fresh folder holding a copy of the example customers. */
export async function fixture(name: string): Promise<vscode.Uri> {
  const target = path.join(await folder(name), 'customers.csv');
  await fs.copyFile(exampleCustomers(), target);
  return vscode.Uri.file(target);
}
