/**
 * The violations table: an ARIA grid, virtualized with @tanstack/virtual-core so only the
 * visible rows exist in the DOM (and only their page of data was sent by the server).
 * Keyboard: the grid takes focus; arrows, Page Up/Down, Home/End move the active row,
 * Enter or Space opens it in the detail pane, Left/Right collapse/expand a group.
 */
import { elementScroll, observeElementOffset, observeElementRect, Virtualizer } from '@tanstack/virtual-core';
import type { GroupBy, PanelRow, PanelSort, RowGroup, SortColumn } from '../../../server/src/shared/panelProtocol';
import { COLUMNS, columnsThatFit, GRID_TEMPLATE, gridTemplate, GROUP_LABELS } from './columns';
import { count, h } from './dom';

const ROW_HEIGHT = 26;

export interface TableEvents {
    onSort(column: SortColumn): void;
    onSelect(id: string): void;
    onToggleGroup(key: string): void;
    /** Rows [start, end) are visible (plus overscan) and should be loaded. */
    onVisibleRows(start: number, end: number): void;
    onScroll(offset: number): void;
}

export interface TableData {
    total: number;
    groups: RowGroup[];
    groupBy: GroupBy;
    collapsed: ReadonlySet<string>;
    row(index: number): PanelRow | undefined;
}

export class ViolationTable {
    readonly element: HTMLElement;
    private readonly header: HTMLElement;
    private readonly scroller: HTMLElement;
    private readonly body: HTMLElement;
    private readonly empty: HTMLElement;
    private readonly virtualizer: Virtualizer<HTMLElement, HTMLElement>;
    private data: TableData = { total: 0, groups: [], groupBy: 'none', collapsed: new Set(), row: () => undefined };
    /** Item index -> row index (>= 0) or -(group index + 1) for a group header. Undefined: items are rows. */
    private items: Int32Array | undefined;
    private itemCount = 0;
    private active = -1;
    private selectedId: string | undefined;
    private sort: PanelSort = { column: 'lastSeenAt', direction: 'desc' };
    /** Rendered item nodes by key (see render). */
    private nodes = new Map<string, HTMLElement>();
    /** Focus that comes with a click selects the clicked row, not the first visible one. */
    private pointerDown = false;

    constructor(private readonly events: TableEvents) {
        this.header = h('div', { class: 'grid-row grid-header', attrs: { role: 'row', 'aria-rowindex': 1 } });
        this.body = h('div', { class: 'grid-body', attrs: { role: 'rowgroup' } });
        this.empty = h('div', { class: 'grid-empty', attrs: { hidden: true } }, 'No violations match the filter.');
        this.scroller = h('div', { class: 'grid-scroll' }, this.body, this.empty);
        this.element = h(
            'div',
            {
                class: 'grid',
                attrs: { role: 'grid', tabindex: 0, 'aria-label': 'Policy violations', 'aria-colcount': COLUMNS.length, 'aria-multiselectable': 'false' },
                on: {
                    keydown: (e) => this.onKey(e),
                    focus: () => this.onFocus(),
                    mousedown: () => {
                        this.pointerDown = true;
                    },
                },
            },
            h('div', { class: 'grid-head', attrs: { role: 'rowgroup' } }, this.header),
            this.scroller,
        );
        this.element.style.setProperty('--grid-template', GRID_TEMPLATE);
        this.virtualizer = new Virtualizer<HTMLElement, HTMLElement>({
            count: 0,
            getScrollElement: () => this.scroller,
            estimateSize: () => ROW_HEIGHT,
            scrollToFn: elementScroll,
            observeElementRect,
            observeElementOffset,
            overscan: 12,
            onChange: () => this.render(),
        });
        this.renderHeader();
    }

    /** Starts observing the scroller; call once the element is in the document. */
    mount(): void {
        new ResizeObserver(() => this.fitColumns()).observe(this.element);
        this.fitColumns();
        this.virtualizer._didMount();
        this.virtualizer._willUpdate();
        this.scroller.addEventListener('scroll', () => this.events.onScroll(this.scroller.scrollTop), { passive: true });
    }

    /**
     * Hides the least needed columns when the table is narrower than every column's minimum
     * (the detail pane is open, the editor is split): clipped columns would show half a
     * header and no values. Row padding (16 px each side) and column gaps (8 px) are the CSS's.
     */
    private fitColumns(): void {
        const width = this.element.clientWidth;
        if (width === 0) return;
        const emPx = parseFloat(getComputedStyle(this.element).fontSize) || 13;
        const shown = columnsThatFit(width, emPx, 8, 32);
        const template = gridTemplate(shown);
        if (this.element.style.getPropertyValue('--grid-template') === template) return;
        this.element.style.setProperty('--grid-template', template);
        for (const c of COLUMNS) this.element.classList.toggle(`hide-${c.id}`, !shown.includes(c));
    }

    scrollTo(offset: number): void {
        this.virtualizer.scrollToOffset(offset);
    }

    setSort(sort: PanelSort): void {
        this.sort = sort;
        this.renderHeader();
    }

    setSelected(id: string | undefined): void {
        this.selectedId = id;
        this.render();
    }

    /** New result: total, groups and collapsed groups define the items; rows arrive by page. */
    setData(data: TableData): void {
        this.data = data;
        if (data.groupBy === 'none' || data.groups.length === 0) {
            this.items = undefined;
            this.itemCount = data.total;
        } else {
            let n = 0;
            for (const g of data.groups) n += 1 + (data.collapsed.has(g.key) ? 0 : g.count);
            const items = new Int32Array(n);
            let k = 0;
            data.groups.forEach((g, gi) => {
                items[k++] = -(gi + 1);
                if (data.collapsed.has(g.key)) return;
                for (let r = 0; r < g.count; r++) items[k++] = g.start + r;
            });
            this.items = items;
            this.itemCount = n;
        }
        if (this.active >= this.itemCount) this.active = this.itemCount - 1;
        this.element.setAttribute('aria-rowcount', String(this.itemCount + 1));
        this.empty.hidden = data.total > 0;
        this.nodes.clear();
        this.virtualizer.setOptions({ ...this.virtualizer.options, count: this.itemCount });
        this.virtualizer._willUpdate();
        this.virtualizer.measure();
        this.render();
    }

    /** Rows arrived for part of the result: redraw what is visible. */
    refreshRows(): void {
        this.render();
    }

    /** Item index of the row with `id`, if loaded. */
    private itemOfRow(rowIndex: number): number {
        if (!this.items) return rowIndex;
        return this.items.indexOf(rowIndex);
    }

    private rowOfItem(item: number): number {
        return this.items ? this.items[item] : item;
    }

    private renderHeader(): void {
        this.header.replaceChildren(
            ...COLUMNS.map((c, i) => {
                const sorted = this.sort.column === c.id;
                const direction = sorted ? (this.sort.direction === 'asc' ? 'ascending' : 'descending') : 'none';
                return h(
                    'div',
                    { class: `grid-cell header-cell col-${c.id}`, attrs: { role: 'columnheader', 'aria-sort': direction, 'aria-colindex': i + 1 } },
                    h(
                        'button',
                        { class: 'sort-button', attrs: { type: 'button', 'data-column': c.id, title: `Sort by ${c.title.toLowerCase()}` }, on: { click: () => this.events.onSort(c.id) } },
                        c.title,
                        sorted ? h('span', { class: 'sort-indicator', attrs: { 'aria-hidden': 'true' } }, this.sort.direction === 'asc' ? ' \u25B2' : ' \u25BC') : null,
                    ),
                );
            }),
        );
    }

    private render(): void {
        const virtualItems = this.virtualizer.getVirtualItems();
        this.body.style.height = `${this.virtualizer.getTotalSize()}px`;
        // Rows are reused by key: a row replaced between mousedown and mouseup would lose its click.
        const next = new Map<string, HTMLElement>();
        const nodes: HTMLElement[] = [];
        let firstRow = Number.MAX_SAFE_INTEGER;
        let lastRow = -1;
        for (const item of virtualItems) {
            const value = this.rowOfItem(item.index);
            const group = value < 0 ? this.data.groups[-value - 1] : undefined;
            const row = value >= 0 ? this.data.row(value) : undefined;
            const key = group ? `g:${item.index}:${group.key}:${this.data.collapsed.has(group.key)}` : row ? `r:${item.index}:${row.id}` : `l:${item.index}`;
            let node = this.nodes.get(key);
            if (!node) node = group ? this.groupNode(item.index, group) : this.rowNode(item.index, value);
            node.style.transform = `translateY(${item.start}px)`;
            node.classList.toggle('active', item.index === this.active);
            if (row) {
                const selected = row.id === this.selectedId;
                node.classList.toggle('selected', selected);
                node.setAttribute('aria-selected', selected ? 'true' : 'false');
            }
            next.set(key, node);
            nodes.push(node);
            if (value >= 0) {
                firstRow = Math.min(firstRow, value);
                lastRow = Math.max(lastRow, value);
            }
        }
        let cursor = this.body.firstChild;
        for (const node of nodes) {
            if (node === cursor) cursor = cursor.nextSibling;
            else this.body.insertBefore(node, cursor);
        }
        while (cursor) {
            const stale = cursor;
            cursor = cursor.nextSibling;
            stale.remove();
        }
        this.nodes = next;
        if (this.active >= 0 && this.element.contains(document.getElementById(`item-${this.active}`))) this.element.setAttribute('aria-activedescendant', `item-${this.active}`);
        else this.element.removeAttribute('aria-activedescendant');
        if (lastRow >= 0) this.events.onVisibleRows(firstRow, lastRow + 1);
    }

    private rowNode(item: number, rowIndex: number): HTMLElement {
        const row = this.data.row(rowIndex);
        const attrs = { role: 'row', id: `item-${item}`, 'aria-rowindex': item + 2 };
        if (!row) {
            return h('div', { class: 'grid-row loading', attrs: { ...attrs, 'aria-busy': 'true' } }, h('div', { class: 'grid-cell', attrs: { role: 'gridcell' } }, 'Loading\u2026'));
        }
        const classes = ['grid-row', 'violation-row', `level-${row.level}`];
        if (row.status === 'fixed') classes.push('fixed');
        return h(
            'div',
            {
                class: classes.join(' '),
                attrs: { ...attrs, 'data-id': row.id },
                on: {
                    click: () => {
                        this.active = item;
                        this.events.onSelect(row.id);
                        this.element.focus({ preventScroll: true });
                    },
                },
            },
            ...COLUMNS.map((c, i) => {
                const text = c.text(row);
                const cell = h('div', { class: `grid-cell col-${c.id}`, attrs: { role: 'gridcell', 'aria-colindex': i + 1, title: text } });
                if (c.id === 'severity' && row.severity) cell.append(h('span', { class: `severity-dot severity-${row.severity}`, attrs: { 'aria-hidden': 'true' } }));
                cell.append(text);
                return cell;
            }),
        );
    }

    private groupNode(item: number, group: RowGroup): HTMLElement {
        const collapsed = this.data.collapsed.has(group.key);
        const label = `${GROUP_LABELS[this.data.groupBy]}: ${group.key}`;
        return h(
            'div',
            {
                class: 'grid-row group-row',
                attrs: { role: 'row', id: `item-${item}`, 'aria-rowindex': item + 2, 'aria-expanded': collapsed ? 'false' : 'true', 'data-group': group.key },
                on: {
                    click: () => {
                        this.active = item;
                        this.events.onToggleGroup(group.key);
                        this.element.focus({ preventScroll: true });
                    },
                },
            },
            h(
                'div',
                { class: 'grid-cell group-cell', attrs: { role: 'gridcell', 'aria-colspan': COLUMNS.length } },
                h('span', { class: 'twistie', attrs: { 'aria-hidden': 'true' } }, collapsed ? '\u25B8' : '\u25BE'),
                h('span', { class: 'group-label' }, label),
                h('span', { class: 'badge' }, count(group.count)),
            ),
        );
    }

    private onFocus(): void {
        const fromPointer = this.pointerDown;
        this.pointerDown = false;
        if (!fromPointer && this.active < 0 && this.itemCount > 0) this.moveTo(this.firstVisibleItem());
    }

    private firstVisibleItem(): number {
        return this.virtualizer.getVirtualItems().find((v) => v.start >= (this.virtualizer.scrollOffset ?? 0))?.index ?? 0;
    }

    private moveTo(item: number): void {
        if (this.itemCount === 0) return;
        this.active = Math.max(0, Math.min(this.itemCount - 1, item));
        this.virtualizer.scrollToIndex(this.active, { align: 'auto' });
        this.render();
    }

    private onKey(e: KeyboardEvent): void {
        const page = Math.max(1, Math.floor(this.scroller.clientHeight / ROW_HEIGHT) - 1);
        const value = this.active >= 0 ? this.rowOfItem(this.active) : undefined;
        const group = value !== undefined && value < 0 ? this.data.groups[-value - 1] : undefined;
        switch (e.key) {
            case 'ArrowDown':
                this.moveTo(this.active + 1);
                break;
            case 'ArrowUp':
                this.moveTo(this.active - 1);
                break;
            case 'PageDown':
                this.moveTo(this.active + page);
                break;
            case 'PageUp':
                this.moveTo(this.active - page);
                break;
            case 'Home':
                this.moveTo(0);
                break;
            case 'End':
                this.moveTo(this.itemCount - 1);
                break;
            case 'ArrowLeft':
            case 'ArrowRight':
                if (!group || this.data.collapsed.has(group.key) === (e.key === 'ArrowLeft')) return;
                this.events.onToggleGroup(group.key);
                break;
            case 'Enter':
            case ' ': {
                if (group) this.events.onToggleGroup(group.key);
                else if (value !== undefined) {
                    const row = this.data.row(value);
                    if (row) this.events.onSelect(row.id);
                }
                break;
            }
            default:
                return;
        }
        e.preventDefault();
    }

    /** Keeps the active row on the same violation after a reload, when it is loaded. */
    activateRow(rowIndex: number): void {
        const item = this.itemOfRow(rowIndex);
        if (item >= 0) this.active = item;
    }
}
