/** The methods the extension offers, one command each, and "Export All" over them. */
import { METHOD_KEYS, METHOD_LABELS, type MethodKey } from '../shared/methods';

export interface ExportCommand {
  method: MethodKey;
  command: string;
}

/** segment.exportGmm, segment.exportFuzzy, segment.exportNeural (package.json declares them; a test checks both agree). */
export const EXPORT_COMMANDS: readonly ExportCommand[] = METHOD_KEYS.map((method) => ({
  method,
  command: `segment.export${method[0].toUpperCase()}${method.slice(1)}`,
}));

export const AVAILABLE_METHODS: readonly MethodKey[] = METHOD_KEYS;

export const COMMANDS = {
  exportAll: 'segment.exportAll',
  showLog: 'segment.showLog',
} as const;

export function methodsTitle(methods: readonly MethodKey[]): string {
  return methods.length === 1 ? `${METHOD_LABELS[methods[0]].title} profile` : `${methods.length} profiles`;
}
