/**
 * Find Resource…: a picker over the resources of one type in a child account that asks the
 * server for the first matches of what is typed (name, id or URN), for a type too large for
 * the Accounts tree to list (issue 14). Run from a type node's "N more" node or its search
 * button; the picked resource opens as clicking its tree node does.
 */
import * as vscode from 'vscode';
import { resourceUri } from '../resourceDocuments';
import type { ServerApi } from '../serverApi';
import { showFailure } from '../showFailure';
import { ResourceTypeNode } from '../views/accountsTreeProvider';
import { ResourceSearch, type ResourcePickItem } from '../views/resourceTypeChildren';

/** What the command searches: a child account's resources of one type. */
export interface FindResourceTarget {
    account: string;
    type: string;
}

function targetOf(arg: unknown): FindResourceTarget | undefined {
    if (arg instanceof ResourceTypeNode) return { account: arg.childName, type: arg.type };
    const t = arg as Partial<FindResourceTarget> | undefined;
    return typeof t?.account === 'string' && typeof t.type === 'string' ? { account: t.account, type: t.type } : undefined;
}

export function registerFindResourceCommand(server: ServerApi, output: vscode.LogOutputChannel): vscode.Disposable {
    return vscode.commands.registerCommand('policyInsights.findResource', (arg?: unknown) => {
        const target = targetOf(arg);
        if (!target) {
            void vscode.window.showErrorMessage('Find Resource… searches one resource type: run it from a resource type in the Accounts tree.');
            return;
        }
        findResource(server, output, target);
    });
}

function findResource(server: ServerApi, output: vscode.LogOutputChannel, { account, type }: FindResourceTarget): void {
    const search = new ResourceSearch((params) => server.listResources(params), account, type);
    const picker = vscode.window.createQuickPick<ResourcePickItem & vscode.QuickPickItem>();
    const title = `Find ${type} in ${account}`;
    picker.title = title;
    picker.placeholder = 'Name, id or URN (any part, any case)';
    // The server matched on all three: VS Code's own filter must not hide a match by id or URN.
    picker.matchOnDescription = true;
    picker.matchOnDetail = true;
    const update = async (value: string) => {
        picker.busy = true;
        try {
            const found = await search.find(value);
            if (!found) return; // a later value is being searched: its answer updates the list
            picker.items = found.items;
            picker.title = `${title}: ${found.status}`;
            picker.busy = false;
        } catch (err) {
            picker.busy = false;
            showFailure(output, `Could not search the ${type} resources of ${account}`, err);
        }
    };
    const subscriptions = [
        picker.onDidChangeValue((value) => void update(value)),
        picker.onDidAccept(() => {
            const picked = picker.selectedItems[0] ?? picker.activeItems[0];
            if (!picked) return;
            picker.hide();
            void vscode.commands.executeCommand('policyInsights.openResource', resourceUri(account, picked.resource.urn));
        }),
        picker.onDidHide(() => {
            subscriptions.forEach((s) => s.dispose());
            picker.dispose();
        }),
    ];
    picker.show();
    void update('');
}
