/**
 * One export, from the command to the notification: find the CSV, confirm
 * the clusters and columns, start the worker, show its progress in a
 * cancellable notification, and report the result, the error, or the cancel.
 * A cancel leaves nothing on disk: the worker takes back what it wrote, and
 * after a kill this side removes whatever the run may have left.
 */
import { promises as fs } from 'node:fs';
import * as vscode from 'vscode';
import { removeRunFiles } from '../engine/profile/export';
import {
  type DebugBehaviour,
  type FromWorker,
  type InspectColumn,
  type MethodResult,
  type ProgressMessage,
  type RunRequest,
} from '../shared/workerProtocol';
import { METHOD_LABELS, type MethodKey } from '../shared/methods';
import { ChoiceMemory, confirmRun, type RunChoice } from './confirm';
import { exportNotice } from './exportNotice';
import { methodsTitle } from './methods';
import { readSettings, type Settings } from './settings';
import { resolveOutputDir, resolveTarget, type CsvTarget } from './target';
import { startWorker } from './workerClient';
import { ENGINE_ERROR, WorkerRuns } from './workerRuns';
import { lastRecommendation } from './kSelections';
import { modelFolders } from './scoreCommand';

export interface RunOutcome {
  status: 'done' | 'cancelled' | 'failed' | 'dismissed';
  /** The CSV's URI, as a string. */
  target?: string;
  outputDir?: string;
  results?: MethodResult[];
  error?: { code: string; message: string };
  /** Cancelled, and the worker had to be killed. */
  killed?: boolean;
  durationMs: number;
}

export interface RunOptions {
  /** Overrides segment.confirmBeforeRun. */
  confirm?: boolean;
  /** Test API only. */
  debug?: DebugBehaviour;
  /** Test API only: overrides segment.worker.memoryLimitMB. */
  memoryLimitMb?: number;
  /**
   * An export from the k view: these options instead of the settings' and the
   * quick picks (the sweep's, with the k chosen there), no confirmation.
   */
  preset?: Pick<RunRequest, 'prepare' | 'common' | 'params'> & { common: { nClusters: number } };
}

export interface RunnerContext {
  workerPath: string;
  log: vscode.LogOutputChannel;
  memory: ChoiceMemory;
  /** The success notification's "Open Panel": shows these profile files in the cluster panel. */
  openPanel?: (files: vscode.Uri[]) => void;
}

export class Runner extends WorkerRuns {
  constructor(private readonly ctx: RunnerContext) {
    super(ctx);
  }

  async export(methods: readonly MethodKey[], arg: unknown, options: RunOptions = {}): Promise<RunOutcome> {
    const started = Date.now();
    const { log } = this.ctx;
    const finish = (outcome: Omit<RunOutcome, 'durationMs'>): RunOutcome => ({ ...outcome, durationMs: Date.now() - started });
    let target: CsvTarget | undefined;
    try {
      target = await resolveTarget(arg);
    } catch (error) {
      return finish(this.fail({ code: 'FILE_UNREADABLE', message: `Segment could not read the CSV: ${(error as Error).message}` }));
    }
    if (!target) return finish({ status: 'dismissed' });

    const settings = readSettings(target.uri);
    const title = `Segment: ${methodsTitle(methods)} of ${target.name}`;
    let choice: RunChoice = { nClusters: settings.common.nClusters, columns: undefined };
    if (options.preset) {
      choice = { nClusters: options.preset.common.nClusters };
    } else if (options.confirm ?? settings.confirmBeforeRun) {
      const remembered = this.ctx.memory.get(target.uri);
      const [columns, recommended] = await Promise.all([this.inspect(target, settings), this.recommendation(target, settings, methods)]);
      const confirmed = await confirmRun({
        title,
        initial: remembered ?? choice,
        initialNote: remembered ? 'last used for this file' : 'segment.clusters setting',
        recommended,
        configuredColumns: settings.prepare.columns ?? [],
        configuredExclude: settings.prepare.exclude ?? [],
        columns,
      });
      if (!confirmed) return finish({ status: 'dismissed', target: target.uri.toString() });
      choice = confirmed;
      await this.ctx.memory.set(target.uri, choice);
    }

    const outputDir = await resolveOutputDir(target, settings.outputFolder);
    if (!outputDir) return finish({ status: 'dismissed', target: target.uri.toString() });

    const built = buildRequest(methods, target, settings, choice, outputDir, options);
    const request: RunRequest = options.preset ? { ...built, prepare: options.preset.prepare, common: options.preset.common, params: options.preset.params } : built;
    log.info(`── ${methodsTitle(methods)} of ${target.uri.scheme === 'file' ? target.uri.fsPath : target.uri.toString()}`);
    log.info(
      `${request.common.nClusters} clusters, seed ${request.common.randomSeed}, columns: ${request.prepare.columns?.join(', ') || 'automatic'}` +
        `${request.prepare.exclude?.length ? ` (excluding ${request.prepare.exclude.join(', ')})` : ''}` +
        `${request.prepare.describe?.length ? `, describing ${request.prepare.describe.join(', ')}` : ''}, missing values: ${request.prepare.missing}; writing to ${outputDir}`,
    );

    const outcome = await this.runWithProgress(title, request, methods);
    const base = { target: target.uri.toString(), outputDir };
    switch (outcome.status) {
      case 'done':
        this.announce(target, outcome.results ?? []);
        return finish({ ...base, ...outcome });
      case 'cancelled':
        log.info(`cancelled${outcome.killed ? ' (the worker was killed)' : ''}; nothing was written`);
        vscode.window.setStatusBarMessage('$(circle-slash) Segment: cancelled, nothing was written', 5000);
        return finish({ ...base, ...outcome });
      default:
        return finish({ ...base, ...this.fail(outcome.error ?? { code: 'INTERNAL', message: 'Segment failed.' }) });
    }
  }

  private async runWithProgress(title: string, request: RunRequest, methods: readonly MethodKey[]): Promise<Omit<RunOutcome, 'durationMs'>> {
    const { log } = this.ctx;
    const written: MethodResult[] = [];
    const options = {
      onMessage: (message: FromWorker) => {
        if (message.type === 'written') written.push(message.result);
      },
      prefix: (p: ProgressMessage) => (methods.length > 1 && p.method ? `${METHOD_LABELS[p.method].title}: ` : ''),
    };
    return this.inProgress(title, request, options, async (result, worker) => {
      if (result.kind === 'cancelled' || worker.cancelRequested) {
        // Done just as the cancel came in, or killed part-way: take back what this run may have left.
        const answered = result.kind === 'answer' && result.message.type === 'done' ? result.message.results : [];
        await removeRunOutputs(request, [...written, ...answered], worker.pid, log);
        return { status: 'cancelled' as const, killed: result.kind === 'cancelled' && result.killed };
      }
      if (result.kind === 'error') {
        if (result.message.detail) log.error(`${result.message.code}: ${result.message.detail}`);
        // The engine takes back its own files on bad input; a process that died could not.
        if (!ENGINE_ERROR.test(result.message.code)) await removeRunOutputs(request, written, worker.pid, log);
        return { status: 'failed' as const, error: { code: result.message.code, message: result.message.message } };
      }
      const results = result.message.type === 'done' ? result.message.results : [];
      return { status: 'done' as const, results };
    });
  }

  /** The last sweep's recommendation for this CSV (of one of these methods), for the cluster pick; never throws. */
  private async recommendation(target: CsvTarget, settings: Settings, methods: readonly MethodKey[]): Promise<{ k: number; note: string } | undefined> {
    const folders = modelFolders(target.uri, settings.outputFolder);
    const last = await lastRecommendation(folders, target.name, methods).catch(() => undefined);
    if (!last) return undefined;
    const fit = last.covarianceType ? ` with ${last.covarianceType} covariance` : '';
    const who = methods.length > 1 ? `${METHOD_LABELS[last.method].title} ` : '';
    return { k: last.k, note: `recommended by the last ${who}sweep (${last.criterion}${fit})` };
  }

  /** The columns of a sample of the CSV, for the picker; undefined if they cannot be read (the run will say why). */
  private async inspect(target: CsvTarget, settings: Settings): Promise<InspectColumn[] | undefined> {
    const worker = startWorker(this.ctx.workerPath, { type: 'inspect', source: target.source, prepare: settings.prepare }, {
      onLog: (level, message) => this.ctx.log[level](message),
    });
    const outcome = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: `Segment: reading the columns of ${target.name}` },
      () => worker.outcome,
    );
    if (outcome.kind === 'answer' && outcome.message.type === 'inspected') return outcome.message.columns;
    if (outcome.kind === 'error') this.ctx.log.debug(`column preview unavailable: ${outcome.message.message}`);
    return undefined;
  }

  private announce(target: CsvTarget, results: MethodResult[]): void {
    if (results.length === 0) return;
    const first = results[0];
    const notice = exportNotice(target.name, results);
    for (const r of results) this.ctx.log.info(`wrote ${r.json}, ${r.yaml}, ${r.assignments} and ${r.model}`);
    const actions = this.ctx.openPanel ? ['Open Panel', 'Open JSON', 'Open YAML', 'Reveal in Explorer'] : ['Open JSON', 'Open YAML', 'Reveal in Explorer'];
    const shown = notice.severity === 'warning' ? vscode.window.showWarningMessage(notice.text, ...actions) : vscode.window.showInformationMessage(notice.text, ...actions);
    void shown.then(async (choice) => {
      if (choice === 'Open Panel') {
        // The YAML files: the ones people edit (a segment_name, a persona), and the panel follows their changes.
        this.ctx.openPanel?.(results.map((r) => vscode.Uri.file(r.yaml)));
      } else if (choice === 'Open JSON' || choice === 'Open YAML') {
        for (const r of results) {
          await vscode.window.showTextDocument(vscode.Uri.file(choice === 'Open JSON' ? r.json : r.yaml), { preview: false });
        }
      } else if (choice === 'Reveal in Explorer') {
        const uri = vscode.Uri.file(first.json);
        const inWorkspace = vscode.workspace.getWorkspaceFolder(uri) !== undefined;
        await vscode.commands.executeCommand(inWorkspace ? 'revealInExplorer' : 'revealFileInOS', uri);
      }
    });
  }
}

export function buildRequest(
  methods: readonly MethodKey[],
  target: CsvTarget,
  settings: Settings,
  choice: RunChoice,
  outputDir: string,
  options: RunOptions,
): RunRequest {
  const explicit = choice.columns ?? (settings.prepare.columns?.length ? settings.prepare.columns : undefined);
  return {
    type: 'run',
    source: target.source,
    methods: [...methods],
    prepare: {
      columns: explicit,
      // The engine refuses a column both requested and excluded; the exclusions only shape the automatic choice.
      // A choice in the quick picks says itself what to leave out and what to describe (columnChoice.ts).
      exclude: choice.described ? choice.exclude : explicit ? undefined : settings.prepare.exclude,
      describe: choice.describe,
      missing: settings.prepare.missing,
      categorical: settings.prepare.categorical,
      sample: settings.prepare.sample,
    },
    common: { ...settings.common, nClusters: choice.nClusters },
    params: settings.params,
    outputDir,
    now: Date.now(),
    memoryLimitMb: options.memoryLimitMb ?? settings.memoryLimitMb,
    debug: options.debug,
  };
}

/**
 * After a cancel or a crash: the files of methods that finished, the engine's temporary
 * files of a killed worker, and any file named for this run's timestamp that
 * appeared after it started (a write the kill cut short).
 */
async function removeRunOutputs(request: RunRequest, results: MethodResult[], pid: number | undefined, log: vscode.LogOutputChannel): Promise<void> {
  const finished = results.flatMap((r) => [r.json, r.yaml, r.assignments, r.model]);
  await Promise.all(finished.map((file) => fs.rm(file, { force: true })));
  // pid -1: a worker that never started has no temporary files to match.
  const leftovers = await removeRunFiles({ outputDir: request.outputDir, now: new Date(request.now), pid: pid ?? -1, methods: request.methods });
  for (const file of new Set([...finished, ...leftovers])) log.info(`removed ${file} (the run was cancelled)`);
}

