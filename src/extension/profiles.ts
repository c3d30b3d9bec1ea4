/**
 * Profile files for the cluster panel: reading and parsing them (JSON, or
 * YAML with js-yaml's default safe schema), and finding them beside a CSV or
 * in the workspace for the "Open Cluster Panel" picker.
 *
 * A profile file is untrusted input (edited by hand, by a language model, or
 * simply not ours): it is parsed as data and nothing else — never evaluated,
 * never turned into HTML here. What cannot be read becomes
 * ProfileInput.error, a sentence the panel shows. The parsed document is
 * copied into plain JSON data (objects, arrays, strings, finite numbers,
 * booleans, null) with limits on size, depth and the number of values, so a
 * YAML alias bomb or a self-referencing anchor is refused here instead of
 * being expanded when the message to the webview is serialised.
 */
import * as path from 'node:path';
import { load } from 'js-yaml';
import * as vscode from 'vscode';
import type { ProfileInput } from '../shared/panelProtocol';

/** The names the engine gives profiles: {method}_cluster_profile_{YYYYMMDD_HHMMSS}[_n].json|yaml (also .yml). */
export const PROFILE_NAME = /_cluster_profile_.*\.(json|ya?ml)$/i;
export const PROFILE_GLOB = '**/*_cluster_profile_*.{json,yaml,yml}';
const NAME_PARTS = /^(.+?)_cluster_profile_(\d{8}_\d{6})(_\d+)?\.(json|ya?ml)$/i;

/** Larger files are not read (the biggest real profiles are a few MB). */
export const MAX_PROFILE_BYTES = 50 * 1024 * 1024;
/** Values in one document, YAML aliases expanded (a 1,000-feature × 100-cluster profile has about 800,000). */
export const MAX_PROFILE_VALUES = 2_000_000;
/** Nesting depth (a profile needs 5). */
export const MAX_PROFILE_DEPTH = 64;

export function isProfileUri(uri: vscode.Uri): boolean {
  return PROFILE_NAME.test(path.posix.basename(uri.path));
}

/** How a profile is named in the panel's messages and state: the file path on disk, else the URI. */
export function profileKey(uri: vscode.Uri): string {
  return uri.scheme === 'file' ? uri.fsPath : uri.toString();
}

/** The inverse of profileKey, for keys read back from the webview's saved state; undefined for anything else. */
export function uriFromKey(key: string): vscode.Uri | undefined {
  if (typeof key !== 'string' || key.length === 0 || key.length > 4096) return undefined;
  if (path.isAbsolute(key) || /^[a-zA-Z]:[\\/]/.test(key)) return vscode.Uri.file(key);
  if (/^[a-zA-Z][\w+.-]*:\/\//.test(key)) {
    try {
      return vscode.Uri.parse(key, true);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** Reads and parses one profile file; never throws. */
export async function readProfile(uri: vscode.Uri): Promise<ProfileInput> {
  const key = profileKey(uri);
  let bytes: Uint8Array;
  try {
    const stat = await vscode.workspace.fs.stat(uri);
    if (stat.type & vscode.FileType.Directory) return { path: key, error: 'it is a folder, not a file' };
    if (stat.size > MAX_PROFILE_BYTES) {
      return { path: key, error: `it is too large to show (${(stat.size / 1024 / 1024).toFixed(0)} MB; the panel reads up to ${MAX_PROFILE_BYTES / 1024 / 1024} MB)` };
    }
    bytes = await vscode.workspace.fs.readFile(uri);
  } catch (error) {
    return { path: key, error: readFailure(error) };
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return { path: key, error: 'it is not UTF-8 text' };
  }
  return { path: key, ...parseProfileText(text, uri.path) };
}

function readFailure(error: unknown): string {
  if (error instanceof vscode.FileSystemError && error.code === 'FileNotFound') return 'the file is no longer there (deleted, moved or renamed)';
  const code = (error as { code?: unknown })?.code;
  if (code === 'ENOENT' || code === 'FileNotFound') return 'the file is no longer there (deleted, moved or renamed)';
  if (code === 'EACCES' || code === 'NoPermissions') return 'permission to read it was denied';
  return error instanceof Error ? error.message : String(error);
}

/** JSON for .json files, YAML otherwise; the document as plain data, or why not. */
export function parseProfileText(text: string, fileName: string): { profile: unknown } | { error: string } {
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (source.trim() === '') return { error: 'the file is empty' };
  let document: unknown;
  if (/\.json$/i.test(fileName)) {
    try {
      document = JSON.parse(source);
    } catch (error) {
      return { error: `it is not valid JSON: ${(error as Error).message}` };
    }
  } else {
    try {
      // js-yaml's default (core) schema: plain data only; no custom tags, no code.
      document = load(source, { maxAliases: 1000, maxDepth: MAX_PROFILE_DEPTH });
    } catch (error) {
      return { error: `it is not valid YAML: ${yamlFailure(error)}` };
    }
  }
  try {
    return { profile: toPlainData(document) };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

function yamlFailure(error: unknown): string {
  const e = error as { reason?: unknown; mark?: { line?: unknown; column?: unknown }; message?: unknown };
  if (typeof e?.reason === 'string') {
    const line = typeof e.mark?.line === 'number' ? e.mark.line + 1 : undefined;
    const column = typeof e.mark?.column === 'number' ? e.mark.column + 1 : undefined;
    return line === undefined ? e.reason : `${e.reason} (line ${line}${column === undefined ? '' : `, column ${column}`})`;
  }
  return String(e?.message ?? error);
}

/**
 * A copy of a parsed document as plain JSON data. Non-finite numbers (YAML's
 * .inf and .nan) become text, so the panel says which field is not a number.
 * Throws a readable Error for documents it refuses.
 */
export function toPlainData(value: unknown): unknown {
  let count = 0;
  const ancestors = new Set<object>();
  const copy = (v: unknown, depth: number): unknown => {
    if (++count > MAX_PROFILE_VALUES) {
      throw new Error(`it holds more than ${MAX_PROFILE_VALUES.toLocaleString('en-US')} values (YAML aliases expanded), more than any cluster profile`);
    }
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
    if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
    if (typeof v !== 'object') return String(v);
    if (depth >= MAX_PROFILE_DEPTH) throw new Error(`it is nested more than ${MAX_PROFILE_DEPTH} levels deep`);
    if (ancestors.has(v)) throw new Error('it contains itself (a YAML alias inside its own anchor)');
    ancestors.add(v);
    try {
      if (Array.isArray(v)) return v.map((x) => copy(x, depth + 1));
      if (v instanceof Date) return Number.isNaN(v.getTime()) ? String(v) : v.toISOString();
      const entries: [unknown, unknown][] = v instanceof Map ? [...v.entries()] : Object.entries(v);
      const out: Record<string, unknown> = {};
      for (const [k, x] of entries) {
        // defineProperty: a key named "__proto__" stays an ordinary key.
        Object.defineProperty(out, String(k), { value: copy(x, depth + 1), enumerable: true, writable: true, configurable: true });
      }
      return out;
    } finally {
      ancestors.delete(v);
    }
  };
  return copy(value, 0);
}

// ---------------------------------------------------------------------------
// Finding profiles

export interface ProfileFile {
  uri: vscode.Uri;
  name: string;
  /** "gmm", "fuzzy", "neural", … as in the name; undefined for a name the engine would not give. */
  method?: string;
  /** YYYYMMDD_HHMMSS plus the _n suffix: files of one run share it (and Export All's runs too). */
  stamp?: string;
  mtime: number;
}

/** The profile files directly in a folder (not below it). */
export async function profilesInFolder(folder: vscode.Uri): Promise<ProfileFile[]> {
  let entries: [string, vscode.FileType][];
  try {
    entries = await vscode.workspace.fs.readDirectory(folder);
  } catch {
    return [];
  }
  const uris = entries.filter(([name, type]) => type & vscode.FileType.File && PROFILE_NAME.test(name)).map(([name]) => vscode.Uri.joinPath(folder, name));
  return describeFiles(uris);
}

/** The profile files anywhere in the workspace (node_modules and .git left out), at most `limit`. */
export async function profilesInWorkspace(limit = 500): Promise<ProfileFile[]> {
  const uris = await vscode.workspace.findFiles(PROFILE_GLOB, '**/{node_modules,.git}/**', limit);
  return describeFiles(uris);
}

export async function describeFiles(uris: readonly vscode.Uri[]): Promise<ProfileFile[]> {
  const files = await Promise.all(
    uris.map(async (uri): Promise<ProfileFile | undefined> => {
      const name = path.posix.basename(uri.path);
      let mtime: number;
      try {
        mtime = (await vscode.workspace.fs.stat(uri)).mtime;
      } catch {
        return undefined;
      }
      const parts = NAME_PARTS.exec(name);
      return { uri, name, method: parts?.[1], stamp: parts ? `${parts[2]}${parts[3] ?? ''}` : undefined, mtime };
    }),
  );
  return files.filter((f): f is ProfileFile => f !== undefined);
}

export interface ProfileRun {
  /** The file to show: of a run's JSON and YAML, the one changed last (the YAML when equal: it is the one people edit). */
  file: ProfileFile;
  /** Every file of the run (JSON and YAML). */
  files: ProfileFile[];
  method?: string;
  stamp?: string;
  folder: string;
}

/** One entry per export (a method's JSON and YAML of the same timestamp, in the same folder), newest first. */
export function groupRuns(files: readonly ProfileFile[]): ProfileRun[] {
  const runs = new Map<string, ProfileRun>();
  for (const f of files) {
    const folder = path.posix.dirname(f.uri.path);
    const key = f.method && f.stamp ? `${f.uri.scheme}:${folder}\u0000${f.method}\u0000${f.stamp}` : `${f.uri.toString()}`;
    const run = runs.get(key);
    if (!run) runs.set(key, { file: f, files: [f], method: f.method, stamp: f.stamp, folder });
    else {
      run.files.push(f);
      if (f.mtime > run.file.mtime || (f.mtime === run.file.mtime && /\.ya?ml$/i.test(f.name))) run.file = f;
    }
  }
  return [...runs.values()].sort(
    (a, b) => (b.stamp ?? '').localeCompare(a.stamp ?? '') || (a.method ?? '').localeCompare(b.method ?? '') || b.file.mtime - a.file.mtime || a.file.name.localeCompare(b.file.name),
  );
}

/** "2026-11-24 09:32:37" from "20261124_093237" (and "_2" suffixes kept as " #2"). */
export function stampText(stamp: string | undefined): string | undefined {
  const m = stamp ? /^(\d{4})(\d{2})(\d{2})_(\d{2})(\d{2})(\d{2})(?:_(\d+))?$/.exec(stamp) : null;
  if (!m) return undefined;
  return `${m[1]}-${m[2]}-${m[3]} ${m[4]}:${m[5]}:${m[6]}${m[7] ? ` #${m[7]}` : ''}`;
}

export interface ProfileSummary {
  sourceFile?: string;
  nClusters?: number;
  silhouette?: number;
}

/** A few facts from the start of a profile file (for the picker), found by pattern in its first 32 KB; never throws. */
export async function summarizeProfile(uri: vscode.Uri): Promise<ProfileSummary> {
  try {
    const bytes = await vscode.workspace.fs.readFile(uri);
    const head = new TextDecoder('utf-8').decode(bytes.subarray(0, 32 * 1024));
    const field = (name: string) => new RegExp(`["']?${name}["']?\\s*:\\s*("(?:[^"\\\\\\n]|\\\\.)*"|'[^'\\n]*'|[^\\n,}]+)`).exec(head)?.[1]?.trim();
    const text = (raw: string | undefined) => (raw === undefined ? undefined : raw.replace(/^["']|["']$/g, '').slice(0, 120));
    const num = (raw: string | undefined) => {
      const v = raw === undefined ? NaN : Number(raw);
      return Number.isFinite(v) ? v : undefined;
    };
    return { sourceFile: text(field('source_file')), nClusters: num(field('n_clusters')), silhouette: num(field('silhouette_score')) };
  } catch {
    return {};
  }
}
