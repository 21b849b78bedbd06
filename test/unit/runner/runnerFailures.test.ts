/**
 * Packs that misbehave: a policy that throws, hangs (synchronously or on a promise that
 * never settles) or kills its process; a pack that crashes, throws or never registers while
 * loading; a pack that prints to stdout; a pack without its dependencies. Each is reported
 * for what it is, and evaluation of everything else goes on.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { RunnerPool } from '../../../server/src/runner/runnerPool';
import { RunnerError, type RunnerErrorCode } from '../../../server/src/runner/runnerTypes';
import { bucket, hostScript, liveHosts, repoRoot, runnerFixture, tempCacheDir } from './runnerTestEnv';

const names = ['a', 'boom', 'b', 'hang', 'c', 'crash', 'd'];
const resources = names.map((n) => bucket(n, { acl: n === 'b' ? 'public-read' : 'private' }));

async function rejectsWith(promise: Promise<unknown>, code: RunnerErrorCode): Promise<RunnerError> {
    let caught: unknown;
    await promise.then(
        () => assert.fail(`expected RunnerError ${code}`),
        (e) => (caught = e),
    );
    assert.ok(caught instanceof RunnerError, `expected RunnerError, got ${String(caught)}`);
    assert.equal(caught.code, code, caught.message);
    return caught;
}

describe('runner failures', () => {
    // One host: "skipped for the rest of the evaluation" is then exact (parallel hosts learn of a hang when it happens).
    const pool = new RunnerPool({ hostScript, cacheDir: tempCacheDir(), chunkSize: 3, hostsPerPack: 1 });
    after(() => pool.dispose());

    it('a policy that throws is an error for that policy and resource; the others still report', async () => {
        const dir = runnerFixture('throwing');
        const { diagnostics, errors } = await pool.analyze(dir, resources);
        assert.deepEqual(diagnostics.map((d) => `${d.policyName}:${d.urn.split('::').pop()}`), names.map((n) => `always-reports:${n}`));
        assert.equal(errors.length, 1);
        assert.equal(errors[0].code, 'policy-error');
        assert.equal(errors[0].policyName, 'explodes');
        assert.equal(errors[0].urn, resources[1].urn);
        assert.match(errors[0].message, /Error validating resource with policy 'explodes' from policy pack 'runner-throwing@v0\.1\.0'/);
        assert.match(errors[0].message, /cannot evaluate boom/);
        // The stack points at the pack's TypeScript, not at compiled code.
        assert.match(errors[0].message, /throwing\/index\.ts:\d+:\d+/);
    });

    it('a policy stuck in a synchronous loop is stopped after the timeout, reported, and the rest is evaluated', async () => {
        const dir = runnerFixture('hanging-sync');
        const started = Date.now();
        const { diagnostics, errors } = await pool.analyze(dir, resources, { timeoutMs: 400 });
        assert.ok(Date.now() - started < 15_000);
        assert.equal(errors.length, 1, JSON.stringify(errors));
        assert.equal(errors[0].code, 'policy-timeout');
        assert.equal(errors[0].policyName, 'spins');
        assert.equal(errors[0].urn, resources[3].urn);
        // Every resource still got the other policy; the hung policy ran until it hung and is skipped after.
        assert.deepEqual(diagnostics.filter((d) => d.policyName === 'always-reports').map((d) => d.urn), resources.map((r) => r.urn));
        assert.deepEqual(diagnostics.filter((d) => d.policyName === 'spins').map((d) => d.urn.split('::').pop()), ['a', 'boom', 'b']);
        // The pool recovered: the next evaluation works on a fresh host.
        const again = await pool.analyze(dir, resources.slice(0, 1));
        assert.equal(again.diagnostics.length, 2);
    });

    it('a policy whose promise never settles is abandoned after the timeout without restarting the host', async () => {
        const dir = runnerFixture('hanging-async');
        await pool.loadPack(dir);
        const hosts = liveHosts(pool);
        const pid = hosts.find((h) => h.info.packDir === dir)?.process.pid;
        const { diagnostics, errors } = await pool.analyze(dir, resources, { timeoutMs: 300 });
        assert.deepEqual(errors.map((e) => [e.code, e.policyName, e.urn]), [['policy-timeout', 'waits', resources[3].urn]]);
        assert.deepEqual(diagnostics.filter((d) => d.policyName === 'always-reports').length, resources.length);
        assert.deepEqual(diagnostics.filter((d) => d.policyName === 'waits').map((d) => d.urn.split('::').pop()), ['a', 'boom', 'b']);
        assert.equal(hosts.find((h) => h.info.packDir === dir)?.process.pid, pid);
    });

    it('a policy that kills its process is reported with the exit code and stderr; the other resources are evaluated', async () => {
        const dir = runnerFixture('crash-in-policy');
        const { diagnostics, errors } = await pool.analyze(dir, resources);
        assert.deepEqual(diagnostics.map((d) => d.urn.split('::').pop()), names.filter((n) => n !== 'crash'));
        assert.equal(errors.length, 1);
        assert.equal(errors[0].code, 'crashed');
        assert.equal(errors[0].urn, resources[5].urn);
        assert.match(errors[0].message, /exited with code 7/);
        assert.match(errors[0].stderrTail ?? '', /giving up on urn:pulumi:dev::runner-tests::aws:s3\/bucket:Bucket::crash/);
    });

    it('a policy that allocates without bound is stopped at the memory cap, reported by name, and the rest is evaluated', async () => {
        const capped = new RunnerPool({ hostScript, cacheDir: tempCacheDir(), maxHeapMb: 300, hostsPerPack: 1 });
        try {
            const hogs = ['a', 'hog', 'b'].map((n) => bucket(n));
            const started = Date.now();
            const { diagnostics, errors } = await capped.analyze(runnerFixture('memory-hog'), hogs);
            assert.ok(Date.now() - started < 15_000);
            assert.deepEqual(errors.map((e) => [e.code, e.policyName, e.urn]), [['crashed', 'hoards', hogs[1].urn]]);
            assert.match(errors[0].message, /^Policy pack runner-memory-hog exceeded 300 MB \(\d+ MB resident\) while policy 'hoards' evaluated urn:.*::hog; its process was stopped/);
            // the other resources were evaluated on a new host, and the other policy saw the hog too
            assert.deepEqual(diagnostics.filter((d) => d.policyName === 'always-reports').map((d) => d.urn.split('::').pop()), ['a', 'b']);
            assert.deepEqual(diagnostics.filter((d) => d.policyName === 'hoards').map((d) => d.urn.split('::').pop()), ['a', 'b']);
        } finally {
            await capped.dispose();
        }
    });

    it('a pack that prints to stdout does not disturb the run', async () => {
        const dir = runnerFixture('stdout-noise');
        const info = await pool.loadPack(dir);
        assert.equal(info.name, 'runner-stdout-noise');
        const { diagnostics, errors } = await pool.analyze(dir, resources);
        assert.deepEqual(errors, []);
        assert.deepEqual(diagnostics.map((d) => [d.policyName, d.urn]), [['chatty', resources[2].urn]]);
    });

    it('a pack that exits while loading: load-failed with the exit code and its stderr tail', async () => {
        const e = await rejectsWith(pool.loadPack(runnerFixture('crash-at-load')), 'load-failed');
        assert.equal(e.details.exitCode, 3);
        assert.match(e.details.stderrTail ?? '', /the pack cannot start without its settings file/);
        assert.match(e.message, /crash-at-load\/index\.ts failed to load/);
    });

    it('the SDK rejecting the pack at start-up (invalid name) is a load error with its message', async () => {
        const e = await rejectsWith(pool.loadPack(runnerFixture('bad-name')), 'load-failed');
        assert.match(e.details.stderrTail ?? '', /Invalid policy pack name "not a valid name!"/);
    });

    it('a pack that throws while loading: the location is the line in its .ts file', async () => {
        const e = await rejectsWith(pool.loadPack(runnerFixture('load-error-ts')), 'load-failed');
        assert.match(e.message, /threshold is not configured/);
        const location = e.details.location;
        assert.ok(location, 'a source location');
        assert.equal(location.file, join(runnerFixture('load-error-ts'), 'helpers.ts'));
        assert.equal(location.line, 8);
        assert.equal(location.column, 15);
    });

    it('a pack whose top-level code never returns is stopped after the load timeout', async () => {
        const quick = new RunnerPool({ hostScript, cacheDir: tempCacheDir(), loadTimeoutMs: 1500 });
        try {
            const e = await rejectsWith(quick.loadPack(runnerFixture('hanging-at-load')), 'load-failed');
            assert.match(e.message, /did not finish loading within 1500 ms/);
        } finally {
            await quick.dispose();
        }
    });

    it('a pack that timed out at load fails fast for the next accounts, with the same error, instead of costing the timeout again', async () => {
        const quick = new RunnerPool({ hostScript, cacheDir: tempCacheDir(), loadTimeoutMs: 1500 });
        try {
            const dir = runnerFixture('hanging-at-load');
            const started = Date.now();
            // four accounts evaluated in turn (no stack context), as an evaluation walks them
            for (let account = 0; account < 4; account++) {
                const e = await rejectsWith(quick.analyze(dir, [bucket(`account-${account}`)]), 'load-failed');
                assert.match(e.message, /hanging-at-load\/index\.ts did not finish loading within 1500 ms/);
                if (account > 0) assert.match(e.message, /Not started again: it timed out \d+ s ago/);
            }
            const elapsed = Date.now() - started;
            assert.ok(elapsed < 1500 * 2, `4 accounts took ${elapsed} ms: the load timeout was paid more than once`);
            // another stack context is another process the engine would start: it gets its own try
            const stackStarted = Date.now();
            await rejectsWith(quick.analyze(dir, [bucket('s')], { context: { project: 'shop', stack: 'prod' } }), 'load-failed');
            assert.ok(Date.now() - stackStarted >= 1500);
        } finally {
            await quick.dispose();
        }
    });

    it('a pack that never creates a PolicyPack: no-policy-pack', async () => {
        const e = await rejectsWith(pool.loadPack(runnerFixture('no-pack')), 'no-policy-pack');
        assert.match(e.message, /never called `new PolicyPack/);
    });

    it('a pack without its node_modules: missing-dependencies, naming what to install', async () => {
        const dir = mkdtempSync(join(tmpdir(), 'pi-runner-nodeps-'));
        try {
            cpSync(runnerFixture('basic'), dir, { recursive: true });
            const e = await rejectsWith(pool.loadPack(dir), 'missing-dependencies');
            assert.match(e.message, /@pulumi\/policy/);
            assert.match(e.message, /npm install/);
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });

    it('a pack whose TypeScript does not compile: build-failed with the position', async () => {
        const dir = mkdtempSync(join(tmpdir(), 'pi-runner-syntax-'));
        try {
            cpSync(runnerFixture('basic'), dir, { recursive: true });
            symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'), 'dir');
            writeFileSync(join(dir, 'rules.ts'), 'export const bucketNameRule: number = ;\n');
            const e = await rejectsWith(pool.loadPack(dir), 'build-failed');
            assert.equal(e.details.location?.file, join(dir, 'rules.ts'));
            assert.equal(e.details.location?.line, 1);
            assert.equal(e.details.location?.column, 39);
            assert.match(e.message, /rules\.ts:1:39: Unexpected ";"/);
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });

    it('cancelling stops the evaluation and its host', async () => {
        const dir = runnerFixture('hanging-sync');
        const controller = new AbortController();
        const run = pool.analyze(dir, [bucket('hang')], { timeoutMs: 60_000, signal: controller.signal });
        setTimeout(() => controller.abort(), 300);
        await rejectsWith(run, 'cancelled');
    });
});

describe('runner failures with hosts in parallel', () => {
    it('a crash on one host and a hang on another are each reported once, and every other resource is evaluated', async () => {
        const pool = new RunnerPool({ hostScript, cacheDir: tempCacheDir(), chunkSize: 2, hostsPerPack: 2, timeoutMs: 400 });
        try {
            const many = Array.from({ length: 12 }, (_, i) => bucket(i === 3 ? 'crash' : `r${i}`));
            const crash = await pool.analyze(runnerFixture('crash-in-policy'), many);
            assert.deepEqual(crash.errors.map((e) => [e.code, e.urn]), [['crashed', many[3].urn]]);
            assert.deepEqual(crash.diagnostics.map((d) => d.urn), many.filter((_, i) => i !== 3).map((r) => r.urn));

            const hanging = Array.from({ length: 12 }, (_, i) => bucket(i === 5 ? 'hang' : `r${i}`));
            const hang = await pool.analyze(runnerFixture('hanging-sync'), hanging);
            assert.deepEqual(hang.errors.map((e) => [e.code, e.policyName, e.urn]), [['policy-timeout', 'spins', hanging[5].urn]]);
            assert.deepEqual(hang.diagnostics.filter((d) => d.policyName === 'always-reports').map((d) => d.urn), hanging.map((r) => r.urn));
        } finally {
            await pool.dispose();
        }
    });
});
