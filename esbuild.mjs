// One script builds every bundle (STYLE.md: esbuild bundles, tsc only type-checks).
//   node esbuild.mjs              development build (source maps)
//   node esbuild.mjs --production minified, no source maps (what `npm run package` ships)
//   node esbuild.mjs --watch      rebuild on change
import * as esbuild from 'esbuild';
import { cpSync, readdirSync, readFileSync, statSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** Every *.test.ts (and *.child.ts: scripts the tests spawn as processes) below dir, recursively. */
function testFiles(dir) {
    const out = [];
    for (const entry of readdirSync(dir)) {
        const path = join(dir, entry);
        if (statSync(path).isDirectory()) out.push(...testFiles(path));
        else if (entry.endsWith('.test.ts') || entry.endsWith('.child.ts')) out.push(path);
    }
    return out;
}

const node = {
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: production ? false : 'linked',
    minify: production,
    logLevel: 'warning',
    // lowdb and friends are ESM-only; bundling them into CommonJS is fine, but
    // `import.meta.url` must not be left dangling.
    define: { 'import.meta.url': '__importMetaUrl' },
    banner: { js: "const __importMetaUrl = require('url').pathToFileURL(__filename).href;" },
};

/** @type {esbuild.BuildOptions[]} */
const builds = [
    // Extension host: `vscode` is provided at run time.
    { ...node, entryPoints: { 'client/extension': 'client/src/extension.ts' }, external: ['vscode'], outdir: 'out' },
    // The language server and the out-of-process pack runner host.
    {
        ...node,
        entryPoints: { 'server/server': 'server/src/server.ts', 'server/packRunner': 'server/src/packs/runner/host.ts' },
        outdir: 'out',
    },
    // The CLI over the same services.
    {
        ...node,
        entryPoints: { 'cli/cli': 'server/src/cli.ts' },
        outdir: 'out',
        banner: { js: '#!/usr/bin/env node\n' + node.banner.js },
    },
    // Webviews: browser code, one bundle per panel.
    {
        bundle: true,
        platform: 'browser',
        target: 'es2022',
        format: 'iife',
        sourcemap: production ? false : 'inline',
        minify: production,
        logLevel: 'warning',
        entryPoints: { 'webviews/violations': 'webviews/src/violations/main.ts' },
        outdir: 'out',
    },
];

if (!production) {
    // Tests: the VS Code suite (loaded through --extensionTestsPath) and the node --test files.
    builds.push({
        ...node,
        entryPoints: { 'test/index': 'test/vscode/index.ts' },
        external: ['vscode', 'mocha'],
        outdir: 'out',
    });
    // The local AWS (test/localaws): tests, benches and `npm start`'s demo account scan it.
    builds.push({ ...node, entryPoints: { 'test/localaws': 'test/localaws/main.ts' }, outdir: 'out' });
    const nodeTests = [...testFiles('test/unit'), ...testFiles('test/lsp')];
    if (nodeTests.length) {
        builds.push({
            ...node,
            entryPoints: nodeTests,
            outbase: 'test',
            outdir: 'out/test',
            // Tests reach real packages (the SDK a pack uses, the AWS SDK against the local AWS) as installed.
            packages: 'external',
        });
    }
}

if (!watch) rmSync('out', { recursive: true, force: true });

/**
 * esbuild cannot be bundled (its JS API starts its native binary from its own package), yet
 * the server and the CLI need it to compile TypeScript packs and bundle artifacts. A
 * production build copies it, with this platform's binary package, to out/node_modules,
 * where require() from out/server and out/cli finds it; the .vsix is therefore built
 * per platform.
 */
function shipEsbuild() {
    const binaryPackage = Object.keys(JSON.parse(readFileSync('node_modules/esbuild/package.json', 'utf8')).optionalDependencies ?? {}).find(
        (name) => name === `@esbuild/${process.platform}-${process.arch}`,
    );
    if (!binaryPackage) throw new Error(`esbuild has no binary package for ${process.platform}-${process.arch}`);
    for (const pkg of ['esbuild', binaryPackage]) cpSync(`node_modules/${pkg}`, `out/node_modules/${pkg}`, { recursive: true });
}

if (watch) {
    const contexts = await Promise.all(builds.map((b) => esbuild.context(b)));
    await Promise.all(contexts.map((c) => c.watch()));
    console.log('esbuild: watching');
} else {
    const started = Date.now();
    await Promise.all(builds.map((b) => esbuild.build(b)));
    if (production) shipEsbuild();
    console.log(`esbuild: ${builds.length} bundles in ${Date.now() - started} ms${production ? ' (production)' : ''}`);
}
