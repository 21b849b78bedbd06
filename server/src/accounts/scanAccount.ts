/**
 * One scan of one account (or one child `name/region`): discover, merge into each child's
 * shard with one write per child, append a ScanRecord, and keep the catalog's scanStatus
 * current (running at the start, the result at the end).
 *
 * Streamed per child (issue 14): an AWS scan spills resources to disk as they come (ScanSpill;
 * a failed task's are dropped) and merges one child at a time, so the process holds one child's
 * resources, not the account's; the catalog's count comes from the merges, not from reading
 * shards back.
 */
import type { Account, Resource, ScanRecord, ScanStatus, ServiceError } from '../shared/model';
import type { Store } from '../store';
import { childName, parseAccountRef } from '../shared/names';
import { AccountInputError } from './accountNames';
import { tryScanLock } from './scanLock';
import { ScanCancelledError, type AwsServiceName } from './aws/awsClients';
import { DISCOVERERS, discoverAws, type TaskResourceSink } from './aws/awsDiscovery';
import { keptByCloudControlError } from './aws/cloudControlDiscovery';
import type { DiscoveredResource } from './aws/discoveryTypes';
import { findKubernetes } from './kubernetes/kubernetesScan';
import { resourceHash, resourceUrn } from './resourceIdentity';
import { PartialScanWriter } from './partialScanWriter';
import { mergeScan, type ChildDelta } from './scanDelta';
import { ScanSpill } from './scanSpill';
import { StackResourceCollector } from './stacks/stackResources';
import { streamStackState } from './stacks/stackState';
import { readStackTags } from './stacks/stackTags';
import { UserError } from '../userErrors';
import { errorMessage } from '../shared/errors';
import { STACK_PROGRESS_SERVICE } from '../shared/scanProgress';

export { ScanCancelledError };

/** Scan history kept per child account (older records are dropped). */
const SCAN_HISTORY = 200;

export interface ScanOptions {
    signal?: AbortSignal;
    /** HTTP calls in flight at most (default 16). */
    concurrency?: number;
    /** Work done of total: tasks, or MiB of a stack's state file (../shared/scanProgress.ts). */
    onProgress?: (p: { service: string; region?: string; done: number; total: number }) => void;
    /** Per HTTP attempt (default 30 s). */
    requestTimeoutMs?: number;
    /** Attempts per call, first included (default 5). */
    maxAttempts?: number;
    /** Page size asked of list calls (default: each API's maximum). */
    pageSize?: number;
    /** Called for every HTTP attempt, e.g. to count calls. */
    onCall?: (service: AwsServiceName, operation: string, region: string) => void;
    /**
     * Results while the scan runs (AWS accounts): each finished service's resources are written
     * into their child's shard at once (added and changed only) and `onPartial` names the
     * children written, so they can be evaluated before the scan ends. The outcome and the
     * final shards are the same as without it.
     */
    onPartial?: (children: string[]) => void;
    /** Least time between two partial writes (default 1000 ms): each writes a whole shard. */
    partialIntervalMs?: number;
    /** Told what a scan tidied up beside its work (folders of crashed scans removed, scanSpill.ts). */
    log?: (message: string) => void;
}

/** What a scan found, per child account; what the evaluation that follows a scan consumes. */
export interface ScanOutcome {
    /** The account as the catalog holds it after the scan. */
    account: Account;
    /** What was asked for: `name` or `name/region`. */
    scanned: string;
    /** Keyed by child account (`name/region`, or `name` for global services and stacks). */
    children: Record<string, ChildDelta>;
    errors: ServiceError[];
    /** The record appended to each scanned child's history (the counts summed over children). */
    record: ScanRecord;
}

/** Thrown when the account already has a scan running in this process. */
export class ScanInProgressError extends UserError {
    constructor(
        readonly account: string,
        readonly elsewhere = false,
    ) {
        super(`a scan of "${account}" is already running${elsewhere ? ' in another process on this home (a VS Code window or `policy-insights watch`)' : ''}; wait for it to finish or cancel it`);
    }
}

/** Accounts with a scan running, per store home: one scan per account at a time. */
const running = new Set<string>();

/** Finds the account of `nameOrChild` and checks the region is one of its own. */
export async function resolveAccount(store: Store, nameOrChild: string): Promise<{ account: Account; region?: string }> {
    const ref = parseAccountRef(nameOrChild);
    const { accounts } = await store.readCatalog();
    const account = accounts.find((a) => a.name === ref.account);
    if (!account) {
        const known = accounts.map((a) => a.name).join(', ') || 'none';
        throw new AccountInputError(`no account "${ref.account}" in ${store.home} (accounts: ${known}); add it with \`policy-insights account add\``);
    }
    if (ref.region !== undefined && !account.children.includes(childName(account.name, ref.region))) {
        throw new AccountInputError(`account "${account.name}" has no ${account.provider === 'kubernetes' ? 'namespace' : 'region'} "${ref.region}" (its children: ${account.children.join(', ') || 'none'})`);
    }
    return { account, region: ref.region };
}

interface Findings {
    /** Found resources per child account (AWS: every child in scope, with empty lists: the resources are in `spill`). */
    byChild: Map<string, Resource[]>;
    /** AWS: where the found resources are, per child, until the child is merged. */
    spill?: ScanSpill;
    errors: ServiceError[];
    /** Cloud Control types that cannot be listed (`--all-types`). */
    skipped?: ServiceError[];
    /** Every task failed: nothing was learned. */
    allFailed: boolean;
    /** Keeps stored resources of failed services, per child. */
    keep: (child: string, r: Resource) => boolean;
    /** Stack accounts: project and stack as the state says, and the tags of the files beside it. */
    stackIdentity?: { project: string; stack: string; stackTags: Record<string, string> };
    /** Kubernetes accounts without `--namespaces`: the namespaces the cluster has now. */
    children?: string[];
}

function toResource(account: Account, d: DiscoveredResource): Resource {
    return {
        account: d.region ? childName(account.name, d.region) : account.name,
        ...(d.region ? { region: d.region } : {}),
        urn: resourceUrn(account.name, d.region, d.type, d.key),
        type: d.type,
        name: d.name,
        id: d.id,
        provider: 'aws',
        properties: d.properties,
        hash: resourceHash(d.type, d.properties),
    };
}

async function findAws(account: Account, region: string | undefined, options: ScanOptions, spill: ScanSpill, partial?: PartialScanWriter): Promise<Findings> {
    const regions = region ? [region] : (account.settings.regions ?? []);
    const scope = region ? [childName(account.name, region)] : [account.name, ...regions.map((r) => childName(account.name, r))];
    const inScope = new Set(scope);
    // converted once, as they come, and kept on disk only (a partial write gets a task's resources when it succeeds)
    const onTask = (): TaskResourceSink => {
        const task = spill.startTask();
        const forPartial: Resource[] = [];
        return {
            add(found) {
                const resources = found.map((d) => toResource(account, d)).filter((r) => inScope.has(r.account));
                spill.add(task, resources);
                if (partial) for (const r of resources) forPartial.push(r);
            },
            end(succeeded) {
                if (!succeeded) {
                    spill.drop(task);
                    return;
                }
                spill.commit(task);
                if (forPartial.length) partial?.add(forPartial);
            },
        };
    };
    const result = await discoverAws(account, { ...options, regions, includeGlobal: region === undefined, onTask });
    const byChild = new Map<string, Resource[]>();
    for (const child of scope) byChild.set(child, []);
    const typesOf = new Map(DISCOVERERS.map((d) => [d.service, new Set(d.types)]));
    const keep = (child: string, r: Resource) =>
        result.errors.some((e) => {
            if (keptByCloudControlError(e, account.name, child, r)) return true;
            if (!typesOf.get(e.service as AwsServiceName)?.has(r.type)) return false;
            // an error without a region covers the whole account (S3 listing, IAM)
            return e.region === undefined || child === childName(account.name, e.region);
        });
    return { byChild, spill, errors: result.errors, skipped: result.skipped, allFailed: result.tasks > 0 && result.failedTasks >= result.tasks, keep };
}

async function findStack(account: Account, options: ScanOptions): Promise<Findings> {
    const file = account.settings.stateFile ?? '';
    try {
        // streamed: each resource is kept only redacted, never the file's text or parsed tree
        const collector = new StackResourceCollector(account.name);
        const { signal, onProgress } = options;
        const toMiB = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
        const state = await streamStackState(file, (r) => collector.add(r), { signal, onProgress: onProgress && ((read, total) => onProgress({ service: STACK_PROGRESS_SERVICE, done: toMiB(read), total: toMiB(total) })) });
        // the stack's own tags follow its files at every import, as its project and name do
        const stackTags = await readStackTags(file, state.project, state.stack);
        return { byChild: new Map([[account.name, collector.finish(state.project, state.stack)]]), errors: [], allFailed: false, keep: () => false, stackIdentity: { project: state.project, stack: state.stack, stackTags } };
    } catch (error) {
        if (options.signal?.aborted) throw new ScanCancelledError();
        const message = errorMessage(error);
        const errors: ServiceError[] = [{ service: 'pulumi-stack', code: 'StateUnreadable', message }];
        return { byChild: new Map([[account.name, []]]), errors, allFailed: true, keep: () => true };
    }
}

function childErrors(errors: ServiceError[], child: string): ServiceError[] {
    const region = parseAccountRef(child).region;
    return errors.filter((e) => e.region === undefined || e.region === region);
}

async function setStatus(store: Store, name: string, status: ScanStatus, identity?: Findings['stackIdentity'], children?: string[]): Promise<Account | undefined> {
    return store.updateCatalog((catalog) => {
        const account = catalog.accounts.find((a) => a.name === name);
        if (!account) return undefined;
        account.scanStatus = status;
        if (identity) {
            const { stackTags, ...names } = identity;
            Object.assign(account, names);
            if (Object.keys(stackTags).length) account.stackTags = stackTags;
            else delete account.stackTags;
        }
        if (children) account.children = children;
        return structuredClone(account);
    });
}

/**
 * Scans `nameOrChild` (an account, one region of an AWS account or one namespace of a cluster). Faults of one
 * service are recorded in `errors` and the scan goes on; resources of a failed service
 * stay as they were. Throws AccountInputError for an unknown account or region,
 * ScanInProgressError when the account is being scanned, ScanCancelledError when
 * `signal` aborts (nothing is written then but the failed status).
 */
export async function scanAccount(store: Store, nameOrChild: string, options: ScanOptions = {}): Promise<ScanOutcome> {
    // taken before the first await, so of two calls made together the first one wins
    const lockKey = `${store.home}\0${parseAccountRef(nameOrChild).account}`;
    if (running.has(lockKey)) throw new ScanInProgressError(parseAccountRef(nameOrChild).account);
    running.add(lockKey);
    let releaseLock: (() => Promise<void>) | undefined;
    try {
        // another process (a VS Code window, `policy-insights watch`) scanning it: the same refusal
        releaseLock = await tryScanLock(store.home, parseAccountRef(nameOrChild).account);
        if (!releaseLock) throw new ScanInProgressError(parseAccountRef(nameOrChild).account, true);
        const { account, region } = await resolveAccount(store, nameOrChild);
        const startedAt = new Date().toISOString();
        const previousCount = account.scanStatus?.resourceCount ?? 0;
        await setStatus(store, account.name, { status: 'running', resourceCount: previousCount, startedAt, errors: [] });
        let findings: Findings;
        const partial = options.onPartial && account.provider === 'aws' ? new PartialScanWriter(store, options.onPartial, options.partialIntervalMs ?? 1000) : undefined;
        let before: ReadonlyMap<string, Resource[]> = new Map();
        let spill: ScanSpill | undefined;
        try {
            if (options.signal?.aborted) throw new ScanCancelledError();
            if (account.provider === 'pulumi-stack') findings = await findStack(account, options);
            else if (account.provider === 'kubernetes') findings = await findKubernetes(account, region, options);
            else {
                spill = await ScanSpill.create(undefined, options.log);
                findings = await findAws(account, region, options, spill, partial);
            }
            if (options.signal?.aborted) throw new ScanCancelledError();
            if (partial) before = await partial.finish();
        } catch (error) {
            await spill?.dispose();
            const restored = await partial?.abandon();
            if (restored?.length) options.onPartial?.(restored);
            const code = error instanceof ScanCancelledError ? 'Cancelled' : 'ScanFailed';
            const message = errorMessage(error);
            await setStatus(store, account.name, { status: 'failed', resourceCount: previousCount, startedAt, finishedAt: new Date().toISOString(), errors: [{ service: 'scan', code, message }] });
            throw error;
        }
        // a scan with failed services is not a success: its resources of those services may be stale
        const status: ScanRecord['status'] = findings.allFailed ? 'failed' : findings.errors.length ? 'partial' : 'succeeded';
        const children: Record<string, ChildDelta> = {};
        const total: ScanRecord = { startedAt, status, added: 0, changed: 0, removed: 0, unchanged: 0, errors: findings.errors, ...(findings.skipped?.length ? { skipped: findings.skipped } : {}) };
        let finishedAt = new Date().toISOString();
        /** Resources stored per child after its merge: the catalog's count without reading the shards back. */
        const stored = new Map<string, number>();
        try {
            for (const [child, listed] of findings.byChild) {
                // one child's findings in memory at a time, read before its lock is taken
                const found = findings.spill ? await findings.spill.read(child) : listed;
                const delta = await store.updateShard(child, (shard) => {
                    // against the resources before the scan: partial writes are not this scan's delta
                    const merged = mergeScan(before.get(child) ?? shard.resources, found, (r) => findings.keep(child, r));
                    shard.resources = merged.resources;
                    stored.set(child, merged.resources.length);
                    const d = merged.delta;
                    const skipped = childErrors(findings.skipped ?? [], child);
                    shard.scans.push({ startedAt, finishedAt, status, added: d.added.length, changed: d.changed.length, removed: d.removed.length, unchanged: d.unchanged, errors: childErrors(findings.errors, child), ...(skipped.length ? { skipped } : {}) });
                    if (shard.scans.length > SCAN_HISTORY) shard.scans.splice(0, shard.scans.length - SCAN_HISTORY);
                    return d;
                });
                children[child] = delta;
                total.added += delta.added.length;
                total.changed += delta.changed.length;
                total.removed += delta.removed.length;
                total.unchanged += delta.unchanged;
            }
        } finally {
            await findings.spill?.dispose();
        }
        // the found resources are stored: let them go before anything else is read
        findings.byChild.clear();
        finishedAt = new Date().toISOString();
        total.finishedAt = finishedAt;
        const resourceCount = await countResources(store, findings.children ? { ...account, children: findings.children } : account, stored);
        const updated = await setStatus(
            store,
            account.name,
            { status, resourceCount, startedAt, finishedAt, errors: findings.errors, ...(findings.skipped?.length ? { skipped: findings.skipped } : {}) },
            findings.stackIdentity,
            findings.children,
        );
        return { account: updated ?? account, scanned: nameOrChild, children, errors: findings.errors, record: total };
    } finally {
        await releaseLock?.();
        running.delete(lockKey);
    }
}

/**
 * Resources stored for the account and all its children. `known` gives the counts of children
 * just written (a scan's merges): only the others' shards are read, one at a time.
 */
export async function countResources(store: Store, account: Account, known: ReadonlyMap<string, number> = new Map()): Promise<number> {
    const names = [account.name, ...account.children];
    let count = 0;
    for (const name of names) count += known.get(name) ?? 0;
    const unknown = names.filter((name) => !known.has(name));
    if (!unknown.length) return count;
    const shards = new Set(await store.listShards());
    for (const name of unknown) if (shards.has(name)) count += (await store.readShard(name)).resources.length;
    return count;
}
