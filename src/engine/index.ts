/** The engine's public surface: what the CLI, the worker and scripts import. */
export {
  SegmentError,
  cancelFlagSignal,
  checkCancelFlag,
  isSegmentError,
  raiseCancelFlag,
  throwIfAborted,
  type SegmentErrorCode,
} from './errors';
export { printable } from './printable';
export { loadDataset, loadDatasetFromText } from './data/dataset';
export { isParquetPath, readParquet } from './data/parquet';
export { originalValues, prepareFeatures } from './data/prepare';
export type { OriginalColumn, PreparedData, PrepareOptions, MissingPolicy } from './data/prepare';
export type { Progress, RunControl, Phase } from './progress';
export { GaussianMixtureSegmentation, GMM_DEFAULTS, type GmmOptions, type GmmFit } from './methods/gmmSegmentation';
export { FuzzyCMeansSegmentation, FCM_DEFAULTS, type FcmOptions, type FcmFit } from './methods/fuzzySegmentation';
export { fuzzyCMeans, runFuzzyCMeans, type FcmParameters, type FcmResult, type FcmStep } from './kernels/fcm';
export { NeuralSegmentation, NEURAL_DEFAULTS, type NeuralOptions, type NeuralFit } from './methods/neuralSegmentation';
export { createSegmentation } from './methods/registry';
export { Segmentation } from './methods/segmentation';
export {
  InvalidOptionError,
  OPTION_FLAGS,
  OPTION_LABELS,
  OPTION_SETTINGS,
  methodDefaults,
  resolveOptions,
  type OptionNamer,
} from './methods/options';
export { exportMethods, type ExportHooks, type ExportRequest, type MethodExport, type MethodRun, type ProgressSource } from './pipeline';
export {
  BACKEND_CHOICES,
  COMMON_OPTIONS,
  COVARIANCE_TYPES,
  DATA_OPTIONS,
  METHOD_KEYS,
  METHOD_LABELS,
  METHOD_OPTIONS,
  chosenByEngine,
  isMethodKey,
  optionSpecs,
  type BackendChoice,
  type CovarianceType,
  type MethodKey,
  type MethodOptions,
  type OptionSpec,
} from '../shared/methods';
export type { ExportTarget } from './methods/segmentation';
export type { ExportResult } from './profile/export';
export type { Profile } from './profile/profile';
export { TOOL_NAME, TOOL_VERSION } from './version';
export { buildSegmentPrompt, estimateTokens, PROMPT_DEFAULTS, type PromptOptions, type SegmentPrompt } from './llm/prompt';
export { readProfileFile } from './profile/profileFile';
export { scoreRows, type ScoreHooks, type ScoreRequest, type ScoreResult } from './scoring/score';
export { MODEL_FORMAT, readModelFile, type ModelCommon } from './scoring/modelFile';
export { SQL_DIALECTS, writeSqlJob, type SqlDialect, type SqlJobOptions } from './scaleout/sql';
export {
  applySegmentNames,
  parseSegmentNames,
  profilePair,
  replaceProfileFiles,
  reportPathFor,
  ReportWriter,
  type ParsedNames,
  type SegmentName,
} from './profile/segmentNames';
export { sweepToFiles, type SweepFiles, type SweepFilesRequest, type SweepHooks } from './sweep/run';
export { isSuccess, stabilitySeeds, type SweepFit, type SweepResult, type SweepSuccess } from './sweep/sweep';
export { fitName, type Recommendation } from './sweep/recommend';
