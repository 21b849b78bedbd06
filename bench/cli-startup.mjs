#!/usr/bin/env node
// bench/cli-startup: how long the built `policy-insights` command line takes, cold (a new
// process each run), against its baselines in the same run:
//   --version, policy ls (empty home)   vs  `node -e 0`, the floor no Node CLI goes below
//   analyze on a 10-resource stack       vs  the engine path's cold start of the same pack
//                                            (spawn -> metadata over gRPC, GrpcAnalyzer.coldStartMs)
// Goals (issue 9): --version <= 0.15 s; analyze <= the engine's cold start + 0.3 s.
//
//   node esbuild.mjs && node bench/cli-startup.mjs [--runs N]
//
// Default 20 runs of each; medians. Runs the CLI as users do: node out/cli/cli.js.
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './lib/args.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'out', 'cli', 'cli.js');
if (!existsSync(cli)) {
    console.error(`${cli} is missing: build with \`node esbuild.mjs\` first.`);
    process.exit(2);
}
const runsFlag = process.argv.indexOf('--runs');
const runs = runsFlag >= 0 ? Math.max(1, Number(process.argv[runsFlag + 1])) : 20;
const s = (ms) => `${(ms / 1000).toFixed(3)} s`;

const work = mkdtempSync(join(tmpdir(), 'pi-bench-cli-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));

/** Wall time of one `node args...` run; fails loudly on an unexpected exit code. */
function timeOnce(label, args, expectedCode = 0) {
    const started = performance.now();
    const result = spawnSync(process.execPath, args, { cwd: work, encoding: 'utf8', env: { ...process.env, POLICY_INSIGHTS_HOME: join(work, 'home') } });
    const elapsed = performance.now() - started;
    if (result.status !== expectedCode) {
        console.error(`${label}: exit ${result.status}, expected ${expectedCode}\n${result.stdout}\n${result.stderr}`);
        process.exit(1);
    }
    return elapsed;
}

/** Median wall time of `node args...` over `runs` fresh processes. */
function timeNode(label, args, expectedCode = 0) {
    return median(Array.from({ length: runs }, () => timeOnce(label, args, expectedCode)));
}

// The aws-typescript template pack, as `policy new` writes it, with the repository's dependencies.
const common = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'warning', absWorkingDir: root };
await esbuild.build({ ...common, entryPoints: ['bench/lib/runnerEntry.ts'], outfile: join(work, 'runnerEntry.js'), packages: 'external' });
process.env.NODE_PATH = join(root, 'node_modules');
createRequire(import.meta.url)('node:module').Module._initPaths();
const { GrpcAnalyzer, scaffoldPack } = createRequire(import.meta.url)(join(work, 'runnerEntry.js'));
const packDir = join(work, 'aws-typescript');
await scaffoldPack({ template: 'aws-typescript', dir: packDir, templatesDir: join(root, 'templates') });
symlinkSync(join(root, 'node_modules'), join(packDir, 'node_modules'), 'dir');

// A 10-resource stack export: the fixture stack (6 resources besides the Stack itself, which
// analyze does not count, as the engine does not analyze it) plus buckets up to 10.
const state = JSON.parse(readFileSync(join(root, 'test', 'fixtures', 'stacks', 'aws-app.dev.export.json'), 'utf8'));
const resources = state.deployment.resources;
const bucket = resources.find((r) => r.type === 'aws:s3/bucket:Bucket');
for (let i = 0; resources.filter((r) => r.type !== 'pulumi:pulumi:Stack').length < 10; i++) {
    const name = `bench-bucket-${i}`;
    resources.push({ ...bucket, urn: bucket.urn.replace(/::[^:]+$/, `::${name}`), id: name, inputs: { ...bucket.inputs, bucket: name }, outputs: { ...bucket.outputs, bucket: name, id: name } });
}
const stateFile = join(work, 'stack.json');
writeFileSync(stateFile, JSON.stringify(state));
mkdirSync(join(work, 'empty-home'));

const analyzeArgs = [cli, 'analyze', '--file', stateFile, '--policy-pack', packDir, '--json'];
// One run first: it compiles the pack into the runner's cache, as the first analyze on a machine does.
spawnSync(process.execPath, analyzeArgs, { cwd: work });
const analyzed = JSON.parse(spawnSync(process.execPath, analyzeArgs, { cwd: work, encoding: 'utf8' }).stdout);
if (analyzed.resourceCount !== 10) throw new Error(`expected a 10-resource stack, analyze saw ${analyzed.resourceCount}`);

const floor = timeNode('node -e 0', ['-e', '0']);
const version = timeNode('--version', [cli, '--version']);
const help = timeNode('--help', [cli, '--help']);
const ls = timeNode('policy ls', [cli, 'policy', 'ls', '--home', join(work, 'empty-home')]);
// analyze and the engine's cold start alternate, so load from other processes on the machine
// falls on both alike. A public-read bucket in the fixture is a mandatory violation: exit 1.
const analyzeTimes = [];
const coldStarts = [];
for (let i = 0; i < runs; i++) {
    analyzeTimes.push(timeOnce('analyze', analyzeArgs, 1));
    const analyzer = await GrpcAnalyzer.start(packDir, { cacheDir: join(work, 'grpc-cache') });
    coldStarts.push(analyzer.coldStartMs);
    await analyzer.close();
}
const analyze = median(analyzeTimes);
const engine = median(coldStarts);

console.log(`policy-insights cold start, median of ${runs} runs (node ${process.version}):`);
console.log(`  node -e 0 (floor)          ${s(floor)}`);
console.log(`  --version                  ${s(version)}   goal <= 0.150 s   (${s(version - floor)} above the floor)`);
console.log(`  --help                     ${s(help)}`);
console.log(`  policy ls (empty home)     ${s(ls)}`);
console.log(`  analyze, 10 resources      ${s(analyze)}`);
console.log(`  engine path cold start     ${s(engine)}   (spawn -> metadata over gRPC, same pack)`);
console.log(`  analyze - engine           ${s(analyze - engine)}   goal <= 0.300 s; ratio ${(analyze / engine).toFixed(2)}x`);
