/**
 * The registry's rules on real packs: the aws-typescript template, bundled with its real
 * @pulumi/policy and @pulumi/aws, loaded by the real runner.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { scaffoldPack } from '../../../server/src/packs/scaffold';
import { RunnerPool } from '../../../server/src/runner/runnerPool';
import { publishPack, PublishError } from '../../../server/src/registry/publish';
import { removePackVersions, RemoveError } from '../../../server/src/registry/remove';
import { ArtifactError, verifiedArtifactDir } from '../../../server/src/registry/artifacts';
import { Store } from '../../../server/src/store';
import { bucket, hostScript, repoRoot, tempCacheDir } from '../runner/runnerTestEnv';

const runner = new RunnerPool({ hostScript, cacheDir: tempCacheDir() });
const temps: string[] = [];
after(async () => {
    await runner.dispose();
    for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

function temp(prefix: string): string {
    const dir = mkdtempSync(path.join(tmpdir(), prefix));
    temps.push(dir);
    return dir;
}

/** A scaffolded aws-typescript pack named `name` whose node_modules is the repository's. */
async function newPack(name = 'aws-typescript'): Promise<string> {
    const dir = path.join(temp('pi-publish-pack-'), name);
    await scaffoldPack({ template: 'aws-typescript', dir, templatesDir: path.join(repoRoot, 'templates') });
    symlinkSync(path.join(repoRoot, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    return dir;
}

function setVersion(packDir: string, version: string): void {
    const file = path.join(packDir, 'package.json');
    const pkg = JSON.parse(readFileSync(file, 'utf8'));
    writeFileSync(file, JSON.stringify({ ...pkg, version }, null, 2));
}

const inspect = (dir: string) => runner.loadPack(dir);

test('publish assigns monotonic versions, refuses a tag published before (even after rm), and keeps metadata from the pack', async () => {
    const store = await Store.open({ home: temp('pi-publish-home-') });
    const packDir = await newPack();
    const v1 = await publishPack(store, { packDir, inspect });
    assert.equal(v1.name, 'aws-typescript');
    assert.equal(v1.version, 1);
    assert.equal(v1.versionTag, '0.0.1');
    assert.deepEqual(
        v1.policies.map((p) => [p.name, p.enforcementLevel, p.policyType]),
        [['s3-no-public-read', 'mandatory', 'resource']],
    );
    assert.match(v1.digest, /^[0-9a-f]{64}$/);

    await assert.rejects(publishPack(store, { packDir, inspect }), (err: unknown) => {
        assert.ok(err instanceof PublishError);
        assert.equal(err.code, 'tag-exists');
        assert.match(err.message, /version tag 0\.0\.1 of aws-typescript already exists/);
        return true;
    });

    setVersion(packDir, '0.0.2');
    const v2 = await publishPack(store, { packDir, inspect });
    assert.equal(v2.version, 2);

    // Removing a version never frees its tag or its number.
    await removePackVersions(store, 'aws-typescript', '0.0.2');
    await assert.rejects(publishPack(store, { packDir, inspect }), /0\.0\.2 of aws-typescript already exists/);
    setVersion(packDir, '0.0.3');
    const v3 = await publishPack(store, { packDir, inspect });
    assert.equal(v3.version, 3);
    assert.deepEqual(
        (await store.readCatalog()).packs.map((p) => `${p.version}:${p.versionTag}`),
        ['1:0.0.1', '3:0.0.3'],
    );
    await store.close();
});

test('validation errors block publishing and nothing is stored', async () => {
    const store = await Store.open({ home: temp('pi-publish-home-') });
    const packDir = await newPack();
    const entry = path.join(packDir, 'index.ts');
    writeFileSync(entry, readFileSync(entry, 'utf8').replace('enforcementLevel: "mandatory"', 'enforcementLevel: "mandatry"'));
    await assert.rejects(publishPack(store, { packDir, inspect }), (err: unknown) => {
        assert.ok(err instanceof PublishError);
        assert.equal(err.code, 'invalid-pack');
        assert.match(err.message, /index\.ts:\d+:\d+: error .*mandatry/);
        return true;
    });
    const catalog = await store.readCatalog();
    assert.deepEqual(catalog.packs, []);
    assert.deepEqual(catalog.publishedTags, {});
    await store.close();
});

test('a published version runs exactly as published after the working copy changes and is deleted', async () => {
    const store = await Store.open({ home: temp('pi-publish-home-') });
    const packDir = await newPack('frozen-pack');
    const published = await publishPack(store, { packDir, inspect });
    // The working copy changes to allow everything, then disappears with its node_modules.
    const entry = path.join(packDir, 'index.ts');
    writeFileSync(entry, readFileSync(entry, 'utf8').replace('bucket.acl === "public-read"', 'false'));
    rmSync(packDir, { recursive: true, force: true });

    const dir = verifiedArtifactDir(store, published);
    const result = await runner.analyze(dir, [bucket('public', { acl: 'public-read' }), bucket('private', { acl: 'private' })]);
    assert.deepEqual(
        result.diagnostics.map((d) => [d.policyName, d.enforcementLevel, d.urn.split('::').pop()]),
        [['s3-no-public-read', 'mandatory', 'public']],
    );
    assert.deepEqual(result.errors, []);
    await store.close();
});

test('a changed artifact is detected before it runs', async () => {
    const store = await Store.open({ home: temp('pi-publish-home-') });
    const packDir = await newPack('tampered-pack');
    const published = await publishPack(store, { packDir, inspect });
    const index = path.join(store.home, published.artifact!, 'index.js');
    chmodSync(index, 0o644);
    appendFileSync(index, '\n// changed after publish\n');
    assert.throws(() => verifiedArtifactDir(store, published), (err: unknown) => {
        assert.ok(err instanceof ArtifactError);
        assert.match(err.message, /does not match its published digest/);
        assert.match(err.message, /index\.js changed/);
        return true;
    });
    await store.close();
});

test('rm refuses a version a policy group uses, and an unknown tag, with what to do', async () => {
    const store = await Store.open({ home: temp('pi-publish-home-') });
    const packDir = await newPack();
    await publishPack(store, { packDir, inspect });
    await store.updateCatalog((c) => {
        c.groups[0].appliedPolicyPacks.push({ name: 'aws-typescript', versionTag: '0.0.1' });
    });
    await assert.rejects(removePackVersions(store, 'aws-typescript', '0.0.1'), (err: unknown) => {
        assert.ok(err instanceof RemoveError);
        assert.equal(err.code, 'in-use');
        assert.match(err.message, /default-policy-group/);
        return true;
    });
    await assert.rejects(removePackVersions(store, 'aws-typescript', '9.9.9'), /has no version tagged 9\.9\.9; published tags: 0\.0\.1/);
    assert.equal((await store.readCatalog()).packs.length, 1);
    await store.close();
});
