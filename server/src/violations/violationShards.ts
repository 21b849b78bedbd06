/**
 * Which shard holds a violation, for the requests that act on one violation by id (the detail
 * pane, `violations show`, triage, suppression). At 1,000,000 violations in 300 shards, reading
 * shards in turn until one holds the id parsed up to ~1 GB of JSON for one answer (11 s, +250 MB
 * RSS, bench/violation-detail.mjs); this asks, most likely first:
 *   1. the violation index (the query service's snapshot knows every id's shard), when the
 *      caller has one (the language server);
 *   2. the shards whose files hold the id's text: a byte search of the raw files, no parse (the
 *      CLI has no index; the index does not know a violation written since it was built).
 * Each candidate is confirmed by reading it through the store, so a wrong hint costs one shard.
 * A shard none of whose files holds the text cannot hold the violation: the store reads a file
 * or, when it is damaged or gone, its `.bak` (storeDocument.ts), and neither a migration nor a
 * quarantine makes an id; so both are searched, and a file that cannot be read counts as holding it.
 */
import { readFile } from 'node:fs/promises';
import type { Store } from '../store';
import { backupPathOf } from '../store/atomicFile';

/** The account whose shard holds violation `id` as an index knows it (undefined: it does not know the id). */
export type ViolationLocator = (id: string) => Promise<string | undefined> | string | undefined;

/** Whether `path` holds `text` (the bytes of a JSON string's content); undefined when there is no such file. */
async function fileHolds(path: string, text: Buffer): Promise<boolean | undefined> {
    try {
        return (await readFile(path)).includes(text);
    } catch (error) {
        // unreadable: the store says why when it reads the shard
        return (error as NodeJS.ErrnoException).code === 'ENOENT' ? undefined : true;
    }
}

/** Whether a file of `account`'s shard, or its backup, holds the text of violation `id`. */
async function shardTextHolds(store: Store, account: string, id: string): Promise<boolean> {
    // as JSON writes it: an id needing no escapes (every violationId) is its own text
    const text = Buffer.from(JSON.stringify(id).slice(1, -1));
    for (const path of [store.shardViolationsPath(account), store.shardPath(account)]) {
        if ((await fileHolds(path, text)) || (await fileHolds(backupPathOf(path), text))) return true;
    }
    return false;
}

/**
 * Calls `look` on the shards that may hold violation `id`, most likely first (see above),
 * until it returns something; undefined when no shard holds it.
 */
export async function inShardOf<T>(store: Store, id: string, locate: ViolationLocator | undefined, look: (account: string) => Promise<T | undefined>): Promise<T | undefined> {
    const hinted = await locate?.(id);
    const accounts = await store.listShards();
    if (hinted !== undefined && accounts.includes(hinted)) {
        const found = await look(hinted);
        if (found !== undefined) return found;
    }
    for (const account of accounts) {
        if (account === hinted || !(await shardTextHolds(store, account, id))) continue;
        const found = await look(account);
        if (found !== undefined) return found;
    }
    return undefined;
}
