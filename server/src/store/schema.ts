import type { Account, PolicyGroup, PolicyPackVersion, Resource, ScanRecord, Violation } from '../shared/model';
import { storedItemProblem, type StoredItemKind } from '../validation/boundarySchemas';
import { decodeProblemOf, decodeShardResources } from './resourceEncoding';

/**
 * The schema version this code writes. Files with an older version are migrated on read.
 * 2: a shard is two files, its resources and its violations (see ShardResourcesFile).
 * 3: a shard's resources file stores each resource compactly, its properties once and
 *    without what the file already says (see resourceEncoding.ts). The other files did not change.
 * 4: a shard's resources file writes the objects of the property content by shape, each
 *    list of member names once per file, and leaves out what follows from the resource: URNs
 *    that end in its id, top-level members that are its id or the file's region (see
 *    propertyShapes.ts, resourceEncoding.ts). The other files did not change.
 */
export const SCHEMA_VERSION = 4;

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

/**
 * One account's resources, violations and scans, as the store hands it out. On disk it is
 * two files, ShardResourcesFile and ShardViolationsFile.
 */
export interface Shard {
    schemaVersion: number;
    account: string; // child account name, e.g. "demo/us-west-2", or a parent/stack account name
    resources: Resource[];
    violations: Violation[];
    scans: ScanRecord[];
}

/**
 * `<home>/shards/<encodeURIComponent(account)>.json`: the part of a shard that discovery
 * writes. `violations` and `scans` appear only in a shard from schema version 1 (one
 * file for everything) that no update has split yet: they are the shard's violations and
 * scans while no ShardViolationsFile exists, and are dropped by the next update.
 * On disk (version 4) the resources are encoded (resourceEncoding.ts); in memory, and to
 * every caller, they are full Resource objects.
 */
export interface ShardResourcesFile {
    schemaVersion: number;
    account: string;
    resources: Resource[];
    violations?: Violation[];
    scans?: ScanRecord[];
}

/**
 * `<home>/shards/<encodeURIComponent(account)>@violations.json`: the part of a shard that
 * evaluation writes (the last scan record carries the open violation count, so the scans
 * live here too; discovery writes both files).
 */
export interface ShardViolationsFile {
    schemaVersion: number;
    account: string;
    violations: Violation[];
    scans: ScanRecord[];
}

export const DEFAULT_POLICY_GROUP = 'default-policy-group';

/**
 * Puts a newly created account or stack into the default group (inside the same
 * updateCatalog as the account's creation). Idempotent. A rule of the catalog, here so that
 * accounts (which applies it) and groups (which reads membership) both import it from below.
 */
export function joinDefaultGroup(catalog: Catalog, account: Account): void {
    const group = catalog.groups.find((g) => g.isDefault);
    if (!group) return;
    const list = account.provider === 'pulumi-stack' ? group.stacks : group.accounts;
    if (!list.includes(account.name)) list.push(account.name);
}

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

/** The resources file of a shard that has never been written. */
export function emptyShardResources(account: string): ShardResourcesFile {
    return { schemaVersion: SCHEMA_VERSION, account, resources: [] };
}

/** The violations file of a shard that has never been written. */
export function emptyShardViolations(account: string): ShardViolationsFile {
    return { schemaVersion: SCHEMA_VERSION, account, violations: [], scans: [] };
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

function checkAccount(part: { account: string }, account: string): void {
    if (part.account !== account) throw new DamagedContentError(`the shard holds account "${part.account}", not "${account}"`);
}

/** `data` (already migrated) as the resources file of `account`; throws DamagedContentError when it is not one. */
export function normalizeShardResources(data: unknown, account: string): ShardResourcesFile {
    if (!isRecord(data)) throw new DamagedContentError('the shard is not a JSON object');
    const part = fillFields(data, emptyShardResources(account), 'shard');
    checkAccount(part, account);
    decodeShardResources(data as Parameters<typeof decodeShardResources>[0]);
    // the fields of a version 1 shard not split yet (see ShardResourcesFile)
    for (const field of ['violations', 'scans'] as const) {
        const value = data[field];
        if (value !== undefined && !Array.isArray(value)) throw new DamagedContentError(`"${field}" in the shard is ${typeof value}, not an array`);
    }
    return part;
}

/** `data` (already migrated) as the violations file of `account`; throws DamagedContentError when it is not one. */
export function normalizeShardViolations(data: unknown, account: string): ShardViolationsFile {
    if (!isRecord(data)) throw new DamagedContentError('the shard\'s violations file is not a JSON object');
    const part = fillFields(data, emptyShardViolations(account), "shard's violations file");
    checkAccount(part, account);
    return part;
}

/** A stored item of the wrong shape, taken out of its list so it is never handed to the code. */
export interface QuarantinedItem {
    /** Where it was, e.g. `packs[3]`. */
    where: string;
    /** What is wrong, naming the field, e.g. `packs[3].name must be string`. */
    problem: string;
    item: unknown;
}

/**
 * Removes from `data`'s lists (`field` -> kind of item) every item its schema rejects, and
 * returns them. One wrong item (a nameless group written by an old bug, a hand edit)
 * must not make the whole file unusable, nor reach code that assumes its type.
 */
export function takeBadItems(data: object, lists: Record<string, StoredItemKind>): QuarantinedItem[] {
    const bad: QuarantinedItem[] = [];
    const record = data as Record<string, unknown>;
    for (const [field, kind] of Object.entries(lists)) {
        const list = record[field];
        if (!Array.isArray(list)) continue;
        let kept: unknown[] | undefined;
        list.forEach((item, index) => {
            // an item its file's encoding could not turn back into a full one is as bad as a malformed one
            const problem = decodeProblemOf(item) ?? storedItemProblem(kind, item, `${field}[${index}]`);
            if (problem === null) {
                kept?.push(item);
                return;
            }
            kept ??= list.slice(0, index);
            bad.push({ where: `${field}[${index}]`, problem, item });
        });
        if (kept) record[field] = kept;
    }
    return bad;
}

/** The lists of each store file and the kind of their items. */
export const CATALOG_LISTS: Record<string, StoredItemKind> = { packs: 'pack', groups: 'group', accounts: 'account' };
export const SHARD_RESOURCES_LISTS: Record<string, StoredItemKind> = { resources: 'resource', violations: 'violation', scans: 'scan' };
export const SHARD_VIOLATIONS_LISTS: Record<string, StoredItemKind> = { violations: 'violation', scans: 'scan' };
