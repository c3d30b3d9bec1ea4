/**
 * The score case of `npm run bench` (issue 14): `segment score` of 1M rows
 * (the example customers, seed 7) with a GMM model (full, k 4, fitted on the
 * 20k CSV) against scikit-learn's `predict_proba` of a GaussianMixture
 * holding the model's parameters, on the same standardised matrix, in the
 * same run, each side in a fresh process.
 *
 * Ours is the whole command, split into its phases: read (the CSV, only the
 * model's columns), features (the model's columns found and checked, the
 * rows to score), posteriors (each chunk of rows standardised, then the
 * E-step's posteriors and log-likelihoods, labels, the unusual flags) and
 * write (the scores CSV). The ratio to predict_proba is given for the whole
 * command, for the posteriors (which also standardise, where predict_proba is
 * handed the standardised matrix) and for features + posteriors. The engine
 * threads run dist/engineThread.js, as the built CLI's do, when the build is
 * current (npm run bench builds first); else the source through tsx, which
 * costs each thread a compile. Python reads the matrix ours standardised
 * (written after the timing), times predict_proba, and checks that our scores
 * CSV holds the same probabilities (max absolute difference).
 *
 *   npx tsx bench/score.ts [--rows N] [--threads N] [--no-python] [--cpu-prof] [--before DIR]
 *
 * --before DIR times the same command from another checkout in the same run
 * (copy this file into DIR/bench first), for a before/after ratio on a shared machine.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildSync } from 'esbuild';
import { parseArgs } from 'node:util';
import { DEFAULT_MISSING_RATE, writeCustomersCsvFile } from '../examples/customers';
import { readCsv } from '../src/engine/data/csv';
import { defaultThreadCount, threadTuning } from '../src/engine/kernels/threads';
import { exportMethods } from '../src/engine/pipeline';
import { scoringRows } from '../src/engine/scoring/rows';
import { readModel, scoreRows } from '../src/engine/scoring/score';
import { GMM_OPTIONS } from './case';
import { selfTimes } from './cpuprofile';
import { BENCH_DIR, OUTPUT_DIR, REPO_DIR, SEED, builtThreadEntry, csvPath, readJson, writeJson } from './data';
import { runProcess } from './run';

const MODEL_ROWS = 20_000;

/**
 * Seconds of each phase: read the CSV, take the features, posteriors (score),
 * write. `features` is absent from a checkout whose scoreRows has no
 * onRowsRead hook: its `read` then includes the features.
 */
export interface ScorePhases {
  read: number;
  features?: number;
  score: number;
  write: number;
}

export interface OursScore {
  seconds: number;
  /** CPU seconds of the process (every thread), steadier than the wall time on a shared machine. */
  cpuSeconds: number;
  phases: ScorePhases;
  /** CPU seconds of the same phases (every thread). */
  cpuPhases?: ScorePhases;
  /** The engine threads' entry: the built one (dist/engineThread.js) or the source through tsx. */
  threadEntry?: 'dist' | 'source';
  n: number;
  d: number;
  scores: string;
  /** The standardised matrix, written after the timing when asked (--matrix). */
  matrix: string | null;
  cpuProfile?: { file: string; top: { fn: string; where: string; seconds: number; share: number }[] };
}

interface SklearnScore {
  seconds: number;
  cpuSeconds: number;
  runs: number[];
  maxAbsDiff: number;
  sklearn: string;
  /** pandas read_csv through to_csv of the scores, once (score_sklearn.py's pipeline()). */
  pipelineSeconds?: number;
  pipelineCpuSeconds?: number;
}

export interface ScoreBench {
  rows: number;
  threads: number;
  ours: OursScore;
  /** The same case from another checkout (--before), in the same run. */
  before?: OursScore;
  sklearn?: SklearnScore;
}

/** The example customers at `rows` rows, generated once into bench/output and reused. */
async function ensureCustomers(rows: number, log: (line: string) => void): Promise<string> {
  const path = csvPath(rows);
  const made = readJson<{ rows: number; seed: number; missingRate: number; bytes: number }>(`${path}.json`);
  const current = made?.rows === rows && made.seed === SEED && made.missingRate === DEFAULT_MISSING_RATE && existsSync(path) && statSync(path).size === made.bytes;
  if (!current) {
    log(`generating ${basename(path)} (${rows} rows, seed ${SEED}) …`);
    mkdirSync(OUTPUT_DIR, { recursive: true });
    await writeCustomersCsvFile(path, { rows, seed: SEED }, { force: true });
    writeJson(`${path}.json`, { rows, seed: SEED, missingRate: DEFAULT_MISSING_RATE, bytes: statSync(path).size });
  }
  return path;
}

/** A GMM model (the bench's fit options) of the 20k customers, exported into a fresh folder. */
async function fitModel(dir: string): Promise<string> {
  const [done] = await exportMethods({
    source: { kind: 'file', path: csvPath(MODEL_ROWS) },
    prepare: {},
    methods: [{ method: 'gmm', options: { ...GMM_OPTIONS, threads: 1 } }],
    outputDir: dir,
  });
  return done.result.model;
}

export interface ScoreBenchOptions {
  rows: number;
  threads: number;
  /** The Debian interpreter with scikit-learn, or null for ours only. */
  python: string | null;
  /** Also a run under `node --cpu-prof`, its self times reported. */
  cpuProf?: boolean;
  /** Another checkout (with this file copied into its bench/) to time the same way, e.g. before a change. */
  before?: string;
  log: (line: string) => void;
}

export async function benchScore(options: ScoreBenchOptions): Promise<ScoreBench> {
  const { rows, threads, python, log } = options;
  const csv = await ensureCustomers(rows, log);
  await ensureCustomers(MODEL_ROWS, log);
  const dir = join(OUTPUT_DIR, 'score');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  log(`fitting the model (GMM full, k ${GMM_OPTIONS.nClusters}) on ${MODEL_ROWS} rows …`);
  const model = await fitModel(dir);
  const oursCase = (script: string, extra: string[], nodeFlags: string[] = []) =>
    runProcess(process.execPath, [...nodeFlags, bundledCase(script), '--case', 'ours', '--model', model, '--csv', csv, '--out', dir, '--threads', String(threads), ...extra], {
      timeoutMs: 20 * 60_000,
    });
  let before: OursScore | undefined;
  if (options.before) {
    log(`before (${options.before}): segment score of ${rows} rows on ${threads} threads`);
    before = resultOf<OursScore>('before: score', await oursCase(join(options.before, 'bench', 'score.ts'), []));
  }
  log(`ours: segment score of ${rows} rows on ${threads} threads`);
  const ours = resultOf<OursScore>('ours: score', await oursCase(fileURLToPath(import.meta.url), ['--matrix']));
  if (options.cpuProf) {
    log('ours again, under --cpu-prof');
    resultOf<OursScore>('ours: score (profiled)', await oursCase(fileURLToPath(import.meta.url), [], ['--cpu-prof', '--cpu-prof-dir', dir]));
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (file) ours.cpuProfile = { file: join(dir, file), top: selfTimes(join(dir, file)).functions.slice(0, 12) };
  }
  const result: ScoreBench = { rows, threads, ours, ...(before ? { before } : {}) };
  if (python) {
    log('sklearn (default threads): predict_proba');
    const sk = await runProcess(python, [join(BENCH_DIR, 'score_sklearn.py'), model, ours.matrix!, String(ours.n), String(ours.d), ours.scores, csv, dir], {
      timeoutMs: 20 * 60_000,
    });
    result.sklearn = resultOf<SklearnScore>('sklearn: predict_proba', sk);
  }
  return result;
}

function resultOf<T>(what: string, out: { code: number | null; stdout: string; stderr: string }): T {
  const line = out.stdout.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
  if (out.code !== 0 || !line) throw new Error(`${what} failed (exit ${out.code}):\n${out.stderr.trim() || out.stdout.trim()}`);
  return JSON.parse(line.slice('BENCH_RESULT '.length)) as T;
}

const seconds = (x: number) => `${x.toFixed(2)} s`;

/** "read 1.20 s, features 0.10 s, posteriors 0.30 s, write 0.40 s" (read and features together when not timed apart). */
function phaseList(p: ScorePhases): string {
  const read = p.features === undefined ? `read CSV + features ${seconds(p.read)}` : `read CSV ${seconds(p.read)}, features ${seconds(p.features)}`;
  return `${read}, posteriors ${seconds(p.score)}, write scores ${seconds(p.write)}`;
}

/** Where the time went: each phase's share of the whole. */
function shares(p: ScorePhases, total: number): string {
  const part = (name: string, x: number) => `${name} ${((100 * x) / total).toFixed(0)}%`;
  const read = p.features === undefined ? [part('read + features', p.read)] : [part('read', p.read), part('features', p.features)];
  return [...read, part('posteriors', p.score), part('write', p.write)].join(', ');
}

export function formatScoreBench(b: ScoreBench): string {
  const { ours, sklearn } = b;
  const s = seconds;
  const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
  const entry = ours.threadEntry === 'source' ? ' (engine threads from the source through tsx: build first for the shipped ones)' : '';
  const lines = [
    `segment score, GMM full k ${GMM_OPTIONS.nClusters}, ${b.rows.toLocaleString('en-US')} rows (${ours.n.toLocaleString('en-US')} scored, ${ours.d} features), ${b.threads} threads${entry}:`,
    `  ours (whole command): ${s(ours.seconds)} (CPU ${s(ours.cpuSeconds)}) = ${phaseList(ours.phases)}`,
  ];
  if (ours.cpuPhases) lines.push(`    CPU by phase: ${phaseList(ours.cpuPhases)}`, `    CPU shares: ${shares(ours.cpuPhases, ours.cpuSeconds)}`);
  const { before } = b;
  if (before) {
    lines.push(
      `  before (the other checkout): ${s(before.seconds)} (CPU ${s(before.cpuSeconds)}) = ${phaseList(before.phases)}; ` +
        `ours / before ${ratio(ours.seconds, before.seconds)} wall, ${ratio(ours.cpuSeconds, before.cpuSeconds)} CPU`,
    );
    if (before.cpuPhases) lines.push(`    CPU by phase: ${phaseList(before.cpuPhases)}`);
  }
  if (sklearn) {
    lines.push(`  scikit-learn ${sklearn.sklearn} predict_proba on the same standardised matrix (default threads): ${s(sklearn.seconds)} (CPU ${s(sklearn.cpuSeconds)}; median of ${sklearn.runs.length})`);
    if (before) lines.push(`  ratio before / predict_proba: ${ratio(before.seconds, sklearn.seconds)} wall, ${ratio(before.cpuSeconds, sklearn.cpuSeconds)} CPU`);
    lines.push(`  ratio ours / predict_proba, whole command: ${ratio(ours.seconds, sklearn.seconds)} wall, ${ratio(ours.cpuSeconds, sklearn.cpuSeconds)} CPU (goal ≤ 0.5×); probabilities agree to ${sklearn.maxAbsDiff.toExponential(1)} (max abs)`);
    const cpuPosteriors = ours.cpuPhases ? `, ${ratio(ours.cpuPhases.score, sklearn.cpuSeconds)} CPU` : '';
    lines.push(`  ratio ours / predict_proba, posteriors (standardising each chunk of rows first): ${ratio(ours.phases.score, sklearn.seconds)} wall${cpuPosteriors}`);
    if (ours.phases.features !== undefined) {
      const cpuBoth = ours.cpuPhases?.features === undefined ? '' : `, ${ratio(ours.cpuPhases.features + ours.cpuPhases.score, sklearn.cpuSeconds)} CPU`;
      lines.push(`  ratio ours / predict_proba, features + posteriors (from the table read): ${ratio(ours.phases.features + ours.phases.score, sklearn.seconds)} wall${cpuBoth}`);
    }
    if (sklearn.pipelineSeconds !== undefined && sklearn.pipelineCpuSeconds !== undefined) {
      lines.push(
        `  pandas read_csv + scaler + predict_proba + score_samples + to_csv (what a script would do): ${s(sklearn.pipelineSeconds)} (CPU ${s(sklearn.pipelineCpuSeconds)}); ` +
          `ours / that: ${ratio(ours.seconds, sklearn.pipelineSeconds)} wall, ${ratio(ours.cpuSeconds, sklearn.pipelineCpuSeconds)} CPU`,
      );
    }
  }
  if (ours.cpuProfile) {
    lines.push(`  CPU profile (${ours.cpuProfile.file}), self time:`);
    for (const f of ours.cpuProfile.top) lines.push(`    ${(100 * f.share).toFixed(1).padStart(5)}%  ${f.seconds.toFixed(2).padStart(6)} s  ${f.fn}  ${f.where}`);
  }
  return lines.join('\n');
}

/** The ours case, in its own process: the timed scoring, then (untimed) the standardised matrix for Python. */
async function oursCase(model: string, csv: string, out: string, threads: number, matrix: boolean): Promise<void> {
  const marks: Record<string, number> = {};
  const cpuMarks: Record<string, number> = {};
  const cpuNow = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  };
  const cpu0 = process.cpuUsage();
  const c0 = cpuNow();
  const t0 = performance.now();
  const mark = (name: string) => {
    marks[name] ??= performance.now();
    cpuMarks[name] ??= cpuNow();
  };
  const result = await scoreRows(
    { model, source: { kind: 'file', path: csv }, outputDir: out, threads },
    // A checkout without onRowsRead leaves no 'rows' mark: its read then includes the features.
    { onProgress: (p) => mark(p.phase), onRowsRead: () => mark('rows') },
  );
  const t1 = performance.now();
  const c1 = cpuNow();
  const cpu = process.cpuUsage(cpu0);
  const phasesOf = (start: number, end: number, at: Record<string, number>, unit: number): ScorePhases => {
    const fit = at.fit ?? end;
    const write = at.write ?? end;
    const rows = at.rows;
    return {
      read: ((rows ?? fit) - start) / unit,
      ...(rows === undefined ? {} : { features: (fit - rows) / unit }),
      score: (write - fit) / unit,
      write: (end - write) / unit,
    };
  };
  const report: OursScore = {
    seconds: (t1 - t0) / 1000,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    phases: phasesOf(t0, t1, marks, 1000),
    cpuPhases: phasesOf(c0, c1, cpuMarks, 1),
    threadEntry: threadTuning.entry?.endsWith('.js') ? 'dist' : 'source',
    n: result.nScored,
    d: 0,
    scores: result.scores,
    matrix: null,
  };
  if (matrix) {
    const { common } = await readModel(model);
    const { data } = scoringRows(await readCsv(csv), common);
    report.matrix = join(out, `z-score-${basename(csv, '.csv')}.f64`);
    report.d = data.d;
    writeFileSync(report.matrix, new Uint8Array(data.z.buffer, data.z.byteOffset, data.z.byteLength));
  }
  console.log(`BENCH_RESULT ${JSON.stringify(report)}`);
}

async function cli(): Promise<void> {
  const { values } = parseArgs({
    options: {
      case: { type: 'string' },
      model: { type: 'string' },
      csv: { type: 'string' },
      out: { type: 'string' },
      rows: { type: 'string', default: '1000000' },
      threads: { type: 'string' },
      'no-python': { type: 'boolean', default: false },
      'cpu-prof': { type: 'boolean', default: false },
      matrix: { type: 'boolean', default: false },
      before: { type: 'string' },
    },
  });
  const threads = values.threads ? Number(values.threads) : defaultThreadCount();
  if (values.case === 'ours') {
    // The built entry when current, else the source through tsx (the bundled case has no engineThread beside it).
    threadTuning.entry = builtThreadEntry() ?? join(REPO_DIR, 'src', 'engine', 'kernels', 'engineThread.ts');
  }
  if (values.case === 'ours') return oursCase(values.model!, values.csv!, values.out!, threads, values.matrix);
  const python = values['no-python'] ? null : (process.env.BENCH_PYTHON ?? '/usr/bin/python3');
  const bench = await benchScore({ rows: Number(values.rows), threads, python, cpuProf: values['cpu-prof'], before: values.before, log: (line) => console.error(`[bench] ${line}`) });
  console.log(formatScoreBench(bench));
}

/**
 * `script` (this file, or its copy in another checkout) bundled as the CLI is (esbuild, one
 * file), so the case runs as `node dist/cli.js` does: not under tsx, whose getter per imported
 * name costs per cell, and whose loader every engine thread would start again (about 0.1 s a thread).
 */
function bundledCase(script: string): string {
  const out = join(OUTPUT_DIR, `score-case-${createHash('sha256').update(resolve(script)).digest('hex').slice(0, 8)}.js`);
  mkdirSync(OUTPUT_DIR, { recursive: true });
  buildSync({
    entryPoints: [script],
    bundle: true,
    platform: 'node',
    target: 'node20',
    outfile: out,
    logLevel: 'error',
    // bench/data.ts finds the folders from its own address.
    define: { 'import.meta.url': JSON.stringify(pathToFileURL(join(dirname(script), 'data.ts')).href) },
  });
  return out;
}

if (/(score\.ts|score-case-[0-9a-f]+\.js)$/.test(process.argv[1] ?? '')) {
  cli().catch((err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exitCode = 1;
  });
}
