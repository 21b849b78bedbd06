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

function shardFormat(account: string): DocumentFormat<Shard> {
    return {
        empty: () => emptyShard(account),
        normalize: (data) => normalizeShard(data, account),
        // up to ~50 MB: compact, serialized once per write
        serialize: (shard) => JSON.stringify(shard),
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
     * with other readers in this process and cached until the file changes, because
     * parsing a large shard is expensive and copying it costs more: treat it as
     * read-only. Use updateShard to change it, or structuredClone what you need to keep
     * changing.
     */
    async readShard(account: string): Promise<Shard> {
        const db = new Low<Shard>(new StoreDocumentAdapter(this.shard(account), null), emptyShard(account));
        await db.read();
        return db.data;
    }

    /** Like updateCatalog, for the shard of `account`; each account has its own lock. */
    async updateShard<T>(account: string, mutate: (shard: Shard) => T | Promise<T>): Promise<T> {
        return this.update(this.shard(account), emptyShard(account), mutate);
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
