import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emptyResults, ResultCache } from '../../../server/src/evaluation/resultCache';

/** A cache file's results: its JSON after the HMAC line. */
function stored(file: string): { keys: string[] } {
    const content = readFileSync(file, 'utf8');
    return JSON.parse(content.slice(content.indexOf('\n') + 1));
}

function results(count: number, tag: string) {
    const r = emptyResults();
    for (let i = 0; i < count; i++) {
        r.urns.push(`urn:${i}`);
        r.keys.push(`key:${i}:${i === 0 ? tag : ''}`);
    }
    return r;
}

test('the cache file is rewritten when enough is new, otherwise on flush; memory is always current', async () => {
    const home = mkdtempSync(join(tmpdir(), 'pi-cache-'));
    try {
        const cache = new ResultCache(home);
        const file = join(cache.dir, 'demo%2Fus-west-2.json');
        await cache.load('demo/us-west-2');
        // A first evaluation: everything is new, so the file is written.
        await cache.checkpoint('demo/us-west-2', results(100, 'a'), 100);
        assert.equal(stored(file).keys[0], 'key:0:a');
        // 1 of 100 new: kept in memory only...
        await cache.checkpoint('demo/us-west-2', results(100, 'b'), 1);
        assert.equal(stored(file).keys[0], 'key:0:a');
        assert.equal((await cache.load('demo/us-west-2')).keys[0], 'key:0:b');
        // ...until enough has piled up (more than 10%),
        for (let i = 0; i < 10; i++) await cache.checkpoint('demo/us-west-2', results(100, `c${i}`), 1);
        assert.equal(stored(file).keys[0], 'key:0:c9');
        // or the process flushes before it ends.
        await cache.checkpoint('demo/us-west-2', results(100, 'd'), 1);
        await cache.flush();
        assert.equal(stored(file).keys[0], 'key:0:d');
        // A new process reads what was flushed.
        assert.equal((await new ResultCache(home).load('demo/us-west-2')).keys[0], 'key:0:d');
        await cache.drop('demo/us-west-2');
        assert.equal(existsSync(file), false);
    } finally {
        rmSync(home, { recursive: true, force: true });
    }
});

test('a cache file changed by anything without the home key is dropped and reported, never trusted', async () => {
    const home = mkdtempSync(join(tmpdir(), 'pi-cache-'));
    try {
        const cache = new ResultCache(home);
        const file = join(cache.dir, 'demo.json');
        await cache.save('demo', results(3, 'a'));
        assert.equal((await new ResultCache(home).load('demo')).keys[0], 'key:0:a');
        assert.deepEqual(cache.takeDistrusted(), []);
        // what a pack that could write the home did: valid-looking entries, no key
        const forged = readFileSync(file, 'utf8').replace('key:0:a', 'key:0:forged');
        writeFileSync(file, forged);
        const reader = new ResultCache(home);
        assert.deepEqual((await reader.load('demo')).keys, [], 'a forged file is not used');
        assert.deepEqual(reader.takeDistrusted(), [file]);
        assert.deepEqual(reader.takeDistrusted(), [], 'reported once');
        // the same forgery with a recomputed plain hash instead of the HMAC
        writeFileSync(file, `${'0'.repeat(64)}\n${forged.slice(forged.indexOf('\n') + 1)}`);
        assert.deepEqual((await new ResultCache(home).load('demo')).keys, []);
    } finally {
        rmSync(home, { recursive: true, force: true });
    }
});

test('memory holds a budget of entries, least recently used out first; what leaves memory unsaved is written first', async () => {
    const home = mkdtempSync(join(tmpdir(), 'pi-cache-'));
    try {
        const cache = new ResultCache(home, { memoryEntries: 150 });
        const fileOf = (entity: string) => join(cache.dir, `${encodeURIComponent(entity)}.json`);
        await cache.checkpoint('a/us-east-1', results(100, 'a1'), 100);
        // a's file falls behind its memory (1 of 100 new is not worth a write)...
        await cache.checkpoint('a/us-east-1', results(100, 'a2'), 1);
        assert.equal(stored(fileOf('a/us-east-1')).keys[0], 'key:0:a1');
        // ...and b's 100 entries push a out of memory: a is written as it leaves
        await cache.checkpoint('b/us-east-1', results(100, 'b1'), 100);
        assert.deepEqual(cache.inMemory(), ['b/us-east-1']);
        assert.equal(stored(fileOf('a/us-east-1')).keys[0], 'key:0:a2');
        // a read brings a back from its file (and b leaves, already saved)
        assert.equal((await cache.load('a/us-east-1')).keys[0], 'key:0:a2');
        assert.deepEqual(cache.inMemory(), ['a/us-east-1']);
        assert.equal((await cache.load('b/us-east-1')).keys[0], 'key:0:b1');
        // one entity larger than the budget still stays while it is the one in use
        await cache.checkpoint('c', results(200, 'c1'), 200);
        assert.deepEqual(cache.inMemory(), ['c']);
        await cache.flush();
        assert.equal((await new ResultCache(home).load('c')).keys.length, 200);
    } finally {
        rmSync(home, { recursive: true, force: true });
    }
});

test('release() takes an entity out of memory, writing it first when its file is behind', async () => {
    const home = mkdtempSync(join(tmpdir(), 'pi-cache-'));
    try {
        const cache = new ResultCache(home);
        const file = join(cache.dir, 'demo.json');
        await cache.checkpoint('demo', results(100, 'a'), 100);
        await cache.checkpoint('demo', results(100, 'b'), 1);
        assert.equal(stored(file).keys[0], 'key:0:a', 'behind');
        await cache.release('demo');
        assert.deepEqual(cache.inMemory(), []);
        assert.equal(stored(file).keys[0], 'key:0:b', 'written as it left memory');
        await cache.release('demo');
        assert.equal((await cache.load('demo')).keys[0], 'key:0:b', 'read back from the file');
    } finally {
        rmSync(home, { recursive: true, force: true });
    }
});
