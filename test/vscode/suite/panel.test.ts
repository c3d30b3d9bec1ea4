/**
 * The cluster panel in a real VS Code extension host: opened from a profile
 * through the commands, the serializer registered and restoring a panel from
 * its saved state, the file watcher and the save listener posting again after
 * an edit or a deletion, and untrusted files (broken YAML, an alias bomb, a
 * self-referencing anchor) turned into messages. What the webview received
 * is read from the extension's test API (clusterPanel.lastPosted/onDidPost).
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { after, afterEach, before, describe, it } from 'mocha';
import * as vscode from 'vscode';
import type { SegmentApi } from '../../../src/extension/extension';
import type { RunOutcome } from '../../../src/extension/runner';
import { DEFAULT_STATE, PANEL_VIEW_TYPE, type PanelState, type ShowMessage } from '../../../src/shared/panelProtocol';
import { buildPanelModel, orderHeatRows } from '../../../src/shared/profile';

const EXTENSION_ID = 'segment-profiles.segment-profiles';

let api: SegmentApi;
let root: string;
let examples: string;

export function definePanelTests(): void {
  describe('Cluster panel', () => {
    before(async () => {
      const extension = vscode.extensions.getExtension<SegmentApi>(EXTENSION_ID);
      assert.ok(extension);
      api = await extension.activate();
      root = vscode.workspace.workspaceFolders![0].uri.fsPath;
      examples = path.join(extension.extensionPath, 'examples', 'customers.csv');
      await vscode.workspace.getConfiguration('segment').update('confirmBeforeRun', false, vscode.ConfigurationTarget.Workspace);
    });

    after(async () => {
      await vscode.workspace.getConfiguration('segment').update('confirmBeforeRun', undefined, vscode.ConfigurationTarget.Workspace);
    });

    afterEach(async () => {
      api.clusterPanel.close();
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    });

    it('registers a serializer for segment.clusterPanel and activates on onWebviewPanel', async () => {
      const extension = vscode.extensions.getExtension(EXTENSION_ID)!;
      assert.ok((extension.packageJSON.activationEvents as string[]).includes(`onWebviewPanel:${PANEL_VIEW_TYPE}`));
      // VS Code allows one serializer per view type: registering a second one fails while ours is registered.
      assert.throws(
        () => vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, { deserializeWebviewPanel: async () => undefined }).dispose(),
        /already registered/i,
      );
    });

    it('Open in Cluster Panel shows a profile: the webview receives the parsed file', async () => {
      const { yaml, json } = await exportGmm('panel-open');
      const posted = nextPost((m) => m.profiles.some((p) => p.path === yaml));
      const tab = nextPanelTab();
      const shown = await vscode.commands.executeCommand<vscode.Uri[]>('segment.openInClusterPanel', vscode.Uri.file(yaml));
      assert.deepEqual(shown.map((u) => u.fsPath), [yaml]);
      const message = await posted;
      assert.equal(message.profiles.length, 1);
      assert.equal(message.focus, yaml);
      assert.equal(message.profiles[0].error, undefined);
      // The YAML, parsed, is the same document as the JSON written beside it.
      assert.deepEqual(message.profiles[0].profile, JSON.parse(await fs.readFile(json, 'utf8')));
      const panelTab = await tab;
      assert.equal(panelTab.label, 'Clusters: customers.csv');
      assert.deepEqual(api.clusterPanel.paths, [yaml]);

      // Opening another profile reuses the panel.
      const posted2 = nextPost((m) => m.profiles.some((p) => p.path === json));
      await vscode.commands.executeCommand('segment.openInClusterPanel', vscode.Uri.file(json));
      await posted2;
      assert.equal(webviewTabs().length, 1);
    });

    it('posts again when the YAML is edited and saved, says when it breaks, and when it is deleted', async () => {
      const { yaml } = await exportGmm('panel-live');
      const first = nextPost((m) => m.profiles[0]?.path === yaml);
      api.clusterPanel.open([vscode.Uri.file(yaml)]);
      await first;

      // A person adds a segment name in an editor beside the panel (in the panel's group it would hide it) and saves.
      const editor = await vscode.window.showTextDocument(vscode.Uri.file(yaml), { viewColumn: vscode.ViewColumn.Beside });
      const line = findLine(editor.document, /^ {2}cluster_0:$/);
      const named = nextPost((m) => clusterField(m, 'cluster_0', 'segment_name') === 'VIP Champions');
      await editor.edit((edit) => edit.insert(new vscode.Position(line + 1, 0), '    segment_name: VIP Champions\n'));
      assert.ok(await editor.document.save());
      await named;

      // A broken file on disk (a tool rewrote it): a readable message, with the line.
      const broken = nextPost((m) => typeof m.profiles[0]?.error === 'string');
      await fs.writeFile(yaml, (await fs.readFile(yaml, 'utf8')).replace(/^ {2}cluster_1:$/m, ' cluster_1:'));
      const message = (await broken).profiles[0].error!;
      assert.match(message, /^it is not valid YAML: .+ \(line \d+, column \d+\)$/);

      // Deleted: the panel says so.
      const gone = nextPost((m) => /no longer there/.test(m.profiles[0]?.error ?? ''));
      await fs.rm(yaml);
      await gone;
    });

    it('Open Cluster Panel on a CSV: one export opens directly; several offer a pick with the newest preselected', async () => {
      const { csv, yaml } = await exportGmm('panel-pick');
      const direct = await vscode.commands.executeCommand<vscode.Uri[]>('segment.openClusterPanel', csv);
      assert.deepEqual(direct.map((u) => u.fsPath), [yaml]);
      await delay(1100); // a new timestamp
      const fuzzy = await command('segment.exportFuzzy', csv);
      assert.equal(fuzzy.status, 'done');
      const picking = vscode.commands.executeCommand<vscode.Uri[] | undefined>('segment.openClusterPanel', csv);
      await delay(800);
      await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
      const picked = await picking;
      assert.deepEqual(picked?.map((u) => u.fsPath), [fuzzy.results![0].yaml]);
    });

    it('the mixed example: its categorical shares with lift reach the panel (cluster cards, Categories, heat map)', async () => {
      const dir = await folder('panel-mixed');
      const csv = vscode.Uri.file(path.join(dir, 'customers_mixed.csv'));
      await fs.copyFile(path.join(path.dirname(examples), 'customers_mixed.csv'), csv.fsPath);
      const outcome = await command('segment.exportGmm', csv);
      assert.equal(outcome.status, 'done', JSON.stringify(outcome.error));
      const { yaml, json } = outcome.results![0];
      const posted = nextPost((m) => m.profiles.some((p) => p.path === yaml));
      api.clusterPanel.open([vscode.Uri.file(yaml)]);
      const message = await posted;
      const file = JSON.parse(await fs.readFile(json, 'utf8'));
      assert.deepEqual(message.profiles[0].profile, file);
      // What the webview renders from it (the view model it builds from the message).
      const view = buildPanelModel(message.profiles).profiles[0];
      assert.deepEqual(view.problems, []);
      assert.deepEqual(view.categories.map((c) => [c.name, c.role]), [
        ['region', 'descriptor'],
        ['channel', 'descriptor'],
        ['contract', 'descriptor'],
        ['payment_method', 'descriptor'],
        ['loyalty_tier', 'descriptor'],
        ['churn', 'descriptor'],
      ]);
      const contract = view.categories.find((c) => c.name === 'contract')!;
      const monthly = contract.levels.findIndex((l) => l.name === 'Month-to-month');
      const lines = view.clusters.flatMap((c) => c.categories[contract.index].distinctive.map((d) => d.text));
      // "Month-to-month 78% · ×1.4": the share and lift of the file, as the cluster cards and the Categories view show them.
      const shown = lines.find((t) => t.startsWith('Month-to-month '));
      assert.ok(shown, lines.join(' | '));
      assert.match(shown, /^Month-to-month \d+% · ×\d(\.\d)?$/);
      const c = view.clusters.find((cl) => cl.categories[contract.index].distinctive.some((d) => d.text === shown))!;
      const level = file.clusters[c.key].categorical_statistics.contract.levels['Month-to-month'];
      assert.equal(shown, `Month-to-month ${Math.round(100 * level.share)}% · ×${Number(level.lift.toPrecision(2))}`);
      assert.equal(c.categories[contract.index].cells[monthly].share.text, `${Math.round(100 * level.share)}%`);
      // The heat map ranks the columns by the file's separation, numeric and categorical together.
      assert.deepEqual(
        orderHeatRows(view.heatRows, 'separation', false)[0].rows.map((r) => view.heatRows[r].name),
        Object.entries(file.separation as Record<string, { value: number }>).sort(([, a], [, b]) => b.value - a.value).map(([name]) => name),
      );
    });

    it('the serializer restores a panel from its saved state and reads the files again', async () => {
      const { yaml } = await exportGmm('panel-restore');
      const panel = vscode.window.createWebviewPanel(PANEL_VIEW_TYPE, 'restored', vscode.ViewColumn.One, {});
      const state: PanelState = { ...DEFAULT_STATE, paths: [yaml, '/etc/passwd', 'relative/x.json'], current: yaml, tab: 'heatmap' };
      const posted = nextPost((m) => m.profiles.length > 0);
      await api.clusterPanel.serializer.deserializeWebviewPanel(panel, state);
      const message = await posted;
      // Only the profile comes back: not a file that is not JSON or YAML, not a relative path.
      assert.deepEqual(message.profiles.map((p) => p.path), [yaml]);
      assert.equal(typeof message.profiles[0].profile, 'object');
      assert.equal(panel.webview.options.enableScripts, true);
      assert.deepEqual(panel.webview.options.localResourceRoots?.map((u) => path.basename(u.fsPath)), ['dist']);
      assert.match(panel.webview.html, /script-src &#39;nonce-[A-Za-z0-9]{32}&#39;/);
    });

    it('untrusted files become messages: an alias bomb, a self-referencing anchor, broken JSON', async () => {
      const dir = await folder('panel-hostile');
      const bomb = path.join(dir, 'bomb_cluster_profile_x.yaml');
      const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
      for (let i = 1; i < 9; i++) levels.push(`${'abcdefghij'[i]}: &${'abcdefghij'[i]} [${Array(9).fill(`*${'abcdefghij'[i - 1]}`).join(',')}]`);
      await fs.writeFile(bomb, `${levels.join('\n')}\n`);
      const loop = path.join(dir, 'loop_cluster_profile_x.yaml');
      await fs.writeFile(loop, 'metadata: &m\n  self: *m\n');
      const bad = path.join(dir, 'bad_cluster_profile_x.json');
      await fs.writeFile(bad, '{"metadata": {');
      const proto = path.join(dir, 'proto_cluster_profile_x.json');
      await fs.writeFile(proto, '{"__proto__": {"polluted": true}, "metadata": {}}');
      const posted = nextPost((m) => m.profiles.length === 4);
      api.clusterPanel.open([bomb, loop, bad, proto].map((p) => vscode.Uri.file(p)));
      const [b, l, j, p] = (await posted).profiles;
      assert.match(b.error ?? '', /more than 2,000,000 values/);
      assert.match(l.error ?? '', /contains itself|alias/);
      assert.match(j.error ?? '', /^it is not valid JSON/);
      assert.equal(p.error, undefined);
      assert.deepEqual(Object.keys(p.profile as object), ['__proto__', 'metadata']);
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
    });
  });
}

// ---------------------------------------------------------------------------

async function exportGmm(name: string): Promise<{ csv: vscode.Uri; json: string; yaml: string }> {
  const dir = await folder(name);
  const csv = vscode.Uri.file(path.join(dir, 'customers.csv'));
  await fs.copyFile(examples, csv.fsPath);
  const outcome = await command('segment.exportGmm', csv);
  assert.equal(outcome.status, 'done', JSON.stringify(outcome.error));
  return { csv, json: outcome.results![0].json, yaml: outcome.results![0].yaml };
}

function command(id: string, uri?: vscode.Uri): Promise<RunOutcome> {
  return Promise.resolve(vscode.commands.executeCommand<RunOutcome>(id, ...(uri ? [uri] : [])));
}

async function folder(name: string): Promise<string> {
  const dir = path.join(root, name);
  await fs.rm(dir, { recursive: true, force: true });
  await fs.mkdir(dir, { recursive: true });
  return dir;
}

/** The next 'show' message delivered to the webview that matches. */
function nextPost(match: (m: ShowMessage) => boolean, timeoutMs = 20_000): Promise<ShowMessage> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      subscription.dispose();
      reject(new Error(`no matching 'show' message within ${timeoutMs} ms; last: ${JSON.stringify(api.clusterPanel.lastPosted)?.slice(0, 400)}`));
    }, timeoutMs);
    const subscription = api.clusterPanel.onDidPost((m) => {
      if (!match(m)) return;
      clearTimeout(timer);
      subscription.dispose();
      resolve(m);
    });
  });
}

function webviewTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith(PANEL_VIEW_TYPE));
}

/** Tab state reaches the extension host asynchronously: wait for the panel's tab (with its final title). */
function nextPanelTab(timeoutMs = 20_000): Promise<vscode.Tab> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const tab = webviewTabs().find((t) => t.label.startsWith('Clusters:'));
      if (!tab) return false;
      clearTimeout(timer);
      subscription.dispose();
      resolve(tab);
      return true;
    };
    const timer = setTimeout(() => {
      subscription.dispose();
      reject(new Error(`no cluster panel tab (tabs: ${vscode.window.tabGroups.all.flatMap((g) => g.tabs.map((t) => t.label)).join(', ')})`));
    }, timeoutMs);
    const subscription = vscode.window.tabGroups.onDidChangeTabs(() => check());
    check();
  });
}

function clusterField(m: ShowMessage, cluster: string, field: string): unknown {
  const clusters = (m.profiles[0]?.profile as { clusters?: Record<string, Record<string, unknown>> } | undefined)?.clusters;
  return clusters?.[cluster]?.[field];
}

function findLine(document: vscode.TextDocument, pattern: RegExp): number {
  for (let i = 0; i < document.lineCount; i++) if (pattern.test(document.lineAt(i).text)) return i;
  throw new Error(`no line matches ${pattern}`);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
