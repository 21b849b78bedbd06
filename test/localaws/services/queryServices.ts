// The Query services added for load balancers, autoscaling and Redshift: Elastic Load
// Balancing v2 and Classic (Marker/PageSize -> NextMarker), Auto Scaling (MaxRecords/NextToken) and
// Redshift (MaxRecords/Marker), each paging the way its API documents.
import * as elbSdk from '@aws-sdk/client-elastic-load-balancing';
import * as elbv2Sdk from '@aws-sdk/client-elastic-load-balancing-v2';
import * as autoscalingSdk from '@aws-sdk/client-auto-scaling';
import * as redshiftSdk from '@aws-sdk/client-redshift';
import type { Shape } from '../fixture';
import { pageOf, pageSize } from '../pagination';
import { AwsError } from '../wire/protocols';
import type { OperationContext, ServiceDefinition } from './types';

/** How the Query services answer each fault (RDS, SNS, the CloudFormation registry and CloudFront's REST-XML reuse it). */
export const queryErrors = {
    throttle: { code: 'Throttling', status: 400 },
    accessDenied: { code: 'AccessDenied', status: 403 },
    unknownKey: { code: 'InvalidClientTokenId', status: 403 },
    badSignature: { code: 'SignatureDoesNotMatch', status: 403 },
    expiredToken: { code: 'ExpiredToken', status: 403 },
    missingAuth: { code: 'MissingAuthenticationToken', status: 403 },
    unknownOperation: { code: 'InvalidAction', status: 400 },
    internal: { code: 'InternalFailure', status: 500 },
};

const invalid = (message: string) => new AwsError('ValidationError', 400, message);

function page(ctx: OperationContext, items: readonly Shape[], sizeParam: string, tokenParam: string, min: number, max: number, fallback: number, scope: string) {
    const limit = pageSize(ctx.params.get(sizeParam) ?? undefined, sizeParam, min, max, fallback, invalid);
    return pageOf(items, ctx.params.get(tokenParam) ?? undefined, limit, `${scope}:${ctx.region}`, invalid(`Invalid ${tokenParam}`));
}

// ---- Classic Elastic Load Balancing (Version 2012-06-01) ------------------------------------

function classicLoadBalancerNamed(ctx: OperationContext, name: string | null): Shape {
    const lb = ctx.state.regional(ctx.account, ctx.region, 'elb', 'loadBalancers').find((l) => l.LoadBalancerName === name);
    if (!lb) throw new AwsError('LoadBalancerNotFound', 400, `There is no ACTIVE Load Balancer named '${name ?? ''}'`);
    return lb;
}

/** Reached through ELBv2's definition: both sign as `elasticloadbalancing`; the Query `Version` picks this one. */
const elasticloadbalancingClassic: ServiceDefinition = {
    name: 'elasticloadbalancing',
    protocol: 'awsQuery',
    xmlNamespace: 'http://elasticloadbalancing.amazonaws.com/doc/2012-06-01/',
    sdk: elbSdk,
    errors: queryErrors,
    handlers: {
        DescribeLoadBalancers: (ctx) => {
            const p = page(ctx, ctx.state.regional(ctx.account, ctx.region, 'elb', 'loadBalancers'), 'PageSize', 'Marker', 1, 400, 400, 'elb:lbs');
            return { LoadBalancerDescriptions: p.items.map(({ attributes: _a, ...lb }) => lb), NextMarker: p.next };
        },
        DescribeLoadBalancerAttributes: (ctx) => ({ LoadBalancerAttributes: (classicLoadBalancerNamed(ctx, ctx.params.get('LoadBalancerName')).attributes as Shape | undefined) ?? {} }),
    },
};

// ---- Elastic Load Balancing v2 ------------------------------------------------------------

/** A load balancer record without the fixture-only fields (its attributes and listeners). */
function loadBalancerShape({ attributes: _a, listeners: _l, ...lb }: Shape): Shape {
    return lb;
}

function loadBalancerNamed(ctx: OperationContext, arn: string | null): Shape {
    const lb = ctx.state.regional(ctx.account, ctx.region, 'elasticloadbalancing', 'loadBalancers').find((l) => l.LoadBalancerArn === arn);
    if (!lb) throw new AwsError('LoadBalancerNotFound', 400, `One or more load balancers not found`);
    return lb;
}

export const elasticloadbalancing: ServiceDefinition = {
    name: 'elasticloadbalancing',
    protocol: 'awsQuery',
    xmlNamespace: 'http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/',
    sdk: elbv2Sdk,
    errors: queryErrors,
    queryVersions: { '2012-06-01': elasticloadbalancingClassic },
    handlers: {
        DescribeLoadBalancers: (ctx) => {
            const all = ctx.state.regional(ctx.account, ctx.region, 'elasticloadbalancing', 'loadBalancers');
            const p = page(ctx, all, 'PageSize', 'Marker', 1, 400, 400, 'elbv2:lbs');
            return { LoadBalancers: p.items.map(loadBalancerShape), NextMarker: p.next };
        },
        DescribeLoadBalancerAttributes: (ctx) => ({ Attributes: (loadBalancerNamed(ctx, ctx.params.get('LoadBalancerArn')).attributes as Shape[] | undefined) ?? [] }),
        DescribeListeners: (ctx) => {
            const lb = loadBalancerNamed(ctx, ctx.params.get('LoadBalancerArn'));
            const p = page(ctx, (lb.listeners as Shape[] | undefined) ?? [], 'PageSize', 'Marker', 1, 400, 400, `elbv2:listeners:${lb.LoadBalancerArn as string}`);
            return { Listeners: p.items, NextMarker: p.next };
        },
        DescribeTargetGroups: (ctx) => {
            const all = ctx.state.regional(ctx.account, ctx.region, 'elasticloadbalancing', 'targetGroups');
            const p = page(ctx, all, 'PageSize', 'Marker', 1, 400, 400, 'elbv2:tgs');
            return { TargetGroups: p.items, NextMarker: p.next };
        },
    },
};

// ---- Auto Scaling ---------------------------------------------------------------------------

export const autoscaling: ServiceDefinition = {
    name: 'autoscaling',
    protocol: 'awsQuery',
    xmlNamespace: 'http://autoscaling.amazonaws.com/doc/2011-01-01/',
    sdk: autoscalingSdk,
    errors: queryErrors,
    handlers: {
        DescribeAutoScalingGroups: (ctx) => {
            const p = page(ctx, ctx.state.regional(ctx.account, ctx.region, 'autoscaling', 'groups'), 'MaxRecords', 'NextToken', 1, 100, 50, 'asg');
            return { AutoScalingGroups: p.items, NextToken: p.next };
        },
        DescribeLaunchConfigurations: (ctx) => {
            const p = page(ctx, ctx.state.regional(ctx.account, ctx.region, 'autoscaling', 'launchConfigurations'), 'MaxRecords', 'NextToken', 1, 100, 50, 'lc');
            return { LaunchConfigurations: p.items, NextToken: p.next };
        },
    },
};

// ---- Redshift -------------------------------------------------------------------------------

export const redshift: ServiceDefinition = {
    name: 'redshift',
    protocol: 'awsQuery',
    xmlNamespace: 'http://redshift.amazonaws.com/doc/2012-12-01/',
    sdk: redshiftSdk,
    errors: queryErrors,
    handlers: {
        DescribeClusters: (ctx) => {
            const p = page(ctx, ctx.state.regional(ctx.account, ctx.region, 'redshift', 'clusters'), 'MaxRecords', 'Marker', 20, 100, 100, 'redshift');
            return { Clusters: p.items, Marker: p.next };
        },
    },
};
