/**
 * What the extension tells the user of a failure, decided in one place (no `vscode` import,
 * so it is tested with plain Node): a user error from the server (USER_ERROR_CODE), a
 * request refused for its params (it names the field), a cancelled request and a file-system
 * error from VS Code (it names the file) are shown as they are; anything else is an internal
 * error, shown as such with a pointer to the output, where the server logged its stack.
 * showFailure.ts puts it in a notification.
 */
import { ErrorCodes, LSPErrorCodes, ResponseError } from 'vscode-languageserver-protocol';
import { errorMessage, USER_ERROR_CODE } from '../../server/src/shared/errors';

export const INTERNAL_ERROR_TEXT = 'internal error — see the Policy Insights output' as const;

/** Response codes whose message is written for the user. */
const SHOWN_AS_IS = new Set<number>([USER_ERROR_CODE, ErrorCodes.InvalidParams, LSPErrorCodes.RequestCancelled]);

export type FailureText =
    | { text: string; internal: false }
    /** A bug (or a server that is not running): `text` says so; `details` is for the output. */
    | { text: typeof INTERNAL_ERROR_TEXT; internal: true; details: string };

export function describeFailure(err: unknown): FailureText {
    if (err instanceof ResponseError) {
        if (SHOWN_AS_IS.has(err.code)) return { text: err.message, internal: false };
        // the server logged the stack of its own failures; its answer says which request failed
        return { text: INTERNAL_ERROR_TEXT, internal: true, details: err.message };
    }
    // vscode.FileSystemError (workspace.fs, openTextDocument): its name is "<Code> (FileSystemError)" and its message names the file
    if (err instanceof Error && /\bFileSystemError\b/.test(err.name)) return { text: err.message, internal: false };
    return { text: INTERNAL_ERROR_TEXT, internal: true, details: err instanceof Error ? (err.stack ?? err.message) : errorMessage(err) };
}
