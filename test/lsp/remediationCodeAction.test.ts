/**
 * A remediation record of a stack resource shows on the Pulumi program's line, and its quick
 * fix "Fix in code" edits the literal in the resource's constructor call, through the real
 * bundled server.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { CodeActionRequest, DiagnosticSeverity, DidOpenTextDocumentNotification, PublishDiagnosticsNotification, type Diagnostic } from 'vscode-languageserver-protocol';
import type { Violation } from '../../server/src/shared/model';
import { Store } from '../../server/src/store';
import { remediationMessage, remediationOf } from '../../server/src/violations/remediation';
import { startServer } from './lspClient';
import { within } from '../support/waits';

const PROGRAM = `import * as aws from "@pulumi/aws";

const logs = new aws.s3.Bucket("logs", {
    acl: "public-read",
    versioning: { enabled: false },
});
const shared = new aws.s3.Bucket("shared", { acl: process.env.ACL ?? "public-read", versioning: { enabled: false } });
`;

const STACK = 'site-prod';
const urnOf = (name: string) => `urn:pulumi:prod::site::aws:s3/bucket:Bucket::${name}`;

/** A remediation record as evaluation stores it for a bucket of the stack. */
function record(name: string, id: string): Violation {
    const remediation = remediationOf({ acl: 'public-read', versioning: { enabled: false } }, { acl: 'private', versioning: { enabled: true } })!;
    return {
        id,
        entityType: 'stack',
        entityId: STACK,
        project: 'site',
        policyPack: 'eval-remediate',
        policyPackTag: '1.0.0',
        policyName: 'bucket-acl-private',
        policyGroupName: 'default-policy-group',
        resourceURN: urnOf(name),
        resourceType: 'aws:s3/bucket:Bucket',
        resourceName: name,
        message: remediationMessage(remediation),
        level: 'remediate',
        kind: 'audit',
        observedAt: '2026-03-01T00:00:00.000Z',
        lastSeenAt: '2026-03-01T00:00:00.000Z',
        status: 'open',
        remediation,
    };
}

test('a remediation on the program line offers "Fix in code" with the edit of its literals, and none where the value is an expression', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pi-lsp-site-'));
    const home = mkdtempSync(path.join(tmpdir(), 'pi-lsp-home-'));
    writeFileSync(path.join(dir, 'Pulumi.yaml'), 'name: site\nruntime: nodejs\n');
    const file = path.join(dir, 'index.ts');
    writeFileSync(file, PROGRAM);
    const lines = PROGRAM.split('\n');
    const lineOf = (name: string) => lines.findIndex((l) => l.includes(`Bucket("${name}"`));
    const store = await Store.open({ home });
    await store.updateShard(STACK, (shard) => {
        for (const name of ['logs', 'shared']) {
            // Pulumi's source position: 1-based line and column of the `new`
            shard.resources.push({ account: STACK, urn: urnOf(name), type: 'aws:s3/bucket:Bucket', name, properties: { acl: 'public-read' }, hash: name, project: 'site', stack: 'prod', sourcePosition: { uri: 'project:///index.ts', line: lineOf(name) + 1, column: lines[lineOf(name)].indexOf('new ') + 1 } });
        }
        shard.violations.push(record('logs', 'rem-logs'), record('shared', 'rem-shared'));
    });
    await store.close();

    const uri = pathToFileURL(file).href;
    let pending: (params: { uri: string; diagnostics: Diagnostic[] }) => void = () => undefined;
    const published = new Promise<Diagnostic[]>((resolve) => {
        pending = (params) => params.uri === uri && params.diagnostics.length === 2 && resolve(params.diagnostics);
    });
    const session = await startServer({ home, rootDir: dir });
    session.connection.onNotification(PublishDiagnosticsNotification.type, (params) => pending(params));
    try {
        const diagnostics = await within(published, 30_000, `the two remediation diagnostics for ${uri}`);
        const logs = diagnostics.find((d) => d.range.start.line === lineOf('logs'))!;
        assert.equal(logs.severity, DiagnosticSeverity.Information, 'remediate is Information by the diagnostics setting rule');
        assert.match(String(logs.message), /^Would change acl: public-read → private; versioning\.enabled: false → true\n/);

        // as an editor asks: the program open, the cursor on the line, every diagnostic there
        await session.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'typescript', version: 1, text: PROGRAM } });
        const cursor = { line: logs.range.start.line, character: 30 };
        const clamped = diagnostics.filter((d) => d.range.start.line === cursor.line).map((d) => ({ ...d, range: { start: d.range.start, end: { line: d.range.start.line, character: lines[cursor.line].length } } }));
        const actions = (await session.connection.sendRequest(CodeActionRequest.type, { textDocument: { uri }, range: { start: cursor, end: cursor }, context: { diagnostics: clamped, triggerKind: 1 } })) ?? [];
        const fix = actions.find((a) => a.title.startsWith('Fix in code'));
        assert.ok(fix && 'edit' in fix, JSON.stringify(actions));
        assert.equal(fix.title, 'Fix in code: 2 properties as bucket-acl-private would');
        assert.equal(fix.isPreferred, true);
        assert.deepEqual(fix.edit!.changes![uri], [
            { range: { start: { line: 3, character: 9 }, end: { line: 3, character: 22 } }, newText: '"private"' },
            { range: { start: { line: 4, character: 27 }, end: { line: 4, character: 32 } }, newText: 'true' },
        ]);
        // the other quick fixes are still there, named for the remediation: an editor lists every diagnostic's actions in one menu
        assert.deepEqual(
            actions.filter((a) => !a.title.startsWith('Fix in code')).map((a) => a.title),
            ['Suppress the bucket-acl-private remediation on this resource…', 'Show the bucket-acl-private remediation in Policy Violations'],
        );

        const shared = diagnostics.find((d) => d.range.start.line === lineOf('shared'))!;
        const sharedActions = (await session.connection.sendRequest(CodeActionRequest.type, { textDocument: { uri }, range: shared.range, context: { diagnostics: [shared] } })) ?? [];
        assert.equal(sharedActions.find((a) => a.title.startsWith('Fix in code')), undefined, 'acl is an expression there: no edit is offered');
    } finally {
        await session.close();
        rmSync(dir, { recursive: true, force: true });
        rmSync(home, { recursive: true, force: true });
    }
});
