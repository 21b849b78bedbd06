// The demo's state, built through the real `policy-insights` CLI so the demo shows exactly
// what a user gets by typing the commands: shared by `npm start` (test/harness/start.mjs)
// and the e2e tests (test/e2e/), which seed the same state into a temporary home.
//
// What a seeded home holds:
//   - aws-typescript (published from the workspace's policy-pack/, so the Policy Packs
//     tree and the pack open in the editor agree) and aws-compliance-typescript (scaffolded
//     into packsDir), both enabled at `latest` in default-policy-group;
//   - insights-aws-account: the local AWS (out/test/localaws.js serving
//     test/fixtures/aws/demo-account.json) in us-west-2 and us-east-1, scanned;
//   - demo-stack: the workspace's demo-infra/demo-infra.dev.export.json, imported.
import { spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { REPO } from './codeServer.mjs';

/** The local AWS port `npm start` uses; fixed, because the seeded account stores its endpoint. */
export const DEMO_AWS_PORT = 45660;
export const DEMO_AWS_ACCOUNT = 'insights-aws-account';
export const DEMO_AWS_REGIONS = ['us-west-2', 'us-east-1'];
export const DEMO_STACK_ACCOUNT = 'demo-stack';
/** The workspace's pack (policy-pack/) is published under this name. */
export const DEMO_WORKSPACE_PACK = 'aws-typescript';
export const DEMO_PACKS = [DEMO_WORKSPACE_PACK, 'aws-compliance-typescript'];

/**
 * The scanner's credentials for the local AWS (test/fixtures/aws/demo-account.json knows
 * this key). The CLI and code-server both get them, so scans started from the extension
 * sign their requests the same way.
 */
export const DEMO_AWS_ENV = {
    AWS_ACCESS_KEY_ID: 'AKIADEMOSCANNER00001',
    AWS_SECRET_ACCESS_KEY: 'demo/scanner/secret/key/000000000000001',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

/** Written last by a complete seed; a home without it is wiped and seeded again. */
const SEEDED_MARKER = '.demo-seeded';
const CLI = join(REPO, 'out', 'cli', 'cli.js');
const LOCAL_AWS = join(REPO, 'out', 'test', 'localaws.js');
const AWS_FIXTURE = join(REPO, 'test', 'fixtures', 'aws', 'demo-account.json');

/** Resolves whether something already listens on 127.0.0.1:port. */
function portInUse(port) {
    return new Promise((resolveProbe) => {
        const probe = createServer();
        probe.once('error', (err) => resolveProbe(err.code === 'EADDRINUSE' || err.code === 'EACCES'));
        probe.listen(port, '127.0.0.1', () => probe.close(() => resolveProbe(false)));
    });
}

/**
 * Starts the local AWS on 127.0.0.1 (`port` 0: any free port) and resolves once it prints
 * its URL. Throws, saying who to stop, when the port is taken.
 * @returns {Promise<{ url: string, port: number, stop(): Promise<void>, exited: Promise<number | null> }>}
 */
export async function startLocalAws({ port = DEMO_AWS_PORT } = {}) {
    if (!existsSync(LOCAL_AWS)) throw new Error(`${LOCAL_AWS} is missing: build first (node esbuild.mjs)`);
    if (port !== 0 && (await portInUse(port))) {
        throw new Error(
            `port ${port} on 127.0.0.1, where the demo's local AWS listens, is already in use ` +
            `(another \`npm start\` still running?). Stop that process (\`ss -ltnp 'sport = :${port}'\` shows it) and run npm start again.`,
        );
    }
    const child = spawn(process.execPath, [LOCAL_AWS, '--fixture', AWS_FIXTURE, '--port', String(port)], {
        stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const exited = new Promise((resolveExit) => child.on('exit', (code) => resolveExit(code)));
    const url = await new Promise((resolveUrl, reject) => {
        const onData = (chunk) => {
            output += chunk.toString();
            const found = output.match(/http:\/\/127\.0\.0\.1:\d+/);
            if (found) resolveUrl(found[0]);
        };
        child.stdout.on('data', onData);
        child.stderr.on('data', (chunk) => { output += chunk.toString(); });
        exited.then((code) => reject(new Error(`the local AWS (${LOCAL_AWS}) exited with code ${code} before listening:\n${output}`)));
        setTimeout(() => reject(new Error(`the local AWS printed no URL within 20 s:\n${output}`)), 20_000).unref();
    });
    const stop = async () => {
        if (child.exitCode === null && child.signalCode === null) {
            child.kill('SIGTERM');
            await exited;
        }
    };
    // This process may end without calling stop() (an uncaught error): take the server along.
    process.once('exit', () => child.kill('SIGKILL'));
    return { url, port: Number(new URL(url).port), stop, exited };
}

/**
 * Runs the CLI with the demo's environment; resolves with its stdout, throws with its
 * output when it exits non-zero (for a scan, exit 1 means every service failed).
 */
function cli(args, { home }) {
    return new Promise((resolveRun, reject) => {
        const child = spawn(process.execPath, [CLI, ...args], {
            cwd: REPO,
            env: { ...process.env, ...DEMO_AWS_ENV, POLICY_INSIGHTS_HOME: home },
            stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (chunk) => { stdout += chunk; });
        child.stderr.on('data', (chunk) => { stderr += chunk; });
        child.on('error', reject);
        child.on('close', (code) => {
            if (code === 0) resolveRun(stdout);
            else reject(new Error(`\`policy-insights ${args.join(' ')}\` (home ${home}) failed with exit code ${code}:\n${stdout}${stderr}`));
        });
    });
}

/** Links the repository's node_modules into a pack or program folder (packs need @pulumi/policy to run; the editor needs the types). */
export function linkNodeModules(folder) {
    const link = join(folder, 'node_modules');
    let present = false;
    try {
        present = Boolean(lstatSync(link));
    } catch { /* missing */ }
    // Kept when it resolves (a link from an earlier run, or a real install); a link left dangling by a moved clone is replaced.
    if (present && existsSync(link)) return;
    if (present) rmSync(link, { force: true });
    symlinkSync(join(REPO, 'node_modules'), link, 'dir');
}

/** The stack state in a demo workspace. */
export function demoStackState(workspace) {
    return join(workspace, 'demo-infra', 'demo-infra.dev.export.json');
}

/**
 * Publishes the pack in `folder` (a version whose versionTag is its package.json version).
 * @returns {Promise<string>} the CLI's output
 */
export function publishPack(folder, home) {
    linkNodeModules(folder);
    return cli(['policy', 'publish', folder], { home });
}

/** Scans both demo accounts (and evaluates them); resolves with the time it took in ms. */
export async function rescanDemo(home) {
    const started = Date.now();
    await cli(['account', 'scan', DEMO_AWS_ACCOUNT], { home });
    await cli(['account', 'scan', DEMO_STACK_ACCOUNT], { home });
    return Date.now() - started;
}

/**
 * Makes `home` the seeded demo: seeds it when it is new (or an earlier seed did not
 * finish), else rescans. `awsEndpoint` is the local AWS's URL, stored in the account.
 * @param {{ home: string, workspace: string, packsDir: string, awsEndpoint: string, log?: (message: string) => void }} args
 * @returns {Promise<{ seeded: boolean, ms: number }>}
 */
export async function ensureDemo({ home, workspace, packsDir, awsEndpoint, log = () => {} }) {
    const started = Date.now();
    const marker = join(home, SEEDED_MARKER);
    if (existsSync(marker)) {
        const seededFor = readFileSync(marker, 'utf8').trim();
        if (seededFor === awsEndpoint) {
            log(`demo home ${home} is seeded; rescanning ${DEMO_AWS_ACCOUNT} and ${DEMO_STACK_ACCOUNT}`);
            linkNodeModules(join(workspace, 'policy-pack'));
            linkNodeModules(join(workspace, 'demo-infra'));
            await rescanDemo(home);
            return { seeded: false, ms: Date.now() - started };
        }
        log(`demo home ${home} was seeded for a local AWS at ${seededFor}, not ${awsEndpoint}: seeding it again`);
    } else if (existsSync(home)) {
        log(`demo home ${home} has no complete seed: seeding it again`);
    }
    rmSync(home, { recursive: true, force: true });
    mkdirSync(home, { recursive: true });

    log(`publishing ${DEMO_WORKSPACE_PACK} from ${join(workspace, 'policy-pack')}`);
    const workspacePack = join(workspace, 'policy-pack');
    linkNodeModules(join(workspace, 'demo-infra'));
    const published = [publishPack(workspacePack, home)];
    for (const template of DEMO_PACKS.filter((name) => name !== DEMO_WORKSPACE_PACK)) {
        const folder = join(packsDir, template);
        log(`scaffolding and publishing ${template} (in ${folder})`);
        rmSync(folder, { recursive: true, force: true });
        mkdirSync(packsDir, { recursive: true });
        await cli(['policy', 'new', template, '--dir', folder, '--generate-only'], { home });
        published.push(publishPack(folder, home));
    }
    // The account can be added while the packs publish: different parts of the store, and the store locks across processes.
    published.push(
        cli(['account', 'add', DEMO_AWS_ACCOUNT, '--provider', 'aws', '--regions', DEMO_AWS_REGIONS.join(','), '--endpoint', awsEndpoint], { home }),
        cli(['account', 'add', DEMO_STACK_ACCOUNT, '--provider', 'pulumi-stack', '--state', demoStackState(workspace)], { home }),
    );
    await Promise.all(published);
    for (const pack of DEMO_PACKS) {
        log(`enabling ${pack}@latest in default-policy-group`);
        await cli(['policy', 'enable', pack, 'latest'], { home });
    }
    log(`scanning ${DEMO_AWS_ACCOUNT} (${awsEndpoint}) and ${DEMO_STACK_ACCOUNT}`);
    await rescanDemo(home);
    writeFileSync(marker, `${awsEndpoint}\n`);
    return { seeded: true, ms: Date.now() - started };
}

/**
 * What the demo holds, as lines for a person: packs, accounts with resource counts, open
 * violations by account.
 */
export async function describeDemo(home) {
    const packs = JSON.parse(await cli(['policy', 'ls', '--json'], { home }));
    const accounts = JSON.parse(await cli(['account', 'ls', '--json'], { home }));
    const { violations } = JSON.parse(await cli(['violations', '--json', '--limit', '100000'], { home }));
    const lines = [];
    // `policy ls --json` is Pulumi's shape: one entry per pack with its version tags
    const versions = new Map(packs.map((p) => [p.name, p.versions]));
    for (const [name, tags] of versions) lines.push(`policy pack  ${name} ${tags.join(', ')} (enabled at latest in default-policy-group)`);
    for (const a of accounts) {
        const resources = Object.values(a.resourceCounts ?? {}).reduce((sum, n) => sum + n, 0);
        const open = violations.filter((v) => v.entityId === a.name || v.entityId.startsWith(`${a.name}/`)).length;
        const what = a.provider === 'aws' ? `AWS ${a.settings.regions.join(', ')} at ${a.settings.endpoint}` : `Pulumi stack ${a.project}/${a.stack}`;
        lines.push(`account      ${a.name} (${what}): ${resources} resources, ${open} open violations`);
    }
    return { lines, violations: violations.length, accounts, packs };
}
