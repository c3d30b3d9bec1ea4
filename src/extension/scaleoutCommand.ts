/**
 * "Segment: Export Scale-out Job…" on a model file (`*_model_*.json`): the
 * model as a Dask script (src/engine/scaleout/dask.ts) or as SQL in one of
 * the dialects (src/engine/scaleout/sql.ts), written beside the model and
 * opened in an editor. The model is the file right-clicked, else the active
 * editor's, else one picked in a dialog. Writing a script or two queries is
 * quick and reads only the model, so it runs here, not in the worker.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { isSegmentError } from '../engine/errors';
import { writeDaskJob } from '../engine/scaleout/dask';
import { SQL_DIALECTS, writeSqlJob, type SqlDialect } from '../engine/scaleout/sql';
import { MODEL_NAME } from './scoreCommand';

export const SCALEOUT_COMMAND = 'segment.exportScaleoutJob';

export type ScaleoutTarget = 'dask' | SqlDialect;

const SQL_LABELS: Record<SqlDialect, string> = {
  duckdb: 'DuckDB',
  postgres: 'PostgreSQL',
  bigquery: 'BigQuery',
  snowflake: 'Snowflake',
  spark: 'Spark SQL',
};

/** What the tests give instead of the pickers. */
export interface ScaleoutOptions {
  target?: ScaleoutTarget;
  /** Dask: the input glob; SQL: the table. */
  input?: string;
}

export interface ScaleoutOutcome {
  status: 'done' | 'dismissed' | 'failed';
  files?: string[];
  error?: string;
}

/** The model file the command works on: the clicked one, the active editor's, or one picked. */
async function modelFile(arg: unknown): Promise<string | undefined> {
  const isModel = (uri: vscode.Uri | undefined) => uri?.scheme === 'file' && MODEL_NAME.test(path.basename(uri.fsPath));
  if (arg instanceof vscode.Uri) {
    if (isModel(arg)) return arg.fsPath;
    void vscode.window.showErrorMessage(`${path.basename(arg.fsPath)} is not a Segment model file ({method}_model_{timestamp}.json, written by every export).`);
    return undefined;
  }
  const active = vscode.window.activeTextEditor?.document.uri;
  if (isModel(active)) return active!.fsPath;
  const picked = await vscode.window.showOpenDialog({
    title: 'Segment: the model file to export as a scale-out job',
    canSelectMany: false,
    filters: { 'Segment model': ['json'] },
    openLabel: 'Use this model',
  });
  return picked?.[0]?.fsPath;
}

async function pickTarget(): Promise<ScaleoutTarget | undefined> {
  type Item = vscode.QuickPickItem & { target: ScaleoutTarget };
  const items: Item[] = [
    { label: 'Dask script', description: 'Python: score and profile every file of a data lake on a Dask cluster', target: 'dask' },
    ...SQL_DIALECTS.map((d): Item => ({ label: `SQL: ${SQL_LABELS[d]}`, description: 'a scoring query and a profile query for a table', target: d })),
  ];
  const picked = await vscode.window.showQuickPick(items, { title: 'Segment: Export Scale-out Job', placeHolder: 'Where will the rows be scored?' });
  return picked?.target;
}

async function askInput(target: ScaleoutTarget, model: string): Promise<string | undefined> {
  if (target === 'dask') {
    return vscode.window.showInputBox({
      title: 'Segment: the files the Dask job scores',
      prompt: 'A glob of CSV (or Parquet) files the cluster can read: a local path, s3://…, gs://…, hdfs://…',
      value: path.join(path.dirname(model), '*.csv'),
      validateInput: (v) => (v.trim() === '' ? 'Give the files to score, e.g. /data/customers/*.csv' : undefined),
    });
  }
  return vscode.window.showInputBox({
    title: `Segment: the ${SQL_LABELS[target]} table to score`,
    prompt: 'The table (or schema.table) that holds the rows',
    value: 'customers',
    validateInput: (v) => (v.trim() === '' ? 'Give the table to score' : undefined),
  });
}

export async function exportScaleoutJob(arg: unknown, options: ScaleoutOptions = {}, log?: vscode.LogOutputChannel): Promise<ScaleoutOutcome> {
  const model = await modelFile(arg);
  if (!model) return { status: 'dismissed' };
  const target = options.target ?? (await pickTarget());
  if (!target) return { status: 'dismissed' };
  const input = (options.input ?? (await askInput(target, model)))?.trim();
  if (!input) return { status: 'dismissed' };
  let files: string[];
  try {
    if (target === 'dask') {
      // The job writes its results beside the model too; the script says how to change that.
      files = [(await writeDaskJob(model, { input, outputDir: path.dirname(model) })).scriptPath];
    } else {
      const { scorePath, profilePath } = await writeSqlJob(model, { dialect: target, table: input });
      files = [scorePath, profilePath];
    }
  } catch (error) {
    const message = isSegmentError(error) ? error.message : `Segment could not write the job: ${(error as Error).message}`;
    log?.error(message);
    void vscode.window.showErrorMessage(message);
    return { status: 'failed', error: message };
  }
  log?.info(`scale-out job for ${model}: ${files.join(', ')}`);
  for (const [i, file] of files.entries()) {
    await vscode.window.showTextDocument(vscode.Uri.file(file), { preview: false, preserveFocus: i > 0 });
  }
  return { status: 'done', files };
}
