/**
 * The `segment.*` settings, read for the CSV at hand (folder settings win),
 * turned into the worker's request fields. The method options are read by
 * the registry's specs (src/shared/methods.ts), so a setting and its engine
 * option cannot drift apart; package.json declares the same settings (a unit
 * test checks that its defaults and bounds equal the specs'). The engine
 * checks the values again and names a bad one by its setting.
 */
import * as vscode from 'vscode';
import {
  AUTO_SETTING,
  chosenByEngine,
  COMMON_OPTIONS,
  DATA_OPTIONS,
  METHOD_KEYS,
  METHOD_OPTIONS,
  type CommonOptions,
  type MethodParams,
  type OptionSpec,
} from '../shared/methods';
import type { CategoricalMode, MissingPolicy, PrepareSettings } from '../shared/workerProtocol';

export interface Settings {
  /** nClusters is always there: the quick pick starts from it. */
  common: Partial<CommonOptions> & { nClusters: number };
  prepare: PrepareSettings;
  params: MethodParams;
  /** As written in the setting: '' means beside the CSV. */
  outputFolder: string;
  confirmBeforeRun: boolean;
  memoryLimitMb: number;
}

/** Each option's setting, as the engine's option; an 'auto' option's 0 leaves the choice to the engine. */
function readOptions(config: vscode.WorkspaceConfiguration, specs: readonly OptionSpec[]): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  for (const spec of specs) {
    if (!spec.setting) continue;
    const value = config.get<unknown>(spec.setting);
    if (value === undefined || value === null) continue;
    options[spec.key] = chosenByEngine(spec) && value === AUTO_SETTING ? 'auto' : value;
  }
  return options;
}

export function readSettings(resource: vscode.Uri | undefined): Settings {
  const config = vscode.workspace.getConfiguration('segment', resource);
  const get = <T>(key: string, fallback: T): T => config.get<T>(key, fallback) ?? fallback;
  const list = (key: string) => get<string[]>(key, []).map((s) => String(s).trim()).filter((s) => s.length > 0);
  const common = readOptions(config, COMMON_OPTIONS) as Partial<CommonOptions>;
  const params = Object.fromEntries(METHOD_KEYS.map((m) => [m, readOptions(config, METHOD_OPTIONS[m])])) as MethodParams;
  return {
    common: { ...common, nClusters: common.nClusters ?? Number(COMMON_OPTIONS.find((s) => s.key === 'nClusters')?.default) },
    prepare: {
      columns: list('columns'),
      exclude: list('excludeColumns'),
      missing: get<MissingPolicy>('missingValues', 'drop'),
      categorical: get<CategoricalMode>('categorical', 'describe'),
      sample: readOptions(config, DATA_OPTIONS).sampleRows as number | 'auto' | undefined,
    },
    params,
    outputFolder: get('outputFolder', '').trim(),
    confirmBeforeRun: get('confirmBeforeRun', true),
    memoryLimitMb: get('worker.memoryLimitMB', 0),
  };
}
