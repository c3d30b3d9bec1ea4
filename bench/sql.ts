/**
 * The SQL case of `npm run bench` (also on its own: `npx tsx bench/sql.ts
 * [--rows N]`, after `npm run build`): the DuckDB score query of a GMM model
 * (full covariance, 4 clusters, fitted on 20k rows) on N rows (1M by
 * default) against `segment score` on the same rows, in the same run.
 *
 * `segment score` runs as a user runs it (node dist/cli.js, a fresh
 * process): read the CSV, score, write the scores CSV. DuckDB (in this
 * process, its default threads) is timed twice: the query alone on a table
 * already loaded (CREATE TABLE … AS the score query), and end to end like
 * the CLI (read_csv, the query, COPY to a CSV). Reported as ratios
 * DuckDB / segment score and as microseconds per row.
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { writeCustomersCsvFile } from '../examples/customers';
import { readModelFile } from '../src/engine/scoring/modelFile';
import { sqlQueries } from '../src/engine/scaleout/sql';
import { OUTPUT_DIR, REPO_DIR, SEED, csvPath } from './data';
import { runProcess } from './run';

export interface SqlBench {
  rows: number;
  features: number;
  segmentScoreSeconds: number;
  duckdbQuerySeconds: number;
  duckdbEndToEndSeconds: number;
  /** DuckDB's rows per cluster equal segment score's. */
  sameSizes: boolean;
}

const CLI = join(REPO_DIR, 'dist', 'cli.js');

async function ensureCsv(rows: number, log: (line: string) => void): Promise<string> {
  const path = csvPath(rows);
  if (!existsSync(path)) {
    log(`generating ${path} (${rows} rows, seed ${SEED}) …`);
    await writeCustomersCsvFile(path, { rows, seed: SEED }, { force: true });
  }
  return path;
}

/** A CLI run's stdout; a failure is an error with its stderr. */
async function cli(args: string[]): Promise<string> {
  const result = await runProcess(process.execPath, [CLI, ...args], { timeoutMs: 3_600_000 });
  if (result.code !== 0) throw new Error(`segment ${args[0]} failed (exit ${result.code}): ${result.stderr.trim()}`);
  return result.stdout;
}

async function timed<T>(run: () => Promise<T>): Promise<{ seconds: number; value: T }> {
  const start = process.hrtime.bigint();
  const value = await run();
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, value };
}

export async function benchSql(rows: number, log: (line: string) => void): Promise<SqlBench> {
  if (!existsSync(CLI)) throw new Error(`no ${CLI}: run npm run build first`);
  const dir = join(OUTPUT_DIR, 'sql');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const sample = await ensureCsv(20_000, log);
  const csv = await ensureCsv(rows, log);
  const fitted = JSON.parse(await cli(['gmm', sample, '-k', '4', '--out', dir, '--json']));
  const model = fitted.model as string;

  log(`segment score on ${rows} rows …`);
  const score = await timed(() => cli(['score', model, csv, '--out', dir, '--json']));
  const sizes = Object.values(JSON.parse(score.value).sizes as Record<string, number>);

  const { common, reader } = await readModelFile(model);
  const { score: query } = sqlQueries(common, reader, { dialect: 'duckdb', table: 'customers' });
  const select = query.replace(/;\s*$/, '');
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const quote = (text: string) => `'${text.replace(/'/g, "''")}'`;
  const readCsv = `read_csv(${quote(csv)}, header = true, nullstr = ['', 'NA', 'N/A', 'NaN', 'null'])`;
  log(`DuckDB: read_csv + score query + COPY on ${rows} rows …`);
  const endToEnd = await timed(async () => {
    await connection.run(`CREATE TABLE customers AS SELECT * FROM ${readCsv}`);
    await connection.run(`COPY (${select}) TO ${quote(join(dir, 'duckdb_scores.csv'))} (HEADER)`);
  });
  log('DuckDB: score query alone on the loaded table …');
  const alone = await timed(() => connection.run(`CREATE TABLE scores AS ${select}`));
  const counts = await connection.runAndReadAll('SELECT cluster, COUNT(*) FROM scores GROUP BY cluster ORDER BY cluster');
  const duckSizes = counts.getRows().map((row) => Number(row[1]));
  connection.closeSync();
  return {
    rows,
    features: common.features.length,
    segmentScoreSeconds: score.seconds,
    duckdbQuerySeconds: alone.seconds,
    duckdbEndToEndSeconds: endToEnd.seconds,
    sameSizes: JSON.stringify(duckSizes) === JSON.stringify(sizes),
  };
}

export function formatSqlBench(b: SqlBench): string {
  const us = (s: number) => `${((1e6 * s) / b.rows).toFixed(2)} µs/row`;
  return [
    `segment sql (DuckDB) against segment score, GMM full k=4, ${b.features} features, ${b.rows.toLocaleString('en-US')} rows (same run):`,
    `  segment score (read CSV, score, write CSV):  ${b.segmentScoreSeconds.toFixed(2)} s  ${us(b.segmentScoreSeconds)}`,
    `  DuckDB read_csv + query + COPY to CSV:       ${b.duckdbEndToEndSeconds.toFixed(2)} s  ${us(b.duckdbEndToEndSeconds)}  ratio ${(b.duckdbEndToEndSeconds / b.segmentScoreSeconds).toFixed(2)}×`,
    `  DuckDB query alone on the loaded table:      ${b.duckdbQuerySeconds.toFixed(2)} s  ${us(b.duckdbQuerySeconds)}  ratio ${(b.duckdbQuerySeconds / b.segmentScoreSeconds).toFixed(2)}×`,
    `  cluster sizes identical: ${b.sameSizes ? 'yes' : 'NO'}`,
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: { rows: { type: 'string', default: '1000000' } } });
  const log = (line: string) => process.stderr.write(`${line}\n`);
  benchSql(Number(values.rows), log)
    .then((result) => console.log(formatSqlBench(result)))
    .catch((error: unknown) => {
      console.error(error instanceof Error ? (error.stack ?? error.message) : error);
      process.exitCode = 1;
    });
}
