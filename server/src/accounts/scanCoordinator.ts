/**
 * Runs scans for the language server: one scan per account at a time, cancellable,
 * scheduled scans following each account's stored `scanSchedule` (none | 12h | daily),
 * and re-imports of stack accounts when their state file changes. Free of `vscode`; the
 * server wires its events to LSP notifications and evaluation.
 */
import { createHash } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { Account, ScanSchedule } from '../shared/model';
import type { Disposable, Store } from '../store';
import { parseAccountRef } from '../shared/names';
import { ScanInProgressError, scanAccount, type ScanOptions, type ScanOutcome } from './scanAccount';

export type ScanTrigger = 'manual' | 'schedule' | 'file-change';

export interface ScanStartedEvent {
    account: string;
    scanned: string;
    trigger: ScanTrigger;
}

export interface ScanFinishedEvent {
    trigger: ScanTrigger;
    outcome: ScanOutcome;
}

export interface ScanFailedEvent {
    account: string;
    scanned: string;
    trigger: ScanTrigger;
    error: Error;
    cancelled: boolean;
}

export interface ScanCoordinatorOptions {
    /** Applied to every scan (concurrency, timeouts, ...). */
    scanOptions?: Omit<ScanOptions, 'signal'>;
    /** Arm timers for scheduled scans (default true). */
    schedule?: boolean;
    /** Watch stack accounts' state files (default true). */
    watchStateFiles?: boolean;
    /** Quiet time after the last change of a state file before it is re-imported (default 300 ms). */
    debounceMs?: number;
    /** Override the schedules' periods (tests). */
    periodsMs?: Partial<Record<Exclude<ScanSchedule, 'none'>, number>>;
}

const PERIODS_MS: Record<Exclude<ScanSchedule, 'none'>, number> = { '12h': 12 * 3_600_000, daily: 24 * 3_600_000 };

type Listener<T> = (event: T) => void;

class Emitter<T> {
    private readonly listeners = new Set<Listener<T>>();
    on(listener: Listener<T>): Disposable {
        this.listeners.add(listener);
        return { dispose: () => this.listeners.delete(listener) };
    }
    get listening(): boolean {
        return this.listeners.size > 0;
    }
    fire(event: T): void {
        for (const listener of [...this.listeners]) {
            try {
                listener(event);
            } catch {
                // a failing listener must not stop the others or the scan
            }
        }
    }
}

export class ScanCoordinator {
    private readonly started = new Emitter<ScanStartedEvent>();
    private readonly finished = new Emitter<ScanFinishedEvent>();
    private readonly failed = new Emitter<ScanFailedEvent>();
    private readonly progress = new Emitter<{ account: string; service: string; region?: string; done: number; total: number }>();
    private readonly partial = new Emitter<{ account: string; children: string[] }>();
    private readonly running = new Map<string, { controller: AbortController; promise: Promise<ScanOutcome> }>();
    private readonly timers = new Map<string, NodeJS.Timeout>();
    private readonly watchers = new Map<string, { file: string; watcher: FSWatcher; debounce?: NodeJS.Timeout }>();
    /** sha256 of each stack state file as last imported or seen, so touching a file does not re-import it. */
    private readonly stateDigests = new Map<string, string>();
    /** A file change arrived during a scan: import again after it. */
    private readonly reimportPending = new Set<string>();
    private storeSubscription: Disposable | undefined;
    private disposed = false;

    constructor(
        private readonly store: Store,
        private readonly options: ScanCoordinatorOptions = {},
    ) {}

    readonly onScanStarted = (listener: Listener<ScanStartedEvent>): Disposable => this.started.on(listener);
    /** Carries the exact delta per child: hook evaluation here. */
    readonly onScanFinished = (listener: Listener<ScanFinishedEvent>): Disposable => this.finished.on(listener);
    readonly onScanFailed = (listener: Listener<ScanFailedEvent>): Disposable => this.failed.on(listener);
    readonly onProgress = (listener: Listener<{ account: string; service: string; region?: string; done: number; total: number }>): Disposable => this.progress.on(listener);
    /** Results while a scan runs: children whose shards a running scan has just written (evaluate them). */
    readonly onPartialResults = (listener: Listener<{ account: string; children: string[] }>): Disposable => this.partial.on(listener);

    /** Arms schedules and state-file watchers from the catalog, and follows its changes. */
    async start(): Promise<void> {
        this.storeSubscription = this.store.onDidChange((change) => {
            if (change.kind === 'catalog') void this.refresh().catch(() => undefined);
        });
        await this.refresh();
    }

    /** Re-reads the catalog: timers for scheduled accounts, watchers for stack files. */
    async refresh(): Promise<void> {
        if (this.disposed) return;
        const { accounts } = await this.store.readCatalog();
        // disposed while the catalog was read (a scan's catalog write races a stop): arm nothing,
        // or a new timer or file watcher would keep a stopped process (`watch`) alive
        if (this.disposed) return;
        const names = new Set(accounts.map((a) => a.name));
        for (const name of [...this.timers.keys()]) if (!names.has(name)) this.clearTimer(name);
        for (const name of [...this.watchers.keys()]) if (!names.has(name)) this.unwatch(name);
        for (const account of accounts) {
            if (this.disposed) return;
            if (this.options.schedule !== false) this.arm(account);
            if (this.options.watchStateFiles !== false && account.provider === 'pulumi-stack' && account.settings.stateFile) await this.watchState(account);
        }
    }

    isScanning(account: string): boolean {
        return this.running.has(parseAccountRef(account).account);
    }

    /** Scans now. Rejects with ScanInProgressError when the account is being scanned. */
    scan(nameOrChild: string, trigger: ScanTrigger = 'manual', options: Omit<ScanOptions, 'signal'> = {}): Promise<ScanOutcome> {
        const account = parseAccountRef(nameOrChild).account;
        if (this.running.has(account)) return Promise.reject(new ScanInProgressError(account));
        const controller = new AbortController();
        const onProgress = options.onProgress ?? this.options.scanOptions?.onProgress;
        const promise = (async () => {
            this.started.fire({ account, scanned: nameOrChild, trigger });
            try {
                const outcome = await scanAccount(this.store, nameOrChild, {
                    ...this.options.scanOptions,
                    ...options,
                    signal: controller.signal,
                    onProgress: (p) => {
                        onProgress?.(p);
                        this.progress.fire({ account, ...p });
                    },
                    // partial writes only when someone evaluates them (the language server; not `watch`)
                    ...(this.partial.listening ? { onPartial: (children: string[]) => this.partial.fire({ account, children }) } : {}),
                });
                this.finished.fire({ trigger, outcome });
                return outcome;
            } catch (error) {
                const err = error instanceof Error ? error : new Error(String(error));
                this.failed.fire({ account, scanned: nameOrChild, trigger, error: err, cancelled: controller.signal.aborted });
                throw err;
            } finally {
                this.running.delete(account);
                if (this.reimportPending.delete(account) && !this.disposed) void this.reimportIfChanged(account);
            }
        })();
        this.running.set(account, { controller, promise });
        return promise;
    }

    /** Cancels the running scan of `account`; false when none runs. */
    cancel(account: string): boolean {
        const scan = this.running.get(parseAccountRef(account).account);
        if (!scan) return false;
        scan.controller.abort();
        return true;
    }

    /** Stops timers and watchers and cancels running scans. */
    dispose(): void {
        this.disposed = true;
        this.storeSubscription?.dispose();
        for (const name of [...this.timers.keys()]) this.clearTimer(name);
        for (const name of [...this.watchers.keys()]) this.unwatch(name);
        for (const scan of this.running.values()) scan.controller.abort();
    }

    /** When the account is next due: its period after the last scan started, or now if never scanned. */
    private arm(account: Account): void {
        this.clearTimer(account.name);
        if (account.scanSchedule === 'none') return;
        const period = this.options.periodsMs?.[account.scanSchedule] ?? PERIODS_MS[account.scanSchedule];
        const last = account.scanStatus ? Date.parse(account.scanStatus.startedAt) : undefined;
        const delay = last === undefined ? 0 : Math.max(0, last + period - Date.now());
        const timer = setTimeout(() => {
            this.timers.delete(account.name);
            if (this.running.has(account.name)) return; // the scan that runs will set the next due time
            this.scan(account.name, 'schedule').catch(() => undefined);
        }, Math.min(delay, 2 ** 31 - 1));
        timer.unref();
        this.timers.set(account.name, timer);
    }

    private clearTimer(name: string): void {
        clearTimeout(this.timers.get(name));
        this.timers.delete(name);
    }

    private async watchState(account: Account): Promise<void> {
        const file = account.settings.stateFile as string;
        const existing = this.watchers.get(account.name);
        if (existing?.file === file) return;
        if (existing) this.unwatch(account.name);
        let watcher: FSWatcher;
        try {
            // the folder, not the file: editors and `pulumi` replace the file by renaming over it
            watcher = watch(dirname(file), (_event, changed) => {
                if (changed && changed.toString() !== basename(file)) return;
                const entry = this.watchers.get(account.name);
                if (!entry) return;
                clearTimeout(entry.debounce);
                entry.debounce = setTimeout(() => void this.reimportIfChanged(account.name), this.options.debounceMs ?? 300);
            });
        } catch {
            return; // the folder is gone; a manual scan reports the unreadable file
        }
        watcher.on('error', () => this.unwatch(account.name));
        this.watchers.set(account.name, { file, watcher });
        // a file changed since its last successful import (say, while no server ran) is imported now
        const digest = await this.digest(file);
        if (digest && !this.stateDigests.has(account.name)) {
            const modified = await stat(file).then((s) => s.mtimeMs, () => Infinity);
            const imported = account.scanStatus?.status === 'succeeded' && account.scanStatus.finishedAt ? Date.parse(account.scanStatus.finishedAt) : -Infinity;
            if (modified <= imported) this.stateDigests.set(account.name, digest);
            else if (!this.running.has(account.name)) void this.reimportIfChanged(account.name);
        }
    }

    private unwatch(name: string): void {
        const entry = this.watchers.get(name);
        if (!entry) return;
        clearTimeout(entry.debounce);
        entry.watcher.close();
        this.watchers.delete(name);
        this.stateDigests.delete(name);
    }

    private async digest(file: string): Promise<string | undefined> {
        try {
            return createHash('sha256').update(await readFile(file)).digest('hex');
        } catch {
            return undefined;
        }
    }

    private async reimportIfChanged(name: string): Promise<void> {
        const entry = this.watchers.get(name);
        if (!entry || this.disposed) return;
        if (this.running.has(name)) {
            this.reimportPending.add(name);
            return;
        }
        const digest = await this.digest(entry.file);
        if (!digest || digest === this.stateDigests.get(name)) return;
        this.stateDigests.set(name, digest);
        await this.scan(name, 'file-change').catch(() => undefined);
    }
}
