import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, readdir, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { Store, defaultCatalog, describeRecovery, type RecoveryReport, type StoreChange } from '../../../server/src/store';
import { makeTempDir } from './storeTestSupport';

let home: string;
let cleanup: () => Promise<void>;
const opened: Store[] = [];

async function open(): Promise<Store> {
    const store = await Store.open({ home });
    opened.push(store);
    return store;
}

beforeEach(async () => {
    const temp = await makeTempDir();
    home = temp.dir;
    cleanup = temp.cleanup;
});
afterEach(async () => {
    for (const store of opened.splice(0)) await store.close();
    await cleanup();
});

describe('recovery of damaged files', () => {
    it('restores a truncated catalog from its .bak, keeping the damaged file aside', async () => {
        const first = await open();
        await first.updateCatalog((catalog) => void (catalog.lastVersion.pack = 1));
        await first.updateCatalog((catalog) => void (catalog.lastVersion.pack = 2));
        const size = (await stat(first.catalogPath)).size;
        await truncate(first.catalogPath, Math.floor(size / 2));
        const damaged = await readFile(first.catalogPath, 'utf8');

        const store = await open();
        assert.equal(store.recoveries.length, 1);
        const [report] = store.recoveries as [RecoveryReport];
        assert.equal(report.file, store.catalogPath);
        assert.equal(report.restoredFrom, `${store.catalogPath}.bak`);
        assert.match(report.movedTo!, /catalog\.json\.corrupt-\d{4}-\d\d-\d\dT/);
        assert.match(report.reason, /not valid JSON/);
        assert.equal(await readFile(report.movedTo!, 'utf8'), damaged, 'the damaged content is kept');
        assert.equal((await store.readCatalog()).lastVersion.pack, 1, 'the backup (the content before the last write) is restored');
        assert.equal(JSON.parse(await readFile(store.catalogPath, 'utf8')).lastVersion.pack, 1, 'the restored content is on disk');

        // the next write works and the restored content becomes the backup
        await store.updateCatalog((catalog) => void (catalog.lastVersion.pack = 3));
        assert.equal(JSON.parse(await readFile(`${store.catalogPath}.bak`, 'utf8')).lastVersion.pack, 1);
        assert.ok(existsSync(report.movedTo!));
    });

    it('reports garbage without a backup, keeps the file, and opens empty', async () => {
        const catalogPath = join(home, 'catalog.json');
        await writeFile(catalogPath, 'this is not json {');
        const store = await open();
        const heard: RecoveryReport[] = [];
        store.onRecovered((report) => heard.push(report)); // subscribed after open: still told
        assert.equal(heard.length, 1);
        assert.deepEqual(heard, store.recoveries);
        assert.equal(heard[0]!.restoredFrom, null);
        assert.match(heard[0]!.reason, /no backup/);
        assert.equal(await readFile(heard[0]!.movedTo!, 'utf8'), 'this is not json {');
        assert.deepEqual(await store.readCatalog(), defaultCatalog());
        assert.ok((await readdir(home)).some((name) => name.startsWith('catalog.json.corrupt-')));
    });

    it('recovers an empty shard file when it is read, telling listeners', async () => {
        const store = await open();
        await store.updateShard('demo/us-east-1', (shard) => void shard.scans.push({ startedAt: 'a', status: 'succeeded', added: 1, changed: 0, removed: 0, unchanged: 0, errors: [] }));
        await store.updateShard('demo/us-east-1', (shard) => void shard.scans.push({ startedAt: 'b', status: 'succeeded', added: 1, changed: 0, removed: 0, unchanged: 0, errors: [] }));
        // the scans are in the shard's violations file
        await writeFile(store.shardViolationsPath('demo/us-east-1'), '');
        const heard: RecoveryReport[] = [];
        const changes: StoreChange[] = [];
        store.onRecovered((report) => heard.push(report));
        store.onDidChange((change) => changes.push(change));

        const shard = await store.readShard('demo/us-east-1');
        assert.deepEqual(shard.scans.map((scan) => scan.startedAt), ['a']);
        assert.equal(heard.length, 1);
        assert.equal(heard[0]!.file, store.shardViolationsPath('demo/us-east-1'));
        assert.equal(heard[0]!.reason, 'the file is empty');
        assert.equal(heard[0]!.restoredFrom, `${store.shardViolationsPath('demo/us-east-1')}.bak`);
        assert.equal(await readFile(heard[0]!.movedTo!, 'utf8'), '', 'the damaged copy is kept');
        assert.deepEqual(changes, [{ kind: 'shard', account: 'demo/us-east-1' }]);
        // reported once, not on every read
        await store.readShard('demo/us-east-1');
        assert.equal(store.recoveries.length, 1);
    });

    it('recovers inside an update too, and then applies the update', async () => {
        const store = await open();
        await store.updateShard('s', (shard) => void (shard.resources = []));
        await store.updateShard('s', (shard) => void shard.resources.push({ account: 's', urn: 'u', type: 't', name: 'n', properties: {}, hash: 'h' }));
        await writeFile(store.shardPath('s'), '{"schemaVersion":1,"account":"s","resou');
        await store.updateShard('s', (shard) => void shard.resources.push({ account: 's', urn: 'v', type: 't', name: 'n', properties: {}, hash: 'h' }));
        assert.deepEqual((await store.readShard('s')).resources.map((r) => r.urn), ['v']);
        assert.equal(store.recoveries.length, 1);
        assert.ok(existsSync(store.recoveries[0]!.movedTo!));
    });

    it('treats a JSON value of the wrong shape as damaged', async () => {
        await writeFile(join(home, 'catalog.json'), JSON.stringify({ schemaVersion: 1, packs: 'oops' }));
        const store = await open();
        assert.equal(store.recoveries.length, 1);
        assert.match(store.recoveries[0]!.reason, /"packs" in the catalog is string, not an array/);
        assert.equal(await readFile(store.recoveries[0]!.movedTo!, 'utf8'), JSON.stringify({ schemaVersion: 1, packs: 'oops' }));
    });

    it('moves a damaged backup aside too instead of restoring from it', async () => {
        const catalogPath = join(home, 'catalog.json');
        await writeFile(catalogPath, '[');
        await writeFile(`${catalogPath}.bak`, '{"truncated":');
        const store = await open();
        const [report] = store.recoveries as [RecoveryReport];
        assert.equal(report.restoredFrom, null);
        assert.match(report.reason, /backup was damaged too/);
        const names = await readdir(home);
        assert.ok(names.some((name) => name.startsWith('catalog.json.corrupt-')), names.join());
        assert.ok(names.some((name) => name.startsWith('catalog.json.bak.corrupt-')), names.join());
        assert.deepEqual(await store.readCatalog(), defaultCatalog());
    });

    it('fills in top-level fields missing from a hand-edited catalog without calling it damaged', async () => {
        await writeFile(join(home, 'catalog.json'), JSON.stringify({ schemaVersion: 1, packs: [], accounts: [] }));
        const store = await open();
        assert.deepEqual(store.recoveries, []);
        assert.deepEqual((await store.readCatalog()).groups, defaultCatalog().groups);
    });

    it('restores a deleted catalog.json from the .bak beside it instead of starting empty, and says so', async () => {
        const first = await open();
        await first.updateCatalog((catalog) => void (catalog.lastVersion.pack = 1));
        await first.updateCatalog((catalog) => void (catalog.lastVersion.pack = 2));
        await rm(first.catalogPath);

        const store = await open();
        const [report] = store.recoveries as [RecoveryReport];
        assert.equal(report.file, store.catalogPath);
        assert.equal(report.movedTo, null, 'there was no file to move aside');
        assert.equal(report.restoredFrom, `${store.catalogPath}.bak`);
        assert.equal((await store.readCatalog()).lastVersion.pack, 1);
        assert.match(describeRecovery(report), /catalog\.json was missing .*restored from .*catalog\.json\.bak/);
    });

    it('reports a shard whose file and backup are both damaged, with both paths, and starts that file empty', async () => {
        const store = await open();
        const account = 'demo/us-east-1';
        await store.updateShard(account, (shard) => void shard.scans.push({ startedAt: 'a', status: 'succeeded', added: 1, changed: 0, removed: 0, unchanged: 0, errors: [] }));
        await store.updateShard(account, (shard) => void shard.scans.push({ startedAt: 'b', status: 'succeeded', added: 1, changed: 0, removed: 0, unchanged: 0, errors: [] }));
        const file = store.shardViolationsPath(account);
        await writeFile(file, '{"schemaVersion":2,');
        await writeFile(`${file}.bak`, 'garbage');
        const fresh = await open();
        const heard: RecoveryReport[] = [];
        fresh.onRecovered((report) => heard.push(report));

        assert.deepEqual((await fresh.readShard(account)).scans, []);
        assert.equal(heard.length, 1);
        assert.equal(heard[0]!.file, file);
        assert.equal(heard[0]!.restoredFrom, null);
        const message = describeRecovery(heard[0]!);
        assert.ok(message.includes(heard[0]!.movedTo!), message);
        assert.match(message, /backup was damaged too .* moved to .*@violations\.json\.bak\.corrupt-/);
        assert.match(message, /starts empty/);
    });

    it('does not resurrect a shard that was removed (its backup goes with it)', async () => {
        const store = await open();
        await store.updateShard('gone', (shard) => void (shard.resources = []));
        await store.updateShard('gone', (shard) => void shard.resources.push({ account: 'gone', urn: 'u', type: 't', name: 'n', properties: {}, hash: 'h' }));
        await store.removeShard('gone');
        assert.deepEqual((await store.readShard('gone')).resources, []);
        assert.deepEqual(store.recoveries, []);
    });

    it("notices when something outside the store's lock undoes this store's write", async () => {
        const store = await open();
        await store.updateCatalog((catalog) => void (catalog.lastVersion.pack = 1));
        await store.updateCatalog((catalog) => void (catalog.lastVersion.pack = 2));
        assert.deepEqual(await store.replacedWrites(), []);
        // another process writing through its own store keeps ours as the .bak: not a lost write
        const other = await open();
        await other.updateCatalog((catalog) => void (catalog.lastVersion.pack = 3));
        assert.deepEqual(await store.replacedWrites(), []);
        // a pack rewriting the file in place: the last locked write is neither the file nor its .bak
        await writeFile(store.catalogPath, JSON.stringify(defaultCatalog()));
        assert.deepEqual(await other.replacedWrites(), [store.catalogPath]);
    });

    it('quarantines stored items of the wrong shape into a file beside the store file, reports them, and keeps the rest', async () => {
        const catalog = defaultCatalog();
        const nameless = { isDefault: false, entityType: 'accounts', mode: 'audit', appliedPolicyPacks: [], accounts: [], stacks: [] };
        const numericAccount = { name: 42, provider: 'aws', settings: {}, children: [], scanSchedule: 'none', createdAt: 'x' };
        await writeFile(join(home, 'catalog.json'), JSON.stringify({ ...catalog, groups: [...catalog.groups, nameless], accounts: [numericAccount] }));
        const store = await open();

        const [report] = store.recoveries as [RecoveryReport];
        assert.equal(report.quarantined, 2);
        assert.match(report.reason, /groups\[1\]\.name is required/);
        assert.match(report.reason, /accounts\[0\]\.name must be string/);
        assert.match(report.movedTo!, /catalog\.json\.quarantine-.*\.json$/);
        const kept = JSON.parse(await readFile(report.movedTo!, 'utf8')) as { where: string; item: unknown }[];
        assert.deepEqual(kept.map((k) => [k.where, k.item]), [['groups[1]', nameless], ['accounts[0]', numericAccount]]);
        assert.match(describeRecovery(report), /2 item\(s\) in .*catalog\.json were not valid/);

        const read = await store.readCatalog();
        assert.deepEqual(read.groups.map((g) => g.name), ['default-policy-group'], 'the bad group never reaches a reader');
        assert.deepEqual(read.accounts, []);
        // written back without them: reported once, not on every open
        const again = await open();
        assert.deepEqual(again.recoveries, []);
    });

    it('quarantines a shard resource of the wrong type and refuses to write one', async () => {
        const store = await open();
        const good = { account: 's', urn: 'u', type: 't', name: 'n', properties: {}, hash: 'h' };
        await store.updateShard('s', (shard) => void shard.resources.push(good));
        const file = store.shardPath('s');
        const onDisk = JSON.parse(await readFile(file, 'utf8'));
        onDisk.resources.push({ ...good, urn: 'v', properties: 'not an object' });
        await writeFile(file, JSON.stringify(onDisk));

        const fresh = await open();
        assert.deepEqual((await fresh.readShard('s')).resources.map((r) => r.urn), ['u']);
        assert.equal(fresh.recoveries[0]?.quarantined, 1);
        assert.match(fresh.recoveries[0]!.reason, /resources\[1\]\.properties must be object/);

        await assert.rejects(
            fresh.updateShard('s', (shard) => void shard.resources.push({ ...good, urn: 7 } as never)),
            /refusing to write .* because resources\[1\]\.urn must be string; nothing was written/,
        );
        assert.deepEqual((await fresh.readShard('s')).resources.map((r) => r.urn), ['u']);
    });
});
