/**
 * LSP wiring for accounts: add, remove, scan (manual, scheduled, stack re-imports) and the
 * resources the Accounts tree and resource documents show. Each finished scan is
 * evaluated (in a trusted workspace) with its exact delta.
 */
import {
    addAwsAccount,
    addKubernetesAccount,
    addStackAccount,
    awsProfiles,
    defaultKubeconfigPath,
    listKubeContexts,
    listResources,
    profileRegion,
    removeAccount,
    ScanCoordinator,
    setScanSchedule,
    type ScanOutcome,
} from '../accounts';
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
    const scans = (): ScanCoordinator => {
        if (!coordinator) {
            coordinator = new ScanCoordinator(ctx.store());
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

    connection.onRequest(ListAwsProfilesRequest.type, () => awsProfiles().map((name) => ({ name, region: profileRegion(name) })));
    connection.onRequest(AddAwsAccountRequest.type, (params) => addAwsAccount(ctx.store(), params));
    connection.onRequest(AddStackAccountRequest.type, (params) => addStackAccount(ctx.store(), params));
    connection.onRequest(ListKubeContextsRequest.type, ({ kubeconfig }) => {
        const file = kubeconfig ?? defaultKubeconfigPath();
        return { kubeconfig: file, contexts: listKubeContexts(file) };
    });
    connection.onRequest(AddKubernetesAccountRequest.type, (params) => addKubernetesAccount(ctx.store(), params));
    connection.onRequest(RemoveAccountRequest.type, async ({ name }) => {
        scans().cancel(name);
        await removeAccount(ctx.store(), name);
    });
    connection.onRequest(SetScanScheduleRequest.type, ({ name, schedule }) => setScanSchedule(ctx.store(), name, schedule));
    connection.onRequest(ScanAccountRequest.type, async ({ name }, token) => {
        const subscription = token.onCancellationRequested(() => scans().cancel(name));
        try {
            return scanSummary(await scans().scan(name, 'manual'));
        } finally {
            subscription.dispose();
        }
    });
    connection.onRequest(ListResourceTypesRequest.type, async ({ account }) => {
        const counts = new Map<string, number>();
        for (const r of (await ctx.store().readShard(account)).resources) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
        return [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([type, count]) => ({ type, count }));
    });
    connection.onRequest(ListResourcesRequest.type, async ({ account, type }) =>
        (await listResources(ctx.store(), account, { type })).map(({ urn, type: t, name, id }) => ({ urn, type: t, name, id })),
    );
    connection.onRequest(GetResourceRequest.type, async ({ account, urn }) => (await ctx.store().readShard(account)).resources.find((r) => r.urn === urn) ?? null);
    return {
        start: () => scans().start(),
        dispose: () => coordinator?.dispose(),
    };
}
