/**
 * Evaluation that runs by itself. After a scan, each scanned account's resources are
 * evaluated again, reusing cached results for resources whose content did not change (so
 * resource policies run on added and changed resources only; stack policies run on the
 * whole set when anything changed). After a catalog change (a group edit, a new version
 * under `latest`) only the accounts whose bindings changed are evaluated, and within them
 * only the bindings whose pack or config changed miss the cache. `evaluateAll` ignores the
 * cache. Because cached results are keyed by content, an incremental run gives exactly the
 * violations a full run gives.
 *
 * Persisting: one shard update per account per evaluation, of the violations only (the
 * store writes just the shard's violations file, see Store.updateShardViolations), while
 * the result cache is written. Under the shard's lock the
 * evaluator checks that the resources and the account's bindings are still those it
 * evaluated; if a scan or a group edit (from any process) slipped in, it evaluates again
 * (cheaply, from the cache) rather than write results of a state that is gone.
 */
import { effectiveBindings, type EffectiveBinding } from '../groups/effectiveBindings';
import { entityOf, type EvaluatedEntity } from '../groups/groupMembership';
import { parentAccountName } from '../shared/names';
import { stackRuntimeContext } from '../accounts/stacks/stackConfig';
import type { Resource, Violation } from '../shared/model';
import type { PackRuntimeContext } from '../runner';
import type { Catalog, Disposable, ShardViolationsDraft, Store } from '../store';
import { reconcileViolations } from '../violations/violationLifecycle';
import { bindingsSignature, evaluateEntity, isUndetermined, type EntityOutcome, type EvaluationProblem, type EvaluationWork, type PackRunner } from './entityEvaluation';
import type { PackSource } from './packSource';
import { ResultCache, resourcesFingerprint } from './resultCache';
import { errorMessage } from '../shared/errors';

/** A scan's changes per child account (what discovery's ScanOutcome carries). */
export interface ScanDelta {
    children: Record<string, { added: string[]; changed: string[]; removed: string[]; unchanged?: unknown }>;
}

export type EvaluationTrigger = 'scan' | 'catalog' | 'all';

interface PackDirs {
    idOf: (binding: EffectiveBinding) => string;
    dirOf: (binding: EffectiveBinding) => Promise<string>;
}

/** What one evaluation did (also the onEvaluated event). */
export interface EvaluationReport {
    trigger: EvaluationTrigger;
    /** Entities (child accounts, global parts, stacks) whose violations were persisted. */
    accounts: string[];
    /** Violations opened or reopened. */
    opened: number;
    resolved: number;
    /** Violations of these accounts not fixed afterwards. */
    stillOpen: number;
    problems: EvaluationProblem[];
    work: EvaluationWork;
}

export interface EvaluatorOptions {
    store: Store;
    runner: PackRunner;
    packs: PackSource;
    /** Clock for observedAt/lastSeenAt/resolvedAt (tests fix it). */
    now?: () => Date;
    /** Evaluations of one account after which a state that keeps changing under it is reported. Default 5. */
    maxAttempts?: number;
    /**
     * false: after each entity, its parsed shard and cached results leave memory (written first).
     * A one-shot process (the CLI) reads each once, so keeping them only grows its heap: at
     * 1,000,000 resources V8 let the CLI reach 750 MB over a live set of a few hundred. Default
     * true (the language server evaluates the same accounts again after each scan).
     */
    keepInMemory?: boolean;
}

export class Evaluator {
    private readonly store: Store;
    private readonly runner: PackRunner;
    private readonly packs: PackSource;
    private readonly now: () => Date;
    private readonly maxAttempts: number;
    private readonly keepInMemory: boolean;
    private readonly cache: ResultCache;
    private readonly listeners = new Set<(report: EvaluationReport) => void>();
    private queue: Promise<unknown> = Promise.resolve();
    private readonly duringScan = new Set<string>();
    private duringScanRun: Promise<EvaluationReport> | undefined;
    /** The hosts prepare() is starting: a run waits for them rather than start the same packs' hosts beside them. */
    private preparing: Promise<void> = Promise.resolve();

    constructor(options: EvaluatorOptions) {
        this.store = options.store;
        this.runner = options.runner;
        this.packs = options.packs;
        this.now = options.now ?? (() => new Date());
        this.maxAttempts = options.maxAttempts ?? 5;
        this.keepInMemory = options.keepInMemory ?? true;
        this.cache = new ResultCache(options.store.home);
    }

    /** Called after every evaluation that persisted something. */
    onEvaluated(listener: (report: EvaluationReport) => void): Disposable {
        this.listeners.add(listener);
        return { dispose: () => this.listeners.delete(listener) };
    }

    /** Evaluates the accounts a scan touched; unchanged resources keep their cached results. */
    evaluateAfterScan(outcome: ScanDelta): Promise<EvaluationReport> {
        return this.serialized(() => this.run('scan', Object.keys(outcome.children).sort(), true));
    }

    /**
     * Evaluates children a running scan has just written (results while the scan runs). Calls
     * that arrive while one waits in the queue join it, so a fast scan costs a few evaluations,
     * not one per service.
     */
    evaluateDuringScan(children: readonly string[]): Promise<EvaluationReport> {
        for (const c of children) this.duringScan.add(c);
        if (!this.duringScanRun) {
            this.duringScanRun = this.serialized(() => {
                const entities = [...this.duringScan].sort();
                this.duringScan.clear();
                this.duringScanRun = undefined;
                return this.run('scan', entities, true);
            });
        }
        return this.duringScanRun;
    }

    /** Evaluates the accounts whose bindings differ between the two catalogs (group edits, publishes under `latest`). */
    evaluateAfterCatalogChange(before: Catalog, after: Catalog): Promise<EvaluationReport> {
        return this.serialized(async () => {
            const affected: string[] = [];
            for (const entity of await this.entities(after)) {
                if (bindingsSignature(effectiveBindings(before, entity)) !== bindingsSignature(effectiveBindings(after, entity))) affected.push(entity);
            }
            return this.run('catalog', affected, true);
        });
    }

    /** "Evaluate Now": every resource of every account (or of `accounts`: names or `name/region`), ignoring the cache. */
    evaluateAll(options: { accounts?: string[] } = {}): Promise<EvaluationReport> {
        return this.serialized(async () => {
            let entities = await this.entities(await this.store.readCatalog());
            if (options.accounts) {
                const wanted = new Set(options.accounts);
                entities = entities.filter((e) => wanted.has(e) || wanted.has(parentAccountName(e)));
            }
            return this.run('all', entities, false);
        });
    }

    /**
     * Starts the hosts of the packs bound to `accounts` (names or `name/region`) for an evaluation
     * to come, e.g. while the scan it follows runs: a fresh process (the CLI) then finds them warm,
     * as the language server does. Nothing is evaluated; a pack that fails to start is reported
     * by the evaluation.
     */
    prepare(accounts: readonly string[]): void {
        const wanted = new Set(accounts);
        this.preparing = this.store
            .readCatalog()
            .then((catalog) => {
                const children = catalog.accounts.filter((a) => wanted.has(a.name)).flatMap((a) => [a.name, ...a.children]);
                const names = [...new Set([...accounts, ...children])].filter((name) => entityOf(catalog, name) !== undefined);
                return this.warmUp(names, this.packDirs());
            })
            .then((warming) => Promise.all(warming.values()))
            .then(
                () => undefined,
                () => undefined,
            );
    }

    /** Entities with a shard whose account is in the catalog. */
    private async entities(catalog: Catalog): Promise<string[]> {
        return (await this.store.listShards()).filter((name) => entityOf(catalog, name) !== undefined);
    }

    private serialized<T>(fn: () => Promise<T>): Promise<T> {
        const next = this.queue.then(fn, fn);
        this.queue = next.catch(() => undefined);
        return next;
    }

    private async run(trigger: EvaluationTrigger, entities: string[], useCache: boolean): Promise<EvaluationReport> {
        const now = this.now().toISOString();
        await this.preparing;
        const dirs = this.packDirs();
        const warming = await this.warmUp(entities, dirs);
        const packDir = async (binding: EffectiveBinding) => {
            const dir = await dirs.dirOf(binding);
            // a binding's first run waits for its host's warm-up rather than start a second host beside it
            await warming.get(dirs.idOf(binding));
            return dir;
        };
        // one entity after the other: evaluating two at a time made full runs faster but
        // incremental ones slower here (2 cores shared with the pack hosts; more GC)
        const parts: EvaluationReport[] = [];
        for (const name of entities) {
            parts.push(await this.evaluateEntityAndPersist(trigger, name, useCache, now, packDir));
            if (!this.keepInMemory) {
                this.store.dropReadCache();
                await this.cache.release(name).catch((error: unknown) => {
                    parts.push(emptyReport(trigger, [{ entity: name, message: `the evaluation result cache could not be written (${errorMessage(error)}); the violations are stored, the next evaluation re-runs what was not cached` }]));
                });
            }
        }
        const report = emptyReport(trigger);
        for (const part of parts) {
            report.accounts.push(...part.accounts);
            report.opened += part.opened;
            report.resolved += part.resolved;
            report.stillOpen += part.stillOpen;
            report.problems.push(...part.problems);
            report.work.evaluated += part.work.evaluated;
            report.work.reused += part.work.reused;
            report.work.stackRuns += part.work.stackRuns;
        }
        if (report.accounts.length) for (const listener of this.listeners) notify(listener, report);
        return report;
    }

    /**
     * Starts the hosts of the first cloud entity's packs side by side before it runs them one
     * after the other: in a fresh process (the CLI's evaluation after a scan) each pack's cold
     * start (about a second) came in turn, most of an incremental evaluation's time. Only the
     * first entity's: the entities of a run mostly share their packs, and warming more than the
     * pool keeps would stop warm hosts. Failures are left to the run, which reports them.
     */
    private async warmUp(entities: readonly string[], { dirOf, idOf }: PackDirs): Promise<Map<string, Promise<void>>> {
        const warming = new Map<string, Promise<void>>();
        const loadPack = this.runner.loadPack?.bind(this.runner);
        if (!loadPack || !entities.length) return warming;
        const catalog = await this.store.readCatalog();
        const first = entities.find((name) => entityOf(catalog, name)?.kind !== 'stack');
        if (first === undefined) return warming;
        for (const binding of effectiveBindings(catalog, first).bindings) {
            const id = idOf(binding);
            if (!warming.has(id)) warming.set(id, dirOf(binding).then((dir) => loadPack(dir)).then(() => undefined, () => undefined));
        }
        return warming;
    }

    /** Each binding's pack folder, asked of the pack source once per evaluation (which verifies a published artifact each time). */
    private packDirs(): PackDirs {
        const dirs = new Map<string, Promise<string>>();
        const idOf = (binding: EffectiveBinding) => `${binding.pack.name}\0${binding.pack.version}\0${binding.pack.digest}`;
        return {
            idOf,
            dirOf: (binding) => {
                const id = idOf(binding);
                let dir = dirs.get(id);
                if (!dir) dirs.set(id, (dir = this.packs.packDirFor(binding.pack)));
                return dir;
            },
        };
    }

    /** Writes the result-cache files that are behind (call before the process ends). */
    flush(): Promise<void> {
        return this.cache.flush();
    }

    /** Evaluates one entity and persists its violations (retrying while its state changes underneath); its share of the report. */
    private async evaluateEntityAndPersist(trigger: EvaluationTrigger, name: string, useCache: boolean, now: string, packDir: (binding: EffectiveBinding) => Promise<string>): Promise<EvaluationReport> {
        const report = emptyReport(trigger);
        let persisted = false;
        let cacheUsable = useCache;
        for (let attempt = 0; attempt < this.maxAttempts && !persisted; attempt++) {
            const catalog = await this.store.readCatalog();
            const entity = entityOf(catalog, name);
            if (!entity) break; // the account was removed meanwhile
            const shard = await this.store.readShard(name);
            const bindings = effectiveBindings(catalog, name);
            const signature = bindingsSignature(bindings);
            const { context, problem } = await stackContextOf(entity);
            if (problem && attempt === 0) report.problems.push({ entity: name, message: problem });
            const previous = await this.cache.load(name);
            for (const file of this.cache.takeDistrusted()) {
                report.problems.push({ entity: name, message: `The evaluation cache ${file} was changed by something other than Policy Insights (its integrity check failed); it was dropped and ${name} is evaluated in full.` });
            }
            const outcome = await evaluateEntity({ entity, resources: shard.resources, bindings, previous, useCache: cacheUsable, runner: this.runner, packDir, context });
            // valid whatever happens next (entries are keyed by content), so it is written while the violations are
            // a cache write that fails (ENOSPC, EISDIR) is reported, never fatal: the violations are still stored
            const saving = this.cache.checkpoint(name, outcome.results, outcome.work.evaluated).catch((error: unknown) => {
                report.problems.push({ entity: name, message: `the evaluation result cache could not be written (${errorMessage(error)}); the violations are stored, the next evaluation re-runs what was not cached` });
            });
            cacheUsable = true;
            report.work.evaluated += outcome.work.evaluated;
            report.work.reused += outcome.work.reused;
            report.work.stackRuns += outcome.work.stackRuns;
            const result = await this.persist(name, shard.resources, outcome, signature, trigger, now).finally(() => saving.catch(() => undefined));
            await saving;
            if (!result) continue;
            persisted = true;
            report.accounts.push(name);
            report.opened += result.opened.length;
            report.resolved += result.resolved.length;
            report.stillOpen += result.stillOpen;
            report.problems.push(...outcome.problems);
        }
        if (!persisted && entityOf(await this.store.readCatalog(), name)) {
            report.problems.push({ entity: name, message: `The resources or policy groups of ${name} kept changing during ${this.maxAttempts} evaluations; its violations were not updated. Evaluate it again when the scan or edit has finished.` });
        }
        return report;
    }

    /**
     * Reconciles the entity's violations with `outcome` under its shard's lock, unless its
     * resources or bindings are no longer those evaluated (then undefined: evaluate again).
     */
    private persist(name: string, resources: readonly Resource[], outcome: EntityOutcome, signature: string, trigger: EvaluationTrigger, now: string): Promise<ReturnType<typeof reconcileViolations> | undefined> {
        return this.store.updateShardViolations(name, async (locked) => {
            // the same array means the same resources: the store never changes the arrays it shares
            if (locked.resources !== resources && resourcesFingerprint(locked.resources) !== outcome.resourcesFingerprint()) return undefined;
            if (bindingsSignature(effectiveBindings(await this.store.readCatalog(), name)) !== signature) return undefined;
            const keep = keptByFailedDiscovery(locked);
            const reconciled = reconcileViolations(locked.violations, outcome.findings, { now, undetermined: (v) => isUndetermined(outcome.undetermined, v) || keep(v) });
            locked.violations = reconciled.violations;
            const lastScan = locked.scans[locked.scans.length - 1];
            if (trigger === 'scan' && lastScan) lastScan.openViolations = reconciled.stillOpen;
            return reconciled;
        });
    }
}

/**
 * Discovery keeps the resources of a service it failed to list, so their results carry
 * over; if a resource is missing while the last scan reports its service failed, its
 * violations stay as they are rather than look fixed.
 */
function keptByFailedDiscovery(shard: ShardViolationsDraft): (v: Violation) => boolean {
    const lastScan = shard.scans[shard.scans.length - 1];
    const failed = new Set((lastScan?.errors ?? []).map((e) => normalizeService(e.service)));
    if (!failed.size) return () => false;
    const present = new Set(shard.resources.map((r: Resource) => r.urn));
    return (v) => v.resourceURN !== '' && !present.has(v.resourceURN) && failed.has(normalizeService(serviceOfType(v.resourceType)));
}

/** Type modules discovered by a service of another name (discovery's service names). */
const SERVICE_OF_MODULE: Record<string, string> = { ebs: 'ec2', vpc: 'ec2', cloudwatch: 'cloudwatch-logs' };

/** `aws:s3/bucket:Bucket` -> `s3`; `aws:ebs/volume:Volume` -> `ec2`. */
function serviceOfType(type: string): string {
    const module = (type.split(':')[1] ?? '').split('/')[0];
    return SERVICE_OF_MODULE[module] ?? module;
}

function normalizeService(service: string): string {
    return service.toLowerCase().replace(/[^a-z0-9]/g, '');
}

function notify(listener: (report: EvaluationReport) => void, report: EvaluationReport): void {
    try {
        listener(report);
    } catch (error) {
        console.error('Policy Insights evaluator: a listener failed:', error);
    }
}

function emptyReport(trigger: EvaluationTrigger, problems: EvaluationProblem[] = []): EvaluationReport {
    return { trigger, accounts: [], opened: 0, resolved: 0, stillOpen: 0, problems, work: { evaluated: 0, reused: 0, stackRuns: 0 } };
}

/**
 * What the engine would tell a stack's packs: its project and stack, and its config when the state
 * file sits in its project folder beside `Pulumi.<stack>.yaml` (secure values decrypted only when the
 * process has the stack's passphrase, else `[secret]`). A config file that cannot be read is a
 * problem of the evaluation, reported, and the packs run without config rather than not at all.
 */
async function stackContextOf(entity: EvaluatedEntity): Promise<{ context?: PackRuntimeContext; problem?: string }> {
    const { account } = entity;
    if (entity.kind !== 'stack' || !account.project || !account.stack) return {};
    const bare: PackRuntimeContext = { project: account.project, stack: account.stack, dryRun: false };
    if (!account.settings.stateFile) return { context: bare };
    try {
        return { context: (await stackRuntimeContext(account.settings.stateFile, account.project, account.stack, process.env)).context };
    } catch (error) {
        return { context: bare, problem: `The stack config of ${account.name} could not be read, so its packs ran without config: ${(error as Error).message}` };
    }
}
