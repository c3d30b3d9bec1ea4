/**
 * Writing a profile to disk: JSON (2-space), YAML (block style, no aliases,
 * same key order) and the assignments CSV. Every file is written under a
 * temporary name in the target folder and then hard-linked to its final
 * name, which fails rather than replaces when that name exists, so a user's
 * file is never overwritten and no reader ever sees half a file. Where the
 * file system has no hard links, an exclusive create-and-copy stands in.
 */
import { promises as fs, constants as fsConstants } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { dump } from 'js-yaml';
import { SegmentError, throwIfAborted } from '../errors';
import { METHOD_KEYS } from '../../shared/methods';
import { TEMPORARY_NAME, outputNamePattern, type OutputKind } from '../../shared/timestamps';
import type { JsonObject, MethodKey, Profile } from './profile';
import { fileStamp } from './profile';

export interface ExportPaths {
  json: string;
  yaml: string;
  assignments: string;
  /** `{method}_model_{ts}.json`: what scoring new rows needs (src/engine/scoring/). */
  model: string;
}

export interface ExportResult extends ExportPaths {
  profile: Profile;
}

/** The assignments table, produced lazily in chunks of CSV text or its UTF-8 bytes (header first). */
export type CsvChunks = Iterable<string | Uint8Array>;

/** A profile, or any document written beside it (a k-selection), as JSON. */
export function profileToJson(profile: JsonObject): string {
  return `${JSON.stringify(profile, null, 2)}\n`;
}

export function profileToYaml(profile: JsonObject): string {
  // noRefs: never anchors/aliases; lineWidth -1: no folding of long strings;
  // js-yaml's compat mode quotes YAML 1.1 look-alikes such as yes, no, on, 1e3.
  return dump(profile, { noRefs: true, lineWidth: -1, sortKeys: false, indent: 2 });
}

/** RFC 4180 field: quoted when it holds a comma, quote, CR or LF. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export interface WriteProfileOptions {
  /** Looked at between the files and between the chunks of the assignments: a cancel leaves nothing behind. */
  signal?: AbortSignal;
  method: MethodKey;
  outputDir: string;
  profile: Profile;
  assignments: CsvChunks;
  /** The model file's text, given the file name of the JSON profile it belongs to. */
  model: (profileFile: string) => string;
  now: Date;
}

export async function writeProfileFiles(options: WriteProfileOptions): Promise<ExportResult> {
  const stamp = fileStamp(options.now);
  const name = (kind: string, extension: string) => (suffix: string) => `${options.method}_${kind}_${stamp}${suffix}.${extension}`;
  // Linked in this order, the JSON last: a reader that finds it knows the other files are complete beside it.
  const paths = await writeFileSet(
    options.outputDir,
    'the profile files',
    {
      assignments: { name: name('assignments', 'csv'), content: options.assignments },
      yaml: { name: name('cluster_profile', 'yaml'), content: profileToYaml(options.profile) },
      model: { name: name('model', 'json'), content: (names) => options.model(basename(names.json)) },
      json: { name: name('cluster_profile', 'json'), content: profileToJson(options.profile) },
    },
    options.signal,
  );
  return { ...paths, profile: options.profile };
}

/** One file of a set: its name for a suffix ('', '_2', '_3', …), and its content (a function of the set's final paths for a file that names another). */
export interface FileSpec<K extends string> {
  name: (suffix: string) => string;
  content: string | CsvChunks | ((paths: Record<K, string>) => string);
}

/**
 * Writes a set of files that belong together into `dir` under one suffix:
 * the first of '', '_2', '_3', … for which none of their names exists. Each
 * is written under a temporary name, then linked to its name in the order
 * given (so the last one's presence means the set is complete); a name taken
 * meanwhile undoes the links made and tries the next suffix. On any error,
 * nothing of the set is left. `what` names the files in an error message;
 * `signal` is looked at between the files and between 1 MB chunks of a table
 * (a cancel leaves nothing behind).
 */
export async function writeFileSet<K extends string>(
  dir: string,
  what: string,
  files: Record<K, FileSpec<K>>,
  signal?: AbortSignal,
): Promise<Record<K, string>> {
  const folder = resolve(dir);
  await ensureDirectory(folder, what);
  await sweepStaleTemporaries(folder);
  const keys = Object.keys(files) as K[];
  const temporary: string[] = [];
  let placed: string[] = [];
  try {
    const fixed = new Map<K, string>();
    // Written in the reverse of the link order (a profile's JSON before its YAML, as ever): of a JSON and YAML
    // pair, the YAML is the newer file, the one a reader that takes the newest shows (the one people edit).
    for (const key of [...keys].reverse()) {
      const { content } = files[key];
      if (typeof content !== 'function') fixed.set(key, await writeTemporary(folder, content, temporary, signal));
    }
    throwIfAborted(signal);
    for (let attempt = 1; ; attempt++) {
      const suffix = attempt === 1 ? '' : `_${attempt}`;
      const paths = Object.fromEntries(keys.map((key) => [key, join(folder, files[key].name(suffix))])) as Record<K, string>;
      if (await anyExists(Object.values(paths))) continue;
      placed = [];
      let ok = true;
      for (const key of keys) {
        const { content } = files[key];
        const tmp = fixed.get(key) ?? (await writeTemporary(folder, (content as (p: Record<K, string>) => string)(paths), temporary, signal));
        if (!(await place(tmp, paths[key], placed))) {
          ok = false;
          break;
        }
      }
      if (ok) return paths;
      // Someone created one of the names meanwhile: undo ours and take the next suffix.
      await Promise.all(placed.map((p) => fs.rm(p, { force: true })));
    }
  } catch (error) {
    await Promise.all(placed.map((p) => fs.rm(p, { force: true })));
    throw asWriteError(error, folder, what);
  } finally {
    await Promise.all(temporary.map((p) => fs.rm(p, { force: true })));
  }
}

/**
 * Temporary files of processes that no longer run (killed while writing)
 * would stay forever: each export removes those it finds in its folder.
 */
export async function sweepStaleTemporaries(dir: string): Promise<string[]> {
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  const stale = names.filter((name) => {
    const pid = Number(TEMPORARY_NAME.exec(name)?.[1]);
    return Number.isInteger(pid) && pid !== process.pid && !processRuns(pid);
  });
  await Promise.all(stale.map((name) => fs.rm(join(dir, name), { force: true })));
  return stale;
}

function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A run that was stopped from outside, as removeRunFiles finds its files. */
export interface RunFiles {
  outputDir: string;
  /** When it started: its files' timestamp. */
  now: Date;
  pid: number;
  /** Its methods (all by default). */
  methods?: readonly MethodKey[];
  /** The kinds of files it writes (all by default): a scoring writes scores and a profile, never an export's model. */
  kinds?: readonly OutputKind[];
  /** Only files changed since `now` (less STRICT_SLACK_MS), not a second before: spares an export of the same second (a scoring right after it). */
  strict?: boolean;
}

/** File times come from a coarse kernel clock (a tick of 1 to 10 ms): a strict run's files may be stamped up to this much before it started. */
export const STRICT_SLACK_MS = 50;

/**
 * After a run was stopped from outside (its thread or process killed): its
 * temporary files, and the files named for its timestamp that appeared since
 * it started. Returns what was removed.
 */
export async function removeRunFiles(run: RunFiles): Promise<string[]> {
  const names = await fs.readdir(run.outputDir).catch(() => [] as string[]);
  const stamp = fileStamp(run.now);
  const patterns = (run.methods ?? METHOD_KEYS).map((m) => outputNamePattern(m, stamp, run.kinds));
  // A second of slack for file systems with coarse times; strict, only the few milliseconds of the kernel's coarse
  // clock for file times (a file written just after `now` can be stamped a tick before it).
  const since = run.now.getTime() - (run.strict ? STRICT_SLACK_MS : 1000);
  const doomed: string[] = [];
  for (const name of names) {
    const full = join(run.outputDir, name);
    if (Number(TEMPORARY_NAME.exec(name)?.[1]) === run.pid) doomed.push(full);
    else if (patterns.some((p) => p.test(name))) {
      const stat = await fs.stat(full).catch(() => undefined);
      if (stat && stat.mtimeMs >= since) doomed.push(full);
    }
  }
  await Promise.all(doomed.map((file) => fs.rm(file, { force: true })));
  return doomed;
}

/**
 * Creates the missing folders one level at a time: Node's recursive mkdir
 * never returns on some file systems (under /proc it retries ENOENT forever).
 */
async function ensureDirectory(dir: string, what: string): Promise<void> {
  const missing: string[] = [];
  let existing = dir;
  while (!(await fs.stat(existing).catch(() => undefined))) {
    missing.unshift(existing);
    const parent = dirname(existing);
    if (parent === existing) break;
    existing = parent;
  }
  try {
    for (const level of missing) await fs.mkdir(level).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
    if (!(await fs.stat(dir)).isDirectory()) throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR' });
  } catch (error) {
    throw asWriteError(error, dir, what);
  }
}

async function writeTemporary(dir: string, content: string | CsvChunks, temporary: string[], signal?: AbortSignal): Promise<string> {
  throwIfAborted(signal);
  const path = join(dir, `.segment-${process.pid}-${Date.now()}-${temporary.length}.tmp`);
  temporary.push(path);
  const handle = await fs.open(path, 'wx');
  try {
    if (typeof content === 'string') {
      await handle.writeFile(content, 'utf8');
    } else {
      // Text is gathered into writes of about 1 MB; byte chunks are that large already.
      let text = '';
      for (const chunk of content) {
        if (typeof chunk === 'string') {
          text += chunk;
          if (text.length < 1 << 20) continue;
        }
        throwIfAborted(signal);
        if (text.length > 0) await handle.write(text);
        text = '';
        if (typeof chunk !== 'string') for (let at = 0; at < chunk.length; ) at += (await handle.write(chunk, at)).bytesWritten;
      }
      if (text.length > 0) await handle.write(text);
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
  return path;
}

/** Links tmp to target; false when target exists. */
async function place(tmp: string, target: string, placed: string[]): Promise<boolean> {
  try {
    await fs.link(tmp, target);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EXDEV') throw error;
    // No hard links here (FAT, some network shares): exclusive copy instead.
    try {
      await fs.copyFile(tmp, target, fsConstants.COPYFILE_EXCL);
    } catch (copyError) {
      if ((copyError as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw copyError;
    }
  }
  placed.push(target);
  return true;
}

async function anyExists(paths: string[]): Promise<boolean> {
  const found = await Promise.all(
    paths.map((p) =>
      fs.access(p).then(
        () => true,
        () => false,
      ),
    ),
  );
  return found.some(Boolean);
}

function asWriteError(error: unknown, dir: string, what: string): Error {
  const code = (error as NodeJS.ErrnoException).code;
  // Only the file system's errors are about the folder; anything else is a bug to report as one.
  if (error instanceof SegmentError || typeof code !== 'string') return error as Error;
  const reason =
    code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
      ? 'permission denied'
      : code === 'ENOSPC'
        ? 'the disk is full'
        : code === 'ENOTDIR' || code === 'EEXIST'
          ? 'a file stands where the folder should be'
          : code === 'ENOENT'
            ? 'a folder cannot be created there'
          : (error as Error).message;
  return new SegmentError(
    'OUTPUT_NOT_WRITABLE',
    `Cannot write ${what} to ${dir}: ${reason}. Choose another output folder; nothing was written.`,
  );
}

/** One file of a set: its name with the suffix that keeps it new ('', '_2', '_3', …), and its content. */
export interface NewFile {
  name: (suffix: string) => string;
  content: string | CsvChunks;
}

/** writeFileSet for a list of files: their paths in the order given (the last one linked last). */
export async function writeNewFiles(outputDir: string, files: readonly NewFile[], what = 'the files', signal?: AbortSignal): Promise<string[]> {
  const set = Object.fromEntries(files.map((file, i) => [`f${i}`, file])) as Record<string, FileSpec<string>>;
  const paths = await writeFileSet(outputDir, what, set, signal);
  return files.map((_, i) => paths[`f${i}`]);
}
