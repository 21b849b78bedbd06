/**
 * The violation query service: every view's query (the CLI's list, the tree's groups and
 * children, the status bar's total, the panel's pages) returns the rows the filter means,
 * in the same order; multi-select semantics, facet counts, sort, grouping, summary and trend.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Violation } from '../../../server/src/shared/model';
import { FACET_DIMENSIONS, type PanelFilter, type PanelSort, type SortColumn } from '../../../server/src/shared/panelProtocol';
import type { ViolationGrouping } from '../../../server/src/shared/protocol';
import { Store } from '../../../server/src/store';
import { queryList, queryPanel, ViolationQueryService, ViolationSnapshot } from '../../../server/src/violations';
import { random, syntheticViolations } from '../../support/syntheticViolations';

const NOW = new Date('2026-11-28T12:00:00Z');
const { violations } = syntheticViolations(3000, { seed: 11, now: NOW });

function ids(rows: { id: string }[]): string[] {
    return rows.map((r) => r.id);
}

/** What a filter means, said one violation at a time (the service answers it in one pass over indexes). */
function meant(v: Violation, f: PanelFilter, now: Date): boolean {
    const among = (list: readonly string[] | undefined, value: string | undefined) => !list?.length || (value !== undefined && list.includes(value));
    const contains = (text: string | undefined, ...values: string[]) => !text || values.some((value) => value.toLowerCase().includes(text.toLowerCase()));
    // A date-only bound covers its whole (UTC) day.
    const bound = (date: string, end: boolean) => Date.parse(date) + (/^\d{4}-\d{2}-\d{2}$/.test(date) && end ? 86_399_999 : 0);
    const observed = Date.parse(v.observedAt);
    return (
        among(f.statuses?.length ? f.statuses : ['open', 'in_progress'], v.status) &&
        among(f.policyPacks, v.policyPack) &&
        among(f.policies, v.policyName) &&
        among(f.projects, v.project) &&
        among(f.levels, v.level) &&
        among(f.severities, v.severity) &&
        (!f.accounts?.length || f.accounts.some((a) => v.entityId === a || v.entityId.startsWith(`${a}/`))) &&
        contains(f.resourceContains, v.resourceName, v.resourceURN) &&
        contains(f.typeContains, v.resourceType) &&
        (!f.since || observed >= bound(f.since, false)) &&
        (!f.until || observed <= bound(f.until, true)) &&
        (f.includeSuppressed === true || !v.suppression || Date.parse(v.suppression.until) <= now.getTime())
    );
}

/** Every sort column, and what it orders by (a rank for the ranked columns). */
const SORT_COLUMNS: SortColumn[] = ['policy', 'policyPack', 'level', 'severity', 'status', 'resource', 'type', 'account', 'project', 'message', 'observedAt', 'lastSeenAt', 'priority', 'assignedTo'];
const SORT_KEY: Record<SortColumn, (v: Violation) => string | number> = {
    level: (v) => ['disabled', 'advisory', 'remediate', 'mandatory'].indexOf(v.level),
    severity: (v) => ['low', 'medium', 'high', 'critical'].indexOf(v.severity ?? '') + 1,
    status: (v) => ['open', 'in_progress', 'by_design', 'ignored', 'fixed'].indexOf(v.status),
    policy: (v) => v.policyName,
    policyPack: (v) => `${v.policyPack}@${v.policyPackTag}`,
    resource: (v) => v.resourceName.toLowerCase(),
    type: (v) => v.resourceType.toLowerCase(),
    account: (v) => v.entityId,
    project: (v) => v.project ?? '',
    message: (v) => v.message.toLowerCase(),
    observedAt: (v) => v.observedAt,
    lastSeenAt: (v) => v.lastSeenAt,
    priority: (v) => v.priority ?? 'p9',
    assignedTo: (v) => v.assignedTo ?? '',
};

/** Last seen newest first, then id. */
function newestFirst(a: Violation, b: Violation): number {
    return a.lastSeenAt < b.lastSeenAt ? 1 : a.lastSeenAt > b.lastSeenAt ? -1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

describe('violation query service over a real store', () => {
    let home: string;
    let store: Store;
    let queries: ViolationQueryService;

    before(async () => {
        home = await mkdtemp(join(tmpdir(), 'pi-violation-query-'));
        store = await Store.open({ home });
        const byAccount = new Map<string, Violation[]>();
        for (const v of violations) byAccount.set(v.entityId, [...(byAccount.get(v.entityId) ?? []), v]);
        for (const [account, list] of byAccount) {
            await store.updateShard(account, (shard) => {
                shard.violations.push(...list);
            });
        }
        queries = new ViolationQueryService(store);
    });
    after(async () => {
        queries.dispose();
        await store.close();
        await rm(home, { recursive: true, force: true });
    });

    it('answers the CLI, the tree, the status bar and the panel with the rows the filter means, in the same order', async () => {
        const rnd = random(5);
        const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
        // The filters `policy-insights violations` flags make, then random mixes of them.
        const filters: PanelFilter[] = [
            {},
            { policyPacks: ['aws-compliance'] },
            { policies: ['s3-no-public-read'], levels: ['mandatory'] },
            { accounts: ['prod'] },
            { accounts: ['prod/us-west-2'], typeContains: 's3' },
            { projects: ['payments'] },
            { resourceContains: 'bucket-1' },
            { typeContains: 'aws:rds/instance:Instance', severities: ['high'] },
            { since: '2026-10-01', until: '2026-11-01' },
            { since: '2026-11-20T08:00:00Z' },
            { statuses: ['fixed', 'ignored'] },
            { includeSuppressed: true, statuses: ['open', 'in_progress', 'by_design', 'ignored', 'fixed'] },
        ];
        for (let n = 0; n < 40; n++) {
            filters.push({
                policyPacks: rnd() < 0.3 ? [pick(['aws-compliance', 'tagging', 'aws-typescript'])] : undefined,
                accounts: rnd() < 0.3 ? [pick(['prod', 'dev/eu-west-1', 'payments-stack'])] : undefined,
                levels: rnd() < 0.3 ? [pick(['advisory', 'mandatory', 'remediate'] as const)] : undefined,
                severities: rnd() < 0.2 ? [pick(['low', 'high', 'critical'] as const), pick(['medium', 'high'] as const)] : undefined,
                statuses: rnd() < 0.3 ? [pick(['open', 'fixed', 'by_design'] as const)] : undefined,
                typeContains: rnd() < 0.2 ? pick(['s3', 'Instance', 'aws:iam/policy:Policy']) : undefined,
                resourceContains: rnd() < 0.1 ? pick(['queue', '-1', 'urn:pulumi:prod']) : undefined,
                since: rnd() < 0.2 ? '2026-09-15' : undefined,
                includeSuppressed: rnd() < 0.2,
            });
        }
        const groupings: ViolationGrouping[] = ['policy', 'account', 'severity'];
        let nonEmpty = 0;
        for (const [n, filter] of filters.entries()) {
            const what = `filter ${JSON.stringify(filter)}`;
            const expected = violations.filter((v) => meant(v, filter, NOW)).sort(newestFirst);
            const list = await queries.list({ filter }, NOW);
            assert.deepEqual(ids(list.violations), ids(expected), what);
            assert.equal(list.total, expected.length, what);
            assert.deepEqual(await queries.list({ filter, limit: 0 }, NOW), { violations: [], total: expected.length }, `the total only: ${what}`);
            const page = await queries.panel({ filter, offset: 5, limit: 20 }, NOW);
            assert.equal(page.total, expected.length, what);
            assert.deepEqual(ids(page.rows), ids(expected.slice(5, 25)), what);
            // The tree: each group's children are the list's rows of that group, in the list's order.
            const groupBy = groupings[n % groupings.length];
            const { groups, total } = await queries.groups({ groupBy, filter }, NOW);
            assert.equal(total, expected.length, what);
            assert.equal(groups.reduce((sum, g) => sum + g.count, 0), expected.length, what);
            for (const group of groups) {
                const children = await queries.list({ filter, group: { groupBy, key: group.key } }, NOW);
                const key = (v: Violation) => (groupBy === 'policy' ? `${v.policyPack}/${v.policyName}` : groupBy === 'account' ? v.entityId : (v.severity ?? 'none'));
                assert.deepEqual(ids(children.violations), ids(expected.filter((v) => key(v) === group.key)), `${groupBy} ${group.key}: ${what}`);
            }
            if (expected.length > 0) nonEmpty++;
        }
        assert.ok(nonEmpty > filters.length / 2, `only ${nonEmpty} of ${filters.length} filters matched anything: the data set does not exercise them`);
    });

    it('answers from the store as it is after a change', async () => {
        const first = await queries.list({ limit: 1 });
        const target = first.violations[0];
        await store.updateShard(target.entityId, (shard) => {
            shard.violations.find((v) => v.id === target.id)!.assignedTo = 'new@example.com';
        });
        assert.equal((await queries.list({ limit: 1 })).violations[0].assignedTo, 'new@example.com');
        await store.updateShard(target.entityId, (shard) => {
            shard.violations.find((v) => v.id === target.id)!.status = 'fixed';
        });
        assert.equal((await queries.list({ limit: 0 })).total, first.total - 1);
    });
});

describe('violation query semantics', () => {
    const snapshot = ViolationSnapshot.of(violations);
    const all = async (filter: PanelFilter, sort?: PanelSort) => (await queryList(snapshot, { filter, sort }, NOW)).violations;

    it('ORs the values of one dimension and ANDs the dimensions', async () => {
        const packs = ['tagging', 'aws-typescript'];
        const got = (await all({ policyPacks: packs, levels: ['advisory'] }));
        const expected = (await all({})).filter((v) => packs.includes(v.policyPack) && v.level === 'advisory');
        assert.ok(expected.length > 10);
        assert.deepEqual(ids(got), ids(expected));
        const accounts = (await all({ accounts: ['prod'] }));
        assert.ok(accounts.length > 0 && accounts.every((v) => v.entityId.startsWith('prod/')), 'a parent account matches its regions');
        assert.deepEqual(ids((await all({ accounts: ['prod/us-east-1', 'prod/us-west-2'] }))), ids(accounts));
    });

    it('counts each facet value under the filter of every other dimension', async () => {
        const filter: PanelFilter = { policyPacks: ['aws-compliance'], levels: ['mandatory', 'advisory'], statuses: ['open', 'fixed'], search: 'instance' };
        const result = await queryPanel(snapshot, { filter, offset: 0, limit: 0 }, NOW);
        const facets = result.aggregates!.facets;
        for (const dimension of FACET_DIMENSIONS) {
            assert.ok(facets[dimension].values.length > 0 || dimension === 'projects', `${dimension} has values`);
            for (const { value, count } of facets[dimension].values.slice(0, 6)) {
                const alone = { ...filter, [dimension]: [value] };
                assert.equal(count, (await all(alone)).length, `${dimension}=${value}`);
            }
        }
        // The selected pack's count is the total (nothing else is selected in that dimension).
        assert.equal(facets.policyPacks.values.find((f) => f.value === 'aws-compliance')?.count, result.total);
    });

    it('finds free text in the name, URN, type, policy, account and message, case-insensitively', async () => {
        const got = (await all({ search: 'IAM-NO-WILDCARD' }));
        assert.ok(got.length > 0 && got.every((v) => v.policyName === 'iam-no-wildcard-actions'));
        assert.deepEqual((await all({ search: 'no such text anywhere' })), []);
    });

    it('sorts by every column, both ways, with a stable tie-break', async () => {
        const filter: PanelFilter = { statuses: ['open', 'in_progress', 'by_design', 'ignored', 'fixed'] };
        for (const column of SORT_COLUMNS) {
            for (const direction of ['asc', 'desc'] as const) {
                const rows = (await all(filter, { column, direction }));
                assert.equal(rows.length, (await all(filter)).length);
                const key = SORT_KEY[column];
                for (let i = 1; i < rows.length; i++) {
                    const a = key(rows[i - 1]);
                    const b = key(rows[i]);
                    if (a === b) continue;
                    assert.ok(direction === 'asc' ? a < b : a > b, `${column} ${direction}: row ${i} (${a} then ${b})`);
                }
            }
        }
    });

    it('orders ties by last seen newest first then id, exactly, in a sort, a grouping and a group\'s children', async () => {
        // Instants cut to the day: many rows share their first and last seen, and every sort key ties often.
        const tied = ViolationSnapshot.of(violations.map((v) => ({ ...v, observedAt: `${v.observedAt.slice(0, 10)}T00:00:00.000Z`, lastSeenAt: `${v.lastSeenAt.slice(0, 10)}T00:00:00.000Z` })));
        const every: PanelFilter = { statuses: ['open', 'in_progress', 'by_design', 'ignored', 'fixed'] };
        const reference = (await queryList(tied, { filter: every }, NOW)).violations;
        assert.deepEqual(ids(reference), ids([...reference].sort(newestFirst)));
        const groupKey = (v: Violation) => `${v.policyPack}/${v.policyName}`;
        for (const column of SORT_COLUMNS) {
            for (const direction of ['asc', 'desc'] as const) {
                const sign = direction === 'asc' ? 1 : -1;
                const bySort = (a: Violation, b: Violation) => {
                    const [x, y] = [SORT_KEY[column](a), SORT_KEY[column](b)];
                    return x === y ? newestFirst(a, b) : (x < y ? -1 : 1) * sign;
                };
                const expected = [...reference].sort(bySort);
                const sort = { column, direction };
                assert.deepEqual(ids((await queryList(tied, { filter: every, sort }, NOW)).violations), ids(expected), `${column} ${direction}`);
                const grouped = await queryPanel(tied, { filter: every, sort, groupBy: 'policy', offset: 0, limit: 100_000 }, NOW);
                const byGroup = [...expected].sort((a, b) => (groupKey(a) < groupKey(b) ? -1 : groupKey(a) > groupKey(b) ? 1 : 0));
                assert.deepEqual(ids(grouped.rows), ids(byGroup), `grouped by policy, ${column} ${direction}`);
                const key = groupKey(expected[0]);
                const children = await queryList(tied, { filter: every, sort, group: { groupBy: 'policy', key } }, NOW);
                assert.deepEqual(ids(children.violations), ids(expected.filter((v) => groupKey(v) === key)), `children of ${key}, ${column} ${direction}`);
            }
        }
    });

    it('groups rows contiguously, most severe severity first, and pages through the groups', async () => {
        const result = await queryPanel(snapshot, { filter: {}, groupBy: 'severity', offset: 0, limit: 100_000 }, NOW);
        assert.deepEqual(result.groups.map((g) => g.key), ['critical', 'high', 'medium', 'low', 'none']);
        assert.equal(result.groups.reduce((n, g) => n + g.count, 0), result.total);
        for (const g of result.groups) {
            const rows = result.rows.slice(g.start, g.start + g.count);
            assert.ok(rows.every((r) => (r.severity ?? 'none') === g.key), `group ${g.key}`);
        }
        const byPolicy = await queryPanel(snapshot, { filter: {}, groupBy: 'policy', offset: 0, limit: 100_000 }, NOW);
        const keys = byPolicy.groups.map((g) => g.key);
        assert.deepEqual(keys, [...keys].sort());
        assert.equal(new Set(keys).size, keys.length, 'each group appears once');
    });

    it('summarizes open violations by level and severity, and trends them per day', async () => {
        const day = (d: string) => `${d}T10:00:00.000Z`;
        const base: Violation = { ...violations[0], suppression: undefined };
        const small = ViolationSnapshot.of([
            { ...base, id: 'a', observedAt: day('2026-11-20'), lastSeenAt: day('2026-11-28'), status: 'open', level: 'mandatory', severity: 'high' },
            { ...base, id: 'b', observedAt: day('2026-11-21'), lastSeenAt: day('2026-11-23'), status: 'fixed', resolvedAt: day('2026-11-23'), level: 'advisory', severity: 'low' },
            { ...base, id: 'c', observedAt: day('2026-11-25'), lastSeenAt: day('2026-11-28'), status: 'in_progress', level: 'advisory', severity: undefined },
            { ...base, id: 'd', observedAt: day('2026-01-01'), lastSeenAt: day('2026-11-22'), status: 'fixed', resolvedAt: day('2026-11-22'), level: 'advisory', suppression: undefined },
        ]);
        const result = await queryPanel(small, { filter: {}, offset: 0, limit: 10 }, NOW);
        assert.deepEqual(ids(result.rows).sort(), ['a', 'c']);
        const { summary, trend } = result.aggregates!;
        assert.deepEqual(summary, { open: 2, byLevel: { mandatory: 1, advisory: 1 }, bySeverity: { high: 1, none: 1 } });
        const open = Object.fromEntries(trend.map((p) => [p.day, p.open]));
        assert.equal(trend.length, 90);
        assert.equal(trend.at(-1)!.day, '2026-11-28');
        assert.deepEqual(
            ['2026-11-19', '2026-11-20', '2026-11-21', '2026-11-22', '2026-11-23', '2026-11-24', '2026-11-25', '2026-11-28'].map((d) => open[d]),
            [1, 2, 3, 2, 1, 1, 2, 2],
        );
    });

    it('answers a filter change on 100,000 violations in well under a second', async () => {
        const big = ViolationSnapshot.of(syntheticViolations(100_000, { seed: 3, now: NOW }).violations);
        await queryPanel(big, { filter: {}, offset: 0, limit: 50 }, NOW);
        const started = performance.now();
        const result = await queryPanel(big, { filter: { policyPacks: ['aws-compliance'], levels: ['mandatory'] }, offset: 0, limit: 50 }, NOW);
        const elapsed = performance.now() - started;
        assert.ok(result.total > 1000);
        assert.ok(elapsed < 1000, `filter change took ${elapsed.toFixed(0)} ms`);
    });
});
