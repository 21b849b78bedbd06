// The server's live data: a normalized copy of the fixture plus what requests changed
// (bucket ACLs, issued session credentials). `reset` returns to the fixture.
import { randomBytes } from 'node:crypto';
import { cannedAclGrants, canonicalUserId, validateFixture, type FixtureAccount, type FixtureBucket, type LocalAwsFixture, type Shape } from './fixture';

/** Who signed a request. */
export interface Principal {
    account: FixtureAccount;
    arn: string;
    userId: string;
    /** Set for credentials issued by AssumeRole. */
    sessionToken?: string;
    expiresAt?: number;
}

/** An access key the server accepts: its secret and whose it is. */
export interface KeyEntry {
    secretAccessKey: string;
    principal: Principal;
}

const EMPTY: readonly Shape[] = Object.freeze([]);

export class LocalAwsState {
    readonly accounts: FixtureAccount[];
    private readonly keys = new Map<string, KeyEntry>();
    private readonly buckets = new Map<string, { bucket: FixtureBucket; account: FixtureAccount }>();
    /** Buckets in name order, across accounts (ListBuckets lists only the caller's). */
    private readonly bucketsByAccount = new Map<string, FixtureBucket[]>();

    constructor(
        fixture: LocalAwsFixture,
        source = 'fixture',
        private readonly now: () => number = Date.now,
    ) {
        validateFixture(fixture, source);
        this.accounts = structuredClone(fixture.accounts);
        for (const account of this.accounts) {
            normalizeAccount(account);
            for (const key of account.accessKeys) {
                const user = key.userName;
                this.keys.set(key.accessKeyId, {
                    secretAccessKey: key.secretAccessKey,
                    principal: {
                        account,
                        arn: user ? `arn:aws:iam::${account.accountId}:user/${user}` : `arn:aws:iam::${account.accountId}:root`,
                        userId: user ? stableId('AIDA', account.accountId + user) : account.accountId,
                    },
                });
            }
            const own = [...(account.s3?.buckets ?? [])].sort((a, b) => (a.Name < b.Name ? -1 : 1));
            this.bucketsByAccount.set(account.accountId, own);
            for (const bucket of own) this.buckets.set(bucket.Name, { bucket, account });
        }
    }

    /** The secret and principal of an access key id, if the fixture or AssumeRole issued it. */
    lookupKey(accessKeyId: string): KeyEntry | undefined {
        return this.keys.get(accessKeyId);
    }

    bucket(name: string): { bucket: FixtureBucket; account: FixtureAccount } | undefined {
        return this.buckets.get(name);
    }

    bucketsOf(account: FixtureAccount): FixtureBucket[] {
        return this.bucketsByAccount.get(account.accountId) ?? [];
    }

    accountById(accountId: string): FixtureAccount | undefined {
        return this.accounts.find((a) => a.accountId === accountId);
    }

    /** Regional records of one kind, e.g. `regional(account, 'us-west-2', 'ec2', 'instances')`. */
    regional(account: FixtureAccount, region: string, service: string, kind: string): readonly Shape[] {
        const perRegion = account.resources?.[region] as Record<string, Record<string, Shape[]> | undefined> | undefined;
        return perRegion?.[service]?.[kind] ?? EMPTY;
    }

    /** Issues temporary credentials for an assumed role, as STS does. */
    issueSessionCredentials(account: FixtureAccount, roleName: string, roleId: string, sessionName: string, durationSeconds: number): {
        AccessKeyId: string;
        SecretAccessKey: string;
        SessionToken: string;
        Expiration: string;
        arn: string;
        assumedRoleId: string;
    } {
        const accessKeyId = 'ASIA' + randomBytes(8).toString('hex').toUpperCase();
        const secretAccessKey = randomBytes(30).toString('base64');
        const sessionToken = 'IQoJ' + randomBytes(48).toString('base64');
        const expiresAt = this.now() + durationSeconds * 1000;
        const arn = `arn:aws:sts::${account.accountId}:assumed-role/${roleName}/${sessionName}`;
        const assumedRoleId = `${roleId}:${sessionName}`;
        this.keys.set(accessKeyId, { secretAccessKey, principal: { account, arn, userId: assumedRoleId, sessionToken, expiresAt } });
        return { AccessKeyId: accessKeyId, SecretAccessKey: secretAccessKey, SessionToken: sessionToken, Expiration: new Date(expiresAt).toISOString(), arn, assumedRoleId };
    }
}

/** A deterministic AWS-style unique id (`AIDA...`, `AROA...`) from a seed. */
export function stableId(prefix: string, seed: string): string {
    let h = 2166136261;
    let out = prefix;
    for (let round = 0; out.length < 21; round++) {
        for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 16777619) >>> 0;
        h = Math.imul(h ^ round, 16777619) >>> 0;
        out += h.toString(36).toUpperCase().replace(/[^A-Z0-9]/g, '');
    }
    return out.slice(0, 21);
}

const EPOCH = '2024-01-15T10:00:00.000Z';

/** Fills the ids and ARNs a fixture may leave out, so handlers can rely on them. */
function normalizeAccount(account: FixtureAccount): void {
    const id = account.accountId;
    for (const bucket of account.s3?.buckets ?? []) {
        bucket.Region ??= 'us-east-1';
        bucket.CreationDate ??= EPOCH;
        const acl = bucket.Acl ?? 'private';
        bucket.Acl = typeof acl === 'string' ? { Grants: cannedAclGrants(acl, canonicalUserId(id)) } : acl;
        if (bucket.Policy && typeof bucket.Policy !== 'string') bucket.Policy = JSON.stringify(bucket.Policy);
    }
    const iam = account.iam;
    for (const user of iam?.users ?? []) {
        user.Path ??= '/';
        user.UserId ??= stableId('AIDA', id + user.UserName);
        user.Arn ??= `arn:aws:iam::${id}:user/${user.UserName}`;
        user.CreateDate ??= EPOCH;
        for (const key of user.AccessKeys ?? []) {
            key.UserName ??= user.UserName;
            key.Status ??= 'Active';
            key.CreateDate ??= EPOCH;
        }
    }
    for (const role of iam?.roles ?? []) {
        role.Path ??= '/';
        role.RoleId ??= stableId('AROA', id + role.RoleName);
        role.Arn ??= `arn:aws:iam::${id}:role/${role.RoleName}`;
        role.CreateDate ??= EPOCH;
        role.trustedAccounts ??= [id];
        role.AssumeRolePolicyDocument ??= {
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Principal: { AWS: role.trustedAccounts.map((a) => `arn:aws:iam::${a}:root`) }, Action: 'sts:AssumeRole' }],
        };
        if (typeof role.AssumeRolePolicyDocument !== 'string') {
            // IAM returns policy documents URL-encoded.
            role.AssumeRolePolicyDocument = encodeURIComponent(JSON.stringify(role.AssumeRolePolicyDocument));
        }
    }
    for (const policy of iam?.policies ?? []) {
        policy.Path ??= '/';
        policy.PolicyId ??= stableId('ANPA', id + policy.PolicyName);
        policy.Arn ??= `arn:aws:iam::${id}:policy/${policy.PolicyName}`;
        policy.DefaultVersionId ??= 'v1';
        policy.AttachmentCount ??= 0;
        policy.IsAttachable ??= true;
        policy.CreateDate ??= EPOCH;
        policy.UpdateDate ??= policy.CreateDate;
    }
    for (const [region, res] of Object.entries(account.resources ?? {})) {
        for (const instance of res.ec2?.instances ?? []) {
            instance.State ??= { Code: 16, Name: 'running' };
            instance.LaunchTime ??= EPOCH;
            instance.Placement ??= { AvailabilityZone: `${region}a` };
        }
        for (const sg of res.ec2?.securityGroups ?? []) {
            sg.OwnerId ??= id;
            sg.SecurityGroupArn ??= `arn:aws:ec2:${region}:${id}:security-group/${sg.GroupId as string}`;
        }
        for (const vpc of res.ec2?.vpcs ?? []) vpc.OwnerId ??= id;
        for (const subnet of res.ec2?.subnets ?? []) {
            subnet.OwnerId ??= id;
            subnet.SubnetArn ??= `arn:aws:ec2:${region}:${id}:subnet/${subnet.SubnetId as string}`;
        }
        for (const db of res.rds?.dbInstances ?? []) {
            db.DBInstanceArn ??= `arn:aws:rds:${region}:${id}:db:${db.DBInstanceIdentifier as string}`;
        }
        for (const fn of res.lambda?.functions ?? []) {
            fn.FunctionArn ??= `arn:aws:lambda:${region}:${id}:function:${fn.FunctionName as string}`;
        }
        for (const key of res.kms?.keys ?? []) {
            key.Arn ??= `arn:aws:kms:${region}:${id}:key/${key.KeyId as string}`;
            key.AWSAccountId ??= id;
            key.KeyManager ??= 'CUSTOMER';
            key.KeyState ??= 'Enabled';
            key.Enabled ??= key.KeyState === 'Enabled';
            key.CreationDate ??= EPOCH;
        }
        for (const trail of res.cloudtrail?.trails ?? []) {
            trail.HomeRegion ??= region;
            trail.TrailARN ??= `arn:aws:cloudtrail:${region}:${id}:trail/${trail.Name as string}`;
        }
        for (const table of res.dynamodb?.tables ?? []) {
            table.TableArn ??= `arn:aws:dynamodb:${region}:${id}:table/${table.TableName as string}`;
            table.TableStatus ??= 'ACTIVE';
            table.CreationDateTime ??= EPOCH;
        }
        for (const group of res.logs?.logGroups ?? []) {
            group.arn ??= `arn:aws:logs:${region}:${id}:log-group:${group.logGroupName as string}:*`;
            group.creationTime ??= Date.parse(EPOCH);
        }
    }
}
