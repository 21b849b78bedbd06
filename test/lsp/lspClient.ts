/**
 * Starts the bundled language server (out/server/server.js) as its own process over stdio
 * and speaks JSON-RPC to it, the way an editor does. Used by the LSP tests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import { InitializeRequest, InitializedNotification, ShutdownRequest, ExitNotification, type InitializeResult } from 'vscode-languageserver-protocol';
import type { InitializationOptions } from '../../server/src/shared/protocol';
import { within } from '../support/waits';

export const REPO = path.resolve(__dirname, '..', '..', '..');
export const SERVER_MODULE = path.join(REPO, 'out', 'server', 'server.js');

export interface LspSession {
    connection: MessageConnection;
    process: ChildProcess;
    initializeResult: InitializeResult;
    stderr: () => string;
    /** shutdown + exit, then waits for the process to end; returns its exit code. */
    close(): Promise<number | null>;
}

export async function startServer(opts: { home: string; trusted?: boolean; env?: NodeJS.ProcessEnv; rootDir?: string; initializationOptions?: InitializationOptions }): Promise<LspSession> {
    const child = spawn(process.execPath, [SERVER_MODULE, '--stdio'], {
        env: { ...process.env, ...opts.env, POLICY_INSIGHTS_HOME: opts.home },
        stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const connection = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    connection.listen();
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const initializeResult = await connection.sendRequest(InitializeRequest.type, {
        processId: process.pid,
        rootUri: opts.rootDir ? `file://${opts.rootDir}` : null,
        capabilities: { textDocument: { publishDiagnostics: { relatedInformation: true } } },
        initializationOptions: { ...opts.initializationOptions, trusted: opts.trusted ?? true },
        workspaceFolders: opts.rootDir ? [{ uri: `file://${opts.rootDir}`, name: path.basename(opts.rootDir) }] : null,
    });
    await connection.sendNotification(InitializedNotification.type, {});
    return {
        connection,
        process: child,
        initializeResult,
        stderr: () => stderr,
        async close() {
            await connection.sendRequest(ShutdownRequest.type);
            await connection.sendNotification(ExitNotification.type);
            const code = await within(exited, 10_000, () => `the language server to exit after shutdown + exit; stderr:\n${stderr}`);
            connection.dispose();
            return code;
        },
    };
}
