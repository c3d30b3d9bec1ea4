/**
 * Writing a profile to disk: JSON (2-space), YAML (block style, no aliases,
 * same key order) and the assignments CSV. Every file is written under a
 * temporary name in the target folder and then hard-linked to its final
 * name, which fails rather than replaces when that name exists, so a user's
 * file is never overwritten and no reader ever sees half a file. Where the
 * file system has no hard links, an exclusive create-and-copy stands in.
 */
import { promises as fs, constants as fsConstants } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { dump } from 'js-yaml';
import { SegmentError } from '../errors';
import { METHOD_KEYS } from '../../shared/methods';
import { TEMPORARY_NAME, outputNamePattern } from '../../shared/timestamps';
import type { JsonObject, MethodKey, Profile } from './profile';
import { fileStamp } from './profile';

export interface ExportPaths {
  json: string;
  yaml: string;
  assignments: string;
}

export interface ExportResult extends ExportPaths {
  profile: Profile;
}

/** The assignments table, produced lazily in chunks of CSV text (header first). */
export type CsvChunks = Iterable<string>;

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
  method: MethodKey;
  outputDir: string;
  profile: Profile;
  assignments: CsvChunks;
  now: Date;
}

export async function writeProfileFiles(options: WriteProfileOptions): Promise<ExportResult> {
  const name = (kind: string, extension: string) => (suffix: string) => `${options.method}_${kind}_${fileStamp(options.now)}${suffix}.${extension}`;
  // The JSON last: a reader that finds it knows the YAML and the assignments are complete beside it.
  const [assignments, yaml, json] = await writeNewFiles(options.outputDir, [
    { name: name('assignments', 'csv'), content: options.assignments },
    { name: name('cluster_profile', 'yaml'), content: profileToYaml(options.profile) },
    { name: name('cluster_profile', 'json'), content: profileToJson(options.profile) },
  ]);
  return { json, yaml, assignments, profile: options.profile };
}

/** One file of a set: its name with the suffix that keeps it new ('', '_2', '_3', …), and its content. */
export interface NewFile {
  name: (suffix: string) => string;
  content: string | CsvChunks;
}

/**
 * Writes a set of files into a folder (made if missing) without ever
 * overwriting one: each is written under a temporary name, then linked to its
 * name in the order given, so the last one tells a reader the set is
 * complete. When any name is taken, the whole set takes the next suffix.
 * Returns the paths, in the order given.
 */
export async function writeNewFiles(outputDir: string, files: readonly NewFile[]): Promise<string[]> {
  const dir = resolve(outputDir);
  await ensureDirectory(dir);
  await sweepStaleTemporaries(dir);
  const temporary: string[] = [];
  let placed: string[] = [];
  try {
    const written: string[] = [];
    for (const file of files) written.push(await writeTemporary(dir, file.content, temporary));
    for (let attempt = 1; ; attempt++) {
      const suffix = attempt === 1 ? '' : `_${attempt}`;
      const paths = files.map((file) => join(dir, file.name(suffix)));
      if (await anyExists(paths)) continue;
      placed = [];
      let ok = true;
      for (let f = 0; f < files.length && ok; f++) ok = await place(written[f], paths[f], placed);
      if (ok) return paths;
      // Someone created one of the names meanwhile: undo ours and take the next suffix.
      await Promise.all(placed.map((p) => fs.rm(p, { force: true })));
    }
  } catch (error) {
    await Promise.all(placed.map((p) => fs.rm(p, { force: true })));
    throw asWriteError(error, dir);
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

/**
 * After a run was stopped from outside (its thread or process killed): its
 * temporary files, and the files named for its timestamp that appeared since
 * it started. Returns what was removed.
 */
export async function removeRunFiles(run: { outputDir: string; now: Date; pid: number; methods?: readonly MethodKey[] }): Promise<string[]> {
  const names = await fs.readdir(run.outputDir).catch(() => [] as string[]);
  const stamp = fileStamp(run.now);
  const patterns = (run.methods ?? METHOD_KEYS).map((m) => outputNamePattern(m, stamp));
  const doomed: string[] = [];
  for (const name of names) {
    const full = join(run.outputDir, name);
    if (Number(TEMPORARY_NAME.exec(name)?.[1]) === run.pid) doomed.push(full);
    else if (patterns.some((p) => p.test(name))) {
      const stat = await fs.stat(full).catch(() => undefined);
      if (stat && stat.mtimeMs >= run.now.getTime() - 1000) doomed.push(full);
    }
  }
  await Promise.all(doomed.map((file) => fs.rm(file, { force: true })));
  return doomed;
}

/**
 * Creates the missing folders one level at a time: Node's recursive mkdir
 * never returns on some file systems (under /proc it retries ENOENT forever).
 */
async function ensureDirectory(dir: string): Promise<void> {
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
    throw asWriteError(error, dir);
  }
}

async function writeTemporary(dir: string, content: string | CsvChunks, temporary: string[]): Promise<string> {
  const path = join(dir, `.segment-${process.pid}-${Date.now()}-${temporary.length}.tmp`);
  temporary.push(path);
  const handle = await fs.open(path, 'wx');
  try {
    if (typeof content === 'string') {
      await handle.writeFile(content, 'utf8');
    } else {
      let buffer = '';
      for (const chunk of content) {
        buffer += chunk;
        if (buffer.length >= 1 << 20) {
          await handle.write(buffer);
          buffer = '';
        }
      }
      if (buffer.length > 0) await handle.write(buffer);
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

function asWriteError(error: unknown, dir: string): Error {
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
    `Cannot write the profile files to ${dir}: ${reason}. Choose another output folder; nothing was written.`,
  );
}
