/**
 * The compact violation index: built shard by shard from the violations files the store
 * writes, holding ids and facets only; a page's details are read back from the shard's file
 * at the byte ranges indexed (or through the store when the file changed since), and a
 * change to one shard re-reads that shard alone.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Violation } from '../../../server/src/shared/model';
import { SCHEMA_VERSION, Store } from '../../../server/src/store';
import { DETAIL_BATCH, ViolationQueryService } from '../../../server/src/violations';
import { readShardViolations, readViolationsAt, violationRanges } from '../../../server/src/store/violationIndex/shardViolationsFile';
import { syntheticViolations } from '../../support/syntheticViolations';
import { violationsJsonParts, violationsToJson } from '../../../server/src/violations/export/json';

const NOW = new Date('2026-11-28T12:00:00Z');

describe('violationRanges', () => {
    it('finds each element of the top-level violations array, whatever its strings hold', () => {
        const tricky: object[] = [
            { id: 'a', message: 'braces } ] { [ and "quotes" and \\ backslashes', nested: { list: [1, { deep: '}' }] } },
            { id: 'b', message: 'ünïcödé ✓ 🚀 and a "violations":[ lookalike' },
            { id: 'c', n: -1.5e3, t: true, f: false, z: null },
        ];
        for (const text of [
            JSON.stringify({ schemaVersion: SCHEMA_VERSION, account: 'a', violations: tricky, scans: [{ violations: [] }] }),
            JSON.stringify({ scans: [{ note: '"violations":[{' }], violations: tricky, schemaVersion: SCHEMA_VERSION }, null, 2),
        ]) {
            const buf = Buffer.from(text);
            const ranges = violationRanges(buf)!;
            assert.equal(ranges.schemaVersion, SCHEMA_VERSION);
            assert.deepEqual(
                ranges.starts.map((start, k) => JSON.parse(buf.toString('utf8', start, ranges.ends[k]))),
                tricky,
            );
        }
        assert.deepEqual(violationRanges(Buffer.from('{"schemaVersion":2,"violations":[]}'))!.starts, []);
        assert.equal(violationRanges(Buffer.from('{"schemaVersion":1,"resources":[]}')), undefined, 'no violations array');
        assert.throws(() => violationRanges(Buffer.from('{"violations":[{"id":"a"')), SyntaxError);
    });
});

describe('the compact violation index over a real store', () => {
    let home: string;
    let store: Store;
    const { violations } = syntheticViolations(400, { seed: 5, now: NOW });
    const accounts = [...new Set(violations.map((v) => v.entityId))].sort();

    before(async () => {
        home = await mkdtemp(join(tmpdir(), 'pi-violation-index-'));
        store = await Store.open({ home });
        for (const account of accounts) {
            await store.updateShard(account, (shard) => {
                shard.violations.push(...violations.filter((v) => v.entityId === account));
            });
        }
    });
    after(async () => {
        await store.close();
        await rm(home, { recursive: true, force: true });
    });

    it('reads a shard file the store wrote into the violations readShard serves, with ranges that read each back', async () => {
        const account = accounts[0];
        const path = store.shardViolationsPath(account);
        const seen: Violation[] = [];
        const read = (await readShardViolations(path, (v) => seen.push(v)))!;
        assert.deepEqual(seen, (await store.readShard(account)).violations);
        assert.equal(read.count, seen.length);
        const picked = [3, 0, read.count - 1];
        const again = await readViolationsAt(
            path,
            read.versionKey,
            picked.map((k) => read.starts[k]),
            picked.map((k) => read.lengths[k]),
        );
        assert.deepEqual(again, picked.map((k) => seen[k]));
        // Once the file is replaced, the ranges are not trusted.
        await store.updateShardViolations(account, (shard) => void shard.violations.reverse());
        assert.equal(await readViolationsAt(path, read.versionKey, [read.starts[0]], [read.lengths[0]]), undefined);
        await store.updateShardViolations(account, (shard) => void shard.violations.reverse());
    });

    it('defers to the store for a file it cannot vouch for', async () => {
        const scratch = await mkdtemp(join(tmpdir(), 'pi-violation-index-file-'));
        const file = join(scratch, 'x@violations.json');
        const good = violations[0];
        await writeFile(file, JSON.stringify({ schemaVersion: SCHEMA_VERSION, account: 'x', violations: [good, { ...good, id: 7 }], scans: [] }));
        assert.equal(await readShardViolations(file, () => undefined), undefined, 'an item the store would quarantine');
        await writeFile(file, JSON.stringify({ schemaVersion: 1, account: 'x', violations: [good], scans: [] }));
        assert.equal(await readShardViolations(file, () => undefined), undefined, 'an older version the store migrates');
        await writeFile(file, '{"schemaVersion":2,"violations":[{"id"');
        assert.equal(await readShardViolations(file, () => undefined), undefined, 'a damaged file');
        assert.equal(await readShardViolations(join(scratch, 'missing.json'), () => undefined), undefined);
        await rm(scratch, { recursive: true, force: true });
    });

    it("reads a page's details from the shards when asked, so a change the index has not seen shows in the rows", async () => {
        const queries = new ViolationQueryService(store);
        try {
            const first = (await queries.panel({ filter: {}, offset: 0, limit: 5 }, NOW)).rows;
            const target = first[0];
            // Another process (its own Store, so no change event reaches this one) rewrites the message.
            const other = await Store.open({ home });
            await other.updateShardViolations(target.entityId, (shard) => {
                shard.violations.find((v) => v.id === target.id)!.message = 'rewritten elsewhere';
            });
            const again = (await queries.panel({ filter: {}, offset: 0, limit: 5 }, NOW)).rows;
            assert.deepEqual(
                again.map((r) => r.id),
                first.map((r) => r.id),
            );
            assert.equal(again[0].message, 'rewritten elsewhere', 'the row was read from the shard, not kept in memory');
            // A violation removed since the index was built is left out of the page, not an error.
            await other.updateShardViolations(target.entityId, (shard) => {
                shard.violations = shard.violations.filter((v) => v.id !== target.id);
            });
            const page = (await queries.panel({ filter: {}, offset: 0, limit: 5 }, NOW)).rows;
            assert.deepEqual(
                page.map((r) => r.id),
                first.slice(1).map((r) => r.id),
            );
            await other.close();
        } finally {
            queries.dispose();
        }
    });

    it('re-reads only the shard that changed, and answers as an index built from scratch', async () => {
        const reads: string[] = [];
        const queries = new ViolationQueryService(store, { onShardRead: (account) => reads.push(account) });
        try {
            await queries.list({ limit: 0 }, NOW);
            assert.deepEqual(reads.sort(), accounts);
            reads.length = 0;
            await queries.panel({ filter: {}, offset: 0, limit: 10 }, NOW);
            assert.deepEqual(reads, [], 'no change, no read');

            const changed = accounts[1];
            await store.updateShardViolations(changed, (shard) => {
                for (const v of shard.violations) if (v.status === 'open') v.status = 'fixed';
                shard.violations.push({ ...shard.violations[0], id: 'added-1', policyPack: 'brand-new-pack', status: 'open', suppression: undefined });
            });
            const after = await queries.panel({ filter: {}, offset: 0, limit: 1000 }, NOW);
            assert.deepEqual(reads, [changed]);

            const fresh = new ViolationQueryService(store);
            const expected = await fresh.panel({ filter: {}, offset: 0, limit: 1000 }, NOW);
            fresh.dispose();
            assert.deepEqual({ ...after, elapsedMs: 0 }, { ...expected, elapsedMs: 0 });
            assert.ok(after.aggregates!.facets.policyPacks.values.some((f) => f.value === 'brand-new-pack'));
        } finally {
            queries.dispose();
        }
    });

    it('streams a listing in batches, in order, without reading every violation at once', async () => {
        const queries = new ViolationQueryService(store);
        try {
            const filter = { statuses: ['open' as const, 'in_progress' as const, 'by_design' as const, 'ignored' as const, 'fixed' as const], includeSuppressed: true };
            const all = await queries.list({ filter }, NOW);
            const batches: Violation[][] = [];
            let told: { total: number; count: number } | undefined;
            const counts = await queries.stream({ filter }, { begin: (c) => void (told = c), batch: (batch) => void batches.push(batch) }, NOW);
            assert.deepEqual(told, { total: all.total, count: all.violations.length }, 'told before the first batch');
            assert.deepEqual(counts, told);
            assert.deepEqual(batches.flat(), all.violations);
            assert.ok(batches.length >= 1 && batches.every((b) => b.length <= DETAIL_BATCH));
            const limited: Violation[] = [];
            assert.deepEqual(await queries.stream({ filter, offset: 3, limit: 7 }, { batch: (b) => void limited.push(...b) }, NOW), { total: all.total, count: 7 });
            assert.deepEqual(limited, all.violations.slice(3, 10));
        } finally {
            queries.dispose();
        }
    });
});

describe('the JSON export in parts', () => {
    it('concatenates to the document violationsToJson writes, whatever the batches', () => {
        const list = syntheticViolations(5, { seed: 2, now: NOW }).violations;
        for (const [count, batches] of [
            [0, []],
            [1, [[0]]],
            [5, [[0, 1], [2], [3, 4]]],
        ] as const) {
            const rows = list.slice(0, count);
            const parts = violationsJsonParts(NOW, count, 9);
            const text = parts.head + batches.map((batch) => parts.items(batch.map((k) => rows[k]))).join(parts.separator) + parts.tail;
            assert.equal(text, violationsToJson(rows, NOW, 9), `${count} violations`);
        }
    });
});

describe('readShardViolations on a file written by hand', () => {
    it('keeps byte ranges right across multi-byte characters', async () => {
        const scratch = await mkdtemp(join(tmpdir(), 'pi-violation-index-utf8-'));
        const file = join(scratch, 'x@violations.json');
        const [a, b] = syntheticViolations(2, { seed: 1, now: NOW }).violations;
        await writeFile(file, JSON.stringify({ schemaVersion: SCHEMA_VERSION, account: 'x', violations: [{ ...a, message: 'café ✓ 🚀' }, b], scans: [] }));
        const read = (await readShardViolations(file, () => undefined))!;
        const text = await readFile(file);
        assert.equal(JSON.parse(text.toString('utf8', read.starts[1], read.starts[1] + read.lengths[1])).id, b.id);
        assert.deepEqual(await readViolationsAt(file, read.versionKey, [read.starts[1], read.starts[0]], [read.lengths[1], read.lengths[0]]), [b, { ...a, message: 'café ✓ 🚀' }]);
        await rm(scratch, { recursive: true, force: true });
    });
});
