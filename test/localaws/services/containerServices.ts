// The container services: ECR (JSON 1.1, maxResults/nextToken) and EKS (REST-JSON,
// ListClusters with maxResults/nextToken, then DescribeCluster by name).
import * as ecrSdk from '@aws-sdk/client-ecr';
import * as eksSdk from '@aws-sdk/client-eks';
import { pageOf, pageSize } from '../pagination';
import { AwsError } from '../wire/protocols';
import { jsonErrors } from './jsonServices';
import { restErrors } from './restJsonServices';
import type { ServiceDefinition } from './types';

export const ecr: ServiceDefinition = {
    name: 'ecr',
    protocol: 'awsJson1_1',
    jsonTarget: 'AmazonEC2ContainerRegistry_V20150921',
    sdk: ecrSdk,
    errors: { ...jsonErrors, internal: { code: 'ServerException', status: 500 } },
    handlers: {
        DescribeRepositories: (ctx) => {
            const invalid = (message: string) => new AwsError('InvalidParameterException', 400, message);
            const limit = pageSize(ctx.json.maxResults, 'maxResults', 1, 1000, 100, invalid);
            const token = typeof ctx.json.nextToken === 'string' ? ctx.json.nextToken : undefined;
            const p = pageOf(ctx.state.regional(ctx.account, ctx.region, 'ecr', 'repositories'), token, limit, `ecr:${ctx.region}`, invalid('Invalid nextToken'));
            return { repositories: p.items, nextToken: p.next };
        },
    },
};

export const eks: ServiceDefinition = {
    name: 'eks',
    protocol: 'restJson',
    sdk: eksSdk,
    errors: { ...restErrors, internal: { code: 'ServerException', status: 500 } },
    routes: [
        { method: 'GET', path: /^\/clusters\/?$/, operation: 'ListClusters' },
        { method: 'GET', path: /^\/clusters\/([^/]+)\/?$/, operation: 'DescribeCluster' },
    ],
    handlers: {
        ListClusters: (ctx) => {
            const invalid = (message: string) => new AwsError('InvalidParameterException', 400, message);
            const limit = pageSize(ctx.params.get('maxResults') ?? undefined, 'maxResults', 1, 100, 100, invalid);
            const clusters = ctx.state.regional(ctx.account, ctx.region, 'eks', 'clusters').map((c) => c.name as string);
            const p = pageOf(clusters, ctx.params.get('nextToken') ?? undefined, limit, `eks:${ctx.region}`, invalid('Invalid nextToken'));
            return { clusters: p.items, nextToken: p.next };
        },
        DescribeCluster: (ctx) => {
            const name = ctx.pathParams[0];
            const cluster = ctx.state.regional(ctx.account, ctx.region, 'eks', 'clusters').find((c) => c.name === name);
            if (!cluster) throw new AwsError('ResourceNotFoundException', 404, `No cluster found for name: ${name}.`);
            return { cluster };
        },
    },
};
