/**
 * What the Policy Violations panel shows beside its rows, counted in the query's one pass:
 * the facet counts of every multi-select dimension (each value counted under the filter of
 * every other dimension), the summary of open violations and the open-per-day trend.
 */
import { isChildName, parentAccountName } from '../shared/names';
import type { EnforcementLevel, Severity } from '../shared/model';
import type { Facet, FacetDimension, PanelAggregates, PanelSummary, TrendPoint } from '../shared/panelProtocol';
import { FACET_DIMENSIONS } from '../shared/panelProtocol';
import { COMBINED_DIMENSIONS, DAY_MS, NO_DAY, type Combinations, type DimensionIndex, type ViolationSnapshot } from './violationQuerySnapshot';

/** Most frequent values sent per facet; resources can number in the tens of thousands. */
const FACET_LIMITS: Partial<Record<FacetDimension, number>> = { resources: 200 };
const FACET_LIMIT = 500;
/** Trend window: the chart shows at most this many days, ending today. */
const TREND_DAYS = 90;
const STATUS_DIMENSION = FACET_DIMENSIONS.indexOf('statuses');
const LEVEL_DIMENSION = FACET_DIMENSIONS.indexOf('levels');
const SEVERITY_DIMENSION = FACET_DIMENSIONS.indexOf('severities');
const RESOURCES_DIMENSION = FACET_DIMENSIONS.indexOf('resources');

/**
 * Counts the aggregates of one query as its scan meets each violation that matches or nearly
 * matches. The facet dimensions but resources are counted per combination of their values
 * (see Combinations: one increment a row, not one per dimension) and spread over each
 * dimension's values once, in aggregates(); the summary too. No text is looked at per row.
 */
export class AggregateCounter {
    private readonly dims: DimensionIndex[];
    private readonly combos: Combinations;
    /** Matching rows per combination. */
    private readonly matched: Int32Array;
    /** Rows rejected by that dimension alone, per combination (allocated for the dimensions that reject some). */
    private readonly nearly: (Int32Array | undefined)[];
    /** Resources counted per row (matching, or rejected by the resources filter alone). */
    private readonly resourceOrdinals: Int32Array;
    private readonly resourceCounts: Int32Array;
    private readonly days: { observed: Int32Array; resolved: Int32Array };
    private readonly today: number;
    private readonly firstDay: number;
    private readonly opened = new Int32Array(TREND_DAYS);
    private readonly resolvedOn = new Int32Array(TREND_DAYS);
    private openBeforeWindow = 0;

    constructor(
        private readonly snapshot: ViolationSnapshot,
        now: Date,
    ) {
        this.dims = snapshot.dimensions();
        this.combos = snapshot.combinations();
        this.matched = new Int32Array(this.combos.count);
        this.nearly = FACET_DIMENSIONS.map(() => undefined);
        this.resourceOrdinals = this.dims[RESOURCES_DIMENSION].ordinals;
        this.resourceCounts = new Int32Array(this.dims[RESOURCES_DIMENSION].count);
        this.days = snapshot.dayNumbers();
        this.today = Math.floor(now.getTime() / DAY_MS);
        this.firstDay = this.today - TREND_DAYS + 1;
    }

    /**
     * Counts violation `i`, of combination `combo`, which passes every filter but the dimension
     * `failed` (-1: it matches). It counts for that dimension's facet only: the count a facet
     * value shows is the number of rows ticking it alone would give.
     */
    add(i: number, combo: number, failed: number): void {
        if (failed < 0) {
            this.matched[combo]++;
            const ord = this.resourceOrdinals[i];
            if (ord >= 0) this.resourceCounts[ord]++;
            // The trend counts every status: a fixed violation was open until it was resolved.
            this.addToTrend(i);
        } else if (failed === RESOURCES_DIMENSION) {
            const ord = this.resourceOrdinals[i];
            if (ord >= 0) this.resourceCounts[ord]++;
        } else {
            (this.nearly[failed] ??= new Int32Array(this.combos.count))[combo]++;
            if (failed === STATUS_DIMENSION) this.addToTrend(i);
        }
    }

    /** Each dimension's counts per value, from the counts per combination. */
    private counts(): Int32Array[] {
        return this.dims.map((index, d) => {
            if (d === RESOURCES_DIMENSION) return this.resourceCounts;
            const counts = new Int32Array(index.count);
            const ordinals = this.combos.ordinals[COMBINED_DIMENSIONS.indexOf(d)];
            const nearly = this.nearly[d];
            for (let c = 0; c < ordinals.length; c++) {
                const ord = ordinals[c];
                if (ord >= 0) counts[ord] += this.matched[c] + (nearly ? nearly[c] : 0);
            }
            return counts;
        });
    }

    /** The summary of open matches, from the counts per combination. */
    private summary(): PanelSummary {
        const summary: PanelSummary = { byLevel: {}, bySeverity: {}, open: 0 };
        const at = (dimension: number) => ({ values: this.dims[dimension].values, ordinals: this.combos.ordinals[COMBINED_DIMENSIONS.indexOf(dimension)] });
        const status = at(STATUS_DIMENSION);
        const level = at(LEVEL_DIMENSION);
        const severity = at(SEVERITY_DIMENSION);
        for (let c = 0; c < this.matched.length; c++) {
            const count = this.matched[c];
            if (count === 0 || status.values[status.ordinals[c]] === 'fixed') continue;
            summary.open += count;
            const levelValue = level.values[level.ordinals[c]] as EnforcementLevel;
            summary.byLevel[levelValue] = (summary.byLevel[levelValue] ?? 0) + count;
            const severityValue = (severity.ordinals[c] < 0 ? 'none' : severity.values[severity.ordinals[c]]) as Severity | 'none';
            summary.bySeverity[severityValue] = (summary.bySeverity[severityValue] ?? 0) + count;
        }
        return summary;
    }

    private addToTrend(i: number): void {
        const observed = this.days.observed[i];
        const resolved = this.days.resolved[i];
        if (observed < this.firstDay) {
            if (resolved === NO_DAY || resolved >= this.firstDay) this.openBeforeWindow++;
        } else if (observed <= this.today) this.opened[observed - this.firstDay]++;
        if (resolved !== NO_DAY && resolved >= this.firstDay && resolved <= this.today && observed <= resolved) this.resolvedOn[resolved - this.firstDay]++;
    }

    aggregates(): PanelAggregates {
        const counts = this.counts();
        const facets = Object.fromEntries(
            FACET_DIMENSIONS.map((dimension, d) => [dimension, dimension === 'accounts' ? accountFacetOf(counts[d], this.dims[d]) : facetOf(counts[d], this.dims[d], dimension)]),
        ) as Record<FacetDimension, Facet>;
        return { facets, summary: this.summary(), trend: this.trend(), dates: this.snapshot.dates() };
    }

    private trend(): TrendPoint[] {
        const points: TrendPoint[] = [];
        let open = this.openBeforeWindow;
        for (let d = 0; d < TREND_DAYS; d++) {
            open += this.opened[d] - this.resolvedOn[d];
            points.push({ day: new Date((this.firstDay + d) * DAY_MS).toISOString().slice(0, 10), open });
        }
        return points;
    }
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
    // the kept values only: a dimension's table may not be made yet (DeferredTableColumn)
    const values = new Map(kept.map((ord) => [ord, index.valueAt(ord)]));
    kept.sort((a, b) => counts[b] - counts[a] || (values.get(a)! < values.get(b)! ? -1 : values.get(a)! > values.get(b)! ? 1 : 0));
    return {
        values: kept.map((ord) => (index.labelAt ? { value: values.get(ord)!, count: counts[ord], label: index.labelAt(ord) } : { value: values.get(ord)!, count: counts[ord] })),
        omitted: present - kept.length,
    };
}

/**
 * The account facet counts a parent account (`demo`) with all its regions (`demo/us-west-2`),
 * because ticking it filters to all of them (see violationQuery.ts): the count a value shows
 * is the number of rows ticking it alone gives. A parent with violations only in its regions
 * is listed too, so the account a tree's Show Violations filtered on shows up ticked.
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
    return facetOf(rolled, { ordinals: index.ordinals, values, count: values.length, valueAt: (ord) => values[ord] }, 'accounts');
}
