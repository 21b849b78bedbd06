/**
 * Parent side of one pack host process: spawns it in the pack directory, sends requests
 * over IPC one at a time, drains stdout (packs may print to it), keeps stderr's tail for
 * error reports, and turns the process's death into a rejected request, never a hang.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { MAX_RSS_ARG, WATCHDOG_FD, type HangReport, type HostRequest, type HostResponse, type HostResult } from './hostMessages';
import { type RunnerError, type SourceLocation } from './runnerTypes';

const STDERR_TAIL_BYTES = 4096;

/**
 * The host script: `packHost.js` next to the server bundle, or from the CLI bundle
 * (out/cli/cli.js) the one in out/server/.
 */
export function defaultHostScript(): string {
    // Tests (bundled elsewhere) and debugging point at a host build explicitly.
    if (process.env.POLICY_INSIGHTS_PACK_HOST) return process.env.POLICY_INSIGHTS_PACK_HOST;
    const beside = join(__dirname, 'packHost.js');
    if (existsSync(beside)) return beside;
    return join(__dirname, '..', 'server', 'packHost.js');
}

/** The host died while a request was in flight. */
export class HostExitError extends Error {
    constructor(
        message: string,
        readonly exitCode: number | null,
        readonly signal: string | null,
        readonly stderrTail: string,
        /** Set when the host's watchdog killed it for a policy that blocked past the timeout. */
        readonly hang?: HangReport,
    ) {
        super(message);
    }
}

/** A request the host answered with a failure (load error, no pack...). */
export class HostRequestError extends Error {
    constructor(
        readonly code: RunnerError['code'],
        message: string,
        readonly location?: SourceLocation,
    ) {
        super(message);
    }
}

export class HostProcess {
    private readonly child: ChildProcess;
    private nextId = 1;
    private readonly pending = new Map<number, { resolve: (r: HostResult) => void; reject: (e: Error) => void }>();
    private stderrTail = '';
    private hang: HangReport | undefined;
    private exited: HostExitError | undefined;
    /** Serializes requests: the host runs one at a time anyway, and a dead host fails the rest fast. */
    private queue: Promise<unknown> = Promise.resolve();

    constructor(
        readonly packDir: string,
        hostScript: string,
        /** Node flags for the host (profiling, --inspect to debug a pack); none by default. */
        execArgv: string[] = [],
        /** The host's environment (packRuntimeEnv.ts: the stack context the engine would pass). Default: the parent's. */
        env: NodeJS.ProcessEnv = process.env,
        /** Resident memory (MB) past which the host's watchdog stops it; 0: no cap. */
        maxRssMb = 0,
    ) {
        this.child = fork(hostScript, maxRssMb > 0 ? [`${MAX_RSS_ARG}${maxRssMb}`] : [], {
            cwd: packDir,
            env,
            stdio: ['ignore', 'pipe', 'pipe', 'ipc', 'pipe'],
            // Flags of the parent (--inspect, --test...) do not belong to the pack.
            execArgv,
            serialization: 'advanced',
        });
        this.child.stdout!.resume();
        this.child.stderr!.on('data', (chunk: Buffer) => {
            this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-STDERR_TAIL_BYTES);
        });
        let watchdogText = '';
        (this.child.stdio[WATCHDOG_FD] as Readable).on('data', (chunk: Buffer) => {
            watchdogText += chunk.toString('utf8');
            const line = watchdogText.split('\n').find((l) => l.trim());
            if (line && watchdogText.includes('\n')) {
                try {
                    this.hang = JSON.parse(line) as HangReport;
                } catch {
                    /* partial or foreign output: the exit still reports the crash */
                }
            }
        });
        this.child.on('message', (msg: HostResponse) => {
            const call = this.pending.get(msg.id);
            if (!call) return;
            this.pending.delete(msg.id);
            if (msg.ok) call.resolve(msg.result);
            else call.reject(new HostRequestError(msg.error.code, msg.error.message, msg.error.location));
        });
        this.child.on('error', (err) => this.fail(null, null, `could not start the pack host (${hostScript}): ${err.message}`));
        this.child.on('exit', (code, signal) => {
            // The watchdog pipe may still hold the hang report: read what is left first.
            const finish = () => this.fail(code, signal);
            const pipe = this.child.stdio[WATCHDOG_FD] as Readable | null;
            if (pipe && !pipe.readableEnded) pipe.once('close', finish);
            else finish();
            setTimeout(finish, 200).unref();
        });
    }

    get pid(): number | undefined {
        return this.child.pid;
    }

    get alive(): boolean {
        return !this.exited;
    }

    get stderr(): string {
        return this.stderrTail;
    }

    private fail(code: number | null, signal: string | null, why?: string): void {
        if (this.exited) return;
        const how = why ?? (signal ? `was killed by ${signal}` : `exited with code ${code}`);
        const hang = this.hang;
        const message = hang?.memory
            ? `The policy pack process for ${this.packDir} exceeded ${hang.memory.limitMb} MB (${hang.memory.rssMb} MB resident)${hang.policyName ? ` while policy '${hang.policyName}' was running` : ''} and was stopped`
            : hang
            ? `policy '${hang.policyName}' blocked the pack process for ${Math.round(hang.elapsedMs)} ms`
            : `The policy pack process for ${this.packDir} ${how}${this.stderrTail.trim() ? `; stderr:\n${this.stderrTail.trimEnd()}` : ' (no stderr output)'}`;
        this.exited = new HostExitError(message, code, signal, this.stderrTail, hang);
        for (const call of this.pending.values()) call.reject(this.exited);
        this.pending.clear();
    }

    /** Sends a request; rejects with HostExitError if the host dies first, HostRequestError if it refuses. */
    request(req: HostRequest): Promise<HostResult> {
        const run = (): Promise<HostResult> => {
            if (this.exited) return Promise.reject(this.exited);
            const id = this.nextId++;
            return new Promise<HostResult>((resolve, reject) => {
                this.pending.set(id, { resolve, reject });
                this.child.send({ ...req, id }, (err) => {
                    if (err && this.pending.delete(id)) reject(this.exited ?? new HostExitError(`could not reach the pack host: ${err.message}`, null, null, this.stderrTail));
                });
            });
        };
        const result = this.queue.then(run, run);
        this.queue = result.catch(() => undefined);
        return result;
    }

    /**
     * Ends the host. `graceful`: close the IPC channel so an idle host exits by itself, and
     * SIGKILL it only if it is still there after a second (pack code may ignore signals).
     * Resolves when it is gone.
     */
    kill(graceful = false): Promise<void> {
        if (this.exited) return Promise.resolve();
        return new Promise((resolve) => {
            this.child.once('exit', () => resolve());
            if (graceful && this.child.connected) {
                this.child.disconnect();
                setTimeout(() => this.child.kill('SIGKILL'), 1000).unref();
            } else {
                this.child.kill('SIGKILL');
            }
        });
    }
}
