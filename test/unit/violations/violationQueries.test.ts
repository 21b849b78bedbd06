import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Violation } from '../../../server/src/shared/model';
import type { PanelFilter } from '../../../server/src/shared/panelProtocol';
import { FilterError, reconcileViolations, setTriage, suppress, TriageError, unsuppress, ViolationQueryService, type Finding } from '../../../server/src/violations';
import { runCliOn, tempStore, type TempStore } from '../evaluation/evaluationTestSupport';

const base: Finding = {
    entityId: 'demo/us-east-1',
    entityType: 'insights-account',
    policyPack: 'acme',
    policyPackTag: '1.0.0',
    policyName: 'no-public-bucket',
    policyGroupName: 'default-policy-group',
    resourceURN: 'urn:pulumi:demo::web::aws:s3/bucket:Bucket::logs',
    resourceType: 'aws:s3/bucket:Bucket',
    resourceName: 'logs',
    message: 'S3 buckets are not public.\nlogs is public',
    level: 'mandatory',
    severity: 'high',
    kind: 'audit',
};

const findings: [string, string, Finding][] = [
    ['demo/us-east-1', '2026-01-10T10:00:00.000Z', base],
    ['demo/us-east-1', '2026-01-12T10:00:00.000Z', { ...base, policyName: 'required-tag', resourceURN: 'urn:pulumi:demo::web::aws:ec2/instance:Instance::api', resourceType: 'aws:ec2/instance:Instance', resourceName: 'api', level: 'advisory', severity: 'low', message: 'api has no Owner tag' }],
    ['demo/us-west-2', '2026-01-15T10:00:00.000Z', { ...base, entityId: 'demo/us-west-2', resourceURN: 'urn:pulumi:demo::data::aws:s3/bucket:Bucket::raw', resourceName: 'raw', project: 'data' }],
    ['other/eu-west-1', '2026-01-20T10:00:00.000Z', { ...base, entityId: 'other/eu-west-1', policyPack: 'extra', policyName: 'no-wildcard', resourceURN: 'urn:pulumi:o::x::aws:iam/policy:Policy::admin', resourceType: 'aws:iam/policy:Policy', resourceName: 'admin', level: 'remediate', severity: 'critical' }],
    ['shop', '2026-01-25T10:00:00.000Z', { ...base, entityId: 'shop', entityType: 'stack', project: 'shop', resourceURN: 'urn:pulumi:prod::shop::aws:s3/bucket:Bucket::assets', resourceName: 'assets' }],
];

let t: TempStore;
/** One service for the whole file, as the language server keeps one: it must see every write below. */
let queries: ViolationQueryService;
const ids: Record<string, string> = {};

before(async () => {
    t = await tempStore();
    for (const [entity, at, f] of findings) {
        await t.store.updateShard(entity, (shard) => {
            const { violations } = reconcileViolations(shard.violations, [...shard.violations.map((v) => ({ ...base, ...v }) as Finding), f], { now: at });
            shard.violations = violations;
        });
    }
    for (const entity of ['demo/us-east-1', 'demo/us-west-2', 'other/eu-west-1', 'shop']) for (const v of (await t.store.readShard(entity)).violations) ids[v.resourceName] = v.id;
    queries = new ViolationQueryService(t.store);
});
after(async () => {
    queries.dispose();
    await t.cleanup();
});

async function names(filter: PanelFilter, now?: Date): Promise<string[]> {
    return (await queries.list({ filter }, now)).violations.map((v) => v.resourceName).sort();
}

describe('violation queries', () => {
    it('filters by each of the console filters, plus status and severity', async () => {
        assert.deepEqual(await names({}), ['admin', 'api', 'assets', 'logs', 'raw']);
        assert.deepEqual(await names({ policyPacks: ['extra'] }), ['admin']);
        assert.deepEqual(await names({ policies: ['required-tag'] }), ['api']);
        assert.deepEqual(await names({ projects: ['data'] }), ['raw']);
        assert.deepEqual(await names({ levels: ['mandatory'] }), ['assets', 'logs', 'raw']);
        assert.deepEqual(await names({ levels: ['advisory', 'remediate'] }), ['admin', 'api']);
        assert.deepEqual(await names({ accounts: ['demo'] }), ['api', 'logs', 'raw'], 'an account name covers all its regions');
        assert.deepEqual(await names({ accounts: ['demo/us-west-2'] }), ['raw']);
        assert.deepEqual(await names({ accounts: ['shop'] }), ['assets']);
        assert.deepEqual(await names({ resourceContains: 'LOG' }), ['logs']);
        assert.deepEqual(await names({ typeContains: 'aws:s3/bucket:Bucket' }), ['assets', 'logs', 'raw']);
        assert.deepEqual(await names({ typeContains: 'iam' }), ['admin']);
        assert.deepEqual(await names({ since: '2026-01-12', until: '2026-01-20' }), ['admin', 'api', 'raw'], 'a date-only until covers the whole day');
        assert.deepEqual(await names({ since: '2026-01-12T10:00:01Z' }), ['admin', 'assets', 'raw']);
        assert.deepEqual(await names({ severities: ['critical', 'low'] }), ['admin', 'api']);
        assert.deepEqual(await names({ policyPacks: ['acme'], levels: ['mandatory'], accounts: ['demo'] }), ['logs', 'raw']);
        await assert.rejects(queries.list({ filter: { since: 'last tuesday' } }), FilterError);
    });

    it('sets triage, and a suppression hides a violation until it expires', async () => {
        const triaged = await setTriage(t.store, ids.api, { status: 'in_progress', priority: 'p1', assignedTo: 'ana' });
        assert.deepEqual([triaged.status, triaged.priority, triaged.assignedTo], ['in_progress', 'p1', 'ana']);
        assert.deepEqual(await names({ statuses: ['in_progress'] }), ['api']);
        await setTriage(t.store, ids.admin, { status: 'ignored' });
        assert.deepEqual(await names({}), ['api', 'assets', 'logs', 'raw'], 'ignored is not shown by default');
        assert.deepEqual(await names({ statuses: ['ignored'] }), ['admin']);
        await setTriage(t.store, ids.api, { priority: null, assignedTo: '' });
        const cleared = (await t.store.readShard('demo/us-east-1')).violations.find((v) => v.id === ids.api)!;
        assert.deepEqual([cleared.status, cleared.priority, cleared.assignedTo], ['in_progress', undefined, undefined]);
        await assert.rejects(setTriage(t.store, ids.api, { status: 'fixed' as never }), TriageError);
        await assert.rejects(setTriage(t.store, 'nope', { status: 'open' }), (e: unknown) => e instanceof TriageError && e.code === 'not-found');

        const now = new Date('2026-02-01T00:00:00.000Z');
        await assert.rejects(suppress(t.store, ids.raw, { reason: 'x', until: '2026-01-01' }, now), /not in the future/);
        await assert.rejects(suppress(t.store, ids.raw, { reason: ' ', until: '2026-03-01' }, now), /needs a reason/);
        const suppressed = await suppress(t.store, ids.raw, { reason: 'migration in March', until: '2026-03-01' }, now);
        assert.deepEqual(suppressed.suppression, { reason: 'migration in March', until: '2026-03-01T00:00:00.000Z' });
        assert.deepEqual(await names({ accounts: ['demo'] }, now), ['api', 'logs'], 'hidden while suppressed');
        assert.deepEqual(await names({ accounts: ['demo'], includeSuppressed: true }, now), ['api', 'logs', 'raw']);
        assert.deepEqual(await names({ accounts: ['demo'] }, new Date('2026-03-01T00:00:00.001Z')), ['api', 'logs', 'raw'], 'shows again once the suppression expired');
        await unsuppress(t.store, ids.raw);
        assert.deepEqual(await names({ accounts: ['demo'] }, now), ['api', 'logs', 'raw']);
        await setTriage(t.store, ids.admin, { status: 'open' });
        await setTriage(t.store, ids.api, { status: 'open' });
    });

    it('groups for the Violations tree, lists a group\'s violations, and counts for the status bar, from the same rows', async () => {
        const all = await queries.list();
        assert.deepEqual(all.violations.map((v) => v.resourceName).slice(0, 3), ['assets', 'admin', 'raw'], 'last seen newest first');
        assert.deepEqual(await queries.list({ limit: 0 }), { violations: [], total: all.total }, 'the status bar asks for the total only');
        assert.deepEqual((await queries.list({ offset: 1, limit: 2 })).violations, all.violations.slice(1, 3));

        const byPolicy = await queries.groups({ groupBy: 'policy' });
        assert.deepEqual(
            byPolicy.groups.map(({ key, label, count, policyPack }) => ({ key, label, count, policyPack })),
            [
                { key: 'acme/no-public-bucket', label: 'no-public-bucket', count: 3, policyPack: 'acme' },
                { key: 'acme/required-tag', label: 'required-tag', count: 1, policyPack: 'acme' },
                { key: 'extra/no-wildcard', label: 'no-wildcard', count: 1, policyPack: 'extra' },
            ],
        );
        assert.equal(byPolicy.total, all.total);
        for (const groupBy of ['policy', 'account', 'severity'] as const) {
            const { groups } = await queries.groups({ groupBy });
            assert.equal(groups.reduce((n, g) => n + g.count, 0), all.total, groupBy);
            for (const group of groups) {
                const children = await queries.list({ group: { groupBy, key: group.key } });
                assert.equal(children.total, group.count, `${groupBy} ${group.key}`);
                // A group's children keep the list's order, and its filter (Show Violations on the node) shows exactly them.
                // (Compared by id: each list reads its rows from the shard, so the objects are equal, not the same.)
                const childIds = new Set(children.violations.map((v) => v.id));
                assert.deepEqual(children.violations, all.violations.filter((v) => childIds.has(v.id)));
                if (group.filter) assert.deepEqual((await queries.list({ filter: group.filter })).violations.map((v) => v.id), children.violations.map((v) => v.id), `${groupBy} ${group.key}`);
            }
        }
        const bySeverity = await queries.groups({ groupBy: 'severity' });
        assert.deepEqual(bySeverity.groups.map((g) => [g.key, g.label, g.count]), [['critical', 'critical', 1], ['high', 'high', 3], ['low', 'low', 1]], 'most severe first');
        assert.deepEqual((await queries.list({ group: { groupBy: 'account', key: 'nowhere' } })).total, 0);
    });
});

describe('policy-insights violations', () => {
    it('returns the rows the query service returns for the same filter, as a table or JSON', async () => {
        const cases: [string[], PanelFilter][] = [
            [[], {}],
            [['--policy-pack', 'acme', '--level', 'mandatory', '--account', 'demo'], { policyPacks: ['acme'], levels: ['mandatory'], accounts: ['demo'] }],
            [['--policy', 'required-tag', '--resource', 'api', '--type', 'ec2'], { policies: ['required-tag'], resourceContains: 'api', typeContains: 'ec2' }],
            [['--project', 'shop', '--since', '2026-01-20', '--until', '2026-01-31', '--severity', 'high'], { projects: ['shop'], since: '2026-01-20', until: '2026-01-31', severities: ['high'] }],
            [['--status', 'all', '--level', 'advisory,remediate'], { statuses: ['open', 'in_progress', 'by_design', 'ignored', 'fixed'], levels: ['advisory', 'remediate'] }],
        ];
        for (const [args, filter] of cases) {
            const result = await runCliOn(t.home, 'violations', ...args, '--json');
            assert.equal(result.code, 0, result.err);
            const expected = await queries.list({ filter });
            // --json is --format json: the export document, with the query's rows and total
            const printed = JSON.parse(result.out) as { total: number; violations: unknown[] };
            assert.deepEqual({ violations: printed.violations, total: printed.total }, expected, args.join(' '));
            assert.ok(expected.total > 0, `case ${args.join(' ')} matches something`);
        }
        const limited = JSON.parse((await runCliOn(t.home, 'violations', '--limit', '2', '--json')).out) as { count: number; total: number; violations: Violation[] };
        assert.deepEqual([limited.count, limited.total], [2, (await queries.list({ limit: 0 })).total]);
        const table = await runCliOn(t.home, 'violations', '--account', 'demo/us-east-1');
        assert.equal(table.code, 0);
        const lines = table.out.split('\n');
        assert.match(lines[0], /^ID\s+STATUS\s+LEVEL\s+SEVERITY\s+POLICY\s+ACCOUNT\s+RESOURCE\s+TYPE\s+OBSERVED\s+MESSAGE$/);
        assert.equal(lines.length, 3);
        assert.match(table.out, new RegExp(`${ids.logs}\\s+open\\s+mandatory\\s+high\\s+acme/no-public-bucket\\s+demo/us-east-1\\s+logs\\s+aws:s3/bucket:Bucket\\s+2026-01-10\\s+logs is public`));
    });

    it('exports csv, json and sarif documents of the same rows, and rejects bad filters', async () => {
        const expected = await queries.list({ filter: { accounts: ['demo/us-east-1'] } });
        const written: string[] = [];
        const write = process.stdout.write.bind(process.stdout);
        process.stdout.write = ((chunk: string) => (written.push(String(chunk)), true)) as typeof process.stdout.write;
        let json = '';
        try {
            for (const format of ['csv', 'json', 'sarif']) {
                const run = await runCliOn(t.home, 'violations', '--account', 'demo/us-east-1', '--format', format);
                assert.equal(run.code, 0);
                // json is printed as --json prints it (the same document); csv and sarif go to stdout as they are
                if (format === 'json') json = run.out;
            }
        } finally {
            process.stdout.write = write;
        }
        // The test runner's own reports go through process.stdout too: pick the two documents out.
        const csv = written.find((chunk) => chunk.startsWith('id,status,level,'));
        const sarif = written.find((chunk) => chunk.startsWith('{') && chunk.includes('"version": "2.1.0"'));
        assert.ok(csv !== undefined && sarif !== undefined, `csv and sarif written to stdout, got ${written.length} chunks`);
        // Rows are CRLF-terminated records; messages may hold quoted newlines.
        assert.deepEqual(csv.split('\r\n').slice(1).filter(Boolean).map((row) => row.split(',')[0]), expected.violations.map((v) => v.id));
        assert.deepEqual((JSON.parse(json) as { violations: Violation[] }).violations.map((v) => v.id), expected.violations.map((v) => v.id));
        const log = JSON.parse(sarif) as { version: string; runs: { results: unknown[] }[] };
        assert.equal(log.version, '2.1.0');
        assert.equal(log.runs[0].results.length, expected.violations.length);
        assert.equal((await runCliOn(t.home, 'violations', '--level', 'loud')).code, 2);
        const since = await runCliOn(t.home, 'violations', '--since', 'yesterday');
        assert.equal(since.code, 2);
        assert.match(since.err, /--since "yesterday" is not a date/);
    });

    it('triages, suppresses and unsuppresses', async () => {
        const triage = await runCliOn(t.home, 'violations', 'triage', ids.logs, '--status', 'by_design', '--priority', 'p0', '--assign', 'bo');
        assert.equal(triage.code, 0, triage.err);
        assert.equal(triage.out, `${ids.logs}: by_design, p0, assigned to bo`);
        assert.equal((await runCliOn(t.home, 'violations', 'triage', ids.logs, '--status', 'fixed')).code, 2);
        assert.equal((await runCliOn(t.home, 'violations', 'triage', 'unknown-id', '--status', 'open')).code, 2);
        const until = new Date(Date.now() + 86_400_000).toISOString();
        const suppressed = await runCliOn(t.home, 'violations', 'suppress', ids.logs, '--reason', 'accepted risk', '--until', until);
        assert.equal(suppressed.code, 0, suppressed.err);
        const listed = JSON.parse((await runCliOn(t.home, 'violations', '--status', 'by_design', '--json')).out) as { total: number };
        assert.equal(listed.total, 0, 'suppressed: hidden');
        assert.equal((await runCliOn(t.home, 'violations', 'unsuppress', ids.logs)).code, 0);
        const back = JSON.parse((await runCliOn(t.home, 'violations', '--status', 'by_design', '--json')).out) as { violations: Violation[] };
        assert.deepEqual(back.violations.map((v) => [v.id, v.priority, v.assignedTo]), [[ids.logs, 'p0', 'bo']]);
    });
});
