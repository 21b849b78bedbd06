/**
 * The Policy Violations panel's script. It runs in the webview (no Node, no `vscode`),
 * talks to the extension host only through the typed messages of panelProtocol.ts (ready
 * handshake, then request/reply), keeps its URL-like state with setState, and never puts
 * a string from a resource or a pack into HTML (see dom.ts).
 */
import './violations.css';
import type { ExportFormat, PanelAggregates, PanelQueryResult, PanelRow, PanelState, RowGroup, SortColumn } from '../../../server/src/shared/panelProtocol';
import { COLUMNS } from './columns';
import { DetailPane } from './detailPane';
import { count, h } from './dom';
import { FilterBar } from './filterBar';
import { HostChannel, type HostPush } from './hostChannel';
import { cleanFilter, cleanState } from './panelState';
import { SummaryBar } from './summaryBar';
import { ViolationTable } from './violationTable';
import { errorMessage } from '../../../server/src/shared/errors';

/**
 * Rows per page request: more than a tall screenful plus overscan (a row is 26 px), and
 * small, because every row crosses two process boundaries on its way here.
 */
const PAGE = 60;

const api = acquireVsCodeApi();
let state: PanelState = cleanState(api.getState());
let started = false;

/** The current result: total and groups from the last query, rows by index as pages arrive. */
let generation = 0;
let total = 0;
let groups: RowGroup[] = [];
const rows = new Map<number, PanelRow>();
const pages = new Set<number>();
let queriesApplied = 0;

const channel = new HostChannel(api, onPush);

function saveState(): void {
    api.setState(state);
    channel.post({ type: 'state', state });
}

const banner = h('div', { class: 'banner', attrs: { role: 'alert', hidden: true } });
const live = h('div', { class: 'visually-hidden', attrs: { id: 'live-status', role: 'status', 'aria-live': 'polite' } });
const resultInfo = h('span', { class: 'result-info' });

function showError(message: string | undefined): void {
    banner.hidden = !message;
    banner.textContent = message ?? '';
}

const summary = new SummaryBar();
const filterBar = new FilterBar({
    onFilter(filter) {
        state = { ...state, filter, scrollOffset: 0 };
        table.scrollTo(0);
        // The query first: its request leaves before the state bookkeeping.
        void runQuery();
        saveState();
    },
    onGroupBy(groupBy) {
        state = { ...state, groupBy, collapsedGroups: [], scrollOffset: 0 };
        table.scrollTo(0);
        void runQuery();
        saveState();
    },
    onExport: (format) => void exportViolations(format),
});

const table = new ViolationTable({
    onSort(column: SortColumn) {
        const same = state.sort.column === column;
        const first = COLUMNS.find((c) => c.id === column)?.firstDirection ?? 'asc';
        state = { ...state, sort: { column, direction: same ? (state.sort.direction === 'asc' ? 'desc' : 'asc') : first } };
        table.setSort(state.sort);
        table.scrollTo(0);
        void runQuery();
        saveState();
    },
    onSelect: (id) => void select(id),
    onToggleGroup(key) {
        const collapsed = new Set(state.collapsedGroups ?? []);
        if (collapsed.has(key)) collapsed.delete(key);
        else collapsed.add(key);
        state = { ...state, collapsedGroups: [...collapsed] };
        saveState();
        applyTableData();
    },
    onVisibleRows: (start, end) => loadRows(start, end),
    onScroll(offset) {
        state.scrollOffset = Math.round(offset);
        scheduleStateSave();
    },
});

let saveTimer: number | undefined;
function scheduleStateSave(): void {
    window.clearTimeout(saveTimer);
    saveTimer = window.setTimeout(() => api.setState(state), 200);
}

const detail = new DetailPane({
    async onTriage(params) {
        try {
            await channel.request('triage', params);
            live.textContent = 'Triage saved.';
            // After the refresh: showing the reloaded violation clears the pane's status line.
            await Promise.all([runQuery(), select(params.id)]);
            detail.say('Triage saved.');
        } catch (err) {
            detail.say(errorMessage(err), true);
        }
    },
    async onSuppress(params) {
        try {
            await channel.request('suppress', params);
            await Promise.all([runQuery(), select(params.id)]);
            detail.say(params.remove ? 'Suppression removed.' : 'Suppressed.');
        } catch (err) {
            detail.say(errorMessage(err), true);
        }
    },
    onOpenResource: (id) => channel.post({ type: 'openResource', id }),
    onOpenSource: (position) => channel.post({ type: 'openSource', position }),
    onOpenLink: (url) => channel.post({ type: 'openLink', url }),
    onClose() {
        state = { ...state, selectedId: undefined };
        saveState();
        detail.hide();
        table.setSelected(undefined);
    },
});


function applyTableData(): void {
    table.setData({ total, groups, groupBy: state.groupBy, collapsed: new Set(state.collapsedGroups ?? []), row: (i) => rows.get(i) });
}

function storeRows(result: PanelQueryResult): void {
    result.rows.forEach((row, i) => rows.set(result.offset + i, row));
}

/** Asks the server for the pages of rows [start, end) not loaded or on their way yet. */
function loadRows(start: number, end: number): void {
    const asked = generation;
    for (let page = Math.floor(start / PAGE); page * PAGE < end; page++) {
        if (pages.has(page)) continue;
        pages.add(page);
        channel
            .request('query', { filter: state.filter, sort: state.sort, groupBy: state.groupBy, offset: page * PAGE, limit: PAGE, withAggregates: false })
            .then((result) => {
                if (asked !== generation) return;
                storeRows(result);
                table.refreshRows();
            })
            .catch((err) => {
                if (asked === generation) pages.delete(page);
                showError(errorMessage(err));
            });
    }
}

/** Runs the filter: first rows, total, groups, facets, summary and trend in one request. */
async function runQuery(): Promise<void> {
    const asked = ++generation;
    document.body.setAttribute('aria-busy', 'true');
    let result: PanelQueryResult;
    try {
        result = await channel.request('query', { filter: state.filter, sort: state.sort, groupBy: state.groupBy, offset: 0, limit: PAGE, withAggregates: true });
    } catch (err) {
        if (asked === generation) {
            showError(errorMessage(err));
            document.body.removeAttribute('aria-busy');
        }
        return;
    }
    if (asked !== generation) return;
    showError(undefined);
    rows.clear();
    pages.clear();
    pages.add(0);
    storeRows(result);
    total = result.total;
    groups = result.groups;
    applyAggregates(result.aggregates);
    applyTableData();
    resultInfo.textContent = `${count(total)} ${total === 1 ? 'violation' : 'violations'}`;
    live.textContent = `${count(total)} violations match.`;
    document.body.removeAttribute('aria-busy');
    document.body.dataset.queries = String(++queriesApplied);
}

function applyAggregates(aggregates: PanelAggregates | undefined): void {
    if (!aggregates) return;
    summary.update(aggregates);
    filterBar.setAggregates(aggregates);
}

async function select(id: string): Promise<void> {
    if (state.selectedId !== id) {
        state = { ...state, selectedId: id };
        saveState();
        detail.showLoading();
    }
    table.setSelected(id);
    try {
        const result = await channel.request('detail', { id });
        if (state.selectedId === id) detail.show(result);
    } catch (err) {
        if (state.selectedId === id) detail.showError(errorMessage(err));
    }
}

async function exportViolations(format: ExportFormat): Promise<void> {
    live.textContent = `Exporting ${format.toUpperCase()}\u2026`;
    try {
        const result = await channel.request('export', { filter: state.filter, sort: state.sort, format });
        live.textContent = result.path ? `Exported ${count(result.count)} violations to ${result.path}.` : 'Export cancelled.';
    } catch (err) {
        showError(`Export failed: ${errorMessage(err)}`);
    }
}

function start(): void {
    if (started) return;
    started = true;
    filterBar.set(state.filter);
    filterBar.setGroupBy(state.groupBy);
    table.setSort(state.sort);
    table.mount();
    void runQuery().then(() => {
        if (state.scrollOffset) table.scrollTo(state.scrollOffset);
    });
    if (state.selectedId) void select(state.selectedId);
}

function onPush(message: HostPush): void {
    switch (message.type) {
        case 'init': {
            // The webview's own state wins (it is the newest); the serializer's is for a webview that lost it.
            if (!api.getState() && message.state) state = cleanState(message.state);
            if (message.filter) state = { ...state, filter: cleanFilter(message.filter), scrollOffset: 0 };
            api.setState(state);
            start();
            break;
        }
        case 'setFilter':
            state = { ...state, filter: cleanFilter(message.filter), scrollOffset: 0 };
            saveState();
            filterBar.set(state.filter);
            table.scrollTo(0);
            void runQuery();
            break;
        case 'storeChanged':
            void runQuery();
            if (state.selectedId) void select(state.selectedId);
            break;
    }
}

document.body.append(
    h(
        'main',
        { class: 'panel' },
        h('header', { class: 'top' }, summary.element, filterBar.element),
        banner,
        h('div', { class: 'content' }, h('div', { class: 'table-area' }, h('div', { class: 'table-caption' }, resultInfo), table.element), detail.element),
        live,
    ),
);
document.addEventListener('keydown', (e) => {
    if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'f') {
        e.preventDefault();
        filterBar.focusSearch();
    }
});
channel.post({ type: 'ready' });
