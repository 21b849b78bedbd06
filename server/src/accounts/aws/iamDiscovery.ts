/** IAM (global): users, their access keys and attached policies, roles, customer managed policies. */
import {
    GetPolicyVersionCommand,
    paginateListAccessKeys,
    paginateListAttachedUserPolicies,
    paginateListPolicies,
    paginateListRoles,
    paginateListUsers,
    type AccessKeyMetadata,
    type AttachedPolicy,
    type Policy,
    type Role,
    type User,
} from '@aws-sdk/client-iam';
import { compact, decodePolicyDocument, isoDate, tagMap } from './mappingHelpers';
import { mapAll, pageLimit, type DiscoveredResource, type DiscoveryContext, type ServiceDiscoverer } from './discoveryTypes';

export const IAM_TYPES = {
    user: 'aws:iam/user:User',
    accessKey: 'aws:iam/accessKey:AccessKey',
    userPolicyAttachment: 'aws:iam/userPolicyAttachment:UserPolicyAttachment',
    role: 'aws:iam/role:Role',
    policy: 'aws:iam/policy:Policy',
} as const;

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

async function all<P, T>(pages: AsyncIterable<P>, items: (page: P) => T[] | undefined): Promise<T[]> {
    const out: T[] = [];
    for await (const page of pages) out.push(...(items(page) ?? []));
    return out;
}

export const iamDiscoverer: ServiceDiscoverer = {
    service: 'iam',
    scope: 'global',
    types: Object.values(IAM_TYPES),
    async discover(ctx: DiscoveryContext) {
        const client = ctx.clients.get('iam', ctx.region);
        const config = { client, pageSize: pageLimit(ctx, 1, 1000) };
        const [users, roles, policies] = await Promise.all([
            all(paginateListUsers(config, {}), (p) => p.Users),
            all(paginateListRoles(config, {}), (p) => p.Roles),
            all(paginateListPolicies(config, { Scope: 'Local' }), (p) => p.Policies),
        ]);
        const [perUser, policyResources] = await Promise.all([
            mapAll(users, async (u) => {
                const UserName = u.UserName ?? '';
                const [keys, attached] = await Promise.all([
                    all(paginateListAccessKeys(config, { UserName }), (p) => p.AccessKeyMetadata),
                    all(paginateListAttachedUserPolicies(config, { UserName }), (p) => p.AttachedPolicies),
                ]);
                return [mapUser(u), ...keys.map(mapAccessKey), ...attached.map((a) => mapUserPolicyAttachment(UserName, a))];
            }),
            mapAll(policies, async (p) => {
                const version = p.Arn && p.DefaultVersionId ? await client.send(new GetPolicyVersionCommand({ PolicyArn: p.Arn, VersionId: p.DefaultVersionId })) : undefined;
                return mapPolicy(p, version?.PolicyVersion?.Document);
            }),
        ]);
        return [...perUser.flat(), ...roles.map(mapRole), ...policyResources];
    },
};
