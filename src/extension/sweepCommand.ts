/**
 * "Segment: Choose Number of Clusters…": how many segments? On a CSV (the
 * one right-clicked, else the active editor's, else one picked): the method,
 * for GMM the covariance types, the k range (2..8 by default); then the
 * sweep (`segment sweep`) in the worker with its progress per fit and Cancel
 * (a cancel writes nothing), the k-selection files beside the CSV, and the
 * cluster panel's k view of them. The k view's "Export profile with k = N"
 * comes back here (exportK): the normal export of the sweep's CSV with the
 * sweep's options and that k (and covariance type), then the profile in the panel.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { removeRunFiles } from '../engine/profile/export';
import { COVARIANCE_TYPES, METHOD_LABELS, type CovarianceType, type MethodKey } from '../shared/methods';
import { DEFAULT_K_RANGE, parseKRangeText } from '../shared/kRange';
import type { SweepRunRequest, SweepSummary } from '../shared/workerProtocol';
import type { ChoiceMemory } from './confirm';
import { SweepMemory, isKSelectionUri, recordFromFile, type SweepRecord } from './kSelections';
import { AVAILABLE_METHODS } from './methods';
import { buildRequest, type Runner, type RunOutcome } from './runner';
import { readSettings } from './settings';
import { resolveOutputDir, resolveTarget } from './target';
import { WorkerRuns } from './workerRuns';

export const SWEEP_COMMAND = 'segment.chooseNumberOfClusters';
/** The k view's export button (the panel runs it with the k-selection file, k and covariance type). */
export const EXPORT_K_COMMAND = 'segment.exportFromKSelection';
/** The largest k the command accepts: a sweep fits every k three times. */
export const MAX_SWEEP_K = 50;

export interface SweepOptions {
  /** Instead of the quick picks (the tests). */
  method?: MethodKey;
  kRange?: [number, number];
  covarianceTypes?: CovarianceType[];
  /** Test API only: overrides segment.worker.memoryLimitMB. */
  memoryLimitMb?: number;
}

export interface SweepOutcome {
  status: 'done' | 'cancelled' | 'failed' | 'dismissed';
  /** The CSV's URI, as a string. */
  target?: string;
  result?: SweepSummary;
  error?: { code: string; message: string };
  killed?: boolean;
}

export interface SweeperContext {
  workerPath: string;
  log: vscode.LogOutputChannel;
  state: vscode.Memento;
  /** The column choice remembered per CSV by the exports: the sweep clusters on the same columns. */
  memory: ChoiceMemory;
  runner: Runner;
  /** Shows files in the cluster panel, `focus` in front. */
  openPanel(files: vscode.Uri[], focus?: vscode.Uri): void;
}

/** The k range typed in the input box, or why not (the input box shows it). */
export function kRangeProblem(text: string): string | undefined {
  const parsed = parseKRangeText(text, 'The k range');
  if (parsed.error !== undefined) return parsed.error;
  if (parsed.range[1] > MAX_SWEEP_K) return `The k range goes up to ${MAX_SWEEP_K} at most here (each k is fitted three times); use segment sweep for more.`;
  return undefined;
}

export class Sweeper extends WorkerRuns {
  private readonly sweeps: SweepMemory;

  constructor(private readonly ctx: SweeperContext) {
    super(ctx);
    this.sweeps = new SweepMemory(ctx.state);
  }

  async sweep(arg: unknown, options: SweepOptions = {}): Promise<SweepOutcome> {
    let target;
    try {
      target = await resolveTarget(arg);
    } catch (error) {
      return this.fail({ code: 'FILE_UNREADABLE', message: `Segment could not read the CSV: ${(error as Error).message}` });
    }
    if (!target) return { status: 'dismissed' };
    const base = { target: target.uri.toString() };
    const settings = readSettings(target.uri);
    const method = options.method ?? (await pickMethod(target.name));
    if (!method) return { status: 'dismissed', ...base };
    let covarianceTypes = options.covarianceTypes;
    if (method === 'gmm' && !covarianceTypes) {
      covarianceTypes = await pickCovarianceTypes(target.name, settings.params.gmm.covarianceType ?? 'full');
      if (!covarianceTypes) return { status: 'dismissed', ...base };
    }
    const kRange = options.kRange ?? (await askKRange(target.name));
    if (!kRange) return { status: 'dismissed', ...base };
    const outputDir = await resolveOutputDir(target, settings.outputFolder);
    if (!outputDir) return { status: 'dismissed', ...base };

    // The export's request for this CSV (settings and the columns remembered for it), without its k.
    const remembered = this.ctx.memory.get(target.uri);
    const run = buildRequest([method], target, settings, remembered ?? { nClusters: kRange[0] }, outputDir, {});
    // The sweep's k replaces the number of clusters.
    const common: SweepRunRequest['common'] = { ...run.common };
    delete common.nClusters;
    const request: SweepRunRequest = {
      type: 'sweep',
      source: target.source,
      method,
      kRange,
      ...(method === 'gmm' ? { covarianceTypes } : {}),
      prepare: run.prepare,
      common,
      params: run.params,
      outputDir,
      now: Date.now(),
      memoryLimitMb: options.memoryLimitMb ?? settings.memoryLimitMb,
    };
    const label = METHOD_LABELS[method].title;
    this.ctx.log.info(
      `── ${label} sweep k = ${kRange[0]}..${kRange[1]}${covarianceTypes && method === 'gmm' ? ` (${covarianceTypes.join(', ')} covariance)` : ''} of ${target.uri.scheme === 'file' ? target.uri.fsPath : target.uri.toString()}; writing to ${outputDir}`,
    );
    const outcome = await this.runWithProgress(`Segment: how many segments? ${label} k = ${kRange[0]}..${kRange[1]} on ${target.name}`, request);
    if (outcome.status === 'failed') return { ...base, ...this.fail(outcome.error ?? { code: 'INTERNAL', message: 'Segment failed.' }) };
    if (outcome.status === 'cancelled') {
      this.ctx.log.info(`cancelled${outcome.killed ? ' (the worker was killed)' : ''}; nothing was written`);
      vscode.window.setStatusBarMessage('$(circle-slash) Segment: cancelled, nothing was written', 5000);
      return { ...base, ...outcome };
    }
    const result = outcome.result!;
    await this.sweeps.set([result.json, result.yaml], { method, csv: target.uri.toString(), prepare: request.prepare, common: request.common, params: request.params });
    this.ctx.log.info(`wrote ${result.json} and ${result.yaml}; recommended k = ${result.recommendation.k}: ${result.recommendation.reason}`);
    if (result.nFailed > 0) this.ctx.log.warn(`${result.nFailed} of ${result.nFits} fits failed: see ${result.json}`);
    this.ctx.openPanel([vscode.Uri.file(result.json)]);
    return { ...base, status: 'done', result };
  }

  /**
   * "Export profile with k = N" in the k view of `file`: the export of the
   * sweep's CSV with its options and this k (and covariance type), then the
   * profile in the panel beside the k view.
   */
  async exportK(file: vscode.Uri, k: number, covarianceType?: string): Promise<RunOutcome | undefined> {
    const name = path.posix.basename(file.path);
    if (!isKSelectionUri(file)) {
      void vscode.window.showErrorMessage(`Segment: ${name} is not a k-selection file.`);
      return undefined;
    }
    let record = this.sweeps.get(file.scheme === 'file' ? file.fsPath : file.toString());
    if (!record) {
      const csvNear = vscode.Uri.joinPath(file, '..');
      const settings = readSettings(csvNear);
      const fromFile = await recordFromFile(file, { prepare: settings.prepare, common: settings.common, params: settings.params });
      if ('error' in fromFile) {
        this.fail({ code: 'FILE_UNREADABLE', message: `${fromFile.error}. Run Choose Number of Clusters… on the CSV again.` });
        return undefined;
      }
      record = fromFile;
    }
    return this.exportRecord(record, k, covarianceType);
  }

  private async exportRecord(record: SweepRecord, k: number, covarianceType?: string): Promise<RunOutcome> {
    const { method } = record;
    const type = COVARIANCE_TYPES.find((c) => c === covarianceType);
    const params = method === 'gmm' && type ? { ...record.params, gmm: { ...record.params.gmm, covarianceType: type } } : record.params;
    const csv = vscode.Uri.parse(record.csv, true);
    this.ctx.log.info(`── export from the k view: ${METHOD_LABELS[method].title} with k = ${k}${type ? ` (${type} covariance)` : ''}`);
    const outcome = await this.ctx.runner.export([method], csv, { preset: { prepare: record.prepare, common: { ...record.common, nClusters: k }, params } });
    const profile = outcome.results?.[0];
    if (outcome.status === 'done' && profile) this.ctx.openPanel([vscode.Uri.file(profile.yaml)], vscode.Uri.file(profile.yaml));
    return outcome;
  }

  private runWithProgress(title: string, request: SweepRunRequest): Promise<Omit<SweepOutcome, 'target'>> {
    return this.runForAnswer(title, request, 'swept', (done, pid) => this.removeOutputs(request, done, pid));
  }

  private async removeOutputs(request: SweepRunRequest, done: SweepSummary | undefined, pid: number | undefined): Promise<void> {
    const finished = done ? [done.json, done.yaml] : [];
    await Promise.all(finished.map((file) => fs.rm(file, { force: true })));
    const leftovers = await removeRunFiles({ outputDir: request.outputDir, now: new Date(request.now), pid: pid ?? -1, methods: [request.method], kinds: ['k_selection'], strict: true });
    for (const file of new Set([...finished, ...leftovers])) this.ctx.log.info(`removed ${file} (the sweep was cancelled)`);
  }
}

async function pickMethod(csvName: string): Promise<MethodKey | undefined> {
  const criteria: Record<MethodKey, string> = {
    gmm: 'BIC and AIC, silhouette, Davies–Bouldin, Calinski–Harabasz, stability; recommends the lowest BIC',
    fuzzy: 'partition coefficient and entropy, silhouette, Davies–Bouldin, Calinski–Harabasz, stability; recommends the best silhouette among stable fits',
    neural: 'reconstruction error, silhouette, Davies–Bouldin, Calinski–Harabasz, stability; recommends the best silhouette among stable fits',
  };
  const picked = await vscode.window.showQuickPick(
    AVAILABLE_METHODS.map((method) => ({ label: METHOD_LABELS[method].name, detail: criteria[method], method })),
    { title: `Segment: how many segments in ${csvName}? (1/3) Method`, placeHolder: 'The method to fit with each k', ignoreFocusOut: true },
  );
  return picked?.method;
}

async function pickCovarianceTypes(csvName: string, configured: CovarianceType): Promise<CovarianceType[] | undefined> {
  const items = COVARIANCE_TYPES.map((type) => ({ label: type, description: type === configured ? 'segment.gmm.covarianceType setting' : undefined, picked: type === configured, type }));
  for (;;) {
    const picked = await vscode.window.showQuickPick(items, {
      title: `Segment: how many segments in ${csvName}? (2/3) Covariance types`,
      placeHolder: 'GMM: the covariance types to try with each k (each one is a curve on the charts)',
      canPickMany: true,
      ignoreFocusOut: true,
    });
    if (!picked) return undefined;
    if (picked.length > 0) return picked.map((p) => p.type);
    void vscode.window.showWarningMessage('Segment: choose at least one covariance type.');
  }
}

async function askKRange(csvName: string): Promise<[number, number] | undefined> {
  const text = await vscode.window.showInputBox({
    title: `Segment: how many segments in ${csvName}? (3/3) The numbers of clusters to try`,
    prompt: `From the smallest to the largest k, both included (e.g. ${DEFAULT_K_RANGE}); each k is fitted with three seeds for the stability`,
    value: DEFAULT_K_RANGE,
    ignoreFocusOut: true,
    validateInput: (value) => kRangeProblem(value),
  });
  if (text === undefined) return undefined;
  return parseKRangeText(text, 'The k range').range;
}
