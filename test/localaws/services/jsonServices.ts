// The AWS JSON 1.0/1.1 services: KMS, CloudTrail, DynamoDB, SQS, CloudWatch Logs, ACM.
import * as kmsSdk from '@aws-sdk/client-kms';
import * as cloudtrailSdk from '@aws-sdk/client-cloudtrail';
import * as dynamodbSdk from '@aws-sdk/client-dynamodb';
import * as sqsSdk from '@aws-sdk/client-sqs';
import * as logsSdk from '@aws-sdk/client-cloudwatch-logs';
import * as acmSdk from '@aws-sdk/client-acm';
import type { Shape } from '../fixture';
import { pageOf, pageSize } from '../pagination';
import { AwsError } from '../wire/protocols';
import type { OperationContext, ServiceDefinition } from './types';

/** How the JSON 1.0/1.1 services answer each fault (other JSON services, e.g. ECR, reuse it). */
export const jsonErrors = {
    throttle: { code: 'ThrottlingException', status: 400 },
    accessDenied: { code: 'AccessDeniedException', status: 400 },
    unknownKey: { code: 'UnrecognizedClientException', status: 400 },
    badSignature: { code: 'InvalidSignatureException', status: 400 },
    expiredToken: { code: 'ExpiredTokenException', status: 400 },
    missingAuth: { code: 'MissingAuthenticationTokenException', status: 400 },
    unknownOperation: { code: 'UnknownOperationException', status: 400 },
    internal: { code: 'InternalFailure', status: 500 },
};

const validation = (message: string) => new AwsError('ValidationException', 400, message);

function str(ctx: OperationContext, name: string): string | undefined {
    const value = ctx.json[name];
    return typeof value === 'string' ? value : undefined;
}

// ---- KMS -------------------------------------------------------------------------------

function findKey(ctx: OperationContext): Shape {
    const id = str(ctx, 'KeyId') ?? '';
    const key = ctx.state.regional(ctx.account, ctx.region, 'kms', 'keys').find((k) => k.KeyId === id || k.Arn === id);
    if (!key) throw new AwsError('NotFoundException', 400, `Key '${id}' does not exist`);
    return key;
}

export const kms: ServiceDefinition = {
    name: 'kms',
    protocol: 'awsJson1_1',
    jsonTarget: 'TrentService',
    sdk: kmsSdk,
    errors: { ...jsonErrors, internal: { code: 'KMSInternalException', status: 500 } },
    handlers: {
        ListKeys: (ctx) => {
            const keys = ctx.state.regional(ctx.account, ctx.region, 'kms', 'keys');
            const limit = pageSize(ctx.json.Limit, 'Limit', 1, 1000, 100, validation);
            const page = pageOf(keys, str(ctx, 'Marker'), limit, `kms:${ctx.region}`, new AwsError('InvalidMarkerException', 400, 'Invalid marker'));
            return { Keys: page.items.map((k) => ({ KeyId: k.KeyId, KeyArn: k.Arn })), NextMarker: page.next, Truncated: page.next !== undefined };
        },
        ListAliases: (ctx) => {
            const aliases = ctx.state.regional(ctx.account, ctx.region, 'kms', 'aliases');
            const limit = pageSize(ctx.json.Limit, 'Limit', 1, 100, 50, validation);
            const page = pageOf(aliases, str(ctx, 'Marker'), limit, `kms-aliases:${ctx.region}`, new AwsError('InvalidMarkerException', 400, 'Invalid marker'));
            return { Aliases: page.items, NextMarker: page.next, Truncated: page.next !== undefined };
        },
        DescribeKey: (ctx) => {
            const { rotationEnabled: _ignored, ...metadata } = findKey(ctx);
            return { KeyMetadata: metadata };
        },
        GetKeyRotationStatus: (ctx) => {
            const key = findKey(ctx);
            return { KeyRotationEnabled: key.rotationEnabled === true, KeyId: key.KeyId };
        },
    },
};

// ---- CloudTrail ------------------------------------------------------------------------

function trailsVisibleIn(ctx: OperationContext): Shape[] {
    // A multi-region trail shows up in every region (as a "shadow" outside its home region).
    const out: Shape[] = [];
    for (const region of ctx.account.regions) {
        for (const trail of ctx.state.regional(ctx.account, region, 'cloudtrail', 'trails')) {
            if (region === ctx.region || trail.IsMultiRegionTrail === true) out.push(trail);
        }
    }
    return out;
}

export const cloudtrail: ServiceDefinition = {
    name: 'cloudtrail',
    protocol: 'awsJson1_1',
    jsonTarget: 'CloudTrail_20131101',
    sdk: cloudtrailSdk,
    errors: jsonErrors,
    handlers: {
        DescribeTrails: (ctx) => {
            const names = Array.isArray(ctx.json.trailNameList) ? (ctx.json.trailNameList as string[]) : [];
            const shadows = ctx.json.includeShadowTrails !== false;
            let trails = trailsVisibleIn(ctx).filter((t) => shadows || t.HomeRegion === ctx.region);
            if (names.length) trails = trails.filter((t) => names.includes(t.Name as string) || names.includes(t.TrailARN as string));
            return { trailList: trails.map(({ isLogging: _l, ...trail }) => trail) };
        },
        GetTrailStatus: (ctx) => {
            const name = str(ctx, 'Name') ?? '';
            const trail = trailsVisibleIn(ctx).find((t) => t.Name === name || t.TrailARN === name);
            if (!trail) throw new AwsError('TrailNotFoundException', 400, `Unknown trail: ${name} for the user: ${ctx.account.accountId}`);
            const logging = trail.isLogging !== false;
            return logging
                ? { IsLogging: true, LatestDeliveryTime: '2024-01-15T10:00:00Z', StartLoggingTime: '2024-01-01T00:00:00Z' }
                : { IsLogging: false, StopLoggingTime: '2024-01-10T00:00:00Z' };
        },
    },
};

// ---- DynamoDB ------------------------------------------------------------------------

// DynamoDB lists table names in name order and pages by name.
const sortedNames = new WeakMap<readonly Shape[], string[]>();
const tableIndex = new WeakMap<readonly Shape[], Map<string, number>>();

function tableNames(tables: readonly Shape[]): string[] {
    let names = sortedNames.get(tables);
    if (!names) {
        names = tables.map((t) => t.TableName as string).sort();
        sortedNames.set(tables, names);
    }
    return names;
}

function indexOfTable(tables: readonly Shape[], name: string): number | undefined {
    let index = tableIndex.get(tables);
    if (!index) {
        index = new Map(tables.map((t, i) => [t.TableName as string, i]));
        tableIndex.set(tables, index);
    }
    return index.get(name);
}

/** The position of the first name after `after` in sorted `names`. */
function firstAfter(names: string[], after: string): number {
    let lo = 0;
    let hi = names.length;
    while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (names[mid] <= after) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

export const dynamodb: ServiceDefinition = {
    name: 'dynamodb',
    protocol: 'awsJson1_0',
    jsonTarget: 'DynamoDB_20120810',
    smithyNamespace: 'com.amazonaws.dynamodb.v20120810',
    sdk: dynamodbSdk,
    errors: jsonErrors,
    handlers: {
        ListTables: (ctx) => {
            const tables = ctx.state.regional(ctx.account, ctx.region, 'dynamodb', 'tables');
            const limit = pageSize(ctx.json.Limit, 'Limit', 1, 100, 100, validation);
            const after = str(ctx, 'ExclusiveStartTableName');
            const names = tableNames(tables);
            const start = after === undefined ? 0 : firstAfter(names, after);
            const page = names.slice(start, start + limit);
            const more = start + limit < names.length;
            return { TableNames: page, LastEvaluatedTableName: more ? page[page.length - 1] : undefined };
        },
        DescribeTable: (ctx) => {
            const name = str(ctx, 'TableName') ?? '';
            const tables = ctx.state.regional(ctx.account, ctx.region, 'dynamodb', 'tables');
            const i = indexOfTable(tables, name);
            if (i === undefined) throw new AwsError('ResourceNotFoundException', 400, `Requested resource not found: Table: ${name} not found`);
            return { Table: tables[i] };
        },
    },
};

// ---- SQS (AWS JSON 1.0 with Query-compatible error codes) ---------------------------------

function queueUrl(ctx: OperationContext, name: string): string {
    return `${ctx.origin}/${ctx.account.accountId}/${name}`;
}

export const sqs: ServiceDefinition = {
    name: 'sqs',
    protocol: 'awsJson1_0',
    jsonTarget: 'AmazonSQS',
    smithyNamespace: 'com.amazonaws.sqs',
    queryCompatible: true,
    sdk: sqsSdk,
    errors: { ...jsonErrors, throttle: { code: 'RequestThrottled', status: 400 }, accessDenied: { code: 'AccessDenied', status: 400 } },
    handlers: {
        ListQueues: (ctx) => {
            const prefix = str(ctx, 'QueueNamePrefix') ?? '';
            let queues = ctx.state.regional(ctx.account, ctx.region, 'sqs', 'queues');
            if (prefix) queues = queues.filter((q) => (q.name as string).startsWith(prefix));
            const paged = ctx.json.MaxResults !== undefined || ctx.json.NextToken !== undefined;
            const limit = pageSize(ctx.json.MaxResults, 'MaxResults', 1, 1000, 1000, validation);
            const page = pageOf(queues, str(ctx, 'NextToken'), limit, `sqs:${ctx.region}:${prefix}`, new AwsError('InvalidParameterValue', 400, 'Invalid NextToken value.'));
            // Without MaxResults SQS returns up to 1,000 URLs and no token at all.
            return { QueueUrls: page.items.map((q) => queueUrl(ctx, q.name as string)), NextToken: paged ? page.next : undefined };
        },
        GetQueueAttributes: (ctx) => {
            const url = str(ctx, 'QueueUrl') ?? '';
            const [accountId, name] = new URL(url, 'http://x').pathname.split('/').filter(Boolean).slice(-2);
            const queue = accountId === ctx.account.accountId ? ctx.state.regional(ctx.account, ctx.region, 'sqs', 'queues').find((q) => q.name === name) : undefined;
            if (!queue) {
                throw new AwsError('QueueDoesNotExist', 400, 'The specified queue does not exist.', {
                    headers: { 'x-amzn-query-error': 'AWS.SimpleQueueService.NonExistentQueue;Sender' },
                });
            }
            const attributes: Record<string, string> = {
                QueueArn: `arn:aws:sqs:${ctx.region}:${ctx.account.accountId}:${name}`,
                CreatedTimestamp: '1705312800',
                VisibilityTimeout: '30',
                ...((queue.attributes as Record<string, string> | undefined) ?? {}),
            };
            const wanted = Array.isArray(ctx.json.AttributeNames) ? (ctx.json.AttributeNames as string[]) : [];
            const selected = wanted.includes('All') ? attributes : Object.fromEntries(Object.entries(attributes).filter(([k]) => wanted.includes(k)));
            return { Attributes: selected };
        },
    },
};

// ---- CloudWatch Logs -----------------------------------------------------------------------

export const logs: ServiceDefinition = {
    name: 'logs',
    protocol: 'awsJson1_1',
    jsonTarget: 'Logs_20140328',
    sdk: logsSdk,
    errors: { ...jsonErrors, internal: { code: 'ServiceUnavailableException', status: 500 } },
    handlers: {
        DescribeLogGroups: (ctx) => {
            const prefix = str(ctx, 'logGroupNamePrefix') ?? '';
            let groups = ctx.state.regional(ctx.account, ctx.region, 'logs', 'logGroups');
            if (prefix) groups = groups.filter((g) => (g.logGroupName as string).startsWith(prefix));
            const limit = pageSize(ctx.json.limit, 'limit', 1, 50, 50, validation);
            const page = pageOf(groups, str(ctx, 'nextToken'), limit, `logs:${ctx.region}:${prefix}`, new AwsError('InvalidParameterException', 400, 'The specified nextToken is invalid.'));
            return { logGroups: page.items, nextToken: page.next };
        },
    },
};

// ---- ACM ---------------------------------------------------------------------------------

export const acm: ServiceDefinition = {
    name: 'acm',
    protocol: 'awsJson1_1',
    jsonTarget: 'CertificateManager',
    sdk: acmSdk,
    errors: { ...jsonErrors, throttle: { code: 'ThrottlingException', status: 400 } },
    handlers: {
        ListCertificates: (ctx) => {
            // without Includes.keyTypes ACM lists only RSA_1024 and RSA_2048 certificates
            const includes = ctx.json.Includes as { keyTypes?: string[] } | undefined;
            const keyTypes = includes?.keyTypes?.length ? includes.keyTypes : ['RSA_1024', 'RSA_2048'];
            const certificates = ctx.state.regional(ctx.account, ctx.region, 'acm', 'certificates').filter((c) => keyTypes.includes((c.KeyAlgorithm as string | undefined) ?? 'RSA_2048'));
            const limit = pageSize(ctx.json.MaxItems, 'MaxItems', 1, 1000, 1000, validation);
            const page = pageOf(certificates, str(ctx, 'NextToken'), limit, `acm:${ctx.region}`, new AwsError('InvalidArgsException', 400, 'Invalid NextToken'));
            return { CertificateSummaryList: page.items.map((c) => ({ CertificateArn: c.CertificateArn, DomainName: c.DomainName, Status: c.Status, Type: c.Type })), NextToken: page.next };
        },
        DescribeCertificate: (ctx) => {
            const arn = str(ctx, 'CertificateArn');
            const certificate = ctx.state.regional(ctx.account, ctx.region, 'acm', 'certificates').find((c) => c.CertificateArn === arn);
            if (!certificate) throw new AwsError('ResourceNotFoundException', 400, `Could not find certificate ${arn ?? ''}.`);
            return { Certificate: certificate };
        },
    },
};
