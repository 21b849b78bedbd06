// S3 (REST-XML, path-style): bucket listing and the bucket sub-resources a scanner reads,
// plus PutBucketAcl. Each bucket lives in one region; a request signed for another region
// is answered with 301 PermanentRedirect and x-amz-bucket-region, as S3 does.
import * as sdk from '@aws-sdk/client-s3';
import { cannedAclGrants, canonicalUserId, type CannedAcl, type FixtureBucket, type Shape } from '../fixture';
import { pageOf, pageSize } from '../pagination';
import { AwsError } from '../wire/protocols';
import type { OperationContext, OperationHandler, ServiceDefinition } from './types';

/** The sub-resource query keys that pick an operation, per method. */
const SUBRESOURCES: Record<string, Record<string, string>> = {
    GET: {
        location: 'GetBucketLocation',
        acl: 'GetBucketAcl',
        policy: 'GetBucketPolicy',
        publicAccessBlock: 'GetPublicAccessBlock',
        encryption: 'GetBucketEncryption',
        versioning: 'GetBucketVersioning',
        logging: 'GetBucketLogging',
        tagging: 'GetBucketTagging',
        ownershipControls: 'GetBucketOwnershipControls',
        lifecycle: 'GetBucketLifecycleConfiguration',
        cors: 'GetBucketCors',
        website: 'GetBucketWebsite',
        notification: 'GetBucketNotificationConfiguration',
    },
    PUT: { acl: 'PutBucketAcl' },
};

/** Names the S3 operation of a path-style request, or undefined when it is not one the local AWS serves. */
export function s3OperationOf(method: string, bucket: string | undefined, params: URLSearchParams): string | undefined {
    if (!bucket) return method === 'GET' ? 'ListBuckets' : undefined;
    if (method === 'HEAD') return 'HeadBucket';
    const table = SUBRESOURCES[method] ?? {};
    for (const key of params.keys()) if (table[key]) return table[key];
    return undefined;
}

function owner(accountId: string): Shape {
    return { ID: canonicalUserId(accountId), DisplayName: `owner-${accountId}` };
}

/** The caller's bucket, checked for existence, ownership and region. */
function bucketFor(ctx: OperationContext, checkRegion = true): FixtureBucket {
    const name = ctx.bucket as string;
    const found = ctx.state.bucket(name);
    if (!found) throw new AwsError('NoSuchBucket', 404, 'The specified bucket does not exist', { fields: { BucketName: name } });
    if (found.account.accountId !== ctx.account.accountId) throw new AwsError('AccessDenied', 403, 'Access Denied');
    const region = found.bucket.Region as string;
    if (checkRegion && region !== ctx.region) {
        throw new AwsError('PermanentRedirect', 301, 'The bucket you are attempting to access must be addressed using the specified endpoint. Please send all future requests to this endpoint.', {
            headers: { 'x-amz-bucket-region': region },
            fields: { Bucket: name, Endpoint: `s3.${region}.amazonaws.com` },
        });
    }
    return found.bucket;
}

function notFound(code: string, message: string, bucket: string): AwsError {
    return new AwsError(code, 404, message, { fields: { BucketName: bucket } });
}

const invalidArgument = (message: string) => new AwsError('InvalidArgument', 400, message);

const handlers: Record<string, OperationHandler> = {
    ListBuckets: (ctx) => {
        const prefix = ctx.params.get('prefix') ?? '';
        const regionFilter = ctx.params.get('bucket-region');
        let buckets = ctx.state.bucketsOf(ctx.account);
        if (prefix || regionFilter) buckets = buckets.filter((b) => b.Name.startsWith(prefix) && (!regionFilter || b.Region === regionFilter));
        const limit = pageSize(ctx.params.get('max-buckets') ?? undefined, 'max-buckets', 1, 10000, 10000, invalidArgument);
        const page = pageOf(buckets, ctx.params.get('continuation-token') ?? undefined, limit, `s3:${prefix}:${regionFilter ?? ''}`, invalidArgument('The continuation token provided is incorrect'));
        return {
            Buckets: page.items.map((b) => ({ Name: b.Name, CreationDate: b.CreationDate, BucketRegion: b.Region, BucketArn: `arn:aws:s3:::${b.Name}` })),
            Owner: owner(ctx.account.accountId),
            ContinuationToken: page.next,
            Prefix: prefix || undefined,
        };
    },
    HeadBucket: (ctx) => {
        const bucket = bucketFor(ctx);
        return { BucketRegion: bucket.Region, BucketArn: `arn:aws:s3:::${bucket.Name}` };
    },
    GetBucketLocation: (ctx) => {
        // Answered from any region: this is how clients find a bucket's region.
        const region = bucketFor(ctx, false).Region;
        return { LocationConstraint: region === 'us-east-1' ? '' : region };
    },
    GetBucketAcl: (ctx) => ({ Owner: owner(ctx.account.accountId), Grants: (bucketFor(ctx).Acl as { Grants: Shape[] }).Grants }),
    GetBucketPolicy: (ctx) => {
        const bucket = bucketFor(ctx);
        if (!bucket.Policy) throw notFound('NoSuchBucketPolicy', 'The bucket policy does not exist', bucket.Name);
        return { Policy: bucket.Policy };
    },
    GetPublicAccessBlock: (ctx) => {
        const bucket = bucketFor(ctx);
        if (!bucket.PublicAccessBlock) throw notFound('NoSuchPublicAccessBlockConfiguration', 'The public access block configuration was not found', bucket.Name);
        return { PublicAccessBlockConfiguration: bucket.PublicAccessBlock };
    },
    GetBucketEncryption: (ctx) => {
        const bucket = bucketFor(ctx);
        if (!bucket.Encryption) throw notFound('ServerSideEncryptionConfigurationNotFoundError', 'The server side encryption configuration was not found', bucket.Name);
        return { ServerSideEncryptionConfiguration: bucket.Encryption };
    },
    GetBucketVersioning: (ctx) => ({ ...(bucketFor(ctx).Versioning ?? {}) }),
    GetBucketLogging: (ctx) => ({ LoggingEnabled: bucketFor(ctx).Logging }),
    GetBucketTagging: (ctx) => {
        const bucket = bucketFor(ctx);
        if (!bucket.Tags || bucket.Tags.length === 0) throw notFound('NoSuchTagSet', 'The TagSet does not exist', bucket.Name);
        return { TagSet: bucket.Tags };
    },
    GetBucketOwnershipControls: (ctx) => {
        const bucket = bucketFor(ctx);
        if (!bucket.OwnershipControls) throw notFound('OwnershipControlsNotFoundError', 'The bucket ownership controls were not found', bucket.Name);
        return { OwnershipControls: bucket.OwnershipControls };
    },
    GetBucketLifecycleConfiguration: (ctx) => {
        const bucket = bucketFor(ctx);
        if (!bucket.Lifecycle) throw notFound('NoSuchLifecycleConfiguration', 'The lifecycle configuration does not exist', bucket.Name);
        return { ...bucket.Lifecycle };
    },
    GetBucketCors: (ctx) => {
        const bucket = bucketFor(ctx);
        if (!bucket.Cors?.length) throw notFound('NoSuchCORSConfiguration', 'The CORS configuration does not exist', bucket.Name);
        return { CORSRules: bucket.Cors };
    },
    GetBucketWebsite: (ctx) => {
        const bucket = bucketFor(ctx);
        if (!bucket.Website) throw notFound('NoSuchWebsiteConfiguration', 'The specified bucket does not have a website configuration', bucket.Name);
        return { ...bucket.Website };
    },
    // an empty configuration, not an error, when nothing is configured
    GetBucketNotificationConfiguration: (ctx) => ({ ...(bucketFor(ctx).Notification ?? {}) }),
    PutBucketAcl: (ctx) => {
        const bucket = bucketFor(ctx);
        const canned = ctx.headers['x-amz-acl'];
        const ownerId = canonicalUserId(ctx.account.accountId);
        if (typeof canned === 'string') {
            try {
                bucket.Acl = { Grants: cannedAclGrants(canned as CannedAcl, ownerId) };
            } catch {
                throw invalidArgument(`Canned ACL "${canned}" is not one of private, public-read, public-read-write, authenticated-read`);
            }
            return {};
        }
        const grants = parseGrants(ctx.body.toString('utf8'));
        if (!grants) throw new AwsError('MalformedACLError', 400, 'The XML you provided was not well-formed or did not validate against our published schema');
        bucket.Acl = { Grants: grants };
        return {};
    },
};

/** Reads the grants of an AccessControlPolicy body (the shape PutBucketAcl sends). */
function parseGrants(xml: string): Shape[] | undefined {
    if (!/<AccessControlPolicy[\s>]/.test(xml)) return undefined;
    const grants: Shape[] = [];
    for (const [, grant] of xml.matchAll(/<Grant>([\s\S]*?)<\/Grant>/g)) {
        const type = /xsi:type="([^"]+)"/.exec(grant)?.[1];
        const text = (tag: string) => new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(grant)?.[1];
        const permission = text('Permission');
        if (!type || !permission) return undefined;
        grants.push({ Grantee: { Type: type, ID: text('ID'), URI: text('URI'), EmailAddress: text('EmailAddress') }, Permission: permission });
    }
    return grants;
}

export const s3: ServiceDefinition = {
    name: 's3',
    protocol: 'restXml',
    xmlNamespace: 'http://s3.amazonaws.com/doc/2006-03-01/',
    sdk,
    errors: {
        throttle: { code: 'SlowDown', status: 503 },
        accessDenied: { code: 'AccessDenied', status: 403 },
        unknownKey: { code: 'InvalidAccessKeyId', status: 403 },
        badSignature: { code: 'SignatureDoesNotMatch', status: 403 },
        expiredToken: { code: 'ExpiredToken', status: 400 },
        missingAuth: { code: 'AccessDenied', status: 403 },
        unknownOperation: { code: 'NotImplemented', status: 501 },
        internal: { code: 'InternalError', status: 500 },
    },
    handlers,
};
