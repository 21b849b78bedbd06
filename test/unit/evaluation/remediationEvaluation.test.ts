/**
 * Evaluation runs remediations as the engine does (remediations, then analysis) with the real
 * pack runner and the eval-remediate fixture pack: what a remediation would change becomes a
 * remediation record; a remediate-level policy's own violation is mandatory; a remediation
 * that throws is a policy error that leaves its records as they were.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Evaluator, directoryPackSource } from '../../../server/src/evaluation';
import { enablePack, joinDefaultGroup } from '../../../server/src/groups';
import type { PolicyPackVersion, Violation } from '../../../server/src/shared/model';
import type { RunnerPool } from '../../../server/src/runner/runnerPool';
import { awsAccount, BUCKET, FIXTURE_PACKS, makePool, manualClock, publishFixture, resource, ROLE_POLICY, runCliOn, storeResources, tempStore, type TempStore } from './evaluationTestSupport';

let pool: RunnerPool;
let pack: PolicyPackVersion;
const dirs = () => ({ 'eval-remediate@1.0.0': join(FIXTURE_PACKS(), 'eval-remediate') });

before(async () => {
    pool = await makePool();
    pack = await publishFixture(pool, dirs()['eval-remediate@1.0.0'], 1);
});
after(() => pool.dispose());

const E = 'demo/us-east-1';

async function setup(): Promise<TempStore & { evaluator: Evaluator; clock: ReturnType<typeof manualClock> }> {
    const t = await tempStore();
    await t.store.updateCatalog((catalog) => {
        const account = awsAccount('demo', ['us-east-1']);
        catalog.accounts.push(account);
        joinDefaultGroup(catalog, account);
        catalog.packs.push(pack);
    });
    const clock = manualClock();
    return { ...t, clock, evaluator: new Evaluator({ store: t.store, runner: pool, packs: directoryPackSource(dirs()), now: clock.now }) };
}

async function violationsOf(t: TempStore): Promise<Violation[]> {
    return [...(await t.store.readShard(E)).violations];
}

/** status, policy, resource, level, message: what a reader of the list sees. */
function summary(vs: Violation[]): string[] {
    return vs.map((v) => `${v.status} ${v.policyName} ${v.resourceName} ${v.level}${v.remediation ? ' [remediation]' : ''}: ${v.message}`).sort();
}

describe('Evaluation with remediate-level policies', () => {
    it('stores what remediations would change, then the analysis; fixes records whose remediation stops; reuses unchanged resources', async () => {
        const t = await setup();
        try {
            await enablePack(t.store, { pack: 'eval-remediate', versionTag: 'latest' });
            const base = [
                resource(E, BUCKET, 'logs', { acl: 'public-read' }),
                resource(E, BUCKET, 'open', { acl: 'public-read-write', versioning: { enabled: true } }),
                resource(E, BUCKET, 'ok', { acl: 'private', versioning: { enabled: true } }),
                resource(E, ROLE_POLICY, 'admin', { action: '*' }),
            ];
            const first = await t.evaluator.evaluateAfterScan({ children: { [E]: await storeResources(t.store, E, base) } });
            assert.deepEqual(first.problems, []);
            assert.deepEqual(summary(await violationsOf(t)), [
                'open bucket-acl-private logs remediate [remediation]: Would change acl: public-read → private',
                // the SDK's message: the policy's description, then what it reported
                'open bucket-acl-private open mandatory: S3 buckets are private; a public ACL is set to private.\nBucket open is writable by anyone.',
                'open bucket-acl-private open remediate [remediation]: Would change acl: public-read-write → private',
                // given the properties the acl remediation returned: its own change only
                'open bucket-versioning logs remediate [remediation]: Would change versioning: (not set) → {"enabled":true}',
                'open no-admin admin advisory: IAM policies do not grant every action.\nadmin grants every action.',
            ]);
            const record = (await violationsOf(t)).find((v) => v.resourceName === 'logs' && v.policyName === 'bucket-versioning')!;
            const aclRecord = (await violationsOf(t)).find((v) => v.resourceName === 'logs' && v.policyName === 'bucket-acl-private')!;
            assert.deepEqual(record.remediation, { before: {}, after: { versioning: { enabled: true } }, changes: [{ path: 'versioning', after: { enabled: true } }] });
            assert.deepEqual([record.severity, record.kind, record.policyPackTag], ['medium', 'audit', '1.0.0']);

            // what `policy-insights violations` shows of them: the level and the change
            const table = await runCliOn(t.home, 'violations', '--level', 'remediate');
            assert.equal(table.code, 0, table.err);
            const rows = table.out.split('\n').filter((l) => l.includes('bucket-'));
            assert.equal(rows.length, 3, table.out);
            assert.ok(rows.every((l) => / remediate /.test(l)));
            assert.ok(rows.some((l) => l.includes('Would change acl: public-read → private')), table.out);
            const json = await runCliOn(t.home, 'violations', '--level', 'remediate', '--json');
            assert.deepEqual(
                (JSON.parse(json.out).violations as Violation[]).map((v) => v.remediation!.changes[0].path).sort(),
                ['acl', 'acl', 'versioning'],
            );

            t.clock.tick();
            const fixed = [resource(E, BUCKET, 'logs', { acl: 'private', versioning: { enabled: true } }), base[1], base[2], base[3]];
            const second = await t.evaluator.evaluateAfterScan({ children: { [E]: await storeResources(t.store, E, fixed) } });
            assert.deepEqual([second.work.evaluated, second.work.reused], [1, 3], 'only the changed bucket ran again');
            assert.equal(second.resolved, 2);
            const after = await violationsOf(t);
            assert.deepEqual(
                after.filter((v) => v.status === 'fixed').map((v) => `${v.policyName} ${v.resourceName}`).sort(),
                ['bucket-acl-private logs', 'bucket-versioning logs'],
            );
            assert.equal(after.find((v) => v.resourceName === 'open' && v.remediation)!.lastSeenAt, '2026-03-01T00:01:00.000Z', 'a reused record is seen again');

            t.clock.tick();
            await t.evaluator.evaluateAfterScan({ children: { [E]: await storeResources(t.store, E, base) } });
            const back = (await violationsOf(t)).find((v) => v.resourceName === 'logs' && v.policyName === 'bucket-acl-private')!;
            assert.deepEqual([back.status, back.id, back.resolvedAt], ['open', aclRecord.id, undefined]);
            assert.equal(back.observedAt, '2026-03-01T00:00:00.000Z', 'a record that comes back reopens');
        } finally {
            await t.cleanup();
        }
    });

    it('runs no remediation of a policy a group sets to another level', async () => {
        const t = await setup();
        try {
            await enablePack(t.store, { pack: 'eval-remediate', versionTag: 'latest', config: { 'bucket-acl-private': 'mandatory', 'bucket-versioning': 'disabled' } });
            await t.evaluator.evaluateAfterScan({ children: { [E]: await storeResources(t.store, E, [resource(E, BUCKET, 'logs', { acl: 'public-read-write' })]) } });
            assert.deepEqual(summary(await violationsOf(t)), ['open bucket-acl-private logs mandatory: S3 buckets are private; a public ACL is set to private.\nBucket logs is writable by anyone.']);
        } finally {
            await t.cleanup();
        }
    });

    it('reports a remediation that throws as a policy error and leaves its records as they were', async () => {
        const t = await setup();
        try {
            await enablePack(t.store, { pack: 'eval-remediate', versionTag: 'latest' });
            const bucket = (props: Record<string, unknown>) => resource(E, BUCKET, 'explode', props);
            await storeResources(t.store, E, [bucket({ acl: 'public-read', versioning: { enabled: true } })]);
            // the record was opened by an earlier evaluation; now the remediation throws on this resource
            await t.store.updateShard(E, (shard) => {
                shard.violations.push({
                    id: 'earlier',
                    entityType: 'insights-account',
                    entityId: E,
                    policyPack: 'eval-remediate',
                    policyPackTag: '1.0.0',
                    policyName: 'bucket-versioning',
                    policyGroupName: 'default-policy-group',
                    resourceURN: bucket({}).urn,
                    resourceType: BUCKET,
                    resourceName: 'explode',
                    message: 'Would change versioning.enabled: false → true',
                    level: 'remediate',
                    kind: 'audit',
                    observedAt: '2026-01-01T00:00:00.000Z',
                    lastSeenAt: '2026-01-01T00:00:00.000Z',
                    status: 'open',
                    remediation: { before: {}, after: {}, changes: [{ path: 'versioning.enabled', before: false, after: true }] },
                });
            });
            const report = await t.evaluator.evaluateAll();
            assert.equal(report.problems.length, 1);
            assert.deepEqual([report.problems[0].policy, report.problems[0].urn], ['bucket-versioning', bucket({}).urn]);
            assert.match(report.problems[0].message, /versioning cannot be read/);
            const vs = await violationsOf(t);
            assert.equal(vs.find((v) => v.id === 'earlier')!.status, 'open', 'not resolved: the remediation could not run');
        } finally {
            await t.cleanup();
        }
    });
});
