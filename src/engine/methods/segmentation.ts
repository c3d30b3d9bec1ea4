/**
 * What every clustering method shares, as sklearn's BaseMixture owns the fit
 * loop: the seed's API (fitPredict, generateClusterProfile,
 * exportClusterProfile), caching the fit per dataset, progress phases and
 * cancellation between them, and writing the files. Each method supplies its
 * fit, its profile and the soft scores of its assignments table.
 */
import { throwIfAborted } from '../errors';
import type { PreparedData } from '../data/prepare';
import type { MethodKey, Profile } from '../profile/profile';
import type { RunControl } from '../progress';
import { assignmentsCsv, type SoftScores } from '../profile/assignments';
import { writeProfileFiles, type ExportResult } from '../profile/export';

export interface MethodFit {
  /** Hard labels in profile numbering (descending cluster size). */
  labels: Int32Array;
}

export interface ExportTarget {
  outputDir: string;
  /** The export's time (file names and timestamp); now by default. */
  now?: Date;
}

export abstract class Segmentation<Options extends object, Fit extends MethodFit> {
  readonly options: Readonly<Options>;
  private fitted: { data: PreparedData; fit: Fit } | undefined;

  protected constructor(
    readonly method: MethodKey,
    options: Options,
  ) {
    this.options = Object.freeze(options);
  }

  protected abstract fitData(data: PreparedData, control: RunControl): Fit;
  protected abstract buildProfile(data: PreparedData, fit: Fit, now: Date, signal?: AbortSignal): Profile;
  protected abstract softScores(fit: Fit): SoftScores;

  /** Fits once per dataset; later calls with the same data reuse the fit. */
  fit(data: PreparedData, control: RunControl = {}): Fit {
    const cached = this.fitted;
    if (cached && cached.data === data) return cached.fit;
    const fit = this.fitData(data, control);
    this.fitted = { data, fit };
    return fit;
  }

  /** Hard labels, numbered by descending cluster size. */
  fitPredict(data: PreparedData, control: RunControl = {}): Int32Array {
    return this.fit(data, control).labels;
  }

  generateClusterProfile(data: PreparedData, control: RunControl = {}, now: Date = new Date()): Profile {
    const fit = this.fit(data, control);
    throwIfAborted(control.signal);
    control.onProgress?.({ phase: 'metrics', message: 'computing silhouette and cluster statistics' });
    return this.buildProfile(data, fit, now, control.signal);
  }

  async exportClusterProfile(data: PreparedData, target: ExportTarget, control: RunControl = {}): Promise<ExportResult> {
    const now = target.now ?? new Date();
    const profile = this.generateClusterProfile(data, control, now);
    const fit = this.fit(data, control);
    throwIfAborted(control.signal);
    control.onProgress?.({ phase: 'write', message: 'writing profile files' });
    return writeProfileFiles({
      method: this.method,
      outputDir: target.outputDir,
      profile,
      assignments: assignmentsCsv(data, fit.labels, this.softScores(fit)),
      now,
    });
  }
}

/** Column names `{prefix}0` … `{prefix}{k−1}`. */
export function clusterColumns(prefix: string, k: number): string[] {
  return Array.from({ length: k }, (_, c) => `${prefix}${c}`);
}
