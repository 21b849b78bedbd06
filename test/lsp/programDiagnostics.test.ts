/**
 * Violations on Pulumi programs are sent again only for the files whose diagnostics changed:
 * VS Code recomputes a file's code actions on every diagnostics change and cancels a Ctrl+.
 * still waiting for its providers ("No code actions available"), so a store change that does
 * not touch a program must not resend it. Through the real bundled server.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { PublishDiagnosticsNotification, type Diagnostic } from 'vscode-languageserver-protocol';
import type { Violation } from '../../server/src/shared/model';
import { Store } from '../../server/src/store';
import { startServer } from './lspClient';
import { within } from '../support/waits';

const STACK = 'shop-prod';
const PROGRAM = 'import * as aws from "@pulumi/aws";\n\nconst bucket = new aws.s3.Bucket("b", { acl: "public-read" });\n';
const urnOf = (project: string) => `urn:pulumi:prod::${project}::aws:s3/bucket:Bucket::b`;

function violation(project: string, message: string): Violation {
    return {
        id: `v-${project}`,
        entityType: 'stack',
        entityId: STACK,
        project,
        policyPack: 'aws-typescript',
        policyPackTag: '0.0.1',
        policyName: 's3-no-public-read',
        policyGroupName: 'default-policy-group',
        resourceURN: urnOf(project),
        resourceType: 'aws:s3/bucket:Bucket',
        resourceName: 'b',
        message,
        level: 'mandatory',
        kind: 'audit',
        observedAt: '2026-03-01T00:00:00.000Z',
        lastSeenAt: '2026-03-01T00:00:00.000Z',
        status: 'open',
    };
}

test("a store change that touches one program's violations resends that program's diagnostics only", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pi-lsp-programs-'));
    const home = mkdtempSync(path.join(tmpdir(), 'pi-lsp-home-'));
    // Two Pulumi projects in the workspace, one stack shard holding a resource of each
    // (api's violation first, so api's file would be sent first if it were resent).
    const uris: Record<string, string> = {};
    for (const project of ['api', 'web']) {
        mkdirSync(path.join(dir, project));
        writeFileSync(path.join(dir, project, 'Pulumi.yaml'), `name: ${project}\nruntime: nodejs\n`);
        writeFileSync(path.join(dir, project, 'index.ts'), PROGRAM);
        uris[project] = pathToFileURL(path.join(dir, project, 'index.ts')).href;
    }
    const store = await Store.open({ home });
    await store.updateShard(STACK, (shard) => {
        for (const project of ['api', 'web']) {
            shard.resources.push({ account: STACK, urn: urnOf(project), type: 'aws:s3/bucket:Bucket', name: 'b', properties: { acl: 'public-read' }, hash: project, project, stack: 'prod', sourcePosition: { uri: 'project:///index.ts', line: 3, column: 16 } });
            shard.violations.push(violation(project, `Bucket b of ${project} is public.`));
        }
    });

    const sent: { uri: string; diagnostics: Diagnostic[] }[] = [];
    let waiter: (() => void) | undefined;
    const sentTo = (project: string, message: RegExp) =>
        within(
            new Promise<void>((resolve) => {
                const check = () => sent.some((p) => p.uri === uris[project] && p.diagnostics.some((d) => message.test(String(d.message)))) && resolve();
                waiter = check;
                check();
            }),
            30_000,
            `diagnostics ${message} for ${project}`,
        );
    const session = await startServer({ home, rootDir: dir });
    session.connection.onNotification(PublishDiagnosticsNotification.type, (params) => {
        sent.push(params);
        waiter?.();
    });
    try {
        await sentTo('api', /^Bucket b of api is public\./);
        await sentTo('web', /^Bucket b of web is public\./);
        const before = sent.length;

        // web's violation changes (another scan found something new to say); api's does not
        await store.updateShard(STACK, (shard) => {
            shard.violations = shard.violations.map((v) => (v.project === 'web' ? { ...v, message: 'Bucket b of web is public-read-write.' } : v));
        });
        await sentTo('web', /^Bucket b of web is public-read-write\./);
        // then api's changes: once its new diagnostics arrive, a re-send of api caused by web's
        // change would have come before them
        await store.updateShard(STACK, (shard) => {
            shard.violations = shard.violations.map((v) => (v.project === 'api' ? { ...v, message: 'Bucket b of api is public-read-write.' } : v));
        });
        await sentTo('api', /^Bucket b of api is public-read-write\./);
        assert.deepEqual(sent.slice(before).map((p) => p.uri), [uris.web, uris.api], 'each change sends only the program it changed');
    } finally {
        await session.close();
        await store.close();
        rmSync(dir, { recursive: true, force: true });
        rmSync(home, { recursive: true, force: true });
    }
});
