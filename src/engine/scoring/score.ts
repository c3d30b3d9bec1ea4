/**
 * Scoring new rows with a model file, no refit (../shared/spec/PROFILE.md,
 * "Model file and scoring"): read and check the model, read the CSV with the
 * engine's reader, take the model's features by name, standardise with its
 * scaler, then assign each row as the fit assigned its own rows (GMM
 * posteriors and log-likelihoods, FCM memberships, Neural nearest latent
 * center). Writes `{method}_scores_{ts}.csv` (the assignments table's
 * columns; GMM adds log_likelihood and unusual) and, when asked, a profile
 * of the scored rows made by the method's own profile builder, with
 * metadata.scored_with naming the model file.
 */
import { readCsvText, type CsvTable } from '../data/csv';
import { readTableFile } from '../data/table';
import type { PreparedData } from '../data/prepare';
import { promises as fs } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { checkCancelFlag, throwIfAborted } from '../errors';
import { partitionCoefficient, partitionEntropy } from '../kernels/fcm';
import type { StandardisedSource } from '../kernels/standardise';
import { defaultThreadCount } from '../kernels/threads';
import { fcmProfile, centerSpread, type FcmFit } from '../methods/fuzzySegmentation';
import { gmmProfile, type GmmFit } from '../methods/gmmSegmentation';
import { meanSquaredError, memberMeansOf, neuralProfile, type NeuralFit } from '../methods/neuralSegmentation';
import { methodDefaults } from '../methods/options';
import { clusterColumns } from '../methods/segmentation';
import { assignmentsCsv, type SoftScores } from '../profile/assignments';
import { profileToJson, profileToYaml, writeFileSet, type CsvChunks, type FileSpec } from '../profile/export';
import { commonMetadata, fileStamp, type Json, type JsonObject, type Profile } from '../profile/profile';
import type { Progress, RunControl } from '../progress';
import type { MethodKey } from '../../shared/methods';
import type { CsvSource } from '../../shared/workerProtocol';
import { readFcmModel, scoreFcm } from './fuzzyModel';
import { readGmmModel, scoreGmm } from './gmmModel';
import { parseModel, readModelFile, type ModelCommon, type ModelReader } from './modelFile';
import { readNeuralModel, scoreNeural } from './neuralModel';
import { withColumnSections } from '../profile/categorical';
import { scoringColumns, scoringRows } from './rows';

export interface ScoreRequest {
  /** The model file. */
  model: string;
  /** The rows to score. */
  source: CsvSource;
  outputDir: string;
  /** Also write a profile of the scored rows. */
  profile?: boolean;
  /** The files' time stamp; now by default. */
  now?: Date;
  /** Threads for GMM's E-step and the profile's silhouette; the machine's default when absent. */
  threads?: number;
}

export interface ScoreHooks {
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
  onLog?: (message: string) => void;
  /** The model is read and checked, nothing is written yet: the method is known. */
  onModel?: (model: ModelCommon) => void;
  /** The rows are read; the model's features are taken from them next (the bench times the two apart). */
  onRowsRead?: (nRows: number) => void;
}

export interface ScoreResult {
  method: MethodKey;
  /** The model file. */
  model: string;
  /** The profile exported with the model: its name in the model file, beside the model. */
  trainingProfile: string;
  /** The scores CSV. */
  scores: string;
  /** The profile of the scored rows, with its files, when asked for. */
  json: string | null;
  yaml: string | null;
  profile: Profile | null;
  sourceFile: string;
  nRowsRead: number;
  nScored: number;
  nRowsDropped: number;
  nValuesImputed: number;
  /** Rows per cluster, by cluster number. */
  sizes: number[];
  /** GMM: the rows below the training's 1st percentile of log-likelihood. */
  unusual: { count: number; threshold: number } | null;
  warnings: string[];
}

/** What scoring found for the rows, and how to profile them. */
interface Scored {
  labels: Int32Array;
  soft: SoftScores;
  unusual: { count: number; threshold: number } | null;
  warnings: string[];
  /** The method's profile of the rows (metadata still that of a fit). */
  profile(now: Date, signal?: AbortSignal): Profile;
}

interface ScoreContext {
  data: PreparedData;
  /** The rows' columns to standardise as they are read (GMM), in place of data.z. */
  source: StandardisedSource;
  common: ModelCommon;
  threads: number;
  /** A profile will be asked for (the Neural method then also reconstructs the rows). */
  profile: boolean;
  control: RunControl;
}

/** A model file's method part, read and checked, ready to score rows. */
interface LoadedScorer {
  k: number;
  score: (context: ScoreContext) => Promise<Scored>;
}

type Scorer = (reader: ModelReader, d: number) => LoadedScorer;

export interface LoadedModel {
  common: ModelCommon;
  scorer: LoadedScorer;
}

/** A model file's text, every field checked (INVALID_MODEL naming the file and the field). */
export function parseModelText(text: string, fileName: string): LoadedModel {
  const { common, reader } = parseModel(text, fileName);
  return { common, scorer: SCORERS[common.method](reader, common.features.length) };
}

/** A model file from disk, every field checked. */
export async function readModel(path: string): Promise<LoadedModel> {
  const { common, reader } = await readModelFile(path);
  return { common, scorer: SCORERS[common.method](reader, common.features.length) };
}

/** Per method: read the model file's part, then score rows with it. */
const SCORERS: Record<MethodKey, Scorer> = {
  gmm: (reader, d) => {
    const scoring = readGmmModel(reader, d);
    const { k, model, unusualThreshold } = scoring;
    return {
      k,
      score: async ({ data, source, common, threads, control }) => {
        const { labels, resp, logLikelihoods, unusual } = scoreGmm(scoring, source, data.n, threads, control.onLog);
        const { n } = data;
        let count = 0;
        for (let i = 0; i < n; i++) count += unusual[i];
        let total = 0;
        for (const ll of logLikelihoods) total += ll;
        return {
          labels,
          soft: { columns: [...clusterColumns('prob_cluster_', k), 'log_likelihood', 'unusual'], values: resp, perRow: [logLikelihoods, unusual] },
          unusual: { count, threshold: unusualThreshold },
          warnings: [],
          profile: (now, signal) => {
            const options = { ...methodDefaults('gmm'), nClusters: k, covarianceType: model.covarianceType, randomSeed: seedOf(common), threads };
            const mean = total / n;
            const fit: GmmFit = {
              labels,
              resp,
              logLikelihoods,
              unusualThreshold,
              model,
              em: { lowerBound: mean, lowerBounds: [mean], nIterations: 0, converged: true, score: mean },
              regCovarUsed: options.regCovar,
              warnings: [],
            };
            return gmmProfile(data, fit, options, now, signal);
          },
        };
      },
    };
  },
  fuzzy: (reader, d) => {
    const scoring = readFcmModel(reader, d);
    const { k, m, centers } = scoring;
    return {
      k,
      score: async ({ data, common, threads }) => {
        const { n, z } = data;
        const { labels, memberships } = scoreFcm(scoring, z, n, d);
        return {
          labels,
          soft: { columns: clusterColumns('membership_cluster_', k), values: memberships },
          unusual: null,
          warnings: [],
          profile: (now, signal) => {
            const options = { ...methodDefaults('fuzzy'), nClusters: k, fuzziness: m, randomSeed: seedOf(common), threads };
            const fit: FcmFit = {
              labels,
              memberships,
              centers,
              objective: 0,
              nIterations: 0,
              converged: true,
              change: 0,
              partitionCoefficient: partitionCoefficient(memberships, n, k),
              partitionEntropy: partitionEntropy(memberships, n, k),
              spread: centerSpread(z, n, d, centers, k),
              warnings: [],
            };
            return fcmProfile(data, fit, options, now, signal);
          },
        };
      },
    };
  },
  neural: (reader, d) => {
    const scoring = readNeuralModel(reader, d);
    const { k, e, centers, weights } = scoring;
    return {
      k,
      score: async ({ data, common, threads, profile, control }) => {
        const { n, z } = data;
        const scores = await scoreNeural(scoring, z, n, profile, control);
        const { labels, distances, latent, reconstructed } = scores;
        return {
          labels,
          soft: { columns: ['distance_to_center'], values: distances },
          unusual: null,
          warnings: scores.warnings,
          profile: (now, signal) => {
            const options = { ...methodDefaults('neural'), nClusters: k, encodingDim: e, randomSeed: seedOf(common), threads };
            const fit: NeuralFit = {
              labels,
              encodingDim: e,
              latent,
              centers,
              distances,
              memberMeans: memberMeansOf(data, labels, k),
              architecture: weights.architecture,
              weights,
              backend: scoring.backend,
              tfjsVersion: '',
              lossHistory: [],
              reconstructionError: reconstructed ? meanSquaredError(reconstructed, z) : NaN,
              kmeans: { inertia: 0, nIterations: 0, converged: true, bestRestart: 0 },
              warnings: [],
            };
            return neuralProfile(data, fit, options, now, signal);
          },
        };
      },
    };
  },
};

/** The training's seed (it seeds the silhouette's sample), or the default. */
function seedOf(common: ModelCommon): number {
  const seed = common.training.random_seed;
  return typeof seed === 'number' && Number.isInteger(seed) && seed >= 0 ? seed : (methodDefaults(common.method).randomSeed as number);
}

export async function scoreRows(request: ScoreRequest, hooks: ScoreHooks = {}): Promise<ScoreResult> {
  const { signal } = hooks;
  const control: RunControl = { signal, onProgress: hooks.onProgress, onLog: hooks.onLog };
  const { common, scorer } = await readModel(request.model);
  hooks.onModel?.(common);
  throwIfAborted(signal);
  // Without a profile only the model's columns are looked at: the others are left unread.
  const table = await readTable(request.source, control, request.threads, request.profile === true ? undefined : scoringColumns(common));
  hooks.onRowsRead?.(table.nRows);
  const { data, source, warnings } = scoringRows(table, common, { describe: request.profile === true });
  throwIfAborted(signal);
  hooks.onProgress?.({ phase: 'fit', message: `scoring ${data.n.toLocaleString('en-US')} rows` });
  const threads = request.threads ?? defaultThreadCount();
  const scored = await scorer.score({ data, source, common, threads, profile: request.profile === true, control });
  throwIfAborted(signal);
  const sizes = Array.from({ length: scorer.k }, () => 0);
  for (const label of scored.labels) sizes[label]++;
  const allWarnings = [...warnings, ...scored.warnings, ...emptyClusters(sizes, data.n, request.profile === true)];
  const now = request.now ?? new Date();
  let profile: Profile | null = null;
  if (request.profile) {
    hooks.onProgress?.({ phase: 'metrics', message: 'computing silhouette and cluster statistics' });
    const built = withColumnSections(scored.profile(now, signal), data, scored.labels, scorer.k);
    profile = scoredProfile(built, data, common, allWarnings);
  }
  throwIfAborted(signal);
  hooks.onProgress?.({ phase: 'write', message: 'writing the scores' });
  const paths = await writeScoreFiles(request.outputDir, common.method, now, assignmentsCsv(data, scored.labels, scored.soft, threads), profile, signal);
  if (signal) checkCancelFlag(signal);
  if (signal?.aborted) {
    // A cancel that arrived while the files were being written still wins: they are taken back.
    await Promise.all(Object.values(paths).map((path) => fs.rm(path, { force: true })));
    throwIfAborted(signal);
  }
  return {
    method: common.method,
    model: request.model,
    // Only a name (the file is untrusted input): beside the model, never elsewhere.
    trainingProfile: join(dirname(request.model), basename(common.profile)),
    scores: paths.scores,
    json: paths.json ?? null,
    yaml: paths.yaml ?? null,
    profile,
    sourceFile: data.fileName,
    nRowsRead: data.nRowsRead,
    nScored: data.n,
    nRowsDropped: data.nRowsDropped,
    nValuesImputed: data.nValuesImputed,
    sizes,
    unusual: scored.unusual,
    warnings: allWarnings,
  };
}

function readTable(source: CsvSource, control: RunControl, threads: number | undefined, columns: string[] | undefined): Promise<CsvTable> {
  const read = {
    threads,
    columns,
    signal: control.signal,
    onProgress: (p: { rowsRead: number; bytesRead: number; totalBytes: number }) =>
      control.onProgress?.({
        phase: 'read',
        message: `reading ${p.rowsRead.toLocaleString('en-US')} rows`,
        fraction: p.totalBytes > 0 ? p.bytesRead / p.totalBytes : undefined,
      }),
  };
  return source.kind === 'file' ? readTableFile(source.path, read) : readCsvText(source.text, source.fileName, read);
}

/** Clusters no scored row went to (with a profile: their statistics are null). */
function emptyClusters(sizes: number[], n: number, profile: boolean): string[] {
  const empty = sizes.flatMap((size, c) => (size === 0 ? [`cluster_${c}`] : []));
  if (empty.length === 0) return [];
  const rows = n === 1 ? 'the 1 row' : `the ${n.toLocaleString('en-US')} rows`;
  const statistics = profile ? `, so ${empty.length === 1 ? 'its' : 'their'} statistics in the profile are null` : '';
  return [`${empty.join(', ')} got none of ${rows} scored${statistics}.`];
}

/**
 * A profile of the scored rows: the builder's metadata of the new data
 * (rows, source file, timestamp), the training's fit parameters in place of
 * those the builder would make up (convergence, iterations, losses: facts of
 * the fit, which the model carries in `training`), scored_with, and the
 * scoring's warnings; the metrics and clusters of the scored rows.
 */
function scoredProfile(built: Profile, data: PreparedData, common: ModelCommon, warnings: string[]): Profile {
  const own = (object: JsonObject, key: string) => Object.prototype.hasOwnProperty.call(object, key);
  const shared = new Set(
    Object.keys(commonMetadata({ method: common.method, data, k: 2, seed: 0, timestamp: '', silhouetteSampleSize: null })),
  );
  const entries: [string, Json][] = [];
  for (const [key, value] of Object.entries(built.metadata)) {
    if (key === 'warnings') continue;
    if (shared.has(key)) entries.push([key, value]);
    else if (own(common.training, key)) entries.push([key, common.training[key]]);
    if (key === 'source_file') entries.push(['scored_with', common.fileName]);
  }
  entries.push(['warnings', warnings]);
  const metadata: JsonObject = {};
  for (const [key, value] of entries) metadata[key] = value;
  return { ...built, metadata };
}

async function writeScoreFiles(
  outputDir: string,
  method: MethodKey,
  now: Date,
  scores: CsvChunks,
  profile: Profile | null,
  signal?: AbortSignal,
): Promise<{ scores: string; json?: string; yaml?: string }> {
  const stamp = fileStamp(now);
  const name = (kind: string, extension: string) => (suffix: string) => `${method}_${kind}_${stamp}${suffix}.${extension}`;
  type Key = 'scores' | 'yaml' | 'json';
  const files: Partial<Record<Key, FileSpec<Key>>> = { scores: { name: name('scores', 'csv'), content: scores } };
  if (profile) {
    // The JSON last, as for an export: beside its YAML it means the set is complete.
    files.yaml = { name: name('cluster_profile', 'yaml'), content: profileToYaml(profile) };
    files.json = { name: name('cluster_profile', 'json'), content: profileToJson(profile) };
  }
  return writeFileSet(outputDir, 'the scores', files as Record<Key, FileSpec<Key>>, signal);
}
