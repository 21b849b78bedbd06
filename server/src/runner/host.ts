/**
 * The pack host: a child process (cwd = the pack directory) that loads one policy pack and
 * answers the parent's requests over the IPC channel. Bundled to out/server/packHost.js.
 *
 * Every policy runs through the SDK's own Analyzer handlers. A resource's applicable policies
 * run in one SDK call (the SDK's handler over just those policies, each marking itself as it
 * starts); when that call fails or times out, they run again one handler per policy, so that
 * a policy that throws or times out is reported for that policy and resource while the
 * others still report. Policies that cannot apply to a resource's type (the SDK's own
 * `__pulumiType` fast check) are not called: the SDK would return no diagnostic for them.
 */
import { buildAnalyzeRequest, buildAnalyzeStackRequest, buildConfigureRequest, buildResourceOptions, marshalledProperties, resourceName } from './analyzerRequests';
import { attributeResourceDiagnostic, stackDiagnosticAttribution } from './diagnosticAttribution';
import { InProcessAnalyzeRequest, InProcessProviderResource } from './inProcessRequest';
import { diagnosticFromProto, packInfoFromProto, remediationFromProto, type AnalyzeDiagnosticLike, type AnalyzerInfoLike, type RemediationLike } from './analyzerProto';
import type { BatchResult, HostFailure, HostRequestEnvelope, HostResponse, HostResult } from './hostMessages';
import { MAX_RSS_ARG } from './hostMessages';
import { loadSdkPack, PackLoadError, type LoadedSdkPack, type SdkHandler, type SdkPolicy } from './hostSdk';
import { CallGuard } from './hostWatchdog';
import type { ProviderResource } from '../shared/model';
import type { ResolvedPolicyConfig, RunnerResource } from './runnerTypes';
import { errorMessage } from '../shared/errors';

interface HostState {
    pack: LoadedSdkPack;
    analyzeHandlers: SdkHandler[];
    stackHandlers: SdkHandler[];
    /** Effective level per policy (config, else the policy's, else the pack's), as the SDK computes it. */
    levels: string[];
    /** Per resource type: the policies that may apply, in pack order, with their handler. */
    applicableByType: Map<string, ApplicablePolicy[]>;
    /** Per resource type and skipped policies: one SDK handler over the applicable policies, each marking itself. */
    groupByType: Map<string, SdkHandler>;
    remediateHandlers: Map<string, SdkHandler>;
    /** The options message of a resource without options or parent: shared, never mutated. */
    defaultOptions?: unknown;
    /**
     * Providers already converted, by the object that came over IPC (resources that share a
     * provider object share it after the structured clone too), else by URN while their
     * properties are unchanged.
     */
    providers: Map<string, { json: string; provider: InProcessProviderResource }>;
    providerObjects: WeakMap<ProviderResource, InProcessProviderResource>;
}

/** A policy that may apply to a type: its index in the pack, the policy (narrowed to its usable validations) and its own handler. */
interface ApplicablePolicy {
    index: number;
    policy: SdkPolicy;
    handler: SdkHandler;
}

let state: HostState | undefined;
/** The analyze policy running inside a grouped call (see `groupHandler`). */
let currentAnalyzePolicy = -1;
/**
 * The resource of the grouped call in progress. A call abandoned after a timeout may resume
 * later and run its remaining policies: they must not mark themselves as the running one.
 */
let groupedUrn: string | undefined;
/**
 * Started before any pack code runs: besides policy timeouts, its thread ends the host when the
 * parent dies, even while top-level pack code spins (a synchronous loop never sees 'disconnect').
 */
const guard = new CallGuard(Number(process.argv.find((a) => a.startsWith(MAX_RSS_ARG))?.slice(MAX_RSS_ARG.length) ?? 0));
/** The remediation currently running (remediations chain inside one SDK call). */
let currentRemediation = -1;

type CallResult = { err?: unknown; resp?: unknown };

function invoke(handler: SdkHandler, request: unknown, done: (r: CallResult) => void): void {
    try {
        const returned = handler({ request }, (err, resp) => done({ err: err ?? undefined, resp }));
        if (returned && typeof (returned as Promise<unknown>).then === 'function') {
            (returned as Promise<unknown>).then(undefined, (err) => done({ err }));
        }
    } catch (err) {
        done({ err });
    }
}


async function load(codeFile: string, loadAs: string): Promise<HostResult> {
    const pack = await loadSdkPack(codeFile, loadAs);
    const { name, version, enforcementLevel, policies, server } = pack;
    const infoProto = await new Promise<CallResult>((resolve) => invoke(pack.service.getAnalyzerInfo, {}, resolve));
    if (infoProto.err) throw infoProto.err;
    guard.setPolicyNames(policies.map((p) => p.name));
    state = {
        pack,
        analyzeHandlers: policies.map((p) => server.makeAnalyzeRpcFun(name, version, enforcementLevel, [p])),
        stackHandlers: policies.map((p) => server.makeAnalyzeStackRpcFun(name, version, enforcementLevel, [p])),
        levels: policies.map((p) => p.enforcementLevel || enforcementLevel),
        applicableByType: new Map(),
        groupByType: new Map(),
        remediateHandlers: new Map(),
        providers: new Map(),
        providerObjects: new WeakMap(),
    };
    return { kind: 'loaded', info: packInfoFromProto(infoProto.resp as AnalyzerInfoLike) };
}

async function configure(config: Record<string, ResolvedPolicyConfig>): Promise<HostResult> {
    const s = requireState();
    const result = await new Promise<CallResult>((resolve) => invoke(s.pack.service.configure, buildConfigureRequest(s.pack.protos, config), resolve));
    if (result.err) throw result.err;
    s.levels = s.pack.policies.map((p) => config[p.name]?.enforcementLevel || p.enforcementLevel || s.pack.enforcementLevel);
    s.applicableByType.clear();
    s.groupByType.clear();
    s.remediateHandlers.clear();
    return { kind: 'configured' };
}

function requireState(): HostState {
    if (!state) throw new Error('pack host: no pack loaded');
    return state;
}

/**
 * The policies that can report on a resource of `type`, with the SDK handler to call.
 * A validation the SDK tags with a Pulumi type (`validateResourceOfType`) can only report
 * on resources of that type; on any other it throws the SDK's not-applicable error, which
 * yields no diagnostic. So a policy whose validations are all for other types is not
 * called, and a policy with an array of validations gets a handler over the ones that can
 * apply: the diagnostics are the SDK's, without the calls that cannot produce any.
 */
function applicablePolicies(s: HostState, type: string): ApplicablePolicy[] {
    let list = s.applicableByType.get(type);
    if (!list) {
        list = [];
        const { name, version, enforcementLevel, server, policy: sdk } = s.pack;
        s.pack.policies.forEach((p, index) => {
            if (s.levels[index] === 'disabled' || !sdk.isResourcePolicy(p) || !p.validateResource) return;
            if (!Array.isArray(p.validateResource)) {
                const only = sdk.getPulumiType(p.validateResource);
                if (!only || only === type) list!.push({ index, policy: p, handler: s.analyzeHandlers[index] });
                return;
            }
            const validations = p.validateResource as unknown[];
            const usable = validations.filter((v) => {
                const only = sdk.getPulumiType(v);
                return !only || only === type;
            });
            if (!usable.length) return;
            if (usable.length === validations.length) {
                list!.push({ index, policy: p, handler: s.analyzeHandlers[index] });
                return;
            }
            // Same policy object (own fields and prototype), fewer validations.
            const narrowed = Object.assign(Object.create(Object.getPrototypeOf(p)), p, { validateResource: usable }) as SdkPolicy;
            list!.push({ index, policy: narrowed, handler: server.makeAnalyzeRpcFun(name, version, enforcementLevel, [narrowed]) });
        });
        s.applicableByType.set(type, list);
    }
    return list;
}

/** A validation that marks its policy as the one running before it runs, keeping the SDK's type tag. */
function markedValidation(validation: unknown, index: number): unknown {
    const validate = validation as (args: unknown, report: unknown) => unknown;
    const marked = (args: unknown, report: unknown) => {
        if (groupedUrn !== undefined && (args as { urn?: string }).urn === groupedUrn) {
            currentAnalyzePolicy = index;
            guard.enterPolicy(index);
        }
        return validate(args, report);
    };
    const pulumiType = (validation as { __pulumiType?: unknown }).__pulumiType;
    return pulumiType === undefined ? marked : Object.assign(marked, { __pulumiType: pulumiType });
}

/**
 * The SDK's analyze handler over `policies` (a resource's applicable ones, minus skipped),
 * cached per type and skip set. Same policy objects (fields and prototype), validations marked.
 */
function groupHandler(s: HostState, type: string, policies: ApplicablePolicy[], skip: Set<string>): SdkHandler {
    const key = skip.size ? `${type}\0${[...skip].sort().join('\0')}` : type;
    let handler = s.groupByType.get(key);
    if (!handler) {
        const marked = policies.map(({ index, policy }) => {
            const v = policy.validateResource;
            const validateResource = Array.isArray(v) ? v.map((f) => markedValidation(f, index)) : markedValidation(v, index);
            return Object.assign(Object.create(Object.getPrototypeOf(policy)), policy, { validateResource }) as SdkPolicy;
        });
        const { name, version, enforcementLevel, server } = s.pack;
        handler = server.makeAnalyzeRpcFun(name, version, enforcementLevel, marked);
        s.groupByType.set(key, handler);
    }
    return handler;
}

/** The options message the engine sends for a resource (the builder's, shared when the resource has none). */
function resourceOptions(s: HostState, resource: RunnerResource): unknown {
    if (resource.parent || resource.options) return buildResourceOptions(s.pack.protos, resource);
    return (s.defaultOptions ??= buildResourceOptions(s.pack.protos, resource));
}

/** The provider as the SDK reads it from a parsed request (properties marshalled as the engine does). */
function providerResource(s: HostState, provider: ProviderResource | undefined): InProcessProviderResource | undefined {
    if (!provider) return undefined;
    const same = s.providerObjects.get(provider);
    if (same) return same;
    const json = JSON.stringify(provider);
    const known = s.providers.get(provider.urn);
    let converted: InProcessProviderResource;
    if (known && known.json === json) converted = known.provider;
    else {
        converted = new InProcessProviderResource(provider.urn, provider.type, provider.name, marshalledProperties(provider.properties, 'analyze'));
        s.providers.set(provider.urn, { json, provider: converted });
    }
    s.providerObjects.set(provider, converted);
    return converted;
}

function timeoutMessage(policyName: string, timeoutMs: number, urn: string): string {
    return `Policy '${policyName}' did not finish within ${timeoutMs} ms on ${urn}; it is skipped for the rest of this evaluation.`;
}

function emptyBatch(): BatchResult {
    return { diagnostics: [], remediations: [], errors: [], timedOut: [] };
}

async function analyze(requestId: number, resources: RunnerResource[], skip: Set<string>, timeoutMs: number): Promise<BatchResult> {
    const s = requireState();
    const out = emptyBatch();
    for (let r = 0; r < resources.length; r++) {
        const resource = resources[r];
        let policies = applicablePolicies(s, resource.type);
        if (skip.size) policies = policies.filter((p) => !skip.has(s.pack.policies[p.index].name));
        if (!policies.length) continue;
        const request = new InProcessAnalyzeRequest(
            resource.type,
            resource.urn,
            resourceName(resource),
            marshalledProperties(resource.properties, 'analyze'),
            resourceOptions(s, resource),
            providerResource(s, resource.provider),
        );
        if (policies.length > 1) {
            // All at once; on a failure or a timeout, each on its own below (the grouped call's
            // diagnostics are dropped, so the policies before the failing one run again).
            currentAnalyzePolicy = -1;
            groupedUrn = resource.urn;
            const handler = groupHandler(s, resource.type, policies, skip);
            const outcome = await guard.run<CallResult>({ requestId, resourceIndex: r, policyIndex: policies[0].index }, timeoutMs, (done) => invoke(handler, request, done));
            groupedUrn = undefined;
            if (outcome.kind === 'done' && !outcome.value.err) {
                const resp = outcome.value.resp as { getDiagnosticsList(): AnalyzeDiagnosticLike[] };
                for (const d of resp.getDiagnosticsList()) out.diagnostics.push(attributeResourceDiagnostic(diagnosticFromProto(d), resource.urn));
                continue;
            }
            if (outcome.kind === 'timeout' && currentAnalyzePolicy >= 0) {
                const policyName = s.pack.policies[currentAnalyzePolicy].name;
                out.errors.push({ code: 'policy-timeout', policyName, urn: resource.urn, message: timeoutMessage(policyName, timeoutMs, resource.urn) });
                out.timedOut.push(policyName);
                skip.add(policyName);
            }
        }
        for (const { index, handler } of policies) {
            const policyName = s.pack.policies[index].name;
            if (skip.has(policyName)) continue;
            const outcome = await guard.run<CallResult>({ requestId, resourceIndex: r, policyIndex: index }, timeoutMs, (done) => invoke(handler, request, done));
            if (outcome.kind === 'timeout') {
                out.errors.push({ code: 'policy-timeout', policyName, urn: resource.urn, message: timeoutMessage(policyName, timeoutMs, resource.urn) });
                out.timedOut.push(policyName);
                skip.add(policyName);
            } else if (outcome.value.err) {
                out.errors.push({ code: 'policy-error', policyName, urn: resource.urn, message: errorMessage(outcome.value.err) });
            } else {
                const resp = outcome.value.resp as { getDiagnosticsList(): AnalyzeDiagnosticLike[] };
                for (const d of resp.getDiagnosticsList()) out.diagnostics.push(attributeResourceDiagnostic(diagnosticFromProto(d), resource.urn));
            }
        }
    }
    return out;
}

async function analyzeStack(requestId: number, resources: RunnerResource[], skip: Set<string>, timeoutMs: number): Promise<BatchResult> {
    const s = requireState();
    const out = emptyBatch();
    const request = buildAnalyzeStackRequest(s.pack.protos, resources);
    const attribute = stackDiagnosticAttribution(resources);
    for (let i = 0; i < s.pack.policies.length; i++) {
        const p = s.pack.policies[i];
        if (skip.has(p.name) || s.levels[i] === 'disabled' || !s.pack.policy.isStackPolicy(p)) continue;
        const outcome = await guard.run<CallResult>({ requestId, resourceIndex: -1, policyIndex: i }, timeoutMs, (done) => invoke(s.stackHandlers[i], request, done));
        if (outcome.kind === 'timeout') {
            out.errors.push({ code: 'policy-timeout', policyName: p.name, message: `Stack policy '${p.name}' did not finish within ${timeoutMs} ms.` });
            out.timedOut.push(p.name);
        } else if (outcome.value.err) {
            out.errors.push({ code: 'policy-error', policyName: p.name, message: errorMessage(outcome.value.err) });
        } else {
            const resp = outcome.value.resp as { getDiagnosticsList(): AnalyzeDiagnosticLike[] };
            for (const d of resp.getDiagnosticsList()) out.diagnostics.push(attribute(diagnosticFromProto(d)));
        }
    }
    return out;
}

/** The SDK's remediate handler over the pack's policies minus `skip`, each marking itself as running. */
function remediateHandler(s: HostState, skip: Set<string>): SdkHandler {
    const key = [...skip].sort().join('\0');
    let handler = s.remediateHandlers.get(key);
    if (!handler) {
        const policies: SdkPolicy[] = [];
        s.pack.policies.forEach((p, i) => {
            if (skip.has(p.name)) return;
            const remediate = p.remediateResource;
            if (!remediate) return policies.push(p);
            const marked = Object.assign((args: unknown) => {
                currentRemediation = i;
                guard.setPolicy(i);
                return remediate(args);
            }, remediate.__pulumiType ? { __pulumiType: remediate.__pulumiType } : {});
            policies.push({ ...p, remediateResource: marked });
        });
        handler = s.pack.server.makeRemediateRpcFun(s.pack.name, s.pack.version, s.pack.enforcementLevel, policies);
        s.remediateHandlers.set(key, handler);
    }
    return handler;
}

async function remediate(requestId: number, resources: RunnerResource[], skip: Set<string>, timeoutMs: number): Promise<BatchResult> {
    const s = requireState();
    const out = emptyBatch();
    if (!s.levels.some((level, i) => level === 'remediate' && s.pack.policies[i].remediateResource)) return out;
    for (let r = 0; r < resources.length; r++) {
        const resource = resources[r];
        const request = buildAnalyzeRequest(s.pack.protos, resource, 'remediate');
        currentRemediation = -1;
        const handler = remediateHandler(s, skip);
        const outcome = await guard.run<CallResult>({ requestId, resourceIndex: r, policyIndex: -1 }, timeoutMs, (done) => invoke(handler, request, done));
        const policyName = currentRemediation >= 0 ? s.pack.policies[currentRemediation].name : undefined;
        if (outcome.kind === 'timeout') {
            out.errors.push({ code: 'policy-timeout', policyName, urn: resource.urn, message: `Remediation '${policyName}' did not finish within ${timeoutMs} ms on ${resource.urn}; it is skipped for the rest of this run.` });
            if (policyName) {
                out.timedOut.push(policyName);
                skip.add(policyName);
            }
        } else if (outcome.value.err) {
            out.errors.push({ code: 'policy-error', policyName, urn: resource.urn, message: errorMessage(outcome.value.err) });
        } else {
            const resp = outcome.value.resp as { getRemediationsList(): RemediationLike[] };
            for (const rem of resp.getRemediationsList()) out.remediations.push(remediationFromProto(rem, resource.urn));
        }
    }
    return out;
}

async function handle(msg: HostRequestEnvelope): Promise<HostResult> {
    switch (msg.kind) {
        case 'load':
            return load(msg.codeFile, msg.loadAs);
        case 'configure':
            return configure(msg.config);
        case 'analyze':
            return { kind: 'batch', ...(await analyze(msg.id, msg.resources, new Set(msg.skipPolicies), msg.timeoutMs)) };
        case 'analyzeStack':
            return { kind: 'batch', ...(await analyzeStack(msg.id, msg.resources, new Set(msg.skipPolicies), msg.timeoutMs)) };
        case 'remediate':
            return { kind: 'batch', ...(await remediate(msg.id, msg.resources, new Set(msg.skipPolicies), msg.timeoutMs)) };
    }
}

function toFailure(err: unknown): HostFailure {
    if (err instanceof PackLoadError) return { code: err.code, message: err.message, location: err.location };
    return { code: 'load-failed', message: err instanceof Error ? (err.stack ?? err.message) : String(err) };
}

// Pack code may leave a rejected promise or throw from a timer; the engine's process would
// die, but one stray error must not lose the rest of an evaluation. It goes to stderr.
process.on('unhandledRejection', (reason) => console.error('[policy pack] unhandled rejection:', reason));
process.on('uncaughtException', (err) => console.error('[policy pack] uncaught exception:', err));
process.on('disconnect', () => process.exit(0));

let queue: Promise<void> = Promise.resolve();
process.on('message', (msg: HostRequestEnvelope) => {
    queue = queue.then(async () => {
        let response: HostResponse;
        try {
            response = { id: msg.id, ok: true, result: await handle(msg) };
        } catch (err) {
            response = { id: msg.id, ok: false, error: toFailure(err) };
        }
        process.send!(response);
    });
});
