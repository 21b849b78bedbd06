// IAM and STS through the real clients, including role assumption with temporary credentials.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
    GetAccountSummaryCommand,
    GetPolicyVersionCommand,
    IAMClient,
    IAMServiceException,
    ListAccessKeysCommand,
    ListAttachedUserPoliciesCommand,
    ListPoliciesCommand,
    ListRolesCommand,
    ListUserPoliciesCommand,
    ListUsersCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient, STSServiceException } from '@aws-sdk/client-sts';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeVolumesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { startLocalAws, type LocalAws } from '../../localaws/server';
import { DEMO_FIXTURE, clientConfig } from './localawsSupport';

let aws: LocalAws;
let iam: IAMClient;
let sts: STSClient;

before(async () => {
    aws = await startLocalAws({ fixture: DEMO_FIXTURE });
    iam = new IAMClient(clientConfig(aws, 'us-east-1'));
    sts = new STSClient(clientConfig(aws, 'us-east-1'));
});
after(() => aws.stop());

describe('IAM on the local AWS', () => {
    it('lists users and roles with Marker/IsTruncated paging', async () => {
        const first = await iam.send(new ListUsersCommand({ MaxItems: 2 }));
        assert.deepEqual(first.Users?.map((u) => u.UserName), ['policy-insights-scanner', 'alice']);
        assert.equal(first.IsTruncated, true);
        assert.ok(first.Marker);
        const second = await iam.send(new ListUsersCommand({ MaxItems: 2, Marker: first.Marker }));
        assert.deepEqual(second.Users?.map((u) => [u.UserName, u.Path, u.Arn]), [['ci-deployer', '/automation/', 'arn:aws:iam::123456789012:user/ci-deployer']]);
        assert.equal(second.IsTruncated, false);
        assert.equal(second.Marker, undefined);
        const roles = await iam.send(new ListRolesCommand({}));
        assert.deepEqual(roles.Roles?.map((r) => r.RoleName), ['PolicyInsightsScanner', 'lambda-exec']);
        const trust = JSON.parse(decodeURIComponent(roles.Roles?.[0].AssumeRolePolicyDocument ?? ''));
        assert.equal(trust.Statement[0].Action, 'sts:AssumeRole');
    });

    it('lists local policies and returns their documents URL-encoded, as IAM does', async () => {
        const local = await iam.send(new ListPoliciesCommand({ Scope: 'Local' }));
        assert.deepEqual(local.Policies?.map((p) => [p.PolicyName, p.DefaultVersionId, p.AttachmentCount]), [
            ['AdminEverything', 'v1', 1],
            ['ReadOnlyReports', 'v1', 0],
        ]);
        assert.deepEqual((await iam.send(new ListPoliciesCommand({ Scope: 'AWS' }))).Policies, []);
        assert.deepEqual((await iam.send(new ListPoliciesCommand({ Scope: 'Local', OnlyAttached: true }))).Policies?.map((p) => p.PolicyName), ['AdminEverything']);
        const version = await iam.send(new GetPolicyVersionCommand({ PolicyArn: local.Policies?.[0].Arn, VersionId: 'v1' }));
        const raw = version.PolicyVersion?.Document ?? '';
        assert.match(raw, /^%7B/, 'the document arrives URL-encoded');
        assert.deepEqual(JSON.parse(decodeURIComponent(raw)).Statement, [{ Effect: 'Allow', Action: '*', Resource: '*' }]);
        const missing = await iam.send(new GetPolicyVersionCommand({ PolicyArn: 'arn:aws:iam::123456789012:policy/Nope', VersionId: 'v1' })).catch((e: unknown) => e);
        assert.ok(missing instanceof IAMServiceException);
        assert.equal(missing.name, 'NoSuchEntityException', 'the SDK maps the wire code NoSuchEntity to its exception class');
        assert.equal(missing.$metadata.httpStatusCode, 404);
    });

    it('lists access keys, attached and inline policies, and reports root keys in the account summary', async () => {
        const keys = await iam.send(new ListAccessKeysCommand({ UserName: 'alice' }));
        assert.deepEqual(keys.AccessKeyMetadata?.map((k) => [k.AccessKeyId, k.Status]), [
            ['AKIAALICEOLDKEY00001', 'Active'],
            ['AKIAALICEOLDKEY00002', 'Inactive'],
        ]);
        assert.ok(keys.AccessKeyMetadata?.[0].CreateDate instanceof Date);
        const own = await iam.send(new ListAccessKeysCommand({}));
        assert.deepEqual(own.AccessKeyMetadata?.map((k) => k.UserName), ['policy-insights-scanner']);
        const attached = await iam.send(new ListAttachedUserPoliciesCommand({ UserName: 'alice' }));
        assert.deepEqual(attached.AttachedPolicies, [{ PolicyName: 'AdminEverything', PolicyArn: 'arn:aws:iam::123456789012:policy/AdminEverything' }]);
        assert.deepEqual((await iam.send(new ListUserPoliciesCommand({ UserName: 'alice' }))).PolicyNames, ['alice-inline-s3']);
        const summary = await iam.send(new GetAccountSummaryCommand({}));
        assert.equal(summary.SummaryMap?.AccountAccessKeysPresent, 1);
        assert.equal(summary.SummaryMap?.Users, 3);
    });
});

describe('STS on the local AWS', () => {
    it('identifies the caller', async () => {
        const me = await sts.send(new GetCallerIdentityCommand({}));
        assert.equal(me.Account, '123456789012');
        assert.equal(me.Arn, 'arn:aws:iam::123456789012:user/policy-insights-scanner');
        assert.match(me.UserId ?? '', /^AIDA[A-Z0-9]{17}$/);
    });

    it('assumes a cross-account role; the temporary credentials work against every protocol', async () => {
        const assumed = await sts.send(
            new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::222233334444:role/PolicyInsightsAudit', RoleSessionName: 'scan-1', ExternalId: 'policy-insights-demo', DurationSeconds: 900 }),
        );
        const creds = assumed.Credentials;
        assert.match(creds?.AccessKeyId ?? '', /^ASIA/);
        assert.ok(creds?.Expiration instanceof Date && creds.Expiration.getTime() > Date.now());
        assert.equal(assumed.AssumedRoleUser?.Arn, 'arn:aws:sts::222233334444:assumed-role/PolicyInsightsAudit/scan-1');
        const credentials = { accessKeyId: creds!.AccessKeyId!, secretAccessKey: creds!.SecretAccessKey!, sessionToken: creds!.SessionToken! };
        const asRole = new STSClient({ ...clientConfig(aws, 'us-west-2'), credentials });
        assert.equal((await asRole.send(new GetCallerIdentityCommand({}))).Account, '222233334444');
        const s3 = new S3Client({ ...clientConfig(aws, 'us-west-2'), credentials, forcePathStyle: true });
        assert.deepEqual((await s3.send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name), ['insights-member-artifacts']);
        const ec2 = new EC2Client({ ...clientConfig(aws, 'us-west-2'), credentials });
        assert.deepEqual((await ec2.send(new DescribeVolumesCommand({}))).Volumes?.map((v) => v.VolumeId), ['vol-0b0b0b0b0b0b00001']);
        const forged = new STSClient({ ...clientConfig(aws, 'us-west-2'), credentials: { ...credentials, sessionToken: 'IQoJforged' } });
        const refused = await forged.send(new GetCallerIdentityCommand({})).catch((e: unknown) => e);
        assert.ok(refused instanceof STSServiceException);
        assert.equal(refused.name, 'InvalidClientTokenId');
    });

    it('works with the SDK’s own fromTemporaryCredentials provider', async () => {
        const credentials = fromTemporaryCredentials({
            masterCredentials: clientConfig(aws).credentials,
            params: { RoleArn: 'arn:aws:iam::123456789012:role/PolicyInsightsScanner', RoleSessionName: 'policy-insights' },
            clientConfig: { endpoint: aws.url, region: 'us-east-1' },
        });
        const client = new STSClient({ ...clientConfig(aws, 'us-east-1'), credentials });
        const me = await client.send(new GetCallerIdentityCommand({}));
        assert.equal(me.Arn, 'arn:aws:sts::123456789012:assumed-role/PolicyInsightsScanner/policy-insights');
    });

    it('denies AssumeRole without the external id, for untrusted accounts and for unknown roles', async () => {
        const attempts = [
            { RoleArn: 'arn:aws:iam::222233334444:role/PolicyInsightsAudit', RoleSessionName: 'x1' },
            { RoleArn: 'arn:aws:iam::222233334444:role/PolicyInsightsAudit', RoleSessionName: 'x1', ExternalId: 'wrong' },
            { RoleArn: 'arn:aws:iam::123456789012:role/lambda-exec', RoleSessionName: 'x1' },
            { RoleArn: 'arn:aws:iam::123456789012:role/NoSuchRole', RoleSessionName: 'x1' },
        ];
        for (const input of attempts) {
            const error = await sts.send(new AssumeRoleCommand(input)).catch((e: unknown) => e);
            assert.ok(error instanceof STSServiceException, JSON.stringify(input));
            assert.equal(error.name, 'AccessDenied');
            assert.equal(error.$metadata.httpStatusCode, 403);
            assert.match(error.message, /is not authorized to perform: sts:AssumeRole/);
        }
    });
});
