/**
 * One store file (the catalog, or one of a shard's two files): reading with recovery
 * and migration, writing atomically with a backup, and the lowdb adapter through which
 * the Store reads and writes it.
 */
import type { Adapter } from 'lowdb';
import { rm, writeFile } from 'node:fs/promises';
import { backupPathOf, currentVersionKey, moveAside, readSnapshot, writeFileAtomic } from './atomicFile';
import type { HeldLock } from './fileLock';
import { assertNotNewer, migrate, schemaVersionOf } from './migrations';
import type { ReadCache } from './readCache';
import { SCHEMA_VERSION, DamagedContentError, type QuarantinedItem } from './schema';
import { StoreError, errno, unwritable } from './storeError';
import { errorMessage } from '../shared/errors';

/** A damaged file that was moved aside, and where its content was restored from. */
export interface RecoveryReport {
    /** The damaged file. */
    file: string;
    /** Where the damaged content now is (`<file>.corrupt-<timestamp>`; never deleted), or null when the file was missing. */
    movedTo: string | null;
    /** The backup the content was restored from, or null when none was usable (the file then starts empty). */
    restoredFrom: string | null;
    /** What was wrong, e.g. "Unexpected end of JSON input". */
    reason: string;
    /**
     * Set when the file was good but some of its items were not: how many were taken out
     * (into `movedTo`, a `<file>.quarantine-<timestamp>.json`); the rest of the file is kept.
     */
    quarantined?: number;
}

/** The one wording of a recovery, for every place that reports it (CLI stderr, server status, output). */
export function describeRecovery(report: RecoveryReport): string {
    if (report.quarantined !== undefined) {
        return `${report.quarantined} item(s) in ${report.file} were not valid (${report.reason}) and were moved to ${report.movedTo}; the rest of the file is kept. Fix them there if they matter.`;
    }
    const what = report.movedTo === null ? `${report.file} was missing` : `${report.file} was damaged`;
    const kept = report.movedTo === null ? '' : ` The damaged copy was kept at ${report.movedTo}.`;
    const restored = report.restoredFrom
        ? ` It was restored from ${report.restoredFrom}: changes made after that copy was written are lost.`
        : ' No earlier good copy existed: it starts empty.';
    return `${what} (${report.reason}).${kept}${restored} Check what it holds now.`;
}

/** What a kind of store file looks like. */
export interface DocumentFormat<T> {
    /** The content of a file that does not exist yet. */
    empty(): T;
    /** Migrated content as T; throws DamagedContentError when it is not one. */
    normalize(data: unknown): T;
    /** The file's text. */
    serialize(data: T): string;
    /**
     * The parse of `text` (just written from `data`) for the read cache, so the next read
     * of the new file is served from memory. Without it the cache entry is dropped.
     */
    asWritten?(data: T, text: string): T;
    /** Takes the items of the wrong shape out of `data` (see takeBadItems in schema.ts). */
    takeBadItems?(data: T): QuarantinedItem[];
    /**
     * Whether `data`, built from the shared cached content `base` (see readLockedShared),
     * would be written as the same text: cheaper than comparing whole texts.
     */
    unchangedFrom?(data: T, base: T): boolean;
}

/** What the document tells its store. */
export interface DocumentEvents {
    recovered(report: RecoveryReport): void;
    /** `key` is the version key of the new file, or null when it was removed. */
    wrote(file: string, key: string | null): void;
}

/** A file read under its lock, with what is needed to write it back. */
export interface LockedRead<T> {
    data: T;
    /** The text on disk, to skip writes that change nothing; null when there was no file. */
    text: string | null;
    /** The file on disk is good content, worth keeping as the backup. */
    keepAsBackup: boolean;
    /** The content on disk is older than SCHEMA_VERSION and must be written back. */
    migrated: boolean;
    /** Set by readLockedShared when `data` is the shared cached content (`text` is then null). */
    shared?: boolean;
}

type Parsed<T> = { ok: true; data: T; migrated: boolean; quarantined?: QuarantinedItem[] } | { ok: false; reason: string };
/** Content older than SCHEMA_VERSION, not migrated yet. */
type Old = { ok: 'old' };

export class StoreDocument<T> {
    constructor(
        readonly path: string,
        private readonly format: DocumentFormat<T>,
        private readonly cache: ReadCache,
        private readonly events: DocumentEvents,
        private readonly lock: <R>(fn: (lock: HeldLock) => Promise<R>) => Promise<R>,
        /**
         * Replaces the default repair of a damaged or old file found by readShared (take
         * the lock, recover, write back what was migrated) when migrating this file means
         * writing others too (a version 1 shard becomes two files). Gives the repaired content.
         */
        private readonly repair?: () => Promise<T>,
    ) {}

    /** Throws (naming the file) when `data` would be read back as damaged: such content is never written. */
    check(data: T): void {
        let bad: QuarantinedItem[] = [];
        try {
            // a shallow copy: takeBadItems replaces lists, it never changes them
            bad = this.format.takeBadItems?.(this.format.normalize({ ...data })) ?? [];
        } catch (error) {
            if (!(error instanceof DamagedContentError)) throw error;
            throw new Error(`Store: refusing to write ${this.path} because ${error.message}; nothing was written.`);
        }
        if (bad.length) throw new Error(`Store: refusing to write ${this.path} because ${bad[0]!.problem}; nothing was written.`);
    }

    /**
     * The current content, without taking the lock when the file is good and current.
     * The result is shared with other readers (and cached until the file changes): do
     * not mutate it. A damaged or old file is repaired under the lock first.
     */
    async readShared(): Promise<T> {
        return (await this.readSharedIfExists()) ?? this.format.empty();
    }

    /** Like readShared, but undefined when there is no file (not even one to recover). */
    async readSharedIfExists(): Promise<T | undefined> {
        // a stat is enough to know the cached parse is still the file's content
        const key = await this.io('read', () => currentVersionKey(this.path));
        if (key === null) {
            // a file deleted behind the store's back while its backup remains is restored, never started empty
            if ((await this.io('read', () => currentVersionKey(backupPathOf(this.path)))) === null) return undefined;
            if (this.repair) return this.repair();
            return this.lock(async () => (await this.readLocked()).data);
        }
        const cached = this.cache.get<T>(this.path, key);
        if (cached) return cached;
        const snapshot = await this.io('read', () => readSnapshot(this.path));
        if (!snapshot) return undefined;
        const parsed = this.parse(snapshot.text, this.path, false);
        if (parsed.ok === true) {
            this.cache.set(this.path, snapshot.key, parsed.data, snapshot.size);
            return parsed.data;
        }
        // damaged or old: repair under the lock, where the file is read again
        if (this.repair) return this.repair();
        return this.lock(async (lock) => {
            const read = await this.readLocked();
            if (read.migrated) await this.writeLocked(read.data, read, lock);
            return read.data;
        });
    }

    /**
     * The content on disk, for a caller that holds the lock and will write it back:
     * a fresh private copy. A damaged file is moved aside and restored from its backup.
     */
    async readLocked(): Promise<LockedRead<T>> {
        const snapshot = await this.io('read', () => readSnapshot(this.path));
        if (!snapshot) {
            // removeLocked deletes the backup with the file: a backup alone means the file was lost, not removed
            if ((await this.io('read', () => currentVersionKey(backupPathOf(this.path)))) === null) {
                return { data: this.format.empty(), text: null, keepAsBackup: false, migrated: false };
            }
            return this.recover('deleted or lost while its backup remained', false);
        }
        const parsed = this.parse(snapshot.text, this.path, true);
        if (parsed.ok && parsed.quarantined?.length) await this.quarantine(parsed.quarantined);
        // written back without the quarantined items, so they are reported once
        if (parsed.ok) return { data: parsed.data, text: snapshot.text, keepAsBackup: true, migrated: parsed.migrated || !!parsed.quarantined?.length };
        return this.recover(parsed.reason);
    }

    /**
     * Like readLocked, but the data is the SHARED cached object when the file is still the
     * version this process last parsed or wrote (same inode, mtime and size: every write,
     * ours or another process's, renames a new inode into place, so a write elsewhere
     * never matches). Only for a caller that copies what it changes and leaves the rest
     * untouched (Store.updateShardViolations); writeLocked then asks the format's
     * unchangedFrom whether anything changed.
     */
    async readLockedShared(): Promise<LockedRead<T>> {
        const key = await this.io('read', () => currentVersionKey(this.path));
        const cached = key === null ? undefined : this.cache.get<T>(this.path, key);
        if (cached) return { data: cached, text: null, keepAsBackup: true, migrated: false, shared: true };
        return this.readLocked();
    }

    /**
     * Writes `data` over what `read` found (the caller holds `lock`); skips the write when
     * the text would not change. Returns whether the file was written.
     */
    async writeLocked(data: T, read: LockedRead<T>, lock: HeldLock): Promise<boolean> {
        // what would be read back as damaged must not be written in the first place
        this.check(data);
        if (read.shared && this.format.unchangedFrom) {
            if (this.format.unchangedFrom(data, read.data)) return false;
        } else if (read.shared) throw new Error(`Store: ${this.path} has no way to compare content read shared.`);
        const text = this.format.serialize(data);
        if (text === read.text) return false;
        const key = await this.io('write', () =>
            writeFileAtomic(this.path, text, { keepBackup: read.keepAsBackup, beforeCommit: () => lock.assertHeld() }),
        );
        // `key` is the new file's version: a later read (or readLockedShared) that finds it
        // is served the format's copy of what was written instead of parsing the file again
        this.cache.delete(this.path);
        // the write is done: a failure here may only cost the next reader a parse
        try {
            // a shard over the cache's budget is not parsed again only to be dropped (issue 14: ~2x its size in heap at the write's peak)
            if (this.format.asWritten && this.cache.fits(text.length)) this.cache.set(this.path, key, this.format.asWritten(data, text), text.length);
        } catch (error) {
            console.error(`Policy Insights store: ${this.path} was written but could not be kept in memory:`, error);
        }
        read.text = text;
        read.data = data;
        read.shared = false;
        read.keepAsBackup = true;
        read.migrated = false;
        this.events.wrote(this.path, key);
        return true;
    }

    /** Deletes the file and its backup (the caller holds the lock); damaged copies stay. */
    async removeLocked(): Promise<void> {
        await this.io('remove', async () => {
            await rm(this.path, { force: true });
            await rm(backupPathOf(this.path), { force: true });
        });
        this.cache.delete(this.path);
        this.events.wrote(this.path, null);
    }

    /** Restores the file from its backup after `reason`; `present` is false when the file itself is gone (nothing to move aside). */
    private async recover(reason: string, present = true): Promise<LockedRead<T>> {
        // look at the backup first: one from a newer Policy Insights stops everything before a file is moved
        const backup = backupPathOf(this.path);
        const snapshot = await this.io('read', () => readSnapshot(backup));
        const parsedBackup = snapshot ? this.parse(snapshot.text, backup, true) : null;

        const movedTo = present ? await this.moveDamagedAside(this.path, reason) : null;
        let restoredFrom: string | null = null;
        let result: LockedRead<T> = { data: this.format.empty(), text: null, keepAsBackup: false, migrated: false };
        let why = reason;
        if (parsedBackup?.ok) {
            if (parsedBackup.quarantined?.length) await this.quarantine(parsedBackup.quarantined);
            const text = this.format.serialize(parsedBackup.data);
            const key = await this.io('restore', () => writeFileAtomic(this.path, text, { keepBackup: false }));
            this.events.wrote(this.path, key);
            restoredFrom = backup;
            result = { data: parsedBackup.data, text, keepAsBackup: true, migrated: false };
        } else if (parsedBackup) {
            // a later write would replace it; as damaged content it is kept like the file itself
            const backupMovedTo = await this.moveDamagedAside(backup, parsedBackup.reason);
            why += `; its backup was damaged too (${parsedBackup.reason}) and was moved to ${backupMovedTo}`;
        } else {
            why += '; there was no backup to restore from';
        }
        this.cache.delete(this.path);
        this.events.recovered({ file: this.path, movedTo, restoredFrom, reason: why });
        return result;
    }

    /** Writes `items` beside the file as `<file>.quarantine-<timestamp>.json` (never deleted) and reports them. */
    private async quarantine(items: QuarantinedItem[]): Promise<void> {
        const stamp = new Date().toISOString().replace(/[:.]/g, '-');
        const target = `${this.path}.quarantine-${stamp}-${process.pid}.json`;
        await this.io('quarantine items of', () => writeFile(target, `${JSON.stringify(items, null, 2)}\n`, { flag: 'wx' }));
        const shown = items.slice(0, 3).map((i) => i.problem);
        const reason = `${shown.join('; ')}${items.length > shown.length ? `; and ${items.length - shown.length} more` : ''}`;
        this.events.recovered({ file: this.path, movedTo: target, restoredFrom: null, reason, quarantined: items.length });
    }

    private async moveDamagedAside(file: string, reason: string): Promise<string> {
        try {
            return await moveAside(file);
        } catch (error) {
            throw new StoreError(
                'ECORRUPT',
                file,
                `${file} is damaged (${reason}) and could not be moved aside: ${errorMessage(error)}. ` +
                    'Move or repair the file by hand, or use another home with --home DIR, POLICY_INSIGHTS_HOME or the policyInsights.home setting.',
                { cause: error },
            );
        }
    }

    /**
     * Parses `text` read from `file` and, when `migrateOld`, migrates it (otherwise old
     * content is only flagged: migrating is for a caller holding the lock). A newer
     * schema throws, leaving the file alone.
     */
    private parse(text: string, file: string, migrateOld: true): Parsed<T>;
    private parse(text: string, file: string, migrateOld: false): Parsed<T> | Old;
    private parse(text: string, file: string, migrateOld: boolean): Parsed<T> | Old {
        if (text.trim() === '') return { ok: false, reason: 'the file is empty' };
        let raw: unknown;
        try {
            raw = JSON.parse(text);
        } catch (error) {
            return { ok: false, reason: `it is not valid JSON (${errorMessage(error)})` };
        }
        if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { ok: false, reason: 'it is not a JSON object' };
        const version = schemaVersionOf(raw);
        if (Number.isNaN(version)) return { ok: false, reason: 'its schemaVersion is not a version number' };
        assertNotNewer(version, file);
        if (version < SCHEMA_VERSION && !migrateOld) return { ok: 'old' };
        const current = version < SCHEMA_VERSION ? migrate(raw, version, file) : raw;
        try {
            const data = this.format.normalize(current);
            const quarantined = this.format.takeBadItems?.(data) ?? [];
            // bad items are taken out under the lock, where the file is written back without them
            if (quarantined.length && !migrateOld) return { ok: 'old' };
            return { ok: true, data, migrated: version < SCHEMA_VERSION, quarantined };
        } catch (error) {
            if (error instanceof DamagedContentError) return { ok: false, reason: error.message };
            throw error;
        }
    }

    private async io<R>(doing: string, fn: () => Promise<R>): Promise<R> {
        try {
            return await fn();
        } catch (error) {
            if (error instanceof StoreError) throw error;
            const code = errno(error);
            if (code === undefined) throw error;
            throw unwritable(this.path, `${doing}`, error);
        }
    }
}

/**
 * The lowdb adapter over a StoreDocument. `shared` reads for readers that will not
 * write; `locked` reads and writes inside the file's lock, for updates.
 */
export class StoreDocumentAdapter<T> implements Adapter<T> {
    private lastRead: LockedRead<T> | undefined;
    /** Whether write() changed the file. */
    wrote = false;

    constructor(
        private readonly document: StoreDocument<T>,
        private readonly lock: HeldLock | null,
    ) {}

    async read(): Promise<T | null> {
        if (!this.lock) return this.document.readShared();
        this.lastRead = await this.document.readLocked();
        // lowdb keeps its default data when read() gives null; a restored or migrated file must still be written back
        return this.lastRead.data;
    }

    async write(data: T): Promise<void> {
        if (!this.lock || !this.lastRead) throw new Error(`Store: ${this.document.path} was written without being read under its lock first.`);
        if (await this.document.writeLocked(data, this.lastRead, this.lock)) this.wrote = true;
    }
}
