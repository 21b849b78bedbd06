// `npm test`: the whole test ladder, bottom to top. Every rung runs (none is skipped), what a
// rung needs is installed when missing (code-server, Chromium), and a rung that cannot run
// fails loudly. Prints a summary per rung and, as the very last line, `N passed, N failed`.
//
//   build      node esbuild.mjs
//   typecheck  npx tsc -b
//   lint       npm run lint (ESLint, zero warnings; config in .ci/eslint.config.mjs)
//   setup      code-server + Chromium + third-party pack fixtures installed (first run only does work)
//   unit       node --test out/test/unit/ (plain Node: no browser, no VS Code)
//   browser    node --test out/test/browser/ (webview pages in Chromium, against a fake VS Code host)
//   lsp        node --test out/test/lsp/
//   vscode     the mocha suite inside code-server (test/harness/runVscodeTests.mjs)
//   e2e        the views in the browser, `npm start --smoke` (test/e2e/)
//   vsix       npm run package, install into code-server, views from the installed copy
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO, ensureChromium, ensureCodeServer } from './harness/codeServer.mjs';
import { ensureThirdPartyPacks } from './harness/thirdPartyPacks.mjs';

const node = process.execPath;
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
const reports = mkdtempSync(join(tmpdir(), 'policy-insights-tests-'));

const MINUTE = 60_000;
/** One override for every rung's watchdog, in minutes (CI has 90 for the whole run). */
const rungTimeoutOverride = Number(process.env.POLICY_INSIGHTS_RUNG_TIMEOUT_MIN) * MINUTE || undefined;
let current;
process.once('SIGINT', () => {
    // The rung runs in its own process group, so Ctrl-C reaches it only through here.
    if (current) try { process.kill(-current.pid, 'SIGTERM'); } catch { /* gone */ }
    process.exit(130);
});

/**
 * Runs a command with its output shown live and kept; resolves with exit code and output.
 * A watchdog kills the command's whole process group after `timeoutMs`: one hung test
 * file must not eat the CI's time budget for the rungs above it.
 */
function runLive(command, args, timeoutMs) {
    return new Promise((resolveRun) => {
        const limit = rungTimeoutOverride ?? timeoutMs;
        if (!(limit > 0)) throw new Error(`runLive(${command}): no timeout given`);
        const child = spawn(command, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
        current = child;
        let output = '';
        let timedOut = false;
        const watchdog = setTimeout(() => {
            timedOut = true;
            console.error(`\n${command} ${args.join(' ')}: still running after ${limit / MINUTE} min; stopping it`);
            // SIGTERM first: the harness scripts stop the code-servers they started on it.
            try { process.kill(-child.pid, 'SIGTERM'); } catch { /* gone */ }
            setTimeout(() => {
                try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ }
            }, 10_000).unref();
        }, limit);
        const keep = (stream) => (chunk) => {
            stream.write(chunk);
            output += chunk.toString();
        };
        child.stdout.on('data', keep(process.stdout));
        child.stderr.on('data', keep(process.stderr));
        child.on('error', (err) => {
            clearTimeout(watchdog);
            resolveRun({ code: 1, output: `${output}\n${command}: ${err.message}`, timedOut, limit });
        });
        child.on('close', (code, signal) => {
            clearTimeout(watchdog);
            current = undefined;
            resolveRun({ code: code ?? (signal ? 1 : 0), output, timedOut, limit });
        });
    });
}

/** A rung that is one check: passes when the command exits 0. */
function singleCheck(command, args, timeoutMs) {
    return async () => {
        const { code, timedOut, limit } = await runLive(command, args, timeoutMs);
        const note = timedOut ? `timed out after ${limit / MINUTE} min` : code === 0 ? '' : `exit code ${code}`;
        return { passed: code === 0 ? 1 : 0, failed: code === 0 ? 0 : 1, note };
    };
}

/** A `node --test` rung: spec output on the console, TAP in a file for the counts. */
function nodeTests(name, targets, timeoutMs, extraArgs = []) {
    return async () => {
        const tap = join(reports, `${name}.tap`);
        const { code, timedOut, limit } = await runLive(node, [
            '--test',
            // A test that hangs fails on its own instead of holding up the rung.
            `--test-timeout=${5 * MINUTE}`,
            ...extraArgs,
            '--test-reporter=spec', '--test-reporter-destination=stdout',
            '--test-reporter=tap', `--test-reporter-destination=${tap}`,
            ...targets,
        ], timeoutMs);
        let text = '';
        try {
            text = readFileSync(tap, 'utf8');
        } catch {
            // No report at all: node --test could not start (a missing folder, a bad flag).
        }
        // The summary lines of the top-level plan (unindented) count the whole run.
        const count = (key) => Number(text.match(new RegExp(`^# ${key} (\\d+)$`, 'm'))?.[1] ?? 0);
        const passed = count('pass');
        let failed = count('fail') + count('cancelled');
        let note = '';
        if (timedOut) {
            failed += 1;
            note = `timed out after ${limit / MINUTE} min (a test file that never exits?); counts are partial`;
        } else if (code !== 0 && failed === 0) {
            failed = 1;
            note = `node --test exited ${code} without a failing test (see its output above)`;
        }
        if (passed + failed === 0) {
            failed = 1;
            note = `no tests ran in ${targets.join(' ')}`;
        }
        const skipped = count('skipped') + count('todo');
        if (skipped > 0) {
            failed += skipped;
            note = `${skipped} skipped/todo test(s): the ladder allows none`;
        }
        return { passed, failed, note };
    };
}

/** The code-server suite: its runner's last line is `vscode suite: N passed, N failed`. */
async function vscodeSuite() {
    const { code, output, timedOut, limit } = await runLive(node, [join('test', 'harness', 'runVscodeTests.mjs')], 15 * MINUTE);
    if (timedOut) return { passed: 0, failed: 1, note: `timed out after ${limit / MINUTE} min` };
    const counts = [...output.matchAll(/^vscode suite: (\d+) passed, (\d+) failed$/gm)].at(-1);
    const passed = Number(counts?.[1] ?? 0);
    let failed = Number(counts?.[2] ?? 0);
    if (code !== 0 && failed === 0) failed = 1;
    return { passed, failed, note: counts ? '' : 'the runner printed no counts' };
}

async function setup() {
    try {
        ensureCodeServer();
        ensureChromium();
        // Real packs no one here wrote (@pulumi/awsguard...), which the unit rung runs.
        ensureThirdPartyPacks();
        return { passed: 1, failed: 0, note: '' };
    } catch (err) {
        console.error(`setup: ${err instanceof Error ? err.message : err}`);
        return { passed: 0, failed: 1, note: 'could not install code-server, Chromium or the third-party packs (see above)' };
    }
}

const rungs = [
    ['build', singleCheck(node, ['esbuild.mjs'], 5 * MINUTE)],
    ['typecheck', singleCheck(npx, ['tsc', '-b'], 10 * MINUTE)],
    ['lint', singleCheck(npx, ['eslint', '--config', '.ci/eslint.config.mjs', '--max-warnings', '0', '.'], 10 * MINUTE)],
    // Before the unit rung (which runs the third-party packs) and the browser rung (Chromium).
    ['setup', setup],
    ['unit', nodeTests('unit', ['out/test/unit/'], 25 * MINUTE)],
    // The webview pages in Chromium: their own rung, so unit/ stays plain Node and a browser failure names itself.
    ['browser', nodeTests('browser', ['out/test/browser/'], 10 * MINUTE)],
    ['lsp', nodeTests('lsp', ['out/test/lsp/'], 20 * MINUTE)],
    ['vscode', vscodeSuite],
    // One at a time: each starts its own code-server (and the smoke one another), on 2 cores.
    ['e2e', nodeTests('e2e', ['test/e2e/views.e2e.mjs', 'test/e2e/start.e2e.mjs', 'test/e2e/demo.e2e.mjs', 'test/e2e/violationsPanel.e2e.mjs'], 15 * MINUTE, ['--test-concurrency=1'])],
    ['vsix', nodeTests('vsix', ['test/harness/vsixCheck.mjs'], 15 * MINUTE)],
];

const started = Date.now();
const summary = [];
for (const [name, runRung] of rungs) {
    console.log(`\n=== ${name} ${'='.repeat(60 - name.length)}`);
    const rungStarted = Date.now();
    let result;
    try {
        result = await runRung();
    } catch (err) {
        console.error(`${name}: ${err instanceof Error ? err.stack : err}`);
        result = { passed: 0, failed: 1, note: `the rung itself crashed: ${err instanceof Error ? err.message : err}` };
    }
    const seconds = (Date.now() - rungStarted) / 1000;
    summary.push({ name, ...result, seconds });
    console.log(`=== ${name}: ${result.passed} passed, ${result.failed} failed in ${seconds.toFixed(1)} s${result.note ? ` (${result.note})` : ''}`);
}
rmSync(reports, { recursive: true, force: true });

const totalPassed = summary.reduce((sum, rung) => sum + rung.passed, 0);
const totalFailed = summary.reduce((sum, rung) => sum + rung.failed, 0);
console.log('\nTest ladder summary');
for (const rung of summary) {
    const status = rung.failed === 0 ? 'ok  ' : 'FAIL';
    console.log(`  ${status} ${rung.name.padEnd(10)} ${String(rung.passed).padStart(5)} passed ${String(rung.failed).padStart(4)} failed ${rung.seconds.toFixed(1).padStart(7)} s${rung.note ? `  ${rung.note}` : ''}`);
}
console.log(`  total time ${((Date.now() - started) / 1000).toFixed(1)} s`);
console.log(`${totalPassed} passed, ${totalFailed} failed`);
process.exit(totalFailed === 0 ? 0 : 1);
