#!/usr/bin/env node
// bench/server-memory: the language server's memory with a large store, and the panel's query
// times. A store of 100,000 resources with their violations (1 account x 3 regions, written
// through the real Store API); the bundled server (out/server/server.js: `node esbuild.mjs`
// first) started over stdio as VS Code starts it, initialized, asked what VS Code asks at start
// (the trees, the Violations tree's roots, the status bar's total, the panel's first page),
// left idle, then its VmRSS and VmHWM read from /proc. The same for the server of the base
// commit (built once into a temporary worktree), and the ratio. Then the panel's first page and
// filter changes timed server side at 100,000 violations and at 1,000,000 (300 shards,
// violations only: what the panel reads).
//
//   node bench/server-memory.mjs [--resources N] [--scale N] [--shards S] [--idle-ms MS] [--runs R]
//                                [--base COMMIT] [--base-server PATH] [--skip-base] [--skip-scale] [--home DIR]
//                                [--server-node-args '--max-semi-space-size=2 ...']
//
// --server-node-args: node options for the server process; by default those the client starts it
// with (client/src/extension.ts createClient: 2 MB V8 semi-spaces, ~65 MB less idle RSS); '' for none.
//
// Goals: the server idle at 100,000 resources <= 150 MB RSS; the panel's first rows <= 1 s
// and a filter change <= 100 ms server side at 1,000,000; every server process <= 1 GB peak.
// Exit 1 naming any goal missed.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSourceModules } from './lib/sourceModules.mjs';
import { CLIENT_SERVER_NODE_ARGS, panelTimings, SERVER_MODULE, startLanguageServer, vsCodeStartRequests } from './lib/lspClient.mjs';
import { flag, has, median } from './lib/args.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const resourceCount = Number(flag('resources', 100_000));
const scaleCount = Number(flag('scale', 1_000_000));
const scaleShards = Number(flag('shards', 300));
const idleMs = Number(flag('idle-ms', 15_000));
const runs = Math.max(1, Number(flag('runs', 1)));
const serverNodeArgs = (flag('server-node-args', CLIENT_SERVER_NODE_ARGS.join(' ')) ?? '').split(' ').filter(Boolean);
const baseCommit = flag('base', '65cad7c');
const GOAL_IDLE_MB = 150;
const GOAL_FIRST_ROWS_MS = 1000;
const GOAL_FILTER_MS = 100;
const GOAL_PEAK_MB = 1024;

const fmt = (n) => Math.round(n).toLocaleString('en-US');
const mb = (n) => `${n.toFixed(0)} MB`;
const ms = (n) => `${n.toFixed(n < 10 ? 1 : 0)} ms`;
const missed = [];

if (!existsSync(SERVER_MODULE)) {
    console.error(`bench/server-memory: ${SERVER_MODULE} is missing: run \`node esbuild.mjs\` first.`);
    process.exit(2);
}

const work = mkdtempSync(join(tmpdir(), 'pi-bench-server-memory-'));
const { Store, syntheticViolations } = await loadSourceModules(work, ["export * from './test/support/syntheticViolations';", "export { Store } from './server/src/store';"]);

/** The base commit's server bundle, built once into a worktree under the temp folder. */
function baseServer() {
    const given = flag('base-server');
    if (given) return given;
    const dir = join(tmpdir(), `pi-bench-base-${baseCommit}`);
    const bundle = join(dir, 'out', 'server', 'server.js');
    if (existsSync(bundle)) return bundle;
    console.log(`building the server of ${baseCommit} into ${dir} (once)...`);
    if (!existsSync(dir)) execFileSync('git', ['-C', root, 'worktree', 'add', '--detach', dir, baseCommit], { stdio: 'ignore' });
    if (!existsSync(join(dir, 'node_modules'))) symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
    execFileSync(process.execPath, ['esbuild.mjs'], { cwd: dir, stdio: 'ignore' });
    return bundle;
}

/**
 * A store of `count` violations over `shards` shards (`account/region` names), each with its
 * resource when `withResources`: written shard by shard, so this process holds one shard at a time.
 */
async function writeStore(home, { count, shards, account, regions, withResources }) {
    const store = await Store.open({ home });
    const now = new Date();
    const started = performance.now();
    for (let s = 0; s < shards; s++) {
        const shard = `${account(s)}/${regions[s % regions.length]}`;
        const per = Math.floor(count / shards) + (s < count % shards ? 1 : 0);
        const { violations, resources } = syntheticViolations(per, { seed: s + 1, now, withResources });
        for (const v of violations) {
            v.id = `${s.toString(16).padStart(4, '0')}${v.id}`;
            v.entityId = shard;
            v.entityType = 'insights-account';
            v.resourceURN = `urn:pulumi:${shard}::insights::${v.resourceType}::${v.resourceName}`;
            delete v.project;
        }
        resources.forEach((r, k) => {
            r.account = shard;
            r.region = shard.split('/')[1];
            r.urn = violations[k].resourceURN;
            delete r.project;
            delete r.stack;
            delete r.sourcePosition;
        });
        await store.updateShard(shard, (data) => {
            data.resources = resources;
            data.violations = violations;
        });
    }
    await store.close();
    return performance.now() - started;
}

/** One server over `home`: start requests, idle memory, panel timings. */
async function measure(serverModule, home) {
    const server = await startLanguageServer({ serverModule, home, nodeArgs: serverNodeArgs });
    const start = await vsCodeStartRequests(server);
    const afterStart = server.memory();
    await server.waitIdle(idleMs);
    const idle = server.memory();
    const panel = await panelTimings(server);
    const peak = server.memory().hwmMB;
    await server.close();
    return { start, afterStart, idle, panel, peak };
}

console.log(
    `bench/server-memory: node ${process.version}, ${cpus().length} cores, load average ${loadavg()
        .map((n) => n.toFixed(1))
        .join(' ')}, idle wait ${idleMs} ms, ${runs} run(s)${serverNodeArgs.length ? `, server node options: ${serverNodeArgs.join(' ')}` : ''}\n`,
);

// 100,000 resources, 1 account x 3 regions.
// --home DIR keeps the store (and reuses it when DIR has one) for looking into a figure.
const keptHome = flag('home');
const home = keptHome ?? join(work, 'home-100k');
if (keptHome && existsSync(join(keptHome, 'shards'))) console.log(`store: reusing ${keptHome}\n`);
else {
    const writeMs = await writeStore(home, { count: resourceCount, shards: 3, account: () => 'bench', regions: ['us-east-1', 'us-west-2', 'eu-west-1'], withResources: true });
    console.log(`store: ${fmt(resourceCount)} resources and their violations in 3 shards, written in ${ms(writeMs)}\n`);
}

const servers = [['this checkout', SERVER_MODULE]];
if (!has('skip-base')) servers.push([`base ${baseCommit}`, baseServer()]);
const results = new Map();
for (let run = 0; run < runs; run++) {
    for (const [name, module] of servers) results.set(name, [...(results.get(name) ?? []), await measure(module, home)]);
}
console.log(`language server with ${fmt(resourceCount)} resources (medians of ${runs}):`);
console.log(`  ${''.padEnd(16)} ${'start: tree roots'.padStart(18)} ${'status total'.padStart(13)} ${'panel page'.padStart(11)} ${'RSS after start'.padStart(16)} ${'RSS idle'.padStart(9)} ${'peak (HWM)'.padStart(11)}`);
const idleOf = new Map();
for (const [name, list] of results) {
    const m = (f) => median(list.map(f));
    idleOf.set(name, m((r) => r.idle.rssMB));
    console.log(
        `  ${name.padEnd(16)} ${ms(m((r) => r.start['violation tree roots'])).padStart(18)} ${ms(m((r) => r.start['status bar total'])).padStart(13)} ${ms(m((r) => r.start['panel first page'])).padStart(11)} ${mb(m((r) => r.afterStart.rssMB)).padStart(16)} ${mb(m((r) => r.idle.rssMB)).padStart(9)} ${mb(m((r) => r.peak)).padStart(11)}`,
    );
}
const ours = idleOf.get('this checkout');
if (idleOf.size > 1) console.log(`  idle RSS ratio (this / base): ${(ours / idleOf.get(`base ${baseCommit}`)).toFixed(2)}`);
console.log(`  goal: idle <= ${GOAL_IDLE_MB} MB: ${ours <= GOAL_IDLE_MB ? 'met' : 'MISSED'} (ratio to goal ${(ours / GOAL_IDLE_MB).toFixed(2)})\n`);
if (ours > GOAL_IDLE_MB) missed.push(`server idle at ${fmt(resourceCount)} resources: ${mb(ours)} > ${GOAL_IDLE_MB} MB`);

/** Prints the panel's timings of one measurement and checks the goals at `count`. */
function reportPanel(label, { panel, peak }, check) {
    console.log(`panel queries at ${label} (server side; round trip in brackets; the first page of a fresh server builds the index):`);
    console.log(`  first page: ${ms(panel.firstPage.serverMs)} (${ms(panel.firstPage.roundTripMs)}), ${fmt(panel.firstPage.total)} rows match`);
    let slowest = 0;
    for (const change of panel.changes) {
        slowest = Math.max(slowest, change.serverMs);
        console.log(`  filter change, ${change.name.padEnd(16)} ${ms(change.serverMs).padStart(8)} (${ms(change.roundTripMs)}), ${fmt(change.total)} rows`);
    }
    console.log(`  server peak RSS: ${mb(peak)}\n`);
    if (!check) return;
    if (panel.firstPage.roundTripMs > GOAL_FIRST_ROWS_MS) missed.push(`panel first rows at ${label}: ${ms(panel.firstPage.roundTripMs)} > ${GOAL_FIRST_ROWS_MS} ms`);
    if (slowest > GOAL_FILTER_MS) missed.push(`filter change at ${label}: ${ms(slowest)} > ${GOAL_FILTER_MS} ms server side`);
    if (peak > GOAL_PEAK_MB) missed.push(`server peak at ${label}: ${mb(peak)} > ${GOAL_PEAK_MB} MB`);
}
for (const [name, list] of results) reportPanel(`${fmt(resourceCount)} violations, ${name}`, list[0], false);
if (!keptHome) rmSync(home, { recursive: true, force: true });

if (!has('skip-scale')) {
    const scaleHome = join(work, 'home-scale');
    const accounts = Math.ceil(scaleShards / 3);
    const scaleWriteMs = await writeStore(scaleHome, { count: scaleCount, shards: scaleShards, account: (s) => `acct-${String(Math.floor(s / 3)).padStart(3, '0')}`, regions: ['us-east-1', 'us-west-2', 'eu-west-1'], withResources: false });
    console.log(`store: ${fmt(scaleCount)} violations in ${scaleShards} shards (${accounts} accounts x 3 regions), written in ${ms(scaleWriteMs)}`);
    const scaled = await measure(SERVER_MODULE, scaleHome);
    console.log(`  start: tree roots ${ms(scaled.start['violation tree roots'])} (builds the index), status bar ${ms(scaled.start['status bar total'])}, panel page ${ms(scaled.start['panel first page'])}; RSS idle ${mb(scaled.idle.rssMB)}`);
    reportPanel(`${fmt(scaleCount)} violations`, scaled, true);
    rmSync(scaleHome, { recursive: true, force: true });
}

rmSync(work, { recursive: true, force: true });
console.log(missed.length ? `GOALS MISSED:\n${missed.map((m) => `  ${m}`).join('\n')}` : 'goals met');
process.exit(missed.length ? 1 : 0);
