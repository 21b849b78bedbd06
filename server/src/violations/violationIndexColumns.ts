/**
 * The columns of the compact violation index: per violation, what filtering, facets,
 * counts, grouping and sorting need and nothing else. Every text a query looks at is
 * interned into a column's table and each violation holds an ordinal (4 bytes) into it:
 * most columns have a handful of values (levels, statuses, packs, policies), and the large
 * ones (URNs, resource names, messages) are shared by the violations of one resource or
 * policy; instants are numbers. The details a row shows (the message as written, remediation,
 * suppression reason...) stay in the shard's file and are read back for the rows shown.
 *
 * Columns are built one shard at a time (ColumnsBuilder) and concatenated into the index
 * of every shard (concatColumns); a shard that changes is rebuilt alone and the others are
 * carried over from the previous index.
 */
import type { Violation } from '../shared/model';

/** The interned columns. */
export const TEXT_COLUMNS = [
    'policyPack',
    'policyName',
    'project',
    'level',
    'entityId',
    'resourceURN',
    'resourceType',
    'status',
    'severity',
    'resourceName',
    /** `pack@tag`, the pack lower-cased: the policyPack column's sort key. */
    'packKey',
    /** `pack/policy`: the policy grouping's key. */
    'policyKey',
    'assignedTo',
    'priority',
    /** Lower-cased: what the free-text search and the message sort compare. */
    'message',
] as const;
export type TextColumn = (typeof TEXT_COLUMNS)[number];

/** Column number of each text column, for code that loops over them. */
export const COLUMN: Record<TextColumn, number> = Object.fromEntries(TEXT_COLUMNS.map((c, n) => [c, n])) as Record<TextColumn, number>;

/** The value of `v` in column `c` (undefined: none). */
function columnValue(v: Violation, c: number): string | undefined {
    switch (TEXT_COLUMNS[c]) {
        case 'policyPack':
            return v.policyPack;
        case 'policyName':
            return v.policyName;
        case 'project':
            return v.project;
        case 'level':
            return v.level;
        case 'entityId':
            return v.entityId;
        case 'resourceURN':
            return v.resourceURN;
        case 'resourceType':
            return v.resourceType;
        case 'status':
            return v.status;
        case 'severity':
            return v.severity;
        case 'resourceName':
            return v.resourceName;
        case 'packKey':
            return `${v.policyPack.toLowerCase()}@${v.policyPackTag}`;
        case 'policyKey':
            return `${v.policyPack}/${v.policyName}`;
        case 'assignedTo':
            return v.assignedTo;
        case 'priority':
            return v.priority;
        case 'message':
            return v.message.toLowerCase();
    }
}

const PACK_KEY = TEXT_COLUMNS.indexOf('packKey');
const POLICY_KEY = TEXT_COLUMNS.indexOf('policyKey');
const MESSAGE = TEXT_COLUMNS.indexOf('message');

/** One column: each row's value as an ordinal into `table` (-1: none). */
export interface Column {
    table: readonly string[];
    ordinals: Int32Array;
    /**
     * textHash of each value of `table`: what concatColumns finds equal values across shards
     * by (kept in the index file, so a server's start hashes no text; see violationIndexFile.ts).
     */
    hashes: Int32Array;
}

/**
 * FNV-1a over the UTF-16 code units of `text`. Stored in index files: changing it changes
 * VIOLATION_INDEX_FORMAT.
 */
export function textHash(text: string): number {
    let h = 0x811c9dc5;
    for (let k = 0; k < text.length; k++) h = Math.imul(h ^ text.charCodeAt(k), 0x01000193);
    return h | 0;
}

/** textHash of each value. */
export function textHashes(table: readonly string[]): Int32Array {
    const hashes = new Int32Array(table.length);
    for (let k = 0; k < table.length; k++) hashes[k] = textHash(table[k]);
    return hashes;
}

/**
 * The instants of each row in ms since the epoch (NaN: none). Numbers rather than interned
 * text: every violation can have its own (each first seen at its own time).
 */
export const TIME_COLUMNS = ['observedAt', 'lastSeenAt', 'resolvedAt', 'suppressedUntil'] as const;
export type TimeColumn = (typeof TIME_COLUMNS)[number];
export const TIME: Record<TimeColumn, number> = Object.fromEntries(TIME_COLUMNS.map((c, n) => [c, n])) as Record<TimeColumn, number>;

function timeText(v: Violation, c: number): string | undefined {
    switch (TIME_COLUMNS[c]) {
        case 'observedAt':
            return v.observedAt;
        case 'lastSeenAt':
            return v.lastSeenAt;
        case 'resolvedAt':
            return v.resolvedAt;
        case 'suppressedUntil':
            return v.suppression?.until;
    }
}

/**
 * A column whose table is made when first read. The message column is half of an index and
 * nothing a first page shows reads it (only the free-text search and the message sort do):
 * its texts are decoded then, not while a server starts (violationIndexFile.ts).
 */
export class DeferredTableColumn implements Column {
    private made: readonly string[] | undefined;

    constructor(
        readonly ordinals: Int32Array,
        readonly hashes: Int32Array,
        private make: (() => readonly string[]) | undefined,
    ) {}

    get table(): readonly string[] {
        if (!this.made) {
            this.made = this.make!();
            this.make = undefined;
        }
        return this.made;
    }
}

/** A run of rows of one column. */
interface ColumnPart {
    column: Column;
    start: number;
    length: number;
}

/**
 * A column concatenated from parts when first read (see DeferredTableColumn): merging
 * needs each part's texts. Until then it holds its parts' columns and nothing else of them.
 */
class MergedColumn implements Column {
    private merged: Column | undefined;

    constructor(
        private parts: ColumnPart[] | undefined,
        private readonly length: number,
    ) {}

    /** Its parts while not merged yet (a later concatenation takes them over instead of keeping this column alive). */
    pending(): readonly ColumnPart[] | undefined {
        return this.merged ? undefined : this.parts;
    }

    private get column(): Column {
        if (!this.merged) {
            this.merged = mergeColumn(this.parts!, this.length);
            this.parts = undefined;
        }
        return this.merged;
    }

    get table(): readonly string[] {
        return this.column.table;
    }

    get ordinals(): Int32Array {
        return this.column.ordinals;
    }

    get hashes(): Int32Array {
        return this.column.hashes;
    }
}

/** Rows of violations as columns, with the id of each (ids are what a detail read checks and the default order's tie-break). */
export interface Columns {
    length: number;
    ids: readonly string[];
    columns: readonly Column[];
    /** TIME_COLUMNS order. */
    times: readonly Float64Array[];
}

/** Interns the violations of one shard, in order. */
export class ColumnsBuilder {
    private readonly tables: string[][] = TEXT_COLUMNS.map(() => []);
    private readonly lookups: Map<string, number>[] = TEXT_COLUMNS.map(() => new Map());
    private readonly ordinals: number[][] = TEXT_COLUMNS.map(() => []);
    private readonly ids: string[] = [];
    private readonly times: number[][] = TIME_COLUMNS.map(() => []);
    /** Each time column's last text and instant: the violations of one evaluation share their times. */
    private readonly lastTimes = TIME_COLUMNS.map(() => ({ text: undefined as string | undefined, ms: Number.NaN }));
    /** The derived columns' ordinals by what they are made from, so the derived text is made once per distinct value, not per violation. */
    private readonly pairs = new Map<number, Map<string, Map<string, number>>>();
    private readonly messages = new Map<string, number>();

    add(v: Violation): void {
        this.ids.push(v.id);
        for (let c = 0; c < TIME_COLUMNS.length; c++) {
            const last = this.lastTimes[c];
            const text = timeText(v, c);
            if (text !== last.text) {
                last.text = text;
                last.ms = text === undefined ? Number.NaN : Date.parse(text);
            }
            this.times[c].push(last.ms);
        }
        for (let c = 0; c < TEXT_COLUMNS.length; c++) {
            let ord: number;
            if (c === PACK_KEY) ord = this.pairOrdinal(c, v.policyPack, v.policyPackTag, v);
            else if (c === POLICY_KEY) ord = this.pairOrdinal(c, v.policyPack, v.policyName, v);
            else if (c === MESSAGE) {
                // lower-cased once per distinct message
                const known = this.messages.get(v.message);
                ord = known ?? this.intern(c, columnValue(v, c));
                if (known === undefined) this.messages.set(v.message, ord);
            } else ord = this.intern(c, columnValue(v, c));
            this.ordinals[c].push(ord);
        }
    }

    /** The ordinal of a column joined from two texts, the joined text made once per distinct pair. */
    private pairOrdinal(c: number, first: string, second: string, v: Violation): number {
        let byFirst = this.pairs.get(c);
        if (!byFirst) this.pairs.set(c, (byFirst = new Map()));
        let bySecond = byFirst.get(first);
        if (!bySecond) byFirst.set(first, (bySecond = new Map()));
        let ord = bySecond.get(second);
        if (ord === undefined) {
            ord = this.intern(c, columnValue(v, c));
            bySecond.set(second, ord);
        }
        return ord;
    }

    private intern(c: number, value: string | undefined): number {
        if (value === undefined) return -1;
        const lookup = this.lookups[c];
        const known = lookup.get(value);
        if (known !== undefined) return known;
        const ord = this.tables[c].push(value) - 1;
        lookup.set(value, ord);
        return ord;
    }

    finish(): Columns {
        return {
            length: this.ids.length,
            ids: this.ids,
            columns: this.tables.map((table, c) => ({ table, ordinals: Int32Array.from(this.ordinals[c]), hashes: textHashes(table) })),
            times: this.times.map((values) => Float64Array.from(values)),
        };
    }
}

/** A run of rows of some Columns: a freshly built shard, or a shard carried over from the previous index. */
export interface ColumnsSlice {
    source: Columns;
    start: number;
    length: number;
}

/**
 * The slices one after another, re-interned into one table per column (values in order of
 * first appearance, as a scan in row order meets them). Slices of one source share its
 * tables, so a carried-over shard is remapped through one array per column, not per shard.
 */
export function concatColumns(slices: readonly ColumnsSlice[]): Columns {
    const length = slices.reduce((n, s) => n + s.length, 0);
    const ids: string[] = new Array<string>(length);
    let at = 0;
    for (const { source, start, length: count } of slices) {
        for (let k = 0; k < count; k++) ids[at + k] = source.ids[start + k];
        at += count;
    }
    const columns = TEXT_COLUMNS.map((_, c): Column => {
        const parts: ColumnPart[] = [];
        for (const { source, start, length: count } of slices) {
            const column = source.columns[c];
            const pending = column instanceof MergedColumn ? column.pending() : undefined;
            if (!pending) {
                parts.push({ column, start, length: count });
                continue;
            }
            // a carried-over shard of a column not merged yet: its own parts, so no chain of old indexes stays alive
            let at = 0;
            for (const part of pending) {
                const from = Math.max(start, at);
                const to = Math.min(start + count, at + part.length);
                if (from < to) parts.push({ column: part.column, start: part.start + (from - at), length: to - from });
                at += part.length;
            }
        }
        return c === MESSAGE && parts.some((p) => p.column instanceof DeferredTableColumn || p.column instanceof MergedColumn) ? new MergedColumn(parts, length) : mergeColumn(parts, length);
    });
    const times = TIME_COLUMNS.map((_, c) => {
        const values = new Float64Array(length);
        let row = 0;
        for (const { source, start, length: count } of slices) {
            values.set(source.times[c].subarray(start, start + count), row);
            row += count;
        }
        return values;
    });
    return { length, ids, columns, times };
}

/** The parts one after another, re-interned into one table (see concatColumns). */
function mergeColumn(parts: readonly ColumnPart[], length: number): Column {
    // Each source table once (a carried-over shard's rows share the previous index's tables).
    const remaps = new Map<readonly string[], Int32Array>();
    let bound = 0;
    for (const { column } of parts) {
        const { table: from } = column;
        if (!remaps.has(from)) {
            remaps.set(from, new Int32Array(from.length).fill(-2));
            bound += from.length;
        }
    }
    // Values found equal by an open-addressing table over the values' stored hashes: a Map
    // would hash every text of every shard again (a second at 1,000,000 violations).
    const capacity = 2 ** Math.ceil(Math.log2(bound * 2 + 2));
    const mask = capacity - 1;
    const slots = new Int32Array(capacity).fill(-1);
    const table: string[] = [];
    const hashes = new Int32Array(bound);
    const ordinals = new Int32Array(length);
    let row = 0;
    for (const { column, start, length: count } of parts) {
        const { table: from, ordinals: fromOrdinals, hashes: fromHashes } = column;
        const remap = remaps.get(from)!;
        for (let k = 0; k < count; k++) {
            const ord = fromOrdinals[start + k];
            if (ord < 0) {
                ordinals[row++] = -1;
                continue;
            }
            let mapped = remap[ord];
            if (mapped === -2) {
                const value = from[ord];
                const hash = fromHashes[ord];
                let slot = hash & mask;
                for (;;) {
                    const known = slots[slot];
                    if (known === -1) {
                        mapped = table.push(value) - 1;
                        hashes[mapped] = hash;
                        slots[slot] = mapped;
                        break;
                    }
                    if (hashes[known] === hash && table[known] === value) {
                        mapped = known;
                        break;
                    }
                    slot = (slot + 1) & mask;
                }
                remap[ord] = mapped;
            }
            ordinals[row++] = mapped;
        }
    }
    return { table, ordinals, hashes: hashes.slice(0, table.length) };
}
