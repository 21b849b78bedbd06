import * as vscode from 'vscode';
import { severityRank, type Violation } from '../../../server/src/shared/model';
import type { ServerApi } from '../serverApi';
import { contextValue, ServerTreeProvider, TreeNode } from './treeNode';

/** How the Violations tree groups open violations; switched from the view's title bar. */
export type ViolationGrouping = 'policy' | 'account' | 'severity';

function groupKey(v: Violation, grouping: ViolationGrouping): string {
    switch (grouping) {
        case 'policy':
            return `${v.policyPack}/${v.policyName}`;
        case 'account':
            return v.entityId;
        case 'severity':
            return v.severity ?? 'unspecified';
    }
}

/**
 * Violations view: open violations grouped by policy (default), account or severity,
 * with counts on the groups and the total as the view's badge. Selecting a violation opens
 * it in the Policy Violations page.
 */
export class ViolationsTreeProvider extends ServerTreeProvider {
    private grouping: ViolationGrouping = 'policy';
    /** Set by extension.ts once the TreeView exists, for the badge. */
    view?: vscode.TreeView<TreeNode>;

    constructor(private readonly server: ServerApi) {
        super();
    }

    setGrouping(grouping: ViolationGrouping): void {
        this.grouping = grouping;
        void vscode.commands.executeCommand('setContext', 'policyInsights.violationGrouping', grouping);
        this.refresh();
    }

    protected async loadRoots(): Promise<TreeNode[]> {
        const { violations, total } = await this.server.listViolations();
        if (this.view) this.view.badge = total ? { value: total, tooltip: `${total} open violation(s)` } : undefined;
        const groups = new Map<string, Violation[]>();
        for (const v of violations) {
            const key = groupKey(v, this.grouping);
            groups.set(key, [...(groups.get(key) ?? []), v]);
        }
        const keys = [...groups.keys()].sort((a, b) =>
            // most severe first, `unspecified` (rank 0) last
            this.grouping === 'severity' ? severityRank(b) - severityRank(a) : a.localeCompare(b),
        );
        return keys.map((key) => new ViolationGroupNode(this.grouping, key, groups.get(key)!));
    }
}

const GROUP_ICONS: Record<ViolationGrouping, string> = { policy: 'shield', account: 'cloud', severity: 'flame' };

export class ViolationGroupNode extends TreeNode {
    constructor(
        readonly grouping: ViolationGrouping,
        readonly key: string,
        readonly violations: Violation[],
    ) {
        super();
    }
    getTreeItem(): vscode.TreeItem {
        const first = this.violations[0];
        const label = this.grouping === 'policy' ? first.policyName : this.key;
        const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `violations:${this.grouping}:${this.key}`;
        item.description = this.grouping === 'policy' ? `${this.violations.length} · ${first.policyPack}` : String(this.violations.length);
        item.tooltip = `${this.violations.length} open violation(s)`;
        item.iconPath = new vscode.ThemeIcon(GROUP_ICONS[this.grouping]);
        item.contextValue = contextValue('violationGroup', this.grouping);
        return item;
    }
    override getChildren(): TreeNode[] {
        return this.violations.map((v) => new ViolationNode(v, this.grouping));
    }
}

const LEVEL_ICONS: Record<Violation['level'], string> = {
    mandatory: 'error',
    advisory: 'warning',
    remediate: 'info',
    disabled: 'circle-slash',
};

export class ViolationNode extends TreeNode {
    constructor(
        readonly violation: Violation,
        private readonly grouping: ViolationGrouping = 'policy',
    ) {
        super();
    }
    getTreeItem(): vscode.TreeItem {
        const v = this.violation;
        const item = new vscode.TreeItem(v.resourceName || v.entityId, vscode.TreeItemCollapsibleState.None);
        const where = this.grouping === 'account' ? v.policyName : v.entityId;
        // a remediation's message says what it would change ("Would change acl: public-read → private"): the level alone tells the reader nothing to act on
        const what = v.remediation ? v.message : `${v.level}${v.severity ? ` · ${v.severity}` : ''}`;
        item.description = `${where} · ${what}`;
        item.tooltip = new vscode.MarkdownString().appendText(`${v.policyPack}/${v.policyName}\n${v.resourceType}\n${v.resourceURN}\n\n${v.message}`);
        item.iconPath = new vscode.ThemeIcon(v.remediation ? 'wand' : LEVEL_ICONS[v.level]);
        item.contextValue = contextValue('violation', v.status, v.remediation && 'remediation');
        item.command = { title: 'Show in Policy Violations', command: 'policyInsights.showViolations', arguments: [this] };
        return item;
    }
}
