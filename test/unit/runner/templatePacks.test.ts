/**
 * The shipped templates, scaffolded as `policy new` does and run on the real @pulumi/aws:
 * the runner finds what the templates promise and exactly what the engine's gRPC path finds.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GrpcAnalyzer } from '../../../server/src/runner/grpcAnalyzer';
import { RunnerPool } from '../../../server/src/runner/runnerPool';
import type { PolicyPackConfig, RunnerResource } from '../../../server/src/runner/runnerTypes';
import { scaffoldPack } from '../../../server/src/packs/scaffold';
import { hostScript, repoRoot, tempCacheDir } from './runnerTestEnv';

interface CaseResource {
    type: string;
    name: string;
    urn: string;
    props: Record<string, unknown>;
}
interface ComplianceCase {
    pack: string;
    policy: string;
    policyType: 'resource' | 'stack';
    expectViolation: boolean;
    config?: PolicyPackConfig;
    resource?: CaseResource;
    resources?: CaseResource[];
}

const cases = (JSON.parse(readFileSync(join(repoRoot, 'test', 'fixtures', 'resources', 'aws-compliance-cases.json'), 'utf8')) as { cases: ComplianceCase[] }).cases;
const toRunner = (r: CaseResource): RunnerResource => ({ urn: r.urn, type: r.type, name: r.name, properties: r.props });

const work = mkdtempSync(join(tmpdir(), 'pi-runner-templates-'));
const cacheDir = tempCacheDir();
const pool = new RunnerPool({ hostScript, cacheDir });

const scaffolded = new Map<string, Promise<string>>();
function scaffold(template: string): Promise<string> {
    let dir = scaffolded.get(template);
    if (!dir) {
        const target = join(work, `${template}-pack`);
        dir = scaffoldPack({ template, dir: target, templatesDir: join(repoRoot, 'templates') }).then(() => {
            symlinkSync(join(repoRoot, 'node_modules'), join(target, 'node_modules'), 'dir');
            return target;
        });
        scaffolded.set(template, dir);
    }
    return dir;
}

after(async () => {
    await pool.dispose();
    rmSync(work, { recursive: true, force: true });
});

describe('aws-typescript template', () => {
    let dir: string;
    before(async () => {
        dir = await scaffold('aws-typescript');
    });

    it('a bucket with acl public-read violates s3-no-public-read (mandatory); a private one does not', async () => {
        const resources: RunnerResource[] = [
            { urn: 'urn:pulumi:dev::app::aws:s3/bucket:Bucket::site', type: 'aws:s3/bucket:Bucket', properties: { acl: 'public-read', bucket: 'site' } },
            { urn: 'urn:pulumi:dev::app::aws:s3/bucket:Bucket::logs', type: 'aws:s3/bucket:Bucket', properties: { acl: 'private' } },
        ];
        const { diagnostics, errors } = await pool.analyze(dir, resources);
        assert.deepEqual(errors, []);
        assert.equal(diagnostics.length, 1);
        const [d] = diagnostics;
        assert.equal(d.policyName, 's3-no-public-read');
        assert.equal(d.policyPackName, 'aws-typescript-pack');
        assert.equal(d.policyPackVersion, '0.0.1');
        assert.equal(d.enforcementLevel, 'mandatory');
        assert.equal(d.urn, resources[0].urn);
        assert.match(d.message, /S3 bucket 'site' has the 'public-read' ACL/);
    });
});

describe('aws-javascript template (a JavaScript pack runs as is, no compile step)', () => {
    it('reports the same violation as the engine path for a public-read-write bucket', async () => {
        const dir = await scaffold('aws-javascript');
        const resources: RunnerResource[] = [
            { urn: 'urn:pulumi:dev::app::aws:s3/bucket:Bucket::open', type: 'aws:s3/bucket:Bucket', properties: { acl: 'public-read-write' } },
        ];
        const ours = await pool.analyze(dir, resources);
        const grpc = await GrpcAnalyzer.start(dir, { cacheDir });
        try {
            await grpc.configure(undefined);
            const theirs = await grpc.analyze(resources);
            assert.deepEqual(ours, theirs);
            assert.deepEqual(ours.diagnostics.map((d) => [d.policyName, d.enforcementLevel, d.urn]), [['s3-no-public-read', 'mandatory', resources[0].urn]]);
        } finally {
            await grpc.close();
        }
    });
});

describe('template compliance cases: runner and gRPC path agree, and find what each case expects', () => {
    for (const template of ['aws-typescript', 'aws-compliance-typescript']) {
        const mine = cases.filter((c) => c.pack === template);
        it(`${template}: ${mine.length} cases`, async () => {
            const dir = await scaffold(template);
            const grpc = await GrpcAnalyzer.start(dir, { cacheDir });
            try {
                for (const c of mine) {
                    const label = `${c.policy} on ${c.resource?.name ?? c.resources?.map((r) => r.name).join(',')}`;
                    await grpc.configure(c.config);
                    let ours, theirs;
                    if (c.policyType === 'stack') {
                        const resources = (c.resources ?? []).map(toRunner);
                        ours = await pool.analyzeStack(dir, resources, { config: c.config });
                        theirs = await grpc.analyzeStack(resources);
                    } else {
                        const resources = [toRunner(c.resource!)];
                        ours = await pool.analyze(dir, resources, { config: c.config });
                        theirs = await grpc.analyze(resources);
                    }
                    assert.deepEqual(ours.errors, [], label);
                    assert.deepEqual(theirs.errors, [], label);
                    assert.deepEqual(ours.diagnostics, theirs.diagnostics, label);
                    assert.equal(ours.diagnostics.some((d) => d.policyName === c.policy), c.expectViolation, label);
                }
            } finally {
                await grpc.close();
            }
        });
    }
});
