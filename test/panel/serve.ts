/**
 * Serves the harness for a person to look at the panel without VS Code:
 *
 *   node --import tsx test/panel/serve.ts [profile.json|profile.yaml …]
 *
 * then open the printed URL in a browser. Without files it offers the
 * example profiles (GMM, FCM, Neural-like, hostile names, 60 × 10). Ctrl+C stops it.
 */
import { readFile } from 'node:fs/promises';
import type { ProfileInput } from '../../src/shared/profile';
import { parseProfileBytes } from '../../src/shared/profile/parse';
import { startHarness } from './harness';
import { asNeural, exampleFuzzy, exampleGmm, hostileGmm, wideGmm, withPersonas } from './fixtures';

async function read(path: string): Promise<ProfileInput> {
  try {
    return { path, ...parseProfileBytes(await readFile(path), path) };
  } catch (e) {
    return { path, error: e instanceof Error ? e.message : String(e) };
  }
}

async function main(): Promise<void> {
  const files = process.argv.slice(2);
  const fixtures: Record<string, ProfileInput[]> = {};
  if (files.length) fixtures['given files'] = await Promise.all(files.map(read));
  const [gmm, fuzzy, hostile] = await Promise.all([exampleGmm(), exampleFuzzy(), hostileGmm()]);
  fixtures['customers: GMM + FCM + Neural'] = [
    { path: '/examples/output/gmm_cluster_profile_20261124_094838.json', profile: withPersonas(gmm) },
    { path: '/examples/output/fuzzy_cluster_profile_20261124_094838.json', profile: fuzzy },
    { path: '/examples/output/neural_cluster_profile_20261124_094838.json', profile: asNeural(gmm) },
  ];
  fixtures['hostile names'] = [{ path: '/tmp/gmm_cluster_profile_hostile.yaml', profile: hostile }];
  fixtures['60 features × 10 clusters'] = [{ path: '/tmp/gmm_cluster_profile_wide.json', profile: wideGmm() }];
  const harness = await startHarness({ fixtures });
  console.log(`Harness: ${harness.origin}/   (the webview alone: ${harness.panelUrl('dark')})`);
  process.on('SIGINT', () => void harness.close().then(() => process.exit(0)));
}

void main();
