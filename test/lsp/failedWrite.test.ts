/**
 * A failed write never takes a process down. The evaluation result cache's file is made a
 * folder (a real EISDIR from rename, as a full disk gives ENOSPC from the same calls): the
 * language server answers the evaluation, reports the failure in its status, and keeps
 * serving; the CLI's scan prints messages, never a Node trace.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { runCli } from '../../server/src/cli/runCli';
import { scaffoldPack } from '../../server/src/packs/scaffold';
import { EvaluateNowRequest, GetServerStatusRequest, ListGroupsRequest } from '../../server/src/shared/protocol';
import { REPO, startServer } from './lspClient';

const temp = mkdtempSync(path.join(tmpdir(), 'pi-lsp-failed-write-'));
after(() => rmSync(temp, { recursive: true, force: true }));
const home = path.join(temp, 'home');
const STACK = 'shop';
const STATE = path.join(REPO, 'test', 'fixtures', 'stacks', 'aws-app.dev.export.json');

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli([...argv, '--home', home], { out: (l) => out.push(l), err: (l) => err.push(l), env: {} });
    return { code, out: out.join('\n'), err: err.join('\n') };
}

test('an EISDIR from the result cache write: the CLI reports it without a trace, the server answers and keeps serving', async () => {
    process.env.POLICY_INSIGHTS_PACK_HOST = path.join(REPO, 'out', 'server', 'packHost.js');
    const packDir = path.join(temp, 'aws-typescript');
    await scaffoldPack({ template: 'aws-typescript', dir: packDir, templatesDir: path.join(REPO, 'templates') });
    symlinkSync(path.join(REPO, 'node_modules'), path.join(packDir, 'node_modules'), 'dir');
    const published = await cli('policy', 'publish', packDir);
    assert.equal(published.code, 0, published.err);
    assert.equal((await cli('policy', 'enable', 'aws-typescript', 'latest')).code, 0);
    const added = await cli('account', 'add', STACK, '--provider', 'pulumi-stack', '--state', STATE);
    assert.equal(added.code, 0, added.err);
    // the cache file of the stack's entity, as a folder: writeFile to the temp works, rename over it fails
    mkdirSync(path.join(home, 'evaluation', `${encodeURIComponent(STACK)}.json`, 'x'), { recursive: true });

    const scanned = await cli('account', 'scan', STACK);
    assert.doesNotMatch(`${scanned.out}\n${scanned.err}`, /\n\s+at /, 'no stack trace');
    assert.match(scanned.err, /result cache could not be written .*EISDIR/, scanned.err);
    assert.match(scanned.err, /Evaluated shop: \d+ open violation/, 'the violations were stored');

    const session = await startServer({ home, trusted: true, env: { POLICY_INSIGHTS_PACK_HOST: process.env.POLICY_INSIGHTS_PACK_HOST } });
    try {
        const summary = await session.connection.sendRequest(EvaluateNowRequest.type, {});
        assert.deepEqual(summary.accounts, [STACK], 'the violations were still evaluated and stored');
        assert.ok(summary.problems.some((p) => /result cache could not be written .*EISDIR/.test(p)), summary.problems.join('\n'));
        // still serving, and saying what happened
        assert.deepEqual((await session.connection.sendRequest(ListGroupsRequest.type)).map((g) => g.name), ['default-policy-group']);
        const status = await session.connection.sendRequest(GetServerStatusRequest.type);
        assert.ok(session.process.exitCode === null, 'the server process is alive');
        assert.ok(status.state === 'ready' || /EISDIR/.test(status.message ?? ''), JSON.stringify(status));
    } finally {
        assert.equal(await session.close(), 0, session.stderr());
    }
});
