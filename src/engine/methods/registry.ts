/**
 * The method registry: one entry per clustering method, holding what runs
 * (its steps for the Segmentation base). What describes a method as data
 * (names, options, defaults, flags, settings) is in src/shared/methods.ts,
 * so the extension and the panel read it without the engine.
 */
import { METHOD_KEYS, type MethodKey, type MethodOptions } from '../../shared/methods';
import { FCM_STEPS } from './fuzzySegmentation';
import { GMM_STEPS } from './gmmSegmentation';
import { NEURAL_STEPS } from './neuralSegmentation';
import { OPTION_LABELS, type OptionNamer } from './options';
import { Segmentation, type MethodFit, type MethodSteps } from './segmentation';

const STEPS: { readonly [M in MethodKey]: MethodSteps<M, MethodFit> } = {
  gmm: GMM_STEPS as MethodSteps<'gmm', MethodFit>,
  fuzzy: FCM_STEPS as MethodSteps<'fuzzy', MethodFit>,
  neural: NEURAL_STEPS as MethodSteps<'neural', MethodFit>,
};

export { METHOD_KEYS };

/** A method with its options checked (INVALID_OPTION otherwise, the option named by `name`). */
export function createSegmentation<M extends MethodKey>(
  method: M,
  options: Partial<MethodOptions[M]> = {},
  name: OptionNamer = OPTION_LABELS,
): Segmentation<M, MethodFit> {
  return new Segmentation(STEPS[method] as MethodSteps<M, MethodFit>, options, name);
}

/** The steps a method's Segmentation runs, for a caller that drives them itself (a sweep over k). */
export function methodSteps<M extends MethodKey>(method: M): MethodSteps<M, MethodFit> {
  return STEPS[method] as MethodSteps<M, MethodFit>;
}
