import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { Store, StoreError } from '../../../server/src/store';
import { makeTempDir, spawnWorker, type Worker, stopWorkers } from './storeTestSupport';
import { runAsWorkerIfAsked } from './storeWorker';

if (!runAsWorkerIfAsked()) {
    let home: string;
    let cleanup: () => Promise<void>;
    const workers: Worker[] = [];
    const stores: Store[] = [];

    const start = (...args: Parameters<typeof spawnWorker>) => {
        const worker = spawnWorker(...args);
        workers.push(worker);
        return worker;
    };
    const open = async (options: { lockTimeoutMs?: number; lockStaleMs?: number } = {}) => {
        const store = await Store.open({ home, ...options });
        stores.push(store);
        return store;
    };

    beforeEach(async () => {
        ({ dir: home, cleanup } = await makeTempDir());
    });
    afterEach(async () => {
        await stopWorkers(workers);
        for (const store of stores.splice(0)) await store.close();
        await cleanup();
    });

    describe('cross-process lock', () => {
        it('loses no update when two processes increment the same counter 200 times each', async () => {
            await (await open()).updateCatalog((catalog) => void (catalog.lastVersion.counter = 0));
            const a = start('increment', home, { count: 200 });
            const b = start('increment', home, { count: 200 });
            assert.equal(await a.exited, 0, a.stderr());
            assert.equal(await b.exited, 0, b.stderr());
            const store = await open();
            assert.equal((await store.readCatalog()).lastVersion.counter, 400);
            assert.deepEqual(store.recoveries, []);
        });

        it('fails with ELOCKED naming the path while another process holds the lock, and loses nothing', async () => {
            const store = await open({ lockTimeoutMs: 300 });
            await store.updateCatalog((catalog) => void (catalog.lastVersion.mine = 1));
            const holder = start('hold-lock', home, { value: 42 });
            await holder.line('locked');

            let mutated = false;
            const started = Date.now();
            await assert.rejects(
                store.updateCatalog(() => void (mutated = true)),
                (error: unknown) => {
                    assert.ok(error instanceof StoreError);
                    assert.equal(error.code, 'ELOCKED');
                    assert.equal(error.path, store.catalogPath);
                    assert.ok(error.message.includes(store.catalogPath), error.message);
                    assert.match(error.message, /another Policy Insights process \(a VS Code window or the policy-insights CLI\)/);
                    assert.match(error.message, /Wait for that process to finish/);
                    return true;
                },
            );
            assert.ok(Date.now() - started >= 250, 'waited for the lock timeout');
            assert.equal(mutated, false);
            // readers are not blocked by a writer
            assert.equal((await store.readCatalog()).lastVersion.mine, 1);

            holder.child.stdin!.write('go\n');
            assert.equal(await holder.exited, 0, holder.stderr());
            const catalog = await store.readCatalog();
            assert.equal(catalog.lastVersion.held, 42);
            assert.equal(catalog.lastVersion.mine, 1);
            await store.updateCatalog((c) => void (c.lastVersion.mine = 2));
            assert.equal((await store.readCatalog()).lastVersion.mine, 2);
        });

        it('locks each shard separately', async () => {
            const store = await open({ lockTimeoutMs: 300 });
            const holder = start('hold-lock', home, { account: 'demo/us-west-2', value: 7 });
            await holder.line('locked');

            await store.updateShard('demo/eu-west-1', (shard) => void shard.scans.push({ startedAt: 's', status: 'succeeded', added: 0, changed: 0, removed: 0, unchanged: 0, errors: [] }));
            await store.updateCatalog((catalog) => void (catalog.lastVersion.x = 1));
            await assert.rejects(
                store.updateShard('demo/us-west-2', () => undefined),
                (error: unknown) => error instanceof StoreError && error.code === 'ELOCKED' && error.path === store.shardPath('demo/us-west-2'),
            );

            holder.child.stdin!.write('go\n');
            assert.equal(await holder.exited, 0, holder.stderr());
            assert.deepEqual((await store.readShard('demo/us-west-2')).scans.map((scan) => scan.added), [7]);
            assert.equal((await store.readShard('demo/eu-west-1')).scans.length, 1);
        });

        it("takes over a crashed process's lock once it is stale", async () => {
            const holder = start('hold-lock', home, { value: 1, lockStaleMs: 2000 });
            await holder.line('locked');
            holder.child.kill('SIGKILL');
            await holder.exited;
            const store = await open({ lockStaleMs: 2000, lockTimeoutMs: 8000 });
            assert.ok(existsSync(`${store.catalogPath}.lock`), 'the crashed process left its lock behind');

            const started = Date.now();
            await store.updateCatalog((catalog) => void (catalog.lastVersion.after = 1));
            const waited = Date.now() - started;
            assert.ok(waited >= 500 && waited < 8000, `waited ${waited} ms for the stale lock`);
            assert.equal((await store.readCatalog()).lastVersion.after, 1);
            assert.equal((await store.readCatalog()).lastVersion.held, undefined, "the crashed process's change never landed");
            assert.equal(existsSync(`${store.catalogPath}.lock`), false);
        });
    });
}
