/**
 * Classic Elastic Load Balancing (API version 2012-06-01): load balancers with their
 * listeners, health check and attributes (access logs, cross-zone, connection draining,
 * idle timeout), typed as @pulumi/aws v7's `aws.elb.LoadBalancer`.
 */
import { DescribeLoadBalancerAttributesCommand, paginateDescribeLoadBalancers, type LoadBalancerAttributes, type LoadBalancerDescription } from '@aws-sdk/client-elastic-load-balancing';
import { compact } from './awsShapeConversions';
import { mapAll, pageLimit, type DiscoveredResource } from './discoveryTypes';
import { allItems, regionalDiscoverer, regionalResource } from './regionalDiscovery';
import { CLASSIC_LB_TYPE } from './awsServiceTypes';

export function mapClassicLoadBalancer(lb: LoadBalancerDescription, attributes: LoadBalancerAttributes | undefined, region: string, accountId: string | undefined): DiscoveredResource {
    const name = lb.LoadBalancerName ?? '';
    const hc = lb.HealthCheck;
    const logs = attributes?.AccessLog;
    return regionalResource(
        CLASSIC_LB_TYPE,
        name,
        region,
        {
            name,
            // DescribeLoadBalancers has no ARN; the provider builds it the same way
            arn: accountId ? `arn:aws:elasticloadbalancing:${region}:${accountId}:loadbalancer/${name}` : undefined,
            dnsName: lb.DNSName,
            zoneId: lb.CanonicalHostedZoneNameID,
            internal: lb.Scheme === 'internal',
            availabilityZones: lb.AvailabilityZones,
            subnets: lb.Subnets,
            securityGroups: lb.SecurityGroups,
            sourceSecurityGroup: lb.SourceSecurityGroup?.GroupName,
            instances: (lb.Instances ?? []).map((i) => i.InstanceId).filter((id): id is string => id !== undefined),
            listeners: (lb.ListenerDescriptions ?? []).map((d) =>
                compact({
                    instancePort: d.Listener?.InstancePort,
                    instanceProtocol: d.Listener?.InstanceProtocol,
                    lbPort: d.Listener?.LoadBalancerPort,
                    lbProtocol: d.Listener?.Protocol,
                    sslCertificateId: d.Listener?.SSLCertificateId,
                }),
            ),
            healthCheck: hc ? compact({ target: hc.Target, interval: hc.Interval, timeout: hc.Timeout, healthyThreshold: hc.HealthyThreshold, unhealthyThreshold: hc.UnhealthyThreshold }) : undefined,
            accessLogs: logs ? compact({ enabled: logs.Enabled ?? false, bucket: logs.S3BucketName || undefined, bucketPrefix: logs.S3BucketPrefix || undefined, interval: logs.EmitInterval }) : undefined,
            crossZoneLoadBalancing: attributes?.CrossZoneLoadBalancing?.Enabled,
            idleTimeout: attributes?.ConnectionSettings?.IdleTimeout,
            connectionDraining: attributes?.ConnectionDraining?.Enabled,
            connectionDrainingTimeout: attributes?.ConnectionDraining?.Timeout,
        },
        name,
        name,
    );
}

export const classicLoadBalancingDiscoverer = regionalDiscoverer('elb', [CLASSIC_LB_TYPE], async (ctx) => {
    const client = ctx.clients.get('elb', ctx.region);
    // as ELBv2, the page size goes in the input
    const loadBalancers = await allItems(paginateDescribeLoadBalancers({ client }, { PageSize: pageLimit(ctx, 1, 400) }), (p) => p.LoadBalancerDescriptions);
    return mapAll(loadBalancers, async (lb) => {
        const attributes = await client.send(new DescribeLoadBalancerAttributesCommand({ LoadBalancerName: lb.LoadBalancerName }));
        return mapClassicLoadBalancer(lb, attributes.LoadBalancerAttributes, ctx.region, ctx.accountId);
    });
});
