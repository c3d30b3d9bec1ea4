/**
 * The k view: a k-selection file (a sweep over the number of clusters) as
 * small charts, one per criterion against k, drawn as hand-written SVG like
 * the loss chart: a few lines and points need no charting library, and SVG
 * elements made through the DOM (dom.ts) run under the panel's CSP (no
 * inline script or style, no eval) with every colour a VS Code theme
 * variable from kView.css. Each point's <title> is its tooltip (the fit, the
 * value, the cluster sizes); the recommended fit is marked on every chart
 * and its export button is the emphasised one.
 */
import type { KChartView, KSelectionView, ProfileView } from '../src/shared/profile';
import { formatMetric } from '../src/shared/format';
import { h, linkButton, svg } from './dom';
import type { RenderContext } from './render';

const W = 300;
const H = 150;
const PAD = { l: 54, r: 12, t: 12, b: 30 };

export function renderKView(ctx: RenderContext, p: ProfileView, k: KSelectionView): HTMLElement {
  const range = k.kValues.length ? `k = ${k.kValues[0]}..${k.kValues[k.kValues.length - 1]}` : 'k';
  const title = `How many segments? ${k.methodShort} sweep${k.dataFile ? ` of ${k.dataFile}` : ''}`;
  const badges = [
    k.nSamples == null ? null : `${k.nSamples.toLocaleString('en-US')} rows`,
    range,
    k.covarianceTypes.length ? `${k.covarianceTypes.join(', ')} covariance` : null,
  ].filter((b): b is string => b !== null);
  const view = h(
    'div',
    { class: 'k-view', data: { path: p.path } },
    h(
      'header',
      { class: 'profile-header' },
      h('h1', null, title),
      h('div', { class: 'subtitle' }, ...badges.map((b) => h('vscode-badge', { class: 'badge' }, b)), h('span', { class: 'timestamp' }, k.timestampText)),
      h('div', { class: 'file' }, linkButton(p.fileName, `Open ${p.path}`, () => ctx.openFile(p.path))),
    ),
  );
  if (k.recommendation) {
    const r = k.recommendation;
    const recommended = k.exports.find((e) => e.recommended);
    view.append(
      h(
        'section',
        { class: 'k-recommendation', attrs: { 'aria-label': 'Recommendation' } },
        h('h2', null, `Recommended: ${r.fit}`, h('span', { class: 'k-criterion' }, ` · ${r.criterionText}`)),
        h('p', { class: 'k-reason' }, r.reason),
        recommended ? exportButton(ctx, p, recommended.k, recommended.covarianceType, `Export profile with k = ${recommended.k}`, recommended.sizesText, true) : null,
      ),
    );
  }
  if (p.problems.length) view.append(notice('warning', `This file has ${p.problems.length === 1 ? 'a problem' : `${p.problems.length} problems`} (shown as far as possible)`, p.problems));
  if (k.failures.length) view.append(notice('warning', `${k.failures.length === 1 ? 'One fit' : `${k.failures.length} fits`} failed`, k.failures));

  view.append(h('h2', null, 'Criteria against k'), h('div', { class: 'k-charts' }, ...k.charts.map((c) => chart(c, k))));
  if (k.covarianceTypes.length > 1) view.append(legend(k.covarianceTypes));

  view.append(
    h('h2', null, 'Export a profile'),
    h('p', { class: 'note' }, 'Runs the export with that number of clusters (and covariance type), the sweep’s seed and options, and opens the profile.'),
    h('div', { class: 'k-exports' }, ...k.exports.map((e) => exportButton(ctx, p, e.k, e.covarianceType, e.label, e.sizesText, e.recommended))),
  );
  if (k.notes.length) view.append(h('ul', { class: 'k-notes note' }, ...k.notes.map((n) => h('li', null, n))));
  return view;
}

function exportButton(ctx: RenderContext, p: ProfileView, k: number, covarianceType: string | null, label: string, sizes: string, recommended: boolean): HTMLButtonElement {
  const b = h(
    'button',
    {
      class: `k-export${recommended ? ' primary' : ''}`,
      title: `${label}${covarianceType ? ` (${covarianceType} covariance)` : ''}: ${sizes}${recommended ? ' — recommended' : ''}`,
      attrs: { type: 'button' },
      data: { k: String(k), ...(covarianceType ? { covariance: covarianceType } : {}) },
    },
    recommended ? `★ ${label}` : label,
  );
  b.addEventListener('click', () => ctx.exportK(p.path, k, covarianceType ?? undefined));
  return b;
}

function notice(kind: 'warning' | 'info', title: string, items: string[]): HTMLElement {
  return h('section', { class: `callout ${kind}`, attrs: { role: 'note' } }, h('h2', { class: 'callout-title' }, title), h('ul', null, ...items.map((x) => h('li', null, x))));
}

function legend(types: string[]): HTMLElement {
  return h(
    'div',
    { class: 'legend k-legend' },
    ...types.map((name, i) =>
      h('span', { class: 'key' }, svg('svg', { viewBox: '0 0 24 8', class: 'swatch', 'aria-hidden': 'true' }, svg('line', { x1: 0, y1: 4, x2: 24, y2: 4, class: `series series-${i % 4}` })), `${name} covariance`),
    ),
  );
}

/** One criterion against k: a line per series, a point per fit (its tooltip), the recommended k marked. */
function chart(c: KChartView, k: KSelectionView): HTMLElement {
  const ks = k.kValues.length ? k.kValues : [...new Set(c.series.flatMap((s) => s.points.map((pt) => pt.k)))].sort((a, b) => a - b);
  const kMin = Math.min(...ks);
  const kMax = Math.max(...ks);
  const span = c.max - c.min || Math.abs(c.max) || 1;
  const lo = c.max === c.min ? c.min - span / 2 : c.min;
  const hi = c.max === c.min ? c.max + span / 2 : c.max;
  const x = (v: number) => PAD.l + (kMax === kMin ? (W - PAD.l - PAD.r) / 2 : ((v - kMin) / (kMax - kMin)) * (W - PAD.l - PAD.r));
  const y = (v: number) => PAD.t + (1 - (v - lo) / (hi - lo)) * (H - PAD.t - PAD.b);
  const plot = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'k-chart-svg', role: 'group', 'aria-label': c.summary });
  plot.append(
    svg('line', { x1: PAD.l, y1: H - PAD.b, x2: W - PAD.r, y2: H - PAD.b, class: 'axis' }),
    svg('line', { x1: PAD.l, y1: PAD.t, x2: PAD.l, y2: H - PAD.b, class: 'axis' }),
    svg('text', { x: PAD.l - 6, y: PAD.t + 4, class: 'tick', 'text-anchor': 'end' }, formatMetric(hi)),
    svg('text', { x: PAD.l - 6, y: H - PAD.b, class: 'tick', 'text-anchor': 'end' }, formatMetric(lo)),
    ...ks.map((v) => svg('text', { x: x(v), y: H - PAD.b + 14, class: 'tick', 'text-anchor': 'middle' }, String(v))),
    svg('text', { x: W - PAD.r, y: H - 2, class: 'tick axis-name', 'text-anchor': 'end' }, 'k'),
  );
  const marked = c.series.flatMap((s) => s.points.filter((pt) => pt.recommended));
  for (const pt of marked) plot.append(svg('line', { x1: x(pt.k), y1: PAD.t, x2: x(pt.k), y2: H - PAD.b, class: 'k-marker' }));
  c.series.forEach((s, i) => {
    // The same line style for a covariance type on every chart, as the legend shows it.
    const cls = `series series-${Math.max(0, s.name ? k.covarianceTypes.indexOf(s.name) : i) % 4}`;
    if (s.points.length > 1) plot.append(svg('polyline', { points: s.points.map((pt) => `${x(pt.k).toFixed(1)},${y(pt.value).toFixed(1)}`).join(' '), class: cls }));
    for (const pt of s.points) {
      plot.append(
        svg(
          'circle',
          {
            cx: x(pt.k).toFixed(1),
            cy: y(pt.value).toFixed(1),
            r: pt.recommended ? 5 : 3.5,
            class: `k-point ${cls}${pt.recommended ? ' recommended' : ''}`,
            tabindex: 0,
            role: 'img',
            'aria-label': pt.tooltip,
            'data-k': pt.k,
            ...(s.name ? { 'data-series': s.name } : {}),
          },
          svg('title', {}, pt.tooltip),
        ),
      );
    }
  });
  return h(
    'figure',
    { class: 'k-chart', data: { criterion: c.key } },
    h('figcaption', null, h('span', { class: 'k-chart-title' }, c.label), h('span', { class: 'k-chart-hint' }, c.hint)),
    plot,
  );
}
