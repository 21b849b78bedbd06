/**
 * The Policy Violations panel's query: one page of sorted (and grouped) rows, the total,
 * and — in the same pass over the violations — the facet counts of every multi-select
 * dimension, the summary and the trend. Built for 100,000 violations per request: the
 * snapshot keeps each sort order it has computed, so a filter change is one linear pass and
 * no sort.
 *
 * The filters the CLI also has mean what they mean there (violationFilter.ts): dates are
 * parsed by its `dateBound`, and dates, suppression and the substring filters are compared
 * on values the snapshot computes once per violation, since the CLI's per-row predicate is
 * several times slower on 100,000 rows. test/unit/violations/panelQuery.test.ts holds the
 * panel and `policy-insights violations` to the same rows for the same filter.
 */
import { DEFAULT_STATUSES, enforcementLevelRank, severityRank, violationStatusRank, type Severity, type Violation } from '../shared/model';
import { isChildName, parentAccountName } from '../shared/names';
import type {
    Facet,
    FacetDimension,
    GroupBy,
    PanelAggregates,
    PanelFilter,
    PanelQueryParams,
    PanelQueryResult,
    PanelRow,
    PanelSort,
    PanelSummary,
    RowGroup,
    SortColumn,
    TrendPoint,
} from '../shared/panelProtocol';
import { FACET_DIMENSIONS } from '../shared/panelProtocol';
import type { Store } from '../store';
import { dateBound, isSuppressed, type ViolationFilter } from './violationFilter';

export const DEFAULT_SORT: PanelSort = { column: 'lastSeenAt', direction: 'desc' };
/** Most frequent values sent per facet; resources can number in the tens of thousands. */
const FACET_LIMITS: Partial<Record<FacetDimension, number>> = { resources: 200 };
const FACET_LIMIT = 500;
/** Trend window: the chart shows at most this many days, ending today. */
const TREND_DAYS = 90;
const DAY_MS = 86_400_000;

/** The CLI's filter as a panel filter that returns the same rows (same order by default). */
export function panelFilterFromCli(filter: ViolationFilter): PanelFilter {
    const panel: PanelFilter = {};
    if (filter.policyPack) panel.policyPacks = [filter.policyPack];
    if (filter.policy) panel.policies = [filter.policy];
    if (filter.project) panel.projects = [filter.project];
    if (filter.levels?.length) panel.levels = [...filter.levels];
    if (filter.account) panel.accounts = [filter.account];
    if (filter.resource) panel.resourceContains = filter.resource;
    if (filter.type) panel.typeContains = filter.type;
    if (filter.since) panel.since = filter.since;
    if (filter.until) panel.until = filter.until;
    if (filter.statuses?.length) panel.statuses = [...filter.statuses];
    if (filter.severities?.length) panel.severities = [...filter.severities];
    if (filter.includeSuppressed) panel.includeSuppressed = true;
    return panel;
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
interface DimensionIndex {
    ordinals: Int32Array;
    values: string[];
    /** For resources: the resource name of each URN. */
    labels?: string[];
}

/**
 * For each value of a dimension, whether the filter accepts it; undefined when the
 * dimension does not filter. Status always filters (default: open and in progress).
 */
function acceptance(filter: PanelFilter, dimension: FacetDimension, index: DimensionIndex): Uint8Array | undefined {
    const listed = dimension === 'statuses' ? (filter.statuses?.length ? filter.statuses : DEFAULT_STATUSES) : filter[dimension];
    if (!listed?.length) return undefined;
    const wanted = new Set<string>(listed);
    const accept = new Uint8Array(index.values.length);
    index.values.forEach((value, ord) => {
        // An account filter names a parent (all its regions) or one child, as the CLI's --account does.
        const parent = dimension === 'accounts' && isChildName(value) ? parentAccountName(value) : undefined;
        if (wanted.has(value) || (parent !== undefined && wanted.has(parent))) accept[ord] = 1;
    });
    return accept;
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

/** The group a violation falls in, and how groups are ordered. */
function groupKey(groupBy: GroupBy): ((v: Violation) => string) | undefined {
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

function compareGroups(groupBy: GroupBy, a: string, b: string): number {
    // Severity groups read most severe first; the others alphabetically.
    if (groupBy === 'severity') return severityRank(b) - severityRank(a);
    return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The default order of compareViolations (last seen newest first, then id) with plain
 * comparisons: ISO times of one format and hex ids order the same under `<` as under
 * localeCompare, at a fraction of the cost on 100,000 rows.
 */
function compareDefault(a: Violation, b: Violation): number {
    if (a.lastSeenAt !== b.lastSeenAt) return a.lastSeenAt < b.lastSeenAt ? 1 : -1;
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** The violations of every shard, with the per-order indexes a query needs, computed on demand. */
export class ViolationSnapshot {
    private readonly orders = new Map<string, Int32Array>();
    private searchTexts: string[] | undefined;
    private dimensionIndexes: DimensionIndex[] | undefined;
    private days: { observed: Int32Array; resolved: Int32Array } | undefined;
    private dateRange: { min?: string; max?: string } | undefined;
    private instants: { observedIso: string[]; suppressedUntil: Float64Array } | undefined;
    private lastScan: { key: string; now: number; result: ScanResult } | undefined;
    private lowered: { name: string[]; urn: string[]; type: string[] } | undefined;

    constructor(readonly violations: readonly Violation[]) {}

    /**
     * Each violation's observedAt as a normalized ISO instant (what the CLI's date filter
     * compares) and the end of its suppression in ms (NaN: none).
     */
    instantsOf(): { observedIso: string[]; suppressedUntil: Float64Array } {
        if (this.instants) return this.instants;
        const suppressedUntil = new Float64Array(this.violations.length).fill(Number.NaN);
        const observedIso = this.violations.map((v, i) => {
            if (v.suppression) suppressedUntil[i] = Date.parse(v.suppression.until);
            return new Date(v.observedAt).toISOString();
        });
        this.instants = { observedIso, suppressedUntil };
        return this.instants;
    }

    /** Resource name, URN and type lower-cased, for the CLI's --resource and --type substring filters. */
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

    /** Per facet dimension (FACET_DIMENSIONS order): value ordinals, built once per snapshot. */
    dimensions(): DimensionIndex[] {
        if (this.dimensionIndexes) return this.dimensionIndexes;
        this.dimensionIndexes = FACET_DIMENSIONS.map((dimension) => {
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
            return index;
        });
        return this.dimensionIndexes;
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
        const cached = this.orders.get(cacheKey);
        if (cached) return cached;
        const vs = this.violations;
        const keyOf = sortKey(sort.column);
        const keys = vs.map(keyOf);
        const groupOf = groupKey(groupBy);
        const groups = groupOf ? vs.map(groupOf) : undefined;
        const sign = sort.direction === 'asc' ? 1 : -1;
        const index = Int32Array.from(vs.keys());
        index.sort((i, j) => {
            if (groups && groups[i] !== groups[j]) return compareGroups(groupBy, groups[i], groups[j]);
            const a = keys[i];
            const b = keys[j];
            if (a !== b) return (a < b ? -1 : 1) * sign;
            return compareDefault(vs[i], vs[j]);
        });
        this.orders.set(cacheKey, index);
        return index;
    }

    search(i: number): string {
        this.searchTexts ??= this.violations.map(searchText);
        return this.searchTexts[i];
    }
}

/** The panel's row for a violation: what the table shows, no more. */
export function toPanelRow(v: Violation, now: Date): PanelRow {
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

const NO_DAY = -0x80000000;

function utcDay(iso: string): number {
    return Math.floor(Date.parse(iso) / DAY_MS);
}

function trendOf(opened: Int32Array, resolved: Int32Array, firstDay: number, openBefore: number): TrendPoint[] {
    const points: TrendPoint[] = [];
    let open = openBefore;
    for (let d = 0; d < opened.length; d++) {
        open += opened[d] - resolved[d];
        points.push({ day: new Date((firstDay + d) * DAY_MS).toISOString().slice(0, 10), open });
    }
    return points;
}

/**
 * The facet: the most frequent values first. A dimension with more values than its limit
 * (resources: one per violation, often) is cut at the count of the limit-th value without
 * sorting every value; values tied at that count are taken in snapshot order.
 */
function facetOf(counts: Int32Array, index: DimensionIndex, dimension: FacetDimension): Facet {
    const limit = FACET_LIMITS[dimension] ?? FACET_LIMIT;
    let present = 0;
    let maxCount = 0;
    for (let ord = 0; ord < counts.length; ord++) {
        if (counts[ord] > 0) present++;
        if (counts[ord] > maxCount) maxCount = counts[ord];
    }
    let threshold = 1;
    if (present > limit) {
        const histogram = new Int32Array(maxCount + 1);
        for (let ord = 0; ord < counts.length; ord++) histogram[counts[ord]]++;
        let taken = 0;
        for (threshold = maxCount; threshold > 1 && taken + histogram[threshold] < limit; threshold--) taken += histogram[threshold];
    }
    const kept: number[] = [];
    for (let ord = 0; ord < counts.length; ord++) if (counts[ord] > threshold) kept.push(ord);
    for (let ord = 0; ord < counts.length && kept.length < limit; ord++) if (counts[ord] === threshold) kept.push(ord);
    const values = index.values;
    kept.sort((a, b) => counts[b] - counts[a] || (values[a] < values[b] ? -1 : values[a] > values[b] ? 1 : 0));
    return {
        values: kept.map((ord) => (index.labels ? { value: values[ord], count: counts[ord], label: index.labels[ord] } : { value: values[ord], count: counts[ord] })),
        omitted: present - kept.length,
    };
}

/**
 * The account facet counts a parent account (`demo`) with all its regions (`demo/us-west-2`),
 * because ticking it filters to all of them (see acceptance): the count a value shows is the
 * number of rows ticking it alone gives. A parent with violations only in its regions is
 * listed too, so the account a tree's Show Violations filtered on shows up ticked.
 */
function accountFacetOf(counts: Int32Array, index: DimensionIndex): Facet {
    const values = [...index.values];
    const ordinalOf = new Map(values.map((value, ord) => [value, ord]));
    const parents = values.map((value) => {
        if (!isChildName(value)) return -1;
        const parent = parentAccountName(value);
        let ord = ordinalOf.get(parent);
        if (ord === undefined) {
            ord = values.push(parent) - 1;
            ordinalOf.set(parent, ord);
        }
        return ord;
    });
    const rolled = new Int32Array(values.length);
    rolled.set(counts);
    parents.forEach((parent, ord) => {
        if (parent >= 0) rolled[parent] += counts[ord];
    });
    return facetOf(rolled, { ordinals: index.ordinals, values }, 'accounts');
}

/**
 * One page of the panel's table for `params` over `snapshot`: rows in (group, sort) order,
 * with facets, summary and trend unless `withAggregates` is false.
 * @throws FilterError for a date that does not parse
 */
export function queryPanel(snapshot: ViolationSnapshot, params: PanelQueryParams, now: Date = new Date()): PanelQueryResult {
    const started = performance.now();
    const key = JSON.stringify([params.filter ?? {}, params.sort ?? DEFAULT_SORT, params.groupBy ?? 'none']);
    // A scroll page (no aggregates) reuses the matches of the query that preceded it.
    const scanned = params.withAggregates === false ? snapshot.cachedScan(key, now, () => scan(snapshot, { ...params, withAggregates: false }, now)) : scan(snapshot, params, now);
    if (params.withAggregates !== false) snapshot.cachedScan(key, now, () => ({ matched: scanned.matched, groups: scanned.groups }));
    const { matched, groups, aggregates } = scanned;
    const offset = Math.max(0, Math.min(params.offset, matched.length));
    const rows = Array.from(matched.subarray(offset, offset + Math.max(0, params.limit)), (i) => toPanelRow(snapshot.violations[i], now));
    return { offset, rows, total: matched.length, groups, aggregates, elapsedMs: performance.now() - started };
}

/** Every violation matching `filter` in `sort` order: what an export writes. @throws FilterError */
export function matchingViolations(snapshot: ViolationSnapshot, filter: PanelFilter, sort: PanelSort = DEFAULT_SORT, now: Date = new Date()): Violation[] {
    const { matched } = scan(snapshot, { filter, sort, offset: 0, limit: 0, withAggregates: false }, now);
    return Array.from(matched, (i) => snapshot.violations[i]);
}

interface ScanResult {
    /** Indexes into the snapshot's violations, in order. */
    matched: Int32Array;
    groups: RowGroup[];
    aggregates?: PanelAggregates;
}

/** The matching indexes in order, their groups and (unless turned off) the aggregates. */
function scan(snapshot: ViolationSnapshot, params: PanelQueryParams, now: Date): ScanResult {
    const filter = params.filter ?? {};
    const sort = params.sort ?? DEFAULT_SORT;
    const groupBy = params.groupBy ?? 'none';
    const withAggregates = params.withAggregates !== false;
    const vs = snapshot.violations;
    const order = snapshot.order(sort, groupBy);
    const dims = snapshot.dimensions();

    // The CLI's --resource (name or URN) and --type substring filters, case-insensitive.
    const resourceText = filter.resourceContains?.toLowerCase() || undefined;
    const typeText = filter.typeContains?.toLowerCase() || undefined;
    const lower = resourceText || typeText ? snapshot.lowerCased() : undefined;
    const since = filter.since ? dateBound(filter.since, 'since') : undefined;
    const until = filter.until ? dateBound(filter.until, 'until') : undefined;
    const { observedIso, suppressedUntil } = snapshot.instantsOf();
    const nowMs = now.getTime();
    const hideSuppressed = filter.includeSuppressed !== true;
    const search = filter.search?.trim().toLowerCase() || undefined;
    // The dimensions that filter, as (ordinals, accepted values) pairs.
    const filtering: { d: number; ordinals: Int32Array; accept: Uint8Array }[] = [];
    FACET_DIMENSIONS.forEach((dimension, d) => {
        const accept = acceptance(filter, dimension, dims[d]);
        if (accept) filtering.push({ d, ordinals: dims[d].ordinals, accept });
    });
    const statusDim = FACET_DIMENSIONS.indexOf('statuses');
    const groupOf = groupKey(groupBy);

    const matches = new Int32Array(order.length);
    let matchCount = 0;
    const groups: RowGroup[] = [];
    const counts = withAggregates ? dims.map((index) => new Int32Array(index.values.length)) : [];
    const summary: PanelSummary = { byLevel: {}, bySeverity: {}, open: 0 };
    const today = Math.floor(now.getTime() / DAY_MS);
    const firstDay = today - TREND_DAYS + 1;
    const opened = new Int32Array(TREND_DAYS);
    const resolvedOn = new Int32Array(TREND_DAYS);
    let openBeforeWindow = 0;
    const days = withAggregates ? snapshot.dayNumbers() : undefined;

    for (let k = 0; k < order.length; k++) {
        const i = order[k];
        const v = vs[i];
        // As isSuppressed: a suppression hides the violation until it expires.
        if (hideSuppressed && suppressedUntil[i] > nowMs) continue;
        if ((since && observedIso[i] < since) || (until && observedIso[i] > until)) continue;
        if (resourceText && !lower!.name[i].includes(resourceText) && !lower!.urn[i].includes(resourceText)) continue;
        if (typeText && !lower!.type[i].includes(typeText)) continue;
        if (search && !snapshot.search(i).includes(search)) continue;
        // Which dimensions reject v: none (a match), one (v counts for that facet only), or more.
        let failed = -1;
        let failures = 0;
        for (let f = 0; f < filtering.length; f++) {
            const { d, ordinals, accept } = filtering[f];
            if (accept[ordinals[i]] !== 1) {
                failed = d;
                if (++failures > 1 || !withAggregates) break;
            }
        }
        if (failures > 1 || (failures === 1 && !withAggregates)) continue;
        if (withAggregates) {
            if (failures === 0) {
                for (let d = 0; d < dims.length; d++) {
                    const ord = dims[d].ordinals[i];
                    if (ord >= 0) counts[d][ord]++;
                }
            } else {
                const ord = dims[failed].ordinals[i];
                if (ord >= 0) counts[failed][ord]++;
            }
            // The trend counts every status: a fixed violation was open until it was resolved.
            if (failures === 0 || failed === statusDim) {
                const observed = days!.observed[i];
                const resolved = days!.resolved[i];
                if (observed < firstDay) {
                    if (resolved === NO_DAY || resolved >= firstDay) openBeforeWindow++;
                } else if (observed <= today) opened[observed - firstDay]++;
                if (resolved !== NO_DAY && resolved >= firstDay && resolved <= today && observed <= resolved) resolvedOn[resolved - firstDay]++;
            }
        }
        if (failures > 0) continue;
        if (withAggregates && v.status !== 'fixed') {
            summary.open++;
            summary.byLevel[v.level] = (summary.byLevel[v.level] ?? 0) + 1;
            const severity: Severity | 'none' = v.severity ?? 'none';
            summary.bySeverity[severity] = (summary.bySeverity[severity] ?? 0) + 1;
        }
        if (groupOf) {
            const key = groupOf(v);
            const last = groups[groups.length - 1];
            if (last && last.key === key) last.count++;
            else groups.push({ key, start: matchCount, count: 1 });
        }
        matches[matchCount++] = i;
    }
    const matched = matches.subarray(0, matchCount);

    let aggregates: PanelAggregates | undefined;
    if (withAggregates) {
        const facets = Object.fromEntries(
            FACET_DIMENSIONS.map((dimension, d) => [dimension, dimension === 'accounts' ? accountFacetOf(counts[d], dims[d]) : facetOf(counts[d], dims[d], dimension)]),
        ) as Record<FacetDimension, Facet>;
        aggregates = { facets, summary, trend: trendOf(opened, resolvedOn, firstDay, openBeforeWindow), dates: snapshot.dates() };
    }
    return { matched, groups, aggregates };
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
 * The snapshot the panel queries, reloaded only after the store changes: a 100,000-row
 * shard is too large for the store's read cache, and re-reading it per scroll page would
 * cost a second each time.
 */
export class PanelSnapshotCache {
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
