/**
 * A stack import through the language server, as VS Code's Scan runs it: the scan request is
 * answered with its summary, and while it runs the server sends ScanProgressNotification with
 * the MiB of the state read (what the scan's progress notification shows, see
 * client/src/commands/accounts.ts showScanProgress).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { AddStackAccountRequest, ScanAccountRequest, ScanProgressNotification } from '../../server/src/shared/protocol';
import { describeScanProgress, STACK_PROGRESS_SERVICE } from '../../server/src/shared/scanProgress';
import { writeStackExport } from '../../bench/lib/stackExport.mjs';
import { startServer } from './lspClient';

const temp = mkdtempSync(path.join(tmpdir(), 'pi-lsp-stack-import-'));
after(() => rmSync(temp, { recursive: true, force: true }));

test('Scan of a stack reports the MiB of its state read, up to the whole file, then answers with the import', async () => {
    const state = path.join(temp, 'estate.export.json');
    const made = await writeStackExport(state, { targetBytes: 6 * 1024 * 1024 });
    const session = await startServer({ home: path.join(temp, 'home') });
    try {
        const progress: { account: string; service: string; done: number; total: number }[] = [];
        session.connection.onNotification(ScanProgressNotification.method, (p: (typeof progress)[number]) => void progress.push(p));
        await session.connection.sendRequest(AddStackAccountRequest.type, { name: 'estate', stateFile: state });
        const summary = await session.connection.sendRequest(ScanAccountRequest.type, { name: 'estate' });
        assert.equal(summary.status, 'succeeded');
        assert.equal(summary.added, made.resources);
        const mib = Math.round((statSync(state).size / 1024 / 1024) * 10) / 10;
        assert.ok(progress.length >= 3, `several reports (${progress.length})`);
        assert.ok(progress.every((p) => p.account === 'estate' && p.service === STACK_PROGRESS_SERVICE && p.total === mib));
        assert.ok(progress.every((p, i) => i === 0 || p.done >= progress[i - 1].done));
        assert.equal(progress.at(-1)!.done, mib);
        assert.equal(describeScanProgress(progress.at(-1)!), `reading the stack state: ${mib.toFixed(1)} of ${mib.toFixed(1)} MiB (100%)`);
    } finally {
        await session.close();
    }
});
