/**
 * `policy-insights watch`: the scheduled scans (each account's `none | 12h | daily`) and stack
 * re-imports on state file changes, without VS Code, for systemd or a CI runner. One watch per
 * home (a lock in the home); a scan of an account another process is scanning (a VS Code window)
 * is skipped, as the scan lock refuses it. Each scan is followed by its evaluation, as in VS Code.
 * Prints what it does, one line per event; stops cleanly on SIGINT/SIGTERM (running scans are
 * cancelled, the lock released, exit 0).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as lockfile from 'proper-lockfile';
import { EXIT_OK, UsageError, withStore, type CommandContext } from './command';

export interface WatchOptions {
    /** Resolves when the watch should stop (default: SIGINT or SIGTERM). */
    stop?: Promise<string>;
    /** Schedule periods in ms, for tests. */
    periodsMs?: { '12h'?: number; daily?: number };
}

function signalled(): { promise: Promise<string>; dispose: () => void } {
    let dispose = () => {};
    const promise = new Promise<string>((resolve) => {
        const on = (signal: NodeJS.Signals) => () => resolve(signal);
        const int = on('SIGINT');
        const term = on('SIGTERM');
        process.once('SIGINT', int);
        process.once('SIGTERM', term);
        dispose = () => {
            process.removeListener('SIGINT', int);
            process.removeListener('SIGTERM', term);
        };
    });
    return { promise, dispose };
}

export async function runWatch(ctx: CommandContext, options: WatchOptions = {}): Promise<number> {
    mkdirSync(ctx.home, { recursive: true });
    let release: () => Promise<void>;
    try {
        release = await lockfile.lock(join(ctx.home, 'watch'), { realpath: false, stale: 10_000, retries: 0, onCompromised: () => undefined });
    } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ELOCKED') throw new UsageError(`another \`policy-insights watch\` is running on ${ctx.home}; one per home is enough (stop it first)`);
        throw error;
    }
    const signals = options.stop ? undefined : signalled();
    try {
        return await withStore(ctx, async (store) => {
            const { ScanCoordinator } = await import('../accounts/scanCoordinator');
            const { Evaluator, artifactPackSource } = await import('../evaluation');
            const { verifiedArtifactDir } = await import('../registry/artifacts');
            const { RunnerPool } = await import('../runner');
            const runner = new RunnerPool({ maxHosts: 2 });
            const evaluator = new Evaluator({ store, runner, packs: artifactPackSource(store, verifiedArtifactDir) });
            const coordinator = new ScanCoordinator(store, { ...(options.periodsMs ? { periodsMs: options.periodsMs } : {}), scanOptions: { log: (message) => ctx.out(message) } });
            const pending = new Set<Promise<unknown>>();
            const track = (p: Promise<unknown>) => {
                pending.add(p);
                void p.finally(() => pending.delete(p));
            };
            const now = () => new Date().toISOString();
            coordinator.onScanStarted((e) => ctx.out(`${now()} scan ${e.scanned} started (${e.trigger})`));
            coordinator.onScanFailed((e) => ctx.out(`${now()} scan ${e.scanned} ${e.cancelled ? 'cancelled' : `failed: ${e.error.message}`}`));
            coordinator.onScanFinished((e) => {
                const r = e.outcome.record;
                ctx.out(`${now()} scan ${e.outcome.scanned} ${r.status}: ${r.added} added, ${r.changed} changed, ${r.removed} removed, ${r.unchanged} unchanged${r.errors.length ? `, ${r.errors.length} service error(s)` : ''}`);
                track(
                    evaluator.evaluateAfterScan(e.outcome).then(
                        (report) => {
                            ctx.out(`${now()} evaluated ${report.accounts.join(', ') || e.outcome.scanned}: ${report.stillOpen} open, ${report.opened} new, ${report.resolved} resolved`);
                            for (const p of report.problems) ctx.err(`warning: ${p.entity}: ${p.pack ?? ''}${p.policy ? `/${p.policy}` : ''}: ${p.message}`);
                        },
                        (error: Error) => ctx.err(`${now()} evaluation of ${e.outcome.scanned} failed: ${error.message}`),
                    ),
                );
            });
            await coordinator.start();
            const { accounts } = await store.readCatalog();
            const scheduled = accounts.filter((a) => a.scanSchedule !== 'none').map((a) => `${a.name} (${a.scanSchedule})`);
            const stacks = accounts.filter((a) => a.provider === 'pulumi-stack' && a.settings.stateFile).map((a) => a.name);
            ctx.out(`${now()} watching ${ctx.home}: schedules ${scheduled.join(', ') || 'none'}; stack files ${stacks.join(', ') || 'none'}. Stop with Ctrl-C or SIGTERM.`);
            const why = await (options.stop ?? signals!.promise);
            ctx.out(`${now()} ${why}: stopping`);
            coordinator.dispose();
            // running scans were cancelled; let their evaluations and the result cache finish writing
            await Promise.allSettled([...pending]);
            await evaluator.flush();
            await runner.dispose();
            ctx.out(`${now()} stopped`);
            return EXIT_OK;
        });
    } finally {
        signals?.dispose();
        await release().catch(() => undefined);
    }
}
