import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import {
    GetServerStatusRequest,
    ListAccountsRequest,
    ListGroupsRequest,
    ListPacksRequest,
    StoreChangedNotification,
    type StoreChangedParams,
} from '../../server/src/shared/protocol';
import { REPO, startServer } from './lspClient';
import { within } from '../support/waits';

function tempHome(): string {
    return mkdtempSync(path.join(tmpdir(), 'pi-lsp-'));
}

test('the bundled server initializes, answers a custom request, and exits cleanly on shutdown/exit', async () => {
    const home = tempHome();
    const session = await startServer({ home });
    try {
        assert.equal(session.initializeResult.serverInfo?.name, 'policy-insights');
        const status = await session.connection.sendRequest(GetServerStatusRequest.type);
        assert.equal(status.state, 'ready');
        assert.equal(status.home, home);
        const groups = await session.connection.sendRequest(ListGroupsRequest.type);
        assert.deepEqual(
            groups.map((g) => [g.name, g.isDefault]),
            [['default-policy-group', true]],
        );
        assert.deepEqual(await session.connection.sendRequest(ListPacksRequest.type), []);
    } finally {
        assert.equal(await session.close(), 0, session.stderr());
        rmSync(home, { recursive: true, force: true });
    }
});

test('a write by the CLI to the shared store reaches the server as a storeChanged notification', async () => {
    const home = tempHome();
    const session = await startServer({ home });
    try {
        const changed = new Promise<StoreChangedParams>((resolve) =>
            session.connection.onNotification(StoreChangedNotification.type, resolve),
        );
        // Another process (here: a plain script through the store module) adds an account.
        const result = spawnSync(process.execPath, [path.join(REPO, 'out', 'test', 'lsp', 'storeWriter.child.js'), home, 'cli-added'], {
            encoding: 'utf8',
        });
        assert.equal(result.status, 0, result.stderr);
        const params = await within(changed, 10_000, 'a storeChanged notification after the write by another process');
        assert.ok(params.scopes.includes('accounts'), JSON.stringify(params));
        const accounts = await session.connection.sendRequest(ListAccountsRequest.type);
        assert.deepEqual(
            accounts.map((a) => a.name),
            ['cli-added'],
        );
    } finally {
        await session.close();
        rmSync(home, { recursive: true, force: true });
    }
});

test('a damaged catalog is reported in the server status with the path of the kept copy', async () => {
    const home = tempHome();
    writeFileSync(path.join(home, 'catalog.json'), '{"schemaVersion": 1, "packs": [');
    const session = await startServer({ home });
    try {
        const status = await session.connection.sendRequest(GetServerStatusRequest.type);
        assert.equal(status.state, 'degraded');
        assert.match(status.message ?? '', /catalog\.json/);
        assert.match(status.message ?? '', /corrupt/);
        const kept = status.message!.match(/kept at (\S+?)\.\s/)?.[1];
        assert.ok(kept, status.message);
        assert.equal(status.path, path.join(home, 'catalog.json'), 'the file to reveal');
        assert.equal(readFileSync(kept!, 'utf8'), '{"schemaVersion": 1, "packs": [');
    } finally {
        await session.close();
        rmSync(home, { recursive: true, force: true });
    }
});
