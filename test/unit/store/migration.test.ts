import assert from 'node:assert/strict';
import { readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SCHEMA_VERSION, Store, StoreError, registerMigration } from '../../../server/src/store';
import { makeTempDir } from './storeTestSupport';

let root: string;
let cleanup: () => Promise<void>;
let n = 0;
const migrated: string[] = [];

before(async () => {
    ({ dir: root, cleanup } = await makeTempDir());
    // a made-up pre-versioning layout: packs were called policyPacks
    registerMigration(0, (data, file) => {
        migrated.push(file);
        if (data.policyPacks) {
            data.packs = data.policyPacks;
            delete data.policyPacks;
        }
        return data;
    });
});
after(() => cleanup());

async function freshHome(): Promise<string> {
    const home = join(root, `home${n++}`);
    await Store.open({ home }).then((store) => store.close());
    return home;
}

describe('migrations', () => {
    it('migrates a v0 catalog on open and writes it back at the current version', async () => {
        const home = await freshHome();
        const catalogPath = join(home, 'catalog.json');
        const v0 = { policyPacks: [{ name: 'p', version: 1, versionTag: '0.1.0', policies: [], publishedAt: 't', digest: 'd' }], groups: [], accounts: [] };
        await writeFile(catalogPath, JSON.stringify(v0));
        const store = await Store.open({ home });
        assert.deepEqual(migrated, [catalogPath]);
        const onDisk = JSON.parse(await readFile(catalogPath, 'utf8'));
        assert.equal(onDisk.schemaVersion, SCHEMA_VERSION);
        assert.equal(onDisk.policyPacks, undefined);
        assert.equal(onDisk.packs[0].name, 'p');
        assert.deepEqual((await store.readCatalog()).packs.map((p) => p.versionTag), ['0.1.0']);
        assert.deepEqual(JSON.parse(await readFile(`${catalogPath}.bak`, 'utf8')), v0, 'the pre-migration content is the backup');
        await store.close();
    });

    it('migrates a v0 shard when it is first read', async () => {
        const home = await freshHome();
        const store = await Store.open({ home });
        const file = store.shardPath('old/us-east-1');
        migrated.length = 0;
        await writeFile(file, JSON.stringify({ account: 'old/us-east-1', resources: [], violations: [], scans: [] }));
        assert.equal((await store.readShard('old/us-east-1')).schemaVersion, SCHEMA_VERSION);
        assert.deepEqual(migrated, [file]);
        assert.equal(JSON.parse(await readFile(file, 'utf8')).schemaVersion, SCHEMA_VERSION);
        await store.close();
    });

    it('refuses a catalog from a newer Policy Insights and leaves it untouched', async () => {
        const home = await freshHome();
        const catalogPath = join(home, 'catalog.json');
        const future = JSON.stringify({ schemaVersion: SCHEMA_VERSION + 1, packs: 'in some new shape' });
        await writeFile(catalogPath, future);
        const before = await stat(catalogPath, { bigint: true });
        const namesBefore = (await readdir(home)).sort();
        await assert.rejects(Store.open({ home }), (error: unknown) => {
            assert.ok(error instanceof StoreError);
            assert.equal(error.code, 'ESCHEMA');
            assert.equal(error.path, catalogPath);
            assert.match(error.message, /written by a newer Policy Insights/);
            return true;
        });
        const afterStat = await stat(catalogPath, { bigint: true });
        assert.equal(await readFile(catalogPath, 'utf8'), future);
        assert.equal(afterStat.ino, before.ino);
        assert.equal(afterStat.mtimeNs, before.mtimeNs);
        assert.deepEqual((await readdir(home)).sort(), namesBefore, 'no backup, no corrupt copy, no temp file');
    });

    it('refuses reading and updating a shard from a newer Policy Insights', async () => {
        const home = await freshHome();
        const store = await Store.open({ home });
        const file = store.shardPath('n');
        const future = JSON.stringify({ schemaVersion: SCHEMA_VERSION + 5, account: 'n' });
        await writeFile(file, future);
        await assert.rejects(store.readShard('n'), (error: unknown) => error instanceof StoreError && error.code === 'ESCHEMA' && error.path === file);
        let mutated = false;
        await assert.rejects(
            store.updateShard('n', () => void (mutated = true)),
            (error: unknown) => error instanceof StoreError && error.code === 'ESCHEMA',
        );
        assert.equal(mutated, false);
        assert.equal(await readFile(file, 'utf8'), future);
        assert.deepEqual(store.recoveries, []);
        await store.close();
    });

    it('refuses to recover a damaged catalog from a backup written by a newer Policy Insights, moving nothing', async () => {
        const home = await freshHome();
        const catalogPath = join(home, 'catalog.json');
        await writeFile(catalogPath, '{"schemaVersion": 1, "pa');
        await writeFile(`${catalogPath}.bak`, JSON.stringify({ schemaVersion: SCHEMA_VERSION + 1 }));
        const namesBefore = (await readdir(home)).sort();
        await assert.rejects(Store.open({ home }), (error: unknown) => error instanceof StoreError && error.code === 'ESCHEMA' && error.path === `${catalogPath}.bak`);
        assert.deepEqual((await readdir(home)).sort(), namesBefore);
    });

    it('rejects registering a migration from the current version or beyond', () => {
        assert.throws(() => registerMigration(SCHEMA_VERSION, (d) => d), RangeError);
    });
});
