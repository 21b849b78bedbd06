/**
 * Messages between the language server (parent) and a pack host (child process) over the
 * Node IPC channel. stdout is never used: packs may print to it.
 */
import type { PackInfo, PolicyDiagnostic, PolicyRunError, ProposedRemediation, ResolvedPolicyConfig, RunnerResource, SourceLocation } from './runnerTypes';

export interface LoadRequest {
    kind: 'load';
    codeFile: string;
    loadAs: string;
}

export interface ConfigureRequest {
    kind: 'configure';
    config: Record<string, ResolvedPolicyConfig>;
}

interface BatchBase {
    /** Policies skipped for this call (they timed out earlier in the same run). */
    skipPolicies: string[];
    timeoutMs: number;
}

export interface AnalyzeRequest extends BatchBase {
    kind: 'analyze';
    resources: RunnerResource[];
}

export interface AnalyzeStackRequest extends BatchBase {
    kind: 'analyzeStack';
    resources: RunnerResource[];
}

export interface RemediateRequest extends BatchBase {
    kind: 'remediate';
    resources: RunnerResource[];
}

export type HostRequest = LoadRequest | ConfigureRequest | AnalyzeRequest | AnalyzeStackRequest | RemediateRequest;
export type HostRequestEnvelope = HostRequest & { id: number };

/** The part of PackInfo the host knows (the parent adds packDir and digest). */
export type HostPackInfo = Omit<PackInfo, 'packDir' | 'digest'>;

export interface BatchResult {
    diagnostics: PolicyDiagnostic[];
    remediations: ProposedRemediation[];
    errors: PolicyRunError[];
    /** Policies that timed out asynchronously in this call (the host stopped waiting for them). */
    timedOut: string[];
}

export type HostResult = { kind: 'loaded'; info: HostPackInfo } | { kind: 'configured' } | ({ kind: 'batch' } & BatchResult);

export interface HostFailure {
    code: 'load-failed' | 'no-policy-pack' | 'missing-dependencies' | 'invalid-config' | 'crashed';
    message: string;
    location?: SourceLocation;
}

export type HostResponse = { id: number; ok: true; result: HostResult } | { id: number; ok: false; error: HostFailure };

/**
 * Written by the host's watchdog on its own pipe (fd 4) just before it kills the host,
 * when a policy has blocked the event loop past the timeout, or (`memory`) when the process
 * grew past its memory cap — then resourceIndex is -1 and policyName '' outside a policy call.
 */
export interface HangReport {
    requestId: number;
    resourceIndex: number;
    policyName: string;
    elapsedMs: number;
    memory?: { rssMb: number; limitMb: number };
}

/** The host's argument giving the resident-memory cap in MB (the watchdog kills the host above it). */
export const MAX_RSS_ARG = '--max-rss-mb=';

/** The child's file descriptor carrying hang reports. */
export const WATCHDOG_FD = 4;

/** What a finding says when a host was stopped over its memory cap (HangReport.memory set). */
export function memoryMessage(packName: string, report: HangReport, urn?: string): string {
    const { limitMb, rssMb } = report.memory!;
    const where = report.policyName ? ` while policy '${report.policyName}' evaluated ${urn ?? 'the stack'}` : '';
    return `Policy pack ${packName} exceeded ${limitMb} MB (${rssMb} MB resident)${where}; its process was stopped${urn ? ' and the other resources are evaluated on a new one' : ''}.`;
}

/** Only the fields a policy sees cross the process boundary. */
export function slimResources(resources: RunnerResource[]): RunnerResource[] {
    return resources.map((r) => {
        const s: RunnerResource = { urn: r.urn, type: r.type, properties: r.properties };
        if (r.name) s.name = r.name;
        if (r.parent) s.parent = r.parent;
        if (r.dependencies) s.dependencies = r.dependencies;
        if (r.propertyDependencies) s.propertyDependencies = r.propertyDependencies;
        if (r.options) s.options = r.options;
        if (r.provider) s.provider = r.provider;
        return s;
    });
}
