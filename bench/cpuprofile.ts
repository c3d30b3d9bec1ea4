/** Self time per function from a V8 .cpuprofile (what `node --cpu-prof` writes). */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { REPO_DIR } from './data';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface SelfTime {
  fn: string;
  where: string;
  seconds: number;
  share: number;
}

export function selfTimes(path: string, top = 12): { totalSeconds: number; functions: SelfTime[] } {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const micros = new Map<string, { fn: string; where: string; us: number }>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    // timeDeltas[i] is the time before sample i; attribute the gap after a sample to it.
    const dt = profile.timeDeltas[i + 1] ?? 0;
    const node = byId.get(id);
    if (!node) return;
    // Line numbers are of tsx's transpiled code, so only the file is reported.
    const { functionName, url } = node.callFrame;
    const file = url.startsWith('file://') ? relative(REPO_DIR, new URL(url).pathname) : url;
    const fn = functionName || '(anonymous)';
    const where = file;
    const key = `${fn}@${where}`;
    const entry = micros.get(key) ?? { fn, where, us: 0 };
    entry.us += dt;
    micros.set(key, entry);
    total += dt;
  });
  const functions = [...micros.values()]
    .sort((a, b) => b.us - a.us)
    .slice(0, top)
    .map((e) => ({ fn: e.fn, where: e.where, seconds: e.us / 1e6, share: total > 0 ? e.us / total : 0 }));
  return { totalSeconds: total / 1e6, functions };
}
