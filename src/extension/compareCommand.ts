/**
 * Segment: Compare with Training Profile (segment.compareWithTraining): on a
 * profile of scored rows (metadata.scored_with names the model file), finds
 * the model (beside the profile, else in the workspace), reads its `profile`
 * (the training profile, beside the model) and opens both in the cluster
 * panel on its compare tab. Returns what it opened, or why it could not.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ClusterPanels } from './clusterPanel';
import { isProfileUri, readProfile } from './profiles';

export const COMPARE_COMMAND = 'segment.compareWithTraining';

export type CompareOutcome = { status: 'done'; training: vscode.Uri; scored: vscode.Uri } | { status: 'failed'; message: string };

export function registerCompareCommand(panels: ClusterPanels): vscode.Disposable {
  return vscode.commands.registerCommand(COMPARE_COMMAND, async (uri?: unknown) => {
    const outcome = await compareWithTraining(panels, uri);
    if (outcome.status === 'failed') void vscode.window.showErrorMessage(`Segment: ${outcome.message}`);
    return outcome;
  });
}

export async function compareWithTraining(panels: ClusterPanels, uri: unknown): Promise<CompareOutcome> {
  const scored = uri instanceof vscode.Uri ? uri : vscode.window.activeTextEditor?.document.uri;
  if (!scored || !isProfileUri(scored)) return { status: 'failed', message: 'Compare with Training Profile needs a cluster profile (*_cluster_profile_*.json or .yaml) of scored rows.' };
  const name = path.basename(scored.path);
  const input = await readProfile(scored);
  if (input.error !== undefined) return { status: 'failed', message: `${name} could not be read: ${input.error}` };
  const metadata = (input.profile as { metadata?: { scored_with?: unknown } } | null)?.metadata;
  const modelName = typeof metadata?.scored_with === 'string' ? path.basename(metadata.scored_with) : null;
  if (modelName === null) {
    return { status: 'failed', message: `${name} is not a profile of scored rows (it has no metadata.scored_with): make one with Score CSV with Model….` };
  }
  const model = await findModel(scored, modelName);
  if (model === undefined) return { status: 'failed', message: `The model ${modelName} that scored ${name} is neither beside it nor in the workspace.` };
  let trainingName: string;
  try {
    const parsed = JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(model))) as { profile?: unknown };
    if (typeof parsed.profile !== 'string') throw new Error('no profile');
    trainingName = path.basename(parsed.profile);
  } catch {
    return { status: 'failed', message: `${model.fsPath} does not name its training profile (its "profile" field).` };
  }
  // Only a name (the model file is untrusted input): beside the model, never elsewhere.
  const training = vscode.Uri.joinPath(model, '..', trainingName);
  try {
    await vscode.workspace.fs.stat(training);
  } catch {
    return { status: 'failed', message: `The training profile ${trainingName} is no longer beside ${path.basename(model.path)} (${path.dirname(model.fsPath)}).` };
  }
  panels.open([training, scored], { focus: scored, tab: 'compare' });
  return { status: 'done', training, scored };
}

/** The model file: beside the scored profile, else the newest of that name in the workspace. */
async function findModel(scored: vscode.Uri, modelName: string): Promise<vscode.Uri | undefined> {
  const beside = vscode.Uri.joinPath(scored, '..', modelName);
  try {
    await vscode.workspace.fs.stat(beside);
    return beside;
  } catch {
    // Not there: the training was elsewhere.
  }
  const found = await vscode.workspace.findFiles(new vscode.RelativePattern(vscode.workspace.workspaceFolders?.[0] ?? scored, `**/${escapeGlob(modelName)}`), '**/node_modules/**', 20);
  return found[0];
}

function escapeGlob(name: string): string {
  return name.replace(/[[\]{}*?!]/g, (c) => `[${c}]`);
}
