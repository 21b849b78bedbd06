/**
 * File systems, warehouses and search domains: EFS file systems, Redshift clusters and
 * OpenSearch Service domains. A domain running Elasticsearch is an `aws.elasticsearch.Domain`,
 * one running OpenSearch an `aws.opensearch.Domain`, as @pulumi/aws models them.
 */
import { paginateDescribeFileSystems, type FileSystemDescription } from '@aws-sdk/client-efs';
import { DescribeDomainsCommand, ListDomainNamesCommand, type DomainStatus } from '@aws-sdk/client-opensearch';
import { paginateDescribeClusters, type Cluster } from '@aws-sdk/client-redshift';
import { compact, tagMap } from './awsShapeConversions';
import { mapAll, pageLimit, type DiscoveredResource } from './discoveryTypes';
import { allItems, regionalDiscoverer, regionalResource } from './regionalDiscovery';
import { STORAGE_SEARCH_TYPES } from './awsServiceTypes';

export function mapFileSystem(f: FileSystemDescription, region: string): DiscoveredResource {
    const id = f.FileSystemId ?? '';
    return regionalResource(
        STORAGE_SEARCH_TYPES.efsFileSystem,
        id,
        region,
        {
            arn: f.FileSystemArn,
            creationToken: f.CreationToken,
            dnsName: `${id}.efs.${region}.amazonaws.com`,
            encrypted: f.Encrypted ?? false,
            kmsKeyId: f.KmsKeyId,
            name: f.Name,
            numberOfMountTargets: f.NumberOfMountTargets,
            ownerId: f.OwnerId,
            performanceMode: f.PerformanceMode,
            throughputMode: f.ThroughputMode,
            provisionedThroughputInMibps: f.ProvisionedThroughputInMibps,
            availabilityZoneName: f.AvailabilityZoneName,
            availabilityZoneId: f.AvailabilityZoneId,
            sizeInBytes: f.SizeInBytes ? [compact({ value: f.SizeInBytes.Value, valueInIa: f.SizeInBytes.ValueInIA, valueInStandard: f.SizeInBytes.ValueInStandard })] : undefined,
            tags: tagMap(f.Tags),
        },
        f.Name ?? id,
    );
}

export function mapRedshiftCluster(c: Cluster, region: string, accountId?: string): DiscoveredResource {
    const id = c.ClusterIdentifier ?? '';
    return regionalResource(STORAGE_SEARCH_TYPES.redshiftCluster, id, region, {
        clusterIdentifier: id,
        arn: `arn:aws:redshift:${region}:${accountId ?? ''}:cluster:${id}`,
        nodeType: c.NodeType,
        clusterType: (c.NumberOfNodes ?? 1) > 1 ? 'multi-node' : 'single-node',
        numberOfNodes: c.NumberOfNodes,
        masterUsername: c.MasterUsername,
        databaseName: c.DBName,
        endpoint: c.Endpoint?.Address ? `${c.Endpoint.Address}:${c.Endpoint.Port}` : undefined,
        dnsName: c.Endpoint?.Address,
        port: c.Endpoint?.Port,
        automatedSnapshotRetentionPeriod: c.AutomatedSnapshotRetentionPeriod,
        manualSnapshotRetentionPeriod: c.ManualSnapshotRetentionPeriod,
        vpcSecurityGroupIds: c.VpcSecurityGroups?.map((g) => g.VpcSecurityGroupId),
        clusterSubnetGroupName: c.ClusterSubnetGroupName,
        clusterParameterGroupName: c.ClusterParameterGroups?.[0]?.ParameterGroupName,
        availabilityZone: c.AvailabilityZone,
        preferredMaintenanceWindow: c.PreferredMaintenanceWindow,
        clusterVersion: c.ClusterVersion,
        allowVersionUpgrade: c.AllowVersionUpgrade,
        publiclyAccessible: c.PubliclyAccessible ?? false,
        encrypted: c.Encrypted ?? false,
        kmsKeyId: c.KmsKeyId,
        enhancedVpcRouting: c.EnhancedVpcRouting,
        iamRoles: c.IamRoles?.map((r) => r.IamRoleArn),
        defaultIamRoleArn: c.DefaultIamRoleArn,
        maintenanceTrackName: c.MaintenanceTrackName,
        clusterNamespaceArn: c.ClusterNamespaceArn,
        multiAz: c.MultiAZ === undefined ? undefined : c.MultiAZ === 'Enabled',
        tags: tagMap(c.Tags),
    });
}

export function mapDomain(d: DomainStatus, region: string): DiscoveredResource {
    const name = d.DomainName ?? '';
    const engine = d.EngineVersion ?? '';
    const isElasticsearch = engine.startsWith('Elasticsearch_');
    const c = d.ClusterConfig;
    const ebs = d.EBSOptions;
    const vpc = d.VPCOptions;
    const endpointOptions = d.DomainEndpointOptions;
    const security = d.AdvancedSecurityOptions;
    return regionalResource(isElasticsearch ? STORAGE_SEARCH_TYPES.elasticsearchDomain : STORAGE_SEARCH_TYPES.opensearchDomain, name, region, {
        domainName: name,
        domainId: d.DomainId,
        arn: d.ARN,
        endpoint: d.Endpoint ?? d.Endpoints?.vpc,
        ...(isElasticsearch ? { elasticsearchVersion: engine.slice('Elasticsearch_'.length) } : { engineVersion: engine || undefined }),
        clusterConfig: c
            ? compact({ instanceType: c.InstanceType, instanceCount: c.InstanceCount, dedicatedMasterEnabled: c.DedicatedMasterEnabled, dedicatedMasterType: c.DedicatedMasterType, dedicatedMasterCount: c.DedicatedMasterCount, zoneAwarenessEnabled: c.ZoneAwarenessEnabled, warmEnabled: c.WarmEnabled })
            : undefined,
        ebsOptions: ebs ? compact({ ebsEnabled: ebs.EBSEnabled ?? false, volumeType: ebs.VolumeType, volumeSize: ebs.VolumeSize, iops: ebs.Iops, throughput: ebs.Throughput }) : undefined,
        accessPolicies: d.AccessPolicies || undefined,
        // absent when the domain has a public endpoint: "is it in a VPC?" is `vpcOptions !== undefined`
        vpcOptions: vpc?.VPCId ? compact({ vpcId: vpc.VPCId, subnetIds: vpc.SubnetIds, availabilityZones: vpc.AvailabilityZones, securityGroupIds: vpc.SecurityGroupIds }) : undefined,
        encryptAtRest: { enabled: d.EncryptionAtRestOptions?.Enabled ?? false, ...compact({ kmsKeyId: d.EncryptionAtRestOptions?.KmsKeyId }) },
        nodeToNodeEncryption: { enabled: d.NodeToNodeEncryptionOptions?.Enabled ?? false },
        domainEndpointOptions: endpointOptions ? compact({ enforceHttps: endpointOptions.EnforceHTTPS, tlsSecurityPolicy: endpointOptions.TLSSecurityPolicy, customEndpointEnabled: endpointOptions.CustomEndpointEnabled, customEndpoint: endpointOptions.CustomEndpoint }) : undefined,
        advancedSecurityOptions: security ? compact({ enabled: security.Enabled ?? false, internalUserDatabaseEnabled: security.InternalUserDatabaseEnabled, anonymousAuthEnabled: security.AnonymousAuthEnabled }) : undefined,
        logPublishingOptions: d.LogPublishingOptions
            ? Object.entries(d.LogPublishingOptions).map(([logType, o]) => compact({ logType, cloudwatchLogGroupArn: o.CloudWatchLogsLogGroupArn, enabled: o.Enabled ?? false }))
            : undefined,
        advancedOptions: d.AdvancedOptions,
    });
}

/** DescribeDomains takes at most 5 names per call. */
const DOMAINS_PER_CALL = 5;

export const storageSearchDiscoverers = [
    regionalDiscoverer('efs', [STORAGE_SEARCH_TYPES.efsFileSystem], async (ctx) => {
        const client = ctx.clients.get('efs', ctx.region);
        const fileSystems = await allItems(paginateDescribeFileSystems({ client, pageSize: pageLimit(ctx, 1, 100) }, {}), (p) => p.FileSystems);
        return fileSystems.map((f) => mapFileSystem(f, ctx.region));
    }),
    regionalDiscoverer('redshift', [STORAGE_SEARCH_TYPES.redshiftCluster], async (ctx) => {
        const client = ctx.clients.get('redshift', ctx.region);
        const clusters = await allItems(paginateDescribeClusters({ client, pageSize: pageLimit(ctx, 20, 100) }, {}), (p) => p.Clusters);
        return clusters.map((c) => mapRedshiftCluster(c, ctx.region, ctx.accountId));
    }),
    regionalDiscoverer('opensearch', [STORAGE_SEARCH_TYPES.opensearchDomain, STORAGE_SEARCH_TYPES.elasticsearchDomain], async (ctx) => {
        const client = ctx.clients.get('opensearch', ctx.region);
        // ListDomainNames does not page: one call names every domain of the region
        const names = ((await client.send(new ListDomainNamesCommand({}))).DomainNames ?? []).map((d) => d.DomainName).filter((n): n is string => !!n);
        const batches: string[][] = [];
        for (let i = 0; i < names.length; i += DOMAINS_PER_CALL) batches.push(names.slice(i, i + DOMAINS_PER_CALL));
        const statuses = await mapAll(batches, async (DomainNames) => (await client.send(new DescribeDomainsCommand({ DomainNames }))).DomainStatusList ?? []);
        return statuses.flat().map((d) => mapDomain(d, ctx.region));
    }),
];
