/**
 * `policy-insights analyze --file STATE.json --policy-pack DIR`: a stack export with a
 * public-read bucket against the aws-typescript template (real @pulumi/aws, real runner).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runCli } from '../../../server/src/cli/runCli';
import { scaffoldPack } from '../../../server/src/packs/scaffold';
import { hostScript, repoRoot } from '../runner/runnerTestEnv';

process.env.POLICY_INSIGHTS_PACK_HOST = hostScript;
const temp = mkdtempSync(path.join(tmpdir(), 'pi-analyze-'));
after(() => rmSync(temp, { recursive: true, force: true }));

const STATE = path.join(repoRoot, 'test', 'fixtures', 'stacks', 'aws-app.dev.export.json');

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli([...argv, '--home', path.join(temp, 'home')], { out: (l) => out.push(l), err: (l) => err.push(l), env: {} });
    return { code, out: out.join('\n'), err: err.join('\n') };
}

async function pack(): Promise<string> {
    const dir = path.join(temp, 'aws-typescript');
    await scaffoldPack({ template: 'aws-typescript', dir, templatesDir: path.join(repoRoot, 'templates'), force: true });
    try {
        symlinkSync(path.join(repoRoot, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    } catch {
        // already linked by an earlier test
    }
    return dir;
}

test('a public-read bucket in a stack export is a mandatory s3-no-public-read violation: exit 1', async () => {
    const result = await cli('analyze', '--file', STATE, '--policy-pack', await pack(), '--json');
    assert.equal(result.code, 1, result.err);
    const report = JSON.parse(result.out) as { project: string; stack: string; diagnostics: { policyName: string; enforcementLevel: string; urn: string }[] };
    assert.deepEqual([report.project, report.stack], ['aws-app', 'dev']);
    assert.deepEqual(
        report.diagnostics.map((d) => [d.policyName, d.enforcementLevel, d.urn.split('::').pop()]),
        [['s3-no-public-read', 'mandatory', 'site-bucket']],
    );
});

test('--policy-pack-config turns the policy advisory: reported, exit 0', async () => {
    const config = path.join(temp, 'advisory.json');
    writeFileSync(config, JSON.stringify({ 's3-no-public-read': 'advisory' }));
    const result = await cli('analyze', '--file', STATE, '--policy-pack', await pack(), '--policy-pack-config', config);
    assert.equal(result.code, 0, result.err);
    assert.match(result.out, /advisory\s+s3-no-public-read/);
    assert.match(result.out, /1 violation\(s\), 0 mandatory/);
});

test('bad input says what and where, exit 2', async () => {
    const broken = path.join(temp, 'broken.json');
    writeFileSync(broken, '{ "s3-no-public-read": ');
    const badConfig = await cli('analyze', '--file', STATE, '--policy-pack', await pack(), '--policy-pack-config', broken);
    assert.equal(badConfig.code, 2);
    assert.match(badConfig.err, /broken\.json is not valid JSON/);
    const missing = await cli('analyze', '--file', path.join(temp, 'nope.json'), '--policy-pack', await pack());
    assert.equal(missing.code, 2);
    assert.match(missing.err, /nope\.json/);
    const usage = await cli('analyze', '--file', STATE);
    assert.equal(usage.code, 2);
    assert.match(usage.err, /--policy-pack are required/);
});
