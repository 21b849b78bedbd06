/**
 * Entry point in the extension host: starts the language server (which owns the store and
 * runs everything), then wires views, commands and the status bar to it.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { LanguageClient, State, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import {
    EvaluationFinishedNotification,
    GetServerStatusRequest,
    ScanFinishedNotification,
    ScanProgressNotification,
    InstallOutputNotification,
    ServerStatusNotification,
    StoreChangedNotification,
    WorkspaceTrustedNotification,
    type ServerStatusParams,
    type InitializationOptions,
    type StoreScope,
} from '../../server/src/shared/protocol';
import { registerExtensionCommands } from './commands/extensionCommands';
import { registerAccountCommands, showScanProgress } from './commands/accounts';
import { registerAnalyzeStateCommands } from './commands/analyzeState';
import { registerGroupCommands } from './commands/groups';
import { registerPolicyConfigCommands } from './commands/policyConfig';
import { registerTriageCommands } from './commands/triage';
import { RESOURCE_SCHEME, ResourceDocumentProvider } from './resourceDocuments';
import { registerPackCommands } from './commands/packs';
import { registerViolationCommands } from './commands/violations';
import { ServerApi } from './serverApi';
import { notificationText } from './untrustedText';
import { AccountsTreeProvider } from './views/accountsTreeProvider';
import { GroupsTreeProvider } from './views/groupsTreeProvider';
import { environmentGrants, PacksTreeProvider } from './views/packsTreeProvider';
import { ServerStatusBar } from './views/serverStatusBar';
import type { ServerTreeProvider } from './views/treeNode';
import { ViolationsTreeProvider } from './views/violationsTreeProvider';
import { ViolationsStatusBar } from './views/violationsStatusBar';
import { errorMessage } from '../../server/src/shared/errors';

/** What activate() returns: used by the integration tests, stable for other extensions. */
export interface PolicyInsightsApi {
    /** Resolves when the language server has started and answered its status. */
    ready: Promise<void>;
    trees: { packs: PacksTreeProvider; groups: GroupsTreeProvider; accounts: AccountsTreeProvider; violations: ViolationsTreeProvider };
    /** The store home the server reported. */
    home(): string;
}

let client: LanguageClient | undefined;

function createClient(context: vscode.ExtensionContext, output: vscode.LogOutputChannel): LanguageClient {
    const module = context.asAbsolutePath(path.join('out', 'server', 'server.js'));
    // V8's young generation at 2 MB semi-spaces (default 16): the idle server with 100,000 resources
    // keeps ~116 MB resident instead of ~181, queries as fast (bench/server-memory.mjs --server-node-args)
    const execArgv = ['--max-semi-space-size=2'];
    const serverOptions: ServerOptions = {
        run: { module, transport: TransportKind.ipc, options: { execArgv } },
        debug: { module, transport: TransportKind.ipc, options: { execArgv: [...execArgv, '--nolazy', '--inspect=6011'] } },
    };
    // A function, so a restart (after `policyInsights.home` changes) reads the settings anew.
    const initializationOptions = (): InitializationOptions => ({
        home: vscode.workspace.getConfiguration('policyInsights').get<string>('home') || undefined,
        trusted: vscode.workspace.isTrusted,
        environmentGrants: environmentGrants(),
        runnerTimeoutMs: vscode.workspace.getConfiguration('policyInsights').get<number>('runner.timeoutMs'),
    });
    const clientOptions: LanguageClientOptions = {
        // Policy pack sources and manifests; the server decides which files are packs.
        documentSelector: [
            { scheme: 'file', language: 'typescript' },
            { scheme: 'file', language: 'javascript' },
            { scheme: 'file', pattern: '**/PulumiPolicy.yaml' },
            { scheme: 'file', pattern: '**/package.json' },
        ],
        outputChannel: output,
        initializationOptions,
        // The server reads `policyInsights.diagnostics.levels` and is told when settings change; the
        // notification carries the whole section, `runner.timeoutMs` included (applied to the next run).
        synchronize: { configurationSection: 'policyInsights' },
    };
    // The id makes `policyInsights.trace.server` drive the protocol trace.
    return new LanguageClient('policyInsights', 'Policy Insights', serverOptions, clientOptions);
}

export async function activate(context: vscode.ExtensionContext): Promise<PolicyInsightsApi> {
    const output = vscode.window.createOutputChannel('Policy Insights', { log: true });
    const statusBar = new ServerStatusBar();
    context.subscriptions.push(output, statusBar);

    client = createClient(context, output);
    const server = new ServerApi(client);
    const trees = {
        packs: new PacksTreeProvider(server),
        groups: new GroupsTreeProvider(server),
        accounts: new AccountsTreeProvider(server),
        violations: new ViolationsTreeProvider(server),
    };
    const treesByScope: Record<StoreScope, ServerTreeProvider> = trees;
    let home = '';
    const resourceDocuments = new ResourceDocumentProvider(server);
    const violationsView = vscode.window.createTreeView('policyInsights.violations', { treeDataProvider: trees.violations });
    trees.violations.view = violationsView;
    trees.violations.setGrouping('policy');
    const violationsStatusBar = new ViolationsStatusBar(server);
    const violationCommands = registerViolationCommands(client, context, output);

    context.subscriptions.push(
        vscode.window.registerTreeDataProvider('policyInsights.packs', trees.packs),
        vscode.window.registerTreeDataProvider('policyInsights.groups', trees.groups),
        vscode.window.registerTreeDataProvider('policyInsights.accounts', trees.accounts),
        violationsView,
        violationsStatusBar,
        vscode.commands.registerCommand('policyInsights.groupViolationsByPolicy', () => trees.violations.setGrouping('policy')),
        vscode.commands.registerCommand('policyInsights.groupViolationsByAccount', () => trees.violations.setGrouping('account')),
        vscode.commands.registerCommand('policyInsights.groupViolationsBySeverity', () => trees.violations.setGrouping('severity')),
        ...Object.values(trees),
        ...registerExtensionCommands({
            output,
            trees: Object.values(trees),
            restartServer: async () => {
                statusBar.showStarting();
                await client?.restart();
            },
        }),
        ...registerPackCommands(server, output),
        ...registerGroupCommands(server, output),
        ...registerPolicyConfigCommands(server, output),
        ...registerAnalyzeStateCommands(server, output),
        ...registerTriageCommands(client, output),
        ...registerAccountCommands(server, output),
        violationCommands,
        resourceDocuments,
        vscode.workspace.registerTextDocumentContentProvider(RESOURCE_SCHEME, resourceDocuments),
        client.onNotification(ScanProgressNotification.type, showScanProgress),
        client.onNotification(ScanFinishedNotification.type, (scan) => {
            output.info(`Scan of ${scan.scanned} (${scan.trigger}): ${scan.status}, ${scan.added} added, ${scan.changed} changed, ${scan.removed} removed`);
            for (const e of scan.errors) output.warn(`Scan of ${scan.scanned}: ${e.service}${e.region ? ` ${e.region}` : ''}: ${e.code}: ${e.message}`);
            // Manual scans report through their own notification; say so for the others.
            const partial = scan.status === 'partial' ? `: partial, ${scan.errors.length} service(s) failed` : '';
            if (scan.trigger !== 'manual') vscode.window.setStatusBarMessage(`Policy Insights: ${scan.scanned} re-scanned (${scan.trigger})${partial}`, 5000);
        }),
        client.onNotification(EvaluationFinishedNotification.type, (summary) => {
            output.info(`Evaluation (${summary.trigger}) of ${summary.accounts.join(', ') || 'no account'}: ${summary.opened} opened, ${summary.resolved} resolved, ${summary.stillOpen} open`);
            for (const problem of summary.problems) output.warn(problem);
        }),
        client.onNotification(InstallOutputNotification.type, ({ text }) => output.append(text)),
        client.onDidChangeState((e) => {
            if (e.newState === State.Stopped) statusBar.showStopped('See the Policy Insights output for why.');
            if (e.newState === State.Starting) statusBar.showStarting();
        }),
        client.onNotification(ServerStatusNotification.type, (status) => {
            home = status.home;
            statusBar.update(status);
            warnAbout(status);
        }),
        client.onNotification(StoreChangedNotification.type, ({ scopes, accounts }) => {
            for (const scope of new Set(scopes)) treesByScope[scope].refresh();
            if (scopes.includes('accounts') || scopes.includes('violations')) resourceDocuments.refresh(accounts);
            violationCommands.storeChanged(scopes);
            if (scopes.includes('violations')) void violationsStatusBar.refresh();
        }),
        vscode.workspace.onDidGrantWorkspaceTrust(() => void client?.sendNotification(WorkspaceTrustedNotification.type)),
        vscode.workspace.onDidChangeConfiguration(async (e) => {
            // Which packs get the environment is fixed when their hosts start: a restarted server starts them anew.
            if (e.affectsConfiguration('policyInsights.home') || e.affectsConfiguration('policyInsights.packs.environmentGrants')) {
                // The store moved: the restarted server opens the new home and the trees reload.
                statusBar.showStarting();
                await client?.restart();
                for (const tree of Object.values(trees)) tree.refresh();
            }
        }),
    );

    const ready = (async () => {
        await client!.start();
        const status = await client!.sendRequest(GetServerStatusRequest.type);
        home = status.home;
        statusBar.update(status);
        warnAbout(status);
        for (const tree of Object.values(trees)) tree.refresh();
        await violationsStatusBar.refresh();
    })();
    ready.catch((err) => {
        output.error(`Policy Insights server failed to start: ${errorMessage(err)}`);
        statusBar.showStopped(String(err));
    });

    return { ready, trees, home: () => home };
}

/** Messages already shown as a notification: the status repeats them on every later change. */
const warned = new Set<string>();

/**
 * A degraded server (a store file recovered from its backup, a failed write) is said once
 * as a warning, not only in the status bar's tooltip: data may be older than the user
 * thinks. The message holds file paths and reasons from disk, so it is shown as plain text.
 */
function warnAbout(status: ServerStatusParams): void {
    if (status.state !== 'degraded' || !status.message || warned.has(status.message)) return;
    warned.add(status.message);
    const reveal = 'Reveal in File Explorer';
    const actions = status.path ? [reveal] : [];
    void vscode.window.showWarningMessage(`Policy Insights: ${notificationText(status.message)}`, ...actions).then((choice) => {
        if (choice === reveal && status.path) void vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(status.path));
    });
}

export async function deactivate(): Promise<void> {
    await client?.stop();
    client = undefined;
}
