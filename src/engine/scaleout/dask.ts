/**
 * `segment dask`: a model file as a self-contained Python script that scores
 * and profiles every row of a data set on a Dask cluster (issue 15). The
 * script is the template in daskTemplate.ts with the model inlined as JSON
 * and the input, output folder and scheduler as Python literals; the model
 * is read and checked here first (as `segment score` checks it), so a bad
 * model fails now, not on the cluster.
 *
 * The script is written as `segment_dask_{method}_{ts}.py` beside the model
 * (or into scriptDir), through a temporary name and never over a file.
 */
import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { writeFileSet } from '../profile/export';
import { fileStamp, isoLocal } from '../profile/profile';
import { parseModelText } from '../scoring/score';
import { readModelFile } from '../scoring/modelFile';
import { TOOL_NAME, TOOL_VERSION } from '../version';
import { DASK_JOB_TEMPLATE } from './daskTemplate';

export interface DaskJobOptions {
  /** The files to score: a glob of CSV (or Parquet) files, a path or URL the cluster can read. */
  input: string;
  /** The folder the job writes the scores and the profile into (every worker must be able to write there). */
  outputDir: string;
  /** A Dask scheduler's address; none: the script starts a LocalCluster. */
  scheduler?: string;
  /** The scores' file format: Parquet when the cluster's Python has pyarrow (auto, the default), or as given. */
  scoresFormat?: 'auto' | 'csv' | 'parquet';
  /** Where the script is written; beside the model by default. */
  scriptDir?: string;
  /** The script's time stamp; now by default. */
  now?: Date;
}

/** A string as a Python literal: JSON's escapes (\" \\ \n \uXXXX …) are Python's too. */
export function pythonString(value: string): string {
  return JSON.stringify(value);
}

/**
 * The model document as Python source: one string literal per top-level key,
 * concatenated inside the parentheses of MODEL_JSON = ( … ), so the file stays
 * readable and no character of a column name can end the literal early.
 */
function modelLiteral(document: Record<string, unknown>): string {
  const keys = Object.keys(document);
  const lines = keys.map((key, i) => `${JSON.stringify(key)}: ${JSON.stringify(document[key])}${i < keys.length - 1 ? ',' : ''}\n`);
  return ['{\n', ...lines, '}\n'].map((line) => `    ${pythonString(line)}`).join('\n');
}

/** The script's text for a model document (already checked) and the job's options. */
export function daskScript(modelText: string, modelName: string, options: DaskJobOptions, now: Date): string {
  const document = JSON.parse(modelText.replace(/^\uFEFF/, '')) as Record<string, unknown>;
  const values: Record<string, string> = {
    __SEGMENT_INPUT__: pythonString(options.input),
    __SEGMENT_OUTPUT__: pythonString(options.outputDir),
    __SEGMENT_SCHEDULER__: options.scheduler ? pythonString(options.scheduler) : 'None',
    __SEGMENT_SCORES_FORMAT__: pythonString(options.scoresFormat ?? 'auto'),
    __SEGMENT_TOOL__: `{"name": ${pythonString(TOOL_NAME)}, "version": ${pythonString(TOOL_VERSION)}}`,
    __SEGMENT_MODEL_NAME__: pythonString(modelName),
    __SEGMENT_MODEL_JSON__: modelLiteral(document),
    // In the docstring: no quote or backslash can close it, no line break can break it.
    __SEGMENT_TOOL_TEXT__: `${TOOL_NAME} ${TOOL_VERSION}`,
    __SEGMENT_MODEL_NAME_TEXT__: docstringText(modelName),
    __SEGMENT_CREATED_TEXT__: isoLocal(now),
  };
  return DASK_JOB_TEMPLATE.replace(/__SEGMENT_[A-Z_]+?__/g, (name) => {
    const value = values[name];
    if (value === undefined) throw new Error(`the Dask template has an unknown placeholder ${name}`);
    return value;
  });
}

function docstringText(text: string): string {
  return Array.from(text, (ch) => (/[\p{Cc}\\"]/u.test(ch) ? '?' : ch)).join('');
}

/** Writes the Dask job for a model file; the model is read and checked first. */
export async function writeDaskJob(modelPath: string, options: DaskJobOptions): Promise<{ scriptPath: string }> {
  const path = resolve(modelPath);
  // readModelFile says what is wrong with a missing, unreadable or foreign file; parseModelText checks the method's part too.
  await readModelFile(path);
  const text = await readFile(path, 'utf8');
  const { common } = parseModelText(text, basename(path));
  const now = options.now ?? new Date();
  const script = daskScript(text, common.fileName, { ...options, outputDir: resolve(options.outputDir) }, now);
  const dir = options.scriptDir ? resolve(options.scriptDir) : dirname(path);
  const stamp = fileStamp(now);
  const { script: scriptPath } = await writeFileSet(dir, 'the Dask job', {
    script: { name: (suffix: string) => `segment_dask_${common.method}_${stamp}${suffix}.py`, content: script },
  });
  return { scriptPath };
}
