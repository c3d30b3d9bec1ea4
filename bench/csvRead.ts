/**
 * Reading a CSV, and nothing else: our readCsv (the fast reader, and csv-parse
 * for reference) against pandas.read_csv (bench/read_csv_pandas.py, Debian
 * /usr/bin/python3) on the same examples-like file, each in a fresh process,
 * in one run. Reported: wall seconds (median of the repetitions), CPU seconds,
 * MB/s, and pandas' time over ours (the issue 16 goal: ≥ 3×).
 *
 *   npx tsx bench/csvRead.ts [--rows 200000,1000000] [--reps 3] [--no-csv-parse]
 *
 * bench/bench.ts runs it too. The files are bench/output/customers-<rows>-s7.csv,
 * shared with the other cases (made once, reused).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { buildSync } from 'esbuild';
import { writeCustomersCsvFile } from '../examples/customers';
import { BENCH_DIR, OUTPUT_DIR, REPO_DIR, SEED, builtThreadEntry, csvPath } from './data';

const PYTHON = process.env.BENCH_PYTHON ?? '/usr/bin/python3';
const MB = 1024 * 1024;

/** The fast reader (in byte ranges on the engine threads), the fast reader in one piece, csv-parse. */
type Reader = 'fast' | 'fast-one-piece' | 'csv-parse';

interface Timing {
  seconds: number;
  cpuSeconds: number;
  runs: number[];
}

export interface CsvReadBenchCase {
  rows: number;
  megabytes: number;
  columns: number;
  /** In byte ranges on the engine threads (files of 16 MB or more), else in one piece. */
  ours: Timing & { split: boolean };
  /** The fast reader on one thread. */
  onePiece: Timing;
  csvParse: Timing | null;
  pandas: (Timing & { version: string }) | null;
  /** pandas seconds / ours: how many times faster we read (goal ≥ 3). */
  speedup: number | null;
}

/** The measured case, in this (fresh) process: `--case <file> <reader>`. */
async function runCase(path: string, reader: Reader): Promise<void> {
  const csv = await import('../src/engine/data/csv');
  // The threads reading byte ranges run the built entry, as the CLI's do (else the source, compiled per thread).
  const { threadTuning } = await import('../src/engine/kernels/threads');
  const { rangeTuning, rangeStats } = await import('../src/engine/data/csvRanges');
  threadTuning.entry = builtThreadEntry();
  if (reader === 'fast-one-piece') rangeTuning.ranges = 1;
  csv.csvTuning.fast = reader !== 'csv-parse';
  const wall = performance.now();
  const cpu = process.cpuUsage();
  const table = await csv.readCsv(path);
  const used = process.cpuUsage(cpu);
  const seconds = (performance.now() - wall) / 1000;
  const readFast = csv.csvReaderStats.fast === 1;
  if (readFast !== (reader !== 'csv-parse')) throw new Error(`asked for the ${reader} reader, but the file was ${readFast ? '' : 'not '}read by the fast one`);
  const split = rangeStats.split === 1;
  process.stdout.write(`BENCH_RESULT ${JSON.stringify({ seconds, cpuSeconds: (used.user + used.system) / 1e6, rows: table.nRows, columns: table.columns.length, split })}\n`);
}

function run(command: string, args: string[]): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: REPO_DIR, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
    child.on('error', reject);
    child.on('close', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
      if (code !== 0 || !line) reject(new Error(`${command} ${args.join(' ')} failed (exit ${code}): ${err.trim() || out.trim()}`));
      else resolve(JSON.parse(line.slice('BENCH_RESULT '.length)) as Record<string, unknown>);
    });
  });
}

/**
 * This file bundled as the CLI is (esbuild, one file), so the case runs the code a user runs: under
 * tsx each imported function and constant is read through a getter, which costs per cell.
 */
let bundled: string | undefined;
function bundledCase(): string {
  if (bundled) return bundled;
  const out = join(OUTPUT_DIR, 'csv-read-case.js');
  mkdirSync(OUTPUT_DIR, { recursive: true });
  buildSync({
    entryPoints: [join(BENCH_DIR, 'csvRead.ts')],
    bundle: true,
    platform: 'node',
    target: 'node20',
    outfile: out,
    logLevel: 'error',
    // bench/data.ts finds the folders from its own address.
    define: { 'import.meta.url': JSON.stringify(pathToFileURL(join(BENCH_DIR, 'data.ts')).href) },
  });
  bundled = out;
  return out;
}

async function ours(path: string, reader: Reader, reps: number): Promise<Timing & { columns: number; split: boolean }> {
  const results: { seconds: number; cpuSeconds: number; columns: number; split: boolean }[] = [];
  const bundle = bundledCase();
  for (let r = 0; r < reps; r++) {
    results.push((await run(process.execPath, [bundle, '--case', path, reader])) as never);
  }
  results.sort((a, b) => a.seconds - b.seconds);
  const mid = results[(results.length - 1) >> 1];
  return { seconds: mid.seconds, cpuSeconds: mid.cpuSeconds, runs: results.map((r) => r.seconds), columns: mid.columns, split: mid.split };
}

async function pandas(path: string, reps: number, log: (m: string) => void): Promise<(Timing & { version: string }) | null> {
  try {
    const r = (await run(PYTHON, [join(BENCH_DIR, 'read_csv_pandas.py'), path, '--reps', String(reps)])) as {
      seconds: number;
      cpuSeconds: number;
      runs: number[];
      pandas: string;
    };
    return { seconds: r.seconds, cpuSeconds: r.cpuSeconds, runs: r.runs, version: r.pandas };
  } catch (error) {
    log(`pandas: not measured (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`);
    return null;
  }
}

async function ensureCsv(rows: number, log: (m: string) => void): Promise<string> {
  const path = csvPath(rows);
  if (!existsSync(path)) {
    mkdirSync(OUTPUT_DIR, { recursive: true });
    log(`generating ${path} (${rows} rows, seed ${SEED}) …`);
    await writeCustomersCsvFile(path, { rows, seed: SEED }, { force: true });
  }
  return path;
}

export async function benchCsvRead(options: { rows: number[]; reps: number; csvParse: boolean; log: (m: string) => void }): Promise<CsvReadBenchCase[]> {
  const cases: CsvReadBenchCase[] = [];
  for (const rows of options.rows) {
    const path = await ensureCsv(rows, options.log);
    const reps = rows >= 1_000_000 ? 1 : options.reps;
    options.log(`read only ${rows}: ours (fast reader) × ${reps}`);
    const fast = await ours(path, 'fast', reps);
    options.log(`read only ${rows}: ours (fast reader, one piece) × ${reps}`);
    const onePiece = await ours(path, 'fast-one-piece', reps);
    options.log(`read only ${rows}: pandas.read_csv × ${reps}`);
    const theirs = await pandas(path, reps, options.log);
    let reference: Timing | null = null;
    if (options.csvParse) {
      options.log(`read only ${rows}: ours (csv-parse) × 1`);
      reference = await ours(path, 'csv-parse', 1);
    }
    cases.push({
      rows,
      megabytes: statSync(path).size / MB,
      columns: fast.columns,
      ours: fast,
      onePiece,
      csvParse: reference,
      pandas: theirs,
      speedup: theirs ? theirs.seconds / fast.seconds : null,
    });
  }
  return cases;
}

export function formatCsvRead(cases: CsvReadBenchCase[]): string {
  const lines = ['Read only (readCsv vs pandas.read_csv, each in a fresh process; wall s / CPU s, MB/s; goal: pandas/ours ≥ 3×):'];
  for (const c of cases) {
    const speed = (t: Timing | null) => (t ? `${t.seconds.toFixed(3)} s / ${t.cpuSeconds.toFixed(3)} s cpu (${(c.megabytes / t.seconds).toFixed(1)} MB/s)` : '—');
    lines.push(
      `  ${c.rows / 1000}k rows × ${c.columns} columns, ${c.megabytes.toFixed(1)} MB: fast reader ${speed(c.ours)}${c.ours.split ? ' in ranges' : ''}; ` +
        `one piece ${speed(c.onePiece)}; pandas ${speed(c.pandas)}; ` +
        `csv-parse ${speed(c.csvParse)}; pandas/ours ${c.speedup === null ? '—' : `${c.speedup.toFixed(2)}×`}` +
        (c.pandas ? `, by CPU ${(c.pandas.cpuSeconds / c.ours.cpuSeconds).toFixed(2)}×` : ''),
    );
  }
  return lines.join('\n');
}

const invoked = process.argv[1] !== undefined && /(csvRead\.ts|csv-read-case\.js)$/.test(process.argv[1]);
if (invoked) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      case: { type: 'string' },
      rows: { type: 'string', default: '200000,1000000' },
      reps: { type: 'string', default: '3' },
      'no-csv-parse': { type: 'boolean', default: false },
    },
  });
  const log = (m: string) => process.stderr.write(`[bench] ${m}\n`);
  const work = values.case
    ? runCase(values.case, (['csv-parse', 'fast-one-piece'].includes(positionals[0]) ? positionals[0] : 'fast') as Reader)
    : benchCsvRead({ rows: values.rows.split(',').map(Number), reps: Math.max(1, Number(values.reps) || 3), csvParse: !values['no-csv-parse'], log }).then((cases) =>
        console.log(formatCsvRead(cases)),
      );
  work.catch((error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exitCode = 1;
  });
}
