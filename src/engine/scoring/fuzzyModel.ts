/**
 * Fuzzy C-Means in a model file, and scoring rows with it: the fuzziness m
 * and the centers (profile cluster order, standardised), and one membership
 * update from them (scikit-fuzzy's cmeans_predict), the update the fit ends
 * with (src/engine/kernels/fcm.ts).
 */
import { membershipsFromCenters } from '../kernels/fcm';
import { hardLabels, type JsonObject } from '../profile/profile';
import type { FcmFit, FcmOptions } from '../methods/fuzzySegmentation';
import { nested, type ModelReader } from './modelFile';

/** The model file's Fuzzy C-Means part. */
export function fcmModelJson(fit: FcmFit, options: FcmOptions): JsonObject {
  const k = options.nClusters;
  return { m: options.fuzziness, centers: nested(fit.centers, [k, fit.centers.length / k]) };
}

export interface FcmScoringModel {
  k: number;
  m: number;
  /** k×d, standardised. */
  centers: Float64Array;
}

/** The Fuzzy C-Means part of a model file with d features, checked. */
export function readFcmModel(reader: ModelReader, d: number): FcmScoringModel {
  const m = reader.number('m', (v) => v > 1, 'a number greater than 1');
  const list = reader.get('centers');
  const k = Array.isArray(list) ? list.length : 0;
  if (k < 2) reader.fail('centers', `at least 2 lists of ${d} numbers (one per cluster)`);
  return { k, m, centers: reader.matrix('centers', k, d) };
}

export interface FcmScores {
  labels: Int32Array;
  /** n×k memberships. */
  memberships: Float64Array;
}

export function scoreFcm(scoring: FcmScoringModel, z: Float64Array, n: number, d: number): FcmScores {
  const memberships = membershipsFromCenters(z, n, d, scoring.centers, scoring.k, scoring.m);
  return { labels: hardLabels(memberships, n, scoring.k), memberships };
}
