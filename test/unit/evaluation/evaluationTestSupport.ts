/**
 * Helpers for the evaluation tests: a temporary store home seeded like discovery and the
 * registry would leave it, the real pack runner (its host bundled once per test process),
 * and the fixture packs of test/fixtures/packs/evaluation as published versions.
 */
import { buildSync } from 'esbuild';
import { existsSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createHash } from 'node:crypto';
import { runCli } from '../../../server/src/cli/runCli';
import type { Account, PolicyPackVersion, Resource } from '../../../server/src/shared/model';
import { RunnerPool } from '../../../server/src/runner/runnerPool';
import { Store } from '../../../server/src/store';

/** The repository root (the folder holding esbuild.mjs), from the source or the bundled test. */
export function repoRoot(): string {
    for (const start of [__dirname, process.cwd()]) {
        for (let dir = start; ; dir = dirname(dir)) {
            if (existsSync(join(dir, 'esbuild.mjs'))) return dir;
            if (dirname(dir) === dir) break;
        }
    }
    throw new Error(`evaluation tests: no esbuild.mjs above ${__dirname} or ${process.cwd()}; run the tests from the repository.`);
}

export const FIXTURE_PACKS = () => join(repoRoot(), 'test', 'fixtures', 'packs', 'evaluation');

const bundleDirs: string[] = [];
process.on('exit', () => bundleDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

let hostScript: string | undefined;
/** The pack runner's host, bundled into a temp folder (as esbuild.mjs bundles out/server/packHost.js). */
export async function bundledHostScript(): Promise<string> {
    if (!hostScript) {
        const dir = await mkdtemp(join(tmpdir(), 'pi-eval-host-'));
        bundleDirs.push(dir);
        hostScript = join(dir, 'packHost.js');
        buildSync({ entryPoints: [join(repoRoot(), 'server/src/runner/host.ts')], bundle: true, platform: 'node', target: 'node20', format: 'cjs', outfile: hostScript, logLevel: 'warning' });
    }
    return hostScript;
}

export async function makePool(): Promise<RunnerPool> {
    return new RunnerPool({ hostScript: await bundledHostScript(), cacheDir: join(dirname(await bundledHostScript()), 'compiled') });
}

export interface TempStore {
    store: Store;
    home: string;
    cleanup(): Promise<void>;
}

export async function tempStore(): Promise<TempStore> {
    const home = await mkdtemp(join(tmpdir(), 'pi-eval-'));
    const store = await Store.open({ home });
    return {
        store,
        home,
        cleanup: async () => {
            await store.close();
            await rm(home, { recursive: true, force: true });
        },
    };
}

export function awsAccount(name: string, regions: string[]): Account {
    return { name, provider: 'aws', settings: { regions }, children: regions.map((r) => `${name}/${r}`), scanSchedule: 'none', createdAt: '2026-01-01T00:00:00.000Z' };
}

export function stackAccount(name: string, project: string, stack: string): Account {
    return { name, provider: 'pulumi-stack', settings: { stateFile: `${name}.json` }, children: [], scanSchedule: 'none', project, stack, createdAt: '2026-01-01T00:00:00.000Z' };
}

/** A resource as discovery stores it (hash over type + properties). */
export function resource(account: string, type: string, name: string, properties: Record<string, unknown>): Resource {
    const module = type.split(':')[1]?.split('/')[0] ?? 'x';
    return {
        account,
        urn: `urn:pulumi:${account.replace('/', '-')}::insights::${type}::${name}`,
        type,
        name,
        id: `${module}-${name}`,
        properties,
        hash: createHash('sha256').update(JSON.stringify([type, properties])).digest('hex'),
    };
}

export const BUCKET = 'aws:s3/bucket:Bucket';
export const ROLE_POLICY = 'aws:iam/policy:Policy';

/** A published version of a fixture pack, with the metadata and digest the runner reports. */
export async function publishFixture(pool: RunnerPool, dir: string, version: number, publishedAt = '2026-01-01T00:00:00.000Z'): Promise<PolicyPackVersion> {
    const info = await pool.loadPack(dir);
    return { name: info.name, version, versionTag: info.version, policies: info.policies, publishedAt, digest: info.digest };
}

/** Replaces an entity's resources as a scan would, and returns the delta. */
export async function storeResources(store: Store, entity: string, resources: Resource[], errors: { service: string; code: string; message: string }[] = []) {
    return store.updateShard(entity, (shard) => {
        const before = new Map(shard.resources.map((r) => [r.urn, r.hash]));
        const after = new Set(resources.map((r) => r.urn));
        const added = resources.filter((r) => !before.has(r.urn)).map((r) => r.urn);
        const changed = resources.filter((r) => before.has(r.urn) && before.get(r.urn) !== r.hash).map((r) => r.urn);
        const removed = [...before.keys()].filter((u) => !after.has(u));
        shard.resources = resources;
        shard.scans.push({ startedAt: '2026-01-01T00:00:00.000Z', finishedAt: '2026-01-01T00:00:01.000Z', status: errors.length ? 'failed' : 'succeeded', added: added.length, changed: changed.length, removed: removed.length, unchanged: resources.length - added.length - changed.length, errors });
        return { added, changed, removed, unchanged: resources.length - added.length - changed.length };
    });
}

/** A clock the test moves forward by hand. */
export function manualClock(start = Date.parse('2026-03-01T00:00:00.000Z')) {
    let t = start;
    return { now: () => new Date(t), tick: (ms = 60_000) => (t += ms) };
}

/** The CLI's dispatcher (server/src/cli.ts is only the executable entry around it). */
export function loadCli(): typeof runCli {
    return runCli;
}

/** Runs the CLI in this process on `home`; returns its exit code and output. */
export async function runCliOn(home: string, ...args: string[]): Promise<{ code: number; out: string; err: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const code = await loadCli()([...args, '--home', home], { out: (l) => out.push(l), err: (l) => err.push(l), env: {} });
    return { code, out: out.join('\n'), err: err.join('\n') };
}
