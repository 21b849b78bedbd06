/**
 * The violation life cycle, applied when an evaluation's findings for one account (or
 * stack) are persisted: a new finding opens a violation; one still present is seen again
 * (lastSeenAt, message, level); one no longer reported is resolved (fixed, resolvedAt);
 * one that comes back reopens. Triage (status in_progress/by_design/ignored, priority,
 * assignee, suppression) survives as long as the finding is present. A remediation record
 * (a finding with `remediation`) goes through the same cycle: open while the remediation
 * still changes the resource, fixed when it stops, reopened when it comes back.
 */
import type { EnforcementLevel, GroupMode, Remediation, Severity, Violation } from '../shared/model';
import { violationId, type ViolationKey } from './violationKey';

/** One finding of an evaluation, before it becomes (or updates) a violation. */
export interface Finding extends ViolationKey {
    entityType: Violation['entityType'];
    project?: string;
    policyPackTag: string;
    policyGroupName: string;
    resourceType: string;
    resourceName: string;
    message: string;
    level: EnforcementLevel;
    severity?: Severity;
    kind: GroupMode;
    /** Set (with `finding: 'remediation'` and level `remediate`) for a remediation record. */
    remediation?: Remediation;
}

export interface ReconcileOptions {
    /** ISO time of this evaluation. */
    now: string;
    /**
     * Violations whose finding could not be determined this time (the pack failed to run,
     * the policy threw, the resource's service failed discovery): left exactly as they are.
     */
    undetermined?: (violation: Violation) => boolean;
}

export interface ReconcileResult {
    violations: Violation[];
    /** Ids opened for the first time or reopened. */
    opened: string[];
    /** Ids resolved by this evaluation. */
    resolved: string[];
    /** Violations not fixed after this evaluation. */
    stillOpen: number;
}

/**
 * Findings merged by key; one policy reporting the same resource twice keeps both messages.
 * Two groups never report the same key: the resolution across groups (groups/
 * effectiveBindings.ts) runs one binding of each pack per entity, so a key has one group.
 */
export function mergeFindings(findings: Iterable<Finding>): Map<string, Finding> {
    const merged = new Map<string, Finding>();
    for (const finding of findings) {
        const id = violationId(finding);
        const seen = merged.get(id);
        if (!seen) merged.set(id, finding);
        else if (!seen.message.split('\n').includes(finding.message)) merged.set(id, { ...seen, message: `${seen.message}\n${finding.message}` });
    }
    return merged;
}

function apply(violation: Violation, finding: Finding): void {
    violation.entityType = finding.entityType;
    if (finding.project !== undefined) violation.project = finding.project;
    else delete violation.project;
    violation.policyPackTag = finding.policyPackTag;
    violation.policyGroupName = finding.policyGroupName;
    violation.resourceType = finding.resourceType;
    violation.resourceName = finding.resourceName;
    violation.message = finding.message;
    violation.level = finding.level;
    if (finding.severity !== undefined) violation.severity = finding.severity;
    else delete violation.severity;
    violation.kind = finding.kind;
    // the change seen last: the resource or the remediation may have changed since it was first seen
    if (finding.remediation !== undefined) violation.remediation = finding.remediation;
    else delete violation.remediation;
}

/** The entity's violations after this evaluation. `existing` is not changed. */
export function reconcileViolations(existing: readonly Violation[], findings: Iterable<Finding>, options: ReconcileOptions): ReconcileResult {
    const merged = mergeFindings(findings);
    const opened: string[] = [];
    const resolved: string[] = [];
    const violations: Violation[] = [];
    const seen = new Set<string>();
    for (const old of existing) {
        seen.add(old.id);
        const finding = merged.get(old.id);
        if (finding) {
            const next: Violation = { ...old };
            apply(next, finding);
            next.lastSeenAt = options.now;
            if (next.status === 'fixed') {
                next.status = 'open';
                delete next.resolvedAt;
                opened.push(next.id);
            }
            violations.push(next);
        } else if (old.status !== 'fixed' && !options.undetermined?.(old)) {
            violations.push({ ...old, status: 'fixed', resolvedAt: options.now });
            resolved.push(old.id);
        } else {
            violations.push(old);
        }
    }
    const fresh = [...merged].filter(([id]) => !seen.has(id)).sort(([a], [b]) => a.localeCompare(b));
    for (const [id, finding] of fresh) {
        const violation = { id, observedAt: options.now, lastSeenAt: options.now, status: 'open' } as Violation;
        violation.entityId = finding.entityId;
        violation.policyPack = finding.policyPack;
        violation.policyName = finding.policyName;
        violation.resourceURN = finding.resourceURN;
        apply(violation, finding);
        violations.push(violation);
        opened.push(id);
    }
    return { violations, opened, resolved, stillOpen: violations.filter((v) => v.status !== 'fixed').length };
}
