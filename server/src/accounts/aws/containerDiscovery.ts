/**
 * Containers: ECR repositories (scan-on-push, tag mutability, encryption) and EKS clusters
 * (endpoint access, control-plane logging, secrets encryption), typed as @pulumi/aws v7's
 * `aws.ecr.Repository` and `aws.eks.Cluster`.
 */
import { paginateDescribeRepositories, type Repository } from '@aws-sdk/client-ecr';
import { DescribeClusterCommand, paginateListClusters, type Cluster } from '@aws-sdk/client-eks';
import { compact, isoDate } from './awsShapeConversions';
import { mapAll, pageLimit, type DiscoveredResource } from './discoveryTypes';
import { allItems, regionalDiscoverer, regionalResource } from './regionalDiscovery';
import { CONTAINER_TYPES } from './awsServiceTypes';

export function mapRepository(r: Repository, region: string): DiscoveredResource {
    const name = r.repositoryName ?? '';
    return regionalResource(
        CONTAINER_TYPES.repository,
        name,
        region,
        {
            name,
            arn: r.repositoryArn,
            registryId: r.registryId,
            repositoryUrl: r.repositoryUri,
            imageTagMutability: r.imageTagMutability,
            imageScanningConfiguration: { scanOnPush: r.imageScanningConfiguration?.scanOnPush ?? false },
            // AWS encrypts every repository (AES256 unless KMS was chosen): the provider reads the same back
            encryptionConfigurations: [compact({ encryptionType: r.encryptionConfiguration?.encryptionType ?? 'AES256', kmsKey: r.encryptionConfiguration?.kmsKey })],
        },
        name,
        name,
    );
}

export function mapCluster(c: Cluster, region: string): DiscoveredResource {
    const name = c.name ?? '';
    const vpc = c.resourcesVpcConfig;
    const encryption = c.encryptionConfig?.[0];
    return regionalResource(
        CONTAINER_TYPES.cluster,
        name,
        region,
        {
            name,
            arn: c.arn,
            clusterId: c.id,
            version: c.version,
            platformVersion: c.platformVersion,
            roleArn: c.roleArn,
            endpoint: c.endpoint,
            status: c.status,
            createdAt: isoDate(c.createdAt),
            // the provider keeps the enabled log types only
            enabledClusterLogTypes: (c.logging?.clusterLogging ?? []).filter((l) => l.enabled).flatMap((l) => l.types ?? []),
            vpcConfig: vpc
                ? compact({
                      subnetIds: vpc.subnetIds,
                      securityGroupIds: vpc.securityGroupIds,
                      clusterSecurityGroupId: vpc.clusterSecurityGroupId,
                      vpcId: vpc.vpcId,
                      endpointPublicAccess: vpc.endpointPublicAccess,
                      endpointPrivateAccess: vpc.endpointPrivateAccess,
                      publicAccessCidrs: vpc.publicAccessCidrs,
                  })
                : undefined,
            encryptionConfig: encryption ? compact({ resources: encryption.resources, provider: encryption.provider?.keyArn ? { keyArn: encryption.provider.keyArn } : undefined }) : undefined,
            kubernetesNetworkConfig: c.kubernetesNetworkConfig
                ? compact({ serviceIpv4Cidr: c.kubernetesNetworkConfig.serviceIpv4Cidr, serviceIpv6Cidr: c.kubernetesNetworkConfig.serviceIpv6Cidr, ipFamily: c.kubernetesNetworkConfig.ipFamily })
                : undefined,
            accessConfig: c.accessConfig ? compact({ authenticationMode: c.accessConfig.authenticationMode, bootstrapClusterCreatorAdminPermissions: c.accessConfig.bootstrapClusterCreatorAdminPermissions }) : undefined,
            deletionProtection: c.deletionProtection,
            tags: c.tags && Object.keys(c.tags).length > 0 ? c.tags : undefined,
        },
        name,
        name,
    );
}

export const ecrDiscoverer = regionalDiscoverer('ecr', [CONTAINER_TYPES.repository], async (ctx) => {
    const client = ctx.clients.get('ecr', ctx.region);
    const repositories = await allItems(paginateDescribeRepositories({ client, pageSize: pageLimit(ctx, 1, 1000) }, {}), (p) => p.repositories);
    return repositories.map((r) => mapRepository(r, ctx.region));
});

export const eksDiscoverer = regionalDiscoverer('eks', [CONTAINER_TYPES.cluster], async (ctx) => {
    const client = ctx.clients.get('eks', ctx.region);
    const names = await allItems(paginateListClusters({ client, pageSize: pageLimit(ctx, 1, 100) }, {}), (p) => p.clusters);
    const clusters = await mapAll(names, (name) => client.send(new DescribeClusterCommand({ name })));
    return clusters.flatMap((c) => (c.cluster ? [mapCluster(c.cluster, ctx.region)] : []));
});

export const containerDiscoverers = [ecrDiscoverer, eksDiscoverer];
