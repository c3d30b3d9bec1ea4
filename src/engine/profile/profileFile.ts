/** Reading a profile back from disk: JSON or YAML (possibly edited by hand or by a language model). */
import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { load } from 'js-yaml';
import { SegmentError } from '../errors';

/** Parses a profile's text; YAML's safe default schema, so the file can never run code. */
export function parseProfileText(text: string, fileName: string): unknown {
  const yaml = /\.ya?ml$/i.test(extname(fileName));
  try {
    return yaml ? load(text) : JSON.parse(text);
  } catch (error) {
    const reason = ((error as Error).message ?? String(error)).split('\n')[0];
    throw new SegmentError('INVALID_PROFILE', `${fileName} is not valid ${yaml ? 'YAML' : 'JSON'}: ${reason}`);
  }
}

export async function readProfileFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new SegmentError(
      code === 'ENOENT' ? 'FILE_NOT_FOUND' : 'FILE_UNREADABLE',
      code === 'ENOENT' ? `No file at ${path}. Check the path of the profile.` : `Cannot read ${path}: ${(error as Error).message}`,
    );
  }
  return parseProfileText(text, basename(path));
}
