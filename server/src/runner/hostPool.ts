/**
 * The warm hosts: which host process runs which pack build, started on demand, reused between
 * evaluations, stopped when idle, stale or over the limit.
 *
 * A host is keyed by pack directory, the digest of the pack's sources and the stack context
 * the engine would pass the pack process (RunOptions.context, in its environment): an edited
 * pack gets a fresh host, an unchanged one reuses the warm host of the same context (its SDK
 * loaded, its config applied), and another stack gets a host of its own.
 */
import type { CompiledPack } from './packCompiler';
import { defaultHostScript, HostExitError, HostRequestError, HostProcess } from './hostProcess';
import { isPermissionDenial, PERMISSION_HINT, permissionArgs } from './packPermissions';
import { contextKey, packProcessEnv } from './packRuntimeEnv';
import type { resolvePackConfig } from '../groups/packConfigResolution';
import { RunnerError, type PackInfo, type PackRuntimeContext } from './runnerTypes';

export interface HostPoolOptions {
    /** The host script (tests pass the bundled host.ts). Default: packHost.js beside the server or CLI bundle. */
    hostScript?: string;
    /**
     * Most hosts alive at once, across packs and stack contexts; the least recently used idle one is
     * stopped first. Default 8: a host serves one pack for one stack context (the engine starts a pack
     * process per stack), and an evaluation walks accounts and stacks in turn, so a limit below
     * packs × (stacks + 1) makes every entity cold-start its hosts (seen: 4 packs, accounts and a
     * stack, limit 4: 8× slower). Idle hosts stop after `idleMs`.
     */
    maxHosts?: number;
    /** A host unused this long is stopped. Default 5 minutes. */
    idleMs?: number;
    /** Hosts one pack build and context may have at once (RunnerPoolOptions.hostsPerPack). */
    hostsPerPack: number;
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

/** One host as the pool tracks it. */
export interface Host {
    key: string;
    /** Digest of the pack build it runs: a host of another build of the same pack is stale. */
    digest: string;
    process: HostProcess;
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

/**
 * How long a pack build that timed out at load fails fast in the same stack context instead of
 * being started again: an evaluation walks accounts one after another, and each retry cost the
 * full load timeout (a hanging pack: 60 s per account, 243 s for 4). An edited pack (another
 * digest) or a changed grant is tried again at once.
 */
const LOAD_TIMEOUT_MEMORY_MS = 5 * 60_000;

export class HostPool {
    private readonly hosts: Host[] = [];
    private readonly hostScript: string;
    private readonly options: Required<Omit<HostPoolOptions, 'hostScript' | 'environmentGrants'>>;
    private readonly waiters: (() => void)[] = [];
    private environmentGrants: Set<string>;
    /**
     * Pack name by pack directory, learned when a host loads it: a host's environment is chosen
     * before its pack runs, and only the pack itself declares its name.
     */
    private readonly packNames = new Map<string, string>();
    /** Load timeouts by host key (pack build, context, grant): see LOAD_TIMEOUT_MEMORY_MS. */
    private readonly loadTimeouts = new Map<string, { error: RunnerError; at: number }>();

    constructor(options: HostPoolOptions) {
        this.hostScript = options.hostScript ?? defaultHostScript();
        this.options = {
            maxHosts: options.maxHosts ?? 8,
            idleMs: options.idleMs ?? 5 * 60_000,
            hostsPerPack: options.hostsPerPack,
            hostExecArgv: options.hostExecArgv ?? [],
            loadTimeoutMs: options.loadTimeoutMs ?? 60_000,
            maxHeapMb: options.maxHeapMb ?? 2048,
        };
        this.environmentGrants = new Set(options.environmentGrants ?? []);
    }

    /** Changes which packs get the parent's environment; idle hosts started otherwise are stopped, busy ones when released. */
    setEnvironmentGrants(names: string[]): void {
        this.environmentGrants = new Set(names);
        for (const host of this.hosts.filter((h) => !h.busy && h.granted !== this.isGranted(h.info.packDir))) this.remove(host);
    }

    private isGranted(packDir: string): boolean {
        const name = this.packNames.get(packDir);
        return name !== undefined && this.environmentGrants.has(name);
    }

    /** Milliseconds the most recently started host of this pack took from spawn to metadata. */
    coldStartMs(packDir: string): number | undefined {
        return this.hosts.filter((h) => h.info.packDir === packDir || h.key.startsWith(packDir + '\0')).at(-1)?.coldStartMs;
    }

    /** Stops every host. */
    async dispose(): Promise<void> {
        const all = this.hosts.splice(0);
        await Promise.all(all.map((h) => (clearTimeout(h.idleTimer), h.process.kill(true))));
    }

    /** Applies a pack config to a host, unless it already has exactly that one. */
    async configure(host: Host, config: ReturnType<typeof resolvePackConfig>): Promise<void> {
        const key = JSON.stringify(config);
        if (host.configKey === key) return;
        await host.process.request({ kind: 'configure', config });
        host.configKey = key;
    }

    private keyOf(compiled: CompiledPack, context: PackRuntimeContext | undefined): string {
        return `${compiled.packDir}\0${compiled.digest}\0${contextKey(context)}`;
    }

    /** An idle warm host for this pack and context, a new one if under the per-pack limit, else waits for one. */
    async acquire(compiled: CompiledPack, context: PackRuntimeContext | undefined): Promise<Host> {
        const key = this.keyOf(compiled, context);
        // Hosts of an older build of the same pack are stale (whatever their context).
        for (const stale of this.hosts.filter((h) => h.info.packDir === compiled.packDir && (h.digest !== compiled.digest || h.granted !== this.isGranted(h.info.packDir)) && !h.busy)) this.remove(stale);
        for (;;) {
            const idle = this.hosts.find((h) => h.key === key && !h.busy && h.process.alive);
            if (idle) return this.take(idle);
            const mine = this.hosts.filter((h) => h.key === key && h.process.alive).length;
            // A pack's first host may stop another pack's idle one to make room; a second, which only
            // runs chunks in parallel, starts only under the limit. Else two packs under a limit of 2
            // (the CLI's) stopped each other's warm hosts on every entity: 300 shards, 1,200 cold starts.
            if (mine === 0 || (mine < this.options.hostsPerPack && this.hosts.length < this.options.maxHosts)) {
                const host = await this.start(compiled, context);
                return this.take(host);
            }
            await new Promise<void>((resolve) => this.waiters.push(resolve));
        }
    }

    private take(host: Host): Host {
        host.busy = true;
        clearTimeout(host.idleTimer);
        return host;
    }

    /** Gives a host back: kept warm for `idleMs`, or stopped when dead or started with another grant. */
    release(host: Host): void {
        host.busy = false;
        host.lastUsed = Date.now();
        if (!host.process.alive || host.granted !== this.isGranted(host.info.packDir)) this.remove(host);
        else {
            clearTimeout(host.idleTimer);
            host.idleTimer = setTimeout(() => this.remove(host), this.options.idleMs);
            host.idleTimer.unref();
        }
        this.waiters.splice(0).forEach((wake) => wake());
    }

    private remove(host: Host): void {
        clearTimeout(host.idleTimer);
        const i = this.hosts.indexOf(host);
        if (i >= 0) this.hosts.splice(i, 1);
        void host.process.kill(!host.busy);
    }

    /** A dead host's replacement, taken by the same caller. */
    async replace(dead: Host, compiled: CompiledPack, context: PackRuntimeContext | undefined): Promise<Host> {
        this.remove(dead);
        return this.take(await this.start(compiled, context));
    }

    private async start(compiled: CompiledPack, context: PackRuntimeContext | undefined): Promise<Host> {
        const host = await this.startHost(compiled, context, this.isGranted(compiled.packDir));
        if (host.granted || !this.environmentGrants.has(host.info.name)) return host;
        // The first load of a granted pack revealed its name: its host needs the environment after all.
        void host.process.kill();
        this.hosts.splice(this.hosts.indexOf(host), 1);
        return this.startHost(compiled, context, true);
    }

    private async startHost(compiled: CompiledPack, context: PackRuntimeContext | undefined, granted: boolean): Promise<Host> {
        // Make room: stop the least recently used idle hosts beyond the limit.
        const idle = this.hosts.filter((h) => !h.busy).sort((a, b) => a.lastUsed - b.lastUsed);
        while (this.hosts.length >= this.options.maxHosts && idle.length) this.remove(idle.shift()!);
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
        const process = new HostProcess(compiled.packDir, this.hostScript, [...heapArgs, ...permissions, ...this.options.hostExecArgv], packProcessEnv(context, globalThis.process.env, granted), this.options.maxHeapMb);
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
        const host: Host = {
            key: this.keyOf(compiled, context),
            digest: compiled.digest,
            process,
            info: { ...result.info, packDir: compiled.packDir, digest: compiled.digest },
            coldStartMs: performance.now() - started,
            granted,
            busy: false,
            lastUsed: Date.now(),
        };
        this.packNames.set(compiled.packDir, host.info.name);
        this.hosts.push(host);
        return host;
    }
}
