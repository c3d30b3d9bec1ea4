/** One key and one table of names per method (src/shared/methods.ts), and everything that shows a method's name reads it. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { METHOD_LABELS, isMethodKey, type MethodKey } from '../../src/shared/methods';
import { buildPanelModel } from '../../src/shared/profile';
import { EXPORT_COMMANDS, methodsTitle } from '../../src/extension/methods';

const ROOT = resolve(__dirname, '..', '..');
const KEYS = Object.keys(METHOD_LABELS) as MethodKey[];

test('the manifest\'s export commands are titled with the table\'s titles', () => {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { contributes: { commands: { command: string; title: string }[] } };
  assert.deepEqual(EXPORT_COMMANDS.map((c) => c.method), KEYS);
  for (const { command, method } of EXPORT_COMMANDS) {
    const contributed = manifest.contributes.commands.find((c) => c.command === command);
    assert.equal(contributed?.title, `Export ${METHOD_LABELS[method].title} Profile`);
  }
  assert.equal(methodsTitle(['fuzzy']), 'Fuzzy C-Means profile');
});

test('the panel knows a profile\'s method by the name the engine writes into it, and shows its short name', () => {
  for (const key of KEYS) {
    const view = buildPanelModel([{ path: '/ws/x.json', profile: { metadata: { method: METHOD_LABELS[key].name }, clusters: { cluster_0: { size: 1 } } } }]).profiles[0];
    assert.equal(view.header.methodKind, key);
    assert.equal(view.header.methodShort, METHOD_LABELS[key].short);
  }
});

test('isMethodKey takes the three keys and nothing else, not even inherited names', () => {
  assert.deepEqual(KEYS, ['gmm', 'fuzzy', 'neural']);
  for (const key of KEYS) assert.ok(isMethodKey(key));
  for (const other of ['GMM', 'kmeans', 'constructor', '__proto__', 'toString', '', 1, null, undefined]) assert.ok(!isMethodKey(other), String(other));
});
