/**
 * The violation query service's data: a compact index of every shard's violations (ids and
 * interned columns, see store/violationIndex/violationIndexColumns.ts) with the per-order indexes a query needs,
 * each computed on first use and kept until a shard changes; the rows' details are read
 * from the shards for the rows a view shows (details()). Built for 1,000,000 violations: a
 * filter change is one linear pass over a cached order over typed arrays, and no sort.
 *
 * Queries read a snapshot only through violationQuery.ts. The snapshot is built one shard
 * at a time (each shard's violations file read, indexed and let go), and when one shard
 * changes only that shard is read again (ViolationSnapshotCache).
 */
import { enforcementLevelRank, severityRank, violationStatusRank, type Violation } from '../shared/model';
import type { FacetDimension, GroupBy, PanelSort, SortColumn } from '../shared/panelProtocol';
import { FACET_DIMENSIONS } from '../shared/panelProtocol';
import type { Store } from '../store';
import { readViolationsAt, violationRanges } from '../store/violationIndex/shardViolationsFile';
import { loadShardIndex } from '../store/violationIndex/violationIndexFile';
import { COLUMN, ColumnsBuilder, concatColumns, TIME, type Column, type Columns, type ColumnsSlice, type IdColumn, type TextColumn, type TimeColumn } from '../store/violationIndex/violationIndexColumns';
import { readFile } from 'node:fs/promises';

/** Last seen newest first, then by id: the order of every list unless a sort is given. */
export const DEFAULT_SORT: PanelSort = { column: 'lastSeenAt', direction: 'desc' };
export const DAY_MS = 86_400_000;
/** The day number of a violation never resolved. */
export const NO_DAY = -0x80000000;

/** The column holding each facet dimension's value. */
const FACET_COLUMN: Record<FacetDimension, TextColumn> = {
    policyPacks: 'policyPack',
    policies: 'policyName',
    projects: 'project',
    levels: 'level',
    accounts: 'entityId',
    resources: 'resourceURN',
    types: 'resourceType',
    statuses: 'status',
    severities: 'severity',
};

/** One facet dimension of a snapshot: each violation's value as an ordinal into `values` (-1: none). */
export interface DimensionIndex {
    ordinals: Int32Array;
    /** Every value (made when first read for the big tables: see DeferredTableColumn). */
    readonly values: readonly string[];
    /** How many values there are. */
    count: number;
    /** `values[ord]`, without making every value. */
    valueAt(ord: number): string;
    /** For resources: the resource name of a URN. */
    labelAt?(ord: number): string;
}

/** The columns the free-text search looks in, in the order of the text it searches (see searchText). */
const SEARCHED: readonly TextColumn[] = ['resourceName', 'resourceURN', 'resourceType', 'policyName', 'policyPack', 'entityId', 'project', 'message'];

/** Each text sort column: the column it reads and the comparable key of a value (numbers for ranked columns, lower-cased text otherwise). */
const SORT_KEYS: Record<Exclude<SortColumn, TimeColumn>, { column: TextColumn; key: (value: string | undefined) => string | number }> = {
    policy: { column: 'policyName', key: (x) => (x ?? '').toLowerCase() },
    policyPack: { column: 'packKey', key: (x) => x ?? '' },
    level: { column: 'level', key: (x) => enforcementLevelRank(x ?? '') },
    severity: { column: 'severity', key: (x) => severityRank(x) },
    status: { column: 'status', key: (x) => violationStatusRank(x ?? '') },
    resource: { column: 'resourceName', key: (x) => (x ?? '').toLowerCase() },
    type: { column: 'resourceType', key: (x) => (x ?? '').toLowerCase() },
    account: { column: 'entityId', key: (x) => (x ?? '').toLowerCase() },
    project: { column: 'project', key: (x) => (x ?? '').toLowerCase() },
    // already lower-cased in the index
    message: { column: 'message', key: (x) => x ?? '' },
    // Unset sorts after p4.
    priority: { column: 'priority', key: (x) => x ?? 'p9' },
    assignedTo: { column: 'assignedTo', key: (x) => (x ?? '').toLowerCase() },
};

/** The column a grouping groups by, and the key of a row without a value. */
const GROUP_COLUMNS: Record<Exclude<GroupBy, 'none'>, TextColumn> = { policy: 'policyKey', account: 'entityId', type: 'resourceType', severity: 'severity' };

/** How groups are ordered: severity groups read most severe first; the others alphabetically. */
export function compareGroups(groupBy: GroupBy, a: string, b: string): number {
    if (groupBy === 'severity') return severityRank(b) - severityRank(a);
    return a < b ? -1 : a > b ? 1 : 0;
}

function compareKeys(a: string | number, b: string | number): number {
    return a === b ? 0 : a < b ? -1 : 1;
}

/** For each value of `table` (shifted by one: index 0 is "no value"), its rank under `key`; equal keys rank equal. */
function ranksOf(table: readonly string[], key: (value: string | undefined) => string | number): Int32Array {
    const keys = [key(undefined), ...table.map((value) => key(value))];
    const byKey = Int32Array.from(keys.keys()).sort((a, b) => compareKeys(keys[a], keys[b]));
    const ranks = new Int32Array(keys.length);
    let rank = 0;
    byKey.forEach((k, n) => {
        if (n > 0 && keys[byKey[n - 1]] !== keys[k]) rank++;
        ranks[k] = rank;
    });
    return ranks;
}

/**
 * Each row's rank among the distinct instants of `times` (equal instants rank equal), and
 * how many there are; undefined when a row has none (NaN), which orders as the comparison
 * sort it falls back to orders it, or an instant is not whole milliseconds within 2^36 ms
 * (two years) of the earliest.
 *
 * The rows are put in time order by a radix sort of each instant's offset from the earliest,
 * 12 bits a pass: linear, where sorting 1,000,000 instants and searching each took a second.
 */
function timeRanks(times: Float64Array): { ranks: Int32Array; distinct: number } | undefined {
    const length = times.length;
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < length; i++) {
        const t = times[i];
        if (!Number.isInteger(t)) return undefined; // NaN too
        if (t < min) min = t;
        if (t > max) max = t;
    }
    const ranks = new Int32Array(length);
    if (length === 0) return { ranks, distinct: 0 };
    const few = fewTimeRanks(times, ranks);
    if (few !== undefined) return { ranks, distinct: few };
    const BITS = 12;
    const RADIX = 1 << BITS;
    if (max - min >= 2 ** (3 * BITS)) return undefined;
    let rows = new Int32Array(length);
    for (let i = 0; i < length; i++) rows[i] = i;
    let next = new Int32Array(length);
    const counts = new Int32Array(RADIX + 1);
    for (let pass = 0, scale = 1; pass < 3; pass++, scale *= RADIX) {
        if ((max - min) / scale < 1) break;
        counts.fill(0);
        const digit = (i: number) => Math.floor((times[i] - min) / scale) % RADIX;
        for (let k = 0; k < length; k++) counts[digit(rows[k]) + 1]++;
        for (let d = 0; d < RADIX; d++) counts[d + 1] += counts[d];
        for (let k = 0; k < length; k++) next[counts[digit(rows[k])]++] = rows[k];
        [rows, next] = [next, rows];
    }
    let rank = 0;
    for (let k = 0; k < length; k++) {
        if (k > 0 && times[rows[k]] !== times[rows[k - 1]]) rank++;
        ranks[rows[k]] = rank;
    }
    return { ranks, distinct: rank + 1 };
}

/**
 * timeRanks when the instants are few (the violations of one evaluation share theirs: a
 * few hundred at 1,000,000 rows): each distinct instant found once per run of equal ones,
 * the distinct ones sorted, `ranks` filled; the number of distinct instants, or undefined
 * (ranks not filled) when they are many and the radix sort is the faster way.
 */
function fewTimeRanks(times: Float64Array, ranks: Int32Array): number | undefined {
    const limit = Math.max(64, times.length >> 6);
    const numbers = new Map<number, number>();
    const distinct: number[] = [];
    let last = Number.NaN;
    let lastNumber = -1;
    for (let i = 0; i < times.length; i++) {
        const t = times[i];
        if (t !== last) {
            let known = numbers.get(t);
            if (known === undefined) {
                if (distinct.length === limit) return undefined;
                known = distinct.push(t) - 1;
                numbers.set(t, known);
            }
            last = t;
            lastNumber = known;
        }
        ranks[i] = lastNumber;
    }
    const order = Int32Array.from(distinct.keys()).sort((a, b) => distinct[a] - distinct[b]);
    const rankOf = new Int32Array(distinct.length);
    order.forEach((number, rank) => (rankOf[number] = rank));
    for (let i = 0; i < ranks.length; i++) ranks[i] = rankOf[ranks[i]];
    return distinct.length;
}

/**
 * `rows` ordered by `keyOf` (0 <= key < `buckets`), ascending (`sign` 1) or descending (-1),
 * rows of one key keeping their order in `rows`: a counting sort.
 */
function bucketSort(rows: Int32Array, keyOf: (i: number) => number, buckets: number, sign: number): Int32Array {
    const starts = new Int32Array(buckets + 1);
    const bucketOf = sign > 0 ? keyOf : (i: number) => buckets - 1 - keyOf(i);
    for (let k = 0; k < rows.length; k++) starts[bucketOf(rows[k]) + 1]++;
    for (let b = 0; b < buckets; b++) starts[b + 1] += starts[b];
    const sorted = new Int32Array(rows.length);
    for (let k = 0; k < rows.length; k++) sorted[starts[bucketOf(rows[k])]++] = rows[k];
    return sorted;
}

/** The facet dimensions other than resources (FACET_DIMENSIONS indexes): a few values each, so rows share their combination. */
export const COMBINED_DIMENSIONS: readonly number[] = FACET_DIMENSIONS.flatMap((dimension, d) => (dimension === 'resources' ? [] : [d]));

/**
 * Each row's combination of COMBINED_DIMENSIONS values, numbered: a query tests its facet
 * filters and counts its facets once per combination (a few thousand) instead of once per row
 * and dimension (millions).
 */
export interface Combinations {
    /** Each row's combination. */
    combo: Int32Array;
    count: number;
    /** Per COMBINED_DIMENSIONS entry, each combination's ordinal in that dimension (-1: none). */
    ordinals: Int32Array[];
}

/** The matches of one query, kept for the scroll pages that follow it. */
export interface ScanResult {
    /** Indexes into the snapshot's rows, in order. */
    matched: Int32Array;
    /** Contiguous runs of one group key in `matched` (empty without grouping). */
    groups: { key: string; start: number; count: number }[];
}

/** Reads the details of some rows of one shard. */
export interface DetailReader {
    /** The violations at positions `locals` of the shard, whose ids are `ids` (undefined: gone since the index was built). */
    read(locals: readonly number[], ids: readonly string[]): Promise<(Violation | undefined)[]>;
}

/** The rows of one shard in a snapshot. */
export interface SnapshotPart {
    /** The shard's account (undefined for a snapshot of violations in memory). */
    account?: string;
    start: number;
    length: number;
    reader: DetailReader;
}

/** Details of violations held in memory (a snapshot made from a list). */
class MemoryReader implements DetailReader {
    constructor(private readonly violations: readonly Violation[]) {}

    read(locals: readonly number[]): Promise<(Violation | undefined)[]> {
        return Promise.resolve(locals.map((local) => this.violations[local]));
    }
}

/** Details read through the store (a shard the file reader could not vouch for, or a file changed since). */
class StoreReader implements DetailReader {
    constructor(
        private readonly store: Store,
        private readonly account: string,
    ) {}

    async read(locals: readonly number[], ids: readonly string[]): Promise<(Violation | undefined)[]> {
        const { violations } = await this.store.readShard(this.account);
        let byId: Map<string, Violation> | undefined;
        return locals.map((local, k) => {
            if (violations[local]?.id === ids[k]) return violations[local];
            byId ??= new Map(violations.map((v) => [v.id, v]));
            return byId.get(ids[k]);
        });
    }
}

/** Details read at their byte ranges in the shard's violations file, while it is the version indexed. */
class FileReader implements DetailReader {
    constructor(
        private readonly path: string,
        private readonly versionKey: string,
        private readonly starts: Float64Array,
        private readonly lengths: Int32Array,
        private readonly fallback: StoreReader,
    ) {}

    async read(locals: readonly number[], ids: readonly string[]): Promise<(Violation | undefined)[]> {
        const read = await readViolationsAt(
            this.path,
            this.versionKey,
            locals.map((local) => this.starts[local]),
            locals.map((local) => this.lengths[local]),
        );
        if (read && read.every((v, k) => v.id === ids[k])) return read;
        return this.fallback.read(locals, ids);
    }
}

/** The violations of every shard, indexed, with the per-order indexes a query needs, computed on demand. */
export class ViolationSnapshot {
    readonly length: number;
    readonly ids: IdColumn;
    private readonly columns: readonly Column[];
    private readonly partStarts: Int32Array;
    private readonly orders = new Map<string, Int32Array>();
    private readonly lowered = new Map<TextColumn, string[]>();
    private readonly ranks = new Map<Exclude<SortColumn, TimeColumn>, Int32Array>();
    private readonly groupKeyTables = new Map<GroupBy, string[]>();
    private defaultRanks: Int32Array | undefined;
    private readonly timeRankCache = new Map<string, { ranks: Int32Array; distinct: number } | null>();
    private labelRows: Int32Array | undefined;
    private days: { observed: Int32Array; resolved: Int32Array } | undefined;
    private dateRange: { min?: string; max?: string } | undefined;
    private lastScan: { key: string; now: number; result: ScanResult } | undefined;
    private combos: Combinations | undefined;
    private searchTextsReady = false;

    constructor(
        readonly data: Columns,
        readonly parts: readonly SnapshotPart[],
    ) {
        this.length = data.length;
        this.ids = data.ids;
        this.columns = data.columns;
        this.partStarts = Int32Array.from(parts, (p) => p.start);
    }

    /** A snapshot of violations in memory, in their order. */
    static of(violations: readonly Violation[]): ViolationSnapshot {
        const builder = new ColumnsBuilder();
        for (const v of violations) builder.add(v);
        return new ViolationSnapshot(builder.finish(), [{ start: 0, length: violations.length, reader: new MemoryReader(violations) }]);
    }

    column(name: TextColumn): Column {
        return this.columns[COLUMN[name]];
    }

    /** Row `i`'s value in `name` (undefined: none). */
    text(name: TextColumn, i: number): string | undefined {
        const column = this.columns[COLUMN[name]];
        const ord = column.ordinals[i];
        return ord < 0 ? undefined : column.valueAt(ord);
    }

    /** The part (shard) row `i` belongs to. */
    partOf(i: number): SnapshotPart {
        let lo = 0;
        let hi = this.partStarts.length - 1;
        while (lo < hi) {
            const mid = (lo + hi + 1) >> 1;
            if (this.partStarts[mid] <= i) lo = mid;
            else hi = mid - 1;
        }
        return this.parts[lo];
    }

    /**
     * The violations of rows `rows`, in that order, read from their shards: a shard's rows
     * in one read of its file. A row whose violation is gone since the snapshot was made
     * (a write raced the read) is left out.
     */
    async details(rows: ArrayLike<number>): Promise<Violation[]> {
        const byPart = new Map<SnapshotPart, number[]>();
        for (let k = 0; k < rows.length; k++) {
            const part = this.partOf(rows[k]);
            const list = byPart.get(part);
            if (list) list.push(k);
            else byPart.set(part, [k]);
        }
        const found = new Array<Violation | undefined>(rows.length);
        await Promise.all(
            [...byPart].map(async ([part, ks]) => {
                const read = await part.reader.read(
                    ks.map((k) => rows[k] - part.start),
                    ks.map((k) => this.ids.at(rows[k])),
                );
                ks.forEach((k, n) => (found[k] = read[n]));
            }),
        );
        return found.filter((v): v is Violation => v !== undefined);
    }

    /** Each value of `name`'s table lower-cased, for the text filters; kept once a filter asked. */
    loweredTable(name: TextColumn): readonly string[] {
        const { table } = this.column(name);
        if (name === 'message') return table;
        let lowered = this.lowered.get(name);
        if (!lowered) this.lowered.set(name, (lowered = table.map((value) => value.toLowerCase())));
        return lowered;
    }

    /** Whether the free-text search's texts are decoded and lower-cased (prepareSearch, or a search, made them). */
    get searchPrepared(): boolean {
        return this.searchTextsReady;
    }

    /**
     * Decodes and lower-cases every text the free-text search looks in. They stay bytes in an
     * index loaded from its files until asked for (at 1M violations ~0.7 s of work), so the
     * first search would pay for them; the server does this after the panel's first answer.
     */
    prepareSearch(): void {
        for (const c of SEARCHED) this.loweredTable(c);
        this.searchTextsReady = true;
    }

    /** For each value of `name`'s table, whether it contains `text` (lower-cased), case-insensitively. */
    containing(name: TextColumn, text: string): Uint8Array {
        const lowered = this.loweredTable(name);
        const hits = new Uint8Array(lowered.length);
        for (let ord = 0; ord < lowered.length; ord++) if (lowered[ord].includes(text)) hits[ord] = 1;
        return hits;
    }

    /**
     * Rows whose free text contains `search` (lower-cased): the resource name, URN and type,
     * policy, pack, account, project and message, as one text with a line per field.
     */
    searchHits(search: string): (i: number) => boolean {
        if (search.includes('\n')) {
            // Only a search spanning fields needs the joined text.
            const tables = SEARCHED.map((c) => ({ lowered: this.loweredTable(c), ordinals: this.column(c).ordinals }));
            return (i) => tables.map(({ lowered, ordinals }) => (ordinals[i] < 0 ? '' : lowered[ordinals[i]])).join('\n').includes(search);
        }
        const columns = SEARCHED.map((c) => ({ hits: this.containing(c, search), ordinals: this.column(c).ordinals }));
        return (i) => {
            for (const { hits, ordinals } of columns) if (ordinals[i] >= 0 && hits[ordinals[i]] === 1) return true;
            return false;
        };
    }

    /** Each row's `name` instant in ms (NaN: none). */
    times(name: TimeColumn): Float64Array {
        return this.data.times[TIME[name]];
    }

    /** The last scan, reused by the scroll pages of the same query (same filter, order, second). */
    cachedScan(key: string, now: Date, compute: () => ScanResult): ScanResult {
        // Suppressions expire with time: a cached scan is good for the second it was made in.
        const second = Math.floor(now.getTime() / 1000);
        if (this.lastScan?.key === key && this.lastScan.now === second) return this.lastScan.result;
        const result = compute();
        this.lastScan = { key, now: second, result };
        return result;
    }

    /** Value ordinals of every facet dimension (FACET_DIMENSIONS order), for the panel's facet counts. */
    dimensions(): DimensionIndex[] {
        return FACET_DIMENSIONS.map((_, d) => this.dimension(d));
    }

    /** Value ordinals of the facet dimension FACET_DIMENSIONS[d]: the column itself (resources with their names). */
    dimension(d: number): DimensionIndex {
        const dimension = FACET_DIMENSIONS[d];
        const column = this.column(FACET_COLUMN[dimension]);
        const { ordinals } = column;
        const index: DimensionIndex = {
            ordinals,
            get values() {
                return column.table;
            },
            count: column.hashes.length,
            valueAt: (ord) => column.valueAt(ord),
        };
        if (dimension === 'resources') index.labelAt = (ord) => this.labelOf(ord);
        return index;
    }

    /** The resource name of URN `ord` (the resourceURN column's): the name of its first violation. */
    private labelOf(ord: number): string {
        if (!this.labelRows) {
            // The first row of each URN: ordinals only, no text made.
            const urns = this.column('resourceURN');
            const rows = new Int32Array(urns.hashes.length).fill(-1);
            for (let i = 0; i < this.length; i++) {
                const urn = urns.ordinals[i];
                if (urn >= 0 && rows[urn] < 0) rows[urn] = i;
            }
            this.labelRows = rows;
        }
        const names = this.column('resourceName');
        const row = this.labelRows[ord];
        const name = row < 0 ? -1 : names.ordinals[row];
        return name < 0 ? '' : names.valueAt(name);
    }

    /** The rows' combinations of facet values (see Combinations), numbered on first use and kept. */
    combinations(): Combinations {
        if (this.combos) return this.combos;
        const combo = new Int32Array(this.length);
        let count = 1;
        // One dimension at a time: (combination so far, ordinal) numbered again, densely.
        for (const d of COMBINED_DIMENSIONS) {
            const { ordinals, values } = this.dimension(d);
            const width = values.length + 1;
            const dense = count * width <= 1 << 24 ? new Int32Array(count * width).fill(-1) : undefined;
            const sparse = dense ? undefined : new Map<number, number>();
            let next = 0;
            for (let i = 0; i < this.length; i++) {
                const key = combo[i] * width + ordinals[i] + 1;
                let id = dense ? dense[key] : (sparse!.get(key) ?? -1);
                if (id < 0) {
                    id = next++;
                    if (dense) dense[key] = id;
                    else sparse!.set(key, id);
                }
                combo[i] = id;
            }
            count = next;
        }
        const first = new Int32Array(count).fill(-1);
        for (let i = 0; i < this.length; i++) if (first[combo[i]] < 0) first[combo[i]] = i;
        const ordinals = COMBINED_DIMENSIONS.map((d) => {
            const rows = this.dimension(d).ordinals;
            return Int32Array.from(first, (i) => rows[i]);
        });
        this.combos = { combo, count: this.length ? count : 0, ordinals };
        return this.combos;
    }

    /** UTC day numbers of each violation's observedAt and resolvedAt (NO_DAY when unresolved). */
    dayNumbers(): { observed: Int32Array; resolved: Int32Array } {
        if (this.days) return this.days;
        // Plain loops: Int32Array.from with a mapping function goes through the iterator protocol, a fifth of a second at 1M rows.
        const dayOf = (name: TimeColumn) => {
            const times = this.times(name);
            const days = new Int32Array(times.length);
            for (let i = 0; i < times.length; i++) days[i] = Number.isNaN(times[i]) ? NO_DAY : Math.floor(times[i] / DAY_MS);
            return days;
        };
        this.days = { observed: dayOf('observedAt'), resolved: dayOf('resolvedAt') };
        return this.days;
    }

    /** The first-observed range of the whole snapshot (the date inputs' bounds). */
    dates(): { min?: string; max?: string } {
        if (this.dateRange) return this.dateRange;
        let min = Infinity;
        let max = -Infinity;
        for (const ms of this.times('observedAt')) {
            if (ms < min) min = ms;
            if (ms > max) max = ms;
        }
        this.dateRange = this.length ? { min: new Date(min).toISOString(), max: new Date(max).toISOString() } : {};
        return this.dateRange;
    }

    /** The group key of each value of the grouping's column, shifted by one (index 0: rows without a value). */
    groupKeys(groupBy: Exclude<GroupBy, 'none'>): { keys: readonly string[]; ordinals: Int32Array } {
        const { table, ordinals } = this.column(GROUP_COLUMNS[groupBy]);
        let keys = this.groupKeyTables.get(groupBy);
        if (!keys) this.groupKeyTables.set(groupBy, (keys = ['none', ...table]));
        return { keys, ordinals };
    }

    /** Row indexes in (group, sort column, default) order. Cached per order. */
    order(sort: PanelSort, groupBy: GroupBy): Int32Array {
        const cacheKey = `${sort.column}:${sort.direction}:${groupBy}`;
        let index = this.orders.get(cacheKey);
        if (!index) {
            index = groupBy !== 'none' ? this.grouped(this.order(sort, 'none'), groupBy) : this.sort(this.storedOrder(), sort);
            this.orders.set(cacheKey, index);
        }
        return index;
    }

    /** Each row's place in the default order (last seen newest first, then id): the tie-break of every sort. */
    private defaultOrderRanks(): Int32Array {
        if (this.defaultRanks) return this.defaultRanks;
        const rows = this.defaultOrder();
        const ranks = new Int32Array(this.length);
        for (let place = 0; place < rows.length; place++) ranks[rows[place]] = place;
        this.defaultRanks = ranks;
        return ranks;
    }

    /** The rows in the default order. */
    private defaultOrder(): Int32Array {
        let rows = this.orders.get('default');
        if (rows) return rows;
        const lastSeen = this.times('lastSeenAt');
        const ids = this.ids;
        // Plain comparisons: hex ids order the same under `<` as under localeCompare. Numbers
        // first: comparing texts was most of a cold first page at 1,000,000 rows.
        const { high, low } = ids;
        const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
        const byId = (a: number, b: number) => high[a] - high[b] || low[a] - low[b] || byText(ids.at(a), ids.at(b));
        // shared with the sort by last seen: at 1,000,000 rows each ranking costs a tenth of a second
        const ranked = this.timeRanked('lastSeenAt');
        if (!ranked) {
            rows = Int32Array.from(this.storedOrder()).sort((a, b) => lastSeen[b] - lastSeen[a] || byId(a, b));
        } else {
            // The rows in id order, then dealt newest first into a bucket per instant (keeping
            // their order): no comparison sort of every row.
            let byIdOrder = this.storedOrder();
            // Radix passes over the high key (< 2^50) as two 26-bit integers, 13 bits a pass, then runs of one high key by the rest.
            const upper = new Int32Array(this.length);
            const lower = new Int32Array(this.length);
            for (let i = 0; i < this.length; i++) {
                upper[i] = Math.floor(high[i] / 2 ** 26);
                lower[i] = high[i] - upper[i] * 2 ** 26;
            }
            byIdOrder = bucketSort(byIdOrder, (i) => lower[i] & 8191, 8192, 1);
            byIdOrder = bucketSort(byIdOrder, (i) => lower[i] >>> 13, 8192, 1);
            byIdOrder = bucketSort(byIdOrder, (i) => upper[i] & 8191, 8192, 1);
            byIdOrder = bucketSort(byIdOrder, (i) => upper[i] >>> 13, 8192, 1);
            for (let start = 0; start < byIdOrder.length; ) {
                let end = start + 1;
                while (end < byIdOrder.length && high[byIdOrder[end]] === high[byIdOrder[start]]) end++;
                if (end - start > 1) byIdOrder.subarray(start, end).sort(byId);
                start = end;
            }
            rows = bucketSort(byIdOrder, (i) => ranked.ranks[i], ranked.distinct, -1);
        }
        this.orders.set('default', rows);
        return rows;
    }

    /** The rank of each value of the sort column's table (shifted by one, see ranksOf). */
    private sortRanks(column: Exclude<SortColumn, TimeColumn>): Int32Array {
        let ranks = this.ranks.get(column);
        if (!ranks) {
            const { column: name, key } = SORT_KEYS[column];
            this.ranks.set(column, (ranks = ranksOf(this.column(name).table, key)));
        }
        return ranks;
    }

    /**
     * `indexes` in `sort` order, then the default order. Every sort key is a small integer (a
     * rank), so rows taken in the default order and dealt into one bucket per rank come out in
     * order: linear, where a comparison sort of 1,000,000 rows took seconds.
     */
    sort(indexes: Int32Array, sort: PanelSort): Int32Array {
        const tieBreak = this.defaultOrderRanks();
        const sign = sort.direction === 'asc' ? 1 : -1;
        const { column } = sort;
        // A few rows (a tree group's children) are sorted as they are; many are picked from the default order.
        const inDefaultOrder = () => (indexes.length * 16 < this.length ? Int32Array.from(indexes).sort((p, q) => tieBreak[p] - tieBreak[q]) : this.pickInDefaultOrder(indexes));
        if (column === 'observedAt' || column === 'lastSeenAt') {
            const times = this.times(column);
            const ranked = this.timeRanked(column);
            // Last seen newest first is the default order (which breaks its ties the same way): the first page's order.
            if (ranked && column === 'lastSeenAt' && sign < 0) return inDefaultOrder();
            if (ranked) return bucketSort(inDefaultOrder(), (i) => ranked.ranks[i], ranked.distinct, sign);
            return Int32Array.from(indexes).sort((p, q) => (times[p] - times[q]) * sign || tieBreak[p] - tieBreak[q]);
        }
        const ranks = this.sortRanks(column);
        const { ordinals } = this.column(SORT_KEYS[column].column);
        return bucketSort(inDefaultOrder(), (i) => ranks[ordinals[i] + 1], ranks.length, sign);
    }

    /** `indexes` (distinct rows) in the default order, picked by one walk of it. */
    private pickInDefaultOrder(indexes: Int32Array): Int32Array {
        const all = this.defaultOrder();
        if (indexes.length === this.length) return all;
        const wanted = new Uint8Array(this.length);
        for (const i of indexes) wanted[i] = 1;
        const picked = new Int32Array(indexes.length);
        let at = 0;
        for (let k = 0; k < all.length; k++) if (wanted[all[k]] === 1) picked[at++] = all[k];
        return picked;
    }

    /** The rank of each row's instant in `name` (undefined when a row has none), kept. */
    private timeRanked(name: TimeColumn): { ranks: Int32Array; distinct: number } | undefined {
        const key = `time:${name}`;
        let ranked = this.timeRankCache.get(key);
        if (ranked === undefined) this.timeRankCache.set(key, (ranked = timeRanks(this.times(name)) ?? null));
        return ranked ?? undefined;
    }

    /** `sorted` split by group, each group keeping its order, the groups in compareGroups order: no second sort of every row. */
    private grouped(sorted: Int32Array, groupBy: Exclude<GroupBy, 'none'>): Int32Array {
        const { keys, ordinals } = this.groupKeys(groupBy);
        // Each group key's place among the distinct keys (equal keys, one place), then one bucket per place.
        const distinct = [...new Set(keys)].sort((a, b) => compareGroups(groupBy, a, b));
        const placeOf = new Map(distinct.map((key, place) => [key, place]));
        const places = Int32Array.from(keys, (key) => placeOf.get(key)!);
        return bucketSort(sorted, (i) => places[ordinals[i] + 1], distinct.length, 1);
    }

    /** Row indexes as stored: for a count, where order does not matter and no sort is worth paying for. */
    storedOrder(): Int32Array {
        let stored = this.orders.get('stored');
        if (!stored) {
            stored = new Int32Array(this.length);
            for (let i = 0; i < stored.length; i++) stored[i] = i;
            this.orders.set('stored', stored);
        }
        return stored;
    }

    /** The account of the shard holding violation `id` (undefined: not in this snapshot). */
    accountOf(id: string): string | undefined {
        for (let i = 0; i < this.length; i++) if (this.ids.at(i) === id) return this.partOf(i).account;
        return undefined;
    }
}

/** One shard's violations as columns, and how to read their details back. */
async function readShardColumns(store: Store, account: string): Promise<{ columns: Columns; reader: DetailReader }> {
    const fallback = new StoreReader(store, account);
    const path = store.shardViolationsPath(account);
    // its index file when current, else built from the JSON (and the index file written again)
    const index = await loadShardIndex(path);
    if (index) return { columns: index.columns, reader: new FileReader(path, index.versionKey, index.starts, index.lengths, fallback) };
    const builder = new ColumnsBuilder();
    if (!(await mayHoldViolations(store.shardPath(account)))) return { columns: builder.finish(), reader: fallback };
    // An old single-file shard, a damaged file, an item the store quarantines: the store reads it.
    for (const v of (await store.readShard(account)).violations) builder.add(v);
    return { columns: builder.finish(), reader: fallback };
}

/**
 * Whether the resources file of a shard without a violations file may hold violations (an
 * old single-file shard): a shard scanned and never evaluated is not parsed for nothing.
 */
async function mayHoldViolations(resourcesPath: string): Promise<boolean> {
    let text: Buffer;
    try {
        text = await readFile(resourcesPath);
    } catch {
        return true; // the store says what is wrong with it
    }
    try {
        return violationRanges(text) !== undefined;
    } catch {
        return true;
    }
}

/** Shards whose index is read at once while a snapshot is built. */
const SHARDS_READ_AT_ONCE = 4;

/** Every shard's violations, one snapshot. */
export async function loadViolationSnapshot(store: Store): Promise<ViolationSnapshot> {
    return new ViolationSnapshotCache(store).get();
}

export interface SnapshotCacheOptions {
    /** Called for each shard read into the index (tests count them). */
    onShardRead?: (account: string) => void;
}

/**
 * The snapshot of a store, rebuilt after its shards change: only the shards that changed
 * are read again, the others carried over from the previous snapshot.
 */
export class ViolationSnapshotCache {
    private current: ViolationSnapshot | undefined;
    private building: Promise<ViolationSnapshot> | undefined;
    private readonly changed = new Set<string>();
    private everything = true;
    private readonly subscription: { dispose(): void };

    constructor(
        private readonly store: Store,
        private readonly options: SnapshotCacheOptions = {},
    ) {
        this.subscription = store.onDidChange((change) => {
            if (change.kind !== 'shard') return;
            if (change.account === undefined) this.everything = true;
            else this.changed.add(change.account);
        });
    }

    get(): Promise<ViolationSnapshot> {
        if (this.current && !this.everything && this.changed.size === 0) return Promise.resolve(this.current);
        if (!this.building) {
            const building = this.rebuild();
            this.building = building;
            const done = () => {
                if (this.building === building) this.building = undefined;
            };
            building.then(done, done);
        }
        return this.building;
    }

    private async rebuild(): Promise<ViolationSnapshot> {
        while (!this.current || this.everything || this.changed.size > 0) {
            const everything = this.everything || !this.current;
            const changed = new Set(this.changed);
            this.everything = false;
            this.changed.clear();
            try {
                this.current = await this.build(everything ? undefined : this.current, changed);
            } catch (error) {
                // Read them again next time.
                if (everything) this.everything = true;
                for (const account of changed) this.changed.add(account);
                throw error;
            }
        }
        return this.current;
    }

    /** A snapshot of every shard, carrying over from `previous` the shards not in `changed`. */
    private async build(previous: ViolationSnapshot | undefined, changed: ReadonlySet<string>): Promise<ViolationSnapshot> {
        const kept = new Map<string, SnapshotPart>();
        for (const part of previous?.parts ?? []) if (part.account !== undefined && !changed.has(part.account)) kept.set(part.account, part);
        const slices: ColumnsSlice[] = [];
        const parts: SnapshotPart[] = [];
        const accounts = await this.store.listShards();
        // A few shards read at once: a shard whose index file is not current is read from its JSON, asynchronously, while others are decoded.
        const toRead = accounts.filter((account) => !(kept.has(account) && previous));
        const reads = new Map<string, Promise<{ columns: Columns; reader: DetailReader }>>();
        let next = 0;
        const startReads = () => {
            while (next < toRead.length && reads.size < SHARDS_READ_AT_ONCE) {
                const account = toRead[next++];
                const read = readShardColumns(this.store, account);
                read.catch(() => undefined); // awaited below, in order; a failure is thrown there
                reads.set(account, read);
            }
        };
        let at = 0;
        for (const account of accounts) {
            const old = kept.get(account);
            if (old && previous) {
                slices.push({ source: previous.data, start: old.start, length: old.length });
                parts.push({ ...old, start: at });
            } else {
                startReads();
                const { columns, reader } = await reads.get(account)!;
                reads.delete(account);
                this.options.onShardRead?.(account);
                slices.push({ source: columns, start: 0, length: columns.length });
                parts.push({ account, start: at, length: columns.length, reader });
            }
            at += slices[slices.length - 1].length;
        }
        return new ViolationSnapshot(concatColumns(slices), parts);
    }

    /** Reads the shard of `account` again at the next query (all shards without one), rather than when the store's change event arrives. */
    invalidate(account?: string): void {
        if (account === undefined) this.everything = true;
        else this.changed.add(account);
    }

    /** The snapshot built last, if any (it may be out of date). */
    peek(): ViolationSnapshot | undefined {
        return this.current;
    }

    dispose(): void {
        this.subscription.dispose();
    }
}
