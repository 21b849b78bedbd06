/** The `policy-insights account` commands, run through runCli (the CLI's whole flow but the process) against the local AWS. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../../server/src/cli/runCli';
import type { Resource } from '../../../server/src/shared/model';
import { STACK_FIXTURES, startWorld, type AwsWorld } from '../accounts/accountsTestSupport';

interface Run {
    code: number;
    out: string;
    err: string;
}

describe('policy-insights account', () => {
    let world: AwsWorld;
    let home: string;
    const cli = async (...args: string[]): Promise<Run> => {
        const out: string[] = [];
        const err: string[] = [];
        const code = await runCli([...args, '--home', home], { out: (l) => out.push(l), err: (l) => err.push(l), env: process.env });
        return { code, out: out.join('\n'), err: err.join('\n') };
    };

    before(async () => {
        world = await startWorld();
        home = join(world.home, 'cli-home');
    });
    after(() => world.cleanup());

    it('adds an AWS account after checking its credentials', async () => {
        const run = await cli('account', 'add', 'demo', '--provider', 'aws', '--regions', 'us-west-2,us-east-1', '--endpoint', world.aws.url);
        assert.equal(run.code, 0, run.err);
        assert.match(run.out, /Added AWS account demo \(AWS account 123456789012\) with demo\/us-west-2, demo\/us-east-1/);
    });

    it('refuses bad input with what and where, exit 2, storing nothing', async () => {
        const slash = await cli('account', 'add', 'prod/us-east-1', '--provider', 'aws', '--endpoint', world.aws.url);
        assert.equal(slash.code, 2);
        assert.match(slash.err, /account name "prod\/us-east-1" contains "\/"/);
        const duplicate = await cli('account', 'add', 'demo', '--provider', 'aws', '--endpoint', world.aws.url);
        assert.equal(duplicate.code, 2);
        assert.match(duplicate.err, /an account named "demo" already exists/);
        const profile = await cli('account', 'add', 'p', '--provider', 'aws', '--profile', 'nope', '--endpoint', world.aws.url);
        assert.equal(profile.code, 2);
        assert.match(profile.err, /AWS profile "nope" is not in .*config/);
        const missing = join(world.home, 'missing-state.json');
        const state = await cli('account', 'add', 's', '--provider', 'pulumi-stack', '--state', missing);
        assert.equal(state.code, 2);
        assert.ok(state.err.includes(`cannot read the stack state ${missing}`), state.err);
        const provider = await cli('account', 'add', 'x', '--provider', 'gcp');
        assert.equal(provider.code, 2);
        assert.match(provider.err, /unknown provider "gcp"/);
        const ls = await cli('account', 'ls', '--json');
        assert.deepEqual((JSON.parse(ls.out) as { name: string }[]).map((a) => a.name), ['demo']);
    });

    it('scans with progress on stderr and the summary on stdout', async () => {
        const run = await cli('account', 'scan', 'demo');
        assert.equal(run.code, 0, run.err);
        assert.match(run.err, /^\[1\/\d+\] \w+/m);
        assert.match(run.out, /demo\/us-west-2\s+67\s+0\s+0\s+0/);
        assert.match(run.out, /Scan of demo succeeded: 106 added, 0 changed, 0 removed, 0 unchanged; 106 resources stored\./);
        const coverage = await cli('account', 'coverage', 'demo');
        assert.equal(coverage.code, 0, coverage.err);
        assert.match(coverage.out, /^aws:cloudfront\/distribution:Distribution\s+scanned\s+-/m);
        assert.match(coverage.out, /^66 types after the succeeded scan of .*: 66 scanned\.$/m);
    });

    it('says which types a scan could not read, and why', async () => {
        world.aws.setFaults([{ service: 'es', region: 'us-west-2', accessDenied: true }]);
        try {
            assert.equal((await cli('account', 'scan', 'demo')).code, 0);
        } finally {
            world.aws.setFaults([]);
        }
        const coverage = await cli('account', 'coverage', 'demo');
        assert.match(coverage.out, /^aws:opensearch\/domain:Domain\s+denied\s+us-west-2\s+AccessDeniedException: /m);
        assert.match(coverage.out, /: 64 scanned, 2 denied\.$/m);
        const json = JSON.parse((await cli('account', 'coverage', 'demo', '--json')).out) as { scanStatus: string; types: { type: string; state: string }[] };
        assert.equal(json.scanStatus, 'partial');
        assert.deepEqual(json.types.filter((t) => t.state !== 'scanned').map((t) => t.type), ['aws:opensearch/domain:Domain', 'aws:elasticsearch/domain:Domain']);
        const child = await cli('account', 'coverage', 'demo/us-west-2');
        assert.equal(child.code, 2);
        assert.match(child.err, /coverage is per account: use demo/);
        assert.equal((await cli('account', 'scan', 'demo')).code, 0, 'a clean scan again for the tests below');
    });

    it('lists failed services but exits 0 when only some failed, 1 when all failed', async () => {
        world.aws.setFaults([{ service: 'kms', region: 'us-east-1', accessDenied: true }]);
        const some = await cli('account', 'scan', 'demo/us-east-1');
        assert.equal(some.code, 0);
        assert.match(some.out, /Scan of demo\/us-east-1 partial \(1 service failed\): /, 'partial, not succeeded');
        assert.match(some.out, /1 service failed \(their resources were kept as they were\):\n {2}kms \(us-east-1\): AccessDeniedException: /);
        world.aws.setFaults([{ accessDenied: true }]);
        const all = await cli('account', 'scan', 'demo');
        assert.equal(all.code, 1);
        assert.match(all.out, /Scan of demo failed/);
        world.aws.setFaults([]);
    });

    it('shows stored resources as a table or JSON, filtered by type', async () => {
        const json = await cli('account', 'resources', 'demo/us-west-2', '--type', 'aws:s3/bucket:Bucket', '--json');
        assert.equal(json.code, 0);
        const buckets = JSON.parse(json.out) as Resource[];
        assert.deepEqual(buckets.map((b) => [b.name, b.properties.acl]).sort(), [
            ['insights-demo-escaping-check', 'private'],
            ['insights-demo-private-data', 'private'],
            ['insights-demo-public-assets', 'public-read'],
            ['insights-demo-shared-uploads', 'public-read-write'],
        ]);
        const table = await cli('account', 'resources', 'demo');
        assert.match(table.out, /^ACCOUNT\s+TYPE\s+NAME\s+ID$/m);
        assert.match(table.out, /^demo\s+aws:iam\/user:User\s+alice\s+alice$/m);
        const unknown = await cli('account', 'resources', 'ghost');
        assert.equal(unknown.code, 2);
        assert.match(unknown.err, /no account "ghost"/);
    });

    it('adds, scans and lists a Pulumi stack', async () => {
        const add = await cli('account', 'add', 'app', '--provider', 'pulumi-stack', '--state', join(STACK_FIXTURES, 'aws-app.dev.export.json'));
        assert.equal(add.code, 0, add.err);
        assert.match(add.out, /Added Pulumi stack app \(project aws-app, stack dev\)/);
        const scan = await cli('account', 'scan', 'app');
        assert.equal(scan.code, 0);
        assert.match(scan.out, /Scan of app succeeded: 6 added/);
        const ls = await cli('account', 'ls');
        assert.match(ls.out, /^app\s+pulumi-stack\s+-\s+6\s+succeeded/m);
    });

    it('removes an account and its shards; refuses unknown names', async () => {
        const unknown = await cli('account', 'rm', 'ghost');
        assert.equal(unknown.code, 2);
        assert.match(unknown.err, /no account "ghost"/);
        const rm = await cli('account', 'rm', 'demo');
        assert.equal(rm.code, 0);
        assert.match(rm.out, /Removed AWS account demo/);
        const { Store } = await import('../../../server/src/store');
        const store = await Store.open({ home });
        try {
            assert.deepEqual(await store.listShards(), ['app']);
            assert.deepEqual((await store.readCatalog()).accounts.map((a) => a.name), ['app']);
        } finally {
            await store.close();
        }
    });
});
