/**
 * Before a run: two quick picks confirm (or change) the number of clusters
 * and the columns. The answers are remembered per file in workspaceState and
 * offered first next time. `segment.confirmBeforeRun: false` skips both.
 */
import * as vscode from 'vscode';
import type { InspectColumn } from '../shared/workerProtocol';

export interface RunChoice {
  nClusters: number;
  /** Explicit columns; undefined: the automatic choice (with segment.excludeColumns). */
  columns?: string[];
}

const STATE_KEY = 'segment.runChoices';
const MAX_REMEMBERED = 200;
const CLUSTER_CHOICES = [2, 3, 4, 5, 6, 7, 8, 10, 12, 15, 20];

type Remembered = Record<string, RunChoice & { at: number }>;

export class ChoiceMemory {
  constructor(private readonly state: vscode.Memento) {}

  get(uri: vscode.Uri): RunChoice | undefined {
    const entry = this.state.get<Remembered>(STATE_KEY, {})[uri.toString()];
    return entry ? { nClusters: entry.nClusters, columns: entry.columns } : undefined;
  }

  async set(uri: vscode.Uri, choice: RunChoice): Promise<void> {
    const all = { ...this.state.get<Remembered>(STATE_KEY, {}), [uri.toString()]: { ...choice, at: Date.now() } };
    // Keep the most recent ones only.
    const kept = Object.entries(all)
      .sort((a, b) => b[1].at - a[1].at)
      .slice(0, MAX_REMEMBERED);
    await this.state.update(STATE_KEY, Object.fromEntries(kept));
  }
}

interface ClusterItem extends vscode.QuickPickItem {
  k: number;
}

interface ColumnItem extends vscode.QuickPickItem {
  column: string;
}

/**
 * Shows the two steps. `columns` is what the worker found in a sample of the
 * file (undefined when it could not read one: the columns step is skipped).
 * Resolves undefined when the user dismisses either step.
 */
export async function confirmRun(options: {
  title: string;
  initial: RunChoice;
  /** Where `initial` comes from, shown beside its cluster count. */
  initialNote: string;
  /** segment.columns: explicit columns from the settings, if any. */
  configuredColumns: string[];
  columns: InspectColumn[] | undefined;
}): Promise<RunChoice | undefined> {
  const steps = options.columns ? 2 : 1;
  let k: number | undefined = options.initial.nClusters;
  for (;;) {
    k = await pickClusters(options.title, steps, k ?? options.initial.nClusters, options.initialNote);
    if (k === undefined) return undefined;
    if (!options.columns) return { nClusters: k, columns: options.initial.columns };
    const picked = await pickColumns(options.title, options.columns, options.initial.columns ?? options.configuredColumns);
    if (picked === 'back') continue;
    if (picked === undefined) return undefined;
    const automatic = options.columns.filter((c) => c.selected).map((c) => c.name);
    const same = options.configuredColumns.length === 0 && picked.length === automatic.length && picked.every((c) => automatic.includes(c));
    return { nClusters: k, columns: same ? undefined : picked };
  }
}

function pickClusters(title: string, steps: number, current: number, note: string): Promise<number | undefined> {
  const pick = vscode.window.createQuickPick<ClusterItem>();
  pick.title = `${title} (1/${steps})`;
  pick.placeholder = `Number of clusters: Enter keeps ${current}, or type another number`;
  pick.ignoreFocusOut = true;
  const base = [...new Set([current, ...CLUSTER_CHOICES])].sort((a, b) => a - b);
  const itemsFor = (typed?: number): ClusterItem[] =>
    [...new Set([...(typed ? [typed] : []), ...base])].sort((a, b) => a - b).map((k) => ({
      k,
      label: `${k} clusters`,
      description: k === current ? note : undefined,
    }));
  pick.items = itemsFor();
  pick.activeItems = pick.items.filter((i) => i.k === current);
  pick.onDidChangeValue((value) => {
    const typed = /^\s*\d+\s*$/.test(value) ? Number(value) : undefined;
    if (typed !== undefined && typed >= 2 && typed <= 10_000 && !base.includes(typed)) {
      pick.items = itemsFor(typed);
    } else if (pick.items.length !== base.length) {
      pick.items = itemsFor();
    }
  });
  return new Promise((resolve) => {
    pick.onDidAccept(() => {
      const item = pick.selectedItems[0] ?? pick.activeItems[0];
      resolve(item?.k);
      pick.hide();
    });
    pick.onDidHide(() => {
      resolve(undefined);
      pick.dispose();
    });
    pick.show();
  });
}

function pickColumns(title: string, columns: InspectColumn[], preferred: string[]): Promise<string[] | 'back' | undefined> {
  const pick = vscode.window.createQuickPick<ColumnItem>();
  pick.title = `${title} (2/2)`;
  pick.placeholder = 'Columns to cluster on (Enter accepts)';
  pick.canSelectMany = true;
  pick.ignoreFocusOut = true;
  pick.matchOnDescription = true;
  pick.buttons = [vscode.QuickInputButtons.Back];
  const items: ColumnItem[] = columns.map((c) => ({
    column: c.name,
    label: c.name,
    description: c.reason ? `left out: ${c.reason}` : undefined,
  }));
  pick.items = items;
  const wanted = preferred.filter((name) => columns.some((c) => c.name === name));
  pick.selectedItems = wanted.length > 0 ? items.filter((i) => wanted.includes(i.column)) : items.filter((_, index) => columns[index].selected);
  return new Promise((resolve) => {
    pick.onDidTriggerButton((button) => {
      if (button === vscode.QuickInputButtons.Back) {
        resolve('back');
        pick.hide();
      }
    });
    pick.onDidAccept(() => {
      const chosen = pick.selectedItems.map((i) => i.column);
      if (chosen.length === 0) {
        void vscode.window.showWarningMessage('Segment: choose at least one column to cluster on.');
        return;
      }
      // The engine uses them in CSV order whatever order they come in.
      resolve(chosen);
      pick.hide();
    });
    pick.onDidHide(() => {
      resolve(undefined);
      pick.dispose();
    });
    pick.show();
  });
}
