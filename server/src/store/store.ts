/**
 * The Store: the catalog and the per-account shards under one home folder, shared by
 * every VS Code window and the CLI on the machine.
 *
 *   <home>/catalog.json                              packs, groups, accounts (pretty-printed)
 *   <home>/shards/<encodeURIComponent(account)>.json  resources, violations, scans (compact)
 *   <home>/artifacts/                                published pack artifacts
 *
 * Each file is read and written through lowdb (`Low`) with StoreDocumentAdapter, which
 * adds the atomic write, the `.bak` backup, recovery of damaged files and migrations.
 * Updates take the file's cross-process lock, re-read, mutate and write.
 */
import { Low } from 'lowdb';
import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { currentVersionKey, removeAbandonedTempFiles } from './atomicFile';
import { outsideLocks, withFileLock, type HeldLock } from './fileLock';
import { ensureWritableFolders } from './home';
import { ReadCache } from './readCache';
import type { Resource } from '../model';
import { defaultCatalog, emptyShard, normalizeCatalog, normalizeShard, type Catalog, type Shard } from './schema';
import { StoreDocument, StoreDocumentAdapter, type DocumentFormat, type RecoveryReport } from './storeDocument';
import { unwritable } from './storeError';
import { StoreWatcher } from './storeWatcher';

/** What changed: the catalog, or the shard of `account` (absent when the platform did not say which). */
export interface StoreChange {
    kind: 'catalog' | 'shard';
    account?: string;
}

export interface StoreOptions {
    home: string;
    /** how long to wait for another process's lock before failing with ELOCKED (default 10000) */
    lockTimeoutMs?: number;
    /** watch the files so changes made by other processes are reported through onDidChange (default false) */
    watch?: boolean;
    /** a lock not refreshed for this long belonged to a crashed process and is taken over (default 10000, at least 2000) */
    lockStaleMs?: number;
    /** total size of the files whose parsed content is kept in memory (default 64 MiB) */
    cacheBytes?: number;
}

/** What updateShardViolations hands its `mutate`: the resources are shared and read-only. */
export type ShardViolationsDraft = Omit<Shard, 'resources'> & { readonly resources: readonly Resource[] };

export interface Disposable {
    dispose(): void;
}

const SHARD_SUFFIX = '.json';
/** Temp files this old were abandoned by a crashed writer (no write takes minutes). */
const ABANDONED_TEMP_MS = 10 * 60_000;

const catalogFormat: DocumentFormat<Catalog> = {
    empty: defaultCatalog,
    normalize: normalizeCatalog,
    // small and read by people: pretty-printed
    serialize: (catalog) => `${JSON.stringify(catalog, null, 2)}\n`,
};

/**
 * The JSON text of resource arrays this process serialized, for arrays that are never
 * changed afterwards: those the store keeps as the cached content of a shard (read-only
 * for everyone, see readShard and updateShard). Lets a write that only changes the
 * violations (updateShardViolations) skip serializing ~13 MB of unchanged resources.
 */
const resourcesJson = new WeakMap<readonly Resource[], string>();

/**
 * The text of everything but the resources (`{...}`) of shards the store keeps, and of a
 * draft between the "nothing changed" check and its serialization, so a violations-only
 * write serializes the violations once.
 */
const restJson = new WeakMap<Shard, string>();

/** `shard` without its resources, as JSON; `keepForWrite` when serializeShard comes next with the unchanged shard. */
function restTextOf(shard: Shard, keepForWrite: boolean): string {
    let text = restJson.get(shard);
    if (text === undefined) {
        const { resources: _, ...rest } = shard;
        text = JSON.stringify(rest);
        if (keepForWrite) restJson.set(shard, text);
    }
    return text;
}

/**
 * A shard's text: compact, with `resources` first so its text can be reused as is (the
 * rest is the same as JSON.stringify would give). `reuseResources` only from
 * updateShardViolations, whose resources are the store's cached, unchangeable array.
 */
function serializeShard(shard: Shard, reuseResources: boolean): string {
    let resourcesText = reuseResources ? resourcesJson.get(shard.resources) : undefined;
    if (resourcesText === undefined) {
        resourcesText = JSON.stringify(shard.resources);
        resourcesJson.set(shard.resources, resourcesText);
    }
    let restText: string | undefined;
    if (reuseResources) {
        restText = restJson.get(shard);
        restJson.delete(shard); // a draft's text is good for this one write only
    }
    if (restText === undefined) {
        const { resources: _, ...rest } = shard;
        restText = JSON.stringify(rest);
    }
    return restText === '{}' ? `{"resources":${resourcesText}}` : `{"resources":${resourcesText},${restText.slice(1)}`;
}

/**
 * What readers are served after `shard` was written as `text`: not `shard` itself, which
 * may hold what JSON does not keep (undefined fields, Dates) or objects its writer still
 * changes, but the content of the file. After updateShardViolations (`resourcesShared`)
 * the resources are the store's own parse already and only the rest is parsed.
 */
function shardAsWritten(shard: Shard, text: string, resourcesShared: boolean, account: string): Shard {
    const resourcesText = resourcesJson.get(shard.resources);
    if (!resourcesShared || resourcesText === undefined) {
        const parsed = normalizeShard(JSON.parse(text), account);
        if (resourcesText !== undefined) resourcesJson.set(parsed.resources, resourcesText);
        return parsed;
    }
    const restStart = '{"resources":'.length + resourcesText.length + 1;
    const restText = restStart >= text.length ? '{}' : `{${text.slice(restStart)}`;
    const kept = normalizeShard({ ...JSON.parse(restText), resources: shard.resources }, account);
    restJson.set(kept, restText); // what the next violations-only write compares its draft with
    return kept;
}

function shardFormat(account: string): DocumentFormat<Shard> {
    return {
        empty: () => emptyShard(account),
        normalize: (data) => normalizeShard(data, account),
        // up to ~50 MB: compact, serialized once per write
        serialize: serializeShard,
        // parsing a large shard again after writing it is most of an incremental evaluation's time
        asWritten: (shard, text, partsShared) => shardAsWritten(shard, text, partsShared, account),
        unchangedFrom: (shard, base) => shard.resources === base.resources && restTextOf(shard, true) === restTextOf(base, false),
    };
}

export class Store {
    readonly catalogPath: string;
    readonly artifactsDir: string;
    /** The folder holding one file per account. */
    readonly shardsDir: string;
    private readonly recoveryLog: RecoveryReport[] = [];
    private readonly recoveryListeners = new Set<(r: RecoveryReport) => void>();
    private readonly changeListeners = new Set<(c: StoreChange) => void>();
    private readonly cache: ReadCache;
    private readonly catalog: StoreDocument<Catalog>;
    private readonly shards = new Map<string, StoreDocument<Shard>>();
    /** The version of each file this store last wrote or reported, so the watcher reports only other processes' writes. */
    private readonly knownVersions = new Map<string, string | null>();
    private watcher: StoreWatcher | undefined;
    private watchFailure: Error | undefined;
    private readonly lockOptions: { timeoutMs: number; staleMs: number };

    private constructor(
        readonly home: string,
        options: StoreOptions,
    ) {
        this.catalogPath = join(home, 'catalog.json');
        this.artifactsDir = join(home, 'artifacts');
        this.shardsDir = join(home, 'shards');
        this.lockOptions = { timeoutMs: options.lockTimeoutMs ?? 10_000, staleMs: Math.max(options.lockStaleMs ?? 10_000, 2000) };
        this.cache = new ReadCache(options.cacheBytes ?? 64 * 1024 * 1024);
        this.catalog = this.document(this.catalogPath, catalogFormat);
    }

    /**
     * Opens the store at `opts.home`, creating the folders if missing. Fails with
     * EUNWRITABLE (naming the path) when the home cannot be created or written, and with
     * ESCHEMA when the catalog was written by a newer Policy Insights. Migrates an older
     * catalog and recovers a damaged one (see `recoveries`); shards are migrated and
     * recovered when first read.
     */
    static async open(opts: StoreOptions): Promise<Store> {
        const store = new Store(resolve(opts.home), opts);
        await ensureWritableFolders(store.home, [store.shardsDir, store.artifactsDir]);
        await removeAbandonedTempFiles(store.home, ABANDONED_TEMP_MS);
        await removeAbandonedTempFiles(store.shardsDir, ABANDONED_TEMP_MS);
        await store.catalog.readShared();
        if (opts.watch) store.startWatching();
        return store;
    }

    /** damaged files found and recovered since open (also each logged once via onRecovered listeners) */
    get recoveries(): RecoveryReport[] {
        return [...this.recoveryLog];
    }

    /**
     * Calls `listener` for every damaged file recovered: at once for those recovered
     * before it subscribed (e.g. during open), then as they happen.
     */
    onRecovered(listener: (r: RecoveryReport) => void): Disposable {
        this.recoveryListeners.add(listener);
        for (const report of this.recoveryLog) notify(listener, report);
        return { dispose: () => this.recoveryListeners.delete(listener) };
    }

    /** Fired after this store writes a file and, with `watch: true`, when another process does. */
    onDidChange(listener: (c: StoreChange) => void): Disposable {
        this.changeListeners.add(listener);
        return { dispose: () => this.changeListeners.delete(listener) };
    }

    /** A fresh read from disk (served from memory while the file is unchanged): a deep copy the caller may keep and change. */
    async readCatalog(): Promise<Catalog> {
        const db = new Low<Catalog>(new StoreDocumentAdapter(this.catalog, null), defaultCatalog());
        await db.read();
        return structuredClone(db.data);
    }

    /**
     * Under the catalog's cross-process lock: re-reads the catalog, lets `mutate` change
     * it in place and writes it atomically (only if it changed). If `mutate` throws,
     * nothing is written. Do not call the store's update methods for the catalog from
     * inside `mutate`.
     */
    async updateCatalog<T>(mutate: (catalog: Catalog) => T | Promise<T>): Promise<T> {
        return this.update(this.catalog, defaultCatalog(), mutate);
    }

    /**
     * The shard of `account` (an empty shard if none exists yet). The result is shared
     * with other readers in this process and cached until the file changes (after a write
     * by this process, the cache holds what was written, so it is not parsed again), because
     * parsing a large shard is expensive and copying it costs more: treat it as
     * read-only. Use updateShard to change it, or structuredClone what you need to keep
     * changing.
     */
    async readShard(account: string): Promise<Shard> {
        const db = new Low<Shard>(new StoreDocumentAdapter(this.shard(account), null), emptyShard(account));
        await db.read();
        return db.data;
    }

    /**
     * Like updateCatalog, for the shard of `account`; each account has its own lock.
     * `mutate` gets a fresh private copy read from disk. The written content is kept as
     * the parse readShard serves next (parsed from the text written, so what JSON does not
     * keep is gone and later changes to `mutate`'s objects do not leak into it).
     */
    async updateShard<T>(account: string, mutate: (shard: Shard) => T | Promise<T>): Promise<T> {
        return this.update(this.shard(account), emptyShard(account), mutate);
    }

    /**
     * Like updateShard, for updates that leave the resources alone (an evaluation writing
     * its violations): `mutate` gets a draft whose violations and scans are private copies
     * and whose `resources` is the shared, read-only array readShard serves. Under the lock
     * the draft is built from the cached content when the file is unchanged since this
     * process read or wrote it (no read or parse of the file), and the resources' JSON text
     * is reused for the write: such an update costs about the size of the violations, not
     * of the shard. A write by another process is never served from the cache (see
     * readLockedShared). Replacing or changing `resources` here is a bug; it throws
     * before anything is written when `resources` was replaced.
     */
    async updateShardViolations<T>(account: string, mutate: (shard: ShardViolationsDraft) => T | Promise<T>): Promise<T> {
        const document = this.shard(account);
        return withFileLock(document.path, this.lockOptions, async (lock: HeldLock) => {
            const read = await document.readLockedShared();
            const base = read.data;
            const draft: Shard = { ...base, violations: structuredClone(base.violations), scans: structuredClone(base.scans) };
            const result = await mutate(draft);
            if (draft.resources !== base.resources) {
                throw new Error(`Store: updateShardViolations of ${account} replaced the resources; nothing was written. Use updateShard to change resources.`);
            }
            await document.writeLocked(draft, read, lock, true);
            return result;
        });
    }

    /** Deletes the shard of `account` and its backup (damaged copies set aside are kept). */
    async removeShard(account: string): Promise<void> {
        const document = this.shard(account);
        await withFileLock(document.path, this.lockOptions, () => document.removeLocked());
    }

    /** Account names that have a shard. */
    async listShards(): Promise<string[]> {
        let names: string[];
        try {
            names = await readdir(this.shardsDir);
        } catch (error) {
            throw unwritable(this.shardsDir, 'read', error);
        }
        const accounts: string[] = [];
        for (const name of names) {
            const account = accountOfShardFile(name);
            if (account !== undefined) accounts.push(account);
        }
        return accounts.sort();
    }

    /** Stops watching and drops the in-memory cache. */
    async close(): Promise<void> {
        this.watcher?.close();
        this.watcher = undefined;
        this.cache.clear();
    }

    /** The path of the shard file of `account`. */
    shardPath(account: string): string {
        return this.shard(account).path;
    }

    private async update<D extends object, T>(document: StoreDocument<D>, empty: D, mutate: (data: D) => T | Promise<T>): Promise<T> {
        return withFileLock(document.path, this.lockOptions, async (lock: HeldLock) => {
            const adapter = new StoreDocumentAdapter(document, lock);
            const db = new Low<D>(adapter, empty);
            await db.read();
            const result = await mutate(db.data);
            await db.write();
            return result;
        });
    }

    private shard(account: string): StoreDocument<Shard> {
        if (typeof account !== 'string' || account === '') throw new TypeError('Store: an account name is required for a shard');
        let document = this.shards.get(account);
        if (!document) {
            document = this.document(join(this.shardsDir, `${encodeURIComponent(account)}${SHARD_SUFFIX}`), shardFormat(account));
            this.shards.set(account, document);
        }
        return document;
    }

    private document<T>(path: string, format: DocumentFormat<T>): StoreDocument<T> {
        return new StoreDocument(
            path,
            format,
            this.cache,
            {
                recovered: (report) => {
                    this.recoveryLog.push(report);
                    for (const listener of this.recoveryListeners) notify(listener, report);
                },
                wrote: (file, key) => {
                    this.knownVersions.set(file, key);
                    this.fireChange(this.changeOf(file));
                },
            },
            (fn) => withFileLock(path, this.lockOptions, fn),
        );
    }

    private changeOf(file: string): StoreChange {
        if (file === this.catalogPath) return { kind: 'catalog' };
        return { kind: 'shard', account: accountOfShardFile(file.slice(this.shardsDir.length + 1)) };
    }

    private fireChange(change: StoreChange): void {
        for (const listener of this.changeListeners) notify(listener, change);
    }

    /**
     * Whether changes by other processes are being reported: false without `watch: true`,
     * after close(), or when the platform refused to watch (then `watchError` says why).
     */
    get watching(): boolean {
        return this.watcher !== undefined;
    }

    /** Why watching could not start, when `watch: true` was asked for and the platform refused. */
    get watchError(): Error | undefined {
        return this.watchFailure;
    }

    private startWatching(): void {
        try {
            this.watcher = this.createWatcher();
        } catch (error) {
            // the store works without watching; the caller sees it in `watching` and `watchError`
            this.watchFailure = error instanceof Error ? error : new Error(String(error));
        }
    }

    private createWatcher(): StoreWatcher {
        return new StoreWatcher([this.home, this.shardsDir], (folder, name) => {
            if (name === null) {
                this.fireChange({ kind: folder === this.home ? 'catalog' : 'shard' });
                return;
            }
            const file = join(folder, name);
            if (folder === this.home ? file !== this.catalogPath : accountOfShardFile(name) === undefined) return;
            void this.reportIfChanged(file);
        });
    }

    private async reportIfChanged(file: string): Promise<void> {
        let key: string | null;
        try {
            key = await currentVersionKey(file);
        } catch {
            return;
        }
        if (this.knownVersions.has(file) && this.knownVersions.get(file) === key) return;
        this.knownVersions.set(file, key);
        this.fireChange(this.changeOf(file));
    }
}

/** The account a shard file name belongs to, or undefined when the name is not a shard's. */
function accountOfShardFile(name: string): string | undefined {
    if (!name.endsWith(SHARD_SUFFIX)) return undefined;
    try {
        return decodeURIComponent(name.slice(0, -SHARD_SUFFIX.length));
    } catch {
        return undefined; // not a name this store wrote
    }
}

function notify<E>(listener: (event: E) => void, event: E): void {
    outsideLocks(() => {
        try {
            listener(event);
        } catch (error) {
            // a listener's bug must not undo a write that already happened
            console.error('Policy Insights store: a listener failed:', error);
        }
    });
}
