/**
 * Published pack artifacts: immutable, self-contained and checked before each run.
 *
 * An artifact is a directory `<home>/artifacts/<pack>/<version>-<tag>/` holding
 *   index.js            the pack bundled with every dependency it imports (its own
 *                       @pulumi/policy and @pulumi/* packages), so it runs exactly as
 *                       published after the working copy changes or is deleted, with no
 *                       network and no node_modules;
 *   package.json        name and version (the SDK reads `version` from the cwd);
 *   PulumiPolicy.yaml   as in the working copy;
 *   manifest.json       each file's sha256.
 * The version's `digest` is the sha256 of the manifest's file list; it is stored in the
 * catalog, so a changed file in the artifact is detected before the pack runs.
 *
 * The bundle's entry is a small wrapper (the contract is runner/bundledPack.ts):
 * required by the runner's host it exposes the SDK modules bundled inside (to capture
 * `serve()` instead of listening) and a `run()` that loads the pack; run directly with
 * `node index.js` it serves the Analyzer gRPC protocol like any pack.
 */
import type { PluginBuild } from 'esbuild';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { PolicyPackVersion } from '../shared/model';
import { PACK_NAME_PATTERN } from '../shared/names';
import { BUNDLED_PACK_FIELD, BUNDLED_SDK_MODULES, loadEsbuild } from '../runner';
import type { Store } from '../store';
import { UserError } from '../userErrors';

/** Thrown when an artifact is missing or differs from what was published. */
export class ArtifactError extends UserError {
    constructor(
        message: string,
        readonly artifactDir: string,
    ) {
        super(message);
        this.name = 'ArtifactError';
    }
}

interface ArtifactManifest {
    /** file name -> sha256 (hex) */
    files: Record<string, string>;
}

function sha256(data: Buffer | string): string {
    return createHash('sha256').update(data).digest('hex');
}

/** The digest of a manifest: sha256 over its sorted `name sha256` lines. */
function manifestDigest(manifest: ArtifactManifest): string {
    const lines = Object.keys(manifest.files)
        .sort()
        .map((name) => `${name} ${manifest.files[name]}\n`);
    return sha256(lines.join(''));
}

/**
 * @pulumi/pulumi loads TypeScript (its own vendored copy) only to serialize functions for
 * dynamic providers, which a policy pack never does; it still `require`s the shim at load.
 * Bundling TypeScript would add 9 MB to every artifact, so the shim becomes a stub that
 * explains itself if anything ever uses it.
 */
const typescriptShimStub = {
    name: 'policy-insights-typescript-shim-stub',
    setup(build: Pick<PluginBuild, 'onResolve' | 'onLoad'>) {
        build.onResolve({ filter: /typescript-shim$/ }, (args: { path: string }) => ({ path: args.path, namespace: 'typescript-shim-stub' }));
        build.onLoad({ filter: /.*/, namespace: 'typescript-shim-stub' }, () => ({
            loader: 'js',
            contents:
                "module.exports = new Proxy({}, { get(_t, key) { throw new Error('TypeScript is not bundled into published policy packs (needed only to serialize functions), so ts.' + String(key) + ' is unavailable.'); } });",
        }));
    },
};

export interface BuildArtifactArgs {
    /** The working copy of the pack (its entry and node_modules). */
    packDir: string;
    /** The pack's entry file (index.ts, index.js or package.json `main`). */
    entryFile: string;
    packName: string;
    versionTag: string;
    /** Where to write the artifact (created; must not exist). */
    outDir: string;
}

/**
 * Bundles the pack with its dependencies into `outDir` and returns the artifact's digest.
 * Packages the pack resolves from its own node_modules are the ones bundled, so the
 * artifact runs on the pack's own @pulumi/policy.
 */
export async function buildArtifact(args: BuildArtifactArgs): Promise<string> {
    mkdirSync(args.outDir, { recursive: true });
    const entryImport = './' + path.relative(args.packDir, args.entryFile).split(path.sep).join('/');
    const sdkLines = Object.entries(BUNDLED_SDK_MODULES)
        .map(([key, spec]) => `    get ${key}() { return require(${JSON.stringify(spec)}); },`)
        .join('\n');
    const wrapper = [
        '// Policy Insights artifact entry: see server/src/registry/artifacts.ts.',
        'exports.sdk = {',
        sdkLines,
        '};',
        `exports.run = () => require(${JSON.stringify(entryImport)});`,
        'if (require.main === module) exports.run();',
    ].join('\n');
    const esbuild = loadEsbuild();
    await esbuild.build({
        stdin: { contents: wrapper, resolveDir: args.packDir, sourcefile: 'policy-insights-artifact.js', loader: 'js' },
        bundle: true,
        platform: 'node',
        target: 'node20',
        format: 'cjs',
        outfile: path.join(args.outDir, 'index.js'),
        logLevel: 'silent',
        plugins: [typescriptShimStub],
    }).catch((err: Error & { errors?: { text: string; location?: { file: string; line: number; column: number } | null }[] }) => {
        const first = err.errors?.[0];
        const where = first?.location ? `${first.location.file}:${first.location.line}:${first.location.column + 1}` : args.packDir;
        throw new ArtifactError(`Could not bundle the policy pack (${where}): ${first?.text ?? err.message}`, args.outDir);
    });
    writeFileSync(
        path.join(args.outDir, 'package.json'),
        JSON.stringify({ name: args.packName, version: args.versionTag, main: 'index.js', private: true, [BUNDLED_PACK_FIELD]: 1 }, null, 2) + '\n',
    );
    const yamlPath = path.join(args.packDir, 'PulumiPolicy.yaml');
    if (existsSync(yamlPath)) writeFileSync(path.join(args.outDir, 'PulumiPolicy.yaml'), readFileSync(yamlPath));
    const manifest: ArtifactManifest = { files: {} };
    for (const name of readdirSync(args.outDir).sort()) {
        manifest.files[name] = sha256(readFileSync(path.join(args.outDir, name)));
    }
    writeFileSync(path.join(args.outDir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
    for (const name of readdirSync(args.outDir)) chmodSync(path.join(args.outDir, name), 0o444);
    return manifestDigest(manifest);
}

/**
 * Why `name` cannot name a pack in the store, or undefined when it can. The name becomes a
 * folder under `artifacts/`: `.` and `..` would put a version into the home itself or into
 * another pack's folder, whatever the character pattern allows.
 */
export function packNameProblem(name: unknown): string | undefined {
    if (typeof name !== 'string' || !PACK_NAME_PATTERN.test(name)) return `"${String(name)}" is not a valid pack name: use 1-100 letters, digits, '-', '_' or '.'.`;
    if (name === '.' || name === '..') return `"${name}" is not a valid pack name: it would name a folder outside the pack's own.`;
    return undefined;
}

/** Where a version's artifact lives, relative to the store home; refuses a name or tag that would lead outside `artifacts/<pack>/`. */
export function artifactRelativePath(packName: string, version: number, versionTag: string): string {
    const problem = packNameProblem(packName);
    if (problem) throw new ArtifactError(`${problem} Nothing was published.`, path.posix.join('artifacts', String(packName)));
    return path.posix.join('artifacts', packName, `${version}-${versionTag}`);
}

/**
 * The absolute artifact folder of `pack` under `home`, resolved; throws ArtifactError when
 * it is not strictly inside `artifacts/<pack name>/` (a bad name, or a catalog entry edited
 * to point elsewhere): nothing is run, written or removed there.
 */
export function artifactDirWithin(home: string, pack: { name: string; artifact?: string }): string {
    const problem = packNameProblem(pack.name);
    const packFolder = path.resolve(home, 'artifacts', String(pack.name));
    const dir = path.resolve(home, pack.artifact ?? '');
    if (problem || path.dirname(dir) !== packFolder) {
        throw new ArtifactError(
            `The artifact path "${pack.artifact}" of pack "${pack.name}" is outside ${path.join(home, 'artifacts', String(pack.name))}${problem ? ` (${problem})` : ''}; it is refused. Publish the pack again under a valid name.`,
            dir,
        );
    }
    return dir;
}

/**
 * The artifact directory of `pack`, after checking every file against the digest that was
 * recorded at publish. Call before each run.
 * @throws ArtifactError when the artifact is missing, a file was added, removed or changed.
 */
export function verifiedArtifactDir(store: Pick<Store, 'home'>, pack: PolicyPackVersion): string {
    const label = `${pack.name}@${pack.versionTag} (version ${pack.version})`;
    if (!pack.artifact) throw new ArtifactError(`${label} has no artifact recorded in the catalog.`, store.home);
    const dir = artifactDirWithin(store.home, pack);
    const manifestPath = path.join(dir, 'manifest.json');
    if (!existsSync(manifestPath)) {
        throw new ArtifactError(`The artifact of ${label} is missing at ${dir}. Publish a new version of the pack.`, dir);
    }
    let manifest: ArtifactManifest;
    try {
        manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as ArtifactManifest;
    } catch (err) {
        throw new ArtifactError(`The artifact manifest of ${label} at ${manifestPath} is damaged: ${(err as Error).message}`, dir);
    }
    const recorded = manifestDigest(manifest);
    const onDisk = readdirSync(dir).filter((n) => n !== 'manifest.json').sort();
    const changed = onDisk.filter((name) => manifest.files[name] !== sha256(readFileSync(path.join(dir, name))));
    const missing = Object.keys(manifest.files).filter((name) => !onDisk.includes(name));
    if (recorded !== pack.digest || changed.length || missing.length) {
        const what = [...changed.map((n) => `${n} changed or added`), ...missing.map((n) => `${n} missing`)];
        throw new ArtifactError(
            `The artifact of ${label} at ${dir} does not match its published digest sha256:${pack.digest}` +
                `${what.length ? ` (${what.join(', ')})` : ' (manifest changed)'}. It will not run; publish a new version.`,
            dir,
        );
    }
    return dir;
}

/** Removes an artifact directory (used by `policy rm`; files are read-only, the folder is not). */
export function removeArtifact(store: Pick<Store, 'home'>, pack: PolicyPackVersion): void {
    if (!pack.artifact) return;
    rmSync(artifactDirWithin(store.home, pack), { recursive: true, force: true });
}
