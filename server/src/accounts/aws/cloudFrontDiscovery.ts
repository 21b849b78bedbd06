/**
 * CloudFront distributions, a global service like IAM (stored in the parent account):
 * ListDistributions, then each distribution's configuration (GetDistributionConfig: the
 * summary has no logging settings or default root object). Typed as @pulumi/aws v7's
 * `aws.cloudfront.Distribution`.
 */
import {
    GetDistributionConfigCommand,
    paginateListDistributions,
    type CacheBehavior,
    type DefaultCacheBehavior,
    type DistributionConfig,
    type DistributionSummary,
    type Origin,
} from '@aws-sdk/client-cloudfront';
import { compact, isoDate } from './awsShapeConversions';
import { mapAll, pageLimit, type DiscoveredResource, type ServiceDiscoverer } from './discoveryTypes';
import { allItems } from './regionalDiscovery';
import { CLOUDFRONT_TYPE } from './awsServiceTypes';

/** The hosted zone id of every CloudFront distribution (the provider reports the same constant). */
const CLOUDFRONT_ZONE_ID = 'Z2FDTNDATAQYW2';

function cacheBehavior(b: DefaultCacheBehavior | CacheBehavior): Record<string, unknown> {
    return compact({
        ...('PathPattern' in b ? { pathPattern: b.PathPattern } : {}),
        targetOriginId: b.TargetOriginId,
        viewerProtocolPolicy: b.ViewerProtocolPolicy,
        allowedMethods: b.AllowedMethods?.Items,
        cachedMethods: b.AllowedMethods?.CachedMethods?.Items,
        compress: b.Compress,
        smoothStreaming: b.SmoothStreaming,
        cachePolicyId: b.CachePolicyId,
        originRequestPolicyId: b.OriginRequestPolicyId,
        responseHeadersPolicyId: b.ResponseHeadersPolicyId,
        realtimeLogConfigArn: b.RealtimeLogConfigArn,
        fieldLevelEncryptionId: b.FieldLevelEncryptionId || undefined,
        minTtl: b.MinTTL,
        defaultTtl: b.DefaultTTL,
        maxTtl: b.MaxTTL,
    });
}

function origin(o: Origin): Record<string, unknown> {
    const custom = o.CustomOriginConfig;
    return compact({
        originId: o.Id,
        domainName: o.DomainName,
        originPath: o.OriginPath || undefined,
        originAccessControlId: o.OriginAccessControlId || undefined,
        connectionAttempts: o.ConnectionAttempts,
        connectionTimeout: o.ConnectionTimeout,
        s3OriginConfig: o.S3OriginConfig ? { originAccessIdentity: o.S3OriginConfig.OriginAccessIdentity ?? '' } : undefined,
        customOriginConfig: custom
            ? compact({
                  httpPort: custom.HTTPPort,
                  httpsPort: custom.HTTPSPort,
                  originProtocolPolicy: custom.OriginProtocolPolicy,
                  originSslProtocols: custom.OriginSslProtocols?.Items,
                  originReadTimeout: custom.OriginReadTimeout,
                  originKeepaliveTimeout: custom.OriginKeepaliveTimeout,
              })
            : undefined,
    });
}

export function mapDistribution(summary: DistributionSummary, config: DistributionConfig | undefined, etag: string | undefined): DiscoveredResource {
    const id = summary.Id ?? '';
    // the configuration when it was read, else the summary's copy of the same fields
    const c = config ?? summary;
    const logging = config?.Logging;
    const cert = c.ViewerCertificate;
    const geo = c.Restrictions?.GeoRestriction;
    const aliases = c.Aliases?.Items ?? [];
    return {
        type: CLOUDFRONT_TYPE,
        key: id,
        name: aliases[0] ?? summary.DomainName ?? id,
        id,
        properties: compact({
            arn: summary.ARN,
            status: summary.Status,
            domainName: summary.DomainName,
            hostedZoneId: CLOUDFRONT_ZONE_ID,
            lastModifiedTime: isoDate(summary.LastModifiedTime),
            etag,
            callerReference: config?.CallerReference,
            comment: c.Comment || undefined,
            enabled: c.Enabled,
            staging: c.Staging,
            aliases: aliases.length ? aliases : undefined,
            defaultRootObject: config?.DefaultRootObject || undefined,
            httpVersion: c.HttpVersion,
            isIpv6Enabled: c.IsIPV6Enabled,
            priceClass: c.PriceClass,
            webAclId: c.WebACLId || undefined,
            origins: (c.Origins?.Items ?? []).map(origin),
            defaultCacheBehavior: c.DefaultCacheBehavior ? cacheBehavior(c.DefaultCacheBehavior) : undefined,
            orderedCacheBehaviors: c.CacheBehaviors?.Items?.length ? c.CacheBehaviors.Items.map(cacheBehavior) : undefined,
            // the provider has no loggingConfig when logging is off
            loggingConfig: logging?.Enabled ? compact({ bucket: logging.Bucket, prefix: logging.Prefix || undefined, includeCookies: logging.IncludeCookies }) : undefined,
            viewerCertificate: cert
                ? compact({
                      cloudfrontDefaultCertificate: cert.CloudFrontDefaultCertificate ?? false,
                      acmCertificateArn: cert.ACMCertificateArn,
                      iamCertificateId: cert.IAMCertificateId,
                      minimumProtocolVersion: cert.MinimumProtocolVersion,
                      sslSupportMethod: cert.SSLSupportMethod,
                  })
                : undefined,
            restrictions: geo ? { geoRestriction: compact({ restrictionType: geo.RestrictionType, locations: geo.Items ?? [] }) } : undefined,
        }),
    };
}

export const cloudFrontDiscoverer: ServiceDiscoverer = {
    service: 'cloudfront',
    scope: 'global',
    types: [CLOUDFRONT_TYPE],
    async discover(ctx) {
        const client = ctx.clients.get('cloudfront', ctx.region);
        const summaries = await allItems(paginateListDistributions({ client, pageSize: pageLimit(ctx, 1, 1000) }, {}), (p) => p.DistributionList?.Items);
        return mapAll(summaries, async (s) => {
            const config = await client.send(new GetDistributionConfigCommand({ Id: s.Id }));
            return mapDistribution(s, config.DistributionConfig, config.ETag);
        });
    },
};
