/**
 * Elastic Load Balancing v2 (application, network and gateway load balancers): load
 * balancers with their attributes (access logs, deletion protection, ...), their listeners,
 * and target groups. Typed as @pulumi/aws v7's `aws.lb` resources.
 */
import {
    DescribeLoadBalancerAttributesCommand,
    paginateDescribeListeners,
    paginateDescribeLoadBalancers,
    paginateDescribeTargetGroups,
    type Listener,
    type LoadBalancer,
    type LoadBalancerAttribute,
    type TargetGroup,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { compact } from './awsShapeConversions';
import { mapAll, pageLimit, type DiscoveredResource } from './discoveryTypes';
import { allItems, regionalDiscoverer, regionalResource } from './regionalDiscovery';
import { LB_TYPES } from './awsServiceTypes';

/** `app/name/id` from `arn:...:loadbalancer/app/name/id` (and the same for target groups). */
const arnSuffix = (arn: string | undefined) => arn?.replace(/^arn:[^:]*:elasticloadbalancing:[^:]*:[^:]*:(loadbalancer\/)?/, '');

export function mapLoadBalancer(lb: LoadBalancer, attributes: readonly LoadBalancerAttribute[], region: string): DiscoveredResource {
    const name = lb.LoadBalancerName ?? '';
    const attr = (key: string) => attributes.find((a) => a.Key === key)?.Value;
    const flag = (key: string) => (attr(key) === undefined ? undefined : attr(key) === 'true');
    const idle = attr('idle_timeout.timeout_seconds');
    return regionalResource(
        LB_TYPES.loadBalancer,
        name,
        region,
        {
            name,
            arn: lb.LoadBalancerArn,
            arnSuffix: arnSuffix(lb.LoadBalancerArn),
            dnsName: lb.DNSName,
            zoneId: lb.CanonicalHostedZoneId,
            internal: lb.Scheme === 'internal',
            loadBalancerType: lb.Type,
            vpcId: lb.VpcId,
            ipAddressType: lb.IpAddressType,
            securityGroups: lb.SecurityGroups,
            subnets: lb.AvailabilityZones?.map((z) => z.SubnetId),
            accessLogs: { enabled: flag('access_logs.s3.enabled') ?? false, ...compact({ bucket: attr('access_logs.s3.bucket') || undefined, prefix: attr('access_logs.s3.prefix') || undefined }) },
            enableDeletionProtection: flag('deletion_protection.enabled'),
            dropInvalidHeaderFields: flag('routing.http.drop_invalid_header_fields.enabled'),
            enableHttp2: flag('routing.http2.enabled'),
            enableCrossZoneLoadBalancing: flag('load_balancing.cross_zone.enabled'),
            idleTimeout: idle === undefined ? undefined : Number(idle),
        },
        name,
        lb.LoadBalancerArn ?? name,
    );
}

export function mapListener(l: Listener, region: string): DiscoveredResource {
    const arn = l.ListenerArn ?? '';
    return regionalResource(
        LB_TYPES.listener,
        arn,
        region,
        {
            arn,
            loadBalancerArn: l.LoadBalancerArn,
            port: l.Port,
            protocol: l.Protocol,
            sslPolicy: l.SslPolicy,
            certificateArn: l.Certificates?.[0]?.CertificateArn,
            alpnPolicy: l.AlpnPolicy?.[0],
            defaultActions: (l.DefaultActions ?? []).map((a) =>
                compact({
                    type: a.Type,
                    order: a.Order,
                    targetGroupArn: a.TargetGroupArn,
                    redirect: a.RedirectConfig
                        ? compact({ protocol: a.RedirectConfig.Protocol, port: a.RedirectConfig.Port, host: a.RedirectConfig.Host, path: a.RedirectConfig.Path, query: a.RedirectConfig.Query, statusCode: a.RedirectConfig.StatusCode })
                        : undefined,
                    fixedResponse: a.FixedResponseConfig ? compact({ contentType: a.FixedResponseConfig.ContentType, messageBody: a.FixedResponseConfig.MessageBody, statusCode: a.FixedResponseConfig.StatusCode }) : undefined,
                }),
            ),
        },
        `${arnSuffix(l.LoadBalancerArn)?.split('/')[1] ?? ''}:${l.Port ?? ''}`,
    );
}

export function mapTargetGroup(t: TargetGroup, region: string): DiscoveredResource {
    const name = t.TargetGroupName ?? '';
    return regionalResource(
        LB_TYPES.targetGroup,
        name,
        region,
        {
            name,
            arn: t.TargetGroupArn,
            arnSuffix: arnSuffix(t.TargetGroupArn),
            port: t.Port,
            protocol: t.Protocol,
            protocolVersion: t.ProtocolVersion,
            vpcId: t.VpcId,
            targetType: t.TargetType,
            ipAddressType: t.IpAddressType,
            loadBalancerArns: t.LoadBalancerArns,
            healthCheck: compact({
                enabled: t.HealthCheckEnabled,
                path: t.HealthCheckPath,
                port: t.HealthCheckPort,
                protocol: t.HealthCheckProtocol,
                interval: t.HealthCheckIntervalSeconds,
                timeout: t.HealthCheckTimeoutSeconds,
                healthyThreshold: t.HealthyThresholdCount,
                unhealthyThreshold: t.UnhealthyThresholdCount,
                matcher: t.Matcher?.HttpCode ?? t.Matcher?.GrpcCode,
            }),
        },
        name,
        t.TargetGroupArn ?? name,
    );
}

export const loadBalancingDiscoverer = regionalDiscoverer('elbv2', Object.values(LB_TYPES), async (ctx) => {
    const client = ctx.clients.get('elbv2', ctx.region);
    // ELBv2's paginators do not pass `pageSize` on: the page size goes in the input as PageSize
    const PageSize = pageLimit(ctx, 1, 400);
    const [loadBalancers, targetGroups] = await Promise.all([
        allItems(paginateDescribeLoadBalancers({ client }, { PageSize }), (p) => p.LoadBalancers),
        allItems(paginateDescribeTargetGroups({ client }, { PageSize }), (p) => p.TargetGroups),
    ]);
    const perLoadBalancer = await mapAll(loadBalancers, async (lb) => {
        const LoadBalancerArn = lb.LoadBalancerArn;
        const [attributes, listeners] = await Promise.all([
            client.send(new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn })),
            allItems(paginateDescribeListeners({ client }, { LoadBalancerArn, PageSize }), (p) => p.Listeners),
        ]);
        return [mapLoadBalancer(lb, attributes.Attributes ?? [], ctx.region), ...listeners.map((l) => mapListener(l, ctx.region))];
    });
    return [...perLoadBalancer.flat(), ...targetGroups.map((t) => mapTargetGroup(t, ctx.region))];
});
