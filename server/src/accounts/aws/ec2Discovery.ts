/** EC2: instances, security groups, EBS volumes, VPCs and subnets of one region (the rest of EC2: ec2NetworkDiscovery.ts). */
import {
    paginateDescribeInstances,
    paginateDescribeSecurityGroups,
    paginateDescribeSubnets,
    paginateDescribeVolumes,
    paginateDescribeVpcs,
    type Instance,
    type IpPermission,
    type SecurityGroup,
    type Subnet,
    type Volume,
    type Vpc,
} from '@aws-sdk/client-ec2';
import { compact, isoDate, nameTag, tagMap } from './awsShapeConversions';
import { pageLimit, type DiscoveredResource, type ServiceDiscoverer } from './discoveryTypes';
import { discoverEc2Network } from './ec2NetworkDiscovery';
import { mapPages } from './regionalDiscovery';
import { EC2_NETWORK_TYPES, EC2_TYPES } from './awsServiceTypes';

/** Region and account id come from the caller: EC2 shapes do not always carry them. */
export interface Ec2Where {
    region: string;
    accountId?: string;
}

function ec2Arn(where: Ec2Where, kind: string, id: string, ownerId?: string): string {
    return `arn:aws:ec2:${where.region}:${ownerId ?? where.accountId ?? ''}:${kind}/${id}`;
}

function resource(type: string, id: string, tags: Parameters<typeof nameTag>[0], where: Ec2Where, properties: Record<string, unknown>): DiscoveredResource {
    return { type, key: id, name: nameTag(tags) ?? id, id, region: where.region, properties: compact({ ...properties, region: where.region, tags: tagMap(tags) }) };
}

export function mapInstance(i: Instance, where: Ec2Where): DiscoveredResource {
    const id = i.InstanceId ?? '';
    const devices = (i.BlockDeviceMappings ?? []).map((m) => ({
        deviceName: m.DeviceName,
        volumeId: m.Ebs?.VolumeId,
        deleteOnTermination: m.Ebs?.DeleteOnTermination,
    }));
    const isRoot = (d: { deviceName?: string }, index: number) => (i.RootDeviceName ? d.deviceName === i.RootDeviceName : index === 0);
    const root = devices.find(isRoot);
    const profileArn = i.IamInstanceProfile?.Arn;
    return resource(EC2_TYPES.instance, id, i.Tags, where, {
        arn: ec2Arn(where, 'instance', id),
        ami: i.ImageId,
        instanceType: i.InstanceType,
        instanceState: i.State?.Name,
        availabilityZone: i.Placement?.AvailabilityZone,
        tenancy: i.Placement?.Tenancy,
        subnetId: i.SubnetId,
        vpcSecurityGroupIds: (i.SecurityGroups ?? []).map((g) => g.GroupId),
        securityGroups: (i.SecurityGroups ?? []).map((g) => g.GroupName),
        privateIp: i.PrivateIpAddress,
        publicIp: i.PublicIpAddress,
        privateDns: i.PrivateDnsName || undefined,
        publicDns: i.PublicDnsName || undefined,
        associatePublicIpAddress: i.PublicIpAddress !== undefined,
        keyName: i.KeyName,
        iamInstanceProfile: profileArn ? profileArn.slice(profileArn.lastIndexOf('/') + 1) : undefined,
        ebsOptimized: i.EbsOptimized,
        monitoring: i.Monitoring ? i.Monitoring.State === 'enabled' : undefined,
        sourceDestCheck: i.SourceDestCheck,
        metadataOptions: i.MetadataOptions
            ? compact({
                  httpEndpoint: i.MetadataOptions.HttpEndpoint,
                  httpTokens: i.MetadataOptions.HttpTokens,
                  httpPutResponseHopLimit: i.MetadataOptions.HttpPutResponseHopLimit,
                  instanceMetadataTags: i.MetadataOptions.InstanceMetadataTags,
              })
            : undefined,
        rootBlockDevice: root ? compact(root) : undefined,
        ebsBlockDevices: devices.filter((d, n) => !isRoot(d, n)).map(compact),
        launchTime: isoDate(i.LaunchTime),
    });
}

/** One rule per IpPermission, in @pulumi/aws's ingress/egress shape. */
function rules(permissions: IpPermission[] | undefined, ownGroupId: string | undefined): Record<string, unknown>[] {
    return (permissions ?? []).map((p) => {
        const groups = (p.UserIdGroupPairs ?? []).map((g) => g.GroupId).filter((g): g is string => !!g);
        const description = [...(p.IpRanges ?? []), ...(p.Ipv6Ranges ?? []), ...(p.UserIdGroupPairs ?? [])].map((r) => r.Description).find((d) => d);
        return compact({
            protocol: p.IpProtocol,
            fromPort: p.FromPort ?? 0,
            toPort: p.ToPort ?? 0,
            cidrBlocks: (p.IpRanges ?? []).map((r) => r.CidrIp),
            ipv6CidrBlocks: (p.Ipv6Ranges ?? []).map((r) => r.CidrIpv6),
            prefixListIds: (p.PrefixListIds ?? []).map((r) => r.PrefixListId),
            securityGroups: groups.filter((g) => g !== ownGroupId),
            self: groups.includes(ownGroupId ?? ''),
            description,
        });
    });
}

export function mapSecurityGroup(g: SecurityGroup, where: Ec2Where): DiscoveredResource {
    const id = g.GroupId ?? '';
    return {
        ...resource(EC2_TYPES.securityGroup, id, g.Tags, where, {
            arn: g.SecurityGroupArn ?? ec2Arn(where, 'security-group', id, g.OwnerId),
            name: g.GroupName,
            description: g.Description,
            vpcId: g.VpcId,
            ownerId: g.OwnerId ?? where.accountId,
            ingress: rules(g.IpPermissions, g.GroupId),
            egress: rules(g.IpPermissionsEgress, g.GroupId),
        }),
        name: g.GroupName ?? id,
    };
}

export function mapVolume(v: Volume, where: Ec2Where): DiscoveredResource {
    const id = v.VolumeId ?? '';
    return resource(EC2_TYPES.volume, id, v.Tags, where, {
        arn: ec2Arn(where, 'volume', id),
        availabilityZone: v.AvailabilityZone,
        size: v.Size,
        type: v.VolumeType,
        iops: v.Iops,
        throughput: v.Throughput,
        encrypted: v.Encrypted ?? false,
        kmsKeyId: v.KmsKeyId,
        snapshotId: v.SnapshotId || undefined,
        multiAttachEnabled: v.MultiAttachEnabled,
        outpostArn: v.OutpostArn,
        createTime: isoDate(v.CreateTime),
        // not a @pulumi/aws input, but what "is this volume in use?" policies ask
        attachments: (v.Attachments ?? []).map((a) => compact({ instanceId: a.InstanceId, device: a.Device, state: a.State })),
    });
}

export function mapVpc(v: Vpc, where: Ec2Where): DiscoveredResource {
    const id = v.VpcId ?? '';
    // @pulumi/aws models the default VPC as its own type, so packs tell them apart by type
    return resource(v.IsDefault ? EC2_TYPES.defaultVpc : EC2_TYPES.vpc, id, v.Tags, where, {
        arn: ec2Arn(where, 'vpc', id, v.OwnerId),
        cidrBlock: v.CidrBlock,
        instanceTenancy: v.InstanceTenancy,
        dhcpOptionsId: v.DhcpOptionsId,
        ownerId: v.OwnerId ?? where.accountId,
        ipv6CidrBlock: v.Ipv6CidrBlockAssociationSet?.[0]?.Ipv6CidrBlock,
    });
}

export function mapSubnet(s: Subnet, where: Ec2Where): DiscoveredResource {
    const id = s.SubnetId ?? '';
    return resource(EC2_TYPES.subnet, id, s.Tags, where, {
        arn: s.SubnetArn ?? ec2Arn(where, 'subnet', id, s.OwnerId),
        vpcId: s.VpcId,
        cidrBlock: s.CidrBlock,
        availabilityZone: s.AvailabilityZone,
        availabilityZoneId: s.AvailabilityZoneId,
        mapPublicIpOnLaunch: s.MapPublicIpOnLaunch ?? false,
        assignIpv6AddressOnCreation: s.AssignIpv6AddressOnCreation,
        ipv6CidrBlock: s.Ipv6CidrBlockAssociationSet?.[0]?.Ipv6CidrBlock,
        ownerId: s.OwnerId ?? where.accountId,
    });
}

export const ec2Discoverer: ServiceDiscoverer = {
    service: 'ec2',
    scope: 'regional',
    types: [...Object.values(EC2_TYPES), ...Object.values(EC2_NETWORK_TYPES)],
    async discover(ctx) {
        const client = ctx.clients.get('ec2', ctx.region);
        const config = { client, pageSize: pageLimit(ctx, 5, 1000) };
        const where: Ec2Where = { region: ctx.region, accountId: ctx.accountId };
        // EC2's listings are most of a large account: each page is handed over as it comes, not held to the end
        const collect = <P, T>(pages: AsyncIterable<P>, items: (page: P) => T[] | undefined, map: (item: T, w: Ec2Where) => DiscoveredResource) => mapPages(ctx, pages, items, (item) => map(item, where));
        const parts = await Promise.all([
            collect(paginateDescribeInstances(config, {}), (p) => p.Reservations?.flatMap((r) => r.Instances ?? []), mapInstance),
            collect(paginateDescribeSecurityGroups(config, {}), (p) => p.SecurityGroups, mapSecurityGroup),
            collect(paginateDescribeVolumes(config, {}), (p) => p.Volumes, mapVolume),
            collect(paginateDescribeVpcs(config, {}), (p) => p.Vpcs, mapVpc),
            collect(paginateDescribeSubnets(config, {}), (p) => p.Subnets, mapSubnet),
            discoverEc2Network(ctx),
        ]);
        return parts.flat();
    },
};
