/**
 * "Segment: Export Scale-out Job…" in a real extension host: on a model file
 * it writes the Dask script, or the SQL queries of a dialect, beside the
 * model and opens them in editors.
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'mocha';
import * as vscode from 'vscode';
import type { SegmentApi } from '../../../src/extension/extension';
import type { ScaleoutOutcome } from '../../../src/extension/scaleoutCommand';
import { EXTENSION_ID, fixture as customers } from './helpers';

let api: SegmentApi;

/** The paths of the files open in editor tabs. */
function openFiles(): string[] {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs).flatMap((t) => (t.input instanceof vscode.TabInputText ? [t.input.uri.fsPath] : []));
}

/** Resolves once every file is open in a tab (tab state reaches the host asynchronously). */
async function tabsFor(files: string[]): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!files.every((f) => openFiles().includes(f))) {
    if (Date.now() > deadline) assert.fail(`not opened: ${files.filter((f) => !openFiles().includes(f)).join(', ')} (open: ${openFiles().join(', ')})`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export function defineScaleoutTests(): void {
  describe('Export Scale-out Job', () => {
    let model = '';
    before(async () => {
      const extension = vscode.extensions.getExtension<SegmentApi>(EXTENSION_ID);
      assert.ok(extension, `${EXTENSION_ID} is loaded`);
      api = await extension.activate();
      const exported = await api.exportProfiles(['gmm'], await customers('scaleout'), { confirm: false });
      assert.equal(exported.status, 'done', JSON.stringify(exported.error));
      model = exported.results![0].model;
    });

    it('is a command of the palette and of a model file\'s context menu', async () => {
      assert.ok((await vscode.commands.getCommands(true)).includes('segment.exportScaleoutJob'));
      const manifest = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON;
      const item = manifest.contributes.menus['explorer/context'].find((m: { command?: string }) => m.command === 'segment.exportScaleoutJob');
      assert.ok(item && new RegExp(item.when.match(/=~ \/(.*)\/ &&/)[1]).test(path.basename(model)), JSON.stringify(item));
    });

    it('writes the Dask script beside the model and opens it', async () => {
      const input = path.join(path.dirname(model), '*.csv');
      const outcome = await vscode.commands.executeCommand<ScaleoutOutcome>('segment.exportScaleoutJob', vscode.Uri.file(model), { target: 'dask', input });
      assert.equal(outcome.status, 'done', outcome.error);
      const [script] = outcome.files!;
      assert.equal(path.dirname(script), path.dirname(model));
      assert.match(path.basename(script), /^segment_dask_gmm_\d{8}_\d{6}\.py$/);
      const text = await fs.readFile(script, 'utf8');
      assert.ok(text.includes(`INPUT = ${JSON.stringify(input)}`), 'the input glob is in the script');
      assert.ok(text.includes(`MODEL_FILE = ${JSON.stringify(path.basename(model))}`));
      await tabsFor([script]);
    });

    it('writes the DuckDB scoring and profile queries beside the model and opens both', async () => {
      const outcome = await vscode.commands.executeCommand<ScaleoutOutcome>('segment.exportScaleoutJob', vscode.Uri.file(model), { target: 'duckdb', input: 'customers' });
      assert.equal(outcome.status, 'done', outcome.error);
      assert.equal(outcome.files!.length, 2);
      for (const file of outcome.files!) {
        assert.equal(path.dirname(file), path.dirname(model));
        assert.match(path.basename(file), /^segment_(score|profile)_gmm_duckdb.*\.sql$/);
        assert.match(await fs.readFile(file, 'utf8'), /SELECT/i);
      }
      await tabsFor(outcome.files!);
    });

    it('refuses a file that is not a model, writing nothing', async () => {
      const csv = path.join(path.dirname(model), 'customers.csv');
      const before = (await fs.readdir(path.dirname(model))).sort();
      const outcome = await vscode.commands.executeCommand<ScaleoutOutcome>('segment.exportScaleoutJob', vscode.Uri.file(csv), { target: 'dask', input: '*.csv' });
      assert.equal(outcome.status, 'dismissed');
      assert.deepEqual((await fs.readdir(path.dirname(model))).sort(), before);
    });
  });
}
