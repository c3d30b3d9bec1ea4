/**
 * One entry per clustering method the CLI offers: its flags and how it turns
 * them into an export. `segment <method> <file.csv>` looks it up here.
 */
import {
  COVARIANCE_TYPES,
  FCM_DEFAULTS,
  FuzzyCMeansSegmentation,
  GMM_DEFAULTS,
  GaussianMixtureSegmentation,
  type CovarianceType,
  type ExportResult,
  type PreparedData,
  type RunControl,
} from '../engine';
import type { FlagSpec, FlagValues } from './args';

export interface MethodCommand {
  name: string;
  /** One line for the usage text. */
  summary: string;
  defaults: { nClusters: number; randomSeed: number; silhouetteSampleSize: number };
  flags: FlagSpec[];
  run(data: PreparedData, flags: FlagValues, common: CommonSettings, outputDir: string, control: RunControl): Promise<ExportResult>;
}

export interface CommonSettings {
  nClusters: number;
  randomSeed: number;
  silhouetteSampleSize: number;
}

function value<T>(flags: FlagValues, name: string, fallback: T): T {
  return (flags[name] as T | undefined) ?? fallback;
}

const gmm: MethodCommand = {
  name: 'gmm',
  summary: 'Gaussian Mixture Model (EM, as scikit-learn)',
  defaults: GMM_DEFAULTS,
  flags: [
    { name: 'covariance', kind: 'string', value: 'TYPE', choices: COVARIANCE_TYPES, help: 'covariance type: full (default), tied, diag or spherical' },
    { name: 'n-init', kind: 'int', value: 'N', help: `restarts; the best lower bound is kept (default ${GMM_DEFAULTS.nInit})` },
    { name: 'max-iter', kind: 'int', value: 'N', help: `EM iterations at most (default ${GMM_DEFAULTS.maxIter})` },
    { name: 'tol', kind: 'number', value: 'X', help: `stop when the mean log-likelihood changes by less (default ${GMM_DEFAULTS.tol})` },
    { name: 'reg-covar', kind: 'number', value: 'X', help: `added to covariance diagonals (default ${GMM_DEFAULTS.regCovar})` },
  ],
  run(data, flags, common, outputDir, control) {
    const model = new GaussianMixtureSegmentation({
      ...common,
      covarianceType: value<CovarianceType>(flags, 'covariance', GMM_DEFAULTS.covarianceType),
      nInit: value(flags, 'n-init', GMM_DEFAULTS.nInit),
      maxIter: value(flags, 'max-iter', GMM_DEFAULTS.maxIter),
      tol: value(flags, 'tol', GMM_DEFAULTS.tol),
      regCovar: value(flags, 'reg-covar', GMM_DEFAULTS.regCovar),
    });
    return model.exportClusterProfile(data, { outputDir }, control);
  },
};

const fuzzy: MethodCommand = {
  name: 'fuzzy',
  summary: 'Fuzzy C-Means (as scikit-fuzzy\'s cmeans)',
  defaults: FCM_DEFAULTS,
  flags: [
    { name: 'm', kind: 'number', value: 'X', help: `fuzziness, greater than 1; near 1 is almost crisp (default ${FCM_DEFAULTS.fuzziness})` },
    { name: 'max-iter', kind: 'int', value: 'N', help: `membership updates at most (default ${FCM_DEFAULTS.maxIterations})` },
    { name: 'threshold', kind: 'number', value: 'X', help: `stop when the memberships change by less (Frobenius norm; default ${FCM_DEFAULTS.convergenceThreshold})` },
    { name: 'n-init', kind: 'int', value: 'N', help: `restarts; the lowest objective J_m is kept (default ${FCM_DEFAULTS.nInit})` },
  ],
  run(data, flags, common, outputDir, control) {
    const model = new FuzzyCMeansSegmentation({
      ...common,
      fuzziness: value(flags, 'm', FCM_DEFAULTS.fuzziness),
      maxIterations: value(flags, 'max-iter', FCM_DEFAULTS.maxIterations),
      convergenceThreshold: value(flags, 'threshold', FCM_DEFAULTS.convergenceThreshold),
      nInit: value(flags, 'n-init', FCM_DEFAULTS.nInit),
    });
    return model.exportClusterProfile(data, { outputDir }, control);
  },
};

export const METHOD_COMMANDS: readonly MethodCommand[] = [gmm, fuzzy];
