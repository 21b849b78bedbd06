#!/usr/bin/env node
// bench/discovery: account discovery against the local AWS (test/localaws, real wire
// protocols, run in its own process).
//
// 1. Speed: N resources (default 10,000) over 3 regions, every call delayed by L ms (default
//    20). Prints our scan's wall time, a one-call-at-a-time baseline's (the same scanner with
//    concurrency 1), and the lower bound implied by the call graph and the concurrency limit:
//      bound = max(calls x L / C, longest chain x L)
//    where a chain is a list call's pages, one after the other, plus the per-item calls that
//    need the last page (one round). Goal: ours within 1.5x of the bound. Both scans run
//    twice in their process; the second (warm, as in a running language server) is compared.
// 2. Size: M resources (default 100,000) scanned into a fresh store by a fresh process (the
//    language server's role) and evaluated there as the language server does after a scan:
//    the aws-typescript template pack, published and bound to the account's (default) group,
//    runs on the scan's outcome (Evaluator.evaluateAfterScan). Prints the scanning process's
//    peak RSS (goal <= 400 MB, Node's default heap limit), the pack hosts' peak RSS, and the
//    time of the store writes (goal < 2 s). Also its RSS and heap peaks by phase (scan, the
//    scan's store writes, evaluation; sampled every 100 ms, so a spike between samples shows
//    only in the process's peak) and the shard files' sizes.
//
// 3. --all-types: the speed run's account is added with --all-types, and the local AWS's
//    CloudFormation registry (429 types, the same in every region) holds Cloud Control resources
//    of T types (default 30, 5 each, a quarter listing identifiers only): a few hundred types per
//    region, most empty. Cloud Control's chain is the registry's pages (two listings side by
//    side), then one page per type, then GetResource for the bare models.
//
//   node bench/discovery.mjs [--resources N] [--latency L] [--concurrency C] [--large M]
//                            [--skip-baseline] [--skip-large] [--all-types [--cc-types T]] [--node-defaults]
//
// --node-defaults: the workers run without the product's V8 settings (server/src/processMemory.ts),
// to measure what those cost in CPU and save in RSS.
//
// Exit 1 when a goal is missed.
import * as esbuild from 'esbuild';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { has, numberFlag } from './lib/args.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const resources = numberFlag('resources', 10_000);
const latency = numberFlag('latency', 20);
const concurrency = numberFlag('concurrency', 16);
const large = numberFlag('large', 100_000);
const REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1'];
const allTypes = has('all-types');
const ccTypes = numberFlag('cc-types', 30);
const nodeDefaults = has('node-defaults') ? ['--node-defaults'] : [];

const work = mkdtempSync(join(tmpdir(), 'pi-bench-discovery-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));
const common = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'warning', absWorkingDir: root, packages: 'external' };

// The worker: generates fixtures, or adds and scans an account, and prints one JSON line.
const workerSource = `
import { readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { addAwsAccount, listResources, scanAccount } from './server/src/accounts';
import { Evaluator, directoryPackSource } from './server/src/evaluation';
import { enablePack } from './server/src/groups';
import { scaffoldPack } from './server/src/packs/scaffold';
import { RunnerPool } from './server/src/runner/runnerPool';
import { Store } from './server/src/store';
import { generateFixture, GENERATED_KEYS } from './test/localaws/generateFixture';
import { applyProcessMemorySettings } from './server/src/processMemory';
// the language server's and the CLI's V8 settings, so the bench measures the product's configuration
// (--node-defaults: without them, to measure what they cost and save)
if (!process.argv.includes('--node-defaults')) applyProcessMemorySettings();
const [role, ...args] = process.argv.slice(2);
const opt = (name) => (args.includes('--' + name) ? args[args.indexOf('--' + name) + 1] : undefined);
/** Peak RSS (MB) of the pack hosts this process started, from /proc: VmHWM is each one's peak so far. */
function childrenPeakMB() {
    const peaks = [];
    for (const pid of readdirSync('/proc').filter((n) => /^\\d+$/.test(n))) {
        try {
            const status = readFileSync('/proc/' + pid + '/status', 'utf8');
            if (Number(/^PPid:\\s+(\\d+)/m.exec(status)?.[1]) !== process.pid) continue;
            if (!readFileSync('/proc/' + pid + '/cmdline', 'utf8').includes('packHost.js')) continue;
            peaks.push(Number(/^VmHWM:\\s+(\\d+)/m.exec(status)?.[1] ?? 0) / 1024);
        } catch {
            // gone meanwhile
        }
    }
    return peaks;
}
/** The aws-typescript template as \`policy new\` scaffolds it, published into the store and bound to the default group. */
async function publishTemplatePack(store, work) {
    const dir = join(work, 'aws-typescript-bench');
    await scaffoldPack({ template: 'aws-typescript', dir, templatesDir: join(opt('root'), 'templates') });
    symlinkSync(join(opt('root'), 'node_modules'), join(dir, 'node_modules'), 'dir');
    const pool = new RunnerPool({ hostScript: join(work, 'packHost.js'), cacheDir: join(work, 'compiled') });
    const info = await pool.loadPack(dir);
    await store.updateCatalog((catalog) => void catalog.packs.push({ name: info.name, version: 1, versionTag: info.version, policies: info.policies, publishedAt: new Date().toISOString(), digest: info.digest }));
    await enablePack(store, { pack: info.name, versionTag: 'latest' });
    return { pool, evaluator: new Evaluator({ store, runner: pool, packs: directoryPackSource({ [info.name + '@' + info.version]: dir }) }) };
}
/** Peak RSS and heap (MB) per phase of the run, sampled every 100 ms: where the process's peak is. */
const phases = {};
let phase = 'start';
const sampler = setInterval(() => {
    const m = process.memoryUsage();
    const p = (phases[phase] ??= { rssMB: 0, heapUsedMB: 0, heapTotalMB: 0, externalMB: 0 });
    p.rssMB = Math.max(p.rssMB, Math.round(m.rss / 1048576));
    p.heapUsedMB = Math.max(p.heapUsedMB, Math.round(m.heapUsed / 1048576));
    p.heapTotalMB = Math.max(p.heapTotalMB, Math.round(m.heapTotal / 1048576));
    p.externalMB = Math.max(p.externalMB, Math.round((m.external + m.arrayBuffers) / 1048576));
}, 100);
sampler.unref();
async function main() {
    if (role === 'gen') {
        const cloudControl = opt('cc-types') ? { types: Number(opt('cc-types')), resourcesPerType: 5 } : undefined;
        const fixture = generateFixture({ resourcesPerRegion: Number(opt('per-region')), regions: opt('regions').split(','), buckets: Number(opt('buckets')), iamEntities: Number(opt('iam')), cloudControl });
        writeFileSync(opt('out'), JSON.stringify(fixture));
        return {};
    }
    process.env.AWS_ACCESS_KEY_ID = GENERATED_KEYS.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = GENERATED_KEYS.secretAccessKey;
    const store = await Store.open({ home: opt('home') });
    let storeWriteMs = 0;
    const updateShard = store.updateShard.bind(store);
    store.updateShard = async (...a) => {
        const t = performance.now();
        const outer = phase;
        phase = outer + ' write';
        try { return await updateShard(...a); } finally { storeWriteMs += performance.now() - t; phase = outer; }
    };
    await addAwsAccount(store, { name: 'bench', regions: opt('regions').split(','), endpoint: opt('url'), allTypes: args.includes('--all-types') });
    const evaluation = args.includes('--evaluate') ? await publishTemplatePack(store, opt('work')) : undefined;
    let evaluated;
    // the first scan in a process also loads and compiles the SDK's lazily loaded modules;
    // the language server pays that once, so the second (warm) scan is the one compared
    const scans = [];
    for (let i = 0; i < Number(opt('repeat') ?? 1); i++) {
        const calls = {};
        phase = 'scan';
        const t0 = performance.now();
        const cpu0 = process.cpuUsage();
        const outcome = await scanAccount(store, 'bench', {
            concurrency: Number(opt('concurrency')),
            onCall: (service, operation, region) => {
                const key = service + ' ' + region + ' ' + operation;
                calls[key] = (calls[key] ?? 0) + 1;
            },
        });
        const wallMs = performance.now() - t0;
        const cpu = process.cpuUsage(cpu0);
        scans.push({ wallMs, cpuMs: (cpu.user + cpu.system) / 1000, calls, errors: outcome.errors, resources: outcome.account.scanStatus?.resourceCount });
        if (evaluation) {
            phase = 'evaluation';
            const t1 = performance.now();
            const report = await evaluation.evaluator.evaluateAfterScan(outcome);
            evaluated = { ms: performance.now() - t1, resources: report.work.evaluated, opened: report.opened, problems: report.problems.length, hostPeaksMB: childrenPeakMB() };
        }
    }
    phase = 'end';
    await evaluation?.pool.dispose();
    // the shard files' sizes: what the store's read cache holds parsed, within its byte budget
    const shardMB = readdirSync(opt('home'), { recursive: true }).filter((f) => /shards/.test(f) && f.endsWith('.json')).map((f) => Math.round(statSync(join(opt('home'), f)).size / 104857.6) / 10);
    const { wallMs, cpuMs, calls, errors, resources } = scans[scans.length - 1];
    // counted by reading the store back: only in the speed run, whose peak RSS is not measured
    const types = {};
    if (args.includes('--count-types')) for (const r of await listResources(store, 'bench')) types[r.type] = (types[r.type] ?? 0) + 1;
    await store.close();
    const skipped = (await store.readCatalog()).accounts[0].scanStatus?.skipped?.length ?? 0;
    return { wallMs, cpuMs, coldMs: scans[0].wallMs, storeWriteMs, calls, errors, skipped, resources, types, evaluated, phases, shardMB, maxRssMB: process.resourceUsage().maxRSS / 1024 };
}
main().then((r) => process.stdout.write(JSON.stringify(r) + '\\n'), (e) => { process.stderr.write(String(e?.stack ?? e) + '\\n'); process.exit(1); });
`;
await esbuild.build({
    ...common,
    stdin: { contents: workerSource, resolveDir: root, loader: 'ts', sourcefile: 'discoveryWorker.ts' },
    outfile: join(work, 'worker.js'),
    // the pack code finds its templates and host relative to the module, as the services bundle of bench/incremental does
    define: { 'import.meta.url': '__importMetaUrl' },
    banner: { js: "const __importMetaUrl = require('url').pathToFileURL(__filename).href;" },
});
await esbuild.build({ ...common, packages: undefined, entryPoints: ['server/src/runner/host.ts'], outfile: join(work, 'packHost.js') });
await esbuild.build({ ...common, entryPoints: ['test/localaws/main.ts'], outfile: join(work, 'localaws.js') });
const env = { ...process.env, NODE_PATH: join(root, 'node_modules'), AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };

function run(script, args) {
    return new Promise((resolve, reject) => {
        // the scanning process runs with Node's default heap limit, as the language server does
        const child = spawn(process.execPath, [join(work, script), ...args, ...nodeDefaults], { env, stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        child.stdout.on('data', (c) => (out += c));
        child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop())) : reject(new Error(`${script} ${args[0]} exited with ${code}`))));
    });
}

/** Starts the local AWS in its own process; resolves with its URL and a stop function. */
function startLocalAws(fixture, faults) {
    const faultsFile = join(work, `faults-${Date.now()}.json`);
    writeFileSync(faultsFile, JSON.stringify(faults));
    const child = spawn(process.execPath, ['--max-old-space-size=4096', join(work, 'localaws.js'), '--fixture', fixture, '--faults', faultsFile], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    return new Promise((resolve, reject) => {
        child.on('exit', (code) => reject(new Error(`localaws exited with ${code}`)));
        createInterface({ input: child.stdout }).once('line', (url) => resolve({ url, stop: () => child.kill() }));
    });
}

async function generate(total, name, extra = []) {
    const out = join(work, `${name}.json`);
    const buckets = Math.round(total * 0.006);
    const iam = Math.round(total * 0.001);
    const perRegion = Math.round((total - buckets - iam * 4) / REGIONS.length);
    await run('worker.js', ['gen', '--out', out, '--per-region', String(perRegion), '--regions', REGIONS.join(','), '--buckets', String(buckets), '--iam', String(iam), ...extra]);
    return out;
}

// Calls that follow the previous page's token; every other call needs only its list's last page.
const PAGED = new Set([
    'ListBuckets',
    'DescribeInstances',
    'DescribeSecurityGroups',
    'DescribeVolumes',
    'DescribeVpcs',
    'DescribeSubnets',
    'DescribeLaunchTemplates',
    'DescribeInternetGateways',
    'DescribeNatGateways',
    'DescribeRouteTables',
    'DescribeNetworkAcls',
    'DescribeFlowLogs',
    'DescribeSnapshots',
    'ListUsers',
    'ListRoles',
    'ListPolicies',
    'ListGroups',
    'ListInstanceProfiles',
    'DescribeDBInstances',
    'ListFunctions',
    'ListKeys',
    'ListAliases',
    'ListTables',
    'ListQueues',
    'ListTopics',
    'DescribeLogGroups',
    'DescribeTrails',
    'DescribeLoadBalancers',
    'DescribeTargetGroups',
    'DescribeAutoScalingGroups',
    'DescribeLaunchConfigurations',
    'DescribeClusters',
    'ListCertificates',
    'DescribeFileSystems',
    'ListDomainNames',
    'GetRestApis',
]);

function lowerBound(calls, latencyMs, limit) {
    const total = Object.values(calls).reduce((a, b) => a + b, 0);
    const chains = new Map();
    for (const [key, count] of Object.entries(calls)) {
        const [service, region, operation] = key.split(' ');
        // Cloud Control's chain spans the registry and Cloud Control: counted below
        if (service === 'cloudcontrol' || service === 'cloudformation') continue;
        const chain = chains.get(`${service} ${region}`) ?? { pages: 0, items: false };
        if (PAGED.has(operation)) chain.pages = Math.max(chain.pages, count);
        else chain.items = true;
        chains.set(`${service} ${region}`, chain);
    }
    let longest = 0;
    let longestName = '';
    for (const [name, c] of chains) {
        const length = c.pages + (c.items ? 1 : 0);
        if (length > longest) [longest, longestName] = [length, name];
    }
    for (const region of REGIONS) {
        // two ListTypes listings side by side per task; the home region (us-east-1) also runs the global task
        const listings = 2 * (region === REGIONS[0] ? 2 : 1);
        const registryPages = Math.ceil((calls[`cloudformation ${region} ListTypes`] ?? 0) / listings);
        if (!registryPages) continue;
        // every generated type holds at most 100 resources: one page each
        const length = registryPages + 1 + (calls[`cloudcontrol ${region} GetResource`] ? 1 : 0);
        if (length > longest) [longest, longestName] = [length, `cloudcontrol ${region}`];
    }
    return { total, longest, longestName, ms: Math.max((total * latencyMs) / limit, longest * latencyMs) };
}

const s = (ms) => `${(ms / 1000).toFixed(2)} s`;
let failed = false;

// 1. speed
{
    const fixture = await generate(resources, 'speed', allTypes ? ['--cc-types', String(ccTypes)] : []);
    const aws = await startLocalAws(fixture, [{ latencyMs: latency }]);
    const typesFlag = allTypes ? ['--all-types'] : [];
    try {
        const ours = await run('worker.js', ['scan', '--home', join(work, 'home-ours'), '--url', aws.url, '--regions', REGIONS.join(','), '--concurrency', String(concurrency), '--repeat', '2', '--count-types', ...typesFlag]);
        const bound = lowerBound(ours.calls, latency, concurrency);
        console.log(`discovery: ${ours.resources.toLocaleString('en-US')} resources over ${REGIONS.length} regions, ${latency} ms added to every call, ${bound.total.toLocaleString('en-US')} calls, concurrency ${concurrency}`);
        if (ours.errors.length) console.log(`  errors: ${JSON.stringify(ours.errors)}`);
        console.log(`  ours:        ${s(ours.wallMs)} warm (the scanning process used ${s(ours.cpuMs)} of CPU); first scan in a fresh process ${s(ours.coldMs)}`);
        if (!has('skip-baseline')) {
            const baseline = await run('worker.js', ['scan', '--home', join(work, 'home-baseline'), '--url', aws.url, '--regions', REGIONS.join(','), '--concurrency', '1', '--repeat', '2', ...typesFlag]);
            console.log(`  baseline:    ${s(baseline.wallMs)} warm (one call at a time; ${(baseline.wallMs / ours.wallMs).toFixed(1)}x ours)`);
        }
        console.log(`  lower bound: ${s(bound.ms)} = max(${bound.total} calls x ${latency} ms / ${concurrency}, longest chain ${bound.longest} calls (${bound.longestName}) x ${latency} ms)`);
        const ratio = ours.wallMs / bound.ms;
        console.log(`  ours / bound: ${ratio.toFixed(2)} (goal <= 1.5)`);
        const typeCount = Object.keys(ours.types).length;
        console.log(`  ${typeCount} types found: ${(bound.total / typeCount).toFixed(1)} calls per type, ${(bound.total / ours.resources).toFixed(3)} calls per resource`);
        const byService = {};
        for (const [key, count] of Object.entries(ours.calls)) byService[key.split(' ')[0]] = (byService[key.split(' ')[0]] ?? 0) + count;
        console.log(`  calls by service: ${Object.entries(byService).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ')}`);
        if (allTypes) {
            const op = (service, operation) => Object.entries(ours.calls).filter(([k]) => k.startsWith(`${service} `) && k.endsWith(` ${operation}`)).reduce((n, [, c]) => n + c, 0);
            const listed = op('cloudcontrol', 'ListResources');
            const ccCalls = listed + op('cloudcontrol', 'GetResource') + op('cloudformation', 'ListTypes');
            const native = Object.entries(ours.types).filter(([t]) => t.startsWith('aws-native:')).reduce((n, [, c]) => n + c, 0);
            console.log(`  Cloud Control: ${listed} type listings over ${REGIONS.length} regions (${ccTypes} types with resources per region, the rest empty; ${ours.skipped} skipped), ${native} aws-native resources, ${ccCalls} calls (ListTypes ${op('cloudformation', 'ListTypes')}, GetResource ${op('cloudcontrol', 'GetResource')}): ${(ccCalls / listed).toFixed(2)} calls per type listed`);
        }
        if (ratio > 1.5) failed = true;
    } finally {
        aws.stop();
    }
}

// 2. size
if (!has('skip-large')) {
    const fixture = await generate(large, 'large');
    const aws = await startLocalAws(fixture, []);
    try {
        const result = await run('worker.js', ['scan', '--home', join(work, 'home-large'), '--url', aws.url, '--regions', REGIONS.join(','), '--concurrency', String(concurrency), '--evaluate', '--work', work, '--root', root]);
        const ev = result.evaluated;
        console.log(`large: ${result.resources.toLocaleString('en-US')} resources scanned into the store in ${s(result.wallMs)}, then evaluated in ${s(ev.ms)} (${ev.resources.toLocaleString('en-US')} resource evaluations, ${ev.opened.toLocaleString('en-US')} violations opened, ${ev.problems} problems)`);
        if (result.errors.length) console.log(`  errors: ${JSON.stringify(result.errors)}`);
        console.log(`  store writes: ${s(result.storeWriteMs)} (goal < 2 s)`);
        console.log(`  peak RSS of the scanning process (scan + evaluation): ${Math.round(result.maxRssMB)} MB (goal <= 400 MB)`);
        console.log(`  by phase (sampled every 100 ms, MB peak): ${Object.entries(result.phases).map(([name, p]) => `${name} rss ${p.rssMB} heapUsed ${p.heapUsedMB} heapTotal ${p.heapTotalMB} external ${p.externalMB}`).join('; ')}`);
        console.log(`  shard files (MB): ${result.shardMB.join(', ')}`);
        console.log(`  peak RSS of the pack hosts: ${ev.hostPeaksMB.map((mb) => `${Math.round(mb)} MB`).join(', ') || 'none seen'}`);
        if (result.storeWriteMs > 2000 || result.maxRssMB > 400 || ev.problems > 0) failed = true;
    } finally {
        aws.stop();
    }
}
process.exitCode = failed ? 1 : 0;
