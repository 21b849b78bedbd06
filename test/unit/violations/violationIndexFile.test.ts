/**
 * The violation index persisted beside each violations file (`<enc>@violations.idx`): loaded
 * instead of parsing the shard's JSON while it describes the file as it is, rebuilt from the
 * JSON (and written again) when it is missing, stale, damaged or of another format, written
 * by the store after each write of a violations file and removed with the shard.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Violation } from '../../../server/src/shared/model';
import { SCHEMA_VERSION, Store } from '../../../server/src/store';
import { currentVersionKey } from '../../../server/src/store/atomicFile';
import { ViolationQueryService } from '../../../server/src/violations';
import {
    buildShardIndex,
    decodeViolationIndex,
    encodeViolationIndex,
    loadShardIndex,
    onViolationIndexDamaged,
    VIOLATION_INDEX_FORMAT,
    violationIndexPathOf,
    type ShardIndex,
    type ViolationIndexProblem,
} from '../../../server/src/store/violationIndex/violationIndexFile';
import { ColumnsBuilder } from '../../../server/src/store/violationIndex/violationIndexColumns';
import { DEFAULT_SORT, ViolationSnapshot } from '../../../server/src/violations/violationQuerySnapshot';
import { syntheticViolations } from '../../support/syntheticViolations';

const NOW = new Date('2026-11-28T12:00:00Z');

function buildColumns(list: readonly Violation[]) {
    const builder = new ColumnsBuilder();
    for (const v of list) builder.add(v);
    return builder.finish();
}

/** The index as plain data, for deepEqual (typed arrays compare by content). */
function plain(index: ShardIndex | undefined) {
    assert.ok(index, 'an index');
    const { columns } = index;
    return {
        versionKey: index.versionKey,
        length: columns.length,
        ids: Array.from({ length: columns.length }, (_, i) => columns.ids.at(i)),
        idKeys: [[...columns.ids.high], [...columns.ids.low]],
        columns: columns.columns.map((c) => ({ table: [...c.table], ordinals: [...c.ordinals], hashes: [...c.hashes] })),
        times: columns.times.map((t) => [...t]),
        starts: [...index.starts],
        lengths: [...index.lengths],
    };
}

/** The index file of `path` as it is on disk, decoded against the violations file's current version. */
async function onDisk(path: string): Promise<ShardIndex | 'stale'> {
    return decodeViolationIndex(await readFile(violationIndexPathOf(path)), (await currentVersionKey(path))!);
}

describe('the persisted violation index', () => {
    let home: string;
    let store: Store;
    const { violations } = syntheticViolations(300, { seed: 11, now: NOW });
    const accounts = [...new Set(violations.map((v) => v.entityId))].sort();
    const damaged: ViolationIndexProblem[] = [];
    const subscription = onViolationIndexDamaged((p) => damaged.push(p));

    before(async () => {
        home = await mkdtemp(join(tmpdir(), 'pi-violation-index-file-'));
        store = await Store.open({ home });
        for (const account of accounts) {
            await store.updateShard(account, (shard) => {
                shard.violations.push(...violations.filter((v) => v.entityId === account));
            });
        }
    });
    after(async () => {
        subscription.dispose();
        await store.close();
        await rm(home, { recursive: true, force: true });
    });

    it('is written by the store with each violations file, and loads equal to an index built from the JSON', async () => {
        for (const account of accounts) {
            const path = store.shardViolationsPath(account);
            const written = await onDisk(path);
            assert.notEqual(written, 'stale', `${account}: the index describes the file written last`);
            assert.deepEqual(plain(written as ShardIndex), plain(await buildShardIndex(path)));
        }
        // and a later write (an evaluation's, through updateShardViolations) writes it again
        const account = accounts[0];
        await store.updateShardViolations(account, (shard) => void (shard.violations[0].message = 'changed since'));
        const path = store.shardViolationsPath(account);
        const again = await onDisk(path);
        assert.notEqual(again, 'stale');
        assert.deepEqual(plain(again as ShardIndex), plain(await buildShardIndex(path)));
        assert.ok((again as ShardIndex).columns.columns.some((c) => c.table.includes('changed since')));
    });

    it('round-trips any text: multi-byte characters, lone surrogates, empty strings, no rows', () => {
        const base = violations[0];
        const odd = [
            { ...base, id: 'a', message: 'café ✓ 🚀', resourceName: '' },
            { ...base, id: 'b', message: 'lone \ud800 surrogate', resourceName: 'x\udc00y' },
            { ...base, id: 'c', assignedTo: undefined, resolvedAt: undefined },
        ];
        for (const list of [odd, []]) {
            const index: ShardIndex = {
                versionKey: '1:2:3',
                columns: buildColumns(list),
                starts: Float64Array.from(list, (_, k) => k * 1000),
                lengths: Int32Array.from(list, (_, k) => k + 7),
            };
            const decoded = decodeViolationIndex(encodeViolationIndex(index), '1:2:3');
            assert.notEqual(decoded, 'stale');
            assert.deepEqual(plain(decoded as ShardIndex), plain(index));
            assert.equal(decodeViolationIndex(encodeViolationIndex(index), '1:2:4'), 'stale', 'another version of the file');
        }
    });

    it('is rebuilt from the JSON, with the same answers, when stale, damaged, truncated or of another format', async () => {
        const account = accounts[1];
        const path = store.shardViolationsPath(account);
        const idx = violationIndexPathOf(path);
        const fresh = plain(await buildShardIndex(path));
        const queries = () => new ViolationQueryService(store);
        const answer = async () => {
            const q = queries();
            try {
                return { ...(await q.panel({ filter: {}, offset: 0, limit: 1000 }, NOW)), elapsedMs: 0 };
            } finally {
                q.dispose();
            }
        };
        const expected = await answer();
        const good = await readFile(idx);

        const cases: { name: string; spoil: () => Promise<void>; reported: boolean }[] = [
            { name: 'missing', spoil: () => rm(idx), reported: false },
            {
                name: 'stale (the violations file rewritten by hand, its index left as it was)',
                spoil: async () => {
                    await writeFile(path, await readFile(path));
                    await writeFile(idx, good);
                },
                reported: false,
            },
            { name: 'truncated', spoil: () => truncate(idx, Math.floor(good.length / 2)), reported: true },
            {
                name: 'a flipped byte',
                spoil: async () => {
                    const bad = Buffer.from(good);
                    bad[bad.length - 3] ^= 0x20;
                    await writeFile(idx, bad);
                },
                reported: true,
            },
            { name: 'not an index file', spoil: () => writeFile(idx, '{"violations":[]}'), reported: true },
            {
                name: 'another format version',
                spoil: async () => {
                    const other = Buffer.from(good);
                    other.writeUInt32LE(VIOLATION_INDEX_FORMAT + 1, 4);
                    await writeFile(idx, other);
                },
                reported: false,
            },
        ];
        for (const { name, spoil, reported } of cases) {
            // the index as the store left it describes the file: spoil it
            await writeFile(idx, good);
            await spoil();
            damaged.length = 0;
            const loaded = plain(await loadShardIndex(path));
            assert.deepEqual({ ...loaded, versionKey: '' }, { ...fresh, versionKey: '' }, `${name}: rebuilt from the JSON`);
            assert.equal(loaded.versionKey, await currentVersionKey(path), name);
            assert.deepEqual(
                damaged.map((p) => p.file),
                reported ? [idx] : [],
                `${name}: ${reported ? 'a damaged index is reported' : 'nothing to report'}`,
            );
            const rewritten = await onDisk(path);
            assert.notEqual(rewritten, 'stale', `${name}: a fresh index file was written`);
            assert.deepEqual(plain(rewritten as ShardIndex), loaded);
            // and the queries answer as before
            await writeFile(idx, good);
            await spoil();
            assert.deepEqual(await answer(), expected, `${name}: the same answers`);
        }
    });

    it('answers every query as an index built from the JSON: facets, search, sorts, groups, details', async () => {
        const queries = [
            { filter: {}, offset: 0, limit: 50 },
            { filter: { search: 'bucket' }, offset: 0, limit: 50 },
            { filter: { resourceContains: 'a' }, offset: 0, limit: 20 },
            { filter: { resources: [violations[7].resourceURN] }, offset: 0, limit: 20 },
            { filter: {}, sort: { column: 'message', direction: 'asc' }, offset: 0, limit: 30 },
            { filter: {}, sort: { column: 'resource', direction: 'desc' }, offset: 10, limit: 30 },
            { filter: {}, groupBy: 'policy', offset: 0, limit: 30 },
        ] as const;
        const answers = async () => {
            const service = new ViolationQueryService(store);
            try {
                const out = [];
                for (const q of queries) out.push({ ...(await service.panel(structuredClone(q) as Parameters<typeof service.panel>[0], NOW)), elapsedMs: 0 });
                return out;
            } finally {
                service.dispose();
            }
        };
        const fromFiles = await answers();
        for (const account of accounts) await rm(violationIndexPathOf(store.shardViolationsPath(account)), { force: true });
        const fromJson = await answers();
        assert.deepEqual(fromFiles, fromJson);
        assert.ok(fromFiles[0].aggregates!.facets.resources.values.some((f) => f.label !== undefined), 'resource facets carry their names');
    });

    it("prepares the search's texts after the panel's first answer in the server, not in the CLI", async () => {
        const prepared: ViolationSnapshot[] = [];
        let done!: () => void;
        const whenPrepared = new Promise<void>((resolve) => (done = resolve));
        const server = new ViolationQueryService(store, { prepareSearch: { afterMs: 0, onPrepared: (snapshot) => (prepared.push(snapshot), done()) } });
        const cli = new ViolationQueryService(store);
        try {
            const page = { filter: {}, offset: 0, limit: 20 };
            await cli.panel(page, NOW);
            await server.panel(page, NOW);
            // the service's timer does not keep a process alive (the server's connection does): this one does, for a while
            const alive = setTimeout(() => undefined, 5000);
            await whenPrepared;
            clearTimeout(alive);
            assert.equal(prepared.length, 1);
            assert.ok(prepared[0].searchPrepared);
            // the same answer to a search as a service that made its texts when searching
            const search = { filter: { search: 'bucket' }, offset: 0, limit: 50 };
            assert.deepEqual({ ...(await server.panel(search, NOW)), elapsedMs: 0 }, { ...(await cli.panel(search, NOW)), elapsedMs: 0 });
            await new Promise((resolve) => setTimeout(resolve, 10));
            assert.equal(prepared.length, 1, 'a snapshot is prepared once');
        } finally {
            server.dispose();
            cli.dispose();
        }
    });

    it('is loaded, not rebuilt, while it describes the file', async () => {
        const path = store.shardViolationsPath(accounts[2]);
        const idx = violationIndexPathOf(path);
        const before = await stat(idx, { bigint: true });
        assert.deepEqual(plain(await loadShardIndex(path)), plain(await buildShardIndex(path)));
        const afterLoad = await stat(idx, { bigint: true });
        assert.equal(afterLoad.ino, before.ino, 'the index file was not written again');
        assert.equal(afterLoad.mtimeNs, before.mtimeNs);
    });

    it('goes with the shard when the account is removed', async () => {
        const account = accounts[accounts.length - 1];
        const idx = violationIndexPathOf(store.shardViolationsPath(account));
        assert.ok((await readdir(join(home, 'shards'))).some((name) => join(home, 'shards', name) === idx));
        await store.removeShard(account);
        const left = await readdir(join(home, 'shards'));
        assert.ok(!left.some((name) => name.startsWith(`${encodeURIComponent(account)}@`)), `left: ${left.join(', ')}`);
        assert.ok(!(await store.listShards()).includes(account));
    });

    it('is not mistaken for a shard by the store: listed accounts are the same with and without index files', async () => {
        const listed = await store.listShards();
        assert.ok(listed.length > 0);
        await writeFile(join(home, 'shards', 'stray@violations.idx'), 'x');
        assert.deepEqual(await store.listShards(), listed);
        await rm(join(home, 'shards', 'stray@violations.idx'));
    });
});

describe('ids in the default order', () => {
    it('order as their texts under `<`, whatever they hold: numeric keys first, the texts where the keys tie', () => {
        const [base] = syntheticViolations(1, { seed: 3, now: NOW }).violations;
        const ids = ['b', 'a', 'ab', 'a\u00e9', 'a\u00e8z', 'a\u00e8y', 'aaaaaaaaaaaaaaaz', 'aaaaaaaaaaaaaaay', 'aaaaaaaaaaaaaa', '\u{1F600}', '\u007f1', '\u007f0', 'Z', '0', ''];
        const snapshot = ViolationSnapshot.of(ids.map((id) => ({ ...base, id })));
        const order = snapshot.order(DEFAULT_SORT, 'none');
        assert.deepEqual(
            Array.from(order, (i) => ids[i]),
            [...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
        );
    });
});

describe('the index of a file the store would not vouch for', () => {
    it('is not written: the store reads such a shard', async () => {
        const scratch = await mkdtemp(join(tmpdir(), 'pi-violation-index-old-'));
        const file = join(scratch, 'x@violations.json');
        const [good] = syntheticViolations(1, { seed: 2, now: NOW }).violations;
        await writeFile(file, JSON.stringify({ schemaVersion: SCHEMA_VERSION - 1, account: 'x', violations: [good], scans: [] }));
        assert.equal(await loadShardIndex(file), undefined, 'an older version the store migrates: read through the store');
        await assert.rejects(readFile(violationIndexPathOf(file)), /ENOENT/);
        await rm(scratch, { recursive: true, force: true });
    });
});
