/**
 * One profile's view: the document read step by step (clusters, header,
 * feature names, each cluster's numbers), the whole data derived from the
 * clusters, then what the panel shows. Every step adds what it had to work
 * around to one list of problems, in the order the steps run.
 */
import { DASH } from '../format';
import { timestampText } from '../timestamps';
import { readColumnSections } from './categories';
import { clusterViews, readClusterNumbers, readClusters } from './clusters';
import { profileDiagnostics } from './diagnostics';
import { featureViews, readFeatureNames } from './features';
import { readHeader } from './header';
import { heatMap } from './heatmap';
import { methodKindOf, methodShort } from './labels';
import { readLossCurve } from './lossCurve';
import { metricViews } from './metrics';
import { deriveWholeData } from './statistics';
import type { HeaderView, ProfileInput, ProfileView } from './types';
import { describeValue, fileNameOf, isObj, Problems } from './untrusted';

/** A profile that cannot be shown: why (errors), and what was worked around before that. */
function errorView(index: number, path: string, errors: string[], problems: Problems): ProfileView {
  const fileName = fileNameOf(path);
  return {
    id: `p${index}`,
    path,
    fileName,
    shortLabel: fileName,
    status: 'error',
    errors,
    problems: problems.done(),
    header: {
      method: 'Unknown method',
      methodKind: methodKindOf(null, fileName),
      methodShort: methodShort(methodKindOf(null, fileName)),
      dataFile: null,
      n: null,
      k: null,
      seed: null,
      timestamp: null,
      timestampText: DASH,
      warnings: [],
      excluded: [],
      scoredWith: null,
    },
    metrics: [],
    diagnostics: [],
    lossCurve: null,
    features: [],
    groups: [],
    clusters: [],
    heat: [],
    categories: [],
    descriptors: [],
    separation: [],
  };
}

/** Everything the panel shows of one profile; index makes its id ("p0", "p1", …). */
export function buildProfileView(input: ProfileInput, index: number): ProfileView {
  const path = typeof input?.path === 'string' ? input.path : `(profile ${index + 1})`;
  const fileName = fileNameOf(path);
  const problems = new Problems();

  if (input?.error != null) return errorView(index, path, [`${fileName} could not be read: ${String(input.error)}`], problems);
  const root = input?.profile;
  if (!isObj(root)) {
    const why = `${fileName} is not a cluster profile: expected a mapping with metadata, metrics, features_used and clusters, but it is ${describeValue(root)}.`;
    return errorView(index, path, [why], problems);
  }
  const rawClusters = readClusters(root, problems);
  if (typeof rawClusters === 'string') return errorView(index, path, [`${fileName} cannot be shown. ${rawClusters}`], problems);

  const head = readHeader(root, fileName, problems);
  const names = readFeatureNames(root, rawClusters, problems);
  const k = rawClusters.length;
  if (head.kMeta != null && head.kMeta !== k) problems.add(`metadata.n_clusters is ${head.kMeta} but the profile has ${k} clusters.`);
  const numbers = rawClusters.map((raw) => readClusterNumbers(raw, names, problems));
  const whole = deriveWholeData(numbers, names.length, head.nMeta, problems);
  const { features, groups } = featureViews(names, whole);
  const clusters = clusterViews(numbers, features, whole.n, problems);
  const sections = readColumnSections(root, head.metadata, rawClusters, features, problems);
  clusters.forEach((c, i) => {
    c.categories = sections.clusterCategories[i];
    c.descriptors = sections.clusterDescriptors[i];
  });
  const heat = heatMap(clusters, features);
  const metrics = metricViews(head.metrics, k, problems);
  const diagnostics = profileDiagnostics(root, head.metadata, head.methodKind, problems);
  const lossCurve = readLossCurve(root, head.metadata, head.metrics, problems);

  const header: HeaderView = {
    method: head.method ?? 'Unknown method',
    methodKind: head.methodKind,
    methodShort: methodShort(head.methodKind),
    dataFile: head.dataFile,
    n: whole.n,
    k,
    seed: head.seed,
    timestamp: head.timestamp,
    timestampText: timestampText(head.timestamp),
    warnings: head.warnings,
    excluded: head.excluded,
    scoredWith: head.scoredWith,
  };
  const shortTs = head.timestamp ? timestampText(head.timestamp).slice(0, 16) : fileName;
  return {
    id: `p${index}`,
    path,
    fileName,
    shortLabel: `${header.methodShort} · k = ${k} · ${shortTs}${header.scoredWith ? ' · scored' : ''}`,
    status: 'ok',
    errors: [],
    problems: problems.done(),
    header,
    metrics,
    diagnostics,
    lossCurve,
    features,
    groups,
    clusters,
    heat,
    categories: sections.categories,
    descriptors: sections.descriptors,
    separation: sections.separation,
  };
}
