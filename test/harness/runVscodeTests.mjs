// Runs the mocha suite (out/test/index.js, built from test/vscode/) inside a real VS Code.
//
//   node test/harness/runVscodeTests.mjs [--extension DIR] [--folder DIR] [--headed] [--grep TEXT]
//
// --grep runs only the tests whose full title (suite and test) contains TEXT (a mocha grep).
//
// Where a desktop VS Code exists (VSCODE_EXECUTABLE=/path/to/code), @vscode/test-electron
// runs it. Otherwise code-server runs it: Chromium opens the workbench with the
// extensionDevelopmentPath/extensionTestsPath payload, the suite runs in code-server's
// extension host and writes its results to $POLICY_INSIGHTS_TEST_RESULTS, which this script
// waits for. The last line printed is `vscode suite: N passed, N failed`.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { REPO, ensureChromium, ensureCodeServer, launchChromium, log, startCodeServer, workbenchUrl } from './codeServer.mjs';

const { values: options } = parseArgs({
    options: {
        extension: { type: 'string', default: REPO },
        folder: { type: 'string', default: join(REPO, 'test', 'fixtures', 'demo-workspace') },
        headed: { type: 'boolean', default: false },
        grep: { type: 'string' },
        'keep-temp': { type: 'boolean', default: false },
    },
});
const extensionDevelopmentPath = resolve(options.extension);
const extensionTestsPath = join(extensionDevelopmentPath, 'out', 'test', 'index.js');
/** The whole suite, from opening the browser to the results file; the server start is on top. */
const timeoutMs = Number(process.env.POLICY_INSIGHTS_VSCODE_TIMEOUT_MS ?? 10 * 60_000);

if (!existsSync(extensionTestsPath)) {
    console.error(`vscode suite: ${extensionTestsPath} is missing. Build first: node esbuild.mjs`);
    console.log('vscode suite: 0 passed, 1 failed');
    process.exit(1);
}

const temp = mkdtempSync(join(tmpdir(), 'policy-insights-vscode-'));
const resultsFile = join(temp, 'results.json');
const home = join(temp, 'home');
const workspace = join(temp, 'workspace');
mkdirSync(home);
// A copy, so tests that write into the workspace never touch the fixture.
cpSync(resolve(options.folder), workspace, { recursive: true });
// The workflow suite scans a local AWS (test/localaws, seeded with the demo account) with
// the demo account's scanner key, through the default credential chain (environment).
const localAws = spawn(process.execPath, [join(extensionDevelopmentPath, 'out', 'test', 'localaws.js'), '--fixture', join(extensionDevelopmentPath, 'test', 'fixtures', 'aws', 'demo-account.json')], {
    stdio: ['ignore', 'pipe', 'inherit'],
});
const awsEndpoint = await new Promise((resolveUrl, rejectUrl) => {
    localAws.stdout.once('data', (data) => resolveUrl(String(data).trim().split('\n')[0]));
    localAws.once('exit', (code) => rejectUrl(new Error(`the local AWS exited with ${code} before printing its URL`)));
});
process.on('exit', () => localAws.kill());
const demoFixture = JSON.parse(readFileSync(join(extensionDevelopmentPath, 'test', 'fixtures', 'aws', 'demo-account.json'), 'utf8'));
const scannerKey = demoFixture.accounts[0].accessKeys[0];
const testEnv = {
    POLICY_INSIGHTS_TEST_RESULTS: resultsFile,
    POLICY_INSIGHTS_HOME: home,
    POLICY_INSIGHTS_TEST_REPO: extensionDevelopmentPath,
    POLICY_INSIGHTS_TEST_AWS_ENDPOINT: awsEndpoint,
    AWS_ACCESS_KEY_ID: scannerKey.accessKeyId,
    AWS_SECRET_ACCESS_KEY: scannerKey.secretAccessKey,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...(options.grep ? { POLICY_INSIGHTS_TEST_GREP: options.grep } : {}),
};

function readResults() {
    try {
        return JSON.parse(readFileSync(resultsFile, 'utf8'));
    } catch {
        return undefined;
    }
}

/** Prints the mocha results and returns the process exit code. */
function report(results) {
    for (const test of results.tests) {
        const mark = test.state === 'passed' ? '✔' : test.state === 'failed' ? '✘' : '-';
        console.log(`  ${mark} ${test.title}${test.durationMs !== undefined ? ` (${test.durationMs} ms)` : ''}`);
    }
    for (const [index, failure] of results.failures.entries()) {
        console.log(`\n  ${index + 1}) ${failure.title}\n     ${failure.message}`);
        if (failure.stack) console.log(failure.stack.split('\n').slice(1, 8).map((line) => `     ${line.trim()}`).join('\n'));
    }
    console.log(`\nvscode suite: mocha finished in ${(results.durationMs / 1000).toFixed(1)} s`);
    console.log(`vscode suite: ${results.passed} passed, ${results.failed} failed`);
    return results.failed === 0 && results.passed > 0 ? 0 : 1;
}

/** Desktop VS Code through @vscode/test-electron (a developer machine, a hosted CI). */
async function runInDesktopVsCode(vscodeExecutablePath) {
    const { runTests } = await import('@vscode/test-electron');
    log(`running the suite in desktop VS Code ${vscodeExecutablePath}`);
    try {
        await runTests({
            vscodeExecutablePath,
            extensionDevelopmentPath,
            extensionTestsPath,
            extensionTestsEnv: testEnv,
            launchArgs: [
                workspace,
                '--disable-extensions',
                '--disable-workspace-trust',
                '--user-data-dir', join(temp, 'user-data'),
                '--extensions-dir', join(temp, 'extensions'),
            ],
        });
    } catch (err) {
        // A failing suite rejects here too; the results file says which tests failed.
        if (!readResults()) throw err;
    }
}

/** code-server + Chromium: the real VS Code workbench and extension host on this machine. */
async function runInCodeServer() {
    ensureCodeServer();
    ensureChromium();
    const server = await startCodeServer({
        folder: workspace,
        userDataDir: join(temp, 'user-data'),
        extensionsDir: join(temp, 'extensions'),
        env: testEnv,
    });
    const consoleTail = [];
    let browser;
    try {
        browser = await launchChromium({ headed: options.headed });
        const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
        // The extension host's console (mocha's spec reporter among it) is forwarded to the page.
        page.on('console', (message) => {
            consoleTail.push(`[browser ${message.type()}] ${message.text()}`);
            if (consoleTail.length > 200) consoleTail.shift();
        });
        page.on('pageerror', (error) => consoleTail.push(`[browser pageerror] ${error.message}`));
        const url = workbenchUrl(server.port, { folder: workspace, extensionDevelopmentPath, extensionTestsPath });
        log(`opening ${url}`);
        const started = Date.now();
        await page.goto(url);
        while (!readResults()) {
            if (Date.now() - started > timeoutMs) {
                throw new Error(
                    `no results in ${resultsFile} after ${timeoutMs / 1000} s: the suite did not finish.\n` +
                    `--- code-server log (tail) ---\n${server.logTail(60)}\n` +
                    `--- browser console (tail) ---\n${consoleTail.slice(-60).join('\n')}`,
                );
            }
            await page.waitForTimeout(250);
        }
        log(`suite finished ${((Date.now() - started) / 1000).toFixed(1)} s after the browser opened the workbench`);
        if (readResults().failed > 0) {
            console.log(`--- browser console (tail) ---\n${consoleTail.slice(-40).join('\n')}`);
        }
    } finally {
        await browser?.close();
        await server.stop();
    }
}

let exitCode = 1;
try {
    const desktop = process.env.VSCODE_EXECUTABLE;
    if (desktop) await runInDesktopVsCode(desktop);
    else await runInCodeServer();
    const results = readResults();
    if (!results) throw new Error(`the suite ended without writing ${resultsFile}`);
    exitCode = report(results);
} catch (err) {
    console.error(`vscode suite: ${err instanceof Error ? err.message : err}`);
    console.log('vscode suite: 0 passed, 1 failed');
    exitCode = 1;
} finally {
    if (exitCode === 0 && !options['keep-temp']) rmSync(temp, { recursive: true, force: true });
    else console.log(`vscode suite: logs, store home and workspace kept in ${temp}`);
}
process.exit(exitCode);
