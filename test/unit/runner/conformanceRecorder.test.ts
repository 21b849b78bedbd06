/**
 * Conformance: what a policy sees, run through the runner (RunnerPool) and through the
 * engine's path (GrpcAnalyzer: the pack's gRPC server, one request per RPC), compared with
 * deepStrictEqual AND checked against what pulumi/pulumi sends (analyzer_plugin.go,
 * analyze_snapshot.go), so a field lost on both paths still fails. The pack
 * (test/fixtures/packs/conformance/recorder) reports what it sees as JSON in its messages.
 * Covers what pulumi/pulumi-policy's integration packs check (resource_options, provider,
 * parent_dependencies, runtime_data, config, deserialize, enforcementlevel) with our own pack.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { PackRuntimeContext, PolicyDiagnostic, RunnerResource } from '../../../server/src/runner/runnerTypes';
import { conformancePack, secret, startBothPaths, type BothPaths } from './conformanceEnv';

const context: PackRuntimeContext = {
    organization: 'acme',
    project: 'conf',
    stack: 'dev',
    config: { 'conf:greeting': 'hello', 'conf:dbPassword': 's3cret', 'aws:region': 'eu-west-1' },
    dryRun: false,
};
const stackUrn = 'urn:pulumi:dev::conf::pulumi:pulumi:Stack::conf-dev';
const providerUrn = 'urn:pulumi:dev::conf::pulumi:providers:aws::default_7_0_0';
const bucketUrn = (name: string) => `urn:pulumi:dev::conf::aws:s3/bucket:Bucket::${name}`;
const ghostUrn = 'urn:pulumi:elsewhere::other::aws:s3/bucket:Bucket::ghost';

const full: RunnerResource = {
    urn: bucketUrn('full'),
    type: 'aws:s3/bucket:Bucket',
    parent: stackUrn,
    properties: {
        acl: 'private',
        password: secret('hunter2'),
        nested: { pw: secret({ deep: secret('x') }), __inner: 1 },
        list: [secret(1), 'a'],
        redacted: '[secret]',
        // A checkpoint's forms: before the fix, one of these failed every stack policy.
        fromCheckpoint: { '4dabf18193072939515e22adb298388d': '1b47061264138c4ac30d75fd1eb44270', plaintext: '{"user":"admin"}' },
        encrypted: { '4dabf18193072939515e22adb298388d': '1b47061264138c4ac30d75fd1eb44270', ciphertext: 'v1:c2VjcmV0' },
        __meta: 'internal',
    },
    options: {
        protect: true,
        ignoreChanges: ['tags'],
        deleteBeforeReplace: false,
        additionalSecretOutputs: ['password'],
        aliases: ['urn:pulumi:dev::conf::aws:s3/bucket:Bucket::old'],
        customTimeouts: { create: 60, update: 120, read: 5 },
    },
    provider: { urn: providerUrn, type: 'pulumi:providers:aws', name: 'default_7_0_0', properties: { region: 'eu-west-1', accessKey: secret('AKIA'), __internal: true } },
    dependencies: [bucketUrn('plain'), ghostUrn],
    propertyDependencies: { acl: [bucketUrn('plain')], bucket: [], policy: [ghostUrn] },
};
const resources: RunnerResource[] = [
    { urn: stackUrn, type: 'pulumi:pulumi:Stack', properties: {} },
    full,
    { urn: bucketUrn('plain'), type: 'aws:s3/bucket:Bucket', properties: { acl: 'public-read' }, options: { deleteBeforeReplace: true } },
    { urn: bucketUrn('explicit'), type: 'aws:s3/bucket:Bucket', properties: { reportAs: ghostUrn, skipRecord: true, noRemediation: true } },
    { urn: bucketUrn('still'), type: 'aws:s3/bucket:Bucket', properties: { stillViolating: true, skipRecord: true } },
];

const defaultOptions = { protect: false, ignoreChanges: [], aliases: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 }, additionalSecretOutputs: [] };
const expectedRuntime = {
    atLoad: { project: 'conf', stack: 'dev', greeting: 'hello' },
    project: 'conf',
    stack: 'dev',
    organization: 'acme',
    dryRun: false,
    greeting: 'hello',
    dbPassword: 's3cret',
    otherNamespace: 'eu-west-1',
    allConfig: { 'conf:greeting': 'hello', 'conf:dbPassword': 's3cret', 'aws:region': 'eu-west-1' },
};

/** The JSON a recording policy put after its description. */
function recorded(d: PolicyDiagnostic | undefined): Record<string, unknown> {
    assert.ok(d, 'the recording policy reported');
    return JSON.parse(d.message.slice(d.description.length + 1)) as Record<string, unknown>;
}

describe('conformance: what a policy sees (runner vs the engine path)', () => {
    let both: BothPaths;
    before(async () => {
        both = await startBothPaths(conformancePack('recorder'), context);
    });
    after(async () => {
        await both?.close();
    });

    it('analyze: identical diagnostics; props with secrets unwrapped and top-level `__` keys stripped, every option, the provider, the stack context', async () => {
        const ours = await both.pool.analyze(both.dir, resources, { context });
        const theirs = await both.grpc.analyze(resources);
        assert.deepStrictEqual(ours, theirs);
        assert.deepStrictEqual(ours.errors, []);
        const records = ours.diagnostics.filter((d) => d.policyName === 'record-resource');
        assert.deepStrictEqual(records.map((d) => d.urn), [stackUrn, full.urn, bucketUrn('plain')]);
        const seen = recorded(records[1]);
        assert.deepStrictEqual(seen.props, {
            acl: 'private',
            encrypted: '[secret]',
            fromCheckpoint: { user: 'admin' },
            list: [1, 'a'],
            // MarshalProperties skips internal keys at the top level only.
            nested: { __inner: 1, pw: { deep: 'x' } },
            password: 'hunter2',
            redacted: '[secret]',
        });
        assert.deepStrictEqual(seen.opts, {
            protect: true,
            ignoreChanges: ['tags'],
            aliases: ['urn:pulumi:dev::conf::aws:s3/bucket:Bucket::old'],
            // The SDK has no field for the read timeout.
            customTimeouts: { createSeconds: 60, updateSeconds: 120, deleteSeconds: 0 },
            additionalSecretOutputs: ['password'],
            deleteBeforeReplace: false,
            parent: stackUrn,
        });
        assert.deepStrictEqual(seen.provider, { urn: providerUrn, type: 'pulumi:providers:aws', name: 'default_7_0_0', props: { accessKey: 'AKIA', region: 'eu-west-1' } });
        assert.deepStrictEqual(seen.runtime, expectedRuntime);
        assert.deepStrictEqual(recorded(records[0]).opts, defaultOptions);
        assert.equal(recorded(records[0]).provider, null);
        assert.deepStrictEqual(recorded(records[2]).opts, { ...defaultOptions, deleteBeforeReplace: true });
    });

    it('analyze: a resource policy diagnostic belongs to the analyzed resource, whatever URN it named; remediate is reported mandatory', async () => {
        const ours = await both.pool.analyze(both.dir, resources, { context });
        const theirs = await both.grpc.analyze(resources);
        assert.deepStrictEqual(ours.diagnostics, theirs.diagnostics);
        const pick = (policy: string) => ours.diagnostics.filter((d) => d.policyName === policy).map((d) => [d.urn, d.enforcementLevel]);
        assert.deepStrictEqual(pick('explicit-urn'), [[bucketUrn('explicit'), 'mandatory']]);
        assert.deepStrictEqual(pick('still-violating'), [[bucketUrn('still'), 'mandatory']]);
    });

    it('analyzeStack: identical; secrets unwrapped, options, provider, parent, dependencies and property dependencies as resources', async () => {
        const ours = await both.pool.analyzeStack(both.dir, resources, { context });
        const theirs = await both.grpc.analyzeStack(resources);
        assert.deepStrictEqual(ours, theirs);
        assert.deepStrictEqual(ours.errors, []);
        const seen = recorded(ours.diagnostics.find((d) => d.policyName === 'record-stack')) as { resources: Record<string, unknown>[]; runtime: unknown };
        assert.deepStrictEqual(seen.runtime, expectedRuntime);
        const fullSeen = seen.resources.find((r) => r.urn === full.urn)!;
        assert.deepStrictEqual(fullSeen.props, { acl: 'private', encrypted: '[secret]', fromCheckpoint: { user: 'admin' }, list: [1, 'a'], nested: { __inner: 1, pw: { deep: 'x' } }, password: 'hunter2', redacted: '[secret]' });
        assert.equal((fullSeen.opts as { protect: boolean }).protect, true);
        assert.deepStrictEqual((fullSeen.provider as { props: unknown }).props, { accessKey: 'AKIA', region: 'eu-west-1' });
        assert.equal(fullSeen.parent, stackUrn);
        // The SDK links URNs to the analyzed resources: one outside the stack is dropped, and
        // the engine sends no entry for a property without dependencies.
        assert.deepStrictEqual(fullSeen.dependencies, [bucketUrn('plain')]);
        assert.deepStrictEqual(fullSeen.propertyDependencies, { acl: [bucketUrn('plain')], policy: [] });
        assert.equal(seen.resources.find((r) => r.urn === bucketUrn('plain'))!.parent, null);
    });

    it('analyzeStack: a stack diagnostic keeps a URN of the stack, else goes to the root stack resource; remediate is reported mandatory', async () => {
        const ours = await both.pool.analyzeStack(both.dir, resources, { context });
        const theirs = await both.grpc.analyzeStack(resources);
        assert.deepStrictEqual(ours.diagnostics, theirs.diagnostics);
        assert.deepStrictEqual(
            ours.diagnostics.filter((d) => d.policyName === 'stack-urns').map((d) => [d.message.split('\n')[1], d.urn, d.enforcementLevel]),
            [
                ['on an analyzed resource', full.urn, 'mandatory'],
                ['on an unknown resource', stackUrn, 'mandatory'],
                ['on no resource', stackUrn, 'mandatory'],
            ],
        );
        assert.equal(ours.diagnostics.find((d) => d.policyName === 'record-stack')!.urn, stackUrn);
    });

    it('analyzeStack: without a root stack resource, the default root URN from the first valid URN', async () => {
        // An invalid URN is skipped, even on a root-stack-typed resource.
        const withoutStack = [{ urn: 'not-a-urn', type: 'pulumi:pulumi:Stack', properties: {} }, ...resources.slice(1)];
        const ours = await both.pool.analyzeStack(both.dir, withoutStack, { context });
        const theirs = await both.grpc.analyzeStack(withoutStack);
        assert.deepStrictEqual(ours, theirs);
        assert.deepStrictEqual(
            ours.diagnostics.filter((d) => d.policyName === 'stack-urns').map((d) => d.urn),
            [full.urn, stackUrn, stackUrn],
        );
        // A root-stack-typed resource with a parent is not the root.
        const nested = [{ urn: 'urn:pulumi:dev::conf::x:index:C$pulumi:pulumi:Stack::inner', type: 'pulumi:pulumi:Stack', parent: full.urn, properties: {} }, ...resources.slice(1)];
        const nestedOurs = await both.pool.analyzeStack(both.dir, nested, { context });
        assert.deepStrictEqual(nestedOurs, await both.grpc.analyzeStack(nested));
        assert.equal(nestedOurs.diagnostics.find((d) => d.message.endsWith('on no resource'))!.urn, stackUrn);
    });

    it('remediate: identical; new properties with `__` keys kept and secrets in wire form, nothing for a remediation that returns nothing', async () => {
        const ours = await both.pool.remediate(both.dir, resources, { context });
        const theirs = await both.grpc.remediate(resources);
        assert.deepStrictEqual(ours, theirs);
        assert.deepStrictEqual(ours.errors, []);
        assert.deepStrictEqual(new Set(ours.remediations.map((r) => r.policyName)), new Set(['add-tags']));
        assert.ok(!ours.remediations.some((r) => r.urn === bucketUrn('explicit')), 'a remediation returning undefined proposes nothing');
        const fullRemediation = ours.remediations.find((r) => r.urn === full.urn)!;
        assert.deepStrictEqual(fullRemediation.properties, {
            __meta: 'internal',
            acl: 'private',
            encrypted: '[secret]',
            fromCheckpoint: { user: 'admin' },
            keysSeen: ['__meta', 'acl', 'encrypted', 'fromCheckpoint', 'list', 'nested', 'password', 'redacted'],
            optsSeen: {
                protect: true,
                ignoreChanges: ['tags'],
                aliases: ['urn:pulumi:dev::conf::aws:s3/bucket:Bucket::old'],
                customTimeouts: { createSeconds: 60, updateSeconds: 120, deleteSeconds: 0 },
                additionalSecretOutputs: ['password'],
                deleteBeforeReplace: false,
                parent: stackUrn,
            },
            // The provider's internal keys are skipped for Remediate too (marshalProvider); the SDK unwraps its secrets.
            providerSeen: { urn: providerUrn, props: { accessKey: 'AKIA', region: 'eu-west-1' } },
            runtimeSeen: { project: 'conf', stack: 'dev', greeting: 'hello' },
            list: [secret(1), 'a'],
            nested: { __inner: 1, pw: secret({ deep: secret('x') }) },
            // @pulumi/policy's secrets-preserving proxy hands a top-level secret back as its plain value.
            password: 'hunter2',
            redacted: '[secret]',
            tags: { remediated: 'yes' },
        });
    });
});

describe('conformance: the stack context reaches the pack process', () => {
    it('without a context, the defaults @pulumi/pulumi falls back to, on both paths', async () => {
        const both = await startBothPaths(conformancePack('recorder'));
        try {
            const ours = await both.pool.analyze(both.dir, resources.slice(2, 3));
            assert.deepStrictEqual(ours, await both.grpc.analyze(resources.slice(2, 3)));
            assert.deepStrictEqual(recorded(ours.diagnostics[0]).runtime, {
                atLoad: { project: 'project', stack: 'stack', greeting: null },
                project: 'project',
                stack: 'stack',
                organization: null,
                dryRun: false,
                greeting: null,
                dbPassword: null,
                otherNamespace: null,
                allConfig: {},
            });
        } finally {
            await both.close();
        }
    });

    it('a host per pack and context, within the pool limit', async () => {
        const both = await startBothPaths(conformancePack('recorder'));
        const { RunnerPool } = await import('../../../server/src/runner/runnerPool');
        const { hostScript, liveHosts, tempCacheDir } = await import('./runnerTestEnv');
        const pool = new RunnerPool({ hostScript, cacheDir: tempCacheDir(), maxHosts: 2 });
        try {
            const one = resources.slice(2, 3);
            const stackOf = async (stack: string) => (recorded((await pool.analyze(both.dir, one, { context: { ...context, stack } })).diagnostics[0]).runtime as { stack: string; atLoad: { stack: string } });
            const hosts = liveHosts(pool);
            assert.deepStrictEqual(await stackOf('dev'), { ...expectedRuntime, stack: 'dev' });
            const devPid = hosts[0].process.pid;
            const prod = await stackOf('prod');
            assert.equal(prod.stack, 'prod');
            assert.equal(prod.atLoad.stack, 'prod');
            assert.equal(hosts.length, 2);
            assert.equal((await stackOf('dev')).stack, 'dev');
            assert.ok(hosts.some((h) => h.process.pid === devPid), 'the warm host of the first stack was reused');
            assert.equal((await stackOf('test')).stack, 'test');
            assert.ok(hosts.length <= 2, `at most maxHosts hosts (${hosts.length})`);
        } finally {
            await pool.dispose();
            await both.close();
        }
    });
});
