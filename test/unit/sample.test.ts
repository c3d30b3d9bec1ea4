/**
 * `--sample N` / segment.sampleRows: a seeded uniform sample of the data rows
 * drawn while reading (reservoir sampling), the rows keeping their number in
 * the file, metadata.sample recording it; a sample of every row is the file
 * itself; a model fitted on a sample scores every row of the file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readCsv, readCsvText } from '../../src/engine/data/csv';
import { RowReservoir } from '../../src/engine/data/sample';
import { exportMethods } from '../../src/engine/pipeline';
import { OPTION_SETTINGS } from '../../src/engine/methods/options';
import { runCli } from '../helpers/cli';
import { tempDir } from '../helpers/tempDir';

const EXAMPLE = join(resolve(__dirname, '..', '..'), 'examples', 'customers.csv');

/** A CSV of `n` rows whose `v` column is the row's own number, and a text column. */
function numberedCsv(n: number): string {
  const rows = Array.from({ length: n }, (_, i) => `${i + 1},${(i * 7) % 3 === 0 ? 'a' : 'b'}`);
  return `v,kind\n${rows.join('\n')}\n`;
}

test('every row is equally likely to be in the sample (chi-square over 4,000 seeds, 20 rows, samples of 5)', () => {
  const rows = 20;
  const size = 5;
  const seeds = 4000;
  const counts = new Array<number>(rows).fill(0);
  const subsets = new Map<string, number>();
  for (let seed = 0; seed < seeds; seed++) {
    const reservoir = new RowReservoir<number>({ rows: size, seed });
    for (let i = 0; i < rows; i++) reservoir.offer(i);
    const { items, sample } = reservoir.drain();
    assert.equal(items.length, size);
    assert.deepEqual([...sample!.rowIndex], items, 'each item with its own row index');
    for (let k = 1; k < items.length; k++) assert.ok(items[k] > items[k - 1], 'in file order, no row twice');
    for (const i of items) counts[i]++;
    const key = items.join(',');
    subsets.set(key, (subsets.get(key) ?? 0) + 1);
  }
  const expected = (seeds * size) / rows;
  const chiSquare = counts.reduce((sum, c) => sum + (c - expected) ** 2 / expected, 0);
  // 19 degrees of freedom: the 99.9th percentile is 43.82. Fixed seeds, so the test is deterministic.
  assert.ok(chiSquare < 43.82, `chi-square ${chiSquare.toFixed(2)} over ${counts.join(' ')}`);
  // The first and the last rows, which Algorithm R treats most differently, are as likely as any.
  assert.ok(Math.abs(counts[0] - expected) < 0.1 * expected && Math.abs(counts[rows - 1] - expected) < 0.1 * expected, counts.join(' '));
  // Many different subsets, no one favoured (there are 15,504 of them).
  assert.ok(subsets.size > 3000, `${subsets.size} distinct subsets`);
  assert.ok(Math.max(...subsets.values()) <= 5);
});

test('the same seed gives the same sample; another seed, another one', async () => {
  const text = numberedCsv(1000);
  const a = await readCsvText(text, 'n.csv', { sample: { rows: 50, seed: 7 } });
  const b = await readCsvText(text, 'n.csv', { sample: { rows: 50, seed: 7 } });
  const c = await readCsvText(text, 'n.csv', { sample: { rows: 50, seed: 8 } });
  assert.deepEqual([...a.sample!.rowIndex], [...b.sample!.rowIndex]);
  assert.deepEqual(a, b);
  assert.notDeepEqual([...a.sample!.rowIndex], [...c.sample!.rowIndex]);
});

test('a sampled table holds the chosen rows in file order, with their lines, as a file of only those rows would read', async () => {
  const text = numberedCsv(1000);
  const table = await readCsvText(text, 'n.csv', { sample: { rows: 40, seed: 3 } });
  const { sample } = table;
  assert.ok(sample);
  assert.equal(table.nRows, 40);
  assert.deepEqual({ rows: sample.rows, of: sample.of, seed: sample.seed }, { rows: 40, of: 1000, seed: 3 });
  const v = table.columns[0].values;
  for (let i = 0; i < 40; i++) {
    assert.equal(v[i], sample.rowIndex[i] + 1, 'the row\'s own number');
    assert.equal(table.lineOfRow[i], sample.rowIndex[i] + 2, 'its line, after the header');
  }
  const only = `v,kind\n${[...sample.rowIndex].map((i) => text.split('\n')[i + 1]).join('\n')}\n`;
  const direct = await readCsvText(only, 'n.csv');
  // The same columns, but for the line a first text is on: its line in the file, not in the file of the sample.
  const kind = table.columns[1];
  assert.equal(kind.firstNonNumeric!.line, table.lineOfRow[kind.text!.indexOf(kind.firstNonNumeric!.value)]);
  const withoutLines = (columns: typeof table.columns) => columns.map((c) => ({ ...c, firstNonNumeric: c.firstNonNumeric?.value }));
  assert.deepEqual(withoutLines(table.columns), withoutLines(direct.columns));
});

test('a sample of at least every row is the file itself: the same table, and the same profile as without --sample', async (t) => {
  const whole = await readCsv(EXAMPLE);
  for (const rows of [500, 501, 1_000_000]) {
    assert.deepEqual(await readCsv(EXAMPLE, { sample: { rows, seed: 42 } }), whole, `--sample ${rows}`);
  }
  const dir = tempDir(t, 'segment-sample-');
  const plain = await runCli(['fuzzy', EXAMPLE, '-k', '3', '--out', join(dir, 'plain'), '--json']);
  const sampled = await runCli(['fuzzy', EXAMPLE, '-k', '3', '--sample', '500', '--out', join(dir, 'sampled'), '--json']);
  assert.equal(plain.code, 0, plain.err);
  assert.equal(sampled.code, 0, sampled.err);
  const profile = (out: string) => {
    const json = JSON.parse(readFileSync(JSON.parse(out).json, 'utf8'));
    delete json.metadata.timestamp;
    return json;
  };
  assert.deepEqual(profile(sampled.out), profile(plain.out));
  assert.equal(readFileSync(JSON.parse(sampled.out).assignments, 'utf8'), readFileSync(JSON.parse(plain.out).assignments, 'utf8'));
});

test('segment gmm --sample: metadata.sample, the rows numbered as in the file, and the model scores every row of the file', async (t) => {
  const dir = tempDir(t, 'segment-sample-');
  const fit = await runCli(['gmm', EXAMPLE, '-k', '3', '--covariance', 'diag', '--sample', '200', '--seed', '9', '--out', join(dir, 'fit'), '--json']);
  assert.equal(fit.code, 0, fit.err);
  const report = JSON.parse(fit.out);
  const profile = JSON.parse(readFileSync(report.json, 'utf8'));
  const keys = Object.keys(profile.metadata);
  assert.deepEqual(profile.metadata.sample, { rows: 200, of: 500, seed: 9 });
  assert.equal(keys.indexOf('sample'), keys.indexOf('n_rows_read') + 1);
  assert.equal(profile.metadata.n_rows_read, 200);
  assert.equal(profile.metadata.n_samples, 200 - profile.metadata.n_rows_dropped);
  assert.equal(JSON.parse(readFileSync(report.model, 'utf8')).training.sample.of, 500, "the model's training metadata says it too");

  // Each assignment's row number is the customer's row in the file (customer_id C00001 is row 1).
  const assignments = readFileSync(report.assignments, 'utf8').trimEnd().split('\n').slice(1);
  assert.equal(assignments.length, profile.metadata.n_samples);
  const rowsFitted = assignments.map((line) => {
    const [row, id] = line.split(',');
    assert.equal(id, `C${row.padStart(5, '0')}`);
    return Number(row);
  });
  assert.ok(rowsFitted.some((row) => row > 200), 'drawn from the whole file, not its head');

  // Score all 500 rows: the fitted rows get exactly their assignments, the others a cluster too.
  const score = await runCli(['score', report.model, EXAMPLE, '--out', join(dir, 'scores'), '--json']);
  assert.equal(score.code, 0, score.err);
  const scored = JSON.parse(score.out);
  assert.equal(scored.n_rows_read, 500);
  // Every row but those with a gap in one of the model's features (dropped, as in training).
  const model = JSON.parse(readFileSync(report.model, 'utf8'));
  const table = await readCsv(EXAMPLE);
  const featureColumns = table.columns.filter((c) => model.features.includes(c.name));
  assert.equal(featureColumns.length, model.features.length);
  const complete = Array.from({ length: 500 }, (_, i) => i).filter((i) => featureColumns.every((c) => !Number.isNaN(c.values[i])));
  assert.ok(complete.length < 500);
  assert.equal(scored.n_scored, complete.length);
  const scores = new Map(
    readFileSync(scored.scores, 'utf8').trimEnd().split('\n').slice(1).map((line) => [line.split(',')[0], line] as const),
  );
  for (const line of assignments) assert.ok(scores.get(line.split(',')[0])!.startsWith(`${line},`), line);
});

test('the sample is drawn with the run\'s seed: --seed changes it, segment all shares it among the methods', async (t) => {
  const dir = tempDir(t, 'segment-sample-');
  const rowsOf = (path: string) => readFileSync(path, 'utf8').trimEnd().split('\n').slice(1).map((l) => l.split(',')[0]);
  const one = JSON.parse((await runCli(['fuzzy', EXAMPLE, '--sample', '60', '--seed', '1', '--out', join(dir, 'a'), '--json'])).out);
  const other = JSON.parse((await runCli(['fuzzy', EXAMPLE, '--sample', '60', '--seed', '2', '--out', join(dir, 'b'), '--json'])).out);
  assert.notDeepEqual(rowsOf(one.assignments), rowsOf(other.assignments));
  const sweep = await runCli(['sweep', 'fuzzy', EXAMPLE, '--k', '2..3', '--sample', '60', '--seed', '1', '--out', join(dir, 'sweep'), '--json']);
  assert.equal(sweep.code, 0, sweep.err);
  const selection = readdirSync(join(dir, 'sweep')).find((f) => f.endsWith('.json'))!;
  const document = JSON.parse(readFileSync(join(dir, 'sweep', selection), 'utf8'));
  assert.equal(document.metadata.n_samples, JSON.parse(readFileSync(one.json, 'utf8')).metadata.n_samples);
});

test('--sample errors, word for word: not a whole number, below 1; the VS Code setting by its name', async () => {
  const cases: [string, string][] = [
    ['0', 'segment: --sample must be a whole number of at least 1 (got 0).\nRun "segment --help" for the options.\n'],
    ['-5', 'segment: --sample must be a whole number of at least 1 (got -5).\nRun "segment --help" for the options.\n'],
    ['1.5', 'segment: --sample expects a whole number, got "1.5"\nRun "segment --help" for the options.\n'],
    ['many', 'segment: --sample expects a whole number, got "many"\nRun "segment --help" for the options.\n'],
  ];
  for (const [value, message] of cases) {
    for (const command of [['gmm'], ['all'], ['sweep', 'gmm']]) {
      const run = await runCli([...command, 'no-such-file.csv', `--sample=${value}`]);
      assert.equal(run.code, 2, `${command.join(' ')} --sample ${value}`);
      const usage = command[0] === 'sweep' ? 'Usage: segment sweep gmm|fuzzy|neural <file.csv> [--k K1..K2] [options]\n' : '';
      assert.equal(run.err, message.replace('\nRun', `\n${usage}Run`), `${command.join(' ')} --sample ${value}`);
    }
  }
  await assert.rejects(
    exportMethods({
      source: { kind: 'file', path: 'no-such-file.csv' },
      prepare: { missing: 'drop', sample: 2.5 },
      methods: [{ method: 'gmm', options: {} }],
      outputDir: '.',
      optionNames: OPTION_SETTINGS,
    }),
    { code: 'INVALID_OPTION', message: 'segment.sampleRows must be a whole number of at least 1 (got 2.5).' },
  );
  const help = await runCli(['--help']);
  assert.match(help.out, /\n {2}--sample N +fit on a uniform sample of N data rows drawn while reading, seeded by --seed \(default: every row\)\n/);
});
