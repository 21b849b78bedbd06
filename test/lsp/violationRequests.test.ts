/**
 * The Violations tree's and status bar's requests against the real bundled server: groups
 * with counts, a group's children, the total only, the same rows the panel pages through;
 * a bad filter is a user error; a triage through the server and a write by another process
 * (the CLI) both show in the next answer.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { ResponseError } from 'vscode-jsonrpc/node';
import { runCli } from '../../server/src/cli/runCli';
import type { Violation } from '../../server/src/shared/model';
import { PanelQueryRequest, TriageViolationRequest } from '../../server/src/shared/panelProtocol';
import { ListViolationsRequest, StoreChangedNotification, ViolationGroupsRequest } from '../../server/src/shared/protocol';
import { USER_ERROR_CODE } from '../../server/src/shared/errors';
import { Store } from '../../server/src/store';
import { syntheticViolations } from '../support/syntheticViolations';
import { startServer } from './lspClient';

test('the tree, the status bar and the panel get their violations from one query, fresh after each change', async () => {
    const home = mkdtempSync(path.join(tmpdir(), 'pi-lsp-violations-'));
    const { violations } = syntheticViolations(400, { seed: 4 });
    const store = await Store.open({ home });
    const byAccount = new Map<string, Violation[]>();
    for (const v of violations) byAccount.set(v.entityId, [...(byAccount.get(v.entityId) ?? []), v]);
    for (const [account, list] of byAccount) await store.updateShard(account, (shard) => void shard.violations.push(...list));
    await store.close();

    const session = await startServer({ home });
    const { connection } = session;
    try {
        const { total } = await connection.sendRequest(ListViolationsRequest.type, { limit: 0 });
        assert.ok(total > 50, `${total} open violations`);
        const { groups, total: grouped } = await connection.sendRequest(ViolationGroupsRequest.type, { groupBy: 'policy' });
        assert.equal(grouped, total);
        assert.equal(groups.reduce((n, g) => n + g.count, 0), total);
        const group = groups[0];
        const children = await connection.sendRequest(ListViolationsRequest.type, { group: { groupBy: 'policy', key: group.key } });
        assert.equal(children.violations.length, group.count);
        assert.ok(children.violations.every((v) => `${v.policyPack}/${v.policyName}` === group.key && v.policyName === group.label));
        // The panel filtered as Show Violations on the group node filters shows the same rows.
        const page = await connection.sendRequest(PanelQueryRequest.type, { filter: group.filter!, offset: 0, limit: 1000, withAggregates: false });
        assert.deepEqual(page.rows.map((r) => r.id), children.violations.map((v) => v.id));

        await assert.rejects(connection.sendRequest(ListViolationsRequest.type, { filter: { since: '2026-13-01' } }), (err: unknown) => {
            assert.ok(err instanceof ResponseError && err.code === USER_ERROR_CODE, String(err));
            assert.match(err.message, /--since "2026-13-01" is not a date/);
            return true;
        });

        // A triage through the server: the tree's next answer has one violation fewer in the group.
        await connection.sendRequest(TriageViolationRequest.type, { id: children.violations[0].id, status: 'by_design' });
        const afterTriage = await connection.sendRequest(ViolationGroupsRequest.type, { groupBy: 'policy' });
        assert.equal(afterTriage.total, total - 1);
        assert.equal(afterTriage.groups.find((g) => g.key === group.key)?.count ?? 0, group.count - 1);

        // The CLI, another process on the same store: the server says the violations changed, and its next answer has it.
        const changed = new Promise<void>((resolve) =>
            connection.onNotification(StoreChangedNotification.type, ({ scopes }) => {
                if (scopes.includes('violations')) resolve();
            }),
        );
        const out: string[] = [];
        const err: string[] = [];
        const code = await runCli(['violations', 'triage', children.violations[1].id, '--status', 'ignored', '--home', home], { out: (l) => out.push(l), err: (l) => err.push(l), env: {} });
        assert.equal(code, 0, err.join('\n'));
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([changed, new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('no storeChanged notification within 10 s of the CLI\u2019s triage')), 10_000)))]);
        clearTimeout(timer);
        assert.equal((await connection.sendRequest(ListViolationsRequest.type, { limit: 0 })).total, total - 2);
    } finally {
        assert.equal(await session.close(), 0, session.stderr());
        rmSync(home, { recursive: true, force: true });
    }
});
