/**
 * What the Policy Violations panel shows beside its rows, counted in the query's one pass:
 * the facet counts of every multi-select dimension (each value counted under the filter of
 * every other dimension), the summary of open violations and the open-per-day trend.
 */
import { isChildName, parentAccountName } from '../shared/names';
import type { EnforcementLevel, Severity } from '../shared/model';
import type { Facet, FacetDimension, PanelAggregates, PanelSummary, TrendPoint } from '../shared/panelProtocol';
import { FACET_DIMENSIONS } from '../shared/panelProtocol';
import { DAY_MS, NO_DAY, type DimensionIndex, type ViolationSnapshot } from './violationQuerySnapshot';

/** Most frequent values sent per facet; resources can number in the tens of thousands. */
const FACET_LIMITS: Partial<Record<FacetDimension, number>> = { resources: 200 };
const FACET_LIMIT = 500;
/** Trend window: the chart shows at most this many days, ending today. */
const TREND_DAYS = 90;
const STATUS_DIMENSION = FACET_DIMENSIONS.indexOf('statuses');
const LEVEL_DIMENSION = FACET_DIMENSIONS.indexOf('levels');
const SEVERITY_DIMENSION = FACET_DIMENSIONS.indexOf('severities');

/** Counts the aggregates of one query as its scan meets each violation that matches or nearly matches. */
export class AggregateCounter {
    private readonly dims: DimensionIndex[];
    private readonly counts: Int32Array[];
    private readonly days: { observed: Int32Array; resolved: Int32Array };
    private readonly summary: PanelSummary = { byLevel: {}, bySeverity: {}, open: 0 };
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
        this.counts = this.dims.map((index) => new Int32Array(index.values.length));
        this.days = snapshot.dayNumbers();
        this.today = Math.floor(now.getTime() / DAY_MS);
        this.firstDay = this.today - TREND_DAYS + 1;
    }

    /**
     * Counts violation `i`, which passes every filter but the dimension `failed` (-1: it
     * matches). It counts for that dimension's facet only: the count a facet value shows is
     * the number of rows ticking it alone would give.
     */
    add(i: number, failed: number): void {
        if (failed < 0) {
            for (let d = 0; d < this.dims.length; d++) {
                const ord = this.dims[d].ordinals[i];
                if (ord >= 0) this.counts[d][ord]++;
            }
        } else {
            const ord = this.dims[failed].ordinals[i];
            if (ord >= 0) this.counts[failed][ord]++;
        }
        // The trend counts every status: a fixed violation was open until it was resolved.
        if (failed < 0 || failed === STATUS_DIMENSION) this.addToTrend(i);
        if (failed < 0) {
            const status = this.dims[STATUS_DIMENSION];
            if (status.values[status.ordinals[i]] !== 'fixed') {
                this.summary.open++;
                const level = this.dims[LEVEL_DIMENSION];
                const levelValue = level.values[level.ordinals[i]] as EnforcementLevel;
                this.summary.byLevel[levelValue] = (this.summary.byLevel[levelValue] ?? 0) + 1;
                const severities = this.dims[SEVERITY_DIMENSION];
                const severity = (severities.ordinals[i] < 0 ? 'none' : severities.values[severities.ordinals[i]]) as Severity | 'none';
                this.summary.bySeverity[severity] = (this.summary.bySeverity[severity] ?? 0) + 1;
            }
        }
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
        const facets = Object.fromEntries(
            FACET_DIMENSIONS.map((dimension, d) => [dimension, dimension === 'accounts' ? accountFacetOf(this.counts[d], this.dims[d]) : facetOf(this.counts[d], this.dims[d], dimension)]),
        ) as Record<FacetDimension, Facet>;
        return { facets, summary: this.summary, trend: this.trend(), dates: this.snapshot.dates() };
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
    const values = index.values;
    kept.sort((a, b) => counts[b] - counts[a] || (values[a] < values[b] ? -1 : values[a] > values[b] ? 1 : 0));
    return {
        values: kept.map((ord) => (index.labels ? { value: values[ord], count: counts[ord], label: index.labels[ord] } : { value: values[ord], count: counts[ord] })),
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
    return facetOf(rolled, { ordinals: index.ordinals, values }, 'accounts');
}
