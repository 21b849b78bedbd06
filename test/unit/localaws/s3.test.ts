// S3 through the real @aws-sdk/client-s3 against the local AWS.
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
    GetBucketAclCommand,
    GetBucketEncryptionCommand,
    GetBucketLocationCommand,
    GetBucketLoggingCommand,
    GetBucketPolicyCommand,
    GetBucketTaggingCommand,
    GetBucketVersioningCommand,
    GetPublicAccessBlockCommand,
    HeadBucketCommand,
    ListBucketsCommand,
    PutBucketAclCommand,
    S3Client,
    S3ServiceException,
    paginateListBuckets,
} from '@aws-sdk/client-s3';
import { startLocalAws, type LocalAws } from '../../localaws/server';
import { DEMO_FIXTURE, MEMBER_KEYS, cannedAclOf, clientConfig, collect } from './localawsSupport';

let aws: LocalAws;
let west: S3Client;
let east: S3Client;

before(async () => {
    aws = await startLocalAws({ fixture: DEMO_FIXTURE });
    west = new S3Client({ ...clientConfig(aws, 'us-west-2'), forcePathStyle: true });
    east = new S3Client({ ...clientConfig(aws, 'us-east-1'), forcePathStyle: true });
});
after(() => aws.stop());
beforeEach(() => aws.reset());

async function s3Error(promise: Promise<unknown>): Promise<S3ServiceException> {
    const error = await promise.then(
        () => assert.fail('expected an S3 error'),
        (e: unknown) => e,
    );
    assert.ok(error instanceof S3ServiceException, `expected an S3ServiceException, got ${String(error)}`);
    return error;
}

describe('S3 on the local AWS', () => {
    it('lists only the caller account’s buckets, in name order, with their regions', async () => {
        const out = await west.send(new ListBucketsCommand({}));
        const names = out.Buckets?.map((b) => b.Name);
        assert.deepEqual(names, [
            'insights-demo-access-logs',
            'insights-demo-escaping-check',
            'insights-demo-partner-reports',
            'insights-demo-policy-public',
            'insights-demo-private-data',
            'insights-demo-public-assets',
            'insights-demo-shared-uploads',
        ]);
        assert.equal(out.Buckets?.find((b) => b.Name === 'insights-demo-policy-public')?.BucketRegion, 'us-east-1');
        assert.ok(out.Buckets?.[0].CreationDate instanceof Date);
        assert.equal(out.ContinuationToken, undefined);
        assert.match(out.Owner?.ID ?? '', /^[0-9a-f]{64}$/);
    });

    it('pages ListBuckets with max-buckets and continuation-token', async () => {
        const { items, pages } = await collect(paginateListBuckets({ client: west, pageSize: 3 }, {}), (p) => p.Buckets);
        assert.equal(pages, 3);
        assert.equal(items.length, 7);
        assert.equal(new Set(items.map((b) => b.Name)).size, 7);
        const filtered = await west.send(new ListBucketsCommand({ BucketRegion: 'us-east-1', Prefix: 'insights-demo-p' }));
        assert.deepEqual(filtered.Buckets?.map((b) => b.Name), ['insights-demo-partner-reports', 'insights-demo-policy-public']);
    });

    it('returns grants from which public-read, public-read-write, authenticated-read and private derive', async () => {
        const expected: [string, S3Client, string][] = [
            ['insights-demo-public-assets', west, 'public-read'],
            ['insights-demo-shared-uploads', west, 'public-read-write'],
            ['insights-demo-partner-reports', east, 'authenticated-read'],
            ['insights-demo-private-data', west, 'private'],
        ];
        for (const [bucket, client, acl] of expected) {
            const out = await client.send(new GetBucketAclCommand({ Bucket: bucket }));
            assert.equal(cannedAclOf(out.Grants ?? []), acl, bucket);
            assert.equal(out.Grants?.[0].Permission, 'FULL_CONTROL');
            assert.equal(out.Grants?.[0].Grantee?.Type, 'CanonicalUser');
        }
        const publicRead = await west.send(new GetBucketAclCommand({ Bucket: 'insights-demo-public-assets' }));
        assert.deepEqual(publicRead.Grants?.[1], { Grantee: { Type: 'Group', URI: 'http://acs.amazonaws.com/groups/global/AllUsers' }, Permission: 'READ' });
    });

    it('answers GetBucketLocation from any region and redirects other calls to the bucket’s region', async () => {
        assert.equal((await west.send(new GetBucketLocationCommand({ Bucket: 'insights-demo-public-assets' }))).LocationConstraint, 'us-west-2');
        assert.equal((await west.send(new GetBucketLocationCommand({ Bucket: 'insights-demo-policy-public' }))).LocationConstraint, undefined, 'us-east-1 is an empty constraint');
        const redirect = await s3Error(west.send(new GetBucketPolicyCommand({ Bucket: 'insights-demo-policy-public' })));
        assert.equal(redirect.name, 'PermanentRedirect');
        assert.equal(redirect.$metadata.httpStatusCode, 301);
        assert.equal(redirect.$response?.headers['x-amz-bucket-region'], 'us-east-1');
        const following = new S3Client({ ...clientConfig(aws, 'us-west-2'), forcePathStyle: true, followRegionRedirects: true });
        const policy = await following.send(new GetBucketPolicyCommand({ Bucket: 'insights-demo-policy-public' }));
        assert.equal(JSON.parse(policy.Policy ?? '{}').Statement[0].Principal, '*');
        const head = await east.send(new HeadBucketCommand({ Bucket: 'insights-demo-policy-public' }));
        assert.equal(head.BucketRegion, 'us-east-1');
    });

    it('returns each sub-resource, or S3’s own not-found error when it is absent', async () => {
        const missing: [() => Promise<unknown>, string][] = [
            [() => west.send(new GetBucketPolicyCommand({ Bucket: 'insights-demo-public-assets' })), 'NoSuchBucketPolicy'],
            [() => west.send(new GetPublicAccessBlockCommand({ Bucket: 'insights-demo-public-assets' })), 'NoSuchPublicAccessBlockConfiguration'],
            [() => west.send(new GetBucketEncryptionCommand({ Bucket: 'insights-demo-public-assets' })), 'ServerSideEncryptionConfigurationNotFoundError'],
            [() => east.send(new GetBucketTaggingCommand({ Bucket: 'insights-demo-partner-reports' })), 'NoSuchTagSet'],
            [() => west.send(new GetBucketAclCommand({ Bucket: 'no-such-bucket-anywhere' })), 'NoSuchBucket'],
        ];
        for (const [call, code] of missing) {
            const error = await s3Error(call());
            assert.equal(error.name, code);
            assert.equal(error.$metadata.httpStatusCode, 404);
        }
        const pab = await west.send(new GetPublicAccessBlockCommand({ Bucket: 'insights-demo-private-data' }));
        assert.deepEqual(pab.PublicAccessBlockConfiguration, { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true });
        const encryption = await west.send(new GetBucketEncryptionCommand({ Bucket: 'insights-demo-private-data' }));
        const rule = encryption.ServerSideEncryptionConfiguration?.Rules?.[0];
        assert.equal(rule?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm, 'aws:kms');
        assert.equal(rule?.BucketKeyEnabled, true);
        assert.equal((await east.send(new GetBucketEncryptionCommand({ Bucket: 'insights-demo-access-logs' }))).ServerSideEncryptionConfiguration?.Rules?.[0].ApplyServerSideEncryptionByDefault?.SSEAlgorithm, 'AES256');
        assert.equal((await west.send(new GetBucketVersioningCommand({ Bucket: 'insights-demo-private-data' }))).Status, 'Enabled');
        assert.equal((await east.send(new GetBucketVersioningCommand({ Bucket: 'insights-demo-access-logs' }))).Status, 'Suspended');
        assert.equal((await west.send(new GetBucketVersioningCommand({ Bucket: 'insights-demo-public-assets' }))).Status, undefined);
        assert.deepEqual((await west.send(new GetBucketLoggingCommand({ Bucket: 'insights-demo-private-data' }))).LoggingEnabled, {
            TargetBucket: 'insights-demo-access-logs',
            TargetPrefix: 'private-data/',
        });
        assert.equal((await west.send(new GetBucketLoggingCommand({ Bucket: 'insights-demo-public-assets' }))).LoggingEnabled, undefined);
    });

    it('carries markup in tags through XML unchanged', async () => {
        const tags = await west.send(new GetBucketTaggingCommand({ Bucket: 'insights-demo-escaping-check' }));
        assert.deepEqual(tags.TagSet, [
            { Key: 'Name', Value: '<img src=x onerror=alert(1)>' },
            { Key: "<script>alert('k')</script>", Value: `"quoted" & 'apostrophe'` },
        ]);
    });

    it('refuses another account’s bucket with AccessDenied', async () => {
        const member = new S3Client({ ...clientConfig(aws, 'us-west-2'), credentials: MEMBER_KEYS, forcePathStyle: true });
        const error = await s3Error(member.send(new GetBucketAclCommand({ Bucket: 'insights-demo-public-assets' })));
        assert.equal(error.name, 'AccessDenied');
        assert.equal(error.$metadata.httpStatusCode, 403);
        assert.deepEqual((await member.send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name), ['insights-member-artifacts']);
    });

    it('makes a bucket private with PutBucketAcl (canned or grants), and reset undoes it', async () => {
        const bucket = 'insights-demo-public-assets';
        await west.send(new PutBucketAclCommand({ Bucket: bucket, ACL: 'private' }));
        assert.equal(cannedAclOf((await west.send(new GetBucketAclCommand({ Bucket: bucket }))).Grants ?? []), 'private');
        const owner = (await west.send(new GetBucketAclCommand({ Bucket: bucket }))).Owner;
        await west.send(
            new PutBucketAclCommand({
                Bucket: bucket,
                AccessControlPolicy: {
                    Owner: owner,
                    Grants: [
                        { Grantee: { Type: 'CanonicalUser', ID: owner?.ID }, Permission: 'FULL_CONTROL' },
                        { Grantee: { Type: 'Group', URI: 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers' }, Permission: 'READ' },
                    ],
                },
            }),
        );
        assert.equal(cannedAclOf((await west.send(new GetBucketAclCommand({ Bucket: bucket }))).Grants ?? []), 'authenticated-read');
        aws.reset();
        assert.equal(cannedAclOf((await west.send(new GetBucketAclCommand({ Bucket: bucket }))).Grants ?? []), 'public-read');
    });
});
