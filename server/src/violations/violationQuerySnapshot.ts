/**
 * The violation query service's data: every shard's violations in one snapshot, with the
 * per-violation indexes a query needs (sort orders, facet ordinals, instants, lower-cased
 * text), each computed on first use and kept until the store changes. Built for 100,000
 * violations: a filter change is one linear pass over a cached order, and no sort.
 *
 * Queries read a snapshot only through violationQuery.ts, so a more compact snapshot (ids
 * and facets in memory, details read from the shards on demand) can replace this one
 * without changing what the views and the CLI call.
 */
import { enforcementLevelRank, severityRank, violationStatusRank, type Violation } from '../shared/model';
import type { FacetDimension, GroupBy, PanelSort, SortColumn } from '../shared/panelProtocol';
import { FACET_DIMENSIONS } from '../shared/panelProtocol';
import type { Store } from '../store';

/** Last seen newest first, then by id: the order of every list unless a sort is given. */
export const DEFAULT_SORT: PanelSort = { column: 'lastSeenAt', direction: 'desc' };
export const DAY_MS = 86_400_000;
/** The day number of a violation never resolved. */
export const NO_DAY = -0x80000000;

export function utcDay(iso: string): number {
    return Math.floor(Date.parse(iso) / DAY_MS);
}

/** The value of `v` in a facet dimension (`undefined`: the violation has none). */
function facetValue(v: Violation, dimension: FacetDimension): string | undefined {
    switch (dimension) {
        case 'policyPacks':
            return v.policyPack;
        case 'policies':
            return v.policyName;
        case 'projects':
            return v.project;
        case 'levels':
            return v.level;
        case 'accounts':
            return v.entityId;
        case 'resources':
            return v.resourceURN;
        case 'types':
            return v.resourceType;
        case 'statuses':
            return v.status;
        case 'severities':
            return v.severity;
    }
}

/** One facet dimension of a snapshot: each violation's value as an ordinal into `values` (-1: none). */
export interface DimensionIndex {
    ordinals: Int32Array;
    values: string[];
    /** For resources: the resource name of each URN. */
    labels?: string[];
}

/** The text the free-text search looks in, lower-cased once per snapshot. */
function searchText(v: Violation): string {
    return `${v.resourceName}\n${v.resourceURN}\n${v.resourceType}\n${v.policyName}\n${v.policyPack}\n${v.entityId}\n${v.project ?? ''}\n${v.message}`.toLowerCase();
}

/** A comparable key per violation for `column` (numbers for ranked columns, lower-cased text otherwise). */
function sortKey(column: SortColumn): (v: Violation) => string | number {
    switch (column) {
        case 'policy':
            return (v) => v.policyName.toLowerCase();
        case 'policyPack':
            return (v) => `${v.policyPack.toLowerCase()}@${v.policyPackTag}`;
        case 'level':
            return (v) => enforcementLevelRank(v.level);
        case 'severity':
            return (v) => severityRank(v.severity);
        case 'status':
            return (v) => violationStatusRank(v.status);
        case 'resource':
            return (v) => v.resourceName.toLowerCase();
        case 'type':
            return (v) => v.resourceType.toLowerCase();
        case 'account':
            return (v) => v.entityId.toLowerCase();
        case 'project':
            return (v) => (v.project ?? '').toLowerCase();
        case 'message':
            return (v) => v.message.toLowerCase();
        case 'observedAt':
            return (v) => v.observedAt;
        case 'lastSeenAt':
            return (v) => v.lastSeenAt;
        case 'priority':
            // Unset sorts after p4.
            return (v) => v.priority ?? 'p9';
        case 'assignedTo':
            return (v) => (v.assignedTo ?? '').toLowerCase();
    }
}

/** The group a violation falls in (`undefined`: no grouping). */
export function groupKey(groupBy: GroupBy): ((v: Violation) => string) | undefined {
    switch (groupBy) {
        case 'none':
            return undefined;
        case 'policy':
            return (v) => `${v.policyPack}/${v.policyName}`;
        case 'account':
            return (v) => v.entityId;
        case 'type':
            return (v) => v.resourceType;
        case 'severity':
            return (v) => v.severity ?? 'none';
    }
}

/** How groups are ordered: severity groups read most severe first; the others alphabetically. */
export function compareGroups(groupBy: GroupBy, a: string, b: string): number {
    if (groupBy === 'severity') return severityRank(b) - severityRank(a);
    return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The default order (last seen newest first, then id) with plain comparisons: ISO times of
 * one format and hex ids order the same under `<` as under localeCompare, at a fraction of
 * the cost on 100,000 rows.
 */
function compareDefault(a: Violation, b: Violation): number {
    if (a.lastSeenAt !== b.lastSeenAt) return a.lastSeenAt < b.lastSeenAt ? 1 : -1;
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** The matches of one query, kept for the scroll pages that follow it. */
export interface ScanResult {
    /** Indexes into the snapshot's violations, in order. */
    matched: Int32Array;
    /** Contiguous runs of one group key in `matched` (empty without grouping). */
    groups: { key: string; start: number; count: number }[];
}

/** The violations of every shard, with the per-order indexes a query needs, computed on demand. */
export class ViolationSnapshot {
    private readonly orders = new Map<string, Int32Array>();
    private searchTexts: string[] | undefined;
    private readonly dimensionIndexes: (DimensionIndex | undefined)[] = [];
    private days: { observed: Int32Array; resolved: Int32Array } | undefined;
    private dateRange: { min?: string; max?: string } | undefined;
    private observed: string[] | undefined;
    private suppressionEnds: Float64Array | undefined;
    private lastScan: { key: string; now: number; result: ScanResult } | undefined;
    private lowered: { name: string[]; urn: string[]; type: string[] } | undefined;

    constructor(readonly violations: readonly Violation[]) {}

    /** Each violation's observedAt as a normalized ISO instant: what `since`/`until` compare. */
    observedIso(): string[] {
        this.observed ??= this.violations.map((v) => new Date(v.observedAt).toISOString());
        return this.observed;
    }

    /** The end of each violation's suppression in ms (NaN: none). */
    suppressedUntil(): Float64Array {
        if (this.suppressionEnds) return this.suppressionEnds;
        const ends = new Float64Array(this.violations.length).fill(Number.NaN);
        this.violations.forEach((v, i) => {
            if (v.suppression) ends[i] = Date.parse(v.suppression.until);
        });
        this.suppressionEnds = ends;
        return ends;
    }

    /** Resource name, URN and type lower-cased, for the `resourceContains` and `typeContains` filters. */
    lowerCased(): { name: string[]; urn: string[]; type: string[] } {
        this.lowered ??= {
            name: this.violations.map((v) => v.resourceName.toLowerCase()),
            urn: this.violations.map((v) => v.resourceURN.toLowerCase()),
            type: this.violations.map((v) => v.resourceType.toLowerCase()),
        };
        return this.lowered;
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

    /**
     * Value ordinals of the facet dimension FACET_DIMENSIONS[d], built on first use: a
     * query that filters on status alone (the tree, the status bar) builds only that one.
     */
    dimension(d: number): DimensionIndex {
        const cached = this.dimensionIndexes[d];
        if (cached) return cached;
        const dimension = FACET_DIMENSIONS[d];
        const ordinalOf = new Map<string, number>();
        const index: DimensionIndex = { ordinals: new Int32Array(this.violations.length), values: [] };
        if (dimension === 'resources') index.labels = [];
        this.violations.forEach((v, i) => {
            const value = facetValue(v, dimension);
            if (value === undefined) {
                index.ordinals[i] = -1;
                return;
            }
            let ord = ordinalOf.get(value);
            if (ord === undefined) {
                ord = index.values.length;
                ordinalOf.set(value, ord);
                index.values.push(value);
                index.labels?.push(v.resourceName);
            }
            index.ordinals[i] = ord;
        });
        this.dimensionIndexes[d] = index;
        return index;
    }

    /** UTC day numbers of each violation's observedAt and resolvedAt (NO_DAY when unresolved). */
    dayNumbers(): { observed: Int32Array; resolved: Int32Array } {
        if (this.days) return this.days;
        const observed = new Int32Array(this.violations.length);
        const resolved = new Int32Array(this.violations.length);
        this.violations.forEach((v, i) => {
            observed[i] = utcDay(v.observedAt);
            resolved[i] = v.resolvedAt ? utcDay(v.resolvedAt) : NO_DAY;
        });
        this.days = { observed, resolved };
        return this.days;
    }

    /** The first-observed range of the whole snapshot (the date inputs' bounds). */
    dates(): { min?: string; max?: string } {
        if (this.dateRange) return this.dateRange;
        let min: string | undefined;
        let max: string | undefined;
        for (const v of this.violations) {
            if (min === undefined || v.observedAt < min) min = v.observedAt;
            if (max === undefined || v.observedAt > max) max = v.observedAt;
        }
        this.dateRange = { min, max };
        return this.dateRange;
    }

    /** Indexes of `violations` in (group, sort column, default) order. Cached per order. */
    order(sort: PanelSort, groupBy: GroupBy): Int32Array {
        const cacheKey = `${sort.column}:${sort.direction}:${groupBy}`;
        let index = this.orders.get(cacheKey);
        if (!index) {
            const groupOf = groupKey(groupBy);
            index = groupOf ? this.grouped(this.order(sort, 'none'), groupOf, groupBy) : this.sorted(sort);
            this.orders.set(cacheKey, index);
        }
        return index;
    }

    private sorted(sort: PanelSort): Int32Array {
        return this.sort(Int32Array.from(this.violations.keys()), sort);
    }

    /** `indexes` in `sort` order, then the default order: for a few rows, cheaper than an order of them all. */
    sort(indexes: Int32Array, sort: PanelSort): Int32Array {
        const vs = this.violations;
        const keyOf = sortKey(sort.column);
        // Sorts positions into `indexes`, so the keys are a dense array however few the rows.
        const keys = Array.from(indexes, (i) => keyOf(vs[i]));
        const sign = sort.direction === 'asc' ? 1 : -1;
        const positions = Int32Array.from(indexes.keys());
        positions.sort((p, q) => {
            const a = keys[p];
            const b = keys[q];
            if (a !== b) return (a < b ? -1 : 1) * sign;
            return compareDefault(vs[indexes[p]], vs[indexes[q]]);
        });
        return Int32Array.from(positions, (p) => indexes[p]);
    }

    /** `sorted` split by group, each group keeping its order, the groups in compareGroups order: no second sort of every row. */
    private grouped(sorted: Int32Array, groupOf: (v: Violation) => string, groupBy: GroupBy): Int32Array {
        const members = new Map<string, number[]>();
        for (const i of sorted) {
            const key = groupOf(this.violations[i]);
            const list = members.get(key);
            if (list) list.push(i);
            else members.set(key, [i]);
        }
        const index = new Int32Array(sorted.length);
        let at = 0;
        for (const key of [...members.keys()].sort((a, b) => compareGroups(groupBy, a, b))) {
            index.set(members.get(key)!, at);
            at += members.get(key)!.length;
        }
        return index;
    }

    /** Indexes of `violations` as stored: for a count, where order does not matter and no sort is worth paying for. */
    storedOrder(): Int32Array {
        let stored = this.orders.get('stored');
        if (!stored) {
            stored = Int32Array.from(this.violations.keys());
            this.orders.set('stored', stored);
        }
        return stored;
    }

    search(i: number): string {
        this.searchTexts ??= this.violations.map(searchText);
        return this.searchTexts[i];
    }
}

/** Every shard's violations, one snapshot. */
export async function loadViolationSnapshot(store: Store): Promise<ViolationSnapshot> {
    const violations: Violation[] = [];
    for (const shardName of await store.listShards()) {
        const shard = await store.readShard(shardName);
        for (const v of shard.violations) violations.push(v);
    }
    return new ViolationSnapshot(violations);
}

/**
 * The snapshot of a store, reloaded only after its shards change: a 100,000-row shard is
 * too large for the store's read cache, and re-reading it per scroll page (or per tree
 * refresh) would cost a second each time.
 */
export class ViolationSnapshotCache {
    private current: Promise<ViolationSnapshot> | undefined;
    private readonly subscription: { dispose(): void };

    constructor(private readonly store: Store) {
        this.subscription = store.onDidChange((change) => {
            if (change.kind === 'shard') this.current = undefined;
        });
    }

    get(): Promise<ViolationSnapshot> {
        if (!this.current) {
            const loading = loadViolationSnapshot(this.store);
            this.current = loading;
            loading.catch(() => {
                if (this.current === loading) this.current = undefined;
            });
        }
        return this.current;
    }

    invalidate(): void {
        this.current = undefined;
    }

    dispose(): void {
        this.subscription.dispose();
    }
}
