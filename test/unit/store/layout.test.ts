import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { SCHEMA_VERSION, Store, StoreError, defaultCatalog, resolveHome, type StoreChange } from '../../../server/src/store';
import { makeTempDir } from './storeTestSupport';

let home: string;
let cleanup: () => Promise<void>;
let store: Store | undefined;

beforeEach(async () => {
    const temp = await makeTempDir();
    home = join(temp.dir, 'home');
    cleanup = temp.cleanup;
});
afterEach(async () => {
    await store?.close();
    store = undefined;
    await cleanup();
});

describe('store layout', () => {
    it('creates the home with catalog.json, shards/<encoded account>.json and artifacts/', async () => {
        store = await Store.open({ home });
        assert.equal(store.home, home);
        assert.equal(store.catalogPath, join(home, 'catalog.json'));
        assert.equal(store.artifactsDir, join(home, 'artifacts'));
        assert.ok((await stat(store.artifactsDir)).isDirectory());

        await store.updateCatalog((catalog) => {
            catalog.lastVersion.aws = 1;
        });
        await store.updateShard('demo/us-west-2', (shard) => {
            shard.resources.push({ account: 'demo/us-west-2', urn: 'urn:1', type: 'aws:s3/bucket:Bucket', name: 'b', properties: { acl: 'private' }, hash: 'h' });
        });
        const shardFile = join(home, 'shards', 'demo%2Fus-west-2.json');
        const onDisk = JSON.parse(await readFile(shardFile, 'utf8'));
        assert.equal(onDisk.schemaVersion, SCHEMA_VERSION);
        assert.equal(onDisk.account, 'demo/us-west-2');
        assert.equal(onDisk.resources[0].urn, 'urn:1');
        assert.equal(JSON.parse(await readFile(store.catalogPath, 'utf8')).lastVersion.aws, 1);
        assert.deepEqual(await store.listShards(), ['demo/us-west-2']);
    });

    it('writes shards compact and the catalog pretty-printed', async () => {
        store = await Store.open({ home });
        await store.updateCatalog((catalog) => void (catalog.lastVersion.p = 1));
        await store.updateShard('a', (shard) => void shard.violations.push());
        await store.updateShard('a', (shard) => void shard.scans.push({ startedAt: 't', status: 'succeeded', added: 1, changed: 0, removed: 0, unchanged: 0, errors: [] }));
        assert.ok(!(await readFile(store.shardPath('a'), 'utf8')).includes('\n'), 'shard has no line breaks');
        assert.match(await readFile(store.catalogPath, 'utf8'), /\n {2}"packs"/);
    });

    it('starts with the default policy group', async () => {
        store = await Store.open({ home });
        const catalog = await store.readCatalog();
        assert.deepEqual(catalog.groups, [
            { name: 'default-policy-group', isDefault: true, entityType: 'accounts', mode: 'audit', appliedPolicyPacks: [], accounts: [], stacks: [] },
        ]);
        assert.deepEqual(catalog, defaultCatalog());
        assert.equal(catalog.schemaVersion, SCHEMA_VERSION);
    });

    it('gives an empty shard for an account without one, and removes shards', async () => {
        store = await Store.open({ home });
        assert.deepEqual(await store.readShard('none'), { schemaVersion: SCHEMA_VERSION, account: 'none', resources: [], violations: [], scans: [] });
        assert.deepEqual(await store.listShards(), []);
        await store.updateShard('x/eu-west-1', (shard) => void shard.scans.push({ startedAt: 't', status: 'failed', added: 0, changed: 0, removed: 0, unchanged: 0, errors: [] }));
        await store.updateShard('x/eu-west-1', (shard) => void (shard.scans[0]!.added = 2)); // leaves a .bak
        await store.updateShard('y', (shard) => void shard.scans.push({ startedAt: 't', status: 'failed', added: 0, changed: 0, removed: 0, unchanged: 0, errors: [] }));
        assert.deepEqual(await store.listShards(), ['x/eu-west-1', 'y'], 'backups and locks are not listed');
        await store.removeShard('x/eu-west-1');
        assert.deepEqual(await store.listShards(), ['y']);
        assert.equal(existsSync(store.shardPath('x/eu-west-1')), false);
        assert.equal(existsSync(`${store.shardPath('x/eu-west-1')}.bak`), false);
        assert.deepEqual((await store.readShard('x/eu-west-1')).scans, []);
    });
});

describe('store updates', () => {
    it('keeps the previous content as <file>.bak, rotated on each write', async () => {
        store = await Store.open({ home });
        for (const n of [1, 2, 3]) await store.updateCatalog((catalog) => void (catalog.lastVersion.n = n));
        const backup = JSON.parse(await readFile(`${store.catalogPath}.bak`, 'utf8'));
        assert.equal(backup.lastVersion.n, 2);
        assert.equal((await store.readCatalog()).lastVersion.n, 3);
    });

    it('writes nothing when mutate throws, and returns what mutate returns', async () => {
        store = await Store.open({ home });
        assert.equal(await store.updateCatalog((catalog) => ((catalog.lastVersion.a = 1), 'result')), 'result');
        const before = await stat(store.catalogPath, { bigint: true });
        await assert.rejects(
            store.updateCatalog((catalog) => {
                catalog.lastVersion.a = 99;
                throw new Error('boom');
            }),
            /boom/,
        );
        const after = await stat(store.catalogPath, { bigint: true });
        assert.equal(after.ino, before.ino);
        assert.equal((await store.readCatalog()).lastVersion.a, 1);
    });

    it('skips the write (and the change event) when mutate changes nothing', async () => {
        store = await Store.open({ home });
        const changes: StoreChange[] = [];
        store.onDidChange((change) => changes.push(change));
        await store.updateCatalog((catalog) => void (catalog.lastVersion.a = 1));
        const before = await stat(store.catalogPath, { bigint: true });
        await store.updateCatalog(() => undefined);
        assert.equal((await stat(store.catalogPath, { bigint: true })).ino, before.ino);
        await store.updateShard('s/r', (shard) => void (shard.account = 's/r'));
        assert.deepEqual(changes, [{ kind: 'catalog' }, { kind: 'shard', account: 's/r' }]);
    });

    it('refuses to write content it would read back as damaged', async () => {
        store = await Store.open({ home });
        await store.updateShard('mine', (shard) => void (shard.resources = []));
        await assert.rejects(store.updateShard('mine', (shard) => void (shard.account = 'theirs')), /refusing to write .*mine\.json because the shard holds account "theirs"/);
        await assert.rejects(store.updateCatalog((catalog) => void ((catalog as any).packs = {})), /refusing to write .*catalog\.json because "packs" in the catalog is object, not an array/);
        assert.equal((await store.readShard('mine')).account, 'mine');
        assert.deepEqual(store.recoveries, []);
    });

    it('gives readCatalog callers their own copy', async () => {
        store = await Store.open({ home });
        const first = await store.readCatalog();
        first.groups.length = 0;
        assert.equal((await store.readCatalog()).groups.length, 1);
    });

    it('serves an unchanged shard from memory and notices a replaced file', async () => {
        store = await Store.open({ home });
        await store.updateShard('c', (shard) => void (shard.resources = [{ account: 'c', urn: 'u1', type: 't', name: 'n', properties: {}, hash: 'a' }]));
        const first = await store.readShard('c');
        assert.equal(await store.readShard('c'), first, 'the same parsed object while the file is unchanged');
        // another writer: same size, new inode, possibly the same mtime
        const text = (await readFile(store.shardPath('c'), 'utf8')).replace('"hash":"a"', '"hash":"b"');
        const other = `${store.shardPath('c')}.other`;
        await writeFile(other, text);
        const { rename } = await import('node:fs/promises');
        await rename(other, store.shardPath('c'));
        const second = await store.readShard('c');
        assert.notEqual(second, first);
        assert.equal(second.resources[0]!.hash, 'b');
    });

    it('queues concurrent updates within one process without losing any', async () => {
        store = await Store.open({ home });
        const open = store;
        await Promise.all(Array.from({ length: 50 }, () => open.updateCatalog((catalog) => void (catalog.lastVersion.c = (catalog.lastVersion.c ?? 0) + 1))));
        assert.equal((await store.readCatalog()).lastVersion.c, 50);
    });

    it('refuses an update of the same file from inside its own mutate', async () => {
        store = await Store.open({ home });
        const open = store;
        await assert.rejects(
            open.updateCatalog(() => open.updateCatalog(() => undefined)),
            /already held by this operation/,
        );
    });

    it('leaves no temp files behind', async () => {
        store = await Store.open({ home });
        await store.updateCatalog((catalog) => void (catalog.lastVersion.a = 1));
        await store.updateShard('a', (shard) => void (shard.account = 'a'));
        const names = [...(await readdir(home)), ...(await readdir(join(home, 'shards')))];
        assert.deepEqual(names.filter((name) => name.endsWith('.tmp') || name.endsWith('.lock')), []);
    });
});

describe('unwritable home', () => {
    it('fails with EUNWRITABLE naming the path when a file is where the home should be', async () => {
        await writeFile(home, 'not a folder');
        await assert.rejects(Store.open({ home }), (error: unknown) => {
            assert.ok(error instanceof StoreError);
            assert.equal(error.code, 'EUNWRITABLE');
            assert.equal(error.path, home);
            assert.ok(error.message.includes(home), error.message);
            assert.match(error.message, /--home/);
            assert.match(error.message, /POLICY_INSIGHTS_HOME/);
            assert.match(error.message, /policyInsights\.home/);
            return true;
        });
    });

    it('fails with EUNWRITABLE when the home is below a file', async () => {
        await writeFile(home, 'not a folder');
        const below = join(home, 'sub', 'home');
        await assert.rejects(Store.open({ home: below }), (error: unknown) => {
            assert.ok(error instanceof StoreError);
            assert.equal(error.code, 'EUNWRITABLE');
            assert.equal(error.path, below);
            assert.match(error.message, /POLICY_INSIGHTS_HOME/);
            return true;
        });
    });

    it('fails with EUNWRITABLE when a file is where the shards folder should be', async () => {
        store = await Store.open({ home });
        await store.close();
        store = undefined;
        const { rm } = await import('node:fs/promises');
        await rm(join(home, 'shards'), { recursive: true });
        await writeFile(join(home, 'shards'), '');
        await assert.rejects(Store.open({ home }), (error: unknown) => error instanceof StoreError && error.code === 'EUNWRITABLE' && error.path === join(home, 'shards'));
    });
});

describe('resolveHome', () => {
    it('prefers --home, then POLICY_INSIGHTS_HOME, then the setting, then ~/.policy-insights', () => {
        const env = { POLICY_INSIGHTS_HOME: '/env/home' };
        assert.equal(resolveHome({ flag: '/flag/home', env, setting: '/setting/home' }), '/flag/home');
        assert.equal(resolveHome({ env, setting: '/setting/home' }), '/env/home');
        assert.equal(resolveHome({ env: {}, setting: '/setting/home' }), '/setting/home');
        assert.equal(resolveHome({ env: {} }), join(homedir(), '.policy-insights'));
        assert.equal(resolveHome({ env: { POLICY_INSIGHTS_HOME: '' }, setting: '' }), join(homedir(), '.policy-insights'));
    });

    it('expands a leading ~ and makes the path absolute', () => {
        assert.equal(resolveHome({ flag: '~/pi', env: {} }), join(homedir(), 'pi'));
        assert.equal(resolveHome({ flag: '~', env: {} }), homedir());
        assert.equal(resolveHome({ flag: 'rel/dir', env: {} }), join(process.cwd(), 'rel/dir'));
        assert.equal(resolveHome({ flag: '/a/~b', env: {} }), '/a/~b');
    });

    it('sweeps staging folders a killed publish left at open, and leaves a live publish alone', async () => {
        const first = await Store.open({ home });
        await first.close();
        const dead = join(home, 'artifacts', '.staging-999999999-dead');
        const live = join(home, 'artifacts', `.staging-${process.pid}-live`);
        for (const dir of [dead, live]) {
            await mkdir(dir, { recursive: true });
            await writeFile(join(dir, 'index.js'), 'x');
        }
        const store = await Store.open({ home });
        await store.close();
        assert.equal(existsSync(dead), false, 'the staging of a process that is gone is removed');
        assert.equal(existsSync(live), true, 'a publish still running keeps its staging');
    });

    it('writes nothing at open when the home exists, so read-only commands work on a read-only home', async () => {
        const first = await Store.open({ home });
        await first.updateCatalog((catalog) => void (catalog.lastVersion.p = 1));
        await first.close();
        const before = await Promise.all([home, join(home, 'shards'), join(home, 'artifacts')].map((dir) => stat(dir, { bigint: true })));
        // Not a wait for something to happen: it puts the clock past the folders' mtimes, so a
        // file created or removed at open would show even where timestamps are coarse.
        await new Promise((resolve) => setTimeout(resolve, 20));
        const store = await Store.open({ home });
        assert.equal((await store.readCatalog()).lastVersion.p, 1);
        await store.readShard('never-written');
        await store.close();
        const after = await Promise.all([home, join(home, 'shards'), join(home, 'artifacts')].map((dir) => stat(dir, { bigint: true })));
        assert.deepEqual(after.map((s) => s.mtimeNs), before.map((s) => s.mtimeNs), 'no file was created or removed (no write probe)');
    });
});
