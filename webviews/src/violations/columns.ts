/** The table's columns and the names the panel shows for the filter dimensions and values. */
import type { FacetDimension, GroupBy, PanelRow, SortColumn } from '../../../server/src/panelProtocol';
import { formatDate } from './dom';

export interface Column {
    id: SortColumn;
    title: string;
    /** CSS grid track. */
    width: string;
    text: (row: PanelRow) => string;
    /** Direction of the first click: newest, most severe first. */
    firstDirection: 'asc' | 'desc';
}

export const STATUS_LABELS: Record<string, string> = { open: 'Open', in_progress: 'In progress', by_design: 'By design', ignored: 'Ignored', fixed: 'Fixed' };

export const COLUMNS: Column[] = [
    { id: 'severity', title: 'Severity', width: '6.5em', text: (r) => r.severity ?? '', firstDirection: 'desc' },
    { id: 'level', title: 'Level', width: '6.5em', text: (r) => r.level, firstDirection: 'desc' },
    { id: 'policy', title: 'Policy', width: 'minmax(8em, 1.2fr)', text: (r) => r.policyName, firstDirection: 'asc' },
    { id: 'resource', title: 'Resource', width: 'minmax(8em, 1.2fr)', text: (r) => r.resourceName, firstDirection: 'asc' },
    { id: 'type', title: 'Type', width: 'minmax(7em, 1fr)', text: (r) => r.resourceType, firstDirection: 'asc' },
    { id: 'account', title: 'Account', width: 'minmax(6em, 0.8fr)', text: (r) => r.entityId, firstDirection: 'asc' },
    { id: 'status', title: 'Status', width: '6.5em', text: (r) => (r.suppressedUntil ? 'Suppressed' : STATUS_LABELS[r.status] ?? r.status), firstDirection: 'asc' },
    { id: 'lastSeenAt', title: 'Last seen', width: '9.5em', text: (r) => formatDate(r.lastSeenAt), firstDirection: 'desc' },
    { id: 'message', title: 'Message', width: 'minmax(10em, 2fr)', text: (r) => r.message.split('\n')[0], firstDirection: 'asc' },
];

export const GRID_TEMPLATE = COLUMNS.map((c) => c.width).join(' ');

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
