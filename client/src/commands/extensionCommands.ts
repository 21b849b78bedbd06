import * as vscode from 'vscode';
import type { ServerTreeProvider } from '../views/treeNode';

export interface ExtensionCommandsArgs {
    output: vscode.OutputChannel;
    trees: ServerTreeProvider[];
    restartServer: () => Promise<void>;
}

/** Commands that concern the extension itself rather than one part of the workflow. */
export function registerExtensionCommands({ output, trees, restartServer }: ExtensionCommandsArgs): vscode.Disposable[] {
    return [
        vscode.commands.registerCommand('policyInsights.refresh', () => {
            for (const tree of trees) tree.refresh();
        }),
        vscode.commands.registerCommand('policyInsights.showOutput', () => output.show(true)),
        vscode.commands.registerCommand('policyInsights.restartServer', restartServer),
        vscode.commands.registerCommand('policyInsights.openSettings', () =>
            vscode.commands.executeCommand('workbench.action.openSettings', '@ext:policy-insights.policy-insights'),
        ),
    ];
}
