// RDS, Lambda, KMS, CloudTrail, DynamoDB, SQS, SNS and CloudWatch Logs through their real clients.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DescribeDBInstancesCommand, RDSClient, RDSServiceException } from '@aws-sdk/client-rds';
import { LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { DescribeKeyCommand, GetKeyRotationStatusCommand, KMSClient, KMSServiceException, ListKeysCommand } from '@aws-sdk/client-kms';
import { CloudTrailClient, CloudTrailServiceException, DescribeTrailsCommand, GetTrailStatusCommand } from '@aws-sdk/client-cloudtrail';
import { DescribeTableCommand, DynamoDBClient, DynamoDBServiceException, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, ListQueuesCommand, SQSClient, SQSServiceException } from '@aws-sdk/client-sqs';
import { GetTopicAttributesCommand, ListTopicsCommand, SNSClient, SNSServiceException } from '@aws-sdk/client-sns';
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { startLocalAws, type LocalAws } from '../../localaws/server';
import { DEMO_FIXTURE, clientConfig } from './localawsSupport';

let aws: LocalAws;

before(async () => {
    aws = await startLocalAws({ fixture: DEMO_FIXTURE });
});
after(() => aws.stop());

async function rejection(promise: Promise<unknown>): Promise<Error & { $metadata: { httpStatusCode?: number } }> {
    return promise.then(
        () => assert.fail('expected the call to fail'),
        (e: Error & { $metadata: { httpStatusCode?: number } }) => e,
    );
}

describe('regional services on the local AWS', () => {
    it('RDS: describes DB instances, by identifier too', async () => {
        const rds = new RDSClient(clientConfig(aws));
        const all = await rds.send(new DescribeDBInstancesCommand({}));
        assert.deepEqual(all.DBInstances?.map((d) => [d.DBInstanceIdentifier, d.PubliclyAccessible, d.StorageEncrypted]), [
            ['orders-db', true, false],
            ['billing-db', false, true],
        ]);
        assert.equal(all.DBInstances?.[0].Endpoint?.Port, 5432);
        assert.deepEqual(all.DBInstances?.[0].TagList, [{ Key: 'team', Value: 'orders' }]);
        assert.equal(all.DBInstances?.[0].DBInstanceArn, 'arn:aws:rds:us-west-2:123456789012:db:orders-db');
        const missing = await rejection(rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'nope' })));
        assert.ok(missing instanceof RDSServiceException);
        assert.equal(missing.name, 'DBInstanceNotFoundFault');
        assert.equal(missing.$metadata.httpStatusCode, 404);
    });

    it('Lambda: lists functions with Marker/NextMarker', async () => {
        const lambda = new LambdaClient(clientConfig(aws));
        const first = await lambda.send(new ListFunctionsCommand({ MaxItems: 1 }));
        assert.deepEqual(first.Functions?.map((f) => [f.FunctionName, f.Runtime]), [['legacy-thumbnailer', 'nodejs12.x']]);
        assert.ok(first.NextMarker);
        const second = await lambda.send(new ListFunctionsCommand({ MaxItems: 1, Marker: first.NextMarker }));
        assert.deepEqual(second.Functions?.map((f) => f.FunctionName), ['api-handler']);
        assert.equal(second.NextMarker, undefined);
        assert.equal(second.Functions?.[0].FunctionArn, 'arn:aws:lambda:us-west-2:123456789012:function:api-handler');
        const east = new LambdaClient(clientConfig(aws, 'us-east-1'));
        assert.deepEqual((await east.send(new ListFunctionsCommand({}))).Functions?.map((f) => f.Runtime), ['python3.12']);
    });

    it('KMS: lists keys, describes them and reports rotation', async () => {
        const kms = new KMSClient(clientConfig(aws));
        const keys = await kms.send(new ListKeysCommand({}));
        assert.equal(keys.Keys?.length, 2);
        assert.equal(keys.Truncated, false);
        const described = await kms.send(new DescribeKeyCommand({ KeyId: keys.Keys?.[1].KeyArn }));
        assert.equal(described.KeyMetadata?.Description, 'legacy key without rotation');
        assert.equal(described.KeyMetadata?.KeyManager, 'CUSTOMER');
        assert.ok(described.KeyMetadata?.CreationDate instanceof Date);
        assert.equal((await kms.send(new GetKeyRotationStatusCommand({ KeyId: keys.Keys?.[0].KeyId }))).KeyRotationEnabled, true);
        assert.equal((await kms.send(new GetKeyRotationStatusCommand({ KeyId: keys.Keys?.[1].KeyId }))).KeyRotationEnabled, false);
        const missing = await rejection(kms.send(new DescribeKeyCommand({ KeyId: 'nope' })));
        assert.ok(missing instanceof KMSServiceException);
        assert.equal(missing.name, 'NotFoundException');
    });

    it('CloudTrail: lists trails (multi-region ones everywhere) and their logging status', async () => {
        const trail = new CloudTrailClient(clientConfig(aws));
        const trails = await trail.send(new DescribeTrailsCommand({}));
        assert.deepEqual(trails.trailList?.map((t) => [t.Name, t.HomeRegion, t.IsMultiRegionTrail]), [
            ['regional-audit', 'us-west-2', false],
            ['management-events', 'us-east-1', true],
        ]);
        assert.deepEqual((await trail.send(new DescribeTrailsCommand({ includeShadowTrails: false }))).trailList?.map((t) => t.Name), ['regional-audit']);
        assert.equal((await trail.send(new GetTrailStatusCommand({ Name: 'regional-audit' }))).IsLogging, false);
        const on = await trail.send(new GetTrailStatusCommand({ Name: 'arn:aws:cloudtrail:us-east-1:123456789012:trail/management-events' }));
        assert.equal(on.IsLogging, true);
        assert.ok(on.LatestDeliveryTime instanceof Date);
        const missing = await rejection(trail.send(new GetTrailStatusCommand({ Name: 'nope' })));
        assert.ok(missing instanceof CloudTrailServiceException);
        assert.equal(missing.name, 'TrailNotFoundException');
    });

    it('DynamoDB: lists and describes tables', async () => {
        const ddb = new DynamoDBClient(clientConfig(aws, 'us-east-1'));
        assert.deepEqual((await ddb.send(new ListTablesCommand({}))).TableNames, ['audit-log']);
        const table = (await ddb.send(new DescribeTableCommand({ TableName: 'audit-log' }))).Table;
        assert.equal(table?.SSEDescription?.SSEType, 'KMS');
        assert.equal(table?.TableStatus, 'ACTIVE');
        assert.equal(table?.ItemCount, 50000);
        assert.ok(table?.CreationDateTime instanceof Date);
        const missing = await rejection(ddb.send(new DescribeTableCommand({ TableName: 'sessions' })));
        assert.ok(missing instanceof DynamoDBServiceException);
        assert.equal(missing.name, 'ResourceNotFoundException');
    });

    it('SQS (JSON protocol): lists queues and reads their attributes', async () => {
        const sqs = new SQSClient(clientConfig(aws));
        const urls = (await sqs.send(new ListQueuesCommand({}))).QueueUrls ?? [];
        assert.deepEqual(urls, [`${aws.url}/123456789012/jobs`]);
        const all = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: urls[0], AttributeNames: ['All'] }));
        assert.equal(all.Attributes?.SqsManagedSseEnabled, 'false');
        assert.equal(all.Attributes?.QueueArn, 'arn:aws:sqs:us-west-2:123456789012:jobs');
        const some = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: urls[0], AttributeNames: ['VisibilityTimeout'] }));
        assert.deepEqual(some.Attributes, { VisibilityTimeout: '60' });
        const missing = await rejection(sqs.send(new GetQueueAttributesCommand({ QueueUrl: `${aws.url}/123456789012/nope`, AttributeNames: ['All'] })));
        assert.ok(missing instanceof SQSServiceException);
        assert.equal(missing.name, 'QueueDoesNotExist');
    });

    it('SNS: lists topics and reads their attributes', async () => {
        const sns = new SNSClient(clientConfig(aws));
        const topics = (await sns.send(new ListTopicsCommand({}))).Topics ?? [];
        assert.deepEqual(topics, [{ TopicArn: 'arn:aws:sns:us-west-2:123456789012:alerts' }]);
        const attributes = await sns.send(new GetTopicAttributesCommand({ TopicArn: topics[0].TopicArn }));
        assert.equal(attributes.Attributes?.DisplayName, 'Ops alerts');
        assert.equal(attributes.Attributes?.Owner, '123456789012');
        const missing = await rejection(sns.send(new GetTopicAttributesCommand({ TopicArn: 'arn:aws:sns:us-west-2:123456789012:nope' })));
        assert.ok(missing instanceof SNSServiceException);
        assert.equal(missing.name, 'NotFoundException');
    });

    it('CloudWatch Logs: describes log groups with their retention', async () => {
        const logs = new CloudWatchLogsClient(clientConfig(aws, 'us-east-1'));
        const groups = (await logs.send(new DescribeLogGroupsCommand({}))).logGroups ?? [];
        assert.deepEqual(groups.map((g) => [g.logGroupName, g.retentionInDays]), [['/aws/lambda/nightly-report', 90]]);
        assert.equal(groups[0].arn, 'arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/nightly-report:*');
        assert.equal(typeof groups[0].creationTime, 'number');
    });
});
