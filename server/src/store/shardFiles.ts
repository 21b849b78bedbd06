/**
 * One account's shard as two store files, so that an evaluation, which changes only the
 * violations, writes (and fsyncs) a file the size of the violations instead of one holding
 * ~13 MB of resources as well:
 *
 *   shards/<enc>.json             ShardResourcesFile: resources (written by discovery)
 *   shards/<enc>@violations.json  ShardViolationsFile: violations and scans (evaluation, triage, discovery)
 *   shards/<enc>@violations.idx   the violation index of the violations file, a cache rewritten after each
 *                                 write of it (violationIndex/violationIndexFile.ts; not `.json`: listShards and
 *                                 the watcher ignore it)
 *
 * `<enc>` is encodeURIComponent(account), which turns every `@` into `%40`: a violations
 * file's name is never another account's resources file's name.
 *
 * Each file is a StoreDocument (atomic write, `.bak`, recovery, migration, read cache) on
 * its own. One lock covers both: the lock of the resources file, taken for every update.
 *
 * Writes go violations file first, then resources file, each only when its text changed.
 * Crash safety between the two writes: the violations file may then be newer than the
 * resources (discovery's update: its scan record landed, its resources did not). That is
 * a state evaluation repairs like any other: it derives violations from the resources on
 * disk (its result cache is keyed by resource content, so nothing stale is reused) and
 * the next scan computes its delta against those resources. The order matters for a
 * version 1 shard, whose only copy of the violations is in its resources file: they are
 * in the new violations file before the resources file drops them.
 */
import { Low, type Adapter } from 'lowdb';
import type { HeldLock } from './fileLock';
import {
    SCHEMA_VERSION,
    SHARD_RESOURCES_LISTS,
    SHARD_VIOLATIONS_LISTS,
    takeBadItems,
    emptyShardResources,
    emptyShardViolations,
    normalizeShardResources,
    normalizeShardViolations,
    type Shard,
    type ShardResourcesFile,
    type ShardViolationsFile,
} from './schema';
import type { DocumentFormat, LockedRead, StoreDocument } from './storeDocument';
import { encodeShardResources } from './resourceEncoding';
import type { Resource } from '../shared/model';
// the violation index's file beside the violations file: a cache this module keeps in step with it (see the module)
import { indexViolationsFile, removeViolationIndex } from './violationIndex/violationIndexFile';

/** What updateShardViolations hands its `mutate`: the resources are shared and read-only. */
export type ShardViolationsDraft = Omit<Shard, 'resources'> & { readonly resources: readonly Resource[] };

const RESOURCES_SUFFIX = '.json';
const VIOLATIONS_SUFFIX = '@violations.json';

/** The file names of the shard of `account`. */
export function shardFileNames(account: string): { resources: string; violations: string } {
    const encoded = encodeURIComponent(account);
    return { resources: `${encoded}${RESOURCES_SUFFIX}`, violations: `${encoded}${VIOLATIONS_SUFFIX}` };
}

/** The account whose shard a file of this name belongs to (either file), or undefined when it is no shard file. */
export function accountOfShardFile(name: string): string | undefined {
    const suffix = name.endsWith(VIOLATIONS_SUFFIX) ? VIOLATIONS_SUFFIX : name.endsWith(RESOURCES_SUFFIX) ? RESOURCES_SUFFIX : undefined;
    if (suffix === undefined) return undefined;
    const encoded = name.slice(0, -suffix.length);
    // encodeURIComponent never leaves an `@`: such a name is not one this store wrote
    if (encoded === '' || encoded.includes('@')) return undefined;
    try {
        return decodeURIComponent(encoded);
    } catch {
        return undefined; // not a name this store wrote
    }
}

/** Both files are compact: shards reach ~50 MB. Parsed back after a write, so readers never see the writer's objects. */
export function shardResourcesFormat(account: string): DocumentFormat<ShardResourcesFile> {
    return {
        empty: () => emptyShardResources(account),
        normalize: (data) => normalizeShardResources(data, account),
        takeBadItems: (part) => takeBadItems(part, SHARD_RESOURCES_LISTS),
        serialize: (part) => JSON.stringify(encodeShardResources(part)),
        asWritten: (text) => normalizeShardResources(JSON.parse(text), account),
        // only updateShardViolations reads it shared, and never changes the resources
        unchangedFrom: (part, base) =>
            part.resources === base.resources && part.account === base.account && part.schemaVersion === base.schemaVersion && part.violations === base.violations && part.scans === base.scans,
    };
}

export function shardViolationsFormat(account: string): DocumentFormat<ShardViolationsFile> {
    return {
        empty: () => emptyShardViolations(account),
        normalize: (data) => normalizeShardViolations(data, account),
        takeBadItems: (part) => takeBadItems(part, SHARD_VIOLATIONS_LISTS),
        serialize: (part) => JSON.stringify(part),
        asWritten: (text) => normalizeShardViolations(JSON.parse(text), account),
    };
}

/** Whether a resources file still holds the violations of a version 1 shard (and must be split). */
function holdsLegacyParts(part: ShardResourcesFile): boolean {
    return part.violations !== undefined || part.scans !== undefined;
}

/**
 * The shards readShard served, per pair of parts, so a shard whose files are unchanged is
 * the same object on every read. Keyed by the cached (read-only) part objects.
 */
const assembled = new WeakMap<ShardResourcesFile, WeakMap<object, Shard>>();

export class ShardFiles {
    constructor(
        readonly account: string,
        readonly resources: StoreDocument<ShardResourcesFile>,
        readonly violations: StoreDocument<ShardViolationsFile>,
        /** Runs `fn` holding the shard's one lock (the resources file's). */
        readonly withLock: <R>(fn: (lock: HeldLock) => Promise<R>) => Promise<R>,
    ) {}

    /**
     * The shard, shared and read-only (see Store.readShard). Read without the lock, like
     * every shared read: while another process is between its two writes, the violations
     * may already be its new ones (the state a crash there would leave, see above).
     */
    async read(): Promise<Shard> {
        // the resources first: repairing an old shard writes its violations file
        const resources = await this.resources.readShared();
        const violations = await this.violations.readSharedIfExists();
        const source: object = violations ?? resources;
        let byViolations = assembled.get(resources);
        if (!byViolations) assembled.set(resources, (byViolations = new WeakMap()));
        let shard = byViolations.get(source);
        if (!shard) {
            shard = {
                schemaVersion: SCHEMA_VERSION,
                account: this.account,
                resources: resources.resources,
                violations: violations ? violations.violations : (resources.violations ?? []),
                scans: violations ? violations.scans : (resources.scans ?? []),
            };
            byViolations.set(source, shard);
        }
        return shard;
    }

    /** Like Store.updateCatalog, through lowdb, for both files under the shard's lock. */
    async update<T>(mutate: (shard: Shard) => T | Promise<T>): Promise<T> {
        return this.withLock(async (lock) => {
            const db = new Low<Shard>(new LockedShardAdapter(this, lock), this.emptyShard());
            await db.read();
            const result = await mutate(db.data);
            await db.write();
            return result;
        });
    }

    /** See Store.updateShardViolations. */
    async updateViolations<T>(mutate: (draft: ShardViolationsDraft) => T | Promise<T>): Promise<T> {
        return this.withLock(async (lock) => {
            // the resources are only stat'ed when this process has them cached
            const resources = await this.resources.readLockedShared();
            const violations = await this.violations.readLocked();
            const draft = this.assemblePrivate(resources, violations);
            const base = resources.data.resources;
            const result = await mutate(draft);
            if (draft.resources !== base) {
                throw new Error(
                    `Store: updateShardViolations of ${this.account} replaced the resources; nothing was written. Use updateShard to change resources.`,
                );
            }
            // a version 1 shard is split now, with its resources as they are
            await this.writeLocked(draft, resources, violations, lock, resources.migrated || holdsLegacyParts(resources.data));
            return result;
        });
    }

    /** Deletes both files and their backups under the lock (damaged copies are kept). */
    async remove(): Promise<void> {
        await this.withLock(async () => {
            // the violations first: left alone, resources are re-evaluated; the reverse would show stale violations
            await this.violations.removeLocked();
            await removeViolationIndex(this.violations.path);
            await this.resources.removeLocked();
        });
    }

    /**
     * The repair readShared of the resources file asks for when the file is damaged or
     * old: recovers it, and splits a version 1 shard into its two files.
     */
    async repairResources(): Promise<ShardResourcesFile> {
        return this.withLock(async (lock) => {
            const resources = await this.resources.readLocked();
            if (!resources.migrated && !holdsLegacyParts(resources.data)) return resources.data;
            const violations = await this.violations.readLocked();
            await this.writeLocked(this.assemblePrivate(resources, violations), resources, violations, lock, true);
            // just written, so served from the read cache
            return this.resources.readShared();
        });
    }

    /** Both files read under the lock, as one shard whose violations and scans are private copies. */
    async readLocked(): Promise<{ shard: Shard; resources: LockedRead<ShardResourcesFile>; violations: LockedRead<ShardViolationsFile> }> {
        const resources = await this.resources.readLocked();
        const violations = await this.violations.readLocked();
        return { shard: this.assemblePrivate(resources, violations), resources, violations };
    }

    /**
     * Writes `shard` over the two files read under `lock`: the violations file, then (when
     * `writeResources`) the resources file, each only when its text changed. Both parts
     * are checked before either is written.
     */
    async writeLocked(
        shard: ShardViolationsDraft,
        resourcesRead: LockedRead<ShardResourcesFile>,
        violationsRead: LockedRead<ShardViolationsFile>,
        lock: HeldLock,
        writeResources: boolean,
    ): Promise<boolean> {
        const resources: ShardResourcesFile = { schemaVersion: SCHEMA_VERSION, account: shard.account, resources: shard.resources as Resource[] };
        const violations: ShardViolationsFile = { schemaVersion: SCHEMA_VERSION, account: shard.account, violations: shard.violations, scans: shard.scans };
        // the resources are checked only when they are written: an evaluation's write costs the size of its violations
        if (writeResources) this.resources.check(resources);
        this.violations.check(violations);
        let wrote = await this.violations.writeLocked(violations, violationsRead, lock);
        // under the lock, so the index written last describes the file written last; best effort (a cache)
        if (wrote) await indexViolationsFile(this.violations.path, violations.violations);
        if (writeResources && (await this.resources.writeLocked(resources, resourcesRead, lock))) wrote = true;
        return wrote;
    }

    private emptyShard(): Shard {
        return { schemaVersion: SCHEMA_VERSION, account: this.account, resources: [], violations: [], scans: [] };
    }

    /**
     * A shard from the two reads: the violations and scans come from the violations file,
     * or from a version 1 resources file while there is none. They are copied when they
     * come from a shared read; the resources are whatever the resources read holds.
     */
    private assemblePrivate(resources: LockedRead<ShardResourcesFile>, violations: LockedRead<ShardViolationsFile>): Shard {
        const exists = violations.text !== null;
        const legacy = (list: unknown[] | undefined) => (resources.shared ? structuredClone(list ?? []) : (list ?? []));
        return {
            schemaVersion: SCHEMA_VERSION,
            account: this.account,
            resources: resources.data.resources,
            violations: exists ? violations.data.violations : (legacy(resources.data.violations) as Shard['violations']),
            scans: exists ? violations.data.scans : (legacy(resources.data.scans) as Shard['scans']),
        };
    }
}

/** The lowdb adapter over both files of a shard, inside its lock (Store.updateShard). */
class LockedShardAdapter implements Adapter<Shard> {
    private lastRead: Awaited<ReturnType<ShardFiles['readLocked']>> | undefined;

    constructor(
        private readonly files: ShardFiles,
        private readonly lock: HeldLock,
    ) {}

    async read(): Promise<Shard> {
        this.lastRead = await this.files.readLocked();
        return this.lastRead.shard;
    }

    async write(shard: Shard): Promise<void> {
        if (!this.lastRead) throw new Error(`Store: the shard of ${this.files.account} was written without being read under its lock first.`);
        await this.files.writeLocked(shard, this.lastRead.resources, this.lastRead.violations, this.lock, true);
    }
}
