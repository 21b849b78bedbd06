import { ErrorCodes, ResponseError, type Connection, type TextDocuments } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { RunnerPool } from '../runner';
import { errorMessage, USER_ERROR_CODE } from '../shared/errors';
import type { Store } from '../store';
import { UserError, userFailure } from '../userErrors';

/** What handler modules need from the server; server.ts builds it once. */
export interface ServerContext {
    connection: Connection;
    documents: TextDocuments<TextDocument>;
    /** The open store; throws with the reason when it could not be opened. */
    store(): Store;
    runner: RunnerPool;
    /** Workspace Trust: packs run only when true. */
    isTrusted(): boolean;
}

/**
 * The error policy of every request (validatedConnection.ts applies it to each custom request,
 * so handlers never catch to translate): a user error (../userErrors.ts) is answered with
 * USER_ERROR_CODE and its message, which the client shows as it is. Anything else is a bug:
 * its stack goes to the server's log (the Policy Insights output) and the answer is an
 * InternalError that names the request and the message but not the stack.
 */
export async function answerErrors<T>(method: string, work: () => T | Promise<T>, log: (message: string) => void): Promise<T> {
    try {
        return await work();
    } catch (err) {
        const failure = userFailure(err);
        if (failure) throw new ResponseError(USER_ERROR_CODE, failure.message);
        log(`${method} failed with an internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
        throw new ResponseError(ErrorCodes.InternalError, `${method} failed with an internal error: ${errorMessage(err)}. Its stack is in the Policy Insights output.`);
    }
}

/** Thrown by a request that would run a pack in an untrusted workspace. */
export function untrustedError(action: string): UserError {
    return new UserError(`Policy Insights does not ${action} in Restricted Mode: policy packs are code. Trust this workspace (Manage Workspace Trust) to run them.`);
}
