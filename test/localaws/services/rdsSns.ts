// RDS and SNS (both Query): DescribeDBInstances (Marker/MaxRecords), ListTopics
// (NextToken, fixed pages of 100) and GetTopicAttributes.
import * as rdsSdk from '@aws-sdk/client-rds';
import * as snsSdk from '@aws-sdk/client-sns';
import { pageOf, pageSize } from '../pagination';
import { AwsError } from '../wire/protocols';
import { queryErrors } from './queryServices';
import type { OperationHandler, ServiceDefinition } from './types';


const rdsHandlers: Record<string, OperationHandler> = {
    DescribeDBInstances: (ctx) => {
        const all = ctx.state.regional(ctx.account, ctx.region, 'rds', 'dbInstances');
        const id = ctx.params.get('DBInstanceIdentifier');
        if (id) {
            const found = all.filter((db) => db.DBInstanceIdentifier === id || db.DBInstanceArn === id);
            if (found.length === 0) throw new AwsError('DBInstanceNotFound', 404, `DBInstance ${id} not found.`);
            return { DBInstances: found };
        }
        const invalid = (message: string) => new AwsError('InvalidParameterValue', 400, message);
        const limit = pageSize(ctx.params.get('MaxRecords') ?? undefined, 'MaxRecords', 20, 100, 100, invalid);
        const page = pageOf(all, ctx.params.get('Marker') ?? undefined, limit, `rds:${ctx.region}`, invalid('Invalid Marker'));
        return { DBInstances: page.items, Marker: page.next };
    },
};

export const rds: ServiceDefinition = {
    name: 'rds',
    protocol: 'awsQuery',
    xmlNamespace: 'http://rds.amazonaws.com/doc/2014-10-31/',
    sdk: rdsSdk,
    errors: queryErrors,
    handlers: rdsHandlers,
};

function topicArn(region: string, accountId: string, name: string): string {
    return `arn:aws:sns:${region}:${accountId}:${name}`;
}

const snsHandlers: Record<string, OperationHandler> = {
    ListTopics: (ctx) => {
        const topics = ctx.state.regional(ctx.account, ctx.region, 'sns', 'topics');
        const page = pageOf(topics, ctx.params.get('NextToken') ?? undefined, 100, `sns:${ctx.region}`, new AwsError('InvalidParameter', 400, 'Invalid parameter: NextToken'));
        return { Topics: page.items.map((t) => ({ TopicArn: topicArn(ctx.region, ctx.account.accountId, t.name as string) })), NextToken: page.next };
    },
    GetTopicAttributes: (ctx) => {
        const arn = ctx.params.get('TopicArn') ?? '';
        const topic = ctx.state.regional(ctx.account, ctx.region, 'sns', 'topics').find((t) => topicArn(ctx.region, ctx.account.accountId, t.name as string) === arn);
        if (!topic) throw new AwsError('NotFound', 404, 'Topic does not exist');
        return {
            Attributes: {
                TopicArn: arn,
                Owner: ctx.account.accountId,
                DisplayName: '',
                SubscriptionsConfirmed: '0',
                SubscriptionsPending: '0',
                SubscriptionsDeleted: '0',
                ...((topic.attributes as Record<string, string> | undefined) ?? {}),
            },
        };
    },
};

export const sns: ServiceDefinition = {
    name: 'sns',
    protocol: 'awsQuery',
    xmlNamespace: 'http://sns.amazonaws.com/doc/2010-03-31/',
    sdk: snsSdk,
    errors: queryErrors,
    handlers: snsHandlers,
};
