import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import type { Resource } from '../../../server/src/shared/model';
import { Store } from '../../../server/src/store';
import { makeTempDir } from './storeTestSupport';

const COUNT = 100_000;

function resource(i: number): Resource {
    return {
        account: 'big/us-east-1',
        region: 'us-east-1',
        urn: `urn:pulumi:insights::big::aws:s3/bucket:Bucket::bucket-${i}`,
        type: 'aws:s3/bucket:Bucket',
        name: `bucket-${i}`,
        id: `bucket-${i}`,
        properties: { acl: i % 10 ? 'private' : 'public-read', arn: `arn:aws:s3:::bucket-${i}`, tags: { team: 'a', env: 'prod' }, versioning: { enabled: true } },
        hash: `${i}`.padStart(64, '0'),
    };
}

describe('a shard of 100,000 resources', () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    before(async () => {
        const temp = await makeTempDir();
        cleanup = temp.cleanup;
        store = await Store.open({ home: temp.dir });
    });
    after(async () => {
        await store.close();
        await cleanup();
    });

    it('is written compact, parsed once, and then served from memory while unchanged', async (t) => {
        let started = Date.now();
        await store.updateShard('big/us-east-1', (shard) => {
            for (let i = 0; i < COUNT; i++) shard.resources.push(resource(i));
        });
        const writeMs = Date.now() - started;
        const size = (await stat(store.shardPath('big/us-east-1'))).size;
        assert.ok(size > 12_000_000, `${size} bytes`);

        started = Date.now();
        const first = await store.readShard('big/us-east-1');
        const firstReadMs = Date.now() - started;
        assert.equal(first.resources.length, COUNT);
        assert.equal(first.resources[COUNT - 1]!.name, `bucket-${COUNT - 1}`);

        started = Date.now();
        const again = await store.readShard('big/us-east-1');
        const cachedReadMs = Date.now() - started;
        assert.equal(again, first, 'not parsed again');
        assert.ok(cachedReadMs < 50, `cached read took ${cachedReadMs} ms`);
        assert.ok((await readFile(store.shardPath('big/us-east-1'), 'utf8')).indexOf('\n') === -1);

        // an update works on its own copy: readers holding the cached shard see no half-done change
        await store.updateShard('big/us-east-1', (shard) => void shard.resources.pop());
        assert.equal(first.resources.length, COUNT);
        assert.equal((await store.readShard('big/us-east-1')).resources.length, COUNT - 1);
        t.diagnostic(`${COUNT} resources, ${(size / 1e6).toFixed(1)} MB: write ${writeMs} ms, first read ${firstReadMs} ms, cached read ${cachedReadMs} ms`);
    });
});
