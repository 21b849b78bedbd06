// A real VS Code for the test ladder's top rungs: code-server from npm, plus Debian's
// Chromium to drive it. Everything is installed on first use, logged step by step, and
// skipped (in well under a second) once present. See the environment notes (shared with the project, not in the repository) for why
// each step is needed on these machines (no internet except npm and Debian apt).
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is test/harness/codeServer.mjs). */
export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Newest code-server that runs on Node 20 (VS Code 1.100.3). */
export const CODE_SERVER_VERSION = '4.100.3';
/**
 * Where code-server is installed: outside the repository on purpose. When code-server lives
 * below the extensionDevelopmentPath (the repository), the Extension Development Host
 * mistakes its built-in extensions for ones under development and ignores the user's
 * `workbench.colorTheme` (seen with 4.100.3: always Light+). Override with
 * POLICY_INSIGHTS_CODE_SERVER_DIR.
 */
const CODE_SERVER_PREFIX = resolve(
    process.env.POLICY_INSIGHTS_CODE_SERVER_DIR ??
        join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'policy-insights', `code-server-${CODE_SERVER_VERSION}`),
);
const CODE_SERVER_PACKAGE = join(CODE_SERVER_PREFIX, 'node_modules', 'code-server');
/** Written only after a complete install, so an interrupted one is redone. */
const INSTALLED_MARKER = join(CODE_SERVER_PREFIX, `.installed-${CODE_SERVER_VERSION}`);

export const CHROMIUM = '/usr/bin/chromium';
/** Chromium flags that work as root in a container without a GPU (the environment notes). */
export const CHROMIUM_ARGS = [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
];

const RIPGREP_CACHE_ARCHIVE = join(
    tmpdir(),
    'vscode-ripgrep-cache-1.15.11',
    'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz',
);

/** Prints one install/harness step with the time since the process started. */
export function log(message) {
    const seconds = (performance.now() / 1000).toFixed(1).padStart(6);
    console.log(`[harness ${seconds}s] ${message}`);
}

/** Runs a command with inherited output; throws with `whatToDo` when it fails. */
function run(command, args, { env, whatToDo } = {}) {
    log(`$ ${command} ${args.join(' ')}`);
    const started = Date.now();
    const result = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, ...env } });
    if (result.error || result.status !== 0) {
        const why = result.error ? result.error.message : `exit code ${result.status}`;
        throw new Error(`\`${command} ${args.join(' ')}\` failed (${why}).${whatToDo ? ` ${whatToDo}` : ''}`);
    }
    log(`  done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

function isDebPackageInstalled(name) {
    const result = spawnSync('dpkg-query', ['-W', '-f=${Status}', name], { encoding: 'utf8' });
    return result.status === 0 && result.stdout.includes('install ok installed');
}

let aptUpdated = false;
/** Installs the Debian packages that are missing; `apt-get update` runs at most once per process. */
export function ensureDebPackages(names, why) {
    const missing = names.filter((name) => !isDebPackageInstalled(name));
    if (missing.length === 0) return;
    log(`installing Debian packages ${missing.join(', ')} (${why})`);
    const whatToDo = `Install them by hand as root: apt-get update && apt-get install -y ${missing.join(' ')}`;
    if (process.getuid?.() !== 0) {
        throw new Error(`Debian packages ${missing.join(', ')} are missing and this is not root, so they cannot be installed here. ${whatToDo}`);
    }
    const env = { DEBIAN_FRONTEND: 'noninteractive' };
    if (!aptUpdated) {
        run('apt-get', ['update'], { env, whatToDo });
        aptUpdated = true;
    }
    run('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { env, whatToDo });
}

/** @vscode/ripgrep downloads rg from GitHub at install time; give it Debian's rg from its cache instead. */
function seedRipgrepCache() {
    if (existsSync(RIPGREP_CACHE_ARCHIVE)) return;
    log(`packing /usr/bin/rg into ${RIPGREP_CACHE_ARCHIVE} (code-server's @vscode/ripgrep cannot download it offline)`);
    const staging = mkdtempSync(join(tmpdir(), 'rg-staging-'));
    try {
        copyFileSync('/usr/bin/rg', join(staging, 'rg'));
        chmodSync(join(staging, 'rg'), 0o755);
        mkdirSync(dirname(RIPGREP_CACHE_ARCHIVE), { recursive: true });
        run('tar', ['-czf', RIPGREP_CACHE_ARCHIVE, '-C', staging, 'rg']);
    } finally {
        rmSync(staging, { recursive: true, force: true });
    }
}

function installedCodeServerVersion() {
    try {
        return JSON.parse(readFileSync(join(CODE_SERVER_PACKAGE, 'package.json'), 'utf8')).version;
    } catch {
        return undefined;
    }
}

/**
 * Installs code-server into CODE_SERVER_PREFIX unless it is already there,
 * and returns the path of its entry script (run it with this Node).
 */
export function ensureCodeServer() {
    const entry = join(CODE_SERVER_PACKAGE, 'out', 'node', 'entry.js');
    if (existsSync(INSTALLED_MARKER) && installedCodeServerVersion() === CODE_SERVER_VERSION && existsSync(entry)) {
        return entry;
    }
    const started = Date.now();
    log(`installing code-server@${CODE_SERVER_VERSION} into ${CODE_SERVER_PREFIX} (first use; about 2 minutes, 300 MB)`);
    ensureDebPackages(['libkrb5-dev', 'ripgrep'], "code-server's native modules and its search");
    seedRipgrepCache();
    mkdirSync(CODE_SERVER_PREFIX, { recursive: true });
    // A package.json of its own keeps npm from treating the repository as the project.
    writeFileSync(join(CODE_SERVER_PREFIX, 'package.json'), JSON.stringify({ name: 'code-server-cache', private: true }, null, 2) + '\n');
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const npmArgs = ['install', '--prefix', CODE_SERVER_PREFIX, '--no-audit', '--no-fund', '--no-save', `code-server@${CODE_SERVER_VERSION}`];
    // code-server's install refuses root without unsafe-perm, and its `npx node-gyp` step prompts without yes.
    const env = { npm_config_unsafe_perm: 'true', npm_config_yes: 'true' };
    const whatToDo = `See the npm output above; on Debian, \`apt-get install -y libkrb5-dev ripgrep libsecret-1-dev libx11-dev libxkbfile-dev\` then rerun. Or remove ${CODE_SERVER_PREFIX} and retry.`;
    try {
        run(npm, npmArgs, { env, whatToDo });
    } catch (firstFailure) {
        // Some builds of its native modules also want these headers; add them and retry once.
        log(`code-server install failed (${firstFailure.message.split('\n')[0]}); adding libsecret/x11/xkbfile headers and retrying once`);
        ensureDebPackages(['libsecret-1-dev', 'libx11-dev', 'libxkbfile-dev'], "code-server's native modules");
        run(npm, npmArgs, { env, whatToDo });
    }
    if (installedCodeServerVersion() !== CODE_SERVER_VERSION || !existsSync(entry)) {
        throw new Error(`code-server@${CODE_SERVER_VERSION} install finished but ${entry} is missing. Remove ${CODE_SERVER_PREFIX} and retry.`);
    }
    writeFileSync(INSTALLED_MARKER, new Date().toISOString() + '\n');
    log(`code-server@${CODE_SERVER_VERSION} installed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    return entry;
}

/** Installs Debian's Chromium if /usr/bin/chromium is missing; returns its path. */
export function ensureChromium() {
    if (existsSync(CHROMIUM)) return CHROMIUM;
    const started = Date.now();
    ensureDebPackages(['chromium'], 'the browser that drives code-server in the vscode and e2e tests');
    if (!existsSync(CHROMIUM)) throw new Error(`apt-get installed chromium but ${CHROMIUM} is missing.`);
    log(`chromium installed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    return CHROMIUM;
}

/** Settings that keep the workbench quiet and screenshots stable: one theme; no welcome page, tips, telemetry, trust prompt or update checks. */
export const QUIET_USER_SETTINGS = {
    // Pinned so screenshots do not change with VS Code's default theme.
    'workbench.colorTheme': 'Default Light Modern',
    'workbench.startupEditor': 'none',
    'workbench.welcomePage.walkthroughs.openOnInstall': false,
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'telemetry.telemetryLevel': 'off',
    'security.workspace.trust.enabled': false,
    'update.mode': 'none',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'extensions.ignoreRecommendations': true,
    'chat.commandCenter.enabled': false,
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
    'window.commandCenter': false,
    'git.openRepositoryInParentFolders': 'never',
};

/** A free TCP port on 127.0.0.1. */
export function freePort() {
    return new Promise((resolvePort, reject) => {
        const server = createServer();
        server.unref();
        server.on('error', reject);
        server.listen(0, '127.0.0.1', () => {
            const { port } = server.address();
            server.close(() => resolvePort(port));
        });
    });
}

/** Process groups of the code-servers this process started and has not stopped yet. */
const runningGroups = new Set();
let cleanupInstalled = false;
/**
 * code-server runs in its own process group (so stop() reaches the extension host too),
 * which also means it would outlive this process if this process were killed. Kill the
 * groups on exit, and turn SIGINT/SIGTERM into an exit unless the script handles them.
 */
function killGroupsOnExit() {
    if (cleanupInstalled) return;
    cleanupInstalled = true;
    process.on('exit', () => {
        for (const pid of runningGroups) {
            try { process.kill(-pid, 'SIGKILL'); } catch { /* already gone */ }
        }
    });
    for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]]) {
        process.on(signal, () => {
            if (process.listenerCount(signal) === 1) process.exit(code);
        });
    }
}

async function answersHttp(url) {
    try {
        const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
        await response.arrayBuffer();
        return response.status < 500;
    } catch {
        return false;
    }
}

/**
 * Starts code-server on 127.0.0.1 and resolves once it answers HTTP.
 * @param {{ folder: string, port?: number, userDataDir: string, extensionsDir: string,
 *           env?: Record<string, string>, logFile?: string, settings?: object, timeoutMs?: number }} args
 * @returns {Promise<{ url: string, port: number, logFile: string, logTail(lines?: number): string,
 *                    exited: Promise<{ code: number | null, signal: string | null }>, stop(): Promise<void> }>}
 */
export async function startCodeServer({ folder, port, userDataDir, extensionsDir, env = {}, logFile, settings = {}, timeoutMs = 60_000 }) {
    const entry = ensureCodeServer();
    port ??= await freePort();
    mkdirSync(join(userDataDir, 'User'), { recursive: true });
    mkdirSync(extensionsDir, { recursive: true });
    writeFileSync(join(userDataDir, 'User', 'settings.json'), JSON.stringify({ ...QUIET_USER_SETTINGS, ...settings }, null, 2) + '\n');
    logFile ??= join(userDataDir, 'code-server.log');
    const logStream = createWriteStream(logFile, { flags: 'a' });
    const args = [
        entry,
        '--auth', 'none',
        '--bind-addr', `127.0.0.1:${port}`,
        '--disable-telemetry',
        '--disable-update-check',
        '--disable-workspace-trust',
        '--disable-getting-started-override',
        '--user-data-dir', userDataDir,
        '--extensions-dir', extensionsDir,
        folder,
    ];
    log(`starting code-server on 127.0.0.1:${port} (log: ${logFile})`);
    // Its own process group, so stop() also ends the extension host and watchers it forks.
    const child = spawn(process.execPath, args, {
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
    });
    killGroupsOnExit();
    runningGroups.add(child.pid);
    let tail = '';
    const keep = (chunk) => {
        logStream.write(chunk);
        tail = (tail + chunk.toString()).slice(-20_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let exited = null;
    const exitedPromise = new Promise((resolveExit) => child.on('exit', (code, signal) => {
        exited = { code, signal };
        resolveExit(exited);
    }));
    const logTail = (lines = 40) => tail.split('\n').slice(-lines).join('\n');

    let stopping;
    const stop = () => {
        stopping ??= (async () => {
            if (exited === null) {
                try { process.kill(-child.pid, 'SIGTERM'); } catch { /* already gone */ }
                const killTimer = setTimeout(() => {
                    try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ }
                }, 5000);
                await exitedPromise;
                clearTimeout(killTimer);
            }
            // Children that outlived code-server itself (extension host, watchers).
            try { process.kill(-child.pid, 'SIGKILL'); } catch { /* none left */ }
            runningGroups.delete(child.pid);
            await new Promise((done) => logStream.end(done));
        })();
        return stopping;
    };

    const url = `http://127.0.0.1:${port}/`;
    const deadline = Date.now() + timeoutMs;
    while (!(await answersHttp(`${url}healthz`))) {
        if (exited !== null) {
            await stop();
            throw new Error(`code-server exited (${exited.code ?? exited.signal}) before answering on ${url}. Its log:\n${logTail()}`);
        }
        if (Date.now() > deadline) {
            await stop();
            throw new Error(`code-server did not answer on ${url} within ${timeoutMs / 1000} s. Its log:\n${logTail()}`);
        }
        await new Promise((wait) => setTimeout(wait, 250));
    }
    log(`code-server answers on ${url}`);
    return { url, port, logFile, logTail, exited: exitedPromise, stop };
}

/**
 * The workbench URL that opens `folder` in code-server, optionally loading an extension
 * under development (and its test runner) through the `payload` query the workbench reads
 * the way desktop VS Code reads --extensionDevelopmentPath/--extensionTestsPath.
 */
export function workbenchUrl(port, { folder, extensionDevelopmentPath, extensionTestsPath }) {
    const remote = (path) => `vscode-remote://127.0.0.1:${port}${path}`;
    const payload = [];
    if (extensionDevelopmentPath) payload.push(['extensionDevelopmentPath', remote(extensionDevelopmentPath)]);
    if (extensionTestsPath) payload.push(['extensionTestsPath', remote(extensionTestsPath)]);
    let url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(folder)}`;
    if (payload.length) url += `&payload=${encodeURIComponent(JSON.stringify(payload))}`;
    return url;
}

/** Launches Chromium through playwright-core (headless unless `headed`). */
export async function launchChromium({ headed = false } = {}) {
    const executablePath = ensureChromium();
    const { chromium } = await import('playwright-core');
    return chromium.launch({ executablePath, headless: !headed, args: CHROMIUM_ARGS });
}
