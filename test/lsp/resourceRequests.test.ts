/**
 * ListResourcesRequest at scale (issue 14): the Accounts tree asks for the first resources of
 * a type and the Find Resource… picker for the first matches of what is typed, so a type of
 * 100,000 resources is never sent whole. Through the real bundled server, on a store whose
 * region holds more resources of one type than the tree lists.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Resource } from '../../server/src/shared/model';
import { ListResourcesRequest, type ListResourcesParams } from '../../server/src/shared/protocol';
import { Store } from '../../server/src/store';
import { startServer, type LspSession } from './lspClient';

const ACCOUNT = 'many';
const CHILD = `${ACCOUNT}/us-east-1`;
const BUCKET = 'aws:s3/bucket:Bucket';
const QUEUE = 'aws:sqs/queue:Queue';
const BUCKETS = 1_000;

/** Buckets in a shuffled-looking stored order (not sorted by name), with queues between them. */
function storedResources(): Resource[] {
    const out: Resource[] = [];
    for (let i = 0; i < BUCKETS; i++) {
        const n = (i * 389) % BUCKETS; // a permutation: the stored order is not the names' order
        const name = `logs-${String(n).padStart(4, '0')}`;
        out.push({ account: CHILD, region: 'us-east-1', urn: `urn:pulumi:scan::many::${BUCKET}::${name}`, type: BUCKET, name, id: `arn:aws:s3:::Bucket-ID-${n}`, properties: {}, hash: name });
        if (i % 10 === 0) out.push({ account: CHILD, region: 'us-east-1', urn: `urn:pulumi:scan::many::${QUEUE}::logs-q${i}`, type: QUEUE, name: `logs-q${i}`, properties: {}, hash: `q${i}` });
    }
    return out;
}

let home: string;
let session: LspSession;
const stored = storedResources();
const list = (params: ListResourcesParams) => session.connection.sendRequest(ListResourcesRequest.type, params);
const buckets = stored.filter((r) => r.type === BUCKET);

before(async () => {
    home = mkdtempSync(path.join(tmpdir(), 'pi-lsp-resources-'));
    const store = await Store.open({ home });
    await store.updateCatalog((catalog) => {
        catalog.accounts.push({ name: ACCOUNT, provider: 'aws', settings: { regions: ['us-east-1'] }, children: [CHILD], scanSchedule: 'none', createdAt: new Date(0).toISOString() });
    });
    await store.updateShard(CHILD, (shard) => void shard.resources.push(...stored));
    await store.close();
    session = await startServer({ home });
});
after(async () => {
    await session?.close();
    rmSync(home, { recursive: true, force: true });
});

describe('ListResourcesRequest', () => {
    it('without a limit answers every resource of the type in the stored order, as before', async () => {
        const all = await list({ account: CHILD, type: BUCKET });
        assert.deepEqual(
            all,
            buckets.map(({ urn, type, name, id }) => ({ urn, type, name, id })),
        );
    });

    it('with a limit answers the first resources of the type in the same order', async () => {
        const first = await list({ account: CHILD, type: BUCKET, limit: 200 });
        assert.deepEqual(
            first.map((r) => r.urn),
            buckets.slice(0, 200).map((r) => r.urn),
        );
        assert.deepEqual(await list({ account: CHILD, type: BUCKET, limit: 0 }), []);
        assert.equal((await list({ account: CHILD, type: BUCKET, limit: BUCKETS + 5 })).length, BUCKETS);
        // the parent account (all its children) stops at the limit too
        assert.equal((await list({ account: ACCOUNT, limit: 7 })).length, 7);
    });

    it('searches name, id and URN case-insensitively, within the type, up to the limit', async () => {
        const byName = await list({ account: CHILD, type: BUCKET, search: 'LOGS-012', limit: 200 });
        assert.deepEqual(
            byName.map((r) => r.name),
            buckets.filter((r) => r.name.startsWith('logs-012')).map((r) => r.name),
        );
        assert.equal(byName.length, 10, 'logs-0120 … logs-0129');
        const byId = await list({ account: CHILD, type: BUCKET, search: 'bucket-id-777', limit: 200 });
        assert.deepEqual(
            byId.map((r) => r.name),
            buckets.filter((r) => r.id!.toLowerCase().includes('bucket-id-777')).map((r) => r.name),
        );
        assert.deepEqual(byId.map((r) => r.name), ['logs-0777']);
        // only the URN holds "s3/bucket" (the names and ids do not): every bucket matches, the first 50 are sent
        const byUrn = await list({ account: CHILD, type: BUCKET, search: 'S3/Bucket', limit: 50 });
        assert.deepEqual(
            byUrn.map((r) => r.urn),
            buckets.slice(0, 50).map((r) => r.urn),
        );
        // the type still applies: queues are named logs-q… too
        assert.ok((await list({ account: CHILD, type: BUCKET, search: 'logs-q' })).length === 0);
        assert.equal((await list({ account: CHILD, type: QUEUE, search: 'logs-q' })).length, BUCKETS / 10);
        assert.deepEqual(await list({ account: CHILD, type: BUCKET, search: 'no-such-bucket', limit: 200 }), []);
        // an empty search is no search
        assert.equal((await list({ account: CHILD, type: BUCKET, search: '  ', limit: 200 })).length, 200);
    });
});
