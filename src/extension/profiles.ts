/**
 * Profile files for the cluster panel: reading them (through the one
 * profile reader, src/shared/profile/parse.ts: JSON or YAML as plain data,
 * within limits on size, aliases, depth and values), and finding them beside
 * a CSV or in the workspace for the "Open Cluster Panel" picker.
 *
 * A profile file is untrusted input: it is parsed as data and nothing else —
 * never evaluated, never turned into HTML here. What cannot be read becomes
 * ProfileInput.error, a clause the panel shows after the file's name.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ProfileInput } from '../shared/panelProtocol';
import { parseProfileBytes, sizeError } from '../shared/profile/parse';

/** The names the engine gives profiles: {method}_cluster_profile_{YYYYMMDD_HHMMSS}[_n].json|yaml (also .yml). */
export const PROFILE_NAME = /_cluster_profile_.*\.(json|ya?ml)$/i;
export const PROFILE_GLOB = '**/*_cluster_profile_*.{json,yaml,yml}';
const NAME_PARTS = /^(.+?)_cluster_profile_(\d{8}_\d{6})(_\d+)?\.(json|ya?ml)$/i;

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
    const tooLarge = sizeError(stat.size);
    if (tooLarge) return { path: key, error: tooLarge };
    bytes = await vscode.workspace.fs.readFile(uri);
  } catch (error) {
    return { path: key, error: readFailure(error) };
  }
  return { path: key, ...parseProfileBytes(bytes, uri.path) };
}

function readFailure(error: unknown): string {
  if (error instanceof vscode.FileSystemError && error.code === 'FileNotFound') return 'the file is no longer there (deleted, moved or renamed)';
  const code = (error as { code?: unknown })?.code;
  if (code === 'ENOENT' || code === 'FileNotFound') return 'the file is no longer there (deleted, moved or renamed)';
  if (code === 'EACCES' || code === 'NoPermissions') return 'permission to read it was denied';
  return error instanceof Error ? error.message : String(error);
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

/**
 * An export writes its JSON a moment after its YAML (longer for a profile
 * with many categorical levels): within this, the two count as written
 * together, and the YAML is shown.
 */
const WRITTEN_TOGETHER_MS = 2000;

/** `f` is the file of its run to show rather than `current`: changed later, the YAML when written together. */
function showsRather(f: ProfileFile, current: ProfileFile): boolean {
  const isYaml = (x: ProfileFile) => /\.ya?ml$/i.test(x.name);
  if (isYaml(f) === isYaml(current)) return f.mtime > current.mtime;
  const [yaml, json] = isYaml(f) ? [f, current] : [current, f];
  const yamlWins = json.mtime - yaml.mtime <= WRITTEN_TOGETHER_MS;
  return isYaml(f) === yamlWins;
}

export interface ProfileRun {
  /** The file to show: of a run's JSON and YAML, the one changed last (the YAML when both were written together: it is the one people edit). */
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
      if (showsRather(f, run.file)) run.file = f;
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
