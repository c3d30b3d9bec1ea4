/**
 * The extension in a real VS Code extension host, through the vscode API:
 * the commands on a CSV in the workspace, the active editor, an untitled
 * and an unsaved document, a virtual file system; cancel (cooperative and
 * by kill), bad input, a worker that runs out of memory or crashes.
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'mocha';
import * as vscode from 'vscode';
import type { SegmentApi } from '../../../src/extension/extension';
import type { RunOutcome } from '../../../src/extension/runner';
import type { ProgressMessage } from '../../../src/shared/workerProtocol';
import { fixture, folder, setting } from './helpers';

const EXTENSION_ID = 'segment-profiles.segment-profiles';

let api: SegmentApi;
let root: string;
let examples: string;

export function defineExtensionTests(): void {
  describe('Segment extension', () => {
    before(async () => {
      const extension = vscode.extensions.getExtension<SegmentApi>(EXTENSION_ID);
      assert.ok(extension, `${EXTENSION_ID} is loaded`);
      api = await extension.activate();
      const folder = vscode.workspace.workspaceFolders?.[0];
      assert.ok(folder, 'the tests run in a workspace folder');
      root = folder.uri.fsPath;
      examples = path.join(extension.extensionPath, 'examples', 'customers.csv');
      await setting('confirmBeforeRun', false);
    });

    after(async () => {
      await setting('confirmBeforeRun', undefined);
    });

    it('registers its commands, one per method the engine offers', async () => {
      const commands = await vscode.commands.getCommands(true);
      for (const id of ['segment.exportGmm', 'segment.exportFuzzy', 'segment.exportNeural', 'segment.exportAll', 'segment.showLog']) {
        assert.ok(commands.includes(id), `${id} is registered`);
      }
      assert.deepEqual([...api.methods].sort(), ['fuzzy', 'gmm', 'neural']);
      await vscode.commands.executeCommand('segment.showLog');
    });

    it('Export GMM Profile on a CSV in the explorer writes valid JSON, YAML and assignments beside it', async () => {
      const csv = await fixture('explorer');
      const outcome = await command('segment.exportGmm', csv);
      assert.equal(outcome.status, 'done', JSON.stringify(outcome.error));
      const [result] = outcome.results ?? [];
      assert.equal(result.method, 'gmm');
      for (const file of [result.json, result.yaml, result.assignments]) assert.equal(path.dirname(file), path.dirname(csv.fsPath));
      const profile = JSON.parse(await fs.readFile(result.json, 'utf8'));
      assert.equal(profile.metadata.n_clusters, 4);
      assert.equal(profile.metadata.source_file, 'customers.csv');
      assert.equal(Object.keys(profile.clusters).length, 4);
      assert.equal(typeof profile.metrics.silhouette_score, 'number');
      assert.equal(result.metrics.silhouette_score, profile.metrics.silhouette_score);
      const yaml = await fs.readFile(result.yaml, 'utf8');
      assert.match(yaml, /^metadata:\n/);
      assert.match(yaml, /\nclusters:\n {2}cluster_0:\n/);
      const rows = (await fs.readFile(result.assignments, 'utf8')).trim().split('\n');
      assert.equal(rows.length, profile.metadata.n_samples + 1);
      assert.match(rows[0], /,cluster,prob_cluster_0,/);
      assert.deepEqual(await leftovers(path.dirname(csv.fsPath)), []);
    });

    it('acts on the active editor\'s CSV when given no file (Fuzzy C-Means)', async () => {
      const csv = await fixture('editor');
      await vscode.window.showTextDocument(csv);
      const outcome = await command('segment.exportFuzzy');
      assert.equal(outcome.status, 'done', JSON.stringify(outcome.error));
      const profile = JSON.parse(await fs.readFile(outcome.results![0].json, 'utf8'));
      assert.equal(profile.metadata.method, 'Fuzzy C-Means (FCM)');
      assert.equal(typeof profile.metrics.partition_coefficient, 'number');
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    });

    it('Export Neural Network Profile reports its epochs and writes a profile', async () => {
      const csv = await fixture('neural');
      await setting('neural.epochs', 30);
      const messages: string[] = [];
      const listening = api.onDidProgress((p) => messages.push(p.message));
      try {
        const outcome = await command('segment.exportNeural', csv);
        assert.equal(outcome.status, 'done', JSON.stringify(outcome.error));
        const profile = JSON.parse(await fs.readFile(outcome.results![0].json, 'utf8'));
        assert.match(profile.metadata.method, /Neural/);
        assert.ok(messages.some((m) => /^epoch \d+\/30$/.test(m)), `epoch progress (saw: ${messages.join(' | ')})`);
        assert.match(path.basename(outcome.results![0].assignments), /^neural_assignments_\d{8}_\d{6}\.csv$/);
      } finally {
        listening.dispose();
        await setting('neural.epochs', undefined);
      }
    });

    it('cancel during the Neural training stops it and leaves nothing', async () => {
      const csv = await fixture('neural-cancel');
      await setting('neural.epochs', 10000);
      try {
        const training = nextProgress((p) => /^epoch \d+\/10000$/.test(p.message));
        const running = command('segment.exportNeural', csv);
        await training;
        const cancelledAt = Date.now();
        api.cancelRunning();
        const outcome = await running;
        assert.equal(outcome.status, 'cancelled');
        assert.equal(outcome.killed, false);
        assert.ok(Date.now() - cancelledAt < 1000);
        assert.deepEqual(await fs.readdir(path.dirname(csv.fsPath)), ['customers.csv']);
      } finally {
        await setting('neural.epochs', undefined);
      }
    });

    it('Export All Profiles runs every method on one read of the file', async () => {
      const csv = await fixture('all');
      const outcome = await command('segment.exportAll', csv);
      assert.equal(outcome.status, 'done', JSON.stringify(outcome.error));
      assert.deepEqual(outcome.results!.map((r) => r.method), api.methods);
      const names = await fs.readdir(path.dirname(csv.fsPath));
      assert.equal(names.filter((n) => /_cluster_profile_\d{8}_\d{6}\.json$/.test(n)).length, api.methods.length);
    });

    it('applies the settings: clusters, covariance type, columns and a relative output folder', async () => {
      const csv = await fixture('settings');
      await setting('clusters', 3);
      await setting('gmm.covarianceType', 'diag');
      await setting('columns', ['total_revenue', 'recency_days', 'frequency_per_month']);
      await setting('outputFolder', 'settings/profiles');
      try {
        const outcome = await command('segment.exportGmm', csv);
        assert.equal(outcome.status, 'done', JSON.stringify(outcome.error));
        const result = outcome.results![0];
        assert.equal(path.dirname(result.json), path.join(root, 'settings', 'profiles'));
        const profile = JSON.parse(await fs.readFile(result.json, 'utf8'));
        assert.equal(profile.metadata.n_clusters, 3);
        assert.equal(profile.metadata.covariance_type, 'diag');
        assert.deepEqual(profile.features_used, ['total_revenue', 'recency_days', 'frequency_per_month']);
      } finally {
        for (const key of ['clusters', 'gmm.covarianceType', 'columns', 'outputFolder']) await setting(key, undefined);
      }
    });

    it('a bad CSV gives the engine\'s message and writes nothing', async () => {
      const dir = await folder('bad');
      const csv = path.join(dir, 'ragged.csv');
      await fs.writeFile(csv, 'a,b,c\n1,2,3\n4,5\n6,7,8\n');
      const outcome = await command('segment.exportGmm', vscode.Uri.file(csv));
      assert.equal(outcome.status, 'failed');
      assert.equal(outcome.error?.code, 'RAGGED_ROW');
      assert.match(outcome.error!.message, /^Line 3 of "ragged.csv"/);
      assert.deepEqual(await fs.readdir(dir), ['ragged.csv']);
    });

    it('an untitled CSV is read from the editor and written to the workspace folder', async () => {
      const dir = await folder('untitled');
      const uri = vscode.Uri.from({ scheme: 'untitled', path: path.join(dir, 'pasted.csv') });
      const document = await vscode.workspace.openTextDocument(uri);
      const editor = await vscode.window.showTextDocument(document);
      const text = await fs.readFile(examples, 'utf8');
      await editor.edit((edit) => edit.insert(new vscode.Position(0, 0), text.split('\n').slice(0, 201).join('\n')));
      await setting('outputFolder', 'untitled');
      try {
        const outcome = await command('segment.exportGmm');
        assert.equal(outcome.status, 'done', JSON.stringify(outcome.error));
        const profile = JSON.parse(await fs.readFile(outcome.results![0].json, 'utf8'));
        assert.equal(profile.metadata.source_file, 'pasted.csv');
        assert.equal(profile.metadata.n_rows_read, 200);
        assert.equal(path.dirname(outcome.results![0].json), dir);
      } finally {
        await setting('outputFolder', undefined);
        await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
      }
    });

    it('an unsaved change is what gets clustered, and the files go beside the file', async () => {
      const csv = await fixture('unsaved');
      const editor = await vscode.window.showTextDocument(csv);
      // Keep the header and 120 rows, unsaved.
      const keep = editor.document.lineAt(120).range.end;
      await editor.edit((edit) => edit.delete(new vscode.Range(keep, editor.document.lineAt(editor.document.lineCount - 1).range.end)));
      assert.ok(editor.document.isDirty);
      try {
        const outcome = await command('segment.exportGmm', csv);
        assert.equal(outcome.status, 'done', JSON.stringify(outcome.error));
        const profile = JSON.parse(await fs.readFile(outcome.results![0].json, 'utf8'));
        assert.equal(profile.metadata.n_rows_read, 120);
        assert.equal(path.dirname(outcome.results![0].json), path.dirname(csv.fsPath));
      } finally {
        await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
      }
    });

    it('a CSV on a virtual file system is read through VS Code and written to the output folder', async () => {
      const provider = new MemoryFileSystem();
      const registration = vscode.workspace.registerFileSystemProvider('segment-memfs', provider);
      const out = await folder('virtual');
      await setting('outputFolder', out);
      try {
        const uri = vscode.Uri.from({ scheme: 'segment-memfs', path: '/remote/customers.csv' });
        provider.files.set(uri.path, await fs.readFile(examples));
        const outcome = await command('segment.exportGmm', uri);
        assert.equal(outcome.status, 'done', JSON.stringify(outcome.error));
        assert.equal(path.dirname(outcome.results![0].json), out);
        assert.equal(JSON.parse(await fs.readFile(outcome.results![0].json, 'utf8')).metadata.source_file, 'customers.csv');
      } finally {
        await setting('outputFolder', undefined);
        registration.dispose();
      }
    });

    it('cancel during the fit stops the worker within a second and leaves nothing', async () => {
      const dir = await folder('cancel');
      const csv = path.join(dir, 'big.csv');
      await fs.writeFile(csv, syntheticCsv(30_000, 6, 7));
      // A fit that would take minutes: many restarts, no convergence.
      await setting('gmm.nInit', 50);
      await setting('gmm.maxIter', 2000);
      await setting('gmm.tol', 1e-300);
      await setting('clusters', 8);
      try {
        const fitting = nextProgress((p) => p.phase === 'fit');
        const running = command('segment.exportGmm', vscode.Uri.file(csv));
        const progress = await fitting;
        assert.match(progress.message, /^EM iteration \d+\/2000, restart \d+\/50$/);
        const cancelledAt = Date.now();
        assert.equal(api.cancelRunning(), 1);
        const outcome = await running;
        const took = Date.now() - cancelledAt;
        assert.equal(outcome.status, 'cancelled');
        assert.equal(outcome.killed, false, 'the worker stopped by itself (AbortController), no kill needed');
        assert.ok(took < 1000, `stopped ${took} ms after the cancel`);
        await delay(300);
        assert.deepEqual(await fs.readdir(dir), ['big.csv']);
      } finally {
        for (const key of ['gmm.nInit', 'gmm.maxIter', 'gmm.tol', 'clusters']) await setting(key, undefined);
      }
    });

    it('a worker that does not stop is killed 1 s after the cancel, and nothing is left', async () => {
      const csv = await fixture('kill');
      const busy = nextProgress((p) => /spinning/.test(p.message));
      const running = api.exportProfiles(['gmm'], csv, { debug: { ignoreCancel: true } });
      await busy;
      const cancelledAt = Date.now();
      api.cancelRunning();
      const outcome = await running;
      const took = Date.now() - cancelledAt;
      assert.equal(outcome.status, 'cancelled');
      assert.equal(outcome.killed, true);
      assert.ok(took >= 900 && took < 3000, `killed ${took} ms after the cancel`);
      assert.deepEqual(await fs.readdir(path.dirname(csv.fsPath)), ['customers.csv']);
    });

    it('a worker that runs out of memory becomes an error message; the next run works', async () => {
      const csv = await fixture('oom');
      const outcome = await api.exportProfiles(['gmm'], csv, { debug: { exhaustMemory: true }, memoryLimitMb: 64 });
      assert.equal(outcome.status, 'failed');
      assert.equal(outcome.error?.code, 'OUT_OF_MEMORY');
      assert.match(outcome.error!.message, /out of memory/);
      assert.deepEqual(await fs.readdir(path.dirname(csv.fsPath)), ['customers.csv']);
      const again = await command('segment.exportGmm', csv);
      assert.equal(again.status, 'done');
    });

    it('a worker process that dies without a word becomes an error message', async () => {
      const csv = await fixture('crash');
      const outcome = await api.exportProfiles(['gmm'], csv, { debug: { crashProcess: true } });
      assert.equal(outcome.status, 'failed');
      assert.equal(outcome.error?.code, 'WORKER_CRASHED');
      assert.match(outcome.error!.message, /exited with code 7/);
    });
  });
}

// ---------------------------------------------------------------------------

function command(id: string, uri?: vscode.Uri): Promise<RunOutcome> {
  return Promise.resolve(vscode.commands.executeCommand<RunOutcome>(id, ...(uri ? [uri] : [])));
}

/** The engine's temporary files, which must never stay behind. */
async function leftovers(dir: string): Promise<string[]> {
  return (await fs.readdir(dir)).filter((name) => name.endsWith('.tmp'));
}

function nextProgress(match: (p: ProgressMessage) => boolean, timeoutMs = 30_000): Promise<ProgressMessage> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      subscription.dispose();
      reject(new Error('no such progress message'));
    }, timeoutMs);
    const subscription = api.onDidProgress((p) => {
      if (!match(p)) return;
      clearTimeout(timer);
      subscription.dispose();
      resolve(p);
    });
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Gaussian blobs, seeded, with an id column. */
function syntheticCsv(rows: number, features: number, seed: number): string {
  let state = seed;
  const random = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  const normal = () => Math.sqrt(-2 * Math.log(random() + 1e-12)) * Math.cos(2 * Math.PI * random());
  const lines = [['customer_id', ...Array.from({ length: features }, (_, j) => `f${j}`)].join(',')];
  for (let i = 0; i < rows; i++) {
    const blob = i % 5;
    lines.push([i + 1, ...Array.from({ length: features }, (_, j) => (blob * (j + 1) + normal()).toFixed(4))].join(','));
  }
  return `${lines.join('\n')}\n`;
}

/** The smallest FileSystemProvider: files in a Map, read-only from VS Code's side. */
class MemoryFileSystem implements vscode.FileSystemProvider {
  readonly files = new Map<string, Uint8Array>();
  private readonly emitter = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.emitter.event;

  watch(): vscode.Disposable {
    return new vscode.Disposable(() => undefined);
  }

  stat(uri: vscode.Uri): vscode.FileStat {
    const data = this.files.get(uri.path);
    if (data) return { type: vscode.FileType.File, ctime: 0, mtime: 0, size: data.length };
    if ([...this.files.keys()].some((p) => p.startsWith(`${uri.path.replace(/\/$/, '')}/`))) {
      return { type: vscode.FileType.Directory, ctime: 0, mtime: 0, size: 0 };
    }
    throw vscode.FileSystemError.FileNotFound(uri);
  }

  readDirectory(): [string, vscode.FileType][] {
    return [];
  }

  readFile(uri: vscode.Uri): Uint8Array {
    const data = this.files.get(uri.path);
    if (!data) throw vscode.FileSystemError.FileNotFound(uri);
    return data;
  }

  createDirectory(): void {
    throw vscode.FileSystemError.NoPermissions('read-only');
  }

  writeFile(): void {
    throw vscode.FileSystemError.NoPermissions('read-only');
  }

  delete(): void {
    throw vscode.FileSystemError.NoPermissions('read-only');
  }

  rename(): void {
    throw vscode.FileSystemError.NoPermissions('read-only');
  }
}
