/**
 * Cross-process locks, one per store file, so two VS Code windows and the CLI never
 * lose each other's updates. proper-lockfile creates `<file>.lock` (a folder: mkdir is
 * atomic) and keeps refreshing its mtime; a lock whose mtime is older than the stale
 * period belonged to a crashed process and is taken over. Within one process, callers
 * queue on a promise chain instead of polling the lock folder.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import * as lockfile from 'proper-lockfile';
import { StoreError, errno, unwritable } from './storeError';

export interface FileLockOptions {
    /** Give up with ELOCKED after waiting this long for another process. */
    timeoutMs: number;
    /** A lock not refreshed for this long is considered abandoned (proper-lockfile's minimum is 2000). */
    staleMs: number;
}

/** Proof that the lock is held, checked right before a write is committed. */
export interface HeldLock {
    readonly file: string;
    /** Throws ELOCKED if the lock was lost (its folder removed or taken over as stale). */
    assertHeld(): void;
}

const queues = new Map<string, Promise<void>>();
const held = new AsyncLocalStorage<Set<string>>();

/** Runs `fn` while holding the lock of `file` (in this process and across processes). */
export async function withFileLock<R>(file: string, options: FileLockOptions, fn: (lock: HeldLock) => Promise<R>): Promise<R> {
    const outer = held.getStore();
    if (outer?.has(file)) {
        // waiting for ourselves would never end
        throw new Error(`The store's lock on ${file} is already held by this operation: do not update a store file from inside an update of the same file.`);
    }
    return inProcessQueue(file, async () => {
        const lock = await acquire(file, options);
        try {
            return await held.run(new Set([...(outer ?? []), file]), () => fn(lock));
        } finally {
            await lock.release();
        }
    });
}

async function inProcessQueue<R>(key: string, fn: () => Promise<R>): Promise<R> {
    const previous = queues.get(key) ?? Promise.resolve();
    let done!: () => void;
    const mine = new Promise<void>((resolve) => (done = resolve));
    const tail = previous.then(() => mine);
    queues.set(key, tail);
    await previous;
    try {
        return await fn();
    } finally {
        done();
        if (queues.get(key) === tail) queues.delete(key);
    }
}

interface AcquiredLock extends HeldLock {
    release(): Promise<void>;
}

async function acquire(file: string, options: FileLockOptions): Promise<AcquiredLock> {
    const deadline = Date.now() + options.timeoutMs;
    let compromised: Error | undefined;
    let delay = 5;
    for (;;) {
        try {
            const release = await lockfile.lock(file, {
                realpath: false, // the file itself may not exist yet
                stale: options.staleMs,
                retries: 0,
                onCompromised: (error) => {
                    // the default throws from a timer and would crash the process
                    compromised = error;
                },
            });
            return {
                file,
                assertHeld() {
                    if (compromised) {
                        throw new StoreError(
                            'ELOCKED',
                            file,
                            `Lost the lock on ${file} (${compromised.message}): another process took it over, so this change was not written. Try again.`,
                        );
                    }
                },
                async release() {
                    await release().catch(() => undefined); // a compromised lock is already gone
                },
            };
        } catch (error) {
            if (errno(error) !== 'ELOCKED') throw unwritable(`${file}.lock`, 'create the lock', error);
            if (Date.now() >= deadline) throw lockedError(file, options);
            await sleep(Math.min(delay, Math.max(1, deadline - Date.now())) * (0.5 + Math.random()));
            delay = Math.min(delay * 2, 100);
        }
    }
}

function lockedError(file: string, options: FileLockOptions): StoreError {
    return new StoreError(
        'ELOCKED',
        file,
        `${file} is locked by another Policy Insights process (a VS Code window or the policy-insights CLI) and was not released within ${options.timeoutMs} ms. ` +
            `Nothing was changed. Wait for that process to finish (or close it) and try again. ` +
            `If no such process is running, its lock ${file}.lock is taken over automatically after ${Math.round(options.staleMs / 1000)} s.`,
    );
}

/** Runs `fn` outside any held lock's context, so listeners it calls may update the store themselves. */
export function outsideLocks<R>(fn: () => R): R {
    return held.exit(fn);
}
