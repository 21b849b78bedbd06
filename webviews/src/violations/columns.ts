/** The table's columns and the names the panel shows for the filter dimensions and values. */
import type { FacetDimension, GroupBy, PanelRow, SortColumn } from '../../../server/src/shared/panelProtocol';
import { formatDay } from './dom';

export interface Column {
    id: SortColumn;
    title: string;
    /** CSS grid track. */
    width: string;
    text: (row: PanelRow) => string;
    /** Direction of the first click: newest, most severe first. */
    firstDirection: 'asc' | 'desc';
    /** The track's minimum, in em: what it needs to be readable. */
    minEm: number;
    /**
     * When the table is too narrow for every column (the detail pane is open, the editor is
     * split), columns are hidden in this order, lowest first; columns without it always show.
     */
    hideOrder?: number;
}

export const STATUS_LABELS: Record<string, string> = { open: 'Open', in_progress: 'In progress', by_design: 'By design', ignored: 'Ignored', fixed: 'Fixed' };

export const COLUMNS: Column[] = [
    { id: 'severity', title: 'Severity', width: '6.5em', minEm: 6.5, text: (r) => r.severity ?? '', firstDirection: 'desc' },
    { id: 'level', title: 'Level', width: '6.5em', minEm: 6.5, hideOrder: 2, text: (r) => r.level, firstDirection: 'desc' },
    { id: 'policy', title: 'Policy', width: 'minmax(9em, 1.3fr)', minEm: 9, text: (r) => r.policyName, firstDirection: 'asc' },
    { id: 'resource', title: 'Resource', width: 'minmax(8em, 1.3fr)', minEm: 8, text: (r) => r.resourceName, firstDirection: 'asc' },
    { id: 'type', title: 'Type', width: 'minmax(7em, 1fr)', minEm: 7, hideOrder: 5, text: (r) => r.resourceType, firstDirection: 'asc' },
    { id: 'account', title: 'Account', width: 'minmax(7em, 1fr)', minEm: 7, hideOrder: 6, text: (r) => r.entityId, firstDirection: 'asc' },
    { id: 'status', title: 'Status', width: '6.5em', minEm: 6.5, hideOrder: 3, text: (r) => (r.suppressedUntil ? 'Suppressed' : STATUS_LABELS[r.status] ?? r.status), firstDirection: 'asc' },
    // The day only: a date-time did not fit beside the other columns; the detail pane has the time.
    { id: 'lastSeenAt', title: 'Last seen', width: '7.5em', minEm: 7.5, hideOrder: 1, text: (r) => formatDay(r.lastSeenAt), firstDirection: 'desc' },
    { id: 'message', title: 'Message', width: 'minmax(10em, 1.6fr)', minEm: 10, hideOrder: 4, text: (r) => violationSpecifics(r.message), firstDirection: 'asc' },
];

/**
 * What a row's message says about this resource. CrossGuard writes a violation's message as
 * the policy's description, a newline, then what the policy reported; the description is
 * the same on every row of a policy, so the table shows the part after it.
 */
export function violationSpecifics(message: string): string {
    const lines = message.split('\n').map((line) => line.trim()).filter(Boolean);
    return lines.length > 1 ? lines.slice(1).join(' ') : (lines[0] ?? '');
}

/** The CSS grid template of `columns`. */
export function gridTemplate(columns: readonly Column[]): string {
    return columns.map((c) => c.width).join(' ');
}

export const GRID_TEMPLATE = gridTemplate(COLUMNS);

/**
 * The columns that fit in `widthPx` (`emPx` pixels per em, `gapPx` between tracks, `paddingPx`
 * around the row): all of them, or fewer, hiding by hideOrder until the minimums fit.
 */
export function columnsThatFit(widthPx: number, emPx: number, gapPx: number, paddingPx: number): Column[] {
    const shown = [...COLUMNS];
    const need = () => shown.reduce((sum, c) => sum + c.minEm * emPx, 0) + gapPx * (shown.length - 1) + paddingPx;
    const hideable = COLUMNS.filter((c) => c.hideOrder !== undefined).sort((a, b) => a.hideOrder! - b.hideOrder!);
    for (const column of hideable) {
        if (need() <= widthPx) break;
        shown.splice(shown.indexOf(column), 1);
    }
    return shown;
}

export const DIMENSION_LABELS: Record<FacetDimension, string> = {
    policyPacks: 'Policy pack',
    policies: 'Policy',
    projects: 'Project',
    levels: 'Enforcement',
    accounts: 'Account',
    resources: 'Resource',
    types: 'Type',
    statuses: 'Status',
    severities: 'Severity',
};

/** Filter bar order: the console's eight dimensions (date is its own control), then status and severity. */
export const FILTER_DIMENSIONS: FacetDimension[] = ['policyPacks', 'policies', 'projects', 'levels', 'accounts', 'resources', 'types', 'statuses', 'severities'];

export const GROUP_LABELS: Record<GroupBy, string> = { none: 'No grouping', policy: 'Policy', account: 'Account', type: 'Type', severity: 'Severity' };

export function valueLabel(dimension: FacetDimension, value: string): string {
    if (dimension === 'statuses') return STATUS_LABELS[value] ?? value;
    return value;
}
