/**
 * ScanSpill: a scan's findings on disk, per task and child (issue 14). Committed tasks' resources
 * come back per child in commit order, a dropped task's never do, and the folder goes with the spill.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ScanSpill } from '../../../server/src/accounts/scanSpill';
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
});
