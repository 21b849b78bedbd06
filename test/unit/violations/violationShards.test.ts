/**
 * One violation's requests (the detail pane, triage, suppression) and the exports read the
 * shards they need, not every shard (issue 14: at 1,000,000 violations in 300 shards each
 * shard read is ~6 MB of JSON): the shard the violation index names, else the shards whose
 * files (or their backups, which the store restores a damaged file from) hold the id's text.
 * Reads are counted on the real store.
 */
import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { Violation } from '../../../server/src/shared/model';
import type { Store } from '../../../server/src/store';
import { setTriage, suppress, TriageError, unsuppress, ViolationQueryService } from '../../../server/src/violations';
import { exportContextFor } from '../../../server/src/violations/export';
import { violationDetail } from '../../../server/src/violations/violationDetail';
import { fileHolds } from '../../../server/src/violations/violationShards';
import { syntheticViolations } from '../../support/syntheticViolations';
import { tempStore, type TempStore } from '../evaluation/evaluationTestSupport';

const NOW = new Date('2026-11-28T12:00:00Z');
const { violations, resources } = syntheticViolations(400, { seed: 3, now: NOW, withResources: true });
/** Shards holding no violation of interest, so that "every shard" and "one shard" differ. */
const FILLERS = ['aaa/us-east-1', 'bbb/us-east-1', 'zzz/us-east-1'];

let t: TempStore;
/** The accounts whose shard was read (readShard) or locked for a change (updateShard), in order. */
let reads: string[] = [];
let locked: string[] = [];
/** The real store, its shard reads counted. */
let store: Store;

before(async () => {
    t = await tempStore();
    for (const account of new Set(violations.map((v) => v.entityId))) {
        await t.store.updateShard(account, (shard) => {
            shard.violations.push(...violations.filter((v) => v.entityId === account));
            shard.resources.push(...resources.filter((r) => r.account === account));
        });
    }
    for (const filler of FILLERS) {
        const other = syntheticViolations(50, { seed: 11, now: NOW, withResources: true });
        await t.store.updateShard(filler, (shard) => {
            shard.violations = other.violations.map((v, i) => ({ ...v, id: `${filler}#${i}`, entityId: filler }));
            shard.resources = other.resources.map((r) => ({ ...r, account: filler }));
        });
    }
    const real = t.store;
    store = new Proxy(real, {
        get(target, key) {
            if (key === 'readShard') return (account: string) => (reads.push(account), target.readShard(account));
            if (key === 'updateShard') return (account: string, mutate: never) => (locked.push(account), target.updateShard(account, mutate));
            const value: unknown = Reflect.get(target, key, target);
            return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
        },
    });
});
after(() => t.cleanup());
beforeEach(() => {
    reads = [];
    locked = [];
});

/** A violation of the shard listed last but one (a search in list order reads nearly every shard before it). */
function lateViolation(): Violation {
    return violations.find((v) => v.entityId === 'prod/us-west-2' && v.resourceURN)!;
}

describe('the detail pane reads one shard', () => {
    it('reads only the shard the violation index names', async () => {
        const queries = new ViolationQueryService(t.store);
        try {
            await queries.list({ limit: 0 }); // the index, as the panel's first page builds it
            const v = lateViolation();
            const detail = await violationDetail(store, v.id, NOW, (id) => queries.accountOf(id));
            assert.equal(detail.violation.id, v.id);
            assert.equal(detail.resource?.urn, v.resourceURN, 'the violating resource, from the same shard');
            assert.deepEqual(reads, ['prod/us-west-2']);
        } finally {
            queries.dispose();
        }
    });

    it('without an index (the CLI), reads only the shard whose files hold the id', async () => {
        const v = lateViolation();
        const detail = await violationDetail(store, v.id, NOW);
        assert.equal(detail.violation.id, v.id);
        assert.deepEqual(reads, ['prod/us-west-2']);
    });

    it('finds a violation written since the index was built, and one whose hint is wrong', async () => {
        const queries = new ViolationQueryService(t.store);
        try {
            await queries.list({ limit: 0 });
            const fresh = { ...lateViolation(), id: 'written-after-the-index' };
            await t.store.updateShard('zzz/us-east-1', (shard) => void shard.violations.push({ ...fresh, entityId: 'zzz/us-east-1' }));
            assert.equal(queries.accountOf(fresh.id), undefined, 'the index built before does not know it');
            assert.equal((await violationDetail(store, fresh.id, NOW, (id) => queries.accountOf(id))).violation.id, fresh.id);
            const v = lateViolation();
            assert.equal((await violationDetail(store, v.id, NOW, () => 'aaa/us-east-1')).violation.id, v.id);
            assert.equal((await violationDetail(store, v.id, NOW, () => 'no-such-account')).violation.id, v.id);
        } finally {
            queries.dispose();
        }
    });

    it('says an unknown id is gone without parsing a shard', async () => {
        await assert.rejects(violationDetail(store, 'no-such-id', NOW, () => undefined), (e: unknown) => e instanceof TriageError && e.code === 'not-found' && /Refresh the panel/.test(e.message));
        assert.deepEqual(reads, []);
    });

    it("finds a violation that only a damaged file's backup holds, as the store restores it", async () => {
        const account = 'ccc/us-east-1';
        const [kept, later] = syntheticViolations(2, { seed: 13, now: NOW }).violations.map((v, i) => ({ ...v, id: `backup-only-${i}`, entityId: account }));
        await t.store.updateShard(account, (shard) => void shard.violations.push(kept!));
        // the next write keeps the first as the .bak; then the file is damaged behind the store's back
        await t.store.updateShard(account, (shard) => void (shard.violations = [later!]));
        await writeFile(t.store.shardViolationsPath(account), '{"schemaVersion":3,"violations":[{"id":"backup-');
        const detail = await violationDetail(store, kept!.id, NOW);
        assert.equal(detail.violation.id, kept!.id);
        assert.deepEqual(reads, [account]);
        assert.ok(t.store.recoveries.some((r) => r.file === t.store.shardViolationsPath(account)), 'the store restored the file from its backup');
    });
});

describe('triage changes one shard', () => {
    it('locks and writes only the shard the index names; the change is stored', async () => {
        const v = lateViolation();
        const updated = await setTriage(store, v.id, { priority: 'p0', assignedTo: 'ana@example.com' }, () => 'prod/us-west-2');
        assert.equal(updated.priority, 'p0');
        assert.deepEqual(locked, ['prod/us-west-2']);
        assert.deepEqual(reads, [], 'no shared read of any shard before the locked one');
        const stored = (await t.store.readShard('prod/us-west-2')).violations.find((x) => x.id === v.id)!;
        assert.equal(stored.assignedTo, 'ana@example.com');
    });

    it('suppresses and unsuppresses through the shard whose files hold the id when nothing names it', async () => {
        const v = lateViolation();
        const suppressed = await suppress(store, v.id, { reason: 'migrating', until: '2027-01-01' }, NOW);
        assert.equal(suppressed.suppression?.reason, 'migrating');
        assert.deepEqual(locked, ['prod/us-west-2']);
        locked = [];
        assert.equal((await unsuppress(store, v.id, () => 'aaa/us-east-1')).suppression, undefined);
        assert.deepEqual(locked, ['aaa/us-east-1', 'prod/us-west-2'], 'a wrong hint costs its shard, then the right one');
    });

    it('refuses an unknown id without locking a shard that does not hold it', async () => {
        await assert.rejects(setTriage(store, 'no-such-id', { status: 'ignored' }), (e: unknown) => e instanceof TriageError && e.code === 'not-found');
        assert.deepEqual(locked, []);
    });
});

describe('an export reads only the shards with source positions', () => {
    it("reads no cloud account's shard, and the stack's for its source positions", async () => {
        const cloud = violations.filter((v) => v.entityType === 'insights-account');
        await exportContextFor(store, cloud);
        assert.deepEqual(reads, []);
        const stack = violations.filter((v) => v.entityType === 'stack');
        assert.ok(stack.length > 0);
        const context = await exportContextFor(store, violations);
        assert.deepEqual(reads, ['payments-stack']);
        const position = context.sourcePosition(stack[0]);
        assert.equal(position?.uri, 'project:///index.ts');
        assert.equal(context.sourcePosition(cloud[0]), undefined);
    });
});

describe('the byte search of a shard file', () => {
    it('finds the text wherever it lies, across the chunks it reads, and says when there is no file', async () => {
        const id = Buffer.from('0123456789abcdef01234567');
        const path = `${t.store.shardsDir}/search-probe.bin`;
        const chunk = 64;
        const buffer = Buffer.alloc(chunk);
        for (const at of [0, 1, chunk - id.length, chunk - 5, chunk, 3 * chunk - 1, 5 * chunk - id.length]) {
            const content = Buffer.alloc(5 * chunk, 'x');
            id.copy(content, at);
            await writeFile(path, content.subarray(0, Math.max(at + id.length, 5 * chunk)));
            assert.equal(await fileHolds(path, id, buffer), true, `the id at byte ${at}`);
        }
        await writeFile(path, Buffer.alloc(5 * chunk, 'x'));
        assert.equal(await fileHolds(path, id, buffer), false);
        assert.equal(await fileHolds(`${path}.missing`, id, buffer), undefined);
        await rm(path);
    });
});
