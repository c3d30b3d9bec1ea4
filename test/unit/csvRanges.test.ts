/**
 * Reading a CSV file in byte ranges on engine threads (src/engine/data/csvRanges.ts):
 * the same table as csv-parse (the reference) and as the fast reader in one
 * piece; boundaries inside quoted line breaks, columns whose ranges cannot be
 * joined and decimal commas read in one piece instead; progress and cancel.
 * The seeded corpus in fastCsv.test.ts runs the same joining on this thread.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { csvTuning, readCsv, type CsvProgress, type CsvTable } from '../../src/engine/data/csv';
import { rangeStats, rangeTuning } from '../../src/engine/data/csvRanges';
import { customersCsv } from '../../examples/customers';
import { readThreads } from '../../src/engine/pipeline';
import { tempDir } from '../helpers/tempDir';

const dir = tempDir({ after }, 'segment-ranges-');

function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** Reads `path` cut into `ranges` ranges (on engine threads unless told), then in one piece and with csv-parse. */
async function readThreeWays(path: string, ranges: number, onCallingThread = false): Promise<{ split: CsvTable; whole: CsvTable; reference: CsvTable }> {
  const saved = { ...rangeTuning };
  Object.assign(rangeTuning, { minBytes: 0, ranges, onCallingThread });
  try {
    const split = await readCsv(path);
    rangeTuning.ranges = 1;
    const whole = await readCsv(path);
    csvTuning.fast = false;
    const reference = await readCsv(path);
    return { split, whole, reference };
  } finally {
    csvTuning.fast = true;
    Object.assign(rangeTuning, saved);
  }
}

/** Tables equal, their numbers bit for bit (those read in ranges are in shared memory, which deepStrictEqual tells apart). */
function assertSameTable(actual: CsvTable, expected: CsvTable, where: string): void {
  const plain = (t: CsvTable) => ({ ...t, columns: t.columns.map((c) => ({ ...c, values: Buffer.from(c.values.buffer, c.values.byteOffset, c.values.byteLength).toString('base64') })) });
  assert.deepStrictEqual(plain(actual), plain(expected), where);
}

test('the example customers read in 2 and 3 ranges on engine threads: the same table as in one piece and as csv-parse', { timeout: 120_000 }, async () => {
  const path = file('customers.csv', customersCsv({ rows: 6000, seed: 11 }));
  for (const ranges of [2, 3]) {
    const before = rangeStats.split;
    const { split, whole, reference } = await readThreeWays(path, ranges);
    assert.equal(rangeStats.split, before + 1, `read in ${ranges} ranges`);
    assert.ok(split.columns[0].values.buffer instanceof SharedArrayBuffer, 'columns joined in their shared storage, not copied');
    assertSameTable(split, whole, `${ranges} ranges against one piece`);
    assertSameTable(split, reference, `${ranges} ranges against csv-parse`);
    assert.equal(split.nRows, 6000);
  }
});

test('a boundary inside a quoted value with line breaks: the range declines and the file is read in one piece', async () => {
  // Every row's note spans three lines: most line breaks are inside quotes.
  const rows = Array.from({ length: 3000 }, (_, i) => `${i},"note ${i}\nsecond line\nthird, with a comma",${(i * 0.37).toFixed(2)}`);
  const path = file('notes.csv', `id,note,spend\n${rows.join('\n')}\n`);
  const before = { ...rangeStats };
  const { split, reference } = await readThreeWays(path, 4, true);
  assert.equal(rangeStats.split, before.split, 'not joined from ranges');
  assert.ok(rangeStats.declined > before.declined, 'a range declined');
  assertSameTable(split, reference, 'notes.csv');
  assert.deepEqual([...split.lineOfRow.subarray(0, 3)], [2, 5, 8]);
});

test('ranges that cannot be joined exactly are read in one piece: texts then numbers written as "007", decimal commas', async () => {
  // zip: text in the first rows, then numbers whose written form ("007") only the whole-file reader keeps.
  const zips = Array.from({ length: 4000 }, (_, i) => `${i < 3 ? `Z${i}` : String(i).padStart(6, '0')},${i % 7}`);
  // x: a decimal comma first, later withdrawn by the period decimals (what it means depends on the rows before it).
  const commas = Array.from({ length: 4000 }, (_, i) => `${i};${i}.5;${i % 9}`);
  commas[0] = '0;0,5;1';
  for (const [name, text] of [
    ['zips.csv', `zip,n\n${zips.join('\n')}\n`],
    ['commas.csv', `id;x;n\n${commas.join('\n')}\n`],
  ]) {
    const before = rangeStats.joinedNot;
    const { split, reference } = await readThreeWays(file(name, text), 3, true);
    assert.equal(rangeStats.joinedNot, before + 1, `${name}: ranges not joined`);
    assertSameTable(split, reference, name);
  }
  // A comma after the period decimals is text wherever it is read: joined.
  commas[0] = '0;0.5;1';
  commas[3500] = '3500;3500,5;1';
  const before = rangeStats.split;
  const late = await readThreeWays(file('late-comma.csv', `id;x;n\n${commas.join('\n')}\n`), 3, true);
  assert.equal(rangeStats.split, before + 1);
  assertSameTable(late.split, late.reference, 'late-comma.csv');
  assert.deepEqual(late.split.columns[1].firstNonNumeric, { value: '3500,5', line: 3502 });
});

test('progress adds up the ranges and ends at every row; cancel stops the threads and reads nothing', { timeout: 120_000 }, async () => {
  const path = file('big.csv', customersCsv({ rows: 30_000, seed: 3 }));
  const saved = { ...rangeTuning };
  Object.assign(rangeTuning, { minBytes: 0, ranges: 2, onCallingThread: false });
  try {
    const reports: CsvProgress[] = [];
    const table = await readCsv(path, { onProgress: (p) => reports.push(p) });
    const last = reports[reports.length - 1];
    assert.deepEqual(last, { rowsRead: 30_000, bytesRead: last.totalBytes, totalBytes: last.totalBytes });
    assert.equal(table.nRows, 30_000);
    for (let k = 1; k < reports.length; k++) assert.ok(reports[k].rowsRead >= reports[k - 1].rowsRead, 'rows read never go back');

    const controller = new AbortController();
    const started = Date.now();
    const reading = readCsv(path, {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.rowsRead > 0) controller.abort();
      },
    });
    await assert.rejects(reading, (error: { code?: string }) => error.code === 'CANCELLED');
    assert.ok(Date.now() - started < 10_000, 'stopped promptly');
  } finally {
    Object.assign(rangeTuning, saved);
  }
});

test('the run\'s threads bound the ranges: one thread reads in one piece, two read in two', { timeout: 120_000 }, async () => {
  const path = file('threads.csv', customersCsv({ rows: 3000, seed: 5 }));
  const saved = { ...rangeTuning };
  Object.assign(rangeTuning, { minBytes: 0, ranges: 0, onCallingThread: true });
  try {
    const before = rangeStats.split;
    const one = await readCsv(path, { threads: 1 });
    assert.equal(rangeStats.split, before, 'threads 1: one piece');
    const two = await readCsv(path, { threads: 2 });
    assert.equal(rangeStats.split, before + 1, 'threads 2: in ranges');
    assertSameTable(two, one, 'threads.csv');
    // A run's threads reach the reader: the most any of its methods asks for.
    assert.deepEqual(readThreads([{ threads: 1 }, { threads: 3 }, { nClusters: 4 }]), { threads: 3 });
    assert.deepEqual(readThreads([{ nClusters: 4 }]), {});
  } finally {
    Object.assign(rangeTuning, saved);
  }
});

test('asked for some columns only, every reader leaves the others out and reads the asked ones exactly as a full read does', { timeout: 120_000 }, async () => {
  // The example customers: an id, quoted texts with quotes and commas, a categorical column, numbers with gaps.
  // The columns asked for are spread among the others.
  const path = file('some-columns.csv', customersCsv({ rows: 4000, seed: 5 }));
  const full = await readCsv(path);
  const names = full.columns.map((c) => c.name);
  const wanted = [names[0], names[3], names[7], names[names.length - 1]];
  const expected = { ...full, columns: full.columns.filter((c) => wanted.includes(c.name)), header: names };
  const plain = (t: CsvTable) => ({ ...t, columns: t.columns.map((c) => ({ ...c, values: Array.from(c.values) })) });
  const read = async (setting: () => void) => {
    const saved = { ...rangeTuning };
    setting();
    try {
      return await readCsv(path, { columns: wanted });
    } finally {
      csvTuning.fast = true;
      Object.assign(rangeTuning, saved);
    }
  };
  const before = rangeStats.split;
  const ways: [string, () => void][] = [
    ['the fast reader in one piece', () => {}],
    ['csv-parse', () => (csvTuning.fast = false)],
    ['3 ranges on this thread', () => Object.assign(rangeTuning, { minBytes: 0, ranges: 3, onCallingThread: true })],
    ['2 ranges on an engine thread', () => Object.assign(rangeTuning, { minBytes: 0, ranges: 2, onCallingThread: false })],
  ];
  for (const [way, setting] of ways) {
    const table = await read(setting);
    assert.deepEqual(table.columns.map((c) => c.name), wanted, way);
    assert.deepStrictEqual(plain(table), plain(expected), way);
  }
  assert.equal(rangeStats.split, before + 2, 'both range reads were joined from ranges');
  // Asked for every column, or none named: the table is the full one, without `header`.
  assert.equal((await readCsv(path, { columns: names })).header, undefined);
});
