/** Auto Scaling: groups and launch configurations (launch configurations are `aws.ec2` types in @pulumi/aws). */
import { paginateDescribeAutoScalingGroups, paginateDescribeLaunchConfigurations, type AutoScalingGroup, type LaunchConfiguration } from '@aws-sdk/client-auto-scaling';
import { compact } from './awsShapeConversions';
import { pageLimit, type DiscoveredResource } from './discoveryTypes';
import { allItems, regionalDiscoverer, regionalResource } from './regionalDiscovery';
import { AUTOSCALING_TYPES } from './awsServiceTypes';

export function mapAutoScalingGroup(g: AutoScalingGroup, region: string): DiscoveredResource {
    const name = g.AutoScalingGroupName ?? '';
    const template = g.LaunchTemplate ?? g.MixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification;
    return regionalResource(AUTOSCALING_TYPES.group, name, region, {
        name,
        arn: g.AutoScalingGroupARN,
        launchConfiguration: g.LaunchConfigurationName,
        launchTemplate: template ? compact({ id: template.LaunchTemplateId, name: template.LaunchTemplateName, version: template.Version }) : undefined,
        minSize: g.MinSize,
        maxSize: g.MaxSize,
        desiredCapacity: g.DesiredCapacity,
        defaultCooldown: g.DefaultCooldown,
        availabilityZones: g.AvailabilityZones,
        loadBalancers: g.LoadBalancerNames,
        targetGroupArns: g.TargetGroupARNs,
        healthCheckType: g.HealthCheckType,
        healthCheckGracePeriod: g.HealthCheckGracePeriod,
        vpcZoneIdentifiers: g.VPCZoneIdentifier ? g.VPCZoneIdentifier.split(',').filter(Boolean) : undefined,
        terminationPolicies: g.TerminationPolicies,
        protectFromScaleIn: g.NewInstancesProtectedFromScaleIn,
        serviceLinkedRoleArn: g.ServiceLinkedRoleARN,
        maxInstanceLifetime: g.MaxInstanceLifetime,
        capacityRebalance: g.CapacityRebalance,
        enabledMetrics: g.EnabledMetrics?.map((m) => m.Metric),
        // a list in @pulumi/aws: each tag says whether instances inherit it
        tags: g.Tags?.length ? g.Tags.map((t) => ({ key: t.Key, value: t.Value, propagateAtLaunch: t.PropagateAtLaunch ?? false })) : undefined,
    });
}

/** Devices named as AMIs name their root (`/dev/xvda`, `/dev/sda1`) are the root block device; the user data is not read (it may hold secrets). */
export function mapLaunchConfiguration(c: LaunchConfiguration, region: string): DiscoveredResource {
    const name = c.LaunchConfigurationName ?? '';
    const isRoot = (device: string | undefined) => device === '/dev/xvda' || device === '/dev/sda1';
    const ebs = (c.BlockDeviceMappings ?? []).filter((m) => m.Ebs);
    const device = (m: (typeof ebs)[number], withName: boolean) =>
        compact({ deviceName: withName ? m.DeviceName : undefined, volumeSize: m.Ebs?.VolumeSize, volumeType: m.Ebs?.VolumeType, iops: m.Ebs?.Iops, throughput: m.Ebs?.Throughput, encrypted: m.Ebs?.Encrypted ?? false, deleteOnTermination: m.Ebs?.DeleteOnTermination, snapshotId: m.Ebs?.SnapshotId });
    const root = ebs.find((m) => isRoot(m.DeviceName));
    return regionalResource(AUTOSCALING_TYPES.launchConfiguration, name, region, {
        name,
        arn: c.LaunchConfigurationARN,
        imageId: c.ImageId,
        instanceType: c.InstanceType,
        keyName: c.KeyName || undefined,
        securityGroups: c.SecurityGroups,
        enableMonitoring: c.InstanceMonitoring?.Enabled,
        spotPrice: c.SpotPrice,
        iamInstanceProfile: c.IamInstanceProfile,
        ebsOptimized: c.EbsOptimized,
        associatePublicIpAddress: c.AssociatePublicIpAddress,
        placementTenancy: c.PlacementTenancy,
        metadataOptions: c.MetadataOptions ? compact({ httpEndpoint: c.MetadataOptions.HttpEndpoint, httpTokens: c.MetadataOptions.HttpTokens, httpPutResponseHopLimit: c.MetadataOptions.HttpPutResponseHopLimit }) : undefined,
        rootBlockDevice: root ? device(root, false) : undefined,
        ebsBlockDevices: ebs.filter((m) => m !== root).map((m) => device(m, true)),
    });
}

export const autoScalingDiscoverer = regionalDiscoverer('autoscaling', Object.values(AUTOSCALING_TYPES), async (ctx) => {
    const client = ctx.clients.get('autoscaling', ctx.region);
    const pageSize = pageLimit(ctx, 1, 100);
    const [groups, configurations] = await Promise.all([
        allItems(paginateDescribeAutoScalingGroups({ client, pageSize }, {}), (p) => p.AutoScalingGroups),
        allItems(paginateDescribeLaunchConfigurations({ client, pageSize }, {}), (p) => p.LaunchConfigurations),
    ]);
    return [...groups.map((g) => mapAutoScalingGroup(g, ctx.region)), ...configurations.map((c) => mapLaunchConfiguration(c, ctx.region))];
});
