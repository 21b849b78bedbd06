/**
 * LSP wiring for accounts: add, remove, scan (manual, scheduled, stack re-imports) and the
 * resources the Accounts tree and resource documents show. Each finished scan is
 * evaluated (in a trusted workspace) with its exact delta.
 */
import type { ScanCoordinator, ScanOutcome } from '../accounts';
import type { Evaluator } from '../evaluation';
import {
    AddAwsAccountRequest,
    AddKubernetesAccountRequest,
    AddStackAccountRequest,
    GetResourceRequest,
    ListAwsProfilesRequest,
    ListKubeContextsRequest,
    ListResourcesRequest,
    ListResourceTypesRequest,
    RemoveAccountRequest,
    ScanAccountRequest,
    ScanFinishedNotification,
    ScanProgressNotification,
    type ScanSummary,
    SetScanScheduleRequest,
} from '../shared/protocol';
import type { ServerContext } from './serverContext';
import { errorMessage } from '../shared/errors';
import { lazyModule } from './lazyModule';

/** Accounts: the scanners (the AWS SDK clients, the Kubernetes client) load with the first account request or scan. */
const accounts = lazyModule(() => import('../accounts'));
/** The scan schedule: it loads the scanners only when a scan starts. */
const scanCoordinator = lazyModule(() => import('../accounts/scanCoordinator'));

export function scanSummary(outcome: ScanOutcome): ScanSummary {
    const r = outcome.record;
    return {
        account: outcome.account.name,
        scanned: outcome.scanned,
        status: r.status,
        added: r.added,
        changed: r.changed,
        removed: r.removed,
        unchanged: r.unchanged,
        errors: outcome.errors,
    };
}

/** Scheduled scans and stack re-imports, started once the store is open. */
export interface ScanService {
    start(): Promise<void>;
    dispose(): void;
}

/** Registers the handlers; returns the scan service so server.ts can start and dispose it. */
export function registerAccountHandlers(ctx: ServerContext, evaluator: () => Evaluator): ScanService {
    const { connection } = ctx;
    let coordinator: ScanCoordinator | undefined;
    let disposed = false;
    const scans = async (): Promise<ScanCoordinator> => {
        const { ScanCoordinator } = await scanCoordinator();
        if (!coordinator) {
            coordinator = new ScanCoordinator(ctx.store(), { scanOptions: { log: (message) => connection.console.info(message) } });
            if (disposed) coordinator.dispose();
            coordinator.onProgress((p) => void connection.sendNotification(ScanProgressNotification.type, p));
            // results while a scan runs: what each finished service wrote is evaluated at once, so the
            // tree, badge and panel fill during the scan; the evaluation after the scan settles it
            coordinator.onPartialResults(({ account, children }) => {
                if (!ctx.isTrusted()) return;
                evaluator()
                    .evaluateDuringScan(children)
                    .catch((err) => connection.console.error(`Evaluation during the scan of ${account} failed: ${errorMessage(err)}`));
            });
            coordinator.onScanFinished(({ trigger, outcome }) => {
                void connection.sendNotification(ScanFinishedNotification.type, { ...scanSummary(outcome), trigger });
                if (!ctx.isTrusted()) {
                    connection.console.info(`Scan of ${outcome.scanned} stored; not evaluated: the workspace is not trusted.`);
                    return;
                }
                evaluator()
                    .evaluateAfterScan(outcome)
                    .catch((err) => connection.console.error(`Evaluation after the scan of ${outcome.scanned} failed: ${errorMessage(err)}`));
            });
            coordinator.onScanFailed((e) => {
                if (!e.cancelled) connection.console.error(`Scan of ${e.scanned} (${e.trigger}) failed: ${e.error.message}`);
            });
        }
        return coordinator;
    };

    connection.onRequest(ListAwsProfilesRequest.type, async () => {
        const { awsProfiles, profileRegion } = await accounts();
        return awsProfiles().map((name) => ({ name, region: profileRegion(name) }));
    });
    connection.onRequest(AddAwsAccountRequest.type, async (params) => (await accounts()).addAwsAccount(ctx.store(), params));
    connection.onRequest(AddStackAccountRequest.type, async (params) => (await accounts()).addStackAccount(ctx.store(), params));
    connection.onRequest(ListKubeContextsRequest.type, async ({ kubeconfig }) => {
        const { defaultKubeconfigPath, listKubeContexts } = await accounts();
        const file = kubeconfig ?? defaultKubeconfigPath();
        return { kubeconfig: file, contexts: listKubeContexts(file) };
    });
    connection.onRequest(AddKubernetesAccountRequest.type, async (params) => (await accounts()).addKubernetesAccount(ctx.store(), params));
    connection.onRequest(RemoveAccountRequest.type, async ({ name }) => {
        (await scans()).cancel(name);
        await (await accounts()).removeAccount(ctx.store(), name);
    });
    connection.onRequest(SetScanScheduleRequest.type, async ({ name, schedule }) => (await accounts()).setScanSchedule(ctx.store(), name, schedule));
    connection.onRequest(ScanAccountRequest.type, async ({ name }, token) => {
        const coordinator = await scans();
        const subscription = token.onCancellationRequested(() => coordinator.cancel(name));
        try {
            return scanSummary(await coordinator.scan(name, 'manual'));
        } finally {
            subscription.dispose();
        }
    });
    connection.onRequest(ListResourceTypesRequest.type, async ({ account }) => {
        const counts = new Map<string, number>();
        for (const r of (await ctx.store().readShard(account)).resources) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
        return [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([type, count]) => ({ type, count }));
    });
    // Summaries only of what is sent: with a limit, listResources stops at it.
    connection.onRequest(ListResourcesRequest.type, async ({ account, type, search, limit }) =>
        (await (await accounts()).listResources(ctx.store(), account, { type, search, limit })).map(({ urn, type: t, name, id }) => ({ urn, type: t, name, id })),
    );
    connection.onRequest(GetResourceRequest.type, async ({ account, urn }) => (await ctx.store().readShard(account)).resources.find((r) => r.urn === urn) ?? null);
    return {
        start: async () => (await scans()).start(),
        dispose: () => {
            disposed = true;
            coordinator?.dispose();
        },
    };
}
