/**
 * `--all-types`: every other AWS type through Cloud Control as @pulumi/aws-native resources.
 * Naming checked against an excerpt of the published @pulumi/aws-native package; scans run
 * against the local AWS's Cloud Control and CloudFormation registry with the real SDK.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { CloudControlClient, GetResourceCommand, ListResourcesCommand, ResourceNotFoundException, UnsupportedActionException } from '@aws-sdk/client-cloudcontrol';
import { CloudFormationClient, ListTypesCommand } from '@aws-sdk/client-cloudformation';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { addAwsAccount, DISCOVERERS, listResources, scanAccount } from '../../../server/src/accounts';
import { CLASSIC_BY_CFN_TYPE, CLASSIC_WITHOUT_CFN_TYPE } from '../../../server/src/accounts/aws/cloudControlClassicTypes';
import { onlyIdentifier } from '../../../server/src/accounts/aws/cloudControlDiscovery';
import { awsNativeToken, cfnToSdk, toSdkName } from '../../../server/src/accounts/aws/cloudControlNaming';
import type { Resource } from '../../../server/src/shared/model';
import { REGISTRY_TYPES } from '../../localaws/services/registryTypes';
import { generateFixture, generatedCloudControlTypes } from '../../localaws/generateFixture';
import { REPO, startWorld, type AwsWorld } from './accountsTestSupport';
import { cloudControlFixture, ECS_CLUSTERS } from './cloudControlTestSupport';

const FAST = { requestTimeoutMs: 2_000, maxAttempts: 2 };
const excerpt = JSON.parse(readFileSync(join(REPO, 'test/fixtures/aws/aws-native-excerpt.json'), 'utf8')) as { tokens: Record<string, string>; properties: Record<string, string> };

describe('aws-native naming', () => {
    it('gives every type the token @pulumi/aws-native gives it', () => {
        for (const [cfnType, token] of Object.entries(excerpt.tokens)) assert.equal(awsNativeToken(cfnType), token, cfnType);
        assert.equal(awsNativeToken('AWS::S3::Bucket'), 'aws-native:s3:Bucket');
        assert.equal(awsNativeToken('AWS::EC2::VPC'), 'aws-native:ec2:Vpc');
        assert.equal(awsNativeToken('AWS::Config::ConfigRule'), 'aws-native:configuration:ConfigRule');
        for (const type of REGISTRY_TYPES) assert.match(awsNativeToken(type), /^aws-native:[a-z0-9]+:[A-Z][A-Za-z0-9]*$/, type);
        assert.throws(() => awsNativeToken('AWS::S3'), /"AWS::S3" is not a CloudFormation resource type name/);
    });

    it('names properties as @pulumi/aws-native does, acronyms included', () => {
        for (const [cfn, sdk] of Object.entries(excerpt.properties)) assert.equal(toSdkName(cfn), sdk, cfn);
        // pulumi-aws-native's own naming cases: plural acronyms and digits
        assert.equal(toSdkName('SomeARNs'), 'someArns');
        assert.equal(toSdkName('UseEC2Please'), 'useEc2Please');
        assert.equal(toSdkName('ARN'), 'arn');
        assert.equal(toSdkName('bucketName'), 'bucketName');
    });

    it('renames every key of a model, nested objects and arrays included, and leaves values alone', () => {
        const model = { BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: 'KeyARN' } }] }, Tags: [{ Key: 'Team', Value: 'Web' }] };
        assert.deepEqual(cfnToSdk(model), {
            bucketEncryption: { serverSideEncryptionConfiguration: [{ serverSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: 'KeyARN' } }] },
            tags: [{ key: 'Team', value: 'Web' }],
        });
    });

    it('tells a bare listed model (only its identifier) from a full one', () => {
        assert.equal(onlyIdentifier({ BucketName: 'b' }, 'b'), true);
        assert.equal(onlyIdentifier({ ApiId: 'a', RouteId: 'r' }, 'a|r'), true);
        assert.equal(onlyIdentifier(undefined, 'b'), true);
        assert.equal(onlyIdentifier({ BucketName: 'b', VersioningConfiguration: { Status: 'Enabled' } }, 'b'), false);
    });
});

describe('the Classic table', () => {
    it('names every type the Classic discoverers produce exactly once', () => {
        const listed = [...Object.values(CLASSIC_BY_CFN_TYPE).flat(), ...CLASSIC_WITHOUT_CFN_TYPE];
        const produced = DISCOVERERS.flatMap((d) => d.types);
        assert.deepEqual([...listed].sort(), [...new Set(listed)].sort(), 'a Classic token is listed twice');
        assert.deepEqual([...new Set(listed)].sort(), [...new Set(produced)].sort());
        for (const cfnType of Object.keys(CLASSIC_BY_CFN_TYPE)) assert.ok(REGISTRY_TYPES.includes(cfnType), `${cfnType} is not in the local registry, so the skip is never exercised`);
    });
});

describe('the local AWS: Cloud Control and the CloudFormation registry on the wire', () => {
    let world: AwsWorld;
    let cc: CloudControlClient;
    let cfn: CloudFormationClient;
    before(async () => {
        world = await startWorld(cloudControlFixture());
        const config = { region: 'us-west-2', endpoint: world.aws.url, credentials: world.aws.credentials, maxAttempts: 1 };
        cc = new CloudControlClient(config);
        cfn = new CloudFormationClient(config);
    });
    after(async () => {
        cc.destroy();
        cfn.destroy();
        await world.cleanup();
    });

    it('ListResources pages with NextToken and sends each model as JSON text; GetResource reads one', async () => {
        const first = await cc.send(new ListResourcesCommand({ TypeName: 'AWS::ECS::Cluster', MaxResults: 20 }));
        assert.equal(first.ResourceDescriptions?.length, 20);
        assert.equal(typeof first.ResourceDescriptions?.[0].Properties, 'string');
        assert.deepEqual((JSON.parse(first.ResourceDescriptions?.[0].Properties ?? '{}') as Record<string, unknown>).ClusterSettings, [{ Name: 'containerInsights', Value: 'disabled' }]);
        const rest = await cc.send(new ListResourcesCommand({ TypeName: 'AWS::ECS::Cluster', MaxResults: 20, NextToken: first.NextToken }));
        assert.equal(rest.ResourceDescriptions?.length, ECS_CLUSTERS - 20);
        assert.equal(rest.NextToken, undefined);
        const bare = await cc.send(new ListResourcesCommand({ TypeName: 'AWS::SecretsManager::Secret' }));
        assert.deepEqual(Object.keys(JSON.parse(bare.ResourceDescriptions?.[0].Properties ?? '{}') as object), ['Id']);
        const read = await cc.send(new GetResourceCommand({ TypeName: 'AWS::SecretsManager::Secret', Identifier: bare.ResourceDescriptions?.[0].Identifier }));
        assert.equal((JSON.parse(read.ResourceDescription?.Properties ?? '{}') as Record<string, unknown>).Description, 'the database password');
        assert.deepEqual((await cc.send(new ListResourcesCommand({ TypeName: 'AWS::Athena::WorkGroup' }))).ResourceDescriptions, []);
    });

    it('answers with the exceptions the SDK models', async () => {
        await assert.rejects(cc.send(new ListResourcesCommand({ TypeName: 'AWS::EC2::VPCCidrBlock' })), (e) => e instanceof UnsupportedActionException);
        await assert.rejects(cc.send(new ListResourcesCommand({ TypeName: 'AWS::ApiGatewayV2::Route' })), { name: 'InvalidRequestException', message: /Required property: \[ApiId\]/ });
        await assert.rejects(cc.send(new ListResourcesCommand({ TypeName: 'AWS::GuardDuty::Detector' })), { name: 'AccessDeniedException' });
        await assert.rejects(cc.send(new ListResourcesCommand({ TypeName: 'AWS::Nothing::Here' })), { name: 'TypeNotFoundException' });
        await assert.rejects(cc.send(new ListResourcesCommand({ TypeName: 'AWS::ECS::Cluster', MaxResults: 101 })), { name: 'ValidationException' });
        await assert.rejects(cc.send(new GetResourceCommand({ TypeName: 'AWS::ECS::Cluster', Identifier: 'nope' })), (e) => e instanceof ResourceNotFoundException);
    });

    it('ListTypes filters public AWS resource types by provisioning type and pages them', async () => {
        const names: string[] = [];
        let NextToken: string | undefined;
        let pages = 0;
        do {
            const page = await cfn.send(new ListTypesCommand({ Visibility: 'PUBLIC', Type: 'RESOURCE', ProvisioningType: 'FULLY_MUTABLE', Filters: { Category: 'AWS_TYPES' }, MaxResults: 100, NextToken }));
            for (const t of page.TypeSummaries ?? []) names.push(t.TypeName ?? '');
            NextToken = page.NextToken;
            pages++;
        } while (NextToken);
        assert.equal(pages, Math.ceil(names.length / 100));
        assert.ok(names.includes('AWS::ECS::Cluster') && names.includes('AWS::S3::Bucket'));
        assert.ok(!names.includes('AWS::EC2::VPCCidrBlock'), 'IMMUTABLE types are listed with ProvisioningType IMMUTABLE');
        assert.ok(!names.includes('AWS::CloudFormation::CustomResource'), 'NON_PROVISIONABLE types are not FULLY_MUTABLE');
        const immutable = await cfn.send(new ListTypesCommand({ Visibility: 'PUBLIC', Type: 'RESOURCE', ProvisioningType: 'IMMUTABLE' }));
        assert.ok(immutable.TypeSummaries?.some((t) => t.TypeName === 'AWS::EC2::VPCCidrBlock'));
        assert.equal((await cfn.send(new ListTypesCommand({ Visibility: 'PRIVATE', Type: 'RESOURCE' }))).TypeSummaries?.length, 0);
    });
});

function ofType(resources: Resource[], type: string): Resource[] {
    return resources.filter((r) => r.type === type);
}

describe('scanning with --all-types', () => {
    let world: AwsWorld;
    /** Counters and faults cleared, serving `fixture`. */
    const serve = (fixture = cloudControlFixture()) => {
        world.aws.reset();
        world.aws.setFixture(fixture);
    };
    before(async () => {
        world = await startWorld(cloudControlFixture());
        await addAwsAccount(world.store, { name: 'demo', regions: ['us-west-2', 'us-east-1'], endpoint: world.aws.url, allTypes: true });
    });
    after(() => world.cleanup());

    it('stores aws-native resources with camelCased properties, skips what cannot be listed and records denied and throttled types', async () => {
        serve(cloudControlFixture({ throttled: true }));
        const outcome = await scanAccount(world.store, 'demo', { ...FAST, pageSize: 10 });
        const all = await listResources(world.store, 'demo');

        const clusters = ofType(all, 'aws-native:ecs:Cluster');
        assert.equal(clusters.length, ECS_CLUSTERS);
        const first = clusters.find((r) => r.name === 'team-app-00');
        assert.equal(first?.account, 'demo/us-west-2');
        assert.deepEqual(first?.properties.clusterSettings, [{ name: 'containerInsights', value: 'disabled' }]);
        const accountId = cloudControlFixture().accounts[0].accountId;
        assert.deepEqual(first?.properties.configuration, {
            executeCommandConfiguration: {
                kmsKeyId: `arn:aws:kms:us-west-2:${accountId}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
                logging: 'OVERRIDE',
                logConfiguration: { cloudWatchLogGroupName: '/ecs/exec/team-app-00', cloudWatchEncryptionEnabled: true, s3BucketName: 'exec-logs', s3EncryptionEnabled: true },
            },
        });
        assert.deepEqual(first?.properties.capacityProviders, ['FARGATE', 'FARGATE_SPOT']);
        assert.deepEqual(first?.properties.tags, [{ key: 'team', value: 'platform' }]);
        assert.match(String(first?.urn), /^urn:pulumi:demo::us-west-2::aws-native:ecs:Cluster::team-app-00$/);

        const table = ofType(all, 'aws-native:dynamodb:GlobalTable')[0];
        assert.deepEqual(table?.properties.sseSpecification, { sseEnabled: true, sseType: 'KMS' });

        // listed bare, read whole with GetResource; the one deleted before its read is left out, not failed
        assert.equal(ofType(all, 'aws-native:secretsmanager:Secret').length, 1);
        const secret = ofType(all, 'aws-native:secretsmanager:Secret')[0];
        assert.equal(secret?.properties.kmsKeyId, 'alias/aws/secretsmanager');
        assert.equal(secret?.properties.description, 'the database password');

        // a global type: listed once from the home region, stored in the parent like IAM
        const oidc = ofType(all, 'aws-native:iam:OidcProvider');
        assert.equal(oidc.length, 1);
        assert.equal(oidc[0].account, 'demo');
        assert.equal(oidc[0].region, undefined);
        assert.deepEqual(oidc[0].properties.clientIdList, ['sts.amazonaws.com']);

        // Classic types are Classic's only
        assert.equal(ofType(all, 'aws-native:s3:Bucket').length, 0);
        assert.ok(ofType(all, 'aws:s3/bucket:Bucket').length > 0);
        assert.equal(ofType(all, 'aws-native:ecr:Repository').length, 0);
        const calls = world.aws.requests().byOperation;
        assert.equal(calls['cloudcontrolapi:ListResources'] !== undefined, true);
        assert.equal(calls['cloudcontrolapi:GetResource'], 2);

        // 25 clusters in pages of 10: three pages
        const errorTypes = outcome.errors.map((e) => `${e.service} ${e.type ?? '-'} ${e.region ?? '-'} ${e.code}`);
        assert.deepEqual(errorTypes, ['cloudcontrol aws-native:guardduty:Detector us-west-2 AccessDeniedException', 'cloudcontrol aws-native:ssm:Parameter us-west-2 ThrottlingException']);
        assert.equal(outcome.record.status, 'partial');
        const skipped = (outcome.account.scanStatus?.skipped ?? []).map((e) => `${e.type} ${e.region} ${e.code}`);
        assert.deepEqual(skipped, ['aws-native:apigatewayv2:Route us-west-2 InvalidRequestException', 'aws-native:ec2:VpcCidrBlock us-west-2 UnsupportedActionException']);
        assert.deepEqual(outcome.record.skipped, outcome.account.scanStatus?.skipped);
        const westHistory = (await world.store.readShard('demo/us-west-2')).scans.at(-1);
        assert.equal(westHistory?.skipped?.length, 2);
        assert.equal(westHistory?.errors.length, 2);
    });

    it('lists registry types of both provisioning types, pages the registry, and never the non-provisionable ones', async () => {
        serve();
        await scanAccount(world.store, 'demo/us-west-2', { ...FAST, pageSize: 50 });
        const calls = world.aws.requests().byOperation;
        // 430 + 2 registry types over two listings of 50 per page
        assert.ok(calls['cloudformation:ListTypes'] >= 10, `ListTypes ${calls['cloudformation:ListTypes']}`);
        const all = await listResources(world.store, 'demo/us-west-2');
        assert.ok(ofType(all, 'aws-native:ecs:Cluster').length > 0);
        // one ListResources per regional registry type not covered by Classic, plus the extra pages of ECS clusters
        const regionalTypes = REGISTRY_TYPES.filter((t) => !Object.hasOwn(CLASSIC_BY_CFN_TYPE, t) && !/^AWS::(IAM|Route53|CloudFront|Organizations|GlobalAccelerator|WAF)::/.test(t) && t !== 'AWS::EC2::VPCCidrBlock');
        assert.ok(calls['cloudcontrolapi:ListResources'] >= regionalTypes.length, `ListResources ${calls['cloudcontrolapi:ListResources']} < ${regionalTypes.length}`);
    });

    it('a type that fails keeps its stored resources; a registry that cannot be read keeps every aws-native resource of its region', async () => {
        serve();
        await scanAccount(world.store, 'demo', FAST);
        const before = ofType(await listResources(world.store, 'demo'), 'aws-native:ecs:Cluster').length;
        assert.equal(before, ECS_CLUSTERS);

        const denied = cloudControlFixture();
        denied.accounts[0].resources!['us-west-2'].cloudcontrol!.denied!.push('AWS::ECS::Cluster');
        world.aws.setFixture(denied);
        const outcome = await scanAccount(world.store, 'demo', FAST);
        assert.ok(outcome.errors.some((e) => e.type === 'aws-native:ecs:Cluster' && e.code === 'AccessDeniedException'));
        assert.equal(outcome.children['demo/us-west-2'].removed.length, 0);
        assert.equal(ofType(await listResources(world.store, 'demo'), 'aws-native:ecs:Cluster').length, ECS_CLUSTERS);

        serve();
        world.aws.setFaults([{ service: 'cloudformation', region: 'us-west-2', accessDenied: true }]);
        const blind = await scanAccount(world.store, 'demo', FAST);
        assert.ok(blind.errors.some((e) => e.service === 'cloudcontrol' && e.type === undefined && e.region === 'us-west-2' && e.code === 'AccessDenied'));
        assert.equal(blind.children['demo/us-west-2'].removed.length, 0);
        assert.equal(ofType(await listResources(world.store, 'demo'), 'aws-native:ecs:Cluster').length, ECS_CLUSTERS);
        // the global types were listed by their own task and are still there
        assert.equal(ofType(await listResources(world.store, 'demo'), 'aws-native:iam:OidcProvider').length, 1);
    });

    it('an account without --all-types never calls Cloud Control or the registry', async () => {
        serve();
        await addAwsAccount(world.store, { name: 'classic', regions: ['us-west-2'], endpoint: world.aws.url });
        const outcome = await scanAccount(world.store, 'classic', FAST);
        assert.deepEqual(outcome.errors, []);
        const calls = world.aws.requests().byService;
        assert.equal(calls.cloudcontrolapi, undefined);
        assert.equal(calls.cloudformation, undefined);
        assert.equal((await listResources(world.store, 'classic')).filter((r) => r.type.startsWith('aws-native:')).length, 0);
    });
});

describe('generated Cloud Control fixtures', () => {
    it('a generated account scans into aws-native resources of every generated type, reading identifier-only types with GetResource', async () => {
        const fixture = generateFixture({ resourcesPerRegion: 0, regions: ['us-east-1'], cloudControl: { types: 12, resourcesPerType: 3 } });
        const world = await startWorld(fixture);
        try {
            await addAwsAccount(world.store, { name: 'gen', regions: ['us-east-1'], endpoint: world.aws.url, allTypes: true });
            const outcome = await scanAccount(world.store, 'gen', FAST);
            assert.deepEqual(outcome.errors, []);
            const native = (await listResources(world.store, 'gen')).filter((r) => r.type.startsWith('aws-native:'));
            const types = generatedCloudControlTypes(12).map(awsNativeToken);
            assert.deepEqual([...new Set(native.map((r) => r.type))].sort(), [...types].sort());
            assert.equal(native.length, 36);
            for (const r of native) assert.equal(typeof (r.properties.encryptionConfiguration as Record<string, unknown>).sseEnabled, 'boolean', r.urn);
            // every 4th type lists identifiers only: 3 types x 3 resources read one by one
            assert.equal(world.aws.requests().byOperation['cloudcontrolapi:GetResource'], 9);
        } finally {
            await world.cleanup();
        }
    });
});
