/**
 * The compare tab's section for a profile of scored rows beside the training
 * profile of its model (ScoredComparisonView): the rows of each, then one
 * table per cluster of sizes and shares, feature means and their difference,
 * and categorical shares. Every name and value is text (dom.ts).
 */
import type { ClusterShiftView, ScoredComparisonView } from '../src/shared/profile';
import { h, linkButton } from './dom';

export interface ScoredCompareContext {
  /** Brings a profile to the front (its overview). */
  showProfile(index: number): void;
}

export function renderScoredComparisons(ctx: ScoredCompareContext, comparisons: ScoredComparisonView[]): HTMLElement {
  const box = h('div', { class: 'scored-compare' });
  for (const cmp of comparisons) {
    const section = h('section', { class: 'scored-pair', attrs: { 'aria-label': `Training and scored rows of ${cmp.model}` } });
    section.append(
      h('h2', null, `Training and scored rows of ${cmp.model}`),
      h(
        'p',
        { class: 'note' },
        'Training: ',
        linkButton(cmp.trainingLabel, 'Show the training profile', () => ctx.showProfile(cmp.training)),
        ` (${cmp.trainingData ?? 'unknown data file'}, ${cmp.rows.training.text} rows) · scored: `,
        linkButton(cmp.scoredLabel, 'Show the scored profile', () => ctx.showProfile(cmp.scored)),
        ` (${cmp.scoredData ?? 'unknown data file'}, ${cmp.rows.scored.text} rows)`,
      ),
    );
    for (const note of cmp.notes) section.append(h('p', { class: 'note' }, note));
    section.append(sizesTable(cmp));
    for (const c of cmp.clusters) section.append(clusterTable(c));
    box.append(section);
  }
  return box;
}

function sizesTable(cmp: ScoredComparisonView): HTMLElement {
  const head = h('tr', null, ...['Cluster', 'Training rows', 'Training share', 'Scored rows', 'Scored share', 'Change'].map((x, i) => h('th', { class: i ? 'num' : 'name', attrs: { scope: 'col' } }, x)));
  const body = h('tbody');
  for (const c of cmp.clusters) {
    body.append(
      h(
        'tr',
        { data: { cluster: c.key } },
        h('th', { class: 'name', attrs: { scope: 'row' } }, c.label),
        h('td', { class: 'num' }, c.size.training.text),
        h('td', { class: 'num' }, c.share.training.text),
        h('td', { class: 'num' }, c.size.scored.text),
        h('td', { class: 'num' }, c.share.scored.text),
        h('td', { class: `num ${changeClass(c.shareChange.value)}` }, c.shareChange.text),
      ),
    );
  }
  return h('table', { class: 'grid scored-sizes' }, h('caption', null, 'Cluster sizes: training and scored rows (change in percentage points)'), h('thead', null, head), body);
}

function clusterTable(c: ClusterShiftView): HTMLElement {
  const card = h('section', { class: 'scored-cluster', data: { cluster: c.key } }, h('h3', null, `${c.label}: ${c.share.training.text} → ${c.share.scored.text} (${c.shareChange.text})`));
  const head = h('tr', null, ...['Feature', 'Center', 'Training mean', 'Scored mean', 'Difference'].map((x, i) => h('th', { class: i ? 'num' : 'name', attrs: { scope: 'col' } }, x)));
  const body = h('tbody');
  for (const f of c.features) {
    body.append(
      h(
        'tr',
        null,
        h('th', { class: 'name', attrs: { scope: 'row' } }, f.name),
        h('td', { class: 'num' }, f.center.text),
        h('td', { class: 'num' }, f.training.text),
        h('td', { class: 'num' }, f.scored.text),
        h('td', { class: `num ${changeClass(f.difference.value)}` }, f.difference.text),
      ),
    );
  }
  card.append(h('table', { class: 'grid scored-features' }, h('caption', null, `${c.label}: members' feature means (original units)`), h('thead', null, head), body));
  if (c.categories.length) {
    const catHead = h('tr', null, ...['Column', 'Level', 'Training share', 'Scored share', 'Change'].map((x, i) => h('th', { class: i > 1 ? 'num' : 'name', attrs: { scope: 'col' } }, x)));
    const catBody = h('tbody');
    for (const category of c.categories) {
      category.levels.forEach((level, i) => {
        catBody.append(
          h(
            'tr',
            null,
            i === 0 ? h('th', { class: 'name', attrs: { scope: 'rowgroup', rowspan: category.levels.length } }, category.column) : null,
            h('td', { class: 'name' }, level.level),
            h('td', { class: 'num' }, level.training.text),
            h('td', { class: 'num' }, level.scored.text),
            h('td', { class: `num ${changeClass(level.change.value)}` }, level.change.text),
          ),
        );
      });
    }
    card.append(h('table', { class: 'grid scored-categories' }, h('caption', null, `${c.label}: categorical shares of the members`), h('thead', null, catHead), catBody));
  }
  return card;
}

/** Up or down, for the colour; the sign is in the text too. */
function changeClass(value: number | null): string {
  return value === null || value === 0 ? '' : value > 0 ? 'up' : 'down';
}
