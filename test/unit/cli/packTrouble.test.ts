/**
 * The exit code says when a policy pack did not run: a scan whose evaluation could not run a
 * bound pack (its artifact no longer matches its digest) exits 1 and says why, instead of 0.
 */
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { EXIT_FINDINGS, EXIT_OK } from '../../../server/src/cli/command';
import { runCli } from '../../../server/src/cli/runCli';
import { scaffoldPack } from '../../../server/src/packs/scaffold';
import { hostScript, repoRoot } from '../runner/runnerTestEnv';

process.env.POLICY_INSIGHTS_PACK_HOST = hostScript;
const temp = mkdtempSync(path.join(tmpdir(), 'pi-cli-pack-trouble-'));
after(() => rmSync(temp, { recursive: true, force: true }));
const home = path.join(temp, 'home');

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli([...argv, '--home', home], { out: (l) => out.push(l), err: (l) => err.push(l), env: {} });
    return { code, out: out.join('\n'), err: err.join('\n') };
}

test('a scan whose evaluation could not run a bound pack exits 1, naming the pack', async () => {
    const packDir = path.join(temp, 'aws-typescript');
    await scaffoldPack({ template: 'aws-typescript', dir: packDir, templatesDir: path.join(repoRoot, 'templates') });
    symlinkSync(path.join(repoRoot, 'node_modules'), path.join(packDir, 'node_modules'), 'dir');
    assert.equal((await cli('policy', 'publish', packDir)).code, EXIT_OK);
    assert.equal((await cli('policy', 'enable', 'aws-typescript', 'latest')).code, EXIT_OK);
    const state = path.join(repoRoot, 'test', 'fixtures', 'stacks', 'aws-app.dev.export.json');
    assert.equal((await cli('account', 'add', 'app', '--provider', 'pulumi-stack', '--state', state)).code, EXIT_OK);

    const clean = await cli('account', 'scan', 'app');
    assert.equal(clean.code, EXIT_OK, clean.err);

    appendFileSync(path.join(home, 'artifacts', 'aws-typescript', '1-0.0.1', 'index.js'), '\n// tampered\n');
    const tampered = await cli('account', 'scan', 'app');
    assert.equal(tampered.code, EXIT_FINDINGS, tampered.err);
    assert.match(tampered.err, /aws-typescript.*does not match its published digest/);
    assert.match(tampered.err, /Some policy packs did not run/);
});
