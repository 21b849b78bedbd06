// `npm start`: the extension, built, in a real VS Code (code-server) in your browser,
// opened on test/fixtures/demo-workspace with its own store home (.cache/demo-home).
//
//   npm start                      build, start, print the URL; Ctrl-C stops
//   node test/harness/start.mjs [--port N] [--smoke]
//
// --smoke starts it on a free port, checks the printed URL answers, and stops (a test runs it).
// The extension is loaded the way a developer's F5 loads it: the workbench URL carries
// extensionDevelopmentPath in its `payload`, so every reload of the page picks up a rebuild.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { REPO, ensureCodeServer, freePort, log, startCodeServer, workbenchUrl } from './codeServer.mjs';

const { values: options } = parseArgs({
    options: {
        port: { type: 'string' },
        smoke: { type: 'boolean', default: false },
    },
});

const DEFAULT_PORT = 8080;
const folder = join(REPO, 'test', 'fixtures', 'demo-workspace');
const home = join(REPO, '.cache', 'demo-home');
const extensionMain = join(REPO, 'out', 'client', 'extension.js');

/** The port asked for, else 8080 when it is free, else any free port. */
async function choosePort() {
    if (options.port) {
        const port = Number(options.port);
        if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`--port ${options.port}: not a TCP port number`);
        return port;
    }
    if (options.smoke) return freePort();
    const probe = await fetch(`http://127.0.0.1:${DEFAULT_PORT}/`, { signal: AbortSignal.timeout(1000) }).then(() => true, () => false);
    return probe ? freePort() : DEFAULT_PORT;
}

async function main() {
    if (!existsSync(extensionMain)) {
        throw new Error(`${extensionMain} is missing: build the extension first (npm start does: node esbuild.mjs && node test/harness/start.mjs)`);
    }
    ensureCodeServer();
    mkdirSync(home, { recursive: true });
    // A smoke run must not disturb (or be disturbed by) a developer's running `npm start`.
    const stateRoot = options.smoke ? mkdtempSync(join(tmpdir(), 'policy-insights-start-')) : join(REPO, '.cache');
    const server = await startCodeServer({
        folder,
        port: await choosePort(),
        userDataDir: join(stateRoot, 'demo-user-data'),
        extensionsDir: join(stateRoot, 'demo-extensions'),
        env: { POLICY_INSIGHTS_HOME: home },
    });
    const url = workbenchUrl(server.port, { folder, extensionDevelopmentPath: REPO });
    console.log(`
Policy Insights is running in code-server ${server.url}
  workspace:   ${folder}
  store home:  ${home} (POLICY_INSIGHTS_HOME)
  server log:  ${server.logFile}

Open this URL in a browser (it loads the extension from ${REPO}):

  ${url}

After \`node esbuild.mjs\` (or \`npm run watch\`), reload the page to pick up the new build.
Press Ctrl-C to stop.
`);

    if (options.smoke) {
        try {
            const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
            const body = await response.text();
            if (response.status !== 200) throw new Error(`${url} answered HTTP ${response.status}`);
            if (!body.includes('workbench')) throw new Error(`${url} answered, but not with the VS Code workbench page`);
            log(`smoke: ${url} answers with the workbench page`);
        } finally {
            await server.stop();
            rmSync(stateRoot, { recursive: true, force: true });
        }
        return;
    }

    let stopping = false;
    const stopped = new Promise((resolveStop) => {
        const stop = (signal) => {
            stopping = true;
            log(`${signal}: stopping code-server`);
            server.stop().then(resolveStop);
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
    });
    const died = server.exited.then((how) => {
        if (!stopping) throw new Error(`code-server stopped by itself (${how.code ?? how.signal}). Its log:\n${server.logTail()}`);
    });
    await Promise.race([stopped, died]);
}

main().then(
    () => process.exit(0),
    (err) => {
        console.error(`npm start: ${err instanceof Error ? err.message : err}`);
        process.exit(1);
    },
);
