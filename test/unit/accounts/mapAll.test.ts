/**
 * mapAll: the per-item calls of one list run ITEMS_IN_FLIGHT at a time (issue 14: calls queued
 * all at once held most of a large scan's heap), results in the items' order.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ITEMS_IN_FLIGHT, mapAll } from '../../../server/src/accounts/aws/discoveryTypes';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('mapAll', () => {
    it('runs at most ITEMS_IN_FLIGHT items at once and keeps the order of the items', async () => {
        let running = 0;
        let most = 0;
        const items = Array.from({ length: ITEMS_IN_FLIGHT * 3 + 5 }, (_, i) => i);
        const results = await mapAll(items, async (i) => {
            most = Math.max(most, ++running);
            // later items finish first: the order must still be the items'
            for (let n = 0; n < (items.length - i) % 7; n++) await tick();
            running--;
            return i * 2;
        });
        assert.equal(most, ITEMS_IN_FLIGHT);
        assert.deepEqual(results, items.map((i) => i * 2));
    });

    it('rejects with the first failure and starts no item after it', async () => {
        const started: number[] = [];
        const items = Array.from({ length: ITEMS_IN_FLIGHT * 4 }, (_, i) => i);
        await assert.rejects(
            mapAll(items, async (i) => {
                started.push(i);
                await tick();
                if (i === 3) throw new Error('item 3 failed');
                return i;
            }),
            /item 3 failed/,
        );
        await tick();
        assert.ok(started.length < items.length, `${started.length} of ${items.length} items started`);
    });

    it('gives an empty list for no items', async () => {
        assert.deepEqual(await mapAll([], async () => 1), []);
    });
});
