/**
 * The model file, `{method}_model_{YYYYMMDD_HHMMSS}.json` (../shared/spec/PROFILE.md,
 * "Model file and scoring"): everything scoring new rows needs, written
 * beside every profile. The common part is here (the features, the scaler,
 * the imputation, the id column, the training's metadata); each method adds
 * its fitted model in standardised space, components in profile cluster
 * order (gmmModel.ts, fuzzyModel.ts, neuralModel.ts).
 *
 * Reading checks the file before anything is scored: a file that is not a
 * model, another format version, or a field of the wrong shape is one
 * sentence naming the file and the field.
 */
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { originalValues, type PreparedData } from '../data/prepare';
import { compareText } from '../data/columns';
import { indicatorName, type OneHotIndicator } from '../data/encode';
import { SegmentError } from '../errors';
import { medianSorted } from '../kernels/stats';
import type { Json, JsonObject } from '../profile/profile';
import { METHOD_KEYS, isMethodKey, type MethodKey } from '../../shared/methods';
import { TOOL_VERSION } from '../version';

export const MODEL_FORMAT = 'segment-model/1';
/** Larger files are refused unread: a model Segment writes stays far below (a full covariance of 500 features × 20 clusters is ~200 MB). */
export const MODEL_MAX_BYTES = 512 * 1024 * 1024;

/** The common part of a model file, read back. */
export interface ModelCommon {
  /** The model file's name. */
  fileName: string;
  method: MethodKey;
  /** The file name of the profile exported with it. */
  profile: string;
  /** Each feature's name; a one-hot indicator's as `column=level`. */
  features: string[];
  /** Per feature: the column and level of a one-hot indicator, null for a numeric feature. */
  indicators: (OneHotIndicator | null)[];
  /** Each one-hot column's levels in training (sorted; the first is the one without an indicator). */
  categories: Map<string, string[]>;
  mean: Float64Array;
  scale: Float64Array;
  /** Each feature's fill value under median imputation; null: rows with a gap are dropped. */
  imputation: Float64Array | null;
  idColumn: string | null;
  /** The training profile's metadata. */
  training: JsonObject;
}

/** A finite number as JSON; anything else is a bug in the writer. */
export function finite(value: number): number {
  if (!Number.isFinite(value)) throw new Error(`a model file cannot hold the number ${value}`);
  return value === 0 ? 0 : value;
}

/** A vector as a JSON array of numbers. */
export function numbers(values: ArrayLike<number>): number[] {
  return Array.from(values, finite);
}

/** Row-major values as nested JSON arrays of the given shape ([k, d] → k arrays of d numbers; [] → one number). */
export function nested(values: ArrayLike<number>, shape: readonly number[], offset = 0): Json {
  if (shape.length === 0) return finite(values[offset]);
  const [count, ...inner] = shape;
  const size = inner.reduce((a, b) => a * b, 1);
  return Array.from({ length: count }, (_, r) => nested(values, inner, offset + r * size));
}

/** The common part of the model file of an export on `data`, then the method's part, then the training's metadata. */
export function modelDocument(method: MethodKey, data: PreparedData, parameters: JsonObject, training: JsonObject, profileFile: string): JsonObject {
  return {
    format: MODEL_FORMAT,
    method,
    profile: profileFile,
    // An indicator as {column, level} (PROFILE.md), with every level of its column beside (the first has no indicator).
    features: data.features.map((name, j): Json => {
      const indicator = data.indicators?.[j];
      return indicator ? { column: indicator.column, level: indicator.level } : name;
    }),
    ...(data.indicators?.some((x) => x !== null) ? { categories: oneHotCategories(data) } : {}),
    scaler: { mean: numbers(data.mean), scale: numbers(data.scale) },
    imputation: data.missing === 'median' ? numbers(imputationValues(data)) : null,
    id_column: data.idColumn,
    ...parameters,
    training,
  };
}

/** column → its levels among the rows clustered, sorted as the encoder sorted them, for each one-hot column. */
function oneHotCategories(data: PreparedData): JsonObject {
  const out: JsonObject = {};
  for (const c of data.categories ?? []) {
    if (c.role !== 'feature') continue;
    const present = [...new Set(c.codes)].filter((code) => code >= 0).map((code) => c.levels[code]);
    Object.defineProperty(out, c.name, { value: present.sort(compareText), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

export function modelFileText(document: JsonObject): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

/** The fill value of each feature: the median its gaps were filled with, or for a feature without gaps the median of its values. */
function imputationValues(data: PreparedData): Float64Array {
  return Float64Array.from({ length: data.d }, (_, j) => {
    const fill = data.fillValues?.[j];
    if (fill !== undefined && !Number.isNaN(fill)) return fill;
    return medianSorted(originalValues(data, j).sort());
  });
}

/**
 * Reads fields of a model document, each checked: a field of the wrong
 * shape is an INVALID_MODEL error that names the file and the field.
 */
export class ModelReader {
  /** `prefix`: how a nested object's fields are named, e.g. "scaler." or "encoder[0].". */
  constructor(
    private readonly document: Record<string, unknown>,
    readonly fileName: string,
    private readonly prefix = '',
  ) {}

  fail(field: string, what: string): never {
    throw new SegmentError('INVALID_MODEL', `"${this.fileName}" is not a valid Segment model: "${this.prefix}${field}" must be ${what}.`);
  }

  get(field: string): unknown {
    return Object.prototype.hasOwnProperty.call(this.document, field) ? this.document[field] : undefined;
  }

  string(field: string): string {
    const value = this.get(field);
    if (typeof value !== 'string') this.fail(field, 'text');
    return value;
  }

  choice<T extends string>(field: string, choices: readonly T[]): T {
    const value = this.get(field);
    if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) this.fail(field, oneOf(choices));
    return value as T;
  }

  number(field: string, check: (v: number) => boolean = () => true, what = 'a number'): number {
    const value = this.get(field);
    if (typeof value !== 'number' || !Number.isFinite(value) || !check(value)) this.fail(field, what);
    return value;
  }

  /** A JSON array of `length` numbers (any length ≥ 1 when undefined), each passing `check`. */
  vector(field: string, length?: number, check: (v: number) => boolean = () => true, what = 'numbers'): Float64Array {
    return this.flat(field, this.get(field), length === undefined ? [] : [length], check, what, length === undefined);
  }

  /** A JSON array of `count` arrays of `width` numbers, as a row-major Float64Array. */
  matrix(field: string, count: number, width: number): Float64Array {
    return this.flat(field, this.get(field), [count, width], () => true, 'numbers', false);
  }

  /** Nested arrays of the given shape ([] for a single number), flattened row-major. */
  shaped(field: string, shape: number[], check: (v: number) => boolean = () => true, what = 'numbers'): Float64Array {
    return this.flat(field, this.get(field), shape, check, what, false);
  }

  private flat(field: string, value: unknown, shape: number[], check: (v: number) => boolean, what: string, anyLength: boolean): Float64Array {
    const expected = anyLength ? `a list of ${what}` : describeShape(shape, what);
    const out: number[] = [];
    const walk = (v: unknown, depth: number): void => {
      if (depth === shape.length && !anyLength) {
        if (typeof v !== 'number' || !Number.isFinite(v) || !check(v)) this.fail(field, expected);
        out.push(v);
        return;
      }
      const length = anyLength ? undefined : shape[depth];
      if (!Array.isArray(v) || (length !== undefined && v.length !== length) || v.length === 0) this.fail(field, expected);
      if (anyLength) {
        for (const x of v) if (typeof x !== 'number' || !Number.isFinite(x) || !check(x)) this.fail(field, expected);
        out.push(...(v as number[]));
        return;
      }
      for (const x of v) walk(x, depth + 1);
    };
    walk(value, 0);
    return Float64Array.from(out);
  }

  /** A nested reader for an object field (e.g. one layer of a list), its fields named `field.key`. */
  object(field: string, value: unknown = this.get(field)): ModelReader {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) this.fail(field, 'an object');
    return new ModelReader(value as Record<string, unknown>, this.fileName, `${this.prefix}${field}.`);
  }

  /** A list of objects (e.g. layers), each as a nested reader named `field[i]`. */
  objects(field: string): ModelReader[] {
    const value = this.get(field);
    if (!Array.isArray(value) || value.length === 0) this.fail(field, 'a list of objects');
    return value.map((item, i) => this.object(`${field}[${i}]`, item));
  }
}

/** features: column names, or {column, level} for a one-hot indicator, whose column's levels are in categories. */
function readFeatures(reader: ModelReader): Pick<ModelCommon, 'features' | 'indicators' | 'categories'> {
  const features = reader.get('features');
  const what = 'a list of distinct column names or {column, level} indicators';
  if (!Array.isArray(features) || features.length === 0) reader.fail('features', what);
  const indicators = features.map((f): OneHotIndicator | null => {
    if (typeof f === 'string') return null;
    const ok = f !== null && typeof f === 'object' && typeof f.column === 'string' && typeof f.level === 'string';
    return ok ? { column: f.column, level: f.level } : reader.fail('features', what);
  });
  const names = features.map((f, j) => (indicators[j] ? indicatorName(indicators[j]) : (f as string)));
  if (new Set(names).size !== names.length) reader.fail('features', what);
  const categories = new Map<string, string[]>();
  if (indicators.some((x) => x !== null)) {
    const object = reader.object('categories');
    for (const indicator of indicators) {
      if (!indicator || categories.has(indicator.column)) continue;
      const levels = object.get(indicator.column);
      if (!Array.isArray(levels) || levels.length < 2 || !levels.every((l) => typeof l === 'string')) {
        object.fail(indicator.column, 'the list of the levels of a one-hot column');
      }
      categories.set(indicator.column, levels as string[]);
    }
    for (const indicator of indicators) {
      if (indicator && !categories.get(indicator.column)!.slice(1).includes(indicator.level)) {
        reader.fail('features', `${what}, each level one of its column's categories but the first`);
      }
    }
  }
  return { features: names, indicators, categories };
}

function oneOf(choices: readonly string[]): string {
  const quoted = choices.map((c) => `"${c}"`);
  return quoted.length === 1 ? quoted[0] : `${quoted.slice(0, -1).join(', ')} or ${quoted[quoted.length - 1]}`;
}

/** "4 numbers", "4 lists of 3 numbers", "4 lists of 3 lists of 3 numbers", "a number". */
function describeShape(shape: number[], what: string): string {
  if (shape.length === 0) return what === 'numbers' ? 'a number' : `a ${what.replace(/s\b/, '')}`;
  return shape.reduceRight((inner, size, depth) => (depth === shape.length - 1 ? `${size} ${what}` : `${size} lists of ${inner}`), '');
}

/** Reads and checks a model file: its common part and a reader for the method's part. */
export async function readModelFile(path: string): Promise<{ common: ModelCommon; reader: ModelReader }> {
  const name = basename(path);
  const { size } = await stat(path).catch((error: unknown) => Promise.reject(unreadable(path, error)));
  if (size > MODEL_MAX_BYTES) {
    throw new SegmentError('INVALID_MODEL', `"${name}" is not a Segment model file: it has ${(size / 2 ** 20).toFixed(0)} MB, more than a model file can have.`);
  }
  const text = await readFile(path, 'utf8').catch((error: unknown) => Promise.reject(unreadable(path, error)));
  return parseModel(text, name);
}

/** The common part of a model document (text of a model file named `fileName`) and a reader for the method's part. */
export function parseModel(text: string, fileName: string): { common: ModelCommon; reader: ModelReader } {
  let document: unknown;
  try {
    document = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new SegmentError('INVALID_MODEL', `"${fileName}" is not a Segment model file: it is not JSON (${(error as Error).message}).`);
  }
  if (document === null || typeof document !== 'object' || Array.isArray(document)) {
    throw new SegmentError('INVALID_MODEL', `"${fileName}" is not a Segment model file: it holds ${describeJson(document)}, not an object.`);
  }
  const doc = document as Record<string, unknown>;
  const format = Object.prototype.hasOwnProperty.call(doc, 'format') ? doc.format : undefined;
  if (format === undefined) {
    const isProfile = ['metadata', 'clusters', 'features_used'].every((key) => Object.prototype.hasOwnProperty.call(doc, key));
    throw new SegmentError(
      'INVALID_MODEL',
      isProfile
        ? `"${fileName}" is a cluster profile, not a model file: score with the {method}_model_{timestamp}.json written beside it.`
        : `"${fileName}" is not a Segment model file: it has no "format" field. Score with a {method}_model_{timestamp}.json that an export wrote.`,
    );
  }
  if (format !== MODEL_FORMAT) {
    throw new SegmentError(
      'INVALID_MODEL',
      `"${fileName}" is a model of format ${JSON.stringify(format)}, which Segment ${TOOL_VERSION} cannot read (it reads "${MODEL_FORMAT}"). ` +
        'Score with the version of Segment that wrote it, or export the model again.',
    );
  }
  const reader: ModelReader = new ModelReader(doc, fileName);
  const method = reader.get('method');
  if (!isMethodKey(method)) reader.fail('method', oneOf(METHOD_KEYS));
  const { features, indicators, categories } = readFeatures(reader);
  const d = features.length;
  const scaler = reader.object('scaler');
  const imputation = reader.get('imputation');
  const idColumn = reader.get('id_column');
  if (idColumn !== null && typeof idColumn !== 'string') reader.fail('id_column', 'a column name or null');
  const training = reader.get('training');
  if (training === null || typeof training !== 'object' || Array.isArray(training)) reader.fail('training', 'an object');
  return {
    common: {
      fileName,
      method,
      profile: reader.string('profile'),
      features,
      indicators,
      categories,
      mean: scaler.vector('mean', d, () => true, 'numbers (one per feature)'),
      scale: scaler.vector('scale', d, (v) => v > 0, 'positive numbers (one per feature)'),
      imputation: imputation === null ? null : reader.vector('imputation', d, () => true, 'numbers (one per feature) or null'),
      idColumn,
      training: training as JsonObject,
    },
    reader,
  };
}

function describeJson(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'string' ? 'a string' : `a ${typeof value}`;
}

function unreadable(path: string, error: unknown): SegmentError {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT'
    ? new SegmentError('FILE_NOT_FOUND', `No file at ${path}. Check the path of the model file.`)
    : new SegmentError('FILE_UNREADABLE', `Cannot read ${path}: ${(error as Error).message}`);
}
