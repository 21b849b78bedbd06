/**
 * EC2 beyond instances and VPCs: launch templates, Elastic IPs, internet and NAT gateways,
 * route tables, network ACLs, VPC flow logs, key pairs, EBS snapshots and the region's
 * EBS encryption-by-default setting. Read in the same EC2 task as ec2Discovery.ts.
 */
import {
    DescribeAddressesCommand,
    DescribeKeyPairsCommand,
    GetEbsEncryptionByDefaultCommand,
    paginateDescribeFlowLogs,
    paginateDescribeInternetGateways,
    paginateDescribeLaunchTemplates,
    paginateDescribeNatGateways,
    paginateDescribeNetworkAcls,
    paginateDescribeRouteTables,
    paginateDescribeSnapshots,
    type Address,
    type FlowLog,
    type InternetGateway,
    type KeyPairInfo,
    type LaunchTemplate,
    type NatGateway,
    type NetworkAcl,
    type RouteTable,
    type Snapshot,
} from '@aws-sdk/client-ec2';
import { compact, nameTag, tagMap } from './awsShapeConversions';
import { pageLimit, type DiscoveredResource, type DiscoveryContext } from './discoveryTypes';
import { allItems } from './regionalDiscovery';
import { EC2_NETWORK_TYPES } from './awsServiceTypes';

type Tags = Parameters<typeof nameTag>[0];

function regional(type: string, id: string, tags: Tags, region: string, properties: Record<string, unknown>): DiscoveredResource {
    return { type, key: id, name: nameTag(tags) ?? id, id, region, properties: compact({ ...properties, region, tags: tagMap(tags) }) };
}

const arn = (region: string, accountId: string | undefined, kind: string, id: string) => `arn:aws:ec2:${region}:${accountId ?? ''}:${kind}/${id}`;

export function mapLaunchTemplate(t: LaunchTemplate, region: string, accountId?: string): DiscoveredResource {
    const id = t.LaunchTemplateId ?? '';
    return { ...regional(EC2_NETWORK_TYPES.launchTemplate, id, t.Tags, region, { arn: arn(region, accountId, 'launch-template', id), name: t.LaunchTemplateName, defaultVersion: t.DefaultVersionNumber, latestVersion: t.LatestVersionNumber }), name: t.LaunchTemplateName ?? id };
}

export function mapAddress(a: Address, region: string, accountId?: string): DiscoveredResource {
    const id = a.AllocationId ?? a.PublicIp ?? '';
    return regional(EC2_NETWORK_TYPES.eip, id, a.Tags, region, {
        arn: arn(region, accountId, 'elastic-ip', id),
        allocationId: a.AllocationId,
        associationId: a.AssociationId,
        domain: a.Domain,
        instance: a.InstanceId,
        networkInterface: a.NetworkInterfaceId,
        privateIp: a.PrivateIpAddress,
        publicIp: a.PublicIp,
        publicIpv4Pool: a.PublicIpv4Pool,
        networkBorderGroup: a.NetworkBorderGroup,
    });
}

export function mapInternetGateway(g: InternetGateway, region: string, accountId?: string): DiscoveredResource {
    const id = g.InternetGatewayId ?? '';
    return regional(EC2_NETWORK_TYPES.internetGateway, id, g.Tags, region, { arn: arn(region, g.OwnerId ?? accountId, 'internet-gateway', id), ownerId: g.OwnerId, vpcId: g.Attachments?.[0]?.VpcId });
}

export function mapNatGateway(g: NatGateway, region: string): DiscoveredResource {
    const id = g.NatGatewayId ?? '';
    const primary = g.NatGatewayAddresses?.find((a) => a.IsPrimary) ?? g.NatGatewayAddresses?.[0];
    return regional(EC2_NETWORK_TYPES.natGateway, id, g.Tags, region, {
        allocationId: primary?.AllocationId,
        associationId: primary?.AssociationId,
        connectivityType: g.ConnectivityType,
        networkInterfaceId: primary?.NetworkInterfaceId,
        privateIp: primary?.PrivateIp,
        publicIp: primary?.PublicIp,
        subnetId: g.SubnetId,
        vpcId: g.VpcId,
    });
}

export function mapRouteTable(t: RouteTable, region: string, accountId?: string): DiscoveredResource {
    const id = t.RouteTableId ?? '';
    return regional(EC2_NETWORK_TYPES.routeTable, id, t.Tags, region, {
        arn: arn(region, t.OwnerId ?? accountId, 'route-table', id),
        ownerId: t.OwnerId,
        vpcId: t.VpcId,
        propagatingVgws: t.PropagatingVgws?.map((v) => v.GatewayId),
        // the local route is implicit in @pulumi/aws
        routes: (t.Routes ?? [])
            .filter((r) => r.GatewayId !== 'local')
            .map((r) =>
                compact({
                    cidrBlock: r.DestinationCidrBlock,
                    ipv6CidrBlock: r.DestinationIpv6CidrBlock,
                    destinationPrefixListId: r.DestinationPrefixListId,
                    gatewayId: r.GatewayId,
                    natGatewayId: r.NatGatewayId,
                    networkInterfaceId: r.NetworkInterfaceId,
                    transitGatewayId: r.TransitGatewayId,
                    vpcPeeringConnectionId: r.VpcPeeringConnectionId,
                }),
            ),
    });
}

export function mapNetworkAcl(a: NetworkAcl, region: string, accountId?: string): DiscoveredResource {
    const id = a.NetworkAclId ?? '';
    // rule 32767 is the implicit deny-all every ACL has; @pulumi/aws leaves it out
    const rules = (egress: boolean) =>
        (a.Entries ?? [])
            .filter((e) => e.Egress === egress && e.RuleNumber !== 32767)
            .map((e) =>
                compact({
                    ruleNo: e.RuleNumber,
                    action: e.RuleAction,
                    protocol: e.Protocol,
                    cidrBlock: e.CidrBlock,
                    ipv6CidrBlock: e.Ipv6CidrBlock,
                    fromPort: e.PortRange?.From ?? 0,
                    toPort: e.PortRange?.To ?? 0,
                    icmpType: e.IcmpTypeCode?.Type,
                    icmpCode: e.IcmpTypeCode?.Code,
                }),
            );
    return regional(EC2_NETWORK_TYPES.networkAcl, id, a.Tags, region, {
        arn: arn(region, a.OwnerId ?? accountId, 'network-acl', id),
        ownerId: a.OwnerId,
        vpcId: a.VpcId,
        subnetIds: (a.Associations ?? []).map((s) => s.SubnetId),
        ingress: rules(false),
        egress: rules(true),
    });
}

export function mapFlowLog(f: FlowLog, region: string, accountId?: string): DiscoveredResource {
    const id = f.FlowLogId ?? '';
    const resourceId = f.ResourceId ?? '';
    return regional(EC2_NETWORK_TYPES.flowLog, id, f.Tags, region, {
        arn: arn(region, accountId, 'vpc-flow-log', id),
        vpcId: resourceId.startsWith('vpc-') ? resourceId : undefined,
        subnetId: resourceId.startsWith('subnet-') ? resourceId : undefined,
        eniId: resourceId.startsWith('eni-') ? resourceId : undefined,
        trafficType: f.TrafficType,
        logDestinationType: f.LogDestinationType,
        logDestination: f.LogDestination,
        iamRoleArn: f.DeliverLogsPermissionArn,
        logFormat: f.LogFormat,
        maxAggregationInterval: f.MaxAggregationInterval,
    });
}

export function mapKeyPair(k: KeyPairInfo, region: string, accountId?: string): DiscoveredResource {
    const id = k.KeyName ?? '';
    return { ...regional(EC2_NETWORK_TYPES.keyPair, id, k.Tags, region, { arn: arn(region, accountId, 'key-pair', id), keyName: id, keyPairId: k.KeyPairId, keyType: k.KeyType, fingerprint: k.KeyFingerprint, publicKey: k.PublicKey }), name: id };
}

export function mapSnapshot(s: Snapshot, region: string): DiscoveredResource {
    const id = s.SnapshotId ?? '';
    return regional(EC2_NETWORK_TYPES.snapshot, id, s.Tags, region, {
        arn: `arn:aws:ec2:${region}::snapshot/${id}`,
        volumeId: s.VolumeId,
        volumeSize: s.VolumeSize,
        description: s.Description || undefined,
        encrypted: s.Encrypted ?? false,
        kmsKeyId: s.KmsKeyId,
        dataEncryptionKeyId: s.DataEncryptionKeyId || undefined,
        ownerId: s.OwnerId,
        ownerAlias: s.OwnerAlias,
        outpostArn: s.OutpostArn,
        storageTier: s.StorageTier,
    });
}

/** One per region: @pulumi/aws models the setting as a resource whose id is the region. */
export function mapEncryptionByDefault(enabled: boolean, region: string): DiscoveredResource {
    return { type: EC2_NETWORK_TYPES.encryptionByDefault, key: region, name: `ebs-encryption-by-default (${region})`, id: region, region, properties: { enabled, region } };
}


export async function discoverEc2Network(ctx: DiscoveryContext): Promise<DiscoveredResource[]> {
    const client = ctx.clients.get('ec2', ctx.region);
    const { region, accountId } = ctx;
    const config = { client, pageSize: pageLimit(ctx, 5, 1000) };
    // DescribeRouteTables and DescribeNetworkAcls accept at most 100 per page
    const small = { client, pageSize: pageLimit(ctx, 5, 100) };
    const [templates, addresses, igws, nats, tables, acls, flowLogs, keyPairs, snapshots, encryption] = await Promise.all([
        allItems(paginateDescribeLaunchTemplates({ client, pageSize: pageLimit(ctx, 1, 200) }, {}), (p) => p.LaunchTemplates),
        // DescribeAddresses and DescribeKeyPairs do not page: one call returns every item
        client.send(new DescribeAddressesCommand({})),
        allItems(paginateDescribeInternetGateways(config, {}), (p) => p.InternetGateways),
        allItems(paginateDescribeNatGateways(config, {}), (p) => p.NatGateways),
        allItems(paginateDescribeRouteTables(small, {}), (p) => p.RouteTables),
        allItems(paginateDescribeNetworkAcls(small, {}), (p) => p.NetworkAcls),
        allItems(paginateDescribeFlowLogs(config, {}), (p) => p.FlowLogs),
        client.send(new DescribeKeyPairsCommand({})),
        // only the account's own snapshots, not the public ones
        allItems(paginateDescribeSnapshots(config, { OwnerIds: ['self'] }), (p) => p.Snapshots),
        client.send(new GetEbsEncryptionByDefaultCommand({})),
    ]);
    return [
        ...templates.map((t) => mapLaunchTemplate(t, region, accountId)),
        ...(addresses.Addresses ?? []).map((a) => mapAddress(a, region, accountId)),
        ...igws.map((g) => mapInternetGateway(g, region, accountId)),
        ...nats.filter((g) => g.State !== 'deleted').map((g) => mapNatGateway(g, region)),
        ...tables.map((t) => mapRouteTable(t, region, accountId)),
        ...acls.map((a) => mapNetworkAcl(a, region, accountId)),
        ...flowLogs.map((f) => mapFlowLog(f, region, accountId)),
        ...(keyPairs.KeyPairs ?? []).map((k) => mapKeyPair(k, region, accountId)),
        ...snapshots.map((s) => mapSnapshot(s, region)),
        mapEncryptionByDefault(encryption.EbsEncryptionByDefault ?? false, region),
    ];
}
