import * as vscode from 'vscode';
import { describeFailure } from '../failures';

/**
 * Base of every node in the Policy Insights trees: one subclass per node kind. Menus match
 * on `contextValue`, which is composed from parts (`policyInsights.<kind>[.<state>...]`)
 * so a `when` clause can match with a regex such as `viewItem =~ /^policyInsights\.packVersion/`.
 */
export abstract class TreeNode {
    abstract getTreeItem(): vscode.TreeItem;
    getChildren(): TreeNode[] | Promise<TreeNode[]> {
        return [];
    }
}

export function contextValue(kind: string, ...states: (string | false | undefined)[]): string {
    return ['policyInsights', kind, ...states.filter((s): s is string => !!s)].join('.');
}

/** A leaf that only shows a message (an error, "nothing here yet"). */
export class MessageNode extends TreeNode {
    constructor(
        private readonly message: string,
        private readonly icon = 'info',
        private readonly tooltip?: string,
    ) {
        super();
    }
    getTreeItem(): vscode.TreeItem {
        const item = new vscode.TreeItem(this.message, vscode.TreeItemCollapsibleState.None);
        item.iconPath = new vscode.ThemeIcon(this.icon);
        item.tooltip = this.tooltip ?? this.message;
        item.contextValue = contextValue('message');
        return item;
    }
}

/**
 * A provider whose roots come from the server. It fetches on demand, refreshes when the
 * server says its part of the store changed, and turns a failed request into a visible
 * message node rather than an empty view (an empty view would show the welcome content
 * and hide the error).
 */
export abstract class ServerTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
    private readonly changed = new vscode.EventEmitter<TreeNode | undefined>();
    readonly onDidChangeTreeData = this.changed.event;

    /** Roots built from a fresh server answer. Empty = show the view's welcome content. */
    protected abstract loadRoots(): Promise<TreeNode[]>;

    refresh(node?: TreeNode): void {
        this.changed.fire(node);
    }

    getTreeItem(node: TreeNode): vscode.TreeItem {
        return node.getTreeItem();
    }

    async getChildren(node?: TreeNode): Promise<TreeNode[]> {
        if (node) return node.getChildren();
        try {
            return await this.loadRoots();
        } catch (err) {
            const { text } = describeFailure(err);
            return [new MessageNode(`Could not load: ${text}`, 'error', text)];
        }
    }

    dispose(): void {
        this.changed.dispose();
    }
}
