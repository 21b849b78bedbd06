/**
 * Policy pack commands: New Policy Pack…, Install Dependencies, Publish Policy Pack,
 * Remove Version. The UI is here; the work (scaffold, npm install, bundle, publish) is
 * done by the server.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { PolicyPackVersion } from '../../../server/src/shared/model';
import { PACK_NAME_PATTERN } from '../../../server/src/shared/names';
import type { ServerApi } from '../serverApi';
import { type PackNode, PackVersionNode } from '../views/packsTreeProvider';
import { showFailure } from '../showFailure';

/** Arguments for driving New Policy Pack without prompts (tests, walkthrough links). */
export interface NewPolicyPackArgs {
    template?: string;
    /** The pack folder (its name becomes the pack name). */
    dir?: string;
    /** Run npm install afterwards (default true). */
    install?: boolean;
    force?: boolean;
}


async function pickTemplate(server: ServerApi): Promise<string | undefined> {
    const templates = await server.listTemplates();
    const picked = await vscode.window.showQuickPick(
        templates.map((t) => ({ label: t.name, description: t.language, detail: t.description })),
        { title: 'New Policy Pack (1/2): template', placeHolder: 'Choose a policy pack template', matchOnDetail: true },
    );
    return picked?.label;
}

async function pickPackFolder(template: string): Promise<string | undefined> {
    const defaultParent = vscode.workspace.workspaceFolders?.[0]?.uri;
    const parent = await vscode.window.showOpenDialog({
        title: 'New Policy Pack (2/2): where to create it',
        openLabel: 'Create Pack Here',
        canSelectFiles: false,
        canSelectFolders: true,
        canSelectMany: false,
        defaultUri: defaultParent,
    });
    if (!parent?.[0]) return undefined;
    const name = await vscode.window.showInputBox({
        title: 'New Policy Pack: name',
        prompt: `A new folder with this name is created in ${parent[0].fsPath}; it is also the pack's name.`,
        value: template,
        validateInput: (value) => (PACK_NAME_PATTERN.test(value) ? undefined : 'Letters, digits, "-", "_" and "." only (1 to 100 characters).'),
    });
    return name ? path.join(parent[0].fsPath, name) : undefined;
}

async function installWithProgress(server: ServerApi, output: vscode.LogOutputChannel, dir: string): Promise<boolean> {
    return vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Installing the dependencies of ${path.basename(dir)} (npm install)`, cancellable: true },
        async (_progress, token) => {
            output.info(`npm install in ${dir}`);
            try {
                await server.installDependencies(dir, token);
                output.info(`npm install in ${dir} finished`);
                return true;
            } catch (err) {
                if (token.isCancellationRequested) {
                    void vscode.window.showWarningMessage(`Dependency install in ${dir} was cancelled. Run "Policy Insights: Install Dependencies" later.`);
                } else {
                    // npm's own output is in the output: offered even for a failure the user can act on
                    showFailure(output, `npm install failed in ${dir}`, err, { offerOutput: true });
                }
                return false;
            }
        },
    );
}

/** The pack folder for a command: an explicit argument, the active editor's pack, or a pick among the workspace's packs. */
async function resolvePackDir(arg: unknown): Promise<string | undefined> {
    if (typeof arg === 'string') return arg;
    if (arg instanceof vscode.Uri) return (await isFolder(arg)) ? arg.fsPath : path.dirname(arg.fsPath);
    const active = vscode.window.activeTextEditor?.document.uri;
    if (active?.scheme === 'file') {
        const candidate = vscode.Uri.file(path.join(path.dirname(active.fsPath), 'PulumiPolicy.yaml'));
        if (await exists(candidate)) return path.dirname(active.fsPath);
    }
    const manifests = await vscode.workspace.findFiles('**/PulumiPolicy.yaml', '**/node_modules/**', 50);
    if (manifests.length === 1) return path.dirname(manifests[0].fsPath);
    if (manifests.length === 0) {
        void vscode.window.showInformationMessage('No policy pack (a folder with PulumiPolicy.yaml) in this workspace.', 'New Policy Pack…').then((c) => {
            if (c) void vscode.commands.executeCommand('policyInsights.newPolicyPack');
        });
        return undefined;
    }
    const picked = await vscode.window.showQuickPick(
        manifests.map((m) => ({ label: path.basename(path.dirname(m.fsPath)), description: vscode.workspace.asRelativePath(path.dirname(m.fsPath)), dir: path.dirname(m.fsPath) })),
        { title: 'Publish Policy Pack', placeHolder: 'Which policy pack?' },
    );
    return picked?.dir;
}

async function exists(uri: vscode.Uri): Promise<boolean> {
    try {
        await vscode.workspace.fs.stat(uri);
        return true;
    } catch {
        return false;
    }
}

async function isFolder(uri: vscode.Uri): Promise<boolean> {
    try {
        return (await vscode.workspace.fs.stat(uri)).type === vscode.FileType.Directory;
    } catch {
        return false;
    }
}

export function registerPackCommands(server: ServerApi, output: vscode.LogOutputChannel): vscode.Disposable[] {
    return [
        vscode.commands.registerCommand('policyInsights.newPolicyPack', async (args: NewPolicyPackArgs = {}) => {
            try {
                const template = args.template ?? (await pickTemplate(server));
                if (!template) return undefined;
                const dir = args.dir ?? (await pickPackFolder(template));
                if (!dir) return undefined;
                const result = await server.scaffoldPack({ template, dir, force: args.force });
                const doc = await vscode.workspace.openTextDocument(result.entry);
                await vscode.window.showTextDocument(doc, { preview: false });
                if (args.install !== false) await installWithProgress(server, output, result.dir);
                return result;
            } catch (err) {
                showFailure(output, 'New Policy Pack', err);
                return undefined;
            }
        }),
        vscode.commands.registerCommand('policyInsights.installDependencies', async (arg?: unknown) => {
            const dir = await resolvePackDir(arg);
            if (dir) await installWithProgress(server, output, dir);
        }),
        vscode.commands.registerCommand('policyInsights.publishPolicyPack', async (arg?: unknown): Promise<PolicyPackVersion | undefined> => {
            const packDir = await resolvePackDir(arg);
            if (!packDir) return undefined;
            if (!vscode.workspace.isTrusted) {
                void vscode.window.showWarningMessage('Publishing runs the policy pack, and packs are code: trust this workspace first.', 'Manage Workspace Trust').then((c) => {
                    if (c) void vscode.commands.executeCommand('workbench.trust.manage');
                });
                return undefined;
            }
            await vscode.workspace.saveAll(false);
            try {
                const record = await vscode.window.withProgress(
                    { location: vscode.ProgressLocation.Notification, title: `Publishing ${path.basename(packDir)}…` },
                    () => server.publishPack(packDir),
                );
                void vscode.window.showInformationMessage(`Published ${record.name}@${record.versionTag} as version ${record.version} (${record.policies.length} policies).`);
                return record;
            } catch (err) {
                // the publish's progress (validation, bundling) is in the output
                showFailure(output, 'Publish failed', err, { offerOutput: true });
                return undefined;
            }
        }),
        vscode.commands.registerCommand('policyInsights.runPolicyAgainstAccount', async (args?: { packDir: string; policyName: string; account?: string }) => {
            if (!args?.packDir || !args.policyName) return undefined;
            let account = args.account;
            if (!account) {
                const accounts = await server.listAccounts();
                account = (
                    await vscode.window.showQuickPick(
                        accounts.flatMap((a) => [{ label: a.name, description: a.provider === 'aws' ? 'all regions' : 'Pulumi stack' }, ...a.children.map((c) => ({ label: c, description: 'one region' }))]),
                        { title: `Run ${args.policyName} (working copy) against…`, placeHolder: 'A scanned account' },
                    )
                )?.label;
                if (!account) return undefined;
            }
            // The runner loads the pack from disk: what the user sees is what runs.
            await vscode.workspace.saveAll(false);
            try {
                const result = await vscode.window.withProgress(
                    { location: vscode.ProgressLocation.Notification, title: `Running ${args.policyName} (working copy) against ${account}…` },
                    () => server.runPolicy({ packDir: args.packDir, policyName: args.policyName, account: account! }),
                );
                output.info(`${result.policyName} (working copy) against ${result.account}: ${result.findings.length} finding(s) in ${result.resourceCount} resources`);
                for (const f of result.findings.slice(0, 20)) output.info(`  ${f.enforcementLevel} ${f.urn}: ${f.message.replace(/\s+/g, ' ')}`);
                if (result.findings.length > 20) output.info(`  … and ${result.findings.length - 20} more`);
                for (const e of result.errors) output.warn(`  error: ${e}`);
                const first = result.findings.slice(0, 3).map((f) => f.urn.split('::').pop()).join(', ');
                const summary = `${result.policyName} (working copy) on ${result.account}: ${result.findings.length} finding(s) in ${result.resourceCount} resources${first ? `: ${first}${result.findings.length > 3 ? ', …' : ''}` : ''}.`;
                void vscode.window.showInformationMessage(summary, 'Show Findings').then((c) => {
                    if (c) output.show(true);
                });
                return result;
            } catch (err) {
                showFailure(output, `Run ${args.policyName}`, err);
                return undefined;
            }
        }),
        vscode.commands.registerCommand('policyInsights.removePackVersion', async (node?: PackVersionNode | PackNode) => {
            if (!node) return;
            const pack = node instanceof PackVersionNode ? node.pack.name : node.packName;
            const tag = node instanceof PackVersionNode ? node.pack.versionTag : 'all';
            const what = tag === 'all' ? `every version of ${pack}` : `${pack}@${tag}`;
            const confirm = await vscode.window.showWarningMessage(
                `Remove ${what}? Its version tag(s) can never be published again.`,
                { modal: true },
                'Remove',
            );
            if (confirm !== 'Remove') return;
            try {
                await server.removePackVersion(pack, tag);
            } catch (err) {
                showFailure(output, `Could not remove ${what}`, err);
            }
        }),
    ];
}
