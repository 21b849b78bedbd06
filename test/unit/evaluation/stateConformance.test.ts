/**
 * State-level conformance (issue 9): `analyze --file` (analyzeStateFile: the state read with
 * server/src/accounts/stacks/, the packs run by the runner) against the engine's path for the
 * same state and pack (stateConformanceEngine.ts: a port of pulumi/pulumi `AnalyzeSnapshot` that
 * reads the export and decrypts its secrets itself, and drives the pack over gRPC). For each
 * state x pack the events are compared with deepStrictEqual, and key values are asserted as
 * well, so a field both paths lost still fails. States: test/fixtures/stacks/conformance/
 * (stateConformanceStates.ts).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { analyzeStateFile } from '../../../server/src/evaluation/analyzeStateFile';
import { scaffoldPack } from '../../../server/src/packs/scaffold';
import { RunnerPool } from '../../../server/src/runner/runnerPool';
import { copyPackToTemp, hostScript, repoRoot, tempCacheDir } from '../runner/runnerTestEnv';
import { conformancePack } from '../runner/conformanceEnv';
import { analyzeSnapshot, oursAsEvents, readSnapshot, stackContext, type EngineEvents, type PackArg } from './stateConformanceEngine';
import { CONF, CONF_SECRETS, CONFORMANCE_PASSPHRASE, CONFORMANCE_STATES } from './stateConformanceStates';

const CONF_STATE = join(CONFORMANCE_STATES, 'conf', 'dev.export.json');
const CONF_PLAINTEXT = join(CONFORMANCE_STATES, 'conf', 'dev.plaintext.json');
const AWS_STATE = join(CONFORMANCE_STATES, 'aws', 'prod.export.json');
const LIVE_CONF = [CONF.stack, CONF.awsDefault, CONF.awsWest, CONF.site, CONF.logs, CONF.full, CONF.explicit, CONF.still, CONF.db];

let pool: RunnerPool;
let cacheDir: string;
const cleanups: (() => void)[] = [];

/** Both paths on one state and pack (or packs, with configs); `passphrase` null: the secrets cannot be opened. */
async function bothPaths(stateFile: string, packs: string | PackArg[], given: string | null = CONFORMANCE_PASSPHRASE) {
    const passphrase = given ?? undefined;
    const env = passphrase === undefined ? {} : { PULUMI_CONFIG_PASSPHRASE: passphrase };
    const packArgs = typeof packs === 'string' ? [{ dir: packs }] : packs;
    let configFiles: string[] | undefined;
    if (packArgs.some((p) => p.config)) {
        const dir = mkdtempSync(join(tmpdir(), 'pi-state-conf-config-'));
        cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
        configFiles = packArgs.map((p, i) => {
            const file = join(dir, `pack${i}.json`);
            writeFileSync(file, JSON.stringify(p.config ?? {}));
            return file;
        });
    }
    const result = await analyzeStateFile(pool, { stateFile, packDirs: packArgs.map((p) => p.dir), configFiles, env });
    const snap = readSnapshot(stateFile, passphrase);
    const engine = await analyzeSnapshot(snap, packArgs, stackContext(stateFile, snap, passphrase), cacheDir);
    return { result, ours: oursAsEvents(result), engine };
}

/** Both paths agree on every event, neither failed, and no event is about a resource pending deletion. */
function assertSame(ours: ReturnType<typeof oursAsEvents>, engine: EngineEvents): void {
    assert.equal(engine.error, undefined, `the engine path failed: ${engine.error?.message}`);
    assert.deepStrictEqual(ours.errors, []);
    assert.deepStrictEqual({ violations: ours.violations, remediations: ours.remediations, hasMandatory: ours.hasMandatory }, engine);
}

function tempPack(fixture: string): string {
    const { dir, cleanup } = copyPackToTemp(fixture);
    cleanups.push(cleanup);
    return dir;
}

/** The JSON a recorder policy put after its description. */
function recorded(message: string | undefined): Record<string, unknown> {
    assert.ok(message, 'the recording policy reported');
    return JSON.parse(message.slice(message.indexOf('\n') + 1)) as Record<string, unknown>;
}
const pick = <E extends { urn: string; policy: string }>(events: E[], policy: string, urn?: string): E[] => events.filter((e) => e.policy === policy && (urn === undefined || e.urn === urn));
const short = (urn: string) => urn.slice(urn.lastIndexOf('::') + 2);

describe('state conformance: analyze --file vs AnalyzeSnapshot over gRPC', () => {
    let recorder: string;
    before(() => {
        cacheDir = tempCacheDir();
        pool = new RunnerPool({ hostScript, cacheDir, timeoutMs: 30_000 });
        recorder = tempPack(conformancePack('recorder'));
    });
    after(async () => {
        await pool?.dispose();
        cleanups.forEach((c) => c());
    });

    let encrypted: EngineEvents;
    it('recorder, secrets as ciphertext: identical; inputs per resource, outputs per stack, every option, the explicit provider, the stack context', async () => {
        const { ours, engine, result } = await bothPaths(CONF_STATE, recorder);
        assertSame(ours, engine);
        encrypted = engine;
        assert.deepStrictEqual(result.warnings, []);
        assert.equal(result.resourceCount, LIVE_CONF.length);
        // every live resource, providers and components included, in state order; the pending delete never
        assert.deepStrictEqual(pick(ours.violations, 'record-resource').map((v) => v.urn), LIVE_CONF.filter((u) => u !== CONF.explicit && u !== CONF.still));
        assert.ok(![...ours.violations, ...ours.remediations].some((e) => e.urn === CONF.gone));
        const full = recorded(pick(ours.violations, 'record-resource', CONF.full)[0]?.message);
        // inputs, secrets decrypted, top-level `__` keys dropped (nested kept)
        assert.deepStrictEqual(full.props, {
            acl: 'private',
            bucket: 'full-4f2a9c1',
            // a secret inside a secret (deployment.go: NopEncrypter inside, NopDecrypter reading it)
            credentials: { user: 'admin', token: CONF_SECRETS.nested },
            forceDestroy: false,
            list: [1, 'a'],
            loggingTarget: 'logs-77aa01',
            nested: { __inner: 1, pw: { token: CONF_SECRETS.nested } },
            password: CONF_SECRETS.bucketPassword,
            tags: { app: 'conf' },
        });
        assert.deepStrictEqual(full.opts, {
            protect: true,
            ignoreChanges: ['tags'],
            aliases: ['urn:pulumi:dev::conf::aws:s3/bucket:Bucket::full-old'],
            customTimeouts: { createSeconds: 60, updateSeconds: 120, deleteSeconds: 30 },
            additionalSecretOutputs: ['password'],
            parent: CONF.site,
        });
        assert.deepStrictEqual(full.provider, { urn: CONF.awsWest, type: 'pulumi:providers:aws', name: 'west', props: { accessKey: 'AKIAIOSFODNN7EXAMPLE', region: 'us-west-2', secretKey: CONF_SECRETS.westKey, version: '7.4.0' } });
        assert.deepStrictEqual(full.runtime, {
            atLoad: { project: 'conf', stack: 'dev', greeting: 'hello' },
            project: 'conf',
            stack: 'dev',
            organization: null,
            dryRun: false,
            greeting: 'hello',
            dbPassword: CONF_SECRETS.apiToken,
            otherNamespace: 'us-west-2',
            // a bare key is the project's
            allConfig: { 'aws:region': 'us-west-2', 'conf:greeting': 'hello', 'conf:dbPassword': CONF_SECRETS.apiToken, 'conf:tiers': '["web","db"]', 'conf:owner': 'platform' },
        });
        // the default provider's internal keys are not sent
        assert.deepStrictEqual((recorded(pick(ours.violations, 'record-resource', CONF.logs)[0].message).provider as { props: unknown }).props, { region: 'us-east-1', skipCredentialsValidation: 'false', version: '7.4.0' });
        // a resource policy's explicit URN is ignored; a remediate-level violation is mandatory
        assert.deepStrictEqual(pick(ours.violations, 'explicit-urn').map((v) => [v.urn, v.level]), [[CONF.explicit, 'mandatory']]);
        assert.deepStrictEqual(pick(ours.violations, 'still-violating').map((v) => [v.urn, v.level]), [[CONF.still, 'mandatory']]);
        // stack policies: outputs, parent, dependencies, property dependencies (none for a property without any)
        const stack = recorded(pick(ours.violations, 'record-stack')[0]?.message) as { resources: Record<string, unknown>[] };
        assert.deepStrictEqual(stack.resources.map((r) => r.urn), LIVE_CONF);
        const fullOut = stack.resources.find((r) => r.urn === CONF.full)!;
        assert.deepStrictEqual(fullOut.props, { acl: 'private', arn: 'arn:aws:s3:::full-4f2a9c1', bucket: 'full-4f2a9c1', forceDestroy: false, id: 'full-4f2a9c1', password: CONF_SECRETS.bucketPassword, region: 'us-west-2', tags: { app: 'conf' }, tagsAll: { app: 'conf', owner: 'platform' } });
        assert.equal(fullOut.parent, CONF.site);
        assert.deepStrictEqual(fullOut.dependencies, [CONF.logs, CONF.awsWest]);
        assert.deepStrictEqual(fullOut.propertyDependencies, { loggingTarget: [CONF.logs] });
        assert.deepStrictEqual((stack.resources[0].props as Record<string, unknown>).dbPassword, CONF_SECRETS.dbPassword);
        // stack diagnostics: kept on a URN of the stack, else on the root stack; remediate reported mandatory
        assert.deepStrictEqual(pick(ours.violations, 'stack-urns').map((v) => [v.message.split('\n')[1], v.urn, v.level]), [
            ['on an analyzed resource', CONF.awsDefault, 'mandatory'],
            ['on an unknown resource', CONF.stack, 'mandatory'],
            ['on no resource', CONF.stack, 'mandatory'],
        ]);
        assert.equal(ours.hasMandatory, true);
        // remediations on the inputs (with `__` keys), shown with secrets blinded; none for a remediation returning nothing
        assert.deepStrictEqual(ours.remediations.map((r) => [short(r.urn), r.policy]), LIVE_CONF.filter((u) => u !== CONF.explicit).map((u) => [short(u), 'add-tags']));
        const rem = ours.remediations.find((r) => r.urn === CONF.full)!;
        assert.deepStrictEqual(rem.before, { __defaults: ['forceDestroy'], acl: 'private', bucket: 'full-4f2a9c1', credentials: '[secret]', forceDestroy: false, password: '[secret]', nested: { __inner: 1, pw: '[secret]' }, list: ['[secret]', 'a'], loggingTarget: 'logs-77aa01', tags: { app: 'conf' } });
        const remAfter = rem.after as Record<string, unknown>;
        assert.deepStrictEqual(remAfter.keysSeen, ['__defaults', 'acl', 'bucket', 'credentials', 'forceDestroy', 'list', 'loggingTarget', 'nested', 'password', 'tags']);
        assert.equal(remAfter.password, '[secret]');
        assert.deepStrictEqual(remAfter.tags, { app: 'conf', remediated: 'yes' });
        assert.deepStrictEqual(remAfter.runtimeSeen, { greeting: 'hello', project: 'conf', stack: 'dev' });
        assert.ok(!JSON.stringify(ours.remediations.map((r) => r.before)).includes(CONF_SECRETS.dbPassword), 'no secret shown in what a remediation changes');
    });

    it('recorder, secrets as plaintext (--show-secrets export): identical, and the same as the encrypted export', async () => {
        const { ours, engine } = await bothPaths(CONF_PLAINTEXT, recorder);
        assertSame(ours, engine);
        assert.ok(encrypted, 'the ciphertext case ran first');
        assert.deepStrictEqual(engine, encrypted);
    });

    it('recorder, no passphrase: identical, every secret (state and config) reaches the pack as "[secret]"', async () => {
        const { ours, engine, result } = await bothPaths(CONF_STATE, recorder, null);
        assertSame(ours, engine);
        assert.equal(result.warnings.length, 2, result.warnings.join('\n'));
        const full = recorded(pick(ours.violations, 'record-resource', CONF.full)[0]?.message) as { props: Record<string, unknown>; provider: { props: Record<string, unknown> }; runtime: Record<string, unknown> };
        assert.equal(full.props.password, '[secret]');
        assert.deepStrictEqual(full.props.nested, { __inner: 1, pw: '[secret]' });
        assert.equal(full.props.credentials, '[secret]');
        assert.equal(full.provider.props.secretKey, '[secret]');
        assert.equal(full.runtime.dbPassword, '[secret]');
        assert.ok(!JSON.stringify(ours).includes(CONF_SECRETS.bucketPassword));
    });

    it('remediations (eval-remediate): identical records; a still-violating remediate policy is mandatory', async () => {
        const { ours, engine } = await bothPaths(CONF_STATE, tempPack(join(repoRoot, 'test', 'fixtures', 'packs', 'evaluation', 'eval-remediate')));
        assertSame(ours, engine);
        assert.deepStrictEqual(ours.remediations.map((r) => [short(r.urn), r.policy]), [
            ['logs', 'bucket-acl-private'],
            ['logs', 'bucket-versioning'],
            ['full', 'bucket-versioning'],
            ['explicit', 'bucket-versioning'],
            ['still', 'bucket-acl-private'],
            ['still', 'bucket-versioning'],
        ]);
        const logs = ours.remediations[0];
        assert.deepStrictEqual([(logs.before as { acl: string }).acl, (logs.after as { acl: string }).acl], ['public-read', 'private']);
        assert.equal((ours.remediations.find((r) => r.urn === CONF.full)!.after as { password: string }).password, '[secret]');
        assert.deepStrictEqual(ours.violations.map((v) => [short(v.urn), v.policy, v.level]), [['still', 'bucket-acl-private', 'mandatory']]);
    });

    it('a pack that throws (remediation-pack, throwing): the engine stops at the first failed RPC; ours reports the error there and agrees on every event before it', async () => {
        for (const [fixture, failing] of [
            [join(repoRoot, 'test', 'fixtures', 'stacks', 'remediation-pack'), CONF.db],
            [conformancePack('throwing'), CONF.logs],
        ] as const) {
            const dir = tempPack(fixture);
            const { ours, engine } = await bothPaths(CONF_STATE, dir);
            assert.equal(engine.error?.urn, failing, fixture);
            assert.equal(engine.error.rpc, 'analyze');
            assert.equal(ours.errors[0]?.urn, failing, 'ours reports the failure on the same resource (and so fails the run)');
            assert.match(engine.error.message, new RegExp(`failed to run policy: .*${short(failing) === 'logs' ? 'cannot judge logs' : 'cannot inspect orders-db'}`, 's'));
            assert.match(ours.errors[0].message, short(failing) === 'logs' ? /cannot judge logs/ : /cannot inspect orders-db/);
            // the engine's events: resources before the failing one, and the failing one's remediations
            const done = new Set(LIVE_CONF.slice(0, LIVE_CONF.indexOf(failing)));
            const info = await pool.loadPack(dir);
            const stackPolicies = new Set(info.policies.filter((p) => p.policyType === 'stack').map((p) => p.name));
            assert.deepStrictEqual(
                { violations: ours.violations.filter((v) => done.has(v.urn) && !stackPolicies.has(v.policy)), remediations: ours.remediations.filter((r) => done.has(r.urn) || r.urn === failing) },
                { violations: engine.violations, remediations: engine.remediations },
            );
            assert.ok(engine.violations.length + engine.remediations.length > 0, 'some events came before the failure');
        }
    });

    let awsTemplate: string;
    it('the aws-typescript template: identical; the public buckets are mandatory violations, the pending delete is not analyzed', async () => {
        const parent = mkdtempSync(join(tmpdir(), 'pi-state-conf-'));
        cleanups.push(() => rmSync(parent, { recursive: true, force: true }));
        awsTemplate = join(parent, 'aws-typescript-pack');
        await scaffoldPack({ template: 'aws-typescript', dir: awsTemplate, templatesDir: join(repoRoot, 'templates') });
        symlinkSync(join(repoRoot, 'node_modules'), join(awsTemplate, 'node_modules'), 'dir');
        const { ours, engine } = await bothPaths(CONF_STATE, awsTemplate);
        assertSame(ours, engine);
        assert.deepStrictEqual(ours.violations.map((v) => [short(v.urn), v.policy, v.level]), [
            ['logs', 's3-no-public-read', 'mandatory'],
            ['still', 's3-no-public-read', 'mandatory'],
        ]);
        assert.match(ours.violations[0].message, /S3 bucket 'logs' has the 'public-read' ACL/);
    });

    it('two packs with --policy-pack-config: identical; per resource the remediations of every pack, then the violations of every pack; the config applied', async () => {
        assert.ok(awsTemplate, 'the aws-typescript case ran first');
        const recorderConfig = { 'record-resource': 'disabled', 'explicit-urn': 'advisory', 'add-tags': 'disabled' } as const;
        const { ours, engine, result } = await bothPaths(CONF_STATE, [{ dir: recorder, config: recorderConfig }, { dir: awsTemplate, config: { all: 'advisory' } }]);
        assertSame(ours, engine);
        assert.deepStrictEqual(Object.keys(result.policyPacks), ['conformance-recorder', 'aws-typescript-pack']);
        assert.deepStrictEqual(pick(ours.violations, 'record-resource'), []);
        assert.deepStrictEqual(ours.remediations, []);
        assert.deepStrictEqual(ours.violations.filter((v) => v.urn === CONF.still).map((v) => [v.policy, v.level]), [['still-violating', 'mandatory'], ['s3-no-public-read', 'advisory']]);
        assert.deepStrictEqual(pick(ours.violations, 'explicit-urn').map((v) => [v.urn, v.level]), [[CONF.explicit, 'advisory']]);
        // the stack policies come last, pack by pack
        assert.deepStrictEqual(ours.violations.slice(-4).map((v) => v.policy), ['record-stack', 'stack-urns', 'stack-urns', 'stack-urns']);
    });

    it('@pulumi/awsguard 0.3.1 on 150 AWS resources with encrypted secrets: identical; every offline policy violated, all mandatory', async () => {
        const awsguard = join(repoRoot, 'test', 'fixtures', 'packs', 'third-party', 'awsguard');
        const { ours, engine, result } = await bothPaths(AWS_STATE, awsguard);
        assertSame(ours, engine);
        assert.deepStrictEqual(result.warnings, []);
        const snap = readSnapshot(AWS_STATE, CONFORMANCE_PASSPHRASE);
        assert.equal(result.resourceCount, snap.resources.filter((r) => !r.delete).length);
        assert.ok(snap.resources.some((r) => r.delete), 'the state holds resources pending deletion');
        const info = await pool.loadPack(awsguard);
        const needAwsApis = ['acm-certificate-expiration', 'access-keys-rotated', 'mfa-enabled-for-iam-console-access'];
        const violated = new Set(ours.violations.map((v) => v.policy));
        assert.deepStrictEqual(info.policies.map((p) => p.name).filter((n) => !needAwsApis.includes(n) && !violated.has(n)), []);
        assert.ok(ours.violations.every((v) => v.level === 'mandatory'));
        assert.equal(ours.hasMandatory, true);
        assert.deepStrictEqual(ours.remediations, []);
    });
});
