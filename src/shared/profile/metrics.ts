/** The quality metrics as the panel shows them: known ones first, in a fixed order, with what good looks like. */
import { formatCount, formatMetric } from '../format';
import { METRIC_ORDER, METRIC_SPECS, silhouetteVerdict } from './labels';
import type { MetricView } from './types';
import { describeValue, own, visible, type Obj, type Problems } from './untrusted';

export function metricViews(metrics: Obj | null, k: number, problems: Problems): MetricView[] {
  const views: MetricView[] = [];
  if (metrics) {
    const keys = [...METRIC_ORDER.filter((key) => key in metrics), ...Object.keys(metrics).filter((key) => own(METRIC_SPECS, key) === undefined)];
    for (const key of keys) {
      const v = metrics[key];
      if (key === 'loss_history' || key.endsWith('_log_base')) continue;
      const spec = own(METRIC_SPECS, key);
      if (v != null && (typeof v !== 'number' || !Number.isFinite(v))) {
        problems.add(`metrics.${key} should be a number but is ${describeValue(v)}.`);
        continue;
      }
      const value = v == null ? null : v;
      views.push({
        key,
        label: spec?.label ?? visible(key),
        value,
        text: key === 'n_parameters' ? formatCount(value) : formatMetric(value),
        hint: value == null ? 'not computed' : (spec?.hint(k) ?? ''),
        direction: spec?.direction ?? 'none',
        verdict: key === 'silhouette_score' && value != null ? silhouetteVerdict(value) : undefined,
      });
    }
  }
  return views;
}
