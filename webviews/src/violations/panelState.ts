/**
 * The panel's URL-like state: filter, sort, grouping, selection, scroll. Kept with
 * setState on every change, so hiding the panel or reloading the window brings it back;
 * read back defensively, since a state written by an older version may lack fields.
 */
import type { GroupBy, PanelFilter, PanelSort, PanelState, SortColumn } from '../../../server/src/shared/panelProtocol';

export const DEFAULT_STATE: PanelState = { filter: {}, sort: { column: 'lastSeenAt', direction: 'desc' }, groupBy: 'none' };

const SORT_COLUMNS: readonly SortColumn[] = ['policy', 'policyPack', 'level', 'severity', 'status', 'resource', 'type', 'account', 'project', 'message', 'observedAt', 'lastSeenAt', 'priority', 'assignedTo'];
const GROUPS: readonly GroupBy[] = ['none', 'policy', 'account', 'type', 'severity'];
const LIST_FIELDS = ['policyPacks', 'policies', 'projects', 'levels', 'accounts', 'resources', 'types', 'statuses', 'severities'] as const;
const TEXT_FIELDS = ['since', 'until', 'resourceContains', 'typeContains', 'search'] as const;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Only the known fields of a filter, with the right types. */
export function cleanFilter(value: unknown): PanelFilter {
    if (!isRecord(value)) return {};
    const filter: Record<string, unknown> = {};
    for (const field of LIST_FIELDS) {
        const list = value[field];
        if (Array.isArray(list)) {
            const strings = list.filter((x): x is string => typeof x === 'string');
            if (strings.length) filter[field] = strings;
        }
    }
    for (const field of TEXT_FIELDS) if (typeof value[field] === 'string' && value[field]) filter[field] = value[field];
    if (value.includeSuppressed === true) filter.includeSuppressed = true;
    return filter as PanelFilter;
}

export function cleanState(value: unknown): PanelState {
    if (!isRecord(value)) return structuredClone(DEFAULT_STATE);
    const sort = isRecord(value.sort) && SORT_COLUMNS.includes(value.sort.column as SortColumn) ? (value.sort as unknown as PanelSort) : DEFAULT_STATE.sort;
    const state: PanelState = {
        filter: cleanFilter(value.filter),
        sort: { column: sort.column, direction: sort.direction === 'asc' ? 'asc' : 'desc' },
        groupBy: GROUPS.includes(value.groupBy as GroupBy) ? (value.groupBy as GroupBy) : 'none',
    };
    if (typeof value.selectedId === 'string') state.selectedId = value.selectedId;
    if (Array.isArray(value.collapsedGroups)) state.collapsedGroups = value.collapsedGroups.filter((x): x is string => typeof x === 'string');
    if (typeof value.scrollOffset === 'number' && value.scrollOffset >= 0) state.scrollOffset = value.scrollOffset;
    return state;
}

/** How many filter conditions are set (for the Clear button). */
export function activeConditions(filter: PanelFilter): number {
    let n = 0;
    for (const field of LIST_FIELDS) if (filter[field]?.length) n++;
    for (const field of TEXT_FIELDS) if (filter[field]) n++;
    if (filter.includeSuppressed) n++;
    return n;
}
