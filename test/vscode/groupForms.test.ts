// What VS Code reaches of the CLI through its dialogs (issue 12): Configure Policy… on a pack
// binding of the Policy Groups tree sets a config property through the typed steps, whose
// input box is checked by the server with validate-config's rules as the user types; and the
// Violations tree's triage (Set Violation Status…, Reopen Violation, Unsuppress Violation…).
// The dialogs are answered by stubs of vscode.window.showQuickPick/showInputBox that run the
// real validateInput; waits are on events.
import * as assert from 'node:assert/strict';
import { mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { env, until } from './waits';

const EXTENSION_ID = 'policy-insights.policy-insights';
const PACK = 'aws-compliance-typescript';
const GROUP = 'config-form-group';
const STACK = 'config-form-stack';

interface Api {
    ready: Promise<void>;
    trees: Record<'packs' | 'groups' | 'accounts' | 'violations', vscode.TreeDataProvider<unknown>>;
}

interface Labelled {
    node: unknown;
    label: string;
}

async function children(tree: vscode.TreeDataProvider<unknown>, parent?: unknown): Promise<Labelled[]> {
    const nodes = ((await tree.getChildren(parent)) ?? []) as unknown[];
    return Promise.all(
        nodes.map(async (node) => {
            const item = await tree.getTreeItem(node);
            return { node, label: typeof item.label === 'string' ? item.label : (item.label?.label ?? '') };
        }),
    );
}

type QuickPickStub = (items: readonly vscode.QuickPickItem[], options?: vscode.QuickPickOptions) => vscode.QuickPickItem | undefined;
type InputBoxStub = (options: vscode.InputBoxOptions) => Promise<string | undefined>;

/**
 * Answers the dialogs of `run` with the stubs (VS Code's own showQuickPick/showInputBox are put
 * back afterwards). Every dialog opened is recorded by its title, so a test sees what was asked.
 */
async function answering<T>(stubs: { quickPick?: QuickPickStub; inputBox?: InputBoxStub }, run: () => Thenable<T>): Promise<{ result: T; asked: string[] }> {
    const window = vscode.window as { showQuickPick: unknown; showInputBox: unknown };
    const original = { showQuickPick: window.showQuickPick, showInputBox: window.showInputBox };
    const asked: string[] = [];
    window.showQuickPick = async (items: readonly vscode.QuickPickItem[] | Thenable<readonly vscode.QuickPickItem[]>, options?: vscode.QuickPickOptions) => {
        asked.push(`pick: ${options?.title ?? ''}`);
        assert.ok(stubs.quickPick, `an unexpected quick pick: ${options?.title}`);
        return stubs.quickPick(await items, options);
    };
    window.showInputBox = async (options?: vscode.InputBoxOptions) => {
        asked.push(`input: ${options?.title ?? ''}`);
        assert.ok(stubs.inputBox, `an unexpected input box: ${options?.title}`);
        return stubs.inputBox(options ?? {});
    };
    try {
        return { result: await run(), asked };
    } finally {
        window.showQuickPick = original.showQuickPick;
        window.showInputBox = original.showInputBox;
    }
}

export function defineGroupFormsSuite(): void {
    suite('Configure Policy and tree triage through their dialogs', () => {
        let api: Api;

        suiteSetup(async function () {
            // Publishing bundles the pack (about 15 s on 2 cores) when no earlier suite published it.
            this.timeout(240_000);
            api = (await vscode.extensions.getExtension<Api>(EXTENSION_ID)!.activate())!;
            await api.ready;
            if (!(await children(api.trees.packs)).some((p) => p.label === PACK)) {
                const packDir = path.join(mkdtempSync(path.join(tmpdir(), 'pi-vscode-form-')), PACK);
                assert.ok(await vscode.commands.executeCommand('policyInsights.newPolicyPack', { template: PACK, dir: packDir, install: false }), `New Policy Pack ${PACK} failed`);
                symlinkSync(path.join(env('POLICY_INSIGHTS_TEST_REPO'), 'node_modules'), path.join(packDir, 'node_modules'), 'dir');
                assert.equal(((await vscode.commands.executeCommand('policyInsights.publishPolicyPack', packDir)) as { name?: string } | undefined)?.name, PACK);
            }
            await vscode.commands.executeCommand('policyInsights.createPolicyGroup', { name: GROUP, entityType: 'stacks', mode: 'audit' });
            const bound = (await vscode.commands.executeCommand('policyInsights.addPackToGroup', GROUP, { pack: PACK, versionTag: 'latest', config: {} })) as { name?: string } | undefined;
            assert.equal(bound?.name, GROUP, 'Add Policy Pack to Group failed (see the error notification)');
        });

        test('Configure Policy… on the pack binding sets required-tags\u2019 requiredTags, checked as validate-config checks', async () => {
            const group = (await children(api.trees.groups)).find((g) => g.label === GROUP);
            assert.ok(group, 'the Policy Groups tree shows the group');
            const binding = (await children(api.trees.groups, group.node)).find((c) => c.label === PACK);
            assert.ok(binding, `the group shows its ${PACK} binding`);

            const typed: Record<string, string | undefined> = {};
            const { result, asked } = await answering(
                {
                    quickPick: (items) => items.find((i) => i.label === 'required-tags'),
                    inputBox: async (options) => {
                        assert.equal(options.value, '["Owner","Environment"]', 'the box starts from the schema default');
                        for (const text of ['[]', '[x', '["Owner", ""]', '["Owner","CostCenter"]']) typed[text] = ((await options.validateInput?.(text)) ?? undefined) as string | undefined;
                        return '["Owner","CostCenter"]';
                    },
                },
                // what the tree's context menu does: the command with the node
                () => vscode.commands.executeCommand('policyInsights.configurePolicy', binding.node),
            );
            assert.deepEqual(asked, [`pick: Configure ${PACK}@0.0.1 in ${GROUP}`, `input: Configure required-tags in ${GROUP} (1/1)`]);
            // the server's schema messages (ajv through validatePackConfig), the form's own for text that is no JSON
            assert.match(typed['[]'] ?? '', /must NOT have fewer than 1 items/);
            assert.match(typed['[x'] ?? '', /not JSON/);
            assert.match(typed['["Owner", ""]'] ?? '', /must NOT have fewer than 1 characters/);
            assert.equal(typed['["Owner","CostCenter"]'], undefined, 'a valid value passes');
            const applied = (result as { appliedPolicyPacks?: { name: string; config?: Record<string, unknown> }[] } | undefined)?.appliedPolicyPacks?.find((p) => p.name === PACK);
            assert.deepEqual(applied?.config, { 'required-tags': { requiredTags: ['Owner', 'CostCenter'] } });
        });

        test('Set Violation Status…, Reopen Violation and Unsuppress Violation… from the Violations tree', async function () {
            this.timeout(180_000);
            const violationsOfStack = async () => {
                const found: Labelled[] = [];
                for (const g of await children(api.trees.violations)) {
                    for (const v of await children(api.trees.violations, g.node)) if ((v.node as { violation?: { entityId?: string } }).violation?.entityId === STACK) found.push(v);
                }
                return found;
            };
            const shown = until([api.trees.violations.onDidChangeTreeData!], async () => (await violationsOfStack()).length > 0, `violations of ${STACK} in the Violations tree`, 150_000);
            const account = (await vscode.commands.executeCommand('policyInsights.addPulumiStack', {
                name: STACK,
                stateFile: vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, 'demo-infra', 'demo-infra.dev.export.json').fsPath,
            })) as { name?: string } | undefined;
            assert.equal(account?.name, STACK, 'Add Pulumi Stack failed (see the error notification)');
            await vscode.commands.executeCommand('policyInsights.addAccountToGroup', GROUP, STACK);
            await shown;
            const node = (await violationsOfStack())[0].node as { violation: { id: string; status: string } };
            assert.equal(node.violation.status, 'open');

            const acknowledged = await answering(
                { quickPick: (items) => items.find((i) => i.label === 'Acknowledge (in progress)') },
                () => vscode.commands.executeCommand('policyInsights.setViolationStatus', node),
            );
            assert.equal((acknowledged.result as { status?: string } | undefined)?.status, 'in_progress');
            const reopened = (await vscode.commands.executeCommand('policyInsights.reopenViolation', { violation: { ...node.violation, status: 'in_progress' } })) as { status?: string } | undefined;
            assert.equal(reopened?.status, 'open');

            const suppressed = (await vscode.commands.executeCommand('policyInsights.suppressViolation', node, { reason: 'Accepted for the demo', until: '2099-01-01' })) as { suppression?: unknown } | undefined;
            assert.ok(suppressed?.suppression, 'Suppress… suppressed it');
            const unsuppressed = await answering(
                { quickPick: (items) => items.find((i) => (i as vscode.QuickPickItem & { id?: string }).id === node.violation.id) },
                // from the palette or the tree's title bar: it lists the suppressed violations
                () => vscode.commands.executeCommand('policyInsights.unsuppressViolation'),
            );
            assert.deepEqual(unsuppressed.asked, ['pick: Unsuppress Violation']);
            const after = unsuppressed.result as { id?: string; suppression?: unknown } | undefined;
            assert.equal(after?.id, node.violation.id);
            assert.equal(after?.suppression, undefined);
        });
    });
}
