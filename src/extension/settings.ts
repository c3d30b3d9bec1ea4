/**
 * The `segment.*` settings, read for the CSV at hand (folder settings win),
 * turned into the worker's request fields. Bounds and defaults are declared
 * in package.json; the engine checks the values again and explains a bad one.
 */
import * as vscode from 'vscode';
import type { CommonSettings, MethodSettings, MissingPolicy, PrepareSettings } from '../shared/workerProtocol';

export interface Settings {
  common: CommonSettings;
  prepare: PrepareSettings;
  params: MethodSettings;
  /** As written in the setting: '' means beside the CSV. */
  outputFolder: string;
  confirmBeforeRun: boolean;
  memoryLimitMb: number;
}

export function readSettings(resource: vscode.Uri | undefined): Settings {
  const config = vscode.workspace.getConfiguration('segment', resource);
  const get = <T>(key: string, fallback: T): T => config.get<T>(key, fallback) ?? fallback;
  const list = (key: string) => get<string[]>(key, []).map((s) => String(s).trim()).filter((s) => s.length > 0);
  return {
    common: {
      nClusters: get('clusters', 4),
      randomSeed: get('seed', 42),
      silhouetteSampleSize: get('silhouetteSampleSize', 20000),
      threads: get('threads', 0),
    },
    prepare: {
      columns: list('columns'),
      exclude: list('excludeColumns'),
      missing: get<MissingPolicy>('missingValues', 'drop'),
    },
    params: {
      gmm: {
        covarianceType: get('gmm.covarianceType', 'full'),
        nInit: get('gmm.nInit', 1),
        maxIter: get('gmm.maxIter', 100),
        tol: get('gmm.tol', 1e-3),
        regCovar: get('gmm.regCovar', 1e-6),
      },
      fuzzy: {
        fuzziness: get('fuzzy.m', 2),
        maxIterations: get('fuzzy.maxIterations', 150),
        convergenceThreshold: get('fuzzy.threshold', 1e-5),
        nInit: get('fuzzy.nInit', 1),
      },
      neural: {
        encodingDim: get('neural.encodingDim', 10),
        epochs: get('neural.epochs', 100),
        batchSize: get('neural.batchSize', 32),
        learningRate: get('neural.learningRate', 1e-3),
        backend: get('neural.backend', 'auto'),
        nInit: get('neural.nInit', 10),
      },
    },
    outputFolder: get('outputFolder', '').trim(),
    confirmBeforeRun: get('confirmBeforeRun', true),
    memoryLimitMb: get('worker.memoryLimitMB', 0),
  };
}
