/**
 * Violation commands: Show Violations (from the palette, the Violations tree, the status
 * bar and the Accounts tree, pre-filtered by what it was invoked on) and Export Violations,
 * plus the serializer that brings the panel back after a window reload.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { VIOLATION_STATUSES, type Violation } from '../../../server/src/shared/model';
import { EXPORT_FORMATS, type ExportFormat, type PanelFilter } from '../../../server/src/shared/panelProtocol';
import type { StoreScope, ViolationGroup } from '../../../server/src/shared/protocol';
import { ViolationPanelApi } from '../panels/violationPanelApi';
import { exportToFile, VIOLATIONS_VIEW_TYPE, ViolationsPanel } from '../panels/violationsPanel';
import { showFailure } from '../showFailure';

export interface ViolationCommands extends vscode.Disposable {
    /** Call from the StoreChanged notification handler: the open panel reloads its rows. */
    storeChanged(scopes: readonly StoreScope[]): void;
}


/**
 * The filter for what Show Violations was invoked on: a filter object (links, tests, the
 * status bar), an account name, or a tree node — an account, a child account (`name/region`),
 * a policy group of the Violations tree, or one violation.
 */
export function filterFromArgument(arg: unknown): PanelFilter | undefined {
    if (arg === undefined || arg === null) return undefined;
    if (typeof arg === 'string') return { accounts: [arg] };
    if (typeof arg !== 'object') return undefined;
    const node = arg as {
        account?: { name?: unknown };
        childName?: unknown;
        violation?: Violation;
        group?: ViolationGroup;
    };
    if (node.violation && typeof node.violation.id === 'string') {
        const v = node.violation;
        return { resources: [v.resourceURN], policies: [v.policyName], accounts: [v.entityId], statuses: [...VIOLATION_STATUSES] };
    }
    // A group of the Violations tree: the server says which filter shows it (none for "unspecified" severity: all open ones).
    if (node.group && typeof node.group.key === 'string') return node.group.filter ?? {};
    if (typeof node.childName === 'string') return { accounts: [node.childName] };
    if (node.account && typeof node.account.name === 'string') return { accounts: [node.account.name] };
    // A PanelFilter: keep only its known, well-typed fields (the webview cleans it again).
    return arg as PanelFilter;
}

export function registerViolationCommands(client: LanguageClient, context: vscode.ExtensionContext, output: vscode.LogOutputChannel): ViolationCommands {
    const api = new ViolationPanelApi(client);
    const disposables: vscode.Disposable[] = [
        vscode.commands.registerCommand('policyInsights.showViolations', async (arg?: unknown) => {
            // From a diagnostic's quick fix: only the violation's id is known.
            const id = (arg as { violationId?: unknown } | undefined)?.violationId;
            if (typeof id === 'string') {
                try {
                    arg = { violation: (await api.detail(id)).violation };
                } catch (err) {
                    showFailure(output, 'Show in Policy Violations', err);
                    return;
                }
            }
            ViolationsPanel.show(context, api, output, filterFromArgument(arg));
        }),
        // `answers` skips the prompts (tests and scripts run the quick fix's command with them).
        vscode.commands.registerCommand('policyInsights.suppressViolation', async (arg?: string | { violation?: Violation }, answers?: { reason?: string; until?: string }) => {
            const id = typeof arg === 'string' ? arg : arg?.violation?.id;
            if (!id) return undefined;
            const reason = answers?.reason ?? await vscode.window.showInputBox({
                title: 'Suppress violation (1/2)',
                prompt: 'Why is this acceptable for now? (kept with the violation)',
                validateInput: (v) => (v.trim() ? undefined : 'A reason is required'),
            });
            if (!reason) return undefined;
            const now = new Date();
            const nextMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString().slice(0, 10);
            const until = answers?.until ?? await vscode.window.showInputBox({
                title: 'Suppress violation (2/2)',
                prompt: 'Until which date (YYYY-MM-DD)? It shows again after that.',
                value: nextMonth,
                validateInput: (v) => (/^\d{4}-\d{2}-\d{2}$/.test(v) && Date.parse(v) > Date.now() ? undefined : 'A future date, YYYY-MM-DD'),
            });
            if (!until) return undefined;
            try {
                return await api.suppress({ id, reason: reason.trim(), until });
            } catch (err) {
                showFailure(output, 'Could not suppress', err);
                return undefined;
            }
        }),
        vscode.commands.registerCommand('policyInsights.exportViolations', async (format?: ExportFormat) => {
            const chosen =
                format && EXPORT_FORMATS.includes(format)
                    ? format
                    : ((
                          await vscode.window.showQuickPick(
                              [
                                  { label: 'SARIF', description: 'SARIF 2.1.0, for code scanning tools', format: 'sarif' as const },
                                  { label: 'CSV', description: 'one row per violation, for spreadsheets', format: 'csv' as const },
                                  { label: 'JSON', description: 'the violation records', format: 'json' as const },
                              ],
                              { title: 'Export violations', placeHolder: ViolationsPanel.currentState() ? 'Exports the Policy Violations panel\u2019s filter' : 'Exports open violations' },
                          )
                      )?.format);
            if (!chosen) return;
            const state = ViolationsPanel.currentState();
            try {
                await exportToFile(api, state?.filter ?? {}, chosen, state?.sort);
            } catch (err) {
                showFailure(output, 'Export failed', err);
            }
        }),
        vscode.window.registerWebviewPanelSerializer(VIOLATIONS_VIEW_TYPE, {
            async deserializeWebviewPanel(panel, state) {
                ViolationsPanel.revive(panel, context, api, output, state);
            },
        }),
    ];
    context.subscriptions.push(...disposables);
    return {
        storeChanged(scopes) {
            if (scopes.includes('violations')) ViolationsPanel.storeChanged();
        },
        dispose() {
            for (const d of disposables) d.dispose();
        },
    };
}
