/**
 * Results while a scan runs (issue 13 item 4): each finished service's resources reach their
 * child's shard, and can be evaluated, before the scan ends; the finished scan (its delta, its
 * shards, and the violations after its evaluation) is the same as without partial results; a
 * cancelled scan leaves the shards as they were.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { addAwsAccount, listResources, ScanCancelledError, scanAccount } from '../../../server/src/accounts';
import { directoryPackSource, Evaluator, type EvaluationReport } from '../../../server/src/evaluation';
import { enablePack } from '../../../server/src/groups';
import type { RunnerPool } from '../../../server/src/runner/runnerPool';
import type { PolicyPackVersion } from '../../../server/src/shared/model';
import type { Store } from '../../../server/src/store';
import { FIXTURE_PACKS, makePool, publishFixture } from '../evaluation/evaluationTestSupport';
import { startWorld, type AwsWorld } from './accountsTestSupport';
import { join } from 'node:path';

const RULES = () => join(FIXTURE_PACKS(), 'eval-rules');
const CHILDREN = ['demo', 'demo/us-west-2', 'demo/us-east-1'];

async function openViolations(store: Store): Promise<string[]> {
    const out: string[] = [];
    for (const child of CHILDREN) for (const v of (await store.readShard(child)).violations) if (v.status === 'open') out.push(portless(`${v.policyName} ${v.resourceURN} ${v.level} ${v.message}`));
    return out.sort();
}

/** Each world has its own local AWS: SQS queue URLs carry its port. */
const portless = (text: string) => text.replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:PORT');

async function resourceKeys(store: Store): Promise<string[]> {
    return (await listResources(store, 'demo')).map((r) => portless(`${r.urn} ${JSON.stringify(r.properties)}`)).sort();
}

describe('results while a scan runs', () => {
    let pool: RunnerPool;
    let rules: PolicyPackVersion;
    const worlds: AwsWorld[] = [];

    async function world(): Promise<{ w: AwsWorld; evaluator: Evaluator }> {
        const w = await startWorld();
        worlds.push(w);
        await addAwsAccount(w.store, { name: 'demo', regions: ['us-west-2', 'us-east-1'], endpoint: w.aws.url });
        await w.store.updateCatalog((catalog) => {
            catalog.packs.push(rules);
        });
        await enablePack(w.store, { pack: 'eval-rules', versionTag: 'latest' });
        return { w, evaluator: new Evaluator({ store: w.store, runner: pool, packs: directoryPackSource({ 'eval-rules@1.0.0': RULES() }) }) };
    }

    before(async () => {
        pool = await makePool();
        rules = await publishFixture(pool, RULES(), 1);
    });
    after(async () => {
        await pool?.dispose();
        for (const w of worlds) await w.cleanup();
    });

    it('writes and evaluates each service as it finishes; the finished scan equals one without partial results', async () => {
        const progressive = await world();
        const plain = await world();
        // OpenSearch answers last: the partial results before it are seen without its domains
        progressive.w.aws.setFaults([{ service: 'es', latencyMs: 1500 }]);
        const seen: { children: string[]; types: Set<string> }[] = [];
        const evaluations: Promise<EvaluationReport>[] = [];
        const snapshots: Promise<void>[] = [];
        const outcome = await scanAccount(progressive.w.store, 'demo', {
            requestTimeoutMs: 10_000,
            partialIntervalMs: 0,
            onPartial: (children) => {
                snapshots.push(listResources(progressive.w.store, 'demo').then((rs) => void seen.push({ children, types: new Set(rs.map((r) => r.type)) })));
                evaluations.push(progressive.evaluator.evaluateDuringScan(children));
            },
        });
        await Promise.all(snapshots);
        const during = await Promise.all(evaluations);
        assert.ok(seen.length >= 2, `partial results: ${seen.length}`);
        assert.ok(seen.some((s) => s.types.size > 0 && !s.types.has('aws:opensearch/domain:Domain')), 'resources were stored before the last service finished');
        assert.ok(during.some((r) => r.opened > 0), 'violations were opened while the scan ran');

        const reference = await scanAccount(plain.w.store, 'demo', { requestTimeoutMs: 10_000 });
        // the delta is against the shards before the scan, not against the partial writes
        assert.deepEqual(
            [outcome.record.added, outcome.record.changed, outcome.record.removed, outcome.record.unchanged],
            [reference.record.added, reference.record.changed, reference.record.removed, reference.record.unchanged],
        );
        assert.equal(outcome.record.added, 106);
        assert.deepEqual(await resourceKeys(progressive.w.store), await resourceKeys(plain.w.store));

        await progressive.evaluator.evaluateAfterScan(outcome);
        await plain.evaluator.evaluateAfterScan(reference);
        const expected = await openViolations(plain.w.store);
        assert.ok(expected.length > 0);
        assert.deepEqual(await openViolations(progressive.w.store), expected);

        // a rescan with nothing changed: partial writes are not counted as this scan's changes
        const again = await scanAccount(progressive.w.store, 'demo', { requestTimeoutMs: 10_000, partialIntervalMs: 0, onPartial: () => undefined });
        assert.deepEqual([again.record.added, again.record.changed, again.record.removed, again.record.unchanged], [0, 0, 0, 106]);
    });

    it('a cancelled scan puts back the shards its partial results wrote', async () => {
        const { w } = await world();
        w.aws.setFaults([{ service: 'es', latencyMs: 3000 }]);
        const controller = new AbortController();
        let restored: string[] = [];
        let calls = 0;
        await assert.rejects(
            scanAccount(w.store, 'demo', {
                requestTimeoutMs: 10_000,
                partialIntervalMs: 0,
                signal: controller.signal,
                onPartial: (children) => {
                    calls++;
                    // the first partial result cancels; the last call names the children put back
                    if (calls === 1) controller.abort();
                    else restored = children;
                },
            }),
            (e) => e instanceof ScanCancelledError,
        );
        assert.ok(restored.length > 0, 'the children put back are named, to be evaluated again');
        assert.deepEqual(await listResources(w.store, 'demo'), []);
    });
});
