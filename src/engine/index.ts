/** The engine's public surface: what the CLI, the worker and scripts import. */
export { SegmentError, isSegmentError, throwIfAborted, type SegmentErrorCode } from './errors';
export { loadDataset, loadDatasetFromText } from './dataset';
export type { PreparedData, PrepareOptions, MissingPolicy } from './prepare';
export type { Progress, RunControl, Phase } from './progress';
export { GaussianMixtureSegmentation, GMM_DEFAULTS, type GmmOptions, type GmmFit } from './gmmSegmentation';
export { COVARIANCE_TYPES, type CovarianceType } from './gmm';
export { FuzzyCMeansSegmentation, FCM_DEFAULTS, type FcmOptions, type FcmFit } from './fuzzySegmentation';
export { fuzzyCMeans, runFuzzyCMeans, type FcmParameters, type FcmResult, type FcmStep } from './fcm';
export {
  NeuralSegmentation,
  NEURAL_DEFAULTS,
  BACKEND_CHOICES,
  type BackendChoice,
  type NeuralOptions,
  type NeuralFit,
} from './neuralSegmentation';
export type { ExportTarget } from './segmentation';
export type { ExportResult } from './export';
export type { Profile, MethodKey } from './profile';
export { METHOD_NAMES } from './profile';
export { TOOL_NAME, TOOL_VERSION } from './version';
export { buildSegmentPrompt, estimateTokens, PROMPT_DEFAULTS, type PromptOptions, type SegmentPrompt } from './prompt';
export { parseProfileText, readProfileFile } from './profileFile';
export {
  applySegmentNames,
  parseSegmentNames,
  profilePair,
  replaceProfileFiles,
  reportPathFor,
  ReportWriter,
  type ParsedNames,
  type SegmentName,
} from './segmentNames';
