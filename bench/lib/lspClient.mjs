// The language server as VS Code runs it, for benchmarks: the bundled server (out/server/server.js)
// started over stdio, initialized with a store home, asked what the extension asks at start, and
// its memory read from /proc. bench/server-memory.mjs and bench/scale.mjs (at 1,000,000 resources)
// use it.
//
//   const server = await startLanguageServer({ serverModule, home });
//   await vsCodeStartRequests(server);              // tree roots, status bar total, panel first page
//   const timings = await panelTimings(server);     // first page and filter changes, server side
//   await server.waitIdle(5000); server.memory();   // { rssMB, hwmMB } of the server process
//   await server.close();
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './args.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(join(root, 'package.json'));
const { createMessageConnection, StreamMessageReader, StreamMessageWriter } = require('vscode-jsonrpc/node');

/**
 * The node options the extension starts the server with (client/src/extension.ts createClient),
 * so benches measure the server as it ships.
 */
export const CLIENT_SERVER_NODE_ARGS = ['--max-semi-space-size=2'];

/** The bundled server of this checkout. */
export const SERVER_MODULE = join(root, 'out', 'server', 'server.js');

/** Peak and current resident set of process `pid` in MB, from /proc/<pid>/status (Linux). */
export function processMemory(pid) {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
    return { rssMB: kb('VmRSS') / 1024, hwmMB: kb('VmHWM') / 1024 };
}

/** The pids of `pid`'s children (pack hosts), for goals that say "any process". */
export function childPids(pid) {
    try {
        return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    } catch {
        return [];
    }
}

/**
 * Starts the language server over stdio with `home` as its store, initializes it as VS Code
 * does (trusted workspace unless told otherwise) and returns a session.
 */
export async function startLanguageServer({ serverModule = SERVER_MODULE, home, env = {}, trusted = true, nodeArgs = [] }) {
    const child = spawn(process.execPath, [...nodeArgs, serverModule, '--stdio'], {
        env: { ...process.env, ...env, POLICY_INSIGHTS_HOME: home },
        stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
    const connection = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
    // The server logs and notifies; a bench does not need to hear it.
    connection.onNotification(() => {});
    connection.onRequest(() => null);
    connection.listen();
    const started = performance.now();
    await connection.sendRequest('initialize', {
        processId: process.pid,
        rootUri: null,
        capabilities: { textDocument: { publishDiagnostics: { relatedInformation: true } } },
        initializationOptions: { trusted },
        workspaceFolders: null,
    });
    connection.sendNotification('initialized', {});
    const initializeMs = performance.now() - started;
    return {
        connection,
        pid: child.pid,
        initializeMs,
        stderr: () => stderr,
        /** Sends a request; resolves with its result and the round trip in ms. */
        async request(method, params) {
            const t = performance.now();
            const result = await connection.sendRequest(method, params);
            return { result, ms: performance.now() - t };
        },
        memory: () => processMemory(child.pid),
        /** Waits `ms` with nothing asked of the server (its idle timers run). */
        waitIdle: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
        async close() {
            await connection.sendRequest('shutdown');
            connection.sendNotification('exit');
            const timeout = new Promise((resolve) => setTimeout(() => resolve('timeout'), 15_000));
            if ((await Promise.race([exited, timeout])) === 'timeout') child.kill('SIGKILL');
            connection.dispose();
        },
    };
}

/** The panel's first page as the webview asks for it (webviews/src/violations/main.ts: 60 rows with facets, summary and trend). */
export const PANEL_FIRST_PAGE = { filter: {}, offset: 0, limit: 60, withAggregates: true };

/**
 * One panel query (the page, facets, summary and trend for `filter`), as the webview sends it
 * when it opens or a filter changes: the round trip, the server's `elapsedMs`, and what came back.
 */
export async function panelQuery(session, filter = {}, limit = PANEL_FIRST_PAGE.limit) {
    const { result, ms } = await session.request('policyInsights/panelQuery', { ...PANEL_FIRST_PAGE, filter, limit });
    return { ms, serverMs: result.elapsedMs, total: result.total, rows: result.rows.length, facets: result.aggregates?.facets };
}

/**
 * What VS Code asks the server for when the extension starts and the views show: server status,
 * the packs, groups and accounts trees, the Violations tree's roots (grouped by policy), the
 * status bar's total, then the Policy Violations panel's first page. Resolves with each round trip.
 */
export async function vsCodeStartRequests(session) {
    const times = {};
    for (const [name, method, params] of [
        ['status', 'policyInsights/getServerStatus', undefined],
        ['packs', 'policyInsights/listPacks', undefined],
        ['groups', 'policyInsights/listGroups', undefined],
        ['accounts', 'policyInsights/listAccounts', undefined],
        ['violation tree roots', 'policyInsights/violationGroups', { groupBy: 'policy' }],
        ['status bar total', 'policyInsights/listViolations', { limit: 0 }],
        ['panel first page', 'policyInsights/panelQuery', PANEL_FIRST_PAGE],
    ]) {
        times[name] = (await session.request(method, params)).ms;
    }
    return times;
}

/** Filter changes a user makes in the panel (one facet ticked each), from the unfiltered table. */
export const PANEL_FILTERS = [
    ['one level', { levels: ['mandatory'] }],
    ['one severity', { severities: ['critical'] }],
    ['two statuses', { statuses: ['open', 'fixed'] }],
    ['a resource type', { typeContains: 's3' }],
];

/**
 * The panel's first page (round trip, and the server's own `elapsedMs`) and each of `filters`
 * as a filter change (the query the webview sends when a facet is ticked), `runs` times each:
 * medians in ms. The first page of a fresh server includes building its violation index.
 */
export async function panelTimings(session, { filters = PANEL_FILTERS, runs = 5 } = {}) {
    const first = await session.request('policyInsights/panelQuery', PANEL_FIRST_PAGE);
    const changes = [];
    for (const [name, filter] of filters) {
        const server = [];
        const roundTrip = [];
        let total = 0;
        for (let run = 0; run < runs; run++) {
            const { result, ms } = await session.request('policyInsights/panelQuery', { ...PANEL_FIRST_PAGE, filter });
            server.push(result.elapsedMs);
            roundTrip.push(ms);
            total = result.total;
            // Back to the unfiltered table, as unticking does.
            await session.request('policyInsights/panelQuery', PANEL_FIRST_PAGE);
        }
        changes.push({ name, total, serverMs: median(server), roundTripMs: median(roundTrip) });
    }
    return { firstPage: { roundTripMs: first.ms, serverMs: first.result.elapsedMs, total: first.result.total }, changes };
}
