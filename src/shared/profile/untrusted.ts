/**
 * Reading an untrusted document: a profile may be edited by hand or by a
 * language model, or not be ours at all. Every field is read defensively; a
 * missing or wrongly typed one becomes a readable message (Problems), never
 * an exception.
 */
import { DASH, formatPlain } from '../format';

export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** "the text "299"", "a list", … for messages. */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'missing';
  if (v === null) return 'empty (null)';
  if (typeof v === 'string') return `the text ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  if (typeof v === 'number') return Number.isFinite(v) ? `the number ${v}` : `the value ${String(v)}`;
  if (typeof v === 'boolean') return `the value ${v}`;
  if (Array.isArray(v)) return `a list of ${v.length}`;
  if (isObj(v)) return 'a mapping';
  return `a ${typeof v}`;
}

/**
 * obj[key] when obj has it as its own property, else undefined: a column or
 * field named "constructor", "toString" or "__proto__" is read as data (or
 * as absent), never as something every object inherits.
 */
export function own<T>(obj: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined;
}

/** Control characters (C0, DEL, C1), and the invisible ones that reorder text (bidirectional marks, overrides and isolates). */
const INVISIBLE = /[\p{Cc}\p{Bidi_Control}]/gu;

/**
 * A name from the profile (a column, a field, a segment name) on one line
 * and as written: a control or reordering character becomes its escape
 * ("a\nb" shows as a\nb), so a name cannot add lines to a tooltip or to the
 * language-model prompt, nor turn text around.
 */
export function visible(name: string): string {
  return name.replace(INVISIBLE, (c) => (c === '\n' ? '\\n' : c === '\r' ? '\\r' : c === '\t' ? '\\t' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}

const MAX_PROBLEMS = 40;

/** What was wrong but worked around, at most MAX_PROBLEMS messages and a count of the rest. */
export class Problems {
  readonly list: string[] = [];
  private dropped = 0;
  add(message: string): void {
    if (this.list.length < MAX_PROBLEMS) this.list.push(message);
    else this.dropped++;
  }
  done(): string[] {
    return this.dropped > 0 ? [...this.list, `…and ${this.dropped} more problems of the same kinds.`] : this.list;
  }
}

/** A finite number, or null; anything else present is a problem. */
export function readNumber(obj: Obj | null, key: string, path: string, problems: Problems, required = false): number | null {
  if (!obj) return null;
  const v = own(obj, key);
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (v === null || (v === undefined && !required)) return null;
  if (v === undefined) problems.add(`${path}.${key} is missing.`);
  else problems.add(`${path}.${key} should be a number but is ${describeValue(v)}.`);
  return null;
}

export function readObj(obj: Obj | null, key: string, path: string, problems: Problems, required = false): Obj | null {
  if (!obj) return null;
  const v = own(obj, key);
  if (isObj(v)) return v;
  if (v == null) {
    if (required) problems.add(`${path}.${key} is missing.`);
    return null;
  }
  problems.add(`${path}.${key} should be a mapping but is ${describeValue(v)}.`);
  return null;
}

/** Text for a scalar (strings as they are, numbers as written, booleans yes/no). */
export function scalarText(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return formatPlain(v);
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (v === null) return DASH;
  return null;
}

/** Text for a value that may be a list of scalars or a flat mapping. */
export function valueText(v: unknown): string | null {
  const s = scalarText(v);
  if (s != null) return s;
  if (Array.isArray(v)) {
    const parts = v.map(scalarText);
    if (parts.every((p) => p != null)) return parts.length > 12 ? `${parts.slice(0, 12).join(', ')}, … (${parts.length})` : parts.join(', ');
    return `a list of ${v.length}`;
  }
  if (isObj(v)) {
    const parts = Object.entries(v).map(([k, x]) => {
      const t = scalarText(x);
      return t == null ? null : `${k}: ${t}`;
    });
    if (parts.every((p) => p != null)) return parts.join(' · ');
    return 'a mapping';
  }
  return null;
}

export function fileNameOf(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] || path;
}
