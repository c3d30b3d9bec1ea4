/**
 * The methods' command-line flags, made from the registry's option specs
 * (src/shared/methods.ts): one flag per option that has one, its help with
 * the default, and the flags given turned back into each method's options.
 */
import {
  COMMON_OPTIONS,
  DATA_OPTIONS,
  METHOD_KEYS,
  chosenByEngine,
  METHOD_OPTIONS,
  type MethodKey,
  type MethodRun,
  type MissingPolicy,
  type OptionSpec,
  type PrepareOptions,
} from '../engine';
import type { FlagSpec, FlagValues } from './args';
import type { CategoricalMode } from '../shared/workerProtocol';

function flagOf(spec: OptionSpec & { flag: string }): FlagSpec {
  const { rule } = spec;
  const kind = rule.kind === 'choice' ? 'string' : rule.kind;
  const byDefault = spec.default === 'auto' || spec.help.includes('default') ? '' : ` (default ${spec.default})`;
  return {
    name: spec.flag,
    short: spec.short,
    kind,
    value: spec.placeholder,
    choices: rule.kind === 'choice' ? rule.choices : undefined,
    allowAuto: chosenByEngine(spec),
    help: spec.help + byDefault,
  };
}

function withFlag(specs: readonly OptionSpec[]): (OptionSpec & { flag: string })[] {
  return specs.filter((s): s is OptionSpec & { flag: string } => s.flag !== undefined);
}

/** The flags every method has (clusters, seed, …). */
export const COMMON_OPTION_FLAGS: FlagSpec[] = withFlag(COMMON_OPTIONS).map(flagOf);

/** The reading's flags (--sample): a whole number; every row unless given. */
export const DATA_OPTION_FLAGS: FlagSpec[] = withFlag(DATA_OPTIONS).map((spec) => ({ ...flagOf(spec), allowAuto: false }));

export function methodFlags(method: MethodKey): FlagSpec[] {
  return withFlag(METHOD_OPTIONS[method]).map(flagOf);
}

/** Every method's flags, once each: a flag several methods share (e.g. --n-init) applies to each of them. */
export const ALL_METHOD_FLAGS: FlagSpec[] = METHOD_KEYS.flatMap(methodFlags).filter(
  (flag, index, flags) => flags.findIndex((f) => f.name === flag.name) === index,
);

export const SHARED_FLAGS: FlagSpec[] = ALL_METHOD_FLAGS.filter(
  (flag) => METHOD_KEYS.filter((m) => methodFlags(m).some((f) => f.name === flag.name)).length > 1,
);

/** A method's options from the flags given; a flag not given leaves the option to its default. */
export function methodRun(method: MethodKey, flags: FlagValues): MethodRun {
  const options: Record<string, unknown> = {};
  for (const spec of withFlag([...COMMON_OPTIONS, ...METHOD_OPTIONS[method]])) {
    const value = flags[spec.flag];
    if (value !== undefined) options[spec.key] = value;
  }
  return { method, options };
}

/** How the CSV is prepared, from the common flags: one place, so every command that reads a CSV honours all of them. */
export function prepareOptions(flags: FlagValues): PrepareOptions {
  return {
    columns: flags.columns as string[] | undefined,
    exclude: flags.exclude as string[] | undefined,
    describe: flags.describe as string[] | undefined,
    categorical: flags.categorical as CategoricalMode | undefined,
    missing: (flags.missing as MissingPolicy | undefined) ?? 'drop',
    sample: flags.sample as number | undefined,
  };
}
