// SigV4 as AWS enforces it: unknown keys, wrong secrets, tampered payloads, clock skew,
// unsigned requests and expired session tokens are refused with each service's own error.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { GetCallerIdentityCommand, AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { DescribeVolumesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { NodeSha256, parseAuthorization } from '../../localaws/sigv4';
import { startLocalAws, type LocalAws } from '../../localaws/server';
import { DEMO_FIXTURE, SCANNER_KEYS, clientConfig } from './localawsSupport';

let aws: LocalAws;
let clockOffset = 0;

before(async () => {
    aws = await startLocalAws({ fixture: DEMO_FIXTURE, now: () => Date.now() + clockOffset });
});
after(() => aws.stop());

type SdkError = Error & { $metadata: { httpStatusCode?: number; attempts?: number } };

async function failure(promise: Promise<unknown>): Promise<SdkError> {
    return promise.then(
        () => assert.fail('expected the call to fail'),
        (e: SdkError) => e,
    );
}


/** Signs a Query request by hand, so the test can send a body other than the signed one. */
async function signedQuery(body: string, service = 'iam') {
    const url = new URL(aws.url);
    const signer = new SignatureV4({ credentials: SCANNER_KEYS, region: 'us-east-1', service, sha256: NodeSha256 as never });
    return signer.sign({
        method: 'POST',
        protocol: 'http:',
        hostname: url.hostname,
        port: Number(url.port),
        path: '/',
        query: {},
        headers: { host: url.host, 'content-type': 'application/x-www-form-urlencoded', 'x-amz-content-sha256': createHash('sha256').update(body).digest('hex') },
        body,
    });
}

describe('SigV4 verification', () => {
    it('parses the credential scope that routes a request', () => {
        const parsed = parseAuthorization(
            'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240115/eu-west-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=' + 'a'.repeat(64),
        );
        assert.deepEqual(parsed, { accessKeyId: 'AKIDEXAMPLE', scopeDate: '20240115', region: 'eu-west-1', service: 'dynamodb', signedHeaders: ['host', 'x-amz-date'], signature: 'a'.repeat(64) });
        assert.equal(parseAuthorization('AWS AKIDEXAMPLE:signature'), undefined);
    });

    it('refuses unknown access keys with each service’s own code', async () => {
        const unknown = { credentials: { accessKeyId: 'AKIAUNKNOWN000000001', secretAccessKey: 'whatever' } };
        const cases: [() => Promise<unknown>, string, number][] = [
            [() => new STSClient(clientConfig(aws, 'us-east-1', unknown)).send(new GetCallerIdentityCommand({})), 'InvalidClientTokenId', 403],
            [() => new EC2Client(clientConfig(aws, 'us-west-2', unknown)).send(new DescribeVolumesCommand({})), 'AuthFailure', 401],
            [() => new S3Client({ ...clientConfig(aws, 'us-west-2', unknown), forcePathStyle: true }).send(new ListBucketsCommand({})), 'InvalidAccessKeyId', 403],
            [() => new DynamoDBClient(clientConfig(aws, 'us-west-2', unknown)).send(new ListTablesCommand({})), 'UnrecognizedClientException', 400],
            [() => new LambdaClient(clientConfig(aws, 'us-west-2', unknown)).send(new ListFunctionsCommand({})), 'UnrecognizedClientException', 403],
        ];
        for (const [call, code, status] of cases) {
            const error = await failure(call());
            assert.equal(error.name, code);
            assert.equal(error.$metadata.httpStatusCode, status, code);
        }
    });

    it('refuses a wrong secret as a signature mismatch', async () => {
        const wrong = { credentials: { accessKeyId: SCANNER_KEYS.accessKeyId, secretAccessKey: 'not-the-secret' } };
        assert.equal((await failure(new STSClient(clientConfig(aws, 'us-east-1', wrong)).send(new GetCallerIdentityCommand({})))).name, 'SignatureDoesNotMatch');
        assert.equal((await failure(new S3Client({ ...clientConfig(aws, 'us-west-2', wrong), forcePathStyle: true }).send(new ListBucketsCommand({})))).name, 'SignatureDoesNotMatch');
        assert.equal((await failure(new DynamoDBClient(clientConfig(aws, 'us-west-2', wrong)).send(new ListTablesCommand({})))).name, 'InvalidSignatureException');
    });

    it('accepts a correctly hand-signed request and refuses one whose body changed after signing', async () => {
        const body = 'Action=ListUsers&Version=2010-05-08';
        const good = await signedQuery(body);
        const ok = await fetch(aws.url + '/', { method: 'POST', headers: good.headers as Record<string, string>, body });
        assert.equal(ok.status, 200);
        assert.match(await ok.text(), /<ListUsersResponse xmlns="https:\/\/iam.amazonaws.com\/doc\/2010-05-08\/">/);
        const tampered = await fetch(aws.url + '/', { method: 'POST', headers: good.headers as Record<string, string>, body: 'Action=ListRoles&Version=2010-05-08' });
        assert.equal(tampered.status, 403);
        assert.match(await tampered.text(), /<Code>SignatureDoesNotMatch<\/Code>/);
        const hashed = { ...(good.headers as Record<string, string>), 'x-amz-content-sha256': createHash('sha256').update('Action=ListRoles&Version=2010-05-08').digest('hex') };
        const resigned = await fetch(aws.url + '/', { method: 'POST', headers: hashed, body: 'Action=ListRoles&Version=2010-05-08' });
        assert.equal(resigned.status, 403, 'a matching payload hash does not help when the signature covers the old one');
    });

    it('refuses a long-term key that comes with a session token', async () => {
        const withToken = new STSClient(clientConfig(aws, 'us-east-1', { credentials: { ...SCANNER_KEYS, sessionToken: 'IQoJsomething' } }));
        assert.equal((await failure(withToken.send(new GetCallerIdentityCommand({})))).name, 'InvalidClientTokenId');
    });

    it('refuses unsigned requests', async () => {
        const response = await fetch(aws.url + '/', { method: 'POST', body: 'Action=GetCallerIdentity&Version=2011-06-15' });
        assert.equal(response.status, 403);
        assert.match(await response.text(), /AccessDenied|MissingAuthenticationToken/);
    });

    it('refuses a skewed clock; the SDK corrects its offset from the Date header and retries', async () => {
        clockOffset = 30 * 60 * 1000;
        try {
            const once = await failure(new STSClient(clientConfig(aws, 'us-east-1')).send(new GetCallerIdentityCommand({})));
            assert.equal(once.name, 'SignatureDoesNotMatch');
            assert.match(once.message, /Signature expired/);
            const retrying = await new STSClient(clientConfig(aws, 'us-east-1', { maxAttempts: 2 })).send(new GetCallerIdentityCommand({}));
            assert.equal(retrying.$metadata.attempts, 2, 'the second attempt is signed with the server’s time');
        } finally {
            clockOffset = 0;
        }
    });

    it('refuses session credentials once they expire', async () => {
        const sts = new STSClient(clientConfig(aws, 'us-east-1'));
        const assumed = await sts.send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::123456789012:role/PolicyInsightsScanner', RoleSessionName: 'short', DurationSeconds: 900 }));
        const c = assumed.Credentials!;
        const credentials = { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
        assert.ok(await new STSClient({ ...clientConfig(aws, 'us-east-1'), credentials }).send(new GetCallerIdentityCommand({})));
        clockOffset = 16 * 60 * 1000;
        try {
            const client = new STSClient({ ...clientConfig(aws, 'us-east-1'), credentials, systemClockOffset: clockOffset });
            const expired = await failure(client.send(new GetCallerIdentityCommand({})));
            assert.equal(expired.name, 'ExpiredToken');
            assert.equal(expired.$metadata.httpStatusCode, 400);
        } finally {
            clockOffset = 0;
        }
    });
});
