import * as vscode from 'vscode';
import type { ServerStatusParams } from '../../../server/src/shared/protocol';

/** The status bar item that shows the language server's state; a click opens the output. */
export class ServerStatusBar implements vscode.Disposable {
    private readonly item = vscode.window.createStatusBarItem('policyInsights.serverStatus', vscode.StatusBarAlignment.Left, 10);

    constructor() {
        this.item.name = 'Policy Insights';
        this.item.command = 'policyInsights.showOutput';
        this.showStarting();
        this.item.show();
    }

    showStarting(): void {
        this.item.text = '$(sync~spin) Policy Insights';
        this.item.tooltip = 'Policy Insights: the language server is starting';
        this.item.backgroundColor = undefined;
    }

    showStopped(reason: string): void {
        this.item.text = '$(error) Policy Insights';
        this.item.tooltip = `Policy Insights: the language server stopped. ${reason}\nClick to see the output.`;
        this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
    }

    update(status: ServerStatusParams): void {
        const trust = status.trusted ? '' : '\nRestricted mode: policy packs will not run until you trust this workspace.';
        if (status.state === 'ready') {
            this.item.text = status.trusted ? '$(shield) Policy Insights' : '$(workspace-untrusted) Policy Insights';
            this.item.tooltip = `Policy Insights: ready\nStore: ${status.home}${trust}`;
            this.item.backgroundColor = undefined;
        } else if (status.state === 'degraded') {
            this.item.text = '$(warning) Policy Insights';
            this.item.tooltip = `Policy Insights: ${status.message ?? 'degraded'}\nStore: ${status.home}${trust}`;
            this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
        } else {
            this.showStarting();
        }
    }

    dispose(): void {
        this.item.dispose();
    }
}
