/**
 * Where the runner tests find the repository (fixtures, templates, node_modules) and the
 * bundled pack host. Tests run from out/test/unit/runner/ (esbuild.mjs), with the host at
 * out/server/packHost.js.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

function findRepoRoot(): string {
    for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
        const pkg = join(dir, 'package.json');
        if (existsSync(pkg) && existsSync(join(dir, 'templates'))) {
            try {
                if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'policy-insights') return dir;
            } catch {
                /* keep looking */
            }
        }
    }
    return process.cwd();
}

export const repoRoot = findRepoRoot();

/** The bundled host next to the bundled tests (out/server/packHost.js). */
export const hostScript = resolve(__dirname, '..', '..', '..', 'server', 'packHost.js');
if (!existsSync(hostScript)) {
    throw new Error(`The pack host bundle ${hostScript} is missing: build with \`node esbuild.mjs\` before running the runner tests.`);
}

export function runnerFixture(name: string): string {
    return join(repoRoot, 'test', 'fixtures', 'packs', 'runner', name);
}

const tempDirs: string[] = [];
process.on('exit', () => tempDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A private cache (removed when the test process exits) so tests never reuse another run's compiled packs. */
export function tempCacheDir(): string {
    const dir = mkdtempSync(join(tmpdir(), 'pi-runner-cache-'));
    tempDirs.push(dir);
    return dir;
}

/** Copies a fixture pack to a temp dir whose node_modules is the repository's. */
export function copyPackToTemp(fixture: string): { dir: string; cleanup: () => void } {
    const dir = mkdtempSync(join(tmpdir(), 'pi-runner-pack-'));
    cpSync(fixture, dir, { recursive: true });
    symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'), 'dir');
    return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function bucket(name: string, props: Record<string, unknown> = {}) {
    return { urn: `urn:pulumi:dev::runner-tests::aws:s3/bucket:Bucket::${name}`, type: 'aws:s3/bucket:Bucket', name, properties: props };
}

export function instance(name: string, props: Record<string, unknown> = {}) {
    return { urn: `urn:pulumi:dev::runner-tests::aws:ec2/instance:Instance::${name}`, type: 'aws:ec2/instance:Instance', name, properties: props };
}

/**
 * The pool's live hosts (its private HostPool's list, the same array as the pool changes it):
 * tests check which host processes served which run without a production API for it.
 */
export function liveHosts(pool: object): { info: { packDir: string }; process: { pid: number } }[] {
    return (pool as { hosts: { hosts: { info: { packDir: string }; process: { pid: number } }[] } }).hosts.hosts;
}
