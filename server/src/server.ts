/**
 * The language server: connection wiring only. Each handler delegates to a service module
 * (store/, registry/, groups/, accounts/, violations/, packs/); nothing here holds logic
 * that the CLI would also need.
 */
import { CodeActionKind, createConnection, ProposedFeatures, TextDocuments, TextDocumentSyncKind } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import {
    GetServerStatusRequest,
    ListAccountsRequest,
    ListGroupsRequest,
    ListPacksRequest,
    ServerStatusNotification,
    type ServerStatusParams,
    EvaluationFinishedNotification,
    StoreChangedNotification,
    type StoreScope,
    WorkspaceTrustedNotification,
    type InitializationOptions,
} from './shared/protocol';
import { describeRecovery, resolveHome, Store, StoreError, type StoreChange } from './store';
import { listPackVersions } from './registry/packVersions';
import { listPolicyGroupViews } from './groups/policyGroups';
import { registerPackHandlers } from './handlers/packHandlers';
import { evaluationSummary, registerGroupHandlers } from './handlers/groupHandlers';
import { registerAccountHandlers } from './handlers/accountHandlers';
import { registerViolationHandlers } from './handlers/violationHandlers';
import { folderPaths, registerViolationDiagnostics } from './handlers/violationDiagnosticsHandlers';
import { artifactPackSource, evaluateOnCatalogChanges, Evaluator } from './evaluation';
import { verifiedArtifactDir } from './registry/artifacts';
import { RunnerPool } from './runner';
import { validatedConnection } from './handlers/validatedConnection';
import { IdleRelease } from './handlers/idleRelease';
import { lazyModule } from './handlers/lazyModule';
import { errorMessage } from './shared/errors';
import { UserError } from './userErrors';
import { applyProcessMemorySettings, garbageCollector } from './processMemory';
import { onViolationIndexDamaged } from './store/violationIndex/violationIndexFile';

// before any scan or evaluation grows the heap (processMemory.ts says why)
applyProcessMemorySettings();

/** After a quiet spell the parsed shards are dropped and memory given back (idleRelease.ts). */
const collectGarbage = garbageCollector();
const idle = new IdleRelease(() => {
    store?.dropReadCache();
    collectGarbage?.();
});
// every custom request's params are checked against one schema before a handler sees them, and its errors answered by one policy (serverContext.ts)
const connection = validatedConnection(createConnection(ProposedFeatures.all), () => idle.begin());
const documents = new TextDocuments(TextDocument);

let store: Store | undefined;
let workspaceFolders: string[] = [];
let status: ServerStatusParams = { state: 'starting', home: '', trusted: false };
/** Notifications before `initialized` would reach a client not listening yet; onInitialized sends the status then. */
let initialized = false;

function setStatus(next: Partial<ServerStatusParams>): void {
    status = { ...status, ...next };
    if (initialized) void connection.sendNotification(ServerStatusNotification.type, status);
}

/**
 * A failure nobody awaited (a cache write hitting ENOSPC or EISDIR in the background) is
 * reported in the output and the status bar; the server keeps serving the store rather
 * than taking every window's views down with it.
 */
function reportUnexpected(kind: string, error: unknown): void {
    const message = `${kind}: ${errorMessage(error)}. The server keeps running; see the Policy Insights output.`;
    connection.console.error(`${message}\n${error instanceof Error ? error.stack : ''}`);
    setStatus({ state: 'degraded', message, path: undefined });
}
process.on('unhandledRejection', (reason) => reportUnexpected('A background operation failed', reason));
process.on('uncaughtException', (error) => reportUnexpected('An internal error occurred', error));

/** The store, or a user error saying why it could not be opened (the status bar says it too). */
function requireStore(): Store {
    if (!store) throw new UserError(`The Policy Insights store is not open: ${status.message ?? 'the server is starting'}`);
    return store;
}

/** Catalog changes can touch packs, groups and accounts; a shard holds resources and violations. */
function scopesOf(change: StoreChange): StoreScope[] {
    return change.kind === 'catalog' ? ['packs', 'groups', 'accounts'] : ['accounts', 'violations'];
}

connection.onInitialize(async (params) => {
    const options = (params.initializationOptions ?? {}) as InitializationOptions;
    workspaceFolders = folderPaths(params.workspaceFolders);
    const home = resolveHome({ env: process.env, setting: options.home });
    status = { state: 'starting', home, trusted: options.trusted === true };
    runner.setEnvironmentGrants(Array.isArray(options.environmentGrants) ? options.environmentGrants.filter((n) => typeof n === 'string') : []);
    runner.setPolicyTimeoutMs(options.runnerTimeoutMs);
    connection.console.info(`Policy Insights server ${process.pid} starting; store home ${home}`);
    try {
        store = await Store.open({ home, watch: true });
        store.onDidChange((change) => {
            idle.touch();
            violationDiagnostics.schedule();
            void connection.sendNotification(StoreChangedNotification.type, {
                scopes: scopesOf(change),
                accounts: change.account ? [change.account] : undefined,
            });
        });
        status = { ...status, state: 'ready' };
        // told at once of what open recovered, then of every later recovery (a shard read, a write)
        store.onRecovered((report) => {
            const message = describeRecovery(report);
            connection.console.warn(message);
            setStatus({ state: 'degraded', message, path: report.file });
        });
        // a cache rebuilt from the shard: worth a line in the log, not a degraded store
        onViolationIndexDamaged(({ file, reason }) => connection.console.warn(`The violation index ${file} was damaged (${reason}); it was rebuilt from its violations file.`));
    } catch (err) {
        const message = err instanceof StoreError ? err.message : `Could not open the store at ${home}: ${String(err)}`;
        connection.console.error(message);
        status = { ...status, state: 'degraded', message };
    }
    return {
        capabilities: {
            textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
            completionProvider: { triggerCharacters: ['"', "'"] },
            hoverProvider: true,
            codeLensProvider: { resolveProvider: false },
            codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
            workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
        },
        serverInfo: { name: 'policy-insights' },
    };
});

connection.onInitialized(() => {
    initialized = true;
    setStatus({});
    violationDiagnostics.setFolders(workspaceFolders);
    connection.workspace.onDidChangeWorkspaceFolders(async () => {
        violationDiagnostics.setFolders(folderPaths(await connection.workspace.getWorkspaceFolders()));
    });
    void followCatalog();
    if (store) {
        scanService.start().catch((err) => connection.console.error(`Scheduled scans could not start: ${errorMessage(err)}`));
    }
});

connection.onRequest(GetServerStatusRequest.type, () => status);
connection.onRequest(ListPacksRequest.type, () => listPackVersions(requireStore()));
connection.onRequest(ListGroupsRequest.type, () => listPolicyGroupViews(requireStore()));
// Account summaries name the types each scan covered, which the scanners' modules list: loaded with the first listing.
const accountSummaries = lazyModule(() => import('./accounts/accountSummaries'));
connection.onRequest(ListAccountsRequest.type, async () => (await accountSummaries()).listAccountSummaries(requireStore()));

const runner = new RunnerPool();
let evaluator: Evaluator | undefined;
let catalogFollower: { dispose(): void } | undefined;

/** The evaluator over the open store: published artifacts (digest-checked) run in the shared runner pool. */
function requireEvaluator(): Evaluator {
    if (!evaluator) {
        const store = requireStore();
        evaluator = new Evaluator({ store, runner, packs: artifactPackSource(store, verifiedArtifactDir) });
        evaluator.onEvaluated((report) => {
            void connection.sendNotification(EvaluationFinishedNotification.type, evaluationSummary(report));
            for (const problem of report.problems) connection.console.warn(`Evaluation: ${problem.entity}: ${problem.pack ?? ''} ${problem.message}`);
        });
    }
    return evaluator;
}

/**
 * Evaluation follows the catalog (group edits, publishes under `latest`, from any process),
 * but only in a trusted workspace: packs are code.
 */
async function followCatalog(): Promise<void> {
    if (catalogFollower || !store || !status.trusted) return;
    catalogFollower = await evaluateOnCatalogChanges(store, requireEvaluator(), {
        onError: (err) => connection.console.error(`Evaluation after a catalog change failed: ${errorMessage(err)}`),
    });
}

const context = { connection, documents, store: requireStore, runner, isTrusted: () => status.trusted };
const packs = registerPackHandlers(context);
const violationDiagnostics = registerViolationDiagnostics(context);
// One handler (a connection keeps only the last one registered): diagnostics re-read their levels,
// and the runner takes `policyInsights.runner.timeoutMs` from the section the client sends.
connection.onDidChangeConfiguration((change) => {
    violationDiagnostics.schedule();
    const section = (change.settings as { policyInsights?: { runner?: { timeoutMs?: unknown } } } | null)?.policyInsights;
    if (section) runner.setPolicyTimeoutMs(section.runner?.timeoutMs);
});
connection.onCodeAction(async (params) => [...(await packs.codeActions(params)), ...(await violationDiagnostics.codeActions(params))]);
registerGroupHandlers(context, requireEvaluator);
const scanService = registerAccountHandlers(context, requireEvaluator);
registerViolationHandlers(context);

connection.onNotification(WorkspaceTrustedNotification.type, () => {
    setStatus({ trusted: true });
    void followCatalog();
});

connection.onShutdown(async () => {
    idle.dispose();
    catalogFollower?.dispose();
    scanService.dispose();
    await evaluator?.flush().catch((err) => connection.console.error(`The evaluation result cache could not be written at shutdown: ${errorMessage(err)}`));
    await runner.dispose();
    await store?.close();
});

documents.listen(connection);
connection.listen();
