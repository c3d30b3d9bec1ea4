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
import type { JsonObject, KnownSilhouettes, Profile } from '../profile/profile';
import { withColumnSections } from '../profile/categorical';
import { droppedRowsWarning, nearConstantWarnings } from '../profile/warnings';
import { modelDocument, modelFileText } from '../scoring/modelFile';
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
  profile(data: PreparedData, fit: Fit, options: MethodOptions[M], now: Date, signal?: AbortSignal, known?: KnownSilhouettes): Profile;
  /** The assignments table's columns after `cluster`. */
  softScores(fit: Fit, options: MethodOptions[M]): SoftScores;
  /** Warnings about this fit the base cannot see (GMM: a variance collapsed to the reg_covar floor), named by `name`. */
  warnings?(data: PreparedData, fit: Fit, options: MethodOptions[M], name: OptionNamer): string[];
  /** The model file's method part (src/engine/scoring/modelFile.ts): the fitted model in standardised space, profile cluster order. */
  model(fit: Fit, options: MethodOptions[M], data: PreparedData): JsonObject;
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
    const profile = withColumnSections(this.steps.profile(data, fit, this.options, now, control.signal), data, fit.labels, this.options.nClusters);
    const warnings = profile.metadata.warnings as string[];
    const empty = emptyClustersWarning(data, fit.labels, this.options.nClusters);
    if (empty) warnings.push(empty);
    const dropped = droppedRowsWarning(data, this.name);
    if (dropped) warnings.push(dropped);
    warnings.push(...nearConstantWarnings(data, this.name), ...(this.steps.warnings?.(data, fit, this.options, this.name) ?? []));
    return profile;
  }

  async exportClusterProfile(data: PreparedData, target: ExportTarget, control: RunControl = {}): Promise<ExportResult> {
    const now = target.now ?? new Date();
    const profile = await this.generateClusterProfile(data, control, now);
    const fit = await this.fit(data, control);
    throwIfAborted(control.signal);
    control.onProgress?.({ phase: 'write', message: 'writing profile files' });
    const model = this.steps.model(fit, this.options, data);
    return writeProfileFiles({
      method: this.method,
      outputDir: target.outputDir,
      profile,
      assignments: assignmentsCsv(data, fit.labels, this.steps.softScores(fit, this.options), this.options.threads),
      model: (profileFile) => modelFileText(modelDocument(this.method, data, model, profile.metadata, profileFile)),
      now,
      signal: control.signal,
    });
  }
}

/**
 * Every method needs more rows than clusters: with one row per cluster the
 * silhouette and the Davies–Bouldin index are undefined.
 */
export function requireEnoughRows(data: PreparedData, k: number): void {
  const { n } = data;
  if (n > k) return;
  const dropped = data.nRowsDropped > 0 ? ` (${data.nRowsDropped} rows with missing values were dropped)` : '';
  const rows = n === 1 ? 'is 1 row' : `are ${n} rows`;
  const advice = n >= 3 ? `Ask for at most ${n - 1} clusters, or use a file with more rows.` : 'Clustering needs at least 3 rows: use a file with more rows.';
  throw new SegmentError(
    'TOO_FEW_ROWS',
    n === k
      ? `There ${rows} to cluster${dropped} and ${k} clusters were asked for: every row would be a cluster of its own, ` +
          `and the silhouette and the Davies–Bouldin index are undefined. ${advice}`
      : `There ${rows} to cluster${dropped} but ${k} clusters were asked for. ${advice}`,
  );
}

/** Column names `{prefix}0` … `{prefix}{k−1}`. */
export function clusterColumns(prefix: string, k: number): string[] {
  return Array.from({ length: k }, (_, c) => `${prefix}${c}`);
}

/** Says which clusters ended up without a member (their statistics are null) and how many distinct points the data hold. */
export function emptyClustersWarning(data: PreparedData, labels: Int32Array, k: number): string | undefined {
  const sizes = new Int32Array(k);
  for (const label of labels) sizes[label]++;
  const empty = [...sizes.keys()].filter((c) => sizes[c] === 0).map((c) => `cluster_${c}`);
  if (empty.length === 0) return undefined;
  const distinct = new Set<string>();
  for (let i = 0; i < data.n; i++) distinct.add(data.z.subarray(i * data.d, (i + 1) * data.d).join(','));
  const which = empty.length === 1 ? `${empty[0]} ended up with no customers, so its statistics are null` : `${empty.join(', ')} ended up with no customers, so their statistics are null`;
  return (
    `${which}. The data hold ${distinct.size} distinct ${distinct.size === 1 ? 'point' : 'points'} for ${k} clusters: ` +
    `ask for at most ${Math.max(2, Math.min(distinct.size, k - empty.length))} clusters.`
  );
}
