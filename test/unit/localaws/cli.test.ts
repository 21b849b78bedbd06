// The bundled CLI (out/test/localaws.js) as `npm start` and the VS Code tests run it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { DEMO_FIXTURE, SCANNER_KEYS } from './localawsSupport';

// Bundled tests live in out/test/unit/localaws/; the CLI bundle is out/test/localaws.js.
const CLI = join(__dirname, '..', '..', 'localaws.js');
let dir: string;
let child: ChildProcess;
let url: string;

before(async () => {
    assert.ok(existsSync(CLI), `${CLI} is missing: build it first (node esbuild.mjs bundles test/localaws/main.ts there)`);
    dir = mkdtempSync(join(tmpdir(), 'localaws-cli-'));
    const faults = join(dir, 'faults.json');
    writeFileSync(faults, JSON.stringify([{ service: 'sts', accessDenied: true }]));
    child = spawn(process.execPath, [CLI, '--fixture', DEMO_FIXTURE, '--faults', faults], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.setEncoding('utf8');
    url = await new Promise<string>((resolve, reject) => {
        child.stdout!.on('data', (chunk: string) => {
            out += chunk;
            const line = out.split('\n').find((l) => l.startsWith('http://'));
            if (line) resolve(line.trim());
        });
        child.once('exit', (code) => reject(new Error(`localaws exited with ${code} before printing its URL`)));
    });
});
after(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
});

describe('localaws CLI', () => {
    it('prints its URL, serves the fixture and applies the faults file', async () => {
        assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
        const config = { endpoint: url, region: 'us-west-2', credentials: SCANNER_KEYS, maxAttempts: 1 };
        const denied = await new STSClient(config).send(new GetCallerIdentityCommand({})).catch((e: Error) => e);
        assert.equal((denied as Error).name, 'AccessDenied');
        const buckets = await new S3Client({ ...config, forcePathStyle: true }).send(new ListBucketsCommand({}));
        assert.equal(buckets.Buckets?.length, 7);
        assert.equal((await fetch(`${url}/__admin/reset`, { method: 'POST' })).status, 200);
        assert.equal((await new STSClient(config).send(new GetCallerIdentityCommand({}))).Account, '123456789012');
    });

    it('stops cleanly on SIGTERM', async () => {
        child.kill('SIGTERM');
        const [code] = await once(child, 'exit');
        assert.equal(code, 0);
    });

    it('exits 2 with a message on bad arguments or a bad fixture', () => {
        const noFixture = spawnSync(process.execPath, [CLI], { encoding: 'utf8' });
        assert.equal(noFixture.status, 2);
        assert.match(noFixture.stderr, /--fixture FILE is required/);
        const missing = spawnSync(process.execPath, [CLI, '--fixture', join(dir, 'nope.json')], { encoding: 'utf8' });
        assert.equal(missing.status, 1);
        assert.match(missing.stderr, /cannot read fixture .*nope\.json/);
    });
});
