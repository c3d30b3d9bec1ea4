/**
 * Renders a PanelModel into the page with DOM APIs only (see dom.ts). The
 * model is already validated and formatted; this file decides layout.
 */
import type {
  CategoryView,
  ClusterView,
  ComparisonView,
  Fact,
  FactBlock,
  FeatureGroupView,
  LossCurveView,
  MetricView,
  PanelModel,
  ProfileView,
  StatisticsShown,
  StatRowView,
} from '../src/shared/profile';
import { HEAT_Z_CAP, orderFeatures } from '../src/shared/profile';
import type { PanelState, PanelTab } from '../src/shared/panelProtocol';
import { h, linkButton, setVar, svg, type Child } from './dom';
import { renderScoredComparisons } from './scoredCompare';

export interface RenderContext {
  model: PanelModel;
  state: PanelState;
  /** Changes and persists the state without re-rendering. */
  update(patch: Partial<PanelState>): void;
  /** Re-renders everything from the model and the state. */
  rerender(): void;
  openFile(path: string): void;
  /** Runs Copy LLM Prompt or Describe Segments with AI on the profile, in the host. */
  askModel(type: 'copyPrompt' | 'describe', path: string): void;
}

const TAB_LABELS: Record<PanelTab, string> = { overview: 'Overview', heatmap: 'Heat map', categories: 'Categories', clusters: 'Clusters', compare: 'Compare' };
const NOT_CLUSTERED = 'described, not clustered';

export function currentProfile(model: PanelModel, state: PanelState): ProfileView | null {
  return model.profiles.find((p) => p.path === state.current) ?? model.profiles.find((p) => p.status === 'ok') ?? model.profiles[0] ?? null;
}

function clusterTitle(c: ClusterView): string {
  return c.name ? `${c.label} · ${c.name}` : c.label;
}

function callout(kind: 'warning' | 'error' | 'info', title: string, items: string[], collapseAfter = 6): HTMLElement {
  const box = h('section', { class: `callout ${kind}`, attrs: { role: kind === 'error' ? 'alert' : 'note' } }, h('h2', { class: 'callout-title' }, title));
  const list = (xs: string[]) => h('ul', null, ...xs.map((x) => h('li', null, x)));
  if (items.length <= collapseAfter) box.append(list(items));
  else {
    box.append(list(items.slice(0, collapseAfter - 1)));
    const more = h('details', null, h('summary', null, `${items.length - collapseAfter + 1} more`), list(items.slice(collapseAfter - 1)));
    box.append(more);
  }
  return box;
}

function factList(facts: Fact[]): HTMLElement {
  const dl = h('dl', { class: 'facts' });
  for (const f of facts) dl.append(h('dt', { title: f.hint }, f.label), h('dd', { title: f.hint }, f.value));
  return dl;
}

function factBlock(b: FactBlock, level: 'h3' | 'h4' = 'h3'): HTMLElement {
  return h('section', { class: 'fact-block' }, h(level, null, b.title), b.note ? h('p', { class: 'note' }, b.note) : null, factList(b.facts));
}

// ---------------------------------------------------------------------------
// Header

function renderSwitcher(ctx: RenderContext, current: ProfileView): HTMLElement | null {
  const { model } = ctx;
  if (model.profiles.length < 2) return null;
  const nav = h('nav', { class: 'switcher', attrs: { 'aria-label': 'Profiles' } });
  for (const p of model.profiles) {
    const b = h(
      'button',
      { class: `switch${p === current ? ' current' : ''}${p.status === 'error' ? ' broken' : ''}`, title: p.path, attrs: { type: 'button', 'aria-pressed': String(p === current) } },
      p.status === 'error' ? `⚠ ${p.fileName}` : p.shortLabel,
    );
    b.addEventListener('click', () => {
      ctx.update({ current: p.path });
      ctx.rerender();
    });
    nav.append(b);
  }
  return nav;
}

function renderHeader(ctx: RenderContext, p: ProfileView): HTMLElement {
  const hd = p.header;
  const title = hd.dataFile ? `${hd.methodShort} segments of ${hd.dataFile}` : `${hd.methodShort} segments`;
  const badges: [string, string][] = [
    [`${hd.n == null ? '—' : hd.n.toLocaleString('en-US')} rows`, 'rows clustered'],
    [`k = ${hd.k ?? '—'}`, 'clusters'],
    [`seed ${hd.seed ?? '—'}`, 'random seed'],
  ];
  return h(
    'header',
    { class: 'profile-header' },
    h('h1', null, title),
    h(
      'div',
      { class: 'subtitle' },
      h('span', { class: 'method' }, hd.method),
      ...badges.map(([text, tip]) => h('vscode-badge', { title: tip, class: 'badge' }, text)),
      h('span', { class: 'timestamp', title: hd.timestamp ?? '' }, hd.timestampText),
    ),
    h('div', { class: 'file' }, linkButton(p.fileName, `Open ${p.path}`, () => ctx.openFile(p.path))),
    h(
      'div',
      { class: 'ai-actions' },
      linkButton('Describe with AI', 'Ask a VS Code language model for segment names and personas (sends the aggregates only, never rows or ids)', () =>
        ctx.askModel('describe', p.path),
      ),
      ' · ',
      linkButton('Copy LLM Prompt', 'Copy the prompt for this profile, to paste into any chat model', () => ctx.askModel('copyPrompt', p.path)),
    ),
  );
}

// ---------------------------------------------------------------------------
// Overview

function metricCard(m: MetricView): HTMLElement {
  return h(
    'div',
    { class: `metric dir-${m.direction}`, title: m.key, data: { metric: m.key } },
    h('div', { class: 'metric-label' }, m.label),
    h('div', { class: 'metric-value' }, m.text),
    m.verdict ? h('div', { class: 'metric-verdict' }, m.verdict) : null,
    h('div', { class: 'metric-hint' }, m.hint),
  );
}

function sizeBars(ctx: RenderContext, p: ProfileView): HTMLElement {
  const list = h('ol', { class: 'sizes', attrs: { 'aria-label': 'Cluster sizes' } });
  for (const c of p.clusters) {
    const fill = h('span', { class: 'bar-fill' });
    setVar(fill, '--share', c.share);
    const row = h(
      'li',
      { class: 'size-row', data: { cluster: c.key } },
      h(
        'button',
        { class: 'size-label link', title: `Show ${clusterTitle(c)}`, attrs: { type: 'button' } },
        h('span', { class: 'cluster-id' }, c.label),
        c.name ? h('span', { class: 'segment-name' }, c.name) : null,
      ),
      h('span', { class: 'bar', attrs: { 'aria-hidden': 'true' } }, fill),
      h('span', { class: 'size-text' }, h('span', { class: 'size-n' }, c.size.text), h('span', { class: 'size-pct' }, c.percentage.text)),
    );
    row.querySelector('button')!.addEventListener('click', () => showCluster(ctx, p, c.key));
    list.append(row);
  }
  return list;
}

function lossChart(curve: LossCurveView): HTMLElement {
  const W = 480;
  const H = 160;
  const pad = { l: 48, r: 12, t: 10, b: 26 };
  const span = curve.max - curve.min || 1;
  const x = (i: number) => pad.l + (curve.epochs <= 1 ? 0 : (i / (curve.epochs - 1)) * (W - pad.l - pad.r));
  const y = (v: number) => pad.t + (1 - (v - curve.min) / span) * (H - pad.t - pad.b);
  const chart = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'loss-chart', role: 'img', 'aria-label': curve.summary });
  chart.append(
    svg('line', { x1: pad.l, y1: H - pad.b, x2: W - pad.r, y2: H - pad.b, class: 'axis' }),
    svg('line', { x1: pad.l, y1: pad.t, x2: pad.l, y2: H - pad.b, class: 'axis' }),
    svg('text', { x: pad.l - 6, y: pad.t + 4, class: 'tick', 'text-anchor': 'end' }, formatTick(curve.max)),
    svg('text', { x: pad.l - 6, y: H - pad.b, class: 'tick', 'text-anchor': 'end' }, formatTick(curve.min)),
    svg('text', { x: pad.l, y: H - 6, class: 'tick' }, '1'),
    svg('text', { x: W - pad.r, y: H - 6, class: 'tick', 'text-anchor': 'end' }, `${curve.epochs} epochs`),
  );
  curve.series.forEach((s, i) => {
    const points = s.values.map((v, t) => `${x(t).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
    chart.append(svg('polyline', { points, class: `series series-${i % 3}` }, svg('title', {}, s.name)));
  });
  const legend = h(
    'div',
    { class: 'legend' },
    ...curve.series.map((s, i) => h('span', { class: 'key' }, svg('svg', { viewBox: '0 0 24 8', class: 'swatch', 'aria-hidden': 'true' }, svg('line', { x1: 0, y1: 4, x2: 24, y2: 4, class: `series series-${i % 3}` })), s.name)),
  );
  return h('figure', { class: 'loss' }, chart, h('figcaption', null, curve.summary), curve.series.length > 1 ? legend : null);
}

function formatTick(v: number): string {
  return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(3);
}

function renderOverview(ctx: RenderContext, p: ProfileView): HTMLElement {
  const box = h('div', { class: 'overview' });
  if (p.metrics.length) box.append(h('h2', null, 'How well separated'), h('div', { class: 'metrics' }, ...p.metrics.map(metricCard)));
  box.append(h('h2', null, 'Cluster sizes'), sizeBars(ctx, p));
  if (p.separation.length) box.append(h('h2', null, 'What sets the clusters apart'), separationTable(p));
  if (p.lossCurve) box.append(h('h2', null, 'Training loss'), lossChart(p.lossCurve));
  if (p.diagnostics.length) box.append(h('h2', null, 'Details'), h('div', { class: 'blocks' }, ...p.diagnostics.map((b) => factBlock(b))));
  if (p.header.excluded.length) {
    const c = h('vscode-collapsible', { class: 'excluded', attrs: { heading: `Columns not clustered (${p.header.excluded.length})` } });
    c.append(
      h(
        'table',
        { class: 'grid' },
        h('thead', null, h('tr', null, h('th', null, 'Column'), h('th', null, 'Reason'))),
        h('tbody', null, ...p.header.excluded.map((e) => h('tr', null, h('td', { class: 'name' }, e.column), h('td', null, e.reason)))),
      ),
    );
    box.append(c);
  }
  return box;
}

/** Every column clustered or described, the most separating first: η² for numbers, Cramér's V for categories. */
function separationTable(p: ProfileView): HTMLElement {
  const rows = p.separation.map((s) => {
    const bar = h('span', { class: 'bar-fill' });
    setVar(bar, '--share', s.value);
    return h(
      'tr',
      { data: { column: s.name } },
      h('th', { class: 'name', attrs: { scope: 'row' } }, s.name),
      h('td', null, s.role === 'descriptor' ? NOT_CLUSTERED : s.role === 'feature' ? 'clustered' : ''),
      h('td', { class: 'num', title: s.measure === 'η²' ? 'share of the column’s variance between clusters' : 'association of the clusters with the column’s levels (χ², no continuity correction)' }, `${s.measure} ${s.text}`),
      h('td', { class: 'sep-bar' }, h('span', { class: 'bar', attrs: { 'aria-hidden': 'true' } }, bar)),
    );
  });
  return h(
    'table',
    { class: 'grid separation' },
    h('caption', null, 'How strongly the clusters differ in each column, 0 (not at all) to 1 (the column alone tells them apart).'),
    h('thead', null, h('tr', null, h('th', { class: 'name', attrs: { scope: 'col' } }, 'Column'), h('th', { attrs: { scope: 'col' } }, 'Role'), h('th', { class: 'num', attrs: { scope: 'col' } }, 'Separation'), h('th', { attrs: { scope: 'col' } }))),
    h('tbody', null, ...rows),
  );
}

// ---------------------------------------------------------------------------
// Categories

/** One categorical column: clusters × levels, each cell the share among the cluster's members with a value and its lift. */
function categoryTable(p: ProfileView, cat: CategoryView): HTMLElement {
  const hasMissing = (cat.missing ?? 0) > 0;
  const head = h(
    'tr',
    null,
    h('th', { class: 'name', attrs: { scope: 'col' } }, 'Cluster'),
    ...cat.levels.map((l) => h('th', { class: 'num level', attrs: { scope: 'col' }, title: l.name }, l.name)),
    hasMissing ? h('th', { class: 'num', attrs: { scope: 'col' }, title: 'members without a value (not in the shares)' }, 'no value') : null,
  );
  const all = h(
    'tr',
    { class: 'overall' },
    h('th', { class: 'name', attrs: { scope: 'row' } }, 'All rows'),
    ...cat.levels.map((l) => h('td', { class: 'num', title: `${l.name}: ${l.share.text} of all rows with a value` }, l.share.text)),
    hasMissing ? h('td', { class: 'num' }, String(cat.missing)) : null,
  );
  const rows = p.clusters.map((c) => {
    const cc = c.categories[cat.index];
    return h(
      'tr',
      { data: { cluster: c.key } },
      h('th', { class: 'name', attrs: { scope: 'row' }, title: cc?.mode ? `most common: ${cc.mode}` : 'no member has a value' }, clusterTitle(c)),
      ...cat.levels.map((l, i) => {
        const cell = cc?.cells[i];
        // By the lift as shown: a lift of 1.02 reads ×1, neither more nor less common.
        const lift = cell?.lift.value == null ? null : Number(cell.lift.value.toPrecision(2));
        const td = h(
          'td',
          {
            class: `num share${lift != null && lift > 1 ? ' pos' : lift != null && lift < 1 ? ' neg' : ''}`,
            title: `${clusterTitle(c)}, ${l.name}: ${cell?.share.text ?? '—'} of its members with a value (${cell?.count ?? '—'}), ${cell?.lift.text ?? '—'} the share among all rows (${l.share.text})`,
          },
          h('span', { class: 'share-text' }, cell?.share.text ?? '—'),
          h('span', { class: 'lift' }, cell?.lift.text ?? '—'),
        );
        if (cell?.share.value != null) setVar(td, '--share', cell.share.value);
        return td;
      }),
      hasMissing ? h('td', { class: 'num' }, String(cc?.missing ?? 0)) : null,
    );
  });
  return h(
    'section',
    { class: 'category', data: { column: cat.name } },
    h('h3', null, cat.name, h('span', { class: 'note' }, ` · Cramér's V ${cat.separationText}${cat.role === 'descriptor' ? ` · ${NOT_CLUSTERED}` : cat.role === 'feature' ? ' · clustered (one-hot)' : ''}`)),
    h('div', { class: 'table-scroll' }, h('table', { class: 'grid categories' }, h('thead', null, head), h('tbody', null, all, ...rows))),
  );
}

function renderCategories(p: ProfileView): HTMLElement {
  const ordered = [...p.categories].sort((a, b) => (b.separation ?? -1) - (a.separation ?? -1) || a.index - b.index);
  return h(
    'div',
    { class: 'categories-view' },
    h('p', { class: 'note' }, 'Each cell: the level’s share among the cluster’s members with a value, and its lift (×1.8 = 1.8 times as common as among all rows). Columns with the highest Cramér’s V first.'),
    ...ordered.map((cat) => categoryTable(p, cat)),
  );
}

// ---------------------------------------------------------------------------
// Heat map

function toggleGroup<T extends string>(label: string, options: [T, string][], value: T, onChange: (v: T) => void): HTMLElement {
  const group = h('div', { class: 'toggle', attrs: { role: 'group', 'aria-label': label } }, h('span', { class: 'toggle-label' }, label));
  for (const [v, text] of options) {
    const b = h('button', { class: `seg${v === value ? ' on' : ''}`, attrs: { type: 'button', 'aria-pressed': String(v === value) }, data: { value: v } }, text);
    b.addEventListener('click', () => v !== value && onChange(v));
    group.append(b);
  }
  return group;
}

function heatCell(p: ProfileView, c: number, f: number): HTMLTableCellElement {
  const cell = p.heat[c][f];
  const td = h('td', { class: `cell${cell.sign > 0 ? ' pos' : cell.sign < 0 ? ' neg' : ''}${cell.z == null ? ' none' : ''}`, title: cell.title, data: { value: cell.valueText } }, cell.text);
  setVar(td, '--heat', cell.intensity.toFixed(3));
  return td;
}

function featureHeader(p: ProfileView, f: number, showSeparation: boolean, vertical: boolean): HTMLTableCellElement {
  const fv = p.features[f];
  const tip = `${fv.name}\nwhole data: mean ${fv.overallMean == null ? '—' : fv.overallMean.toPrecision(6)}, std ${fv.overallStd == null ? '—' : fv.overallStd.toPrecision(6)}\nseparation η² = ${fv.separationText}`;
  return h(
    'th',
    { class: `feat${vertical ? ' vertical' : ''}`, title: tip, attrs: { scope: vertical ? 'col' : 'row' }, data: { feature: fv.name } },
    h('span', { class: 'feat-name' }, fv.shortName),
    showSeparation ? h('span', { class: 'eta' }, `η² ${fv.separationText}`) : null,
  );
}

function clusterHeader(ctx: RenderContext, p: ProfileView, c: ClusterView, scope: 'row' | 'col'): HTMLTableCellElement {
  const th = h(
    'th',
    { class: 'clu', attrs: { scope }, title: `${clusterTitle(c)}\n${c.size.text} rows (${c.percentage.text})`, data: { cluster: c.key } },
    h('button', { class: 'link', attrs: { type: 'button' } }, scope === 'row' ? c.label : String(c.id)),
    c.name ? h('span', { class: 'segment-name' }, c.name) : null,
  );
  th.querySelector('button')!.addEventListener('click', () => showCluster(ctx, p, c.key));
  return th;
}

function heatTable(ctx: RenderContext, p: ProfileView, groups: FeatureGroupView[]): HTMLTableElement {
  const { state } = ctx;
  const showSep = state.sort === 'separation';
  const showGroups = groups.length > 1 || groups[0]?.key !== 'all';
  const table = h('table', { class: `heat orient-${state.orientation}` });
  table.append(h('caption', null, 'Cluster centers as z-scores against all rows (0 = the overall mean; ±1 = one standard deviation).'));
  if (state.orientation === 'clusters') {
    const thead = h('thead');
    if (showGroups) {
      const gr = h('tr', { class: 'groups' }, h('th', { class: 'corner' }));
      for (const g of groups) gr.append(h('th', { class: 'group', attrs: { colspan: g.features.length, scope: 'colgroup' }, title: g.label }, g.label));
      thead.append(gr);
    }
    const fr = h('tr', null, h('th', { class: 'corner' }, 'Cluster'));
    for (const g of groups) g.features.forEach((f, i) => fr.append(withGroupEdge(featureHeader(p, f, showSep, true), i)));
    thead.append(fr);
    const tbody = h('tbody');
    p.clusters.forEach((c, ci) => {
      const tr = h('tr', null, clusterHeader(ctx, p, c, 'row'));
      for (const g of groups) g.features.forEach((f, i) => tr.append(withGroupEdge(heatCell(p, ci, f), i)));
      tbody.append(tr);
    });
    table.append(thead, tbody);
  } else {
    const thead = h('thead', null, h('tr', null, h('th', { class: 'corner' }, 'Feature'), ...p.clusters.map((c) => clusterHeader(ctx, p, c, 'col'))));
    const tbody = h('tbody');
    for (const g of groups) {
      if (showGroups) tbody.append(h('tr', { class: 'group-row' }, h('th', { class: 'group', attrs: { colspan: p.clusters.length + 1, scope: 'rowgroup' } }, g.label)));
      for (const f of g.features) {
        const tr = h('tr', null, featureHeader(p, f, showSep, false));
        p.clusters.forEach((_, ci) => tr.append(heatCell(p, ci, f)));
        tbody.append(tr);
      }
    }
    table.append(thead, tbody);
  }
  return table;
}

function withGroupEdge<T extends HTMLElement>(el: T, indexInGroup: number): T {
  if (indexInGroup === 0) el.classList.add('group-start');
  return el;
}

function renderHeat(ctx: RenderContext, p: ProfileView, box: HTMLElement): void {
  const { state } = ctx;
  const redraw = () => renderHeat(ctx, p, box);
  const toolbar = h(
    'div',
    { class: 'toolbar' },
    toggleGroup('Order', [['csv', 'CSV order'], ['separation', 'By separation (η²)']], state.sort, (v) => {
      ctx.update({ sort: v });
      redraw();
    }),
    toggleGroup('Group', [['on', 'By prefix'], ['off', 'None']], state.grouped ? 'on' : 'off', (v) => {
      ctx.update({ grouped: v === 'on' });
      redraw();
    }),
    toggleGroup('Rows', [['clusters', 'Clusters'], ['features', 'Features']], state.orientation, (v) => {
      ctx.update({ orientation: v });
      redraw();
    }),
  );
  const scale = h('span', { class: 'scale', attrs: { 'aria-hidden': 'true' } });
  const legend = h(
    'p',
    { class: 'heat-legend' },
    h('span', { class: 'lo' }, `−${HEAT_Z_CAP}σ`),
    scale,
    h('span', { class: 'hi' }, `+${HEAT_Z_CAP}σ`),
    h('span', { class: 'legend-text' }, 'below ← overall mean → above. Each cell shows the z-score; hover for the center in original units. η²: share of a feature’s variance between clusters (1 = it alone separates them).'),
  );
  const groups = orderFeatures(p, state.sort, state.grouped);
  const hasHeat = p.features.some((f) => f.overallStd != null);
  box.replaceChildren(
    toolbar,
    legend,
    hasHeat ? h('div', { class: 'heat-scroll', attrs: { tabindex: 0, role: 'region', 'aria-label': 'Heat map' } }, heatTable(ctx, p, groups)) : callout('info', 'No heat map', ['The profile lacks the sizes or statistics needed to compare clusters with the whole data.']),
  );
}

// ---------------------------------------------------------------------------
// Clusters

const STAT_COLUMNS: [keyof StatRowView, string, string][] = [
  ['center', 'Center', 'the cluster center (GMM: component mean; FCM: fuzzy center; Neural: members’ mean)'],
  ['z', 'z', 'the center against all rows, in standard deviations'],
  ['mean', 'Mean', 'members’ mean'],
  ['median', 'Median', 'members’ median'],
  ['std', 'Std', 'members’ standard deviation (ddof 1)'],
  ['min', 'Min', 'smallest value among members'],
  ['q25', 'Q25', '25th percentile of members'],
  ['q75', 'Q75', '75th percentile of members'],
  ['max', 'Max', 'largest value among members'],
];

function statsTable(p: ProfileView, c: ClusterView, groups: FeatureGroupView[]): HTMLTableElement {
  const hasModel = c.stats.some((s) => s.modelStd != null);
  const cols = hasModel ? [...STAT_COLUMNS, ['modelStd', 'σ (model)', '√ of the mixture component’s variance, original units'] as [keyof StatRowView, string, string]] : STAT_COLUMNS;
  const head = h('tr', null, h('th', { class: 'name', attrs: { scope: 'col' } }, 'Feature'), ...cols.map(([, label, tip]) => h('th', { class: 'num', title: tip, attrs: { scope: 'col' } }, label)));
  const tbody = h('tbody');
  const showGroups = groups.length > 1;
  for (const g of groups) {
    if (showGroups) tbody.append(h('tr', { class: 'group-row' }, h('th', { class: 'group', attrs: { colspan: cols.length + 1, scope: 'rowgroup' } }, g.label)));
    for (const f of g.features) {
      const s = c.stats[f];
      const fv = p.features[f];
      const tr = h('tr', null, h('th', { class: 'name', title: fv.name, attrs: { scope: 'row' } }, fv.shortName));
      for (const [key] of cols) {
        const v = s[key] as { value: number | null; text: string } | null;
        const td = h('td', { class: `num${key === 'z' ? ' z' : ''}` }, v?.text ?? '—');
        if (key === 'z' && v?.value != null) {
          td.classList.add(v.value > 0 ? 'pos' : v.value < 0 ? 'neg' : 'zero');
          setVar(td, '--heat', Math.min(1, Math.abs(v.value) / HEAT_Z_CAP).toFixed(3));
        }
        tr.append(td);
      }
      tbody.append(tr);
    }
  }
  return h('table', { class: 'grid stats' }, h('caption', null, `Feature statistics of ${clusterTitle(c)}, original units`), h('thead', null, head), tbody);
}

function clusterCard(ctx: RenderContext, p: ProfileView, c: ClusterView, groups: FeatureGroupView[]): HTMLElement {
  const open = (ctx.state.openClusters[p.path] ?? []).includes(c.key);
  const summary = h(
    'summary',
    { title: `${clusterTitle(c)}: ${c.size.text} rows (${c.percentage.text})` },
    h('span', { class: 'card-title' }, h('span', { class: 'cluster-id' }, c.label), c.name ? h('span', { class: 'segment-name' }, c.name) : null),
    h('span', { class: 'card-size' }, `${c.size.text} rows · ${c.percentage.text}`),
    c.highlights.length
      ? h('span', { class: 'card-highlights' }, c.highlights.slice(0, 3).map((x) => `${x.z > 0 ? '▲' : '▼'} ${p.features[x.feature].name} ${formatZ(x.z)}`).join('   '))
      : null,
  );
  const card = h('details', { class: 'cluster-card', data: { cluster: c.key }, attrs: { open } }, summary);
  let filled = false;
  const fill = () => {
    if (filled) return;
    filled = true;
    const body = h('div', { class: 'card-body' });
    if (c.persona) {
      body.append(
        h(
          'section',
          { class: 'persona' },
          h('h3', null, 'Persona'),
          ...c.persona.paragraphs.map((t) => h('p', null, t)),
          c.persona.facts.length ? factList(c.persona.facts) : null,
        ),
      );
    }
    if (c.highlights.length) {
      body.append(
        h(
          'section',
          { class: 'highlights' },
          h('h3', null, 'Stands out by'),
          h('ul', { class: 'chips' }, ...c.highlights.map((x) => h('li', { class: `chip ${x.z > 0 ? 'pos' : 'neg'}`, title: p.features[x.feature].name }, `${x.z > 0 ? '▲' : '▼'} ${x.text}`))),
        ),
      );
    }
    if (c.diagnostics.length) body.append(h('div', { class: 'blocks' }, ...c.diagnostics.map((b) => factBlock(b, 'h4'))));
    if (c.categories.length) body.append(clusterCategories(p, c));
    body.append(h('div', { class: 'table-scroll' }, statsTable(p, c, groups)));
    if (c.descriptors.length) body.append(h('div', { class: 'table-scroll' }, descriptorTable(p, c)));
    card.append(body);
  };
  if (open) fill();
  card.addEventListener('toggle', () => {
    const isOpen = card.open;
    if (isOpen) fill();
    const list = new Set(ctx.state.openClusters[p.path] ?? []);
    if (isOpen === list.has(c.key)) return;
    if (isOpen) list.add(c.key);
    else list.delete(c.key);
    ctx.update({ openClusters: { ...ctx.state.openClusters, [p.path]: [...list] } });
  });
  return card;
}

/** The cluster's categorical columns: the levels more common here than overall, with share and lift, and the most common level. */
function clusterCategories(p: ProfileView, c: ClusterView): HTMLElement {
  const items = c.categories.map((cc) => {
    const cat = p.categories[cc.category];
    const text = cc.distinctive.length ? cc.distinctive.map((d) => d.text).join(', ') : 'no level more common than overall';
    return h(
      'li',
      { data: { column: cat.name } },
      h('span', { class: 'name' }, cat.name),
      cat.role === 'descriptor' ? h('span', { class: 'tag', title: 'not clustered: described per cluster only' }, NOT_CLUSTERED) : null,
      h('span', { class: 'levels' }, text),
      h('span', { class: 'note' }, cc.mode ? ` (most common: ${cc.mode})` : ' (no member has a value)'),
    );
  });
  return h('section', { class: 'cluster-categories' }, h('h3', null, 'Categories'), h('ul', { class: 'category-list' }, ...items));
}

const DESCRIPTOR_COLUMNS: [keyof StatisticsShown, string][] = [
  ['mean', 'Mean'],
  ['median', 'Median'],
  ['std', 'Std'],
  ['min', 'Min'],
  ['q25', 'Q25'],
  ['q75', 'Q75'],
  ['max', 'Max'],
];

function descriptorTable(p: ProfileView, c: ClusterView): HTMLTableElement {
  const head = h('tr', null, h('th', { class: 'name', attrs: { scope: 'col' } }, 'Column'), ...DESCRIPTOR_COLUMNS.map(([, label]) => h('th', { class: 'num', attrs: { scope: 'col' } }, label)), h('th', { class: 'num', attrs: { scope: 'col' } }, 'No value'));
  const rows = c.descriptors.map((row) =>
    h(
      'tr',
      null,
      h('th', { class: 'name', attrs: { scope: 'row' } }, p.descriptors[row.descriptor].name),
      ...DESCRIPTOR_COLUMNS.map(([key]) => h('td', { class: 'num' }, row[key].text)),
      h('td', { class: 'num' }, row.missing == null ? '—' : String(row.missing)),
    ),
  );
  return h('table', { class: 'grid stats descriptors' }, h('caption', null, `Numeric columns ${NOT_CLUSTERED}, over the members of ${clusterTitle(c)} with a value`), h('thead', null, head), h('tbody', null, ...rows));
}

function formatZ(z: number): string {
  const t = `${z > 0 ? '+' : '\u2212'}${Math.abs(z).toFixed(2)}σ`;
  return t;
}

function renderClusters(ctx: RenderContext, p: ProfileView): HTMLElement {
  const groups = orderFeatures(p, ctx.state.sort, ctx.state.grouped);
  const setAll = (open: boolean) => {
    ctx.update({ openClusters: { ...ctx.state.openClusters, [p.path]: open ? p.clusters.map((c) => c.key) : [] } });
    ctx.rerender();
  };
  const tools = h(
    'div',
    { class: 'toolbar' },
    linkButton('Expand all', 'Open every cluster card', () => setAll(true), 'seg'),
    linkButton('Collapse all', 'Close every cluster card', () => setAll(false), 'seg'),
    h('span', { class: 'note' }, 'Rows follow the heat map’s order and grouping.'),
  );
  return h('div', { class: 'clusters' }, tools, ...p.clusters.map((c) => clusterCard(ctx, p, c, groups)));
}

function showCluster(ctx: RenderContext, p: ProfileView, key: string): void {
  const open = new Set(ctx.state.openClusters[p.path] ?? []);
  open.add(key);
  ctx.update({ tab: 'clusters', openClusters: { ...ctx.state.openClusters, [p.path]: [...open] } });
  ctx.rerender();
  requestAnimationFrame(() => document.querySelector(`.cluster-card[data-cluster="${CSS.escape(key)}"]`)?.scrollIntoView({ block: 'start' }));
}

// ---------------------------------------------------------------------------
// Compare

function renderCompare(ctx: RenderContext, comparisons: ComparisonView[]): HTMLElement {
  const box = h('div', { class: 'compare' });
  for (const cmp of comparisons) {
    box.append(h('h2', null, `Profiles of ${cmp.dataFile}`));
    if (cmp.notes.length) box.append(callout('info', 'Note', cmp.notes));
    const profiles = cmp.profiles.map((i) => ctx.model.profiles[i]);
    const colHead = (withLabel: string) =>
      h(
        'tr',
        null,
        h('th', { class: 'name', attrs: { scope: 'col' } }, withLabel),
        ...profiles.map((p, i) => {
          const th = h('th', { class: 'num', title: p.path, attrs: { scope: 'col' } });
          th.append(linkButton(cmp.labels[i], `Show ${p.path}`, () => {
            ctx.update({ current: p.path, tab: 'overview' });
            ctx.rerender();
          }));
          return th;
        }),
      );
    const mt = h('table', { class: 'grid compare-metrics' }, h('caption', null, 'Headline metrics (★ best of these profiles where the direction is known)'), h('thead', null, colHead('Metric')));
    const mb = h('tbody');
    for (const row of cmp.metrics) {
      mb.append(
        h(
          'tr',
          null,
          h('th', { class: 'name', title: row.hint, attrs: { scope: 'row' } }, h('span', null, row.label), h('span', { class: 'hint' }, row.hint)),
          ...row.values.map((v, i) => h('td', { class: `num${row.best.includes(i) ? ' best' : ''}` }, v.text, row.best.includes(i) ? h('span', { class: 'star', title: 'best of these profiles' }, ' ★') : null)),
        ),
      );
    }
    mt.append(mb);
    box.append(mt);

    box.append(h('h3', null, 'Cluster sizes, largest first'));
    const stacks = h('div', { class: 'stacks' });
    profiles.forEach((p, i) => {
      const bar = h('div', { class: 'stack', attrs: { role: 'img', 'aria-label': `${cmp.labels[i]}: ${p.clusters.map((c) => `${c.label} ${c.percentage.text}`).join(', ')}` } });
      p.clusters.forEach((c, j) => {
        const seg = h('span', { class: `seg-${j % 8}`, title: `${clusterTitle(c)}: ${c.size.text} rows (${c.percentage.text})` }, c.share >= 0.08 ? c.percentage.text : '');
        setVar(seg, '--share', cmp.shares[i][j]);
        bar.append(seg);
      });
      stacks.append(h('div', { class: 'stack-row' }, h('span', { class: 'stack-label', title: p.path }, cmp.labels[i]), bar));
    });
    box.append(stacks);
    const st = h('table', { class: 'grid compare-sizes' }, h('thead', null, colHead('Cluster')));
    const sb = h('tbody');
    cmp.sizes.forEach((row, r) => sb.append(h('tr', null, h('th', { class: 'name', attrs: { scope: 'row' } }, `Cluster ${r}`), ...row.map((v) => h('td', { class: 'num' }, v?.text ?? '—')))));
    st.append(sb);
    box.append(st);
  }
  return box;
}

function showProfile(ctx: RenderContext, path: string): void {
  ctx.update({ current: path, tab: 'overview' });
  ctx.rerender();
}

// ---------------------------------------------------------------------------
// The page

export function render(root: HTMLElement, ctx: RenderContext): void {
  const { model, state } = ctx;
  const parts: Child[] = [];
  if (model.messages.length) parts.push(callout('info', 'Nothing to show yet', model.messages));
  const p = currentProfile(model, state);
  if (!p) {
    root.replaceChildren(...(parts.filter(Boolean) as Node[]));
    return;
  }
  parts.push(renderSwitcher(ctx, p));
  if (p.status === 'error') {
    parts.push(
      callout('error', `${p.fileName} cannot be shown`, [...p.errors, ...p.problems]),
      h('p', null, linkButton(`Open ${p.fileName}`, p.path, () => ctx.openFile(p.path))),
    );
    root.replaceChildren(...(parts.filter(Boolean) as Node[]));
    return;
  }
  parts.push(renderHeader(ctx, p));
  if (p.header.warnings.length) parts.push(callout('warning', 'Warnings from the run', p.header.warnings));
  if (p.problems.length) parts.push(callout('warning', `This profile has ${p.problems.length === 1 ? 'a problem' : `${p.problems.length} problems`} (shown as far as possible)`, p.problems, 4));

  const comparisons = ctx.model.comparisons.filter((c) => c.profiles.includes(ctx.model.profiles.indexOf(p)));
  const scoredPairs = ctx.model.scored.filter((c) => c.training === ctx.model.profiles.indexOf(p) || c.scored === ctx.model.profiles.indexOf(p));
  const compare = comparisons.length > 0 || scoredPairs.length > 0;
  const tabs: PanelTab[] = ['overview', 'heatmap', ...(p.categories.length ? (['categories'] as PanelTab[]) : []), 'clusters', ...(compare ? (['compare'] as PanelTab[]) : [])];
  const tab = tabs.includes(state.tab) ? state.tab : 'overview';
  const tabsEl = h('vscode-tabs', { class: 'tabs', attrs: { 'selected-index': tabs.indexOf(tab) } });
  for (const t of tabs) {
    const header = h('vscode-tab-header', { attrs: { slot: 'header' }, data: { tab: t } }, TAB_LABELS[t]);
    if (t === 'clusters') header.append(h('vscode-badge', { attrs: { variant: 'counter', slot: 'content-after' } }, String(p.clusters.length)));
    tabsEl.append(header);
  }
  for (const t of tabs) {
    const panel = h('vscode-tab-panel', { data: { tab: t } });
    if (t === 'overview') panel.append(renderOverview(ctx, p));
    if (t === 'heatmap') {
      const box = h('div', { class: 'heatmap' });
      renderHeat(ctx, p, box);
      panel.append(box);
    }
    if (t === 'categories') panel.append(renderCategories(p));
    if (t === 'clusters') panel.append(renderClusters(ctx, p));
    if (t === 'compare') {
      // A scored profile beside its training profile first (webview/scoredCompare.ts), then the metrics of the data file's profiles.
      if (scoredPairs.length) panel.append(renderScoredComparisons({ showProfile: (i) => showProfile(ctx, ctx.model.profiles[i].path) }, scoredPairs));
      if (comparisons.length) panel.append(renderCompare(ctx, comparisons));
    }
    tabsEl.append(panel);
  }
  tabsEl.addEventListener('vsc-tabs-select', (e) => {
    const i = (e as CustomEvent<{ selectedIndex: number }>).detail.selectedIndex;
    if (tabs[i]) ctx.update({ tab: tabs[i] });
  });
  parts.push(tabsEl);
  root.replaceChildren(...(parts.filter(Boolean) as Node[]));
}
