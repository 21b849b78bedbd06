// The extension inside a real VS Code (code-server or desktop): activation, the language
// server handshake, commands and the four trees, all against the real server process.
// Every wait is on an event or a promise the extension exposes, never on a sleep.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { resourceUri } from '../../client/src/resourceDocuments';
import { moreResourcesLabel, TYPE_CHILDREN_SHOWN } from '../../client/src/views/resourceTypeChildren';
import { GROUP_CHILDREN_SHOWN, moreLabel } from '../../client/src/views/violationGroupChildren';
import { Store } from '../../server/src/store';
import { syntheticViolations } from '../support/syntheticViolations';
import { until } from './waits';

const EXTENSION_ID = 'policy-insights.policy-insights';
const TREE_KINDS = ['packs', 'groups', 'accounts', 'violations'] as const;
type TreeKind = (typeof TREE_KINDS)[number];

/** What `activate()` returns, for tests (see client/src/extension.ts). */
interface PolicyInsightsTestApi {
    /** Resolves when the language server has answered `initialize`. */
    ready: Promise<void>;
    trees: Record<TreeKind, vscode.TreeDataProvider<unknown>>;
    /** The store home the language server reported (a function: a restart may move it). */
    home: string | (() => string);
}

interface ContributedCommand {
    command: string;
}

/** Resolves with the next event, or rejects naming what was awaited after `timeoutMs`. */
function nextEvent<T>(event: vscode.Event<T> | undefined, what: string, timeoutMs = 30_000): Promise<T> {
    if (!event) return Promise.reject(new Error(`${what}: the provider has no onDidChangeTreeData event to wait on`));
    return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
            subscription.dispose();
            reject(new Error(`${what}: no event within ${timeoutMs / 1000} s`));
        }, timeoutMs);
        const subscription = event((value) => {
            clearTimeout(timer);
            subscription.dispose();
            resolve(value);
        });
    });
}

function extension(): vscode.Extension<PolicyInsightsTestApi> {
    const found = vscode.extensions.getExtension<PolicyInsightsTestApi>(EXTENSION_ID);
    assert.ok(found, `extension ${EXTENSION_ID} is not loaded; installed: ${vscode.extensions.all.map((e) => e.id).join(', ')}`);
    return found;
}

/** Declares the suite; called by index.ts once mocha's tdd globals exist. */
export function defineExtensionSuite(): void {
    suite('Policy Insights extension', () => {
        let api: PolicyInsightsTestApi;

        suiteSetup(async () => {
            api = await extension().activate();
        });

        test('activates and exposes the test API', () => {
            assert.equal(extension().isActive, true);
            assert.ok(api, 'activate() returned nothing');
            assert.ok(api.ready instanceof Promise, 'api.ready is not a promise');
            for (const kind of TREE_KINDS) {
                assert.equal(typeof api.trees?.[kind]?.getChildren, 'function', `api.trees.${kind} is not a TreeDataProvider`);
            }
        });

        test('the language server becomes ready', async () => {
            await api.ready;
        });

        test('uses the store home the harness chose', async () => {
            const expected = process.env.POLICY_INSIGHTS_HOME;
            assert.ok(expected, 'POLICY_INSIGHTS_HOME is not set in the extension host; the harness sets it');
            await api.ready;
            const home = typeof api.home === 'function' ? api.home() : api.home;
            assert.equal(home, expected);
        });

        test('contributes the Policy Insights container with its four views', () => {
            const contributes = extension().packageJSON.contributes;
            const containers: { id: string; title: string }[] = contributes.viewsContainers.activitybar;
            assert.deepEqual(
                containers.filter((c) => c.id === 'policyInsights').map((c) => c.title),
                ['Policy Insights'],
            );
            const views: { id: string }[] = contributes.views.policyInsights;
            assert.deepEqual(
                views.map((v) => v.id),
                TREE_KINDS.map((kind) => `policyInsights.${kind}`),
            );
        });

        test('registers every contributed command', async () => {
            const contributed: ContributedCommand[] = extension().packageJSON.contributes.commands;
            assert.ok(contributed.length > 0, 'package.json contributes no commands');
            const registered = new Set(await vscode.commands.getCommands(true));
            const missing = contributed.map((c) => c.command).filter((id) => !registered.has(id));
            assert.deepEqual(missing, [], `contributed in package.json but not registered by activate(): ${missing.join(', ')}`);
        });

        test('policyInsights.refresh refreshes all four trees', async () => {
            await api.ready;
            const refreshed = TREE_KINDS.map((kind) => nextEvent(api.trees[kind].onDidChangeTreeData, `${kind} tree refresh`));
            await vscode.commands.executeCommand('policyInsights.refresh');
            await Promise.all(refreshed);
        });

        for (const kind of TREE_KINDS) {
            test(`the ${kind} tree lists its root nodes from the language server`, async () => {
                await api.ready;
                const tree = api.trees[kind];
                const roots = await tree.getChildren(undefined);
                assert.ok(Array.isArray(roots), `${kind}: getChildren() returned ${String(roots)}, not an array`);
                for (const node of roots) {
                    const item = await tree.getTreeItem(node);
                    const label = typeof item.label === 'string' ? item.label : item.label?.label;
                    assert.ok(label, `${kind}: a root node has no label`);
                    // A failed server request shows as an error node, not as an exception.
                    const isErrorNode = item.iconPath instanceof vscode.ThemeIcon && item.iconPath.id === 'error';
                    assert.ok(!isErrorNode, `${kind}: the tree shows an error instead of server data: ${label} (${String(item.tooltip ?? '')})`);
                }
            });
        }

        test('the groups tree shows default-policy-group from the store', async () => {
            // Every store has it (the design notes: every account is in default-policy-group), so an
            // empty home still proves the tree shows what the server read from the store.
            await api.ready;
            const roots = await api.trees.groups.getChildren(undefined);
            const labels = await Promise.all((roots ?? []).map(async (node) => {
                const item = await api.trees.groups.getTreeItem(node);
                return typeof item.label === 'string' ? item.label : item.label?.label;
            }));
            assert.ok(labels.includes('default-policy-group'), `groups tree roots: ${JSON.stringify(labels)}`);
        });

        test('a Violations tree group larger than the tree lists lists its first violations and a node that opens the panel on the rest', async () => {
            await api.ready;
            const home = typeof api.home === 'function' ? api.home() : api.home;
            const account = 'tree-cap/us-east-1';
            const policyName = 'tree-cap-policy';
            const extra = 25;
            const { violations } = syntheticViolations(GROUP_CHILDREN_SHOWN + extra, { seed: 21 });
            // Written by another process as far as the server knows (this extension host): its store watcher tells the tree.
            const store = await Store.open({ home });
            await store.updateShard(account, (shard) => {
                shard.violations = violations.map((v, i) => ({ ...v, id: `tree-cap-${i}`, entityId: account, entityType: 'insights-account', policyPack: 'tree-cap-pack', policyName, status: 'open', suppression: undefined, resolvedAt: undefined }));
            });
            const tree = api.trees.violations;
            const groupNode = async () => {
                for (const node of (await tree.getChildren(undefined)) ?? []) {
                    const item = await tree.getTreeItem(node);
                    if (item.label === policyName && String(item.description).startsWith(`${GROUP_CHILDREN_SHOWN + extra} `)) return node;
                }
                return undefined;
            };
            try {
                await until([tree.onDidChangeTreeData!], async () => (await groupNode()) !== undefined, `the group ${policyName} with ${GROUP_CHILDREN_SHOWN + extra} violations in the Violations tree`, 30_000);
                const children = (await tree.getChildren(await groupNode())) ?? [];
                assert.equal(children.length, GROUP_CHILDREN_SHOWN + 1, `${GROUP_CHILDREN_SHOWN} violations and one node for the rest`);
                const more = await tree.getTreeItem(children[children.length - 1]);
                assert.equal(more.label, moreLabel(extra));
                assert.equal(more.command?.command, 'policyInsights.showViolations');
                const isPanel = (tab: vscode.Tab) => tab.input instanceof vscode.TabInputWebview && tab.input.viewType.endsWith('policyInsights.violations');
                const panelOpen = () => vscode.window.tabGroups.all.some((g) => g.tabs.some(isPanel));
                await vscode.commands.executeCommand(more.command.command, ...(more.command.arguments ?? []));
                await until([vscode.window.tabGroups.onDidChangeTabs], async () => panelOpen(), 'the Policy Violations panel to open', 15_000);
                for (const group of vscode.window.tabGroups.all) await vscode.window.tabGroups.close(group.tabs.filter(isPanel));
            } finally {
                await store.removeShard(account);
                await store.close();
            }
        });

        test('a resource type larger than the Accounts tree lists lists its first resources and a node whose picker finds the rest', async () => {
            await api.ready;
            const home = typeof api.home === 'function' ? api.home() : api.home;
            const account = 'tree-types';
            const child = `${account}/us-east-1`;
            const type = 'aws:s3/bucket:Bucket';
            const extra = 25;
            const name = (i: number) => `bucket-${String(i).padStart(3, '0')}`;
            const urn = (i: number) => `urn:pulumi:scan::tree-types::${type}::${name(i)}`;
            // Written by another process as far as the server knows (this extension host): its store watcher tells the tree.
            const store = await Store.open({ home });
            await store.updateCatalog((catalog) => {
                catalog.accounts.push({ name: account, provider: 'aws', settings: { regions: ['us-east-1'] }, children: [child], scanSchedule: 'none', createdAt: new Date(0).toISOString() });
            });
            await store.updateShard(child, (shard) => {
                shard.resources = Array.from({ length: TYPE_CHILDREN_SHOWN + extra }, (_, i) => ({ account: child, region: 'us-east-1', urn: urn(i), type, name: name(i), id: `${name(i)}-id`, properties: {}, hash: name(i) }));
            });
            const tree = api.trees.accounts;
            const childLabelled = async (parent: unknown, label: string) => {
                for (const node of (await tree.getChildren(parent)) ?? []) if ((await tree.getTreeItem(node)).label === label) return node;
                return undefined;
            };
            const window = vscode.window as { createQuickPick: typeof vscode.window.createQuickPick };
            const createQuickPick = window.createQuickPick;
            let picker: vscode.QuickPick<vscode.QuickPickItem> | undefined;
            try {
                await until([tree.onDidChangeTreeData!], async () => (await childLabelled(undefined, account)) !== undefined, `the account ${account} in the Accounts tree`, 30_000);
                const region = await childLabelled(await childLabelled(undefined, account), 'us-east-1');
                const typeNode = await childLabelled(region, type);
                assert.ok(typeNode, `the type ${type} under ${child}`);
                const children = (await tree.getChildren(typeNode)) ?? [];
                assert.equal(children.length, TYPE_CHILDREN_SHOWN + 1, `${TYPE_CHILDREN_SHOWN} resources and one node for the rest`);
                assert.equal((await tree.getTreeItem(children[0])).label, name(0), 'in the stored order');
                const more = await tree.getTreeItem(children[children.length - 1]);
                assert.equal(more.label, moreResourcesLabel(extra));
                assert.equal(more.command?.command, 'policyInsights.findResource');

                // The real picker the command creates, kept to type into it as a user would.
                let created!: () => void;
                const pickerCreated = new Promise<void>((resolve) => (created = resolve));
                window.createQuickPick = <T extends vscode.QuickPickItem>() => {
                    const made = createQuickPick.call(vscode.window) as vscode.QuickPick<T>;
                    picker = made as unknown as vscode.QuickPick<vscode.QuickPickItem>;
                    created();
                    return made;
                };
                await vscode.commands.executeCommand(more.command.command, ...(more.command.arguments ?? []));
                await pickerCreated;
                window.createQuickPick = createQuickPick;
                const p = picker!;
                const labels = () => p.items.map((item) => item.label);
                // VS Code makes the first row active whenever the rows change: that event says they arrived.
                const rowsChanged = [p.onDidChangeActive, p.onDidChangeValue];
                await until(rowsChanged, async () => p.items.length === TYPE_CHILDREN_SHOWN, `the picker's first ${TYPE_CHILDREN_SHOWN} resources`, 15_000);
                p.value = 'BUCKET-02';
                const expected = Array.from({ length: 10 }, (_, i) => name(20 + i));
                await until(rowsChanged, async () => JSON.stringify(labels()) === JSON.stringify(expected), `the picker's matches of BUCKET-02 (${expected.join(', ')})`, 15_000);
                p.value = '-ID';
                await until(rowsChanged, async () => p.items.length === TYPE_CHILDREN_SHOWN && p.title?.includes('type more to narrow') === true, 'the first matches of an id search', 15_000);
                p.value = 'bucket-224';
                await until(rowsChanged, async () => JSON.stringify(labels()) === JSON.stringify([name(224)]), `the picker's match ${name(224)}, beyond the tree's first ${TYPE_CHILDREN_SHOWN}`, 15_000);

                // Accepting opens it as clicking a resource node does (policyInsights.openResource on its document).
                const opened = resourceUri(child, urn(224)).toString();
                const isOpened = async () => vscode.window.activeTextEditor?.document.uri.toString() === opened;
                await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
                await until([vscode.window.onDidChangeActiveTextEditor], isOpened, `the resource document of ${name(224)}`, 15_000);
                assert.match(vscode.window.activeTextEditor!.document.getText(), new RegExp(`"name": "${name(224)}"`));
                await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
            } finally {
                window.createQuickPick = createQuickPick;
                picker?.hide();
                await store.removeShard(child);
                await store.updateCatalog((catalog) => void (catalog.accounts = catalog.accounts.filter((a) => a.name !== account)));
                await store.close();
            }
        });

        test('policyInsights.showOutput shows the Policy Insights output channel', async () => {
            // The output channel shows as a visible editor of scheme `output` whose path ends in the
            // channel's name (code-server 4.100: output:policy-insights.policy-insights.Policy%20Insights).
            const isOurChannel = (editor: vscode.TextEditor) => editor.document.uri.scheme === 'output' && editor.document.uri.path.endsWith('Policy Insights');
            const shown = () => vscode.window.visibleTextEditors.some(isOurChannel);
            const visible = () => vscode.window.visibleTextEditors.map((e) => e.document.uri.toString()).join(', ') || 'none';
            await vscode.commands.executeCommand('workbench.action.closePanel');
            await until([vscode.window.onDidChangeVisibleTextEditors], async () => !shown(), 'the panel to close', 15_000);
            await vscode.commands.executeCommand('policyInsights.showOutput');
            await until([vscode.window.onDidChangeVisibleTextEditors], async () => shown(), `the Policy Insights channel to be shown (visible editors: ${visible()})`, 15_000);
        });
    });
}
