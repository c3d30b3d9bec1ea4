/**
 * The one profile reader: a profile file's bytes or text to plain data, for
 * the CLI (`segment prompt`), the extension (the cluster panel, Copy LLM
 * Prompt, Describe Segments) and the panel's test harness. Browser-safe
 * (js-yaml and TextDecoder only).
 *
 * A profile file is untrusted input (edited by hand, by a language model, or
 * simply not ours): it is parsed as data and nothing else, with js-yaml's
 * core schema (no custom tags, no code), never evaluated. A UTF-8 BOM is
 * dropped. The document is copied into plain JSON data (ordinary objects
 * whose keys, "__proto__" included, are their own data properties; arrays,
 * strings, finite numbers, booleans, null) within limits on size, YAML
 * aliases, nesting depth and the number of values, so an alias bomb or a
 * self-referencing anchor is refused here instead of being expanded later.
 *
 * What cannot be read is a clause that starts with "it" ("it is not valid
 * YAML: …"): the panel shows it after the file's name, and aboutFile() makes
 * the CLI's sentence of it.
 */
import { load } from 'js-yaml';
import { formatCount } from '../format';
import { describeValue, isObj, visible } from './untrusted';

export const PROFILE_LIMITS = {
  /** Larger files are not read (the biggest real profiles are a few MB). */
  bytes: 50 * 1024 * 1024,
  /** Values in one document, YAML aliases expanded (a 1,000-feature × 100-cluster profile has about 800,000). */
  values: 2_000_000,
  /** Nesting depth (a profile needs 5). */
  depth: 64,
  /** YAML aliases (*name) in one document; Segment writes none. */
  aliases: 1000,
} as const;

export type ParsedProfile = { profile: unknown; error?: undefined } | { profile?: undefined; error: string };

/** Why a file of this many bytes is not read, or undefined when it may be. */
export function sizeError(bytes: number): string | undefined {
  if (bytes <= PROFILE_LIMITS.bytes) return undefined;
  return `it is too large (${(bytes / 1024 / 1024).toFixed(0)} MB; Segment reads profiles of up to ${PROFILE_LIMITS.bytes / 1024 / 1024} MB)`;
}

/** A file's bytes: too large, not UTF-8, or parseProfileText's answer. */
export function parseProfileBytes(bytes: Uint8Array, fileName: string): ParsedProfile {
  const tooLarge = sizeError(bytes.length);
  if (tooLarge) return { error: tooLarge };
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return { error: 'it is not UTF-8 text' };
  }
  return parseProfileText(text, fileName);
}

/** JSON for a .json file name, YAML otherwise; the document as plain data, or why not. */
export function parseProfileText(text: string, fileName: string): ParsedProfile {
  const tooLarge = sizeError(text.length);
  if (tooLarge) return { error: tooLarge };
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (source.trim() === '') return { error: 'it is empty' };
  let document: unknown;
  if (/\.json$/i.test(fileName)) {
    try {
      document = JSON.parse(source);
    } catch (error) {
      return { error: `it is not valid JSON: ${(error as Error).message}` };
    }
  } else {
    try {
      document = load(source, { maxAliases: PROFILE_LIMITS.aliases, maxDepth: PROFILE_LIMITS.depth });
    } catch (error) {
      return { error: yamlFailure(error) };
    }
  }
  try {
    return { profile: toPlainData(document) };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

const TOO_DEEP = `it is nested more than ${PROFILE_LIMITS.depth} levels deep, deeper than any cluster profile`;

function yamlFailure(error: unknown): string {
  const e = error as { reason?: unknown; mark?: { line?: unknown; column?: unknown }; message?: unknown };
  if (typeof e?.reason !== 'string') return `it is not valid YAML: ${String(e?.message ?? error)}`;
  if (e.reason.startsWith('aliases exceeded maxAliases')) {
    return `it has more than ${formatCount(PROFILE_LIMITS.aliases)} YAML aliases, more than any cluster profile (Segment writes none)`;
  }
  if (e.reason.startsWith('nesting exceeded maxDepth')) return TOO_DEEP;
  const line = typeof e.mark?.line === 'number' ? e.mark.line + 1 : undefined;
  const column = typeof e.mark?.column === 'number' ? e.mark.column + 1 : undefined;
  return `it is not valid YAML: ${line === undefined ? e.reason : `${e.reason} (line ${line}${column === undefined ? '' : `, column ${column}`})`}`;
}

/**
 * A copy of a parsed document as plain JSON data. Non-finite numbers (YAML's
 * .inf and .nan) become text, so the panel says which field is not a number.
 * Throws an Error whose message is the clause for documents it refuses.
 */
export function toPlainData(value: unknown): unknown {
  let count = 0;
  const ancestors = new Set<object>();
  const copy = (v: unknown, depth: number): unknown => {
    if (++count > PROFILE_LIMITS.values) {
      throw new Error(`it holds more than ${formatCount(PROFILE_LIMITS.values)} values (YAML aliases expanded), more than any cluster profile`);
    }
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
    if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
    if (typeof v !== 'object') return String(v);
    if (depth >= PROFILE_LIMITS.depth) throw new Error(TOO_DEEP);
    if (ancestors.has(v)) throw new Error('it contains itself (a YAML alias inside its own anchor)');
    ancestors.add(v);
    try {
      if (Array.isArray(v)) return v.map((x) => copy(x, depth + 1));
      if (v instanceof Date) return Number.isNaN(v.getTime()) ? String(v) : v.toISOString();
      const entries: [unknown, unknown][] = v instanceof Map ? [...v.entries()] : Object.entries(v);
      const out: Record<string, unknown> = {};
      for (const [k, x] of entries) {
        // defineProperty: a key named "__proto__" stays an ordinary key, never the object's prototype.
        Object.defineProperty(out, String(k), { value: copy(x, depth + 1), enumerable: true, writable: true, configurable: true });
      }
      return out;
    } finally {
      ancestors.delete(v);
    }
  };
  return copy(value, 0);
}

/** "it is not valid YAML: …" about data.yaml → "data.yaml is not valid YAML: …". */
export function aboutFile(fileName: string, clause: string): string {
  return clause.startsWith('it ') ? `${fileName} ${clause.slice(3)}` : `${fileName}: ${clause}`;
}

/**
 * Why a document is not a cluster profile that the prompt can describe, or
 * undefined when it is one: a mapping whose clusters (at least one) each have
 * a size, and numbers, not text, in their center and feature statistics.
 * The panel does not ask this: it shows what it can of any document and
 * lists the rest as problems.
 */
export function whyNotAProfile(document: unknown): string | undefined {
  if (!isObj(document)) return `it is ${describeValue(document)}, not a mapping of metadata, metrics, features_used and clusters`;
  const section = document.clusters;
  if (section === undefined) return 'it has no "clusters" section';
  let clusters: [string, unknown][];
  if (Array.isArray(section)) clusters = section.map((c, i) => [`cluster_${i}`, c]);
  else if (isObj(section)) clusters = Object.entries(section);
  else return `its "clusters" section should be a mapping of cluster_0, cluster_1, … but is ${describeValue(section)}`;
  if (clusters.length === 0) return 'its "clusters" section has no clusters';
  // Values written as text where numbers belong: the first one said, the others counted.
  let firstText: string | undefined;
  let texts = 0;
  const asText = (path: string, v: unknown) => {
    firstText ??= `${path} should be a number but is ${describeValue(v)}`;
    texts++;
  };
  for (const [key, cluster] of clusters) {
    const path = `clusters.${visible(key)}`;
    if (!isObj(cluster)) return `${path} should be a mapping but is ${describeValue(cluster)}`;
    const size = cluster.size;
    if (typeof size === 'string') asText(`${path}.size`, size);
    else if (size === undefined) return `${path}.size is missing`;
    else if (typeof size !== 'number' || !Number.isFinite(size)) return `${path}.size should be a number but is ${describeValue(size)}`;
    let numbers = 0;
    const count = (p: string, v: unknown) => (typeof v === 'number' ? numbers++ : typeof v === 'string' ? asText(p, v) : 0);
    const center = cluster.cluster_center;
    if (isObj(center)) for (const [name, v] of Object.entries(center)) count(`${path}.cluster_center.${visible(name)}`, v);
    const statistics = cluster.feature_statistics;
    if (isObj(statistics)) {
      for (const [name, stats] of Object.entries(statistics)) {
        if (isObj(stats)) for (const [stat, v] of Object.entries(stats)) count(`${path}.feature_statistics.${visible(name)}.${visible(stat)}`, v);
      }
    }
    if (numbers === 0 && texts === 0) return `${path} has no numbers in cluster_center or feature_statistics`;
  }
  if (firstText === undefined) return undefined;
  return texts === 1 ? firstText : `${firstText} (and ${formatCount(texts - 1)} more values in clusters are text, not numbers)`;
}
