// The services added for the types real packs validate, through their real clients: ELBv2,
// Auto Scaling and Redshift (Query), ACM (JSON 1.1), EFS, OpenSearch and API Gateway
// (REST-JSON), the new EC2, IAM, KMS and S3 operations; paging and "not found" as AWS answers.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DescribeListenersCommand, DescribeLoadBalancerAttributesCommand, ElasticLoadBalancingV2Client, paginateDescribeLoadBalancers } from '@aws-sdk/client-elastic-load-balancing-v2';
import { AutoScalingClient, paginateDescribeAutoScalingGroups } from '@aws-sdk/client-auto-scaling';
import { DescribeClustersCommand, paginateDescribeClusters, RedshiftClient } from '@aws-sdk/client-redshift';
import { ACMClient, DescribeCertificateCommand, ListCertificatesCommand, paginateListCertificates } from '@aws-sdk/client-acm';
import { EFSClient, paginateDescribeFileSystems } from '@aws-sdk/client-efs';
import { DescribeDomainsCommand, ListDomainNamesCommand, OpenSearchClient } from '@aws-sdk/client-opensearch';
import { APIGatewayClient, GetStagesCommand, paginateGetRestApis } from '@aws-sdk/client-api-gateway';
import { EC2Client, GetEbsEncryptionByDefaultCommand, paginateDescribeRouteTables, paginateDescribeSnapshots } from '@aws-sdk/client-ec2';
import { GetAccountPasswordPolicyCommand, GetLoginProfileCommand, IAMClient, ListAttachedRolePoliciesCommand } from '@aws-sdk/client-iam';
import { KMSClient, ListAliasesCommand } from '@aws-sdk/client-kms';
import { GetBucketCorsCommand, GetBucketNotificationConfigurationCommand, GetBucketOwnershipControlsCommand, GetBucketWebsiteCommand, S3Client } from '@aws-sdk/client-s3';
import { startLocalAws, type LocalAws } from '../../localaws/server';
import { GENERATED_KEYS, generateFixture, resourceMix } from '../../localaws/generateFixture';
import { DEMO_FIXTURE, clientConfig, collect } from './localawsSupport';

let demo: LocalAws;
let generated: LocalAws;
const PER_REGION = 2_000;
const mix = resourceMix(PER_REGION);

before(async () => {
    demo = await startLocalAws({ fixture: DEMO_FIXTURE });
    generated = await startLocalAws({ fixture: generateFixture({ resourcesPerRegion: PER_REGION, seed: 5 }) });
});
after(async () => {
    await demo.stop();
    await generated.stop();
});

const gen = (region = 'us-east-1') => ({ endpoint: generated.url, region, credentials: GENERATED_KEYS, maxAttempts: 1 });

async function failure(promise: Promise<unknown>): Promise<{ name: string; $metadata: { httpStatusCode?: number } }> {
    return promise.then(
        () => assert.fail('expected the call to fail'),
        (e: { name: string; $metadata: { httpStatusCode?: number } }) => e,
    );
}

describe('the services added for real packs, paged as AWS pages them', () => {
    it('pages every new list with small pages', async () => {
        const elb = new ElasticLoadBalancingV2Client(gen());
        const lbs = await collect(paginateDescribeLoadBalancers({ client: elb }, { PageSize: 7 }), (p) => p.LoadBalancers);
        assert.equal(lbs.items.length, mix['elasticloadbalancing.loadBalancers']);
        assert.equal(lbs.pages, Math.ceil(lbs.items.length / 7));
        const asgs = await collect(paginateDescribeAutoScalingGroups({ client: new AutoScalingClient(gen()), pageSize: 7 }, {}), (p) => p.AutoScalingGroups);
        assert.equal(asgs.items.length, mix['autoscaling.groups']);
        const clusters = await collect(paginateDescribeClusters({ client: new RedshiftClient(gen()), pageSize: 20 }, {}), (p) => p.Clusters);
        assert.equal(clusters.items.length, mix['redshift.clusters']);
        const certificates = await collect(paginateListCertificates({ client: new ACMClient(gen()), pageSize: 7 }, { Includes: { keyTypes: ['RSA_2048', 'EC_prime256v1'] } }), (p) => p.CertificateSummaryList);
        assert.equal(certificates.items.length, mix['acm.certificates']);
        const fileSystems = await collect(paginateDescribeFileSystems({ client: new EFSClient(gen()), pageSize: 7 }, {}), (p) => p.FileSystems);
        assert.equal(fileSystems.items.length, mix['efs.fileSystems']);
        assert.equal(fileSystems.pages, Math.ceil(fileSystems.items.length / 7));
        const apis = await collect(paginateGetRestApis({ client: new APIGatewayClient(gen()), pageSize: 7 }, {}), (p) => p.items);
        assert.equal(apis.items.length, mix['apigateway.restApis']);
        assert.equal(apis.pages, Math.ceil(apis.items.length / 7));
        const ec2 = new EC2Client(gen());
        const snapshots = await collect(paginateDescribeSnapshots({ client: ec2, pageSize: 5 }, { OwnerIds: ['self'] }), (p) => p.Snapshots);
        assert.equal(snapshots.items.length, mix['ec2.snapshots']);
        const tables = await collect(paginateDescribeRouteTables({ client: ec2, pageSize: 5 }, {}), (p) => p.RouteTables);
        assert.equal(tables.items.length, mix['ec2.routeTables']);
    });

    it('answers the per-item reads of the demo account, and refuses as AWS does', async () => {
        const elb = new ElasticLoadBalancingV2Client(clientConfig(demo));
        const lb = (await collect(paginateDescribeLoadBalancers({ client: elb }, {}), (p) => p.LoadBalancers)).items[0];
        assert.equal(lb.LoadBalancerName, 'web-alb');
        const attributes = await elb.send(new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: lb.LoadBalancerArn }));
        assert.equal(attributes.Attributes?.find((a) => a.Key === 'deletion_protection.enabled')?.Value, 'false');
        const listeners = await elb.send(new DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn }));
        assert.deepEqual(listeners.Listeners?.map((l) => [l.Port, l.Protocol]), [[80, 'HTTP']]);
        assert.equal((await failure(elb.send(new DescribeListenersCommand({ LoadBalancerArn: 'arn:nope' })))).name, 'LoadBalancerNotFoundException');

        const search = new OpenSearchClient(clientConfig(demo));
        const names = (await search.send(new ListDomainNamesCommand({}))).DomainNames ?? [];
        assert.deepEqual(names.map((d) => [d.DomainName, d.EngineType]), [['logs-search', 'Elasticsearch'], ['app-search', 'OpenSearch']]);
        const domains = await search.send(new DescribeDomainsCommand({ DomainNames: names.map((d) => d.DomainName!) }));
        assert.deepEqual(domains.DomainStatusList?.map((d) => [d.DomainName, d.EncryptionAtRestOptions?.Enabled, d.VPCOptions?.VPCId]), [['logs-search', false, undefined], ['app-search', true, 'vpc-0a1b2c3d4e5f60001']]);
        const tooMany = await failure(search.send(new DescribeDomainsCommand({ DomainNames: ['a', 'b', 'c', 'd', 'e', 'f'] })));
        assert.equal(tooMany.name, 'ValidationException');

        const apigateway = new APIGatewayClient(clientConfig(demo));
        const stages = await apigateway.send(new GetStagesCommand({ restApiId: 'a1b2c3d4e5' }));
        assert.deepEqual(stages.item?.map((s) => [s.stageName, s.cacheClusterEnabled, s.methodSettings?.['*/*']?.cacheDataEncrypted]), [['prod', false, false]]);
        const missingApi = await failure(apigateway.send(new GetStagesCommand({ restApiId: 'nope' })));
        assert.deepEqual([missingApi.name, missingApi.$metadata.httpStatusCode], ['NotFoundException', 404]);

        const acm = new ACMClient(clientConfig(demo));
        const certificate = await acm.send(new DescribeCertificateCommand({ CertificateArn: 'arn:aws:acm:us-west-2:123456789012:certificate/1f2e3d4c-0000-4000-8000-000000000001' }));
        assert.equal(certificate.Certificate?.NotAfter?.toISOString(), '2025-02-14T23:59:59.000Z');
        // ACM leaves out all but RSA 1024/2048 certificates unless asked for other key types
        const ecdsa = await startLocalAws({
            fixture: {
                accounts: [{ name: 'a', accountId: '111122223333', regions: ['us-west-2'], accessKeys: [{ ...GENERATED_KEYS }], resources: { 'us-west-2': { acm: { certificates: [{ CertificateArn: 'arn:aws:acm:us-west-2:111122223333:certificate/ec', DomainName: 'ec.example.com', KeyAlgorithm: 'EC_prime256v1' }] } } } }],
            },
        });
        try {
            const client = new ACMClient({ ...gen('us-west-2'), endpoint: ecdsa.url });
            assert.equal((await client.send(new ListCertificatesCommand({}))).CertificateSummaryList?.length, 0);
            assert.equal((await client.send(new ListCertificatesCommand({ Includes: { keyTypes: ['EC_prime256v1'] } }))).CertificateSummaryList?.length, 1);
        } finally {
            await ecdsa.stop();
        }
        const redshift = await new RedshiftClient(clientConfig(demo)).send(new DescribeClustersCommand({}));
        assert.deepEqual(redshift.Clusters?.map((c) => [c.ClusterIdentifier, c.PubliclyAccessible, c.Encrypted]), [['analytics', true, false]]);
    });

    it('serves the new EC2, IAM, KMS and S3 reads, with "not configured" as each API says it', async () => {
        assert.equal((await new EC2Client(clientConfig(demo)).send(new GetEbsEncryptionByDefaultCommand({}))).EbsEncryptionByDefault, false);
        assert.equal((await new EC2Client(clientConfig(demo, 'us-east-1')).send(new GetEbsEncryptionByDefaultCommand({}))).EbsEncryptionByDefault, true);
        const iam = new IAMClient(clientConfig(demo, 'us-east-1'));
        assert.equal((await iam.send(new GetLoginProfileCommand({ UserName: 'alice' }))).LoginProfile?.UserName, 'alice');
        const noProfile = await failure(iam.send(new GetLoginProfileCommand({ UserName: 'ci-deployer' })));
        assert.deepEqual([noProfile.name, noProfile.$metadata.httpStatusCode], ['NoSuchEntityException', 404]);
        assert.equal((await iam.send(new GetAccountPasswordPolicyCommand({}))).PasswordPolicy?.MinimumPasswordLength, 8);
        const attached = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'lambda-exec' }));
        assert.deepEqual(attached.AttachedPolicies?.map((p) => p.PolicyName), ['AWSLambdaBasicExecutionRole']);
        const aliases = await new KMSClient(clientConfig(demo)).send(new ListAliasesCommand({}));
        assert.deepEqual(aliases.Aliases?.map((a) => a.AliasName), ['alias/app-data', 'alias/aws/s3']);

        const s3 = new S3Client(clientConfig(demo, 'us-west-2', { forcePathStyle: true }));
        const website = await s3.send(new GetBucketWebsiteCommand({ Bucket: 'insights-demo-public-assets' }));
        assert.equal(website.IndexDocument?.Suffix, 'index.html');
        const cors = await s3.send(new GetBucketCorsCommand({ Bucket: 'insights-demo-public-assets' }));
        assert.deepEqual(cors.CORSRules?.map((r) => r.AllowedOrigins), [['*']]);
        const ownership = await s3.send(new GetBucketOwnershipControlsCommand({ Bucket: 'insights-demo-private-data' }));
        assert.equal(ownership.OwnershipControls?.Rules?.[0]?.ObjectOwnership, 'BucketOwnerEnforced');
        const notification = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: 'insights-demo-private-data' }));
        assert.deepEqual(notification.QueueConfigurations?.map((q) => q.Events), [['s3:ObjectCreated:*']]);
        const none = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: 'insights-demo-public-assets' }));
        assert.equal(none.QueueConfigurations, undefined);
        const noWebsite = await failure(s3.send(new GetBucketWebsiteCommand({ Bucket: 'insights-demo-private-data' })));
        assert.deepEqual([noWebsite.name, noWebsite.$metadata.httpStatusCode], ['NoSuchWebsiteConfiguration', 404]);
    });
});
