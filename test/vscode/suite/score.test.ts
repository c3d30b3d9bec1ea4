/**
 * "Segment: Score CSV with Model…" in a real extension host: the model files
 * it offers, a scoring in the worker that writes the scores and a profile of
 * the scored rows, Compare with Training Profile on the panel's compare tab,
 * bad input, and Cancel.
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'mocha';
import * as vscode from 'vscode';
import type { SegmentApi } from '../../../src/extension/extension';
import type { ShowMessage } from '../../../src/shared/panelProtocol';
import { buildPanelModel } from '../../../src/shared/profile';
import { EXTENSION_ID, fixture as customers, folder, setting, workspaceRoot } from './helpers';

let api: SegmentApi;

export function defineScoreTests(): void {
  describe('Score CSV with Model', () => {
    before(async () => {
      const extension = vscode.extensions.getExtension<SegmentApi>(EXTENSION_ID);
      assert.ok(extension, `${EXTENSION_ID} is loaded`);
      api = await extension.activate();
    });

    it('is a command of the palette and of the CSV context menus', async () => {
      const commands = await vscode.commands.getCommands(true);
      assert.ok(commands.includes('segment.scoreCsv'));
      const manifest = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON;
      assert.ok(manifest.contributes.menus['segment.submenu'].some((m: { command: string }) => m.command === 'segment.scoreCsv'));
      assert.ok(manifest.contributes.menus.commandPalette.some((m: { command: string; when: string }) => m.command === 'segment.scoreCsv' && m.when === 'segment.csvAvailable'));
    });

    it('offers the model files beside the CSV and in the output folder, newest first', async () => {
      const csv = await customers('score-models');
      const gmm = await exportModel('gmm', csv);
      await setting('outputFolder', 'score-models-out');
      try {
        const fuzzy = await exportModel('fuzzy', csv);
        assert.equal(path.dirname(fuzzy), path.join(workspaceRoot(), 'score-models-out'));
        const models = await api.modelsFor(csv);
        assert.deepEqual(
          models.map((m) => [m.path, m.method]),
          [
            [fuzzy, 'fuzzy'],
            [gmm, 'gmm'],
          ],
        );
      } finally {
        await setting('outputFolder', undefined);
      }
    });

    it('scores the training CSV in the worker: its assignments again, and a profile of the scored rows under the model', async () => {
      const csv = await customers('score-run');
      const exported = await api.exportProfiles(['gmm'], csv, { confirm: false });
      assert.equal(exported.status, 'done', JSON.stringify(exported.error));
      const training = exported.results![0];
      const phases = new Set<string>();
      const subscription = api.onDidScoreProgress((p) => phases.add(p.phase));
      const outcome = await api.scoreCsv(csv, { model: training.model });
      subscription.dispose();
      assert.equal(outcome.status, 'done', JSON.stringify(outcome.error));
      const result = outcome.result!;
      assert.deepEqual([result.method, result.model, result.trainingProfile, result.nRowsRead, result.nScored], ['gmm', training.model, training.json, 500, 497]);
      for (const file of [result.scores, result.json, result.yaml]) assert.equal(path.dirname(file), path.dirname(csv.fsPath));
      const scores = (await fs.readFile(result.scores, 'utf8')).trimEnd().split('\n');
      const assignments = (await fs.readFile(training.assignments, 'utf8')).trimEnd().split('\n');
      assert.equal(scores.length, assignments.length);
      scores.forEach((line, i) => assert.ok(line.startsWith(`${assignments[i]},`), `line ${i + 1}`));
      const profile = JSON.parse(await fs.readFile(result.json, 'utf8'));
      assert.equal(profile.metadata.scored_with, path.basename(training.model));
      assert.deepEqual(result.sizes, Object.values(profile.clusters).map((c) => (c as { size: number }).size));
      assert.equal(result.unusual?.count, 5);
      assert.deepEqual([...phases].sort(), ['fit', 'metrics', 'read', 'write']);
    });

    it('Compare with Training Profile opens the training and the scored profile on the panel\'s compare tab', async () => {
      const csv = await customers('score-compare');
      const exported = await api.exportProfiles(['gmm'], csv, { confirm: false });
      assert.equal(exported.status, 'done', JSON.stringify(exported.error));
      const training = exported.results![0];
      const scored = await api.scoreCsv(csv, { model: training.model });
      assert.equal(scored.status, 'done', JSON.stringify(scored.error));
      const commands = await vscode.commands.getCommands(true);
      assert.ok(commands.includes('segment.compareWithTraining'));
      const posted = new Promise<ShowMessage>((resolve) => {
        const subscription = api.clusterPanel.onDidPost((message) => {
          if (message.tab !== 'compare') return;
          subscription.dispose();
          resolve(message);
        });
      });
      const outcome = (await vscode.commands.executeCommand('segment.compareWithTraining', vscode.Uri.file(scored.result!.json))) as { status: string; training?: vscode.Uri };
      assert.equal(outcome.status, 'done', JSON.stringify(outcome));
      assert.equal(outcome.training?.fsPath, training.json);
      const message = await posted;
      assert.deepEqual(
        message.profiles.map((p) => p.path),
        [training.json, scored.result!.json],
      );
      assert.equal(message.focus, scored.result!.json);
      // The view model the webview builds from that message has the pair, cluster by cluster.
      const model = buildPanelModel(message.profiles);
      assert.equal(model.scored.length, 1);
      assert.deepEqual([model.scored[0].training, model.scored[0].scored, model.scored[0].model], [0, 1, path.basename(training.model)]);
      assert.deepEqual(
        model.scored[0].clusters.map((c) => c.size.scored.value),
        scored.result!.sizes,
      );
      // On a training profile (no scored_with) it says what it needs.
      const refused = await api.compareWithTraining(vscode.Uri.file(training.json));
      assert.deepEqual(refused, {
        status: 'failed',
        message: `${path.basename(training.json)} is not a profile of scored rows (it has no metadata.scored_with): make one with Score CSV with Model….`,
      });
      api.clusterPanel.close();
    });

    it('a CSV without a column of the model gives the engine\'s message and writes nothing', async () => {
      const csv = await customers('score-bad');
      const model = await exportModel('gmm', csv);
      const narrow = path.join(path.dirname(csv.fsPath), 'narrow.csv');
      await fs.writeFile(narrow, 'customer_id,total_revenue\nC1,12\nC2,14\n');
      const before = (await fs.readdir(path.dirname(csv.fsPath))).sort();
      const outcome = await api.scoreCsv(vscode.Uri.file(narrow), { model });
      assert.equal(outcome.status, 'failed');
      assert.deepEqual(outcome.error, {
        code: 'UNKNOWN_COLUMN',
        message: `The model ${path.basename(model)} needs a column "recency_days", which "narrow.csv" does not have. Its columns are: customer_id, total_revenue.`,
      });
      assert.deepEqual((await fs.readdir(path.dirname(csv.fsPath))).sort(), before);
    });

    it('cancel while the worker reads a large CSV stops it and leaves nothing', async () => {
      const dir = await folder('score-cancel');
      const small = path.join(dir, 'small.csv');
      await fs.writeFile(small, synthetic(2_000));
      const model = await exportModel('gmm', vscode.Uri.file(small));
      const big = path.join(dir, 'big.csv');
      await fs.writeFile(big, synthetic(400_000));
      const before = (await fs.readdir(dir)).sort();
      const reading = new Promise<void>((resolve) => {
        const subscription = api.onDidScoreProgress((p) => {
          if (p.phase !== 'read') return;
          subscription.dispose();
          resolve();
        });
      });
      const running = api.scoreCsv(vscode.Uri.file(big), { model });
      await reading;
      const cancelledAt = Date.now();
      assert.equal(api.cancelRunning(), 1);
      const outcome = await running;
      assert.equal(outcome.status, 'cancelled');
      assert.ok(Date.now() - cancelledAt < 3000, `stopped ${Date.now() - cancelledAt} ms after the cancel`);
      assert.deepEqual((await fs.readdir(dir)).sort(), before);
    });
  });
}

/** Exports a profile of the CSV with one method and returns its model file. */
async function exportModel(method: 'gmm' | 'fuzzy', csv: vscode.Uri): Promise<string> {
  const outcome = await api.exportProfiles([method], csv, { confirm: false });
  assert.equal(outcome.status, 'done', JSON.stringify(outcome.error));
  return outcome.results![0].model;
}

/** `rows` customers × 6 features in three groups, deterministic. */
function synthetic(rows: number): string {
  const lines = ['customer_id,a,b,c,d,e,f'];
  for (let i = 0; i < rows; i++) {
    const g = i % 3;
    lines.push(`C${i},${[0, 1, 2, 3, 4, 5].map((j) => (g * 4 + j + ((i * 7919 + j * 104729) % 1000) / 250).toFixed(3)).join(',')}`);
  }
  return `${lines.join('\n')}\n`;
}
