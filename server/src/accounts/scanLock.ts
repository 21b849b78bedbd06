/**
 * One scan per account across processes: VS Code windows (each a language server) and
 * `policy-insights watch` share a home, and two of them scanning one account at once would
 * write its shard twice and double its scan history. The lock is a folder beside the store
 * (proper-lockfile, as the store's own locks): refreshed while held, taken over when its owner
 * died (not refreshed for `staleMs`).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as lockfile from 'proper-lockfile';

const STALE_MS = 10_000;

/**
 * Takes the account's scan lock without waiting. Undefined when another process holds it;
 * else a function that releases it.
 */
export async function tryScanLock(home: string, account: string): Promise<(() => Promise<void>) | undefined> {
    const dir = join(home, 'locks');
    mkdirSync(dir, { recursive: true });
    try {
        const release = await lockfile.lock(join(dir, `scan-${encodeURIComponent(account)}`), {
            realpath: false,
            stale: STALE_MS,
            retries: 0,
            // a lock lost while scanning (the machine slept past the stale period) must not crash the process from a timer
            onCompromised: () => undefined,
        });
        return () => release().catch(() => undefined);
    } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ELOCKED') return undefined;
        throw error;
    }
}
