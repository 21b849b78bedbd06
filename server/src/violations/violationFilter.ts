/**
 * The violation filters of the Pulumi Insights console (policy pack, policy, project,
 * enforcement level, account, resource, type, violation date range) plus status and
 * severity. Pure: the CLI, the Violations tree and the webview filter with this one
 * function, so the same filter returns the same rows everywhere.
 */
import type { EnforcementLevel, Severity, Violation, ViolationStatus } from '../shared/model';
import { UserError } from '../userErrors';

export interface ViolationFilter {
    /** Pack name (exact). */
    policyPack?: string;
    /** Policy name (exact). */
    policy?: string;
    /** Pulumi project (exact). */
    project?: string;
    levels?: EnforcementLevel[];
    /** An account (all its regions), `name/region`, or a stack account (exact). */
    account?: string;
    /** Part of the resource's name or URN (case-insensitive). */
    resource?: string;
    /** Part of the resource type token (case-insensitive), e.g. `aws:s3/bucket:Bucket` or `s3`. */
    type?: string;
    /** Violation date (first observed) on or after: ISO date or date-time. */
    since?: string;
    /** Violation date (first observed) on or before: ISO date (the whole day) or date-time. */
    until?: string;
    /** Default: open and in_progress. */
    statuses?: ViolationStatus[];
    severities?: Severity[];
    /** Include violations whose suppression has not expired (default false). */
    includeSuppressed?: boolean;
}

export const DEFAULT_STATUSES: readonly ViolationStatus[] = ['open', 'in_progress'];

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

/** A predicate for `filter` (dates parsed once). @throws FilterError */
export function violationMatcher(filter: ViolationFilter, now: Date = new Date()): (v: Violation) => boolean {
    const statuses = new Set(filter.statuses?.length ? filter.statuses : DEFAULT_STATUSES);
    const levels = filter.levels?.length ? new Set(filter.levels) : undefined;
    const severities = filter.severities?.length ? new Set(filter.severities) : undefined;
    const since = filter.since ? dateBound(filter.since, 'since') : undefined;
    const until = filter.until ? dateBound(filter.until, 'until') : undefined;
    const resource = filter.resource?.toLowerCase();
    const type = filter.type?.toLowerCase();
    return (v) =>
        statuses.has(v.status) &&
        (!filter.policyPack || v.policyPack === filter.policyPack) &&
        (!filter.policy || v.policyName === filter.policy) &&
        (!filter.project || v.project === filter.project) &&
        (!levels || levels.has(v.level)) &&
        (!severities || (v.severity !== undefined && severities.has(v.severity))) &&
        (!filter.account || v.entityId === filter.account || v.entityId.startsWith(`${filter.account}/`)) &&
        (!resource || v.resourceName.toLowerCase().includes(resource) || v.resourceURN.toLowerCase().includes(resource)) &&
        (!type || v.resourceType.toLowerCase().includes(type)) &&
        (!since || new Date(v.observedAt).toISOString() >= since) &&
        (!until || new Date(v.observedAt).toISOString() <= until) &&
        (filter.includeSuppressed === true || !isSuppressed(v, now));
}

/**
 * Whether a violation blocks: found by a preventative group at level mandatory and not
 * fixed. Audit groups report and never block.
 */
export function isBlocking(violation: Pick<Violation, 'kind' | 'level' | 'status'>): boolean {
    return violation.kind === 'preventative' && violation.level === 'mandatory' && violation.status !== 'fixed';
}

/** Newest first (last seen), then by id, so pages are stable. */
export function compareViolations(a: Violation, b: Violation): number {
    return b.lastSeenAt.localeCompare(a.lastSeenAt) || a.id.localeCompare(b.id);
}
