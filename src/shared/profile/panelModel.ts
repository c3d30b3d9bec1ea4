/** The panel's whole model: a view of each profile, and the comparisons of profiles of the same data. */
import { buildComparisons } from './comparison';
import { buildScoredComparisons } from './scoredComparison';
import type { ComparisonView, PanelModel, ProfileInput, ScoredComparisonView } from './types';
import { fileNameOf } from './untrusted';
import { buildProfileView } from './view';

/** Everything the panel shows, for one or more profiles. Never throws. */
export function buildPanelModel(profiles: ProfileInput[]): PanelModel {
  const messages: string[] = [];
  const inputs = Array.isArray(profiles) ? profiles : [];
  if (!Array.isArray(profiles)) messages.push('The panel was given no list of profiles.');
  else if (inputs.length === 0) messages.push('No profile to show. Open a *_cluster_profile_*.json or .yaml file, or run a segmentation.');
  const views = inputs.map((input, i) => {
    try {
      return buildProfileView(input, i);
    } catch (e) {
      const path = typeof input?.path === 'string' ? input.path : `(profile ${i + 1})`;
      return {
        ...buildProfileView({ path, error: 'unexpected' }, i),
        errors: [`${fileNameOf(path)} could not be shown because of a bug in the panel: ${e instanceof Error ? e.message : String(e)}`],
      };
    }
  });
  // Disambiguate labels of profiles that would read the same.
  const counts = new Map<string, number>();
  views.forEach((v) => counts.set(v.shortLabel, (counts.get(v.shortLabel) ?? 0) + 1));
  views.forEach((v) => {
    if ((counts.get(v.shortLabel) ?? 0) > 1) v.shortLabel = `${v.shortLabel} · ${v.fileName}`;
  });
  let comparisons: ComparisonView[] = [];
  try {
    comparisons = buildComparisons(views);
  } catch (e) {
    messages.push(`The comparison could not be built: ${e instanceof Error ? e.message : String(e)}`);
  }
  let scored: ScoredComparisonView[] = [];
  try {
    scored = buildScoredComparisons(views);
  } catch (e) {
    messages.push(`The comparison with the training profile could not be built: ${e instanceof Error ? e.message : String(e)}`);
  }
  return { profiles: views, comparisons, scored, messages };
}
