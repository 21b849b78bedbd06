/**
 * Scans against the local AWS (real SDK, real wire protocols): what lands in the store,
 * the exact delta of a rescan, pagination, and every injected fault.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { addAwsAccount, listResources, resourceHash, ScanCancelledError, scanAccount } from '../../../server/src/accounts';
import type { Resource } from '../../../server/src/shared/model';
import { generateFixture, GENERATED_KEYS } from '../../localaws/generateFixture';
import { demoFixture, startWorld, type AwsWorld } from './accountsTestSupport';

const FAST = { requestTimeoutMs: 2_000 };

function byName(resources: Resource[], type: string): Map<string, Resource> {
    return new Map(resources.filter((r) => r.type === type).map((r) => [r.name, r]));
}

async function addDemo(world: AwsWorld, name = 'demo', regions = ['us-west-2', 'us-east-1']) {
    return addAwsAccount(world.store, { name, regions, endpoint: world.aws.url });
}

describe('scanning the demo account', () => {
    let world: AwsWorld;
    before(async () => {
        world = await startWorld();
        await addDemo(world);
    });
    after(() => world.cleanup());

    it('stores each resource in its child account, typed and named as @pulumi/aws does', async () => {
        const shardWrites: string[] = [];
        const sub = world.store.onDidChange((c) => c.kind === 'shard' && shardWrites.push(c.account ?? '?'));
        const progress: string[] = [];
        const outcome = await scanAccount(world.store, 'demo', { ...FAST, onProgress: (p) => progress.push(`${p.done}/${p.total}`) });
        sub.dispose();
        assert.deepEqual(outcome.errors, []);
        assert.equal(outcome.record.status, 'succeeded');
        assert.deepEqual(Object.keys(outcome.children).sort(), ['demo', 'demo/us-east-1', 'demo/us-west-2']);
        // one write per child account per scan, not one per resource
        assert.deepEqual(shardWrites.sort(), ['demo', 'demo/us-east-1', 'demo/us-west-2']);
        assert.equal(progress.at(-1), `${progress.length}/${progress.length}`);

        const all = await listResources(world.store, 'demo');
        assert.equal(outcome.record.added, all.length);
        assert.equal(outcome.account.scanStatus?.status, 'succeeded');
        assert.equal(outcome.account.scanStatus?.resourceCount, all.length);

        const buckets = byName(all, 'aws:s3/bucket:Bucket');
        assert.equal(buckets.get('insights-demo-public-assets')?.properties.acl, 'public-read');
        assert.equal(buckets.get('insights-demo-shared-uploads')?.properties.acl, 'public-read-write');
        assert.equal(buckets.get('insights-demo-partner-reports')?.properties.acl, 'authenticated-read');
        assert.equal(buckets.get('insights-demo-private-data')?.properties.acl, 'private');
        assert.equal(buckets.get('insights-demo-public-assets')?.account, 'demo/us-west-2');
        assert.equal(buckets.get('insights-demo-access-logs')?.account, 'demo/us-east-1');
        assert.match(String(buckets.get('insights-demo-policy-public')?.properties.policy), /"Principal":"\*"/);
        assert.deepEqual(buckets.get('insights-demo-public-assets')?.properties.tags, { team: 'web', env: 'prod' });
        const pab = byName(all, 'aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock').get('insights-demo-private-data');
        assert.equal(pab?.properties.blockPublicAcls, true);

        const users = byName(all, 'aws:iam/user:User');
        assert.equal(users.get('alice')?.account, 'demo', 'IAM belongs to the parent account');
        assert.equal(users.get('alice')?.region, undefined);
        assert.match(String(byName(all, 'aws:iam/policy:Policy').get('AdminEverything')?.properties.policy), /"Action":"\*"/);

        const sg = byName(all, 'aws:ec2/securityGroup:SecurityGroup').get('ssh-open-to-world');
        assert.deepEqual((sg?.properties.ingress as { cidrBlocks: string[] }[])[0].cidrBlocks, ['0.0.0.0/0']);
        assert.equal(byName(all, 'aws:rds/instance:Instance').get('orders-db')?.properties.publiclyAccessible, true);
        assert.equal(byName(all, 'aws:kms/key:Key').get('1a2b3c4d-0000-4000-8000-000000000002')?.properties.enableKeyRotation, false);
        assert.equal(byName(all, 'aws:cloudtrail/trail:Trail').get('management-events')?.account, 'demo/us-east-1', 'a multi-region trail belongs to its home region only');
        assert.equal(all.filter((r) => r.type === 'aws:cloudtrail/trail:Trail').length, 2);

        for (const r of all) {
            assert.equal(r.hash, resourceHash(r.type, r.properties));
            assert.equal(r.urn.startsWith(`urn:pulumi:demo::${r.region ?? 'global'}::${r.type}::`), true, r.urn);
        }
        const urns = new Set(all.map((r) => r.urn));
        for (const urn of [
            'urn:pulumi:demo::us-west-2::aws:s3/bucket:Bucket::insights-demo-public-assets',
            'urn:pulumi:demo::us-west-2::aws:ec2/instance:Instance::i-0a1b2c3d4e5f60001',
            'urn:pulumi:demo::global::aws:iam/role:Role::lambda-exec',
            'urn:pulumi:demo::us-east-1::aws:cloudwatch/logGroup:LogGroup::/aws/lambda/nightly-report',
        ]) {
            assert.ok(urns.has(urn), `${urn} is stored`);
        }
        assert.equal(new Set(all.map((r) => r.urn)).size, all.length, 'URNs are unique');
        assert.ok(new Set(all.map((r) => r.type)).size >= 20, 'the demo account covers at least 20 types');
    });

    it('rescanning unchanged resources reports them unchanged with the same URNs', async () => {
        const before = await listResources(world.store, 'demo');
        const outcome = await scanAccount(world.store, 'demo', FAST);
        assert.equal(outcome.record.added + outcome.record.changed + outcome.record.removed, 0);
        assert.equal(outcome.record.unchanged, before.length);
        const afterScan = await listResources(world.store, 'demo');
        assert.deepEqual(afterScan.map((r) => r.urn).sort(), before.map((r) => r.urn).sort());
        const shard = await world.store.readShard('demo/us-west-2');
        assert.equal(shard.scans.length, 2, 'each scan appends a record to the history');
    });

    it('reports exactly what was added, changed and removed', async () => {
        const fixture = demoFixture();
        const account = fixture.accounts[0];
        account.s3!.buckets = account.s3!.buckets!.filter((b) => b.Name !== 'insights-demo-shared-uploads');
        const bucket = account.s3!.buckets!.find((b) => b.Name === 'insights-demo-public-assets')!;
        bucket.Acl = 'private';
        account.resources!['us-east-1'].sqs!.queues!.push({ name: 'new-queue' });
        account.iam!.users = account.iam!.users!.filter((u) => u.UserName !== 'ci-deployer');
        world.aws.setFixture(fixture);

        const outcome = await scanAccount(world.store, 'demo', FAST);
        const west = outcome.children['demo/us-west-2'];
        // a bucket's ACL is also its own BucketAcl resource (as in @pulumi/aws v6+)
        assert.deepEqual([...west.removed].sort(), ['urn:pulumi:demo::us-west-2::aws:s3/bucket:Bucket::insights-demo-shared-uploads', 'urn:pulumi:demo::us-west-2::aws:s3/bucketAcl:BucketAcl::insights-demo-shared-uploads']);
        assert.deepEqual([...west.changed].sort(), ['urn:pulumi:demo::us-west-2::aws:s3/bucket:Bucket::insights-demo-public-assets', 'urn:pulumi:demo::us-west-2::aws:s3/bucketAcl:BucketAcl::insights-demo-public-assets']);
        assert.deepEqual(west.added, []);
        assert.deepEqual(outcome.children['demo/us-east-1'].added, ['urn:pulumi:demo::us-east-1::aws:sqs/queue:Queue::new-queue']);
        assert.deepEqual(outcome.children['demo'].removed, ['urn:pulumi:demo::global::aws:iam/user:User::ci-deployer']);
        assert.equal(outcome.record.added, 1);
        assert.equal(outcome.record.changed, 2);
        assert.equal(outcome.record.removed, 3);
        const stored = byName(await listResources(world.store, 'demo/us-west-2'), 'aws:s3/bucket:Bucket');
        assert.equal(stored.get('insights-demo-public-assets')?.properties.acl, 'private');
        assert.equal(stored.has('insights-demo-shared-uploads'), false);
        const history = (await world.store.readShard('demo/us-west-2')).scans.at(-1);
        assert.deepEqual({ added: history?.added, changed: history?.changed, removed: history?.removed }, { added: 0, changed: 2, removed: 2 });
        world.aws.reset();
        world.aws.setFixture(demoFixture());
    });

    it('scans one region as the child account, leaving the others and IAM alone', async () => {
        const calls: string[] = [];
        const outcome = await scanAccount(world.store, 'demo/us-east-1', { ...FAST, onCall: (service) => calls.push(service) });
        assert.deepEqual(Object.keys(outcome.children), ['demo/us-east-1']);
        assert.equal(calls.includes('iam'), false);
        const resources = await listResources(world.store, 'demo/us-east-1');
        assert.ok(resources.every((r) => r.account === 'demo/us-east-1'));
        assert.ok(resources.some((r) => r.type === 'aws:s3/bucket:Bucket'), 'buckets of the region are scanned with it');
    });

    it('refuses unknown accounts and regions with what is known', async () => {
        await assert.rejects(scanAccount(world.store, 'nope'), /no account "nope".*accounts: demo/);
        await assert.rejects(scanAccount(world.store, 'demo/eu-west-1'), /no region "eu-west-1".*demo\/us-west-2/);
    });

    it('is cancellable: nothing is written but the cancelled status', async () => {
        const before = await listResources(world.store, 'demo');
        world.aws.setFaults([{ latencyMs: 200 }]);
        const controller = new AbortController();
        const scan = scanAccount(world.store, 'demo', { ...FAST, signal: controller.signal });
        setTimeout(() => controller.abort(), 100);
        await assert.rejects(scan, ScanCancelledError);
        world.aws.setFaults([]);
        const { accounts } = await world.store.readCatalog();
        assert.equal(accounts[0].scanStatus?.status, 'failed');
        assert.equal(accounts[0].scanStatus?.errors[0].code, 'Cancelled');
        assert.deepEqual((await listResources(world.store, 'demo')).map((r) => r.hash), before.map((r) => r.hash));
    });

    it('runs one scan per account at a time', async () => {
        world.aws.setFaults([{ latencyMs: 50 }]);
        const first = scanAccount(world.store, 'demo', FAST);
        await assert.rejects(scanAccount(world.store, 'demo/us-west-2', FAST), /already running/);
        await first;
        world.aws.setFaults([]);
    });
});

describe('pagination', () => {
    it('follows every page of every list call', async () => {
        const fixture = generateFixture({ resourcesPerRegion: 300, regions: ['us-east-1', 'eu-west-1'], buckets: 12, iamEntities: 30 });
        const world = await startWorld(fixture);
        try {
            process.env.AWS_ACCESS_KEY_ID = GENERATED_KEYS.accessKeyId;
            process.env.AWS_SECRET_ACCESS_KEY = GENERATED_KEYS.secretAccessKey;
            await addAwsAccount(world.store, { name: 'gen', regions: ['us-east-1', 'eu-west-1'], endpoint: world.aws.url });
            const outcome = await scanAccount(world.store, 'gen', { ...FAST, pageSize: 5 });
            assert.deepEqual(outcome.errors, []);
            const all = await listResources(world.store, 'gen');
            const account = fixture.accounts[0];
            for (const region of ['us-east-1', 'eu-west-1']) {
                const r = account.resources![region];
                const count = (type: string) => all.filter((x) => x.region === region && x.type === type).length;
                assert.equal(count('aws:ec2/instance:Instance'), r.ec2!.instances!.length, `instances in ${region}`);
                assert.equal(count('aws:ebs/volume:Volume'), r.ec2!.volumes!.length);
                assert.equal(count('aws:ec2/securityGroup:SecurityGroup'), r.ec2!.securityGroups!.length);
                assert.equal(count('aws:lambda/function:Function'), r.lambda!.functions!.length);
                assert.equal(count('aws:rds/instance:Instance'), r.rds!.dbInstances!.length);
                assert.equal(count('aws:kms/key:Key'), r.kms!.keys!.length);
                assert.equal(count('aws:dynamodb/table:Table'), r.dynamodb!.tables!.length);
                assert.equal(count('aws:sqs/queue:Queue'), r.sqs!.queues!.length);
                assert.equal(count('aws:sns/topic:Topic'), r.sns!.topics!.length);
                assert.equal(count('aws:cloudwatch/logGroup:LogGroup'), r.logs!.logGroups!.length);
            }
            assert.equal(all.filter((x) => x.type === 'aws:s3/bucket:Bucket').length, account.s3!.buckets!.length);
            assert.equal(all.filter((x) => x.type === 'aws:iam/user:User').length, account.iam!.users!.length);
            assert.equal(all.filter((x) => x.type === 'aws:iam/role:Role').length, account.iam!.roles!.length);
            const ops = world.aws.requests().byOperation;
            assert.ok((ops['ec2:DescribeInstances'] ?? 0) >= 2 * Math.ceil(account.resources!['us-east-1'].ec2!.instances!.length / 5), 'DescribeInstances was paged');
            assert.ok((ops['iam:ListUsers'] ?? 0) >= Math.ceil(account.iam!.users!.length / 5), 'ListUsers was paged');
            assert.ok((ops['s3:ListBuckets'] ?? 0) >= 3, 'ListBuckets was paged');
        } finally {
            await world.cleanup();
        }
    });
});

describe('a service that fails after handing pages over', () => {
    // the spill drops such a task's pages (scanSpill.test.ts); the merge also ignores findings of a failed service
    it('gives none of its resources: the pages it handed over are not stored', async () => {
        const fixture = generateFixture({ resourcesPerRegion: 300, regions: ['us-east-1', 'eu-west-1'], buckets: 4, iamEntities: 5 });
        const world = await startWorld(fixture);
        try {
            process.env.AWS_ACCESS_KEY_ID = GENERATED_KEYS.accessKeyId;
            process.env.AWS_SECRET_ACCESS_KEY = GENERATED_KEYS.secretAccessKey;
            await addAwsAccount(world.store, { name: 'gen', regions: ['us-east-1', 'eu-west-1'], endpoint: world.aws.url });
            // EC2's instance pages (5 per page) are handed over while its volume listing waits to fail
            world.aws.setFaults([{ service: 'ec2', operation: 'DescribeVolumes', region: 'us-east-1', latencyMs: 400, accessDenied: true }]);
            const outcome = await scanAccount(world.store, 'gen', { ...FAST, pageSize: 5 });
            assert.deepEqual(outcome.errors.map((e) => `${e.service} ${e.region}`), ['ec2 us-east-1']);
            assert.ok((world.aws.requests().byOperation['ec2:DescribeInstances'] ?? 0) > 4, 'instance pages were read (and handed over) before the failure');
            const all = await listResources(world.store, 'gen');
            const instances = (region: string) => all.filter((r) => r.region === region && r.type === 'aws:ec2/instance:Instance').length;
            assert.equal(instances('us-east-1'), 0, 'the failed task gave none');
            assert.equal(instances('eu-west-1'), fixture.accounts[0].resources!['eu-west-1'].ec2!.instances!.length);
            assert.equal(outcome.account.scanStatus?.resourceCount, all.length, "the catalog's count, from the merges");
        } finally {
            await world.cleanup();
        }
    });
});

describe('faults', () => {
    let world: AwsWorld;
    let baseline: Resource[];
    before(async () => {
        world = await startWorld();
        await addDemo(world);
        await scanAccount(world.store, 'demo', FAST);
        baseline = await listResources(world.store, 'demo');
    });
    after(() => world.cleanup());

    async function scanWith(faults: Parameters<AwsWorld['aws']['setFaults']>[0], options = {}) {
        world.aws.reset();
        world.aws.setFaults(faults);
        try {
            return await scanAccount(world.store, 'demo', { ...FAST, ...options });
        } finally {
            world.aws.setFaults([]);
        }
    }

    async function assertNothingLost() {
        const now = await listResources(world.store, 'demo');
        assert.deepEqual(now.map((r) => `${r.urn} ${r.hash}`).sort(), baseline.map((r) => `${r.urn} ${r.hash}`).sort());
    }

    it('AccessDenied on one service in one region: recorded, its resources kept, the rest scanned', async () => {
        const outcome = await scanWith([{ service: 'ec2', region: 'us-west-2', accessDenied: true }]);
        assert.equal(outcome.errors.length, 1);
        assert.deepEqual({ ...outcome.errors[0], message: undefined }, { service: 'ec2', region: 'us-west-2', code: 'UnauthorizedOperation', message: undefined });
        assert.match(outcome.errors[0].message, /not authorized/);
        assert.equal(outcome.record.status, 'partial', 'a scan with a failed service is partial, not succeeded');
        assert.equal(outcome.account.scanStatus?.status, 'partial');
        assert.deepEqual(outcome.children['demo/us-west-2'].removed, [], 'resources of a failed service are never reported removed');
        assert.equal(outcome.account.scanStatus?.errors.length, 1);
        const record = (await world.store.readShard('demo/us-west-2')).scans.at(-1);
        assert.equal(record?.errors[0].service, 'ec2');
        assert.deepEqual((await world.store.readShard('demo/us-east-1')).scans.at(-1)?.errors, [], 'other children record no error');
        await assertNothingLost();
    });

    it('AccessDenied on a global service (IAM) keeps the parent account\'s resources', async () => {
        const outcome = await scanWith([{ service: 'iam', accessDenied: true }]);
        assert.deepEqual(outcome.errors.map((e) => `${e.service}:${e.code}`), ['iam:AccessDenied']);
        assert.deepEqual(outcome.children['demo'].removed, []);
        await assertNothingLost();
    });

    it('AccessDenied on S3 keeps the buckets of every region', async () => {
        const outcome = await scanWith([{ service: 's3', operation: 'GetBucketAcl', accessDenied: true }]);
        assert.deepEqual(outcome.errors.map((e) => `${e.service}:${e.code}`), ['s3:AccessDenied']);
        assert.deepEqual(outcome.children['demo/us-west-2'].removed, []);
        assert.deepEqual(outcome.children['demo/us-east-1'].removed, []);
        await assertNothingLost();
    });

    it('throttling bursts are retried by the SDK (adaptive) and the scan completes without errors', async () => {
        const outcome = await scanWith([
            { service: 'ec2', throttle: 2 },
            { service: 'dynamodb', throttle: 2, throttleStatus: 400 },
            { service: 'iam', operation: 'ListUsers', throttle: 1 },
        ]);
        assert.deepEqual(outcome.errors, []);
        assert.ok(world.aws.requests().faultsInjected >= 5);
        await assertNothingLost();
    });

    it('500s are retried and the scan completes without errors', async () => {
        const outcome = await scanWith([{ service: 'kms', serverError: 3 }, { service: 'sqs', serverError: 2 }]);
        assert.deepEqual(outcome.errors, []);
        assert.equal(world.aws.requests().faultsInjected, 5);
        await assertNothingLost();
    });

    it('a service that keeps failing with 500s is recorded once retries run out', async () => {
        const outcome = await scanWith([{ service: 'lambda', region: 'us-east-1', serverError: 1000 }], { maxAttempts: 2 });
        assert.deepEqual(outcome.errors.map((e) => `${e.service}/${e.region}`), ['lambda/us-east-1']);
        await assertNothingLost();
    });

    it('timeouts are recorded per service and the rest of the scan completes', async () => {
        const outcome = await scanWith([{ service: 'sns', hang: true }], { requestTimeoutMs: 300, maxAttempts: 2 });
        assert.deepEqual(outcome.errors.map((e) => `${e.service}/${e.region}`).sort(), ['sns/us-east-1', 'sns/us-west-2']);
        assert.match(outcome.errors[0].code, /Timeout/i);
        assert.equal(outcome.record.status, 'partial');
        await assertNothingLost();
    });

    it('truncated responses are recorded or retried, never stored half', async () => {
        const outcome = await scanWith([{ service: 'rds', truncate: 1 }], { maxAttempts: 3 });
        assert.ok(outcome.errors.every((e) => e.service === 'rds'));
        await assertNothingLost();
    });

    it('when every service fails the scan is failed and nothing is removed', async () => {
        const outcome = await scanWith([{ accessDenied: true }]);
        assert.equal(outcome.record.status, 'failed');
        assert.equal(outcome.account.scanStatus?.status, 'failed');
        assert.equal(outcome.record.removed, 0);
        await assertNothingLost();
    });
});
