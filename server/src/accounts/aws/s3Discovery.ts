/**
 * S3: buckets with their ACL, policy, public access block, encryption, versioning,
 * logging, tags, ownership controls, lifecycle, CORS, website and notification
 * configuration (provider v6+ models each as its own resource). ListBuckets is global; each bucket's sub-resources are read in the
 * bucket's own region, and the bucket belongs to that region's child account.
 */
import {
    GetBucketAclCommand,
    GetBucketCorsCommand,
    GetBucketEncryptionCommand,
    GetBucketLifecycleConfigurationCommand,
    GetBucketLocationCommand,
    GetBucketLoggingCommand,
    GetBucketNotificationConfigurationCommand,
    GetBucketOwnershipControlsCommand,
    GetBucketPolicyCommand,
    GetBucketTaggingCommand,
    GetBucketVersioningCommand,
    GetBucketWebsiteCommand,
    GetPublicAccessBlockCommand,
    paginateListBuckets,
    type CORSRule,
    type GetBucketAclCommandOutput,
    type GetBucketLifecycleConfigurationCommandOutput,
    type GetBucketNotificationConfigurationCommandOutput,
    type GetBucketVersioningCommandOutput,
    type GetBucketWebsiteCommandOutput,
    type OwnershipControls,
    type Grant,
    type LoggingEnabled,
    type PublicAccessBlockConfiguration,
    type ServerSideEncryptionConfiguration,
    type Tag,
} from '@aws-sdk/client-s3';
import { errorCode, compact, isoDate, tagMap } from './awsShapeConversions';
import { mapAll, pageLimit, type DiscoveredResource, type ServiceDiscoverer } from './discoveryTypes';
import { S3_TYPES } from './awsServiceTypes';

/** What the scanner read about one bucket; absent parts were not configured. */
export interface BucketReadout {
    name: string;
    region: string;
    creationDate?: Date | string;
    acl: Pick<GetBucketAclCommandOutput, 'Grants' | 'Owner'>;
    policy?: string;
    publicAccessBlock?: PublicAccessBlockConfiguration;
    encryption?: ServerSideEncryptionConfiguration;
    versioning?: Pick<GetBucketVersioningCommandOutput, 'Status' | 'MFADelete'>;
    logging?: LoggingEnabled;
    tags?: Tag[];
    ownershipControls?: OwnershipControls;
    lifecycle?: Pick<GetBucketLifecycleConfigurationCommandOutput, 'Rules' | 'TransitionDefaultMinimumObjectSize'>;
    cors?: CORSRule[];
    website?: Pick<GetBucketWebsiteCommandOutput, 'IndexDocument' | 'ErrorDocument' | 'RedirectAllRequestsTo'>;
    notification?: Omit<GetBucketNotificationConfigurationCommandOutput, '$metadata'>;
}

const ALL_USERS = 'http://acs.amazonaws.com/groups/global/AllUsers';
const AUTHENTICATED_USERS = 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers';

export type CannedAcl = 'private' | 'public-read' | 'public-read-write' | 'authenticated-read';

/**
 * The canned ACL a bucket's grants amount to. Grants that match no canned ACL exactly
 * are named by the widest access they give, because policies ask "is it public?":
 * everyone may write (or has FULL_CONTROL) -> public-read-write, everyone may read ->
 * public-read, any AWS user may read or write -> authenticated-read, else private.
 */
export function cannedAclOf(grants: readonly Grant[] | undefined): CannedAcl {
    const to = (uri: string) => (grants ?? []).filter((g) => g.Grantee?.Type === 'Group' && g.Grantee.URI === uri).map((g) => g.Permission);
    const everyone = to(ALL_USERS);
    if (everyone.includes('WRITE') || everyone.includes('FULL_CONTROL')) return 'public-read-write';
    if (everyone.includes('READ') || everyone.includes('READ_ACP') || everyone.includes('WRITE_ACP')) return 'public-read';
    if (to(AUTHENTICATED_USERS).length > 0) return 'authenticated-read';
    return 'private';
}

/** Grants as the Bucket's `grants` property: one entry per grantee with its permissions. */
function grantsProperty(grants: readonly Grant[] | undefined): Record<string, unknown>[] {
    const byGrantee = new Map<string, Record<string, unknown> & { permissions: string[] }>();
    for (const grant of grants ?? []) {
        const g: NonNullable<Grant['Grantee']> = grant.Grantee ?? { Type: undefined };
        const key = `${g.Type}|${g.ID ?? ''}|${g.URI ?? ''}`;
        let entry = byGrantee.get(key);
        if (!entry) {
            entry = compact({ type: g.Type, id: g.ID, uri: g.URI, permissions: [] as string[] });
            byGrantee.set(key, entry);
        }
        if (grant.Permission) entry.permissions.push(grant.Permission);
    }
    for (const entry of byGrantee.values()) entry.permissions.sort();
    return [...byGrantee.values()];
}

function encryptionRules(encryption: ServerSideEncryptionConfiguration) {
    return (encryption.Rules ?? []).map((rule) =>
        compact({
            applyServerSideEncryptionByDefault: rule.ApplyServerSideEncryptionByDefault
                ? compact({ sseAlgorithm: rule.ApplyServerSideEncryptionByDefault.SSEAlgorithm, kmsMasterKeyId: rule.ApplyServerSideEncryptionByDefault.KMSMasterKeyID })
                : undefined,
            bucketKeyEnabled: rule.BucketKeyEnabled,
        }),
    );
}

/** The bucket and, as @pulumi/aws models them, its separate configuration resources. */
export function mapBucket(b: BucketReadout): DiscoveredResource[] {
    const arn = `arn:aws:s3:::${b.name}`;
    const rules = b.encryption ? encryptionRules(b.encryption) : undefined;
    const bucket: DiscoveredResource = {
        type: S3_TYPES.bucket,
        key: b.name,
        name: b.name,
        id: b.name,
        region: b.region,
        properties: compact({
            bucket: b.name,
            arn,
            region: b.region,
            bucketRegion: b.region,
            acl: cannedAclOf(b.acl.Grants),
            grants: grantsProperty(b.acl.Grants),
            policy: b.policy,
            serverSideEncryptionConfiguration: rules?.length ? { rule: rules[0] } : undefined,
            versioning: { enabled: b.versioning?.Status === 'Enabled', mfaDelete: b.versioning?.MFADelete === 'Enabled' },
            logging: b.logging ? compact({ targetBucket: b.logging.TargetBucket, targetPrefix: b.logging.TargetPrefix }) : undefined,
            tags: tagMap(b.tags),
            creationDate: isoDate(b.creationDate),
        }),
    };
    const part = (type: string, properties: Record<string, unknown>): DiscoveredResource => ({
        type,
        key: b.name,
        name: b.name,
        id: b.name,
        region: b.region,
        properties: compact({ bucket: b.name, region: b.region, ...properties }),
    });
    const out = [bucket];
    if (b.publicAccessBlock) {
        const p = b.publicAccessBlock;
        out.push(
            part(S3_TYPES.publicAccessBlock, {
                blockPublicAcls: p.BlockPublicAcls ?? false,
                blockPublicPolicy: p.BlockPublicPolicy ?? false,
                ignorePublicAcls: p.IgnorePublicAcls ?? false,
                restrictPublicBuckets: p.RestrictPublicBuckets ?? false,
            }),
        );
    }
    if (b.policy !== undefined) out.push(part(S3_TYPES.policy, { policy: b.policy }));
    if (b.versioning?.Status) out.push(part(S3_TYPES.versioning, { versioningConfiguration: compact({ status: b.versioning.Status, mfaDelete: b.versioning.MFADelete }) }));
    if (rules) out.push(part(S3_TYPES.encryption, { rules }));
    if (b.logging) out.push(part(S3_TYPES.logging, { targetBucket: b.logging.TargetBucket, targetPrefix: b.logging.TargetPrefix }));
    // every bucket has an ACL; the official aws-typescript template checks BucketAcl's `acl`
    out.push(
        part(S3_TYPES.acl, {
            acl: cannedAclOf(b.acl.Grants),
            accessControlPolicy: {
                grants: (b.acl.Grants ?? []).map((g) => compact({ grantee: compact({ type: g.Grantee?.Type, id: g.Grantee?.ID, uri: g.Grantee?.URI, emailAddress: g.Grantee?.EmailAddress, displayName: g.Grantee?.DisplayName }), permission: g.Permission })),
                owner: compact({ id: b.acl.Owner?.ID, displayName: b.acl.Owner?.DisplayName }),
            },
        }),
    );
    const ownership = b.ownershipControls?.Rules?.[0]?.ObjectOwnership;
    if (ownership) out.push(part(S3_TYPES.ownershipControls, { rule: { objectOwnership: ownership } }));
    if (b.lifecycle?.Rules?.length) out.push(part(S3_TYPES.lifecycle, { rules: b.lifecycle.Rules.map(lifecycleRule), transitionDefaultMinimumObjectSize: b.lifecycle.TransitionDefaultMinimumObjectSize }));
    if (b.cors?.length) {
        out.push(
            part(S3_TYPES.cors, {
                corsRules: b.cors.map((r) => compact({ id: r.ID, allowedHeaders: r.AllowedHeaders, allowedMethods: r.AllowedMethods, allowedOrigins: r.AllowedOrigins, exposeHeaders: r.ExposeHeaders, maxAgeSeconds: r.MaxAgeSeconds })),
            }),
        );
    }
    if (b.website) {
        const w = b.website;
        out.push(
            part(S3_TYPES.website, {
                indexDocument: w.IndexDocument?.Suffix ? { suffix: w.IndexDocument.Suffix } : undefined,
                errorDocument: w.ErrorDocument?.Key ? { key: w.ErrorDocument.Key } : undefined,
                redirectAllRequestsTo: w.RedirectAllRequestsTo ? compact({ hostName: w.RedirectAllRequestsTo.HostName, protocol: w.RedirectAllRequestsTo.Protocol }) : undefined,
                websiteEndpoint: `${b.name}.s3-website-${b.region}.amazonaws.com`,
                websiteDomain: `s3-website-${b.region}.amazonaws.com`,
            }),
        );
    }
    const n = b.notification;
    if (n && (n.TopicConfigurations?.length || n.QueueConfigurations?.length || n.LambdaFunctionConfigurations?.length || n.EventBridgeConfiguration)) {
        out.push(
            part(S3_TYPES.notification, {
                topics: n.TopicConfigurations?.map((t) => compact({ id: t.Id, topicArn: t.TopicArn, events: t.Events })),
                queues: n.QueueConfigurations?.map((q) => compact({ id: q.Id, queueArn: q.QueueArn, events: q.Events })),
                lambdaFunctions: n.LambdaFunctionConfigurations?.map((l) => compact({ id: l.Id, lambdaFunctionArn: l.LambdaFunctionArn, events: l.Events })),
                eventbridge: n.EventBridgeConfiguration ? true : undefined,
            }),
        );
    }
    return out;
}

type LifecycleRule = NonNullable<NonNullable<BucketReadout['lifecycle']>['Rules']>[number];

function lifecycleRule(r: LifecycleRule): Record<string, unknown> {
    return compact({
        id: r.ID,
        status: r.Status,
        filter: r.Filter ? compact({ prefix: r.Filter.Prefix ?? r.Filter.And?.Prefix, objectSizeGreaterThan: r.Filter.ObjectSizeGreaterThan, objectSizeLessThan: r.Filter.ObjectSizeLessThan }) : undefined,
        expiration: r.Expiration ? compact({ days: r.Expiration.Days, date: isoDate(r.Expiration.Date), expiredObjectDeleteMarker: r.Expiration.ExpiredObjectDeleteMarker }) : undefined,
        transitions: r.Transitions?.map((t) => compact({ days: t.Days, date: isoDate(t.Date), storageClass: t.StorageClass })),
        noncurrentVersionExpiration: r.NoncurrentVersionExpiration ? compact({ noncurrentDays: r.NoncurrentVersionExpiration.NoncurrentDays, newerNoncurrentVersions: r.NoncurrentVersionExpiration.NewerNoncurrentVersions }) : undefined,
        abortIncompleteMultipartUpload: r.AbortIncompleteMultipartUpload ? { daysAfterInitiation: r.AbortIncompleteMultipartUpload.DaysAfterInitiation } : undefined,
    });
}

/** These answer "not configured", not a failure. */
const NOT_CONFIGURED = new Set([
    'NoSuchBucketPolicy',
    'NoSuchPublicAccessBlockConfiguration',
    'ServerSideEncryptionConfigurationNotFoundError',
    'NoSuchTagSet',
    'OwnershipControlsNotFoundError',
    'NoSuchLifecycleConfiguration',
    'NoSuchCORSConfiguration',
    'NoSuchWebsiteConfiguration',
]);

async function optional<T>(read: () => Promise<T>): Promise<T | undefined> {
    try {
        return await read();
    } catch (error) {
        if (NOT_CONFIGURED.has(errorCode(error))) return undefined;
        throw error;
    }
}

export const s3Discoverer: ServiceDiscoverer = {
    service: 's3',
    scope: 's3',
    types: Object.values(S3_TYPES),
    async discover(ctx) {
        const listing = ctx.clients.get('s3', ctx.region);
        const buckets: { name: string; region?: string; creationDate?: Date }[] = [];
        for await (const page of paginateListBuckets({ client: listing, pageSize: pageLimit(ctx, 1, 10_000) }, {})) {
            for (const b of page.Buckets ?? []) if (b.Name) buckets.push({ name: b.Name, region: b.BucketRegion, creationDate: b.CreationDate });
        }
        const located = await mapAll(buckets, async (b) => {
            if (b.region) return { ...b, region: b.region };
            const location = await listing.send(new GetBucketLocationCommand({ Bucket: b.name }));
            // us-east-1 answers with an empty constraint; EU is the old name of eu-west-1
            const constraint = location.LocationConstraint as string | undefined;
            return { ...b, region: !constraint ? 'us-east-1' : constraint === 'EU' ? 'eu-west-1' : constraint };
        });
        const inScope = located.filter((b) => ctx.regions.includes(b.region));
        const readouts = await mapAll(inScope, async (b): Promise<BucketReadout> => {
            const client = ctx.clients.get('s3', b.region);
            const Bucket = b.name;
            const [acl, policy, publicAccessBlock, encryption, versioning, logging, tags, ownershipControls, lifecycle, cors, website, notification] = await Promise.all([
                client.send(new GetBucketAclCommand({ Bucket })),
                optional(() => client.send(new GetBucketPolicyCommand({ Bucket }))),
                optional(() => client.send(new GetPublicAccessBlockCommand({ Bucket }))),
                optional(() => client.send(new GetBucketEncryptionCommand({ Bucket }))),
                client.send(new GetBucketVersioningCommand({ Bucket })),
                client.send(new GetBucketLoggingCommand({ Bucket })),
                optional(() => client.send(new GetBucketTaggingCommand({ Bucket }))),
                optional(() => client.send(new GetBucketOwnershipControlsCommand({ Bucket }))),
                optional(() => client.send(new GetBucketLifecycleConfigurationCommand({ Bucket }))),
                optional(() => client.send(new GetBucketCorsCommand({ Bucket }))),
                optional(() => client.send(new GetBucketWebsiteCommand({ Bucket }))),
                client.send(new GetBucketNotificationConfigurationCommand({ Bucket })),
            ]);
            return {
                name: b.name,
                region: b.region,
                creationDate: b.creationDate,
                acl,
                policy: policy?.Policy,
                publicAccessBlock: publicAccessBlock?.PublicAccessBlockConfiguration,
                encryption: encryption?.ServerSideEncryptionConfiguration,
                versioning: versioning.Status ? versioning : undefined,
                logging: logging.LoggingEnabled,
                tags: tags?.TagSet,
                ownershipControls: ownershipControls?.OwnershipControls,
                lifecycle,
                cors: cors?.CORSRules,
                website,
                notification,
            };
        });
        return readouts.flatMap(mapBucket);
    },
};
