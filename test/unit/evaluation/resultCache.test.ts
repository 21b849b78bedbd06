import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emptyResults, ResultCache } from '../../../server/src/evaluation/resultCache';

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
        assert.equal(JSON.parse(readFileSync(file, 'utf8')).keys[0], 'key:0:a');
        // 1 of 100 new: kept in memory only...
        await cache.checkpoint('demo/us-west-2', results(100, 'b'), 1);
        assert.equal(JSON.parse(readFileSync(file, 'utf8')).keys[0], 'key:0:a');
        assert.equal((await cache.load('demo/us-west-2')).keys[0], 'key:0:b');
        // ...until enough has piled up (more than 10%),
        for (let i = 0; i < 10; i++) await cache.checkpoint('demo/us-west-2', results(100, `c${i}`), 1);
        assert.equal(JSON.parse(readFileSync(file, 'utf8')).keys[0], 'key:0:c9');
        // or the process flushes before it ends.
        await cache.checkpoint('demo/us-west-2', results(100, 'd'), 1);
        await cache.flush();
        assert.equal(JSON.parse(readFileSync(file, 'utf8')).keys[0], 'key:0:d');
        // A new process reads what was flushed.
        assert.equal((await new ResultCache(home).load('demo/us-west-2')).keys[0], 'key:0:d');
        await cache.drop('demo/us-west-2');
        assert.equal(existsSync(file), false);
    } finally {
        rmSync(home, { recursive: true, force: true });
    }
});
