/**
 * The Policy Violations panel's query: the same rows as the CLI for the same filter,
 * multi-select semantics, facet counts, sort, grouping, summary and trend.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Violation } from '../../../server/src/shared/model';
import { FACET_DIMENSIONS, type PanelFilter, type SortColumn } from '../../../server/src/shared/panelProtocol';
import { Store } from '../../../server/src/store';
import { queryViolations, type ViolationFilter } from '../../../server/src/violations';
import {
    loadViolationSnapshot,
    matchingViolations,
    panelFilterFromCli,
    PanelSnapshotCache,
    queryPanel,
    ViolationSnapshot,
} from '../../../server/src/violations/panelQuery';
import { random, syntheticViolations } from '../../support/syntheticViolations';

const NOW = new Date('2026-11-28T12:00:00Z');
const { violations } = syntheticViolations(3000, { seed: 11, now: NOW });

function ids(rows: { id: string }[]): string[] {
    return rows.map((r) => r.id);
}

describe('panel query over a real store', () => {
    let home: string;
    let store: Store;

    before(async () => {
        home = await mkdtemp(join(tmpdir(), 'pi-panel-query-'));
        store = await Store.open({ home });
        const byAccount = new Map<string, Violation[]>();
        for (const v of violations) byAccount.set(v.entityId, [...(byAccount.get(v.entityId) ?? []), v]);
        for (const [account, list] of byAccount) {
            await store.updateShard(account, (shard) => {
                shard.violations.push(...list);
            });
        }
    });
    after(async () => {
        await store.close();
        await rm(home, { recursive: true, force: true });
    });

    it('returns the same rows, in the same order, as the CLI query for the same filter', async () => {
        const snapshot = await loadViolationSnapshot(store);
        assert.equal(snapshot.violations.length, violations.length);
        const rnd = random(5);
        const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
        const filters: ViolationFilter[] = [
            {},
            { policyPack: 'aws-compliance' },
            { policy: 's3-no-public-read', levels: ['mandatory'] },
            { account: 'prod' },
            { account: 'prod/us-west-2', type: 's3' },
            { project: 'payments' },
            { resource: 'bucket-1' },
            { type: 'aws:rds/instance:Instance', severities: ['high'] },
            { since: '2026-10-01', until: '2026-11-01' },
            { since: '2026-11-20T08:00:00Z' },
            { statuses: ['fixed', 'ignored'] },
            { includeSuppressed: true, statuses: ['open', 'in_progress', 'by_design', 'ignored', 'fixed'] },
        ];
        for (let n = 0; n < 40; n++) {
            filters.push({
                policyPack: rnd() < 0.3 ? pick(['aws-compliance', 'tagging', 'aws-typescript']) : undefined,
                account: rnd() < 0.3 ? pick(['prod', 'dev/eu-west-1', 'payments-stack']) : undefined,
                levels: rnd() < 0.3 ? [pick(['advisory', 'mandatory', 'remediate'] as const)] : undefined,
                severities: rnd() < 0.2 ? [pick(['low', 'high', 'critical'] as const), pick(['medium', 'high'] as const)] : undefined,
                statuses: rnd() < 0.3 ? [pick(['open', 'fixed', 'by_design'] as const)] : undefined,
                type: rnd() < 0.2 ? pick(['s3', 'Instance', 'aws:iam/policy:Policy']) : undefined,
                resource: rnd() < 0.1 ? pick(['queue', '-1', 'urn:pulumi:prod']) : undefined,
                since: rnd() < 0.2 ? '2026-09-15' : undefined,
                includeSuppressed: rnd() < 0.2,
            });
        }
        let nonEmpty = 0;
        for (const filter of filters) {
            const cli = await queryViolations(store, { ...filter, now: NOW });
            const panel = matchingViolations(snapshot, panelFilterFromCli(filter), undefined, NOW);
            assert.deepEqual(ids(panel), ids(cli.violations), `filter ${JSON.stringify(filter)}`);
            const page = queryPanel(snapshot, { filter: panelFilterFromCli(filter), offset: 5, limit: 20 }, NOW);
            assert.equal(page.total, cli.total);
            assert.deepEqual(ids(page.rows), ids(cli.violations.slice(5, 25)));
            if (cli.total > 0) nonEmpty++;
        }
        assert.ok(nonEmpty > filters.length / 2, `only ${nonEmpty} of ${filters.length} filters matched anything: the data set does not exercise them`);
    });

    it('reloads the snapshot after the store changes', async () => {
        const cache = new PanelSnapshotCache(store);
        const first = await cache.get();
        assert.equal(await cache.get(), first, 'unchanged store: the same snapshot');
        const target = first.violations.find((v) => v.status === 'open')!;
        await store.updateShard(target.entityId, (shard) => {
            shard.violations.find((v) => v.id === target.id)!.assignedTo = 'new@example.com';
        });
        const second = await cache.get();
        assert.notEqual(second, first);
        assert.equal(second.violations.find((v) => v.id === target.id)?.assignedTo, 'new@example.com');
        cache.dispose();
    });
});

describe('panel query semantics', () => {
    const snapshot = new ViolationSnapshot(violations);
    const all = (filter: PanelFilter) => matchingViolations(snapshot, filter, undefined, NOW);

    it('ORs the values of one dimension and ANDs the dimensions', () => {
        const packs = ['tagging', 'aws-typescript'];
        const got = all({ policyPacks: packs, levels: ['advisory'] });
        const expected = all({}).filter((v) => packs.includes(v.policyPack) && v.level === 'advisory');
        assert.ok(expected.length > 10);
        assert.deepEqual(ids(got), ids(expected));
        const accounts = all({ accounts: ['prod'] });
        assert.ok(accounts.length > 0 && accounts.every((v) => v.entityId.startsWith('prod/')), 'a parent account matches its regions');
        assert.deepEqual(ids(all({ accounts: ['prod/us-east-1', 'prod/us-west-2'] })), ids(accounts));
    });

    it('counts each facet value under the filter of every other dimension', () => {
        const filter: PanelFilter = { policyPacks: ['aws-compliance'], levels: ['mandatory', 'advisory'], statuses: ['open', 'fixed'], search: 'instance' };
        const result = queryPanel(snapshot, { filter, offset: 0, limit: 0 }, NOW);
        const facets = result.aggregates!.facets;
        for (const dimension of FACET_DIMENSIONS) {
            assert.ok(facets[dimension].values.length > 0 || dimension === 'projects', `${dimension} has values`);
            for (const { value, count } of facets[dimension].values.slice(0, 6)) {
                const alone = { ...filter, [dimension]: [value] };
                assert.equal(count, all(alone).length, `${dimension}=${value}`);
            }
        }
        // The selected pack's count is the total (nothing else is selected in that dimension).
        assert.equal(facets.policyPacks.values.find((f) => f.value === 'aws-compliance')?.count, result.total);
    });

    it('finds free text in the name, URN, type, policy, account and message, case-insensitively', () => {
        const got = all({ search: 'IAM-NO-WILDCARD' });
        assert.ok(got.length > 0 && got.every((v) => v.policyName === 'iam-no-wildcard-actions'));
        assert.deepEqual(all({ search: 'no such text anywhere' }), []);
    });

    it('sorts by every column, both ways, with a stable tie-break', () => {
        const columns: SortColumn[] = ['policy', 'policyPack', 'level', 'severity', 'status', 'resource', 'type', 'account', 'project', 'message', 'observedAt', 'lastSeenAt', 'priority', 'assignedTo'];
        const ranks: Partial<Record<SortColumn, (v: Violation) => string | number>> = {
            level: (v) => ['disabled', 'advisory', 'remediate', 'mandatory'].indexOf(v.level),
            severity: (v) => ['low', 'medium', 'high', 'critical'].indexOf(v.severity ?? '') + 1,
            status: (v) => ['open', 'in_progress', 'by_design', 'ignored', 'fixed'].indexOf(v.status),
        };
        const text: Record<string, (v: Violation) => string> = {
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
        const filter: PanelFilter = { statuses: ['open', 'in_progress', 'by_design', 'ignored', 'fixed'] };
        for (const column of columns) {
            for (const direction of ['asc', 'desc'] as const) {
                const rows = matchingViolations(snapshot, filter, { column, direction }, NOW);
                assert.equal(rows.length, all(filter).length);
                const key = ranks[column] ?? text[column];
                for (let i = 1; i < rows.length; i++) {
                    const a = key(rows[i - 1]);
                    const b = key(rows[i]);
                    if (a === b) continue;
                    assert.ok(direction === 'asc' ? a < b : a > b, `${column} ${direction}: row ${i} (${a} then ${b})`);
                }
            }
        }
    });

    it('groups rows contiguously, most severe severity first, and pages through the groups', () => {
        const result = queryPanel(snapshot, { filter: {}, groupBy: 'severity', offset: 0, limit: 100_000 }, NOW);
        assert.deepEqual(result.groups.map((g) => g.key), ['critical', 'high', 'medium', 'low', 'none']);
        assert.equal(result.groups.reduce((n, g) => n + g.count, 0), result.total);
        for (const g of result.groups) {
            const rows = result.rows.slice(g.start, g.start + g.count);
            assert.ok(rows.every((r) => (r.severity ?? 'none') === g.key), `group ${g.key}`);
        }
        const byPolicy = queryPanel(snapshot, { filter: {}, groupBy: 'policy', offset: 0, limit: 100_000 }, NOW);
        const keys = byPolicy.groups.map((g) => g.key);
        assert.deepEqual(keys, [...keys].sort());
        assert.equal(new Set(keys).size, keys.length, 'each group appears once');
    });

    it('summarizes open violations by level and severity, and trends them per day', () => {
        const day = (d: string) => `${d}T10:00:00.000Z`;
        const base: Violation = { ...violations[0], suppression: undefined };
        const small = new ViolationSnapshot([
            { ...base, id: 'a', observedAt: day('2026-11-20'), lastSeenAt: day('2026-11-28'), status: 'open', level: 'mandatory', severity: 'high' },
            { ...base, id: 'b', observedAt: day('2026-11-21'), lastSeenAt: day('2026-11-23'), status: 'fixed', resolvedAt: day('2026-11-23'), level: 'advisory', severity: 'low' },
            { ...base, id: 'c', observedAt: day('2026-11-25'), lastSeenAt: day('2026-11-28'), status: 'in_progress', level: 'advisory', severity: undefined },
            { ...base, id: 'd', observedAt: day('2026-01-01'), lastSeenAt: day('2026-11-22'), status: 'fixed', resolvedAt: day('2026-11-22'), level: 'advisory', suppression: undefined },
        ]);
        const result = queryPanel(small, { filter: {}, offset: 0, limit: 10 }, NOW);
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

    it('answers a filter change on 100,000 violations in well under a second', () => {
        const big = new ViolationSnapshot(syntheticViolations(100_000, { seed: 3, now: NOW }).violations);
        queryPanel(big, { filter: {}, offset: 0, limit: 50 }, NOW);
        const started = performance.now();
        const result = queryPanel(big, { filter: { policyPacks: ['aws-compliance'], levels: ['mandatory'] }, offset: 0, limit: 50 }, NOW);
        const elapsed = performance.now() - started;
        assert.ok(result.total > 1000);
        assert.ok(elapsed < 1000, `filter change took ${elapsed.toFixed(0)} ms`);
    });
});
