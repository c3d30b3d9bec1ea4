/**
 * Real SQL engines for the tests of `segment sql`: DuckDB in this process
 * (the @duckdb/node-api dev dependency) and a PostgreSQL server started in a
 * temporary data directory on a loopback port (Debian's postgresql, which
 * npm test's pretest installs), stopped and removed when its owner ends. A
 * table is loaded from a CSV as the engine reads it: a column of numbers as
 * DOUBLE, any other as text, a missing cell as NULL. A component that is
 * not there fails the test with the reason; nothing is skipped.
 */
import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { readCsv, type CsvColumn } from '../../src/engine/data/csv';
import type { Ends } from './tempDir';

export type Cell = number | string | null;

/** A CSV as a table: each column's name and type, and its rows. */
export interface TableData {
  columns: { name: string; numeric: boolean }[];
  rows: Cell[][];
}

/** A cell's text as the engine reads it (trimmed), null where missing. */
function cellText(column: CsvColumn, i: number): string | null {
  if (column.levels && column.codes) return column.codes[i] === 0 ? null : column.levels[column.codes[i] - 1];
  if (column.text) return column.text[i] === '' ? null : column.text[i];
  return Number.isNaN(column.values[i]) ? null : String(column.values[i]);
}

export async function tableFromCsv(path: string): Promise<TableData> {
  const table = await readCsv(path);
  const columns = table.columns.map((c) => ({ name: c.name, numeric: c.nonNumeric === 0 && c.missing < table.nRows }));
  const rows = Array.from({ length: table.nRows }, (_, i) =>
    table.columns.map((c, j): Cell => (columns[j].numeric ? (Number.isNaN(c.values[i]) ? null : c.values[i]) : cellText(c, i))),
  );
  return { columns, rows };
}

/** A quoted identifier, written here by hand (not with the code under test). */
const quoted = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Result rows as objects keyed by column name (a Map: names are untrusted). */
export type ResultRow = Map<string, Cell>;

export class DuckDb {
  private constructor(private readonly connection: DuckDBConnection) {}

  static async open(): Promise<DuckDb> {
    const instance = await DuckDBInstance.create(':memory:');
    return new DuckDb(await instance.connect());
  }

  async load(name: string, data: TableData): Promise<void> {
    const columns = data.columns.map((c) => `${quoted(c.name)} ${c.numeric ? 'DOUBLE' : 'VARCHAR'}`);
    await this.connection.run(`CREATE TABLE ${quoted(name)} (${columns.join(', ')})`);
    const appender = await this.connection.createAppender(name);
    for (const row of data.rows) {
      row.forEach((cell) => {
        if (cell === null) appender.appendNull();
        else if (typeof cell === 'number') appender.appendDouble(cell);
        else appender.appendVarchar(cell);
      });
      appender.endRow();
    }
    appender.closeSync();
  }

  async run(sql: string): Promise<void> {
    await this.connection.run(sql);
  }

  async query(sql: string): Promise<ResultRow[]> {
    const reader = await this.connection.runAndReadAll(sql);
    const names = reader.columnNames();
    return reader.getRows().map((row) => new Map(names.map((name, j) => [name, normalise(row[j])])));
  }

  close(): void {
    this.connection.closeSync();
  }
}

function normalise(value: unknown): Cell {
  if (value === null || typeof value === 'number' || typeof value === 'string') return value;
  if (typeof value === 'bigint') return Number(value);
  throw new Error(`unexpected DuckDB value ${String(value)}`);
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Debian's newest PostgreSQL server binaries, or a failure saying how to install them. */
function postgresBin(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))) : [];
  if (versions.length === 0) {
    throw new Error(
      'PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): the SQL tests run a real server. ' +
        'Install Debian\'s postgresql (npm test\'s pretest does: node scripts/ensure-test-host.mjs).',
    );
  }
  versions.sort((a, b) => Number(b) - Number(a));
  return join(root, versions[0], 'bin');
}

function check(result: ReturnType<typeof spawnSync>, what: string): string {
  if (result.error) throw new Error(`${what} could not run: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`${what} failed (exit ${result.status}): ${String(result.stderr).trim() || String(result.stdout).trim()}`);
  return String(result.stdout);
}

export class Postgres {
  private constructor(
    private readonly port: number,
    private readonly dir: string,
  ) {}

  /** A server of its own in a temporary data directory; stopped and removed when `owner` ends, whatever the outcome. */
  static async start(owner: Ends): Promise<Postgres> {
    const bin = postgresBin();
    const dir = mkdtempSync(join(tmpdir(), 'segment-pg-'));
    const root = process.getuid?.() === 0;
    // PostgreSQL refuses to run as root: as root, the server runs as the postgres user, which owns the folder.
    const as = (command: string, args: string[]) => (root ? spawnSync('runuser', ['-u', 'postgres', '--', command, ...args], { encoding: 'utf8' }) : spawnSync(command, args, { encoding: 'utf8' }));
    if (root) {
      const uid = Number(check(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }), 'id -u postgres'));
      const gid = Number(check(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }), 'id -g postgres'));
      chownSync(dir, uid, gid);
    }
    const data = join(dir, 'data');
    const pgCtl = join(bin, 'pg_ctl');
    let started = false;
    owner.after(() => {
      if (started) as(pgCtl, ['-D', data, '-m', 'immediate', '-w', 'stop']);
      rmSync(dir, { recursive: true, force: true });
    });
    check(as(join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync']), 'initdb');
    const port = await freePort();
    const options = `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c full_page_writes=off`;
    started = true;
    check(as(pgCtl, ['-D', data, '-l', join(dir, 'server.log'), '-o', options, '-w', '-t', '60', 'start']), 'pg_ctl start');
    return new Postgres(port, dir);
  }

  private psql(args: string[], input?: string): string {
    const base = ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', '127.0.0.1', '-p', String(this.port), '-U', 'postgres', '-d', 'postgres'];
    return check(spawnSync('psql', [...base, ...args], { encoding: 'utf8', input, maxBuffer: 1 << 30 }), 'psql');
  }

  /** A table with the CSV's columns (DOUBLE PRECISION or TEXT), filled with COPY FROM STDIN. */
  load(name: string, data: TableData): void {
    const columns = data.columns.map((c) => `${quoted(c.name)} ${c.numeric ? 'DOUBLE PRECISION' : 'TEXT'}`);
    this.run(`CREATE TABLE ${quoted(name)} (${columns.join(', ')});`);
    const field = (cell: Cell) => (cell === null ? '' : typeof cell === 'number' ? String(cell) : `"${cell.replace(/"/g, '""')}"`);
    const csv = data.rows.map((row) => row.map(field).join(',')).join('\n') + '\n';
    this.psql(['-c', `COPY ${quoted(name)} FROM STDIN WITH (FORMAT csv)`], csv);
  }

  run(sql: string): void {
    const file = join(this.dir, `statement-${Date.now()}.sql`);
    writeFileSync(file, sql);
    this.psql(['-f', file]);
  }

  /** A query's rows; numbers read back from PostgreSQL's shortest exact text (extra_float_digits 1, its default). */
  query(sql: string, numeric: (name: string) => boolean): ResultRow[] {
    const file = join(this.dir, `query-${Date.now()}.sql`);
    writeFileSync(file, sql);
    const text = this.psql(['--csv', '-f', file]);
    const [header, ...rows] = parse(text, { relax_column_count: false }) as string[][];
    return rows.map((row) => new Map(header.map((name, j): [string, Cell] => [name, row[j] === '' ? null : numeric(name) ? Number(row[j]) : row[j]])));
  }
}
