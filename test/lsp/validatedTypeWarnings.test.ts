/**
 * In the editor, a pack that validates a type no configured account discovers gets a warning
 * at the validateResourceOfType call once the pack is opened (as `policy validate` prints it).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DidOpenTextDocumentNotification, PublishDiagnosticsNotification, type Diagnostic } from 'vscode-languageserver-protocol';
import { insertAccount } from '../../server/src/accounts/accountRegistry';
import { Store } from '../../server/src/store';
import { REPO, startServer } from './lspClient';
import { within } from '../support/waits';

// In place, not copied: @pulumi/aws is found from the repository's node_modules, as a pack finds its own.
const PACK = path.join(REPO, 'test', 'fixtures', 'packs', 'static', 'validated-types');

test('opening a pack that validates a type no account discovers shows a warning at the call', async () => {
    const home = mkdtempSync(path.join(tmpdir(), 'pi-lsp-typewarn-'));
    const store = await Store.open({ home });
    await insertAccount(store, { name: 'demo', provider: 'aws', settings: {}, children: [], scanSchedule: 'none', createdAt: new Date().toISOString() });
    await store.close();
    const session = await startServer({ home, rootDir: PACK });
    try {
        const file = path.join(PACK, 'index.ts');
        const uri = pathToFileURL(file).href;
        const warned = within(new Promise<Diagnostic[]>((resolve) => {
            const sub = session.connection.onNotification(PublishDiagnosticsNotification.type, (params) => {
                if (params.uri !== uri || !params.diagnostics.some((d) => d.code === 'undiscovered-type')) return;
                sub.dispose();
                resolve(params.diagnostics);
            });
        }), 30_000, `undiscovered-type warnings for ${uri}`);
        await session.connection.sendNotification(DidOpenTextDocumentNotification.type, {
            textDocument: { uri, languageId: 'typescript', version: 1, text: readFileSync(file, 'utf8') },
        });
        const found = (await warned).filter((d) => d.code === 'undiscovered-type');
        assert.deepEqual(found.map((d) => [d.range.start.line + 1, d.range.start.character + 1, d.severity]), [[18, 31, 2], [27, 66, 2]]);
        assert.match(String(found[0].message), /^policy "sagemaker-domain-vpc-only" validates aws:sagemaker\/domain:Domain, which no account here discovers/);
    } finally {
        await session.close();
        rmSync(home, { recursive: true, force: true });
    }
});
