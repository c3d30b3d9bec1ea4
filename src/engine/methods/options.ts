/**
 * A method's options: the defaults with the given values over them, each
 * checked by its rule (src/shared/methods.ts). Messages name the option the
 * way the caller's user knows it: the engine's label in the API, the flag on
 * the command line, the setting in VS Code.
 */
import {
  chosenByEngine,
  optionSpecs,
  type MethodKey,
  type MethodOptions,
  type OptionRule,
  type OptionSpec,
} from '../../shared/methods';
import { SegmentError } from '../errors';
import { defaultThreadCount } from '../kernels/threads';

/** How an option is named in a message. */
export type OptionNamer = (spec: OptionSpec) => string;

export const OPTION_LABELS: OptionNamer = (spec) => spec.label;
export const OPTION_FLAGS: OptionNamer = (spec) => (spec.flag ? `--${spec.flag}` : spec.label);
export const OPTION_SETTINGS: OptionNamer = (spec) => (spec.setting ? `segment.${spec.setting}` : spec.label);

/** How to set an option to a value, in the caller's terms: `--covariance diag`, `segment.gmm.covarianceType = diag`. */
export function optionValue(name: OptionNamer, spec: OptionSpec, value: string | number): string {
  const named = name(spec);
  return named.startsWith('--') ? `${named} ${value}` : `${named} = ${value}`;
}

/** An option the caller got wrong, before any data was read: wrong usage rather than bad input. */
export class InvalidOptionError extends SegmentError {
  constructor(
    message: string,
    readonly option: string,
  ) {
    super('INVALID_OPTION', message);
  }
}

/** The engine's defaults of a method: the specs' defaults, 'auto' threads resolved for this machine. */
export function methodDefaults<M extends MethodKey>(method: M): Readonly<MethodOptions[M]> {
  const defaults: Record<string, unknown> = {};
  for (const spec of optionSpecs(method)) defaults[spec.key] = spec.key === 'threads' ? defaultThreadCount() : spec.default;
  return Object.freeze(defaults) as unknown as MethodOptions[M];
}

/**
 * The defaults with the options given over them (an option given as
 * undefined keeps its default), every value checked. An option the method
 * does not have is an error, so a renamed option cannot be dropped silently.
 */
export function resolveOptions<M extends MethodKey>(
  method: M,
  given: Partial<MethodOptions[M]>,
  name: OptionNamer = OPTION_LABELS,
): MethodOptions[M] {
  const specs = optionSpecs(method);
  const merged: Record<string, unknown> = { ...methodDefaults(method) };
  for (const [key, value] of Object.entries(given)) {
    if (value === undefined) continue;
    if (!specs.some((spec) => spec.key === key)) {
      throw new InvalidOptionError(`Unknown option "${key}" for ${method}: use ${specs.map((s) => name(s)).join(', ')}.`, key);
    }
    merged[key] = value;
  }
  for (const spec of specs) {
    const value = merged[spec.key];
    if (chosenByEngine(spec) && value === 'auto') continue;
    checkRule(spec.rule, value, name(spec), spec.hint ?? '', spec.key);
  }
  return merged as unknown as MethodOptions[M];
}

function checkRule(rule: OptionRule, value: unknown, name: string, hint: string, key: string): void {
  const fail = (message: string) => {
    throw new InvalidOptionError(message, key);
  };
  const got = typeof value === 'string' ? JSON.stringify(value) : String(value);
  switch (rule.kind) {
    case 'int':
      if (typeof value !== 'number' || !Number.isInteger(value) || value < rule.min) {
        fail(`${name} must be a whole number of at least ${rule.min} (got ${got})${hint}.`);
      }
      return;
    case 'number':
      if ('greaterThan' in rule) {
        if (typeof value !== 'number' || !Number.isFinite(value) || !(value > rule.greaterThan)) {
          fail(`${name} must be a number greater than ${rule.greaterThan} (got ${got})${hint}.`);
        }
      } else if (typeof value !== 'number' || !Number.isFinite(value) || !(value >= rule.atLeast)) {
        fail(`${name} must be a number of at least ${rule.atLeast} (got ${got})${hint}.`);
      }
      return;
    case 'choice':
      if (typeof value !== 'string' || !rule.choices.includes(value)) {
        const choices = `${rule.choices.slice(0, -1).join(', ')} or ${rule.choices[rule.choices.length - 1]}`;
        fail(`Unknown ${name} ${typeof value === 'string' ? JSON.stringify(value) : got}: use ${choices}.`);
      }
      return;
  }
}

/** One option outside a method's (src/shared/methods.ts DATA_OPTIONS), checked by its rule; 'auto' passes where the engine chooses. */
export function checkOption(spec: OptionSpec, value: unknown, name: OptionNamer = OPTION_LABELS): void {
  if (chosenByEngine(spec) && value === 'auto') return;
  checkRule(spec.rule, value, name(spec), spec.hint ?? '', spec.key);
}

/** The spec of one option of a method, for naming it in a data-dependent message. */
export function optionSpec(method: MethodKey, key: string): OptionSpec {
  const spec = optionSpecs(method).find((s) => s.key === key);
  if (!spec) throw new Error(`no option ${key} for ${method}`);
  return spec;
}
