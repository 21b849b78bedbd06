/**
 * Runs policy packs out of process: the runner's public API over its warm hosts (hostPool.ts).
 * Resource policies and remediations run resource by resource in chunks (chunkedRun.ts); stack
 * policies run over all resources at once on one host. A host that dies is replaced, the cause
 * (a policy that blocked past the timeout, a crash) reported for the policy and resource that
 * caused it, and the evaluation carries on with the rest.
 */
import { availableParallelism } from 'node:os';
import { runChunked } from './chunkedRun';
import { memoryMessage, slimResources, type BatchResult } from './hostMessages';
import { HostPool, type Host, type HostPoolOptions } from './hostPool';
import { PackCompilations, type CompiledPack, type CompileOptions } from './packCompiler';
import { HostExitError } from './hostProcess';
import { resolvePackConfig } from '../groups/packConfigResolution';
import { RunnerError, type AnalyzeResult, type PackInfo, type PolicyRunError, type RemediateResult, type RunOptions, type RunnerResource } from './runnerTypes';

export interface RunnerPoolOptions extends CompileOptions, Omit<HostPoolOptions, 'hostsPerPack'> {
    /** Resources per request to a host. Default 2000. */
    chunkSize?: number;
    /**
     * Hosts per pack evaluating chunks in parallel; a second host starts only for evaluations
     * of more than one chunk. Default 2 (1 on a single core).
     */
    hostsPerPack?: number;
    /** Default per-policy timeout. Default 10 s (DEFAULT_POLICY_TIMEOUT_MS). */
    timeoutMs?: number;
}

/** How long one policy may run on one resource unless told otherwise (the `policyInsights.runner.timeoutMs` default). */
export const DEFAULT_POLICY_TIMEOUT_MS = 10_000;

export class RunnerPool {
    private readonly hosts: HostPool;
    private readonly compilations: PackCompilations;
    private readonly chunkSize: number;
    private readonly hostsPerPack: number;
    private timeoutMs: number;

    constructor(options: RunnerPoolOptions = {}) {
        this.hostsPerPack = options.hostsPerPack ?? Math.min(2, availableParallelism());
        this.hosts = new HostPool({ ...options, hostsPerPack: this.hostsPerPack });
        this.compilations = new PackCompilations({ cacheDir: options.cacheDir });
        this.chunkSize = options.chunkSize ?? 2000;
        this.timeoutMs = options.timeoutMs ?? DEFAULT_POLICY_TIMEOUT_MS;
    }

    /**
     * Changes the per-policy timeout of the runs that start from now on (a run's own
     * RunOptions.timeoutMs still wins). Anything but a positive number restores the default, so an
     * unset or mistyped setting never turns the timeout off.
     */
    setPolicyTimeoutMs(ms: unknown): void {
        this.timeoutMs = typeof ms === 'number' && Number.isFinite(ms) && ms > 0 ? ms : DEFAULT_POLICY_TIMEOUT_MS;
    }

    /** The per-policy timeout runs get unless their RunOptions say otherwise. */
    get policyTimeoutMs(): number {
        return this.timeoutMs;
    }

    /** Changes which packs get the parent's environment; idle hosts started otherwise are stopped, busy ones when released. */
    setEnvironmentGrants(names: string[]): void {
        this.hosts.setEnvironmentGrants(names);
    }

    /**
     * Compiles and loads a pack (or reuses its warm host) and returns its metadata.
     * @throws RunnerError 'missing-dependencies' | 'build-failed' | 'load-failed' (with the
     *   source location in the pack when the stack has one) | 'no-policy-pack'
     */
    async loadPack(packDir: string, context?: RunOptions['context']): Promise<PackInfo> {
        const compiled = await this.compilations.compile(packDir);
        const host = await this.hosts.acquire(compiled, context);
        this.hosts.release(host);
        return host.info;
    }

    /** Milliseconds the most recently started host of this pack took from spawn to metadata. */
    coldStartMs(packDir: string): number | undefined {
        return this.hosts.coldStartMs(packDir);
    }

    /** Evaluates resource policies on every resource (inputs, as before an update). */
    async analyze(packDir: string, resources: RunnerResource[], options: RunOptions = {}): Promise<AnalyzeResult> {
        const result = await this.runResourceByResource(packDir, resources, 'analyze', options);
        return { diagnostics: result.diagnostics, errors: result.errors };
    }

    /** Proposed property changes from the pack's remediations (policies at level `remediate`). Nothing is applied. */
    async remediate(packDir: string, resources: RunnerResource[], options: RunOptions = {}): Promise<RemediateResult> {
        const result = await this.runResourceByResource(packDir, resources, 'remediate', options);
        return { remediations: result.remediations, errors: result.errors };
    }

    /** Evaluates stack policies over all resources at once. */
    async analyzeStack(packDir: string, resources: RunnerResource[], options: RunOptions = {}): Promise<AnalyzeResult> {
        const timeoutMs = options.timeoutMs ?? this.timeoutMs;
        const { compiled, host: first, config } = await this.prepare(packDir, options);
        let host = first;
        const errors: PolicyRunError[] = [];
        const skip = new Set<string>();
        const stopOnAbort = () => void host.process.kill();
        options.signal?.addEventListener('abort', stopOnAbort);
        try {
            for (;;) {
                try {
                    if (options.signal?.aborted) throw new RunnerError('cancelled', `Evaluation of ${packDir} was cancelled.`);
                    await this.hosts.configure(host, config);
                    const res = (await host.process.request({ kind: 'analyzeStack', resources: slimResources(resources), skipPolicies: [...skip], timeoutMs })) as BatchResult;
                    return { diagnostics: res.diagnostics, errors: [...errors, ...res.errors] };
                } catch (e) {
                    if (options.signal?.aborted) throw new RunnerError('cancelled', `Evaluation of ${packDir} was cancelled.`);
                    if (!(e instanceof HostExitError)) throw e;
                    if (!e.hang || e.hang.memory) {
                        const message = e.hang ? memoryMessage(host.info.name, e.hang) : e.message;
                        errors.push({ code: 'crashed', ...(e.hang?.policyName ? { policyName: e.hang.policyName } : {}), message, stderrTail: e.stderrTail });
                        return { diagnostics: [], errors };
                    }
                    errors.push({ code: 'policy-timeout', policyName: e.hang.policyName, message: `Stack policy '${e.hang.policyName}' did not finish within ${timeoutMs} ms and was stopped.` });
                    skip.add(e.hang.policyName);
                    host = await this.hosts.replace(host, compiled, options.context);
                }
            }
        } finally {
            options.signal?.removeEventListener('abort', stopOnAbort);
            this.hosts.release(host);
        }
    }

    /** Stops every host. */
    async dispose(): Promise<void> {
        await this.hosts.dispose();
    }

    /** The pack compiled, a host acquired for it and the user's config reconciled with its policies. */
    private async prepare(packDir: string, options: RunOptions): Promise<{ compiled: CompiledPack; host: Host; config: ReturnType<typeof resolvePackConfig> }> {
        const compiled = await this.compilations.compile(packDir);
        const host = await this.hosts.acquire(compiled, options.context);
        try {
            return { compiled, host, config: resolvePackConfig(host.info, options.config) };
        } catch (e) {
            this.hosts.release(host);
            throw e;
        }
    }

    private async runResourceByResource(packDir: string, resources: RunnerResource[], kind: 'analyze' | 'remediate', options: RunOptions): Promise<BatchResult> {
        const { compiled, host, config } = await this.prepare(packDir, options);
        return runChunked(this.hosts, {
            kind,
            compiled,
            resources: slimResources(resources),
            first: host,
            config,
            options,
            timeoutMs: options.timeoutMs ?? this.timeoutMs,
            chunkSize: this.chunkSize,
            parallel: this.hostsPerPack,
        });
    }
}
