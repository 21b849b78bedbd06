/**
 * The Policy Violations webview panel's host: creates (or revives) the panel with the
 * CSP'd page of violationsPanelHtml, answers the webview's typed requests by relaying
 * them to the language server, and does what only the extension host can (save an
 * export, open a resource or its source, open a link).
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { notificationText } from '../untrustedText';
import type { SourcePosition } from '../../../server/src/shared/model';
import type {
    ExportFormat,
    PanelFilter,
    PanelHostMethod,
    PanelHostRequests,
    PanelState,
    ViolationsPanelToHost,
    ViolationsPanelToWebview,
} from '../../../server/src/shared/panelProtocol';
import type { ViolationPanelApi } from './violationPanelApi';
import { resourceUri } from '../resourceDocuments';
import { createNonce, violationsPanelHtml } from './violationsPanelHtml';
import { describeFailure } from '../failures';
import { showFailure } from '../showFailure';

export const VIOLATIONS_VIEW_TYPE = 'policyInsights.violations';


/** Exports the violations matching `filter`: asks where, writes the file, offers to open it. */
export async function exportToFile(api: ViolationPanelApi, filter: PanelFilter, format: ExportFormat, sort?: PanelState['sort']): Promise<{ path?: string; count: number }> {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const name = `policy-violations-${new Date().toISOString().slice(0, 10)}.${format}`;
    const target = await vscode.window.showSaveDialog({
        title: `Export violations as ${format.toUpperCase()}`,
        defaultUri: folder ? vscode.Uri.joinPath(folder, name) : undefined,
        filters: { [format.toUpperCase()]: [format] },
        saveLabel: 'Export',
    });
    if (!target) return { count: 0 };
    const { content, count } = await api.exportViolations({ filter, sort, format });
    await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(content));
    void vscode.window.showInformationMessage(`Exported ${count} violation(s) to ${target.fsPath}.`, 'Open').then((choice) => {
        if (choice) void vscode.window.showTextDocument(target);
    });
    return { path: target.fsPath, count };
}

/**
 * A source position as a document location. Pulumi writes `project:///path` relative to the
 * project root: look for that path in the workspace folders.
 */
async function resolveSource(position: SourcePosition): Promise<vscode.Uri | undefined> {
    const relative = /^project:\/\/\/?(.*)$/.exec(position.uri)?.[1];
    if (relative === undefined) return vscode.Uri.parse(position.uri);
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
        const direct = vscode.Uri.joinPath(folder.uri, relative);
        try {
            await vscode.workspace.fs.stat(direct);
            return direct;
        } catch {
            // not at the folder's root: search below it
        }
        const found = await vscode.workspace.findFiles(new vscode.RelativePattern(folder, `**/${relative}`), '**/node_modules/**', 1);
        if (found[0]) return found[0];
    }
    return undefined;
}

/**
 * The tab's shield in both themes. The activity-bar SVG strokes with currentColor, which an
 * editor tab (an image, not inline SVG) draws black: invisible on a dark theme. Its
 * outline, coloured like VS Code's own light and dark icons.
 */
function tabIcon(): { light: vscode.Uri; dark: vscode.Uri } {
    const shield = (stroke: string) =>
        vscode.Uri.parse(
            'data:image/svg+xml;base64,' +
                Buffer.from(
                    `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24" fill="none" stroke="${stroke}" stroke-width="1.6" stroke-linejoin="round" stroke-linecap="round">` +
                        '<path d="M12 2.5 4 5.5v6c0 5 3.4 8.6 8 10 4.6-1.4 8-5 8-10v-6z"/><path d="m8.5 12 2.5 2.5 4.5-5"/></svg>',
                ).toString('base64'),
        );
    return { light: shield('#424242'), dark: shield('#C5C5C5') };
}

export class ViolationsPanel implements vscode.Disposable {
    private static current: ViolationsPanel | undefined;
    private ready = false;
    private pendingFilter: PanelFilter | undefined;
    private lastState: PanelState | undefined;
    private readonly disposables: vscode.Disposable[] = [];

    /** Shows the panel (creating it if needed); a filter replaces the panel's filter. */
    static show(context: vscode.ExtensionContext, api: ViolationPanelApi, output: vscode.LogOutputChannel, filter?: PanelFilter): ViolationsPanel {
        const existing = ViolationsPanel.current;
        if (existing) {
            existing.panel.reveal();
            if (filter) existing.setFilter(filter);
            return existing;
        }
        const panel = vscode.window.createWebviewPanel(VIOLATIONS_VIEW_TYPE, 'Policy Violations', vscode.ViewColumn.Active, ViolationsPanel.webviewOptions(context));
        ViolationsPanel.current = new ViolationsPanel(panel, context, api, output, undefined, filter);
        return ViolationsPanel.current;
    }

    /** Restores a panel VS Code kept across a window reload (the serializer calls this). */
    static revive(panel: vscode.WebviewPanel, context: vscode.ExtensionContext, api: ViolationPanelApi, output: vscode.LogOutputChannel, state: unknown): ViolationsPanel {
        panel.webview.options = ViolationsPanel.webviewOptions(context);
        ViolationsPanel.current?.dispose();
        ViolationsPanel.current = new ViolationsPanel(panel, context, api, output, state as PanelState | undefined, undefined);
        return ViolationsPanel.current;
    }

    /** The open panel's state (its filter, for the palette's Export command). */
    static currentState(): PanelState | undefined {
        return ViolationsPanel.current?.lastState;
    }

    /** The store changed: the open panel re-runs its query. */
    static storeChanged(): void {
        ViolationsPanel.current?.post({ type: 'storeChanged' });
    }

    private static webviewOptions(context: vscode.ExtensionContext): vscode.WebviewPanelOptions & vscode.WebviewOptions {
        // Only the bundles are loadable; the panel keeps its state with setState, so it need not stay alive hidden.
        return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(context.extensionUri, 'out', 'webviews')], enableFindWidget: true };
    }

    private constructor(
        private readonly panel: vscode.WebviewPanel,
        context: vscode.ExtensionContext,
        private readonly api: ViolationPanelApi,
        private readonly output: vscode.LogOutputChannel,
        initialState: PanelState | undefined,
        filter: PanelFilter | undefined,
    ) {
        this.pendingFilter = filter;
        this.lastState = initialState;
        const webview = panel.webview;
        const bundle = (file: string) => webview.asWebviewUri(vscode.Uri.joinPath(context.extensionUri, 'out', 'webviews', file)).toString();
        panel.iconPath = tabIcon();
        webview.html = violationsPanelHtml({ cspSource: webview.cspSource, scriptUri: bundle('violations.js'), styleUri: bundle('violations.css'), nonce: createNonce() });
        this.disposables.push(
            webview.onDidReceiveMessage((message: ViolationsPanelToHost) => void this.onMessage(message)),
            // A hidden webview is torn down and starts again when shown: messages wait for its next `ready`.
            panel.onDidChangeViewState(() => {
                if (!panel.visible) this.ready = false;
            }),
            panel.onDidDispose(() => this.dispose()),
        );
    }

    private setFilter(filter: PanelFilter): void {
        if (this.ready) this.post({ type: 'setFilter', filter });
        else this.pendingFilter = filter;
    }

    private post(message: ViolationsPanelToWebview): void {
        void this.panel.webview.postMessage(message);
    }

    private async onMessage(message: ViolationsPanelToHost): Promise<void> {
        switch (message.type) {
            case 'ready':
                this.ready = true;
                this.post({ type: 'init', state: this.lastState, filter: this.pendingFilter });
                this.pendingFilter = undefined;
                return;
            case 'state':
                this.lastState = message.state;
                return;
            case 'request':
                try {
                    const result = await this.answer(message.method, message.params);
                    this.post({ type: 'reply', requestId: message.requestId, result });
                } catch (err) {
                    this.post({ type: 'reply', requestId: message.requestId, error: describeFailure(err).text });
                }
                return;
            case 'openResource':
                return this.openResource(message.id);
            case 'openSource':
                return this.openSource(message.position);
            case 'openLink':
                // Only web links: a pack's url field must not open local files or commands.
                if (/^https?:\/\//i.test(message.url)) void vscode.env.openExternal(vscode.Uri.parse(message.url));
                return;
        }
    }

    private async answer(method: PanelHostMethod, params: unknown): Promise<unknown> {
        switch (method) {
            case 'query':
                return this.api.query(params as PanelHostRequests['query'][0]);
            case 'detail':
                return this.api.detail((params as PanelHostRequests['detail'][0]).id);
            case 'triage':
                return this.api.triage(params as PanelHostRequests['triage'][0]);
            case 'suppress':
                return this.api.suppress(params as PanelHostRequests['suppress'][0]);
            case 'export': {
                const { filter, sort, format } = params as PanelHostRequests['export'][0];
                return exportToFile(this.api, filter, format, sort);
            }
        }
    }

    private async openResource(id: string): Promise<void> {
        try {
            const detail = await this.api.detail(id);
            // The stored resource's read-only document (it shows this violation on the offending property).
            const document = await vscode.workspace.openTextDocument(resourceUri(detail.violation.entityId, detail.violation.resourceURN));
            await vscode.languages.setTextDocumentLanguage(document, 'json');
            await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.Beside, preview: true });
        } catch (err) {
            showFailure(this.output, `Could not open the resource of violation ${id}`, err);
        }
    }

    private async openSource(position: SourcePosition): Promise<void> {
        const uri = await resolveSource(position);
        if (!uri) {
            void vscode.window.showWarningMessage(
                notificationText(`${position.uri} was not found in the workspace. Open the Pulumi project's folder (the one with Pulumi.yaml) to jump to line ${position.line}.`),
            );
            return;
        }
        const at = new vscode.Position(Math.max(0, position.line - 1), Math.max(0, (position.column ?? 1) - 1));
        try {
            await vscode.window.showTextDocument(uri, { selection: new vscode.Range(at, at), viewColumn: vscode.ViewColumn.Beside });
        } catch (err) {
            showFailure(this.output, `Could not open ${path.basename(uri.fsPath)}`, err);
        }
    }

    dispose(): void {
        if (ViolationsPanel.current === this) ViolationsPanel.current = undefined;
        for (const d of this.disposables.splice(0)) d.dispose();
        this.panel.dispose();
    }
}
