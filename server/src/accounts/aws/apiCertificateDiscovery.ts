/**
 * API Gateway REST APIs with their stages and each stage's method settings, and ACM
 * certificates (metadata only: ACM never returns private keys through these calls).
 */
import { DescribeCertificateCommand, KeyAlgorithm, paginateListCertificates, type CertificateDetail } from '@aws-sdk/client-acm';
import { GetStagesCommand, paginateGetRestApis, type RestApi, type Stage } from '@aws-sdk/client-api-gateway';
import { compact, isoDate } from './awsShapeConversions';
import { mapAll, pageLimit, type DiscoveredResource } from './discoveryTypes';
import { allItems, regionalDiscoverer, regionalResource } from './regionalDiscovery';
import { API_CERTIFICATE_TYPES } from './awsServiceTypes';

export function mapRestApi(api: RestApi, region: string, accountId?: string): DiscoveredResource {
    const id = api.id ?? '';
    return regionalResource(
        API_CERTIFICATE_TYPES.restApi,
        id,
        region,
        {
            name: api.name,
            arn: `arn:aws:apigateway:${region}::/restapis/${id}`,
            executionArn: `arn:aws:execute-api:${region}:${accountId ?? ''}:${id}`,
            description: api.description,
            createdDate: isoDate(api.createdDate),
            binaryMediaTypes: api.binaryMediaTypes,
            // a string in @pulumi/aws ("" when unset)
            minimumCompressionSize: api.minimumCompressionSize === undefined ? undefined : String(api.minimumCompressionSize),
            apiKeySource: api.apiKeySource,
            endpointConfiguration: api.endpointConfiguration ? compact({ types: api.endpointConfiguration.types, vpcEndpointIds: api.endpointConfiguration.vpcEndpointIds }) : undefined,
            // API Gateway returns the policy JSON with its quotes escaped
            policy: api.policy ? api.policy.replace(/\\"/g, '"') : undefined,
            disableExecuteApiEndpoint: api.disableExecuteApiEndpoint,
            rootResourceId: api.rootResourceId,
            tags: api.tags && Object.keys(api.tags).length ? api.tags : undefined,
        },
        api.name ?? id,
    );
}

/** The stage and one MethodSettings per method path its settings name (`*\/*` for all methods). */
export function mapStage(apiId: string, s: Stage, region: string, accountId?: string): DiscoveredResource[] {
    const stageName = s.stageName ?? '';
    const key = `${apiId}/${stageName}`;
    const stage = regionalResource(
        API_CERTIFICATE_TYPES.stage,
        key,
        region,
        {
            restApi: apiId,
            stageName,
            arn: `arn:aws:apigateway:${region}::/restapis/${apiId}/stages/${stageName}`,
            executionArn: `arn:aws:execute-api:${region}:${accountId ?? ''}:${apiId}/${stageName}`,
            invokeUrl: `https://${apiId}.execute-api.${region}.amazonaws.com/${stageName}`,
            deployment: s.deploymentId,
            description: s.description,
            cacheClusterEnabled: s.cacheClusterEnabled ?? false,
            cacheClusterSize: s.cacheClusterSize,
            clientCertificateId: s.clientCertificateId,
            documentationVersion: s.documentationVersion,
            variables: s.variables,
            accessLogSettings: s.accessLogSettings?.destinationArn ? compact({ destinationArn: s.accessLogSettings.destinationArn, format: s.accessLogSettings.format }) : undefined,
            xrayTracingEnabled: s.tracingEnabled ?? false,
            webAclArn: s.webAclArn,
            tags: s.tags && Object.keys(s.tags).length ? s.tags : undefined,
        },
        key,
        `${apiId}/${stageName}`,
    );
    const settings = Object.entries(s.methodSettings ?? {}).map(([methodPath, m]) =>
        regionalResource(API_CERTIFICATE_TYPES.methodSettings, `${key}/${methodPath}`, region, {
            restApi: apiId,
            stageName,
            methodPath,
            settings: compact({
                metricsEnabled: m.metricsEnabled,
                loggingLevel: m.loggingLevel,
                dataTraceEnabled: m.dataTraceEnabled,
                throttlingBurstLimit: m.throttlingBurstLimit,
                throttlingRateLimit: m.throttlingRateLimit,
                cachingEnabled: m.cachingEnabled,
                cacheTtlInSeconds: m.cacheTtlInSeconds,
                cacheDataEncrypted: m.cacheDataEncrypted,
                requireAuthorizationForCacheControl: m.requireAuthorizationForCacheControl,
                unauthorizedCacheControlHeaderStrategy: m.unauthorizedCacheControlHeaderStrategy,
            }),
        }),
    );
    return [stage, ...settings];
}

export function mapCertificate(c: CertificateDetail, region: string): DiscoveredResource {
    const arn = c.CertificateArn ?? '';
    return regionalResource(
        API_CERTIFICATE_TYPES.certificate,
        arn.slice(arn.lastIndexOf('/') + 1),
        region,
        {
            arn,
            domainName: c.DomainName,
            subjectAlternativeNames: c.SubjectAlternativeNames,
            status: c.Status,
            type: c.Type,
            keyAlgorithm: c.KeyAlgorithm,
            notBefore: isoDate(c.NotBefore),
            notAfter: isoDate(c.NotAfter),
            renewalEligibility: c.RenewalEligibility,
            certificateAuthorityArn: c.CertificateAuthorityArn,
            validationMethod: c.DomainValidationOptions?.[0]?.ValidationMethod,
            options: c.Options?.CertificateTransparencyLoggingPreference ? { certificateTransparencyLoggingPreference: c.Options.CertificateTransparencyLoggingPreference } : undefined,
        },
        c.DomainName ?? arn,
        arn,
    );
}

export const apiCertificateDiscoverers = [
    regionalDiscoverer('apigateway', [API_CERTIFICATE_TYPES.restApi, API_CERTIFICATE_TYPES.stage, API_CERTIFICATE_TYPES.methodSettings], async (ctx) => {
        const client = ctx.clients.get('apigateway', ctx.region);
        const apis = await allItems(paginateGetRestApis({ client, pageSize: pageLimit(ctx, 1, 500) }, {}), (p) => p.items);
        const perApi = await mapAll(apis, async (api) => {
            const restApiId = api.id ?? '';
            // GetStages does not page: one call returns every stage of the API
            const stages = (await client.send(new GetStagesCommand({ restApiId }))).item ?? [];
            return [mapRestApi(api, ctx.region, ctx.accountId), ...stages.flatMap((s) => mapStage(restApiId, s, ctx.region, ctx.accountId))];
        });
        return perApi.flat();
    }),
    regionalDiscoverer('acm', [API_CERTIFICATE_TYPES.certificate], async (ctx) => {
        const client = ctx.clients.get('acm', ctx.region);
        // without Includes, ListCertificates leaves out every key type but RSA 1024/2048 (ECDSA, RSA 3072+)
        const Includes = { keyTypes: Object.values(KeyAlgorithm) };
        const summaries = await allItems(paginateListCertificates({ client, pageSize: pageLimit(ctx, 1, 1000) }, { Includes }), (p) => p.CertificateSummaryList);
        return mapAll(summaries, async (s) => mapCertificate((await client.send(new DescribeCertificateCommand({ CertificateArn: s.CertificateArn }))).Certificate ?? { CertificateArn: s.CertificateArn }, ctx.region));
    }),
];
