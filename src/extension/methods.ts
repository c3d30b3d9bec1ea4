/** The methods the extension offers, one command each, and "Export All" over them. */
import { METHOD_TITLES, type MethodId } from '../shared/workerProtocol';

export interface MethodCommand {
  method: MethodId;
  command: string;
  /** As in the command title "Export GMM Profile". */
  title: string;
}

export const METHOD_COMMANDS: readonly MethodCommand[] = [
  { method: 'gmm', command: 'segment.exportGmm', title: METHOD_TITLES.gmm },
  { method: 'fuzzy', command: 'segment.exportFuzzy', title: METHOD_TITLES.fuzzy },
  { method: 'neural', command: 'segment.exportNeural', title: METHOD_TITLES.neural },
];

export const AVAILABLE_METHODS: readonly MethodId[] = METHOD_COMMANDS.map((c) => c.method);

export const COMMANDS = {
  exportAll: 'segment.exportAll',
  showLog: 'segment.showLog',
} as const;

export function methodsTitle(methods: readonly MethodId[]): string {
  return methods.length === 1 ? `${METHOD_TITLES[methods[0]]} profile` : `${methods.length} profiles`;
}
