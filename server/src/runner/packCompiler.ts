/**
 * Finds a pack's entry point, checks its dependencies are installed and compiles a
 * TypeScript pack with esbuild: the pack's own files are bundled, every package stays
 * external so the pack runs on its own `@pulumi/policy`. Output is cached by the content
 * hash of the pack's sources, with an inline source map so errors point at the .ts file.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, extname, join, relative, resolve } from 'node:path';
import { isBundledPack } from './bundledPack';
import { RunnerError } from './runnerTypes';

/** What the host loads. */
export interface CompiledPack {
    packDir: string;
    /** The pack's entry source file (index.ts, or package.json `main`). */
    entryFile: string;
    /** File holding the code to run. */
    codeFile: string;
    /**
     * Filename the code is compiled as: inside the pack directory, so `require` resolves the
     * pack's node_modules and source-map paths resolve against the pack's sources.
     */
    loadAs: string;
    /** sha256 of the pack's sources plus the compiler version. */
    digest: string;
}

const SOURCE_EXTENSIONS = new Set(['.ts', '.tsx', '.mts', '.cts', '.js', '.mjs', '.cjs', '.json']);
const TS_EXTENSIONS = new Set(['.ts', '.tsx', '.mts', '.cts']);
const SKIPPED_DIRS = new Set(['node_modules', 'bin', 'out', 'dist']);

/** The pack's entry file: package.json `main` when it exists, else index.ts, else index.js. */
export function findPackEntry(packDir: string): string {
    const pkgPath = join(packDir, 'package.json');
    if (!existsSync(pkgPath)) {
        throw new RunnerError('load-failed', `${pkgPath} not found: a policy pack needs a package.json with a "version" (the SDK reads it at load).`);
    }
    let main: unknown;
    try {
        main = (JSON.parse(readFileSync(pkgPath, 'utf8')) as { main?: unknown }).main;
    } catch (e) {
        throw new RunnerError('load-failed', `${pkgPath} is not valid JSON: ${(e as Error).message}`);
    }
    const candidates = [typeof main === 'string' ? main : undefined, 'index.ts', 'index.js'].filter((c): c is string => !!c);
    for (const candidate of candidates) {
        const file = resolve(packDir, candidate);
        if (existsSync(file) && statSync(file).isFile()) return file;
    }
    throw new RunnerError('load-failed', `No entry point in ${packDir}: expected package.json "main", index.ts or index.js.`);
}

/**
 * Checks that every package in package.json `dependencies` (and `@pulumi/policy`) resolves
 * from the pack directory, as Node will resolve it when the pack runs.
 * @throws RunnerError 'missing-dependencies' naming the packages that are missing.
 */
export function checkPackDependencies(packDir: string): void {
    const pkgPath = join(packDir, 'package.json');
    const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { dependencies?: Record<string, string> };
    const names = new Set(['@pulumi/policy', ...Object.keys(pkg.dependencies ?? {})]);
    const packRequire = createRequire(pkgPath);
    const missing: string[] = [];
    for (const name of names) {
        try {
            packRequire.resolve(name);
        } catch {
            try {
                packRequire.resolve(`${name}/package.json`);
            } catch {
                missing.push(name);
            }
        }
    }
    if (missing.length) {
        throw new RunnerError(
            'missing-dependencies',
            `Policy pack ${packDir} cannot find ${missing.join(', ')}: run \`npm install\` in ${packDir} to install its dependencies.`,
        );
    }
}

/** The files a pack's digest covers: its sources, in a stable order, outside node_modules and build output. */
function packSourceFiles(packDir: string, dir = packDir, depth = 0, files: string[] = []): string[] {
    if (depth > 6) return files;
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
        if (entry.name.startsWith('.')) continue;
        const path = join(dir, entry.name);
        if (entry.isDirectory()) {
            if (!SKIPPED_DIRS.has(entry.name)) packSourceFiles(packDir, path, depth + 1, files);
        } else if (entry.isFile() && SOURCE_EXTENSIONS.has(extname(entry.name))) {
            files.push(path);
        }
    }
    return files;
}

function hashPackSources(packDir: string, hash: ReturnType<typeof createHash>): void {
    for (const path of packSourceFiles(packDir)) hash.update(relative(packDir, path)).update('\0').update(readFileSync(path)).update('\0');
}

/** Each source file's path, size and modification time: what changes when anyone edits, adds or removes a source. */
function packSourceStamp(packDir: string): string {
    return packSourceFiles(packDir)
        .map((path) => {
            const stat = statSync(path, { bigint: true });
            return `${relative(packDir, path)}\0${stat.size}\0${stat.mtimeNs}`;
        })
        .join('\n');
}

/**
 * compilePack once per version of a pack's sources. compilePack reads and hashes every source,
 * and a published pack is one 17 MB bundle: hashing it for every run (analyze, remediate, stack
 * policies, per shard) cost more than an incremental evaluation's policies. The files' stamps
 * (stat only) tell when to hash again, so an edited pack still gets a fresh build and host.
 * The integrity of published artifacts is not this cache's job: the registry checks their
 * digest before each evaluation (registry/artifacts.ts).
 */
export class PackCompilations {
    private readonly known = new Map<string, { stamp: string; compiled: Promise<CompiledPack> }>();

    constructor(private readonly options: CompileOptions = {}) {}

    compile(packDirIn: string): Promise<CompiledPack> {
        const packDir = resolve(packDirIn);
        let stamp: string;
        try {
            stamp = packSourceStamp(packDir);
        } catch {
            // an unreadable folder: compilePack says what is wrong
            return compilePack(packDir, this.options);
        }
        const known = this.known.get(packDir);
        if (known?.stamp === stamp) return known.compiled;
        const compiled = compilePack(packDir, this.options);
        const entry = { stamp, compiled };
        this.known.set(packDir, entry);
        // a failure (missing dependencies, a syntax error) is not kept: the next run tries again
        void compiled.catch(() => this.known.get(packDir) === entry && this.known.delete(packDir));
        return compiled;
    }
}

export interface EsbuildLike {
    version: string;
    build(options: Record<string, unknown>): Promise<{ outputFiles?: { text: string }[] }>;
}

/**
 * esbuild's JS API finds its native binary relative to its own files, so it must be loaded
 * from its installed package at run time, never bundled into ours.
 */
export function loadEsbuild(): EsbuildLike {
    const req = createRequire(__filename);
    try {
        return req('esbuild') as EsbuildLike;
    } catch (e) {
        throw new RunnerError('build-failed', `esbuild is not installed next to ${__filename}; TypeScript policy packs cannot be compiled: ${(e as Error).message}`);
    }
}

export interface CompileOptions {
    /** Where compiled packs are cached. Default: <tmpdir>/policy-insights-packs. */
    cacheDir?: string;
}

/**
 * Prepares a pack to run: checks dependencies, compiles TypeScript (cached by content hash).
 * @throws RunnerError 'missing-dependencies' | 'build-failed' | 'load-failed'
 */
export async function compilePack(packDirIn: string, options: CompileOptions = {}): Promise<CompiledPack> {
    const packDir = resolve(packDirIn);
    const entryFile = findPackEntry(packDir);
    // A published artifact carries its dependencies inside its bundle.
    if (!isBundledPack(packDir)) checkPackDependencies(packDir);
    const isTs = TS_EXTENSIONS.has(extname(entryFile));
    const hash = createHash('sha256').update(relative(packDir, entryFile)).update('\0');
    hashPackSources(packDir, hash);
    if (!isTs) {
        const digest = hash.digest('hex');
        return { packDir, entryFile, codeFile: entryFile, loadAs: entryFile, digest };
    }
    const esbuild = loadEsbuild();
    hash.update(`esbuild@${esbuild.version}`);
    const digest = hash.digest('hex');
    const cacheDir = options.cacheDir ?? join(tmpdir(), 'policy-insights-packs');
    const codeFile = join(cacheDir, `${digest}.js`);
    const loadAs = join(packDir, '.policy-insights-entry.js');
    if (existsSync(codeFile)) return { packDir, entryFile, codeFile, loadAs, digest };

    let result: { outputFiles?: { text: string }[] };
    try {
        result = await esbuild.build({
            entryPoints: [entryFile],
            absWorkingDir: packDir,
            bundle: true,
            packages: 'external',
            platform: 'node',
            format: 'cjs',
            target: 'node20',
            sourcemap: 'inline',
            sourcesContent: false,
            write: false,
            outfile: loadAs,
            logLevel: 'silent',
        });
    } catch (e) {
        const errors = (e as { errors?: { text: string; location?: { file: string; line: number; column: number } | null }[] }).errors ?? [];
        const first = errors[0];
        const where = first?.location ? `${resolve(packDir, first.location.file)}:${first.location.line}:${first.location.column + 1}` : entryFile;
        const text = errors.length ? errors.map((err) => (err.location ? `${err.location.file}:${err.location.line}:${err.location.column + 1}: ${err.text}` : err.text)).join('\n') : (e as Error).message;
        throw new RunnerError('build-failed', `Policy pack ${packDir} does not compile (${where}):\n${text}`, {
            location: first?.location ? { file: resolve(packDir, first.location.file), line: first.location.line, column: first.location.column + 1 } : undefined,
        });
    }
    const code = result.outputFiles?.[0]?.text ?? '';
    mkdirSync(dirname(codeFile), { recursive: true });
    // Write then rename: two servers compiling the same pack never read a half-written file.
    const temp = `${codeFile}.${process.pid}.${Date.now()}.tmp`;
    writeFileSync(temp, code);
    renameSync(temp, codeFile);
    return { packDir, entryFile, codeFile, loadAs, digest };
}
