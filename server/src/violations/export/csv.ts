/** Violations as CSV (RFC 4180: CRLF rows, quoted fields), one row per violation or remediation record. */
import type { Violation } from '../../shared/model';

/** Column header -> value; the order is the file's column order. */
const COLUMNS: [string, (v: Violation) => string | undefined][] = [
    ['id', (v) => v.id],
    ['status', (v) => v.status],
    ['level', (v) => v.level],
    ['severity', (v) => v.severity],
    ['policyPack', (v) => v.policyPack],
    ['policyPackTag', (v) => v.policyPackTag],
    ['policyName', (v) => v.policyName],
    ['policyGroupName', (v) => v.policyGroupName],
    ['entityType', (v) => v.entityType],
    ['account', (v) => v.entityId],
    ['project', (v) => v.project],
    ['resourceType', (v) => v.resourceType],
    ['resourceName', (v) => v.resourceName],
    ['resourceURN', (v) => v.resourceURN],
    ['message', (v) => v.message],
    ['observedAt', (v) => v.observedAt],
    ['lastSeenAt', (v) => v.lastSeenAt],
    ['resolvedAt', (v) => v.resolvedAt],
    ['priority', (v) => v.priority],
    ['assignedTo', (v) => v.assignedTo],
    ['suppressedUntil', (v) => v.suppression?.until],
    ['suppressionReason', (v) => v.suppression?.reason],
    // a remediation record's changed paths with their old and new values (the message says them in words)
    ['remediationChanges', (v) => (v.remediation ? JSON.stringify(v.remediation.changes) : undefined)],
];

export const CSV_COLUMNS: readonly string[] = COLUMNS.map(([name]) => name);

/**
 * A field as CSV. Resource names and messages come from cloud accounts: a value that a
 * spreadsheet would run as a formula (leading =, +, -, @, tab or CR) gets a leading
 * apostrophe, so opening the export never executes anything.
 */
export function csvField(value: string | undefined): string {
    if (value === undefined || value === '') return '';
    const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
    return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function violationsToCsv(violations: readonly Violation[]): string {
    const lines = [CSV_COLUMNS.join(',')];
    for (const v of violations) lines.push(COLUMNS.map(([, get]) => csvField(get(v))).join(','));
    return `${lines.join('\r\n')}\r\n`;
}
