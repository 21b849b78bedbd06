// EC2 (EC2 Query): the Describe calls a scanner makes, with MaxResults/NextToken paging,
// and the region's EBS encryption-by-default setting.
import * as sdk from '@aws-sdk/client-ec2';
import type { Shape } from '../fixture';
import { pageOf, pageSize } from '../pagination';
import { AwsError } from '../wire/protocols';
import { queryList, type OperationContext, type OperationHandler, type ServiceDefinition } from './types';

const invalidParameter = (message: string) => new AwsError('InvalidParameterValue', 400, message);
const invalidToken = new AwsError('InvalidNextToken', 400, 'The token provided is invalid or has expired. Request a new list from the beginning.');

/** The filter names each kind understands, mapped to the record field they compare (`tag:` and `tag-key` work everywhere). */
const FILTER_FIELDS: Record<string, Record<string, string>> = {
    instances: { 'instance-id': 'InstanceId', 'instance-type': 'InstanceType', 'vpc-id': 'VpcId', 'subnet-id': 'SubnetId', 'instance-state-name': 'State.Name', 'image-id': 'ImageId' },
    securityGroups: { 'group-id': 'GroupId', 'group-name': 'GroupName', 'vpc-id': 'VpcId' },
    volumes: { 'volume-id': 'VolumeId', encrypted: 'Encrypted', status: 'State', 'volume-type': 'VolumeType', 'availability-zone': 'AvailabilityZone' },
    vpcs: { 'vpc-id': 'VpcId', 'is-default': 'IsDefault', state: 'State' },
    subnets: { 'subnet-id': 'SubnetId', 'vpc-id': 'VpcId', 'availability-zone': 'AvailabilityZone' },
};

/** Reads `Filter.N.Name` / `Filter.N.Value.M` into a predicate; unknown filter names are refused as EC2 does. */
function filterPredicate(params: URLSearchParams, kind: string): ((record: Shape) => boolean) | undefined {
    const tests: ((record: Shape) => boolean)[] = [];
    for (let i = 1; params.has(`Filter.${i}.Name`); i++) {
        const name = params.get(`Filter.${i}.Name`) as string;
        const values = new Set(queryList(params, `Filter.${i}.Value`));
        const tags = (record: Shape) => (record.Tags as { Key: string; Value: string }[] | undefined) ?? [];
        if (name.startsWith('tag:')) {
            const key = name.slice(4);
            tests.push((r) => tags(r).some((t) => t.Key === key && values.has(t.Value)));
        } else if (name === 'tag-key') {
            tests.push((r) => tags(r).some((t) => values.has(t.Key)));
        } else {
            const field = FILTER_FIELDS[kind]?.[name];
            if (!field) throw invalidParameter(`The filter '${name}' is invalid`);
            tests.push((r) => values.has(String(field.split('.').reduce<unknown>((v, part) => (v as Shape | undefined)?.[part], r))));
        }
    }
    return tests.length ? (r) => tests.every((test) => test(r)) : undefined;
}

/** Pages one kind of EC2 record, honouring `<IdParam>.N` and `Filter.N` (ids and paging cannot be combined, as in EC2). */
function describe(ctx: OperationContext, kind: string, idParam: string, idField: string, notFound: string, maxResults = 1000): { items: Shape[]; next?: string } {
    let all = ctx.state.regional(ctx.account, ctx.region, 'ec2', kind);
    const predicate = filterPredicate(ctx.params, kind);
    if (predicate) all = all.filter(predicate);
    const ids = queryList(ctx.params, idParam);
    if (ids.length > 0) {
        if (ctx.params.has('MaxResults')) throw invalidParameter(`The parameter ${idParam} cannot be used with the parameter MaxResults`);
        const found = all.filter((r) => ids.includes(r[idField] as string));
        const missing = ids.filter((id) => !found.some((r) => r[idField] === id));
        if (missing.length) throw new AwsError(notFound, 400, `The ${idField.replace(/Id$/, ' ID').toLowerCase()} '${missing.join(', ')}' does not exist`);
        return { items: found };
    }
    // Without MaxResults EC2 answers with everything; we cap a page at 1000 so huge fixtures still page.
    const limit = pageSize(ctx.params.get('MaxResults') ?? undefined, 'MaxResults', Math.min(5, maxResults), maxResults, maxResults, invalidParameter);
    // A token is only good for the same listing: same operation, region and filters.
    const filters = [...ctx.params].filter(([k]) => k.startsWith('Filter.')).map(([k, v]) => `${k}=${v}`).join('&');
    return pageOf(all, ctx.params.get('NextToken') ?? undefined, limit, `ec2:${ctx.operation}:${ctx.region}:${filters}`, invalidToken);
}

const handlers: Record<string, OperationHandler> = {
    DescribeInstances: (ctx) => {
        const page = describe(ctx, 'instances', 'InstanceId', 'InstanceId', 'InvalidInstanceID.NotFound');
        return {
            // One reservation per instance: what RunInstances with count 1 produces.
            Reservations: page.items.map((instance) => ({
                ReservationId: `r-${(instance.InstanceId as string).slice(2)}`,
                OwnerId: ctx.account.accountId,
                Groups: [],
                Instances: [instance],
            })),
            NextToken: page.next,
        };
    },
    DescribeSecurityGroups: (ctx) => {
        const page = describe(ctx, 'securityGroups', 'GroupId', 'GroupId', 'InvalidGroup.NotFound');
        return { SecurityGroups: page.items, NextToken: page.next };
    },
    DescribeVolumes: (ctx) => {
        const page = describe(ctx, 'volumes', 'VolumeId', 'VolumeId', 'InvalidVolume.NotFound');
        return { Volumes: page.items, NextToken: page.next };
    },
    DescribeVpcs: (ctx) => {
        const page = describe(ctx, 'vpcs', 'VpcId', 'VpcId', 'InvalidVpcID.NotFound');
        return { Vpcs: page.items, NextToken: page.next };
    },
    DescribeSubnets: (ctx) => {
        const page = describe(ctx, 'subnets', 'SubnetId', 'SubnetId', 'InvalidSubnetID.NotFound');
        return { Subnets: page.items, NextToken: page.next };
    },
    DescribeLaunchTemplates: (ctx) => {
        const page = describe(ctx, 'launchTemplates', 'LaunchTemplateId', 'LaunchTemplateId', 'InvalidLaunchTemplateId.NotFound', 200);
        return { LaunchTemplates: page.items, NextToken: page.next };
    },
    // DescribeAddresses and DescribeKeyPairs take no MaxResults: EC2 returns everything at once
    DescribeAddresses: (ctx) => ({ Addresses: ctx.state.regional(ctx.account, ctx.region, 'ec2', 'addresses') }),
    DescribeKeyPairs: (ctx) => ({ KeyPairs: ctx.state.regional(ctx.account, ctx.region, 'ec2', 'keyPairs') }),
    DescribeInternetGateways: (ctx) => {
        const page = describe(ctx, 'internetGateways', 'InternetGatewayId', 'InternetGatewayId', 'InvalidInternetGatewayID.NotFound');
        return { InternetGateways: page.items, NextToken: page.next };
    },
    DescribeNatGateways: (ctx) => {
        const page = describe(ctx, 'natGateways', 'NatGatewayId', 'NatGatewayId', 'NatGatewayNotFound');
        return { NatGateways: page.items, NextToken: page.next };
    },
    DescribeRouteTables: (ctx) => {
        const page = describe(ctx, 'routeTables', 'RouteTableId', 'RouteTableId', 'InvalidRouteTableID.NotFound', 100);
        return { RouteTables: page.items, NextToken: page.next };
    },
    DescribeNetworkAcls: (ctx) => {
        const page = describe(ctx, 'networkAcls', 'NetworkAclId', 'NetworkAclId', 'InvalidNetworkAclID.NotFound', 100);
        return { NetworkAcls: page.items, NextToken: page.next };
    },
    DescribeFlowLogs: (ctx) => {
        const page = describe(ctx, 'flowLogs', 'FlowLogId', 'FlowLogId', 'InvalidFlowLogId.NotFound');
        return { FlowLogs: page.items, NextToken: page.next };
    },
    DescribeSnapshots: (ctx) => {
        // the fixture holds the account's own snapshots: what OwnerIds=self lists
        const page = describe(ctx, 'snapshots', 'SnapshotId', 'SnapshotId', 'InvalidSnapshot.NotFound');
        return { Snapshots: page.items, NextToken: page.next };
    },
    GetEbsEncryptionByDefault: (ctx) => ({ EbsEncryptionByDefault: ctx.account.resources?.[ctx.region]?.ec2?.ebsEncryptionByDefault === true, SseType: 'sse-ebs' }),
};

export const ec2: ServiceDefinition = {
    name: 'ec2',
    protocol: 'ec2Query',
    xmlNamespace: 'http://ec2.amazonaws.com/doc/2016-11-15/',
    sdk,
    errors: {
        throttle: { code: 'RequestLimitExceeded', status: 503 },
        accessDenied: { code: 'UnauthorizedOperation', status: 403 },
        unknownKey: { code: 'AuthFailure', status: 401 },
        badSignature: { code: 'SignatureDoesNotMatch', status: 403 },
        expiredToken: { code: 'RequestExpired', status: 400 },
        missingAuth: { code: 'MissingAuthenticationToken', status: 401 },
        unknownOperation: { code: 'InvalidAction', status: 400 },
        internal: { code: 'InternalError', status: 500 },
    },
    handlers,
};
