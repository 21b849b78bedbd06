/**
 * Inputs the CLI used to accept silently (or answer with a stack trace) are refused with
 * what is wrong and exit 2, changing nothing; help works at every level with exit 0.
 * Run through runCli: the whole command line flow but the process.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { EXIT_OK, EXIT_USAGE } from '../../../server/src/cli/command';
import { runCli } from '../../../server/src/cli/runCli';
import { STATE_MAX_BYTES, STATE_MAX_DEPTH } from '../../../server/src/accounts/stacks/stackState';
import { repoRoot } from '../runner/runnerTestEnv';

const temp = mkdtempSync(path.join(tmpdir(), 'pi-cli-bad-input-'));
after(() => rmSync(temp, { recursive: true, force: true }));
const home = path.join(temp, 'home');
const EXPORT = path.join(repoRoot, 'test', 'fixtures', 'stacks', 'aws-app.dev.export.json');

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l), env: {} });
    return { code, out: out.join('\n'), err: err.join('\n') };
}

async function refused(pattern: RegExp, ...argv: string[]): Promise<void> {
    const run = await cli(...argv, ...(argv.includes('--home') ? [] : ['--home', home]));
    assert.equal(run.code, EXIT_USAGE, `${argv.join(' ')}: ${run.err}`);
    assert.match(run.err, pattern, argv.join(' '));
    assert.doesNotMatch(run.err, /\n\s+at /, 'no stack trace');
}

function writeExport(name: string, edit: (state: { deployment: { resources: Record<string, unknown>[] } }) => void): string {
    const state = JSON.parse(readFileSync(EXPORT, 'utf8'));
    edit(state);
    const file = path.join(temp, name);
    writeFileSync(file, JSON.stringify(state));
    return file;
}

describe('help at every level exits 0', () => {
    for (const argv of [['--home', '/x', '--help'], ['policy', '--help'], ['account', '--help'], ['policy', 'group', '--help'], ['violations', 'triage', '--help']]) {
        it(argv.join(' '), async () => {
            const run = await cli(...argv);
            assert.equal(run.code, EXIT_OK, run.err);
            assert.match(run.out, /policy-insights/);
        });
    }
});

describe('bad input is refused with what is wrong, exit 2', () => {
    it("--home ''", () => refused(/--home needs a folder; it was given ''/, 'policy', 'ls', '--home', ''));
    it('--regions zz-fake-9', () => refused(/"zz-fake-9" is not an AWS region name/, 'account', 'add', 'a', '--provider', 'aws', '--regions', 'zz-fake-9'));
    it('--until before --since', () => refused(/--until 2026-01-01 is before --since 2026-02-01/, 'violations', '--since', '2026-02-01', '--until', '2026-01-01'));
    it('--since that is no date', () => refused(/--since "yesterday" is not a date/, 'violations', '--since', 'yesterday'));
    it("--severity ''", () => refused(/--severity needs a value/, 'violations', '--severity', ''));
    it("--assign ''", () => refused(/--assign needs a user/, 'violations', 'triage', 'v1', '--assign', ''));
    it('a 100 KB assignee', () => refused(/--assign is 102400 characters long; an assignee has at most 256/, 'violations', 'triage', 'v1', '--assign', 'x'.repeat(102_400)));
    it('suppress --until +099999-01-01', () => refused(/--until "\+099999-01-01" is not a date/, 'violations', 'suppress', 'v1', '--reason', 'r', '--until', '+099999-01-01'));
    it('--concurrency -1', () => refused(/--concurrency must be a whole number of at least 1/, 'account', 'scan', 'a', '--concurrency=-1'));
    it('policy publish /nonexistent', () => refused(/\/nonexistent is not a policy pack: it has no PulumiPolicy\.yaml/, 'policy', 'publish', '/nonexistent'));

    it('duplicate URNs in an export', () => {
        // a copy of a live resource (the fixture's last one is pending deletion, which may repeat its URN)
        const file = writeExport('duplicate.json', (s) => s.deployment.resources.push({ ...s.deployment.resources.find((r) => r.delete !== true)! }));
        return refused(/resources\[\d+\] repeats the URN of resources\[\d+\]/, 'account', 'add', 'dup', '--provider', 'pulumi-stack', '--state', file);
    });

    it('a copy pending deletion is no duplicate (a create-before-delete replacement keeps the URN twice)', async () => {
        const file = writeExport('replacing.json', (s) => s.deployment.resources.push({ ...s.deployment.resources.at(-1)!, delete: true }));
        const added = await cli('account', 'add', 'replacing', '--provider', 'pulumi-stack', '--state', file, '--home', path.join(temp, 'home-replacing'));
        assert.equal(added.code, 0, added.err);
    });

    it('outputs: [1,2,3]', () => {
        const file = writeExport('outputs.json', (s) => void (s.deployment.resources.at(-1)!.outputs = [1, 2, 3]));
        return refused(/resources\[\d+\]\.outputs is an array, not an object/, 'account', 'add', 'outs', '--provider', 'pulumi-stack', '--state', file);
    });

    it('an export nested deeper than the limit, at account add', () => {
        const deep = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
        const file = writeExport('deep.json', (s) => void (s.deployment.resources.at(-1)!.outputs = { deep: 'DEEP' }));
        writeFileSync(file, readFileSync(file, 'utf8').replace('"DEEP"', deep));
        return refused(new RegExp(`nests values more than ${STATE_MAX_DEPTH} levels deep`), 'account', 'add', 'deep', '--provider', 'pulumi-stack', '--state', file);
    });

    it('a gzip bomb, at account add', () => {
        // ~260 KB of gzip that inflates past the limit: refused while decompressing, not after
        const file = path.join(temp, 'bomb.json.gz');
        writeFileSync(file, gzipSync(Buffer.alloc(STATE_MAX_BYTES + 1024, 0x20), { level: 9 }));
        return refused(/bomb\.json\.gz is larger than 256 MiB once decompressed/, 'account', 'add', 'bomb', '--provider', 'pulumi-stack', '--state', file);
    });

    it('changed nothing', async () => {
        const run = await cli('account', 'ls', '--json', '--home', home);
        assert.equal(run.code, EXIT_OK, run.err);
        assert.deepEqual(JSON.parse(run.out), []);
    });
});
