import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Resource, Violation } from '../../../server/src/shared/model';
import { Store } from '../../../server/src/store';
import { resourceDocumentDiagnostics, sourceDiagnostics } from '../../../server/src/violations/sourceDiagnostics';
import { remediationMessage, remediationOf } from '../../../server/src/violations/remediation';
import { DiagnosticSeverity } from 'vscode-languageserver';

const URN = 'urn:pulumi:dev::demo-infra::aws:s3/bucket:Bucket::site-bucket';

function violation(over: Partial<Violation> = {}): Violation {
    return {
        id: 'v1',
        entityType: 'stack',
        entityId: 'demo-stack',
        project: 'demo-infra',
        policyPack: 'aws-typescript',
        policyPackTag: '0.0.1',
        policyName: 's3-no-public-read',
        policyGroupName: 'default-policy-group',
        resourceURN: URN,
        resourceType: 'aws:s3/bucket:Bucket',
        resourceName: 'site-bucket',
        message: "Prohibits public buckets.\nS3 bucket 'site-bucket' has the 'public-read' acl.",
        level: 'mandatory',
        severity: 'high',
        kind: 'audit',
        observedAt: '2026-11-01T00:00:00.000Z',
        lastSeenAt: '2026-11-01T00:00:00.000Z',
        status: 'open',
        ...over,
    };
}

async function seeded(): Promise<{ store: Store; workspace: string; cleanup: () => void }> {
    const root = mkdtempSync(path.join(tmpdir(), 'pi-srcdiag-'));
    const workspace = path.join(root, 'ws');
    mkdirSync(path.join(workspace, 'infra', 'src'), { recursive: true });
    writeFileSync(path.join(workspace, 'infra', 'Pulumi.yaml'), 'name: demo-infra\nruntime: nodejs\n');
    writeFileSync(path.join(workspace, 'infra', 'src', 'index.ts'), 'import * as aws from "@pulumi/aws";\n\nexport const bucket = new aws.s3.Bucket("site-bucket", { acl: "public-read" });\n');
    const store = await Store.open({ home: path.join(root, 'home') });
    const resource: Resource = {
        account: 'demo-stack',
        urn: URN,
        type: 'aws:s3/bucket:Bucket',
        name: 'site-bucket',
        properties: { acl: 'public-read', bucket: 'site-bucket-123', tags: {} },
        hash: 'h',
        project: 'demo-infra',
        stack: 'dev',
        sourcePosition: { uri: 'project:///src/index.ts', line: 3, column: 23 },
    };
    await store.updateShard('demo-stack', (shard) => {
        shard.resources.push(resource);
        shard.violations.push(violation(), violation({ id: 'v2', level: 'advisory', policyName: 'required-tags', message: 'Missing tags Owner' }));
        shard.violations.push(violation({ id: 'v3', status: 'fixed' }), violation({ id: 'v4', suppression: { reason: 'ok', until: '2999-01-01' } }));
    });
    return { store, workspace, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

test('stack violations appear on the line of the Pulumi program that made the resource, by level', async () => {
    const { store, workspace, cleanup } = await seeded();
    try {
        const byFile = await sourceDiagnostics(store, { folders: [workspace], levels: ['mandatory', 'advisory', 'remediate'] });
        const uri = pathToFileURL(path.join(workspace, 'infra', 'src', 'index.ts')).href;
        assert.deepEqual([...byFile.keys()], [uri]);
        const diagnostics = byFile.get(uri)!;
        // Fixed and suppressed violations are not shown.
        assert.deepEqual(diagnostics.map((d) => [d.code, d.severity, d.range.start.line, d.range.start.character]), [
            ['s3-no-public-read', 1, 2, 22],
            ['required-tags', 2, 2, 22],
        ]);
        // The setting narrows the levels.
        const mandatoryOnly = await sourceDiagnostics(store, { folders: [workspace], levels: ['mandatory'] });
        assert.deepEqual(mandatoryOnly.get(uri)!.map((d) => d.code), ['s3-no-public-read']);
        // Without the project's folder in the workspace there is nowhere to show them.
        assert.equal((await sourceDiagnostics(store, { folders: [path.join(workspace, 'elsewhere')], levels: ['mandatory'] })).size, 0);
    } finally {
        await store.close();
        cleanup();
    }
});

test('a resource document shows the violation on the property its message names, else on the name', async () => {
    const { store, cleanup } = await seeded();
    try {
        const resource = (await store.readShard('demo-stack')).resources[0];
        const text = JSON.stringify(resource, null, 2) + '\n';
        const lines = text.split('\n');
        const diagnostics = await resourceDocumentDiagnostics(store, 'demo-stack', URN, text, ['mandatory', 'advisory']);
        const byCode = new Map(diagnostics.map((d) => [d.code, d]));
        assert.match(lines[byCode.get('s3-no-public-read')!.range.start.line], /^ {4}"acl": "public-read"/);
        assert.match(lines[byCode.get('required-tags')!.range.start.line], /^ {4}"tags": \{/);
        assert.equal(diagnostics.length, 2);
    } finally {
        await store.close();
        cleanup();
    }
});

test('a remediation record shows on the program line as Information, with its changes for "Fix in code"; the levels setting hides it', async () => {
    const { store, workspace, cleanup } = await seeded();
    try {
        const change = remediationOf({ acl: 'public-read' }, { acl: 'private' })!;
        await store.updateShard('demo-stack', (shard) => {
            shard.violations.push(violation({ id: 'r1', level: 'remediate', message: remediationMessage(change), remediation: change }));
        });
        const uri = pathToFileURL(path.join(workspace, 'infra', 'src', 'index.ts')).href;
        const all = (await sourceDiagnostics(store, { folders: [workspace], levels: ['mandatory', 'advisory', 'remediate'] })).get(uri)!;
        const record = all.find((d) => (d.data as { violationId: string }).violationId === 'r1')!;
        assert.deepEqual([record.severity, record.range.start.line], [DiagnosticSeverity.Information, 2]);
        assert.match(String(record.message), /^Would change acl: public-read → private\n\(aws-typescript@0\.0\.1, remediate, high; site-bucket\)$/);
        assert.deepEqual((record.data as { remediationChanges: unknown }).remediationChanges, [{ path: 'acl', before: 'public-read', after: 'private' }]);
        assert.equal(all.filter((d) => (d.data as { remediationChanges?: unknown }).remediationChanges).length, 1, 'violations carry no changes');
        const without = (await sourceDiagnostics(store, { folders: [workspace], levels: ['mandatory', 'advisory'] })).get(uri)!;
        assert.equal(without.some((d) => (d.data as { violationId: string }).violationId === 'r1'), false);
    } finally {
        await store.close();
        cleanup();
    }
});
