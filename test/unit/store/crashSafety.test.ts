import assert from 'node:assert/strict';
import { readFile, readdir, rm, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Store } from '../../../server/src/store';
import { makeTempDir, spawnWorker, type Worker, stopWorkers } from './storeTestSupport';
import { blobFor, runAsWorkerIfAsked } from './storeWorker';

if (!runAsWorkerIfAsked()) {
    let home: string;
    let cleanup: () => Promise<void>;
    const workers: Worker[] = [];

    beforeEach(async () => {
        ({ dir: home, cleanup } = await makeTempDir());
    });
    afterEach(async () => {
        await stopWorkers(workers);
        await cleanup();
    });

    /** The write-loop step a catalog text holds; fails unless the text is one whole write. */
    function stepOf(text: string, what: string): number {
        let catalog;
        try {
            catalog = JSON.parse(text);
        } catch (error) {
            assert.fail(`${what} is not whole JSON (${text.length} chars): ${String(error)}`);
        }
        const blob = catalog.publishedTags.blob as [string, string] | undefined;
        if (!blob) return 0;
        const step = Number(blob[0]);
        assert.equal(blob[1], blobFor(step), `${what}: the blob matches its step`);
        return step;
    }

    describe('atomic writes', () => {
        it('leaves the old or the new full content when the writer is killed mid-write, and readers never see half a file', async () => {
            const catalogPath = join(home, 'catalog.json');
            let reads = 0;
            for (let round = 0; round < 5; round++) {
                const writer = spawnWorker('write-loop', home, { lockStaleMs: 2000 });
                workers.push(writer);
                // A home's first write replaces nothing, so it leaves no .bak: wait for a second
                // write. (Waiting for the first only, a kill before the second, which a loaded
                // machine's slow fsync makes likely in the read window below, found no .bak: ENOENT.)
                await writer.line(`wrote ${2 + round}`);
                // read concurrently with the writes for a while, then kill at an arbitrary point
                const until = Date.now() + 20 + Math.random() * 80;
                while (Date.now() < until) {
                    stepOf(await readFile(catalogPath, 'utf8'), `catalog.json read during the writes (round ${round})`);
                    reads++;
                }
                writer.child.kill('SIGKILL');
                assert.equal(await writer.exited, 'SIGKILL');
                const step = stepOf(await readFile(catalogPath, 'utf8'), `catalog.json after the kill (round ${round})`);
                assert.ok(step >= 1);
                stepOf(await readFile(`${catalogPath}.bak`, 'utf8'), `catalog.json.bak after the kill (round ${round})`);
                // the writer is dead; don't wait out the stale period before the next round
                await rm(`${catalogPath}.lock`, { recursive: true, force: true });
            }
            assert.ok(reads > 10, `read ${reads} times during the writes`);
            const store = await Store.open({ home });
            assert.deepEqual(store.recoveries, []);
            stepOf(JSON.stringify(await store.readCatalog()), 'the catalog the store reads');
            await store.close();
        });

        it('keeps the old content when a writer dies between flushing the temp file and renaming it', async () => {
            const first = await Store.open({ home });
            await first.updateCatalog((catalog) => void (catalog.lastVersion.v = 1));
            await first.close();
            const catalogPath = join(home, 'catalog.json');
            const old = await readFile(catalogPath, 'utf8');
            const next = old.replace('"v": 1', '"v": 2');
            assert.notEqual(next, old);

            const writer = spawnWorker('crash-before-rename', home, { file: catalogPath, text: next });
            workers.push(writer);
            assert.equal(await writer.exited, 'SIGKILL', writer.stderr());
            assert.ok((await writer.line('about to rename')).length > 0);

            assert.equal(await readFile(catalogPath, 'utf8'), old);
            const temps = (await readdir(home)).filter((name) => name.startsWith('.catalog.json.') && name.endsWith('.tmp'));
            assert.equal(temps.length, 1, 'the crashed writer left its temp file');
            assert.equal(await readFile(join(home, temps[0]!), 'utf8'), next, 'the temp file was complete: the crash came just before the rename');

            const store = await Store.open({ home });
            assert.deepEqual(store.recoveries, []);
            assert.equal((await store.readCatalog()).lastVersion.v, 1);
            await store.close();
            assert.ok((await readdir(home)).includes(temps[0]!), 'a recent temp file may belong to a live writer: kept');

            const anHourAgo = new Date(Date.now() - 3_600_000);
            await utimes(join(home, temps[0]!), anHourAgo, anHourAgo);
            await sleep(1);
            await (await Store.open({ home })).close();
            assert.ok(!(await readdir(home)).includes(temps[0]!), 'an abandoned temp file is cleaned up on open');
        });
    });
}
