/**
 * What every clustering method shares, as scikit-learn's BaseMixture owns
 * the fit loop: the seed's API (fitPredict, generateClusterProfile,
 * exportClusterProfile, all asynchronous because the Neural method trains
 * asynchronously), checked options, the data check before any work, caching
 * the fit per dataset, progress phases and cancellation between them, and
 * writing the files. Each method supplies only its steps in a MethodSteps.
 */
import type { MethodKey, MethodOptions } from '../../shared/methods';
import type { PreparedData } from '../data/prepare';
import { SegmentError, throwIfAborted } from '../errors';
import type { RunControl } from '../progress';
import { assignmentsCsv, type SoftScores } from '../profile/assignments';
import { writeProfileFiles, type ExportResult } from '../profile/export';
import type { Profile } from '../profile/profile';
import { OPTION_LABELS, resolveOptions, type OptionNamer } from './options';

export interface MethodFit {
  /** Hard labels in profile numbering (descending cluster size). */
  labels: Int32Array;
}

export interface ExportTarget {
  outputDir: string;
  /** The export's time (file names and timestamp); now by default. */
  now?: Date;
}

/** The steps a method supplies; the base runs them in order. */
export interface MethodSteps<M extends MethodKey, Fit extends MethodFit> {
  method: M;
  /** Throws what fitting would throw for this data (beyond too few rows), before any work. */
  checkData?(data: PreparedData, options: MethodOptions[M], name: OptionNamer): void;
  fit(data: PreparedData, options: MethodOptions[M], control: RunControl): Fit | Promise<Fit>;
  profile(data: PreparedData, fit: Fit, options: MethodOptions[M], now: Date, signal?: AbortSignal): Profile;
  /** The assignments table's columns after `cluster`. */
  softScores(fit: Fit, options: MethodOptions[M]): SoftScores;
}

export class Segmentation<M extends MethodKey, Fit extends MethodFit> {
  readonly method: M;
  /** Frozen. */
  readonly options: MethodOptions[M];
  private fitted: { data: PreparedData; fit: Promise<Fit> } | undefined;

  /** Invalid options throw here (INVALID_OPTION), named by `name`: labels in the API, flags on the CLI, settings in VS Code. */
  constructor(
    private readonly steps: MethodSteps<M, Fit>,
    options: Partial<MethodOptions[M]> = {},
    private readonly name: OptionNamer = OPTION_LABELS,
  ) {
    this.method = steps.method;
    this.options = resolveOptions(steps.method, options, name);
    Object.freeze(this.options);
  }

  /** Throws what fitting would throw for this data, before any work. */
  checkData(data: PreparedData): void {
    requireEnoughRows(data, this.options.nClusters);
    this.steps.checkData?.(data, this.options, this.name);
  }

  /** Fits once per dataset; later calls with the same data reuse the fit (a failed fit is not kept). */
  fit(data: PreparedData, control: RunControl = {}): Promise<Fit> {
    const cached = this.fitted;
    if (cached && cached.data === data) return cached.fit;
    const fit = (async () => {
      this.checkData(data);
      throwIfAborted(control.signal);
      return this.steps.fit(data, this.options, control);
    })();
    this.fitted = { data, fit };
    fit.catch(() => {
      if (this.fitted?.fit === fit) this.fitted = undefined;
    });
    return fit;
  }

  /** Hard labels, numbered by descending cluster size. */
  async fitPredict(data: PreparedData, control: RunControl = {}): Promise<Int32Array> {
    return (await this.fit(data, control)).labels;
  }

  async generateClusterProfile(data: PreparedData, control: RunControl = {}, now: Date = new Date()): Promise<Profile> {
    const fit = await this.fit(data, control);
    throwIfAborted(control.signal);
    control.onProgress?.({ phase: 'metrics', message: 'computing silhouette and cluster statistics' });
    return this.steps.profile(data, fit, this.options, now, control.signal);
  }

  async exportClusterProfile(data: PreparedData, target: ExportTarget, control: RunControl = {}): Promise<ExportResult> {
    const now = target.now ?? new Date();
    const profile = await this.generateClusterProfile(data, control, now);
    const fit = await this.fit(data, control);
    throwIfAborted(control.signal);
    control.onProgress?.({ phase: 'write', message: 'writing profile files' });
    return writeProfileFiles({
      method: this.method,
      outputDir: target.outputDir,
      profile,
      assignments: assignmentsCsv(data, fit.labels, this.steps.softScores(fit, this.options)),
      now,
    });
  }
}

/** Every method needs at least as many rows as clusters. */
export function requireEnoughRows(data: PreparedData, k: number): void {
  if (data.n >= k) return;
  const dropped = data.nRowsDropped > 0 ? ` (${data.nRowsDropped} rows with missing values were dropped)` : '';
  throw new SegmentError(
    'TOO_FEW_ROWS',
    `There ${data.n === 1 ? 'is 1 row' : `are ${data.n} rows`} to cluster${dropped} but ${k} clusters were asked for. ` +
      `Ask for at most ${data.n} clusters, or use a file with more rows.`,
  );
}

/** Column names `{prefix}0` … `{prefix}{k−1}`. */
export function clusterColumns(prefix: string, k: number): string[] {
  return Array.from({ length: k }, (_, c) => `${prefix}${c}`);
}
