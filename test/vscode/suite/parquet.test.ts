/**
 * Parquet files and segment.sampleRows in a real extension host: the Segment
 * menu on a .parquet file, an export from it with a sample, and scoring it.
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'mocha';
import * as vscode from 'vscode';
import type { SegmentApi } from '../../../src/extension/extension';
import { csvToParquet } from '../../helpers/parquet';
import { EXTENSION_ID, exampleCustomers, folder, setting } from './helpers';

let api: SegmentApi;

export function defineParquetTests(): void {
  describe('Parquet files and sampling', () => {
    before(async () => {
      const extension = vscode.extensions.getExtension<SegmentApi>(EXTENSION_ID);
      assert.ok(extension, `${EXTENSION_ID} is loaded`);
      api = await extension.activate();
    });

    it('a .parquet file gets the Segment menu in the explorer and on its editor tab', () => {
      const menus = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON.contributes.menus;
      for (const where of ['explorer/context', 'editor/title/context']) {
        const entry = menus[where].find((m: { submenu?: string }) => m.submenu === 'segment.submenu');
        const pattern = /resourceExtname =~ \/(.+)\/i/.exec(entry.when)![1];
        const matches = (ext: string) => new RegExp(pattern, 'i').test(ext);
        assert.ok(matches('.parquet') && matches('.PARQUET') && matches('.csv') && !matches('.json'), `${where}: ${entry.when}`);
      }
    });

    it('exports a profile from a Parquet file with segment.sampleRows, then scores every row of it', async () => {
      const dir = await folder('parquet-run');
      const file = path.join(dir, 'customers.parquet');
      await csvToParquet(exampleCustomers(), file, 128);
      const uri = vscode.Uri.file(file);
      await setting('sampleRows', 200);
      let exported;
      try {
        exported = await api.exportProfiles(['gmm'], uri, { confirm: false });
      } finally {
        await setting('sampleRows', undefined);
      }
      assert.equal(exported.status, 'done', JSON.stringify(exported.error));
      const result = exported.results![0];
      assert.equal(path.dirname(result.json), dir);
      const metadata = JSON.parse(await fs.readFile(result.json, 'utf8')).metadata;
      assert.deepEqual(metadata.sample, { rows: 200, of: 500, seed: 42 });
      assert.equal(metadata.input_format.format, 'parquet');
      assert.equal(metadata.source_file, 'customers.parquet');

      const scored = await api.scoreCsv(uri, { model: result.model });
      assert.equal(scored.status, 'done', JSON.stringify(scored.error));
      assert.equal(scored.result!.nRowsRead, 500);
      const scores = (await fs.readFile(scored.result!.scores, 'utf8')).trimEnd().split('\n');
      assert.equal(scores.length - 1, scored.result!.nScored);
    });
  });
}
