/**
 * The method registry drives the CLI, the worker and the VS Code settings:
 * package.json's settings must declare exactly the registry's options, with
 * its defaults and bounds, and the CLI offers a flag for each.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { AUTO_SETTING, COMMON_OPTIONS, DATA_OPTIONS, chosenByEngine, settingDefault, METHOD_KEYS, METHOD_OPTIONS, optionSpecs, type OptionSpec } from '../../src/shared/methods';
import { OPTION_FLAGS, OPTION_SETTINGS, methodDefaults, resolveOptions } from '../../src/engine/methods/options';
import { createSegmentation } from '../../src/engine/methods/registry';
import { EXPORT_COMMANDS } from '../../src/extension/methods';
import { methodFlags, COMMON_OPTION_FLAGS } from '../../src/cli/methodFlags';

const ROOT = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const properties: Record<string, Record<string, unknown>> = pkg.contributes.configuration.properties;

const allSpecs: OptionSpec[] = [...COMMON_OPTIONS, ...DATA_OPTIONS, ...METHOD_KEYS.flatMap((m): readonly OptionSpec[] => METHOD_OPTIONS[m])];

test("package.json's segment.* settings are the registry's options: same defaults, types and bounds", () => {
  const declared = Object.keys(properties).filter((key) => {
    const rest = key.slice('segment.'.length);
    return allSpecs.some((s) => s.setting === rest);
  });
  const expected = [...new Set(allSpecs.filter((s) => s.setting).map((s) => `segment.${s.setting}`))];
  assert.deepEqual([...declared].sort(), [...expected].sort());
  for (const spec of allSpecs) {
    if (!spec.setting) continue;
    const property = properties[`segment.${spec.setting}`];
    const where = `segment.${spec.setting}`;
    assert.equal(property.default, settingDefault(spec), `${where}: default`);
    const { rule } = spec;
    if (rule.kind === 'choice') {
      assert.equal(property.type, 'string', where);
      assert.deepEqual(property.enum, rule.choices, `${where}: enum`);
    } else if (rule.kind === 'int') {
      assert.equal(property.type, 'integer', where);
      assert.equal(property.minimum, chosenByEngine(spec) ? AUTO_SETTING : rule.min, `${where}: minimum`);
    } else {
      assert.equal(property.type, 'number', where);
      if ('greaterThan' in rule) assert.equal(property.exclusiveMinimum, rule.greaterThan, `${where}: exclusiveMinimum`);
      else assert.equal(property.minimum, rule.atLeast, `${where}: minimum`);
    }
  }
});

test('the engine defaults are the specs\' defaults (threads and encoding_dim chosen at run time)', () => {
  for (const method of METHOD_KEYS) {
    const defaults = methodDefaults(method) as unknown as Record<string, unknown>;
    for (const spec of optionSpecs(method)) {
      if (spec.key === 'threads') assert.ok(Number.isInteger(defaults.threads) && (defaults.threads as number) >= 1);
      else assert.equal(defaults[spec.key], spec.default, `${method}.${spec.key}`);
    }
  }
  assert.equal(methodDefaults('neural').encodingDim, 'auto');
  assert.equal(methodDefaults('gmm').covarianceType, 'full');
  assert.equal(methodDefaults('fuzzy').fuzziness, 2);
});

test('package.json declares one export command per method, and the CLI a flag per option that has one', () => {
  const commands: string[] = pkg.contributes.commands.map((c: { command: string }) => c.command);
  for (const { command } of EXPORT_COMMANDS) assert.ok(commands.includes(command), command);
  assert.deepEqual(
    COMMON_OPTION_FLAGS.map((f) => f.name),
    ['clusters', 'seed', 'silhouette-sample', 'threads'],
  );
  assert.deepEqual(
    methodFlags('gmm').map((f) => f.name),
    ['covariance', 'n-init', 'max-iter', 'tol', 'reg-covar'],
  );
});

test('an option error names the option as the caller knows it: label, flag or setting', () => {
  const cases: [Parameters<typeof resolveOptions>[2], string][] = [
    [undefined, 'encoding_dim must be a whole number of at least 1 (got 0).'],
    [OPTION_FLAGS, '--encoding-dim must be a whole number of at least 1 (got 0).'],
    [OPTION_SETTINGS, 'segment.neural.encodingDim must be a whole number of at least 1 (got 0).'],
  ];
  for (const [name, message] of cases) {
    assert.throws(() => createSegmentation('neural', { encodingDim: 0 }, name), { code: 'INVALID_OPTION', message });
  }
  assert.throws(() => createSegmentation('fuzzy', { fuzziness: 1 }, OPTION_SETTINGS), {
    message: 'segment.fuzzy.m must be a number greater than 1 (got 1); 2 is the usual choice, values near 1 give almost crisp clusters.',
  });
});

test('an option the method does not have is an error, not silently dropped', () => {
  assert.throws(() => createSegmentation('gmm', { covariance: 'diag' } as never), {
    code: 'INVALID_OPTION',
    message:
      'Unknown option "covariance" for gmm: use The number of clusters, seed, silhouette sample size, threads, covariance type, n_init, max_iter, tol, reg_covar.',
  });
});

test("package.json's segment.categorical and the CLI's --categorical offer the engine's modes, describe by default", async () => {
  const { CATEGORICAL_MODES } = await import('../../src/shared/workerProtocol');
  const property = properties['segment.categorical'];
  assert.equal(property.type, 'string');
  assert.deepEqual(property.enum, [...CATEGORICAL_MODES]);
  assert.deepEqual(CATEGORICAL_MODES, ['describe', 'onehot']);
  assert.equal(property.default, 'describe');
  assert.equal((property.enumDescriptions as string[]).length, CATEGORICAL_MODES.length);
  const { main } = await import('../../src/cli/main');
  const { capture } = await import('../helpers/cli');
  const help = capture();
  await main(['--help'], help);
  assert.match(help.out(), /\n {2}--categorical describe\|onehot +binary and categorical columns: describe them per cluster \(default\) or cluster on them one-hot encoded\n/);
  const wrong = capture();
  assert.equal(await main(['gmm', 'x.csv', '--categorical', 'dummies'], wrong), 2);
  assert.equal(wrong.err(), 'segment: --categorical must be one of describe, onehot, got "dummies"\nRun "segment --help" for the options.\n');
});
