/**
 * A pack is third-party code: its host gets a minimal environment, not the scanner's cloud
 * credentials, unless the user grants that pack its environment (RunnerPool
 * `environmentGrants`, the CLI's `--grant-env`).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../../server/src/cli/runCli';
import { permissionArgs, permissionFlag } from '../../../server/src/runner/packPermissions';
import { RunnerPool } from '../../../server/src/runner/runnerPool';
import { bucket, hostScript, repoRoot, runnerFixture, tempCacheDir } from './runnerTestEnv';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const envReader = runnerFixture('env-reader');

describe('pack host environment', () => {
    let saved: string | undefined;
    before(() => {
        saved = process.env.AWS_SECRET_ACCESS_KEY;
        process.env.AWS_SECRET_ACCESS_KEY = SECRET;
    });
    after(() => {
        if (saved === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
        else process.env.AWS_SECRET_ACCESS_KEY = saved;
    });

    async function reported(pool: RunnerPool): Promise<string> {
        const { diagnostics, errors } = await pool.analyze(envReader, [bucket('a')]);
        assert.deepEqual(errors, []);
        assert.equal(diagnostics.length, 1);
        // the SDK puts the policy's description before the reported text
        return diagnostics[0].message.split('\n').at(-1)!;
    }

    it("a pack without a grant cannot read the scanner's credentials, but has PATH", async () => {
        const pool = new RunnerPool({ hostScript, cacheDir: tempCacheDir() });
        try {
            assert.equal(await reported(pool), 'AWS_SECRET_ACCESS_KEY=absent PATH=set');
        } finally {
            await pool.dispose();
        }
    });

    it('a granted pack inherits the whole environment, from its first evaluation on', async () => {
        const pool = new RunnerPool({ hostScript, cacheDir: tempCacheDir(), environmentGrants: ['runner-env-reader'] });
        try {
            assert.equal(await reported(pool), `AWS_SECRET_ACCESS_KEY=${SECRET} PATH=set`);
        } finally {
            await pool.dispose();
        }
    });

    it('a grant given or taken back later applies to the next evaluation (warm hosts are replaced)', async () => {
        const pool = new RunnerPool({ hostScript, cacheDir: tempCacheDir() });
        try {
            assert.match(await reported(pool), /=absent /);
            pool.setEnvironmentGrants(['runner-env-reader']);
            assert.match(await reported(pool), new RegExp(`=${SECRET.replace(/[/]/g, '\\/')} `));
            pool.setEnvironmentGrants(['another-pack']);
            assert.match(await reported(pool), /=absent /);
        } finally {
            await pool.dispose();
        }
    });

    it('through the CLI: `analyze` keeps the credentials from the pack unless `--grant-env` names it', async () => {
        const home = mkdtempSync(join(tmpdir(), 'pi-grant-env-'));
        process.env.POLICY_INSIGHTS_PACK_HOST = hostScript;
        try {
            const state = join(repoRoot, 'test', 'fixtures', 'stacks', 'aws-app.dev.export.json');
            const run = async (extra: string[]) => {
                const out: string[] = [];
                const err: string[] = [];
                const code = await runCli(['analyze', '--file', state, '--policy-pack', envReader, '--json', ...extra, '--home', home], { out: (l) => out.push(l), err: (l) => err.push(l), env: {} });
                return { code, out: out.join('\n'), err: err.join('\n') };
            };
            const plain = await run([]);
            assert.match(plain.out, /AWS_SECRET_ACCESS_KEY=absent/, plain.err);
            assert.ok(!plain.out.includes(SECRET));
            const granted = await run(['--grant-env', 'runner-env-reader']);
            assert.ok(granted.out.includes(`AWS_SECRET_ACCESS_KEY=${SECRET}`), granted.err);
        } finally {
            rmSync(home, { recursive: true, force: true });
        }
    });
});

describe('pack host file access (Node permission model)', () => {
    const home = mkdtempSync(join(tmpdir(), 'pi-fs-home-'));
    const catalog = join(home, 'catalog.json');
    writeFileSync(catalog, '{"original":true}');
    after(() => rmSync(home, { recursive: true, force: true }));

    async function probe(pool: RunnerPool, read: string, write: string): Promise<string> {
        const { diagnostics, errors } = await pool.analyze(runnerFixture('fs-prober'), [bucket('a', { read, write })]);
        assert.deepEqual(errors, []);
        return diagnostics[0].message.split('\n').at(-1)!;
    }

    it('a pack reads its own folder, but neither reads nor writes the store home', async () => {
        assert.ok(permissionArgs({ packDir: '/p', codeFile: '/c/x.js', hostScript: '/h/host.js', granted: false }).length, 'this Node has a permission model');
        const pool = new RunnerPool({ hostScript, cacheDir: tempCacheDir() });
        try {
            const own = join(runnerFixture('fs-prober'), 'package.json');
            assert.match(await probe(pool, own, join(home, 'evaluation.json')), /^read allowed; write refused \(ERR_ACCESS_DENIED\)$/);
            assert.equal(await probe(pool, catalog, catalog), 'read refused (ERR_ACCESS_DENIED); write refused (ERR_ACCESS_DENIED)');
            assert.equal(readFileSync(catalog, 'utf8'), '{"original":true}');
            assert.ok(!existsSync(join(home, 'evaluation.json')));
        } finally {
            await pool.dispose();
        }
    });

    it('a pack whose top-level code reads outside its folder fails to load, saying why', async () => {
        const pool = new RunnerPool({ hostScript, cacheDir: tempCacheDir() });
        try {
            await assert.rejects(pool.loadPack(runnerFixture('reads-at-load')), (e: Error) => {
                assert.match(e.message, /ERR_ACCESS_DENIED|Access to this API has been restricted/);
                assert.match(e.message, /Policy packs run with read access to their own folder and node_modules only/);
                return true;
            });
        } finally {
            await pool.dispose();
        }
    });

    it('a folder Node 20 cannot name (a comma splits --allow-fs-read) leaves reads open, never writes', () => {
        const args = permissionArgs({ packDir: '/packs/a,b', codeFile: '/cache/x.js', hostScript: '/out/server/packHost.js', granted: false }, '--experimental-permission');
        assert.ok(args.includes('--allow-fs-read=*'));
        assert.ok(!args.some((a) => a.startsWith('--allow-fs-write') || a.startsWith('--allow-child-process')));
        // a Node without the model runs hosts as before; a newer one names it --permission
        assert.equal(permissionFlag(new Set()), undefined);
        assert.equal(permissionFlag(new Set(['--permission', '--experimental-permission'])), '--permission');
    });

    it('a pack granted the environment reads anywhere (its SDKs read ~/.aws) but still writes nowhere', async () => {
        const pool = new RunnerPool({ hostScript, cacheDir: tempCacheDir(), environmentGrants: ['runner-fs-prober'] });
        try {
            assert.equal(await probe(pool, catalog, catalog), 'read allowed; write refused (ERR_ACCESS_DENIED)');
            assert.equal(readFileSync(catalog, 'utf8'), '{"original":true}');
        } finally {
            await pool.dispose();
        }
    });
});
