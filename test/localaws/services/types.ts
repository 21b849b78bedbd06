// What a service handler receives and how services are described.
import type { IncomingHttpHeaders } from 'node:http';
import type { FixtureAccount } from '../fixture';
import type { LocalAwsState, Principal } from '../state';
import type { ProtocolSpec } from '../wire/protocols';

/** The AWS service names as they appear in SigV4 credential scopes. */
export const SERVICE_NAMES = [
    'sts',
    's3',
    'ec2',
    'iam',
    'rds',
    'lambda',
    'kms',
    'cloudtrail',
    'dynamodb',
    'sqs',
    'sns',
    'logs',
    'elasticloadbalancing',
    'autoscaling',
    'redshift',
    'acm',
    'elasticfilesystem',
    'es',
    'apigateway',
    'ecr',
    'eks',
    'cloudfront',
] as const;

export type ServiceName = (typeof SERVICE_NAMES)[number];

/** One signed, routed request. */
export interface OperationContext {
    operation: string;
    region: string;
    account: FixtureAccount;
    caller: Principal;
    state: LocalAwsState;
    /** Query services: the form body; REST services: the URL query. */
    params: URLSearchParams;
    /** JSON services: the parsed body. */
    json: Record<string, unknown>;
    /** S3 path-style: the bucket in the path. */
    bucket?: string;
    headers: IncomingHttpHeaders;
    body: Buffer;
    /** `http://127.0.0.1:PORT`, for URLs the service hands out (SQS queue URLs). */
    origin: string;
    /** REST-JSON: the decoded path segments the route's pattern captured (`/restapis/{id}/stages` -> [id]). */
    pathParams: string[];
}

/** A REST-JSON operation: its method and the decoded path it answers (capture groups are path parameters). */
export interface RestRoute {
    method: string;
    path: RegExp;
    operation: string;
}

/** Returns the SDK-shaped output of the operation, or throws an AwsError. */
export type OperationHandler = (ctx: OperationContext) => Record<string, unknown>;

/** An error code with its HTTP status. */
export interface ErrorCode {
    code: string;
    status: number;
}

/** Everything the router needs to know about a service. */
export interface ServiceDefinition extends ProtocolSpec {
    name: ServiceName;
    handlers: Record<string, OperationHandler>;
    /** REST services other than S3: which operation a method and path name. */
    routes?: readonly RestRoute[];
    /** Query services sharing a SigV4 name with an older API (Classic ELB beside ELBv2): the definition per `Version`. */
    queryVersions?: Record<string, ServiceDefinition>;
    errors: {
        throttle: ErrorCode;
        accessDenied: ErrorCode;
        unknownKey: ErrorCode;
        badSignature: ErrorCode;
        expiredToken: ErrorCode;
        missingAuth: ErrorCode;
        unknownOperation: ErrorCode;
        internal: ErrorCode;
    };
}

/** Reads `Name.1`, `Name.2`, ... from Query parameters. */
export function queryList(params: URLSearchParams, name: string): string[] {
    const out: string[] = [];
    for (let i = 1; params.has(`${name}.${i}`); i++) out.push(params.get(`${name}.${i}`) as string);
    return out;
}
