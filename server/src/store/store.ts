/**
 * The Store: the catalog and the per-account shards under one home folder, shared by
 * every VS Code window and the CLI on the machine.
 *
 *   <home>/catalog.json                                         packs, groups, accounts (pretty-printed)
 *   <home>/shards/<encodeURIComponent(account)>.json             resources (compact)
 *   <home>/shards/<encodeURIComponent(account)>@violations.json  violations, scans (compact)
 *   <home>/artifacts/                                           published pack artifacts
 *
 * Each file is read and written through lowdb (`Low`) with StoreDocumentAdapter, which
 * adds the atomic write, the `.bak` backup, recovery of damaged files and migrations.
 * Updates take the file's cross-process lock (one per shard for its two files, see
 * ShardFiles), re-read, mutate and write.
 */
import { Low } from 'lowdb';
import { randomBytes } from 'node:crypto';
import { readdir, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { currentVersionKey, removeAbandonedTempFiles } from './atomicFile';
import { outsideLocks, withFileLock, type HeldLock } from './fileLock';
import { ensureFolders } from './home';
import { ReadCache } from './readCache';
import { CATALOG_LISTS, defaultCatalog, normalizeCatalog, takeBadItems, type Catalog, type Shard } from './schema';
import { ShardFiles, accountOfShardFile, shardFileNames, shardResourcesFormat, shardViolationsFormat, type ShardViolationsDraft } from './shardFiles';
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

/**
 * A publish builds its artifact in `artifacts/.staging-<pid>-<random>` and renames it into
 * place; this names one for the running process.
 */
export function stagingDirName(): string {
    return `${STAGING_PREFIX}${process.pid}-${randomBytes(4).toString('hex')}`;
}

const STAGING_PREFIX = '.staging-';

/**
 * Removes staging folders a killed publish left (up to tens of MB each): those of a process
 * that is gone, or older than `olderThanMs`. Best effort: a read-only home keeps them.
 */
async function removeAbandonedStaging(artifactsDir: string, olderThanMs: number): Promise<void> {
    let names: string[];
    try {
        names = await readdir(artifactsDir);
    } catch {
        return;
    }
    for (const name of names) {
        if (!name.startsWith(STAGING_PREFIX)) continue;
        const pid = Number(name.slice(STAGING_PREFIX.length).split('-')[0]);
        const path = join(artifactsDir, name);
        try {
            const abandoned = !processAlive(pid) || (await stat(path)).mtimeMs < Date.now() - olderThanMs;
            if (abandoned) await rm(path, { recursive: true, force: true });
        } catch {
            // removed meanwhile, or not ours to remove: left for the next open
        }
    }
}

function processAlive(pid: number): boolean {
    if (!Number.isInteger(pid) || pid <= 0) return false;
    try {
        process.kill(pid, 0);
        return true;
    } catch (error) {
        // EPERM: it exists, under another user
        return (error as NodeJS.ErrnoException).code === 'EPERM';
    }
}

/** Temp files this old were abandoned by a crashed writer (no write takes minutes). */
const ABANDONED_TEMP_MS = 10 * 60_000;

const catalogFormat: DocumentFormat<Catalog> = {
    empty: defaultCatalog,
    normalize: normalizeCatalog,
    takeBadItems: (catalog) => takeBadItems(catalog, CATALOG_LISTS),
    // small and read by people: pretty-printed
    serialize: (catalog) => `${JSON.stringify(catalog, null, 2)}\n`,
};

export class Store {
    readonly catalogPath: string;
    readonly artifactsDir: string;
    /** The folder holding two files per account (see ShardFiles). */
    readonly shardsDir: string;
    private readonly recoveryLog: RecoveryReport[] = [];
    private readonly recoveryListeners = new Set<(r: RecoveryReport) => void>();
    private readonly changeListeners = new Set<(c: StoreChange) => void>();
    private readonly cache: ReadCache;
    private readonly catalog: StoreDocument<Catalog>;
    private readonly shards = new Map<string, ShardFiles>();
    /** The version of each file this store last wrote or reported, so the watcher reports only other processes' writes. */
    private readonly knownVersions = new Map<string, string | null>();
    /** The version of each file this store itself last wrote (null: removed), to notice a write that vanished (replacedWrites). */
    private readonly ownWrites = new Map<string, string | null>();
    /** Accounts whose shard is being updated by this store, and whether a file of it was written yet: one change event per update. */
    private readonly shardUpdates = new Map<string, boolean>();
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
     * Opens the store at `opts.home`, creating the folders if missing (and writing nothing
     * when they exist). Fails with EUNWRITABLE (naming the path) when the home cannot be
     * created, and with
     * ESCHEMA when the catalog was written by a newer Policy Insights. Migrates an older
     * catalog and recovers a damaged one (see `recoveries`); shards are migrated and
     * recovered when first read.
     */
    static async open(opts: StoreOptions): Promise<Store> {
        const store = new Store(resolve(opts.home), opts);
        await ensureFolders(store.home, [store.shardsDir, store.artifactsDir]);
        await removeAbandonedTempFiles(store.home, ABANDONED_TEMP_MS);
        await removeAbandonedTempFiles(store.shardsDir, ABANDONED_TEMP_MS);
        await removeAbandonedStaging(store.artifactsDir, ABANDONED_TEMP_MS);
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
        return this.shard(account).read();
    }

    /**
     * Like updateCatalog, for the shard of `account`; each account has its own lock.
     * `mutate` gets a fresh private copy read from disk. The written content is kept as
     * the parse readShard serves next (parsed from the text written, so what JSON does not
     * keep is gone and later changes to `mutate`'s objects do not leak into it). Of the
     * shard's two files only those whose content changed are written.
     */
    async updateShard<T>(account: string, mutate: (shard: Shard) => T | Promise<T>): Promise<T> {
        return this.shard(account).update(mutate);
    }

    /**
     * Like updateShard, for updates that leave the resources alone (an evaluation writing
     * its violations): `mutate` gets a draft whose violations and scans are private copies
     * and whose `resources` is the shared, read-only array readShard serves. Under the lock
     * the resources come from the cached content when the file is unchanged since this
     * process read or wrote it (a stat, no read or parse), and only the violations file
     * is written: such an update costs about the size of the violations, not of the shard.
     * A write by another process is never served from the cache (see readLockedShared).
     * Replacing or changing `resources` here is a bug; it throws before anything is
     * written when `resources` was replaced.
     */
    async updateShardViolations<T>(account: string, mutate: (shard: ShardViolationsDraft) => T | Promise<T>): Promise<T> {
        return this.shard(account).updateViolations(mutate);
    }

    /** Deletes the shard of `account` (both files) and their backups (damaged copies set aside are kept). */
    async removeShard(account: string): Promise<void> {
        await this.shard(account).remove();
    }

    /** Account names that have a shard (either of its files), each once. */
    async listShards(): Promise<string[]> {
        let names: string[];
        try {
            names = await readdir(this.shardsDir);
        } catch (error) {
            throw unwritable(this.shardsDir, 'read', error);
        }
        const accounts = new Set<string>();
        for (const name of names) {
            const account = accountOfShardFile(name);
            if (account !== undefined) accounts.add(account);
        }
        return [...accounts].sort();
    }

    /**
     * Files this store wrote whose write is no longer on disk: neither the file nor its
     * `.bak` is the version written. A writer that goes through a store keeps the replaced
     * version as the `.bak` (a hard link, same version key), so this finds writes undone by
     * something that ignored the store's lock (a pack, an editor, a restore) — and, rarely,
     * two locked writes by other processes in a row, which is why callers say "check".
     */
    async replacedWrites(): Promise<string[]> {
        const replaced: string[] = [];
        for (const [file, key] of this.ownWrites) {
            if (key === null) continue;
            try {
                if ((await currentVersionKey(file)) === key || (await currentVersionKey(`${file}.bak`)) === key) continue;
            } catch {
                // unreadable now: reported as replaced, the user looks at it
            }
            replaced.push(file);
        }
        return replaced.sort();
    }

    /**
     * Drops every parsed file kept in memory (the next read parses again). A long-lived
     * process calls it when it goes idle, so parsed shards do not stay resident.
     */
    dropReadCache(): void {
        this.cache.clear();
    }

    /** Stops watching and drops the in-memory cache. */
    async close(): Promise<void> {
        this.watcher?.close();
        this.watcher = undefined;
        this.cache.clear();
    }

    /** The path of the resources file of `account`'s shard (also the path its lock is named after). */
    shardPath(account: string): string {
        return this.shard(account).resources.path;
    }

    /** The path of the violations file of `account`'s shard. */
    shardViolationsPath(account: string): string {
        return this.shard(account).violations.path;
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

    private shard(account: string): ShardFiles {
        if (typeof account !== 'string' || account === '') throw new TypeError('Store: an account name is required for a shard');
        let files = this.shards.get(account);
        if (!files) {
            const names = shardFileNames(account);
            const lockPath = join(this.shardsDir, names.resources);
            const withLock = <R>(fn: (lock: HeldLock) => Promise<R>) =>
                withFileLock(lockPath, this.lockOptions, async (lock) => {
                    // within this process the lock queue runs one update of a shard at a time
                    this.shardUpdates.set(account, false);
                    try {
                        return await fn(lock);
                    } finally {
                        const wrote = this.shardUpdates.get(account);
                        this.shardUpdates.delete(account);
                        if (wrote) this.fireChange({ kind: 'shard', account });
                    }
                });
            const shard: ShardFiles = new ShardFiles(
                account,
                this.document(lockPath, shardResourcesFormat(account), lockPath, () => shard.repairResources()),
                this.document(join(this.shardsDir, names.violations), shardViolationsFormat(account), lockPath),
                withLock,
            );
            files = shard;
            this.shards.set(account, files);
        }
        return files;
    }

    /** A store file; `lockPath` names the lock it is written under (a shard's two files share one). */
    private document<T>(path: string, format: DocumentFormat<T>, lockPath = path, repair?: () => Promise<T>): StoreDocument<T> {
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
                    this.ownWrites.set(file, key);
                    const change = this.changeOf(file);
                    // an update of both files of a shard fires once, when it ends
                    if (change.account !== undefined && this.shardUpdates.has(change.account)) this.shardUpdates.set(change.account, true);
                    else this.fireChange(change);
                },
            },
            (fn) => withFileLock(lockPath, this.lockOptions, fn),
            repair,
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
        return new StoreWatcher(
            [this.home, this.shardsDir],
            (folder, name) => {
                if (name === null) {
                    this.fireChange({ kind: folder === this.home ? 'catalog' : 'shard' });
                    return;
                }
                if (folder === this.home) {
                    if (join(folder, name) === this.catalogPath) void this.reportIfChanged({ kind: 'catalog' }, [this.catalogPath]);
                    return;
                }
                const account = accountOfShardFile(name);
                if (account === undefined) return;
                const files = this.shard(account);
                void this.reportIfChanged({ kind: 'shard', account }, [files.resources.path, files.violations.path]);
            },
            undefined,
            // a shard's two files are one change
            (folder, name) => (folder === this.shardsDir ? (accountOfShardFile(name) ?? name) : name),
        );
    }

    /** Fires `change` once if any of `files` is not the version this store last wrote or reported. */
    private async reportIfChanged(change: StoreChange, files: string[]): Promise<void> {
        let changed = false;
        for (const file of files) {
            let key: string | null;
            try {
                key = await currentVersionKey(file);
            } catch {
                continue;
            }
            if (this.knownVersions.has(file) && this.knownVersions.get(file) === key) continue;
            this.knownVersions.set(file, key);
            changed = true;
        }
        if (changed) this.fireChange(change);
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
