/**
 * The regional services beyond EC2: RDS instances, Lambda functions, KMS keys and
 * aliases, CloudTrail trails, DynamoDB tables, SQS queues and their policies, SNS topics
 * and their policies, and CloudWatch log groups.
 */
import { DescribeTrailsCommand, GetTrailStatusCommand, type Trail } from '@aws-sdk/client-cloudtrail';
import { paginateDescribeLogGroups, type LogGroup } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeTableCommand, paginateListTables, type TableDescription } from '@aws-sdk/client-dynamodb';
import { DescribeKeyCommand, GetKeyRotationStatusCommand, paginateListAliases, paginateListKeys, type AliasListEntry, type KeyMetadata } from '@aws-sdk/client-kms';
import { paginateListFunctions, type FunctionConfiguration } from '@aws-sdk/client-lambda';
import { paginateDescribeDBInstances, type DBInstance } from '@aws-sdk/client-rds';
import { GetTopicAttributesCommand, paginateListTopics } from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand, paginateListQueues } from '@aws-sdk/client-sqs';
import { compact, isoDate, tagMap } from './awsShapeConversions';
import { handOver, mapAll, pageLimit, type DiscoveredResource, type ServiceDiscoverer } from './discoveryTypes';
import { allItems, mapPages, regionalDiscoverer, regionalResource } from './regionalDiscovery';
import { DATA_TYPES } from './awsServiceTypes';


const num = (value: string | undefined) => (value === undefined || value === '' ? undefined : Number(value));
const bool = (value: string | undefined) => (value === undefined ? undefined : value === 'true');

export function mapDbInstance(d: DBInstance, region: string): DiscoveredResource {
    const id = d.DBInstanceIdentifier ?? '';
    return regionalResource(DATA_TYPES.rdsInstance, id, region, {
        identifier: id,
        arn: d.DBInstanceArn,
        resourceId: d.DbiResourceId,
        instanceClass: d.DBInstanceClass,
        engine: d.Engine,
        engineVersion: d.EngineVersion,
        status: d.DBInstanceStatus,
        dbName: d.DBName,
        username: d.MasterUsername,
        allocatedStorage: d.AllocatedStorage,
        storageType: d.StorageType,
        storageEncrypted: d.StorageEncrypted ?? false,
        kmsKeyId: d.KmsKeyId,
        publiclyAccessible: d.PubliclyAccessible ?? false,
        multiAz: d.MultiAZ ?? false,
        availabilityZone: d.AvailabilityZone,
        backupRetentionPeriod: d.BackupRetentionPeriod,
        deletionProtection: d.DeletionProtection,
        autoMinorVersionUpgrade: d.AutoMinorVersionUpgrade,
        iamDatabaseAuthenticationEnabled: d.IAMDatabaseAuthenticationEnabled,
        performanceInsightsEnabled: d.PerformanceInsightsEnabled,
        copyTagsToSnapshot: d.CopyTagsToSnapshot,
        dbSubnetGroupName: d.DBSubnetGroup?.DBSubnetGroupName,
        vpcSecurityGroupIds: d.VpcSecurityGroups?.map((g) => g.VpcSecurityGroupId),
        address: d.Endpoint?.Address,
        port: d.Endpoint?.Port,
        endpoint: d.Endpoint?.Address ? `${d.Endpoint.Address}:${d.Endpoint.Port}` : undefined,
        enabledCloudwatchLogsExports: d.EnabledCloudwatchLogsExports,
        tags: tagMap(d.TagList),
    });
}

/**
 * Environment variable values are replaced by "<redacted>": they often hold secrets, and
 * nothing secret is ever stored. Policies can still check which variables are set.
 */
export function mapFunction(f: FunctionConfiguration, region: string): DiscoveredResource {
    const name = f.FunctionName ?? '';
    const variables = f.Environment?.Variables;
    return regionalResource(DATA_TYPES.lambdaFunction, name, region, {
        name,
        arn: f.FunctionArn,
        runtime: f.Runtime,
        handler: f.Handler,
        role: f.Role,
        description: f.Description || undefined,
        memorySize: f.MemorySize,
        timeout: f.Timeout,
        packageType: f.PackageType,
        architectures: f.Architectures,
        sourceCodeSize: f.CodeSize,
        sourceCodeHash: f.CodeSha256,
        lastModified: f.LastModified,
        version: f.Version,
        kmsKeyArn: f.KMSKeyArn,
        tracingConfig: f.TracingConfig?.Mode ? { mode: f.TracingConfig.Mode } : undefined,
        vpcConfig: f.VpcConfig?.VpcId ? compact({ vpcId: f.VpcConfig.VpcId, subnetIds: f.VpcConfig.SubnetIds, securityGroupIds: f.VpcConfig.SecurityGroupIds }) : undefined,
        environment: variables ? { variables: Object.fromEntries(Object.keys(variables).sort().map((k) => [k, '<redacted>'])) } : undefined,
        deadLetterConfig: f.DeadLetterConfig?.TargetArn ? { targetArn: f.DeadLetterConfig.TargetArn } : undefined,
        layers: f.Layers?.map((l) => l.Arn),
    });
}

export function mapKey(k: KeyMetadata, rotationEnabled: boolean | undefined, region: string): DiscoveredResource {
    const id = k.KeyId ?? '';
    return regionalResource(DATA_TYPES.kmsKey, id, region, {
        keyId: id,
        arn: k.Arn,
        description: k.Description,
        keyUsage: k.KeyUsage,
        customerMasterKeySpec: k.KeySpec ?? k.CustomerMasterKeySpec,
        isEnabled: k.Enabled ?? k.KeyState === 'Enabled',
        keyState: k.KeyState,
        keyManager: k.KeyManager,
        origin: k.Origin,
        multiRegion: k.MultiRegion,
        enableKeyRotation: rotationEnabled,
        creationDate: isoDate(k.CreationDate),
    });
}

/** Only aliases of customer keys: `alias/aws/*` belong to AWS services and Pulumi cannot manage them. */
export function mapAlias(a: AliasListEntry, region: string, accountId?: string): DiscoveredResource | undefined {
    const name = a.AliasName ?? '';
    if (name.startsWith('alias/aws/') || !a.TargetKeyId) return undefined;
    return regionalResource(DATA_TYPES.kmsAlias, name, region, { name, arn: a.AliasArn, targetKeyId: a.TargetKeyId, targetKeyArn: `arn:aws:kms:${region}:${accountId ?? ''}:key/${a.TargetKeyId}` });
}

export function mapTrail(t: Trail, isLogging: boolean | undefined, region: string): DiscoveredResource {
    const name = t.Name ?? '';
    return regionalResource(DATA_TYPES.trail, name, region, {
        name,
        arn: t.TrailARN,
        homeRegion: t.HomeRegion ?? region,
        s3BucketName: t.S3BucketName,
        s3KeyPrefix: t.S3KeyPrefix,
        snsTopicName: t.SnsTopicName,
        kmsKeyId: t.KmsKeyId,
        cloudWatchLogsGroupArn: t.CloudWatchLogsLogGroupArn,
        cloudWatchLogsRoleArn: t.CloudWatchLogsRoleArn,
        isMultiRegionTrail: t.IsMultiRegionTrail ?? false,
        isOrganizationTrail: t.IsOrganizationTrail ?? false,
        includeGlobalServiceEvents: t.IncludeGlobalServiceEvents ?? false,
        enableLogFileValidation: t.LogFileValidationEnabled ?? false,
        enableLogging: isLogging,
    });
}

export function mapTable(t: TableDescription, region: string): DiscoveredResource {
    const name = t.TableName ?? '';
    const key = (type: string) => t.KeySchema?.find((k) => k.KeyType === type)?.AttributeName;
    const sse = t.SSEDescription;
    return regionalResource(DATA_TYPES.table, name, region, {
        name,
        arn: t.TableArn,
        hashKey: key('HASH'),
        rangeKey: key('RANGE'),
        attributes: t.AttributeDefinitions?.map((a) => ({ name: a.AttributeName, type: a.AttributeType })),
        billingMode: t.BillingModeSummary?.BillingMode ?? 'PROVISIONED',
        readCapacity: t.ProvisionedThroughput?.ReadCapacityUnits,
        writeCapacity: t.ProvisionedThroughput?.WriteCapacityUnits,
        // DynamoDB always encrypts; `enabled` says whether a KMS key (not the AWS owned one) is used
        serverSideEncryption: { enabled: sse?.Status === 'ENABLED' || sse?.Status === 'ENABLING', ...(sse?.KMSMasterKeyArn ? { kmsKeyArn: sse.KMSMasterKeyArn } : {}) },
        streamEnabled: t.StreamSpecification?.StreamEnabled ?? false,
        streamViewType: t.StreamSpecification?.StreamViewType,
        streamArn: t.LatestStreamArn,
        tableClass: t.TableClassSummary?.TableClass,
        deletionProtectionEnabled: t.DeletionProtectionEnabled,
        globalSecondaryIndexes: t.GlobalSecondaryIndexes?.map((g) => compact({ name: g.IndexName, projectionType: g.Projection?.ProjectionType })),
        itemCount: t.ItemCount,
        tableSizeBytes: t.TableSizeBytes,
    });
}

export function mapQueue(url: string, attributes: Record<string, string>, region: string): DiscoveredResource {
    const name = url.slice(url.lastIndexOf('/') + 1);
    const a = attributes;
    return regionalResource(
        DATA_TYPES.queue,
        name,
        region,
        {
            name,
            url,
            arn: a.QueueArn,
            visibilityTimeoutSeconds: num(a.VisibilityTimeout),
            messageRetentionSeconds: num(a.MessageRetentionPeriod),
            maxMessageSize: num(a.MaximumMessageSize),
            delaySeconds: num(a.DelaySeconds),
            receiveWaitTimeSeconds: num(a.ReceiveMessageWaitTimeSeconds),
            fifoQueue: bool(a.FifoQueue) ?? false,
            contentBasedDeduplication: bool(a.ContentBasedDeduplication),
            kmsMasterKeyId: a.KmsMasterKeyId,
            kmsDataKeyReusePeriodSeconds: num(a.KmsDataKeyReusePeriodSeconds),
            sqsManagedSseEnabled: bool(a.SqsManagedSseEnabled),
            policy: a.Policy,
            redrivePolicy: a.RedrivePolicy,
        },
        name,
        url,
    );
}

/** The queue's access policy, as its own resource (what `aws.sqs.QueuePolicy` manages); undefined when it has none. */
export function mapQueuePolicy(url: string, attributes: Record<string, string>, region: string): DiscoveredResource | undefined {
    if (!attributes.Policy) return undefined;
    const name = url.slice(url.lastIndexOf('/') + 1);
    return regionalResource(DATA_TYPES.queuePolicy, name, region, { queueUrl: url, policy: attributes.Policy }, name, url);
}

/** The topic's access policy (every topic has one; AWS writes a default) as `aws.sns.TopicPolicy`. */
export function mapTopicPolicy(arn: string, attributes: Record<string, string>, region: string): DiscoveredResource | undefined {
    if (!attributes.Policy) return undefined;
    const name = arn.slice(arn.lastIndexOf(':') + 1);
    return regionalResource(DATA_TYPES.topicPolicy, name, region, { arn, policy: attributes.Policy, owner: attributes.Owner }, name, arn);
}

export function mapTopic(arn: string, attributes: Record<string, string>, region: string): DiscoveredResource {
    const name = arn.slice(arn.lastIndexOf(':') + 1);
    const a = attributes;
    return regionalResource(
        DATA_TYPES.topic,
        name,
        region,
        {
            name,
            arn,
            displayName: a.DisplayName || undefined,
            owner: a.Owner,
            kmsMasterKeyId: a.KmsMasterKeyId,
            policy: a.Policy,
            deliveryPolicy: a.DeliveryPolicy,
            fifoTopic: bool(a.FifoTopic) ?? false,
            contentBasedDeduplication: bool(a.ContentBasedDeduplication),
            signatureVersion: num(a.SignatureVersion),
            tracingConfig: a.TracingConfig,
        },
        name,
        arn,
    );
}

export function mapLogGroup(g: LogGroup, region: string): DiscoveredResource {
    const name = g.logGroupName ?? '';
    return regionalResource(DATA_TYPES.logGroup, name, region, {
        name,
        // the API's arn ends in ":*"; @pulumi/aws's does not
        arn: g.arn?.replace(/:\*$/, ''),
        retentionInDays: g.retentionInDays ?? 0,
        kmsKeyId: g.kmsKeyId,
        logGroupClass: g.logGroupClass,
        deletionProtectionEnabled: g.deletionProtectionEnabled,
        storedBytes: g.storedBytes,
    });
}


const present = (r: DiscoveredResource | undefined): r is DiscoveredResource => r !== undefined;

export const dataServiceDiscoverers: ServiceDiscoverer[] = [
    regionalDiscoverer('rds', [DATA_TYPES.rdsInstance], async (ctx) => {
        const client = ctx.clients.get('rds', ctx.region);
        return mapPages(ctx, paginateDescribeDBInstances({ client, pageSize: pageLimit(ctx, 20, 100) }, {}), (p) => p.DBInstances, (d) => mapDbInstance(d, ctx.region));
    }),
    regionalDiscoverer('lambda', [DATA_TYPES.lambdaFunction], async (ctx) => {
        const client = ctx.clients.get('lambda', ctx.region);
        return mapPages(ctx, paginateListFunctions({ client, pageSize: pageLimit(ctx, 1, 50) }, {}), (p) => p.Functions, (f) => mapFunction(f, ctx.region));
    }),
    regionalDiscoverer('kms', [DATA_TYPES.kmsKey, DATA_TYPES.kmsAlias], async (ctx) => {
        const client = ctx.clients.get('kms', ctx.region);
        const [keys, aliases] = await Promise.all([
            allItems(paginateListKeys({ client, pageSize: pageLimit(ctx, 1, 1000) }, {}), (p) => p.Keys),
            allItems(paginateListAliases({ client, pageSize: pageLimit(ctx, 1, 100) }, {}), (p) => p.Aliases),
        ]);
        const mapped = await mapAll(keys, async (k) => {
            const [described, rotation] = await Promise.all([client.send(new DescribeKeyCommand({ KeyId: k.KeyId })), client.send(new GetKeyRotationStatusCommand({ KeyId: k.KeyId }))]);
            return handOver(ctx, [mapKey(described.KeyMetadata ?? { KeyId: k.KeyId }, rotation.KeyRotationEnabled, ctx.region)]);
        });
        return [...mapped.flat(), ...aliases.map((a) => mapAlias(a, ctx.region, ctx.accountId)).filter(present)];
    }),
    regionalDiscoverer('cloudtrail', [DATA_TYPES.trail], async (ctx) => {
        const client = ctx.clients.get('cloudtrail', ctx.region);
        // shadow trails (multi-region trails seen from another region) belong to their home region
        const { trailList = [] } = await client.send(new DescribeTrailsCommand({ includeShadowTrails: false }));
        const home = trailList.filter((t) => !t.HomeRegion || t.HomeRegion === ctx.region);
        return mapAll(home, async (t) => {
            const status = await client.send(new GetTrailStatusCommand({ Name: t.TrailARN ?? t.Name }));
            return mapTrail(t, status.IsLogging, ctx.region);
        });
    }),
    regionalDiscoverer('dynamodb', [DATA_TYPES.table], async (ctx) => {
        const client = ctx.clients.get('dynamodb', ctx.region);
        const names = await allItems(paginateListTables({ client, pageSize: pageLimit(ctx, 1, 100) }, {}), (p) => p.TableNames);
        const tables = await mapAll(names, async (TableName) => handOver(ctx, [mapTable((await client.send(new DescribeTableCommand({ TableName }))).Table ?? { TableName }, ctx.region)]));
        return tables.flat();
    }),
    regionalDiscoverer('sqs', [DATA_TYPES.queue, DATA_TYPES.queuePolicy], async (ctx) => {
        const client = ctx.clients.get('sqs', ctx.region);
        const urls = await allItems(paginateListQueues({ client, pageSize: pageLimit(ctx, 1, 1000) }, {}), (p) => p.QueueUrls);
        const perQueue = await mapAll(urls, async (QueueUrl) => {
            const attributes = (await client.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }))).Attributes ?? {};
            return handOver(ctx, [mapQueue(QueueUrl, attributes, ctx.region), mapQueuePolicy(QueueUrl, attributes, ctx.region)].filter(present));
        });
        return perQueue.flat();
    }),
    regionalDiscoverer('sns', [DATA_TYPES.topic, DATA_TYPES.topicPolicy], async (ctx) => {
        const client = ctx.clients.get('sns', ctx.region);
        const topics = await allItems(paginateListTopics({ client }, {}), (p) => p.Topics);
        const perTopic = await mapAll(topics, async (t) => {
            const attributes = (await client.send(new GetTopicAttributesCommand({ TopicArn: t.TopicArn }))).Attributes ?? {};
            return handOver(ctx, [mapTopic(t.TopicArn ?? '', attributes, ctx.region), mapTopicPolicy(t.TopicArn ?? '', attributes, ctx.region)].filter(present));
        });
        return perTopic.flat();
    }),
    regionalDiscoverer('logs', [DATA_TYPES.logGroup], async (ctx) => {
        const client = ctx.clients.get('logs', ctx.region);
        return mapPages(ctx, paginateDescribeLogGroups({ client, pageSize: pageLimit(ctx, 1, 50) }, {}), (p) => p.logGroups, (g) => mapLogGroup(g, ctx.region));
    }),
];
