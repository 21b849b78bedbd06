/**
 * Policy group commands: Create Policy Group…, Add Policy Pack to Group…, Add Account to
 * Group…, the Remove… actions of the Policy Groups tree, and Evaluate Now. Adding a pack
 * offers the console's Enable dialog: every policy at one level, or a level per policy.
 */
import * as vscode from 'vscode';
import type { EnforcementLevel, EntityType, GroupMode, PolicyConfigValue, PolicyGroup, PolicyPackVersion } from '../../../server/src/shared/model';
import { GROUP_NAME_PATTERN } from '../../../server/src/shared/names';
import type { ServerApi } from '../serverApi';
import { AppliedPackNode, GroupNode, type MemberNode } from '../views/groupsTreeProvider';
import { showFailure } from '../showFailure';

const LEVELS: { label: EnforcementLevel; detail: string }[] = [
    { label: 'advisory', detail: 'Report violations; never block.' },
    { label: 'mandatory', detail: 'Report violations; block deployments in preventative groups.' },
    { label: 'remediate', detail: 'Propose a fix for the resource where the policy can (nothing is changed here).' },
    { label: 'disabled', detail: 'Do not run the policy.' },
];


/** The published version a binding runs: the pack's newest for `latest`, else the tagged one (`versions` newest first, as listPacks gives them). */
export function publishedVersionOf(versions: readonly PolicyPackVersion[], pack: string, versionTag: string): PolicyPackVersion | undefined {
    const ofPack = versions.filter((v) => v.name === pack);
    return versionTag === 'latest' ? ofPack[0] : ofPack.find((v) => v.versionTag === versionTag);
}

/** The group a command was invoked on (a tree node, a name), else the one the user picks. */
export async function pickGroup(server: ServerApi, node: unknown, title: string): Promise<PolicyGroup | undefined> {
    if (node instanceof GroupNode) return node.group;
    if (typeof node === 'string') return (await server.listGroups()).find((g) => g.name === node);
    const groups = await server.listGroups();
    const picked = await vscode.window.showQuickPick(
        groups.map((g) => ({ label: g.name, description: `${g.entityType}, ${g.mode}${g.isDefault ? ', default' : ''}`, group: g })),
        { title, placeHolder: 'Policy group' },
    );
    return picked?.group;
}

/** The console's Enable dialog: one level for every policy, or a level per policy. */
async function pickConfig(policies: { name: string; enforcementLevel: EnforcementLevel; description: string }[], title: string): Promise<Record<string, PolicyConfigValue> | undefined> {
    const mode = await vscode.window.showQuickPick(
        [
            { label: "Use the pack's own levels", id: 'pack' as const },
            { label: 'All policies at one level…', id: 'all' as const },
            { label: 'Choose a level per policy…', id: 'each' as const },
        ],
        { title, placeHolder: 'Enforcement' },
    );
    if (!mode) return undefined;
    if (mode.id === 'pack') return {};
    if (mode.id === 'all') {
        const level = await vscode.window.showQuickPick(LEVELS, { title, placeHolder: 'Enforcement level for every policy of the pack' });
        return level ? { all: level.label } : undefined;
    }
    const config: Record<string, PolicyConfigValue> = {};
    for (const policy of policies) {
        const level = await vscode.window.showQuickPick(
            LEVELS.map((l) => ({ ...l, description: l.label === policy.enforcementLevel ? "(pack's level)" : undefined })),
            { title: `${title}: ${policy.name}`, placeHolder: policy.description },
        );
        if (!level) return undefined;
        if (level.label !== policy.enforcementLevel) config[policy.name] = level.label;
    }
    return config;
}

export function registerGroupCommands(server: ServerApi, output: vscode.LogOutputChannel): vscode.Disposable[] {
    const guarded =
        <A extends unknown[]>(what: string, run: (...args: A) => Promise<unknown>) =>
        async (...args: A) => {
            try {
                return await run(...args);
            } catch (err) {
                showFailure(output, what, err);
                return undefined;
            }
        };

    return [
        vscode.commands.registerCommand(
            'policyInsights.createPolicyGroup',
            guarded('Create Policy Group', async (args?: { name?: string; entityType?: EntityType; mode?: GroupMode }) => {
                const name =
                    args?.name ??
                    (await vscode.window.showInputBox({
                        title: 'Create Policy Group',
                        prompt: 'Name of the policy group',
                        placeHolder: 's3-security-policy-group',
                        validateInput: (v) => (GROUP_NAME_PATTERN.test(v) ? undefined : 'Letters, digits, ".", "_" and "-" (starting with a letter or digit).'),
                    }));
                if (!name) return undefined;
                const entityType =
                    args?.entityType ??
                    (
                        await vscode.window.showQuickPick(
                            [
                                { label: 'accounts' as const, detail: 'Cloud accounts scanned by Policy Insights' },
                                { label: 'stacks' as const, detail: 'Pulumi stacks' },
                            ],
                            { title: `Create Policy Group ${name}`, placeHolder: 'What does this group govern?' },
                        )
                    )?.label;
                if (!entityType) return undefined;
                const mode =
                    args?.mode ??
                    (
                        await vscode.window.showQuickPick(
                            [
                                { label: 'audit' as const, detail: 'Report violations, never block' },
                                { label: 'preventative' as const, detail: 'Mandatory violations fail `policy-insights analyze --policy-group NAME` (exit 1): a CI gate' },
                            ],
                            { title: `Create Policy Group ${name}`, placeHolder: 'Mode' },
                        )
                    )?.label;
                if (!mode) return undefined;
                const group = await server.createGroup({ name, entityType, mode });
                void vscode.window.showInformationMessage(`Created policy group ${group.name}. Add a policy pack and accounts to it.`);
                return group;
            }),
        ),
        vscode.commands.registerCommand(
            'policyInsights.addPackToGroup',
            guarded('Add Policy Pack to Group', async (node?: unknown, args?: { pack?: string; versionTag?: string; config?: Record<string, PolicyConfigValue> }) => {
                const group = await pickGroup(server, node, 'Add Policy Pack to Group');
                if (!group) return undefined;
                const versions = await server.listPacks();
                if (!versions.length) {
                    void vscode.window.showInformationMessage('No policy pack is published yet.', 'Publish Policy Pack').then((c) => {
                        if (c) void vscode.commands.executeCommand('policyInsights.publishPolicyPack');
                    });
                    return undefined;
                }
                const packName =
                    args?.pack ??
                    (await vscode.window.showQuickPick([...new Set(versions.map((v) => v.name))], { title: `Add Policy Pack to ${group.name}`, placeHolder: 'Policy pack' }));
                if (!packName) return undefined;
                const ofPack = versions.filter((v) => v.name === packName);
                const versionTag =
                    args?.versionTag ??
                    (
                        await vscode.window.showQuickPick(
                            [
                                { label: 'latest', description: `now ${ofPack[0]?.versionTag}`, detail: 'Follows new publishes' },
                                ...ofPack.map((v) => ({ label: v.versionTag, description: `version ${v.version}`, detail: 'Pinned' })),
                            ],
                            { title: `Add ${packName} to ${group.name}`, placeHolder: 'Version' },
                        )
                    )?.label;
                if (!versionTag) return undefined;
                const version = publishedVersionOf(versions, packName, versionTag);
                const config = args?.config ?? (await pickConfig(version?.policies ?? [], `Add ${packName}@${versionTag} to ${group.name}`));
                if (!config) return undefined;
                return server.enablePack({ group: group.name, pack: packName, versionTag, config });
            }),
        ),
        vscode.commands.registerCommand(
            'policyInsights.addAccountToGroup',
            guarded('Add Account to Group', async (node?: unknown, member?: string) => {
                const group = await pickGroup(server, node, 'Add Account to Group');
                if (!group) return undefined;
                let chosen = member;
                if (!chosen) {
                    const accounts = await server.listAccounts();
                    const items =
                        group.entityType === 'stacks'
                            ? accounts.filter((a) => a.provider === 'pulumi-stack').map((a) => ({ label: a.name, description: `${a.project}/${a.stack}` }))
                            : accounts
                                  .filter((a) => a.provider === 'aws')
                                  .flatMap((a) => [{ label: a.name, description: 'all regions' }, ...a.children.map((c) => ({ label: c, description: 'one region' }))]);
                    if (!items.length) {
                        void vscode.window.showInformationMessage(`No ${group.entityType === 'stacks' ? 'Pulumi stack' : 'AWS account'} added yet.`);
                        return undefined;
                    }
                    chosen = (await vscode.window.showQuickPick(items, { title: `Add to ${group.name}`, placeHolder: 'Account (all regions) or account/region' }))?.label;
                }
                if (!chosen) return undefined;
                return server.editGroup(group.entityType === 'stacks' ? { name: group.name, addStacks: [chosen] } : { name: group.name, addAccounts: [chosen] });
            }),
        ),
        vscode.commands.registerCommand(
            'policyInsights.setGroupMode',
            guarded('Change Policy Group Mode', async (node?: unknown, mode?: GroupMode) => {
                const group = await pickGroup(server, node, 'Change Policy Group Mode');
                if (!group) return undefined;
                const chosen =
                    mode ??
                    (
                        await vscode.window.showQuickPick(
                            [
                                { label: 'audit' as const, detail: 'Report violations, never block', description: group.mode === 'audit' ? '(current)' : undefined },
                                { label: 'preventative' as const, detail: 'Mandatory violations fail `policy-insights analyze --policy-group NAME` (exit 1): a CI gate', description: group.mode === 'preventative' ? '(current)' : undefined },
                            ],
                            { title: `Change the mode of ${group.name}`, placeHolder: 'Mode' },
                        )
                    )?.label;
                if (!chosen || chosen === group.mode) return group;
                return server.editGroup({ name: group.name, mode: chosen });
            }),
        ),
        vscode.commands.registerCommand(
            'policyInsights.removeFromGroup',
            guarded('Remove', async (node?: GroupNode | AppliedPackNode | MemberNode) => {
                if (!node) return;
                const what =
                    node instanceof GroupNode
                        ? `policy group ${node.group.name}`
                        : node instanceof AppliedPackNode
                          ? `${node.applied.name} from ${node.group.name}`
                          : `${node.member} from ${node.group.name}`;
                const confirm = await vscode.window.showWarningMessage(`Remove ${what}?`, { modal: true }, 'Remove');
                if (confirm !== 'Remove') return;
                if (node instanceof GroupNode) await server.removeGroup(node.group.name);
                else if (node instanceof AppliedPackNode) await server.disablePack({ group: node.group.name, pack: node.applied.name });
                else if (node.kind === 'stacks') await server.editGroup({ name: node.group.name, removeStacks: [node.member] });
                else await server.editGroup({ name: node.group.name, removeAccounts: [node.member] });
            }),
        ),
        vscode.commands.registerCommand(
            'policyInsights.evaluateNow',
            guarded('Evaluate Now', async (accounts?: string[]) => {
                const summary = await vscode.window.withProgress(
                    { location: vscode.ProgressLocation.Notification, title: 'Evaluating every account against its policy groups…' },
                    () => server.evaluateNow(accounts),
                );
                const problems = summary.problems.length ? ` ${summary.problems.length} problem(s): see the output.` : '';
                void vscode.window.showInformationMessage(
                    `Evaluated ${summary.accounts.length} account(s): ${summary.stillOpen} open violation(s), ${summary.opened} new, ${summary.resolved} resolved.${problems}`,
                );
                return summary;
            }),
        ),
    ];
}
