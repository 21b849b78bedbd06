/**
 * The `policyInsights.runner.timeoutMs` setting reaches the runner: the client passes it in the
 * initialization options and again in `workspace/didChangeConfiguration` (its synchronized
 * `policyInsights` section), and a policy that never returns is stopped after exactly that long.
 * Through the real bundled server and a real pack host ("Run against <account>").
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DidChangeConfigurationNotification } from 'vscode-languageserver-protocol';
import { RunPolicyRequest } from '../../server/src/shared/protocol';
import { Store } from '../../server/src/store';
import { REPO, startServer } from './lspClient';

const ACCOUNT = 'timeouts';
/** Loops forever in policy `spins` on the resource named `hang` (test/unit/runner uses it too). */
const HANGING_PACK = path.join(REPO, 'test', 'fixtures', 'packs', 'runner', 'hanging-sync');

test('a policy that never returns is stopped after policyInsights.runner.timeoutMs, from the initialization options and then from a configuration change', async () => {
    const home = mkdtempSync(path.join(tmpdir(), 'pi-lsp-timeout-'));
    const store = await Store.open({ home });
    await store.updateCatalog((catalog) => {
        catalog.accounts.push({ name: ACCOUNT, provider: 'aws', settings: { regions: ['us-east-1'] }, children: [], scanSchedule: 'none', createdAt: new Date(0).toISOString() });
    });
    await store.updateShard(ACCOUNT, (shard) => {
        for (const name of ['a', 'hang']) {
            shard.resources.push({ account: ACCOUNT, urn: `urn:pulumi:dev::timeouts::aws:s3/bucket:Bucket::${name}`, type: 'aws:s3/bucket:Bucket', name, properties: {}, hash: name });
        }
    });
    await store.close();

    const session = await startServer({ home, initializationOptions: { runnerTimeoutMs: 400 } });
    const run = () => session.connection.sendRequest(RunPolicyRequest.type, { packDir: HANGING_PACK, policyName: 'spins', account: ACCOUNT });
    try {
        const first = await run();
        assert.equal(first.resourceCount, 2);
        assert.equal(first.errors.length, 1, first.errors.join('\n'));
        assert.match(first.errors[0], /^spins on urn:pulumi:dev::timeouts::aws:s3\/bucket:Bucket::hang: Policy 'spins' blocked for \d+ ms \(timeout 400 ms\)/);

        // VS Code's synchronized section, as vscode-languageclient sends it when the setting changes.
        await session.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: { policyInsights: { runner: { timeoutMs: 700 } } } });
        const second = await run();
        assert.equal(second.errors.length, 1, second.errors.join('\n'));
        assert.match(second.errors[0], /\(timeout 700 ms\)/);
    } finally {
        await session.close();
        rmSync(home, { recursive: true, force: true });
    }
});
