// STS (Query): GetCallerIdentity and AssumeRole with temporary credentials.
import * as sdk from '@aws-sdk/client-sts';
import { AwsError } from '../wire/protocols';
import type { ServiceDefinition } from './types';

export const sts: ServiceDefinition = {
    name: 'sts',
    protocol: 'awsQuery',
    xmlNamespace: 'https://sts.amazonaws.com/doc/2011-06-15/',
    sdk,
    errors: {
        throttle: { code: 'Throttling', status: 400 },
        accessDenied: { code: 'AccessDenied', status: 403 },
        unknownKey: { code: 'InvalidClientTokenId', status: 403 },
        badSignature: { code: 'SignatureDoesNotMatch', status: 403 },
        expiredToken: { code: 'ExpiredToken', status: 400 },
        missingAuth: { code: 'MissingAuthenticationToken', status: 403 },
        unknownOperation: { code: 'InvalidAction', status: 400 },
        internal: { code: 'InternalFailure', status: 500 },
    },
    handlers: {
        GetCallerIdentity: ({ caller }) => ({ UserId: caller.userId, Account: caller.account.accountId, Arn: caller.arn }),
        AssumeRole: ({ params, caller, state }) => {
            const roleArn = params.get('RoleArn') ?? '';
            const sessionName = params.get('RoleSessionName') ?? '';
            if (!/^[\w+=,.@-]{2,64}$/.test(sessionName)) {
                throw new AwsError('ValidationError', 400, `1 validation error detected: Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint`);
            }
            const m = /^arn:aws:iam::(\d{12}):role\/(?:.*\/)?([\w+=,.@-]+)$/.exec(roleArn);
            const target = m ? state.accountById(m[1]) : undefined;
            const role = target?.iam?.roles?.find((r) => r.RoleName === m?.[2]);
            const denied = new AwsError('AccessDenied', 403, `User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`);
            if (!target || !role) throw denied;
            if (!(role.trustedAccounts ?? []).includes(caller.account.accountId)) throw denied;
            if (role.externalId !== undefined && params.get('ExternalId') !== role.externalId) throw denied;
            const duration = Number(params.get('DurationSeconds') ?? 3600);
            if (!Number.isInteger(duration) || duration < 900 || duration > 43200) {
                throw new AwsError('ValidationError', 400, `The requested DurationSeconds exceeds the MaxSessionDuration set for this role.`);
            }
            const issued = state.issueSessionCredentials(target, role.RoleName, role.RoleId as string, sessionName, duration);
            return {
                Credentials: { AccessKeyId: issued.AccessKeyId, SecretAccessKey: issued.SecretAccessKey, SessionToken: issued.SessionToken, Expiration: issued.Expiration },
                AssumedRoleUser: { AssumedRoleId: issued.assumedRoleId, Arn: issued.arn },
            };
        },
    },
};
