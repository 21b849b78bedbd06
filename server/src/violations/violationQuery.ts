/**
 * The violation query service: one filter (PanelFilter), one order and one pass over a
 * snapshot answer every view of violations — `policy-insights violations` and its exports
 * (queryList), the Violations tree (queryGroups, then queryList for a group's children),
 * the status bar (queryList with limit 0: the total only), the Policy Violations panel
 * (queryPanel: a page of rows with facets, summary and trend) and its exports. The same
 * filter returns the same rows everywhere because there is only this code to return them.
 *
 * Callers go through ViolationQueryService, never through a snapshot's violations: how the
 * snapshot holds them (violationQuerySnapshot.ts) can change without changing this interface.
 */
import type { Severity, Violation } from '../shared/model';
import type { FacetDimension, PanelFilter, PanelQueryParams, PanelQueryResult, PanelRow, PanelSort } from '../shared/panelProtocol';
import { FACET_DIMENSIONS } from '../shared/panelProtocol';
import type { ListViolationsParams, ListViolationsResult, ViolationGroup, ViolationGroupsParams, ViolationGroupsResult, ViolationGrouping } from '../shared/protocol';
import type { Store } from '../store';
import { AggregateCounter } from './violationQueryAggregates';
import { COMBINED_DIMENSIONS, compareGroups, DEFAULT_SORT, ViolationSnapshotCache, type DimensionIndex, type ScanResult, type SnapshotCacheOptions, type ViolationSnapshot } from './violationQuerySnapshot';
import { dateBound, isSuppressed } from './violationFilter';
import { DEFAULT_STATUSES } from '../shared/model';
import { isChildName, parentAccountName } from '../shared/names';

/** The values `filter` lists for `dimension`; undefined when it does not filter on it. Status always filters (default: open and in progress). */
function listed(filter: PanelFilter, dimension: FacetDimension): readonly string[] | undefined {
    const values = dimension === 'statuses' ? (filter.statuses?.length ? filter.statuses : DEFAULT_STATUSES) : filter[dimension];
    return values?.length ? values : undefined;
}

/** For each value of a dimension, whether it is one of `wanted`. */
function acceptance(wanted: ReadonlySet<string>, dimension: FacetDimension, index: DimensionIndex): Uint8Array {
    const accept = new Uint8Array(index.values.length);
    index.values.forEach((value, ord) => {
        // An account filter names a parent (all its regions) or one child, as the CLI's --account does.
        const parent = dimension === 'accounts' && isChildName(value) ? parentAccountName(value) : undefined;
        if (wanted.has(value) || (parent !== undefined && wanted.has(parent))) accept[ord] = 1;
    });
    return accept;
}

const RESOURCES_DIMENSION = FACET_DIMENSIONS.indexOf('resources');

interface ScanParams {
    filter: PanelFilter;
    /** Snapshot indexes in the order the matches come out. */
    order: Int32Array;
    /** Groups are contiguous in `order` (snapshot.order(sort, groupBy)). */
    groupBy: ViolationGrouping | 'none';
    /** Counts facets, summary and trend as it goes. */
    aggregates?: AggregateCounter;
}

/**
 * The indexes matching `filter`, in `order`, with their groups. With an AggregateCounter it
 * also counts each violation rejected by exactly one facet dimension, for that facet.
 * Every text test is a lookup by the row's ordinal into a table worked out once per query
 * for the column's distinct values.
 *
 * Two passes, so that neither jumps around memory more than it must: the tests (and the
 * counting, which does not depend on order) go over the rows as stored, reading every
 * column sequentially and marking each match in one byte per row; then `order` is walked
 * reading only those bytes. Walking `order` for the tests made every column read a random
 * access: at 1,000,000 rows the columns do not fit in the processor's caches and that was
 * most of a filter change's time.
 * @throws FilterError for a date that does not parse
 */
function scan(snapshot: ViolationSnapshot, { filter, order, groupBy, aggregates }: ScanParams, now: Date): ScanResult {
    const length = snapshot.length;
    // `resourceContains` (name or URN) and `typeContains`, case-insensitive.
    const resourceText = filter.resourceContains?.toLowerCase() || undefined;
    const typeText = filter.typeContains?.toLowerCase() || undefined;
    const names = resourceText ? { hits: snapshot.containing('resourceName', resourceText), ordinals: snapshot.column('resourceName').ordinals } : undefined;
    const urns = resourceText ? { hits: snapshot.containing('resourceURN', resourceText), ordinals: snapshot.column('resourceURN').ordinals } : undefined;
    const types = typeText ? { hits: snapshot.containing('resourceType', typeText), ordinals: snapshot.column('resourceType').ordinals } : undefined;
    const since = filter.since ? dateBound(filter.since, 'since') : undefined;
    const until = filter.until ? dateBound(filter.until, 'until') : undefined;
    const sinceMs = since ? Date.parse(since) : -Infinity;
    const untilMs = until ? Date.parse(until) : Infinity;
    const observed = since || until ? snapshot.times('observedAt') : undefined;
    // As isSuppressed: a suppression hides the violation until it expires.
    const nowMs = now.getTime();
    const suppressedUntil = filter.includeSuppressed !== true ? snapshot.times('suppressedUntil') : undefined;
    const search = filter.search?.trim().toLowerCase() || undefined;
    const searchHit = search ? snapshot.searchHits(search) : undefined;
    // The facet filters, tested once per combination of facet values (see Combinations): the
    // dimension rejecting it (-1: none, -2: more than one). Resources, a value per row or so, per row.
    const { combo, count: comboCount, ordinals: comboOrdinals } = snapshot.combinations();
    const comboFailed = new Int32Array(comboCount).fill(-1);
    let resources: { ordinals: Int32Array; accept: Uint8Array } | undefined;
    FACET_DIMENSIONS.forEach((dimension, d) => {
        const values = listed(filter, dimension);
        if (!values) return;
        const index = snapshot.dimension(d);
        const accept = acceptance(new Set(values), dimension, index);
        if (d === RESOURCES_DIMENSION) {
            resources = { ordinals: index.ordinals, accept };
            return;
        }
        const ordinals = comboOrdinals[COMBINED_DIMENSIONS.indexOf(d)];
        for (let c = 0; c < comboCount; c++) {
            const ord = ordinals[c];
            if (ord >= 0 && accept[ord] === 1) continue;
            comboFailed[c] = comboFailed[c] === -1 ? d : -2;
        }
    });

    const matchedRow = new Uint8Array(length);
    let matchCount = 0;
    for (let i = 0; i < length; i++) {
        if (suppressedUntil && suppressedUntil[i] > nowMs) continue;
        if (observed && (observed[i] < sinceMs || observed[i] > untilMs)) continue;
        if (names) {
            // Ordinal -1 (no value) never hits: tested before indexing, a typed array read out of bounds is slow.
            const name = names.ordinals[i];
            const urn = urns!.ordinals[i];
            if (!(name >= 0 && names.hits[name] === 1) && !(urn >= 0 && urns!.hits[urn] === 1)) continue;
        }
        if (types) {
            const type = types.ordinals[i];
            if (type < 0 || types.hits[type] !== 1) continue;
        }
        if (searchHit && !searchHit(i)) continue;
        // Which dimensions reject v: none (a match), one (v counts for that facet only), or more.
        const c = combo[i];
        let failed = comboFailed[c];
        if (resources) {
            const ord = resources.ordinals[i];
            if (ord < 0 || resources.accept[ord] !== 1) failed = failed === -1 ? RESOURCES_DIMENSION : -2;
        }
        if (failed !== -1 && (failed === -2 || !aggregates)) continue;
        aggregates?.add(i, c, failed);
        if (failed >= 0) continue;
        matchedRow[i] = 1;
        matchCount++;
    }

    const matches = new Int32Array(matchCount);
    const groups: ScanResult['groups'] = [];
    if (matchCount === 0) return { matched: matches, groups };
    let at = 0;
    if (groupBy === 'none') {
        for (let k = 0; k < order.length && at < matchCount; k++) {
            const i = order[k];
            if (matchedRow[i] === 1) matches[at++] = i;
        }
        return { matched: matches, groups };
    }
    const { keys, ordinals } = snapshot.groupKeys(groupBy);
    let lastOrdinal = -2;
    let lastKey: string | undefined;
    for (let k = 0; k < order.length && at < matchCount; k++) {
        const i = order[k];
        if (matchedRow[i] !== 1) continue;
        // Equal ordinals, equal keys; the key compared only when the ordinal changes (a value "none" shares the group of rows without one).
        const ord = ordinals[i];
        if (ord !== lastOrdinal) {
            lastOrdinal = ord;
            const key = keys[ord + 1];
            if (key !== lastKey) {
                lastKey = key;
                groups.push({ key, start: at, count: 0 });
            }
        }
        groups[groups.length - 1].count++;
        matches[at++] = i;
    }
    return { matched: matches, groups };
}

/** The panel's row for a violation: what the table shows, no more. */
function toPanelRow(v: Violation, now: Date): PanelRow {
    const row: PanelRow = {
        id: v.id,
        entityId: v.entityId,
        project: v.project,
        policyPack: v.policyPack,
        policyPackTag: v.policyPackTag,
        policyName: v.policyName,
        resourceURN: v.resourceURN,
        resourceType: v.resourceType,
        resourceName: v.resourceName,
        message: v.message,
        level: v.level,
        severity: v.severity,
        status: v.status,
        priority: v.priority,
        assignedTo: v.assignedTo,
        observedAt: v.observedAt,
        lastSeenAt: v.lastSeenAt,
        resolvedAt: v.resolvedAt,
    };
    if (v.suppression && isSuppressed(v, now)) row.suppressedUntil = v.suppression.until;
    return row;
}

/** `items[offset, offset + limit)`, offset clamped to the items. */
function page<T extends { length: number; slice(start: number, end: number): T }>(items: T, offset = 0, limit = items.length): { offset: number; items: T } {
    const start = Math.max(0, Math.min(offset, items.length));
    return { offset: start, items: items.slice(start, start + Math.max(0, limit)) };
}

/**
 * One page of the panel's table for `params`: rows in (group, sort) order, with facets,
 * summary and trend unless `withAggregates` is false. Only the page's rows are read from
 * their shards.
 * @throws FilterError for a date that does not parse
 */
export async function queryPanel(snapshot: ViolationSnapshot, params: PanelQueryParams, now: Date = new Date()): Promise<PanelQueryResult> {
    const started = performance.now();
    const filter = params.filter ?? {};
    const sort = params.sort ?? DEFAULT_SORT;
    const groupBy = params.groupBy ?? 'none';
    const key = JSON.stringify([filter, sort, groupBy]);
    const scanOf = (aggregates?: AggregateCounter) => scan(snapshot, { filter, order: snapshot.order(sort, groupBy), groupBy, aggregates }, now);
    let scanned: ScanResult;
    let counter: AggregateCounter | undefined;
    if (params.withAggregates === false) {
        // A scroll page reuses the matches of the query that preceded it.
        scanned = snapshot.cachedScan(key, now, () => scanOf());
    } else {
        counter = new AggregateCounter(snapshot, now);
        const result = scanOf(counter);
        scanned = snapshot.cachedScan(key, now, () => result);
    }
    const { offset, items } = page(scanned.matched, params.offset, params.limit);
    const rows = (await snapshot.details(items)).map((v) => toPanelRow(v, now));
    return { offset, rows, total: scanned.matched.length, groups: scanned.groups, aggregates: counter?.aggregates(), elapsedMs: performance.now() - started };
}

/**
 * The rows matching `params.filter` in `params.sort` order (of one group when
 * `params.group` names one), cut to `offset` and `limit`, as snapshot indexes; limit 0
 * counts without sorting.
 * @throws FilterError for a date that does not parse
 */
export function listRows(snapshot: ViolationSnapshot, params: ListViolationsParams, now: Date = new Date()): { rows: Int32Array; total: number } {
    const filter = params.filter ?? {};
    const sort = params.sort ?? DEFAULT_SORT;
    let rows: Int32Array;
    if (params.limit === 0) {
        rows = scan(snapshot, { filter, order: snapshot.storedOrder(), groupBy: 'none' }, now).matched;
    } else if (params.group) {
        // A tree node's children: its rows are found in stored order and only they are sorted.
        const { groupBy, key } = params.group;
        const { keys, ordinals } = snapshot.groupKeys(groupBy);
        const matched = scan(snapshot, { filter, order: snapshot.storedOrder(), groupBy: 'none' }, now).matched;
        rows = snapshot.sort(
            matched.filter((i) => keys[ordinals[i] + 1] === key),
            sort,
        );
    } else {
        rows = scan(snapshot, { filter, order: snapshot.order(sort, 'none'), groupBy: 'none' }, now).matched;
    }
    const { items } = page(rows, params.offset, params.limit);
    return { rows: items, total: rows.length };
}

/**
 * The violations matching `params.filter` in `params.sort` order (of one group when
 * `params.group` names one), cut to `offset` and `limit`; limit 0 counts without sorting.
 * @throws FilterError for a date that does not parse
 */
export async function queryList(snapshot: ViolationSnapshot, params: ListViolationsParams, now: Date = new Date()): Promise<ListViolationsResult> {
    const { rows, total } = listRows(snapshot, params, now);
    return { violations: await snapshot.details(rows), total };
}

/** How a group reads in the Violations tree, and the panel filter that shows it, from its first row. */
function describeGroup(snapshot: ViolationSnapshot, groupBy: ViolationGrouping, key: string, first: number): Omit<ViolationGroup, 'count'> {
    switch (groupBy) {
        case 'policy': {
            const policyPack = snapshot.text('policyPack', first)!;
            const policyName = snapshot.text('policyName', first)!;
            return { key, label: policyName, policyPack, filter: { policyPacks: [policyPack], policies: [policyName] } };
        }
        case 'account':
            return { key, label: key, filter: { accounts: [key] } };
        case 'type':
            return { key, label: key, filter: { types: [key] } };
        case 'severity': {
            const severity = snapshot.text('severity', first) as Severity | undefined;
            return severity ? { key, label: key, filter: { severities: [severity] } } : { key, label: 'unspecified' };
        }
    }
}

/**
 * The groups of the violations matching `params.filter`, with their counts: severity most
 * severe first, the others by key. Counted in stored order: the roots of the tree need no
 * sort (a group's children, listed when it is expanded, do).
 * @throws FilterError for a date that does not parse
 */
export function queryGroups(snapshot: ViolationSnapshot, params: ViolationGroupsParams, now: Date = new Date()): ViolationGroupsResult {
    const { groupBy } = params;
    const { keys, ordinals } = snapshot.groupKeys(groupBy);
    const { matched } = scan(snapshot, { filter: params.filter ?? {}, order: snapshot.storedOrder(), groupBy: 'none' }, now);
    const groups = new Map<string, { first: number; count: number }>();
    for (const i of matched) {
        const key = keys[ordinals[i] + 1];
        const group = groups.get(key);
        if (group) group.count++;
        else groups.set(key, { first: i, count: 1 });
    }
    return {
        groups: [...groups.keys()].sort((a, b) => compareGroups(groupBy, a, b)).map((key) => ({ ...describeGroup(snapshot, groupBy, key, groups.get(key)!.first), count: groups.get(key)!.count })),
        total: matched.length,
    };
}

/** How many rows an export or a full listing reads from the shards at a time: its memory is this many violations, not all of them. */
export const DETAIL_BATCH = 2000;

/** What ViolationQueryService.stream calls. */
export interface StreamListener {
    /** Before the first batch: how many match (`total`) and how many will be listed (`count`, after offset and limit). */
    begin?(counts: { total: number; count: number }): void | Promise<void>;
    batch(violations: Violation[]): void | Promise<void>;
}

export interface QueryServiceOptions extends SnapshotCacheOptions {
    /**
     * Prepare the free-text search's texts `afterMs` after the panel's first answer on a
     * snapshot (the language server: the first search of a 1M index then takes ~0.1 s instead
     * of ~0.8 s); unset, a search makes them when it first runs (the CLI, which answers once).
     * `onPrepared` is called with each snapshot prepared (tests wait for it).
     */
    prepareSearch?: { afterMs: number; onPrepared?: (snapshot: ViolationSnapshot) => void };
}

/** The every-shard violations of a store, queried: one per store, shared by the tree, the status bar, the panel and exports. */
export class ViolationQueryService {
    private readonly snapshots: ViolationSnapshotCache;

    /** The snapshot whose search texts are being prepared (see QueryServiceOptions.prepareSearch). */
    private preparing: ViolationSnapshot | undefined;

    constructor(
        store: Store,
        private readonly options: QueryServiceOptions = {},
    ) {
        this.snapshots = new ViolationSnapshotCache(store, options);
    }

    /** @throws FilterError */
    async list(params: ListViolationsParams = {}, now?: Date): Promise<ListViolationsResult> {
        return queryList(await this.snapshots.get(), params, now);
    }

    /**
     * Like list, with the violations read from the shards `DETAIL_BATCH` at a time and handed
     * to `listener.batch` in order, after `listener.begin` was told how many there are: a
     * listing of every violation without holding them all.
     * @throws FilterError
     */
    async stream(params: ListViolationsParams, listener: StreamListener, now?: Date): Promise<{ total: number; count: number }> {
        const snapshot = await this.snapshots.get();
        const { rows, total } = listRows(snapshot, params, now);
        const counts = { total, count: rows.length };
        await listener.begin?.(counts);
        for (let at = 0; at < rows.length; at += DETAIL_BATCH) await listener.batch(await snapshot.details(rows.subarray(at, at + DETAIL_BATCH)));
        return counts;
    }

    /** @throws FilterError */
    async groups(params: ViolationGroupsParams, now?: Date): Promise<ViolationGroupsResult> {
        return queryGroups(await this.snapshots.get(), params, now);
    }

    /** @throws FilterError */
    async panel(params: PanelQueryParams, now?: Date): Promise<PanelQueryResult> {
        const snapshot = await this.snapshots.get();
        const result = await queryPanel(snapshot, params, now);
        this.prepareSearchSoon(snapshot);
        return result;
    }

    /** Once the panel has its rows, the search texts of its snapshot are made while the user reads them (QueryServiceOptions.prepareSearch). */
    private prepareSearchSoon(snapshot: ViolationSnapshot): void {
        const prepare = this.options.prepareSearch;
        if (!prepare || snapshot.searchPrepared || this.preparing === snapshot) return;
        this.preparing = snapshot;
        const timer = setTimeout(() => {
            // a snapshot replaced since (a shard changed) is not worth it: the next panel answer schedules its successor
            if (this.snapshots.peek() !== snapshot || snapshot.searchPrepared) return;
            snapshot.prepareSearch();
            prepare.onPrepared?.(snapshot);
        }, prepare.afterMs);
        // the server's connection keeps it alive; a process with nothing else to do need not wait for this
        timer.unref();
    }

    /** Every violation `filter` matches, in `sort` order: what an export writes. @throws FilterError */
    async matching(filter: PanelFilter, sort?: PanelSort, now?: Date): Promise<Violation[]> {
        return (await this.list({ filter, sort }, now)).violations;
    }

    /**
     * The account of the shard holding violation `id`, as the index built last knows it
     * (undefined: none built, or the id is not in it): where the detail pane and triage look
     * first (violationShards.ts). Not rebuilt for this: an id never moves to another shard
     * (violationKey.ts hashes its entity into it), so an index out of date answers right or not at all.
     */
    accountOf(id: string): string | undefined {
        return this.snapshots.peek()?.accountOf(id);
    }

    /**
     * Reads the shard holding violation `id` again at the next query (every shard when it is
     * not known), after this process changed it, rather than when the store's change event arrives.
     */
    invalidate(id?: string): void {
        const account = id === undefined ? undefined : this.snapshots.peek()?.accountOf(id);
        this.snapshots.invalidate(account);
    }

    dispose(): void {
        this.snapshots.dispose();
    }
}
