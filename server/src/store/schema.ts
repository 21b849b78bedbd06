import type { Account, PolicyGroup, PolicyPackVersion, Resource, ScanRecord, Violation } from '../model';

/** The schema version this code writes. Files with an older version are migrated on read. */
export const SCHEMA_VERSION = 1;

/** `<home>/catalog.json`: what the registry, the groups and the accounts hold. */
export interface Catalog {
    schemaVersion: number;
    packs: PolicyPackVersion[];
    groups: PolicyGroup[];
    accounts: Account[];
    /** every version tag ever published, per pack name; kept after `policy rm` so a tag is never reused */
    publishedTags: Record<string, string[]>;
    /** last registry version number assigned, per pack name (monotonic, survives rm) */
    lastVersion: Record<string, number>;
}

/** `<home>/shards/<encodeURIComponent(account)>.json`: one account's resources, violations and scans. */
export interface Shard {
    schemaVersion: number;
    account: string; // child account name, e.g. "demo/us-west-2", or a parent/stack account name
    resources: Resource[];
    violations: Violation[];
    scans: ScanRecord[];
}

export const DEFAULT_POLICY_GROUP = 'default-policy-group';

/** The catalog of a new home: no packs, no accounts, and the default policy group. */
export function defaultCatalog(): Catalog {
    return {
        schemaVersion: SCHEMA_VERSION,
        packs: [],
        groups: [
            {
                name: DEFAULT_POLICY_GROUP,
                isDefault: true,
                entityType: 'accounts',
                mode: 'audit',
                appliedPolicyPacks: [],
                accounts: [],
                stacks: [],
            },
        ],
        accounts: [],
        publishedTags: {},
        lastVersion: {},
    };
}

/** The shard of an account that has never been written. */
export function emptyShard(account: string): Shard {
    return { schemaVersion: SCHEMA_VERSION, account, resources: [], violations: [], scans: [] };
}

/** Thrown by the normalizers: the content parsed but is not a catalog or a shard. */
export class DamagedContentError extends Error {}

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Checks the parts the store relies on and fills in missing top-level fields (a hand-edited
 * file may leave one out). A field of the wrong kind means the file is damaged: guessing
 * would silently drop data.
 */
function fillFields<T extends object>(data: Record<string, unknown>, defaults: T, what: string): T {
    for (const [field, fallback] of Object.entries(defaults)) {
        const value = data[field];
        if (value === undefined) {
            data[field] = fallback;
        } else if (Array.isArray(fallback) ? !Array.isArray(value) : typeof value !== typeof fallback || (isRecord(fallback) && !isRecord(value))) {
            throw new DamagedContentError(`"${field}" in the ${what} is ${Array.isArray(value) ? 'an array' : typeof value}, not ${Array.isArray(fallback) ? 'an array' : isRecord(fallback) ? 'an object' : `a ${typeof fallback}`}`);
        }
    }
    return data as T;
}

/** `data` (already migrated) as a Catalog; throws DamagedContentError when it is not one. */
export function normalizeCatalog(data: unknown): Catalog {
    if (!isRecord(data)) throw new DamagedContentError('the catalog is not a JSON object');
    return fillFields(data, defaultCatalog(), 'catalog');
}

/** `data` (already migrated) as the Shard of `account`; throws DamagedContentError when it is not one. */
export function normalizeShard(data: unknown, account: string): Shard {
    if (!isRecord(data)) throw new DamagedContentError('the shard is not a JSON object');
    const shard = fillFields(data, emptyShard(account), 'shard');
    if (shard.account !== account) throw new DamagedContentError(`the shard holds account "${shard.account}", not "${account}"`);
    return shard;
}
