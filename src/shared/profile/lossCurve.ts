/** The Neural method's training loss per epoch, wherever the profile keeps it, as one or more series. */
import { formatCount, formatMetric } from '../format';
import type { LossCurveView, LossSeries } from './types';
import { describeValue, isObj, visible, type Obj, type Problems } from './untrusted';

export function readLossCurve(root: Obj, metadata: Obj | null, metrics: Obj | null, problems: Problems): LossCurveView | null {
  const training = isObj(root.training) ? root.training : null;
  const candidates: [unknown, string][] = [
    [root.loss_history, 'loss_history'],
    [metrics?.loss_history, 'metrics.loss_history'],
    [metadata?.loss_history, 'metadata.loss_history'],
    [training?.loss_history, 'training.loss_history'],
    [training?.loss, 'training.loss'],
  ];
  const found = candidates.find(([v]) => v !== undefined && v !== null);
  if (!found) return null;
  const [v, path] = found;
  const series: LossSeries[] = [];
  const toValues = (x: unknown, p: string): number[] | null => {
    if (!Array.isArray(x)) {
      problems.add(`${p} should be a list of numbers but is ${describeValue(x)}.`);
      return null;
    }
    const values: number[] = [];
    x.forEach((e) => {
      if (typeof e === 'number' && Number.isFinite(e)) values.push(e);
      else if (isObj(e) && typeof e.loss === 'number' && Number.isFinite(e.loss)) values.push(e.loss);
    });
    if (values.length < x.length) problems.add(`${p} has ${x.length - values.length} entries that are not numbers; left out.`);
    return values;
  };
  if (Array.isArray(v)) {
    const values = toValues(v, path);
    if (values?.length) series.push({ name: 'loss', values });
  } else if (isObj(v)) {
    for (const [name, x] of Object.entries(v)) {
      const values = toValues(x, `${path}.${name}`);
      if (values?.length) series.push({ name: visible(name), values });
    }
  } else {
    problems.add(`${path} should be a list of numbers but is ${describeValue(v)}.`);
  }
  if (series.length === 0) return null;
  const all = series.flatMap((s) => s.values);
  const min = Math.min(...all);
  const max = Math.max(...all);
  const epochs = Math.max(...series.map((s) => s.values.length));
  const first = series[0].values;
  return {
    series,
    min,
    max,
    epochs,
    summary: `${series[0].name} ${formatMetric(first[0])} → ${formatMetric(first[first.length - 1])} over ${formatCount(first.length)} epochs`,
  };
}
