/**
 * The k-selection file (PROFILE.md, "Choosing k"):
 * `{method}_k_selection_{YYYYMMDD_HHMMSS}.json` and `.yaml`, the same
 * document in both, written as profiles are (never over a file, never half a
 * file; the JSON last).
 */
import { METHOD_LABELS, optionSpecs } from '../../shared/methods';
import type { PreparedData } from '../data/prepare';
import { profileToJson, profileToYaml, writeNewFiles } from '../profile/export';
import { fileStamp, isoLocal, type Json, type JsonObject } from '../profile/profile';
import { TOOL_NAME, TOOL_VERSION } from '../version';
import { KNEEDLE_SENSITIVITY } from './kneedle';
import { STABILITY_THRESHOLD, smallClusterRows } from './recommend';
import { STABILITY_STREAMS, isSuccess, type SweepFit, type SweepResult } from './sweep';

/** Options that are not parameters of the fits (the k is the sweep's; the threads change nothing). */
const NOT_PARAMETERS = new Set(['nClusters', 'randomSeed', 'silhouetteSampleSize', 'threads', 'covarianceType', 'nInit']);

export function kSelectionDocument(result: SweepResult, data: PreparedData, now: Date): JsonObject {
  const { method, options } = result;
  const success = result.fits.find(isSuccess);
  const parameters: JsonObject = {};
  for (const spec of optionSpecs(method)) {
    if (!NOT_PARAMETERS.has(spec.key)) parameters[snakeCase(spec.key)] = (options as unknown as Record<string, Json>)[spec.key];
  }
  const { recommendation } = result;
  return {
    metadata: {
      method: METHOD_LABELS[method].name,
      timestamp: isoLocal(now),
      source_file: data.fileName,
      n_rows_read: data.nRowsRead,
      n_rows_dropped: data.nRowsDropped,
      missing_values: data.missing,
      n_samples: data.n,
      features: [...data.features],
      k_values: [...result.kValues],
      ...(result.covarianceTypes ? { covariance_types: [...result.covarianceTypes] } : {}),
      n_init: options.nInit,
      random_seed: options.randomSeed,
      stability_seeds: [...result.seeds],
      stability_seeds_derivation: `the seed, then deriveSeed(seed, ${STABILITY_STREAMS.join(') and deriveSeed(seed, ')})`,
      stability_threshold: STABILITY_THRESHOLD,
      small_cluster_rows: smallClusterRows(data.n),
      knee_method: 'kneedle (Satopää et al. 2011)',
      knee_sensitivity: KNEEDLE_SENSITIVITY,
      silhouette_sample_size: success?.silhouetteSampleSize ?? null,
      parameters,
      n_fits_failed: result.fits.length - result.fits.filter(isSuccess).length,
      tool: { name: TOOL_NAME, version: TOOL_VERSION },
    },
    results: result.fits.map(resultEntry),
    recommendation: {
      k: recommendation.k,
      ...(recommendation.covarianceType ? { covariance_type: recommendation.covarianceType } : {}),
      criterion: recommendation.criterion,
      reason: recommendation.reason,
    },
  };
}

function resultEntry(fit: SweepFit): JsonObject {
  const key: JsonObject = { k: fit.k, ...(fit.covarianceType ? { covariance_type: fit.covarianceType } : {}) };
  if (!isSuccess(fit)) return { ...key, error: fit.error.message };
  return {
    ...key,
    ...fit.metrics,
    stability_ari: fit.stabilityAri,
    converged: fit.converged,
    n_iterations: fit.nIterations,
    sizes: [...fit.sizes],
    warnings: [...fit.warnings],
  };
}

function snakeCase(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

export interface KSelectionPaths {
  json: string;
  yaml: string;
}

/** Writes the document's JSON and YAML into the folder, the YAML first. */
export async function writeKSelectionFiles(outputDir: string, method: SweepResult['method'], document: JsonObject, now: Date): Promise<KSelectionPaths> {
  const name = (extension: string) => (suffix: string) => `${method}_k_selection_${fileStamp(now)}${suffix}.${extension}`;
  const [yaml, json] = await writeNewFiles(outputDir, [
    { name: name('yaml'), content: profileToYaml(document) },
    { name: name('json'), content: profileToJson(document) },
  ]);
  return { json, yaml };
}
