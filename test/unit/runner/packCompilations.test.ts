/** PackCompilations: a pack's sources are hashed and compiled once per version of its files. */
import assert from 'node:assert/strict';
import { readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { PackCompilations } from '../../../server/src/runner/packCompiler';
import { copyPackToTemp, repoRoot, runnerFixture, tempCacheDir } from './runnerTestEnv';

describe('PackCompilations', () => {
    it('compiles an unchanged pack once, and again after an edit or a missing dependency is installed', async () => {
        const { dir, cleanup } = copyPackToTemp(runnerFixture('basic'));
        try {
            const compilations = new PackCompilations({ cacheDir: tempCacheDir() });
            const first = await compilations.compile(dir);
            assert.equal(await compilations.compile(dir), first, 'the same build, not hashed again');
            assert.equal(await compilations.compile(`${dir}/`), first, 'whatever the spelling of the folder');

            const index = join(dir, 'index.ts');
            writeFileSync(index, readFileSync(index, 'utf8').replace('You cannot set', 'Never set'));
            const edited = await compilations.compile(dir);
            assert.notEqual(edited.digest, first.digest, 'an edited pack is a new build');
            assert.equal(readFileSync(edited.codeFile, 'utf8').includes('Never set'), true);

            // a file written again with the same content: hashed again, the same digest
            writeFileSync(index, readFileSync(index, 'utf8'));
            const rewritten = await compilations.compile(dir);
            assert.notEqual(rewritten, edited);
            assert.equal(rewritten.digest, edited.digest);
        } finally {
            cleanup();
        }
    });

    it('does not keep a failure: once the dependencies are installed (no source changed) it compiles', async () => {
        const { dir, cleanup } = copyPackToTemp(runnerFixture('basic'));
        try {
            const compilations = new PackCompilations({ cacheDir: tempCacheDir() });
            const modules = join(dir, 'node_modules');
            rmSync(modules);
            await assert.rejects(compilations.compile(dir), /cannot find @pulumi\/policy.*npm install/);
            symlinkSync(join(repoRoot, 'node_modules'), modules, 'dir');
            assert.ok((await compilations.compile(dir)).digest);
        } finally {
            cleanup();
        }
    });
});
