/**
 * Crash-safe file primitives. A file is only ever replaced whole: the new content goes
 * to a temporary file in the same folder, is flushed to disk, and is renamed over the
 * old one, so a reader (or a crash) sees either the old or the new content. The old
 * content stays as `<file>.bak`, a hard link to the replaced file (no copy).
 */
import { randomBytes } from 'node:crypto';
import type { BigIntStats } from 'node:fs';
import { copyFile, link, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { errno } from './storeError';

const TEMP_SUFFIX = '.tmp';

/** `<file>.bak`: the content the last successful write replaced. */
export function backupPathOf(file: string): string {
    return `${file}.bak`;
}

function tempPathFor(file: string): string {
    return join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}${TEMP_SUFFIX}`);
}

/**
 * Identifies one version of a file. Every write renames a new inode into place, so the
 * inode number changes on each write even when size and mtime would not.
 */
export function versionKeyOf(stats: BigIntStats): string {
    return `${stats.ino}:${stats.mtimeNs}:${stats.size}`;
}

/** A file's content and the version it was read at. */
export interface FileSnapshot {
    text: string;
    key: string;
    size: number;
}

/** The version key of `file` now, or null when it does not exist. */
export async function currentVersionKey(file: string): Promise<string | null> {
    try {
        return versionKeyOf(await stat(file, { bigint: true }));
    } catch (error) {
        if (errno(error) === 'ENOENT') return null;
        throw error;
    }
}

/** Reads `file` and its version from one open handle (so both describe the same content); null when it does not exist. */
export async function readSnapshot(file: string): Promise<FileSnapshot | null> {
    let handle;
    try {
        handle = await open(file, 'r');
    } catch (error) {
        if (errno(error) === 'ENOENT') return null;
        throw error;
    }
    try {
        const stats = await handle.stat({ bigint: true });
        const text = await handle.readFile('utf8');
        return { text, key: versionKeyOf(stats), size: Number(stats.size) };
    } finally {
        await handle.close();
    }
}

export interface AtomicWriteOptions {
    /** Keep the content being replaced as `<file>.bak` (only when it is known to be good). */
    keepBackup: boolean;
    /**
     * Runs after the new content is on disk and just before it is renamed into place; a
     * throw abandons the write. The store checks that it still holds the lock here.
     */
    beforeCommit?: () => void;
}

/** Characters of a text encoded and written at a time. */
export const WRITE_SLICE_CHARS = 8 * 1024 * 1024;
const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;

/** Replaces `file` with `text` atomically; returns the version key of the new file. */
export async function writeFileAtomic(file: string, text: string, options: AtomicWriteOptions): Promise<string> {
    const temp = tempPathFor(file);
    let key: string;
    try {
        const handle = await open(temp, 'wx');
        try {
            // in slices: one Buffer of the whole text would double a large shard in memory at its write (issue 14)
            for (let at = 0; at < text.length; ) {
                let end = Math.min(text.length, at + WRITE_SLICE_CHARS);
                // each slice is encoded on its own: never split a surrogate pair
                if (end < text.length && isHighSurrogate(text.charCodeAt(end - 1))) end++;
                await handle.writeFile(text.slice(at, end), 'utf8');
                at = end;
            }
            await handle.sync();
            // rename keeps inode and mtime, so this is the key the file will have in place
            key = versionKeyOf(await handle.stat({ bigint: true }));
        } finally {
            await handle.close();
        }
        if (options.keepBackup) await rotateBackup(file);
        options.beforeCommit?.();
        await renameReplacing(temp, file);
    } catch (error) {
        await rm(temp, { force: true }).catch(() => undefined);
        throw error;
    }
    await syncFolder(dirname(file));
    return key;
}

/** Makes the current content of `file` its `.bak`, replacing the previous backup atomically. */
async function rotateBackup(file: string): Promise<void> {
    const temp = tempPathFor(`${file}.bak`);
    try {
        await link(file, temp);
    } catch (error) {
        const code = errno(error);
        if (code === 'ENOENT') return; // nothing to keep yet
        if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EXDEV' && code !== 'EMLINK' && code !== 'ENOSYS') throw error;
        // file systems without hard links: copy instead
        await copyFile(file, temp);
    }
    try {
        await renameReplacing(temp, backupPathOf(file));
    } catch (error) {
        await rm(temp, { force: true }).catch(() => undefined);
        throw error;
    }
}

/**
 * rename(), retried briefly when the target is busy: on Windows a reader or a virus
 * scanner holding the old file open makes the replace fail with EPERM/EACCES/EBUSY.
 */
async function renameReplacing(from: string, to: string): Promise<void> {
    for (let attempt = 0; ; attempt++) {
        try {
            return await rename(from, to);
        } catch (error) {
            const code = errno(error);
            if (process.platform !== 'win32' || attempt >= 10 || (code !== 'EPERM' && code !== 'EACCES' && code !== 'EBUSY')) throw error;
            await new Promise((resolve) => setTimeout(resolve, 20 * (attempt + 1)));
        }
    }
}

/** Makes a rename durable; not every platform can open a folder for syncing, which is harmless. */
async function syncFolder(folder: string): Promise<void> {
    let handle;
    try {
        handle = await open(folder, 'r');
        await handle.sync();
    } catch {
        // best effort
    } finally {
        await handle?.close().catch(() => undefined);
    }
}

/** Renames a damaged `file` to `<file>.corrupt-<timestamp>` (never deleted) and returns the new path. */
export async function moveAside(file: string, now = new Date()): Promise<string> {
    const stamp = now.toISOString().replace(/[:.]/g, '-');
    for (let attempt = 0; ; attempt++) {
        const target = `${file}.corrupt-${stamp}${attempt ? `-${attempt}` : ''}`;
        if ((await currentVersionKey(target)) !== null) continue;
        await rename(file, target);
        return target;
    }
}

/**
 * Deletes temporary files a crashed writer left in `folder` (they never hold the only
 * copy of anything: the rename that would have published them did not happen).
 */
export async function removeAbandonedTempFiles(folder: string, olderThanMs: number): Promise<void> {
    let names: string[];
    try {
        names = await readdir(folder);
    } catch {
        return;
    }
    const cutoff = Date.now() - olderThanMs;
    for (const name of names) {
        if (!name.startsWith('.') || !name.endsWith(TEMP_SUFFIX)) continue;
        const path = join(folder, name);
        try {
            if ((await stat(path)).mtimeMs < cutoff) await rm(path, { force: true });
        } catch {
            // another process removed or replaced it
        }
    }
}
