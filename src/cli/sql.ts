/** `segment sql <model.json> --dialect D --table T`: the model as a score query and a profile query that run inside a database. */
import { resolve } from 'node:path';
import { printable } from '../engine';
import { DIALECTS, SQL_DIALECTS, writeSqlJob, type SqlDialect } from '../engine/scaleout/sql';
import { UsageError, flagHelp, parseFlags, type FlagSpec } from './args';
import type { CliIo } from './io';

export const SQL = 'sql';

export const SQL_FLAGS: FlagSpec[] = [
  { name: 'dialect', kind: 'string', value: SQL_DIALECTS.join('|'), choices: SQL_DIALECTS, help: 'the SQL dialect to write' },
  { name: 'table', kind: 'string', value: 'NAME', help: 'the table to score: a name, or schema.table' },
  { name: 'key', kind: 'list', value: 'a,b,…', help: "columns copied into the scores to identify each row (default: the model's id column)" },
  { name: 'out', short: 'o', kind: 'string', value: 'DIR', help: 'folder for the two .sql files (default: beside the model)' },
  { name: 'quiet', short: 'q', kind: 'boolean', help: 'print only the paths of the files written' },
  { name: 'json', kind: 'boolean', help: 'print the paths as JSON on stdout' },
  { name: 'help', short: 'h', kind: 'boolean', help: 'show this help' },
];

export const SQL_USAGE = `  segment sql <model.json> --dialect ${SQL_DIALECTS.join('|')} --table NAME [options]
      Writes the model as two SELECT statements that run inside the database, beside the model:
      segment_score_{method}_{dialect}.sql (every row of the table scored: the key columns,
      cluster and the soft scores of segment score) and segment_profile_{method}_{dialect}.sql
      (one row per cluster: size, share, each feature's mean, std, min, max and quantiles).
      A table has no row numbers: the scores carry the model's id column (or --key) instead of row.
      duckdb and postgres are tested against real engines; ${SQL_DIALECTS.filter((d) => !DIALECTS[d].tested).join(', ')} are generated untested.
${flagHelp(SQL_FLAGS)}`;

export async function sqlCommand(argv: string[], io: CliIo): Promise<number> {
  const { positionals, flags } = parseFlags(argv, SQL_FLAGS);
  if (flags.help) {
    io.stdout.write(`Usage:\n${SQL_USAGE}\n`);
    return 0;
  }
  if (positionals.length !== 1) {
    throw new UsageError(positionals.length === 0 ? 'give the model file ({method}_model_*.json)' : `one model file at a time (got ${positionals.length})`);
  }
  if (flags.dialect === undefined) throw new UsageError(`give the SQL dialect: --dialect ${SQL_DIALECTS.join('|')}`);
  if (typeof flags.table !== 'string' || flags.table.trim() === '') throw new UsageError('give the table to score: --table NAME');
  const paths = await writeSqlJob(resolve(positionals[0]), {
    dialect: flags.dialect as SqlDialect,
    table: flags.table,
    outDir: flags.out as string | undefined,
    key: flags.key as string[] | undefined,
  });
  if (flags.json) io.stdout.write(`${JSON.stringify({ score: paths.scorePath, profile: paths.profilePath }, null, 2)}\n`);
  else if (flags.quiet) io.stdout.write(`${paths.scorePath}\n${paths.profilePath}\n`);
  else io.stdout.write(`Wrote:\n${[paths.scorePath, paths.profilePath].map((p) => `  ${printable(p)}\n`).join('')}`);
  return 0;
}
