/**
 * The mappers: SDK-shaped AWS answers (as recorded from the SDK) into @pulumi/aws type
 * tokens and property names, as a pack author using validateResourceOfType expects them.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cannedAclOf, mapBucket } from '../../../server/src/accounts/aws/s3Discovery';
import { mapInstance, mapSecurityGroup, mapSubnet, mapVolume, mapVpc } from '../../../server/src/accounts/aws/ec2Discovery';
import { mapAccessKey, mapLoginProfile, mapPasswordPolicy, mapPolicy, mapRole, mapUser, mapUserPolicyAttachment } from '../../../server/src/accounts/aws/iamDiscovery';
import { mapAlias, mapDbInstance, mapFunction, mapKey, mapLogGroup, mapQueue, mapQueuePolicy, mapTable, mapTopic, mapTrail } from '../../../server/src/accounts/aws/dataServicesDiscovery';
import { mapListener, mapLoadBalancer } from '../../../server/src/accounts/aws/loadBalancingDiscovery';
import { mapDomain, mapFileSystem, mapRedshiftCluster } from '../../../server/src/accounts/aws/storageSearchDiscovery';
import { mapCertificate, mapRestApi, mapStage } from '../../../server/src/accounts/aws/apiCertificateDiscovery';
import { mapLaunchConfiguration } from '../../../server/src/accounts/aws/autoScalingDiscovery';
import { mapEncryptionByDefault, mapNetworkAcl, mapRouteTable } from '../../../server/src/accounts/aws/ec2NetworkDiscovery';
import { addAwsAccount, listResources, scanAccount } from '../../../server/src/accounts';
import { awsCoverage } from '../../../server/src/accounts/aws/awsCoverage';
import { DISCOVERERS } from '../../../server/src/accounts/aws/awsDiscovery';
import { API_CERTIFICATE_TYPES, EC2_TYPES, LB_TYPES, S3_TYPES, STORAGE_SEARCH_TYPES } from '../../../server/src/accounts/aws/awsServiceTypes';
import type { DiscoveredResource } from '../../../server/src/accounts/aws/discoveryTypes';
import { REPO, startWorld, type AwsWorld } from './accountsTestSupport';

const OWNER = { Type: 'CanonicalUser' as const, ID: 'abc123' };
const ownerGrant = { Grantee: OWNER, Permission: 'FULL_CONTROL' as const };
const group = (uri: string, Permission: 'READ' | 'WRITE' | 'FULL_CONTROL') => ({ Grantee: { Type: 'Group' as const, URI: `http://acs.amazonaws.com/groups/global/${uri}` }, Permission });

/** The output property names @pulumi/aws declares for a type token, read from its .d.ts. */
function pulumiProperties(type: string): Set<string> {
    const match = /^aws:([a-zA-Z0-9]+)\/([a-zA-Z0-9]+):([A-Za-z0-9]+)$/.exec(type);
    assert.ok(match, `${type} is not an aws type token`);
    const dts = readFileSync(join(REPO, 'node_modules/@pulumi/aws', match[1], `${match[2]}.d.ts`), 'utf8');
    const body = dts.slice(dts.indexOf(`export declare class ${match[3]} `), dts.indexOf('constructor('));
    return new Set([...body.matchAll(/^ {4}readonly ([a-zA-Z0-9]+)[?]?:/gm)].map((m) => m[1]));
}

/** Properties we add beyond @pulumi/aws's own, each documented in MAPPING.md. */
const EXTRA_PROPERTIES: Record<string, string[]> = {
    'aws:s3/bucket:Bucket': ['creationDate'],
    'aws:ebs/volume:Volume': ['attachments'],
    'aws:ec2/instance:Instance': ['launchTime'],
    'aws:iam/user:User': ['createDate', 'passwordLastUsed'],
    'aws:iam/accessKey:AccessKey': [],
    'aws:kms/key:Key': ['keyState', 'keyManager', 'origin', 'creationDate'],
    'aws:dynamodb/table:Table': ['itemCount', 'tableSizeBytes'],
    'aws:cloudwatch/logGroup:LogGroup': ['storedBytes'],
    'aws:iam/userLoginProfile:UserLoginProfile': ['createDate'],
    'aws:iam/group:Group': ['createDate'],
};

function assertPulumiShaped(resource: Pick<DiscoveredResource, 'type' | 'properties'>): void {
    const declared = pulumiProperties(resource.type);
    const extras = new Set(EXTRA_PROPERTIES[resource.type] ?? []);
    for (const key of Object.keys(resource.properties)) {
        assert.ok(declared.has(key) || extras.has(key), `${resource.type} property "${key}" is neither a @pulumi/aws property nor a documented extra`);
    }
}

describe('type tokens', () => {
    it('every type a discoverer declares is a @pulumi/aws resource type token', () => {
        // loading @pulumi/aws is slow (~1 s) but it is the ground truth packs compare against
        const aws = require('@pulumi/aws') as Record<string, Record<string, { __pulumiType?: string }>>;
        const tokens = new Set<string>();
        for (const mod of Object.values(aws)) {
            if (typeof mod !== 'object' || mod === null) continue;
            for (const member of Object.values(mod)) {
                const token = (member as { __pulumiType?: string } | undefined)?.__pulumiType;
                if (typeof token === 'string') tokens.add(token);
            }
        }
        const ours = DISCOVERERS.flatMap((d) => d.types);
        for (const type of ours) assert.ok(tokens.has(type), `${type} is not exported by @pulumi/aws`);
        assert.ok(new Set(ours).size >= 60, `only ${new Set(ours).size} types`);
        assert.ok(new Set(DISCOVERERS.map((d) => d.service)).size >= 10);
    });
});

describe('S3 mapper', () => {
    it('derives the canned acl from the grants', () => {
        assert.equal(cannedAclOf([ownerGrant]), 'private');
        assert.equal(cannedAclOf([ownerGrant, group('AllUsers', 'READ')]), 'public-read');
        assert.equal(cannedAclOf([ownerGrant, group('AllUsers', 'READ'), group('AllUsers', 'WRITE')]), 'public-read-write');
        assert.equal(cannedAclOf([ownerGrant, group('AuthenticatedUsers', 'READ')]), 'authenticated-read');
        // not a canned ACL: named by the widest access it gives
        assert.equal(cannedAclOf([ownerGrant, group('AllUsers', 'FULL_CONTROL')]), 'public-read-write');
        assert.equal(cannedAclOf([ownerGrant, group('AuthenticatedUsers', 'READ'), group('AllUsers', 'READ')]), 'public-read');
        assert.equal(cannedAclOf(undefined), 'private');
    });

    it('maps a fully configured bucket into Bucket and its configuration resources', () => {
        const policy = '{"Version":"2012-10-17","Statement":[]}';
        const resources = mapBucket({
            name: 'data',
            region: 'us-west-2',
            creationDate: new Date('2023-03-02T09:00:00Z'),
            acl: { Owner: { ID: 'abc123' }, Grants: [ownerGrant, group('AllUsers', 'READ')] },
            policy,
            publicAccessBlock: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: false, RestrictPublicBuckets: true },
            encryption: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: 'arn:aws:kms:us-west-2:1:key/k' }, BucketKeyEnabled: true }] },
            versioning: { Status: 'Enabled' },
            logging: { TargetBucket: 'logs', TargetPrefix: 'data/' },
            tags: [{ Key: 'team', Value: 'data' }],
            ownershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
            lifecycle: { Rules: [{ ID: 'tmp', Status: 'Enabled', Filter: { Prefix: 'tmp/' }, Expiration: { Days: 30 } }] },
            cors: [{ AllowedMethods: ['GET'], AllowedOrigins: ['*'], MaxAgeSeconds: 600 }],
            website: { IndexDocument: { Suffix: 'index.html' } },
            notification: { QueueConfigurations: [{ Id: 'q', QueueArn: 'arn:aws:sqs:us-west-2:1:jobs', Events: ['s3:ObjectCreated:*'] }] },
        });
        const byType = new Map(resources.map((r) => [r.type, r]));
        assert.deepEqual([...byType.keys()].sort(), Object.values(S3_TYPES).sort());
        const bucket = byType.get(S3_TYPES.bucket)!;
        assert.equal(bucket.properties.acl, 'public-read');
        assert.equal(bucket.properties.bucket, 'data');
        assert.equal(bucket.properties.arn, 'arn:aws:s3:::data');
        assert.equal(bucket.properties.policy, policy);
        assert.deepEqual(bucket.properties.tags, { team: 'data' });
        assert.deepEqual(bucket.properties.versioning, { enabled: true, mfaDelete: false });
        assert.deepEqual(bucket.properties.logging, { targetBucket: 'logs', targetPrefix: 'data/' });
        assert.deepEqual(bucket.properties.serverSideEncryptionConfiguration, { rule: { applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: 'arn:aws:kms:us-west-2:1:key/k' }, bucketKeyEnabled: true } });
        assert.deepEqual(bucket.properties.grants, [
            { type: 'CanonicalUser', id: 'abc123', permissions: ['FULL_CONTROL'] },
            { type: 'Group', uri: 'http://acs.amazonaws.com/groups/global/AllUsers', permissions: ['READ'] },
        ]);
        assert.equal(bucket.properties.creationDate, '2023-03-02T09:00:00.000Z');
        assert.deepEqual(byType.get(S3_TYPES.publicAccessBlock)!.properties, { bucket: 'data', region: 'us-west-2', blockPublicAcls: true, blockPublicPolicy: false, ignorePublicAcls: true, restrictPublicBuckets: true });
        assert.deepEqual(byType.get(S3_TYPES.versioning)!.properties.versioningConfiguration, { status: 'Enabled' });
        assert.deepEqual(byType.get(S3_TYPES.encryption)!.properties.rules, [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: 'arn:aws:kms:us-west-2:1:key/k' }, bucketKeyEnabled: true }]);
        assert.equal(byType.get(S3_TYPES.logging)!.properties.targetBucket, 'logs');
        assert.equal(byType.get(S3_TYPES.policy)!.properties.policy, policy);
        assert.equal(byType.get(S3_TYPES.acl)!.properties.acl, 'public-read');
        assert.deepEqual(byType.get(S3_TYPES.acl)!.properties.accessControlPolicy, {
            grants: [
                { grantee: { type: 'CanonicalUser', id: 'abc123' }, permission: 'FULL_CONTROL' },
                { grantee: { type: 'Group', uri: 'http://acs.amazonaws.com/groups/global/AllUsers' }, permission: 'READ' },
            ],
            owner: { id: 'abc123' },
        });
        assert.deepEqual(byType.get(S3_TYPES.ownershipControls)!.properties.rule, { objectOwnership: 'BucketOwnerEnforced' });
        assert.deepEqual(byType.get(S3_TYPES.lifecycle)!.properties.rules, [{ id: 'tmp', status: 'Enabled', filter: { prefix: 'tmp/' }, expiration: { days: 30 } }]);
        assert.deepEqual(byType.get(S3_TYPES.cors)!.properties.corsRules, [{ allowedMethods: ['GET'], allowedOrigins: ['*'], maxAgeSeconds: 600 }]);
        assert.equal(byType.get(S3_TYPES.website)!.properties.websiteEndpoint, 'data.s3-website-us-west-2.amazonaws.com');
        assert.deepEqual(byType.get(S3_TYPES.notification)!.properties.queues, [{ id: 'q', queueArn: 'arn:aws:sqs:us-west-2:1:jobs', events: ['s3:ObjectCreated:*'] }]);
        for (const r of resources) assertPulumiShaped(r);
    });

    it('maps a bare bucket to a private Bucket and its BucketAcl, without configuration', () => {
        const [bucket, ...rest] = mapBucket({ name: 'bare', region: 'us-east-1', acl: { Grants: [ownerGrant] } });
        // every bucket has an ACL, so every bucket has a BucketAcl
        assert.deepEqual(rest.map((r) => [r.type, r.properties.acl]), [[S3_TYPES.acl, 'private']]);
        assert.equal(bucket.properties.acl, 'private');
        assert.equal(bucket.properties.policy, undefined);
        assert.equal(bucket.properties.tags, undefined);
        assert.deepEqual(bucket.properties.versioning, { enabled: false, mfaDelete: false });
    });
});

describe('EC2 mappers', () => {
    const where = { region: 'us-west-2', accountId: '123456789012' };

    it('maps an instance with its security groups, metadata options and block devices', () => {
        const r = mapInstance(
            {
                InstanceId: 'i-1',
                InstanceType: 't3.micro',
                ImageId: 'ami-1',
                SubnetId: 'subnet-1',
                PublicIpAddress: '54.1.1.1',
                PrivateIpAddress: '10.0.0.1',
                RootDeviceName: '/dev/xvda',
                State: { Name: 'running', Code: 16 },
                Placement: { AvailabilityZone: 'us-west-2a' },
                SecurityGroups: [{ GroupId: 'sg-1', GroupName: 'web' }],
                MetadataOptions: { HttpTokens: 'optional', HttpEndpoint: 'enabled' },
                BlockDeviceMappings: [
                    { DeviceName: '/dev/xvda', Ebs: { VolumeId: 'vol-1', DeleteOnTermination: true } },
                    { DeviceName: '/dev/sdf', Ebs: { VolumeId: 'vol-2', DeleteOnTermination: false } },
                ],
                Tags: [{ Key: 'Name', Value: 'web-1' }],
                LaunchTime: new Date('2024-01-10T10:00:00Z'),
            },
            where,
        );
        assert.equal(r.type, EC2_TYPES.instance);
        assert.equal(r.name, 'web-1');
        assert.equal(r.key, 'i-1');
        const p = r.properties;
        assert.equal(p.ami, 'ami-1');
        assert.equal(p.instanceType, 't3.micro');
        assert.equal(p.arn, 'arn:aws:ec2:us-west-2:123456789012:instance/i-1');
        assert.equal(p.associatePublicIpAddress, true);
        assert.equal(p.publicIp, '54.1.1.1');
        assert.deepEqual(p.vpcSecurityGroupIds, ['sg-1']);
        assert.deepEqual(p.metadataOptions, { httpEndpoint: 'enabled', httpTokens: 'optional' });
        assert.deepEqual(p.rootBlockDevice, { deviceName: '/dev/xvda', volumeId: 'vol-1', deleteOnTermination: true });
        assert.deepEqual(p.ebsBlockDevices, [{ deviceName: '/dev/sdf', volumeId: 'vol-2', deleteOnTermination: false }]);
        assert.equal(p.instanceState, 'running');
        assertPulumiShaped(r);
    });

    it('maps security group rules to ingress/egress with cidrBlocks, self and referenced groups', () => {
        const r = mapSecurityGroup(
            {
                GroupId: 'sg-1',
                GroupName: 'web',
                Description: 'web tier',
                VpcId: 'vpc-1',
                OwnerId: '123456789012',
                IpPermissions: [
                    { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0', Description: 'ssh' }], Ipv6Ranges: [{ CidrIpv6: '::/0' }] },
                    { IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, UserIdGroupPairs: [{ GroupId: 'sg-1' }, { GroupId: 'sg-2' }] },
                ],
                IpPermissionsEgress: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
            },
            where,
        );
        assert.equal(r.name, 'web');
        assert.deepEqual(r.properties.ingress, [
            { protocol: 'tcp', fromPort: 22, toPort: 22, cidrBlocks: ['0.0.0.0/0'], ipv6CidrBlocks: ['::/0'], prefixListIds: [], securityGroups: [], self: false, description: 'ssh' },
            { protocol: 'tcp', fromPort: 5432, toPort: 5432, cidrBlocks: [], ipv6CidrBlocks: [], prefixListIds: [], securityGroups: ['sg-2'], self: true },
        ]);
        assert.deepEqual(r.properties.egress, [{ protocol: '-1', fromPort: 0, toPort: 0, cidrBlocks: ['0.0.0.0/0'], ipv6CidrBlocks: [], prefixListIds: [], securityGroups: [], self: false }]);
        assert.equal(r.properties.name, 'web');
        assertPulumiShaped(r);
    });

    it('maps volumes, VPCs (default VPCs as DefaultVpc) and subnets', () => {
        const volume = mapVolume({ VolumeId: 'vol-1', Size: 30, VolumeType: 'gp3', Encrypted: false, AvailabilityZone: 'us-west-2a', Attachments: [{ InstanceId: 'i-1', Device: '/dev/xvda', State: 'attached' }] }, where);
        assert.equal(volume.type, 'aws:ebs/volume:Volume');
        assert.equal(volume.properties.encrypted, false);
        assert.equal(volume.properties.size, 30);
        assert.equal(volume.properties.type, 'gp3');
        assertPulumiShaped(volume);
        const vpc = mapVpc({ VpcId: 'vpc-1', CidrBlock: '10.0.0.0/16', IsDefault: false, Tags: [{ Key: 'Name', Value: 'main' }] }, where);
        assert.equal(vpc.type, EC2_TYPES.vpc);
        assert.equal(vpc.name, 'main');
        assert.equal(vpc.properties.cidrBlock, '10.0.0.0/16');
        assertPulumiShaped(vpc);
        assert.equal(mapVpc({ VpcId: 'vpc-2', IsDefault: true }, where).type, EC2_TYPES.defaultVpc);
        const subnet = mapSubnet({ SubnetId: 'subnet-1', VpcId: 'vpc-1', CidrBlock: '10.0.1.0/24', MapPublicIpOnLaunch: true }, where);
        assert.equal(subnet.properties.mapPublicIpOnLaunch, true);
        assert.equal(subnet.properties.vpcId, 'vpc-1');
        assertPulumiShaped(subnet);
    });
});

describe('IAM mappers', () => {
    it('maps users, keys (never a secret), attachments, roles and policies with decoded documents', () => {
        const user = mapUser({ UserName: 'alice', UserId: 'AID1', Arn: 'arn:aws:iam::1:user/alice', Path: '/', CreateDate: new Date('2021-05-10T00:00:00Z'), Tags: [{ Key: 'team', Value: 'platform' }] });
        assert.equal(user.region, undefined);
        assert.deepEqual(user.properties, { name: 'alice', path: '/', arn: 'arn:aws:iam::1:user/alice', uniqueId: 'AID1', tags: { team: 'platform' }, createDate: '2021-05-10T00:00:00.000Z' });
        const key = mapAccessKey({ AccessKeyId: 'AKIA1', UserName: 'alice', Status: 'Active', CreateDate: new Date('2021-05-10T00:00:00Z') });
        assert.deepEqual(key.properties, { user: 'alice', status: 'Active', createDate: '2021-05-10T00:00:00.000Z' });
        assert.equal(JSON.stringify(key).includes('secret'), false);
        const attachment = mapUserPolicyAttachment('alice', { PolicyName: 'Admin', PolicyArn: 'arn:aws:iam::1:policy/Admin' });
        assert.deepEqual(attachment.properties, { user: 'alice', policyArn: 'arn:aws:iam::1:policy/Admin' });
        const trust = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}';
        const role = mapRole({ RoleName: 'exec', RoleId: 'AROA1', Arn: 'arn:aws:iam::1:role/exec', Path: '/', CreateDate: new Date(0), AssumeRolePolicyDocument: encodeURIComponent(trust), MaxSessionDuration: 3600 });
        assert.equal(role.properties.assumeRolePolicy, trust);
        assert.equal(role.properties.maxSessionDuration, 3600);
        const doc = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}';
        const policy = mapPolicy({ PolicyName: 'Admin', Arn: 'arn:aws:iam::1:policy/Admin', AttachmentCount: 1, Path: '/' }, encodeURIComponent(doc));
        assert.equal(policy.properties.policy, doc);
        assert.deepEqual(JSON.parse(policy.properties.policy as string).Statement[0].Action, '*');
        for (const r of [user, key, attachment, role, policy]) assertPulumiShaped(r);
    });
});

describe('data service mappers', () => {
    const region = 'us-west-2';

    it('maps RDS instances', () => {
        const r = mapDbInstance({ DBInstanceIdentifier: 'orders', DBInstanceClass: 'db.t3.medium', Engine: 'postgres', PubliclyAccessible: true, StorageEncrypted: false, MultiAZ: false, BackupRetentionPeriod: 1, Endpoint: { Address: 'orders.x.rds.amazonaws.com', Port: 5432 }, TagList: [{ Key: 'team', Value: 'orders' }] }, region);
        assert.equal(r.type, 'aws:rds/instance:Instance');
        assert.equal(r.properties.publiclyAccessible, true);
        assert.equal(r.properties.storageEncrypted, false);
        assert.equal(r.properties.instanceClass, 'db.t3.medium');
        assert.equal(r.properties.endpoint, 'orders.x.rds.amazonaws.com:5432');
        assertPulumiShaped(r);
    });

    it('maps Lambda functions and redacts environment values', () => {
        const r = mapFunction({ FunctionName: 'api', Runtime: 'nodejs12.x', Handler: 'index.handler', MemorySize: 256, Timeout: 30, TracingConfig: { Mode: 'Active' }, Environment: { Variables: { DB_PASSWORD: 'hunter2', STAGE: 'prod' } } }, region);
        assert.equal(r.properties.runtime, 'nodejs12.x');
        assert.deepEqual(r.properties.tracingConfig, { mode: 'Active' });
        assert.deepEqual(r.properties.environment, { variables: { DB_PASSWORD: '<redacted>', STAGE: '<redacted>' } });
        assert.equal(JSON.stringify(r).includes('hunter2'), false);
        assertPulumiShaped(r);
    });

    it('maps KMS keys, trails, tables, queues, topics and log groups', () => {
        const key = mapKey({ KeyId: 'k1', Arn: 'arn:aws:kms:us-west-2:1:key/k1', KeyUsage: 'ENCRYPT_DECRYPT', KeySpec: 'SYMMETRIC_DEFAULT', Enabled: true }, false, region);
        assert.equal(key.properties.enableKeyRotation, false);
        assert.equal(key.properties.isEnabled, true);
        const trail = mapTrail({ Name: 't', S3BucketName: 'logs', IsMultiRegionTrail: true, LogFileValidationEnabled: false, HomeRegion: region }, true, region);
        assert.equal(trail.properties.enableLogging, true);
        assert.equal(trail.properties.enableLogFileValidation, false);
        assert.equal(trail.properties.isMultiRegionTrail, true);
        const table = mapTable({ TableName: 'sessions', KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], BillingModeSummary: { BillingMode: 'PAY_PER_REQUEST' } }, region);
        assert.equal(table.properties.hashKey, 'id');
        assert.deepEqual(table.properties.attributes, [{ name: 'id', type: 'S' }]);
        assert.deepEqual(table.properties.serverSideEncryption, { enabled: false });
        assert.equal(table.properties.billingMode, 'PAY_PER_REQUEST');
        const queue = mapQueue('https://sqs.us-west-2.amazonaws.com/1/jobs', { QueueArn: 'arn:aws:sqs:us-west-2:1:jobs', VisibilityTimeout: '60', SqsManagedSseEnabled: 'false' }, region);
        assert.equal(queue.name, 'jobs');
        assert.equal(queue.properties.visibilityTimeoutSeconds, 60);
        assert.equal(queue.properties.sqsManagedSseEnabled, false);
        assert.equal(queue.properties.kmsMasterKeyId, undefined);
        const topic = mapTopic('arn:aws:sns:us-west-2:1:alerts', { DisplayName: 'Ops', KmsMasterKeyId: 'alias/aws/sns' }, region);
        assert.equal(topic.name, 'alerts');
        assert.equal(topic.properties.kmsMasterKeyId, 'alias/aws/sns');
        const logs = mapLogGroup({ logGroupName: '/aws/lambda/api', arn: 'arn:aws:logs:us-west-2:1:log-group:/aws/lambda/api:*' }, region);
        assert.equal(logs.properties.retentionInDays, 0);
        assert.equal(logs.properties.arn, 'arn:aws:logs:us-west-2:1:log-group:/aws/lambda/api');
        for (const r of [key, trail, table, queue, topic, logs]) assertPulumiShaped(r);
    });
});

describe('mappers of the types AWSGuard and the templates validate', () => {
    const region = 'us-west-2';

    it('names load balancer attributes as @pulumi/aws does and keeps listener redirects', () => {
        const lb = mapLoadBalancer(
            { LoadBalancerName: 'web', LoadBalancerArn: 'arn:aws:elasticloadbalancing:us-west-2:1:loadbalancer/app/web/abc', Scheme: 'internal', Type: 'application', AvailabilityZones: [{ SubnetId: 's-1' }] },
            [
                { Key: 'access_logs.s3.enabled', Value: 'true' },
                { Key: 'access_logs.s3.bucket', Value: 'logs' },
                { Key: 'access_logs.s3.prefix', Value: '' },
                { Key: 'deletion_protection.enabled', Value: 'false' },
                { Key: 'idle_timeout.timeout_seconds', Value: '60' },
            ],
            region,
        );
        assert.equal(lb.type, LB_TYPES.loadBalancer);
        assert.equal(lb.id, 'arn:aws:elasticloadbalancing:us-west-2:1:loadbalancer/app/web/abc');
        assert.equal(lb.properties.arnSuffix, 'app/web/abc');
        assert.equal(lb.properties.internal, true);
        assert.deepEqual(lb.properties.accessLogs, { enabled: true, bucket: 'logs' });
        assert.equal(lb.properties.enableDeletionProtection, false);
        assert.equal(lb.properties.idleTimeout, 60);
        assert.deepEqual(lb.properties.subnets, ['s-1']);
        const listener = mapListener(
            { ListenerArn: 'arn:l', LoadBalancerArn: 'arn:aws:elasticloadbalancing:us-west-2:1:loadbalancer/app/web/abc', Port: 80, Protocol: 'HTTP', DefaultActions: [{ Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' } }] },
            region,
        );
        assert.equal(listener.name, 'web:80');
        assert.deepEqual(listener.properties.defaultActions, [{ type: 'redirect', redirect: { protocol: 'HTTPS', port: '443', statusCode: 'HTTP_301' } }]);
        for (const r of [lb, listener]) assertPulumiShaped(r);
    });

    it('types a search domain by its engine and leaves vpcOptions out of a public domain', () => {
        const es = mapDomain({ DomainId: '1/logs', DomainName: 'logs', ARN: 'arn:es', EngineVersion: 'Elasticsearch_7.10', ClusterConfig: {}, EncryptionAtRestOptions: { Enabled: false } }, region);
        assert.equal(es.type, STORAGE_SEARCH_TYPES.elasticsearchDomain);
        assert.equal(es.properties.elasticsearchVersion, '7.10');
        assert.equal(es.properties.vpcOptions, undefined);
        assert.deepEqual(es.properties.encryptAtRest, { enabled: false });
        const os = mapDomain({ DomainId: '1/app', DomainName: 'app', ARN: 'arn:os', EngineVersion: 'OpenSearch_2.11', ClusterConfig: {}, VPCOptions: { VPCId: 'vpc-1', SubnetIds: ['s-1'] }, Endpoints: { vpc: 'vpc-app.es' } }, region);
        assert.equal(os.type, STORAGE_SEARCH_TYPES.opensearchDomain);
        assert.equal(os.properties.engineVersion, 'OpenSearch_2.11');
        assert.equal(os.properties.endpoint, 'vpc-app.es');
        assert.deepEqual(os.properties.vpcOptions, { vpcId: 'vpc-1', subnetIds: ['s-1'] });
        const redshift = mapRedshiftCluster({ ClusterIdentifier: 'dw', NumberOfNodes: 2, Endpoint: { Address: 'dw.x', Port: 5439 }, MultiAZ: 'Disabled' }, region, '1');
        assert.equal(redshift.properties.clusterType, 'multi-node');
        assert.equal(redshift.properties.publiclyAccessible, false);
        assert.equal(redshift.properties.encrypted, false);
        assert.equal(redshift.properties.multiAz, false);
        assert.equal(redshift.properties.arn, 'arn:aws:redshift:us-west-2:1:cluster:dw');
        const efs = mapFileSystem({ FileSystemId: 'fs-1', Encrypted: false, SizeInBytes: { Value: 6144 }, OwnerId: '1', CreationToken: 't', CreationTime: new Date(0), LifeCycleState: 'available', NumberOfMountTargets: 0, PerformanceMode: 'generalPurpose', Tags: [] }, region);
        assert.equal(efs.properties.kmsKeyId, undefined);
        assert.deepEqual(efs.properties.sizeInBytes, [{ value: 6144 }]);
        for (const r of [es, os, redshift, efs]) assertPulumiShaped(r);
    });

    it('splits a stage into the Stage and one MethodSettings per method path', () => {
        const api = mapRestApi({ id: 'abc', name: 'orders', endpointConfiguration: { types: ['EDGE'] }, minimumCompressionSize: 1024, policy: '{\\"Version\\":\\"2012-10-17\\"}' }, region, '1');
        assert.equal(api.name, 'orders');
        assert.equal(api.properties.minimumCompressionSize, '1024');
        assert.equal(api.properties.policy, '{"Version":"2012-10-17"}');
        const [stage, settings] = mapStage('abc', { stageName: 'prod', deploymentId: 'd1', methodSettings: { '*/*': { cachingEnabled: false, cacheDataEncrypted: false } } }, region, '1');
        assert.equal(stage.type, API_CERTIFICATE_TYPES.stage);
        assert.equal(stage.properties.cacheClusterEnabled, false);
        assert.equal(stage.properties.deployment, 'd1');
        assert.equal(settings.type, API_CERTIFICATE_TYPES.methodSettings);
        assert.equal(settings.key, 'abc/prod/*/*');
        assert.deepEqual(settings.properties.settings, { cachingEnabled: false, cacheDataEncrypted: false });
        const certificate = mapCertificate({ CertificateArn: 'arn:aws:acm:us-west-2:1:certificate/c-1', DomainName: 'a.example.com', NotAfter: new Date('2025-01-01T00:00:00Z'), Status: 'ISSUED' }, region);
        assert.equal(certificate.key, 'c-1');
        assert.equal(certificate.properties.notAfter, '2025-01-01T00:00:00.000Z');
        for (const r of [api, stage, settings, certificate]) assertPulumiShaped(r);
    });

    it('maps login profiles without a password, the password policy, aliases and queue policies', () => {
        const profile = mapLoginProfile({ UserName: 'alice', CreateDate: new Date(0), PasswordResetRequired: false });
        assert.deepEqual(Object.keys(profile.properties).sort(), ['createDate', 'passwordResetRequired', 'user']);
        const passwordPolicy = mapPasswordPolicy({ MinimumPasswordLength: 8, RequireSymbols: false });
        assert.equal(passwordPolicy.id, 'iam-account-password-policy');
        assert.equal(passwordPolicy.properties.minimumPasswordLength, 8);
        assert.equal(mapAlias({ AliasName: 'alias/aws/s3', TargetKeyId: 'k' }, region, '1'), undefined, 'AWS managed aliases are not Pulumi resources');
        const alias = mapAlias({ AliasName: 'alias/app', AliasArn: 'arn:alias', TargetKeyId: 'k1' }, region, '1')!;
        assert.equal(alias.properties.targetKeyArn, 'arn:aws:kms:us-west-2:1:key/k1');
        assert.equal(mapQueuePolicy('https://q/1/jobs', {}, region), undefined);
        const queuePolicy = mapQueuePolicy('https://q/1/jobs', { Policy: '{}' }, region)!;
        assert.equal(queuePolicy.id, 'https://q/1/jobs');
        const lc = mapLaunchConfiguration({ LaunchConfigurationName: 'lc', ImageId: 'ami-1', InstanceType: 't3.micro', CreatedTime: new Date(0), UserData: 'c2VjcmV0', BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { VolumeSize: 8 } }, { DeviceName: '/dev/sdb', Ebs: { VolumeSize: 20, Encrypted: true } }] }, region);
        assert.deepEqual(lc.properties.rootBlockDevice, { volumeSize: 8, encrypted: false });
        assert.deepEqual(lc.properties.ebsBlockDevices, [{ deviceName: '/dev/sdb', volumeSize: 20, encrypted: true }]);
        assert.equal(JSON.stringify(lc.properties).includes('c2VjcmV0'), false, 'user data is never stored');
        const table = mapRouteTable({ RouteTableId: 'rtb-1', Routes: [{ GatewayId: 'local', DestinationCidrBlock: '10.0.0.0/16' }, { GatewayId: 'igw-1', DestinationCidrBlock: '0.0.0.0/0' }] }, region, '1');
        assert.deepEqual(table.properties.routes, [{ cidrBlock: '0.0.0.0/0', gatewayId: 'igw-1' }]);
        const acl = mapNetworkAcl({ NetworkAclId: 'acl-1', Entries: [{ RuleNumber: 100, Egress: false, RuleAction: 'allow', Protocol: '-1', CidrBlock: '0.0.0.0/0' }, { RuleNumber: 32767, Egress: false, RuleAction: 'deny', Protocol: '-1', CidrBlock: '0.0.0.0/0' }] }, region, '1');
        assert.deepEqual(acl.properties.ingress, [{ ruleNo: 100, action: 'allow', protocol: '-1', cidrBlock: '0.0.0.0/0', fromPort: 0, toPort: 0 }]);
        const ebs = mapEncryptionByDefault(true, region);
        for (const r of [profile, passwordPolicy, alias, queuePolicy, lc, table, acl, ebs]) assertPulumiShaped(r);
    });
});

describe('every type of a scan of the demo account', () => {
    let world: AwsWorld;
    before(async () => {
        world = await startWorld();
        await addAwsAccount(world.store, { name: 'demo', regions: ['us-west-2', 'us-east-1'], endpoint: world.aws.url });
    });
    after(() => world.cleanup());

    it('is found, and named with @pulumi/aws property names', async () => {
        const outcome = await scanAccount(world.store, 'demo', { requestTimeoutMs: 5_000 });
        assert.deepEqual(outcome.errors, []);
        const resources = await listResources(world.store, 'demo');
        // the demo account holds at least one resource of every type: every mapper meets real wire answers
        const missing = DISCOVERERS.flatMap((d) => d.types).filter((t) => !resources.some((r) => r.type === t));
        assert.deepEqual(missing, []);
        for (const r of resources) assertPulumiShaped(r);
    });

    it('reads Classic ELB, ECR, EKS and CloudFront as the provider shapes them', async () => {
        const regional = await listResources(world.store, 'demo/us-west-2');
        const elb = regional.find((r) => r.type === 'aws:elb/loadBalancer:LoadBalancer');
        assert.deepEqual(elb?.properties.listeners, [{ instancePort: 80, instanceProtocol: 'HTTP', lbPort: 80, lbProtocol: 'HTTP' }]);
        assert.deepEqual(elb?.properties.accessLogs, { enabled: false });
        assert.equal(elb?.properties.arn, 'arn:aws:elasticloadbalancing:us-west-2:123456789012:loadbalancer/legacy-web-elb');
        assert.equal(elb?.properties.connectionDrainingTimeout, 300);
        // ELBv2 answers the same SigV4 name: its load balancer is still read by its own discoverer
        assert.ok(regional.some((r) => r.type === 'aws:lb/loadBalancer:LoadBalancer' && r.name === 'web-alb'));
        const repo = regional.find((r) => r.type === 'aws:ecr/repository:Repository');
        assert.deepEqual(repo?.properties.imageScanningConfiguration, { scanOnPush: false });
        assert.deepEqual(repo?.properties.encryptionConfigurations, [{ encryptionType: 'AES256' }]);
        const cluster = regional.find((r) => r.type === 'aws:eks/cluster:Cluster');
        assert.deepEqual(cluster?.properties.enabledClusterLogTypes, []);
        assert.deepEqual((cluster?.properties.vpcConfig as { publicAccessCidrs?: string[] }).publicAccessCidrs, ['0.0.0.0/0']);
        // CloudFront is global: stored in the parent, as IAM
        const [distribution] = (await listResources(world.store, 'demo')).filter((r) => r.type === 'aws:cloudfront/distribution:Distribution');
        assert.equal(distribution.region, undefined);
        assert.equal((distribution.properties.defaultCacheBehavior as { viewerProtocolPolicy?: string }).viewerProtocolPolicy, 'allow-all');
        assert.equal(distribution.properties.defaultRootObject, 'index.html', 'read from GetDistributionConfig');
        assert.equal(distribution.properties.loggingConfig, undefined, 'logging off: no loggingConfig, as the provider');
        assert.deepEqual(distribution.properties.viewerCertificate, { cloudfrontDefaultCertificate: true, minimumProtocolVersion: 'TLSv1' });
    });

    it('reports a denied CloudFront (REST-XML, <ErrorResponse>) and keeps its distributions', async () => {
        world.aws.setFaults([{ service: 'cloudfront', accessDenied: true }]);
        try {
            const outcome = await scanAccount(world.store, 'demo', { requestTimeoutMs: 5_000 });
            assert.deepEqual(outcome.errors.map((e) => [e.service, e.region, e.code]), [['cloudfront', undefined, 'AccessDenied']]);
            assert.equal((await listResources(world.store, 'demo')).filter((r) => r.type === 'aws:cloudfront/distribution:Distribution').length, 1);
            assert.deepEqual(awsCoverage(outcome.errors).filter((c) => c.state !== 'scanned').map((c) => [c.type, c.state]), [['aws:cloudfront/distribution:Distribution', 'denied']]);
        } finally {
            world.aws.setFaults([]);
        }
    });

    it('keeps a denied new service\'s resources as they were and reports its types denied', async () => {
        const before = (await listResources(world.store, 'demo/us-west-2')).filter((r) => r.type.endsWith('/domain:Domain'));
        assert.equal(before.length, 2);
        world.aws.setFaults([{ service: 'es', region: 'us-west-2', accessDenied: true }]);
        try {
            const outcome = await scanAccount(world.store, 'demo', { requestTimeoutMs: 5_000 });
            assert.deepEqual(outcome.errors.map((e) => [e.service, e.region, e.code]), [['opensearch', 'us-west-2', 'AccessDeniedException']]);
            assert.deepEqual(outcome.children['demo/us-west-2'].removed, [], 'a failed service never reports its resources resolved');
            const after = (await listResources(world.store, 'demo/us-west-2')).filter((r) => r.type.endsWith('/domain:Domain'));
            assert.deepEqual(after.map((r) => r.hash), before.map((r) => r.hash));
            const coverage = awsCoverage(outcome.errors);
            assert.deepEqual(coverage.filter((c) => c.state !== 'scanned').map((c) => [c.type, c.state, c.regions]), [
                ['aws:opensearch/domain:Domain', 'denied', ['us-west-2']],
                ['aws:elasticsearch/domain:Domain', 'denied', ['us-west-2']],
            ]);
        } finally {
            world.aws.setFaults([]);
        }
    });
});
