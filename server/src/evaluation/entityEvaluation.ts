/**
 * Evaluates one entity (a child account, a global account part, or a stack) against the
 * bindings that apply to it, reusing cached per-resource results whose input is unchanged.
 * Like the engine's `pulumi policy analyze` (pulumi/pulumi analyze_snapshot.go), each
 * binding with a remediate-level policy first runs its remediations on the resources (what
 * they would change becomes a remediation record; nothing is applied), then the analysis.
 * Pure with respect to the store: it returns findings, what could not be determined, and
 * the new cache; the Evaluator persists them.
 */
import { createHash } from 'node:crypto';
import type { EffectiveBinding, EntityBindings } from '../groups/effectiveBindings';
import type { EvaluatedEntity } from '../groups/groupMembership';
import type { Resource, Violation } from '../shared/model';
import type { AnalyzeResult, PackRuntimeContext, PolicyDiagnostic, PolicyRunError, ProposedRemediation, RemediateResult, RunOptions, RunnerResource } from '../runner';
import { remediationMessage, remediationOf } from '../violations/remediation';
import type { Finding } from '../violations/violationLifecycle';
import { inputKeyOf, resourcesFingerprint, type BindingResults, type CachedDiagnostic, type EntityResults } from './resultCache';

/** What the Evaluator needs of the pack runner (RunnerPool implements it). */
export interface PackRunner {
    analyze(packDir: string, resources: RunnerResource[], options?: RunOptions): Promise<AnalyzeResult>;
    analyzeStack(packDir: string, resources: RunnerResource[], options?: RunOptions): Promise<AnalyzeResult>;
    remediate(packDir: string, resources: RunnerResource[], options?: RunOptions): Promise<RemediateResult>;
    /** Starts (or finds warm) the pack's host, so that a run can start several packs' hosts at once. */
    loadPack?(packDir: string, context?: PackRuntimeContext): Promise<unknown>;
}

/** A problem an evaluation met; it carries on past it. */
export interface EvaluationProblem {
    entity: string;
    pack?: string;
    policy?: string;
    urn?: string;
    message: string;
}

/** Counts that show how much work a run did. */
export interface EvaluationWork {
    /** Resource evaluations sent to the runner (resources x bindings). */
    evaluated: number;
    /** Resource evaluations taken from the cache. */
    reused: number;
    /** Stack policy runs. */
    stackRuns: number;
}

export interface EntityOutcome {
    findings: Finding[];
    /** Keys (see undeterminedKey) whose violations must be left as they are. */
    undetermined: Set<string>;
    problems: EvaluationProblem[];
    results: EntityResults;
    work: EvaluationWork;
    /** The resources this outcome is about, to check under the lock that nothing changed since (computed when first asked). */
    resourcesFingerprint(): string;
}

/** Keys of what could not be determined: a whole pack, a policy, or one policy on one resource. */
export const undeterminedKey = {
    pack: (pack: string) => `pack\0${pack}`,
    policy: (pack: string, policy: string) => `policy\0${pack}\0${policy}`,
    resource: (pack: string, urn: string) => `resource\0${pack}\0${urn}`,
    result: (pack: string, policy: string, urn: string) => `result\0${pack}\0${policy}\0${urn}`,
};

/** Whether `v`'s finding could not be determined in an outcome with these keys. */
export function isUndetermined(undetermined: Set<string>, v: Violation): boolean {
    return (
        undetermined.has(undeterminedKey.pack(v.policyPack)) ||
        undetermined.has(undeterminedKey.policy(v.policyPack, v.policyName)) ||
        undetermined.has(undeterminedKey.resource(v.policyPack, v.resourceURN)) ||
        undetermined.has(undeterminedKey.result(v.policyPack, v.policyName, v.resourceURN))
    );
}

function stableJson(value: unknown): string {
    if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
    if (value && typeof value === 'object') {
        return `{${Object.keys(value)
            .sort()
            .map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`)
            .join(',')}}`;
    }
    return JSON.stringify(value) ?? 'null';
}

/** Same pack code and same config give the same results: the cache key of a binding. */
export function bindingKeyOf(binding: EffectiveBinding): string {
    return createHash('sha1').update(`${binding.pack.name}\0${binding.pack.versionTag}\0${binding.pack.digest}\0${stableJson(binding.config ?? {})}`).digest('hex');
}

/** Everything about the entity's bindings that changes results or violations, as one string. */
export function bindingsSignature(bindings: EntityBindings): string {
    return stableJson({
        b: bindings.bindings.map((b) => [b.group, b.mode, bindingKeyOf(b)]),
        u: bindings.unresolved.map((u) => [u.group, u.packName, u.versionTag, u.problem]),
    });
}

/**
 * What the runner is sent for a resource. For a stack resource, as the engine does from a state:
 * resource policies see its inputs, stack policies its outputs, both with its options, provider
 * and property dependencies. A discovered cloud resource has only `properties`.
 */
function toRunner(resource: Resource, policies: 'resource' | 'stack' = 'resource'): RunnerResource {
    const properties = (policies === 'resource' ? resource.inputs : resource.outputs) ?? (resource.stack !== undefined ? {} : resource.properties);
    const r: RunnerResource = { urn: resource.urn, type: resource.type, name: resource.name, properties };
    if (resource.parent) r.parent = resource.parent;
    if (resource.dependencies) r.dependencies = resource.dependencies;
    if (resource.propertyDependencies) r.propertyDependencies = resource.propertyDependencies;
    if (resource.options) r.options = resource.options;
    if (resource.providerResource) r.provider = resource.providerResource;
    return r;
}

function cached(d: PolicyDiagnostic): CachedDiagnostic {
    // the runner already reports a remediate-level policy's violation as mandatory, as the engine does (diagnosticAttribution.ts)
    const c: CachedDiagnostic = { urn: d.urn, policyName: d.policyName, message: d.message, enforcementLevel: d.enforcementLevel };
    if (d.severity) c.severity = d.severity;
    return c;
}

/**
 * The records of one resource's remediations, in the order the SDK ran them: each was given
 * the properties the previous one returned, so each record shows its own change. A
 * remediation that could not run (its `diagnostic`) is an advisory violation, as the engine
 * reports it; one that changes nothing is no record.
 */
function remediationRecords(sent: RunnerResource, remediations: readonly ProposedRemediation[]): CachedDiagnostic[] {
    const records: CachedDiagnostic[] = [];
    // the properties the runner sent (the resource's inputs, as the engine sends them): what the first remediation was given
    let current = sent.properties;
    for (const r of remediations) {
        if (r.diagnostic) {
            records.push({ urn: sent.urn, policyName: r.policyName, message: r.diagnostic, enforcementLevel: 'advisory' });
        } else if (r.properties) {
            const remediation = remediationOf(current, r.properties);
            current = r.properties;
            if (remediation) records.push({ urn: sent.urn, policyName: r.policyName, message: remediationMessage(remediation), enforcementLevel: 'remediate', remediation });
        }
    }
    return records;
}

/** Type and name from a URN (`urn:pulumi:stack::project::a$b::name`) for a resource not in the set. */
function fromUrn(urn: string): { type: string; name: string } {
    const parts = urn.split('::');
    if (parts.length < 4) return { type: '', name: urn };
    const types = parts[2].split('$');
    return { type: types[types.length - 1], name: parts.slice(3).join('::') };
}

export interface EvaluateEntityArgs {
    entity: EvaluatedEntity;
    resources: readonly Resource[];
    bindings: EntityBindings;
    previous: EntityResults;
    /** false: run everything again (Evaluate Now). */
    useCache: boolean;
    runner: PackRunner;
    packDir: (binding: EffectiveBinding) => Promise<string>;
    /** For a stack: what the engine tells its packs about it (project, stack, config, not a dry run). */
    context?: PackRuntimeContext;
}

/** Runs the entity's bindings (each distinct pack code + config once) and builds its findings. */
export async function evaluateEntity(args: EvaluateEntityArgs): Promise<EntityOutcome> {
    const { entity, resources } = args;
    const inputs = compareWithPrevious(resources, args.previous);
    // hashing every resource's input costs as much as the rest of this pass; only stack policies and a changed shard need it
    let fingerprint: string | undefined;
    const fingerprintOf = () => (fingerprint ??= resourcesFingerprint(resources, inputs.keys));
    const outcome: EntityOutcome = { findings: [], undetermined: new Set(), problems: [], results: { format: args.previous.format, urns: inputs.urns, keys: inputs.keys, bindings: {} }, work: { evaluated: 0, reused: 0, stackRuns: 0 }, resourcesFingerprint: fingerprintOf };
    // the resources findings are about, met on the way; an index of all of them only for findings about others (stack policies)
    const withFindings = new Map<string, Resource>();
    let byUrnMap: Map<string, Resource> | undefined;
    const resourceOf = (urn: string) => withFindings.get(urn) ?? (byUrnMap ??= new Map(resources.map((r) => [r.urn, r]))).get(urn);
    const run: EntityRun = { args, inputs, outcome, withFindings, resourceOf, fingerprintOf };
    for (const u of args.bindings.unresolved) {
        outcome.undetermined.add(undeterminedKey.pack(u.packName));
        outcome.problems.push({ entity: entity.name, pack: u.packName, message: u.problem });
    }
    // The bindings run side by side, each pack on its own host (one pack after the other left a
    // core idle: most of an incremental evaluation is waiting on hosts). Each keeps its problems
    // apart, so findings and problems come out in binding order whichever pack finishes first.
    const runs = [...bindingsByCode(args.bindings, args.context)].map(async ([key, sharing]) => {
        const own: EntityRun = { ...run, outcome: { ...outcome, problems: [] } };
        return { sharing, problems: own.outcome.problems, diagnostics: await runBinding(own, key, sharing[0]) };
    });
    for (const { sharing, problems, diagnostics } of await Promise.all(runs)) {
        outcome.problems.push(...problems);
        if (diagnostics) outcome.findings.push(...findingsOf(run, sharing, diagnostics));
    }
    return outcome;
}

/** What one pass over the resources learns, shared by every binding. */
interface ResourceInputs {
    keys: string[];
    urns: string[];
    /** whether the resource's input is the one its cached results (if any) were computed at */
    sameInput: boolean[];
}

/** The state one entity's evaluation shares between its bindings. */
interface EntityRun {
    args: EvaluateEntityArgs;
    inputs: ResourceInputs;
    outcome: EntityOutcome;
    withFindings: Map<string, Resource>;
    resourceOf: (urn: string) => Resource | undefined;
    fingerprintOf: () => string;
}

/** The state of one binding's run: what it found, what the cache keeps of it. */
interface BindingRun {
    binding: EffectiveBinding;
    packName: string;
    dir: string;
    options: RunOptions;
    previous: BindingResults | undefined;
    next: BindingResults;
    diagnostics: CachedDiagnostic[];
    /** false once a result could not be attributed or completed: the binding then runs in full next time */
    cacheable: boolean;
    /** the whole pack could not run or finish on this entity */
    fail: (message: string) => void;
}

/** Each resource's input key, and whether it is the one its cached results were computed at. */
function compareWithPrevious(resources: readonly Resource[], previous: EntityResults): ResourceInputs {
    // one pass over the resources, shared by every binding: this loop is most of an incremental run's own work
    const count = resources.length;
    const keys: string[] = new Array(count);
    const urns: string[] = new Array(count);
    const { urns: previousUrns, keys: previousKeys } = previous;
    // a resource is usually where it was last time; the index is built only when one is not
    let previousIndex: Map<string, number> | undefined;
    const sameInput: boolean[] = new Array(count);
    for (let i = 0; i < count; i++) {
        const urn = resources[i].urn;
        const key = inputKeyOf(resources[i]);
        keys[i] = key;
        urns[i] = urn;
        let at = i;
        if (previousUrns[i] !== urn) {
            previousIndex ??= new Map(previousUrns.map((u, j) => [u, j]));
            at = previousIndex.get(urn) ?? -1;
        }
        sameInput[i] = at >= 0 && previousKeys[at] === key;
    }
    return { keys, urns, sameInput };
}

/** Bindings that run the same pack code with the same config (and stack context) share one run, under one cache key. */
function bindingsByCode(bindings: EntityBindings, context: PackRuntimeContext | undefined): Map<string, EffectiveBinding[]> {
    const groupsByKey = new Map<string, EffectiveBinding[]>();
    // a stack's context (project, stack, config) is an input of every policy that reads it: a new one runs everything again
    const contextSuffix = context ? `\0${createHash('sha1').update(stableJson(context)).digest('hex')}` : '';
    for (const binding of bindings.bindings) {
        const key = bindingKeyOf(binding) + contextSuffix;
        groupsByKey.set(key, [...(groupsByKey.get(key) ?? []), binding]);
    }
    return groupsByKey;
}

/**
 * Runs one binding's resource policies (remediations first) and stack policies, reusing what the
 * cache holds, and keeps its results for the next run. Returns its diagnostics, or undefined when
 * the pack could not run at all (then it reports no findings and the entity's other bindings go on).
 */
async function runBinding(run: EntityRun, key: string, binding: EffectiveBinding): Promise<CachedDiagnostic[] | undefined> {
    const { args, outcome } = run;
    const packName = binding.pack.name;
    const fail = (message: string) => {
        outcome.undetermined.add(undeterminedKey.pack(packName));
        outcome.problems.push({ entity: args.entity.name, pack: packName, message });
    };
    let dir: string;
    try {
        dir = await args.packDir(binding);
    } catch (error) {
        // its cached results are for the old keys: the binding leaves the cache and runs in full next time
        fail(`Policy pack ${packName}@${binding.pack.versionTag} cannot run: ${(error as Error).message}`);
        return undefined;
    }
    const b: BindingRun = {
        binding,
        packName,
        dir,
        options: { ...(binding.config ? { config: binding.config } : {}), ...(args.context ? { context: args.context } : {}) },
        previous: args.useCache ? args.previous.bindings[key] : undefined,
        next: { findings: {} },
        diagnostics: [],
        cacheable: true,
        fail,
    };
    const hasResourcePolicies = binding.policies.some((p) => p.policyType === 'resource' && p.level !== 'disabled');
    const hasStackPolicies = binding.policies.some((p) => p.policyType === 'stack' && p.level !== 'disabled');
    if (hasResourcePolicies && !(await runResourcePolicies(run, b))) return undefined;
    if (hasStackPolicies) await runStackPolicies(run, b);
    // results this run could not attribute or complete are not kept: the binding runs in full next time
    if (b.cacheable) outcome.results.bindings[key] = b.next;
    return b.diagnostics;
}

/**
 * Resource policies: cached results for resources whose input is unchanged, a run (remediate,
 * then analyze) for the others. Returns false when the pack failed as a whole.
 */
async function runResourcePolicies(run: EntityRun, b: BindingRun): Promise<boolean> {
    const { args, outcome, withFindings } = run;
    const { resources } = args;
    const { packName, previous, next, diagnostics } = b;
    const remediating = b.binding.policies.filter((p) => p.policyType === 'resource' && p.level === 'remediate').map((p) => p.name);
    const toRun: number[] = [];
    const failedBefore = new Set(previous?.failed ?? []);
    // looking 100,000 URNs up as property names would first intern each of them: a Map only hashes
    const previousFindings = new Map(previous ? Object.entries(previous.findings) : []);
    for (let i = 0; i < resources.length; i++) {
        const urn = resources[i].urn;
        if (previous && run.inputs.sameInput[i] && (failedBefore.size === 0 || !failedBefore.has(urn))) {
            const hit = previousFindings.get(urn);
            if (hit) {
                withFindings.set(urn, resources[i]);
                next.findings[urn] = hit;
                for (const d of hit) diagnostics.push(d);
            }
            outcome.work.reused++;
        } else toRun.push(i);
    }
    if (!toRun.length) return true;
    outcome.work.evaluated += toRun.length;
    const toRunResources = toRun.map((i) => toRunner(resources[i]));
    const ran = new Map(toRun.map((i) => [resources[i].urn, resources[i]]));
    const skipUrns = new Set<string>();
    const recordErrors = (errors: readonly PolicyRunError[], pass: 'remediate' | 'analyze') => {
        for (const e of errors) {
            outcome.problems.push({ entity: args.entity.name, pack: packName, ...(e.policyName ? { policy: e.policyName } : {}), ...(e.urn ? { urn: e.urn } : {}), message: e.message });
            if (pass === 'remediate' && e.code !== 'policy-timeout' && e.urn) {
                // the SDK answers a resource's remediations at once: one that throws loses the others' results on that resource too
                for (const p of remediating) outcome.undetermined.add(undeterminedKey.result(packName, p, e.urn));
                skipUrns.add(e.urn);
            } else if (e.code === 'policy-error' && e.policyName && e.urn) {
                outcome.undetermined.add(undeterminedKey.result(packName, e.policyName, e.urn));
                skipUrns.add(e.urn);
            } else if (e.code === 'policy-timeout' && e.policyName) {
                outcome.undetermined.add(undeterminedKey.policy(packName, e.policyName));
                b.cacheable = false;
            } else if (e.urn) {
                outcome.undetermined.add(undeterminedKey.resource(packName, e.urn));
                skipUrns.add(e.urn);
            } else {
                outcome.undetermined.add(undeterminedKey.pack(packName));
                b.cacheable = false;
            }
        }
    };
    const keep = (c: CachedDiagnostic) => {
        diagnostics.push(c);
        // a finding a policy reported against another resource's URN cannot be attributed to the resource that produced it
        const about = ran.get(c.urn);
        if (about) {
            withFindings.set(c.urn, about);
            (next.findings[c.urn] ??= []).push(c);
        } else b.cacheable = false;
    };
    let result: AnalyzeResult;
    try {
        // remediations first, as the engine runs them: the pass is skipped when no policy of the binding remediates
        if (remediating.length > 0) {
            const remediated = await args.runner.remediate(b.dir, toRunResources, b.options);
            recordErrors(remediated.errors, 'remediate');
            const byUrn = new Map<string, ProposedRemediation[]>();
            for (const r of remediated.remediations) byUrn.set(r.urn, [...(byUrn.get(r.urn) ?? []), r]);
            const sent = new Map(toRunResources.map((r) => [r.urn, r]));
            for (const [urn, list] of byUrn) {
                const about = sent.get(urn);
                if (about) remediationRecords(about, list).forEach(keep);
                else b.cacheable = false;
            }
        }
        result = await args.runner.analyze(b.dir, toRunResources, b.options);
    } catch (error) {
        b.fail(`Policy pack ${packName}@${b.binding.pack.versionTag} failed: ${(error as Error).message}`);
        return false;
    }
    recordErrors(result.errors, 'analyze');
    for (const d of result.diagnostics) keep(cached(d));
    if (skipUrns.size) next.failed = [...skipUrns];
    return true;
}

/** Stack policies over all the entity's resources: reused while the resources are unchanged, else run. */
async function runStackPolicies(run: EntityRun, b: BindingRun): Promise<void> {
    const { args, outcome } = run;
    const { packName, previous, next, diagnostics } = b;
    if (previous?.stack && previous.stack.inputKey === run.fingerprintOf()) {
        next.stack = previous.stack;
        diagnostics.push(...previous.stack.diagnostics);
        return;
    }
    outcome.work.stackRuns++;
    try {
        const result = await args.runner.analyzeStack(b.dir, args.resources.map((r) => toRunner(r, 'stack')), b.options);
        let stackCacheable = true;
        for (const e of result.errors) {
            outcome.problems.push({ entity: args.entity.name, pack: packName, ...(e.policyName ? { policy: e.policyName } : {}), message: e.message });
            if (e.policyName) outcome.undetermined.add(undeterminedKey.policy(packName, e.policyName));
            else outcome.undetermined.add(undeterminedKey.pack(packName));
            stackCacheable = false;
        }
        // The runner attributes a stack finding about no resource to the stack's root resource, as the
        // engine does; a cloud account has no root resource, so such a finding is about the account itself.
        const stackDiagnostics = result.diagnostics.map(cached).map((d) => (args.entity.kind !== 'stack' && d.urn && !run.resourceOf(d.urn) ? { ...d, urn: '' } : d));
        diagnostics.push(...stackDiagnostics);
        if (stackCacheable) next.stack = { inputKey: run.fingerprintOf(), diagnostics: stackDiagnostics };
    } catch (error) {
        for (const p of b.binding.policies) if (p.policyType === 'stack') outcome.undetermined.add(undeterminedKey.policy(packName, p.name));
        outcome.problems.push({ entity: args.entity.name, pack: packName, message: `Stack policies of ${packName}@${b.binding.pack.versionTag} failed: ${(error as Error).message}` });
    }
}

/** One finding per diagnostic for every binding that shares the run (each its own group, tag and mode). */
function findingsOf(run: EntityRun, sharing: readonly EffectiveBinding[], diagnostics: readonly CachedDiagnostic[]): Finding[] {
    const { entity } = run.args;
    const binding = sharing[0];
    const findings: Finding[] = [];
    const severityOf = new Map(binding.policies.map((p) => [p.name, p.severity]));
    for (const b of sharing) {
        for (const d of diagnostics) {
            const resource = d.urn ? run.resourceOf(d.urn) : undefined;
            const named = resource ? { type: resource.type, name: resource.name } : d.urn ? fromUrn(d.urn) : { type: '', name: entity.name };
            const project = resource?.project ?? entity.account.project;
            const severity = d.severity ?? severityOf.get(d.policyName);
            findings.push({
                entityId: entity.name,
                entityType: entity.kind === 'stack' ? 'stack' : 'insights-account',
                ...(project !== undefined ? { project } : {}),
                policyPack: binding.pack.name,
                policyPackTag: b.pack.versionTag,
                policyName: d.policyName,
                policyGroupName: b.group,
                resourceURN: d.urn,
                resourceType: named.type,
                resourceName: named.name,
                message: d.message,
                level: d.enforcementLevel,
                ...(severity !== undefined ? { severity } : {}),
                kind: b.mode,
                ...(d.remediation ? { finding: 'remediation' as const, remediation: d.remediation } : {}),
            });
        }
    }
    return findings;
}
