/**
 * Control characters in stored data (a resource named with ESC, CR, NUL and a bidi
 * override, from a stack export) are shown as escapes in human output and kept exact in
 * JSON; CSV loses only ESC, NUL and the other C0 controls.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { runCli } from '../../../server/src/cli/runCli';
import { csvSafe, terminalSafe } from '../../../server/src/cli/terminalText';
import { repoRoot } from '../runner/runnerTestEnv';

const temp = mkdtempSync(path.join(tmpdir(), 'pi-cli-control-'));
after(() => rmSync(temp, { recursive: true, force: true }));
const home = path.join(temp, 'home');
const HOSTILE = 'evil\u001b]0;pwned\u0007\u001b[2J\rfake\u0000\u202Etxt.exe';

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli([...argv, '--home', home], { out: (l) => out.push(l), err: (l) => err.push(l), env: {} });
    return { code, out: out.join('\n'), err: err.join('\n') };
}

test('a hostile resource id is escaped in the table and exact in --json', async () => {
    const state = JSON.parse(readFileSync(path.join(repoRoot, 'test', 'fixtures', 'stacks', 'aws-app.dev.export.json'), 'utf8'));
    const bucket = state.deployment.resources.find((r: { type: string; id?: string }) => r.id === 'site-bucket-1a2b3c' && r.type === 'aws:s3/bucket:Bucket');
    bucket.id = HOSTILE;
    const file = path.join(temp, 'hostile.json');
    writeFileSync(file, JSON.stringify(state));
    const added = await cli('account', 'add', 'hostile', '--provider', 'pulumi-stack', '--state', file);
    assert.equal(added.code, 0, added.err);
    assert.equal((await cli('account', 'scan', 'hostile', '--no-evaluate')).code, 0);

    const table = await cli('account', 'resources', 'hostile');
    assert.equal(table.code, 0, table.err);
    assert.doesNotMatch(table.out, /[\u0000-\u0008\u000b-\u001f\u007f\u202e]/, 'no raw control or bidi character reaches the terminal');
    assert.ok(table.out.includes('evil\\x1b]0;pwned\\x07\\x1b[2J\\x0dfake\\x00\\u202etxt.exe'), table.out);

    const json = await cli('account', 'resources', 'hostile', '--json');
    assert.ok((JSON.parse(json.out) as { id?: string }[]).some((r) => r.id === HOSTILE), 'JSON keeps the value exact');
});

test('CSV keeps tab, CR and LF and drops ESC and NUL', () => {
    assert.equal(csvSafe('a\u001b[31mb\u0000c\td\r\ne'), 'a\ufffd[31mb\ufffdc\td\r\ne');
    assert.equal(terminalSafe('line one\nline\ttwo'), 'line one\nline\ttwo');
});
