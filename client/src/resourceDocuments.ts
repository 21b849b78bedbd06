/**
 * Read-only JSON documents of stored resources on `policy-insights:` URIs, opened from
 * the Accounts tree (and from violations). The path names the child account and the
 * query carries the URN, so a document is stable across scans and refreshed when the
 * account's shard changes.
 */
import * as vscode from 'vscode';
import type { ServerApi } from './serverApi';

export const RESOURCE_SCHEME = 'policy-insights';

export function resourceUri(account: string, urn: string): vscode.Uri {
    const name = urn.split('::').pop() ?? 'resource';
    return vscode.Uri.from({ scheme: RESOURCE_SCHEME, path: `/${account}/${name}.json`, query: new URLSearchParams({ account, urn }).toString() });
}

export function parseResourceUri(uri: vscode.Uri): { account: string; urn: string } {
    const query = new URLSearchParams(uri.query);
    return { account: query.get('account') ?? '', urn: query.get('urn') ?? '' };
}

export class ResourceDocumentProvider implements vscode.TextDocumentContentProvider, vscode.Disposable {
    private readonly changed = new vscode.EventEmitter<vscode.Uri>();
    readonly onDidChange = this.changed.event;
    /** The resource's violations, on the offending property when the message names it. */
    private readonly diagnostics = vscode.languages.createDiagnosticCollection('policy-insights-resources');
    private readonly closed = vscode.workspace.onDidCloseTextDocument((doc) => {
        if (doc.uri.scheme === RESOURCE_SCHEME) this.diagnostics.delete(doc.uri);
    });

    constructor(private readonly server: ServerApi) {}

    async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
        const { account, urn } = parseResourceUri(uri);
        const resource = await this.server.getResource(account, urn);
        if (!resource) {
            this.diagnostics.delete(uri);
            return `// ${urn} is no longer stored in ${account}: it was removed by a later scan.\n`;
        }
        const text = JSON.stringify(resource, null, 2) + '\n';
        this.server.resourceDiagnostics(account, urn, text).then(
            (found) => this.diagnostics.set(uri, found),
            () => this.diagnostics.delete(uri),
        );
        return text;
    }

    /** The open resource documents of these accounts (or all) changed in the store. */
    refresh(accounts?: string[]): void {
        for (const doc of vscode.workspace.textDocuments) {
            if (doc.uri.scheme !== RESOURCE_SCHEME) continue;
            if (!accounts || accounts.includes(parseResourceUri(doc.uri).account)) this.changed.fire(doc.uri);
        }
    }

    dispose(): void {
        this.changed.dispose();
        this.diagnostics.dispose();
        this.closed.dispose();
    }
}
