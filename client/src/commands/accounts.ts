/**
 * Account commands: Add AWS Account…, Add Kubernetes Cluster…, Add Pulumi Stack…, Scan Account…, Remove Account…,
 * Set Scan Schedule…, Open Resource, Find Resource… (findResource.ts). Scans show progress in a notification with Cancel.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ScanSchedule } from '../../../server/src/shared/model';
import { ACCOUNT_NAME_PATTERN, isChildName, parentAccountName } from '../../../server/src/shared/names';
import type { AddAwsAccountParams, AddKubernetesAccountParams, ScanSummary } from '../../../server/src/shared/protocol';
import { describeScanProgress, progressPercent, type ScanProgress } from '../../../server/src/shared/scanProgress';
import type { ServerApi } from '../serverApi';
import { AccountNode, ChildAccountNode, ResourceNode } from '../views/accountsTreeProvider';
import { describeFailure } from '../failures';
import { registerFindResourceCommand } from './findResource';
import { showFailure } from '../showFailure';

const AWS_REGIONS = [
    'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'ca-central-1', 'sa-east-1',
    'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-central-1', 'eu-north-1', 'eu-south-1',
    'ap-south-1', 'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ap-southeast-1', 'ap-southeast-2', 'me-south-1', 'af-south-1',
];
const SCHEDULES: { label: ScanSchedule; detail: string }[] = [
    { label: 'none', detail: 'Scan only when asked' },
    { label: '12h', detail: 'Every 12 hours while VS Code runs' },
    { label: 'daily', detail: 'Once a day while VS Code runs' },
];


function validateName(value: string): string | undefined {
    if (isChildName(value)) return 'No "/": regions are addressed as name/region.';
    return ACCOUNT_NAME_PATTERN.test(value) ? undefined : 'Letters, digits, ".", "_" and "-".';
}

function describeScan(s: ScanSummary): string {
    const failed = s.errors.length ? ` ${s.errors.length} service error(s): ${s.errors.slice(0, 3).map((e) => `${e.service}${e.region ? ` ${e.region}` : ''} ${e.code}`).join(', ')}${s.errors.length > 3 ? '…' : ''}.` : '';
    return `Scanned ${s.scanned}: ${s.added} added, ${s.changed} changed, ${s.removed} removed, ${s.unchanged} unchanged.${failed}`;
}

async function pickAccountName(server: ServerApi, node: unknown, title: string): Promise<string | undefined> {
    if (node instanceof AccountNode) return node.account.name;
    if (node instanceof ChildAccountNode) return node.childName;
    if (typeof node === 'string') return node;
    const accounts = await server.listAccounts();
    if (!accounts.length) {
        void vscode.window.showInformationMessage('No accounts yet.', 'Add AWS Account…', 'Add Pulumi Stack…').then((c) => {
            if (c) void vscode.commands.executeCommand(c.startsWith('Add AWS') ? 'policyInsights.addAwsAccount' : 'policyInsights.addPulumiStack');
        });
        return undefined;
    }
    const picked = await vscode.window.showQuickPick(
        accounts.flatMap((a) => [
            { label: a.name, description: a.provider === 'aws' ? `AWS, ${a.children.length} region(s)` : a.provider === 'kubernetes' ? `Kubernetes, ${a.children.length} namespace(s)` : 'Pulumi stack' },
            ...(a.provider !== 'pulumi-stack' ? a.children.map((c) => ({ label: c, description: a.provider === 'kubernetes' ? 'one namespace' : 'one region' })) : []),
        ]),
        { title, placeHolder: 'Account' },
    );
    return picked?.label;
}

/**
 * The steps of Add Kubernetes Cluster…: a kubeconfig (kubectl's own, or one picked), one of its
 * contexts, a name, and the namespaces to scan. Undefined when the user backs out.
 */
async function askKubernetesCluster(server: ServerApi, preset: Partial<AddKubernetesAccountParams> | undefined): Promise<AddKubernetesAccountParams | undefined> {
    const title = 'Add Kubernetes Cluster';
    let found: Awaited<ReturnType<ServerApi['listKubeContexts']>> | undefined;
    let problem: string | undefined;
    try {
        found = await server.listKubeContexts();
    } catch (err) {
        problem = describeFailure(err).text;
    }
    const browse = { label: '$(folder-opened) Choose a kubeconfig file…', file: undefined as string | undefined };
    const picked = await vscode.window.showQuickPick(
        [...(found ? [{ label: found.kubeconfig, description: `${found.contexts.length} context(s)`, file: found.kubeconfig as string | undefined }] : []), browse],
        { title: `${title} (1/4): kubeconfig`, placeHolder: problem ? `The default kubeconfig cannot be used: ${problem}` : 'The file kubectl uses, or another' },
    );
    if (!picked) return undefined;
    let kubeconfig = picked.file;
    if (!kubeconfig) {
        kubeconfig = (await vscode.window.showOpenDialog({ title: `${title}: kubeconfig file`, openLabel: 'Use Kubeconfig', canSelectMany: false }))?.[0]?.fsPath;
        if (!kubeconfig) return undefined;
        found = await server.listKubeContexts(kubeconfig);
    }
    const contexts = found?.contexts ?? [];
    const context = await vscode.window.showQuickPick(
        contexts.map((c) => ({ label: c.name, description: `${c.server ?? c.cluster}${c.current ? ' (current)' : ''}`, detail: c.namespace ? `namespace ${c.namespace}` : undefined })),
        { title: `${title} (2/4): context`, placeHolder: 'The cluster and credentials to scan with' },
    );
    if (!context) return undefined;
    const name =
        preset?.name ??
        (await vscode.window.showInputBox({ title: `${title} (3/4)`, prompt: 'A name for this cluster in Policy Insights', value: context.label.replace(/[^A-Za-z0-9._-]/g, '-').replace(/^[^A-Za-z0-9]+/, ''), validateInput: validateName }));
    if (!name) return undefined;
    const namespaces = await vscode.window.showInputBox({
        title: `${title} (4/4): namespaces`,
        prompt: 'Namespaces to scan, comma-separated; leave empty for every namespace (the context must be allowed to list them)',
        placeHolder: 'team-a, team-b',
        validateInput: (v) => (v.split(',').every((n) => !n.trim() || /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(n.trim())) ? undefined : 'Namespace names: lower-case letters, digits and "-"'),
    });
    if (namespaces === undefined) return undefined;
    const list = namespaces.split(',').map((n) => n.trim()).filter(Boolean);
    return { name, kubeconfig, context: context.label, ...(list.length ? { namespaces: list } : {}), scanSchedule: preset?.scanSchedule };
}

/** The notifications of scans started here, by account: their progress is shown in them, not in the status bar. */
const foregroundScans = new Map<string, { progress: vscode.Progress<{ message?: string; increment?: number }>; percent: number }>();

export async function scanWithProgress(server: ServerApi, output: vscode.LogOutputChannel, name: string): Promise<ScanSummary | undefined> {
    return vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Scanning ${name}`, cancellable: true },
        async (progress, token) => {
            const account = parentAccountName(name);
            foregroundScans.set(account, { progress, percent: 0 });
            try {
                const summary = await server.scanAccount(name, token);
                const show = summary.errors.length ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
                void show(describeScan(summary));
                return summary;
            } catch (err) {
                if (token.isCancellationRequested) void vscode.window.showInformationMessage(`Scan of ${name} cancelled; nothing it had found was stored.`);
                else showFailure(output, `Scan of ${name} failed`, err);
                return undefined;
            } finally {
                foregroundScans.delete(account);
            }
        },
    );
}

/**
 * A scan's progress (ScanProgressNotification): in the notification of a scan started here (a
 * stack import's MiB read, an AWS scan's services done), else in the status bar (schedules,
 * stack re-imports).
 */
export function showScanProgress(p: ScanProgress & { account: string }): void {
    const foreground = foregroundScans.get(p.account);
    if (!foreground) {
        vscode.window.setStatusBarMessage(`$(sync~spin) Scanning ${p.account}: ${describeScanProgress(p)}`, 3000);
        return;
    }
    const percent = progressPercent(p);
    foreground.progress.report({ message: describeScanProgress(p), increment: Math.max(0, percent - foreground.percent) });
    foreground.percent = Math.max(foreground.percent, percent);
}

export function registerAccountCommands(server: ServerApi, output: vscode.LogOutputChannel): vscode.Disposable[] {
    return [
        vscode.commands.registerCommand('policyInsights.addAwsAccount', async (args?: Partial<AddAwsAccountParams>) => {
            try {
                const name =
                    args?.name ??
                    (await vscode.window.showInputBox({ title: 'Add AWS Account (1/5)', prompt: 'A name for this account in Policy Insights', placeHolder: 'insights-aws-account', validateInput: validateName }));
                if (!name) return undefined;
                let profile = args?.profile;
                let defaultRegion: string | undefined;
                if (!args) {
                    const profiles = await server.listAwsProfiles();
                    const picked = await vscode.window.showQuickPick(
                        [
                            { label: '$(key) Default credential chain', description: 'environment, SSO, instance role…', profile: undefined as string | undefined, region: undefined as string | undefined },
                            ...profiles.map((p) => ({ label: p.name, description: p.region ?? '', profile: p.name, region: p.region })),
                        ],
                        { title: 'Add AWS Account (2/5): credentials', placeHolder: 'AWS profile from ~/.aws/config and ~/.aws/credentials' },
                    );
                    if (!picked) return undefined;
                    profile = picked.profile;
                    defaultRegion = picked.region;
                }
                let regions = args?.regions;
                if (!regions) {
                    const picked = await vscode.window.showQuickPick(
                        AWS_REGIONS.map((r) => ({ label: r, picked: r === (defaultRegion ?? 'us-east-1') })),
                        { title: 'Add AWS Account (3/5): regions to scan', canPickMany: true },
                    );
                    if (!picked?.length) return undefined;
                    regions = picked.map((p) => p.label);
                }
                let allTypes = args?.allTypes;
                if (!args) {
                    const picked = await vscode.window.showQuickPick(
                        [
                            { label: 'Types policies target', description: 'the @pulumi/aws types real packs validate', allTypes: false },
                            { label: 'All types (Cloud Control)', description: 'also every other AWS type, as @pulumi/aws-native resources; more calls', allTypes: true },
                        ],
                        { title: 'Add AWS Account (4/5): types to scan' },
                    );
                    if (!picked) return undefined;
                    allTypes = picked.allTypes;
                }
                let roleArn = args?.roleArn;
                let externalId = args?.externalId;
                if (!args) {
                    roleArn =
                        (await vscode.window.showInputBox({
                            title: 'Add AWS Account (5/5): role to assume (optional)',
                            prompt: 'Leave empty to use the credentials directly',
                            placeHolder: 'arn:aws:iam::123456789012:role/PolicyInsightsReadOnly',
                            validateInput: (v) => (!v || /^arn:aws[\w-]*:iam::\d{12}:role\/.+/.test(v) ? undefined : 'An IAM role ARN'),
                        })) || undefined;
                    if (roleArn) externalId = (await vscode.window.showInputBox({ title: 'External id (optional)', prompt: 'Only if the role requires one' })) || undefined;
                }
                const account = await vscode.window.withProgress(
                    { location: vscode.ProgressLocation.Notification, title: `Checking the credentials of ${name} (STS GetCallerIdentity)…` },
                    () => server.addAwsAccount({ name, profile, regions: regions!, roleArn, externalId, endpoint: args?.endpoint, scanSchedule: args?.scanSchedule, allTypes }),
                );
                if (!args) {
                    void vscode.window.showInformationMessage(`Added ${account.name} (AWS account ${account.awsAccountId ?? '?'}).`, 'Scan Now').then((c) => {
                        if (c) void scanWithProgress(server, output, account.name);
                    });
                }
                return account;
            } catch (err) {
                showFailure(output, 'Add AWS Account', err);
                return undefined;
            }
        }),
        vscode.commands.registerCommand('policyInsights.addKubernetesCluster', async (args?: Partial<AddKubernetesAccountParams>) => {
            try {
                const params = args?.kubeconfig ? args : await askKubernetesCluster(server, args);
                if (!params?.kubeconfig || !params.name) return undefined;
                const { name, kubeconfig, context, namespaces, scanSchedule } = params;
                const account = await vscode.window.withProgress(
                    { location: vscode.ProgressLocation.Notification, title: `Connecting to the cluster of ${context ?? 'the current context'}…` },
                    () => server.addKubernetesAccount({ name, kubeconfig, context, namespaces, scanSchedule }),
                );
                if (!args?.kubeconfig) {
                    void vscode.window.showInformationMessage(`Added ${account.name} (${account.settings.server ?? 'cluster'}, ${account.children.length} namespace(s)).`, 'Scan Now').then((c) => {
                        if (c) void scanWithProgress(server, output, account.name);
                    });
                }
                return account;
            } catch (err) {
                showFailure(output, 'Add Kubernetes Cluster', err);
                return undefined;
            }
        }),
        vscode.commands.registerCommand('policyInsights.addPulumiStack', async (args?: { name?: string; stateFile?: string }) => {
            try {
                const stateFile =
                    args?.stateFile ??
                    (
                        await vscode.window.showOpenDialog({
                            title: 'Add Pulumi Stack: a `pulumi stack export` file or a file-backend state',
                            openLabel: 'Add Stack',
                            canSelectMany: false,
                            filters: { 'Pulumi state': ['json', 'gz'] },
                            defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
                        })
                    )?.[0]?.fsPath;
                if (!stateFile) return undefined;
                const suggested = path.basename(stateFile).replace(/(\.export)?\.json(\.gz)?$/, '').replace(/[^A-Za-z0-9._-]/g, '-');
                const name =
                    args?.name ??
                    (await vscode.window.showInputBox({ title: 'Add Pulumi Stack', prompt: 'A name for this stack in Policy Insights', value: suggested, validateInput: validateName }));
                if (!name) return undefined;
                const account = await server.addStackAccount({ name, stateFile });
                // A stack is read from its file: import it now (the file is watched from then on).
                await scanWithProgress(server, output, account.name);
                return account;
            } catch (err) {
                showFailure(output, 'Add Pulumi Stack', err);
                return undefined;
            }
        }),
        vscode.commands.registerCommand('policyInsights.scanAccount', async (node?: unknown) => {
            const name = await pickAccountName(server, node, 'Scan Account');
            return name ? scanWithProgress(server, output, name) : undefined;
        }),
        vscode.commands.registerCommand('policyInsights.removeAccount', async (node?: unknown) => {
            const name = await pickAccountName(server, node, 'Remove Account');
            if (!name) return;
            const confirm = await vscode.window.showWarningMessage(`Remove ${name}, its stored resources and its violations?`, { modal: true }, 'Remove');
            if (confirm !== 'Remove') return;
            try {
                await server.removeAccount(parentAccountName(name));
            } catch (err) {
                showFailure(output, `Could not remove ${name}`, err);
            }
        }),
        vscode.commands.registerCommand('policyInsights.setScanSchedule', async (node?: unknown) => {
            const name = await pickAccountName(server, node, 'Change Scan Schedule');
            if (!name) return;
            const schedule = await vscode.window.showQuickPick(SCHEDULES, { title: `Scan schedule of ${name}` });
            if (!schedule) return;
            try {
                await server.setScanSchedule(parentAccountName(name), schedule.label);
            } catch (err) {
                showFailure(output, `Could not set the schedule of ${name}`, err);
            }
        }),
        vscode.commands.registerCommand('policyInsights.openResource', async (node?: ResourceNode | vscode.Uri) => {
            const uri = node instanceof ResourceNode ? node.uri : node;
            if (!uri) return;
            const doc = await vscode.workspace.openTextDocument(uri);
            await vscode.languages.setTextDocumentLanguage(doc, 'json');
            await vscode.window.showTextDocument(doc, { preview: true });
        }),
        registerFindResourceCommand(server, output),
    ];
}
