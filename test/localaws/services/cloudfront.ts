// CloudFront: global REST-XML (signed for us-east-1), ListDistributions (Marker/MaxItems ->
// DistributionList.NextMarker) and GetDistributionConfig (the config as the payload, its
// ETag as a header). Errors come wrapped in <ErrorResponse>, unlike S3's.
import * as cloudfrontSdk from '@aws-sdk/client-cloudfront';
import type { Shape } from '../fixture';
import { pageOf, pageSize } from '../pagination';
import { AwsError } from '../wire/protocols';
import { queryErrors } from './queryServices';
import type { ServiceDefinition } from './types';

const invalid = (message: string) => new AwsError('InvalidArgument', 400, message);

export const cloudfront: ServiceDefinition = {
    name: 'cloudfront',
    protocol: 'restXml',
    xmlNamespace: 'http://cloudfront.amazonaws.com/doc/2020-05-31/',
    wrappedXmlErrors: true,
    sdk: cloudfrontSdk,
    errors: { ...queryErrors, internal: { code: 'ServiceUnavailable', status: 503 } },
    routes: [
        { method: 'GET', path: /^\/2020-05-31\/distribution\/?$/, operation: 'ListDistributions' },
        { method: 'GET', path: /^\/2020-05-31\/distribution\/([^/]+)\/config\/?$/, operation: 'GetDistributionConfig' },
    ],
    handlers: {
        ListDistributions: (ctx) => {
            const all = ctx.account.cloudfront?.distributions ?? [];
            const limit = pageSize(ctx.params.get('MaxItems') ?? undefined, 'MaxItems', 1, 1000, 100, invalid);
            const marker = ctx.params.get('Marker') || undefined;
            const p = pageOf(all, marker, limit, 'cloudfront', invalid('Invalid Marker'));
            return {
                DistributionList: {
                    Marker: marker ?? '',
                    MaxItems: limit,
                    IsTruncated: p.next !== undefined,
                    Quantity: p.items.length,
                    ...(p.next ? { NextMarker: p.next } : {}),
                    Items: p.items.map(({ config: _c, ...summary }) => summary),
                },
            };
        },
        GetDistributionConfig: (ctx) => {
            const id = ctx.pathParams[0];
            const distribution = (ctx.account.cloudfront?.distributions ?? []).find((d) => d.Id === id);
            if (!distribution) throw new AwsError('NoSuchDistribution', 404, 'The specified distribution does not exist.');
            return { DistributionConfig: distribution.config as Shape, ETag: `E${String(id).slice(-8)}` };
        },
    },
};
