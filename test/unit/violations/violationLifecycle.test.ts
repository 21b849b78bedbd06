import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Violation } from '../../../server/src/model';
import { isBlocking, reconcileViolations, violationId, type Finding } from '../../../server/src/violations';

function finding(resourceName: string, overrides: Partial<Finding> = {}): Finding {
    return {
        entityId: 'demo/us-east-1',
        entityType: 'insights-account',
        policyPack: 'acme',
        policyPackTag: '1.0.0',
        policyName: 'no-public-bucket',
        policyGroupName: 'default-policy-group',
        resourceURN: `urn:pulumi:demo::insights::aws:s3/bucket:Bucket::${resourceName}`,
        resourceType: 'aws:s3/bucket:Bucket',
        resourceName,
        message: `${resourceName} is public`,
        level: 'mandatory',
        severity: 'high',
        kind: 'audit',
        ...overrides,
    };
}

const T1 = '2026-03-01T00:00:00.000Z';
const T2 = '2026-03-02T00:00:00.000Z';
const T3 = '2026-03-03T00:00:00.000Z';
const T4 = '2026-03-04T00:00:00.000Z';

describe('violation life cycle', () => {
    it('opens, sees again, resolves and reopens, keeping a stable id', () => {
        const first = reconcileViolations([], [finding('a'), finding('b')], { now: T1 });
        assert.equal(first.opened.length, 2);
        const a = first.violations.find((v) => v.resourceName === 'a')!;
        assert.equal(a.id, violationId(finding('a')));
        assert.deepEqual([a.status, a.observedAt, a.lastSeenAt, a.resolvedAt], ['open', T1, T1, undefined]);

        const second = reconcileViolations(first.violations, [finding('a', { message: 'a is still public', level: 'advisory' })], { now: T2 });
        assert.deepEqual([second.opened, second.stillOpen], [[], 1]);
        const a2 = second.violations.find((v) => v.resourceName === 'a')!;
        assert.deepEqual([a2.status, a2.observedAt, a2.lastSeenAt, a2.message, a2.level], ['open', T1, T2, 'a is still public', 'advisory']);
        const b2 = second.violations.find((v) => v.resourceName === 'b')!;
        assert.deepEqual([b2.status, b2.resolvedAt], ['fixed', T2]);
        assert.deepEqual(second.resolved, [b2.id]);

        const third = reconcileViolations(second.violations, [finding('a')], { now: T3 });
        assert.deepEqual(third.resolved, [], 'a fixed violation is not resolved twice');
        assert.equal(third.violations.find((v) => v.resourceName === 'b')!.resolvedAt, T2);

        const fourth = reconcileViolations(third.violations, [finding('a'), finding('b')], { now: T4 });
        const b4 = fourth.violations.find((v) => v.resourceName === 'b')!;
        assert.deepEqual([b4.status, b4.resolvedAt, b4.observedAt, b4.lastSeenAt, b4.id], ['open', undefined, T1, T4, b2.id]);
        assert.deepEqual(fourth.opened, [b4.id]);
    });

    it('keeps triage while the finding is present and resolves triaged violations that are gone', () => {
        const [open] = reconcileViolations([], [finding('a')], { now: T1 }).violations;
        const triaged: Violation = { ...open, status: 'by_design', priority: 'p1', assignedTo: 'ana', suppression: { reason: 'legacy', until: '2027-01-01T00:00:00.000Z' } };
        const seen = reconcileViolations([triaged], [finding('a')], { now: T2 }).violations[0];
        assert.deepEqual([seen.status, seen.priority, seen.assignedTo, seen.suppression?.reason], ['by_design', 'p1', 'ana', 'legacy']);
        const gone = reconcileViolations([seen], [], { now: T3 }).violations[0];
        assert.deepEqual([gone.status, gone.resolvedAt, gone.priority], ['fixed', T3, 'p1']);
        const back = reconcileViolations([gone], [finding('a')], { now: T4 }).violations[0];
        assert.deepEqual([back.status, back.assignedTo], ['open', 'ana']);
    });

    it('leaves undetermined violations exactly as they were', () => {
        const { violations } = reconcileViolations([], [finding('a'), finding('b')], { now: T1 });
        const next = reconcileViolations(violations, [], { now: T2, undetermined: (v) => v.resourceName === 'a' });
        assert.deepEqual(next.violations.find((v) => v.resourceName === 'a'), violations.find((v) => v.resourceName === 'a'));
        assert.equal(next.violations.find((v) => v.resourceName === 'b')!.status, 'fixed');
    });

    it('shows a finding two groups report once, at its strictest', () => {
        const { violations } = reconcileViolations(
            [],
            [finding('a', { policyGroupName: 'default-policy-group', level: 'advisory' }), finding('a', { policyGroupName: 'prod', level: 'mandatory', kind: 'preventative' }), finding('a', { policyGroupName: 'zz', level: 'mandatory' })],
            { now: T1 },
        );
        assert.equal(violations.length, 1);
        assert.deepEqual([violations[0].policyGroupName, violations[0].level, violations[0].kind], ['prod', 'mandatory', 'preventative']);
    });
});

describe('blocking', () => {
    it('only a mandatory, unfixed violation of a preventative group blocks', () => {
        assert.equal(isBlocking({ kind: 'preventative', level: 'mandatory', status: 'open' }), true);
        assert.equal(isBlocking({ kind: 'preventative', level: 'mandatory', status: 'by_design' }), true);
        assert.equal(isBlocking({ kind: 'audit', level: 'mandatory', status: 'open' }), false);
        assert.equal(isBlocking({ kind: 'preventative', level: 'advisory', status: 'open' }), false);
        assert.equal(isBlocking({ kind: 'preventative', level: 'mandatory', status: 'fixed' }), false);
    });
});
