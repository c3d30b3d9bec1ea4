/**
 * k-selection files on the extension's side: recognising them, the last
 * recommendation for a CSV (which the exports' cluster pick offers), and
 * what an export from the k view needs to repeat the sweep's fit: the CSV
 * and the sweep's options, remembered per file when the sweep ran here,
 * else read back from the file (its seed, n_init and parameters) with the
 * CSV beside it.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { METHOD_OPTIONS, isMethodKey, type CovarianceType, type MethodKey, type MethodParams } from '../shared/methods';
import { criterionText } from '../shared/profile/kSelection';
import { isObj, own } from '../shared/profile/untrusted';
import type { CommonOptions } from '../shared/methods';
import type { PrepareSettings } from '../shared/workerProtocol';
import { readProfile } from './profiles';

/** {method}_k_selection_{YYYYMMDD_HHMMSS}[_n].json|yaml, as the engine names them. */
export const K_SELECTION_NAME = /^([a-z]+)_k_selection_(\d{8}_\d{6})(?:_(\d+))?\.(json|ya?ml)$/i;

export function isKSelectionUri(uri: vscode.Uri): boolean {
  return K_SELECTION_NAME.test(path.posix.basename(uri.path));
}

export interface LastRecommendation {
  method: MethodKey;
  k: number;
  covarianceType?: CovarianceType;
  /** "lowest BIC". */
  criterion: string;
  file: string;
}

/**
 * The recommendation of the newest k-selection JSON of one of `methods` in
 * these folders whose source_file is `csvName`; undefined when there is none.
 */
export async function lastRecommendation(folders: readonly string[], csvName: string, methods: readonly MethodKey[]): Promise<LastRecommendation | undefined> {
  const candidates: { file: string; stamp: string; method: MethodKey }[] = [];
  for (const folder of new Set(folders.map((f) => path.resolve(f)))) {
    for (const name of await fs.readdir(folder).catch(() => [] as string[])) {
      const m = K_SELECTION_NAME.exec(name);
      if (!m || m[4].toLowerCase() !== 'json' || !isMethodKey(m[1]) || !methods.includes(m[1])) continue;
      candidates.push({ file: path.join(folder, name), stamp: `${m[2]}_${(m[3] ?? '0').padStart(4, '0')}`, method: m[1] });
    }
  }
  candidates.sort((a, b) => b.stamp.localeCompare(a.stamp));
  for (const c of candidates.slice(0, 50)) {
    const doc = await fs.readFile(c.file, 'utf8').then(
      (text) => JSON.parse(text) as unknown,
      () => undefined,
    );
    if (!isObj(doc) || !isObj(doc.metadata) || own(doc.metadata, 'source_file') !== csvName || !isObj(doc.recommendation)) continue;
    const { k, covariance_type: cov, criterion } = doc.recommendation;
    if (typeof k !== 'number' || !Number.isInteger(k)) continue;
    return {
      method: c.method,
      k,
      ...(typeof cov === 'string' ? { covarianceType: cov as CovarianceType } : {}),
      criterion: typeof criterion === 'string' ? criterionText(criterion) : 'the sweep’s criterion',
      file: c.file,
    };
  }
  return undefined;
}

/** What a sweep ran with: enough to export any of its fits as the method's own export would. */
export interface SweepRecord {
  method: MethodKey;
  /** The CSV's URI, as a string. */
  csv: string;
  prepare: PrepareSettings;
  common: Partial<CommonOptions>;
  params: MethodParams;
}

const STATE_KEY = 'segment.sweeps';
const MAX_REMEMBERED = 100;

/** The sweeps run in this workspace, by the paths of their k-selection files. */
export class SweepMemory {
  constructor(private readonly state: vscode.Memento) {}

  get(file: string): SweepRecord | undefined {
    return this.state.get<Record<string, SweepRecord & { at: number }>>(STATE_KEY, {})[file];
  }

  async set(files: readonly string[], record: SweepRecord): Promise<void> {
    const all = { ...this.state.get<Record<string, SweepRecord & { at: number }>>(STATE_KEY, {}) };
    for (const file of files) all[file] = { ...record, at: Date.now() };
    const kept = Object.entries(all)
      .sort((a, b) => b[1].at - a[1].at)
      .slice(0, MAX_REMEMBERED);
    await this.state.update(STATE_KEY, Object.fromEntries(kept));
  }
}

/**
 * For a k-selection file not swept here (the CLI's): the CSV named by its
 * source_file beside it, and its seed, n_init and parameters over the
 * settings'. Undefined (with why) when the file cannot be read or names no CSV there.
 */
export async function recordFromFile(
  file: vscode.Uri,
  base: { prepare: PrepareSettings; common: Partial<CommonOptions>; params: MethodParams },
): Promise<SweepRecord | { error: string }> {
  const read = await readProfile(file);
  if (read.error !== undefined) return { error: `${path.posix.basename(file.path)} could not be read: ${read.error}` };
  const doc = read.profile;
  const metadata = isObj(doc) && isObj(doc.metadata) ? doc.metadata : {};
  const method = K_SELECTION_NAME.exec(path.posix.basename(file.path))?.[1]?.toLowerCase();
  if (!isMethodKey(method)) return { error: `${path.posix.basename(file.path)} does not name its method (gmm_, fuzzy_ or neural_k_selection_…)` };
  const source = own(metadata, 'source_file');
  if (typeof source !== 'string' || source !== path.basename(source)) return { error: `${path.posix.basename(file.path)} does not name the CSV it swept (metadata.source_file)` };
  const csv = vscode.Uri.joinPath(file, '..', source);
  try {
    await vscode.workspace.fs.stat(csv);
  } catch {
    return { error: `${source}, the CSV the sweep ran on, is not beside ${path.posix.basename(file.path)}` };
  }
  const common: Partial<CommonOptions> = { ...base.common };
  const seed = own(metadata, 'random_seed');
  if (typeof seed === 'number') common.randomSeed = seed;
  const params = { ...base.params, [method]: { ...base.params[method] } } as MethodParams;
  const methodParams = params[method] as Record<string, unknown>;
  const nInit = own(metadata, 'n_init');
  if (typeof nInit === 'number') methodParams.nInit = nInit;
  const parameters = isObj(own(metadata, 'parameters')) ? (own(metadata, 'parameters') as Record<string, unknown>) : {};
  // The file's parameters are the method's own options, snake_case (document.ts).
  for (const spec of METHOD_OPTIONS[method]) {
    const value = own(parameters, spec.key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`));
    if (value !== undefined && value !== null) methodParams[spec.key] = value;
  }
  return { method, csv: csv.toString(), prepare: base.prepare, common, params };
}
