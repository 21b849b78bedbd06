/**
 * IAM (global): users with their access keys, console login profiles and attached
 * policies; groups; roles and their attached policies; instance profiles; customer
 * managed policies; the account password policy.
 */
import {
    GetAccountPasswordPolicyCommand,
    GetLoginProfileCommand,
    GetPolicyVersionCommand,
    paginateListAttachedRolePolicies,
    paginateListGroups,
    paginateListInstanceProfiles,
    paginateListAccessKeys,
    paginateListAttachedUserPolicies,
    paginateListPolicies,
    paginateListRoles,
    paginateListUsers,
    type AccessKeyMetadata,
    type AttachedPolicy,
    type Group,
    type InstanceProfile,
    type LoginProfile,
    type PasswordPolicy,
    type Policy,
    type Role,
    type User,
} from '@aws-sdk/client-iam';
import { compact, decodePolicyDocument, errorCode, isoDate, tagMap } from './awsShapeConversions';
import { mapAll, pageLimit, type DiscoveredResource, type DiscoveryContext, type ServiceDiscoverer } from './discoveryTypes';
import { allItems } from './regionalDiscovery';
import { IAM_TYPES } from './awsServiceTypes';

function global(type: string, key: string, name: string, id: string, properties: Record<string, unknown>): DiscoveredResource {
    return { type, key, name, id, properties: compact(properties) };
}

export function mapUser(u: User): DiscoveredResource {
    const name = u.UserName ?? '';
    return global(IAM_TYPES.user, name, name, name, {
        name,
        path: u.Path,
        arn: u.Arn,
        uniqueId: u.UserId,
        permissionsBoundary: u.PermissionsBoundary?.PermissionsBoundaryArn,
        tags: tagMap(u.Tags),
        createDate: isoDate(u.CreateDate),
        passwordLastUsed: isoDate(u.PasswordLastUsed),
    });
}

/** Access key metadata only: AWS never returns the secret, and none is stored. */
export function mapAccessKey(k: AccessKeyMetadata): DiscoveredResource {
    const id = k.AccessKeyId ?? '';
    return global(IAM_TYPES.accessKey, id, id, id, { user: k.UserName, status: k.Status, createDate: isoDate(k.CreateDate) });
}

export function mapUserPolicyAttachment(user: string, p: AttachedPolicy): DiscoveredResource {
    const key = `${user}/${p.PolicyArn}`;
    return global(IAM_TYPES.userPolicyAttachment, key, `${user}/${p.PolicyName}`, key, { user, policyArn: p.PolicyArn });
}

export function mapRole(r: Role): DiscoveredResource {
    const name = r.RoleName ?? '';
    return global(IAM_TYPES.role, name, name, name, {
        name,
        path: r.Path,
        arn: r.Arn,
        uniqueId: r.RoleId,
        description: r.Description,
        assumeRolePolicy: decodePolicyDocument(r.AssumeRolePolicyDocument),
        maxSessionDuration: r.MaxSessionDuration,
        permissionsBoundary: r.PermissionsBoundary?.PermissionsBoundaryArn,
        tags: tagMap(r.Tags),
        createDate: isoDate(r.CreateDate),
    });
}

/** `document` is the default version's document, URL-encoded as IAM returns it. */
export function mapPolicy(p: Policy, document: string | undefined): DiscoveredResource {
    const name = p.PolicyName ?? '';
    return global(IAM_TYPES.policy, p.Arn ?? name, name, p.Arn ?? name, {
        name,
        path: p.Path,
        arn: p.Arn,
        policyId: p.PolicyId,
        description: p.Description,
        attachmentCount: p.AttachmentCount,
        policy: decodePolicyDocument(document),
        tags: tagMap(p.Tags),
    });
}

/** The user's console password exists; the password itself is never returned by AWS nor stored. */
export function mapLoginProfile(p: LoginProfile): DiscoveredResource {
    const user = p.UserName ?? '';
    return global(IAM_TYPES.userLoginProfile, user, user, user, { user, passwordResetRequired: p.PasswordResetRequired ?? false, createDate: isoDate(p.CreateDate) });
}

export function mapGroup(g: Group): DiscoveredResource {
    const name = g.GroupName ?? '';
    return global(IAM_TYPES.group, name, name, name, { name, path: g.Path, arn: g.Arn, uniqueId: g.GroupId, createDate: isoDate(g.CreateDate) });
}

export function mapRolePolicyAttachment(role: string, p: AttachedPolicy): DiscoveredResource {
    const key = `${role}/${p.PolicyArn}`;
    return global(IAM_TYPES.rolePolicyAttachment, key, `${role}/${p.PolicyName}`, key, { role, policyArn: p.PolicyArn });
}

export function mapInstanceProfile(p: InstanceProfile): DiscoveredResource {
    const name = p.InstanceProfileName ?? '';
    return global(IAM_TYPES.instanceProfile, name, name, name, { name, path: p.Path, arn: p.Arn, uniqueId: p.InstanceProfileId, role: p.Roles?.[0]?.RoleName, createDate: isoDate(p.CreateDate), tags: tagMap(p.Tags) });
}

/** One per account; @pulumi/aws's id for it is the fixed `iam-account-password-policy`. */
export function mapPasswordPolicy(p: PasswordPolicy): DiscoveredResource {
    const id = 'iam-account-password-policy';
    return global(IAM_TYPES.accountPasswordPolicy, id, id, id, {
        minimumPasswordLength: p.MinimumPasswordLength,
        requireSymbols: p.RequireSymbols,
        requireNumbers: p.RequireNumbers,
        requireUppercaseCharacters: p.RequireUppercaseCharacters,
        requireLowercaseCharacters: p.RequireLowercaseCharacters,
        allowUsersToChangePassword: p.AllowUsersToChangePassword,
        expirePasswords: p.ExpirePasswords,
        maxPasswordAge: p.MaxPasswordAge,
        passwordReusePrevention: p.PasswordReusePrevention,
        hardExpiry: p.HardExpiry,
    });
}

/** IAM answers NoSuchEntity for a user without a console password and an account without a password policy: absent, not failed. */
async function unlessNoSuchEntity<T>(read: () => Promise<T>): Promise<T | undefined> {
    try {
        return await read();
    } catch (error) {
        if (errorCode(error) === 'NoSuchEntity' || errorCode(error) === 'NoSuchEntityException') return undefined;
        throw error;
    }
}


export const iamDiscoverer: ServiceDiscoverer = {
    service: 'iam',
    scope: 'global',
    types: Object.values(IAM_TYPES),
    async discover(ctx: DiscoveryContext) {
        const client = ctx.clients.get('iam', ctx.region);
        const config = { client, pageSize: pageLimit(ctx, 1, 1000) };
        const [users, roles, policies, groups, instanceProfiles, passwordPolicy] = await Promise.all([
            allItems(paginateListUsers(config, {}), (p) => p.Users),
            allItems(paginateListRoles(config, {}), (p) => p.Roles),
            allItems(paginateListPolicies(config, { Scope: 'Local' }), (p) => p.Policies),
            allItems(paginateListGroups(config, {}), (p) => p.Groups),
            allItems(paginateListInstanceProfiles(config, {}), (p) => p.InstanceProfiles),
            unlessNoSuchEntity(() => client.send(new GetAccountPasswordPolicyCommand({}))),
        ]);
        const [perUser, perRole, policyResources] = await Promise.all([
            mapAll(users, async (u) => {
                const UserName = u.UserName ?? '';
                const [keys, attached, loginProfile] = await Promise.all([
                    allItems(paginateListAccessKeys(config, { UserName }), (p) => p.AccessKeyMetadata),
                    allItems(paginateListAttachedUserPolicies(config, { UserName }), (p) => p.AttachedPolicies),
                    unlessNoSuchEntity(() => client.send(new GetLoginProfileCommand({ UserName }))),
                ]);
                const profile = loginProfile?.LoginProfile ? [mapLoginProfile(loginProfile.LoginProfile)] : [];
                return [mapUser(u), ...keys.map(mapAccessKey), ...attached.map((a) => mapUserPolicyAttachment(UserName, a)), ...profile];
            }),
            mapAll(roles, async (r) => {
                const RoleName = r.RoleName ?? '';
                const attached = await allItems(paginateListAttachedRolePolicies(config, { RoleName }), (p) => p.AttachedPolicies);
                return attached.map((a) => mapRolePolicyAttachment(RoleName, a));
            }),
            mapAll(policies, async (p) => {
                const version = p.Arn && p.DefaultVersionId ? await client.send(new GetPolicyVersionCommand({ PolicyArn: p.Arn, VersionId: p.DefaultVersionId })) : undefined;
                return mapPolicy(p, version?.PolicyVersion?.Document);
            }),
        ]);
        return [
            ...perUser.flat(),
            ...roles.map(mapRole),
            ...perRole.flat(),
            ...policyResources,
            ...groups.map(mapGroup),
            ...instanceProfiles.map(mapInstanceProfile),
            ...(passwordPolicy?.PasswordPolicy ? [mapPasswordPolicy(passwordPolicy.PasswordPolicy)] : []),
        ];
    },
};
