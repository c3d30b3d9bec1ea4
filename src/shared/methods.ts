/**
 * The clustering methods: the one key of each (in file names, commands,
 * messages and settings) and the one table of what each is called where.
 * Browser-safe: the engine, the worker protocol, the extension and the
 * panel all import it.
 */

export type MethodKey = 'gmm' | 'fuzzy' | 'neural';

export interface MethodLabels {
  /** A profile's metadata.method (../shared/spec/PROFILE.md) and the CLI's summary: "Fuzzy C-Means (FCM)". */
  name: string;
  /** VS Code's commands, progress and notifications: "Export Fuzzy C-Means Profile". */
  title: string;
  /** The panel's header and profile labels: "FCM · k = 4 · …". */
  short: string;
}

export const METHOD_LABELS: Readonly<Record<MethodKey, MethodLabels>> = {
  gmm: { name: 'Gaussian Mixture Model (GMM)', title: 'GMM', short: 'GMM' },
  fuzzy: { name: 'Fuzzy C-Means (FCM)', title: 'Fuzzy C-Means', short: 'FCM' },
  neural: { name: 'Neural Network (Autoencoder + K-Means)', title: 'Neural Network', short: 'Neural' },
};

export function isMethodKey(value: unknown): value is MethodKey {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(METHOD_LABELS, value);
}
