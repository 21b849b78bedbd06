// The seed workflow from the command palette, inside a real VS Code, against the real
// server and the local AWS the harness started: New Policy Pack (and a mistake flagged as
// you type), Publish, Create Policy Group, Add Policy Pack to Group at advisory, Add AWS
// Account, Add Account to Group, Scan, the public bucket's violation in the Violations
// tree; then the bucket made private, a second scan, the violation resolved.
// Commands are driven with arguments instead of prompts. Waits are on events.
import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { PutBucketAclCommand, S3Client } from '@aws-sdk/client-s3';
import * as vscode from 'vscode';
import { env, until } from './waits';

const EXTENSION_ID = 'policy-insights.policy-insights';

interface Api {
    ready: Promise<void>;
    trees: Record<'packs' | 'groups' | 'accounts' | 'violations', vscode.TreeDataProvider<unknown>>;
}

async function labels(tree: vscode.TreeDataProvider<unknown>, parent?: unknown): Promise<{ node: unknown; label: string; description: string }[]> {
    const children = ((await tree.getChildren(parent)) ?? []) as unknown[];
    return Promise.all(
        children.map(async (node) => {
            const item = await tree.getTreeItem(node);
            const label = typeof item.label === 'string' ? item.label : item.label?.label ?? '';
            return { node, label, description: String(item.description ?? '') };
        }),
    );
}

/** Labels of the open violations (resource names under each policy node). */
async function violationResources(tree: vscode.TreeDataProvider<unknown>): Promise<string[]> {
    const names: string[] = [];
    for (const policy of await labels(tree)) {
        if (policy.label !== 's3-no-public-read') continue;
        for (const v of await labels(tree, policy.node)) names.push(v.label);
    }
    return names.sort();
}

export function defineWorkflowSuite(): void {
    suite('The Pulumi Insights workflow from the palette', () => {
        let api: Api;
        let packDir: string;
        const endpoint = () => env('POLICY_INSIGHTS_TEST_AWS_ENDPOINT');

        suiteSetup(async () => {
            api = (await vscode.extensions.getExtension<Api>(EXTENSION_ID)!.activate())!;
            await api.ready;
            packDir = path.join(mkdtempSync(path.join(tmpdir(), 'pi-vscode-pack-')), 'aws-typescript');
        });

        test('New Policy Pack writes the aws-typescript template and opens index.ts', async () => {
            const result = (await vscode.commands.executeCommand('policyInsights.newPolicyPack', { template: 'aws-typescript', dir: packDir, install: false })) as { entry: string; files: string[] };
            assert.ok(result, 'the command returned nothing (see the error notification)');
            for (const file of ['PulumiPolicy.yaml', 'package.json', 'index.ts', 'tsconfig.json', '.gitignore']) {
                assert.ok(existsSync(path.join(packDir, file)), `${file} was not written`);
            }
            assert.equal(vscode.window.activeTextEditor?.document.uri.fsPath, path.join(packDir, 'index.ts'));
            // Dependencies: the repository's (npm install would need the network).
            symlinkSync(path.join(env('POLICY_INSIGHTS_TEST_REPO'), 'node_modules'), path.join(packDir, 'node_modules'), 'dir');
        });

        test('a mistyped enforcement level is flagged as you type, and fixed', async () => {
            const editor = vscode.window.activeTextEditor!;
            const doc = editor.document;
            const at = doc.getText().indexOf('"mandatory"') + 1;
            const range = new vscode.Range(doc.positionAt(at), doc.positionAt(at + 'mandatory'.length));
            const flagged = until(
                [vscode.languages.onDidChangeDiagnostics],
                async () => vscode.languages.getDiagnostics(doc.uri).some((d) => d.code === 'invalid-enforcement-level'),
                'the invalid-enforcement-level diagnostic',
            );
            await editor.edit((e) => e.replace(range, 'mandatry'));
            await flagged;
            const diagnostic = vscode.languages.getDiagnostics(doc.uri).find((d) => d.code === 'invalid-enforcement-level')!;
            assert.equal(doc.getText(diagnostic.range).replace(/"/g, ''), 'mandatry');
            const cleared = until(
                [vscode.languages.onDidChangeDiagnostics],
                async () => !vscode.languages.getDiagnostics(doc.uri).some((d) => d.code === 'invalid-enforcement-level'),
                'the diagnostic to clear',
            );
            await editor.edit((e) => e.replace(new vscode.Range(doc.positionAt(at), doc.positionAt(at + 'mandatry'.length)), 'mandatory'));
            await cleared;
            await doc.save();
        });

        test('Publish Policy Pack publishes 0.0.1 and the Policy Packs tree shows it', async () => {
            const record = (await vscode.commands.executeCommand('policyInsights.publishPolicyPack', packDir)) as { name: string; version: number; versionTag: string };
            assert.deepEqual([record?.name, record?.version, record?.versionTag], ['aws-typescript', 1, '0.0.1']);
            const packs = await labels(api.trees.packs);
            assert.deepEqual(packs.map((p) => p.label), ['aws-typescript']);
            assert.deepEqual((await labels(api.trees.packs, packs[0].node)).map((v) => v.label), ['0.0.1']);
        });

        test('Create Policy Group, Add Policy Pack to Group at advisory, Add AWS Account, Add Account to Group', async () => {
            await vscode.commands.executeCommand('policyInsights.createPolicyGroup', { name: 's3-security-policy-group', entityType: 'accounts', mode: 'audit' });
            const group = (await vscode.commands.executeCommand('policyInsights.addPackToGroup', 's3-security-policy-group', {
                pack: 'aws-typescript',
                versionTag: 'latest',
                config: { all: 'advisory' },
            })) as { appliedPolicyPacks: { name: string; versionTag: string }[] };
            assert.deepEqual(group.appliedPolicyPacks.map((p) => `${p.name}@${p.versionTag}`), ['aws-typescript@latest']);
            const account = (await vscode.commands.executeCommand('policyInsights.addAwsAccount', {
                name: 'insights-aws-account',
                regions: ['us-west-2', 'us-east-1'],
                endpoint: endpoint(),
            })) as { awsAccountId?: string };
            assert.equal(account?.awsAccountId, '123456789012', 'STS GetCallerIdentity recorded the account id');
            await vscode.commands.executeCommand('policyInsights.addAccountToGroup', 's3-security-policy-group', 'insights-aws-account/us-west-2');
            const groups = await labels(api.trees.groups);
            const created = groups.find((g) => g.label === 's3-security-policy-group');
            assert.ok(created, groups.map((g) => g.label).join(', '));
            assert.deepEqual((await labels(api.trees.groups, created.node)).map((c) => c.label), ['aws-typescript', 'insights-aws-account/us-west-2']);

            // Change Policy Group Mode: the tree follows, and back to audit for the rest of the flow
            const gate = (await vscode.commands.executeCommand('policyInsights.setGroupMode', 's3-security-policy-group', 'preventative')) as { mode: string };
            assert.equal(gate?.mode, 'preventative');
            await until(
                [api.trees.groups.onDidChangeTreeData!],
                async () => /^preventative/.test((await labels(api.trees.groups)).find((g) => g.label === 's3-security-policy-group')?.description ?? ''),
                'the group shown as preventative',
            );
            assert.equal(((await vscode.commands.executeCommand('policyInsights.setGroupMode', 's3-security-policy-group', 'audit')) as { mode: string })?.mode, 'audit');
        });

        test('Scan shows regions and resource types with counts, and the public buckets are violations', async () => {
            // OpenSearch answers slowly: the buckets' violations must show while the scan still runs
            const faults = (rules: unknown[]) => fetch(`${endpoint()}/__admin/faults`, { method: 'POST', body: JSON.stringify(rules) });
            await faults([{ service: 'es', latencyMs: 8000 }]);
            let scanEnded = false;
            const scan = Promise.resolve(vscode.commands.executeCommand('policyInsights.scanAccount', 'insights-aws-account')).finally(() => (scanEnded = true));
            try {
                await until(
                    [api.trees.violations.onDidChangeTreeData!],
                    async () => (await violationResources(api.trees.violations)).includes('insights-demo-public-assets'),
                    'the public bucket in the Violations tree while the scan runs',
                );
                assert.equal(scanEnded, false, 'results while the scan runs: the violation showed before the scan ended');
            } finally {
                await faults([]);
            }
            const summary = (await scan) as { added: number; errors: unknown[] };
            assert.ok(summary && summary.added > 10, JSON.stringify(summary));
            const accounts = await labels(api.trees.accounts);
            assert.deepEqual(accounts.map((a) => a.label), ['insights-aws-account']);
            const children = await labels(api.trees.accounts, accounts[0].node);
            // the regions, then what the scan covered: every type of the demo account was read
            assert.deepEqual(children.map((c) => c.label), ['global', 'us-west-2', 'us-east-1', 'coverage']);
            assert.equal(children[3].description, '66 types scanned');
            const types = await labels(api.trees.accounts, children[1].node);
            const buckets = types.find((t) => t.label === 'aws:s3/bucket:Bucket');
            assert.ok(buckets && Number(buckets.description) > 0, types.map((t) => `${t.label} ${t.description}`).join(', '));

            await until(
                [api.trees.violations.onDidChangeTreeData!],
                async () => (await violationResources(api.trees.violations)).length > 0,
                'the s3-no-public-read violations in the Violations tree',
            );
            const violated = await violationResources(api.trees.violations);
            assert.ok(violated.includes('insights-demo-public-assets'), violated.join(', '));
            // The group applies the pack at advisory, and only to us-west-2.
            const policy = (await labels(api.trees.violations)).find((p) => p.label === 's3-no-public-read')!;
            for (const v of await labels(api.trees.violations, policy.node)) {
                assert.match(v.description, /insights-aws-account\/us-west-2 · advisory/);
            }
        });

        test('the "Run against <account>" CodeLens runs the working copy on the scanned resources', async () => {
            const uri = vscode.Uri.file(path.join(packDir, 'index.ts'));
            const lenses = (await vscode.commands.executeCommand('vscode.executeCodeLensProvider', uri)) as vscode.CodeLens[];
            const run = lenses.find((l) => l.command?.command === 'policyInsights.runPolicyAgainstAccount');
            assert.ok(run?.command, `no Run against lens: ${lenses.map((l) => l.command?.title).join(', ')}`);
            assert.match(run.command.title, /Run against insights-aws-account/);
            const result = (await vscode.commands.executeCommand(run.command.command, ...(run.command.arguments ?? []))) as {
                policyName: string;
                resourceCount: number;
                findings: { urn: string }[];
            };
            assert.equal(result?.policyName, 's3-no-public-read');
            assert.ok(result.resourceCount > 10, String(result.resourceCount));
            // The working copy, unlike the group's advisory binding, covers every region of the account.
            assert.ok(result.findings.some((f) => f.urn.endsWith('::insights-demo-public-assets')), JSON.stringify(result.findings));
        });

        test('making the bucket private and scanning again resolves its violation', async () => {
            const s3 = new S3Client({
                endpoint: endpoint(),
                region: 'us-west-2',
                forcePathStyle: true,
                credentials: { accessKeyId: env('AWS_ACCESS_KEY_ID'), secretAccessKey: env('AWS_SECRET_ACCESS_KEY') },
            });
            await s3.send(new PutBucketAclCommand({ Bucket: 'insights-demo-public-assets', ACL: 'private' }));
            await vscode.commands.executeCommand('policyInsights.scanAccount', 'insights-aws-account/us-west-2');
            await until(
                [api.trees.violations.onDidChangeTreeData!],
                async () => !(await violationResources(api.trees.violations)).includes('insights-demo-public-assets'),
                'the violation of insights-demo-public-assets to be resolved',
            );
        });
    });
}
