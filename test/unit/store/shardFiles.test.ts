/**
 * A shard as two files (schema version 2 and later): the resources file and the violations file,
 * each with its own atomic write, backup, recovery and version check, one lock for both,
 * and the version 1 single-file shard read as it is and split by the first write.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { Resource, ScanRecord, Violation } from '../../../server/src/shared/model';
import { writeFileAtomic } from '../../../server/src/store/atomicFile';
import { SCHEMA_VERSION, Store, StoreError, type StoreChange } from '../../../server/src/store';
import { decodeShardResources } from '../../../server/src/store/resourceEncoding';
import { eventually, makeTempDir, watcherCaughtUp, withoutMarker } from './storeTestSupport';

const ACCOUNT = 'demo/us-west-2';

function resource(i: number): Resource {
    return { account: ACCOUNT, region: 'us-west-2', urn: `urn:pulumi:us-west-2::aws::aws:s3/bucket:Bucket::b${i}`, type: 'aws:s3/bucket:Bucket', name: `b${i}`, properties: { acl: 'private' }, hash: `h${i}` };
}

function violation(i: number): Violation {
    return {
        id: `v${i}`, entityType: 'insights-account', entityId: ACCOUNT, policyPack: 'p', policyPackTag: '1.0.0', policyName: 'n', policyGroupName: 'g',
        resourceURN: resource(i).urn, resourceType: 'aws:s3/bucket:Bucket', resourceName: `b${i}`, message: 'm', level: 'advisory', kind: 'audit',
        observedAt: '2026-01-01T00:00:00.000Z', lastSeenAt: '2026-01-01T00:00:00.000Z', status: 'open',
    };
}

const scan = (startedAt: string): ScanRecord => ({ startedAt, status: 'succeeded', added: 1, changed: 0, removed: 0, unchanged: 0, errors: [] });

/** A shard as Policy Insights with schema version 1 wrote it: one file. */
const v1Shard = () => ({ schemaVersion: 1, account: ACCOUNT, resources: [resource(1), resource(2)], violations: [violation(1)], scans: [scan('old')] });

let home: string;
let cleanup: () => Promise<void>;
const stores: Store[] = [];
async function open(watch = false): Promise<Store> {
    const store = await Store.open({ home, watch });
    stores.push(store);
    return store;
}
const readJson = async (file: string) => JSON.parse(await readFile(file, 'utf8'));
/** A resources file's content with its resources decoded (resourceEncoding.ts), as the store reads it. */
async function readResourcesFile(file: string) {
    const data = await readJson(file);
    decodeShardResources(data);
    return data;
}

beforeEach(async () => {
    ({ dir: home, cleanup } = await makeTempDir());
});
afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
    await cleanup();
});

describe('a shard as two files', () => {
    it('keeps the resources in <enc>.json and the violations and scans in <enc>@violations.json', async () => {
        const store = await open();
        await store.updateShard(ACCOUNT, (shard) => {
            shard.resources.push(resource(1));
            shard.violations.push(violation(1));
            shard.scans.push(scan('s'));
        });
        assert.equal(store.shardPath(ACCOUNT), join(home, 'shards', 'demo%2Fus-west-2.json'));
        assert.equal(store.shardViolationsPath(ACCOUNT), join(home, 'shards', 'demo%2Fus-west-2@violations.json'));
        assert.deepEqual(await readResourcesFile(store.shardPath(ACCOUNT)), { schemaVersion: SCHEMA_VERSION, account: ACCOUNT, resources: [resource(1)] });
        assert.deepEqual(await readJson(store.shardViolationsPath(ACCOUNT)), { schemaVersion: SCHEMA_VERSION, account: ACCOUNT, violations: [violation(1)], scans: [scan('s')] });
        const fresh = await open();
        assert.deepEqual(structuredClone(await fresh.readShard(ACCOUNT)), { schemaVersion: SCHEMA_VERSION, account: ACCOUNT, resources: [resource(1)], violations: [violation(1)], scans: [scan('s')] });
    });

    it('writes only the file whose part changed', async () => {
        const store = await open();
        await store.updateShard(ACCOUNT, (shard) => void shard.resources.push(resource(1)));
        const resourcesBefore = await stat(store.shardPath(ACCOUNT), { bigint: true });
        await store.updateShard(ACCOUNT, (shard) => void shard.violations.push(violation(1)));
        assert.equal((await stat(store.shardPath(ACCOUNT), { bigint: true })).ino, resourcesBefore.ino, 'a violations change leaves the resources file alone');
        const violationsBefore = await stat(store.shardViolationsPath(ACCOUNT), { bigint: true });
        await store.updateShard(ACCOUNT, (shard) => void shard.resources.push(resource(2)));
        assert.equal((await stat(store.shardViolationsPath(ACCOUNT), { bigint: true })).ino, violationsBefore.ino, 'a resources change leaves the violations file alone');
        assert.notEqual((await stat(store.shardPath(ACCOUNT), { bigint: true })).ino, resourcesBefore.ino);
        assert.equal(existsSync(`${store.shardViolationsPath(ACCOUNT)}.bak`), true, 'each file keeps its own backup');
        assert.deepEqual((await readResourcesFile(`${store.shardPath(ACCOUNT)}.bak`)).resources, [resource(1)]);
    });

    it('lists each shard once, also when only one of its files exists, and never confuses two accounts', async () => {
        const store = await open();
        await store.updateShard('x', (shard) => void shard.resources.push(resource(1)));
        await store.updateShardViolations('only-violations', (draft) => void draft.violations.push(violation(1)));
        // names that look like the other file of another account
        await store.updateShard('x@violations', (shard) => void shard.scans.push(scan('a')));
        await store.updateShard('x.violations', (shard) => void shard.scans.push(scan('b')));
        assert.deepEqual(await store.listShards(), ['only-violations', 'x', 'x.violations', 'x@violations']);
        assert.deepEqual((await store.readShard('x')).scans, []);
        assert.deepEqual((await store.readShard('x@violations')).scans.map((s) => s.startedAt), ['a']);
        assert.deepEqual((await store.readShard('only-violations')).violations.map((v) => v.id), ['v1']);
    });

    it('removes both files and their backups', async () => {
        const store = await open();
        for (const i of [1, 2]) {
            await store.updateShard(ACCOUNT, (shard) => {
                shard.resources.push(resource(i));
                shard.violations.push(violation(i));
            });
        }
        await store.removeShard(ACCOUNT);
        assert.deepEqual(await readdir(join(home, 'shards')), []);
        assert.deepEqual(await store.listShards(), []);
        assert.deepEqual(structuredClone(await store.readShard(ACCOUNT)), { schemaVersion: SCHEMA_VERSION, account: ACCOUNT, resources: [], violations: [], scans: [] });
    });

    it('writes the violations file first: when the resources write fails, the update fails and the violations are already on disk', async () => {
        const store = await open();
        await store.updateShard(ACCOUNT, (shard) => void shard.resources.push(resource(1)));
        // the backup rotation of the resources file cannot replace a folder
        const blocker = `${store.shardPath(ACCOUNT)}.bak`;
        await mkdir(join(blocker, 'in-the-way'), { recursive: true });
        await assert.rejects(
            store.updateShard(ACCOUNT, (shard) => {
                shard.resources.push(resource(2));
                shard.scans.push(scan('new'));
            }),
            (error: unknown) => error instanceof StoreError && error.code === 'EUNWRITABLE' && error.path === store.shardPath(ACCOUNT),
        );
        const fresh = await open();
        const shard = await fresh.readShard(ACCOUNT);
        assert.deepEqual(shard.resources.map((r) => r.name), ['b1'], 'the resources file is the old one');
        assert.deepEqual(shard.scans.map((s) => s.startedAt), ['new'], 'the violations file is the new one');
        // the next update completes the shard
        await rm(blocker, { recursive: true });
        await fresh.updateShard(ACCOUNT, (locked) => void locked.resources.push(resource(2)));
        assert.deepEqual((await (await open()).readShard(ACCOUNT)).resources.map((r) => r.name), ['b1', 'b2']);
    });

    it('recovers a damaged violations file from its backup, keeping and reporting the damaged copy, resources untouched', async () => {
        const store = await open();
        await store.updateShard(ACCOUNT, (shard) => {
            shard.resources.push(resource(1));
            shard.violations.push(violation(1));
        });
        await store.updateShardViolations(ACCOUNT, (draft) => void draft.violations.push(violation(2)));
        await writeFile(store.shardViolationsPath(ACCOUNT), '{"schemaVersion":2,"account":"demo/us-w');
        const fresh = await open();
        await fresh.updateShardViolations(ACCOUNT, (draft) => {
            assert.deepEqual(draft.violations.map((v) => v.id), ['v1'], 'restored from the backup');
            draft.violations.push(violation(3));
        });
        assert.equal(fresh.recoveries.length, 1);
        const [report] = fresh.recoveries;
        assert.equal(report!.file, fresh.shardViolationsPath(ACCOUNT));
        assert.equal(report!.restoredFrom, `${fresh.shardViolationsPath(ACCOUNT)}.bak`);
        assert.equal(await readFile(report!.movedTo!, 'utf8'), '{"schemaVersion":2,"account":"demo/us-w');
        const shard = await (await open()).readShard(ACCOUNT);
        assert.deepEqual(shard.violations.map((v) => v.id), ['v1', 'v3']);
        assert.deepEqual(shard.resources.map((r) => r.name), ['b1']);
    });

    it('refuses a violations file from a newer Policy Insights and leaves both files alone', async () => {
        const store = await open();
        await store.updateShard(ACCOUNT, (shard) => void shard.resources.push(resource(1)));
        const future = JSON.stringify({ schemaVersion: SCHEMA_VERSION + 1, account: ACCOUNT, violations: 'new shape' });
        await writeFile(store.shardViolationsPath(ACCOUNT), future);
        const resourcesBefore = await stat(store.shardPath(ACCOUNT), { bigint: true });
        const isSchemaError = (error: unknown) => error instanceof StoreError && error.code === 'ESCHEMA' && error.path === store.shardViolationsPath(ACCOUNT);
        await assert.rejects(store.readShard(ACCOUNT), isSchemaError);
        await assert.rejects(store.updateShardViolations(ACCOUNT, (draft) => void draft.violations.push(violation(1))), isSchemaError);
        await assert.rejects(store.updateShard(ACCOUNT, (shard) => void shard.resources.push(resource(2))), isSchemaError);
        assert.equal(await readFile(store.shardViolationsPath(ACCOUNT), 'utf8'), future);
        assert.equal((await stat(store.shardPath(ACCOUNT), { bigint: true })).ino, resourcesBefore.ino);
        assert.deepEqual(store.recoveries, []);
    });

    it('reports a change of either file by another process as that shard’s change, once', async () => {
        const store = await open(true);
        assert.equal(store.watching, true, String(store.watchError));
        await store.updateShard(ACCOUNT, (shard) => void shard.resources.push(resource(1)));
        const changes: StoreChange[] = [];
        store.onDidChange((change) => changes.push(change));

        // another writer replaces the violations file only
        await writeFileAtomic(store.shardViolationsPath(ACCOUNT), JSON.stringify({ schemaVersion: SCHEMA_VERSION, account: ACCOUNT, violations: [violation(1)], scans: [] }), { keepBackup: true });
        await eventually(() => changes.length > 0, 2000, 'a change of the violations file');
        await watcherCaughtUp(store);
        assert.deepEqual(withoutMarker(changes), [{ kind: 'shard', account: ACCOUNT }]);
        assert.deepEqual((await store.readShard(ACCOUNT)).violations.map((v) => v.id), ['v1']);

        // and the resources file only
        changes.length = 0;
        await writeFileAtomic(store.shardPath(ACCOUNT), JSON.stringify({ schemaVersion: SCHEMA_VERSION, account: ACCOUNT, resources: [resource(2)] }), { keepBackup: true });
        await eventually(() => changes.length > 0, 2000, 'a change of the resources file');
        await watcherCaughtUp(store);
        assert.deepEqual(withoutMarker(changes), [{ kind: 'shard', account: ACCOUNT }]);
        assert.deepEqual((await store.readShard(ACCOUNT)).resources.map((r) => r.name), ['b2']);
    });

    it('fires one change event for an update that writes both files', async () => {
        const store = await open();
        const changes: StoreChange[] = [];
        store.onDidChange((change) => changes.push(change));
        await store.updateShard(ACCOUNT, (shard) => {
            shard.resources.push(resource(1));
            shard.violations.push(violation(1));
        });
        assert.deepEqual(changes, [{ kind: 'shard', account: ACCOUNT }]);
    });
});

describe('a version 1 shard (one file)', () => {
    async function writeV1(store: Store): Promise<string> {
        const text = JSON.stringify(v1Shard());
        await writeFile(store.shardPath(ACCOUNT), text);
        return text;
    }

    it('is read as it was, and split into two files when first read', async () => {
        const store = await open();
        const text = await writeV1(store);
        const shard = await store.readShard(ACCOUNT);
        assert.deepEqual(structuredClone(shard), { ...v1Shard(), schemaVersion: SCHEMA_VERSION });
        assert.deepEqual(await readResourcesFile(store.shardPath(ACCOUNT)), { schemaVersion: SCHEMA_VERSION, account: ACCOUNT, resources: [resource(1), resource(2)] });
        assert.deepEqual(await readJson(store.shardViolationsPath(ACCOUNT)), { schemaVersion: SCHEMA_VERSION, account: ACCOUNT, violations: [violation(1)], scans: [scan('old')] });
        assert.equal(await readFile(`${store.shardPath(ACCOUNT)}.bak`, 'utf8'), text, 'the version 1 file is the backup');
        assert.deepEqual(await store.listShards(), [ACCOUNT]);
    });

    it('is split by an evaluation’s first write, which sees its violations and scans', async () => {
        const store = await open();
        await writeV1(store);
        await store.updateShardViolations(ACCOUNT, (draft) => {
            assert.deepEqual(draft.violations.map((v) => v.id), ['v1']);
            assert.deepEqual(draft.resources.map((r) => r.name), ['b1', 'b2']);
            draft.violations.push(violation(2));
            draft.scans[0]!.openViolations = 2;
        });
        assert.deepEqual(await readResourcesFile(store.shardPath(ACCOUNT)), { schemaVersion: SCHEMA_VERSION, account: ACCOUNT, resources: [resource(1), resource(2)] });
        const violations = await readJson(store.shardViolationsPath(ACCOUNT));
        assert.deepEqual(violations.violations.map((v: Violation) => v.id), ['v1', 'v2']);
        assert.equal(violations.scans[0].openViolations, 2);
        assert.deepEqual((await (await open()).readShard(ACCOUNT)).violations.map((v) => v.id), ['v1', 'v2']);
    });

    it('is split by a discovery’s first write', async () => {
        const store = await open();
        await writeV1(store);
        await store.updateShard(ACCOUNT, (shard) => {
            assert.deepEqual(shard.violations.map((v) => v.id), ['v1']);
            shard.scans.push(scan('new'));
        });
        assert.equal((await readJson(store.shardPath(ACCOUNT))).violations, undefined);
        assert.deepEqual((await readJson(store.shardViolationsPath(ACCOUNT))).scans.map((s: ScanRecord) => s.startedAt), ['old', 'new']);
    });

    it('left half-split by a crash (violations file written, resources file still version 1) reads the violations file', async () => {
        const store = await open();
        await writeV1(store);
        await writeFile(store.shardViolationsPath(ACCOUNT), JSON.stringify({ schemaVersion: SCHEMA_VERSION, account: ACCOUNT, violations: [violation(7)], scans: [] }));
        const shard = await store.readShard(ACCOUNT);
        assert.deepEqual(shard.violations.map((v) => v.id), ['v7']);
        assert.deepEqual(shard.resources.map((r) => r.name), ['b1', 'b2']);
        assert.equal((await readJson(store.shardPath(ACCOUNT))).violations, undefined, 'the split was completed');
    });

    it('restored from a version 1 backup after damage keeps the backup’s violations, and the damaged copy', async () => {
        const store = await open();
        await writeFile(`${store.shardPath(ACCOUNT)}.bak`, JSON.stringify(v1Shard()));
        await writeFile(store.shardPath(ACCOUNT), '{"schemaVersion":2,"acc');
        const shard = await store.readShard(ACCOUNT);
        assert.deepEqual(shard.violations.map((v) => v.id), ['v1']);
        assert.deepEqual(shard.scans.map((s) => s.startedAt), ['old']);
        assert.equal(store.recoveries.length, 1);
        assert.equal(store.recoveries[0]!.restoredFrom, `${store.shardPath(ACCOUNT)}.bak`);
        assert.equal(await readFile(store.recoveries[0]!.movedTo!, 'utf8'), '{"schemaVersion":2,"acc');
        assert.deepEqual((await readJson(store.shardViolationsPath(ACCOUNT))).violations.map((v: Violation) => v.id), ['v1'], 'and split');
    });
});
