/**
 * The commands that open the cluster panel:
 * - Segment: Open Cluster Panel (segment.openClusterPanel): picks among the
 *   profiles beside a CSV (the right-clicked one, else the active editor's;
 *   also in segment.outputFolder), beside a profile, or in the workspace;
 *   several can be picked to compare them.
 * - Open in Cluster Panel (segment.openInClusterPanel): the profile file(s)
 *   right-clicked in the explorer or open in the editor (editor title button).
 * Both return the files they showed (undefined when dismissed), for tests.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { METHOD_LABELS, isMethodKey } from '../shared/methods';
import type { ClusterPanels } from './clusterPanel';
import { groupRuns, isProfileUri, profilesInFolder, profilesInWorkspace, stampText, summarizeProfile, type ProfileFile, type ProfileRun, type ProfileSummary } from './profiles';
import { isCsvUri, outputDirFor } from './target';
import { isKSelectionUri } from './kSelections';

export const PANEL_COMMANDS = {
  open: 'segment.openClusterPanel',
  openFile: 'segment.openInClusterPanel',
} as const;

export function registerPanelCommands(panels: ClusterPanels): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(PANEL_COMMANDS.open, (uri?: unknown, uris?: unknown) => openClusterPanel(panels, uri, uris)),
    vscode.commands.registerCommand(PANEL_COMMANDS.openFile, (uri?: unknown, uris?: unknown) => openInClusterPanel(panels, uri, uris)),
  ];
}

/** The profile files a menu passed (the clicked one, or every selected one), else the active editor's or tab's. */
function profilesFromArgs(uri: unknown, uris: unknown): vscode.Uri[] {
  // A k-selection file opens in the panel too (its k view).
  const shown = (u: vscode.Uri) => isProfileUri(u) || isKSelectionUri(u);
  const selected = Array.isArray(uris) ? uris.filter((u): u is vscode.Uri => u instanceof vscode.Uri && shown(u)) : [];
  if (selected.length > 0) return selected;
  if (uri instanceof vscode.Uri) return shown(uri) ? [uri] : [];
  const active = activeResource();
  return active && shown(active) ? [active] : [];
}

function activeResource(): vscode.Uri | undefined {
  const editor = vscode.window.activeTextEditor;
  if (editor && editor.document.uri.scheme !== 'output') return editor.document.uri;
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  if (input instanceof vscode.TabInputText || input instanceof vscode.TabInputCustom) return input.uri;
  return undefined;
}

async function openInClusterPanel(panels: ClusterPanels, uri: unknown, uris: unknown): Promise<vscode.Uri[] | undefined> {
  const files = profilesFromArgs(uri, uris);
  if (files.length === 0) return openClusterPanel(panels, uri, uris);
  panels.open(files, { focus: uri instanceof vscode.Uri && files.some((f) => f.toString() === uri.toString()) ? uri : files[0] });
  return files;
}

async function openClusterPanel(panels: ClusterPanels, uri: unknown, uris: unknown): Promise<vscode.Uri[] | undefined> {
  // Several profiles selected in the explorer: show them, nothing to ask.
  const selected = profilesFromArgs(uri, uris);
  if (uri instanceof vscode.Uri && selected.length > 1) {
    panels.open(selected, { focus: uri });
    return selected;
  }
  const anchor = uri instanceof vscode.Uri ? uri : activeResource();
  let candidates: ProfileFile[];
  let where: string;
  let preselect: ((run: ProfileRun) => boolean) | undefined;
  let inWorkspace = false;
  if (anchor && isCsvUri(anchor)) {
    const folders = new Map<string, vscode.Uri>();
    const beside = vscode.Uri.joinPath(anchor, '..');
    folders.set(beside.toString(), beside);
    const configured = outputDirFor(anchor, vscode.workspace.getConfiguration('segment', anchor).get<string>('outputFolder', '') ?? '');
    if (configured) folders.set(vscode.Uri.file(configured).toString(), vscode.Uri.file(configured));
    candidates = (await Promise.all([...folders.values()].map(profilesInFolder))).flat();
    where = `beside ${path.posix.basename(anchor.path)}`;
    if (candidates.length === 0) {
      const choice = await vscode.window.showInformationMessage(
        `Segment: there are no cluster profiles ${where} yet. Export one first.`,
        'Export GMM Profile',
        'Export All Profiles',
      );
      if (choice === 'Export GMM Profile') void vscode.commands.executeCommand('segment.exportGmm', anchor);
      if (choice === 'Export All Profiles') void vscode.commands.executeCommand('segment.exportAll', anchor);
      return undefined;
    }
  } else if (anchor && isProfileUri(anchor)) {
    candidates = await profilesInFolder(vscode.Uri.joinPath(anchor, '..'));
    where = `in ${path.posix.basename(path.posix.dirname(anchor.path)) || 'this folder'}`;
    const key = anchor.toString();
    preselect = (run) => run.files.some((f) => f.uri.toString() === key);
  } else {
    candidates = await profilesInWorkspace();
    where = 'in this workspace';
    inWorkspace = true;
    if (candidates.length === 0) {
      void vscode.window.showInformationMessage(
        vscode.workspace.workspaceFolders?.length
          ? 'Segment: there are no cluster profiles (*_cluster_profile_*.json or .yaml) in this workspace. Export one from a CSV first.'
          : 'Segment: open a CSV file or a cluster profile first (or a folder that holds some).',
      );
      return undefined;
    }
  }

  const runs = groupRuns(candidates);
  if (runs.length === 1) {
    const files = [runs[0].file.uri];
    panels.open(files);
    return files;
  }
  const newest = runs[0]?.stamp;
  preselect ??= (run) => run.stamp !== undefined && run.stamp === newest;
  const summaries = await Promise.all(runs.map((run, i) => (i < 100 ? summarizeProfile(run.file.uri) : Promise.resolve<ProfileSummary>({}))));
  const items = runs.map((run, i) => {
    const s = summaries[i];
    const facts = [
      s.sourceFile ? `of ${s.sourceFile}` : undefined,
      s.nClusters !== undefined ? `${s.nClusters} clusters` : undefined,
      s.silhouette !== undefined ? `silhouette ${s.silhouette.toFixed(3)}` : undefined,
      inWorkspace ? `in ${vscode.workspace.asRelativePath(vscode.Uri.joinPath(run.file.uri, '..'), true)}` : undefined,
    ].filter(Boolean);
    return {
      label: `${methodTitle(run.method)} · ${stampText(run.stamp) ?? run.file.name}`,
      description: run.file.name,
      detail: noIcons(facts.join(' · ')),
      picked: preselect!(run),
      run,
    };
  });
  const picked = await vscode.window.showQuickPick(items, {
    canPickMany: true,
    title: `Segment: cluster profiles ${where}`,
    placeHolder: 'Pick one profile, or several to compare them',
    matchOnDescription: true,
    matchOnDetail: true,
  });
  if (!picked || picked.length === 0) return undefined;
  const files = picked.map((item) => item.run.file.uri);
  panels.open(files);
  return files;
}

function methodTitle(method: string | undefined): string {
  if (!method) return 'Profile';
  return isMethodKey(method) ? METHOD_LABELS[method].title : method.toUpperCase();
}

/** Quick pick text renders $(name) as an icon; a profile's own text should not. */
function noIcons(text: string): string {
  return text.replace(/\$\(/g, '$\u200b(');
}
