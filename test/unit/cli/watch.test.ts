/**
 * `policy-insights watch` as systemd or a CI cron runs it: the real CLI in its own process,
 * re-importing a stack when its state file changes, one watch per home, stopping cleanly on
 * SIGTERM; and the scan lock that keeps two processes from scanning one account at once.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { tryScanLock } from '../../../server/src/accounts/scanLock';
import { runCli } from '../../../server/src/cli/runCli';
import { tempDir } from '../accounts/accountsTestSupport';
import { shopExport } from '../accounts/stackSecretsTestSupport';
import { within } from '../../support/waits';

const cliJs = path.resolve(__dirname, '..', '..', '..', 'cli', 'cli.js');

async function cli(home: string, ...args: string[]): Promise<{ code: number; out: string; err: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli([...args, '--home', home], { out: (l) => out.push(l), err: (l) => err.push(l), env: {} });
    return { code, out: out.join('\n'), err: err.join('\n') };
}


/** A started `watch` and its output so far; `until` waits for a line matching. */
function startWatch(home: string): { child: ChildProcess; output: () => string; until: (pattern: RegExp) => Promise<void>; exit: Promise<number | null> } {
    const child = spawn(process.execPath, [cliJs, 'watch', '--home', home], { stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    const waiters: { pattern: RegExp; resolve: () => void }[] = [];
    const onData = (chunk: Buffer) => {
        text += chunk.toString();
        for (const w of [...waiters]) {
            if (w.pattern.test(text)) {
                waiters.splice(waiters.indexOf(w), 1);
                w.resolve();
            }
        }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    return {
        child,
        output: () => text,
        exit,
        until: (pattern) =>
            pattern.test(text)
                ? Promise.resolve()
                : new Promise<void>((resolve, reject) => {
                      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern}; output:\n${text}`)), 60_000);
                      waiters.push({ pattern, resolve: () => (clearTimeout(timer), resolve()) });
                  }),
    };
}

describe('policy-insights watch', () => {
    it('re-imports a stack whose state file changes, refuses a second watch on the home, and stops on SIGTERM', async () => {
        const { dir, cleanup } = await tempDir('pi-watch-');
        const home = path.join(dir, 'home');
        let watch: ReturnType<typeof startWatch> | undefined;
        try {
            const state = path.join(dir, 'prod.json');
            const exported = shopExport() as { deployment: { resources: { outputs?: Record<string, unknown> }[] } };
            await writeFile(state, JSON.stringify(exported));
            assert.equal((await cli(home, 'account', 'add', 'shop', '--provider', 'pulumi-stack', '--state', state)).code, 0);
            watch = startWatch(home);
            await watch.until(/watching .*stack files shop\. Stop with Ctrl-C or SIGTERM\./);

            const other = spawn(process.execPath, [cliJs, 'watch', '--home', home], { stdio: ['ignore', 'pipe', 'pipe'] });
            let otherText = '';
            other.stderr.on('data', (c: Buffer) => (otherText += c.toString()));
            const second = await within(
                new Promise<{ code: number | null; text: string }>((resolve) => other.on('exit', (code) => resolve({ code, text: otherText }))),
                60_000,
                () => `a second watch on the same home did not exit: ${otherText}`,
            ).finally(() => other.exitCode === null && other.kill('SIGKILL'));
            assert.equal(second.code, 2);
            assert.match(second.text, /another `policy-insights watch` is running on/);

            exported.deployment.resources[0].outputs = { ...exported.deployment.resources[0].outputs, changedByTest: true };
            await writeFile(state, JSON.stringify(exported));
            await watch.until(/scan shop started \(file-change\)/);
            await watch.until(/scan shop succeeded: 0 added, 1 changed/);
            await watch.until(/evaluated shop: 0 open/);

            watch.child.kill('SIGTERM');
            assert.equal(await within(watch.exit, 60_000, () => `watch did not stop on SIGTERM: ${watch!.output()}`), 0, watch.output());
            assert.match(watch.output(), /SIGTERM: stopping[\s\S]*stopped/);
            // the lock went with it: a new watch starts
            watch = startWatch(home);
            await watch.until(/watching /);
            watch.child.kill('SIGINT');
            assert.equal(await within(watch.exit, 60_000, () => `watch did not stop on SIGINT: ${watch!.output()}`), 0);
        } finally {
            if (watch && watch.child.exitCode === null) watch.child.kill('SIGKILL');
            await cleanup();
        }
    });

    it('a scan of an account another process is scanning is refused, and runs once that process lets go', async () => {
        const { dir, cleanup } = await tempDir('pi-scanlock-');
        const home = path.join(dir, 'home');
        try {
            const state = path.join(dir, 'prod.json');
            await writeFile(state, JSON.stringify(shopExport()));
            assert.equal((await cli(home, 'account', 'add', 'shop', '--provider', 'pulumi-stack', '--state', state)).code, 0);
            // what a VS Code window holds while it scans
            const release = await tryScanLock(home, 'shop');
            assert.ok(release);
            assert.equal(await tryScanLock(home, 'shop'), undefined);
            const refused = await cli(home, 'account', 'scan', 'shop');
            assert.equal(refused.code, 2);
            assert.match(refused.err, /already running in another process on this home/);
            await release();
            const scanned = await cli(home, 'account', 'scan', 'shop');
            assert.equal(scanned.code, 0, scanned.err);
        } finally {
            await cleanup();
        }
    });
});
