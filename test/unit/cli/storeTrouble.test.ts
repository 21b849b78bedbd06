/**
 * The CLI never lets a store recovery pass silently: each recovered file is named on
 * stderr and the command exits 3 (EXIT_STORE_RECOVERED) where it would have exited 0.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { EXIT_OK, EXIT_STORE_RECOVERED } from '../../../server/src/cli/command';
import { runCli } from '../../../server/src/cli/runCli';

const temp = mkdtempSync(path.join(tmpdir(), 'pi-cli-trouble-'));
after(() => rmSync(temp, { recursive: true, force: true }));

async function cli(home: string, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli([...argv, '--home', home], { out: (l) => out.push(l), err: (l) => err.push(l), env: {} });
    return { code, out: out.join('\n'), err: err.join('\n') };
}

test('a deleted catalog.json is restored from its .bak, named on stderr, and the command exits 3', async () => {
    const home = path.join(temp, 'deleted');
    assert.equal((await cli(home, 'policy', 'group', 'new', 'first')).code, EXIT_OK);
    assert.equal((await cli(home, 'policy', 'group', 'new', 'second')).code, EXIT_OK);
    await rm(path.join(home, 'catalog.json'));

    const listed = await cli(home, 'policy', 'group', 'ls');
    assert.equal(listed.code, EXIT_STORE_RECOVERED, listed.err);
    assert.match(listed.err, new RegExp(`${path.join(home, 'catalog.json').replace(/[.\\/]/g, '\\$&')} was missing`));
    assert.match(listed.out, /first/, 'the backup (before the last write) is what the store opened');
    // reported once: the file is back, the next command is clean
    assert.equal((await cli(home, 'policy', 'group', 'ls')).code, EXIT_OK);
});

test('a shard damaged with its backup, found mid-command, is named on stderr and the command exits 3', async () => {
    const home = path.join(temp, 'shard');
    assert.equal((await cli(home, 'policy', 'group', 'ls')).code, EXIT_OK);
    const shard = path.join(home, 'shards', `${encodeURIComponent('acct/us-east-1')}@violations.json`);
    await writeFile(shard, '{"schemaVersion":');
    await writeFile(`${shard}.bak`, 'nope');
    const listed = await cli(home, 'violations', '--account', 'acct/us-east-1', '--format', 'json');
    assert.equal(listed.code, EXIT_STORE_RECOVERED, listed.err);
    assert.ok(listed.err.includes(`${shard} was damaged`), listed.err);
    assert.match(listed.err, /\.corrupt-/);
});
