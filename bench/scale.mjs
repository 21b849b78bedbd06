#!/usr/bin/env node
// bench/scale: an organisation's estate on one laptop (issue 14). A synthetic estate of
// N AWS accounts (default 100) x 3 regions x C resources per region (default 3,334: about
// 1,000,000 resources), written as shards through the real Store API (accounts added with
// addAwsAccount against the local AWS, test/localaws); account 0's resources are scanned
// from the local AWS instead, so it can be rescanned. The aws-typescript and
// aws-compliance-typescript template packs (1 + 21 policies; about one resource in two
// violates one) are published and enabled in the default policy group with the CLI. Then, each step in a fresh
// process, its peak RSS and that of its children (pack hosts) sampled from /proc:
//   1. full evaluation: `policy-insights evaluate` (every resource, no cache);
//   2. incremental: account 0 rescanned from the local AWS with P% (default 10) of its
//      resources changed/added/removed (1% of the estate rescanned), then the evaluation a
//      scan runs (cli/evaluate.ts, as `account scan` does); the evaluation's time is the goal;
//   3. the panel: the language server (out/server/server.js) over stdio; the first page
//      with facets after initialize, then filter changes (server-side time, elapsedMs);
//   4. `policy-insights violations --json` over everything into a file, parsed and counted
//      against the open violations the store holds.
// Goals: each step's processes <= 1 GB peak RSS, incremental evaluation <= 2 s, first rows
// <= 1 s, filter change <= 100 ms server side. Exits 1 naming each goal missed.
//
//   node bench/scale.mjs [--accounts N] [--per-child C] [--change-percent P] [--packs a,b] [--filter-runs R] [--seed S]
//                        [--product DIR] [--keep] [--reuse DIR]
//
// `--accounts 3 --per-child 1000` tries it in about a minute. --keep leaves the work folder
// (its path is printed) for a look at the store. --reuse DIR runs steps 3 and 4 again over the
// estate a --keep run left in DIR (with the product built now), e.g. to measure a change to the
// server without ten minutes of setup and evaluation. --product DIR measures DIR/out as built
// there (a baseline: `git worktree add DIR <commit>`, node_modules linked, `node esbuild.mjs`);
// the bench's own workers (setup, rescan, count) are always this checkout's.
import * as esbuild from 'esbuild';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, cpSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { CLIENT_SERVER_NODE_ARGS, panelQuery, startLanguageServer } from './lib/lspClient.mjs';
import { runMeasured, watchTree } from './lib/scaleProcess.mjs';
import { flag, median } from './lib/args.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const accounts = Number(flag('accounts', 100));
const perChild = Number(flag('per-child', 3334));
const changePercent = Number(flag('change-percent', 10));
const packs = String(flag('packs', 'aws-typescript,aws-compliance-typescript')).split(',');
const filterRuns = Number(flag('filter-runs', 3));
const seed = Number(flag('seed', 42));
const reuse = flag('reuse', undefined);
const keep = process.argv.includes('--keep') || reuse !== undefined;
const REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1'];

const GOALS = { rssKb: 1024 * 1024, incrementalMs: 2000, firstRowsMs: 1000, filterServerMs: 100 };
const fmt = (n) => Math.round(n).toLocaleString('en-US');
const secs = (ms) => `${(ms / 1000).toFixed(2)} s`;
const mb = (kb) => `${fmt(kb / 1024)} MB`;

const work = reuse ?? mkdtempSync(join(tmpdir(), 'pi-bench-scale-'));
const home = join(work, 'home');
const stopOnExit = new Set();
process.on('exit', () => {
    for (const stop of stopOnExit) stop();
    if (!keep) rmSync(work, { recursive: true, force: true });
});
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
console.log(`bench/scale: ${accounts} accounts x ${REGIONS.length} regions x ${fmt(perChild)} resources (about ${fmt(accounts * REGIONS.length * perChild)}), packs ${packs.join(', ')}`);
console.log(`node ${process.version}, ${cpus().length} cores, load average ${load()}; work folder ${work}${keep ? ' (kept)' : ''}\n`);

// What is measured is the built product (the CLI, the server, the pack host): this repo's
// out/, built now, or --product DIR's out/ as it is (e.g. a baseline checkout's), copied
// into the work folder so a rebuild while the bench runs does not change what it measures.
const product = flag('product', undefined);
if (!product) {
    const build = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: root, stdio: 'inherit' });
    if (build.status !== 0) throw new Error('node esbuild.mjs failed');
}
for (const part of ['cli', 'server']) cpSync(join(product ?? root, 'out', part), join(work, 'out', part), { recursive: true });
// the CLI finds the pack templates beside its out/
if (!reuse) symlinkSync(join(product ?? root, 'templates'), join(work, 'templates'), 'dir');
const CLI = join(work, 'out', 'cli', 'cli.js');
const SERVER = join(work, 'out', 'server', 'server.js');
const common = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'warning', absWorkingDir: root, packages: 'external' };
await esbuild.build({ ...common, entryPoints: ['bench/lib/scaleWorker.mjs'], outfile: join(work, 'worker.js') });
await esbuild.build({ ...common, entryPoints: ['test/localaws/main.ts'], outfile: join(work, 'localaws.js') });
const env = {
    ...process.env,
    NODE_PATH: join(root, 'node_modules'),
    POLICY_INSIGHTS_PACK_HOST: join(work, 'out', 'server', 'packHost.js'),
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

async function worker(role, args) {
    const run = await runMeasured(process.execPath, [join(work, 'worker.js'), role, ...args], { env });
    if (run.code !== 0) throw new Error(`scaleWorker ${role} exited with ${run.code}:\n${run.stderr}`);
    process.stderr.write(run.stderr);
    return { ...run, result: JSON.parse(run.stdout.trim().split('\n').pop()) };
}

async function cli(args, options = {}) {
    const run = await runMeasured(process.execPath, [CLI, ...args, '--home', home], { env, ...options });
    if (run.code !== 0 && !options.allowFailure) throw new Error(`policy-insights ${args.join(' ')} exited with ${run.code}:\n${run.stderr}\n${run.stdout}`);
    return run;
}

/** The local AWS in its own process serving `fixture`; resolves with its URL and stop(). */
function startLocalAws(fixture, port = 0) {
    const child = spawn(process.execPath, ['--max-old-space-size=4096', join(work, 'localaws.js'), '--fixture', fixture, '--port', String(port)], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    const stop = () => child.kill();
    stopOnExit.add(stop);
    return new Promise((resolve, reject) => {
        child.on('exit', (code) => reject(new Error(`localaws exited with ${code}`)));
        createInterface({ input: child.stdout }).once('line', (url) =>
            resolve({
                url,
                stop: () => {
                    stopOnExit.delete(stop);
                    stop();
                },
            }),
        );
    });
}

const rows = [];
const missed = [];
function row(step, ms, run, goals) {
    const met = goals.every((g) => g.met);
    rows.push({ step, ms, run, goals: goals.map((g) => g.text).join('; '), met });
    for (const g of goals) if (!g.met) missed.push(`${step}: ${g.text} (was ${g.was})`);
}
const violationsBytes = () =>
    readdirSync(join(home, 'shards'))
        .filter((name) => name.endsWith('@violations.json'))
        .reduce((n, name) => n + statSync(join(home, 'shards', name)).size, 0);
const rssGoal = (run) => {
    const worst = Math.max(run.rootPeakKb, run.childPeakKb);
    return { text: 'every process <= 1 GB', met: worst <= GOALS.rssKb, was: mb(worst) };
};

/** The estate, then steps 1 and 2 (skipped by --reuse, whose estate a --keep run left). */
async function setupAndEvaluate() {
    // --- the estate
    const started = performance.now();
    const fixture = join(work, 'account0.json');
    const changedFixture = join(work, 'account0-changed.json');
    const fx = await worker('fixture', ['--out', fixture, '--changed-out', changedFixture, '--per-child', String(perChild), '--regions', REGIONS.join(','), '--change-percent', String(changePercent), '--seed', String(seed)]);
    for (const template of packs) {
        const dir = join(work, template);
        // --generate-only + the repo's node_modules: no npm install (the bench runs offline, and the same SDK the tests use)
        await cli(['policy', 'new', template, '--dir', dir, '--generate-only']);
        symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
        await cli(['policy', 'publish', dir]);
        await cli(['policy', 'enable', template, 'latest']);
    }
    let aws = await startLocalAws(fixture);
    const setup = await worker('setup', ['--home', home, '--url', aws.url, '--accounts', String(accounts), '--per-child', String(perChild), '--regions', REGIONS.join(','), '--seed', String(seed)]);
    aws.stop();
    const total = setup.result.written + setup.result.scanned;
    if (setup.result.scanErrors.length) console.log('setup scan errors:', setup.result.scanErrors.slice(0, 3));
    const storeBytes = Number(spawnSync('du', ['-sb', join(home, 'shards')], { encoding: 'utf8' }).stdout.split('\t')[0]);
    console.log(
        `estate: ${fmt(total)} resources in ${accounts} accounts (${fmt(setup.result.written)} written as shards in ${secs(setup.result.generateMs)}, ${fmt(setup.result.scanned)} scanned from the local AWS in ${secs(setup.result.scanMs)}); shards on disk ${mb(storeBytes / 1024)}; setup peak RSS ${mb(setup.rootPeakKb)}; ${secs(performance.now() - started)} in all`,
    );
    console.log(`rescan will find: ${fmt(fx.result.changed)} changed, ${fmt(fx.result.added)} added, ${fmt(fx.result.removed)} removed regional resources, and bucket ACL flips\n`);

    // --- 1. full evaluation
    const full = await cli(['evaluate', '--json']);
    const fullReport = JSON.parse(full.stdout);
    console.log(`1. full evaluation: ${secs(full.ms)}, ${fmt(fullReport.accounts.length)} entities, ${fmt(fullReport.stillOpen)} open violations, ${fullReport.problems.length} problems; peak RSS CLI ${mb(full.rootPeakKb)}, pack hosts ${mb(full.childPeakKb)} (${full.children} seen)`);
    if (fullReport.problems.length) console.log('   problems:', fullReport.problems.slice(0, 3));
    row('1. full evaluation (evaluate)', full.ms, full, [rssGoal(full)]);
    // the violation index the store writes beside each violations file (store/violationIndex/violationIndexFile.ts)
    const indexes = readdirSync(join(home, 'shards')).filter((name) => name.endsWith('@violations.idx'));
    const indexBytes = indexes.reduce((n, name) => n + statSync(join(home, 'shards', name)).size, 0);
    console.log(`   violation index files: ${indexes.length}, ${mb(indexBytes / 1024)} (the violations files: ${mb(violationsBytes() / 1024)})`);

    // --- 2. incremental after the rescan of 1% of the estate
    // on the same port: the accounts' endpoint is the first one's URL
    aws = await startLocalAws(changedFixture, Number(new URL(aws.url).port));
    const rescan = await worker('rescan', ['--home', home]);
    aws.stop();
    const r = rescan.result;
    const delta = Object.values(r.delta).reduce((a, d) => ({ added: a.added + d.added, changed: a.changed + d.changed, removed: a.removed + d.removed }), { added: 0, changed: 0, removed: 0 });
    console.log(
        `2. rescan of ${accounts > 1 ? 'account 0' : 'the account'} (${Object.keys(r.delta).length} children): scan ${secs(r.scanMs)} (${delta.changed} changed, ${delta.added} added, ${delta.removed} removed); evaluation ${secs(r.evaluateMs)} (${fmt(r.work.evaluated)} resource evaluations run, ${fmt(r.work.reused)} reused, ${r.opened} opened, ${r.resolved} resolved); peak RSS ${mb(rescan.rootPeakKb)}, pack hosts ${mb(rescan.childPeakKb)}`,
    );
    if (r.problems.length) console.log('   problems:', r.problems.slice(0, 3));
    if (r.scanErrors.length) console.log('   scan errors:', r.scanErrors.slice(0, 3));
    row('2. incremental evaluation after 1% rescan', r.evaluateMs, rescan, [
        { text: 'evaluation <= 2 s', met: r.evaluateMs <= GOALS.incrementalMs, was: secs(r.evaluateMs) },
        { text: 'changes seen', met: delta.changed + delta.added + delta.removed > 0 && r.work.evaluated > 0, was: `${delta.changed + delta.added + delta.removed} changes, ${r.work.evaluated} evaluations` },
        rssGoal(rescan),
    ]);
}

if (!reuse) await setupAndEvaluate();

// --- 3. the panel over the language server
const lspStarted = performance.now();
// started with the node options the extension gives it; the page VS Code's panel asks for, 200 rows as bench/webview.mjs
const server = await startLanguageServer({ serverModule: SERVER, home, env, nodeArgs: CLIENT_SERVER_NODE_ARGS });
const watch = watchTree(server.pid);
const PAGE = 200;
const first = await panelQuery(server, {}, PAGE);
const firstMs = performance.now() - lspStarted;
const someAccount = first.facets?.accounts?.values?.[1]?.value ?? 'acct-001';
// a user reads the first page before typing a search: the server prepares the search's texts meanwhile
await new Promise((resolve) => setTimeout(resolve, 2000));
const firstSearch = await panelQuery(server, { search: 'encrypt' }, PAGE);
const FILTERS = [
    ['one account', { accounts: [someAccount] }],
    ['one pack, mandatory', { policyPacks: [packs[0]], levels: ['mandatory'] }],
    ['free text', { search: 'bucket' }],
    ['every status', { statuses: ['open', 'in_progress', 'by_design', 'ignored', 'fixed'] }],
];
const filterTimes = [];
for (const [name, filter] of FILTERS) {
    const times = [];
    let answer;
    for (let i = 0; i < filterRuns; i++) {
        answer = await panelQuery(server, filter, PAGE);
        times.push(answer.serverMs);
    }
    filterTimes.push({ name, serverMs: median(times), clientMs: answer.ms, total: answer.total });
}
watch.sample();
const lspPeaks = watch.stop();
await server.close();
const worstFilter = filterTimes.reduce((a, b) => (b.serverMs > a.serverMs ? b : a));
console.log(`3. panel: initialized ${secs(server.initializeMs)}; first page ${secs(first.ms)} after initialize (server ${secs(first.serverMs)}), ${secs(firstMs)} after spawn, ${fmt(first.total)} violations; peak RSS server ${mb(lspPeaks.rootPeakKb)}`);
console.log(`   first free-text search, 2 s after the first page: server ${firstSearch.serverMs.toFixed(1)} ms (client ${firstSearch.ms.toFixed(1)} ms), ${fmt(firstSearch.total)} rows`);
for (const f of filterTimes) console.log(`   filter change, ${f.name}: server ${f.serverMs.toFixed(1)} ms median of ${filterRuns} (client ${f.clientMs.toFixed(1)} ms), ${fmt(f.total)} rows`);
row('3a. panel first rows (from initialized)', first.ms, lspPeaks, [{ text: 'first rows <= 1 s', met: first.ms <= GOALS.firstRowsMs, was: secs(first.ms) }, rssGoal(lspPeaks)]);
row(`3b. filter change (worst: ${worstFilter.name})`, worstFilter.serverMs, lspPeaks, [{ text: 'server side <= 100 ms', met: worstFilter.serverMs <= GOALS.filterServerMs, was: `${worstFilter.serverMs.toFixed(1)} ms` }]);

// --- 4. violations --json over everything
const outFile = join(work, 'violations.json');
const fd = openSync(outFile, 'w');
const listing = await cli(['violations', '--json', '--limit', '100000000'], { stdout: fd, allowFailure: true });
closeSync(fd);
let listed = -1;
let parseError = '';
try {
    const doc = JSON.parse(readFileSync(outFile, 'utf8'));
    listed = Array.isArray(doc) ? doc.length : Array.isArray(doc.violations) ? doc.violations.length : -1;
} catch (error) {
    parseError = error.message;
}
const counted = await worker('count', ['--home', home]);
console.log(
    `4. violations --json: ${secs(listing.ms)}, exit ${listing.code}, ${mb(statSync(outFile).size / 1024)} written, ${fmt(listed)} violations listed (the store holds ${fmt(counted.result.listed)} open, ${fmt(counted.result.stored)} in all)${parseError ? `; does not parse: ${parseError}` : ''}; peak RSS ${mb(listing.rootPeakKb)}`,
);
if (listing.code !== 0) console.log(`   stderr: ${listing.stderr.slice(0, 500)}`);
row('4. violations --json', listing.ms, listing, [
    { text: 'parses, counts the store', met: listing.code === 0 && listed === counted.result.listed, was: `exit ${listing.code}, ${listed} listed of ${counted.result.listed}` },
    rssGoal(listing),
]);

// --- the table
console.log(`\nload average at the end: ${load()}\n`);
const header = ['step', 'time', 'peak RSS (process)', 'peak RSS (children)', 'goal', 'met?'];
const table = rows.map((x) => [x.step, x.step.startsWith('3b') ? `${x.ms.toFixed(1)} ms` : secs(x.ms), mb(x.run.rootPeakKb), x.run.children ? `${mb(x.run.childPeakKb)} (${x.run.children})` : '-', x.goals, x.met ? 'met' : 'NOT MET']);
const widths = header.map((h, i) => Math.max(h.length, ...table.map((t) => t[i].length)));
for (const line of [header, ...table]) console.log(line.map((c, i) => c.padEnd(widths[i])).join('  '));
if (missed.length) {
    console.log(`\nGOALS MISSED:\n${missed.map((m) => `  - ${m}`).join('\n')}`);
    process.exit(1);
}
console.log('\nall goals met');
