/**
 * The filter bar: a multi-select with counts for each facet dimension, the violation date
 * range, free-text search, grouping, Clear and Export. It edits a PanelFilter and reports
 * each change; counts come from the server's facets for the current filter.
 */
import type { ExportFormat, Facet, FacetDimension, GroupBy, PanelAggregates, PanelFilter } from '../../../server/src/shared/panelProtocol';
import { DIMENSION_LABELS, FILTER_DIMENSIONS, GROUP_LABELS, valueLabel } from './columns';
import { count, h } from './dom';
import { activeConditions } from './panelState';

export interface FilterBarEvents {
    onFilter(filter: PanelFilter): void;
    onGroupBy(groupBy: GroupBy): void;
    onExport(format: ExportFormat): void;
}

/** Lists longer than this get a box to narrow them. */
const NARROW_AT = 8;

/** One dimension's button and its popup list of checkboxes with counts. */
class FacetDropdown {
    readonly element: HTMLElement;
    private readonly button: HTMLButtonElement;
    private readonly popup: HTMLElement;
    private readonly list: HTMLElement;
    private readonly narrow: HTMLInputElement;
    private facet: Facet = { values: [], omitted: 0 };
    private selected: string[] = [];

    constructor(
        private readonly dimension: FacetDimension,
        private readonly onChange: (values: string[]) => void,
    ) {
        const popupId = `facet-${dimension}`;
        this.button = h('button', {
            class: 'facet-button',
            attrs: { type: 'button', 'aria-haspopup': 'dialog', 'aria-expanded': 'false', 'aria-controls': popupId, 'data-dimension': dimension },
            on: { click: () => this.toggle(), keydown: (e) => e.key === 'ArrowDown' && (e.preventDefault(), this.open()) },
        });
        this.narrow = h('input', {
            class: 'facet-narrow',
            attrs: { type: 'search', placeholder: `Find a ${DIMENSION_LABELS[dimension].toLowerCase()}`, 'aria-label': `Find a ${DIMENSION_LABELS[dimension].toLowerCase()} in the list` },
            on: { input: () => this.renderList() },
        });
        this.list = h('div', { class: 'facet-list', attrs: { role: 'group', 'aria-label': `${DIMENSION_LABELS[dimension]} values` } });
        this.popup = h(
            'div',
            {
                class: 'facet-popup',
                attrs: { id: popupId, role: 'dialog', 'aria-label': `Filter by ${DIMENSION_LABELS[dimension].toLowerCase()}`, hidden: true, tabindex: -1 },
                on: {
                    keydown: (e) => {
                        if (e.key === 'Escape') {
                            e.stopPropagation();
                            this.close(true);
                        }
                    },
                    focusout: (e) => {
                        if (!this.element.contains(e.relatedTarget as Node | null)) this.close(false);
                    },
                },
            },
            this.narrow,
            this.list,
            h('div', { class: 'facet-actions' }, h('button', { class: 'link-button', attrs: { type: 'button' }, on: { click: () => this.onChange([]) } }, 'Clear')),
        );
        this.element = h('div', { class: 'facet' }, this.button, this.popup);
        this.renderButton();
    }

    update(facet: Facet | undefined, selected: string[] | undefined): void {
        this.facet = facet ?? { values: [], omitted: 0 };
        this.selected = selected ?? [];
        this.renderButton();
        if (!this.popup.hidden) this.renderList();
    }

    private renderButton(): void {
        const label = DIMENSION_LABELS[this.dimension];
        const n = this.selected.length;
        const summary = n === 0 ? '' : n === 1 ? valueLabel(this.dimension, this.selectedLabel(this.selected[0])) : `${n} selected`;
        this.button.replaceChildren(h('span', { class: 'facet-name' }, label), ...(summary ? [h('span', { class: 'facet-summary' }, summary)] : []), h('span', { class: 'chevron', attrs: { 'aria-hidden': 'true' } }, '\u25BE'));
        this.button.classList.toggle('active', n > 0);
        this.button.setAttribute('aria-label', n ? `${label}: ${n} selected` : `${label}: any`);
        // A long value is cut in the button: its tooltip lists the whole selection.
        this.button.title = n ? `${label}: ${this.selected.map((v) => valueLabel(this.dimension, this.selectedLabel(v))).join(', ')}` : `Filter by ${label.toLowerCase()}`;
    }

    private selectedLabel(value: string): string {
        return this.facet.values.find((v) => v.value === value)?.label ?? value;
    }

    private renderList(): void {
        const needle = this.narrow.value.trim().toLowerCase();
        const values = [...this.facet.values];
        // Selected values stay listed (with 0) even when no row has them under the other filters.
        for (const value of this.selected) if (!values.some((v) => v.value === value)) values.push({ value, count: 0 });
        const shown = values.filter((v) => !needle || v.value.toLowerCase().includes(needle) || v.label?.toLowerCase().includes(needle));
        this.narrow.hidden = values.length <= NARROW_AT;
        const items: HTMLElement[] = shown.map((v) => {
            const checked = this.selected.includes(v.value);
            const box = h('input', {
                attrs: { type: 'checkbox', 'data-value': v.value },
                on: {
                    change: () => this.onChange(box.checked ? [...this.selected, v.value] : this.selected.filter((s) => s !== v.value)),
                },
            });
            box.checked = checked;
            const text = v.label ? `${v.label}` : valueLabel(this.dimension, v.value);
            return h('label', { class: 'facet-option', attrs: { title: v.value } }, box, h('span', { class: 'facet-value' }, text), h('span', { class: 'facet-count' }, count(v.count)));
        });
        if (!items.length) items.push(h('div', { class: 'facet-empty' }, needle ? 'Nothing matches.' : 'No values under the current filter.'));
        if (this.facet.omitted > 0) items.push(h('div', { class: 'facet-empty' }, `${count(this.facet.omitted)} less frequent values not listed: use the search box.`));
        // Replacing the focused checkbox would blur it out of the popup, and focusout closes the
        // popup: park focus on the popup, then give it to the new checkbox for the same value, so
        // a multi-select stays open for the next pick.
        const active = document.activeElement;
        const focusedValue = active instanceof HTMLInputElement && this.list.contains(active) ? active.dataset.value : undefined;
        if (focusedValue !== undefined) this.popup.focus({ preventScroll: true });
        this.list.replaceChildren(...items);
        if (focusedValue !== undefined) {
            const again = [...this.list.querySelectorAll<HTMLInputElement>('input[type="checkbox"]')].find((box) => box.dataset.value === focusedValue);
            (again ?? this.popup).focus({ preventScroll: true });
        }
    }

    open(): void {
        this.popup.hidden = false;
        this.button.setAttribute('aria-expanded', 'true');
        this.renderList();
        (this.narrow.hidden ? this.list.querySelector('input') : this.narrow)?.focus();
    }

    close(focusButton: boolean): void {
        if (this.popup.hidden) return;
        this.popup.hidden = true;
        this.button.setAttribute('aria-expanded', 'false');
        if (focusButton) this.button.focus();
    }

    private toggle(): void {
        if (this.popup.hidden) this.open();
        else this.close(false);
    }
}

export class FilterBar {
    readonly element: HTMLElement;
    private filter: PanelFilter = {};
    private readonly dropdowns = new Map<FacetDimension, FacetDropdown>();
    private readonly search: HTMLInputElement;
    private readonly since: HTMLInputElement;
    private readonly until: HTMLInputElement;
    private readonly groupBy: HTMLSelectElement;
    private readonly clear: HTMLButtonElement;
    private readonly extra: HTMLElement;
    private searchTimer: number | undefined;

    constructor(private readonly events: FilterBarEvents) {
        for (const dimension of FILTER_DIMENSIONS) {
            this.dropdowns.set(dimension, new FacetDropdown(dimension, (values) => this.change({ [dimension]: values.length ? values : undefined })));
        }
        this.search = h('input', {
            class: 'search',
            attrs: { type: 'search', placeholder: 'Search resources, policies, messages', 'aria-label': 'Search violations' },
            on: {
                input: () => {
                    window.clearTimeout(this.searchTimer);
                    // Typing is debounced; the server query itself takes tens of milliseconds.
                    this.searchTimer = window.setTimeout(() => this.change({ search: this.search.value || undefined }), 120);
                },
            },
        });
        const dateInput = (field: 'since' | 'until', label: string) =>
            h('input', {
                class: 'date',
                attrs: { type: 'date', 'aria-label': label, title: label },
                on: { change: (e) => this.change({ [field]: (e.target as HTMLInputElement).value || undefined }) },
            });
        this.since = dateInput('since', 'Violation date from');
        this.until = dateInput('until', 'Violation date to');
        this.groupBy = h(
            'select',
            { attrs: { 'aria-label': 'Group by' }, on: { change: () => this.events.onGroupBy(this.groupBy.value as GroupBy) } },
            ...(Object.keys(GROUP_LABELS) as GroupBy[]).map((g) => h('option', { attrs: { value: g } }, g === 'none' ? 'No grouping' : `Group by ${GROUP_LABELS[g].toLowerCase()}`)),
        );
        this.clear = h('button', { class: 'secondary', attrs: { type: 'button' }, on: { click: () => this.set({}, true) } }, 'Clear filters');
        const exportButton = (format: ExportFormat) =>
            h('button', { class: 'secondary', attrs: { type: 'button', 'data-export': format, title: `Export the filtered violations as ${format.toUpperCase()}` }, on: { click: () => this.events.onExport(format) } }, format.toUpperCase());
        this.extra = h('div', { class: 'extra-conditions' });
        this.element = h(
            'div',
            { class: 'filter-bar', attrs: { role: 'search', 'aria-label': 'Violation filters' } },
            h('div', { class: 'filter-row' }, this.search, this.groupBy, h('div', { class: 'export', attrs: { role: 'group', 'aria-label': 'Export' } }, h('span', { class: 'export-label' }, 'Export'), exportButton('csv'), exportButton('json'), exportButton('sarif'))),
            h(
                'div',
                { class: 'filter-row facets' },
                ...[...this.dropdowns.values()].map((d) => d.element),
                h('span', { class: 'date-range', attrs: { role: 'group', 'aria-label': 'Violation date' } }, h('span', { class: 'date-label' }, 'Date'), this.since, h('span', { attrs: { 'aria-hidden': 'true' } }, '\u2013'), this.until),
                this.extra,
                this.clear,
            ),
        );
    }

    /** Shows `filter` (and, with `notify`, reports it as a change). */
    set(filter: PanelFilter, notify = false): void {
        this.filter = filter;
        if (document.activeElement !== this.search) this.search.value = filter.search ?? '';
        this.since.value = /^\d{4}-\d{2}-\d{2}/.test(filter.since ?? '') ? filter.since!.slice(0, 10) : '';
        this.until.value = /^\d{4}-\d{2}-\d{2}/.test(filter.until ?? '') ? filter.until!.slice(0, 10) : '';
        for (const [dimension, dropdown] of this.dropdowns) dropdown.update(this.lastAggregates?.facets[dimension], filter[dimension]);
        // Conditions without a control of their own (from the CLI form or a tree's pre-filter) show as removable chips.
        const chips: HTMLElement[] = [];
        const chip = (text: string, remove: PanelFilter) =>
            h('button', { class: 'chip', attrs: { type: 'button', title: 'Remove this condition' }, on: { click: () => this.change(remove) } }, text, h('span', { attrs: { 'aria-hidden': 'true' } }, ' \u00D7'));
        if (filter.resourceContains) chips.push(chip(`Resource contains \u201C${filter.resourceContains}\u201D`, { resourceContains: undefined }));
        if (filter.typeContains) chips.push(chip(`Type contains \u201C${filter.typeContains}\u201D`, { typeContains: undefined }));
        if (filter.includeSuppressed) chips.push(chip('Including suppressed', { includeSuppressed: undefined }));
        this.extra.replaceChildren(...chips);
        this.clear.disabled = activeConditions(filter) === 0;
        if (notify) this.events.onFilter(filter);
    }

    private lastAggregates: PanelAggregates | undefined;

    setAggregates(aggregates: PanelAggregates): void {
        this.lastAggregates = aggregates;
        for (const [dimension, dropdown] of this.dropdowns) dropdown.update(aggregates.facets[dimension], this.filter[dimension]);
        if (aggregates.dates.min) this.since.min = this.until.min = aggregates.dates.min.slice(0, 10);
        if (aggregates.dates.max) this.since.max = this.until.max = aggregates.dates.max.slice(0, 10);
    }

    setGroupBy(groupBy: GroupBy): void {
        this.groupBy.value = groupBy;
    }

    focusSearch(): void {
        this.search.focus();
    }

    private change(patch: Partial<PanelFilter>): void {
        const next: Record<string, unknown> = { ...this.filter, ...patch };
        for (const key of Object.keys(next)) if (next[key] === undefined) delete next[key];
        this.set(next as PanelFilter, true);
    }
}
