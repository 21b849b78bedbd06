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
import { open } from 'node:fs/promises';
import type { Store } from '../store';
import { backupPathOf } from '../store/atomicFile';

/** The account whose shard holds violation `id` as an index knows it (undefined: it does not know the id). */
export type ViolationLocator = (id: string) => Promise<string | undefined> | string | undefined;

/** Bytes read at a time when searching a file: one buffer, reused. */
const CHUNK_BYTES = 1 << 20;

/**
 * Whether `path` holds `text` (the bytes of a JSON string's content); undefined when there is no
 * such file. Read a chunk at a time into one buffer: in a server holding the index (~600 MB of
 * heap at 1M violations), a buffer per file (~1 GB in all) made V8 collect its whole heap
 * several times over for the external memory, which took longer than the reads.
 */
export async function fileHolds(path: string, text: Buffer, buffer: Buffer = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, 2 * text.length))): Promise<boolean | undefined> {
    let handle;
    try {
        handle = await open(path, 'r');
    } catch (error) {
        // unreadable: the store says why when it reads the shard
        return (error as NodeJS.ErrnoException).code === 'ENOENT' ? undefined : true;
    }
    try {
        // the last bytes of a chunk are kept before the next, for a match across the boundary
        let kept = 0;
        for (;;) {
            const { bytesRead } = await handle.read(buffer, kept, buffer.length - kept, null);
            if (bytesRead === 0) return false;
            const end = kept + bytesRead;
            if (buffer.subarray(0, end).includes(text)) return true;
            kept = Math.min(text.length - 1, end);
            buffer.copy(buffer, 0, end - kept, end);
        }
    } catch {
        return true;
    } finally {
        await handle.close();
    }
}

/** Whether a file of `account`'s shard, or its backup, holds `text`. */
async function shardTextHolds(store: Store, account: string, text: Buffer, buffer: Buffer): Promise<boolean> {
    for (const path of [store.shardViolationsPath(account), store.shardPath(account)]) {
        if ((await fileHolds(path, text, buffer)) || (await fileHolds(backupPathOf(path), text, buffer))) return true;
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
    // as JSON writes it: an id needing no escapes (every violationId) is its own text
    const text = Buffer.from(JSON.stringify(id).slice(1, -1));
    const buffer = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, 2 * text.length));
    for (const account of accounts) {
        if (account === hinted || !(await shardTextHolds(store, account, text, buffer))) continue;
        const found = await look(account);
        if (found !== undefined) return found;
    }
    return undefined;
}
