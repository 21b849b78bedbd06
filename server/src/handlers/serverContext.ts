import type { Connection, TextDocuments } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { RunnerPool } from '../packs/runner/runnerPool';
import type { Store } from '../store';

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

/** Thrown by handlers that would run a pack in an untrusted workspace. */
export function untrustedError(action: string): Error {
    return new Error(
        `Policy Insights does not ${action} in Restricted Mode: policy packs are code. Trust this workspace (Manage Workspace Trust) to run them.`,
    );
}
