/** The summary row: open violations under the filter by enforcement level and severity, and the trend chart. */
import { ENFORCEMENT_LEVELS_WEAKEST_FIRST, SEVERITIES, type Severity } from '../../../server/src/shared/model';
import type { PanelAggregates } from '../../../server/src/shared/panelProtocol';
import { count, h } from './dom';
import { trendChart } from './trendChart';

/** Strongest first. */
const LEVEL_ORDER = [...ENFORCEMENT_LEVELS_WEAKEST_FIRST].reverse();
/** Most severe first, then the violations without one. */
const SEVERITY_ORDER: (Severity | 'none')[] = [...[...SEVERITIES].reverse(), 'none'];

export class SummaryBar {
    readonly element: HTMLElement;

    constructor() {
        this.element = h('section', { class: 'summary', attrs: { 'aria-label': 'Summary' } });
    }

    update(aggregates: PanelAggregates): void {
        const { summary, trend } = aggregates;
        const stat = (label: string, n: number | undefined, cls: string) =>
            h('span', { class: `stat ${cls}`, attrs: { title: `${count(n ?? 0)} ${label}` } }, h('span', { class: 'stat-value' }, count(n ?? 0)), h('span', { class: 'stat-label' }, label));
        this.element.replaceChildren(
            h('div', { class: 'stat-total' }, h('span', { class: 'stat-value big' }, count(summary.open)), h('span', { class: 'stat-label' }, summary.open === 1 ? 'open violation' : 'open violations')),
            h('div', { class: 'stat-group', attrs: { role: 'group', 'aria-label': 'Open by enforcement level' } }, ...LEVEL_ORDER.filter((l) => summary.byLevel[l] || l !== 'disabled').map((l) => stat(l, summary.byLevel[l], `level-${l}`))),
            h('div', { class: 'stat-group', attrs: { role: 'group', 'aria-label': 'Open by severity' } }, ...SEVERITY_ORDER.filter((s) => summary.bySeverity[s] || s !== 'none').map((s) => stat(s === 'none' ? 'no severity' : s, summary.bySeverity[s], `severity-${s}`))),
            h('div', { class: 'trend-box' }, trendChart(trend), h('span', { class: 'stat-label' }, `open per day, last ${trend.length} days`)),
        );
    }
}
