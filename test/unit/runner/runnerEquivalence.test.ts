/**
 * The runner returns what the Pulumi engine gets from the pack over the Analyzer gRPC
 * protocol: same diagnostics (policy, pack, version, message, level, severity, URN), same
 * stack diagnostics, same proposed remediations, under the same config.
 *
 * It is the guard of the runner's use of @pulumi/policy internals (runner/hostSdk.ts): it states
 * the SDK version it proved and fails when the installed one is outside SUPPORTED_POLICY_SDK_RANGE.
 */
import assert from 'node:assert/strict';
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { satisfies } from 'semver';
import { SUPPORTED_POLICY_SDK_RANGE } from '../../../server/src/runner/hostSdk';
import { GrpcAnalyzer } from '../../../server/src/runner/grpcAnalyzer';
import { RunnerPool } from '../../../server/src/runner/runnerPool';
import { RunnerError, type PolicyPackConfig } from '../../../server/src/runner/runnerTypes';
import { bucket, copyPackToTemp, hostScript, instance, liveHosts, repoRoot, runnerFixture, tempCacheDir } from './runnerTestEnv';

/** The SDK the fixture packs load (they resolve @pulumi/policy from the repository's node_modules). */
const installedSdk = (JSON.parse(readFileSync(join(repoRoot, 'node_modules', '@pulumi', 'policy', 'package.json'), 'utf8')) as { version: string }).version;

describe(`the @pulumi/policy range the runner supports (${SUPPORTED_POLICY_SDK_RANGE})`, () => {
    it(`holds the installed SDK (${installedSdk}) this file proves the runner on, and is the range package.json pins`, () => {
        assert.ok(
            satisfies(installedSdk, SUPPORTED_POLICY_SDK_RANGE),
            `@pulumi/policy ${installedSdk} is installed, outside ${SUPPORTED_POLICY_SDK_RANGE} (runner/hostSdk.ts SUPPORTED_POLICY_SDK_RANGE): the runner relies on SDK internals; check the equivalence below passes on it, then widen the range and package.json together.`,
        );
        const pinned = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }).devDependencies['@pulumi/policy'];
        assert.equal(pinned, SUPPORTED_POLICY_SDK_RANGE, 'package.json pins @pulumi/policy to the range the runner supports');
    });
});

const basic = runnerFixture('basic');

const resources = [
    bucket('b1', { acl: 'public-read', bucket: 'x', tags: { a: '1' } }),
    bucket('b2', { acl: 'private', bucket: 'acme-y', tags: { owner: 'me', env: 'dev' } }),
    bucket('b3', { bucket: 'z', tags: { owner: 'me' } }),
    bucket('b4', { acl: 'public-read-write', bucket: 'acme-w', nested: { list: [1, 'two', null, { deep: true }] } }),
    instance('i1', { instanceType: 'm5.large', tags: {} }),
    instance('i2', { instanceType: 't3.micro' }),
];

describe(`runner equivalence with the gRPC Analyzer path (fixture pack "basic", @pulumi/policy ${installedSdk})`, () => {
    const cacheDir = tempCacheDir();
    const pool = new RunnerPool({ hostScript, cacheDir, timeoutMs: 5000 });
    let grpc: GrpcAnalyzer;

    before(async () => {
        grpc = await GrpcAnalyzer.start(basic, { cacheDir });
    });
    after(async () => {
        await grpc.close();
        await pool.dispose();
    });

    it('reports the pack metadata the SDK reports over gRPC, with the version from package.json', async () => {
        const info = await pool.loadPack(basic);
        assert.equal(info.name, 'runner-basic');
        assert.equal(info.version, '1.2.3');
        assert.deepEqual(info.policies.map((p) => [p.name, p.policyType, p.enforcementLevel, p.severity]), [
            ['s3-no-public-read', 'resource', 'mandatory', 'high'],
            ['required-tags', 'resource', 'advisory', 'low'],
            ['ec2-max-size', 'resource', 'advisory', undefined],
            ['bucket-name-prefix', 'resource', 'advisory', 'medium'],
            ['max-buckets', 'stack', 'mandatory', undefined],
        ]);
        assert.deepEqual(info.initialConfig, { 'ec2-max-size': { enforcementLevel: 'advisory', properties: { allowed: ['t3.micro'] } } });
        const { packDir: _d, digest: _g, ...fromRunner } = info;
        const { packDir: _d2, digest: _g2, ...fromGrpc } = grpc.info;
        assert.deepEqual(fromRunner, fromGrpc);
    });

    const configs: [string, PolicyPackConfig | undefined][] = [
        ['defaults', undefined],
        ['per-policy levels and properties', { 'required-tags': { tags: ['owner', 'env'] }, 'bucket-name-prefix': 'remediate', 's3-no-public-read': 'advisory' }],
        ['"all" then a per-policy override', { all: 'mandatory', 'ec2-max-size': { enforcementLevel: 'disabled' } }],
        ['a disabled policy and config properties for another', { 's3-no-public-read': 'disabled', 'ec2-max-size': { allowed: ['m5.large'] } }],
    ];
    for (const [label, config] of configs) {
        it(`analyze: identical diagnostics under config: ${label}`, async () => {
            const ours = await pool.analyze(basic, resources, { config });
            await grpc.configure(config);
            const theirs = await grpc.analyze(resources);
            assert.deepEqual(ours.errors, []);
            assert.deepEqual(theirs.errors, []);
            assert.ok(ours.diagnostics.length > 0, 'the fixture resources violate something under every config');
            assert.deepEqual(ours.diagnostics, theirs.diagnostics);
        });
    }

    it('analyze: the fields a violation carries', async () => {
        const { diagnostics } = await pool.analyze(basic, resources, { config: { 'bucket-name-prefix': 'remediate' } });
        const publicRead = diagnostics.find((d) => d.policyName === 's3-no-public-read' && d.urn.endsWith('::b1'));
        assert.deepEqual(publicRead, {
            policyPackName: 'runner-basic',
            policyPackVersion: '1.2.3',
            policyName: 's3-no-public-read',
            description: 'Prohibits setting the publicRead or publicReadWrite permission on AWS S3 buckets.',
            message: 'Prohibits setting the publicRead or publicReadWrite permission on AWS S3 buckets.\nYou cannot set public-read on an S3 bucket.',
            enforcementLevel: 'mandatory',
            severity: 'high',
            urn: 'urn:pulumi:dev::runner-tests::aws:s3/bucket:Bucket::b1',
        });
        // A violation of a policy at level remediate is reported as mandatory, as the SDK does.
        assert.ok(diagnostics.some((d) => d.policyName === 'bucket-name-prefix' && d.enforcementLevel === 'mandatory'));
        // A policy reporting an object with its own severity keeps it.
        assert.equal(diagnostics.find((d) => d.policyName === 'ec2-max-size')?.severity, 'critical');
    });

    it('analyzeStack: identical stack diagnostics, on the named resource or else the stack root, as the engine attributes them', async () => {
        const ours = await pool.analyzeStack(basic, resources);
        await grpc.configure(undefined);
        const theirs = await grpc.analyzeStack(resources);
        assert.deepEqual(ours.errors, []);
        assert.deepEqual(ours.diagnostics, theirs.diagnostics);
        assert.deepEqual(ours.diagnostics.map((d) => [d.policyName, d.urn]), [
            // No pulumi:pulumi:Stack resource: the engine's default root URN from the first resource's stack and project.
            ['max-buckets', 'urn:pulumi:dev::runner-tests::pulumi:pulumi:Stack::runner-tests-dev'],
            ['max-buckets', resources[3].urn],
        ]);
    });

    it('remediate: identical proposed property changes, and the input is left as it was', async () => {
        const config: PolicyPackConfig = { 'bucket-name-prefix': 'remediate' };
        const before = JSON.stringify(resources);
        const ours = await pool.remediate(basic, resources, { config });
        await grpc.configure(config);
        const theirs = await grpc.remediate(resources);
        assert.deepEqual(ours.errors, []);
        assert.deepEqual(ours.remediations, theirs.remediations);
        assert.deepEqual(ours.remediations.map((r) => [r.urn.split('::').pop(), r.properties?.bucket]), [['b1', 'acme-x'], ['b3', 'acme-z']]);
        assert.equal(JSON.stringify(resources), before);
    });

    it('remediate: nothing is proposed when no policy is at level remediate', async () => {
        const ours = await pool.remediate(basic, resources);
        assert.deepEqual(ours, { remediations: [], errors: [] });
    });

    it('rejects config that does not match a policy schema, naming the policy', async () => {
        await assert.rejects(pool.analyze(basic, resources, { config: { 'ec2-max-size': { allowed: 'all of them' } } }), (e: unknown) => {
            assert.ok(e instanceof RunnerError);
            assert.equal(e.code, 'invalid-config');
            assert.match(e.message, /ec2-max-size: allowed must be array/);
            return true;
        });
        await assert.rejects(pool.analyze(basic, resources, { config: { 's3-no-public-read': 'sometimes' as never } }), /not an enforcement level/);
    });
});

describe('warm hosts', () => {
    it('reuses the warm host between evaluations and starts a new one when the pack changes', async () => {
        const { dir, cleanup } = copyPackToTemp(basic);
        const pool = new RunnerPool({ hostScript, cacheDir: tempCacheDir() });
        try {
            await pool.loadPack(dir);
            const firstCold = pool.coldStartMs(dir);
            assert.ok(firstCold !== undefined && firstCold > 0);
            const pids = new Set<number | undefined>();
            const hosts = liveHosts(pool);
            for (let i = 0; i < 3; i++) {
                await pool.analyze(dir, resources);
                pids.add(hosts[0].process.pid);
            }
            assert.equal(pids.size, 1, 'one warm host served every evaluation');
            assert.equal(hosts.length, 1);

            const index = join(dir, 'index.ts');
            writeFileSync(index, readFileSync(index, 'utf8').replace('You cannot set', 'Never set'));
            const after = await pool.analyze(dir, resources);
            assert.ok(after.diagnostics.some((d) => d.message.includes('Never set public-read')));
            assert.equal(hosts.length, 1, 'the stale host was stopped');
            assert.ok(!pids.has(hosts[0].process.pid), 'a new host runs the edited pack');
        } finally {
            await pool.dispose();
            cleanup();
        }
    });
});

describe('hosts of several packs under the pool limit', () => {
    it("a pack's second (parallel) host never stops another pack's warm host: packs taking turns stay warm", async () => {
        const a = copyPackToTemp(basic);
        const b = copyPackToTemp(basic);
        // two packs, two hosts each wanted (3 chunks), room for two: what the CLI's evaluation of many shards does
        const pool = new RunnerPool({ hostScript, cacheDir: tempCacheDir(), maxHosts: 2, hostsPerPack: 2, chunkSize: 2 });
        try {
            const five = Array.from({ length: 5 }, (_, i) => bucket(`b${i}`, { acl: i % 2 ? 'public-read' : 'private' }));
            const hosts = liveHosts(pool);
            const seen = new Set<number>();
            const pidsOf = (dir: string) => hosts.filter((h) => h.info.packDir === dir).map((h) => h.process.pid);
            const runs: Record<string, number[][]> = { a: [], b: [] };
            const found: Record<string, number[]> = { a: [], b: [] };
            for (let turn = 0; turn < 3; turn++) {
                for (const [name, dir] of [['a', a.dir], ['b', b.dir]] as const) {
                    const result = await pool.analyze(dir, five);
                    found[name].push(result.diagnostics.length);
                    assert.ok(hosts.length <= 2, `at most maxHosts hosts (${hosts.length})`);
                    runs[name].push(pidsOf(dir));
                    for (const pid of pidsOf(dir)) seen.add(pid);
                }
            }
            assert.ok(found.a[0] > 0);
            assert.deepEqual(found, { a: [found.a[0], found.a[0], found.a[0]], b: [found.a[0], found.a[0], found.a[0]] }, 'every turn finds the same');
            // a's first run may start two hosts; after that each pack keeps one warm host
            assert.ok(seen.size <= 3, `hosts started: ${seen.size} (pids ${[...seen].join(', ')})`);
            assert.deepEqual(runs.b[2], runs.b[0], "b's warm host served all its turns");
            assert.ok(runs.a[2].every((pid) => runs.a[0].includes(pid)), "a's later turns ran on a host of its first");
        } finally {
            await pool.dispose();
            a.cleanup();
            b.cleanup();
        }
    });
});
