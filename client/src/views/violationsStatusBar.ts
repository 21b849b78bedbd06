import * as vscode from 'vscode';
import type { ServerApi } from '../serverApi';

/** The open violation count in the status bar; a click opens the Policy Violations page. */
export class ViolationsStatusBar implements vscode.Disposable {
    private readonly item = vscode.window.createStatusBarItem('policyInsights.violationCount', vscode.StatusBarAlignment.Left, 9);

    constructor(private readonly server: ServerApi) {
        this.item.name = 'Policy Insights: open violations';
        this.item.command = 'policyInsights.showViolations';
    }

    async refresh(): Promise<void> {
        try {
            const { total } = await this.server.listViolations({ limit: 0 });
            this.item.text = `$(shield) ${total}`;
            this.item.tooltip = `${total} open policy violation(s): click to review them`;
            this.item.show();
        } catch {
            this.item.hide();
        }
    }

    dispose(): void {
        this.item.dispose();
    }
}
