// The REST-JSON services added for file systems, search domains and APIs: EFS
// (Marker/MaxItems -> NextMarker), OpenSearch (ListDomainNames, DescribeDomains in batches
// of 5) and API Gateway (position/limit, `item` lists), routed by method and path.
import * as efsSdk from '@aws-sdk/client-efs';
import * as opensearchSdk from '@aws-sdk/client-opensearch';
import * as apigatewaySdk from '@aws-sdk/client-api-gateway';
import type { Shape } from '../fixture';
import { pageOf, pageSize } from '../pagination';
import { AwsError } from '../wire/protocols';
import type { ServiceDefinition } from './types';

/** How the REST-JSON services answer each fault (other REST-JSON services, e.g. EKS, reuse it). */
export const restErrors = {
    throttle: { code: 'ThrottlingException', status: 429 },
    accessDenied: { code: 'AccessDeniedException', status: 403 },
    unknownKey: { code: 'UnrecognizedClientException', status: 403 },
    badSignature: { code: 'InvalidSignatureException', status: 403 },
    expiredToken: { code: 'ExpiredTokenException', status: 403 },
    missingAuth: { code: 'MissingAuthenticationTokenException', status: 403 },
    unknownOperation: { code: 'UnknownOperationException', status: 404 },
    internal: { code: 'InternalFailure', status: 500 },
};

export const elasticfilesystem: ServiceDefinition = {
    name: 'elasticfilesystem',
    protocol: 'restJson',
    sdk: efsSdk,
    errors: { ...restErrors, internal: { code: 'InternalServerError', status: 500 } },
    routes: [{ method: 'GET', path: /^\/2015-02-01\/file-systems\/?$/, operation: 'DescribeFileSystems' }],
    handlers: {
        DescribeFileSystems: (ctx) => {
            const bad = (message: string) => new AwsError('BadRequest', 400, message);
            const limit = pageSize(ctx.params.get('MaxItems') ?? undefined, 'MaxItems', 1, 100, 100, bad);
            const p = pageOf(ctx.state.regional(ctx.account, ctx.region, 'efs', 'fileSystems'), ctx.params.get('Marker') ?? undefined, limit, `efs:${ctx.region}`, bad('Invalid Marker'));
            return { FileSystems: p.items, NextMarker: p.next };
        },
    },
};

export const es: ServiceDefinition = {
    name: 'es',
    protocol: 'restJson',
    sdk: opensearchSdk,
    errors: { ...restErrors, internal: { code: 'InternalException', status: 500 } },
    routes: [
        { method: 'GET', path: /^\/2021-01-01\/domain\/?$/, operation: 'ListDomainNames' },
        { method: 'POST', path: /^\/2021-01-01\/opensearch\/domain-info\/?$/, operation: 'DescribeDomains' },
    ],
    handlers: {
        ListDomainNames: (ctx) => ({
            DomainNames: ctx.state.regional(ctx.account, ctx.region, 'es', 'domains').map((d) => ({
                DomainName: d.DomainName,
                EngineType: String(d.EngineVersion ?? '').startsWith('Elasticsearch_') ? 'Elasticsearch' : 'OpenSearch',
            })),
        }),
        DescribeDomains: (ctx) => {
            const names = Array.isArray(ctx.json.DomainNames) ? (ctx.json.DomainNames as string[]) : [];
            if (names.length > 5) throw new AwsError('ValidationException', 400, `1 validation error detected: Value at 'domainNames' failed to satisfy constraint: Member must have length less than or equal to 5`);
            const domains = ctx.state.regional(ctx.account, ctx.region, 'es', 'domains');
            return { DomainStatusList: names.map((n) => domains.find((d) => d.DomainName === n)).filter((d): d is Shape => d !== undefined) };
        },
    },
};

export const apigateway: ServiceDefinition = {
    name: 'apigateway',
    protocol: 'restJson',
    sdk: apigatewaySdk,
    errors: { ...restErrors, throttle: { code: 'TooManyRequestsException', status: 429 }, internal: { code: 'InternalServerError', status: 500 } },
    routes: [
        { method: 'GET', path: /^\/restapis\/?$/, operation: 'GetRestApis' },
        { method: 'GET', path: /^\/restapis\/([^/]+)\/stages\/?$/, operation: 'GetStages' },
    ],
    handlers: {
        GetRestApis: (ctx) => {
            const bad = (message: string) => new AwsError('BadRequestException', 400, message);
            const limit = pageSize(ctx.params.get('limit') ?? undefined, 'limit', 1, 500, 25, bad);
            const apis = ctx.state.regional(ctx.account, ctx.region, 'apigateway', 'restApis');
            const p = pageOf(apis, ctx.params.get('position') ?? undefined, limit, `apigateway:${ctx.region}`, bad('Invalid position'));
            return { items: p.items.map(({ stages: _s, ...api }) => api), position: p.next };
        },
        GetStages: (ctx) => {
            const api = ctx.state.regional(ctx.account, ctx.region, 'apigateway', 'restApis').find((a) => a.id === ctx.pathParams[0]);
            if (!api) throw new AwsError('NotFoundException', 404, 'Invalid API identifier specified');
            return { item: (api.stages as Shape[] | undefined) ?? [] };
        },
    },
};
