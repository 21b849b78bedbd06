/**
 * Triage from the Violations tree: Set Violation Status… (acknowledge as in progress, by
 * design, ignored, or reopen), Reopen Violation, and Unsuppress Violation… (the tree hides
 * suppressed violations, so it lists them to choose from). They send the Policy Violations
 * page's own triage and suppression requests; Suppress… is policyInsights.suppressViolation.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { TRIAGE_STATUSES, type Violation, type ViolationStatus } from '../../../server/src/shared/model';
import { ViolationPanelApi } from '../panels/violationPanelApi';
import { showFailure } from '../showFailure';

type TriageStatus = Exclude<ViolationStatus, 'fixed'>;

/** Every status a person may set (fixed is the evaluation's), as the pick shows it. */
const STATUS_CHOICES: Record<TriageStatus, { label: string; detail: string }> = {
    in_progress: { label: 'Acknowledge (in progress)', detail: 'Someone is working on it; it stays in the tree.' },
    by_design: { label: 'By design', detail: 'Accepted as it is; it leaves the open violations.' },
    ignored: { label: 'Ignore', detail: 'Not worth acting on; it leaves the open violations.' },
    open: { label: 'Reopen', detail: 'Back to open, untriaged.' },
};


/** The violation a command was invoked on: a tree node (`{ violation }`) or an id. */
function violationOf(arg: unknown): { id: string; violation?: Violation } | undefined {
    if (typeof arg === 'string') return { id: arg };
    const violation = (arg as { violation?: Violation } | undefined)?.violation;
    return violation && typeof violation.id === 'string' ? { id: violation.id, violation } : undefined;
}

function describe(v: Pick<Violation, 'policyName' | 'resourceName' | 'entityId'>): string {
    return `${v.policyName} on ${v.resourceName || v.entityId}`;
}

export function registerTriageCommands(client: LanguageClient, output: vscode.LogOutputChannel): vscode.Disposable[] {
    const api = new ViolationPanelApi(client);
    const setStatus = async (id: string, status: TriageStatus, what: string) => {
        const updated = await api.triage({ id, status });
        vscode.window.setStatusBarMessage(`Policy Insights: ${what} is now ${updated.status.replace('_', ' ')}`, 5000);
        return updated;
    };
    return [
        vscode.commands.registerCommand('policyInsights.setViolationStatus', async (arg?: unknown, status?: TriageStatus) => {
            const target = violationOf(arg);
            if (!target) return undefined;
            const what = target.violation ? describe(target.violation) : target.id;
            try {
                const chosen =
                    status ??
                    (
                        await vscode.window.showQuickPick(
                            (Object.keys(STATUS_CHOICES) as TriageStatus[])
                                .filter((s) => s !== target.violation?.status)
                                .map((s) => ({ ...STATUS_CHOICES[s], status: s })),
                            { title: `Set the status of ${what}`, placeHolder: target.violation ? `Now ${target.violation.status.replace('_', ' ')}` : 'Status' },
                        )
                    )?.status;
                if (!chosen) return undefined;
                return await setStatus(target.id, chosen, what);
            } catch (err) {
                showFailure(output, 'Set Violation Status', err);
                return undefined;
            }
        }),
        vscode.commands.registerCommand('policyInsights.reopenViolation', async (arg?: unknown) => {
            const target = violationOf(arg);
            if (!target) return undefined;
            try {
                return await setStatus(target.id, 'open', target.violation ? describe(target.violation) : target.id);
            } catch (err) {
                showFailure(output, 'Reopen Violation', err);
                return undefined;
            }
        }),
        vscode.commands.registerCommand('policyInsights.unsuppressViolation', async (arg?: unknown) => {
            try {
                let id = violationOf(arg)?.id;
                if (!id) {
                    const { rows } = await api.query({
                        filter: { includeSuppressed: true, statuses: [...TRIAGE_STATUSES] },
                        offset: 0,
                        limit: 1000,
                    });
                    const suppressed = rows.filter((r) => r.suppressedUntil !== undefined);
                    if (!suppressed.length) {
                        void vscode.window.showInformationMessage('No violation is suppressed.');
                        return undefined;
                    }
                    id = (
                        await vscode.window.showQuickPick(
                            suppressed.map((r) => ({ label: describe(r), description: `${r.entityId} · until ${r.suppressedUntil!.slice(0, 10)}`, detail: r.message, id: r.id })),
                            { title: 'Unsuppress Violation', placeHolder: 'The violation shows again at once' },
                        )
                    )?.id;
                }
                if (!id) return undefined;
                // reason and until are ignored with remove, but the request's schema wants a date there
                const updated = await api.suppress({ id, reason: '', until: '', remove: true });
                vscode.window.setStatusBarMessage(`Policy Insights: ${describe(updated)} is no longer suppressed`, 5000);
                return updated;
            } catch (err) {
                showFailure(output, 'Unsuppress Violation', err);
                return undefined;
            }
        }),
    ];
}
