import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
    CodeActionRequest,
    DidChangeTextDocumentNotification,
    DidOpenTextDocumentNotification,
    PublishDiagnosticsNotification,
    type PublishDiagnosticsParams,
} from 'vscode-languageserver-protocol';
import { REPO, startServer } from './lspClient';
import { within } from '../support/waits';

const FIXTURE = path.join(REPO, 'test', 'fixtures', 'packs', 'static', 'aws-typescript');

/** Resolves with the next diagnostics published for `uri` at `version`. */
function nextDiagnostics(session: Awaited<ReturnType<typeof startServer>>, uri: string, version: number): Promise<PublishDiagnosticsParams> {
    const next = new Promise<PublishDiagnosticsParams>((resolve) => {
        const sub = session.connection.onNotification(PublishDiagnosticsNotification.type, (params) => {
            if (params.uri === uri && params.version === version) {
                sub.dispose();
                resolve(params);
            }
        });
    });
    return within(next, 30_000, `diagnostics for ${uri} at version ${version}`);
}

test('a duplicate policy name typed into a pack is flagged at the name, and the quick fix renames it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pi-lsp-pack-'));
    cpSync(FIXTURE, dir, { recursive: true });
    const home = mkdtempSync(path.join(tmpdir(), 'pi-lsp-home-'));
    const session = await startServer({ home, rootDir: dir });
    try {
        const file = path.join(dir, 'index.ts');
        const uri = pathToFileURL(file).href;
        const text = readFileSync(file, 'utf8');
        const clean = nextDiagnostics(session, uri, 1);
        await session.connection.sendNotification(DidOpenTextDocumentNotification.type, {
            textDocument: { uri, languageId: 'typescript', version: 1, text },
        });
        assert.deepEqual((await clean).diagnostics, [], 'the template itself is clean');

        // The user duplicates the policy object (as with copy and paste) without renaming it.
        const start = text.indexOf('    policies: [{') + '    policies: ['.length;
        const end = text.indexOf('    }],') + '    }'.length;
        const policy = text.slice(start, end);
        const edited = text.slice(0, end) + ', ' + policy + text.slice(end);
        const flagged = nextDiagnostics(session, uri, 2);
        await session.connection.sendNotification(DidChangeTextDocumentNotification.type, {
            textDocument: { uri, version: 2 },
            contentChanges: [{ text: edited }],
        });
        const { diagnostics } = await flagged;
        const duplicate = diagnostics.filter((d) => d.code === 'duplicate-policy-name');
        assert.equal(duplicate.length, 1, JSON.stringify(diagnostics, null, 2));
        // The range is exactly the second "s3-no-public-read" string literal.
        const second = edited.indexOf('"s3-no-public-read"', edited.indexOf('"s3-no-public-read"') + 1);
        const before = edited.slice(0, second).split('\n');
        assert.deepEqual(duplicate[0].range.start, { line: before.length - 1, character: before[before.length - 1].length });
        assert.equal(duplicate[0].range.end.character - duplicate[0].range.start.character, '"s3-no-public-read"'.length);

        const actions = await session.connection.sendRequest(CodeActionRequest.type, {
            textDocument: { uri },
            range: duplicate[0].range,
            context: { diagnostics: duplicate },
        });
        const rename = actions?.find((a) => 'edit' in a && a.edit);
        assert.ok(rename && 'edit' in rename, JSON.stringify(actions));
        const edit = rename.edit!.changes![uri][0];
        assert.equal(edit.newText.replace(/["']/g, ''), 's3-no-public-read-2');
    } finally {
        await session.close();
        rmSync(dir, { recursive: true, force: true });
        rmSync(home, { recursive: true, force: true });
    }
});

test('a syntax error typed into a pack is reported by TypeScript\'s own diagnostic, at its exact range, and nothing else', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pi-lsp-pack-'));
    cpSync(FIXTURE, dir, { recursive: true });
    const home = mkdtempSync(path.join(tmpdir(), 'pi-lsp-home-'));
    const session = await startServer({ home, rootDir: dir });
    try {
        const file = path.join(dir, 'index.ts');
        const uri = pathToFileURL(file).href;
        const text = readFileSync(file, 'utf8');
        // The policies array is cut off mid-typing: the parser has to guess three object literals.
        const broken = text.replace('    policies: [{', '    policies: [{{{ ], _: [{');
        const line = broken.split('\n').findIndex((l) => l.includes('[{{{ ]'));
        const column = broken.split('\n')[line].indexOf('{{{') + 1;
        const published = nextDiagnostics(session, uri, 1);
        await session.connection.sendNotification(DidOpenTextDocumentNotification.type, {
            textDocument: { uri, languageId: 'typescript', version: 1, text: broken },
        });
        const { diagnostics } = await published;
        assert.ok(diagnostics.length > 0, 'the syntax error is reported');
        assert.deepEqual(diagnostics[0], {
            range: { start: { line, character: column }, end: { line, character: column + 1 } },
            severity: 1,
            source: 'ts',
            code: 1136,
            message: 'Property assignment expected.',
        });
        assert.deepEqual(diagnostics.filter((d) => d.source !== 'ts'), [], 'no policy rule reports on the guessed objects');
    } finally {
        await session.close();
        rmSync(dir, { recursive: true, force: true });
        rmSync(home, { recursive: true, force: true });
    }
});
