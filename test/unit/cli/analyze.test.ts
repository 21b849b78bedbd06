/**
 * `policy-insights analyze --file STATE --policy-pack DIR`, end to end through the CLI with the
 * real runner: the aws-typescript template (real @pulumi/aws) and a remediation pack of our own,
 * against stack exports with and without encrypted secrets. Exit codes, the three outputs
 * (human, --diff, --json engine events), and no secret in any of them.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { REDACTED_SECRET, SECRET_SIG, SIG_KEY } from '../../../server/src/pulumiSecretValues';
import { runCli } from '../../../server/src/cli/runCli';
import { analyzeStateFile } from '../../../server/src/evaluation/analyzeStateFile';
import { RunnerPool } from '../../../server/src/runner/runnerPool';
import type { RunnerResource, RunOptions } from '../../../server/src/runner/runnerTypes';
import { scaffoldPack } from '../../../server/src/packs/scaffold';
import { FIXTURE_PASSPHRASE, shopExport, SHOP_SECRETS, SHOP_URNS } from '../accounts/stackSecretsTestSupport';
import { hostScript, repoRoot } from '../runner/runnerTestEnv';

process.env.POLICY_INSIGHTS_PACK_HOST = hostScript;
const temp = mkdtempSync(path.join(tmpdir(), 'pi-analyze-'));
after(() => rmSync(temp, { recursive: true, force: true }));

const STACKS = path.join(repoRoot, 'test', 'fixtures', 'stacks');
const STATE = path.join(STACKS, 'aws-app.dev.export.json');
const SHOP_STATE = path.join(STACKS, 'shop', 'prod.export.json');

async function cli(argv: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const saved = { PULUMI_CONFIG_PASSPHRASE: process.env.PULUMI_CONFIG_PASSPHRASE, PULUMI_CONFIG_PASSPHRASE_FILE: process.env.PULUMI_CONFIG_PASSPHRASE_FILE };
    delete process.env.PULUMI_CONFIG_PASSPHRASE;
    delete process.env.PULUMI_CONFIG_PASSPHRASE_FILE;
    Object.assign(process.env, env);
    try {
        const code = await runCli([...argv, '--home', path.join(temp, 'home')], { out: (l) => out.push(l), err: (l) => err.push(l), env: {} });
        return { code, out: out.join('\n'), err: err.join('\n') };
    } finally {
        for (const [k, v] of Object.entries(saved)) {
            if (v === undefined) delete process.env[k];
            else process.env[k] = v;
        }
    }
}

function linkNodeModules(dir: string): void {
    try {
        symlinkSync(path.join(repoRoot, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    } catch {
        // already linked by an earlier test
    }
}

let templatePack: Promise<string> | undefined;
function awsPack(): Promise<string> {
    templatePack ??= (async () => {
        const dir = path.join(temp, 'aws-typescript');
        await scaffoldPack({ template: 'aws-typescript', dir, templatesDir: path.join(repoRoot, 'templates'), force: true });
        linkNodeModules(dir);
        return dir;
    })();
    return templatePack;
}

function remediationPack(): string {
    const dir = path.join(temp, 'remediation-pack');
    cpSync(path.join(STACKS, 'remediation-pack'), dir, { recursive: true });
    linkNodeModules(dir);
    return dir;
}

function assertNoSecret(text: string): void {
    for (const secret of Object.values(SHOP_SECRETS)) assert.equal(text.includes(secret), false, `the secret ${secret} is not printed`);
}

interface EngineEvent {
    sequence: number;
    timestamp: number;
    policyEvent?: { resourceUrn: string; policyName: string; policyPackName: string; policyPackVersion: string; policyPackVersionTag: string; enforcementLevel: string; message: string; color: string };
    policyRemediationEvent?: { resourceUrn: string; policyName: string; policyPackName: string; before?: Record<string, unknown>; after?: Record<string, unknown> };
    diagnosticEvent?: { urn?: string; message: string; severity: string };
    summaryEvent?: { PolicyPacks: Record<string, string>; result: string; isPreview: boolean; maybeCorrupt: boolean; durationSeconds: number; resourceChanges: null };
}

function events(out: string): EngineEvent[] {
    return out.split('\n').filter(Boolean).map((line) => JSON.parse(line) as EngineEvent);
}

test('a public-read bucket in a stack export is a mandatory s3-no-public-read violation: exit 1, --json prints engine events', async () => {
    const result = await cli(['analyze', '--file', STATE, '--policy-pack', await awsPack(), '--json']);
    assert.equal(result.code, 1, result.err);
    const list = events(result.out);
    assert.deepEqual(list.map((e) => e.sequence), list.map((_, i) => i));
    assert.ok(list.every((e) => Number.isInteger(e.timestamp) && e.timestamp > 1_700_000_000));
    const violations = list.filter((e) => e.policyEvent).map((e) => e.policyEvent!);
    assert.deepEqual(
        violations.map((v) => [v.policyName, v.enforcementLevel, v.resourceUrn.split('::').pop(), v.policyPackName, v.policyPackVersionTag]),
        [['s3-no-public-read', 'mandatory', 'site-bucket', 'aws-typescript', '0.0.1']],
    );
    assert.deepEqual(list.at(-1)?.summaryEvent, { maybeCorrupt: false, durationSeconds: 0, resourceChanges: null, PolicyPacks: { 'aws-typescript': '0.0.1' }, isPreview: false, result: 'failed' });
});

test('--policy-pack-config turns the policy advisory: reported, exit 0', async () => {
    const config = path.join(temp, 'advisory.json');
    writeFileSync(config, JSON.stringify({ 's3-no-public-read': 'advisory' }));
    const result = await cli(['analyze', '--file', STATE, '--policy-pack', await awsPack(), '--policy-pack-config', config]);
    assert.equal(result.code, 0, result.err);
    assert.match(result.out, /aws:s3\/bucket:Bucket site-bucket/);
    assert.match(result.out, /\[advisory\]\s+s3-no-public-read\s+\(aws-typescript@0\.0\.1\)/);
    assert.match(result.out, /aws-app\/dev: 6 resources, 1 violation\(s\), 0 mandatory, 0 remediation\(s\), 0 policy error\(s\)\./);
});

test('an encrypted export with its passphrase: remediations with before → after, policy errors fail the run, no secret printed', async () => {
    const result = await cli(['analyze', '--file', SHOP_STATE, '--policy-pack', await awsPack(), '--policy-pack', remediationPack()], { PULUMI_CONFIG_PASSPHRASE: FIXTURE_PASSPHRASE });
    assert.equal(result.code, 1, result.err);
    assert.doesNotMatch(result.err, /warning: could not decrypt/);
    assertNoSecret(result.out + result.err);
    // the bucket's inputs are public-read: mandatory on resource policies, and a remediation proposed
    assert.match(result.out, /aws:s3\/bucket:Bucket assets {2}urn:pulumi:prod::shop::aws:s3\/bucket:Bucket::assets\n {4}\[remediate\] {2}bucket-private {2}\(shop-remediations@0\.2\.0\) would change:\n {8}acl: "public-read" → "private"\n {4}\[mandatory\] {2}s3-no-public-read/);
    assert.match(result.out, /rds-encrypted {2}\(shop-remediations@0\.2\.0\) would change:\n {8}kmsKeyId: undefined → "alias\/aws\/rds"\n {8}skipFinalSnapshot: true → undefined\n {8}storageEncrypted: false → true/);
    assert.doesNotMatch(result.out, /old-logs/, 'a resource pending deletion is not analyzed');
    // the stack policy's finding about no resource goes to the root stack
    assert.match(result.out, /pulumi:pulumi:Stack shop-prod {2}urn:pulumi:prod::shop::pulumi:pulumi:Stack::shop-prod\n {4}\[advisory\] {2}stack-size {2}\(shop-remediations@0\.2\.0\): 8 resources/);
    assert.match(result.err, /error: policy shop-remediations\/rds-inspector failed on urn:pulumi:prod::shop::shop:data:Database\$aws:rds\/instance:Instance::orders-db: Error: cannot inspect orders-db\n/);
    assert.match(result.err, /1 policy error\(s\): the analysis is incomplete, so it fails/);
    assert.match(result.out, /shop\/prod: 8 resources, 2 violation\(s\), 1 mandatory, 2 remediation\(s\), 1 policy error\(s\)\./);
});

test('--json: remediation events carry before and after with secrets blinded; policy errors are error diagnostics; the summary fails', async () => {
    const result = await cli(['analyze', '--file', SHOP_STATE, '--policy-pack', remediationPack(), '--json'], { PULUMI_CONFIG_PASSPHRASE: FIXTURE_PASSPHRASE });
    assert.equal(result.code, 1, result.err);
    assertNoSecret(result.out + result.err);
    const list = events(result.out);
    const rds = list.find((e) => e.policyRemediationEvent?.policyName === 'rds-encrypted')!.policyRemediationEvent!;
    assert.equal(rds.resourceUrn, SHOP_URNS.rds);
    const blinded = { [SIG_KEY]: SECRET_SIG, ciphertext: REDACTED_SECRET };
    assert.deepEqual(rds.before?.password, blinded);
    assert.deepEqual(rds.after?.password, blinded);
    assert.equal(rds.after?.storageEncrypted, true);
    assert.equal(rds.before?.storageEncrypted, false);
    const errors = list.filter((e) => e.diagnosticEvent);
    assert.equal(errors.length, 1);
    assert.equal(errors[0].diagnosticEvent?.severity, 'error');
    assert.equal(errors[0].diagnosticEvent?.urn, SHOP_URNS.rds);
    assert.deepEqual(list.at(-1)?.summaryEvent?.PolicyPacks, { 'shop-remediations': '0.2.0' });
    assert.equal(list.at(-1)?.summaryEvent?.result, 'failed');
});

test('--diff shows each remediation as a property diff', async () => {
    const result = await cli(['analyze', '--file', SHOP_STATE, '--policy-pack', remediationPack(), '--diff'], { PULUMI_CONFIG_PASSPHRASE: FIXTURE_PASSPHRASE });
    assert.equal(result.code, 1, result.err);
    assert.match(result.out, /~ aws:rds\/instance:Instance orders-db\n {4}\[urn=urn:pulumi:prod::shop::shop:data:Database\$aws:rds\/instance:Instance::orders-db\]\n {4}remediated by shop-remediations@0\.2\.0\/rds-encrypted:\n {6}\+ kmsKeyId: "alias\/aws\/rds"\n {6}- skipFinalSnapshot: true\n {6}~ storageEncrypted: false => true/);
    assert.match(result.out, /~ acl: "public-read" => "private"/);
});

test('without the passphrase: one warning naming PULUMI_CONFIG_PASSPHRASE, and the analysis runs on "[secret]"', async () => {
    const result = await cli(['analyze', '--file', SHOP_STATE, '--policy-pack', remediationPack(), '--json']);
    const warnings = result.err.split('\n').filter((l) => l.startsWith('warning:'));
    assert.deepEqual(warnings, [
        `warning: could not decrypt secrets in ${SHOP_STATE}: set PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE) to the stack's passphrase to decrypt them; analyzing with secret values redacted`,
        `warning: could not decrypt secrets in ${path.join(STACKS, 'shop', 'Pulumi.prod.yaml')}: set PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE) to the stack's passphrase to decrypt them; analyzing with secret values redacted`,
    ]);
    assert.equal(result.code, 1);
    assertNoSecret(result.out + result.err);
});

test('many policy errors are summed up per policy, with the first resource and a count, and fail the run', async () => {
    const exported = shopExport() as { deployment: { resources: { urn: string }[] } };
    const rds = exported.deployment.resources.find((r) => r.urn === SHOP_URNS.rds)!;
    for (let i = 0; i < 30; i++) exported.deployment.resources.push({ ...rds, urn: `${SHOP_URNS.rds}-${i}` });
    const file = path.join(temp, 'many-dbs.json');
    writeFileSync(file, JSON.stringify(exported));
    const result = await cli(['analyze', '--file', file, '--policy-pack', remediationPack()]);
    assert.equal(result.code, 1, result.err);
    assert.match(result.err, new RegExp(`^error: policy shop-remediations/rds-inspector failed on 31 resources \\(first ${SHOP_URNS.rds.replace(/\$/g, '\\$')}\\): Error: cannot inspect orders-db$`, 'm'));
    assert.match(result.err, /^31 policy error\(s\): the analysis is incomplete, so it fails/m);
    assert.equal(result.err.split('\n').filter((l) => l.startsWith('error:')).length, 1);
});

test("a remediation that cannot run reports why as an advisory violation (the SDK's diagnostic for an unknown value)", async () => {
    const unknown = '04da6b54-80e4-46f7-96ec-b56ff0331ba9'; // Pulumi's unknown-value sentinel
    const state = {
        version: 3,
        deployment: {
            resources: [
                { urn: 'urn:pulumi:dev::p::pulumi:pulumi:Stack::p-dev', custom: false, type: 'pulumi:pulumi:Stack' },
                { urn: 'urn:pulumi:dev::p::aws:s3/bucket:Bucket::pending', custom: true, type: 'aws:s3/bucket:Bucket', inputs: { acl: unknown }, outputs: {} },
            ],
        },
    };
    const file = path.join(temp, 'unknown.json');
    writeFileSync(file, JSON.stringify(state));
    const result = await cli(['analyze', '--file', file, '--policy-pack', remediationPack(), '--json']);
    assert.equal(result.code, 0, result.err);
    const advisory = events(result.out).find((e) => e.policyEvent?.policyName === 'bucket-private')?.policyEvent;
    assert.equal(advisory?.enforcementLevel, 'advisory');
    assert.equal(advisory?.resourceUrn, 'urn:pulumi:dev::p::aws:s3/bucket:Bucket::pending');
    assert.match(advisory?.message ?? '', /can't run remediation 'bucket-private' from policy pack 'shop-remediations@v0\.2\.0' during preview/);
    assert.equal(events(result.out).some((e) => e.policyRemediationEvent), false);
});

test('a state with no resources has nothing to analyze: exit 0', async () => {
    const empty = path.join(temp, 'empty.json');
    writeFileSync(empty, JSON.stringify({ version: 3, deployment: { manifest: { time: '2026-11-02T09:16:44Z', magic: '', version: 'v3.248.0' } } }));
    const result = await cli(['analyze', '--file', empty, '--policy-pack', await awsPack()]);
    assert.equal(result.code, 0, result.err);
    assert.equal(result.err, `${empty} has no resources; nothing to analyze.`);
    assert.equal(result.out, '');
});

test('bad input says what and where, exit 2', async () => {
    const pack = await awsPack();
    const broken = path.join(temp, 'broken.json');
    writeFileSync(broken, '{ "s3-no-public-read": ');
    const badConfig = await cli(['analyze', '--file', STATE, '--policy-pack', pack, '--policy-pack-config', broken]);
    assert.equal(badConfig.code, 2);
    assert.match(badConfig.err, /broken\.json is not valid JSON/);
    const missing = await cli(['analyze', '--file', path.join(temp, 'nope.json'), '--policy-pack', pack]);
    assert.equal(missing.code, 2);
    assert.match(missing.err, /nope\.json/);
    const usage = await cli(['analyze', '--file', STATE]);
    assert.equal(usage.code, 2);
    assert.match(usage.err, /give at least one --policy-pack DIR, --policy-group G or --stack NAME/);
    const both = await cli(['analyze', '--file', STATE, '--policy-pack', pack, '--json', '--diff']);
    assert.equal(both.code, 2);
    assert.match(both.err, /--json and --diff cannot be used together/);
    const config = path.join(temp, 'advisory.json');
    writeFileSync(config, '{}');
    const count = await cli(['analyze', '--file', STATE, '--policy-pack', pack, '--policy-pack', remediationPack(), '--policy-pack-config', config]);
    assert.equal(count.code, 2);
    assert.match(count.err, /1 --policy-pack-config file\(s\) for 2 --policy-pack: .*must match/);

    const invalidUrn = path.join(temp, 'invalid-urn.json');
    writeFileSync(invalidUrn, JSON.stringify({ version: 3, deployment: { resources: [{ urn: 'urn:pulumi:dev::p::pulumi:pulumi:Stack::p-dev', type: 'pulumi:pulumi:Stack' }, { urn: 'bucket-without-urn', type: 'aws:s3/bucket:Bucket' }] } }));
    const bad = await cli(['analyze', '--file', invalidUrn, '--policy-pack', pack]);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /invalid-urn\.json contains a resource with an invalid URN "bucket-without-urn"/);

    const broken2 = path.join(temp, 'load-error');
    cpSync(path.join(repoRoot, 'test', 'fixtures', 'packs', 'runner', 'load-error-ts'), broken2, { recursive: true });
    linkNodeModules(broken2);
    const load = await cli(['analyze', '--file', STATE, '--policy-pack', broken2]);
    assert.equal(load.code, 2, load.err);
    assert.match(load.err, /the policy pack .*load-error cannot be loaded \(.*helpers\.ts:\d+:\d+\)/);
});

test('packs get the stack as the engine gives it: inputs with options and provider per resource, outputs for the stack, project/stack/config', async () => {
    const runner = new RunnerPool({ maxHosts: 2 });
    const calls: { kind: string; resources: RunnerResource[]; options?: RunOptions }[] = [];
    const recording = new Proxy(runner, {
        get(target, key) {
            const value = Reflect.get(target, key) as unknown;
            if (typeof value !== 'function') return value;
            return (...args: unknown[]) => {
                if (key === 'analyze' || key === 'analyzeStack' || key === 'remediate') calls.push({ kind: key, resources: args[1] as RunnerResource[], options: args[2] as RunOptions });
                return (value as (...a: unknown[]) => unknown).apply(target, args);
            };
        },
    });
    try {
        const result = await analyzeStateFile(recording, { stateFile: SHOP_STATE, packDirs: [await awsPack()], env: { PULUMI_CONFIG_PASSPHRASE: FIXTURE_PASSPHRASE } });
        assert.equal(result.stackConfigFile, path.join(STACKS, 'shop', 'Pulumi.prod.yaml'));
        assert.deepEqual(calls.map((c) => c.kind), ['analyze', 'analyzeStack'], 'a pack without remediate policies is not asked to remediate');
        for (const call of calls) {
            assert.deepEqual(call.options?.context, {
                project: 'shop',
                stack: 'prod',
                dryRun: false,
                config: { 'aws:region': 'us-east-1', 'shop:apiToken': SHOP_SECRETS.apiToken, 'shop:allowedCidrs': '["10.0.0.0/16","10.1.0.0/16"]', 'shop:dbUser': 'orders' },
            });
            assert.equal(call.resources.length, 8);
        }
        const analyzed = calls[0].resources.find((r) => r.urn === SHOP_URNS.rds)!;
        assert.deepEqual(analyzed.properties.password, { [SIG_KEY]: SECRET_SIG, value: SHOP_SECRETS.dbPassword });
        assert.equal(analyzed.properties.address, undefined);
        assert.equal(analyzed.options?.protect, true);
        assert.equal(analyzed.provider?.urn, SHOP_URNS.awsDefault);
        const stackSide = calls[1].resources.find((r) => r.urn === SHOP_URNS.rds)!;
        assert.equal(stackSide.properties.address, 'orders-db.c9akciq32.us-east-1.rds.amazonaws.com');
        assert.deepEqual(stackSide.propertyDependencies?.password, [SHOP_URNS.password]);
        // the result itself holds no secret
        assertNoSecret(JSON.stringify(result));
    } finally {
        await runner.dispose();
    }
});
