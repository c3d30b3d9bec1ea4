/**
 * Writes a seeded CSV of realistic retail customers (see examples/customers.ts).
 *
 *   npx tsx examples/generate-customers.ts --rows 500 --seed 7 --out examples/customers.csv
 *
 * Without --out the CSV goes to stdout. An existing --out file is left alone
 * unless --force is given. The file is streamed, so --rows 200000 is fine.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { CUSTOMERS, DEFAULT_MISSING_RATE, writeCustomersCsv, writeCustomersCsvFile } from './customers';
import { MIXED_CUSTOMERS } from './customersMixed';

const USAGE = `Usage: npx tsx examples/generate-customers.ts [--rows N] [--seed S] [--out FILE] [--force] [--missing-rate R]

  --rows N          number of customers (default 500)
  --seed S          integer seed; the same seed gives the same file (default 7)
  --out FILE        where to write the CSV (default: stdout)
  --force           replace FILE if it already exists
  --missing-rate R  fraction of rows with an empty/NA avg_order_value or return_rate (default ${DEFAULT_MISSING_RATE})
  --mixed           the mixed table instead: region, channel, contract, payment method,
                    loyalty tier and churn (Yes/No) beside six numeric columns
  --help            show this text
`;

/** A problem reported as one line on stderr, with exit code 2 (bad arguments) or 1. */
class UsageError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}

function integer(name: string, text: string, min: number): number {
  if (!/^-?\d+$/.test(text.trim())) throw new UsageError(`--${name} must be an integer, got "${text}".`);
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`--${name} must be an integer of at least ${min}, got "${text}".`);
  return n;
}

/** Runs the CLI on `argv` (without node and the script); returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      allowPositionals: false,
      strict: true,
      options: {
        rows: { type: 'string', default: '500' },
        seed: { type: 'string', default: '7' },
        out: { type: 'string' },
        force: { type: 'boolean', default: false },
        mixed: { type: 'boolean', default: false },
        'missing-rate': { type: 'string', default: String(DEFAULT_MISSING_RATE) },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }

  try {
    const rows = integer('rows', values.rows, 1);
    const seed = integer('seed', values.seed, -(2 ** 31));
    const missingRate = Number(values['missing-rate']);
    if (values['missing-rate'].trim() === '' || !(missingRate >= 0 && missingRate <= 1)) {
      throw new UsageError(`--missing-rate must be a number from 0 to 1, got "${values['missing-rate']}".`);
    }
    const options = { rows, seed, missingRate };
    const source = values.mixed ? MIXED_CUSTOMERS : CUSTOMERS;

    if (values.out === undefined) {
      await writeCustomersCsv(process.stdout, options, undefined, source);
      return 0;
    }
    const out = values.out;
    if (!values.force && existsSync(out)) {
      throw new UsageError(`${out} already exists; pass --force to replace it.`, 1);
    }
    try {
      await writeCustomersCsvFile(out, options, { force: values.force, source });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
        throw new UsageError(`${out} already exists; pass --force to replace it.`, 1);
      }
      throw err;
    }
    process.stderr.write(`Wrote ${rows} customers (seed ${seed}) to ${out}\n`);
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`${err.message}\n`);
      return err.exitCode;
    }
    process.stderr.write(`Could not write the customers: ${(err as Error).message}\n`);
    return 1;
  }
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (invokedDirectly) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
