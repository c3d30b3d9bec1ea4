/**
 * Data-quality warnings (issue 12, item 7) in metadata.warnings, word for
 * word: rows dropped for missing values (> 20%), a nearly constant feature
 * (≥ 99% equal), a GMM variance collapsed to the reg_covar floor; each
 * advice named as the caller's user knows it (flag, setting, API option).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadDatasetFromText } from '../../src/engine/data/dataset';
import type { PrepareOptions } from '../../src/engine/data/prepare';
import { Random } from '../../src/engine/kernels/random';
import { OPTION_FLAGS, OPTION_LABELS, OPTION_SETTINGS, type OptionNamer } from '../../src/engine/methods/options';
import { createSegmentation } from '../../src/engine/methods/registry';
import type { MethodKey, MethodOptions } from '../../src/shared/methods';
import { runCli } from '../helpers/cli';
import { tempDir } from '../helpers/tempDir';

async function warningsOf<M extends MethodKey>(
  csv: string,
  method: M,
  options: Partial<MethodOptions[M]>,
  prepare: PrepareOptions = {},
  name: OptionNamer = OPTION_FLAGS,
): Promise<string[]> {
  const data = await loadDatasetFromText(csv, 'customers.csv', prepare);
  const profile = await createSegmentation(method, options, name).generateClusterProfile(data);
  return profile.metadata.warnings as string[];
}

const num = (v: number) => v.toFixed(4);

/** 50 rows: income empty in 13 (every 4th), age in 5 (5, 15, …), spend complete; two groups. */
function gappyCsv(ageGaps = [5, 15, 25, 35, 45]): string {
  const r = new Random(3);
  const lines = ['customer_id,income,age,spend'];
  for (let i = 0; i < 50; i++) {
    const shift = i % 2 === 0 ? 0 : 5;
    const income = i % 4 === 0 ? '' : num(shift + r.normal());
    const age = ageGaps.includes(i) ? 'NA' : num(30 + shift + r.normal());
    lines.push(`C${i},${income},${age},${num(shift + r.normal())}`);
  }
  return `${lines.join('\n')}\n`;
}

/** 200 rows, two groups in x and y; `premium` is 0 but in `ones` rows. */
function nearConstantCsv(ones: number): string {
  const r = new Random(5);
  const lines = ['x,y,premium'];
  for (let i = 0; i < 200; i++) {
    const shift = i < 120 ? 0 : 6;
    lines.push(`${num(shift + r.normal())},${num(shift + r.normal())},${i < ones ? 1 : 0}`);
  }
  return `${lines.join('\n')}\n`;
}

/** 100 rows: 60 around (0, 0) with flag 0, 40 around (6, 6) with flag alternating 0/1 (or all 1 when `split`). */
function flagCsv(split = false): string {
  const r = new Random(11);
  const lines = ['x,y,flag'];
  for (let i = 0; i < 100; i++) {
    const a = i < 60;
    const shift = a ? 0 : 6;
    const flag = a ? 0 : split ? 1 : i % 2;
    lines.push(`${num(shift + r.normal())},${num(shift + r.normal())},${flag}`);
  }
  return `${lines.join('\n')}\n`;
}

const GMM = { nClusters: 2, randomSeed: 42 } as const;

describe('rows dropped for missing values', () => {
  test('more than 20%: the columns responsible with their row counts, and --missing median', async () => {
    assert.deepEqual(await warningsOf(gappyCsv(), 'gmm', GMM), [
      '18 of 50 rows (36.0%) were dropped for a missing value in a clustered column: "income" in 13 rows and "age" in 5 rows. ' +
        "Fill the gaps with each column's median instead (--missing median), or leave the sparsest columns out.",
    ]);
  });

  test('named as VS Code names it (the setting) and as the API does (the option)', async () => {
    const [setting] = await warningsOf(gappyCsv(), 'fuzzy', GMM, {}, OPTION_SETTINGS);
    assert.match(setting, / instead \(segment\.missingValues = median\), or leave/);
    const [label] = await warningsOf(gappyCsv(), 'fuzzy', GMM, {}, OPTION_LABELS);
    assert.match(label, / instead \(missing_values = median\), or leave/);
  });

  test('exactly 20% is not more than 20%; median imputation drops nothing', async () => {
    // income complete, age missing in 10 rows: 10 of 50 dropped, 20%.
    const tenPercentOnly = gappyCsv([]).replace(/^(C\d+),,/gm, '$1,0.5,');
    const csv = tenPercentOnly
      .split('\n')
      .map((line, i) => (i >= 1 && i <= 10 ? line.replace(/^(C\d+,[^,]+),[^,]+,/, '$1,NA,') : line))
      .join('\n');
    assert.deepEqual(await warningsOf(csv, 'gmm', GMM), []);
    assert.deepEqual(await warningsOf(gappyCsv(), 'gmm', GMM, { missing: 'median' }), []);
  });
});

describe('a nearly constant feature', () => {
  test('≥ 99% of the values equal: the share, the value, and what to do', async () => {
    assert.deepEqual(await warningsOf(nearConstantCsv(1), 'fuzzy', GMM), [
      'Feature "premium" has the same value (0) in 99.5% of the rows clustered (199 of 200): it will drive tiny clusters of the one other row. ' +
        'Describe it instead of clustering on it (--describe premium) or leave it out (--exclude premium).',
    ]);
    assert.deepEqual(await warningsOf(nearConstantCsv(2), 'fuzzy', GMM), [
      'Feature "premium" has the same value (0) in 99.0% of the rows clustered (198 of 200): it will drive tiny clusters of the 2 other rows. ' +
        'Describe it instead of clustering on it (--describe premium) or leave it out (--exclude premium).',
    ]);
  });

  test('98% equal is no warning; in VS Code the advice is the column picks', async () => {
    assert.deepEqual(await warningsOf(nearConstantCsv(4), 'fuzzy', GMM), []);
    assert.deepEqual(await warningsOf(nearConstantCsv(1), 'fuzzy', GMM, {}, OPTION_SETTINGS), [
      'Feature "premium" has the same value (0) in 99.5% of the rows clustered (199 of 200): it will drive tiny clusters of the one other row. ' +
        'Describe it instead of clustering on it (untick "premium" among the columns to cluster on and tick it among those to describe) ' +
        'or leave it out (untick "premium" among the columns to cluster on).',
    ]);
  });

  test('a one-hot column with rare levels is one warning for the column', async () => {
    const lines = ['x,y,plan'];
    const r = new Random(9);
    for (let i = 0; i < 200; i++) lines.push(`${num((i < 100 ? 0 : 6) + r.normal())},${num(r.normal())},${i === 7 ? 'Gold' : i === 8 ? 'Silver' : i % 2 ? 'Basic' : 'Plus'}`);
    const warnings = await warningsOf(`${lines.join('\n')}\n`, 'fuzzy', GMM, { categorical: 'onehot' });
    assert.deepEqual(warnings, [
      'Column "plan" is clustered one-hot with 2 indicators that each have the same value in at least 99% of the rows clustered ("plan=Gold" 99.5% and "plan=Silver" 99.5%): ' +
        'levels this rare will drive tiny clusters. Describe the column instead of clustering on it (--describe plan) or leave it out (--exclude plan).',
    ]);
  });
});

describe('a GMM variance collapsed to the reg_covar floor', () => {
  const spike = 'the members there all have (nearly) the same value, as when a 0/1 column is modelled as a Gaussian, and that spike drives the fit.';

  test('full: the column and the cluster, --covariance diag or --describe', async () => {
    assert.deepEqual(await warningsOf(flagCsv(), 'gmm', GMM), [
      `The variance of "flag" in cluster_0 collapsed to the reg_covar floor (1e-6): ${spike} ` +
        'Use --covariance diag, or describe the column instead of clustering on it (--describe flag).',
    ]);
  });

  test('diag: only describing is left; both clusters named', async () => {
    assert.deepEqual(await warningsOf(flagCsv(true), 'gmm', { ...GMM, covarianceType: 'diag' }), [
      `The variance of "flag" in cluster_0 and cluster_1 collapsed to the reg_covar floor (1e-6): ${spike} Describe the column instead of clustering on it (--describe flag).`,
    ]);
  });

  test('tied: one covariance for every cluster; in VS Code the setting', async () => {
    assert.deepEqual(await warningsOf(flagCsv(true), 'gmm', { ...GMM, covarianceType: 'tied' }, {}, OPTION_SETTINGS), [
      `The variance of "flag" in every cluster (tied: one covariance for all) collapsed to the reg_covar floor (1e-6): ${spike} ` +
        'Use segment.gmm.covarianceType = diag, or describe the column instead of clustering on it ' +
        '(untick "flag" among the columns to cluster on and tick it among those to describe).',
    ]);
  });

  test('no warning when the column is described instead, nor for Fuzzy C-Means', async () => {
    assert.deepEqual(await warningsOf(flagCsv(), 'gmm', GMM, { describe: ['flag'] }), []);
    assert.deepEqual(await warningsOf(flagCsv(), 'fuzzy', GMM), []);
  });
});

test('the example customers raise no data-quality warning', async () => {
  const csv = readFileSync(join(__dirname, '..', '..', 'examples', 'customers.csv'), 'utf8');
  assert.deepEqual(await warningsOf(csv, 'gmm', { nClusters: 4, randomSeed: 42 }), []);
});

test('CLI: the warnings follow the summary, marked, and are in the profile', async (t) => {
  const dir = tempDir(t, 'segment-warnings-');
  const csv = join(dir, 'flags.csv');
  writeFileSync(csv, flagCsv());
  const { code, out, err } = await runCli(['gmm', csv, '--clusters', '2', '--out', dir]);
  assert.equal(code, 0, err);
  const lines = out.trimEnd().split('\n');
  const expected =
    `warning: The variance of "flag" in cluster_0 collapsed to the reg_covar floor (1e-6): ${'the members there all have (nearly) the same value, as when a 0/1 column is modelled as a Gaussian, and that spike drives the fit.'} ` +
    'Use --covariance diag, or describe the column instead of clustering on it (--describe flag).';
  assert.equal(lines.at(-1), expected);
  // After the files written.
  assert.ok(lines.indexOf('Wrote:') < lines.length - 1 && lines.at(-2)!.endsWith('.json'), out);
  const profile = JSON.parse(readFileSync(lines[lines.indexOf('Wrote:') + 1].trim(), 'utf8'));
  assert.deepEqual(profile.metadata.warnings, [expected.slice('warning: '.length)]);
});
