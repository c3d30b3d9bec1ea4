/**
 * The sampling case of `npm run bench`: reading a large customers CSV whole
 * against drawing a uniform sample of a tenth of its rows while reading
 * (`--sample`, reservoir sampling), in the same run, each read in a fresh
 * process. The goal (issue 14): sampling is not slower than reading every
 * row, and its memory follows the sample, not the file.
 *
 *   npx tsx bench/sample.ts [--rows 10000000] [--sample 1000000] [--reps 1]
 *
 * The CSV is generated in a temporary folder and removed afterwards (10M
 * rows are about 1.5 GB). Run by bench/bench.ts at 2M rows, a sample of 200k.
 * As a case (one read in this process): `bench/sample.ts --case FILE [N]`.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { writeCustomersCsvFile } from '../examples/customers';
import { readCsv } from '../src/engine/data/csv';
import { MemoryProbe, type MemoryReport } from './memory';
import { runProcess } from './run';

interface ReadResult {
  seconds: number;
  rows: number;
  of: number;
  memory: MemoryReport;
}

export interface SampleBench {
  rows: number;
  sample: number;
  fileBytes: number;
  whole: ReadResult;
  sampled: ReadResult;
  /** Seconds of the sampled read over the whole read's (the goal: at most 1). */
  ratio: number;
}

const SEED = 42;

/** One read of `file`, whole or with a sample of `sample` rows: in this process, timed. */
async function readCase(file: string, sample: number | null): Promise<ReadResult> {
  const probe = new MemoryProbe();
  const started = performance.now();
  const table = await readCsv(file, sample === null ? {} : { sample: { rows: sample, seed: SEED } });
  const seconds = (performance.now() - started) / 1000;
  return { seconds, rows: table.nRows, of: table.sample?.of ?? table.nRows, memory: probe.report() };
}

async function readInFreshProcess(file: string, sample: number | null): Promise<ReadResult> {
  const args = ['--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url), '--case', file, ...(sample === null ? [] : [String(sample)])];
  const out = await runProcess(process.execPath, args, { timeoutMs: 60 * 60_000 });
  const line = out.stdout.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
  if (out.code !== 0 || !line) throw new Error(`sample case failed (exit ${out.code}):\n${out.stderr.trim()}`);
  return JSON.parse(line.slice('BENCH_RESULT '.length)) as ReadResult;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

export async function benchSample(options: { rows: number; sample: number; reps?: number; log: (line: string) => void }): Promise<SampleBench> {
  const { rows, sample, log } = options;
  const reps = options.reps ?? 1;
  const dir = mkdtempSync(join(tmpdir(), 'segment-bench-sample-'));
  try {
    const file = join(dir, 'customers.csv');
    log(`generating a CSV of ${rows.toLocaleString('en-US')} rows in ${dir}`);
    await writeCustomersCsvFile(file, { rows, seed: SEED });
    const fileBytes = statSync(file).size;
    const wholes: ReadResult[] = [];
    const sampleds: ReadResult[] = [];
    // Alternated, so that a change in the machine's load falls on both.
    for (let r = 0; r < reps; r++) {
      log(`ours: read ${rows} rows whole (${r + 1}/${reps})`);
      wholes.push(await readInFreshProcess(file, null));
      log(`ours: read a sample of ${sample} of ${rows} rows (${r + 1}/${reps})`);
      sampleds.push(await readInFreshProcess(file, sample));
    }
    const pick = (results: ReadResult[]) => results.find((x) => x.seconds === median(results.map((y) => y.seconds)))!;
    const whole = pick(wholes);
    const sampled = pick(sampleds);
    return { rows, sample, fileBytes, whole, sampled, ratio: sampled.seconds / whole.seconds };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function formatSampleBench(bench: SampleBench): string {
  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
  const line = (what: string, r: ReadResult) =>
    `  ${what.padEnd(34)} ${r.seconds.toFixed(2).padStart(8)} s   ${String(r.rows).padStart(9)} rows   peak RSS ${mb(r.memory.peakRssBytes).padStart(8)}`;
  return [
    `Sampling while reading: a CSV of ${bench.rows.toLocaleString('en-US')} rows (${mb(bench.fileBytes)}), in fresh processes`,
    line('read every row', bench.whole),
    line(`--sample ${bench.sample}`, bench.sampled),
    `  sampled / whole: ${bench.ratio.toFixed(2)}× the time (goal ≤ 1), ${(bench.sampled.memory.peakRssBytes / bench.whole.memory.peakRssBytes).toFixed(2)}× the peak RSS`,
  ].join('\n');
}

async function cli(): Promise<void> {
  const { values, positionals } = parseArgs({
    options: { case: { type: 'string' }, rows: { type: 'string' }, sample: { type: 'string' }, reps: { type: 'string' } },
    allowPositionals: true,
  });
  if (values.case) {
    const result = await readCase(values.case, positionals[0] ? Number(positionals[0]) : null);
    console.log(`BENCH_RESULT ${JSON.stringify(result)}`);
    return;
  }
  const bench = await benchSample({
    rows: Number(values.rows ?? 10_000_000),
    sample: Number(values.sample ?? 1_000_000),
    reps: Number(values.reps ?? 1),
    log: (line) => console.error(`[bench] ${line}`),
  });
  console.log(formatSampleBench(bench));
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  cli().catch((error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exitCode = 1;
  });
}
