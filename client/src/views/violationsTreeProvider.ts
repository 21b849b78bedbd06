import * as vscode from 'vscode';
import type { Violation } from '../../../server/src/model';
import type { ServerApi } from '../serverApi';
import { contextValue, ServerTreeProvider, TreeNode } from './treeNode';

/** Violations view: open violations grouped by policy. */
export class ViolationsTreeProvider extends ServerTreeProvider {
    constructor(private readonly server: ServerApi) {
        super();
    }
    protected async loadRoots(): Promise<TreeNode[]> {
        const { violations } = await this.server.listViolations();
        const byPolicy = new Map<string, Violation[]>();
        for (const v of violations) {
            const key = `${v.policyPack}/${v.policyName}`;
            byPolicy.set(key, [...(byPolicy.get(key) ?? []), v]);
        }
        return [...byPolicy].sort(([a], [b]) => a.localeCompare(b)).map(([key, list]) => new PolicyGroupNode(key, list));
    }
}

export class PolicyGroupNode extends TreeNode {
    constructor(
        readonly key: string,
        readonly violations: Violation[],
    ) {
        super();
    }
    getTreeItem(): vscode.TreeItem {
        const first = this.violations[0];
        const item = new vscode.TreeItem(first.policyName, vscode.TreeItemCollapsibleState.Collapsed);
        item.description = `${this.violations.length} · ${first.policyPack}`;
        item.iconPath = new vscode.ThemeIcon('shield');
        item.contextValue = contextValue('violationGroup');
        return item;
    }
    override getChildren(): TreeNode[] {
        return this.violations.map((v) => new ViolationNode(v));
    }
}

const LEVEL_ICONS: Record<Violation['level'], string> = {
    mandatory: 'error',
    advisory: 'warning',
    remediate: 'info',
    disabled: 'circle-slash',
};

export class ViolationNode extends TreeNode {
    constructor(readonly violation: Violation) {
        super();
    }
    getTreeItem(): vscode.TreeItem {
        const v = this.violation;
        const item = new vscode.TreeItem(v.resourceName, vscode.TreeItemCollapsibleState.None);
        item.description = `${v.entityId} · ${v.level}${v.severity ? ` · ${v.severity}` : ''}`;
        item.tooltip = new vscode.MarkdownString().appendText(`${v.resourceType}\n${v.resourceURN}\n\n${v.message}`);
        item.iconPath = new vscode.ThemeIcon(LEVEL_ICONS[v.level]);
        item.contextValue = contextValue('violation', v.status);
        return item;
    }
}
