/**
 * The fast CSV reader (src/engine/data/fastCsv.ts) against csv-parse, the
 * reference (csvTuning.fast = false): identical tables, row counts, line
 * numbers, errors and input format on every CSV file of the tests and the
 * examples and on a seeded corpus of generated CSVs of every awkward kind;
 * and its number parser against Number() on a million random decimals.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { csvReaderStats, csvTuning, readCsv, readCsvText, type CsvReadOptions, type CsvTable, type Delimiter } from '../../src/engine/data/csv';
import { scanNumber, scanned } from '../../src/engine/data/byteNumber';
import { rangeStats, rangeTuning } from '../../src/engine/data/csvRanges';
import { NumberShape, numberShape, numberValue } from '../../src/engine/data/numeric';
import { Random } from '../../src/engine/kernels/random';
import { tempDir } from '../helpers/tempDir';

const SEED = Number(process.env.SEGMENT_FUZZ_SEED ?? 20261202);
const CASES = Number(process.env.SEGMENT_CSV_FUZZ_CASES ?? 10_000);
const ROOT = join(__dirname, '..', '..');

type Outcome = { table: CsvTable } | { error: { code: unknown; message: string } };

async function outcome(read: () => Promise<CsvTable>): Promise<Outcome> {
  try {
    return { table: await read() };
  } catch (error) {
    const e = error as { code?: unknown; message: string };
    return { error: { code: e.code, message: e.message } };
  }
}

/** Reads with the fast reader and with csv-parse; whether the fast one read it itself. */
async function both(read: () => Promise<CsvTable>): Promise<{ fast: Outcome; reference: Outcome; readFast: boolean }> {
  const before = csvReaderStats.fast;
  csvTuning.fast = true;
  const fast = await outcome(read);
  const readFast = csvReaderStats.fast > before;
  csvTuning.fast = false;
  try {
    return { fast, reference: await outcome(read), readFast };
  } finally {
    csvTuning.fast = true;
  }
}

/** deepStrictEqual, and the numbers bit for bit (-0, NaN; a file read in ranges has them in shared memory). */
function assertSame(fast: Outcome, reference: Outcome, where: string): void {
  const withoutValues = (o: Outcome): unknown => ('table' in o ? { table: { ...o.table, columns: o.table.columns.map((c) => ({ ...c, values: c.values.length })) } } : o);
  assert.deepStrictEqual(withoutValues(fast), withoutValues(reference), where);
  if ('table' in fast && 'table' in reference) {
    fast.table.columns.forEach((column, j) => {
      const a = Buffer.from(column.values.buffer, column.values.byteOffset, column.values.byteLength);
      const r = reference.table.columns[j].values;
      assert.ok(a.equals(Buffer.from(r.buffer, r.byteOffset, r.byteLength)), `${where}: values of ${column.name} bit for bit`);
    });
  }
}

function checkNumber(text: string, allowDecimalComma: boolean): string | null {
  const bytes = Buffer.from(`7${text}7`, 'latin1'); // neighbours that would extend the number if read
  const shape = scanNumber(bytes, 1, 1 + text.length, allowDecimalComma);
  const want = numberShape(text, allowDecimalComma);
  const value = want === NumberShape.NONE ? NaN : numberValue(text, want);
  return shape === want && Object.is(scanned.value, value) ? null : `${JSON.stringify(text)}: ${shape} ${scanned.value}, want ${want} ${value}`;
}

test('numbers read from bytes are Number() of the same text: edge cases', () => {
  const cases = ['-0', '0', '+0', '0e999', '-0.000', '1e308', '1e309', '-1e309', '1e-320', '5e-324', '2e-324', '1e-400', '0.1', '0.1e1', '.5', '5.', '+5', '-.5e-3', '0x10', '0X1F', '1_000',
    '9007199254740993', '9007199254740992', '123456789012345', '1234567890123456', '0.30000000000000004', '1.7976931348623157e308', '1.7976931348623159e308', '2.2250738585072011e-308',
    '00012', '1.5e0022', '1e22', '1e23', '123e-22', '1e', '1e+', 'e5', '.', '+', '-', '+-1', '1..2', '1.2.3', '1e5.5', 'Infinity', '-inf', 'NaN', 'NA', '1,5', '-12,75', '1,', ',5', '1,234,5', '1,5e3'];
  const wrong = cases.flatMap((text) => [checkNumber(text, false), checkNumber(text, true)]).filter((problem) => problem !== null);
  assert.deepEqual(wrong, []);
});

test('numbers read from bytes are Number() of the same text: a million random decimals', () => {
  const rng = new Random(SEED);
  const digits = (n: number) => {
    let s = '';
    for (let k = 0; k < n; k++) s += String(rng.int(10));
    return s;
  };
  const wrong: string[] = [];
  for (let k = 0; k < 1_000_000 && wrong.length < 10; k++) {
    const sign = ['', '-', '+'][rng.int(3)];
    const whole = digits(rng.int(k % 7 === 0 ? 25 : 10));
    const fraction = rng.int(3) === 0 ? '' : `.${digits(rng.int(k % 5 === 0 ? 25 : 12))}`;
    const exponent = rng.int(4) === 0 ? `${rng.int(2) === 0 ? 'e' : 'E'}${['', '-', '+'][rng.int(3)]}${rng.int(rng.int(2) === 0 ? 30 : 400)}` : '';
    const comma = k % 10 === 0;
    const text = comma ? `${sign}${whole}${fraction.replace('.', ',')}` : `${sign}${whole}${fraction}${exponent}`;
    const problem = checkNumber(text, comma);
    if (problem) wrong.push(problem);
  }
  assert.deepEqual(wrong, []);
});

test('every CSV file of the tests and the examples reads the same with the fast reader as with csv-parse', async () => {
  const files = [
    ...['test/fixtures/csv', 'test/fixtures/golden', 'examples'].flatMap((dir) =>
      readdirSync(join(ROOT, dir))
        .filter((name) => name.endsWith('.csv'))
        .map((name) => join(ROOT, dir, name)),
    ),
  ];
  assert.ok(files.length >= 5, `found ${files.length} CSV files`);
  for (const file of files) {
    for (const [blockBytes, ranges] of [
      [csvTuning.blockBytes, 1],
      [4093, 1],
      [csvTuning.blockBytes, 3],
    ]) {
      const saved = { ...csvTuning };
      csvTuning.blockBytes = blockBytes;
      try {
        const { fast, reference, readFast } = await both(() => withRanges({ ranges, storageMargin: 1.02, storageSlack: 2 }, () => readCsv(file)));
        assertSame(fast, reference, `${file} (${ranges} ranges)`);
        assert.ok(readFast, `${file} was read by the fast reader`);
      } finally {
        Object.assign(csvTuning, saved);
      }
    }
  }
});

/**
 * `read` with files of any size cut into `ranges` byte ranges (./csvRanges.ts), all read on
 * this thread; the room in the shared columns shrunk by `storageMargin` (below 1: ranges outgrow it).
 */
async function withRanges<T>(tuning: { ranges: number; storageMargin: number; storageSlack: number }, read: () => Promise<T>): Promise<T> {
  const saved = { ...rangeTuning };
  Object.assign(rangeTuning, { minBytes: 0, onCallingThread: true, ...tuning });
  try {
    return await read();
  } finally {
    Object.assign(rangeTuning, saved);
  }
}

// ---------------------------------------------------------------------------
// The generated corpus

const DELIMITERS: Delimiter[] = [',', ';', '\t', '|'];
const NA = ['', 'NA', 'na', 'N/A', 'n/a', 'NaN', 'nan', 'NULL', 'null', 'Null', 'nA'];
const TEXT = ['Yes', 'No', 'hello world', 'month-to-month', 'Infinity', '-inf', 'INF', '0x10', '12abc', '1e5x', 'é', '東京', 'Oslo 🌍', '=SUM(A1)', '__proto__', '<img onerror=x>', 'n\u000fa'];
const SPACES = [' ', '  ', '\t', '\u000b', '\u000c', '\u00a0', '\u3000', '\ufeff', '\u2003'];

function number(rng: Random): string {
  switch (rng.int(12)) {
    case 0:
      return (rng.normal() * 1000).toFixed(rng.int(6));
    case 1:
      return String(rng.int(5)); // few levels
    case 2:
      return ['1e308', '1e309', '-1e309', '1e-320', '5e-324', '-0', '+0', '0.1', '.5', '5.', '+5', '1.7976931348623157e308', '9007199254740993'][rng.int(13)];
    case 3:
      return String(rng.normal() * 10 ** (rng.int(40) - 20));
    case 4:
      return `${rng.int(1000)}e${rng.int(2) ? '-' : ''}${rng.int(30)}`;
    case 5:
      return `${rng.int(100)},${rng.int(100)}`; // a decimal comma (or a thousands separator)
    case 6:
      return `${rng.int(9) + 1}${'0123456789'.repeat(2).slice(0, rng.int(20))}.${rng.int(1000)}`; // long mantissas
    default:
      return (rng.next() * 100).toFixed(2);
  }
}

function cell(rng: Random, kind: number, row: number): string {
  const roll = rng.int(100);
  if (roll < 8) return NA[rng.int(NA.length)];
  if (roll < 10) return TEXT[rng.int(TEXT.length)];
  switch (kind) {
    case 0:
      return number(rng);
    case 1:
      return String(rng.int(4));
    case 2:
      return String(1000 + row); // an id by its values
    case 3:
      return ['Yes', 'No', 'Maybe'][rng.int(3)];
    default:
      return TEXT[rng.int(TEXT.length)];
  }
}

/** Quoting, padding and the occasional broken quote, as spreadsheets and hands write them. */
function dress(rng: Random, field: string, delimiter: string, broken: boolean): string {
  let out = field;
  const mustQuote = out.includes(delimiter) || out.includes('"') || out.includes('\n') || out.includes('\r');
  const roll = broken ? rng.int(100) : 100;
  if (mustQuote || roll < 10) out = `"${out.replace(/"/g, '""')}"`;
  else if (roll < 12) out = `"${out}"${rng.int(2) ? 'x' : ' "y"'}`; // text after the closing quote
  else if (roll < 13) out = `${out}"${out}`; // a quote inside an unquoted value
  if (rng.int(25) === 0) out = `${SPACES[rng.int(SPACES.length)]}${out}`;
  if (rng.int(25) === 0) out = `${out}${SPACES[rng.int(SPACES.length)]}`;
  return out;
}

function generateCsv(rng: Random): { bytes: Buffer; delimiter?: Delimiter } {
  const columns = 1 + rng.int(7);
  const rows = rng.int(12) === 0 ? rng.int(3) : 1 + rng.int(rng.int(4) === 0 ? 120 : 30);
  const delimiter = DELIMITERS[rng.int(DELIMITERS.length)];
  const comma = delimiter !== ',' && rng.int(3) === 0;
  const newline = ['\n', '\r\n', '\r', '\n', '\r\n'][rng.int(5)];
  const mixedNewlines = rng.int(15) === 0;
  const kinds = Array.from({ length: columns }, () => rng.int(6));
  const names = Array.from({ length: columns }, (_, j) => (rng.int(10) === 0 ? ['customer_id', 'id', '', 'c0', 'a,b', 'say "hi"', 'région', ' spaced '][rng.int(8)] : `c${j}`));
  // One file in ten has quotes in the wrong places (the others have them rarely).
  const broken = rng.int(10) === 0;
  const lines = [names.map((name) => dress(rng, name, delimiter, broken)).join(delimiter)];
  for (let i = 0; i < rows; i++) {
    if (rng.int(30) === 0) lines.push(['', ' ', '\t ', '""'][rng.int(4)]); // an empty line
    let fields = kinds.map((kind) => cell(rng, kind, i));
    if (comma) fields = fields.map((f) => f.replace('.', ','));
    if (rng.int(25) === 0) fields[rng.int(columns)] = ['multi\nline', 'multi\r\nline', 'cr\ronly', 'a,b;c|d\te', ' "quoted" '][rng.int(5)];
    if (rng.int(600) === 0) fields = fields.slice(0, -1); // ragged
    if (rng.int(1200) === 0) fields.push('extra');
    lines.push(fields.map((f) => dress(rng, f, delimiter, broken)).join(delimiter));
  }
  let text = mixedNewlines ? lines.map((line) => line + ['\n', '\r\n', '\r'][rng.int(3)]).join('') : lines.join(newline) + (rng.int(4) === 0 ? '' : newline);
  if (rng.int(200) === 0) text += '"unclosed';
  let bytes = Buffer.from(text, 'utf8');
  if (rng.int(10) === 0) bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes]);
  if (rng.int(60) === 0) {
    const at = rng.int(bytes.length + 1);
    const bad = [[0xff], [0xc3], [0x00], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xc0, 0xaf]][rng.int(6)];
    bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(bad), bytes.subarray(at)]);
  }
  return { bytes, delimiter: rng.int(10) === 0 ? DELIMITERS[rng.int(DELIMITERS.length)] : undefined };
}

test(`${CASES} generated CSVs read the same with the fast reader as with csv-parse`, { timeout: 900_000 }, async (t) => {
  const dir = tempDir(t, 'segment-fastcsv-');
  const rng = new Random(SEED);
  const saved = csvTuning.blockBytes;
  const tally = { fast: 0, declined: 0, tables: 0, errors: 0, split: 0, joinedNot: rangeStats.joinedNot, sampled: 0 };
  const errorCodes: Record<string, number> = {};
  try {
    for (let c = 0; c < CASES; c++) {
      const { bytes, delimiter } = generateCsv(rng);
      // Now and then blocks of a few bytes, which cut rows, quotes, CRLFs and characters apart.
      csvTuning.blockBytes = rng.int(8) === 0 ? 1 + rng.int(13) : saved;
      const options: CsvReadOptions = delimiter ? { delimiter } : {};
      // Now and then a sample of a few rows (drawn from the record bytes on the fast path).
      if (rng.int(6) === 0) options.sample = { rows: 1 + rng.int(12), seed: rng.int(1000) };
      const fromText = rng.int(2) === 0; // readCsvText (no file): invalid bytes arrive as U+FFFD
      const path = join(dir, `case${c % 50}.csv`);
      if (!fromText) writeFileSync(path, bytes);
      const readWhole = fromText ? () => readCsvText(bytes.toString('utf8'), 'case.csv', options) : () => readCsv(path, options);
      // Half the files cut into 2 to 4 byte ranges, with room for their rows to spare, with just enough
      // (their rows then move onto the room of the range before) or with too little.
      const ranges = rng.int(2) === 0 ? 1 : 2 + rng.int(3);
      const [storageMargin, storageSlack] = [
        [1.15, 1024],
        [1.02, 2],
        [0.5, 0],
      ][rng.int(3)];
      const read = () => withRanges({ ranges, storageMargin, storageSlack }, readWhole);
      const splitBefore = rangeStats.split;
      const { fast, reference, readFast } = await both(read);
      assertSame(
        fast,
        reference,
        `case ${c} (seed ${SEED}, blocks of ${csvTuning.blockBytes}, ${ranges} ranges, margin ${storageMargin}): ${JSON.stringify(bytes.toString('latin1').slice(0, 300))}`,
      );
      if (rangeStats.split > splitBefore) tally.split++;
      if (options.sample && readFast) tally.sampled++;
      tally[readFast ? 'fast' : 'declined']++;
      tally['table' in reference ? 'tables' : 'errors']++;
      if ('error' in reference) errorCodes[String(reference.error.code)] = (errorCodes[String(reference.error.code)] ?? 0) + 1;
    }
  } finally {
    csvTuning.blockBytes = saved;
  }
  tally.joinedNot = rangeStats.joinedNot - tally.joinedNot;
  t.diagnostic(JSON.stringify({ ...tally, errorCodes }));
  assert.ok(tally.split > CASES / 10 && tally.joinedNot > 0 && tally.sampled > CASES / 20, `files read in ranges, files whose ranges could not be joined, sampled files read fast: ${JSON.stringify(tally)}`);
  // A corpus the fast reader mostly declined, or one without errors, would prove little.
  assert.ok(tally.fast > CASES / 2, `the fast reader read most files itself: ${JSON.stringify(tally)}`);
  assert.ok(tally.errors > CASES / 20 && tally.tables > CASES / 2, `a useful mix: ${JSON.stringify(tally)}`);
});

test('line numbers in errors and rows stay right on the fast path: quoted line breaks, CR, CRLF and blank lines', async () => {
  const text = 'id,note,x\r\n\r\n1,"two\r\nlines",1\r2,"a\nb",2\n\n   \n3,plain,3\n4,"x",oops\n5,y,"7"\n';
  const { fast, reference, readFast } = await both(() => readCsvText(text, 'lines.csv'));
  assertSame(fast, reference, 'lines.csv');
  assert.ok(readFast);
  assert.ok('table' in fast);
  assert.deepEqual([...fast.table.lineOfRow], [3, 5, 9, 10, 11]);
  const ragged = await both(() => readCsvText('a,b\n1,2\n\n"x\ny",3\n4\n', 'ragged.csv'));
  assertSame(ragged.fast, ragged.reference, 'ragged.csv');
  assert.match('error' in ragged.fast ? ragged.fast.error.message : '', /^Line 6 of "ragged.csv" has 1 value/);
});
