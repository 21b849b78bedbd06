// A minimal editor for bench/scale.mjs: starts the bundled language server over stdio, as
// VS Code does, and asks what the Policy Violations panel asks when it opens (the first
// page with facets) and when the user changes a filter. Bundled by esbuild so the request
// types come from the shared protocol, never spelled here.
import { spawn } from 'node:child_process';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { ExitNotification, InitializedNotification, InitializeRequest, ShutdownRequest } from 'vscode-languageserver-protocol';
import { PanelQueryRequest } from '../../server/src/shared/panelProtocol';

/** The page the panel asks for (webviews/src/violations/main.ts asks PAGE rows; 200 here, as bench/webview.mjs). */
const PAGE = 200;

/**
 * Starts `serverModule` with `home`; resolves once initialized, with the connection, the
 * process and timings (ms since spawn).
 */
export async function startScaleServer(serverModule, home, env) {
    const spawned = performance.now();
    const child = spawn(process.execPath, [serverModule, '--stdio'], { env: { ...env, POLICY_INSIGHTS_HOME: home }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
    const connection = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
    connection.listen();
    await connection.sendRequest(InitializeRequest.type, { processId: process.pid, rootUri: null, capabilities: {}, initializationOptions: { trusted: true }, workspaceFolders: null });
    await connection.sendNotification(InitializedNotification.type, {});
    const initializedMs = performance.now() - spawned;
    return {
        child,
        initializedMs,
        stderr: () => stderr,
        /** The panel opening: first page of the default filter with facets; client-side ms and the server's elapsedMs. */
        async firstRows() {
            return timed(() => connection.sendRequest(PanelQueryRequest.type, { filter: {}, offset: 0, limit: PAGE, withAggregates: true }));
        },
        /** A filter change in the open panel (the page and facets again). */
        async filterChange(filter) {
            return timed(() => connection.sendRequest(PanelQueryRequest.type, { filter, offset: 0, limit: PAGE, withAggregates: true }));
        },
        async close() {
            await connection.sendRequest(ShutdownRequest.type);
            await connection.sendNotification(ExitNotification.type);
            const timeout = setTimeout(() => child.kill(), 10_000);
            const code = await exited;
            clearTimeout(timeout);
            connection.dispose();
            return code;
        },
    };
}

async function timed(request) {
    const started = performance.now();
    const result = await request();
    return { ms: performance.now() - started, serverMs: result.elapsedMs, total: result.total, rows: result.rows.length, facets: result.aggregates?.facets };
}
