/**
 * A killed CLI must not leave its pack host behind: pack code that spins (here at load, where
 * no policy timeout applies) never sees 'disconnect', so the host's watchdog thread notices
 * the parent is gone and kills it.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { repoRoot, runnerFixture } from './runnerTestEnv';

/** State and parent of a process from /proc (Linux), undefined once it is gone. */
function procStat(pid: number): { state: string; ppid: number } | undefined {
    try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return { state, ppid: Number(ppid) };
    } catch {
        return undefined;
    }
}

function childrenOf(parent: number): number[] {
    return readdirSync('/proc')
        .filter((name) => /^\d+$/.test(name))
        .map(Number)
        .filter((pid) => procStat(pid)?.ppid === parent);
}

/** Gone, or a zombie waiting for a PID 1 that does not reap (containers): either way it no longer runs. */
function running(pid: number): boolean {
    const stat = procStat(pid);
    return stat !== undefined && stat.state !== 'Z';
}

describe('pack hosts of a killed parent (Linux: reads /proc)', () => {
    it('a host spinning in top-level pack code exits within seconds of `kill -9` of the CLI', async () => {
        const cli = join(repoRoot, 'out', 'cli', 'cli.js');
        assert.ok(existsSync(cli), `${cli} is missing: build with \`node esbuild.mjs\``);
        const home = mkdtempSync(join(tmpdir(), 'pi-orphan-'));
        const state = join(repoRoot, 'test', 'fixtures', 'stacks', 'aws-app.dev.export.json');
        const parent = spawn(process.execPath, [cli, 'analyze', '--file', state, '--policy-pack', runnerFixture('hanging-at-load'), '--home', home], { stdio: 'ignore' });
        let host: number | undefined;
        try {
            for (let waited = 0; host === undefined && waited < 30_000; waited += 100) {
                await sleep(100);
                host = childrenOf(parent.pid!).find((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('packHost.js'));
            }
            assert.ok(host, 'the CLI started a pack host');
            await sleep(1000); // the pack is now spinning in its top-level loop
            assert.ok(running(host), 'the host is still loading while its parent lives');
            parent.kill('SIGKILL');
            const killedAt = Date.now();
            while (running(host) && Date.now() - killedAt < 5000) await sleep(50);
            assert.ok(!running(host), `pack host ${host} still runs 5 s after its parent was killed`);
        } finally {
            parent.kill('SIGKILL');
            if (host !== undefined && running(host)) process.kill(host, 'SIGKILL');
            rmSync(home, { recursive: true, force: true });
        }
    });
});
