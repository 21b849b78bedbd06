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

/**
 * Counts the aggregates of one query as its scan meets each violation that matches or nearly
 * matches. Everything is counted per ordinal in typed arrays (the summary's levels and
 * severities too) and turned into values once, in aggregates(): no text is looked at per row.
 */
export class AggregateCounter {
    private readonly dims: DimensionIndex[];
    /** Each dimension's ordinals and counts, side by side for add()'s loop. */
    private readonly dimOrdinals: Int32Array[];
    private readonly counts: Int32Array[];
    private readonly days: { observed: Int32Array; resolved: Int32Array };
    /** Per status ordinal: 1 when the status is `fixed` (not open, left out of the summary). */
    private readonly fixed: Uint8Array;
    /** Open matches per level ordinal, and per severity ordinal (the last slot: no severity). */
    private readonly openByLevel: Int32Array;
    private readonly openBySeverity: Int32Array;
    private open = 0;
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
        this.dimOrdinals = this.dims.map((index) => index.ordinals);
        this.counts = this.dims.map((index) => new Int32Array(index.values.length));
        this.days = snapshot.dayNumbers();
        this.fixed = Uint8Array.from(this.dims[STATUS_DIMENSION].values, (status) => (status === 'fixed' ? 1 : 0));
        this.openByLevel = new Int32Array(this.dims[LEVEL_DIMENSION].values.length);
        this.openBySeverity = new Int32Array(this.dims[SEVERITY_DIMENSION].values.length + 1);
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
            const dimOrdinals = this.dimOrdinals;
            const counts = this.counts;
            for (let d = 0; d < dimOrdinals.length; d++) {
                const ord = dimOrdinals[d][i];
                if (ord >= 0) counts[d][ord]++;
            }
        } else {
            const ord = this.dimOrdinals[failed][i];
            if (ord >= 0) this.counts[failed][ord]++;
        }
        // The trend counts every status: a fixed violation was open until it was resolved.
        if (failed < 0 || failed === STATUS_DIMENSION) this.addToTrend(i);
        if (failed < 0) {
            const status = this.dimOrdinals[STATUS_DIMENSION][i];
            if (status < 0 || this.fixed[status] !== 1) {
                this.open++;
                // Every violation has a level (the schema requires one).
                this.openByLevel[this.dimOrdinals[LEVEL_DIMENSION][i]]++;
                const severity = this.dimOrdinals[SEVERITY_DIMENSION][i];
                this.openBySeverity[severity < 0 ? this.openBySeverity.length - 1 : severity]++;
            }
        }
    }

    /** The summary of open matches, from the per-ordinal counts. */
    private summary(): PanelSummary {
        const summary: PanelSummary = { byLevel: {}, bySeverity: {}, open: this.open };
        const levels = this.dims[LEVEL_DIMENSION].values;
        this.openByLevel.forEach((count, ord) => {
            if (count > 0) summary.byLevel[levels[ord] as EnforcementLevel] = (summary.byLevel[levels[ord] as EnforcementLevel] ?? 0) + count;
        });
        const severities = this.dims[SEVERITY_DIMENSION].values;
        this.openBySeverity.forEach((count, ord) => {
            const severity = (ord < severities.length ? severities[ord] : 'none') as Severity | 'none';
            if (count > 0) summary.bySeverity[severity] = (summary.bySeverity[severity] ?? 0) + count;
        });
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
        const facets = Object.fromEntries(
            FACET_DIMENSIONS.map((dimension, d) => [dimension, dimension === 'accounts' ? accountFacetOf(this.counts[d], this.dims[d]) : facetOf(this.counts[d], this.dims[d], dimension)]),
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
