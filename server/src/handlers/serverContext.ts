import { ResponseError, type Connection, type TextDocuments } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { RunnerPool } from '../runner';
import type { Store } from '../store';
import { isUserError } from '../userErrors';

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

/** The error code of request failures the user must act on; the client shows their message as it is. */
export const USER_ERROR = 1;

/** Runs a request's work; a user error (see ../userErrors.ts) becomes the ResponseError the client shows as it is. */
export async function withUserErrors<T>(work: () => Promise<T>): Promise<T> {
    try {
        return await work();
    } catch (err) {
        throw isUserError(err) ? new ResponseError(USER_ERROR, err.message) : err;
    }
}

/** The answer to a request that would run a pack in an untrusted workspace. */
export function untrustedError(action: string): ResponseError<void> {
    return new ResponseError(
        USER_ERROR,
        `Policy Insights does not ${action} in Restricted Mode: policy packs are code. Trust this workspace (Manage Workspace Trust) to run them.`,
    );
}
