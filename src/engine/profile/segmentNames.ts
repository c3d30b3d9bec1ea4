/**
 * The language model's answer, back into the profile: the JSON block of
 * segment names and personas that the prompt asks for, read defensively (it
 * is model output), checked against the profile's clusters, and written into
 * both profile files.
 */
import { promises as fs } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { SegmentError } from '../errors';
import { profileToJson, profileToYaml } from './export';
import { keyedObject, type Json, type Profile } from './profile';

export interface SegmentName {
  clusterId: number;
  segmentName: string;
  /** One line. */
  persona: string | null;
}

export interface ParsedNames {
  names: SegmentName[];
  /** What was wrong with the answer but could be worked around. */
  problems: string[];
}

const MAX_NAME = 80;
const MAX_PERSONA = 400;

/** The last fenced code block (```json or ```) of the answer that parses to an object with `segments`. */
function segmentsBlock(answer: string): unknown[] | null {
  const blocks = [...answer.matchAll(/```(?:json)?\s*\n([\s\S]*?)```/g)].map((m) => m[1]);
  for (const block of blocks.reverse()) {
    try {
      const parsed = JSON.parse(block) as { segments?: unknown };
      if (parsed && Array.isArray(parsed.segments)) return parsed.segments;
    } catch {
      // not this block
    }
  }
  return null;
}

function oneLine(text: string, max: number): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

export function parseSegmentNames(answer: string, clusterIds: number[]): ParsedNames {
  const segments = segmentsBlock(answer);
  if (!segments) {
    throw new SegmentError(
      'INVALID_PROFILE',
      'The answer has no JSON block of segment names ({"segments": [...]}), so no names were written. The report was saved; you can add names to the YAML by hand.',
    );
  }
  const known = new Set(clusterIds);
  const names: SegmentName[] = [];
  const problems: string[] = [];
  for (const [i, entry] of segments.entries()) {
    const e = entry as { cluster_id?: unknown; segment_name?: unknown; persona?: unknown };
    const id = typeof e.cluster_id === 'number' ? e.cluster_id : Number(e.cluster_id);
    if (!Number.isInteger(id) || !known.has(id)) {
      problems.push(`entry ${i + 1} names cluster ${JSON.stringify(e.cluster_id)}, which the profile does not have`);
      continue;
    }
    if (typeof e.segment_name !== 'string' || e.segment_name.trim() === '') {
      problems.push(`entry ${i + 1} (cluster ${id}) has no segment_name`);
      continue;
    }
    if (names.some((n) => n.clusterId === id)) {
      problems.push(`cluster ${id} is named twice; the first name is kept`);
      continue;
    }
    names.push({
      clusterId: id,
      segmentName: oneLine(e.segment_name, MAX_NAME),
      persona: typeof e.persona === 'string' && e.persona.trim() ? oneLine(e.persona, MAX_PERSONA) : null,
    });
  }
  const missing = clusterIds.filter((id) => !names.some((n) => n.clusterId === id));
  if (missing.length) problems.push(`no name for cluster ${missing.join(', ')}`);
  return { names: names.sort((a, b) => a.clusterId - b.clusterId), problems };
}

/**
 * A copy of the profile with `segment_name` (and `persona`) right after each
 * named cluster's `cluster_id`, replacing earlier ones; other keys keep their order.
 */
export function applySegmentNames(profile: Profile, names: SegmentName[]): Profile {
  const clusters = keyedObject(
    Object.entries(profile.clusters).map(([key, cluster]) => {
      const name = names.find((n) => n.clusterId === cluster.cluster_id);
      if (!name) return [key, cluster] as const;
      // A hand-edited profile may hold any key (even __proto__): own properties only, never assignment.
      const fields = Object.entries(cluster)
        .filter(([field]) => field !== 'segment_name' && field !== 'persona')
        .flatMap(([field, value]): [string, Json][] => {
          if (field !== 'cluster_id') return [[field, value]];
          const named: [string, Json][] = [[field, value], ['segment_name', name.segmentName]];
          if (name.persona) named.push(['persona', name.persona]);
          return named;
        });
      return [key, keyedObject(fields)] as const;
    }),
  ) as Profile['clusters'];
  return { ...profile, clusters };
}

/** The JSON and YAML files of one export: `x.json` ↔ `x.yaml` beside it. */
export function profilePair(path: string): { json: string; yaml: string } {
  const stem = join(dirname(path), basename(path, extname(path)));
  return { json: `${stem}.json`, yaml: `${stem}.yaml` };
}

/**
 * Rewrites both files of a profile with the given document, each through a
 * temporary file renamed over the old one, so a reader sees the old or the
 * new file, never half of one. Both are written in full before either is
 * renamed, so a full disk leaves both as they were.
 */
export async function replaceProfileFiles(pair: { json: string; yaml: string }, profile: Profile): Promise<void> {
  const jsonTmp = `${pair.json}.segment-${process.pid}.tmp`;
  const yamlTmp = `${pair.yaml}.segment-${process.pid}.tmp`;
  try {
    await fs.writeFile(jsonTmp, profileToJson(profile), { flag: 'wx' });
    await fs.writeFile(yamlTmp, profileToYaml(profile), { flag: 'wx' });
    await fs.rename(jsonTmp, pair.json);
    await fs.rename(yamlTmp, pair.yaml);
  } catch (error) {
    throw new SegmentError('OUTPUT_NOT_WRITABLE', `Cannot update ${basename(pair.json)} and ${basename(pair.yaml)}: ${(error as Error).message}`);
  } finally {
    await Promise.all([jsonTmp, yamlTmp].map((p) => fs.rm(p, { force: true })));
  }
}

/** `gmm_cluster_profile_20261124_093237.yaml` → `gmm_segment_report_20261124_093237.md`, beside it. */
export function reportPathFor(profilePath: string): string {
  const stem = basename(profilePath, extname(profilePath));
  const name = stem.includes('_cluster_profile_') ? stem.replace('_cluster_profile_', '_segment_report_') : `${stem}_segment_report`;
  return join(dirname(profilePath), `${name}.md`);
}

/**
 * A Markdown report written as it streams in: chunks go to a temporary file,
 * and only a finished report is linked to its name (with _2, _3, … rather
 * than replacing a file). Abandoned, it leaves nothing behind.
 */
export class ReportWriter {
  private constructor(
    private readonly handle: fs.FileHandle,
    private readonly tmp: string,
    private readonly target: string,
  ) {}

  static async create(target: string): Promise<ReportWriter> {
    const tmp = join(dirname(target), `.${basename(target)}.segment-${process.pid}-${Date.now()}.tmp`);
    const handle = await fs.open(tmp, 'wx');
    return new ReportWriter(handle, tmp, target);
  }

  async write(chunk: string): Promise<void> {
    await this.handle.write(chunk);
  }

  /** Gives the report its name; returns the path it got. */
  async finish(): Promise<string> {
    await this.handle.close();
    try {
      const ext = extname(this.target);
      const stem = this.target.slice(0, -ext.length);
      for (let attempt = 1; ; attempt++) {
        const path = attempt === 1 ? this.target : `${stem}_${attempt}${ext}`;
        try {
          await fs.link(this.tmp, path);
          return path;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        }
      }
    } finally {
      await fs.rm(this.tmp, { force: true });
    }
  }

  async abandon(): Promise<void> {
    await this.handle.close().catch(() => undefined);
    await fs.rm(this.tmp, { force: true });
  }
}
