/**
 * A seeded fuzz run of the CLI, in process: thousands of generated CSVs of
 * every awkward kind (huge and tiny numbers, infinities, NA tokens, text,
 * quotes, BOM, CRLF, semicolons with decimal commas, ragged rows, NUL bytes,
 * hostile names, too few rows). For each: no crash, no stack trace, a
 * failure is one line (exit 1), and a success writes a profile whose numbers
 * are numbers and whose assignments have n_samples rows.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { main } from '../../src/cli/main';
import { Random } from '../../src/engine/kernels/random';
import { capture } from '../helpers/cli';
import { tempDir } from '../helpers/tempDir';

const CASES = Number(process.env.SEGMENT_FUZZ_CASES ?? 3000);
const SEED = Number(process.env.SEGMENT_FUZZ_SEED ?? 20261202);

const NAMES = ['spend', 'visits', '__proto__', 'constructor', 'toString', 'a,b', 'say "hi"', 'région', '=SUM(A1)', 'x\u001b[31m', 'tenure', 'age', 'id', 'customer_id', ''];
const TEXT = ['Yes', 'No', 'month-to-month', 'two year', 'hello world', '=cmd|calc', '@SUM', 'Infinity', 'INF', '-inf', 'NaN', 'NA', 'null', 'n/a', '', ' ', '1,5', '0x1F', '12abc', '1e5', '"quoted, comma"', '"multi\nline"', 'é', '\u0000'];

function cell(rng: Random, kind: number, row: number): string {
  switch (kind) {
    case 0: // ordinary decimals
      return (rng.normal() * 100 + 500).toFixed(rng.int(4));
    case 1: // small integers, often repeated
      return String(rng.int(5));
    case 2: // huge, tiny and extreme values
      return ['1e155', '1e307', '-1e308', '1e-300', '5e-324', '1.7976931348623157e308', String(rng.normal() * 1e200)][rng.int(7)];
    case 3: // constant
      return '7';
    case 4: // distinct integers (an id by its values)
      return String(1000 + row);
    case 5: // mostly numbers with missing values
      return rng.next() < 0.3 ? ['', 'NA', 'nan', 'NULL', 'n/a'][rng.int(5)] : (rng.next() * 10).toFixed(2);
    default: // text of every kind
      return TEXT[rng.int(TEXT.length)];
  }
}

function quote(field: string, delimiter: string): string {
  if (field.includes('"') && !(field.startsWith('"') && field.endsWith('"'))) return `"${field.replace(/"/g, '""')}"`;
  return field.includes(delimiter) && !field.startsWith('"') ? `"${field}"` : field;
}

function generateCsv(rng: Random): string {
  const columns = 1 + rng.int(6);
  const rows = rng.int(10) === 0 ? rng.int(4) : 2 + rng.int(60);
  const semicolon = rng.int(8) === 0;
  const delimiter = semicolon ? ';' : rng.int(12) === 0 ? '\t' : ',';
  const newline = rng.int(4) === 0 ? '\r\n' : '\n';
  const kinds = Array.from({ length: columns }, () => (rng.next() < 0.6 ? rng.int(2) : rng.int(7)));
  const names = Array.from({ length: columns }, (_, j) => (rng.next() < 0.8 ? `c${j}` : NAMES[rng.int(NAMES.length)]));
  const lines = [names.map((n) => quote(n, delimiter)).join(delimiter)];
  for (let i = 0; i < rows; i++) {
    let fields = kinds.map((kind) => cell(rng, kind, i));
    if (semicolon) fields = fields.map((f) => f.replace('.', ','));
    if (rng.int(40) === 0) fields = fields.slice(0, Math.max(0, fields.length - 1)); // ragged
    lines.push(fields.map((f) => quote(f, delimiter)).join(delimiter));
  }
  let text = lines.join(newline) + (rng.int(5) === 0 ? '' : newline);
  if (rng.int(10) === 0) text = `\ufeff${text}`;
  if (rng.int(60) === 0) text = text.slice(0, Math.floor(text.length / 2)) + '\u0000' + text.slice(Math.floor(text.length / 2));
  return text;
}

/** Where null is what PROFILE.md says: no id column, the exact silhouette's sample size, the std of a single member. */
const NULL_BY_SPEC = new Set(['metadata.id_column', 'metadata.silhouette_sample_size']);

function allowedNull(path: string[], profile: Record<string, unknown>): boolean {
  if (NULL_BY_SPEC.has(path.join('.'))) return true;
  if (path[0] === 'clusters') {
    const cluster = (profile.clusters as Record<string, { size: number } & Record<string, Record<string, Record<string, unknown>>>>)[path[1]];
    if (cluster.size === 0) return true; // an empty cluster: its statistics are null and a warning says so
    if (cluster.size === 1 && path[path.length - 1] === 'std') return true;
    // A categorical column none of whose members in this cluster has a value: no mode (README, "The profile format").
    if (path[2] === 'categorical_statistics' && path[4] === 'mode') {
      const levels = Object.values(cluster.categorical_statistics[path[3]].levels as Record<string, { share?: number; count: number }>);
      return levels.every((level) => level.share === undefined || level.count === 0);
    }
  }
  return false;
}

function findBadNumbers(value: unknown, path: string[], profile: Record<string, unknown>, out: string[]): void {
  if (value === null) {
    if (!allowedNull(path, profile)) out.push(path.join('.'));
  } else if (typeof value === 'number') {
    if (!Number.isFinite(value)) out.push(`${path.join('.')} = ${value}`);
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => findBadNumbers(v, [...path, String(i)], profile, out));
  } else if (typeof value === 'object') {
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) findBadNumbers(v, [...path, key], profile, out);
  }
}

test(`${CASES} generated CSVs through the CLI: no crash, one-line errors, profiles without NaN or misplaced null`, { timeout: 900_000 }, async (t) => {
  const dir = tempDir(t, 'segment-fuzz-');
  const rng = new Random(SEED);
  const optionRng = new Random(SEED + 1);
  const outcomes = { ok: 0, refused: 0 };
  const problems: string[] = [];
  for (let c = 0; c < CASES && problems.length < 5; c++) {
    const csv = join(dir, `case${c}.csv`);
    writeFileSync(csv, generateCsv(rng));
    const out = join(dir, `out${c}`);
    const method = rng.int(20) === 0 ? 'neural' : rng.int(2) === 0 ? 'gmm' : 'fuzzy';
    const extra = method === 'neural' ? ['--epochs', '1', '--n-init', '1'] : method === 'gmm' ? ['--covariance', ['full', 'tied', 'diag', 'spherical'][rng.int(4)]] : [];
    // One run in four clusters the categorical columns too (drawn apart, so the files generated stay the same).
    const onehot = optionRng.int(4) === 0 ? ['--categorical', 'onehot'] : [];
    const argv = [method, csv, '-k', String(2 + rng.int(3)), '--out', out, '--json', '--threads', '1', ...extra, ...onehot];
    const io = capture();
    const code = await main(argv, io);
    const where = `case ${c} (seed ${SEED}; ${argv.join(' ')})`;
    if (code === 1) {
      outcomes.refused++;
      if (!/^segment: [^\n]+\n$/.test(io.err())) problems.push(`${where}: not one line: ${JSON.stringify(io.err())}`);
      if (/unexpected error| at .*\.ts:\d+/.test(io.err())) problems.push(`${where}: a bug: ${io.err()}`);
      const left = readdirSync(dir).filter((name) => name === `out${c}`).flatMap(() => readdirSync(out));
      if (left.length > 0) problems.push(`${where}: wrote ${left.join(', ')} after an error`);
      continue;
    }
    if (code !== 0) {
      problems.push(`${where}: exit ${code}: ${io.err()}`);
      continue;
    }
    outcomes.ok++;
    const report = JSON.parse(io.out());
    const profile = JSON.parse(readFileSync(report.json, 'utf8'));
    const bad: string[] = [];
    findBadNumbers(profile, [], profile, bad);
    if (bad.length > 0) problems.push(`${where}: null or non-finite numbers at ${bad.slice(0, 5).join(', ')}`);
    if (JSON.stringify(load(readFileSync(report.yaml, 'utf8'))) !== JSON.stringify(profile)) problems.push(`${where}: YAML differs from JSON`);
    const assignmentLines = readFileSync(report.assignments, 'utf8').split('\n').filter((line) => line.length > 0).length;
    // Header plus one line per row clustered (a quoted id may hold a line break: then there are more).
    if (assignmentLines - 1 < profile.metadata.n_samples) problems.push(`${where}: ${assignmentLines - 1} assignment lines for ${profile.metadata.n_samples} samples`);
    rmSync(out, { recursive: true, force: true });
  }
  t.diagnostic(`exported ${outcomes.ok}, refused ${outcomes.refused}`);
  assert.deepEqual(problems, []);
  assert.ok(outcomes.ok > CASES / 5 && outcomes.refused > CASES / 20, `a useful mix: ${JSON.stringify(outcomes)}`);
});
