/**
 * Command-line parsing for `segment`: node:util's parseArgs for the syntax,
 * then typed conversion with one usage error per bad value.
 */
import { parseArgs } from 'node:util';
import { printable } from '../engine';

export class UsageError extends Error {
  /** The message may quote an argument, which may come from a CSV header: its control characters are escaped. */
  constructor(message: string) {
    super(printable(message));
    this.name = 'UsageError';
  }
}

export type FlagKind = 'int' | 'number' | 'string' | 'list' | 'boolean';

export interface FlagSpec {
  name: string; // without dashes, e.g. "n-init"
  kind: FlagKind;
  value?: string; // placeholder in help, e.g. "N"
  help: string;
  choices?: readonly string[];
  short?: string;
  /** The value "auto" is accepted too (the engine chooses). */
  allowAuto?: boolean;
}

export type FlagValues = Record<string, string | number | boolean | string[] | undefined>;

export function parseFlags(argv: string[], specs: FlagSpec[]): { positionals: string[]; flags: FlagValues } {
  const options = Object.fromEntries(
    specs.map((s) => [
      s.name,
      { type: s.kind === 'boolean' ? ('boolean' as const) : ('string' as const), ...(s.short ? { short: s.short } : {}) },
    ]),
  );
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(plainParseError((error as Error).message));
  }
  const flags: FlagValues = {};
  for (const spec of specs) {
    const raw = parsed.values[spec.name];
    if (raw === undefined) continue;
    flags[spec.name] = convert(spec, raw);
  }
  return { positionals: parsed.positionals, flags };
}

function plainParseError(message: string): string {
  const unknown = /Unknown option '([^']+)'/.exec(message);
  if (unknown) return `unknown option ${unknown[1]}`;
  const ambiguous = /Option '([^']+)' argument is ambiguous/.exec(message);
  if (ambiguous) {
    const flag = ambiguous[1].split(',').pop()!.trim();
    return `option ${flag} needs a value; write a value that starts with a dash as ${flag}=-…`;
  }
  const missing = /Option '([^']+)' argument missing/.exec(message);
  if (missing) return `option ${missing[1].split(',').pop()!.trim()} needs a value`;
  return message.split('. ')[0];
}

function convert(spec: FlagSpec, raw: string | boolean): string | number | boolean | string[] {
  if (spec.kind === 'boolean') return raw as boolean;
  const text = String(raw).trim();
  if (spec.allowAuto && text === 'auto') return text;
  switch (spec.kind) {
    case 'int': {
      if (!/^[+-]?\d+$/.test(text)) {
        throw new UsageError(`--${spec.name} expects a whole number${spec.allowAuto ? ' or auto' : ''}, got "${text}"`);
      }
      return Number(text);
    }
    case 'number': {
      const value = Number(text);
      if (text === '' || !Number.isFinite(value)) throw new UsageError(`--${spec.name} expects a number, got "${text}"`);
      return value;
    }
    case 'list': {
      const items = text.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
      if (items.length === 0) throw new UsageError(`--${spec.name} expects a comma-separated list of column names`);
      return items;
    }
    default:
      if (spec.choices && !spec.choices.includes(text)) {
        throw new UsageError(`--${spec.name} must be one of ${spec.choices.join(', ')}, got "${text}"`);
      }
      return text;
  }
}

export function flagHelp(specs: FlagSpec[]): string {
  const rows = specs.map((s) => {
    const left = `  ${s.short ? `-${s.short}, ` : ''}--${s.name}${s.value ? ` ${s.value}` : ''}`;
    return { left, help: s.help };
  });
  const width = Math.max(...rows.map((r) => r.left.length)) + 2;
  return rows.map((r) => r.left.padEnd(width) + r.help).join('\n');
}
