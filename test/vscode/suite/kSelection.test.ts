/**
 * "Segment: Choose Number of Clusters…" in a real VS Code extension host:
 * the command run from its quick picks (method, covariance types, k range,
 * each accepted as a user pressing Enter), the k-selection files beside the
 * CSV, the panel drawing the k view (its charts and buttons, as the webview
 * reports them), the k view's "Export profile with k = N" pressed (the
 * message its button sends) writing the profile files with the sweep's
 * numbers and showing the profile; the exports' cluster pick offering the
 * recommendation; and Cancel during the sweep writing nothing.
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { after, afterEach, before, describe, it } from 'mocha';
import * as vscode from 'vscode';
import type { SegmentApi } from '../../../src/extension/extension';
import type { SweepOutcome } from '../../../src/extension/sweepCommand';
import type { KViewShownMessage, ShowMessage } from '../../../src/shared/panelProtocol';
import { EXTENSION_ID, fixture, setting } from './helpers';

let api: SegmentApi;

export function defineKSelectionTests(): void {
  describe('Choose Number of Clusters', () => {
    before(async () => {
      const extension = vscode.extensions.getExtension<SegmentApi>(EXTENSION_ID);
      assert.ok(extension);
      api = await extension.activate();
      await setting('confirmBeforeRun', false);
    });

    after(async () => {
      await setting('confirmBeforeRun', undefined);
    });

    afterEach(async () => {
      api.clusterPanel.close();
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    });

    it('runs from its quick picks, shows the k view, and Export profile with k = N writes the profile with the sweep’s numbers', async function () {
      this.timeout(240_000);
      const csv = await fixture('k-sweep');
      const shown = nextKView(() => true, 180_000);
      const running = Promise.resolve(vscode.commands.executeCommand<SweepOutcome>('segment.chooseNumberOfClusters', csv));
      // Method (GMM is first), covariance types (the setting's "full" is ticked), k range (2..8 is filled in): Enter three times.
      for (let step = 0; step < 3; step++) {
        await delay(900);
        await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
      }
      const outcome = await running;
      assert.equal(outcome.status, 'done', JSON.stringify(outcome.error));
      const result = outcome.result!;
      assert.equal(result.method, 'gmm');
      assert.equal(path.dirname(result.json), path.dirname(csv.fsPath));
      assert.match(path.basename(result.json), /^gmm_k_selection_\d{8}_\d{6}\.json$/);
      const doc = JSON.parse(await fs.readFile(result.json, 'utf8')) as {
        metadata: { k_values: number[]; covariance_types: string[] };
        results: Record<string, unknown>[];
        recommendation: { k: number; covariance_type: string; reason: string };
      };
      assert.deepEqual(doc.metadata.k_values, [2, 3, 4, 5, 6, 7, 8]);
      assert.deepEqual(doc.metadata.covariance_types, ['full']);
      assert.equal(doc.recommendation.k, result.recommendation.k);
      await fs.access(result.yaml);

      // The panel drew the k view of the JSON: a chart per criterion, an export button per k.
      const view = await shown;
      assert.equal(view.path, result.json);
      assert.deepEqual(view.charts, ['bic', 'aic', 'silhouette_score', 'davies_bouldin_index', 'calinski_harabasz_score', 'stability_ari']);
      assert.equal(view.exports.length, 7);
      assert.ok(view.exports.includes(`★ Export profile with k = ${doc.recommendation.k}`), view.exports.join(', '));
      assert.deepEqual(api.clusterPanel.paths, [result.json]);

      // The exports' cluster pick now offers the sweep's recommendation for this CSV.
      const last = await api.sweeps.lastRecommendation(csv, ['gmm']);
      assert.deepEqual(last && { k: last.k, covarianceType: last.covarianceType, criterion: last.criterion, file: last.file }, {
        k: doc.recommendation.k,
        covarianceType: 'full',
        criterion: doc.recommendation.reason.includes('knee') ? 'knee of the BIC curve' : 'lowest BIC',
        file: result.json,
      });
      assert.equal(await api.sweeps.lastRecommendation(csv, ['fuzzy']), undefined);

      // "Export profile with k = 3": the message the button sends, handled by the panel as it comes.
      const k = 3;
      const profileShown = nextPost((m) => m.profiles.some((p) => /gmm_cluster_profile_.*\.yaml$/.test(p.path)), 120_000);
      api.clusterPanel.receive({ type: 'exportK', path: result.json, k, covarianceType: 'full' });
      const posted = await profileShown;
      const yaml = posted.profiles.find((p) => /gmm_cluster_profile_/.test(p.path))!.path;
      assert.equal(posted.focus, yaml);
      const stamp = /gmm_cluster_profile_(\d{8}_\d{6}(?:_\d+)?)\.yaml$/.exec(yaml)![1];
      const dir = path.dirname(csv.fsPath);
      for (const name of [`gmm_cluster_profile_${stamp}.json`, `gmm_cluster_profile_${stamp}.yaml`, `gmm_assignments_${stamp}.csv`, `gmm_model_${stamp}.json`]) {
        await fs.access(path.join(dir, name));
      }
      // The profile is the sweep's fit for k = 3: the same metrics, to the last bit, and the same sizes.
      const profile = JSON.parse(await fs.readFile(path.join(dir, `gmm_cluster_profile_${stamp}.json`), 'utf8')) as {
        metadata: { n_clusters: number; covariance_type: string };
        metrics: Record<string, number>;
        clusters: Record<string, { size: number }>;
      };
      assert.equal(profile.metadata.n_clusters, k);
      assert.equal(profile.metadata.covariance_type, 'full');
      const entry = doc.results.find((r) => r.k === k)!;
      for (const [key, value] of Object.entries(profile.metrics)) assert.equal(entry[key], value, key);
      assert.deepEqual(
        Object.values(profile.clusters).map((c) => c.size).sort((a, b) => b - a),
        entry.sizes,
      );
    });

    it('Cancel during the sweep writes nothing', async function () {
      this.timeout(120_000);
      const csv = await fixture('k-sweep-cancel');
      const dir = path.dirname(csv.fsPath);
      let cancelled = 0;
      const subscription = api.sweeps.onDidProgress((p) => {
        // The second fit has started: cancel, as the notification's button does.
        if (cancelled === 0 && /\(2\/\d+\), seed/.test(p.message)) cancelled = api.cancelRunning();
      });
      try {
        const outcome = await api.sweeps.sweep(csv, { method: 'gmm', kRange: [2, 8], covarianceTypes: ['full', 'diag'] });
        assert.equal(cancelled, 1);
        assert.equal(outcome.status, 'cancelled');
      } finally {
        subscription.dispose();
      }
      assert.deepEqual(await fs.readdir(dir), ['customers.csv']);
    });

    it('refuses a k range beyond the rows with the engine’s message, and writes nothing', async () => {
      const dir = path.dirname((await fixture('k-sweep-range')).fsPath);
      const csv = vscode.Uri.file(path.join(dir, 'small.csv'));
      await fs.writeFile(csv.fsPath, 'a,b\n1.5,2\n2.5,3\n1.5,2\n4.2,4\n5.1,9\n6.3,3\n');
      await fs.rm(path.join(dir, 'customers.csv'));
      const outcome = await api.sweeps.sweep(csv, { method: 'fuzzy', kRange: [2, 8] });
      assert.equal(outcome.status, 'failed');
      assert.match(outcome.error!.message, /goes beyond the data: there are 6 rows to cluster/);
      assert.deepEqual(await fs.readdir(dir), ['small.csv']);
    });
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function nextKView(match: (m: KViewShownMessage) => boolean, timeoutMs: number): Promise<KViewShownMessage> {
  return nextEvent(api.clusterPanel.onDidShowKView, match, timeoutMs, 'k view');
}

function nextPost(match: (m: ShowMessage) => boolean, timeoutMs: number): Promise<ShowMessage> {
  return nextEvent(api.clusterPanel.onDidPost, match, timeoutMs, "'show' message");
}

function nextEvent<T>(event: vscode.Event<T>, match: (m: T) => boolean, timeoutMs: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      subscription.dispose();
      reject(new Error(`no matching ${what} within ${timeoutMs} ms`));
    }, timeoutMs);
    const subscription = event((m) => {
      if (!match(m)) return;
      clearTimeout(timer);
      subscription.dispose();
      resolve(m);
    });
  });
}
