import * as vscode from 'vscode';
import { describeFailure } from './failures';
import { notificationText } from './untrustedText';

/**
 * The one way a command reports a failure (see failures.ts for which is which): `<what>:
 * <message>` for what the user can act on; for anything else "<what>: internal error — see
 * the Policy Insights output" with a Show Output button, and the details in that output.
 * `offerOutput` adds the button to user errors too, for work that logged its progress there.
 * Messages carry names from the store and from packs, so they are shown as plain text.
 */
export function showFailure(output: vscode.LogOutputChannel, what: string, err: unknown, options: { offerOutput?: boolean } = {}): void {
    const failure = describeFailure(err);
    const message = notificationText(`${what}: ${failure.text}`);
    if (failure.internal) output.error(`${what}: ${failure.details}`);
    else if (!options.offerOutput) {
        void vscode.window.showErrorMessage(message);
        return;
    }
    void vscode.window.showErrorMessage(message, 'Show Output').then((choice) => {
        if (choice) output.show(true);
    });
}
