/**
 * A shard's violations file read as the violation index needs it: each violation parsed on
 * its own with where its text lies in the file, so the index keeps only what queries need
 * and reads a row's details back later with one positioned read of a few hundred bytes
 * instead of parsing the whole shard again.
 *
 * This reads the file the store writes (compact JSON, `{ ..., "violations": [ {...}, ... ], ... }`)
 * without going through the store, and checks every violation with the store's own schema:
 * a file it cannot read this way (missing, an old single-file shard, a damaged file, a
 * violation the store would quarantine) is answered with `undefined`, and the caller reads
 * the shard through the store, which migrates, recovers and quarantines.
 */
import { open, type FileHandle } from 'node:fs/promises';
import type { Violation } from '../../shared/model';
// from the schema module, not the store's index: the store calls this module's users after its writes
import { SCHEMA_VERSION } from '../schema';
import { versionKeyOf } from '../atomicFile';
import { storedItemProblem } from '../../validation/boundarySchemas';

/** What reading one violations file found (the violations went to the caller one by one), with their byte ranges and the file's version. */
export interface ShardViolationsRead {
    /** The version of the file read (inode, mtime, size): a later read checks the file is still this one. */
    versionKey: string;
    count: number;
    /** Byte offset of each violation's JSON text in the file. */
    starts: Float64Array;
    /** Byte length of each violation's JSON text. */
    lengths: Int32Array;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

function skipSpace(buf: Uint8Array, i: number): number {
    while (i < buf.length && (buf[i] === 0x20 || buf[i] === 0x0a || buf[i] === 0x0d || buf[i] === 0x09)) i++;
    return i;
}

/** The index just past the string starting at `i` (a quote). UTF-8 continuation bytes are never a quote or a backslash. */
function skipString(buf: Uint8Array, i: number): number {
    for (i++; i < buf.length; i++) {
        if (buf[i] === BACKSLASH) i++;
        else if (buf[i] === QUOTE) return i + 1;
    }
    throw new SyntaxError('unterminated string');
}

/** The index just past the JSON value starting at `i`. */
function skipValue(buf: Uint8Array, i: number): number {
    const first = buf[i];
    if (first === QUOTE) return skipString(buf, i);
    if (first === OPEN_BRACE || first === OPEN_BRACKET) {
        let depth = 0;
        for (; i < buf.length; i++) {
            const c = buf[i];
            if (c === QUOTE) i = skipString(buf, i) - 1;
            else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
            else if ((c === CLOSE_BRACE || c === CLOSE_BRACKET) && --depth === 0) return i + 1;
        }
        throw new SyntaxError('unterminated object or array');
    }
    const start = i;
    while (i < buf.length && buf[i] !== COMMA && buf[i] !== CLOSE_BRACE && buf[i] !== CLOSE_BRACKET && buf[i] > 0x20) i++;
    if (i === start) throw new SyntaxError(`expected a value at byte ${i}`);
    return i;
}

/**
 * The byte ranges of the elements of the top-level object's `violations` array; undefined
 * when the text has no such array (or is not an object).
 * @throws SyntaxError for text that is not JSON
 */
export function violationRanges(buf: Uint8Array): { starts: number[]; ends: number[]; schemaVersion?: number } | undefined {
    let schemaVersion: number | undefined;
    let found: { starts: number[]; ends: number[] } | undefined;
    let i = skipSpace(buf, 0);
    if (buf[i] !== OPEN_BRACE) return undefined;
    i = skipSpace(buf, i + 1);
    while (i < buf.length && buf[i] !== CLOSE_BRACE) {
        if (buf[i] !== QUOTE) throw new SyntaxError(`expected a key at byte ${i}`);
        const keyEnd = skipString(buf, i);
        const key = Buffer.from(buf.buffer, buf.byteOffset + i + 1, keyEnd - i - 2).toString('utf8');
        i = skipSpace(buf, keyEnd);
        if (buf[i] !== COLON) throw new SyntaxError(`expected ':' at byte ${i}`);
        i = skipSpace(buf, i + 1);
        if (key === 'violations' && buf[i] === OPEN_BRACKET) {
            const starts: number[] = [];
            const ends: number[] = [];
            i = skipSpace(buf, i + 1);
            while (buf[i] !== CLOSE_BRACKET) {
                if (i >= buf.length) throw new SyntaxError('unterminated violations array');
                const end = skipValue(buf, i);
                starts.push(i);
                ends.push(end);
                i = skipSpace(buf, end);
                if (buf[i] === COMMA) i = skipSpace(buf, i + 1);
            }
            found = { starts, ends };
            i = skipSpace(buf, i + 1);
        } else {
            const end = skipValue(buf, i);
            if (key === 'schemaVersion') schemaVersion = Number(Buffer.from(buf.buffer, buf.byteOffset + i, end - i).toString('latin1'));
            i = skipSpace(buf, end);
        }
        if (buf[i] === COMMA) i = skipSpace(buf, i + 1);
    }
    return found && { ...found, schemaVersion };
}

/** A violation parsed from `text` if it is one the store would hand out; undefined otherwise. */
function parseViolation(text: string, where: string): Violation | undefined {
    let item: unknown;
    try {
        item = JSON.parse(text);
    } catch {
        return undefined;
    }
    return storedItemProblem('violation', item, where) === null ? (item as Violation) : undefined;
}

/** `use` on `path` opened for reading, closed after; undefined when the file cannot be opened (gone, say). */
async function withFile<T>(path: string, use: (handle: FileHandle) => Promise<T | undefined>): Promise<T | undefined> {
    let handle;
    try {
        handle = await open(path, 'r');
    } catch {
        return undefined;
    }
    try {
        return await use(handle);
    } finally {
        await handle.close();
    }
}

/**
 * Reads `path`, handing each violation to `each` as it is parsed (none is kept here: an index
 * keeps what it needs and the rest dies young), and returns their byte ranges. Undefined when
 * the file does not exist or is not one this reader can vouch for (see the module comment):
 * the caller then forgets what `each` saw and reads the shard through the store. Without
 * `each`, the violations are only located, not parsed or checked: for a file whose violations
 * the caller has in hand (the store's write, which just wrote them).
 */
export async function readShardViolations(path: string, each?: (v: Violation) => void): Promise<ShardViolationsRead | undefined> {
    return withFile(path, async (handle) => {
        // The version and the content from one handle: an atomic replace after open is not mixed in.
        const stats = await handle.stat({ bigint: true });
        const buf = await handle.readFile();
        let ranges;
        try {
            ranges = violationRanges(buf);
        } catch {
            return undefined;
        }
        // Another version's file is migrated by the store on read: let it.
        if (!ranges || ranges.schemaVersion !== SCHEMA_VERSION) return undefined;
        if (each) {
            for (let k = 0; k < ranges.starts.length; k++) {
                const v = parseViolation(buf.toString('utf8', ranges.starts[k], ranges.ends[k]), `violations[${k}]`);
                if (!v) return undefined;
                each(v);
            }
        }
        return {
            versionKey: versionKeyOf(stats),
            count: ranges.starts.length,
            starts: Float64Array.from(ranges.starts),
            lengths: Int32Array.from(ranges.ends, (end, k) => end - ranges.starts[k]),
        };
    });
}

/**
 * The violations at the byte ranges `(starts[k], lengths[k])` of `path`, read while the file
 * is still the version `versionKey`; undefined when it changed (or is gone), or a range does
 * not hold a violation any more.
 */
export async function readViolationsAt(path: string, versionKey: string, starts: readonly number[], lengths: readonly number[]): Promise<Violation[] | undefined> {
    return withFile(path, async (handle) => {
        if (versionKeyOf(await handle.stat({ bigint: true })) !== versionKey) return undefined;
        const result: Violation[] = [];
        // Neighbouring rows are read in one go: a page of a shard is often a run of its file.
        const order = Array.from(starts.keys()).sort((a, b) => starts[a] - starts[b]);
        const texts = new Array<string>(starts.length);
        for (let k = 0; k < order.length; ) {
            let last = k;
            while (last + 1 < order.length && starts[order[last + 1]] - (starts[order[last]] + lengths[order[last]]) < 4096 && starts[order[last + 1]] + lengths[order[last + 1]] - starts[order[k]] < 1 << 20) last++;
            const from = starts[order[k]];
            const to = starts[order[last]] + lengths[order[last]];
            const buf = Buffer.allocUnsafe(to - from);
            const { bytesRead } = await handle.read(buf, 0, buf.length, from);
            if (bytesRead !== buf.length) return undefined;
            for (let j = k; j <= last; j++) texts[order[j]] = buf.toString('utf8', starts[order[j]] - from, starts[order[j]] - from + lengths[order[j]]);
            k = last + 1;
        }
        for (let k = 0; k < texts.length; k++) {
            const v = parseViolation(texts[k], `violations at byte ${starts[k]}`);
            if (!v) return undefined;
            result.push(v);
        }
        return result;
    });
}
