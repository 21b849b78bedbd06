/**
 * One scan's SDK clients: one per service and region, all sharing the scan's credentials,
 * its call limiter and its abort signal. Every client uses the SDK's adaptive retry mode
 * (client-side rate limiting on throttling plus exponential backoff) and a request
 * timeout, so throttling bursts, 500s and hung connections are retried by the SDK.
 */
import { setMaxListeners } from 'node:events';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { ACMClient } from '@aws-sdk/client-acm';
import { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { CloudControlClient } from '@aws-sdk/client-cloudcontrol';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECRClient } from '@aws-sdk/client-ecr';
import { EFSClient } from '@aws-sdk/client-efs';
import { EKSClient } from '@aws-sdk/client-eks';
import { ElasticLoadBalancingClient } from '@aws-sdk/client-elastic-load-balancing';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { IAMClient } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { OpenSearchClient } from '@aws-sdk/client-opensearch';
import { RDSClient } from '@aws-sdk/client-rds';
import { RedshiftClient } from '@aws-sdk/client-redshift';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import type { CallLimiter } from '../callLimiter';
import { UserError } from '../../userErrors';

/** Clients by the service names used in scan status and MAPPING.md. */
const CLIENTS = {
    s3: S3Client,
    ec2: EC2Client,
    iam: IAMClient,
    rds: RDSClient,
    lambda: LambdaClient,
    kms: KMSClient,
    cloudtrail: CloudTrailClient,
    dynamodb: DynamoDBClient,
    sqs: SQSClient,
    sns: SNSClient,
    logs: CloudWatchLogsClient,
    sts: STSClient,
    elbv2: ElasticLoadBalancingV2Client,
    autoscaling: AutoScalingClient,
    redshift: RedshiftClient,
    acm: ACMClient,
    efs: EFSClient,
    opensearch: OpenSearchClient,
    apigateway: APIGatewayClient,
    elb: ElasticLoadBalancingClient,
    ecr: ECRClient,
    eks: EKSClient,
    cloudfront: CloudFrontClient,
    cloudcontrol: CloudControlClient,
    cloudformation: CloudFormationClient,
} as const;

export type AwsServiceName = keyof typeof CLIENTS;
type ClientOf<S extends AwsServiceName> = InstanceType<(typeof CLIENTS)[S]>;

export interface AwsClientOptions {
    credentials: AwsCredentialIdentityProvider;
    /** LocalStack-style endpoint for every service (S3 then uses path-style addressing). */
    endpoint?: string;
    limiter: CallLimiter;
    signal?: AbortSignal;
    /** Attempts per call, first included (default 5). */
    maxAttempts?: number;
    /** Per attempt (default 30 s). */
    requestTimeoutMs?: number;
    /** Counts every HTTP attempt (for benchmarks and tests). */
    onCall?: (service: AwsServiceName, operation: string, region: string) => void;
}

/** Thrown into a call when the scan is cancelled. */
export class ScanCancelledError extends UserError {
    override name = 'ScanCancelledError';
    constructor() {
        super('the scan was cancelled');
    }
}

export class AwsClients {
    private readonly clients = new Map<string, { destroy(): void }>();
    private readonly httpAgent: HttpAgent;
    private readonly httpsAgent: HttpsAgent;

    /** Every call listens to this one rather than to the caller's signal, which would then hold thousands of listeners. */
    private readonly cancelled = new AbortController();
    private readonly unlink: () => void;

    constructor(private readonly options: AwsClientOptions) {
        setMaxListeners(0, this.cancelled.signal);
        const outer = options.signal;
        const forward = () => this.cancelled.abort();
        if (outer?.aborted) forward();
        outer?.addEventListener('abort', forward, { once: true });
        this.unlink = () => outer?.removeEventListener('abort', forward);
        // sockets enough for every slot of the limiter, kept alive across calls
        const agentOptions = { keepAlive: true, maxSockets: options.limiter.limit + 4 };
        this.httpAgent = new HttpAgent(agentOptions);
        this.httpsAgent = new HttpsAgent(agentOptions);
    }

    get<S extends AwsServiceName>(service: S, region: string): ClientOf<S> {
        const key = `${service}:${region}`;
        let client = this.clients.get(key) as ClientOf<S> | undefined;
        if (!client) {
            const Client = CLIENTS[service] as unknown as new (config: Record<string, unknown>) => ClientOf<S>;
            client = new Client({
                region,
                credentials: this.options.credentials,
                retryMode: 'adaptive',
                maxAttempts: this.options.maxAttempts ?? 5,
                requestHandler: { requestTimeout: this.options.requestTimeoutMs ?? 30_000, throwOnRequestTimeout: true, connectionTimeout: 5_000, httpAgent: this.httpAgent, httpsAgent: this.httpsAgent },
                ...(this.options.endpoint ? { endpoint: this.options.endpoint } : {}),
                ...(service === 's3' && this.options.endpoint ? { forcePathStyle: true } : {}),
            });
            this.limitCalls(client, service, region);
            this.clients.set(key, client);
        }
        return client;
    }

    /** Holds a limiter slot for each HTTP attempt only: backoff between retries frees the slot. */
    private limitCalls(client: { middlewareStack: { add: (...args: never[]) => void } }, service: AwsServiceName, region: string): void {
        const { limiter, onCall } = this.options;
        const signal = this.cancelled.signal;
        const middleware = (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => (args: unknown) =>
            limiter.run(() => {
                if (signal.aborted) return Promise.reject(new ScanCancelledError());
                onCall?.(service, (context.commandName ?? 'unknown').replace(/Command$/, ''), region);
                return new Promise((resolve, reject) => {
                    const abort = () => reject(new ScanCancelledError());
                    signal.addEventListener('abort', abort, { once: true });
                    next(args).then(resolve, reject).finally(() => signal.removeEventListener('abort', abort));
                });
            });
        (client.middlewareStack.add as unknown as (m: unknown, o: unknown) => void)(middleware, { step: 'deserialize', name: 'policyInsightsCallLimiter', priority: 'high' });
    }

    /** Closes every client's sockets. */
    destroy(): void {
        this.unlink();
        for (const client of this.clients.values()) client.destroy();
        this.clients.clear();
        this.httpAgent.destroy();
        this.httpsAgent.destroy();
    }
}
