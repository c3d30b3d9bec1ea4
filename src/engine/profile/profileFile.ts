/**
 * Reading a profile back from disk for `segment prompt`: the one profile
 * reader (src/shared/profile/parse.ts), plus what only a file on disk needs
 * (its size before it is read, and a missing file).
 */
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { aboutFile, parseProfileBytes, sizeError, whyNotAProfile } from '../../shared/profile/parse';
import { SegmentError } from '../errors';

/** The document of a profile file; a SegmentError (one sentence naming the file) when it cannot be read or is not a profile. */
export async function readProfileFile(path: string): Promise<unknown> {
  const name = basename(path);
  const { size } = await stat(path).catch((error: unknown) => Promise.reject(unreadable(path, error)));
  const tooLarge = sizeError(size);
  if (tooLarge) throw new SegmentError('INVALID_PROFILE', `${aboutFile(name, tooLarge)}.`);
  const bytes = await readFile(path).catch((error: unknown) => Promise.reject(unreadable(path, error)));
  const parsed = parseProfileBytes(bytes, name);
  if (parsed.error !== undefined) throw new SegmentError('INVALID_PROFILE', `${aboutFile(name, parsed.error)}.`);
  const why = whyNotAProfile(parsed.profile);
  if (why) throw new SegmentError('INVALID_PROFILE', `${name} is not a cluster profile Segment can read: ${why}.`);
  return parsed.profile;
}

function unreadable(path: string, error: unknown): SegmentError {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT'
    ? new SegmentError('FILE_NOT_FOUND', `No file at ${path}. Check the path of the profile.`)
    : new SegmentError('FILE_UNREADABLE', `Cannot read ${path}: ${(error as Error).message}`);
}
