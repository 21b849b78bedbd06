/**
 * The violation index of one shard persisted beside its violations file, so a freshly
 * started language server loads columns instead of parsing shard JSON (bench/scale at 1M
 * resources: 182 MB of index files for 490,000 violations beside 338 MB of JSON; the first
 * rows took 4.6-6.9 s, nearly all of it building the index, and now 0.9 s):
 *
 *   shards/<enc>@violations.json   the violations (the store's file, the only truth)
 *   shards/<enc>@violations.idx    its index columns (this module's file, a cache)
 *
 * The name ends in `.idx`, not `.json`: the store's shard listing and its watcher ignore it.
 * The file says which version of the violations file it describes (versionKeyOf: inode,
 * mtime, size) and is trusted only while that file is still that version and its checksum
 * holds; anything else (missing, stale, damaged, another format) is rebuilt from the JSON
 * and written again. Losing it loses nothing. Detail reads still check the violations
 * file's version and each violation's id (FileReader): the index is never trusted over it.
 *
 * Who writes it: the store, right after it writes a violations file (ShardFiles.writeLocked
 * calls indexViolationsFile), so the CLI's `evaluate` leaves every shard indexed for the
 * server that starts next; and whoever loads a shard whose index is not current.
 *
 * Layout (little-endian; every section 8-byte aligned, so a section copies in one go):
 *   "PIVX"  u32 format  u32 crc32 of everything after byte 16  u32 0
 *   u32 header length, header JSON ({ versionKey, length, text, time })
 *   Float64 starts[n], Float64 times[TIME_COLUMNS][n], Int32 lengths[n], Int32 ordinals[TEXT_COLUMNS][n],
 *   u32 table length[TEXT_COLUMNS], Int32 hashes[TEXT_COLUMNS][table length] (textHash of each value),
 *   Float64 id keys high[n], low[n] (idKeys), strings ids, strings table[TEXT_COLUMNS]
 * where strings = u32 count, u32 encoding (0 utf8, 1 utf16le), u32 byte length, u32 0,
 * Int32 byte length of each string (utf8: negative when it is not ASCII), then the strings'
 * text one after another (ASCII ones cut from one decode with substring: no JSON.parse, and
 * no decode call per string).
 */
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { endianness } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { crc32 } from 'node:zlib';
import { versionKeyOf } from '../atomicFile';
import type { Violation } from '../../shared/model';
import { readShardViolations } from './shardViolationsFile';
import { ColumnsBuilder, DeferredTableColumn, IdList, TableColumn, TEXT_COLUMNS, TIME_COLUMNS, type Column, type Columns, type DeferredTexts, type IdColumn, type TextColumn } from './violationIndexColumns';

/** Bumped whenever the layout or what a column holds changes: an index of another format is rebuilt. */
export const VIOLATION_INDEX_FORMAT = 1;
const MAGIC = 0x58564950; // "PIVX" read as a little-endian u32
const PREFIX_BYTES = 16;

/** One shard's index: its columns, and where each violation's text lies in the violations file version `versionKey`. */
export interface ShardIndex {
    versionKey: string;
    columns: Columns;
    /** Byte offset of each violation's JSON text in the file. */
    starts: Float64Array;
    /** Byte length of each violation's JSON text. */
    lengths: Int32Array;
}

/** The index file of a violations file: `<enc>@violations.json` -> `<enc>@violations.idx`. */
export function violationIndexPathOf(violationsPath: string): string {
    return `${violationsPath.endsWith('.json') ? violationsPath.slice(0, -'.json'.length) : violationsPath}.idx`;
}

/** Why an index file was not used and rebuilt (`damaged` ones are worth a line in a log). */
export interface ViolationIndexProblem {
    file: string;
    reason: string;
}

const problemListeners = new Set<(problem: ViolationIndexProblem) => void>();

/**
 * Calls `listener` for every damaged index file found (and rebuilt) in this process: the
 * server logs them, as it logs the store's recoveries. A missing, stale or older index is
 * no problem: it is rebuilt silently.
 */
export function onViolationIndexDamaged(listener: (problem: ViolationIndexProblem) => void): { dispose(): void } {
    problemListeners.add(listener);
    return { dispose: () => problemListeners.delete(listener) };
}

/** An index file that is not one this format wrote intact. */
export class DamagedViolationIndex extends Error {}

/** With the u flag a surrogate pair is one code point: only a lone surrogate is in category Cs. */
const LONE_SURROGATE = /\p{Cs}/u;
const UTF8 = 0;
const UTF16 = 1;

/** Writes sections one after another, each 8-byte aligned. */
class SectionWriter {
    readonly chunks: Uint8Array[] = [];
    length = 0;

    bytes(data: Uint8Array): void {
        this.chunks.push(data);
        this.length += data.byteLength;
        const pad = (8 - (this.length % 8)) % 8;
        if (pad) {
            this.chunks.push(new Uint8Array(pad));
            this.length += pad;
        }
    }

    typed(array: Float64Array | Int32Array | Uint32Array): void {
        this.bytes(new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
    }

    strings(values: readonly string[]): void {
        const joined = values.join('');
        // utf8 unless a string holds a lone surrogate, which utf8 cannot carry (JSON can: "\ud800")
        const encoding = LONE_SURROGATE.test(joined) ? UTF16 : UTF8;
        const lengths = new Int32Array(values.length);
        for (let k = 0; k < values.length; k++) {
            // utf8: its byte length, negative when not ASCII (the reader decodes those one by one)
            if (encoding === UTF16) lengths[k] = values[k].length * 2;
            else {
                const bytes = Buffer.byteLength(values[k], 'utf8');
                lengths[k] = bytes === values[k].length ? bytes : -bytes;
            }
        }
        const text = Buffer.from(joined, encoding === UTF8 ? 'utf8' : 'utf16le');
        this.typed(Uint32Array.of(values.length, encoding, text.byteLength, 0));
        this.typed(lengths);
        this.bytes(text);
    }
}

/** Reads what SectionWriter wrote, checking every length against the file's. */
class SectionReader {
    constructor(
        private readonly buf: Buffer,
        public at: number,
    ) {}

    /** Where the next `bytes` bytes start; moves past them and their padding. */
    take(bytes: number, what: string): number {
        const from = this.at;
        if (!Number.isInteger(bytes) || bytes < 0 || from + bytes > this.buf.byteLength) throw new DamagedViolationIndex(`truncated in ${what}`);
        this.at = from + bytes + ((8 - (bytes % 8)) % 8);
        return from;
    }

    /**
     * A copy (not a view): the buffer is read into again. Made from a typed view of the
     * buffer's memory when aligned (sections are 8-byte aligned in the file; a Buffer per
     * section cost more than the copies at 300 shards).
     */
    float64(n: number, what: string): Float64Array {
        const at = this.buf.byteOffset + this.take(n * 8, what);
        if (at % 8 === 0) return new Float64Array(this.buf.buffer, at, n).slice();
        const out = new Float64Array(n);
        new Uint8Array(out.buffer).set(new Uint8Array(this.buf.buffer, at, n * 8));
        return out;
    }

    int32(n: number, what: string): Int32Array {
        const at = this.buf.byteOffset + this.take(n * 4, what);
        if (at % 4 === 0) return new Int32Array(this.buf.buffer, at, n).slice();
        const out = new Int32Array(n);
        new Uint8Array(out.buffer).set(new Uint8Array(this.buf.buffer, at, n * 4));
        return out;
    }

    /** A strings section: read now, or (`defer`) its bytes copied and its texts made when asked for. */
    strings(what: string): string[];
    strings(what: string, defer: true): { count: number; texts: DeferredTexts };
    strings(what: string, defer?: true): string[] | { count: number; texts: DeferredTexts } {
        const [count, encoding, byteLength] = new Uint32Array(this.int32(4, what).buffer);
        const lengths = this.int32(count, what);
        const from = this.take(byteLength, what);
        if (encoding !== UTF8 && encoding !== UTF16) throw new DamagedViolationIndex(`unknown text encoding ${encoding} in ${what}`);
        let sum = 0;
        for (let k = 0; k < count; k++) sum += Math.abs(lengths[k]);
        if (sum !== byteLength) throw new DamagedViolationIndex(`string lengths do not match the text in ${what}`);
        if (!defer) return decodeStrings(this.buf, from, encoding, lengths);
        // a copy (the file's buffer is read into again), as a Uint8Array: a Buffer per section cost more than the copies
        const copy = new Uint8Array(this.buf.buffer, this.buf.byteOffset + from, byteLength).slice();
        const bytes = Buffer.from(copy.buffer, copy.byteOffset, copy.byteLength);
        let offsets: Int32Array | undefined;
        return {
            count,
            texts: {
                all: () => decodeStrings(bytes, 0, encoding, lengths),
                at: (k) => {
                    if (!offsets) {
                        offsets = new Int32Array(count + 1);
                        for (let j = 0; j < count; j++) offsets[j + 1] = offsets[j] + Math.abs(lengths[j]);
                    }
                    const start = offsets[k];
                    const end = offsets[k + 1];
                    return bytes.toString(encoding === UTF16 ? 'utf16le' : lengths[k] >= 0 ? 'latin1' : 'utf8', start, end);
                },
            },
        };
    }
}

/** The texts of a strings section starting at byte `from` of `buf` (see SectionWriter.strings; lengths checked against the section). */
function decodeStrings(buf: Buffer, from: number, encoding: number, lengths: Int32Array): string[] {
    const count = lengths.length;
    const values = new Array<string>(count);
    let at = from;
    if (encoding === UTF8) {
        let byteLength = 0;
        for (let k = 0; k < count; k++) byteLength += Math.abs(lengths[k]);
        // ASCII strings are cut from one latin1 decode of the section: one-byte strings, as JSON.parse
        // makes them (a utf8 decode of the whole section would make every string two-byte when one is not ASCII)
        const ascii = buf.toString('latin1', from, from + byteLength);
        for (let k = 0; k < count; k++) {
            const length = lengths[k];
            if (length >= 0) {
                values[k] = ascii.substring(at - from, at - from + length);
                at += length;
            } else {
                values[k] = buf.toString('utf8', at, at - length);
                at -= length;
            }
        }
    } else {
        for (let k = 0; k < count; k++) {
            values[k] = buf.toString('utf16le', at, at + lengths[k]);
            at += lengths[k];
        }
    }
    return values;
}

/** Every id of `ids`, in order. */
function allIds(ids: IdColumn): readonly string[] {
    if (ids instanceof IdList) return ids.all();
    return Array.from({ length: ids.length }, (_, i) => ids.at(i));
}

/** The bytes of `index`'s file. */
export function encodeViolationIndex(index: ShardIndex): Buffer {
    const { columns } = index;
    const n = columns.length;
    const header = Buffer.from(JSON.stringify({ versionKey: index.versionKey, length: n, text: TEXT_COLUMNS, time: TIME_COLUMNS }));
    const w = new SectionWriter();
    w.typed(Uint32Array.of(MAGIC, VIOLATION_INDEX_FORMAT, 0, 0));
    w.typed(Uint32Array.of(header.byteLength));
    w.bytes(header);
    w.typed(index.starts);
    for (const times of columns.times) w.typed(times);
    w.typed(index.lengths);
    for (const column of columns.columns) w.typed(column.ordinals);
    for (const column of columns.columns) w.typed(Uint32Array.of(column.hashes.length));
    for (const column of columns.columns) w.typed(column.hashes);
    w.typed(columns.ids.high);
    w.typed(columns.ids.low);
    w.strings(allIds(columns.ids));
    for (const column of columns.columns) w.strings(column.table);
    const out = Buffer.concat(w.chunks, w.length);
    out.writeUInt32LE(crc32(out.subarray(PREFIX_BYTES)), 8);
    return out;
}

/**
 * The index in `buf`, which must describe the violations file version `versionKey`.
 * @returns 'stale' when it describes another version or is of another format (rebuilt without a word)
 * @throws DamagedViolationIndex when it is not an index file this format wrote intact
 */
export function decodeViolationIndex(buf: Buffer, versionKey: string): ShardIndex | 'stale' {
    if (buf.byteLength < PREFIX_BYTES + 8 || buf.readUInt32LE(0) !== MAGIC) throw new DamagedViolationIndex('not an index file');
    if (buf.readUInt32LE(4) !== VIOLATION_INDEX_FORMAT) return 'stale';
    if (crc32(buf.subarray(PREFIX_BYTES)) !== buf.readUInt32LE(8)) throw new DamagedViolationIndex('checksum mismatch');
    const r = new SectionReader(buf, PREFIX_BYTES);
    const headerLength = r.int32(1, 'the header length')[0];
    const headerAt = r.take(headerLength, 'the header');
    const header = JSON.parse(buf.toString('utf8', headerAt, headerAt + headerLength)) as { versionKey: string; length: number; text: string[]; time: string[] };
    if (header.versionKey !== versionKey) return 'stale';
    if (header.text.join() !== TEXT_COLUMNS.join() || header.time.join() !== TIME_COLUMNS.join()) throw new DamagedViolationIndex('its columns are not this format\'s');
    const n = header.length;
    const starts = r.float64(n, 'starts');
    const times = TIME_COLUMNS.map((c) => r.float64(n, c));
    const lengths = r.int32(n, 'lengths');
    const ordinals = TEXT_COLUMNS.map((c) => r.int32(n, c));
    const hashCounts = TEXT_COLUMNS.map((c) => r.int32(1, `the ${c} hash count`)[0]);
    const hashes = TEXT_COLUMNS.map((c, k) => r.int32(hashCounts[k], `the ${c} hashes`));
    const high = r.float64(n, 'the id keys');
    const low = r.float64(n, 'the id keys');
    // the ids' texts when first asked for (a page's rows): see IdColumn
    const idTexts = r.strings('ids', true);
    if (idTexts.count !== n) throw new DamagedViolationIndex(`${idTexts.count} ids for ${n} rows`);
    const ids = new IdList(n, high, low, idTexts.texts.all);
    const columns: Column[] = TEXT_COLUMNS.map((c, k) => {
        const what = `the ${c} table`;
        // the big tables' texts when asked for (see DeferredTableColumn)
        const table = DEFERRED.has(c) ? r.strings(what, true) : r.strings(what);
        const count = Array.isArray(table) ? table.length : table.count;
        if (hashes[k].length !== count) throw new DamagedViolationIndex(`${hashes[k].length} hashes for the ${count} values of ${c}`);
        return Array.isArray(table) ? new TableColumn(table, ordinals[k], hashes[k]) : new DeferredTableColumn(ordinals[k], hashes[k], table.texts);
    });
    if (r.at !== buf.byteLength) throw new DamagedViolationIndex('bytes after the last section');
    for (const [k, { hashes: values, ordinals: rows }] of columns.entries()) {
        // hashes: one per value (checked above), so the deferred message table is not made here
        for (let i = 0; i < n; i++) if (rows[i] < -1 || rows[i] >= values.length) throw new DamagedViolationIndex(`row ${i} of ${TEXT_COLUMNS[k]} points past its table`);
    }
    return { versionKey, columns: { length: n, ids, columns, times }, starts, lengths };
}

/** Builds the index of `violationsPath` from its JSON; undefined when the file is not one readShardViolations vouches for (the store reads it then). */
export async function buildShardIndex(violationsPath: string): Promise<ShardIndex | undefined> {
    const builder = new ColumnsBuilder();
    const read = await readShardViolations(violationsPath, (v) => builder.add(v));
    return read && { versionKey: read.versionKey, columns: builder.finish(), starts: read.starts, lengths: read.lengths };
}

/**
 * Replaces the index file of `violationsPath` with `index`: written to a temp file and
 * renamed into place, so a reader sees a whole file or none. Not synced: a torn file after
 * a crash fails its checksum and is rebuilt. The temp name follows the store's, so the
 * store's open removes one a crash left.
 */
export async function writeViolationIndex(violationsPath: string, index: ShardIndex): Promise<void> {
    const file = violationIndexPathOf(violationsPath);
    const temp = join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    try {
        await writeFile(temp, encodeViolationIndex(index));
        await rename(temp, file);
    } catch (error) {
        await rm(temp, { force: true }).catch(() => undefined);
        throw error;
    }
}

/**
 * Writes the index of the violations file just written at `violationsPath` (the store calls
 * it after each write of one, under the shard's lock, with the violations it wrote: their
 * columns are built from those, and only the byte ranges are found in the file, so an
 * evaluation's write parses nothing again). Best effort: it is a cache, and a failure here
 * must not fail the store's write; the next reader rebuilds it.
 */
export async function indexViolationsFile(violationsPath: string, written?: readonly Violation[]): Promise<void> {
    try {
        const index = (written && (await indexOfWritten(violationsPath, written))) ?? (await buildShardIndex(violationsPath));
        if (index) await writeViolationIndex(violationsPath, index);
        else await removeViolationIndex(violationsPath);
    } catch {
        // a cache: whoever reads the shard next builds it
    }
}

/** The index of the file at `violationsPath` holding `written` in order; undefined when it does not (then it is read as any other). */
async function indexOfWritten(violationsPath: string, written: readonly Violation[]): Promise<ShardIndex | undefined> {
    // located, not parsed: the violations are in hand
    const read = await readShardViolations(violationsPath);
    if (!read || read.count !== written.length) return undefined;
    const builder = new ColumnsBuilder();
    for (const v of written) builder.add(v);
    return { versionKey: read.versionKey, columns: builder.finish(), starts: read.starts, lengths: read.lengths };
}

/** Deletes the index file of `violationsPath` (the store removes it with the shard). */
export async function removeViolationIndex(violationsPath: string): Promise<void> {
    await rm(violationIndexPathOf(violationsPath), { force: true });
}

/**
 * Buffers index files are read into, reused: decoding copies everything out, and a fresh
 * Buffer per file (~175 MB at 500,000 violations) made the garbage collector run again and
 * again while a server started. One per read under way (see SHARDS_READ_AT_ONCE).
 */
const scratchBuffers: Buffer[] = [];
const SCRATCH_BYTES = 4 * 1024 * 1024;

/**
 * The content of `file`, in `scratch` when it fits (else in a Buffer of its own); undefined
 * when it cannot be read. Synchronous: on a file the system has cached each call takes
 * microseconds (the decode that follows holds the thread longer), where the promise calls
 * took more of the server's thread than the reads themselves (~0.2 s over 300 shards).
 */
function readInto(file: string, scratch: Buffer): Buffer | undefined {
    let fd: number;
    try {
        fd = openSync(file, 'r');
    } catch {
        return undefined; // none yet
    }
    try {
        const size = fstatSync(fd).size;
        const buf = size <= scratch.byteLength ? scratch.subarray(0, size) : Buffer.allocUnsafe(size);
        for (let at = 0; at < size; ) {
            const bytesRead = readSync(fd, buf, at, size - at, at);
            if (bytesRead === 0) return buf.subarray(0, at); // shrunk while read: the checksum tells
            at += bytesRead;
        }
        return buf;
    } catch {
        return undefined;
    } finally {
        closeSync(fd);
    }
}

/** The columns whose texts are decoded when asked for: a text per violation or resource, most of an index. */
const DEFERRED: ReadonlySet<TextColumn> = new Set<TextColumn>(['message', 'resourceURN', 'resourceName']);

/** Typed arrays are written as the machine holds them: only a little-endian machine reads and writes these files. */
const LITTLE_ENDIAN = endianness() === 'LE';

/**
 * The index of `violationsPath` as it is now: loaded from its index file when that describes
 * this version of it and is intact, else built from the JSON and its index file written
 * again. Undefined when the violations file is missing or not one readShardViolations
 * vouches for (the caller reads the shard through the store).
 */
export async function loadShardIndex(violationsPath: string): Promise<ShardIndex | undefined> {
    if (!LITTLE_ENDIAN) return buildShardIndex(violationsPath);
    let versionKey: string;
    try {
        // synchronous, as readInto
        versionKey = versionKeyOf(statSync(violationsPath, { bigint: true }));
    } catch {
        return undefined;
    }
    const file = violationIndexPathOf(violationsPath);
    const scratch = scratchBuffers.pop() ?? Buffer.allocUnsafeSlow(SCRATCH_BYTES);
    try {
        const buf = readInto(file, scratch);
        if (buf) {
            try {
                const loaded = decodeViolationIndex(buf, versionKey);
                if (loaded !== 'stale') return loaded;
            } catch (error) {
                const reason = error instanceof DamagedViolationIndex ? error.message : `unreadable (${error instanceof Error ? error.message : String(error)})`;
                for (const listener of problemListeners) listener({ file, reason });
            }
        }
    } finally {
        scratchBuffers.push(scratch);
    }
    const built = await buildShardIndex(violationsPath);
    if (built) await writeViolationIndex(violationsPath, built).catch(() => undefined);
    return built;
}
