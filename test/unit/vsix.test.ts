/**
 * What the packaged extension holds. Packs the current dist/ with vsce into a
 * temporary folder (no build: `npm test` builds first; `npm run package`
 * makes the production .vsix) and lists the zip's entries.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { tempDir } from '../helpers/tempDir';

const ROOT = resolve(__dirname, '..', '..');
const VSCE = join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce');

interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  offset: number;
}

/** The central directory of a zip file (no zip64: a .vsix is small). */
function zipEntries(zip: Buffer): ZipEntry[] {
  let end = zip.length - 22;
  while (end >= 0 && zip.readUInt32LE(end) !== 0x06054b50) end--;
  assert.ok(end >= 0, 'a zip file (end of central directory found)');
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const entries: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    assert.equal(zip.readUInt32LE(at), 0x02014b50, 'central directory entry');
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    entries.push({
      name: zip.toString('utf8', at + 46, at + 46 + nameLength),
      method: zip.readUInt16LE(at + 10),
      compressedSize: zip.readUInt32LE(at + 20),
      offset: zip.readUInt32LE(at + 42),
    });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

function readEntry(zip: Buffer, entry: ZipEntry): Buffer {
  const start = entry.offset + 30 + zip.readUInt16LE(entry.offset + 26) + zip.readUInt16LE(entry.offset + 28);
  const data = zip.subarray(start, start + entry.compressedSize);
  return entry.method === 8 ? inflateRawSync(data) : data;
}

describe('the .vsix', () => {
  const dir = tempDir({ after }, 'segment-vsix-');
  let vsix: string;
  let zip: Buffer;
  let names: string[];

  before(() => {
    for (const bundle of ['dist/extension.js', 'dist/worker.js', 'dist/engineThread.js']) {
      assert.ok(existsSync(join(ROOT, bundle)), `${bundle} exists (npm test builds it first; or run npm run build)`);
    }
    vsix = join(dir, 'segment.vsix');
    const run = spawnSync(process.execPath, [VSCE, 'package', '--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links', '--skip-license', '--out', vsix], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    assert.equal(run.status, 0, `vsce package failed:\n${run.stdout}\n${run.stderr}`);
    zip = readFileSync(vsix);
    names = zipEntries(zip).map((e) => e.name);
  });

  it('holds the bundles, the manifest, the icon, README and CHANGELOG', () => {
    for (const name of [
      'extension.vsixmanifest',
      'extension/package.json',
      'extension/dist/extension.js',
      'extension/dist/worker.js',
      // The engine threads dist/worker.js starts for large GMM fits.
      'extension/dist/engineThread.js',
      'extension/media/icon.png',
      // The README's screenshot: relative links stay relative (--no-rewrite-relative-links), so VS Code shows it from the extension's folder.
      'extension/media/panel.png',
      // The k view's screenshots in the README, and its stylesheet.
      'extension/media/k-view-light.png',
      'extension/media/k-view-dark.png',
      'extension/dist/kView.css',
      'extension/readme.md',
      'extension/changelog.md',
    ]) {
      assert.ok(names.includes(name), `${name} is in the .vsix (it holds: ${names.join(', ')})`);
    }
  });

  it('holds every WebAssembly file the build put in dist/', () => {
    const wasm = readdirSync(join(ROOT, 'dist')).filter((name) => name.endsWith('.wasm'));
    for (const name of wasm) assert.ok(names.includes(`extension/dist/${name}`), `dist/${name} is in the .vsix`);
  });

  it('leaves out sources, tests, test tooling, node_modules, source maps and outputs', () => {
    const unwanted = names.filter(
      (name) =>
        /^extension\/(src|test|tools|bench|examples|node_modules|out|scripts|test-results|\.ci|\.vscode-test)\//.test(name) ||
        /\.(map|ts|vsix|tsbuildinfo)$/.test(name) ||
        name === 'extension/dist/cli.js',
    );
    assert.deepEqual(unwanted, []);
    assert.ok(names.length <= 20, `a handful of files (${names.length}: ${names.join(', ')})`);
  });

  it('is small, and its package.json points at the bundled extension', () => {
    const size = statSync(vsix).size;
    const wasmBytes = readdirSync(join(ROOT, 'dist'))
      .filter((name) => name.endsWith('.wasm'))
      .reduce((sum, name) => sum + statSync(join(ROOT, 'dist', name)).size, 0);
    assert.ok(size < 2_000_000 + wasmBytes, `${size} bytes`);
    const entry = zipEntries(zip).find((e) => e.name === 'extension/package.json');
    assert.ok(entry);
    const manifest = JSON.parse(readEntry(zip, entry).toString('utf8'));
    assert.equal(manifest.main, './dist/extension.js');
    assert.ok(manifest.contributes.commands.some((c: { command: string }) => c.command === 'segment.exportGmm'));
    assert.equal(manifest.capabilities.untrustedWorkspaces.supported, 'limited');
  });
});
