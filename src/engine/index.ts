/** The engine's public surface: what the CLI, the worker and scripts import. */
export { SegmentError, isSegmentError, throwIfAborted, type SegmentErrorCode } from './errors';
export { printable } from './printable';
export { loadDataset, loadDatasetFromText } from './data/dataset';
export type { PreparedData, PrepareOptions, MissingPolicy } from './data/prepare';
export type { Progress, RunControl, Phase } from './progress';
export { GaussianMixtureSegmentation, GMM_DEFAULTS, type GmmOptions, type GmmFit } from './methods/gmmSegmentation';
export { COVARIANCE_TYPES, type CovarianceType } from './kernels/gmm';
export { FuzzyCMeansSegmentation, FCM_DEFAULTS, type FcmOptions, type FcmFit } from './methods/fuzzySegmentation';
export { fuzzyCMeans, runFuzzyCMeans, type FcmParameters, type FcmResult, type FcmStep } from './kernels/fcm';
export {
  NeuralSegmentation,
  NEURAL_DEFAULTS,
  BACKEND_CHOICES,
  type BackendChoice,
  type NeuralOptions,
  type NeuralFit,
} from './methods/neuralSegmentation';
export type { ExportTarget } from './methods/segmentation';
export type { ExportResult } from './profile/export';
export type { Profile, MethodKey } from './profile/profile';
export { METHOD_NAMES } from './profile/profile';
export { TOOL_NAME, TOOL_VERSION } from './version';
export { buildSegmentPrompt, estimateTokens, PROMPT_DEFAULTS, type PromptOptions, type SegmentPrompt } from './llm/prompt';
export { parseProfileText, readProfileFile } from './profile/profileFile';
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
