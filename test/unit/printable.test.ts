import { test } from 'node:test';
import assert from 'node:assert/strict';
import { printable } from '../../src/engine/printable';
import { SegmentError } from '../../src/engine/errors';

test('control characters are shown as \\u escapes: C0, DEL, C1, bidirectional controls, line separators (issue 11.10)', () => {
  assert.equal(printable('a\x1b[31mb\x07c'), 'a\\u001b[31mb\\u0007c');
  assert.equal(printable('tab\there\r\nnext\0'), 'tab\\u0009here\\u000d\\u000anext\\u0000');
  assert.equal(printable('del\x7f csi\x9b nel\x85'), 'del\\u007f csi\\u009b nel\\u0085');
  assert.equal(printable('abc\u202Egnp.exe'), 'abc\\u202egnp.exe');
  assert.equal(printable('\u200e\u200f\u061c\u2066\u2069\u2028\u2029'), '\\u200e\\u200f\\u061c\\u2066\\u2069\\u2028\\u2029');
});

test('ordinary text, accents, symbols and emoji are left as they are, and escaping twice changes nothing', () => {
  const text = 'Café “Köln” → 50 % — 日本 🚀 a\\u001b';
  assert.equal(printable(text), text);
  const once = printable('x\x1by');
  assert.equal(printable(once), once);
});

test('a SegmentError message never carries a control character to a terminal', () => {
  const error = new SegmentError('UNKNOWN_COLUMN', 'There is no column "\x1b]0;pwned\x07" in "a.csv".');
  assert.equal(error.message, 'There is no column "\\u001b]0;pwned\\u0007" in "a.csv".');
});
