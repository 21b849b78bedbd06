/**
 * Helpers for the store tests: temporary homes, and child processes that run the test
 * bundle itself as a worker (STORE_TEST_WORKER names the role, see storeWorker.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { SCHEMA_VERSION, Store, type StoreChange } from '../../../server/src/store';
import { writeFileAtomic } from '../../../server/src/store/atomicFile';
import { within } from '../../support/waits';
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

export { eventually } from '../../support/waits';

/** The shard another writer replaces to show that a watching store has caught up (see watcherCaughtUp). */
export const MARKER_ACCOUNT = 'zz-marker/settled';

/** What a watching store reported, without the marker's changes. */
export function withoutMarker(changes: readonly StoreChange[]): StoreChange[] {
    return changes.filter((c) => !(c.kind === 'shard' && c.account === MARKER_ACCOUNT));
}

/**
 * Resolves once `store` (watching) has handled every file event queued before this call: another
 * writer replaces a marker shard, and the store reports it. The kernel queues the events of the
 * home and the shards folder in order, and each waits the same debounce, so a change still to
 * come from an earlier write would have been reported before the marker. Use it to prove that
 * something was NOT reported; filter the marker out with withoutMarker().
 */
export async function watcherCaughtUp(store: Store, timeoutMs = 5000): Promise<void> {
    let reported!: () => void;
    const marker = new Promise<void>((resolve) => (reported = resolve));
    const subscription = store.onDidChange((c) => c.kind === 'shard' && c.account === MARKER_ACCOUNT && reported());
    try {
        const content = JSON.stringify({ schemaVersion: SCHEMA_VERSION, account: MARKER_ACCOUNT, resources: [], at: Date.now() });
        await writeFileAtomic(store.shardPath(MARKER_ACCOUNT), content, { keepBackup: false });
        await within(marker, timeoutMs, `the store to report the marker shard ${MARKER_ACCOUNT} (is it watching?)`);
    } finally {
        subscription.dispose();
    }
}

/**
 * A second store watching the same home, for proving that a store which does not watch reported
 * nothing: once the witness has reported a change, a watching store would have too.
 */
export async function openWitness(home: string): Promise<{ changes: StoreChange[]; close(): Promise<void> }> {
    const witness = await Store.open({ home, watch: true });
    if (!witness.watching) throw new Error(`the witness store cannot watch ${home}: ${String(witness.watchError)}`);
    const changes: StoreChange[] = [];
    witness.onDidChange((c) => changes.push(c));
    return { changes, close: () => witness.close() };
}

/** Kills the workers still running (a test that failed midway leaves them) and waits for each to exit. */
export async function stopWorkers(workers: Worker[]): Promise<void> {
    for (const worker of workers.splice(0)) {
        if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill('SIGKILL');
        await worker.exited;
    }
}
