/**
 * Runs policy packs out of process, keeping warm hosts between evaluations.
 *
 * A host is keyed by pack directory, the digest of the pack's sources and the stack context
 * the engine would pass the pack process (RunOptions.context, in its environment): an edited
 * pack gets a fresh host, an unchanged one reuses the warm host of the same context (its SDK
 * loaded, its config applied), and another stack gets a host of its own. Resources go to the host in chunks; a chunk whose host dies is retried on a new
 * host, the cause (a policy that blocked past the timeout, a crash) reported for the
 * policy and resource that caused it, and the evaluation carries on with the rest.
 */
import { availableParallelism } from 'node:os';
import type { BatchResult, HangReport, HostRequest } from './hostMessages';
import { compilePack, type CompiledPack, type CompileOptions } from './packCompiler';
import { defaultHostScript, HostExitError, HostRequestError, PackProcess } from './packProcess';
import { isPermissionDenial, PERMISSION_HINT, permissionArgs } from './packPermissions';
import { contextKey, packProcessEnv } from './packRuntimeEnv';
import { resolvePackConfig } from './policyConfig';
import { RunnerError, type AnalyzeResult, type PackInfo, type PackRuntimeContext, type PolicyRunError, type RemediateResult, type RunOptions, type RunnerResource } from './runnerTypes';

export interface RunnerPoolOptions extends CompileOptions {
    /** The host script (tests pass the bundled host.ts). Default: packRunner.js beside the server or CLI bundle. */
    hostScript?: string;
    /**
     * Most hosts alive at once, across packs and stack contexts; the least recently used idle one is
     * stopped first. Default 8: a host serves one pack for one stack context (the engine starts a pack
     * process per stack), and an evaluation walks accounts and stacks in turn, so a limit below
     * packs × (stacks + 1) makes every entity cold-start its hosts (seen: 4 packs, accounts and a
     * stack, limit 4: 8× slower). Idle hosts stop after `idleMs`.
     */
    maxRunners?: number;
    /** A host unused this long is stopped. Default 5 minutes. */
    idleMs?: number;
    /** Resources per request to a host. Default 2000. */
    chunkSize?: number;
    /**
     * Hosts per pack evaluating chunks in parallel; a second host starts only for evaluations
     * of more than one chunk. Default 2 (1 on a single core).
     */
    runnersPerPack?: number;
    /** Default per-policy timeout. Default 10 s. */
    timeoutMs?: number;
    /** Node flags for hosts (profiling, `--inspect` to debug a pack). Default none. */
    hostExecArgv?: string[];
    /** A pack that has not finished loading after this long is stopped. Default 60 s. */
    loadTimeoutMs?: number;
    /**
     * Names of packs (as their PolicyPack declares them) whose hosts inherit the parent's whole
     * environment, cloud credentials included. Every other host gets a minimal one
     * (packRuntimeEnv.ts). Default none.
     */
    environmentGrants?: string[];
    /**
     * Memory cap of a host in MB: its V8 heap (`--max-old-space-size`) and its resident memory,
     * which the host's watchdog checks (a pack reached 6.2 GB). Over it, the host is stopped and
     * the policy running is reported. Default 2048.
     */
    maxHeapMb?: number;
}

interface Runner {
    key: string;
    /** Digest of the pack build it runs: a host of another build of the same pack is stale. */
    digest: string;
    process: PackProcess;
    info: PackInfo;
    /** Milliseconds from spawn to the pack's metadata. */
    coldStartMs: number;
    configKey?: string;
    /** Started with the parent's whole environment (its pack was granted it). */
    granted: boolean;
    busy: boolean;
    lastUsed: number;
    idleTimer?: NodeJS.Timeout;
}

interface Chunk {
    start: number;
    items: RunnerResource[];
    skip: Set<string>;
}

/**
 * How long a pack build that timed out at load fails fast in the same stack context instead of
 * being started again: an evaluation walks accounts one after another, and each retry cost the
 * full load timeout (a hanging pack: 60 s per account, 243 s for 4). An edited pack (another
 * digest) or a changed grant is tried again at once.
 */
const LOAD_TIMEOUT_MEMORY_MS = 5 * 60_000;

/** Host restarts after crashes that one evaluation tolerates before giving up on the rest. */
const CRASH_BUDGET = 3;

export class RunnerPool {
    private readonly runners: Runner[] = [];
    private readonly hostScript: string;
    private readonly options: Required<Omit<RunnerPoolOptions, 'hostScript' | 'cacheDir' | 'hostExecArgv' | 'environmentGrants'>> & { cacheDir?: string; hostExecArgv: string[] };
    private readonly waiters: (() => void)[] = [];
    private environmentGrants: Set<string>;
    /**
     * Pack name by pack directory, learned when a host loads it: a host's environment is chosen
     * before its pack runs, and only the pack itself declares its name.
     */
    private readonly packNames = new Map<string, string>();
    /** Load timeouts by host key (pack build, context, grant): see LOAD_TIMEOUT_MEMORY_MS. */
    private readonly loadTimeouts = new Map<string, { error: RunnerError; at: number }>();

    constructor(options: RunnerPoolOptions = {}) {
        this.hostScript = options.hostScript ?? defaultHostScript();
        this.options = {
            maxRunners: options.maxRunners ?? 8,
            idleMs: options.idleMs ?? 5 * 60_000,
            chunkSize: options.chunkSize ?? 2000,
            runnersPerPack: options.runnersPerPack ?? Math.min(2, availableParallelism()),
            timeoutMs: options.timeoutMs ?? 10_000,
            cacheDir: options.cacheDir,
            hostExecArgv: options.hostExecArgv ?? [],
            loadTimeoutMs: options.loadTimeoutMs ?? 60_000,
            maxHeapMb: options.maxHeapMb ?? 2048,
        };
        this.environmentGrants = new Set(options.environmentGrants ?? []);
    }

    /** Changes which packs get the parent's environment; idle hosts started otherwise are stopped, busy ones when released. */
    setEnvironmentGrants(names: string[]): void {
        this.environmentGrants = new Set(names);
        for (const runner of this.runners.filter((r) => !r.busy && r.granted !== this.isGranted(r.info.packDir))) this.remove(runner);
    }

    private isGranted(packDir: string): boolean {
        const name = this.packNames.get(packDir);
        return name !== undefined && this.environmentGrants.has(name);
    }

    /**
     * Compiles and loads a pack (or reuses its warm host) and returns its metadata.
     * @throws RunnerError 'missing-dependencies' | 'build-failed' | 'load-failed' (with the
     *   source location in the pack when the stack has one) | 'no-policy-pack'
     */
    async loadPack(packDir: string, context?: PackRuntimeContext): Promise<PackInfo> {
        const compiled = await compilePack(packDir, { cacheDir: this.options.cacheDir });
        const runner = await this.acquire(compiled, context);
        this.release(runner);
        return runner.info;
    }

    /** Milliseconds the most recently started host of this pack took from spawn to metadata. */
    coldStartMs(packDir: string): number | undefined {
        return this.runners.filter((r) => r.info.packDir === packDir || r.key.startsWith(packDir + '\0')).at(-1)?.coldStartMs;
    }

    /** Evaluates resource policies on every resource (inputs, as before an update). */
    async analyze(packDir: string, resources: RunnerResource[], options: RunOptions = {}): Promise<AnalyzeResult> {
        const result = await this.runChunked(packDir, resources, 'analyze', options);
        return { diagnostics: result.diagnostics, errors: result.errors };
    }

    /** Proposed property changes from the pack's remediations (policies at level `remediate`). Nothing is applied. */
    async remediate(packDir: string, resources: RunnerResource[], options: RunOptions = {}): Promise<RemediateResult> {
        const result = await this.runChunked(packDir, resources, 'remediate', options);
        return { remediations: result.remediations, errors: result.errors };
    }

    /** Evaluates stack policies over all resources at once. */
    async analyzeStack(packDir: string, resources: RunnerResource[], options: RunOptions = {}): Promise<AnalyzeResult> {
        const timeoutMs = options.timeoutMs ?? this.options.timeoutMs;
        const compiled = await compilePack(packDir, { cacheDir: this.options.cacheDir });
        let runner = await this.acquire(compiled, options.context);
        const errors: PolicyRunError[] = [];
        const skip = new Set<string>();
        const stopOnAbort = () => void runner.process.kill();
        options.signal?.addEventListener('abort', stopOnAbort);
        try {
            const config = this.resolveConfig(runner, options);
            for (;;) {
                try {
                    if (options.signal?.aborted) throw new RunnerError('cancelled', `Evaluation of ${packDir} was cancelled.`);
                    await this.configure(runner, config);
                    const res = (await runner.process.request({ kind: 'analyzeStack', resources: slim(resources), skipPolicies: [...skip], timeoutMs })) as BatchResult;
                    return { diagnostics: res.diagnostics, errors: [...errors, ...res.errors] };
                } catch (e) {
                    if (options.signal?.aborted) throw new RunnerError('cancelled', `Evaluation of ${packDir} was cancelled.`);
                    if (!(e instanceof HostExitError)) throw e;
                    if (!e.hang || e.hang.memory) {
                        const message = e.hang ? memoryMessage(runner.info.name, e.hang) : e.message;
                        errors.push({ code: 'crashed', ...(e.hang?.policyName ? { policyName: e.hang.policyName } : {}), message, stderrTail: e.stderrTail });
                        return { diagnostics: [], errors };
                    }
                    errors.push({ code: 'policy-timeout', policyName: e.hang.policyName, message: `Stack policy '${e.hang.policyName}' did not finish within ${timeoutMs} ms and was stopped.` });
                    skip.add(e.hang.policyName);
                    runner = await this.replace(runner, compiled, options.context);
                }
            }
        } finally {
            options.signal?.removeEventListener('abort', stopOnAbort);
            this.release(runner);
        }
    }

    /** Stops every host. */
    async dispose(): Promise<void> {
        const all = this.runners.splice(0);
        await Promise.all(all.map((r) => (clearTimeout(r.idleTimer), r.process.kill(true))));
    }

    private resolveConfig(runner: Runner, options: RunOptions) {
        return resolvePackConfig(runner.info, options.config);
    }

    private async configure(runner: Runner, config: ReturnType<typeof resolvePackConfig>): Promise<void> {
        const key = JSON.stringify(config);
        if (runner.configKey === key) return;
        await runner.process.request({ kind: 'configure', config });
        runner.configKey = key;
    }

    private async runChunked(packDir: string, resources: RunnerResource[], kind: 'analyze' | 'remediate', options: RunOptions): Promise<BatchResult> {
        const timeoutMs = options.timeoutMs ?? this.options.timeoutMs;
        const compiled = await compilePack(packDir, { cacheDir: this.options.cacheDir });
        const first = await this.acquire(compiled, options.context);
        let config: ReturnType<typeof resolvePackConfig>;
        try {
            config = this.resolveConfig(first, options);
        } catch (e) {
            this.release(first);
            throw e;
        }
        const globalSkip = new Set<string>();
        const queue: Chunk[] = [];
        const all = slim(resources);
        for (let start = 0; start < all.length; start += this.options.chunkSize) {
            queue.push({ start, items: all.slice(start, start + this.options.chunkSize), skip: globalSkip });
        }
        const done: { start: number; result: BatchResult }[] = [];
        const errors: { start: number; error: PolicyRunError }[] = [];
        let crashes = 0;
        const active = new Set<Runner>();
        const stopOnAbort = () => active.forEach((r) => void r.process.kill());
        options.signal?.addEventListener('abort', stopOnAbort);

        const work = async (initial: Runner | undefined) => {
            let runner = initial;
            try {
                while (queue.length && crashes <= CRASH_BUDGET) {
                    if (options.signal?.aborted) return;
                    const chunk = queue.shift()!;
                    if (chunk.skip === globalSkip) chunk.skip = new Set(globalSkip);
                    runner = runner && runner.process.alive ? runner : runner ? await this.replace(runner, compiled, options.context) : await this.acquire(compiled, options.context);
                    active.add(runner);
                    try {
                        await this.configure(runner, config);
                        const req: HostRequest = { kind, resources: chunk.items, skipPolicies: [...chunk.skip], timeoutMs };
                        const result = (await runner.process.request(req)) as BatchResult;
                        result.timedOut.forEach((p) => globalSkip.add(p));
                        done.push({ start: chunk.start, result });
                    } catch (e) {
                        if (options.signal?.aborted) return;
                        if (!(e instanceof HostExitError)) throw e;
                        const hang = e.hang;
                        const overMemory = hang?.memory && hang.resourceIndex >= 0 && hang.resourceIndex < chunk.items.length;
                        if (overMemory) {
                            // A crash whose cause is known: the resource is reported, the rest retried on a new host.
                            crashes++;
                            const k = hang.resourceIndex;
                            errors.push({ start: chunk.start + k, error: { code: 'crashed', policyName: hang.policyName, urn: chunk.items[k].urn, message: memoryMessage(runner!.info.name, hang, chunk.items[k].urn), stderrTail: e.stderrTail } });
                            // the host's results for the resources before k died with it
                            const retry: Chunk[] = [];
                            if (k > 0) retry.push({ start: chunk.start, items: chunk.items.slice(0, k), skip: chunk.skip });
                            if (k + 1 < chunk.items.length) retry.push({ start: chunk.start + k + 1, items: chunk.items.slice(k + 1), skip: chunk.skip });
                            queue.unshift(...retry);
                        } else if (hang && !hang.memory && hang.resourceIndex >= 0 && hang.resourceIndex < chunk.items.length) {
                            const k = hang.resourceIndex;
                            const what = kind === 'remediate' ? 'Remediation' : 'Policy';
                            errors.push({
                                start: chunk.start + k,
                                error: { code: 'policy-timeout', policyName: hang.policyName, urn: chunk.items[k].urn, message: `${what} '${hang.policyName}' blocked for ${Math.round(hang.elapsedMs)} ms (timeout ${timeoutMs} ms) on ${chunk.items[k].urn}; the pack process was restarted and the policy is skipped for the rest of this evaluation.` },
                            });
                            globalSkip.add(hang.policyName);
                            const after: Chunk = { start: chunk.start + k, items: chunk.items.slice(k), skip: new Set([...chunk.skip, hang.policyName]) };
                            queue.unshift(...(k > 0 ? [{ start: chunk.start, items: chunk.items.slice(0, k), skip: chunk.skip }, after] : [after]));
                        } else {
                            crashes++;
                            if (chunk.items.length > 1) {
                                // Find the resource that takes the host down: retry one by one.
                                queue.unshift(...chunk.items.map((item, i) => ({ start: chunk.start + i, items: [item], skip: chunk.skip })));
                            } else {
                                errors.push({ start: chunk.start, error: { code: 'crashed', urn: chunk.items[0].urn, message: e.message, stderrTail: e.stderrTail } });
                            }
                        }
                    }
                }
            } finally {
                if (runner) {
                    active.delete(runner);
                    this.release(runner);
                }
            }
        };

        try {
            const extra: Promise<void>[] = [];
            const parallel = Math.min(this.options.runnersPerPack, queue.length);
            for (let i = 1; i < parallel; i++) extra.push(work(undefined));
            await Promise.all([work(first), ...extra]);
        } finally {
            options.signal?.removeEventListener('abort', stopOnAbort);
        }
        if (options.signal?.aborted) throw new RunnerError('cancelled', `Evaluation of ${packDir} was cancelled.`);
        if (queue.length) {
            const left = queue.reduce((n, c) => n + c.items.length, 0);
            errors.push({ start: queue[0].start, error: { code: 'crashed', message: `The policy pack process for ${packDir} crashed ${crashes} times; ${left} resources were not evaluated.` } });
        }
        done.sort((a, b) => a.start - b.start);
        errors.sort((a, b) => a.start - b.start);
        const merged: BatchResult = { diagnostics: [], remediations: [], errors: [], timedOut: [] };
        // Errors a host reported within a chunk keep their place; errors the pool saw sort by resource.
        const allErrors: { start: number; error: PolicyRunError }[] = [...errors];
        for (const { start, result } of done) {
            for (const d of result.diagnostics) merged.diagnostics.push(d);
            for (const r of result.remediations) merged.remediations.push(r);
            for (const error of result.errors) allErrors.push({ start, error });
        }
        allErrors.sort((a, b) => a.start - b.start);
        merged.errors = allErrors.map((e) => e.error);
        return merged;
    }

    // ---- hosts ----

    private keyOf(compiled: CompiledPack, context: PackRuntimeContext | undefined): string {
        return `${compiled.packDir}\0${compiled.digest}\0${contextKey(context)}`;
    }

    /** An idle warm host for this pack and context, a new one if under the per-pack limit, else waits for one. */
    private async acquire(compiled: CompiledPack, context: PackRuntimeContext | undefined): Promise<Runner> {
        const key = this.keyOf(compiled, context);
        // Hosts of an older build of the same pack are stale (whatever their context).
        for (const stale of this.runners.filter((r) => r.info.packDir === compiled.packDir && (r.digest !== compiled.digest || r.granted !== this.isGranted(r.info.packDir)) && !r.busy)) this.remove(stale);
        for (;;) {
            const idle = this.runners.find((r) => r.key === key && !r.busy && r.process.alive);
            if (idle) return this.take(idle);
            const mine = this.runners.filter((r) => r.key === key && r.process.alive).length;
            if (mine < this.options.runnersPerPack || mine === 0) {
                const runner = await this.start(compiled, context);
                return this.take(runner);
            }
            await new Promise<void>((resolve) => this.waiters.push(resolve));
        }
    }

    private take(runner: Runner): Runner {
        runner.busy = true;
        clearTimeout(runner.idleTimer);
        return runner;
    }

    private release(runner: Runner): void {
        runner.busy = false;
        runner.lastUsed = Date.now();
        if (!runner.process.alive || runner.granted !== this.isGranted(runner.info.packDir)) this.remove(runner);
        else {
            clearTimeout(runner.idleTimer);
            runner.idleTimer = setTimeout(() => this.remove(runner), this.options.idleMs);
            runner.idleTimer.unref();
        }
        this.waiters.splice(0).forEach((wake) => wake());
    }

    private remove(runner: Runner): void {
        clearTimeout(runner.idleTimer);
        const i = this.runners.indexOf(runner);
        if (i >= 0) this.runners.splice(i, 1);
        void runner.process.kill(!runner.busy);
    }

    /** A dead host's replacement, taken by the same caller. */
    private async replace(dead: Runner, compiled: CompiledPack, context: PackRuntimeContext | undefined): Promise<Runner> {
        this.remove(dead);
        return this.take(await this.start(compiled, context));
    }

    private async start(compiled: CompiledPack, context: PackRuntimeContext | undefined): Promise<Runner> {
        const runner = await this.startHost(compiled, context, this.isGranted(compiled.packDir));
        if (runner.granted || !this.environmentGrants.has(runner.info.name)) return runner;
        // The first load of a granted pack revealed its name: its host needs the environment after all.
        void runner.process.kill();
        this.runners.splice(this.runners.indexOf(runner), 1);
        return this.startHost(compiled, context, true);
    }

    private async startHost(compiled: CompiledPack, context: PackRuntimeContext | undefined, granted: boolean): Promise<Runner> {
        // Make room: stop the least recently used idle hosts beyond the limit.
        const idle = this.runners.filter((r) => !r.busy).sort((a, b) => a.lastUsed - b.lastUsed);
        while (this.runners.length >= this.options.maxRunners && idle.length) this.remove(idle.shift()!);
        const timeoutKey = `${this.keyOf(compiled, context)}\0${granted}`;
        const timedOut = this.loadTimeouts.get(timeoutKey);
        if (timedOut && Date.now() - timedOut.at < LOAD_TIMEOUT_MEMORY_MS) {
            const ago = Math.round((Date.now() - timedOut.at) / 1000);
            throw new RunnerError(timedOut.error.code, `${timedOut.error.message} (Not started again: it timed out ${ago} s ago; edit the pack to retry at once.)`, timedOut.error.details);
        }
        this.loadTimeouts.delete(timeoutKey);
        const started = performance.now();
        const heapArgs = [`--max-old-space-size=${this.options.maxHeapMb}`];
        const permissions = permissionArgs({ packDir: compiled.packDir, codeFile: compiled.codeFile, hostScript: this.hostScript, granted });
        const process = new PackProcess(compiled.packDir, this.hostScript, [...heapArgs, ...permissions, ...this.options.hostExecArgv], packProcessEnv(context, globalThis.process.env, granted), this.options.maxHeapMb);
        let result;
        // Loading runs the pack's top-level code, which no policy timeout covers.
        const loadTimer = setTimeout(() => void process.kill(), this.options.loadTimeoutMs);
        try {
            result = await process.request({ kind: 'load', codeFile: compiled.codeFile, loadAs: compiled.loadAs });
        } catch (e) {
            if (e instanceof HostExitError && performance.now() - started >= this.options.loadTimeoutMs) {
                const error = new RunnerError('load-failed', `Policy pack ${compiled.entryFile} did not finish loading within ${this.options.loadTimeoutMs} ms and was stopped; look for top-level code that never returns.`, { stderrTail: e.stderrTail });
                this.loadTimeouts.set(timeoutKey, { error, at: Date.now() });
                throw error;
            }
            void process.kill();
            if (e instanceof HostRequestError) {
                const hint = isPermissionDenial(e.message) ? `\n${PERMISSION_HINT}` : '';
                throw new RunnerError(e.code, `${e.message}${hint}`, { location: e.location, stderrTail: process.stderr });
            }
            if (e instanceof HostExitError) {
                const hint = isPermissionDenial(e.stderrTail) ? `\n${PERMISSION_HINT}` : '';
                throw new RunnerError('load-failed', `Policy pack ${compiled.entryFile} failed to load: ${e.message}${hint}`, { stderrTail: e.stderrTail, exitCode: e.exitCode, signal: e.signal });
            }
            throw e;
        } finally {
            clearTimeout(loadTimer);
        }
        if (result.kind !== 'loaded') throw new Error(`pack host answered ${result.kind} to load`);
        const runner: Runner = {
            key: this.keyOf(compiled, context),
            digest: compiled.digest,
            process,
            info: { ...result.info, packDir: compiled.packDir, digest: compiled.digest },
            coldStartMs: performance.now() - started,
            granted,
            busy: false,
            lastUsed: Date.now(),
        };
        this.packNames.set(compiled.packDir, runner.info.name);
        this.runners.push(runner);
        return runner;
    }
}

/** What a finding says when a host was stopped over its memory cap (HangReport.memory set). */
function memoryMessage(packName: string, report: HangReport, urn?: string): string {
    const { limitMb, rssMb } = report.memory!;
    const where = report.policyName ? ` while policy '${report.policyName}' evaluated ${urn ?? 'the stack'}` : '';
    return `Policy pack ${packName} exceeded ${limitMb} MB (${rssMb} MB resident)${where}; its process was stopped${urn ? ' and the other resources are evaluated on a new one' : ''}.`;
}

/** Only the fields a policy sees cross the process boundary. */
function slim(resources: RunnerResource[]): RunnerResource[] {
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
