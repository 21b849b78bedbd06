// Add Kubernetes Cluster… inside a real VS Code: the command (driven with arguments instead of
// prompts) adds a cluster the suite serves with test/localk8s, a scan fills the Accounts tree
// with the cluster's namespaces, and the tree names the account as Kubernetes. Waits are on events.
import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { startLocalK8s, type LocalK8s } from '../localk8s/server';
import { env, until } from './waits';

const EXTENSION_ID = 'policy-insights.policy-insights';

interface Api {
    ready: Promise<void>;
    trees: Record<'accounts', vscode.TreeDataProvider<unknown>>;
}

async function items(tree: vscode.TreeDataProvider<unknown>, parent?: unknown): Promise<{ node: unknown; label: string; description: string }[]> {
    const children = ((await tree.getChildren(parent)) ?? []) as unknown[];
    return Promise.all(
        children.map(async (node) => {
            const item = await tree.getTreeItem(node);
            return { node, label: typeof item.label === 'string' ? item.label : (item.label?.label ?? ''), description: String(item.description ?? '') };
        }),
    );
}

export function defineKubernetesSuite(): void {
    suite('Add Kubernetes Cluster', () => {
        let api: Api;
        let k8s: LocalK8s;
        let kubeconfig: string;

        suiteSetup(async () => {
            api = (await vscode.extensions.getExtension<Api>(EXTENSION_ID)!.activate())!;
            await api.ready;
            const fixture = path.join(env('POLICY_INSIGHTS_TEST_REPO'), 'test', 'fixtures', 'kubernetes', 'cluster.json');
            k8s = await startLocalK8s({ fixture: JSON.parse(readFileSync(fixture, 'utf8')), tls: true });
            kubeconfig = k8s.writeKubeconfig(path.join(mkdtempSync(path.join(tmpdir(), 'pi-vscode-k8s-')), 'kubeconfig'));
        });
        suiteTeardown(() => k8s?.stop());

        test('adds a context of a kubeconfig; a scan shows its namespaces and kinds in the Accounts tree', async () => {
            const account = (await vscode.commands.executeCommand('policyInsights.addKubernetesCluster', { name: 'kind-dev', kubeconfig, context: 'team-scanner', namespaces: ['team-a', 'team-b'] })) as {
                provider: string;
                children: string[];
            };
            assert.ok(account, 'the command returned nothing (see the error notification)');
            assert.deepEqual([account.provider, account.children], ['kubernetes', ['kind-dev/team-a', 'kind-dev/team-b']]);
            const summary = (await vscode.commands.executeCommand('policyInsights.scanAccount', 'kind-dev')) as { added: number; status: string };
            assert.deepEqual([summary?.added, summary?.status], [32, 'partial'], 'the context may not list cluster-scoped kinds: partial');
            const cluster = async () => (await items(api.trees.accounts)).find((a) => a.label === 'kind-dev');
            await until([api.trees.accounts.onDidChangeTreeData!], async () => /^Kubernetes · 32 resources/.test((await cluster())?.description ?? ''), 'kind-dev shown as a scanned Kubernetes cluster');
            const namespaces = await items(api.trees.accounts, (await cluster())!.node);
            // the context may not list cluster-scoped kinds: none stored in the parent
            assert.deepEqual(namespaces.slice(0, 3).map((n) => `${n.label} ${n.description}`), ['cluster 0 resources', 'team-a 26 resources', 'team-b 6 resources']);
            // the coverage item says which kinds the context could not list, and why
            const coverage = namespaces[3];
            assert.equal(coverage?.label, 'coverage');
            assert.match(coverage.description, /^15 types scanned · 4 denied$/);
            const denied = await items(api.trees.accounts, coverage.node);
            assert.ok(denied.some((d) => d.label === 'kubernetes:core/v1:Namespace' && d.description === 'denied'), denied.map((d) => `${d.label} ${d.description}`).join(', '));
            const kinds = await items(api.trees.accounts, namespaces[2].node);
            assert.ok(kinds.some((k) => k.label === 'kubernetes:apps/v1:StatefulSet'), kinds.map((k) => k.label).join(', '));
        });
    });
}
