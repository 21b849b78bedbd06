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
import type { Violation } from '../../shared/model';

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
    readonly table: readonly string[];
    readonly ordinals: Int32Array;
    /**
     * textHash of each value of `table`: what concatColumns finds equal values across shards
     * by (kept in the index file, so a server's start hashes no text; see violationIndexFile.ts).
     * One per value: its length is the table's, made or not.
     */
    readonly hashes: Int32Array;
    /** `table[k]`, without making the whole table when it is not made yet. */
    valueAt(k: number): string;
    /** Whether `table` is made (reading it costs nothing more). */
    readonly made: boolean;
}

/** A column whose table is made. */
export class TableColumn implements Column {
    readonly made = true;

    constructor(
        readonly table: readonly string[],
        readonly ordinals: Int32Array,
        readonly hashes: Int32Array,
    ) {}

    valueAt(k: number): string {
        return this.table[k];
    }
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

/** The texts of a column not made yet (an index file's section): all of them, or one. */
export interface DeferredTexts {
    all(): readonly string[];
    at(k: number): string;
}

/**
 * A column whose table is made when first read. The big tables (messages, URNs, resource
 * names: a text per violation or resource) are most of an index, and a first page reads a
 * few of their values (a facet's top resources, the rows' own details come from the shard):
 * their texts are decoded when asked for, not while a server starts (violationIndexFile.ts).
 */
export class DeferredTableColumn implements Column {
    private values: readonly string[] | undefined;

    constructor(
        readonly ordinals: Int32Array,
        readonly hashes: Int32Array,
        private texts: DeferredTexts | undefined,
    ) {}

    get made(): boolean {
        return this.values !== undefined;
    }

    get table(): readonly string[] {
        if (!this.values) {
            this.values = this.texts!.all();
            this.texts = undefined;
        }
        return this.values;
    }

    valueAt(k: number): string {
        return this.values ? this.values[k] : this.texts!.at(k);
    }
}

/**
 * A column merged from columns not made yet (see DeferredTableColumn): its ordinals and
 * hashes now (equal values found by hash, the texts compared only when hashes meet), each
 * value taken from the column it came from when asked for.
 */
class LazyValuesColumn implements Column {
    private values: readonly string[] | undefined;

    constructor(
        readonly ordinals: Int32Array,
        readonly hashes: Int32Array,
        private sources: Column[] | undefined,
        private sourceOf: Int32Array | undefined,
        private ordinalIn: Int32Array | undefined,
    ) {}

    get made(): boolean {
        return this.values !== undefined;
    }

    /** Where value `k` comes from while not made: a later merge takes it from there, so no chain of old indexes stays alive. */
    origin(k: number): { column: Column; ordinal: number } {
        return { column: this.sources![this.sourceOf![k]], ordinal: this.ordinalIn![k] };
    }

    get table(): readonly string[] {
        if (!this.values) {
            const values = new Array<string>(this.hashes.length);
            // each source's table made once, rather than a decode per value
            const tables = this.sources!.map((source) => source.table);
            for (let k = 0; k < values.length; k++) values[k] = tables[this.sourceOf![k]][this.ordinalIn![k]];
            this.values = values;
            this.sources = this.sourceOf = this.ordinalIn = undefined;
        }
        return this.values;
    }

    valueAt(k: number): string {
        return this.values ? this.values[k] : this.sources![this.sourceOf![k]].valueAt(this.ordinalIn![k]);
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

    get made(): boolean {
        return this.merged?.made === true;
    }

    valueAt(k: number): string {
        return this.column.valueAt(k);
    }
}

/**
 * Two numbers per id ordered as the ids are under `<` wherever they differ: the first 14
 * UTF-16 code units as base-129 digits (0: the id ended; 1-127: the code unit plus one; 128:
 * a unit of 127 or more, after which every digit is 0, so ids that differ only from there on
 * get equal keys and are compared as text), 7 digits a number (129^7 < 2^53). Stored in
 * index files: changing it changes VIOLATION_INDEX_FORMAT.
 */
export function idKeys(ids: readonly string[]): { high: Float64Array; low: Float64Array } {
    const high = new Float64Array(ids.length);
    const low = new Float64Array(ids.length);
    for (let i = 0; i < ids.length; i++) {
        const id = ids[i];
        let h = 0;
        let l = 0;
        let ended = false;
        for (let k = 0; k < 14; k++) {
            let digit = 0;
            if (!ended && k < id.length) {
                const unit = id.charCodeAt(k);
                digit = unit >= 127 ? 128 : unit + 1;
                if (unit >= 127) ended = true;
            } else ended = true;
            if (k < 7) h = h * 129 + digit;
            else l = l * 129 + digit;
        }
        high[i] = h;
        low[i] = l;
    }
    return { high, low };
}

/**
 * The ids of rows (what a detail read checks, and the default order's tie-break): keys that
 * order them (idKeys) for every row, the texts made when first asked for. A first page needs
 * the texts of its rows only; making all of them was a tenth of a server's start at 1,000,000.
 */
export interface IdColumn {
    readonly length: number;
    readonly high: Float64Array;
    readonly low: Float64Array;
    at(i: number): string;
}

/** The ids of one shard: from a list, or texts made on first use (an index file's). */
export class IdList implements IdColumn {
    private made: readonly string[] | undefined;

    constructor(
        readonly length: number,
        readonly high: Float64Array,
        readonly low: Float64Array,
        private make: (() => readonly string[]) | undefined,
    ) {}

    static of(ids: readonly string[]): IdList {
        const { high, low } = idKeys(ids);
        const list = new IdList(ids.length, high, low, undefined);
        list.made = ids;
        return list;
    }

    /** Every id, in order. */
    all(): readonly string[] {
        if (!this.made) {
            this.made = this.make!();
            this.make = undefined;
        }
        return this.made;
    }

    at(i: number): string {
        return this.all()[i];
    }
}

/** Ids of runs of other id columns one after another; an id's text is its run's. */
class MergedIds implements IdColumn {
    private readonly starts: Int32Array;

    constructor(
        readonly parts: readonly { ids: IdColumn; start: number; length: number }[],
        readonly length: number,
        readonly high: Float64Array,
        readonly low: Float64Array,
    ) {
        let at = 0;
        this.starts = Int32Array.from(parts, (p) => {
            const start = at;
            at += p.length;
            return start;
        });
    }

    at(i: number): string {
        let lo = 0;
        let hi = this.starts.length - 1;
        while (lo < hi) {
            const mid = (lo + hi + 1) >> 1;
            if (this.starts[mid] <= i) lo = mid;
            else hi = mid - 1;
        }
        const part = this.parts[lo];
        return part.ids.at(part.start + i - this.starts[lo]);
    }
}

/** Rows of violations as columns, with the id of each. */
export interface Columns {
    length: number;
    ids: IdColumn;
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
            ids: IdList.of(this.ids),
            columns: this.tables.map((table, c) => new TableColumn(table, Int32Array.from(this.ordinals[c]), textHashes(table))),
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
    const idParts: { ids: IdColumn; start: number; length: number }[] = [];
    const high = new Float64Array(length);
    const low = new Float64Array(length);
    let at = 0;
    for (const { source, start, length: count } of slices) {
        high.set(source.ids.high.subarray(start, start + count), at);
        low.set(source.ids.low.subarray(start, start + count), at);
        at += count;
        if (!(source.ids instanceof MergedIds)) {
            idParts.push({ ids: source.ids, start, length: count });
            continue;
        }
        // a carried-over shard: its own run, so no chain of old indexes stays alive
        let partAt = 0;
        for (const part of source.ids.parts) {
            const from = Math.max(start, partAt);
            const to = Math.min(start + count, partAt + part.length);
            if (from < to) idParts.push({ ids: part.ids, start: part.start + (from - partAt), length: to - from });
            partAt += part.length;
        }
    }
    const ids = new MergedIds(idParts, length, high, low);
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
        // the messages merged when first read (a search, a sort by message); other columns now
        return c === MESSAGE && parts.some((p) => !p.column.made) ? new MergedColumn(parts, length) : mergeColumn(parts, length);
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

/** The parts one after another, re-interned into one table (see concatColumns); its values taken when asked for when a part's are not made. */
function mergeColumn(parts: readonly ColumnPart[], length: number): Column {
    // Each source column once (a carried-over shard's rows share the previous index's column).
    const remaps = new Map<Column, Int32Array>();
    let bound = 0;
    for (const { column } of parts) {
        if (!remaps.has(column)) {
            remaps.set(column, new Int32Array(column.hashes.length).fill(-2));
            bound += column.hashes.length;
        }
    }
    const eager = parts.every((p) => p.column.made);
    // Values found equal by an open-addressing table over the values' stored hashes: a Map
    // would hash every text of every shard again (a second at 1,000,000 violations). Each
    // slot an ordinal and its hash side by side: one cache miss a probe, not two.
    const capacity = 2 ** Math.ceil(Math.log2(bound * 2 + 2));
    const mask = capacity - 1;
    const slots = new Int32Array(capacity * 2).fill(-1);
    // made: the table, sized once (growing by push copied a table of 800,000 texts again and again);
    // not made: where each value comes from
    const table = eager ? new Array<string>(bound) : undefined;
    const sources: Column[] = [];
    const sourceIndex = new Map<Column, number>();
    const sourceOf = eager ? undefined : new Int32Array(bound);
    const ordinalIn = eager ? undefined : new Int32Array(bound);
    const valueOf = (k: number) => (table ? table[k] : sources[sourceOf![k]].valueAt(ordinalIn![k]));
    let size = 0;
    const hashes = new Int32Array(bound);
    const ordinals = new Int32Array(length);
    let row = 0;
    for (const { column, start, length: count } of parts) {
        const { ordinals: fromOrdinals, hashes: fromHashes } = column;
        const from = eager ? column.table : undefined;
        const remap = remaps.get(column)!;
        for (let k = 0; k < count; k++) {
            const ord = fromOrdinals[start + k];
            if (ord < 0) {
                ordinals[row++] = -1;
                continue;
            }
            let mapped = remap[ord];
            if (mapped === -2) {
                const hash = fromHashes[ord];
                let slot = hash & mask;
                for (;;) {
                    const known = slots[slot * 2];
                    if (known === -1) {
                        mapped = size++;
                        hashes[mapped] = hash;
                        slots[slot * 2] = mapped;
                        slots[slot * 2 + 1] = hash;
                        if (table) table[mapped] = from![ord];
                        else {
                            const origin = column instanceof LazyValuesColumn && !column.made ? column.origin(ord) : { column, ordinal: ord };
                            let source = sourceIndex.get(origin.column);
                            if (source === undefined) sourceIndex.set(origin.column, (source = sources.push(origin.column) - 1));
                            sourceOf![mapped] = source;
                            ordinalIn![mapped] = origin.ordinal;
                        }
                        break;
                    }
                    if (slots[slot * 2 + 1] === hash && valueOf(known) === (from ? from[ord] : column.valueAt(ord))) {
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
    if (table) {
        table.length = size;
        return new TableColumn(table, ordinals, hashes.slice(0, size));
    }
    return new LazyValuesColumn(ordinals, hashes.slice(0, size), sources, sourceOf!.slice(0, size), ordinalIn!.slice(0, size));
}
