/**
 * The fast paths of shard updates: what a write leaves in memory for the next read, and
 * updateShardViolations, which works on the cached content instead of reading the file.
 * Each must give exactly what a fresh read of the file gives, whoever wrote it.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { stat, utimes, writeFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { Resource, Violation } from '../../../server/src/shared/model';
import { Store } from '../../../server/src/store';
import { makeTempDir, spawnWorker, type Worker, stopWorkers } from './storeTestSupport';
import { runAsWorkerIfAsked } from './storeWorker';

const ACCOUNT = 'demo/us-west-2';

function resource(i: number, extra: Record<string, unknown> = {}): Resource {
    return { account: ACCOUNT, region: 'us-west-2', urn: `urn:pulumi:us-west-2::aws::aws:s3/bucket:Bucket::b${i}`, type: 'aws:s3/bucket:Bucket', name: `b${i}`, properties: { acl: 'private', ...extra }, hash: `h${i}` };
}

function violation(i: number): Violation {
    return {
        id: `v${i}`, entityType: 'insights-account', entityId: ACCOUNT, policyPack: 'p', policyPackTag: '1.0.0', policyName: 'n', policyGroupName: 'g',
        resourceURN: resource(i).urn, resourceType: 'aws:s3/bucket:Bucket', resourceName: `b${i}`, message: 'm', level: 'advisory', kind: 'audit',
        observedAt: '2026-01-01T00:00:00.000Z', lastSeenAt: '2026-01-01T00:00:00.000Z', status: 'open',
    };
}

const scan = (startedAt: string) => ({ startedAt, status: 'succeeded' as const, added: 0, changed: 0, removed: 0, unchanged: 0, errors: [] });

if (!runAsWorkerIfAsked()) {
    let home: string;
    let cleanup: () => Promise<void>;
    const stores: Store[] = [];
    const workers: Worker[] = [];
    const open = async () => {
        const store = await Store.open({ home });
        stores.push(store);
        return store;
    };
    /** What a store that has never seen the file reads: the truth on disk. */
    const fromDisk = async (account = ACCOUNT) => {
        const fresh = await open();
        return structuredClone(await fresh.readShard(account));
    };

    beforeEach(async () => {
        ({ dir: home, cleanup } = await makeTempDir());
    });
    afterEach(async () => {
        await stopWorkers(workers);
        for (const store of stores.splice(0)) await store.close();
        await cleanup();
    });

    describe('what a shard write leaves in memory', () => {
        it('serves the next read the content of the file, not the objects mutate put in', async () => {
            const store = await open();
            const mine = [resource(1, { tags: undefined, created: new Date('2026-01-02T03:04:05.000Z') })];
            await store.updateShard(ACCOUNT, (shard) => void (shard.resources = mine));
            // the writer keeps changing its own objects: readers must not see that
            mine[0].properties.acl = 'public-read';
            mine.push(resource(2));

            const read = await store.readShard(ACCOUNT);
            assert.deepEqual(structuredClone(read), await fromDisk());
            assert.equal(read.resources.length, 1);
            assert.deepEqual(read.resources[0].properties, { acl: 'private', created: '2026-01-02T03:04:05.000Z' });
            assert.notEqual(read.resources, mine);
        });

        it('is served again unparsed while the file is unchanged', async () => {
            const store = await open();
            await store.updateShard(ACCOUNT, (shard) => void (shard.resources = [resource(1)]));
            assert.equal(await store.readShard(ACCOUNT), await store.readShard(ACCOUNT));
        });
    });

    describe('updateShardViolations', () => {
        it('writes the violations, keeps the resources (shared, not re-read) and rotates the backup', async () => {
            const store = await open();
            await store.updateShard(ACCOUNT, (shard) => void (shard.resources = [resource(1), resource(2)]));
            await store.updateShard(ACCOUNT, (shard) => void shard.scans.push(scan('2026-01-02T00:00:00.000Z')));
            const before = await store.readShard(ACCOUNT);
            const textBefore = readFileSync(store.shardViolationsPath(ACCOUNT), 'utf8');
            const resourcesBefore = await stat(store.shardPath(ACCOUNT), { bigint: true });

            const result = await store.updateShardViolations(ACCOUNT, (draft) => {
                assert.equal(draft.resources, before.resources, 'the draft shares the cached resources');
                assert.notEqual(draft.violations, before.violations);
                draft.violations.push(violation(1));
                draft.scans.push(scan('2026-01-03T00:00:00.000Z'));
                return 'done';
            });
            assert.equal(result, 'done');

            const after = await store.readShard(ACCOUNT);
            assert.equal(after.resources, before.resources, 'the next read reuses the resources instead of parsing them');
            assert.deepEqual(before.violations, [], 'the shared content the draft came from is untouched');
            assert.equal(before.scans.length, 1);
            assert.deepEqual(structuredClone(after), await fromDisk());
            assert.deepEqual((await fromDisk()).violations.map((v) => v.id), ['v1']);
            assert.equal(readFileSync(`${store.shardViolationsPath(ACCOUNT)}.bak`, 'utf8'), textBefore);
            const resourcesAfter = await stat(store.shardPath(ACCOUNT), { bigint: true });
            assert.equal(resourcesAfter.ino, resourcesBefore.ino, 'the resources file was not rewritten');
            assert.equal(resourcesAfter.mtimeNs, resourcesBefore.mtimeNs);
        });

        it('writes nothing when the draft is left as it was, and nothing when mutate throws', async () => {
            const store = await open();
            await store.updateShard(ACCOUNT, (shard) => void (shard.violations = [violation(1)]));
            const { ino } = await stat(store.shardViolationsPath(ACCOUNT));
            await store.updateShardViolations(ACCOUNT, () => undefined);
            await assert.rejects(
                store.updateShardViolations(ACCOUNT, (draft) => {
                    draft.violations = [];
                    throw new Error('boom');
                }),
                /boom/,
            );
            assert.equal((await stat(store.shardViolationsPath(ACCOUNT))).ino, ino, 'the file was not replaced');
            assert.deepEqual((await store.readShard(ACCOUNT)).violations.map((v) => v.id), ['v1']);
        });

        it('refuses to write when mutate replaced the resources', async () => {
            const store = await open();
            await store.updateShard(ACCOUNT, (shard) => void (shard.resources = [resource(1)]));
            await assert.rejects(
                store.updateShardViolations(ACCOUNT, (draft) => {
                    (draft as unknown as { resources: Resource[] }).resources = [];
                    draft.violations.push(violation(1));
                }),
                /replaced the resources; nothing was written\. Use updateShard/,
            );
            assert.deepEqual((await fromDisk()).violations, []);
            assert.equal((await fromDisk()).resources.length, 1);
        });

        it('works on a shard that does not exist yet and on one written by another store', async () => {
            const store = await open();
            await store.updateShardViolations(ACCOUNT, (draft) => void draft.violations.push(violation(1)));
            assert.deepEqual((await fromDisk()).violations.map((v) => v.id), ['v1']);

            const other = await open();
            await other.updateShard(ACCOUNT, (shard) => void shard.resources.push(resource(3)));
            await store.updateShardViolations(ACCOUNT, (draft) => void draft.violations.push(violation(2)));
            const disk = await fromDisk();
            assert.deepEqual(disk.resources.map((r) => r.name), ['b3']);
            assert.deepEqual(disk.violations.map((v) => v.id), ['v1', 'v2']);
        });

        it('recovers a damaged file from its backup first (a damaged file is never the cached version)', async () => {
            const store = await open();
            await store.updateShard(ACCOUNT, (shard) => void (shard.resources = [resource(1)]));
            await store.updateShard(ACCOUNT, (shard) => void shard.resources.push(resource(2)));
            await store.readShard(ACCOUNT);
            await writeFile(store.shardPath(ACCOUNT), '{"resources":[{"acc');
            await store.updateShardViolations(ACCOUNT, (draft) => void draft.violations.push(violation(1)));
            assert.equal(store.recoveries.length, 1);
            const disk = await fromDisk();
            assert.deepEqual(disk.resources.map((r) => r.name), ['b1'], 'restored from the backup');
            assert.deepEqual(disk.violations.map((v) => v.id), ['v1']);
        });

        it("never serves another process's write from the cache, even with the same size and mtime", async () => {
            const store = await open();
            await store.updateShard(ACCOUNT, (shard) => {
                shard.resources = [resource(1)];
                shard.scans = [scan('A'.repeat(24))];
            });
            const file = store.shardViolationsPath(ACCOUNT);
            // whole seconds: set exactly on both files, so only the inode differs
            const mtimeSeconds = Math.floor(Date.now() / 1000) - 60;
            await utimes(file, mtimeSeconds, mtimeSeconds);
            assert.equal((await store.readShard(ACCOUNT)).scans[0].startedAt, 'A'.repeat(24), 'cached at the original version');
            const before = await stat(file, { bigint: true });

            const worker = spawnWorker('rewrite-same-size', home, { account: ACCOUNT, startedAt: 'B'.repeat(24), mtimeSeconds });
            workers.push(worker);
            assert.equal(await worker.exited, 0, worker.stderr());
            const after = await stat(file, { bigint: true });
            assert.equal(after.size, before.size, 'the other process kept the size');
            assert.equal(after.mtimeNs, before.mtimeNs, 'and the mtime');
            assert.notEqual(after.ino, before.ino);

            assert.equal((await store.readShard(ACCOUNT)).scans[0].startedAt, 'B'.repeat(24));
            // and the locked update works on the other process's content: nothing of it is lost
            await utimes(file, mtimeSeconds, mtimeSeconds);
            await store.updateShardViolations(ACCOUNT, (draft) => {
                assert.equal(draft.scans[0].startedAt, 'B'.repeat(24));
                draft.violations.push(violation(1));
            });
            const disk = await fromDisk();
            assert.equal(disk.scans[0].startedAt, 'B'.repeat(24));
            assert.deepEqual(disk.violations.map((v) => v.id), ['v1']);
        });

        it("sees another process's update that held the lock meanwhile (no lost update)", async () => {
            const store = await open();
            await store.updateShard(ACCOUNT, (shard) => void (shard.resources = [resource(1)]));
            await store.readShard(ACCOUNT); // cached before the other process writes
            const holder = spawnWorker('hold-lock', home, { account: ACCOUNT, value: 7 });
            workers.push(holder);
            await holder.line('locked');
            const update = store.updateShardViolations(ACCOUNT, (draft) => {
                draft.violations.push(violation(1));
                return draft.scans.map((s) => s.added);
            });
            holder.child.stdin!.write('go\n');
            assert.deepEqual(await update, [7], "the update saw the other process's scan");
            assert.equal(await holder.exited, 0, holder.stderr());
            const disk = await fromDisk();
            assert.deepEqual(disk.scans.map((s) => s.added), [7]);
            assert.deepEqual(disk.violations.map((v) => v.id), ['v1']);
            assert.equal(existsSync(`${store.shardViolationsPath(ACCOUNT)}.bak`), true);
        });
    });
}
