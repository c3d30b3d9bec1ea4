/**
 * End to end: `segment gmm <file.csv> -k 4` (the CLI bundle, dist/cli.js)
 * against what a data scientist would write for the same result
 * (bench/e2e_sklearn.py: pandas read_csv, numeric columns, dropna,
 * StandardScaler, GaussianMixture(k=4), sampled silhouette, DB, CH,
 * per-cluster describe, JSON + YAML + assignments CSV), on the example
 * customers at 200k and 1M rows. Each side runs in a fresh process under
 * /usr/bin/time -v, which gives the wall time and the peak resident set; then
 * our run once more in process (`--phases`), timed phase by phase.
 *
 *   npx tsx bench/endToEnd.ts [--rows 200000,1000000] [--no-python]   (npm run build first; npm run bench runs it too)
 *   node --import tsx bench/endToEnd.ts --phases <file.csv> <out dir>   (one phased run; prints BENCH_RESULT)
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { exportMethods } from '../src/engine/pipeline';
import { BENCH_DIR, REPO_DIR, SEED, ensureCustomersCsv, writeJson, OUTPUT_DIR } from './data';
import { runProcess } from './run';

const PYTHON = process.env.BENCH_PYTHON ?? '/usr/bin/python3';
const TIME = '/usr/bin/time';
const GMM_SEED = 42;
/** The sizes of `npm run bench`'s end-to-end case. */
export const END_TO_END_ROWS = [200_000, 1_000_000];

export interface TimedRun {
  /** Wall-clock seconds of the whole process, and its peak resident set (/usr/bin/time -v). */
  seconds: number;
  peakRssBytes: number;
  /** What the process printed as BENCH_RESULT, if it did. */
  result?: { seconds: number; phases: Record<string, number> } & Record<string, unknown>;
}

export interface EndToEndCase {
  rows: number;
  csvBytes: number;
  ours: TimedRun;
  oursPhases: TimedRun['result'];
  python: TimedRun | null;
  ratio: number | null;
}

/** `command args…` under /usr/bin/time -v, in a fresh output folder. */
async function timed(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<TimedRun> {
  const out = await runProcess(TIME, ['-v', command, ...args], { env, timeoutMs: 30 * 60_000 });
  if (out.code !== 0) throw new Error(`${command} ${args.join(' ')} failed (exit ${out.code}):\n${out.stderr.trim()}`);
  const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)/.exec(out.stderr);
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(out.stderr);
  if (!wall || !rss) throw new Error(`no timing from ${TIME} -v:\n${out.stderr.trim()}`);
  const seconds = Number(wall[1] ?? 0) * 3600 + Number(wall[2]) * 60 + Number(wall[3]);
  const line = out.stdout.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
  return {
    seconds,
    peakRssBytes: Number(rss[1]) * 1024,
    result: line ? (JSON.parse(line.slice('BENCH_RESULT '.length)) as TimedRun['result']) : undefined,
  };
}

function withOutput<T>(run: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'segment-e2e-'));
  return run(dir).finally(() => rmSync(dir, { recursive: true, force: true }));
}

/** One size: ours (the CLI), ours phase by phase (in process), Python; each in a fresh process. */
export async function endToEndCase(rows: number, log: (message: string) => void, python: boolean): Promise<EndToEndCase> {
  const csv = await ensureCustomersCsv(rows, log);
  const cli = join(REPO_DIR, 'dist', 'cli.js');
  if (!existsSync(cli)) throw new Error(`${cli} does not exist: run npm run build first`);
  log(`end to end ${rows}: segment gmm (dist/cli.js) …`);
  const ours = await withOutput((dir) => timed(process.execPath, [cli, 'gmm', csv, '-k', '4', '--seed', String(GMM_SEED), '--out', dir, '--quiet']));
  log(`  ${ours.seconds.toFixed(1)} s, peak ${(ours.peakRssBytes / 2 ** 30).toFixed(2)} GiB`);
  log(`end to end ${rows}: the same in process, phase by phase …`);
  const phased = await withOutput((dir) => timed(process.execPath, ['--import', 'tsx', join(BENCH_DIR, 'endToEnd.ts'), '--phases', csv, dir]));
  log(`  ${JSON.stringify(phased.result)}`);
  let py: TimedRun | null = null;
  if (python) {
    log(`end to end ${rows}: pandas + scikit-learn (${PYTHON} bench/e2e_sklearn.py) …`);
    py = await withOutput((dir) => timed(PYTHON, [join(BENCH_DIR, 'e2e_sklearn.py'), csv, dir, String(GMM_SEED)]));
    log(`  ${py.seconds.toFixed(1)} s, peak ${(py.peakRssBytes / 2 ** 30).toFixed(2)} GiB; ${JSON.stringify(py.result?.phases)}`);
  }
  return { rows, csvBytes: statSync(csv).size, ours, oursPhases: phased.result, python: py, ratio: py ? ours.seconds / py.seconds : null };
}

/** One run of the CLI's pipeline in this process, the seconds of each phase as its progress reports show them. */
async function phases(csv: string, outputDir: string): Promise<void> {
  const t0 = performance.now();
  const marks: Record<string, number> = {};
  // The peak resident set so far at each phase's start: which phase set the peak.
  const peakAt: Record<string, number> = {};
  const mark = (name: string) => {
    if (marks[name] !== undefined) return;
    marks[name] = performance.now();
    peakAt[name] = vmHwmBytes();
  };
  await exportMethods(
    {
      source: { kind: 'file', path: csv },
      prepare: {},
      methods: [{ method: 'gmm', options: { nClusters: 4, randomSeed: GMM_SEED } }],
      outputDir,
    },
    { onData: () => mark('data'), onProgress: (p) => mark(p.phase) },
  );
  const end = performance.now();
  const at = (name: string, fallback: number) => marks[name] ?? fallback;
  const data = at('data', t0);
  const metrics = at('metrics', end);
  const write = at('write', end);
  const seconds = (a: number, b: number) => (b - a) / 1000;
  const result = {
    seconds: seconds(t0, end),
    phases: {
      readAndPrepare: seconds(t0, data),
      fit: seconds(data, metrics),
      metricsAndStatistics: seconds(metrics, write),
      write: seconds(write, end),
    },
    peakRssGiBAtStartOf: Object.fromEntries(Object.entries({ ...peakAt, end: vmHwmBytes() }).map(([k, v]) => [k, Number((v / 2 ** 30).toFixed(3))])),
  };
  process.stdout.write(`BENCH_RESULT ${JSON.stringify(result)}\n`);
}

/** VmHWM: the peak resident set of this process so far (Linux), 0 where unknown. */
function vmHwmBytes(): number {
  const m = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

function gib(bytes: number): string {
  return `${(bytes / 2 ** 30).toFixed(2)} GiB`;
}

/** The cases as a table, phases included. */
export function formatEndToEnd(cases: EndToEndCase[]): string {
  const lines = ['End to end: segment gmm -k 4 vs pandas + scikit-learn (each a fresh process; wall time, peak RSS)'];
  for (const c of cases) {
    const ratio = c.ratio === null ? 'n/a' : `${c.ratio.toFixed(2)}×`;
    const py = c.python ? `${c.python.seconds.toFixed(1)} s, ${gib(c.python.peakRssBytes)}` : 'not run';
    lines.push(`  ${c.rows.toLocaleString('en-US')} rows (${(c.csvBytes / 1e6).toFixed(0)} MB): ours ${c.ours.seconds.toFixed(1)} s, ${gib(c.ours.peakRssBytes)}; Python ${py}; ratio ${ratio}`);
    const fmt = (p: Record<string, number> | undefined) =>
      p ? Object.entries(p).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ') : 'n/a';
    lines.push(`    ours by phase (s, in process): ${fmt(c.oursPhases?.phases)}`);
    lines.push(`    ours' peak RSS so far (GiB) at the start of: ${fmt(c.oursPhases?.peakRssGiBAtStartOf as Record<string, number> | undefined)}`);
    if (c.python) lines.push(`    Python by phase (s): ${fmt(c.python.result?.phases)}`);
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { phases: { type: 'boolean', default: false }, rows: { type: 'string', default: END_TO_END_ROWS.join(',') }, 'no-python': { type: 'boolean', default: false } },
  });
  if (values.phases) {
    const [csv, dir] = positionals;
    await phases(csv, dir);
    return;
  }
  const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);
  const cases: EndToEndCase[] = [];
  for (const rows of values.rows.split(',').map(Number)) cases.push(await endToEndCase(rows, log, !values['no-python']));
  process.stdout.write(formatEndToEnd(cases) + '\n');
  writeJson(join(OUTPUT_DIR, `end-to-end-s${SEED}.json`), cases);
}

if (process.argv[1] !== undefined && /endToEnd\.ts$/.test(process.argv[1])) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exitCode = 1;
  });
}
