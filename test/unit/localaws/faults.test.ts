// Fault injection as the real SDK clients see it: throttling per protocol, access denied,
// 500s, truncated bodies, hangs and latency, set through the API and the admin endpoint.
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeVolumesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { IAMClient, ListUsersCommand } from '@aws-sdk/client-iam';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { KMSClient, ListKeysCommand } from '@aws-sdk/client-kms';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { readFixtureFile } from '../../localaws/fixture';
import { generateFixture } from '../../localaws/generateFixture';
import { startLocalAws, type LocalAws } from '../../localaws/server';
import { DEMO_FIXTURE, clientConfig } from './localawsSupport';

let aws: LocalAws;

before(async () => {
    aws = await startLocalAws({ fixture: DEMO_FIXTURE });
});
after(() => aws.stop());
beforeEach(() => aws.reset());

type SdkError = Error & { $metadata: { httpStatusCode?: number; attempts?: number }; $retryable?: unknown };

async function failure(promise: Promise<unknown>): Promise<SdkError> {
    return promise.then(
        () => assert.fail('expected the call to fail'),
        (e: SdkError) => e,
    );
}

const s3 = (retries = 1) => new S3Client({ ...clientConfig(aws, 'us-west-2', { maxAttempts: retries }), forcePathStyle: true });

describe('fault injection', () => {
    it('throttles with each protocol’s own error, and the SDK retries through it', async () => {
        const cases: [string, () => Promise<unknown>, string, number][] = [
            ['s3', () => s3().send(new ListBucketsCommand({})), 'SlowDown', 503],
            ['ec2', () => new EC2Client(clientConfig(aws)).send(new DescribeVolumesCommand({})), 'RequestLimitExceeded', 503],
            ['iam', () => new IAMClient(clientConfig(aws, 'us-east-1')).send(new ListUsersCommand({})), 'Throttling', 400],
            ['dynamodb', () => new DynamoDBClient(clientConfig(aws)).send(new ListTablesCommand({})), 'ThrottlingException', 400],
            ['lambda', () => new LambdaClient(clientConfig(aws)).send(new ListFunctionsCommand({})), 'TooManyRequestsException', 429],
        ];
        for (const [service, call, code, status] of cases) {
            aws.setFaults([{ service: service as never, throttle: 1 }]);
            const error = await failure(call());
            assert.equal(error.name, code, service);
            assert.equal(error.$metadata.httpStatusCode, status, service);
            assert.ok(await call(), `${service} answers once the throttle is used up`);
        }
        aws.reset();
        aws.setFaults([{ service: 's3', operation: 'ListBuckets', throttle: 2 }]);
        const out = await s3(3).send(new ListBucketsCommand({}));
        assert.equal(out.$metadata.attempts, 3, 'two throttled attempts, then success');
        assert.equal(aws.requests().byOperation['s3:ListBuckets'], 3);
        assert.equal(aws.requests().faultsInjected, 2);
    });

    it('throttles with HTTP 429 when asked', async () => {
        aws.setFaults([{ service: 'kms', throttle: 1, throttleStatus: 429 }]);
        const error = await failure(new KMSClient(clientConfig(aws)).send(new ListKeysCommand({})));
        assert.equal(error.name, 'ThrottlingException');
        assert.equal(error.$metadata.httpStatusCode, 429);
    });

    it('denies access per service, leaving the others alone', async () => {
        aws.setFaults([{ service: 's3', accessDenied: true }, { service: 'ec2', accessDenied: true }, { service: 'kms', accessDenied: true }]);
        const denied = await failure(s3(3).send(new ListBucketsCommand({})));
        assert.equal(denied.name, 'AccessDenied');
        assert.equal(denied.$metadata.httpStatusCode, 403);
        assert.equal(denied.$metadata.attempts, 1, 'access denied is not retried');
        assert.equal((await failure(new EC2Client(clientConfig(aws)).send(new DescribeVolumesCommand({})))).name, 'UnauthorizedOperation');
        const kms = await failure(new KMSClient(clientConfig(aws)).send(new ListKeysCommand({})));
        assert.equal(kms.name, 'AccessDeniedException');
        assert.match(kms.message, /not authorized to perform: kms:ListKeys/);
        assert.ok((await new LambdaClient(clientConfig(aws)).send(new ListFunctionsCommand({}))).Functions?.length);
    });

    it('fails with HTTP 500 N times; the standard retry strategy recovers', async () => {
        aws.setFaults([{ service: 'dynamodb', serverError: 1 }]);
        const error = await failure(new DynamoDBClient(clientConfig(aws)).send(new ListTablesCommand({})));
        assert.equal(error.$metadata.httpStatusCode, 500);
        aws.setFaults([{ service: 'dynamodb', serverError: 2 }]);
        const out = await new DynamoDBClient(clientConfig(aws, 'us-west-2', { maxAttempts: 3 })).send(new ListTablesCommand({}));
        assert.deepEqual(out.TableNames, ['sessions']);
        assert.equal(out.$metadata.attempts, 3);
    });

    it('truncates bodies N times: the client sees a broken response, a retry gets a whole one', async () => {
        aws.setFaults([{ service: 'ec2', operation: 'DescribeVolumes', truncate: 1 }]);
        const broken = await failure(new EC2Client(clientConfig(aws)).send(new DescribeVolumesCommand({})));
        assert.equal((broken as SdkError & { code?: string }).code, 'ECONNRESET');
        assert.match(broken.message, /aborted/);
        assert.equal(broken.$metadata.httpStatusCode, 200, 'the status line arrived, the body did not');
        aws.setFaults([{ service: 'ec2', operation: 'DescribeVolumes', truncate: 1 }]);
        const out = await new EC2Client(clientConfig(aws, 'us-west-2', { maxAttempts: 3 })).send(new DescribeVolumesCommand({}));
        assert.equal(out.Volumes?.length, 2);
        assert.equal(out.$metadata.attempts, 2);
    });

    it('hangs until the client times out', async () => {
        aws.setFaults([{ service: 'sts', hang: true }]);
        const client = new STSClient({ ...clientConfig(aws), requestHandler: new NodeHttpHandler({ requestTimeout: 300, throwOnRequestTimeout: true }) });
        const started = Date.now();
        const error = await failure(client.send(new GetCallerIdentityCommand({})));
        assert.equal(error.name, 'TimeoutError');
        assert.ok(Date.now() - started >= 250);
    });

    it('adds latency to matching requests only', async () => {
        aws.setFaults([{ service: 'sts', region: 'us-east-1', latencyMs: 150 }]);
        const timed = async (region: string) => {
            const started = Date.now();
            await new STSClient(clientConfig(aws, region)).send(new GetCallerIdentityCommand({}));
            return Date.now() - started;
        };
        assert.ok((await timed('us-east-1')) >= 150);
        assert.ok((await timed('us-west-2')) < 150);
    });

    it('takes faults, resets and fixtures through the unsigned admin endpoints', async () => {
        const post = (path: string, body: unknown) => fetch(`${aws.url}${path}`, { method: 'POST', body: JSON.stringify(body) });
        assert.equal((await post('/__admin/faults', [{ service: 's3', accessDenied: true }])).status, 200);
        assert.equal((await failure(s3().send(new ListBucketsCommand({})))).name, 'AccessDenied');
        const counts = await (await fetch(`${aws.url}/__admin/requests`)).json();
        assert.equal(counts.byOperation['s3:ListBuckets'], 1);
        assert.equal(counts.faultsInjected, 1);
        const bad = await post('/__admin/faults', [{ service: 's3', throttel: 1 }]);
        assert.equal(bad.status, 400);
        assert.match((await bad.json()).error, /unknown field "throttel"/);
        assert.equal((await post('/__admin/reset', {})).status, 200);
        assert.equal((await s3().send(new ListBucketsCommand({}))).Buckets?.length, 7);
        assert.equal((await fetch(`${aws.url}/__admin/requests`).then((r) => r.json())).total, 1);
        assert.equal((await post('/__admin/fixture', generateFixture({ resourcesPerRegion: 10, buckets: 4 }))).status, 200);
        const generated = new S3Client({ endpoint: aws.url, region: 'us-east-1', credentials: { accessKeyId: 'AKIAGENERATED0000001', secretAccessKey: 'generated/secret/key/0000000000000000001' }, forcePathStyle: true, maxAttempts: 1 });
        assert.equal((await generated.send(new ListBucketsCommand({}))).Buckets?.length, 4);
        const refused = await failure(s3().send(new ListBucketsCommand({})));
        assert.equal(refused.name, 'InvalidAccessKeyId', 'the demo keys are gone with the demo fixture');
        const invalid = await post('/__admin/fixture', { accounts: [{ name: 'x', accountId: '12' }] });
        assert.equal(invalid.status, 400);
        assert.match((await invalid.json()).error, /accountId" must be 12 digits/);
        aws.setFixture(readFixtureFile(DEMO_FIXTURE));
    });
});
