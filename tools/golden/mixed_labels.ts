/**
 * The cluster labels our engine gives the mixed fixture, written for the
 * Python golden generator (make_categorical_golden.py), which computes the
 * categorical sections from the CSV and these labels with pandas and scipy.
 *
 *     npx tsx tools/golden/mixed_labels.ts
 *
 * Writes test/fixtures/golden/mixed_labels.json: the run's options, the
 * 1-based data rows clustered and each one's cluster (profile numbering).
 * The unit test checks that the engine still gives exactly these labels.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadDataset } from '../../src/engine/data/dataset';
import { GaussianMixtureSegmentation } from '../../src/engine/methods/gmmSegmentation';
import { MIXED_FIXTURE, MIXED_RUN } from '../../test/helpers/mixed';

async function main(): Promise<void> {
  const data = await loadDataset(MIXED_FIXTURE, MIXED_RUN.prepare);
  const labels = await new GaussianMixtureSegmentation(MIXED_RUN.options).fitPredict(data);
  const out = join(__dirname, '..', '..', 'test', 'fixtures', 'golden', 'mixed_labels.json');
  const body = {
    prepare: MIXED_RUN.prepare,
    options: MIXED_RUN.options,
    rows: Array.from(data.rowNumbers),
    labels: Array.from(labels),
  };
  writeFileSync(out, `${JSON.stringify(body)}\n`);
  console.log(out);
}

void main();
