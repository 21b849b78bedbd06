import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { Store, type StoreChange } from '../../../server/src/store';
import { eventually, makeTempDir, openWitness, spawnWorker, stopWorkers, watcherCaughtUp, withoutMarker, type Worker } from './storeTestSupport';
import { runAsWorkerIfAsked } from './storeWorker';

if (!runAsWorkerIfAsked()) {
    let home: string;
    let cleanup: () => Promise<void>;
    let store: Store;
    let changes: { change: StoreChange; at: number }[];
    const workers: Worker[] = [];

    async function openWatching(watch: boolean): Promise<void> {
        store = await Store.open({ home, watch });
        changes = [];
        store.onDidChange((change) => changes.push({ change, at: Date.now() }));
    }

    /** Runs one write in another process; resolves with when it finished writing. */
    async function writeFromOtherProcess(args: { account?: string } = {}): Promise<number> {
        const worker = spawnWorker('write-once', home, args);
        workers.push(worker);
        await worker.line('done');
        const doneAt = Date.now();
        assert.equal(await worker.exited, 0, worker.stderr());
        return doneAt;
    }

    beforeEach(async () => {
        ({ dir: home, cleanup } = await makeTempDir());
    });
    afterEach(async () => {
        await stopWorkers(workers);
        await store.close();
        await cleanup();
    });

    describe('watching for other processes', () => {
        it("reports another process's catalog write within a second", async () => {
            await openWatching(true);
            const doneAt = await writeFromOtherProcess();
            await eventually(() => changes.length > 0, 1000, 'a catalog change');
            assert.deepEqual(changes.map((c) => c.change), [{ kind: 'catalog' }]);
            assert.ok(changes[0]!.at - doneAt < 1000);
            assert.equal((await store.readCatalog()).lastVersion.fromWorker, 1);
        });

        it("reports another process's shard write with the account", async () => {
            await openWatching(true);
            await writeFromOtherProcess({ account: 'demo/us-west-2' });
            await eventually(() => changes.length > 0, 1000, 'a shard change');
            // temp files, backups and locks must not add events
            await watcherCaughtUp(store);
            assert.deepEqual(withoutMarker(changes.map((c) => c.change)), [{ kind: 'shard', account: 'demo/us-west-2' }]);
            assert.equal((await store.readShard('demo/us-west-2')).scans.length, 1);
        });

        it('reports its own writes once, not again through the watcher', async () => {
            await openWatching(true);
            await store.updateCatalog((catalog) => void (catalog.lastVersion.own = 1));
            await store.updateShard('a/b', (shard) => void (shard.account = 'a/b'));
            assert.deepEqual(changes.map((c) => c.change), [{ kind: 'catalog' }, { kind: 'shard', account: 'a/b' }], 'fired at once');
            await watcherCaughtUp(store);
            assert.deepEqual(withoutMarker(changes.map((c) => c.change)), [{ kind: 'catalog' }, { kind: 'shard', account: 'a/b' }], 'the watcher saw the same writes and added nothing');
        });

        it('does not watch without watch: true, nor after close', async () => {
            // A witness store watches the same home: once it has reported the other process's
            // write, this store would have too if it were watching.
            const witness = await openWitness(home);
            try {
                await openWatching(false);
                assert.equal(store.watching, false);
                await writeFromOtherProcess();
                await eventually(() => witness.changes.length === 1, 2000, 'the witness to report the first write');
                assert.deepEqual(changes, []);
                await store.close();
                await openWatching(true);
                assert.equal(store.watching, true, String(store.watchError));
                await store.close();
                assert.equal(store.watching, false);
                await writeFromOtherProcess();
                await eventually(() => witness.changes.length === 2, 2000, 'the witness to report the second write');
                assert.deepEqual(changes, []);
            } finally {
                await witness.close();
            }
        });
    });
}
