/** The methods the extension offers, one command each, and "Export All" over them. */
import { METHOD_LABELS, type MethodKey } from '../shared/methods';

export interface MethodCommand {
  method: MethodKey;
  command: string;
  /** As in the command title "Export GMM Profile". */
  title: string;
}

export const METHOD_COMMANDS: readonly MethodCommand[] = [
  { method: 'gmm', command: 'segment.exportGmm', title: METHOD_LABELS.gmm.title },
  { method: 'fuzzy', command: 'segment.exportFuzzy', title: METHOD_LABELS.fuzzy.title },
  { method: 'neural', command: 'segment.exportNeural', title: METHOD_LABELS.neural.title },
];

export const AVAILABLE_METHODS: readonly MethodKey[] = METHOD_COMMANDS.map((c) => c.method);

export const COMMANDS = {
  exportAll: 'segment.exportAll',
  showLog: 'segment.showLog',
} as const;

export function methodsTitle(methods: readonly MethodKey[]): string {
  return methods.length === 1 ? `${METHOD_LABELS[methods[0]].title} profile` : `${methods.length} profiles`;
}
