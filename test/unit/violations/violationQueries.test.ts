import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Violation } from '../../../server/src/shared/model';
import { FilterError, listViolations, queryViolations, reconcileViolations, setTriage, suppress, TriageError, unsuppress, type Finding, type ViolationFilter } from '../../../server/src/violations';
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
});
after(() => t.cleanup());

async function names(filter: ViolationFilter & { now?: Date }): Promise<string[]> {
    return (await queryViolations(t.store, filter)).violations.map((v) => v.resourceName).sort();
}

describe('violation queries', () => {
    it('filters by each of the console filters, plus status and severity', async () => {
        assert.deepEqual(await names({}), ['admin', 'api', 'assets', 'logs', 'raw']);
        assert.deepEqual(await names({ policyPack: 'extra' }), ['admin']);
        assert.deepEqual(await names({ policy: 'required-tag' }), ['api']);
        assert.deepEqual(await names({ project: 'data' }), ['raw']);
        assert.deepEqual(await names({ levels: ['mandatory'] }), ['assets', 'logs', 'raw']);
        assert.deepEqual(await names({ levels: ['advisory', 'remediate'] }), ['admin', 'api']);
        assert.deepEqual(await names({ account: 'demo' }), ['api', 'logs', 'raw'], 'an account name covers all its regions');
        assert.deepEqual(await names({ account: 'demo/us-west-2' }), ['raw']);
        assert.deepEqual(await names({ account: 'shop' }), ['assets']);
        assert.deepEqual(await names({ resource: 'LOG' }), ['logs']);
        assert.deepEqual(await names({ type: 'aws:s3/bucket:Bucket' }), ['assets', 'logs', 'raw']);
        assert.deepEqual(await names({ type: 'iam' }), ['admin']);
        assert.deepEqual(await names({ since: '2026-01-12', until: '2026-01-20' }), ['admin', 'api', 'raw'], 'a date-only until covers the whole day');
        assert.deepEqual(await names({ since: '2026-01-12T10:00:01Z' }), ['admin', 'assets', 'raw']);
        assert.deepEqual(await names({ severities: ['critical', 'low'] }), ['admin', 'api']);
        assert.deepEqual(await names({ policyPack: 'acme', levels: ['mandatory'], account: 'demo' }), ['logs', 'raw']);
        await assert.rejects(queryViolations(t.store, { since: 'last tuesday' }), FilterError);
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
        assert.deepEqual(await names({ account: 'demo', now }), ['api', 'logs'], 'hidden while suppressed');
        assert.deepEqual(await names({ account: 'demo', now, includeSuppressed: true }), ['api', 'logs', 'raw']);
        assert.deepEqual(await names({ account: 'demo', now: new Date('2026-03-01T00:00:00.001Z') }), ['api', 'logs', 'raw'], 'shows again once the suppression expired');
        await unsuppress(t.store, ids.raw);
        assert.deepEqual(await names({ account: 'demo', now }), ['api', 'logs', 'raw']);
        await setTriage(t.store, ids.admin, { status: 'open' });
        await setTriage(t.store, ids.api, { status: 'open' });
    });

    it('the Violations tree request returns the same rows as the query', async () => {
        const tree = await listViolations(t.store, {});
        const query = await queryViolations(t.store, {});
        assert.deepEqual(tree, query);
        assert.deepEqual((await listViolations(t.store, { limit: 2 })).violations.map((v: Violation) => v.id), query.violations.slice(0, 2).map((v) => v.id));
    });
});

describe('policy-insights violations', () => {
    it('returns the rows queryViolations returns for the same filter, as a table or JSON', async () => {
        const cases: [string[], ViolationFilter][] = [
            [[], {}],
            [['--policy-pack', 'acme', '--level', 'mandatory', '--account', 'demo'], { policyPack: 'acme', levels: ['mandatory'], account: 'demo' }],
            [['--policy', 'required-tag', '--resource', 'api', '--type', 'ec2'], { policy: 'required-tag', resource: 'api', type: 'ec2' }],
            [['--project', 'shop', '--since', '2026-01-20', '--until', '2026-01-31', '--severity', 'high'], { project: 'shop', since: '2026-01-20', until: '2026-01-31', severities: ['high'] }],
            [['--status', 'all', '--level', 'advisory,remediate'], { statuses: ['open', 'in_progress', 'by_design', 'ignored', 'fixed'], levels: ['advisory', 'remediate'] }],
        ];
        for (const [args, filter] of cases) {
            const result = await runCliOn(t.home, 'violations', ...args, '--json');
            assert.equal(result.code, 0, result.err);
            const expected = await queryViolations(t.store, filter);
            // --json is --format json: the export document, with the query's rows and total
            const printed = JSON.parse(result.out) as { total: number; violations: unknown[] };
            assert.deepEqual({ violations: printed.violations, total: printed.total }, expected, args.join(' '));
            assert.ok(expected.total > 0, `case ${args.join(' ')} matches something`);
        }
        const table = await runCliOn(t.home, 'violations', '--account', 'demo/us-east-1');
        assert.equal(table.code, 0);
        const lines = table.out.split('\n');
        assert.match(lines[0], /^ID\s+STATUS\s+LEVEL\s+SEVERITY\s+POLICY\s+ACCOUNT\s+RESOURCE\s+TYPE\s+OBSERVED\s+MESSAGE$/);
        assert.equal(lines.length, 3);
        assert.match(table.out, new RegExp(`${ids.logs}\\s+open\\s+mandatory\\s+high\\s+acme/no-public-bucket\\s+demo/us-east-1\\s+logs\\s+aws:s3/bucket:Bucket\\s+2026-01-10\\s+logs is public`));
    });

    it('exports csv, json and sarif documents of the same rows, and rejects bad filters', async () => {
        const expected = await queryViolations(t.store, { account: 'demo/us-east-1' });
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
        const [csv, sarif] = written;
        assert.match(csv, /^id,status,level,/);
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
