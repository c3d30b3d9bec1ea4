/** The heat map: each cluster center's z-score against the whole data, per feature, with its text and tooltip. */
import { formatFixed } from '../format';
import type { ClusterView, FeatureView, HeatCell } from './types';

/** |z| at which the heat map's colour is at full strength. */
export const HEAT_Z_CAP = 2.5;

/** heat[cluster][feature], clusters and features in the order given. */
export function heatMap(clusters: ClusterView[], features: FeatureView[]): HeatCell[][] {
  return clusters.map((cl) =>
    cl.stats.map((s) => {
      const f = features[s.feature];
      const z = s.z.value;
      const title =
        `${cl.label}${cl.name ? ` · ${cl.name}` : ''}\n${f.name}\n` +
        `center ${s.center.text} (whole data: mean ${formatFixed(f.overallMean, f.decimals)}, std ${formatFixed(f.overallStd, f.decimals)})\n` +
        `z = ${s.z.text}`;
      return {
        z,
        text: s.z.text,
        valueText: s.center.text,
        title,
        intensity: z == null ? 0 : Math.min(1, Math.abs(z) / HEAT_Z_CAP),
        sign: z == null || z === 0 ? 0 : z > 0 ? 1 : -1,
      };
    }),
  );
}
