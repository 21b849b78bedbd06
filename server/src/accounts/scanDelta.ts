/**
 * What a scan changed in one child account: added, changed and removed URNs, matched by
 * URN and compared by hash. Resources of a service that failed are carried over as they
 * were, never reported removed.
 */
import type { Resource } from '../shared/model';

/** The delta of one child account, as ScanOutcome reports it. */
export interface ChildDelta {
    added: string[];
    changed: string[];
    removed: string[];
    unchanged: number;
}

/**
 * Merges a scan's findings into the stored resources of one child.
 * `keep(resource)` says a stored resource belongs to a service that failed: it stays,
 * and a new finding for the same URN (a partial answer) is ignored.
 */
export function mergeScan(previous: readonly Resource[], found: readonly Resource[], keep: (r: Resource) => boolean): { resources: Resource[]; delta: ChildDelta } {
    const before = new Map(previous.map((r) => [r.urn, r]));
    const kept = previous.filter(keep);
    const keptUrns = new Set(kept.map((r) => r.urn));
    const delta: ChildDelta = { added: [], changed: [], removed: [], unchanged: 0 };
    const resources: Resource[] = [...kept];
    const seen = new Set<string>(keptUrns);
    for (const resource of found) {
        if (seen.has(resource.urn) || keep(resource)) continue;
        seen.add(resource.urn);
        resources.push(resource);
        const old = before.get(resource.urn);
        if (!old) delta.added.push(resource.urn);
        else if (old.hash !== resource.hash) delta.changed.push(resource.urn);
        else delta.unchanged++;
    }
    delta.unchanged += kept.length;
    for (const old of previous) if (!seen.has(old.urn)) delta.removed.push(old.urn);
    resources.sort((a, b) => (a.urn < b.urn ? -1 : a.urn > b.urn ? 1 : 0));
    return { resources, delta };
}
