/**
 * Which shard holds a violation, for the requests that act on one violation by id (the detail
 * pane, `violations show`, triage, suppression). At 1,000,000 violations in 300 shards, reading
 * shards in turn until one holds the id parsed up to ~1.8 GB of JSON for one answer; this asks,
 * most likely first:
 *   1. the violation index (the query service's snapshot knows every id's shard), when the
 *      caller has one (the language server);
 *   2. the shards whose files hold the id's text: a byte search of the raw files, no parse (the
 *      CLI has no index; the index does not know a violation written since it was built);
 *   3. every other shard, as before: a file the store recovers from its `.bak` when read, or an
 *      older file it migrates, can hold what its text on disk does not.
 * Each candidate is confirmed by reading it through the store, so a stale hint costs one shard.
 */
import { readFile } from 'node:fs/promises';
import type { Store } from '../store';

/** The account whose shard holds violation `id` as an index knows it (undefined: it does not know the id). */
export type ViolationLocator = (id: string) => Promise<string | undefined> | string | undefined;

/** Whether one of the files of `account`'s shard holds the text `id` (true when a file could not be read: let the store say why). */
async function shardTextHolds(store: Store, account: string, id: string): Promise<boolean> {
    for (const path of [store.shardViolationsPath(account), store.shardPath(account)]) {
        try {
            if ((await readFile(path)).includes(id)) return true;
        } catch (error) {
            if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return true;
        }
    }
    return false;
}

/**
 * Calls `look` on the shards that may hold violation `id`, most likely first (see above),
 * until it returns something; undefined when no shard holds it. `likely` is false for the
 * last resort (the third kind above), where a caller about to lock a shard checks first.
 */
export async function inShardOf<T>(store: Store, id: string, locate: ViolationLocator | undefined, look: (account: string, likely: boolean) => Promise<T | undefined>): Promise<T | undefined> {
    const tried = new Set<string>();
    const attempt = async (account: string, likely = true): Promise<T | undefined> => {
        tried.add(account);
        return look(account, likely);
    };
    const hinted = await locate?.(id);
    const accounts = await store.listShards();
    if (hinted !== undefined && accounts.includes(hinted)) {
        const found = await attempt(hinted);
        if (found !== undefined) return found;
    }
    const unlikely: string[] = [];
    for (const account of accounts) {
        if (tried.has(account)) continue;
        if (!(await shardTextHolds(store, account, id))) {
            unlikely.push(account);
            continue;
        }
        const found = await attempt(account);
        if (found !== undefined) return found;
    }
    for (const account of unlikely) {
        const found = await attempt(account, false);
        if (found !== undefined) return found;
    }
    return undefined;
}
