/**
 * "Segment: Score CSV with Model…": new customers into the segments of a
 * model file, no refit (`segment score --profile` in the worker). The CSV is
 * the one right-clicked, else the active editor's, else one picked; the
 * model is picked among the `*_model_*.json` files beside the CSV and in the
 * output folder (newest first), or chosen in a dialog. A notification shows
 * the progress with Cancel; when done, another opens the scores or shows the
 * training profile and the scored rows' profile in the cluster panel.
 */
import type { OpenOptions } from './clusterPanel';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { removeRunFiles } from '../engine/profile/export';
import { METHOD_LABELS, isMethodKey, type MethodKey } from '../shared/methods';
import { SCORING_KINDS } from '../shared/timestamps';
import type { ScoreCsvRequest, ScoreSummary } from '../shared/workerProtocol';
import { readSettings } from './settings';
import { outputDirFor, resolveOutputDir, resolveTarget, type CsvTarget } from './target';
import { WorkerRuns } from './workerRuns';

export const SCORE_COMMAND = 'segment.scoreCsv';
/** The names the engine gives model files: {method}_model_{YYYYMMDD_HHMMSS}[_n].json. */
export const MODEL_NAME = /^([a-z]+)_model_\d{8}_\d{6}(?:_\d+)?\.json$/;

export interface ModelFile {
  path: string;
  name: string;
  method: MethodKey | undefined;
  mtime: number;
}

export interface ScoreOptions {
  /** The model file, instead of asking (the tests). */
  model?: string;
  /** Test API only: overrides segment.worker.memoryLimitMB. */
  memoryLimitMb?: number;
}

export interface ScoreOutcome {
  status: 'done' | 'cancelled' | 'failed' | 'dismissed';
  /** The CSV's URI, as a string. */
  target?: string;
  model?: string;
  result?: ScoreSummary;
  error?: { code: string; message: string };
  /** Cancelled, and the worker had to be killed. */
  killed?: boolean;
}

export interface ScorerContext {
  workerPath: string;
  log: vscode.LogOutputChannel;
  /** Shows profile files in the cluster panel. */
  openPanel?: (files: vscode.Uri[], options?: OpenOptions) => void;
}

/** The model files directly in these folders (on disk), newest first; a folder listed twice counts once. */
export async function modelFilesIn(folders: readonly string[]): Promise<ModelFile[]> {
  const found: ModelFile[] = [];
  for (const folder of new Set(folders.map((f) => path.resolve(f)))) {
    const names = await fs.readdir(folder).catch(() => [] as string[]);
    for (const name of names) {
      const match = MODEL_NAME.exec(name);
      if (!match) continue;
      const file = path.join(folder, name);
      const stat = await fs.stat(file).catch(() => undefined);
      if (!stat?.isFile()) continue;
      found.push({ path: file, name, method: isMethodKey(match[1]) ? match[1] : undefined, mtime: stat.mtimeMs });
    }
  }
  return found.sort((a, b) => b.mtime - a.mtime || a.name.localeCompare(b.name));
}

/** Where a CSV's models are looked for: beside it (on disk) and in the output folder. */
export function modelFolders(csv: vscode.Uri, outputFolder: string): string[] {
  const folders = csv.scheme === 'file' ? [path.dirname(csv.fsPath)] : [];
  const output = outputDirFor(csv, outputFolder);
  if (output) folders.push(output);
  return folders;
}

export class Scorer extends WorkerRuns {
  constructor(private readonly ctx: ScorerContext) {
    super(ctx);
  }

  async score(arg: unknown, options: ScoreOptions = {}): Promise<ScoreOutcome> {
    let target: CsvTarget | undefined;
    try {
      target = await resolveTarget(arg);
    } catch (error) {
      return this.fail({ code: 'FILE_UNREADABLE', message: `Segment could not read the CSV: ${(error as Error).message}` });
    }
    if (!target) return { status: 'dismissed' };
    const settings = readSettings(target.uri);
    const model = options.model ?? (await this.pickModel(target, modelFolders(target.uri, settings.outputFolder)));
    if (!model) return { status: 'dismissed', target: target.uri.toString() };
    const outputDir = await resolveOutputDir(target, settings.outputFolder);
    if (!outputDir) return { status: 'dismissed', target: target.uri.toString(), model };
    const request: ScoreCsvRequest = {
      type: 'score',
      model,
      source: target.source,
      outputDir,
      now: Date.now(),
      memoryLimitMb: options.memoryLimitMb ?? settings.memoryLimitMb,
    };
    this.ctx.log.info(`── scoring ${target.uri.scheme === 'file' ? target.uri.fsPath : target.uri.toString()} with ${model}; writing to ${outputDir}`);
    const outcome = await this.runWithProgress(`Segment: scoring ${target.name} with ${path.basename(model)}`, request);
    const base = { target: target.uri.toString(), model };
    if (outcome.status === 'done' && outcome.result) this.announce(target, outcome.result);
    if (outcome.status === 'cancelled') {
      this.ctx.log.info(`cancelled${outcome.killed ? ' (the worker was killed)' : ''}; nothing was written`);
      vscode.window.setStatusBarMessage('$(circle-slash) Segment: cancelled, nothing was written', 5000);
    }
    if (outcome.status === 'failed') return { ...base, ...this.fail(outcome.error ?? { code: 'INTERNAL', message: 'Segment failed.' }) };
    return { ...base, ...outcome };
  }

  /** A quick pick of the models found, newest first, and "Choose a Model File…"; a dialog at once when none is found. */
  private async pickModel(target: CsvTarget, folders: string[]): Promise<string | undefined> {
    const models = await modelFilesIn(folders);
    const choose = async () => {
      const picked = await vscode.window.showOpenDialog({
        canSelectMany: false,
        openLabel: 'Score with This Model',
        title: `Segment: the model file to score ${target.name} with`,
        filters: { 'Segment model': ['json'] },
        defaultUri: folders[0] ? vscode.Uri.file(folders[0]) : undefined,
      });
      return picked?.[0]?.scheme === 'file' ? picked[0].fsPath : undefined;
    };
    if (models.length === 0) {
      const answer = await vscode.window.showInformationMessage(
        `Segment: there is no model file (…_model_….json) beside ${target.name} or in the output folder. ` +
          'Every export writes one: export a profile of the training data first, or choose a model file.',
        'Choose Model File…',
      );
      return answer ? choose() : undefined;
    }
    const items: (vscode.QuickPickItem & { file?: string })[] = models.map((m) => ({
      label: m.name,
      description: `${m.method ? METHOD_LABELS[m.method].title : 'unknown method'} · ${path.dirname(m.path)}`,
      detail: `saved ${new Date(m.mtime).toLocaleString()}`,
      file: m.path,
    }));
    items.push({ label: '$(folder-opened) Choose a Model File…' });
    const picked = await vscode.window.showQuickPick(items, {
      title: `Segment: score ${target.name} with which model?`,
      placeHolder: 'The newest first; the model files beside the CSV and in the output folder',
    });
    if (!picked) return undefined;
    return picked.file ?? choose();
  }

  private runWithProgress(title: string, request: ScoreCsvRequest): Promise<ScoreOutcome> {
    return this.runForAnswer(title, request, 'scored', (done, pid) => this.removeOutputs(request, done, pid));
  }

  private async removeOutputs(request: ScoreCsvRequest, done: ScoreSummary | undefined, pid: number | undefined): Promise<void> {
    const finished = done ? [done.scores, done.json, done.yaml] : [];
    await Promise.all(finished.map((file) => fs.rm(file, { force: true })));
    const method = MODEL_NAME.exec(path.basename(request.model))?.[1];
    // What a scoring writes, and only since it started: not the export it may follow within the second.
    const leftovers = await removeRunFiles({
      outputDir: request.outputDir,
      now: new Date(request.now),
      pid: pid ?? -1,
      methods: isMethodKey(method) ? [method] : undefined,
      kinds: SCORING_KINDS,
      strict: true,
    });
    for (const file of new Set([...finished, ...leftovers])) this.ctx.log.info(`removed ${file} (the scoring was cancelled)`);
  }

  private announce(target: CsvTarget, result: ScoreSummary): void {
    const { log } = this.ctx;
    const sizes = result.sizes.map((size, c) => `cluster_${c} ${size.toLocaleString('en-US')}`).join(', ');
    const unusual = result.unusual ? `; ${result.unusual.count.toLocaleString('en-US')} unusual` : '';
    const dropped = result.nRowsDropped > 0 ? ` (${result.nRowsDropped.toLocaleString('en-US')} dropped for missing values)` : '';
    log.info(`wrote ${result.scores}, ${result.json} and ${result.yaml}`);
    for (const warning of result.warnings) log.warn(warning);
    // The first warning in the notification itself (a new categorical level comes first), the rest in the log.
    const [first, ...more] = result.warnings;
    const note = first === undefined ? '' : ` Warning: ${first}${more.length > 0 ? ` (${more.length} more: see Segment: Show Log.)` : ''}`;
    const show = (message: string, ...items: string[]) =>
      first === undefined ? vscode.window.showInformationMessage(message, ...items) : vscode.window.showWarningMessage(message, ...items);
    const actions = this.ctx.openPanel ? ['Open Scores', 'Open Panel', 'Reveal in Explorer'] : ['Open Scores', 'Reveal in Explorer'];
    void show(
      `Segment: ${result.nScored.toLocaleString('en-US')} rows of ${target.name} scored with ${path.basename(result.model)}${dropped}: ${sizes}${unusual}.${note}`,
      ...actions,
    ).then(async (choice) => {
        if (choice === 'Open Scores') {
          await vscode.window.showTextDocument(vscode.Uri.file(result.scores), { preview: false });
        } else if (choice === 'Open Panel') {
          // The training profile, when it is still beside the model, then the scored rows' profile.
          const training = await fs.stat(result.trainingProfile).then(
            () => [vscode.Uri.file(result.trainingProfile)],
            () => [],
          );
          // On the compare tab: the scored rows beside the training (webview/scoredCompare.ts).
          this.ctx.openPanel?.([...training, vscode.Uri.file(result.json)], { focus: vscode.Uri.file(result.json), tab: training.length ? 'compare' : undefined });
        } else if (choice === 'Reveal in Explorer') {
          const uri = vscode.Uri.file(result.scores);
          const inWorkspace = vscode.workspace.getWorkspaceFolder(uri) !== undefined;
          await vscode.commands.executeCommand(inWorkspace ? 'revealInExplorer' : 'revealFileInOS', uri);
        }
      });
  }
}
