// The packaged extension as a user installs it: `npm run package` builds out/policy-insights.vsix,
// code-server installs it into an empty extensions dir, and a workbench opened WITHOUT
// extensionDevelopmentPath shows the Policy Insights views from the installed copy.
//
//   node --test test/harness/vsixCheck.mjs
//
// `npm run package` replaces out/ with the production build; the dev build is restored after.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { REPO, ensureCodeServer, ensureDebPackages, launchChromium, log, startCodeServer, workbenchUrl } from './codeServer.mjs';
import { checkViews, contributedViews, openContainer, waitForActivation, waitForViewsIdle } from './workbench.mjs';

const EXTENSION_ID = 'policy-insights.policy-insights';
const temp = mkdtempSync(join(tmpdir(), 'policy-insights-vsix-'));
const vsix = join(temp, 'policy-insights.vsix');
const extensionsDir = join(temp, 'extensions');
const userDataDir = join(temp, 'user-data');
/** The checkout to package; another copy only while developing the harness itself. */
const packageFrom = resolve(process.env.POLICY_INSIGHTS_PACKAGE_FROM ?? REPO);

/** Runs a command in the repository; throws with its output when it fails. */
function runInRepo(command, args) {
    log(`$ ${command} ${args.join(' ')}`);
    // stdin closed: vsce's "continue? [y/N]" questions must fail the check, not hang it.
    const result = spawnSync(command, args, { cwd: packageFrom, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
    if (result.status !== 0) throw new Error(`\`${command} ${args.join(' ')}\` failed (${result.error?.message ?? `exit ${result.status}`}):\n${output}`);
    return output;
}

/** The vsix's entries (paths inside the zip) and `unzip -l`'s listing. */
function listVsix() {
    ensureDebPackages(['unzip'], 'listing the files in the vsix');
    const listing = runInRepo('unzip', ['-l', vsix]);
    const entries = listing
        .split('\n')
        .map((line) => line.match(/^\s*\d+\s+\S+\s+\S+\s+(.+)$/)?.[1])
        .filter((name) => name && name !== 'Name');
    return { listing, entries };
}

/** Each later test needs the package; say so once, plainly, when packaging failed. */
function requireVsix() {
    assert.ok(existsSync(vsix), 'no vsix to check: `npm run package` failed (see the first test)');
}

test('npm run package builds out/policy-insights.vsix', () => {
    runInRepo('npm', ['run', 'package']);
    const built = join(packageFrom, 'out', 'policy-insights.vsix');
    assert.ok(existsSync(built), `npm run package succeeded but wrote no ${built}`);
    // Kept outside out/, which the dev build (after) wipes.
    copyFileSync(built, vsix);
});

after(() => {
    // Give the other rungs and `npm start` their development build back.
    runInRepo(process.execPath, ['esbuild.mjs']);
    rmSync(temp, { recursive: true, force: true });
});

test('the vsix holds the bundles, the manifest and esbuild, and no sources, maps, tests or other node_modules', () => {
    requireVsix();
    const { listing, entries } = listVsix();
    const sizeKb = (statSync(vsix).size / 1024).toFixed(0);
    console.log(`vsix: ${sizeKb} KB, ${entries.length} entries\n${listing}`);
    for (const required of ['extension/package.json', 'extension/out/client/extension.js', 'extension/out/server/server.js', 'extension/out/cli/cli.js', 'extension/out/cli/main.mjs']) {
        assert.ok(entries.includes(required), `${required} is missing from the vsix`);
    }
    assert.ok(entries.some((name) => /^extension\/out\/cli\/chunks\/[^/]+\.mjs$/.test(name)), 'the CLI chunks (out/cli/chunks/*.mjs) are missing from the vsix');
    // esbuild ships on purpose (it compiles TypeScript packs at run time): its JS API and this platform's binary only.
    const esbuild = /^extension\/out\/node_modules\/(esbuild\/(package\.json|lib\/main\.js)|@esbuild\/[^/]+\/(package\.json|bin\/esbuild))$/;
    assert.equal(entries.filter((name) => esbuild.test(name)).length, 4, 'esbuild (package.json, lib/main.js) and its platform binary package must ship');
    const unwanted = entries.filter((name) =>
        /\.map$|\.tsx?$|(^|\/)node_modules\/|^extension\/(test|client\/src|server\/src|webviews\/src|bench)\/|^extension\/out\/test\//.test(name) &&
        !name.startsWith('extension/templates/') && !esbuild.test(name));
    assert.deepEqual(unwanted, [], 'the vsix ships files the .vscodeignore allow-list should keep out');
});

test('the CLI runs from the unpacked vsix: --version, and validate loads a scaffolded pack (chunks, runner host, esbuild)', () => {
    requireVsix();
    const unpacked = join(temp, 'unpacked');
    runInRepo('unzip', ['-q', vsix, '-d', unpacked]);
    const cli = join(unpacked, 'extension', 'out', 'cli', 'cli.js');
    const run = (...args) => spawnSync(process.execPath, [cli, ...args, '--home', join(temp, 'cli-home')], { cwd: temp, encoding: 'utf8' });
    const version = run('--version');
    assert.equal(version.status, 0, version.stderr);
    assert.match(version.stdout, /^\d+\.\d+\.\d+/);
    const pack = join(temp, 'cli-pack');
    const created = run('policy', 'new', 'aws-typescript', '--dir', pack, '--generate-only');
    assert.equal(created.status, 0, created.stderr);
    // The pack's own dependencies (as `npm install` would give it), from this checkout.
    symlinkSync(join(REPO, 'node_modules'), join(pack, 'node_modules'), 'dir');
    const validated = run('policy', 'validate', pack);
    assert.equal(validated.status, 0, `${validated.stdout}${validated.stderr}`);
    assert.match(validated.stdout, /0 error\(s\), 0 warning\(s\)/);
});

test('code-server installs the vsix', () => {
    requireVsix();
    const entry = ensureCodeServer();
    const output = runInRepo(process.execPath, [entry, '--install-extension', vsix, '--extensions-dir', extensionsDir, '--user-data-dir', userDataDir]);
    assert.match(output, /successfully installed/i, output);
    const installed = readdirSync(extensionsDir).filter((name) => name.startsWith(`${EXTENSION_ID}-`));
    assert.equal(installed.length, 1, `extensions dir holds ${JSON.stringify(readdirSync(extensionsDir))}`);
});

test('the installed extension activates and shows its views without extensionDevelopmentPath', async () => {
    requireVsix();
    assert.ok(existsSync(extensionsDir), 'code-server did not install the vsix (see the test before)');
    const workspace = join(temp, 'demo-workspace');
    cpSync(join(REPO, 'test', 'fixtures', 'demo-workspace'), workspace, { recursive: true });
    mkdirSync(join(temp, 'home'));
    const server = await startCodeServer({
        folder: workspace,
        userDataDir,
        extensionsDir,
        env: { POLICY_INSIGHTS_HOME: join(temp, 'home') },
    });
    const browser = await launchChromium();
    try {
        const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
        await page.goto(workbenchUrl(server.port, { folder: workspace }));
        const installedDir = readdirSync(extensionsDir).find((name) => name.startsWith(`${EXTENSION_ID}-`));
        const { title, views } = contributedViews(join(extensionsDir, installedDir, 'package.json'));
        await openContainer(page, title);
        await checkViews(page, views);
        const activation = await waitForActivation(userDataDir, EXTENSION_ID);
        assert.doesNotMatch(activation, /extensionDevelopment/i);
        await waitForViewsIdle(page);
        const screenshots = join(REPO, 'test', 'e2e', 'screenshots');
        mkdirSync(screenshots, { recursive: true });
        await page.screenshot({ path: join(screenshots, 'vsix.png') });
        const title_ = await page.title();
        assert.doesNotMatch(title_, /Extension Development Host/, 'the workbench loaded the development copy, not the installed one');
    } finally {
        await browser.close();
        await server.stop();
    }
});
