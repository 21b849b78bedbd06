/**
 * Adding, removing and listing accounts. Adding an AWS account checks its credentials
 * with STS GetCallerIdentity and records the AWS account id; only the profile name, role
 * ARN, external id, regions and endpoint are stored, never a secret.
 */
import { isAbsolute, resolve } from 'node:path';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { SCAN_SCHEDULES, type Account, type Resource, type ScanSchedule } from '../shared/model';
import { accountRefCovers, childName } from '../shared/names';
import { joinDefaultGroup, type Store } from '../store';
import { AccountInputError, checkAccountName, checkRegions } from './accountNames';
import { credentialProvider, describeCredentialError } from './aws/awsCredentials';
import { awsConfigFiles, awsProfiles } from './awsProfiles';
import { resolveAccount } from './scanAccount';
import { streamStackState } from './stacks/stackState';
import { readStackTags } from './stacks/stackTags';

export interface AddAwsAccountArgs {
    name: string;
    /** A profile of ~/.aws/config or ~/.aws/credentials; absent: the default credential chain. */
    profile?: string;
    /** A role to assume with those credentials. */
    roleArn?: string;
    externalId?: string;
    regions: string[];
    /** LocalStack-style endpoint for every service. */
    endpoint?: string;
    scanSchedule?: ScanSchedule;
    /** Also list every other type through Cloud Control (AccountSettings.allTypes). */
    allTypes?: boolean;
    /** Per STS attempt (default 10 s), so a wrong endpoint fails quickly. */
    requestTimeoutMs?: number;
}

export interface AddStackAccountArgs {
    name: string;
    /** `pulumi stack export` output or a file-backend state (.json or .json.gz). */
    stateFile: string;
    scanSchedule?: ScanSchedule;
}

/** Throws AccountInputError unless `name` is valid and free (every provider's add checks it first). */
export async function checkNewName(store: Store, name: string): Promise<void> {
    checkAccountName(name);
    const { accounts } = await store.readCatalog();
    if (accounts.some((a) => a.name === name)) throw new AccountInputError(`an account named "${name}" already exists in ${store.home}; remove it first (policy-insights account rm ${name}) or choose another name`);
}

export function checkSchedule(schedule: string | undefined): void {
    if (schedule !== undefined && !(SCAN_SCHEDULES as readonly string[]).includes(schedule)) {
        throw new AccountInputError(`scan schedule "${schedule}" is not one of ${SCAN_SCHEDULES.join(', ')}`);
    }
}

/** Records a new account (in default-policy-group), refusing a name taken meanwhile. */
export async function insertAccount(store: Store, account: Account): Promise<Account> {
    await store.updateCatalog((catalog) => {
        // checked again under the lock: another process may have added it meanwhile
        if (catalog.accounts.some((a) => a.name === account.name)) throw new AccountInputError(`an account named "${account.name}" already exists in ${store.home}`);
        catalog.accounts.push(account);
        // Every account and stack is in default-policy-group unless the user takes it out.
        joinDefaultGroup(catalog, account);
    });
    return account;
}

/** Checks the credentials (STS GetCallerIdentity) and records the account. Throws AccountInputError on bad input. */
export async function addAwsAccount(store: Store, args: AddAwsAccountArgs): Promise<Account> {
    await checkNewName(store, args.name);
    const regions = [...new Set(args.regions)];
    checkRegions(regions);
    checkSchedule(args.scanSchedule);
    if (args.externalId && !args.roleArn) throw new AccountInputError('--external-id is only used with --role-arn (the role that requires it)');
    if (args.roleArn && !/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/.test(args.roleArn)) {
        throw new AccountInputError(`"${args.roleArn}" is not an IAM role ARN (arn:aws:iam::<12-digit account>:role/<name>)`);
    }
    if (args.endpoint) {
        try {
            new URL(args.endpoint);
        } catch {
            throw new AccountInputError(`endpoint "${args.endpoint}" is not a URL (e.g. http://localhost:4566)`);
        }
    }
    if (args.profile) {
        const known = awsProfiles();
        if (!known.includes(args.profile)) {
            const files = awsConfigFiles();
            throw new AccountInputError(`AWS profile "${args.profile}" is not in ${files.config} or ${files.credentials} (profiles there: ${known.join(', ') || 'none'}); create it with \`aws configure --profile ${args.profile}\` or \`aws configure sso\``);
        }
    }
    const settings = { profile: args.profile, roleArn: args.roleArn, externalId: args.externalId, endpoint: args.endpoint, region: regions[0] };
    const sts = new STSClient({
        region: regions[0],
        credentials: credentialProvider(settings),
        maxAttempts: 2,
        requestHandler: { requestTimeout: args.requestTimeoutMs ?? 10_000, throwOnRequestTimeout: true, connectionTimeout: 5_000 },
        ...(args.endpoint ? { endpoint: args.endpoint } : {}),
    });
    let awsAccountId: string | undefined;
    try {
        awsAccountId = (await sts.send(new GetCallerIdentityCommand({}))).Account;
    } catch (error) {
        throw new AccountInputError(`account "${args.name}": ${describeCredentialError(error, settings)}`);
    } finally {
        sts.destroy();
    }
    const account: Account = {
        name: args.name,
        provider: 'aws',
        settings: { ...(args.profile ? { profile: args.profile } : {}), ...(args.roleArn ? { roleArn: args.roleArn } : {}), ...(args.externalId ? { externalId: args.externalId } : {}), regions, ...(args.endpoint ? { endpoint: args.endpoint } : {}), ...(args.allTypes ? { allTypes: true } : {}) },
        awsAccountId,
        children: regions.map((r) => childName(args.name, r)),
        scanSchedule: args.scanSchedule ?? 'none',
        createdAt: new Date().toISOString(),
    };
    return insertAccount(store, account);
}

/** Reads the state once to check it and learn its project and stack, then records the account; a scan imports it. */
export async function addStackAccount(store: Store, args: AddStackAccountArgs): Promise<Account> {
    await checkNewName(store, args.name);
    checkSchedule(args.scanSchedule);
    const stateFile = isAbsolute(args.stateFile) ? args.stateFile : resolve(args.stateFile);
    // streamed and checked resource by resource, keeping none: only the project and stack are needed here
    const state = await streamStackState(stateFile, () => undefined);
    const account: Account = {
        name: args.name,
        provider: 'pulumi-stack',
        settings: { stateFile },
        children: [],
        scanSchedule: args.scanSchedule ?? 'none',
        project: state.project,
        stack: state.stack,
        createdAt: new Date().toISOString(),
    };
    const stackTags = await readStackTags(stateFile, state.project, state.stack);
    if (Object.keys(stackTags).length) account.stackTags = stackTags;
    return insertAccount(store, account);
}

/** Removes the account, its shards (children included) and its name from policy groups. */
export async function removeAccount(store: Store, name: string): Promise<Account> {
    const removed = await store.updateCatalog((catalog) => {
        const index = catalog.accounts.findIndex((a) => a.name === name);
        if (index < 0) throw new AccountInputError(`no account "${name}" in ${store.home} (accounts: ${catalog.accounts.map((a) => a.name).join(', ') || 'none'})`);
        const [account] = catalog.accounts.splice(index, 1);
        const mine = (entry: string) => accountRefCovers(name, entry);
        for (const group of catalog.groups) {
            group.accounts = group.accounts.filter((a) => !mine(a));
            group.stacks = group.stacks.filter((s) => !mine(s));
        }
        return account;
    });
    for (const shard of await store.listShards()) {
        if (accountRefCovers(name, shard)) await store.removeShard(shard);
    }
    return removed;
}

/** Sets how often the account is scanned by itself; the ScanCoordinator follows the catalog. */
export async function setScanSchedule(store: Store, name: string, schedule: ScanSchedule): Promise<Account> {
    checkSchedule(schedule);
    return store.updateCatalog((catalog) => {
        const account = catalog.accounts.find((a) => a.name === name);
        if (!account) throw new AccountInputError(`no account "${name}" in ${store.home}`);
        account.scanSchedule = schedule;
        return structuredClone(account);
    });
}

/**
 * Turns listing every other type through Cloud Control (`--all-types`) on or off for an AWS
 * account. Turned off, the aws-native resources already stored stay until the next scan, which
 * removes them as no longer found (their violations resolve with them).
 */
export async function setAllTypes(store: Store, name: string, allTypes: boolean): Promise<Account> {
    return store.updateCatalog((catalog) => {
        const account = catalog.accounts.find((a) => a.name === name);
        if (!account) throw new AccountInputError(`no account "${name}" in ${store.home}`);
        if (account.provider !== 'aws') throw new AccountInputError(`--all-types is for AWS accounts; "${name}" is a ${account.provider} account`);
        if (allTypes) account.settings.allTypes = true;
        else delete account.settings.allTypes;
        return structuredClone(account);
    });
}

export interface ResourceFilter {
    type?: string;
    /** Case-insensitive: a resource matches when its name, id or URN contains it. */
    search?: string;
    /** Stop at this many matches: the first ones in the stored order (the shard's, account then children). */
    limit?: number;
}

/**
 * The stored resources of an account (all its children) or of one child, optionally of one
 * type and matching a search, in the stored order. With a limit it stops at the limit, so
 * the first page of a type of 100,000 resources costs a page, not the type.
 */
export async function listResources(store: Store, nameOrChild: string, filter: ResourceFilter = {}): Promise<Resource[]> {
    const { account, region } = await resolveAccount(store, nameOrChild);
    const names = region ? [childName(account.name, region)] : [account.name, ...account.children];
    const shards = new Set(await store.listShards());
    const limit = filter.limit ?? Infinity;
    const matches = resourceMatcher(filter);
    const out: Resource[] = [];
    for (const shardName of names) {
        if (out.length >= limit) break;
        if (!shards.has(shardName)) continue;
        for (const r of (await store.readShard(shardName)).resources) {
            if (!matches(r)) continue;
            if (out.length >= limit) break;
            out.push(r);
        }
    }
    return out;
}

function resourceMatcher({ type, search }: ResourceFilter): (r: Resource) => boolean {
    const needle = search?.trim().toLowerCase();
    if (!needle) return (r) => !type || r.type === type;
    const contains = (text: string | undefined) => text !== undefined && text.toLowerCase().includes(needle);
    return (r) => (!type || r.type === type) && (contains(r.name) || contains(r.id) || contains(r.urn));
}
