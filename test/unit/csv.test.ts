import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isIdLikeName, readCsv, readCsvText, sniffDialect, type CsvColumn, type CsvProgress, type CsvTable } from '../../src/engine/data/csv';
import { tempDir } from '../helpers/tempDir';

const FIXTURES = join(__dirname, '..', 'fixtures', 'csv');
const dir = tempDir({ after }, 'segment-csv-');

/** Writes `content` to a temporary file and returns its path. */
function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

function read(text: string): Promise<CsvTable> {
  return readCsvText(text, 'customers.csv');
}

function column(table: CsvTable, name: string): CsvColumn {
  const found = table.columns.find((c) => c.name === name);
  assert.ok(found, `no column ${name}`);
  return found;
}

function values(table: CsvTable, name: string): number[] {
  return Array.from(column(table, name).values);
}

describe('reading well-formed and messy CSV', () => {
  test('a plain comma file from disk: columns of numbers, row lines, dialect', async () => {
    const table = await readCsv(file('plain.csv', 'age,spend\n34,120.5\n41,99\n'));
    assert.equal(table.fileName, 'plain.csv');
    assert.equal(table.delimiter, ',');
    assert.equal(table.lineEnding, 'LF');
    assert.equal(table.hadBom, false);
    assert.equal(table.decimalComma, false);
    assert.equal(table.nRows, 2);
    assert.deepEqual(values(table, 'age'), [34, 41]);
    assert.deepEqual(values(table, 'spend'), [120.5, 99]);
    assert.deepEqual(Array.from(table.lineOfRow), [2, 3]);
    assert.ok(table.columns[0].values instanceof Float64Array);
    assert.equal(column(table, 'age').text, null);
  });

  test('an Excel export: BOM, CRLF, semicolons, decimal commas, a quoted semicolon, a blank line', async () => {
    const table = await readCsv(join(FIXTURES, 'excel-semicolon.csv'));
    assert.equal(table.delimiter, ';');
    assert.equal(table.hadBom, true);
    assert.equal(table.lineEnding, 'CRLF');
    assert.equal(table.decimalComma, true);
    assert.deepEqual(
      table.columns.map((c) => c.name),
      ['Kunde ID', 'Alter', 'Umsatz', 'Stadt'],
    );
    assert.deepEqual(values(table, 'Umsatz'), [1234.5, 99.9, -12.75, 0.5]);
    assert.deepEqual(values(table, 'Alter'), [34, 41, NaN, 34]);
    assert.equal(column(table, 'Alter').missing, 1);
    assert.deepEqual(column(table, 'Kunde ID').text, ['K-001', 'K-002', 'K-003', 'K-004']);
    assert.deepEqual(column(table, 'Stadt').text, ['Köln', 'Berlin; Mitte', 'Hamburg', 'Köln']);
    assert.deepEqual(Array.from(table.lineOfRow), [2, 3, 5, 6]);
  });

  test('tab-separated, with empty cells', async () => {
    const table = await read('a\tb\tc\n1\t\t3\n\t5\t\n');
    assert.equal(table.delimiter, '\t');
    assert.deepEqual(values(table, 'a'), [1, NaN]);
    assert.deepEqual(values(table, 'b'), [NaN, 5]);
    assert.deepEqual(values(table, 'c'), [3, NaN]);
  });

  test('pipe-separated', async () => {
    const table = await read('a|b\n1|2\n3|4\n');
    assert.equal(table.delimiter, '|');
    assert.deepEqual(values(table, 'b'), [2, 4]);
  });

  test('a BOM is stripped from the first header name', async () => {
    const table = await read('\uFEFFage,spend\n1,2\n');
    assert.equal(table.hadBom, true);
    assert.equal(table.columns[0].name, 'age');
  });

  test('CRLF and old-Mac CR line endings', async () => {
    const crlf = await read('a,b\r\n1,2\r\n3,4\r\n');
    assert.equal(crlf.lineEnding, 'CRLF');
    assert.deepEqual(values(crlf, 'b'), [2, 4]);
    const cr = await read('a,b\r1,2\r3,4');
    assert.equal(cr.lineEnding, 'CR');
    assert.deepEqual(values(cr, 'a'), [1, 3]);
    assert.deepEqual(Array.from(cr.lineOfRow), [2, 3]);
  });

  test('quoted fields hold delimiters, doubled quotes and line breaks; later line numbers stay right', async () => {
    const text = 'id,note,x\n1,"a, b",10\n2,"say ""hi""",20\n3,"two\nlines",30\n4,"crlf\r\ninside",40\n5,plain,50\n';
    const table = await read(text);
    assert.deepEqual(column(table, 'note').text, ['a, b', 'say "hi"', 'two\nlines', 'crlf\r\ninside', 'plain']);
    assert.deepEqual(values(table, 'x'), [10, 20, 30, 40, 50]);
    assert.deepEqual(Array.from(table.lineOfRow), [2, 3, 4, 6, 8]);
  });

  test('blank and space-only lines are skipped and not counted; a line of only delimiters is a row of missing values', async () => {
    const table = await read('\n\na,b\n\n1,2\n   \n,\n\n3,4\n\n');
    assert.equal(table.nRows, 3);
    assert.deepEqual(values(table, 'a'), [1, NaN, 3]);
    assert.deepEqual(Array.from(table.lineOfRow), [5, 7, 9]);
  });

  test('header names are trimmed', async () => {
    const table = await read(' age , spend\n1,2\n');
    assert.deepEqual(
      table.columns.map((c) => c.name),
      ['age', 'spend'],
    );
  });

  test('every missing-value token, in any case and with spaces, counts as missing', async () => {
    const tokens = ['', 'NA', 'na', 'N/A', 'n/a', 'NaN', 'nan', 'NAN', 'null', 'NULL', 'Null', '  na  ', ' '];
    const table = await read(`x,y\n${tokens.map((t, i) => `"${t}",${i}`).join('\n')}\n`);
    const x = column(table, 'x');
    assert.equal(x.missing, tokens.length);
    assert.equal(x.nonNumeric, 0);
    assert.ok(Array.from(x.values).every(Number.isNaN));
  });

  test('strict number syntax: signs, fractions, exponents in; anything else is text', async () => {
    const good: [string, number][] = [
      ['12', 12],
      ['-3.5', -3.5],
      ['.5', 0.5],
      ['1e3', 1000],
      ['+2E-4', 0.0002],
      [' 7 ', 7],
      ['5.', 5],
      ['-0.25e+2', -25],
    ];
    const table = await read(`x\n${good.map(([t]) => `"${t}"`).join('\n')}\n`);
    assert.deepEqual(
      values(table, 'x'),
      good.map(([, v]) => v),
    );
    assert.equal(column(table, 'x').nonNumeric, 0);

    const bad = ['12abc', '1,234', '2024-01-05', '0x1F', "''", '1e', '.', '-', '1.2.3', '$5'];
    const texts = await read(`x\n${bad.map((t) => `"${t}"`).join('\n')}\n`);
    const x = column(texts, 'x');
    assert.equal(x.nonNumeric, bad.length);
    assert.deepEqual(x.firstNonNumeric, { value: '12abc', line: 2 });
    assert.deepEqual(x.text, bad);
  });

  test('decimal commas are read only when the comma is not the delimiter, and only if no period decimals share the column', async () => {
    const semi = await read('a;b;c\n1,5;2;7\n-12,75;3;8,25\n4;4;9.5\n');
    assert.equal(semi.decimalComma, true);
    assert.deepEqual(values(semi, 'a'), [1.5, -12.75, 4]);
    // Column c mixes "8,25" and "9.5": the comma value is not a decimal there.
    const c = column(semi, 'c');
    assert.deepEqual(Array.from(c.values), [7, NaN, 9.5]);
    assert.equal(c.nonNumeric, 1);
    assert.deepEqual(c.firstNonNumeric, { value: '8,25', line: 3 });
    assert.deepEqual(c.text, ['7', '8,25', '9.5']);

    const comma = await read('a,b\n"1,5",2\n3,4\n');
    assert.equal(comma.decimalComma, false);
    assert.equal(column(comma, 'a').nonNumeric, 1);
  });

  test('text is kept for id-like and non-numeric columns only, earlier rows filled in', async () => {
    const table = await read('customer_id,tier,spend\n007,1,10\nC8,,20\nC9,Gold,30\n');
    assert.deepEqual(column(table, 'customer_id').text, ['007', 'C8', 'C9']);
    assert.deepEqual(column(table, 'tier').text, ['1', '', 'Gold']);
    assert.deepEqual(column(table, 'tier').firstNonNumeric, { value: 'Gold', line: 4 });
    assert.equal(column(table, 'spend').text, null);
  });

  test('texts of a column read while its levels were coded are its cells as written, before and after the 51st value', async () => {
    // tier: numbers, then text (rows before it from their numbers), then levels kept (texts read from them
    // at the end); wide: 50 levels and a blank, then a 51st value (texts filled from the codes at the drop).
    const wide = Array.from({ length: 60 }, (_, i) => (i === 3 ? '' : `w${i % 50}`));
    wide[59] = 'w-new';
    const rows = wide.map((w, i) => `${i === 0 ? '07' : i < 5 ? 'Gold' : i % 7 === 0 ? '' : `T${i % 3}`},${w}`);
    const table = await read(`tier,wide\n${rows.join('\n')}\n`);
    assert.deepEqual(column(table, 'tier').text, ['7', 'Gold', 'Gold', 'Gold', 'Gold', ...rows.slice(5).map((r) => r.split(',')[0])]);
    assert.deepEqual(column(table, 'tier').levels, ['07', 'Gold', 'T2', 'T0', 'T1']);
    assert.deepEqual(column(table, 'wide').text, wide);
    assert.equal(column(table, 'wide').levels, null);
    for (const name of ['tier', 'wide']) assert.equal(column(table, name).text!.length, table.nRows);
  });

  test('a column with text has its distinct values exactly as written, coded per row, up to 50 of them', async () => {
    const table = await read('plan,spend,many\n07,10,a0\n1.50,20,a1\n,30,a2\nGold,40,a3\n07,50,a4\n');
    const plan = column(table, 'plan');
    // Earlier numeric cells are levels as written ("07", "1.50"), not as their numbers.
    assert.deepEqual(plan.levels, ['07', '1.50', 'Gold']);
    assert.deepEqual(Array.from(plan.codes!), [1, 2, 0, 3, 1]);
    // A column of numbers with few values keeps them too (as written: scoring reads a one-hot column's cells).
    assert.deepEqual(column(table, 'spend').levels, ['10', '20', '30', '40', '50']);
    const wide = await read(`t\n${Array.from({ length: 51 }, (_, i) => `v${i}`).join('\n')}\n`);
    assert.equal(column(wide, 't').levels, null);
    const fifty = await read(`t\n${Array.from({ length: 2000 }, (_, i) => `v${i % 50}`).join('\n')}\nNA\n`);
    assert.equal(column(fifty, 't').levels!.length, 50);
    assert.equal(column(fifty, 't').codes!.length, 2001);
    assert.equal(column(fifty, 't').codes![2000], 0);
  });

  test('an explicit delimiter overrides sniffing', async () => {
    const table = await readCsvText('a;b\n1;2\n', 'x.csv', { delimiter: ',' });
    assert.deepEqual(
      table.columns.map((c) => c.name),
      ['a;b'],
    );
  });
});

describe('infinite values are read, not refused: only a feature may not have one (issue 11.6)', () => {
  test('spelled-out infinities and numbers too large for a double are counted with the first one', async () => {
    const table = await read('age,total_revenue,peak\n1,2,1e309\n3,Infinity,4\n\n5,-inf,6\n');
    const revenue = column(table, 'total_revenue');
    assert.equal(revenue.nonFinite, 2);
    assert.deepEqual(revenue.firstNonFinite, { value: 'Infinity', line: 3 });
    assert.equal(revenue.nonNumeric, 0);
    assert.equal(revenue.missing, 0);
    assert.deepEqual(Array.from(revenue.values), [2, NaN, NaN]);
    assert.deepEqual(column(table, 'peak').firstNonFinite, { value: '1e309', line: 2 });
    assert.equal(column(table, 'age').nonFinite, 0);
    assert.equal(column(table, 'age').firstNonFinite, null);
  });

  test('in a text column INF is one more text value', async () => {
    const table = await read('code,age\nINF,1\nAX,2\nInfinity,3\n');
    const code = column(table, 'code');
    assert.equal(code.nonFinite, 0);
    assert.equal(code.nonNumeric, 3);
    assert.deepEqual(code.firstNonNumeric, { value: 'AX', line: 3 });
    assert.deepEqual(code.text, ['INF', 'AX', 'Infinity']);
  });
});

describe('sniffing and names', () => {
  test('the delimiter giving the same field count on every line wins; ties go to the comma', () => {
    assert.equal(sniffDialect('a;b;c\n1,5;2;3\n', true).delimiter, ';');
    assert.equal(sniffDialect('a,b;c\n1,2;3\n', true).delimiter, ',');
    assert.equal(sniffDialect('a,b|c|d\n1,2|3|4\n', true).delimiter, '|');
    assert.equal(sniffDialect('"x;y",b\n"1;2",3\n', true).delimiter, ',');
    assert.equal(sniffDialect('single\n1\n', true).delimiter, ',');
  });

  test('a ragged sample falls back to the header; an unfinished last line is ignored', () => {
    assert.equal(sniffDialect('a;b;c\n1;2\n', true).delimiter, ';');
    assert.equal(sniffDialect('a;b\n1;2\n3', false).delimiter, ';');
  });

  test('id-like names', () => {
    for (const name of ['id', 'ID', 'Id', 'customer_id', 'CUSTOMER_ID', 'customerId', 'customerID', 'Customer ID', 'order-id', '_id']) {
      assert.equal(isIdLikeName(name), true, name);
    }
    for (const name of ['paid', 'PAID', 'valid', 'idle', 'identity', 'grid', 'width']) {
      assert.equal(isIdLikeName(name), false, name);
    }
  });
});

describe('bad input: one error code and one actionable message each', () => {
  test('missing file', async () => {
    const path = join(dir, 'nope.csv');
    await assert.rejects(readCsv(path), {
      name: 'SegmentError',
      code: 'FILE_NOT_FOUND',
      message: `File not found: "${path}". Check the folder and the file name, then try again.`,
    });
  });

  test('a folder instead of a file', async () => {
    await assert.rejects(readCsv(dir), {
      code: 'FILE_UNREADABLE',
      message: `"${dir}" is a folder, not a CSV file. Choose a .csv file inside it.`,
    });
  });

  test('empty file, and a file of blank lines', async () => {
    const message = 'The file "empty.csv" is empty. It needs a header row of column names followed by one row per customer.';
    await assert.rejects(readCsv(file('empty.csv', '')), { code: 'EMPTY_FILE', message });
    await assert.rejects(readCsvText('\n \r\n\n', 'empty.csv'), { code: 'EMPTY_FILE', message });
  });

  test('header but no data rows', async () => {
    await assert.rejects(readCsv(file('header.csv', 'age,spend\n\n')), {
      code: 'NO_DATA_ROWS',
      message: 'The file "header.csv" has a header but no data rows. Add one row per customer below the header.',
    });
  });

  test('duplicate header names are named', async () => {
    await assert.rejects(read('spend,age, spend,x\n1,2,3,4\n'), {
      code: 'DUPLICATE_HEADER',
      message: 'Column names must be unique, but the header of "customers.csv" repeats "spend" (columns 1 and 3). Rename the duplicates.',
    });
  });

  test('an empty header name', async () => {
    await assert.rejects(read('age,,spend\n1,2,3\n'), {
      code: 'EMPTY_HEADER',
      message: 'Column 2 of "customers.csv" has no name in the header (line 1). Give every column a name.',
    });
    await assert.rejects(read('\nage,spend,\n1,2,\n'), {
      code: 'EMPTY_HEADER',
      message:
        'Column 3 of "customers.csv" has no name in the header (line 2). Give every column a name, or remove the extra delimiter at the end of the header line.',
    });
  });

  test('a row with more or fewer fields than the header', async () => {
    await assert.rejects(read('a;b;c\n1;2;3\n\n4;5;6;7\n'), {
      code: 'RAGGED_ROW',
      message:
        'Line 4 of "customers.csv" has 4 values but the header has 3 columns. Look for a missing or extra semicolon (;) on that line, and put double quotes around any value that contains one.',
    });
    await assert.rejects(read('a,b\n1,2\n3\n'), {
      code: 'RAGGED_ROW',
      message:
        'Line 3 of "customers.csv" has 1 value but the header has 2 columns. Look for a missing or extra comma (,) on that line, and put double quotes around any value that contains one.',
    });
  });

  test('bytes that are not UTF-8', async () => {
    const hint = 'Re-save the file as UTF-8 (in Excel: Save As → "CSV UTF-8 (Comma delimited)") and try again.';
    await assert.rejects(readCsv(file('latin1.csv', Buffer.from([0x61, 0xff, 0x0a]))), {
      code: 'NOT_UTF8',
      message: `The file "latin1.csv" is not UTF-8 text: byte 0xFF at offset 1 (line 1) is not valid UTF-8. ${hint}`,
    });
    // "é" saved as Windows-1252, on the third line.
    const late = Buffer.concat([Buffer.from('a,b\n1,2\n3,'), Buffer.from([0xe9]), Buffer.from('\n')]);
    await assert.rejects(readCsv(file('cp1252.csv', late)), {
      code: 'NOT_UTF8',
      message: `The file "cp1252.csv" is not UTF-8 text: byte 0xE9 at offset 10 (line 3) is not valid UTF-8. ${hint}`,
    });
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('a,b\n1,2\n', 'utf16le')]);
    await assert.rejects(readCsv(file('utf16.csv', utf16)), {
      code: 'NOT_UTF8',
      message: `The file "utf16.csv" is UTF-16 text, not UTF-8. ${hint}`,
    });
    await assert.rejects(readCsv(file('utf16-no-bom.csv', Buffer.from('a,b\n1,2\n', 'utf16le'))), {
      code: 'NOT_UTF8',
      message: `The file "utf16-no-bom.csv" is UTF-16 text, not UTF-8. ${hint}`,
    });
  });

  test('a stray NUL byte is called what it is, with its place, wherever it is in the file (issue 11.9)', async () => {
    const nul = (offset: number, line: number, name = 'customers.csv') =>
      `The file "${name}" has a NUL byte (0x00) at offset ${offset} (line ${line}), which a text file never has: it may be damaged or not a CSV file. Remove that byte, or export the data again as CSV UTF-8.`;
    await assert.rejects(readCsv(file('nul.csv', Buffer.from('a,b\n1,2\n3,\u00004\n'))), { code: 'NOT_UTF8', message: nul(10, 3, 'nul.csv') });
    await assert.rejects(read('a,b\n1,\u00002\n'), { code: 'NOT_UTF8', message: nul(6, 2) });
    // Past the first 64 KB, which the dialect sniffer reads.
    const rows = '1,2\n'.repeat(40_000);
    await assert.rejects(readCsv(file('late-nul.csv', Buffer.from(`a,b\n${rows}3,\u00004\n`))), {
      code: 'NOT_UTF8',
      message: nul(4 + rows.length + 2, 40_002, 'late-nul.csv'),
    });
  });

  test('a line too long for a row, with no quote in it, is not blamed on a quote (issue 11.9)', async () => {
    await assert.rejects(read(`name,x\nA,1\nB,${'9'.repeat(1_200_000)}\n`), {
      code: 'MALFORMED_CSV',
      message:
        'Line 3 of "customers.csv" is longer than 1,000,000 characters, too long for one row. Check that every row ends with a line break and that this is the CSV file you meant.',
    });
  });

  test('an Excel workbook instead of its CSV export', async () => {
    const xlsx = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(60, 0x20)]);
    await assert.rejects(readCsv(file('customers.xlsx', xlsx)), {
      code: 'NOT_UTF8',
      message:
        'The file "customers.xlsx" is an Excel workbook, not a CSV file. In Excel, use Save As → "CSV UTF-8 (Comma delimited)" and open that file instead.',
    });
  });

  test('malformed quotes', async () => {
    await assert.rejects(read('name,x\nA,1\n"B,2\nC,3\n'), {
      code: 'MALFORMED_CSV',
      message: 'Line 3 of "customers.csv" opens a quoted value that is never closed. Add the closing double quote (") or remove the opening one.',
    });
    await assert.rejects(read('name,x\nA,1\n12" pizza,2\n'), {
      code: 'MALFORMED_CSV',
      message:
        'Line 3 of "customers.csv" has a double quote (") inside a value that does not start with one. Put the whole value in double quotes and write each quote inside it as two ("").',
    });
    // An unclosed quote in a large file stops at the size guard, not at the end of the file.
    await assert.rejects(read(`name,x\nA,1\n"B,2\n${'C,3\n'.repeat(300_000)}`), {
      code: 'MALFORMED_CSV',
      message:
        'Line 3 of "customers.csv" starts a row longer than 1,000,000 characters, most likely because of a double quote (") that is never closed. Check the quotes on that line.',
    });
    await assert.rejects(read('name,x\n"A"B,1\n'), {
      code: 'MALFORMED_CSV',
      message:
        'Line 2 of "customers.csv" has characters right after a closing double quote. Put the whole value in double quotes and write each quote inside it as two ("").',
    });
  });
});

describe('streaming', () => {
  /** Rows with quoted multi-byte text, missing cells and CRLF: 50,000 rows are about 2 MB. */
  function generated(rows = 50_000): string {
    const lines = ['customer_id,city,age,spend,visits'];
    for (let i = 0; i < rows; i++) {
      const city = ['"Zürich, CH"', 'Köln', '"東京 ""Tokyo"""', 'Oslo 🌍'][i % 4];
      const spend = i % 97 === 0 ? 'NA' : ((i * 7919) % 10_000) / 100;
      lines.push(`C${String(i).padStart(6, '0')},${city},${18 + (i % 60)},${spend},${i % 13}`);
    }
    return `${lines.join('\r\n')}\r\n`;
  }

  test('a 50k-row file streamed from disk gives the same table as the same text in memory, with progress on the way', async () => {
    const text = generated();
    const progress: CsvProgress[] = [];
    const fromDisk = await readCsv(file('big.csv', text), { onProgress: (p) => progress.push(p) });
    const fromText = await readCsvText(text, 'big.csv');
    assert.deepStrictEqual(fromDisk, fromText);
    assert.equal(fromDisk.nRows, 50_000);
    assert.equal(column(fromDisk, 'city').text?.[2], '東京 "Tokyo"');
    assert.equal(column(fromDisk, 'spend').missing, Math.ceil(50_000 / 97));
    assert.equal(fromDisk.lineOfRow[49_999], 50_001);
    assert.deepEqual(
      progress.map((p) => p.rowsRead),
      [10_000, 20_000, 30_000, 40_000, 50_000, 50_000],
    );
    const bytes = Buffer.byteLength(text);
    assert.deepEqual(progress.at(-1), { rowsRead: 50_000, bytesRead: bytes, totalBytes: bytes });
    assert.ok(progress.every((p, i) => i === 0 || p.bytesRead >= progress[i - 1].bytesRead));
  });

  test('a character split across two 64 KiB chunks is read whole', async () => {
    const head = 'name,x\n';
    const filler = 'a'.repeat(65_536 - head.length - 1);
    const text = `${head}${filler}ü,1\n`; // "ü" is 2 bytes, starting at byte 65,535
    const table = await readCsv(file('split.csv', text));
    assert.equal(column(table, 'name').text?.[0], `${filler}ü`);
  });

  test('cancelling stops the read with CANCELLED', async () => {
    const aborted = new AbortController();
    aborted.abort();
    await assert.rejects(readCsvText('a\n1\n', 'x.csv', { signal: aborted.signal }), {
      code: 'CANCELLED',
      message: 'Cancelled: no files were written.',
    });
    const midway = new AbortController();
    await assert.rejects(
      readCsv(file('cancel.csv', generated(15_000)), { signal: midway.signal, onProgress: () => midway.abort() }),
      { code: 'CANCELLED' },
    );
  });
});
