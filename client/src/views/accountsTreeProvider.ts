import * as vscode from 'vscode';
import type { AccountSummary } from '../../../server/src/protocol';
import type { ServerApi } from '../serverApi';
import { contextValue, ServerTreeProvider, TreeNode } from './treeNode';

/** Accounts view: account -> child accounts (regions) with resource counts. */
export class AccountsTreeProvider extends ServerTreeProvider {
    constructor(private readonly server: ServerApi) {
        super();
    }
    protected async loadRoots(): Promise<TreeNode[]> {
        return (await this.server.listAccounts()).map((a) => new AccountNode(a));
    }
}

function scanTooltip(account: AccountSummary): string {
    const s = account.scanStatus;
    if (!s) return 'Never scanned';
    const lines = [`Last scan: ${s.status}, started ${new Date(s.startedAt).toLocaleString()}`, `${s.resourceCount} resources`];
    for (const e of s.errors) lines.push(`${e.service}${e.region ? ` (${e.region})` : ''}: ${e.code} ${e.message}`);
    return lines.join('\n');
}

export class AccountNode extends TreeNode {
    constructor(readonly account: AccountSummary) {
        super();
    }
    getTreeItem(): vscode.TreeItem {
        const a = this.account;
        const total = Object.values(a.resourceCounts).reduce((n, c) => n + c, 0);
        const item = new vscode.TreeItem(a.name, vscode.TreeItemCollapsibleState.Collapsed);
        item.description = `${a.provider === 'aws' ? 'AWS' : 'Pulumi stack'} · ${total} resources${a.scanStatus ? ` · ${a.scanStatus.status}` : ''}`;
        item.tooltip = scanTooltip(a);
        item.iconPath = new vscode.ThemeIcon(a.provider === 'aws' ? 'cloud' : 'layers');
        item.contextValue = contextValue('account', a.provider, a.scanStatus?.status);
        return item;
    }
    override getChildren(): TreeNode[] {
        const names = this.account.children.length ? this.account.children : [];
        const global = this.account.resourceCounts[this.account.name];
        const nodes: TreeNode[] = names.map((child) => new ChildAccountNode(child, this.account.resourceCounts[child] ?? 0));
        if (global !== undefined) nodes.unshift(new ChildAccountNode(this.account.name, global, true));
        return nodes;
    }
}

export class ChildAccountNode extends TreeNode {
    constructor(
        readonly childName: string,
        readonly resourceCount: number,
        private readonly isGlobal = false,
    ) {
        super();
    }
    getTreeItem(): vscode.TreeItem {
        const label = this.isGlobal ? 'global' : this.childName.split('/')[1] ?? this.childName;
        const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.None);
        item.description = `${this.resourceCount} resources`;
        item.tooltip = this.childName;
        item.iconPath = new vscode.ThemeIcon(this.isGlobal ? 'globe' : 'location');
        item.contextValue = contextValue('childAccount');
        return item;
    }
}
