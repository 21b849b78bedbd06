/**
 * ReadCache: parsed store files per version, LRU within a budget of their estimated heap; a write keeps only its
 * text, parsed by the first read (issue 14: the writer's objects and their parse are never on
 * the heap together).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PARSED_HEAP_FACTOR, ReadCache } from '../../../server/src/store/readCache';
import { makeTempDir } from './storeTestSupport';
import { Store } from '../../../server/src/store';

describe('ReadCache', () => {
    it('parses a lazily kept entry at its first read, once, and serves that parse after', () => {
        const cache = new ReadCache(1000);
        let parses = 0;
        cache.setLazy('f', 'v1', () => ({ n: ++parses }), 10);
        assert.equal(parses, 0, 'nothing parsed at the write');
        const first = cache.get<{ n: number }>('f', 'v1');
        assert.deepEqual(first, { n: 1 });
        assert.equal(cache.get('f', 'v1'), first);
        assert.equal(parses, 1);
        assert.equal(cache.get('f', 'v2'), undefined, 'another version of the file is not served');
    });

    it('drops an entry whose parse fails, so the reader parses the file instead', (t) => {
        const cache = new ReadCache(1000);
        const errors = t.mock.method(console, 'error', () => undefined);
        cache.setLazy('f', 'v1', () => {
            throw new Error('bad text');
        }, 10);
        assert.equal(cache.get('f', 'v1'), undefined);
        assert.equal(errors.mock.callCount(), 1);
        assert.match(String(errors.mock.calls[0]!.arguments[0]), /f was written/);
        assert.equal(cache.get('f', 'v1'), undefined);
    });

    it('evicts the least recently used entries past its budget, lazy ones included', () => {
        const cache = new ReadCache(100);
        cache.set('a', 'v', 'A', 10); // a parse: counts 10 x PARSED_HEAP_FACTOR
        cache.setLazy('b', 'v', () => 'B', 10); // text: counts its length
        assert.equal(cache.get('a', 'v'), 'A');
        cache.set('c', 'v', 'C', 15);
        assert.equal(cache.get('b', 'v'), undefined, 'b was the least recently used');
        assert.equal(cache.get('a', 'v'), 'A');
        cache.setLazy('big', 'v', () => 'BIG', 101);
        assert.equal(cache.get('big', 'v'), undefined, 'larger than the whole budget: not kept');
    });

    it('counts a parse at PARSED_HEAP_FACTOR times its file, so parsed shards do not pile up within a budget of file sizes', () => {
        assert.ok(PARSED_HEAP_FACTOR > 1);
        const cache = new ReadCache(100);
        cache.setLazy('a', 'v', () => 'A', 20);
        cache.setLazy('b', 'v', () => 'B', 30);
        assert.equal(cache.get('a', 'v'), 'A', 'parsed at its first read: now counts 20 x the factor');
        cache.setLazy('c', 'v', () => 'C', 5);
        assert.equal(cache.get('b', 'v'), undefined, 'b (text, least recently used) made room at the next add');
        assert.equal(cache.get('a', 'v'), 'A');
        cache.set('s', 'v', 'S', 60);
        assert.equal(cache.get('s', 'v'), 'S', 'a file within the budget is kept though its parse alone counts more: its reader uses it next');
        assert.equal(cache.get('a', 'v'), undefined, 'everything else made room for it');
    });

    it('serves a shard after its write from the text written, without reading the file, as an object the writer does not hold', async () => {
        const { dir, cleanup } = await makeTempDir();
        const store = await Store.open({ home: dir });
        try {
            const written: { properties: Record<string, unknown> }[] = [];
            await store.updateShard('a/r1', (shard) => {
                shard.resources.push({ account: 'a/r1', urn: 'urn:pulumi:a::r1::aws:s3/bucket:Bucket::b', type: 'aws:s3/bucket:Bucket', name: 'b', id: 'b', provider: 'aws', properties: { acl: 'private' }, hash: 'h' });
                written.push(shard.resources[0]!);
            });
            written[0]!.properties.acl = 'public-read';
            const read = await store.readShard('a/r1');
            assert.deepEqual(read.resources[0]!.properties, { acl: 'private' }, 'a later change to the objects written does not leak into what readers get');
            assert.notEqual(read.resources[0], written[0]);
            assert.equal(await store.readShard('a/r1'), read, 'parsed once');
        } finally {
            await store.close();
            await cleanup();
        }
    });
});
