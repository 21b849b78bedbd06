#!/usr/bin/env node
// bench/evaluate: synthetic AWS resources against the aws-typescript and
// aws-compliance-typescript template packs, and a real third-party pack (@pulumi/awsguard
// 0.3.1, every policy mandatory) on resources of the types it checks, with secrets, a
// provider and options, evaluated by Policy Insights' runner (warm out-of-process host,
// batched) and by the engine's path (the pack's gRPC Analyzer, one Analyze RPC per resource,
// 64 in flight) in the same run. Checks both diagnostic sets are identical, prints
// resources/s for each, the ratio and each pack's cold start.
//
//   node bench/evaluate.mjs [--resources N] [--awsguard-resources A] [--runs R] [--grpc-runs G] [--runners K] [--seed S] [--only template|awsguard] [--cpu-prof DIR]
//
// Defaults: 100,000 resources for the templates, 50,000 for AWSGuard, 3 runs of our path
// with the pool's default hosts per pack, 1 run of the gRPC path (about a minute per pack on
// 2 cores). --cpu-prof writes a V8 CPU profile of each of our hosts into DIR. Exit 1 when the
// diagnostic sets differ.
import * as esbuild from 'esbuild';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { awsGuardResources } from './lib/awsGuardResources.mjs';
import { syntheticAwsResources } from './lib/syntheticAws.mjs';
import { median } from './lib/args.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function flag(name, fallback) {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const resourceCount = flag('resources', 100_000);
const runs = Math.max(1, flag('runs', 3));
const grpcRuns = Math.max(1, flag('grpc-runs', 1));
const hostsPerPack = flag('runners', undefined);
const seed = flag('seed', 42);
const awsGuardCount = flag('awsguard-resources', 50_000);
const onlyAt = process.argv.indexOf('--only');
const only = onlyAt >= 0 ? process.argv[onlyAt + 1] : undefined;
const profAt = process.argv.indexOf('--cpu-prof');
const hostExecArgv = profAt >= 0 ? ['--cpu-prof', `--cpu-prof-dir=${process.argv[profAt + 1]}`] : undefined;

const fmt = (n) => Math.round(n).toLocaleString('en-US');

// Bundle the runner host and the parts of the server the bench drives into a temp folder.
const work = mkdtempSync(join(tmpdir(), 'pi-bench-evaluate-'));
const common = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: 'inline', logLevel: 'warning', absWorkingDir: root };
await esbuild.build({ ...common, entryPoints: ['server/src/runner/host.ts'], outfile: join(work, 'packHost.js') });
await esbuild.build({ ...common, entryPoints: ['bench/lib/runnerEntry.ts'], outfile: join(work, 'runnerEntry.js'), packages: 'external' });
const requireFromRoot = createRequire(join(root, 'package.json'));
// The bundle lives in a temp folder but keeps its packages external: let it find the repo's.
process.env.NODE_PATH = join(root, 'node_modules');
requireFromRoot('node:module').Module._initPaths();
const { RunnerPool, GrpcAnalyzer, scaffoldPack } = requireFromRoot(join(work, 'runnerEntry.js'));

// Scaffold the two template packs (as `policy new` does) and give them the repo's node_modules.
const packs = [];
let t0 = performance.now();
if (only !== 'awsguard') {
    const resources = syntheticAwsResources(resourceCount, seed);
    const types = new Set(resources.map((r) => r.type)).size;
    console.log(`bench/evaluate: ${fmt(resourceCount)} synthetic AWS resources (${types} types, seed ${seed}) generated in ${fmt(performance.now() - t0)} ms`);
    for (const template of ['aws-typescript', 'aws-compliance-typescript']) {
        const dir = join(work, `${template}-bench`);
        await scaffoldPack({ template, dir, templatesDir: join(root, 'templates') });
        symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
        packs.push({ template, dir, resources });
    }
}
if (only !== 'template') {
    // A real pack from npm, installed with its own node_modules by test/harness/thirdPartyPacks.mjs.
    const dir = join(root, 'test', 'fixtures', 'packs', 'third-party', 'awsguard');
    if (!existsSync(join(dir, 'node_modules', '@pulumi', 'awsguard'))) {
        console.error(`bench/evaluate: ${dir} has no node_modules: run \`node test/harness/thirdPartyPacks.mjs\` first.`);
        process.exit(2);
    }
    t0 = performance.now();
    const resources = awsGuardResources(awsGuardCount - 1, seed);
    const secrets = resources.filter((r) => JSON.stringify(r.properties).includes('4dabf18193072939515e22adb298388d')).length;
    console.log(`bench/evaluate: ${fmt(resources.length)} AWS resources of the types AWSGuard checks (${fmt(secrets)} with secrets, seed ${seed}) generated in ${fmt(performance.now() - t0)} ms`);
    packs.push({ template: '@pulumi/awsguard 0.3.1 (all mandatory)', dir, resources, context: { project: 'shop', stack: 'prod', config: { 'aws:region': 'us-west-2' }, dryRun: false } });
}
const cacheDir = join(work, 'compiled');
mkdirSync(cacheDir);
const os = await import('node:os');
console.log(`node ${process.version}, ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} (other processes share the cores; figures vary with it); our path: ${runs} run(s), ${hostsPerPack ?? 'default'} host(s) per pack; gRPC path: ${grpcRuns} run(s), 64 in flight\n`);

let identical = true;
const summary = [];
for (const pack of packs) {
    // Our path: cold start = compile (cached by content hash after the first) + spawn + load.
    const { resources, context } = pack;
    const resourceCount = resources.length;
    const pool = new RunnerPool({ hostScript: join(work, 'packHost.js'), cacheDir, hostsPerPack, hostExecArgv });
    let started = performance.now();
    const info = await pool.loadPack(pack.dir, context);
    const oursCold = performance.now() - started;
    const oursTimes = [];
    let ours;
    for (let i = 0; i < runs; i++) {
        started = performance.now();
        ours = await pool.analyze(pack.dir, resources, { context });
        oursTimes.push(performance.now() - started);
    }
    await pool.dispose();

    // The engine's path.
    started = performance.now();
    const grpc = await GrpcAnalyzer.start(pack.dir, { cacheDir, context });
    await grpc.configure(undefined);
    const grpcCold = performance.now() - started;
    const grpcTimes = [];
    let theirs;
    for (let i = 0; i < grpcRuns; i++) {
        started = performance.now();
        theirs = await grpc.analyze(resources);
        grpcTimes.push(performance.now() - started);
    }
    await grpc.close();

    const same = isDeepStrictEqual(ours.diagnostics, theirs.diagnostics) && ours.errors.length === 0 && theirs.errors.length === 0;
    identical &&= same;
    const oursRate = resourceCount / (median(oursTimes) / 1000);
    const grpcRate = resourceCount / (median(grpcTimes) / 1000);
    summary.push({ pack: pack.template, resourceCount, policies: info.policies.length, diagnostics: ours.diagnostics.length, oursRate, grpcRate, oursCold, grpcCold, same });
    console.log(`${pack.template} (${info.policies.length} policies): ${fmt(ours.diagnostics.length)} diagnostics, ${same ? 'identical on both paths' : 'DIFFERENT'}`);
    if (!same) {
        const firstDiff = ours.diagnostics.findIndex((d, i) => !isDeepStrictEqual(d, theirs.diagnostics[i]));
        console.log(`  ours ${ours.diagnostics.length} / gRPC ${theirs.diagnostics.length} diagnostics, errors ${ours.errors.length} / ${theirs.errors.length}; first difference at #${firstDiff}:`);
        console.log('  ours:', JSON.stringify(ours.diagnostics[firstDiff] ?? ours.errors[0]));
        console.log('  gRPC:', JSON.stringify(theirs.diagnostics[firstDiff] ?? theirs.errors[0]));
    }
    console.log(`  runner: ${fmt(oursRate)} resources/s (median of ${runs}: ${oursTimes.map((t) => fmt(t)).join(', ')} ms), cold start ${fmt(oursCold)} ms`);
    console.log(`  gRPC:   ${fmt(grpcRate)} resources/s (median of ${grpcRuns}: ${grpcTimes.map((t) => fmt(t)).join(', ')} ms), cold start ${fmt(grpcCold)} ms`);
    console.log(`  ratio:  ${(oursRate / grpcRate).toFixed(1)}x\n`);
}

// The template packs together: the time to evaluate every resource against both.
const templates = summary.filter((s) => !s.pack.startsWith('@pulumi/awsguard'));
if (templates.length) {
    const n = templates[0].resourceCount;
    const oursBoth = n / templates.reduce((t, s) => t + n / s.oursRate, 0);
    const grpcBoth = n / templates.reduce((t, s) => t + n / s.grpcRate, 0);
    console.log(`both template packs: runner ${fmt(oursBoth)} resources/s, gRPC ${fmt(grpcBoth)} resources/s, ratio ${(oursBoth / grpcBoth).toFixed(1)}x (goal >= 20x)`);
}
for (const s of summary.filter((s) => s.pack.startsWith('@pulumi/awsguard'))) {
    console.log(`${s.pack} on ${fmt(s.resourceCount)} resources: runner ${fmt(s.oursRate)} resources/s, gRPC ${fmt(s.grpcRate)} resources/s, ratio ${(s.oursRate / s.grpcRate).toFixed(1)}x (goal >= 20x)`);
}
console.log(`diagnostic sets: ${identical ? 'identical' : 'DIFFERENT'}; load average at the end ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
rmSync(work, { recursive: true, force: true });
process.exit(identical ? 0 : 1);
