/**
 * The built CLI (out/cli, ESM split into chunks by esbuild.mjs) loads what a command needs when
 * it needs it: `--version` reads a few kilobytes, `--help` and `policy ls` no compiler and no AWS
 * SDK, while `policy validate` does load the TypeScript compiler. Observed with a module loader
 * hook that records every file the CLI process loads.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { moduleLoadLog } from '../../support/moduleLoadLog';

const outDir = path.resolve(__dirname, '..', '..', '..');
const cli = path.join(outDir, 'cli', 'cli.js');
const repo = path.resolve(outDir, '..');
const temp = mkdtempSync(path.join(tmpdir(), 'pi-cli-lazy-'));
after(() => rmSync(temp, { recursive: true, force: true }));

const loads = moduleLoadLog(temp);

/** The CLI's own files a command line loads, with their total size in bytes. */
function loadedBy(...args: string[]): { files: string[]; bytes: number; status: number | null; output: string } {
    assert.ok(existsSync(cli), `${cli} is missing: build with \`node esbuild.mjs\` first`);
    loads.reset();
    const result = spawnSync(process.execPath, ['--import', loads.register, cli, ...args, '--home', path.join(temp, 'home')], { cwd: temp, encoding: 'utf8' });
    const files = loads.loadedUnder(path.join(outDir, 'cli'));
    const bytes = files.reduce((n, f) => n + statSync(f).size, 0);
    console.log(`${args.join(' ')}: ${files.length} files of out/cli, ${(bytes / 1024).toFixed(0)} KB`);
    return { files, bytes, status: result.status, output: `${result.stdout}${result.stderr}` };
}

const KB = 1024;
const MB = 1024 * KB;

test('--version loads the entry and a few kilobytes, no command table', () => {
    const loaded = loadedBy('--version');
    assert.equal(loaded.status, 0, loaded.output);
    assert.ok(loaded.bytes < 64 * KB, `--version loaded ${loaded.bytes} bytes: ${loaded.files.join(', ')}`);
});

test('--help and policy ls load the command tables but neither the TypeScript compiler nor the AWS SDK', () => {
    for (const args of [['--help'], ['policy', 'ls']]) {
        const loaded = loadedBy(...args);
        assert.equal(loaded.status, 0, loaded.output);
        assert.ok(loaded.bytes < 2 * MB, `${args.join(' ')} loaded ${(loaded.bytes / MB).toFixed(1)} MB: ${loaded.files.map((f) => path.basename(f)).join(', ')}`);
    }
});

test('policy validate loads the compiler it needs (the split did not lose it)', () => {
    const loaded = loadedBy('policy', 'validate', path.join(repo, 'test', 'fixtures', 'packs', 'static', 'aws-typescript'));
    assert.equal(loaded.status, 0, loaded.output);
    assert.ok(loaded.bytes > 5 * MB, `policy validate loaded only ${loaded.bytes} bytes`);
});

test('a user error loads no more than the command did: telling it from a bug needs no service (it loaded 18 MB, every service, before)', () => {
    const loaded = loadedBy('policy', 'rm', 'nosuch', 'all', '--yes');
    assert.equal(loaded.status, 2, loaded.output);
    assert.match(loaded.output, /No published policy pack named "nosuch"/);
    assert.ok(loaded.bytes < 2 * MB, `a failing policy rm loaded ${(loaded.bytes / MB).toFixed(1)} MB: ${loaded.files.map((f) => path.basename(f)).join(', ')}`);
});
