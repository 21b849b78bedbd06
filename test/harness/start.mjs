// `npm start`: the extension, built, in a real VS Code (code-server) in your browser, opened
// on test/fixtures/demo-workspace with the demo already set up in its own store home
// (.cache/demo-home): two policy packs published and enabled, a local AWS account and the
// workspace's Pulumi stack scanned, violations in the tree. See test/harness/demo.mjs.
//
//   npm start                      build, start, print the URL; Ctrl-C stops
//   node test/harness/start.mjs [--port N] [--reset] [--smoke]
//
// --reset    wipes the demo home (and .cache/demo-packs) and seeds it again
// --smoke    everything in a temporary home, on free ports; checks the printed URL answers
//            and the demo has violations, then stops (test/e2e/start.e2e.mjs runs it)
//
// The first start seeds the home through the real CLI (about 20 s); later starts reuse it
// and only rescan. The local AWS listens on a fixed port (45660) because the seeded
// account stores its endpoint.
// The extension is loaded the way a developer's F5 loads it: the workbench URL carries
// extensionDevelopmentPath in its `payload`, so every reload of the page picks up a rebuild.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { REPO, ensureCodeServer, freePort, log, startCodeServer, workbenchUrl } from './codeServer.mjs';
import { DEMO_AWS_ENV, DEMO_AWS_PORT, describeDemo, ensureDemo, startLocalAws } from './demo.mjs';

const { values: options } = parseArgs({
    options: {
        port: { type: 'string' },
        reset: { type: 'boolean', default: false },
        smoke: { type: 'boolean', default: false },
    },
});

const DEFAULT_PORT = 8080;
const folder = join(REPO, 'test', 'fixtures', 'demo-workspace');
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
    const started = Date.now();
    if (!existsSync(extensionMain)) {
        throw new Error(`${extensionMain} is missing: build the extension first (npm start does: node esbuild.mjs && node test/harness/start.mjs)`);
    }
    ensureCodeServer();
    // A smoke run must not disturb (or be disturbed by) a developer's running `npm start`.
    const stateRoot = options.smoke ? mkdtempSync(join(tmpdir(), 'policy-insights-start-')) : join(REPO, '.cache');
    const home = join(stateRoot, 'demo-home');
    const packsDir = join(stateRoot, 'demo-packs');
    if (options.reset) {
        log(`--reset: removing ${home} and ${packsDir}`);
        rmSync(home, { recursive: true, force: true });
        rmSync(packsDir, { recursive: true, force: true });
    }

    const stops = [];
    const stopAll = () => Promise.all(stops.splice(0).map((stop) => stop()));
    try {
        const aws = await startLocalAws({ port: options.smoke ? 0 : DEMO_AWS_PORT });
        stops.push(aws.stop);
        log(`local AWS (test/fixtures/aws/demo-account.json) answers on ${aws.url}`);
        // Seeding runs CLI processes; code-server starts meanwhile (the browser is not open yet, so nothing reads the store).
        const [demo, server] = await Promise.all([
            ensureDemo({ home, workspace: folder, packsDir, awsEndpoint: aws.url, log }),
            startCodeServer({
                folder,
                port: await choosePort(),
                userDataDir: join(stateRoot, 'demo-user-data'),
                extensionsDir: join(stateRoot, 'demo-extensions'),
                env: { POLICY_INSIGHTS_HOME: home, ...DEMO_AWS_ENV },
            }).then((s) => { stops.push(s.stop); return s; }),
        ]);
        const contents = await describeDemo(home);
        const url = workbenchUrl(server.port, { folder, extensionDevelopmentPath: REPO });
        const seconds = (ms) => `${(ms / 1000).toFixed(0)} s`;
        console.log(`
Policy Insights is running in code-server ${server.url}
  workspace:   ${folder}
               policy-pack/  the aws-typescript pack (validated as you type; published as aws-typescript)
               demo-infra/   a Pulumi program and its stack state, imported as demo-stack
  store home:  ${home} (POLICY_INSIGHTS_HOME; ${demo.seeded ? `seeded in ${seconds(demo.ms)}` : `reused and rescanned in ${seconds(demo.ms)}; --reset seeds it afresh`})
  local AWS:   ${aws.url} (scanner key ${DEMO_AWS_ENV.AWS_ACCESS_KEY_ID} in the CLI's and code-server's environment)
  server log:  ${server.logFile}

In the demo:
  ${contents.lines.join('\n  ')}
  ${contents.violations} open violations in all

Open this URL in a browser (it loads the extension from ${REPO}), then click the shield icon in the activity bar:

  ${url}

Try the CLI on the same store:  POLICY_INSIGHTS_HOME=${home} node out/cli/cli.js violations
After \`node esbuild.mjs\` (or \`npm run watch\`), reload the page to pick up the new build.
Ready in ${seconds(Date.now() - started)}.${options.smoke ? ' (--smoke: checking the URL, then stopping.)' : ' Press Ctrl-C to stop.'}
`);

        if (options.smoke) {
            const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
            const body = await response.text();
            if (response.status !== 200) throw new Error(`${url} answered HTTP ${response.status}`);
            if (!body.includes('workbench')) throw new Error(`${url} answered, but not with the VS Code workbench page`);
            if (contents.violations === 0) throw new Error(`the seeded demo in ${home} has no open violations`);
            log(`smoke: ${url} answers with the workbench page; the demo has ${contents.violations} open violations`);
            return;
        }

        let stopping = false;
        const stopped = new Promise((resolveStop) => {
            const stop = (signal) => {
                stopping = true;
                log(`${signal}: stopping code-server and the local AWS`);
                stopAll().then(resolveStop);
            };
            process.once('SIGINT', stop);
            process.once('SIGTERM', stop);
        });
        const died = Promise.race([
            server.exited.then((how) => {
                if (!stopping) throw new Error(`code-server stopped by itself (${how.code ?? how.signal}). Its log:\n${server.logTail()}`);
            }),
            aws.exited.then((code) => {
                if (!stopping) throw new Error(`the local AWS on ${aws.url} stopped by itself (exit code ${code}); scans of the demo account would fail. Run npm start again.`);
            }),
        ]);
        await Promise.race([stopped, died]);
    } finally {
        await stopAll();
        if (options.smoke) rmSync(stateRoot, { recursive: true, force: true });
    }
}

main().then(
    () => process.exit(0),
    (err) => {
        console.error(`npm start: ${err instanceof Error ? err.message : err}`);
        process.exit(1);
    },
);
