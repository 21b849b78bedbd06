/**
 * "Analyze State File…": what `policy-insights analyze --file STATE --policy-group G` (or
 * `--stack S`) does, from the palette: the groups' published packs run on a Pulumi state
 * export, and the findings go to the output with the group each came from and whether a
 * preventative gate would block. Nothing is stored: the state is not an account.
 */
import * as vscode from 'vscode';
import type { AnalyzeStateFileParams, AnalyzeStateFileResult } from '../../../server/src/shared/protocol';
import type { ServerApi } from '../serverApi';
import { showFailure } from '../showFailure';


/** The result as the output shows it, one line each (also what the message summarises). */
export function analyzeReportLines(result: AnalyzeStateFileResult): string[] {
    const lines = [`Analyze ${result.stateFile}${result.project ? ` (${result.project}/${result.stack})` : ''} against ${result.groups.join(', ') || 'no group'}:`];
    for (const w of result.warnings) lines.push(`  warning: ${w}`);
    for (const f of result.findings) {
        lines.push(`  [${f.level}${f.blocking ? ', blocks' : ''}] ${f.policyPack}@${f.policyPackVersion}/${f.policyName}${f.group ? ` (policy group ${f.group}, ${f.mode})` : ''} on ${f.urn}: ${f.message}`);
    }
    for (const r of result.remediations) lines.push(`  [remediate] ${r}`);
    for (const e of result.errors) lines.push(`  error: ${e}`);
    lines.push(`  ${summary(result)}`);
    return lines;
}

function summary(result: AnalyzeStateFileResult): string {
    const blocking = result.findings.filter((f) => f.blocking).length;
    return (
        `${result.resourceCount} resource(s), ${result.findings.length} violation(s), ${blocking} blocking, ${result.remediations.length} remediation(s), ${result.errors.length} error(s): ` +
        (result.failed ? '`analyze` would fail (exit 1).' : '`analyze` would pass.')
    );
}

async function chooseSelection(server: ServerApi): Promise<Pick<AnalyzeStateFileParams, 'groups' | 'stack'> | undefined> {
    const how = await vscode.window.showQuickPick(
        [
            { label: 'Policy groups…', detail: 'Run the published packs of the groups you choose (as `analyze --policy-group G`)', id: 'groups' as const },
            { label: "A stored stack's groups…", detail: 'Run the packs of every group a stack belongs to (as `analyze --stack NAME`)', id: 'stack' as const },
        ],
        { title: 'Analyze State File', placeHolder: 'Against which policies?' },
    );
    if (!how) return undefined;
    if (how.id === 'groups') {
        const groups = await vscode.window.showQuickPick(
            (await server.listGroups()).map((g) => ({ label: g.name, description: `${g.mode} · ${g.appliedPolicyPacks.map((p) => `${p.name}@${p.versionTag}`).join(', ') || 'no packs'}` })),
            { title: 'Analyze State File', placeHolder: 'Policy groups (preventative ones block, audit ones report)', canPickMany: true },
        );
        return groups?.length ? { groups: groups.map((g) => g.label) } : undefined;
    }
    const stacks = (await server.listAccounts()).filter((a) => a.provider === 'pulumi-stack');
    if (!stacks.length) {
        void vscode.window.showInformationMessage('No Pulumi stack is stored yet: add one with Add Pulumi Stack…, or analyze against policy groups.');
        return undefined;
    }
    const stack = await vscode.window.showQuickPick(
        stacks.map((a) => ({ label: a.name, description: `${a.project}/${a.stack}` })),
        { title: 'Analyze State File', placeHolder: 'Stack whose policy groups apply' },
    );
    return stack ? { stack: stack.label } : undefined;
}

export function registerAnalyzeStateCommands(server: ServerApi, output: vscode.LogOutputChannel): vscode.Disposable[] {
    return [
        vscode.commands.registerCommand('policyInsights.analyzeStateFile', async (args?: AnalyzeStateFileParams) => {
            try {
                const stateFile =
                    args?.stateFile ??
                    (
                        await vscode.window.showOpenDialog({
                            title: 'Analyze State File: a `pulumi stack export` file or a file-backend state',
                            openLabel: 'Analyze',
                            canSelectMany: false,
                            filters: { 'Pulumi state': ['json', 'gz'] },
                            defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
                        })
                    )?.[0]?.fsPath;
                if (!stateFile && !args?.stack) return undefined;
                const selection = args?.groups?.length || args?.stack !== undefined ? { groups: args.groups, stack: args.stack } : await chooseSelection(server);
                if (!selection) return undefined;
                const result = await vscode.window.withProgress(
                    { location: vscode.ProgressLocation.Notification, title: `Analyzing ${stateFile ?? `stack ${selection.stack}`}…`, cancellable: true },
                    (_progress, token) => server.analyzeStateFile({ ...(stateFile ? { stateFile } : {}), ...selection }, token),
                );
                for (const line of analyzeReportLines(result)) output.info(line);
                const show = result.failed ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
                void show(`Analyzed ${vscode.workspace.asRelativePath(result.stateFile)}: ${summary(result)}`, 'Show Output').then((choice) => {
                    if (choice) output.show(true);
                });
                return result;
            } catch (err) {
                showFailure(output, 'Analyze State File', err);
                return undefined;
            }
        }),
    ];
}
