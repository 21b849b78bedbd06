/**
 * What the violation filter (PanelFilter, applied by violationQuery.ts) means beyond
 * equality: the statuses shown by default, how `since`/`until` read, when a suppression
 * hides a violation, and which violations block.
 */
import type { Violation } from '../shared/model';
import { UserError } from '../userErrors';

/** Thrown for a filter value that cannot be understood (a date that does not parse). */
export class FilterError extends UserError {
    override readonly name = 'FilterError';
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** `since`/`until` as ISO instants; a date-only `until` covers that whole day (UTC). */
export function dateBound(value: string, bound: 'since' | 'until'): string {
    const text = value.trim();
    const time = DATE_ONLY.test(text) ? Date.parse(`${text}T00:00:00.000Z`) + (bound === 'until' ? 86_400_000 - 1 : 0) : Date.parse(text);
    if (Number.isNaN(time)) throw new FilterError(`--${bound} "${value}" is not a date: use YYYY-MM-DD or an ISO date-time such as 2026-01-31T12:00:00Z.`);
    return new Date(time).toISOString();
}

/** Whether the suppression of `violation` hides it at `now`. */
export function isSuppressed(violation: Violation, now: Date): boolean {
    return violation.suppression !== undefined && Date.parse(violation.suppression.until) > now.getTime();
}

/**
 * Whether a violation blocks: found by a preventative group at level mandatory and not
 * fixed. Audit groups report and never block.
 */
export function isBlocking(violation: Pick<Violation, 'kind' | 'level' | 'status'>): boolean {
    return violation.kind === 'preventative' && violation.level === 'mandatory' && violation.status !== 'fixed';
}
