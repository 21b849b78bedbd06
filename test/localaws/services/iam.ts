// IAM (Query, global): users, roles, groups, instance profiles, customer managed policies,
// keys, login profiles, the password policy and the account summary.
// Lists page with Marker/IsTruncated; policy documents are URL-encoded, as IAM sends them.
import * as sdk from '@aws-sdk/client-iam';
import type { Shape } from '../fixture';
import { pageOf, pageSize } from '../pagination';
import { AwsError } from '../wire/protocols';
import type { OperationContext, OperationHandler, ServiceDefinition } from './types';

const invalidInput = (message: string) => new AwsError('ValidationError', 400, message);
const invalidMarker = new AwsError('ValidationError', 400, 'Invalid Marker.');

function listPage(ctx: OperationContext, items: readonly Shape[], scope: string): { items: Shape[]; IsTruncated: boolean; Marker?: string } {
    const limit = pageSize(ctx.params.get('MaxItems') ?? undefined, 'MaxItems', 1, 1000, 100, invalidInput);
    const page = pageOf(items, ctx.params.get('Marker') ?? undefined, limit, `iam:${scope}`, invalidMarker);
    return { items: page.items, IsTruncated: page.next !== undefined, Marker: page.next };
}

function userNamed(ctx: OperationContext, name: string | null): Shape & { UserName: string } {
    const users = ctx.account.iam?.users ?? [];
    // Without UserName, IAM answers for the calling user.
    const wanted = name ?? /:user\/(?:.*\/)?([^/]+)$/.exec(ctx.caller.arn)?.[1];
    const user = users.find((u) => u.UserName === wanted);
    if (!user) throw new AwsError('NoSuchEntity', 404, `The user with name ${wanted ?? '(root)'} cannot be found.`);
    return user;
}

const handlers: Record<string, OperationHandler> = {
    ListUsers: (ctx) => {
        const page = listPage(ctx, ctx.account.iam?.users ?? [], 'users');
        return { Users: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker };
    },
    ListRoles: (ctx) => {
        const page = listPage(ctx, ctx.account.iam?.roles ?? [], 'roles');
        return { Roles: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker };
    },
    ListPolicies: (ctx) => {
        const scope = ctx.params.get('Scope') ?? 'All';
        if (!['All', 'AWS', 'Local'].includes(scope)) throw invalidInput(`Value '${scope}' at 'scope' failed to satisfy constraint: Member must satisfy enum value set: [All, AWS, Local]`);
        let policies: readonly Shape[] = scope === 'AWS' ? [] : (ctx.account.iam?.policies ?? []);
        if (ctx.params.get('OnlyAttached') === 'true') policies = policies.filter((p) => (p.AttachmentCount as number) > 0);
        const page = listPage(ctx, policies, `policies:${scope}`);
        return { Policies: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker };
    },
    GetPolicyVersion: (ctx) => {
        const arn = ctx.params.get('PolicyArn') ?? '';
        const versionId = ctx.params.get('VersionId') ?? '';
        const policy = (ctx.account.iam?.policies ?? []).find((p) => p.Arn === arn);
        if (!policy || policy.DefaultVersionId !== versionId) throw new AwsError('NoSuchEntity', 404, `Policy ${arn} version ${versionId} does not exist or is not attachable.`);
        return {
            PolicyVersion: { Document: encodeURIComponent(JSON.stringify(policy.Document)), VersionId: versionId, IsDefaultVersion: true, CreateDate: policy.UpdateDate },
        };
    },
    ListAccessKeys: (ctx) => {
        const user = userNamed(ctx, ctx.params.get('UserName'));
        const page = listPage(ctx, (user.AccessKeys ?? []) as Shape[], `keys:${user.UserName}`);
        return { AccessKeyMetadata: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker };
    },
    ListAttachedUserPolicies: (ctx) => {
        const user = userNamed(ctx, ctx.params.get('UserName'));
        const page = listPage(ctx, (user.AttachedPolicies ?? []) as Shape[], `attached:${user.UserName}`);
        return { AttachedPolicies: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker };
    },
    ListUserPolicies: (ctx) => {
        const user = userNamed(ctx, ctx.params.get('UserName'));
        const names = (user.InlinePolicyNames as string[] | undefined) ?? [];
        const page = listPage(ctx, names.map((n) => ({ n })), `inline:${user.UserName}`);
        return { PolicyNames: page.items.map((p) => p.n), IsTruncated: page.IsTruncated, Marker: page.Marker };
    },
    GetLoginProfile: (ctx) => {
        const user = userNamed(ctx, ctx.params.get('UserName'));
        const profile = user.LoginProfile as Shape | undefined;
        if (!profile) throw new AwsError('NoSuchEntity', 404, `Login Profile for User ${user.UserName} cannot be found.`);
        return { LoginProfile: { UserName: user.UserName, CreateDate: user.CreateDate, PasswordResetRequired: false, ...profile } };
    },
    ListAttachedRolePolicies: (ctx) => {
        const name = ctx.params.get('RoleName');
        const role = (ctx.account.iam?.roles ?? []).find((r) => r.RoleName === name);
        if (!role) throw new AwsError('NoSuchEntity', 404, `The role with name ${name ?? ''} cannot be found.`);
        const page = listPage(ctx, (role.AttachedPolicies as Shape[] | undefined) ?? [], `attached-role:${role.RoleName}`);
        return { AttachedPolicies: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker };
    },
    ListGroups: (ctx) => {
        const page = listPage(ctx, ctx.account.iam?.groups ?? [], 'groups');
        return { Groups: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker };
    },
    ListInstanceProfiles: (ctx) => {
        const page = listPage(ctx, ctx.account.iam?.instanceProfiles ?? [], 'instance-profiles');
        return { InstanceProfiles: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker };
    },
    GetAccountPasswordPolicy: (ctx) => {
        const policy = ctx.account.iam?.passwordPolicy;
        if (!policy) throw new AwsError('NoSuchEntity', 404, `The Password Policy with domain name ${ctx.account.accountId} cannot be found.`);
        return { PasswordPolicy: policy };
    },
    GetAccountSummary: (ctx) => {
        const iam = ctx.account.iam ?? {};
        const rootKeys = ctx.account.accessKeys.filter((k) => !k.userName).length;
        return {
            SummaryMap: {
                Users: iam.users?.length ?? 0,
                Roles: iam.roles?.length ?? 0,
                Policies: iam.policies?.length ?? 0,
                Groups: 0,
                AccountMFAEnabled: 0,
                AccountAccessKeysPresent: rootKeys > 0 ? 1 : 0,
                AccountSigningCertificatesPresent: 0,
                UsersQuota: 5000,
                RolesQuota: 1000,
                PoliciesQuota: 1500,
                ...(iam.summary ?? {}),
            },
        };
    },
};

export const iam: ServiceDefinition = {
    name: 'iam',
    protocol: 'awsQuery',
    xmlNamespace: 'https://iam.amazonaws.com/doc/2010-05-08/',
    sdk,
    errors: {
        throttle: { code: 'Throttling', status: 400 },
        accessDenied: { code: 'AccessDenied', status: 403 },
        unknownKey: { code: 'InvalidClientTokenId', status: 403 },
        badSignature: { code: 'SignatureDoesNotMatch', status: 403 },
        expiredToken: { code: 'ExpiredToken', status: 403 },
        missingAuth: { code: 'MissingAuthenticationToken', status: 403 },
        unknownOperation: { code: 'InvalidAction', status: 400 },
        internal: { code: 'ServiceFailure', status: 500 },
    },
    handlers,
};
