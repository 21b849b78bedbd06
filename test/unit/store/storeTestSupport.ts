/**
 * Helpers for the store tests: temporary homes, and child processes that run the test
 * bundle itself as a worker (STORE_TEST_WORKER names the role, see storeWorker.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { WorkerRole } from './storeWorker';

/** A fresh empty folder under the OS temp dir; removed by the returned cleanup. */
export async function makeTempDir(prefix = 'pi-store-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
    const dir = await mkdtemp(join(tmpdir(), prefix));
    return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export interface Worker {
    child: ChildProcess;
    /** Resolves with the first stdout line that starts with `prefix`. */
    line(prefix: string, timeoutMs?: number): Promise<string>;
    /** Resolves with the exit code (or the signal's name) once the process ended. */
    exited: Promise<number | string>;
    /** Everything the worker wrote to stderr, for assertion messages. */
    stderr(): string;
}

/** Runs this very test bundle again as a worker with `role` on `home`. */
export function spawnWorker(role: WorkerRole, home: string, args: Record<string, unknown> = {}): Worker {
    const child = spawn(process.execPath, [process.argv[1] ?? __filename], {
        env: { ...process.env, STORE_TEST_WORKER: role, STORE_TEST_HOME: home, STORE_TEST_ARGS: JSON.stringify(args) },
        stdio: ['pipe', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    const waiters: { prefix: string; resolve: (line: string) => void }[] = [];
    let errors = '';
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (errors += chunk));
    createInterface({ input: child.stdout! }).on('line', (line) => {
        lines.push(line);
        for (const waiter of [...waiters]) {
            if (line.startsWith(waiter.prefix)) {
                waiters.splice(waiters.indexOf(waiter), 1);
                waiter.resolve(line);
            }
        }
    });
    const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)));
    return {
        child,
        exited,
        stderr: () => errors,
        line(prefix, timeoutMs = 20_000) {
            const seen = lines.find((line) => line.startsWith(prefix));
            if (seen !== undefined) return Promise.resolve(seen);
            return new Promise<string>((resolve, reject) => {
                const timer = setTimeout(() => reject(new Error(`worker ${role} printed no "${prefix}" line within ${timeoutMs} ms; stderr: ${errors}`)), timeoutMs);
                const waiter = {
                    prefix,
                    resolve: (line: string) => {
                        clearTimeout(timer);
                        resolve(line);
                    },
                };
                waiters.push(waiter);
                void exited.then((code) => {
                    if (!waiters.includes(waiter)) return;
                    clearTimeout(timer);
                    reject(new Error(`worker ${role} exited (${code}) before printing "${prefix}"; stderr: ${errors}`));
                });
            });
        },
    };
}

/** Waits until `predicate` holds, polling; fails after `timeoutMs`. */
export async function eventually(predicate: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await predicate())) {
        if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
    }
}

/** Kills the workers still running (a test that failed midway leaves them) and waits for each to exit. */
export async function stopWorkers(workers: Worker[]): Promise<void> {
    for (const worker of workers.splice(0)) {
        if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill('SIGKILL');
        await worker.exited;
    }
}
