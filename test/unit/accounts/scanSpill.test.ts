/**
 * ScanSpill: a scan's findings on disk, per task and child (issue 14). Committed tasks' resources
 * come back per child in commit order, a dropped task's never do, and the folder goes with the spill.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ScanSpill, UNOWNED_STALE_MS } from '../../../server/src/accounts/scanSpill';
import type { Resource } from '../../../server/src/shared/model';

function resource(account: string, key: string, properties: Record<string, unknown> = {}): Resource {
    return { account, urn: `urn:pulumi:a::r::aws:s3/bucket:Bucket::${key}`, type: 'aws:s3/bucket:Bucket', name: key, id: key, provider: 'aws', properties, hash: key };
}

const keys = (resources: Resource[]) => resources.map((r) => r.name);

describe('ScanSpill', () => {
    let parent: string;
    before(async () => {
        parent = await mkdtemp(join(tmpdir(), 'pi-spill-test-'));
    });
    after(() => rm(parent, { recursive: true, force: true }));

    it('gives back each child its committed resources, in commit order, each task in the order added', async () => {
        const spill = await ScanSpill.create(parent);
        try {
            const slow = spill.startTask();
            const fast = spill.startTask();
            spill.add(slow, [resource('a/r1', 's1'), resource('a/r2', 's2')]);
            spill.add(fast, [resource('a/r1', 'f1')]);
            spill.add(slow, [resource('a/r1', 's3', { nested: { list: [1, 'two', null], flag: true } })]);
            spill.add(fast, [resource('a/r1', 'f2')]);
            spill.commit(fast);
            spill.commit(slow);
            assert.deepEqual(keys(await spill.read('a/r1')), ['f1', 'f2', 's1', 's3']);
            assert.deepEqual(keys(await spill.read('a/r2')), ['s2']);
            assert.deepEqual(await spill.read('a/r3'), [], 'a child without findings');
            assert.deepEqual((await spill.read('a/r1'))[3]!.properties, { nested: { list: [1, 'two', null], flag: true } }, 'properties round-trip');
        } finally {
            await spill.dispose();
        }
    });

    it("drops a failed task's resources, whatever it handed over before failing", async () => {
        const spill = await ScanSpill.create(parent);
        try {
            const failed = spill.startTask();
            const ok = spill.startTask();
            spill.add(failed, [resource('a/r1', 'page1')]);
            spill.add(ok, [resource('a/r1', 'kept')]);
            spill.drop(failed);
            spill.commit(ok);
            assert.deepEqual(keys(await spill.read('a/r1')), ['kept']);
            assert.throws(() => spill.add(failed, [resource('a/r1', 'late')]), /already committed or dropped/);
        } finally {
            await spill.dispose();
        }
    });

    it('writes resources to disk as they are added, before their task ends', async () => {
        const spill = await ScanSpill.create(parent);
        try {
            const task = spill.startTask();
            spill.add(task, [resource('a/r1', 'x')]);
            const files = await readdir(spill.dir);
            assert.deepEqual(files, ['0-0.jsonl']);
            assert.ok((await stat(join(spill.dir, files[0]!))).size > 0);
        } finally {
            await spill.dispose();
        }
    });

    it('removes its folder when disposed, open tasks included', async () => {
        const spill = await ScanSpill.create(parent);
        const task = spill.startTask();
        spill.add(task, [resource('a/r1', 'x')]);
        await spill.dispose();
        assert.equal(existsSync(spill.dir), false);
    });

    it('says where and what to do when its folder cannot be made', async () => {
        const where = join(parent, 'no-such-folder', 'deeper');
        await assert.rejects(ScanSpill.create(where), (e: Error) => e.message.includes(where) && /TMPDIR/.test(e.message));
    });

    it('reports a failed write when the findings are read, naming the file', async () => {
        const spill = await ScanSpill.create(parent);
        try {
            await rm(spill.dir, { recursive: true });
            const task = spill.startTask();
            spill.add(task, [resource('a/r1', 'x')]);
            spill.commit(task);
            await assert.rejects(spill.read('a/r1'), (e: Error) => e.message.includes(spill.dir) && /free disk space/.test(e.message));
        } finally {
            await spill.dispose();
        }
    });

    describe('folders left by scans that crashed', () => {
        /** A folder of findings as a scan of process `owner` leaves it (no pid: as made before folders were named for their process). */
        async function leftover(where: string, owner: number | undefined, suffix: string): Promise<string> {
            const dir = join(where, owner === undefined ? `policy-insights-scan-${suffix}` : `policy-insights-scan-${owner}-${suffix}`);
            await mkdir(dir);
            await writeFile(join(dir, '0-0.jsonl'), `${JSON.stringify(resource('a/r1', 'x'))}\n`);
            return dir;
        }
        /** The pid of a process that ran and exited. */
        function exitedPid(): number {
            const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
            return Number(child.stdout);
        }

        it("removes a folder whose process is gone when a scan starts, says so, and keeps a live process's", async () => {
            const where = await mkdtemp(join(parent, 'stale-'));
            const crashed = await leftover(where, exitedPid(), 'aB3dE9');
            const ours = await leftover(where, process.pid, 'xY7zQ1');
            // another process scanning now (a VS Code window, the CLI)
            const scanner = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
            const theirs = await leftover(where, scanner.pid!, 'Lm4nOp');
            const logged: string[] = [];
            const spill = await ScanSpill.create(where, (message) => logged.push(message)).finally(() => scanner.kill());
            await once(scanner, 'exit');
            try {
                assert.equal(existsSync(crashed), false, "the crashed scan's folder is gone");
                assert.equal(existsSync(ours), true, "a folder of this process (another scan of it) is kept");
                assert.equal(existsSync(theirs), true, "a folder of another running process is kept");
                assert.equal(existsSync(spill.dir), true);
                assert.match(spill.dir, new RegExp(`policy-insights-scan-${process.pid}-`), 'the new folder names its process');
                assert.equal(logged.length, 1, logged.join('\n'));
                assert.ok(logged[0]!.includes(crashed) && /process is gone/.test(logged[0]!), logged[0]);
            } finally {
                await spill.dispose();
            }
            // the other process has ended since: the next scan removes its folder, and only that
            const again: string[] = [];
            await (await ScanSpill.create(where, (message) => again.push(message))).dispose();
            assert.equal(existsSync(theirs), false);
            assert.equal(again.length, 1);
            assert.ok(again[0]!.includes(theirs) && !again[0]!.includes(ours), again[0]);
        });

        it('removes a folder made before folders named their process only when untouched for a day', async () => {
            const where = await mkdtemp(join(parent, 'unowned-'));
            const old = await leftover(where, undefined, 'Qw3rTy');
            const recent = await leftover(where, undefined, 'As5dFg');
            const dayAgo = new Date(Date.now() - UNOWNED_STALE_MS - 60_000);
            await utimes(old, dayAgo, dayAgo);
            await (await ScanSpill.create(where)).dispose();
            assert.equal(existsSync(old), false);
            assert.equal(existsSync(recent), true, 'it may belong to a scan running now');
        });
    });
});
