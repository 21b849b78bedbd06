// One script builds every bundle (the style notes: esbuild bundles, tsc only type-checks).
//   node esbuild.mjs              development build (source maps)
//   node esbuild.mjs --production minified, no source maps (what `npm run package` ships)
//   node esbuild.mjs --watch      rebuild on change
import * as esbuild from 'esbuild';
import { cpSync, mkdirSync, readdirSync, readFileSync, statSync, rmSync, writeFileSync } from 'node:fs';
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

/**
 * What CommonJS code expects in an ES module: require, __filename and __dirname. Chunks live in
 * out/cli/chunks/ but must see out/cli/ as their directory, as the single CommonJS bundle did,
 * because paths to out/server/packHost.js, out/node_modules and the templates are relative to it.
 */
function esmBanner(entryFile) {
    return [
        "import { createRequire as __cliCreateRequire } from 'node:module';",
        "import { fileURLToPath as __cliFileURLToPath } from 'node:url';",
        "import { dirname as __cliDirname, basename as __cliBasename, join as __cliJoin } from 'node:path';",
        'const __cliHere = __cliDirname(__cliFileURLToPath(import.meta.url));',
        "const __dirname = __cliBasename(__cliHere) === 'chunks' ? __cliDirname(__cliHere) : __cliHere;",
        `const __filename = __cliJoin(__dirname, '${entryFile}');`,
        'const require = __cliCreateRequire(__filename);',
    ].join('\n');
}
const CLI_ESM_BANNER = esmBanner('main.mjs');

/**
 * out/cli/cli.js, the `bin`: a CommonJS file (npm link and `node out/cli/cli.js` run it as the
 * repository's package.json says, CommonJS) that loads the ESM entry.
 */
const CLI_ENTRY = `#!/usr/bin/env node
// The policy-insights command line; the code is in main.mjs and its chunks (esbuild.mjs).
import('./main.mjs');
`;

/**
 * out/server/server.js, what the client starts: CommonJS (as package.json says) loading the ESM
 * server. The server is split like the CLI so that what it loads on demand (TypeScript for pack
 * documents, the scanners, the Kubernetes client) stays out of the process until used: one
 * bundle holds every module's source in memory whether or not it runs (bench/server-memory.mjs).
 */
const SERVER_ENTRY = `// The Policy Insights language server; the code is in server.mjs and its chunks (esbuild.mjs).
import('./server.mjs');
`;

function writeCliEntry() {
    mkdirSync('out/cli', { recursive: true });
    writeFileSync('out/cli/cli.js', CLI_ENTRY, { mode: 0o755 });
    mkdirSync('out/server', { recursive: true });
    writeFileSync('out/server/server.js', SERVER_ENTRY);
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
    // The language server: ESM split into chunks, loaded by out/server/server.js (writeCliEntry below).
    {
        ...node,
        format: 'esm',
        splitting: true,
        entryPoints: { server: 'server/src/server.ts' },
        outdir: 'out/server',
        outExtension: { '.js': '.mjs' },
        chunkNames: 'chunks/[name]-[hash]',
        define: {},
        banner: { js: esmBanner('server.js') },
    },
    // The out-of-process pack runner host.
    { ...node, entryPoints: { 'server/packHost': 'server/src/runner/host.ts' }, outdir: 'out' },
    // The CLI over the same services: ESM with code splitting, so each `await import()` in the
    // command tables becomes a chunk loaded only by the command that needs it (`--version` and
    // `--help` load no engine). Node runs .mjs as ESM whatever package.json says; out/cli/cli.js
    // (writeCliEntry below) is the `bin` that imports main.mjs.
    {
        ...node,
        format: 'esm',
        splitting: true,
        entryPoints: { main: 'server/src/cli.ts' },
        outdir: 'out/cli',
        outExtension: { '.js': '.mjs' },
        chunkNames: 'chunks/[name]-[hash]',
        define: {},
        // Bundled CommonJS packages call require() and read __dirname/__filename (the runner
        // finds out/server/packHost.js and esbuild from them); every chunk gets them, for
        // out/cli/ (a chunk in chunks/ takes its parent as its __dirname, see CLI_ESM_BANNER).
        banner: { js: CLI_ESM_BANNER },
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
    // The local Kubernetes API server (test/localk8s): cluster accounts are scanned against it.
    builds.push({ ...node, entryPoints: { 'test/localk8s': 'test/localk8s/main.ts' }, outdir: 'out' });
    // unit/: plain Node; browser/: webview pages in Chromium; lsp/: the server over stdio (test/run-all.mjs runs each as a rung).
    const nodeTests = [...testFiles('test/unit'), ...testFiles('test/browser'), ...testFiles('test/lsp')];
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
    writeCliEntry();
    console.log('esbuild: watching');
} else {
    const started = Date.now();
    await Promise.all(builds.map((b) => esbuild.build(b)));
    writeCliEntry();
    if (production) shipEsbuild();
    console.log(`esbuild: ${builds.length} bundles in ${Date.now() - started} ms${production ? ' (production)' : ''}`);
}
