/**
 * The child-process side of the cross-process store tests. A test bundle spawned with
 * STORE_TEST_WORKER=<role> runs that role instead of registering its tests (every test
 * file that spawns workers starts with `if (!runAsWorkerIfAsked())`).
 */
import { utimes } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { writeFileAtomic } from '../../../server/src/store/atomicFile';
import { Store } from '../../../server/src/store';

export type WorkerRole = 'increment' | 'hold-lock' | 'write-loop' | 'crash-before-rename' | 'write-once' | 'rewrite-same-size';

/** Starts the worker role when this process is a worker; returns whether it is. */
export function runAsWorkerIfAsked(): boolean {
    const role = process.env.STORE_TEST_WORKER as WorkerRole | undefined;
    if (!role) return false;
    const home = process.env.STORE_TEST_HOME!;
    const args = JSON.parse(process.env.STORE_TEST_ARGS ?? '{}') as Record<string, any>;
    roles[role](home, args).then(
        () => (process.exitCode = 0),
        (error: unknown) => {
            process.stderr.write(`worker ${role} failed: ${error instanceof Error ? `${(error as any).code ?? ''} ${error.stack}` : String(error)}\n`);
            process.exitCode = 3;
        },
    );
    return true;
}

/** The blob a write-loop writes at step `i`: its length and content both identify the step. */
export function blobFor(i: number): string {
    return `${i}:`.padEnd(100_000 + (i % 5) * 150_000, String.fromCharCode(97 + (i % 26)));
}

const roles: Record<WorkerRole, (home: string, args: Record<string, any>) => Promise<void>> = {
    /** `count` increments of catalog.lastVersion.counter. */
    async increment(home, { count }) {
        const store = await Store.open({ home, lockTimeoutMs: 60_000 });
        for (let i = 0; i < count; i++) {
            await store.updateCatalog((catalog) => {
                catalog.lastVersion.counter = (catalog.lastVersion.counter ?? 0) + 1;
            });
        }
        console.log('done');
    },

    /** Takes the lock of the catalog (or of `account`'s shard), says "locked", and waits for a stdin line before writing `value`. */
    async 'hold-lock'(home, { account, value, lockStaleMs }) {
        const store = await Store.open({ home, lockStaleMs });
        const hold = async () => {
            console.log('locked');
            await new Promise<void>((resolve) => createInterface({ input: process.stdin }).once('line', () => resolve()));
        };
        if (account) {
            await store.updateShard(account, async (shard) => {
                await hold();
                shard.scans.push({ startedAt: String(value), status: 'succeeded', added: value, changed: 0, removed: 0, unchanged: 0, errors: [] });
            });
        } else {
            await store.updateCatalog(async (catalog) => {
                await hold();
                catalog.lastVersion.held = value;
            });
        }
        console.log('released');
        process.stdin.destroy();
    },

    /** Writes the catalog again and again, each time with a blob of a different size, printing "wrote <i>". */
    async 'write-loop'(home, { lockStaleMs }) {
        const store = await Store.open({ home, lockStaleMs });
        for (let i = 1; ; i++) {
            await store.updateCatalog((catalog) => {
                catalog.publishedTags.blob = [String(i), blobFor(i)];
            });
            console.log(`wrote ${i}`);
        }
    },

    /** Writes `text` to `file` and is killed after the temp file is flushed, just before the rename. */
    async 'crash-before-rename'(_home, { file, text }) {
        await writeFileAtomic(file, text, {
            keepBackup: true,
            beforeCommit: () => {
                console.log('about to rename');
                process.kill(process.pid, 'SIGKILL');
            },
        });
    },

    /** One update: the catalog (lastVersion.fromWorker) or, with `account`, that shard. */
    async 'write-once'(home, { account }) {
        const store = await Store.open({ home });
        if (account) {
            await store.updateShard(account, (shard) => {
                shard.scans.push({ startedAt: new Date().toISOString(), status: 'succeeded', added: 1, changed: 0, removed: 0, unchanged: 0, errors: [] });
            });
        } else {
            await store.updateCatalog((catalog) => {
                catalog.lastVersion.fromWorker = (catalog.lastVersion.fromWorker ?? 0) + 1;
            });
        }
        console.log('done');
    },

    /**
     * Replaces scans[0].startedAt of `account`'s shard with `startedAt` (same length, so its
     * violations file keeps its size) and sets the file's mtime to `mtimeSeconds`: only the inode then
     * tells the new file from the old one.
     */
    async 'rewrite-same-size'(home, { account, startedAt, mtimeSeconds }) {
        const store = await Store.open({ home });
        await store.updateShard(account, (shard) => {
            if (shard.scans[0].startedAt.length !== startedAt.length) throw new Error('rewrite-same-size needs a startedAt of the same length');
            shard.scans[0].startedAt = startedAt;
        });
        await utimes(store.shardViolationsPath(account), mtimeSeconds, mtimeSeconds);
        console.log('done');
    },
};
