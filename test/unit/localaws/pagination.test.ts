// Paging through a generated fixture with the SDK's own paginators: every item exactly once.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EC2Client, paginateDescribeInstances, paginateDescribeSecurityGroups, paginateDescribeVolumes, paginateDescribeSubnets } from '@aws-sdk/client-ec2';
import { IAMClient, ListUsersCommand, paginateListPolicies, paginateListRoles, paginateListUsers } from '@aws-sdk/client-iam';
import { S3Client, paginateListBuckets } from '@aws-sdk/client-s3';
import { RDSClient, paginateDescribeDBInstances } from '@aws-sdk/client-rds';
import { LambdaClient, paginateListFunctions } from '@aws-sdk/client-lambda';
import { KMSClient, paginateListKeys } from '@aws-sdk/client-kms';
import { DynamoDBClient, paginateListTables } from '@aws-sdk/client-dynamodb';
import { SQSClient, paginateListQueues } from '@aws-sdk/client-sqs';
import { SNSClient, paginateListTopics } from '@aws-sdk/client-sns';
import { CloudWatchLogsClient, paginateDescribeLogGroups } from '@aws-sdk/client-cloudwatch-logs';
import { GENERATED_KEYS, generateFixture, resourceMix } from '../../localaws/generateFixture';
import { startLocalAws, type LocalAws } from '../../localaws/server';
import { collect } from './localawsSupport';

const PER_REGION = 12_500;
const REGIONS = ['us-east-1', 'eu-west-1'];
const mix = resourceMix(PER_REGION);
let aws: LocalAws;

before(async () => {
    aws = await startLocalAws({ fixture: generateFixture({ resourcesPerRegion: PER_REGION, regions: REGIONS, seed: 7, buckets: 2_500, iamEntities: 2_500 }) });
});
after(() => aws.stop());

function config(region: string) {
    return { endpoint: aws.url, region, credentials: GENERATED_KEYS, maxAttempts: 1 };
}

/** Asserts that paging returned `expected` distinct ids, over more than one page. */
function assertAll(label: string, result: { items: unknown[]; pages: number }, expected: number, minPages = 2): void {
    assert.equal(result.items.length, expected, `${label}: item count`);
    assert.equal(new Set(result.items).size, expected, `${label}: every item exactly once`);
    assert.ok(result.pages >= minPages, `${label}: ${result.pages} pages, expected at least ${minPages}`);
}

describe('pagination on a generated fixture', () => {
    it('generates the documented mix, deterministically', () => {
        assert.equal(Object.values(mix).reduce((a, b) => a + b, 0), PER_REGION);
        const a = generateFixture({ resourcesPerRegion: 100, seed: 3 });
        const b = generateFixture({ resourcesPerRegion: 100, seed: 3 });
        const c = generateFixture({ resourcesPerRegion: 100, seed: 4 });
        assert.deepEqual(a, b);
        assert.notDeepEqual(a, c);
    });

    it('pages 2,500 IAM users, roles and policies with Marker', async () => {
        const iam = new IAMClient(config('us-east-1'));
        assertAll('users', await collect(paginateListUsers({ client: iam, pageSize: 100 }, {}), (p) => p.Users?.map((u) => u.UserName)), 2_500, 25);
        assertAll('roles', await collect(paginateListRoles({ client: iam, pageSize: 1000 }, {}), (p) => p.Roles?.map((r) => r.RoleName)), 2_500, 3);
        assertAll('policies', await collect(paginateListPolicies({ client: iam }, { Scope: 'Local' }), (p) => p.Policies?.map((x) => x.Arn)), 2_500, 25);
        const stale = await iam.send(new ListUsersCommand({ Marker: 'garbage' })).catch((e: Error) => e);
        assert.equal((stale as Error).name, 'ValidationError');
    });

    it('pages 2,500 buckets with continuation tokens', async () => {
        const s3 = new S3Client({ ...config('us-east-1'), forcePathStyle: true });
        assertAll('buckets', await collect(paginateListBuckets({ client: s3, pageSize: 1000 }, {}), (p) => p.Buckets?.map((b) => b.Name)), 2_500, 3);
    });

    for (const region of REGIONS) {
        it(`pages every regional list in ${region}`, async () => {
            const ec2 = new EC2Client(config(region));
            assertAll('instances', await collect(paginateDescribeInstances({ client: ec2, pageSize: 1000 }, {}), (p) => p.Reservations?.flatMap((r) => r.Instances?.map((i) => i.InstanceId) ?? [])), mix['ec2.instances']);
            assertAll('security groups', await collect(paginateDescribeSecurityGroups({ client: ec2, pageSize: 500 }, {}), (p) => p.SecurityGroups?.map((g) => g.GroupId)), mix['ec2.securityGroups']);
            assertAll('volumes', await collect(paginateDescribeVolumes({ client: ec2, pageSize: 500 }, {}), (p) => p.Volumes?.map((v) => v.VolumeId)), mix['ec2.volumes']);
            assertAll('subnets', await collect(paginateDescribeSubnets({ client: ec2, pageSize: 100 }, {}), (p) => p.Subnets?.map((s) => s.SubnetId)), mix['ec2.subnets']);
            const rds = new RDSClient(config(region));
            assertAll('db instances', await collect(paginateDescribeDBInstances({ client: rds }, {}), (p) => p.DBInstances?.map((d) => d.DBInstanceIdentifier)), mix['rds.dbInstances']);
            const lambda = new LambdaClient(config(region));
            assertAll('functions', await collect(paginateListFunctions({ client: lambda }, {}), (p) => p.Functions?.map((f) => f.FunctionName)), mix['lambda.functions']);
            const kms = new KMSClient(config(region));
            assertAll('keys', await collect(paginateListKeys({ client: kms }, {}), (p) => p.Keys?.map((k) => k.KeyId)), mix['kms.keys']);
            const ddb = new DynamoDBClient(config(region));
            assertAll('tables', await collect(paginateListTables({ client: ddb }, {}), (p) => p.TableNames), mix['dynamodb.tables']);
            const sqs = new SQSClient(config(region));
            assertAll('queues', await collect(paginateListQueues({ client: sqs, pageSize: 100 }, {}), (p) => p.QueueUrls), mix['sqs.queues']);
            const sns = new SNSClient(config(region));
            assertAll('topics', await collect(paginateListTopics({ client: sns }, {}), (p) => p.Topics?.map((t) => t.TopicArn)), mix['sns.topics']);
            const logs = new CloudWatchLogsClient(config(region));
            assertAll('log groups', await collect(paginateDescribeLogGroups({ client: logs }, {}), (p) => p.logGroups?.map((g) => g.logGroupName)), mix['logs.logGroups']);
        });
    }

    it('keeps regions apart: ids listed in one region are not listed in the other', async () => {
        const ids = async (region: string) =>
            new Set((await collect(paginateDescribeVolumes({ client: new EC2Client(config(region)), pageSize: 500 }, {}), (p) => p.Volumes?.map((v) => v.VolumeId))).items);
        const [east, west] = await Promise.all(REGIONS.map(ids));
        for (const id of east) assert.ok(!west.has(id), `${id} listed in both regions`);
    });
});
