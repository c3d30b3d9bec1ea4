/**
 * Before a run: quick picks confirm (or change) the number of clusters, the
 * columns to cluster on and, among the others, those to describe only (the
 * rest is left out); each column shows its kind and level count. The answers
 * are remembered per file in workspaceState and offered first next time.
 * `segment.confirmBeforeRun: false` skips them.
 */
import * as vscode from 'vscode';
import type { InspectColumn } from '../shared/workerProtocol';
import { columnChoice, describable, describedByDefault, kindText, type ColumnChoice } from './columnChoice';

export interface RunChoice extends ColumnChoice {
  nClusters: number;
  /** Explicit columns; undefined: the automatic choice (with segment.excludeColumns). */
  columns?: string[];
  /** The columns ticked as "describe only" (remembered to tick them again). */
  described?: string[];
}

const STATE_KEY = 'segment.runChoices';
const MAX_REMEMBERED = 200;
const CLUSTER_CHOICES = [2, 3, 4, 5, 6, 7, 8, 10, 12, 15, 20];

type Remembered = Record<string, RunChoice & { at: number }>;

export class ChoiceMemory {
  constructor(private readonly state: vscode.Memento) {}

  get(uri: vscode.Uri): RunChoice | undefined {
    const entry = this.state.get<Remembered>(STATE_KEY, {})[uri.toString()];
    if (!entry) return undefined;
    const { nClusters, columns, describe, exclude, described } = entry;
    return { nClusters, columns, describe, exclude, described };
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
 * Shows the steps. `columns` is what the worker found in a sample of the
 * file (undefined when it could not read one: the column steps are skipped).
 * Resolves undefined when the user dismisses a step.
 */
export async function confirmRun(options: {
  title: string;
  initial: RunChoice;
  /** Where `initial` comes from, shown beside its cluster count. */
  initialNote: string;
  /** The last sweep's recommendation for this file, shown beside its cluster count. */
  recommended?: { k: number; note: string };
  /** segment.columns: explicit columns from the settings, if any. */
  configuredColumns: string[];
  /** segment.excludeColumns. */
  configuredExclude: string[];
  columns: InspectColumn[] | undefined;
}): Promise<RunChoice | undefined> {
  const { columns, initial } = options;
  const steps = columns ? 3 : 1;
  let k: number | undefined = initial.nClusters;
  for (;;) {
    k = await pickClusters(options.title, steps, k ?? initial.nClusters, options.initialNote, options.recommended);
    if (k === undefined) return undefined;
    if (!columns) return { ...initial, nClusters: k };
    for (;;) {
      const picked = await pickColumns(options.title, columns, initial.columns ?? options.configuredColumns);
      if (picked === 'back') break;
      if (picked === undefined) return undefined;
      const explicit = options.configuredColumns.length > 0;
      const candidates = describable(columns, picked);
      const ticked = (initial.described ?? describedByDefault(columns, picked, explicit)).filter((name) => candidates.some((c) => c.name === name));
      const described = candidates.length ? await pickDescribed(options.title, candidates, ticked) : [];
      if (described === 'back') continue;
      if (described === undefined) return undefined;
      return { nClusters: k, described, ...columnChoice(columns, picked, described, options.configuredExclude, explicit) };
    }
  }
}

function pickClusters(title: string, steps: number, current: number, note: string, recommended?: { k: number; note: string }): Promise<number | undefined> {
  const pick = vscode.window.createQuickPick<ClusterItem>();
  pick.title = `${title} (1/${steps})`;
  pick.placeholder = `Number of clusters: Enter keeps ${current}, or type another number`;
  pick.ignoreFocusOut = true;
  const base = [...new Set([current, ...(recommended ? [recommended.k] : []), ...CLUSTER_CHOICES])].sort((a, b) => a - b);
  // "4 clusters — recommended by the last sweep (lowest BIC)", beside where the current number comes from.
  const describe = (k: number) => [k === current ? note : undefined, k === recommended?.k ? recommended.note : undefined].filter(Boolean).join(' · ') || undefined;
  const itemsFor = (typed?: number): ClusterItem[] =>
    [...new Set([...(typed ? [typed] : []), ...base])].sort((a, b) => a - b).map((k) => ({
      k,
      label: `${k} clusters`,
      description: describe(k),
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

/** "categorical · 3 levels — described, not clustered": the column's kind, and what the automatic choice does with it. */
function columnDescription(c: InspectColumn): string | undefined {
  const what = c.role === 'descriptor' ? 'described only' : c.reason ? `left out: ${c.reason}` : undefined;
  return [kindText(c), what].filter(Boolean).join(' — ') || undefined;
}

function pickColumns(title: string, columns: InspectColumn[], preferred: string[]): Promise<string[] | 'back' | undefined> {
  const items: ColumnItem[] = columns.map((c) => ({ column: c.name, label: c.name, description: columnDescription(c) }));
  const wanted = preferred.filter((name) => columns.some((c) => c.name === name));
  const selected = wanted.length > 0 ? items.filter((i) => wanted.includes(i.column)) : items.filter((_, index) => columns[index].selected);
  return pickMany(`${title} (2/3)`, 'Columns to cluster on (Enter accepts)', items, selected, 'Segment: choose at least one column to cluster on.');
}

/** Among the columns not clustered: those to describe per cluster; the others are left out. */
function pickDescribed(title: string, columns: InspectColumn[], ticked: string[]): Promise<string[] | 'back' | undefined> {
  const items: ColumnItem[] = columns.map((c) => ({ column: c.name, label: c.name, description: kindText(c) || undefined }));
  const selected = items.filter((i) => ticked.includes(i.column));
  return pickMany(`${title} (3/3)`, 'Columns to describe per cluster without clustering on them; the others are left out (Enter accepts)', items, selected);
}

/** A multi-select step with a Back button; `needOne` refuses an empty answer with that warning. */
function pickMany(title: string, placeholder: string, items: ColumnItem[], selected: ColumnItem[], needOne?: string): Promise<string[] | 'back' | undefined> {
  const pick = vscode.window.createQuickPick<ColumnItem>();
  pick.title = title;
  pick.placeholder = placeholder;
  pick.canSelectMany = true;
  pick.ignoreFocusOut = true;
  pick.matchOnDescription = true;
  pick.buttons = [vscode.QuickInputButtons.Back];
  pick.items = items;
  pick.selectedItems = selected;
  return new Promise((resolve) => {
    pick.onDidTriggerButton((button) => {
      if (button === vscode.QuickInputButtons.Back) {
        resolve('back');
        pick.hide();
      }
    });
    pick.onDidAccept(() => {
      const chosen = pick.selectedItems.map((i) => i.column);
      if (chosen.length === 0 && needOne) {
        void vscode.window.showWarningMessage(needOne);
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
