import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Violation } from '../../../server/src/shared/model';
import { isBlocking, reconcileViolations, violationId, type Finding } from '../../../server/src/violations';
import { describeChange, propertyChanges, remediationMessage, remediationOf } from '../../../server/src/violations/remediation';

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

    it('shows a finding reported twice once, with both messages (one binding per pack runs, so one group reports a key)', () => {
        const { violations } = reconcileViolations(
            [],
            [finding('a'), finding('a', { message: 'a is public-read-write' }), finding('a')],
            { now: T1 },
        );
        assert.equal(violations.length, 1);
        assert.deepEqual([violations[0].policyGroupName, violations[0].level, violations[0].message], ['default-policy-group', 'mandatory', 'a is public\na is public-read-write']);
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

describe('remediation records', () => {
    const change = (before: string, after: string) => remediationOf({ acl: before, tags: { Owner: 'a' } }, { acl: after, tags: { Owner: 'a' } })!;
    function remediation(resourceName: string, remediated = change('public-read', 'private')): Finding {
        return finding(resourceName, { policyName: 'bucket-acl-private', level: 'remediate', message: remediationMessage(remediated), finding: 'remediation', remediation: remediated });
    }

    it('live beside the same policy violation on the same resource, under their own id', () => {
        const violation = finding('a', { policyName: 'bucket-acl-private' });
        const { violations } = reconcileViolations([], [violation, remediation('a')], { now: T1 });
        assert.equal(violations.length, 2);
        const record = violations.find((v) => v.remediation)!;
        assert.notEqual(record.id, violationId(violation));
        assert.equal(record.id, violationId({ ...violation, finding: 'remediation' }));
        assert.equal(violations.find((v) => !v.remediation)!.id, violationId(violation), 'a violation keeps the id it always had');
        assert.deepEqual([record.level, record.message, record.remediation!.changes], ['remediate', 'Would change acl: public-read → private', [{ path: 'acl', before: 'public-read', after: 'private' }]]);
    });

    it('are open while the remediation fires, fixed when it stops, reopened when it comes back, and keep their triage', () => {
        const [opened] = reconcileViolations([], [remediation('a')], { now: T1 }).violations;
        assert.deepEqual([opened.status, opened.observedAt], ['open', T1]);
        const triaged: Violation = { ...opened, status: 'in_progress', priority: 'p2', assignedTo: 'ana', suppression: { reason: 'change window', until: '2027-01-01T00:00:00.000Z' } };
        // still firing, with another change: the record shows the change seen last
        const other = change('public-read-write', 'private');
        const [still] = reconcileViolations([triaged], [remediation('a', other)], { now: T2 }).violations;
        assert.deepEqual([still.status, still.lastSeenAt, still.priority, still.assignedTo, still.suppression?.reason], ['in_progress', T2, 'p2', 'ana', 'change window']);
        assert.deepEqual(still.remediation, other);
        assert.equal(still.message, 'Would change acl: public-read-write → private');
        const fixed = reconcileViolations([still], [], { now: T3 });
        assert.deepEqual([fixed.violations[0].status, fixed.violations[0].resolvedAt, fixed.resolved], ['fixed', T3, [still.id]]);
        const back = reconcileViolations(fixed.violations, [remediation('a')], { now: T4 });
        assert.deepEqual([back.violations[0].status, back.violations[0].resolvedAt, back.violations[0].assignedTo, back.opened], ['open', undefined, 'ana', [still.id]]);
    });
});

describe('remediation changes', () => {
    it('lists changed leaves with Pulumi property paths, added and removed ones without the missing side', () => {
        const changes = propertyChanges(
            { acl: 'public-read', versioning: { enabled: false, mfaDelete: false }, rules: [{ id: 'a', days: 1 }], tags: { 'cost.center': '1' }, gone: 1, list: [1] },
            { acl: 'private', versioning: { enabled: true, mfaDelete: false }, rules: [{ id: 'a', days: 30 }], tags: { 'cost.center': '2' }, added: true, list: [1, 2] },
        );
        assert.deepEqual(changes, [
            { path: 'acl', before: 'public-read', after: 'private' },
            { path: 'versioning.enabled', before: false, after: true },
            { path: 'rules[0].days', before: 1, after: 30 },
            { path: 'tags["cost.center"]', before: '1', after: '2' },
            { path: 'gone', before: 1 },
            { path: 'list', before: [1], after: [1, 2] },
            { path: 'added', after: true },
        ]);
        assert.equal(remediationMessage({ changes }), 'Would change acl: public-read → private; versioning.enabled: false → true; rules[0].days: 1 → 30 (and 4 more)');
        assert.equal(describeChange({ path: 'added', after: true }), 'added: (not set) → true');
    });

    it('is no record when nothing changes, and never holds a secret in clear', () => {
        assert.equal(remediationOf({ acl: 'private' }, { acl: 'private' }), undefined);
        const secret = (value: unknown) => ({ '4dabf18193072939515e22adb298388d': '1b47061264138c4ac30d75fd1eb44270', value });
        const record = remediationOf({ password: secret('hunter2'), acl: 'public-read' }, { password: secret('hunter3'), acl: 'private', nested: [secret('x')] })!;
        assert.doesNotMatch(JSON.stringify(record), /hunter|"x"/);
        assert.deepEqual(record.changes, [
            { path: 'acl', before: 'public-read', after: 'private' },
            { path: 'nested', after: ['[secret]'] },
        ]);
        assert.deepEqual(record.after, { acl: 'private', nested: ['[secret]'] }, 'the changed top-level properties: the unchanged secret is not kept');
        assert.deepEqual(remediationOf({ acl: 'public-read', big: { doc: 'x'.repeat(1000) } }, { acl: 'private', big: { doc: 'x'.repeat(1000) } })!.before, { acl: 'public-read' });
    });
});
