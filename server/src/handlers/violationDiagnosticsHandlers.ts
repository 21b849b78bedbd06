/**
 * Publishes violations as diagnostics on the Pulumi programs in the workspace, answers the
 * client's requests for resource-document diagnostics, and offers the quick fixes
 * "Suppress…" and "Show … in Policy Violations" on them, and "Fix in code" on a remediation
 * whose changed properties the program writes as literals.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CodeActionKind, type CodeAction, type CodeActionParams, type Connection, type Diagnostic } from 'vscode-languageserver/node';
import { ENFORCEMENT_LEVELS, type EnforcementLevel } from '../shared/model';
import { ResourceDiagnosticsRequest } from '../shared/protocol';
import type { Store } from '../store';
import { describeChange } from '../violations/remediation';
import { lazyModule } from './lazyModule';
import {
    LEVEL_SEVERITY,
    resourceDocumentDiagnostics,
    sourceDiagnostics,
    VIOLATION_DIAGNOSTIC_SOURCE,
    type ViolationDiagnosticData,
} from '../violations/sourceDiagnostics';
import type { ServerContext } from './serverContext';
import { errorMessage } from '../shared/errors';

const DEFAULT_LEVELS: EnforcementLevel[] = ['mandatory', 'advisory', 'remediate'];

async function diagnosticLevels(connection: Connection): Promise<EnforcementLevel[]> {
    try {
        const levels = (await connection.workspace.getConfiguration('policyInsights.diagnostics'))?.levels;
        return Array.isArray(levels) ? levels.filter((l): l is EnforcementLevel => ENFORCEMENT_LEVELS.includes(l)) : DEFAULT_LEVELS;
    } catch {
        return DEFAULT_LEVELS;
    }
}

export interface ViolationDiagnostics {
    /** Recompute and publish (debounced): after store changes, folder or setting changes. */
    schedule(): void;
    setFolders(folders: string[]): void;
    codeActions(params: CodeActionParams): Promise<CodeAction[]>;
}

export function registerViolationDiagnostics(ctx: ServerContext): ViolationDiagnostics {
    const { connection } = ctx;
    let folders: string[] = [];
    /** What each file was last sent, so an unchanged file is not sent again. */
    let published = new Map<string, string>();
    let timer: NodeJS.Timeout | undefined;
    let running: Promise<void> = Promise.resolve();

    async function publish(store: Store): Promise<void> {
        const byFile = await sourceDiagnostics(store, { folders, levels: await diagnosticLevels(connection) });
        // Every store change lands here, most touch no program. Sending a file's diagnostics again, even
        // unchanged, makes VS Code recompute its code actions and cancel a Ctrl+. still waiting for its
        // providers (the menu then says "No code actions available"): send only what changed.
        const next = new Map<string, string>();
        for (const [uri, diagnostics] of byFile) next.set(uri, JSON.stringify(diagnostics));
        for (const uri of published.keys()) if (!next.has(uri)) void connection.sendDiagnostics({ uri, diagnostics: [] });
        for (const [uri, diagnostics] of byFile) if (published.get(uri) !== next.get(uri)) void connection.sendDiagnostics({ uri, diagnostics });
        published = next;
    }

    connection.onRequest(ResourceDiagnosticsRequest.type, async ({ account, urn, text }) =>
        resourceDocumentDiagnostics(ctx.store(), account, urn, text, await diagnosticLevels(connection)),
    );
    const service: ViolationDiagnostics = {
        schedule() {
            clearTimeout(timer);
            timer = setTimeout(() => {
                running = running
                    .then(() => publish(ctx.store()))
                    .catch((err) => connection.console.error(`Violation diagnostics: ${errorMessage(err)}`));
            }, 200);
        },
        setFolders(next) {
            folders = next;
            service.schedule();
        },
        async codeActions({ context, textDocument }) {
            const actions: CodeAction[] = [];
            let text: string | undefined;
            const programText = () => (text ??= ctx.documents.get(textDocument.uri)?.getText() ?? readProgram(textDocument.uri));
            for (const diagnostic of context.diagnostics) {
                if (diagnostic.source !== VIOLATION_DIAGNOSTIC_SOURCE) continue;
                const data = diagnostic.data as ViolationDiagnosticData | undefined;
                if (!data?.violationId) continue;
                if (data.remediationChanges?.length) {
                    const fix = await fixInCode(textDocument.uri, programText(), diagnostic, data);
                    if (fix) actions.push(fix);
                }
                // One line can carry several diagnostics (a policy's mandatory violation and its remediation record,
                // other policies): VS Code lists all their actions in one menu, so each title names its own.
                const what = diagnostic.severity === LEVEL_SEVERITY.remediate ? `the ${data.policyName} remediation` : data.policyName;
                actions.push(
                    {
                        title: `Suppress ${what} on this resource…`,
                        kind: CodeActionKind.QuickFix,
                        diagnostics: [diagnostic],
                        command: { title: 'Suppress…', command: 'policyInsights.suppressViolation', arguments: [data.violationId] },
                    },
                    {
                        title: `Show ${what} in Policy Violations`,
                        kind: CodeActionKind.QuickFix,
                        diagnostics: [diagnostic],
                        command: { title: 'Show in Policy Violations', command: 'policyInsights.showViolations', arguments: [{ violationId: data.violationId }] },
                    },
                );
            }
            return actions;
        },
    };
    return service;
}

/** Writing a fix into a program parses it with TypeScript: loaded when a fix is first asked for. */
const remediationCodeFix = lazyModule(() => import('../violations/remediationCodeFix'));

/** A program file's text from disk (the editor asked for actions on a file it has not opened to the server), or '' when unreadable. */
function readProgram(uri: string): string {
    try {
        return uri.startsWith('file:') ? readFileSync(fileURLToPath(uri), 'utf8') : '';
    } catch {
        return '';
    }
}

/** The quick fix that writes a remediation's new values into the literals of the resource's constructor call, when it can. */
async function fixInCode(uri: string, text: string, diagnostic: Diagnostic, data: ViolationDiagnosticData): Promise<CodeAction | undefined> {
    const changes = data.remediationChanges!;
    const edits = text ? (await remediationCodeFix()).remediationCodeEdits(text, uri, diagnostic.range.start, changes) : undefined;
    if (!edits) return undefined;
    const what = changes.length === 1 ? describeChange(changes[0]) : `${changes.length} properties as ${data.policyName} would`;
    return { title: `Fix in code: ${what}`, kind: CodeActionKind.QuickFix, diagnostics: [diagnostic], isPreferred: true, edit: { changes: { [uri]: edits } } };
}

/** Workspace folder URIs as paths. */
export function folderPaths(folders: { uri: string }[] | null | undefined): string[] {
    return (folders ?? []).filter((f) => f.uri.startsWith('file:')).map((f) => fileURLToPath(f.uri));
}
