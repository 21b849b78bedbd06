/**
 * Remediation records' content: what a remediation changes (property paths with their old
 * and new values), secrets redacted, and how the change reads in one line. Shared by the
 * evaluation (which builds the records), the tree, the diagnostics, the CLI and the exports.
 */
import type { PropertyChange, Remediation } from '../shared/model';
import { redactSecrets } from '../pulumiSecretValues';

function isPlainObject(value: unknown): value is Record<string, unknown> {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A path segment as Pulumi's property paths write it: `a.b`, `a[0]`, `a["x.y"]` (pathSegments reads them back). */
function join(path: string, key: string | number): string {
    if (typeof key === 'number') return `${path}[${key}]`;
    if (/^[A-Za-z_$][\w$-]*$/.test(key)) return path ? `${path}.${key}` : key;
    return `${path}[${JSON.stringify(key)}]`;
}

/** One step of a property path: a key or an array index. */
export type PathSegment = string | number;

/** Pulumi's property path (`a.b`, `a[0]`, `a["x.y"]`) as segments, or undefined when it is not one. */
export function pathSegments(path: string): PathSegment[] | undefined {
    const segments: PathSegment[] = [];
    const pattern = /(?:^|\.)([A-Za-z_$][\w$-]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/y;
    let at = 0;
    while (at < path.length) {
        pattern.lastIndex = at;
        const m = pattern.exec(path);
        if (!m || (m[1] !== undefined && at > 0 && path[at] !== '.')) return undefined;
        segments.push(m[1] ?? (m[2] !== undefined ? Number(m[2]) : (JSON.parse(m[3]) as string)));
        at = pattern.lastIndex;
    }
    return segments.length ? segments : undefined;
}

function sameValue(a: unknown, b: unknown): boolean {
    if (a === b) return true;
    if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
    if (isPlainObject(a) && isPlainObject(b)) {
        const keys = Object.keys(a);
        return keys.length === Object.keys(b).length && keys.every((k) => k in b && sameValue(a[k], b[k]));
    }
    return false;
}

/**
 * The leaves that differ between two property bags: objects are compared key by key, arrays
 * of the same length element by element; an array whose length changed is one change.
 */
export function propertyChanges(before: Record<string, unknown>, after: Record<string, unknown>): PropertyChange[] {
    const changes: PropertyChange[] = [];
    const visit = (path: string, a: unknown, b: unknown, hasA: boolean, hasB: boolean) => {
        if (hasA && hasB && sameValue(a, b)) return;
        if (hasA && hasB && isPlainObject(a) && isPlainObject(b)) {
            for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) visit(join(path, key), a[key], b[key], key in a, key in b);
            return;
        }
        if (hasA && hasB && Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
            a.forEach((x, i) => visit(join(path, i), x, b[i], true, true));
            return;
        }
        const change: PropertyChange = { path };
        if (hasA) change.before = a;
        if (hasB) change.after = b;
        changes.push(change);
    };
    for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) visit(join('', key), before[key], after[key], key in before, key in after);
    return changes;
}

/** The top-level properties of `bag` named in `keys` (those it has). */
function pick(bag: Record<string, unknown>, keys: Set<string>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const key of keys) if (key in bag) out[key] = bag[key];
    return out;
}

/**
 * The record of a remediation that was given `before` and returned `after`, or undefined when
 * it changes nothing. It keeps the top-level properties the remediation changes, not the whole
 * bags: the rest are the resource's own properties, stored with the resource, and the violations
 * file is rewritten by every evaluation (a bucket's policy document and tags would be copied
 * twice into each of its records).
 */
export function remediationOf(before: Record<string, unknown>, after: Record<string, unknown>): Remediation | undefined {
    const redactedBefore = redactSecrets(before) as Record<string, unknown>;
    const redactedAfter = redactSecrets(after) as Record<string, unknown>;
    const changes = propertyChanges(redactedBefore, redactedAfter);
    if (!changes.length) return undefined;
    const touched = new Set([...Object.keys(redactedBefore), ...Object.keys(redactedAfter)].filter((k) => !(k in redactedBefore && k in redactedAfter && sameValue(redactedBefore[k], redactedAfter[k]))));
    return { before: pick(redactedBefore, touched), after: pick(redactedAfter, touched), changes };
}

/** A value as the one-line summary shows it: strings bare, the rest as JSON, cut at 60 characters. */
export function changeValueText(value: unknown, present: boolean): string {
    if (!present) return '(not set)';
    const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
    return text.length > 60 ? `${text.slice(0, 59)}\u2026` : text;
}

/** `acl: public-read → private`. */
export function describeChange(change: PropertyChange): string {
    return `${change.path}: ${changeValueText(change.before, 'before' in change)} \u2192 ${changeValueText(change.after, 'after' in change)}`;
}

const SHOWN_CHANGES = 3;

/** The record's message: "Would change acl: public-read → private" (the first few changes, then how many more). */
export function remediationMessage(remediation: Pick<Remediation, 'changes'>): string {
    const shown = remediation.changes.slice(0, SHOWN_CHANGES).map(describeChange);
    const more = remediation.changes.length - shown.length;
    return `Would change ${shown.join('; ')}${more > 0 ? ` (and ${more} more)` : ''}`;
}
