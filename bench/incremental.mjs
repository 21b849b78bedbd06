#!/usr/bin/env node
// bench/incremental: 100,000 synthetic AWS resources in one account (four regions, one
// shard each), evaluated by the Evaluator against two packs in the default policy group:
// the aws-typescript template and a small hygiene pack (three resource policies). Measures
//   1. a full evaluation (evaluate + reconcile + persist), warm pack hosts: goal under 10 s;
//   2. after 1% of the resources change (a scan's delta), the incremental evaluation;
// prints both with the ratio (goal: incremental at least 10x faster), and checks that the
// violations after the incremental run equal those of a full re-evaluation.
//
//   node bench/incremental.mjs [--resources N] [--change-percent P] [--runs R] [--seed S]
//
// Exit 1 when the incremental and the full violations differ.
import * as esbuild from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { seededRandom, syntheticAwsResources } from './lib/syntheticAws.mjs';
import { median } from './lib/args.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function flag(name, fallback) {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const resourceCount = flag('resources', 100_000);
const changePercent = flag('change-percent', 1);
const runs = Math.max(1, flag('runs', 3));
const seed = flag('seed', 42);

const fmt = (n) => Math.round(n).toLocaleString('en-US');
const secs = (ms) => `${(ms / 1000).toFixed(2)} s`;

// Bundle the pack host and the services the bench drives.
const work = mkdtempSync(join(tmpdir(), 'pi-bench-incremental-'));
const common = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'warning', absWorkingDir: root };
await esbuild.build({ ...common, entryPoints: ['server/src/runner/host.ts'], outfile: join(work, 'packHost.js') });
await esbuild.build({
    ...common,
    stdin: {
        contents: [
            "export { Store } from './server/src/store';",
            "export { Evaluator, directoryPackSource } from './server/src/evaluation';",
            "export { enablePack, joinDefaultGroup } from './server/src/groups';",
            "export { RunnerPool } from './server/src/runner/runnerPool';",
            "export { scaffoldPack } from './server/src/packs/scaffold';",
        ].join('\n'),
        resolveDir: root,
        loader: 'ts',
    },
    outfile: join(work, 'services.js'),
    packages: 'external',
    define: { 'import.meta.url': '__importMetaUrl' },
    banner: { js: "const __importMetaUrl = require('url').pathToFileURL(__filename).href;" },
});
symlinkSync(join(root, 'node_modules'), join(work, 'node_modules'), 'dir');
const { Store, Evaluator, directoryPackSource, enablePack, joinDefaultGroup, RunnerPool, scaffoldPack } = createRequire(import.meta.url)(join(work, 'services.js'));

// The two packs: the aws-typescript template as `policy new` scaffolds it, and a hygiene pack.
const templatePack = join(work, 'aws-typescript-bench');
await scaffoldPack({ template: 'aws-typescript', dir: templatePack, templatesDir: join(root, 'templates') });
symlinkSync(join(root, 'node_modules'), join(templatePack, 'node_modules'), 'dir');
const hygienePack = join(work, 'hygiene-bench');
mkdirSync(hygienePack);
writeFileSync(join(hygienePack, 'package.json'), JSON.stringify({ name: 'hygiene-bench', version: '1.0.0', main: 'index.js', dependencies: { '@pulumi/policy': '^1.21.0' } }));
writeFileSync(
    join(hygienePack, 'index.js'),
    `const { PolicyPack } = require("@pulumi/policy");
const TAGGED = new Set(["aws:s3/bucket:Bucket", "aws:ec2/instance:Instance", "aws:ebs/volume:Volume", "aws:rds/instance:Instance", "aws:dynamodb/table:Table"]);
new PolicyPack("hygiene-bench", { policies: [
  { name: "owner-tag", description: "Taggable resources carry an Owner tag.", enforcementLevel: "advisory", severity: "low",
    validateResource: (args, report) => { if (TAGGED.has(args.type) && !(args.props.tags && args.props.tags.Owner)) report(args.name + " has no Owner tag"); } },
  { name: "no-open-admin-ports", description: "No ingress from anywhere to 22 or 3389.", enforcementLevel: "mandatory", severity: "critical",
    validateResource: (args, report) => {
      if (args.type !== "aws:ec2/securityGroupRule:SecurityGroupRule" || args.props.type !== "ingress") return;
      if ([22, 3389].includes(args.props.fromPort) && (args.props.cidrBlocks || []).includes("0.0.0.0/0")) report(args.name + " opens port " + args.props.fromPort + " to the internet");
    } },
  { name: "encrypted-volumes", description: "EBS volumes are encrypted.", enforcementLevel: "mandatory", severity: "high",
    validateResource: (args, report) => { if (args.type === "aws:ebs/volume:Volume" && !args.props.encrypted) report(args.name + " is not encrypted"); } },
] });
`,
);
symlinkSync(join(root, 'node_modules'), join(hygienePack, 'node_modules'), 'dir');

// Resources as discovery stores them: per region shard, with a content hash.
const hashOf = (type, properties) => createHash('sha256').update(JSON.stringify([type, properties])).digest('hex');
const regionOf = (urn) => urn.split('::')[0].slice('urn:pulumi:'.length);
const t0 = performance.now();
const shards = new Map();
for (const r of syntheticAwsResources(resourceCount, seed)) {
    const account = `bench/${regionOf(r.urn)}`;
    if (!shards.has(account)) shards.set(account, []);
    shards.get(account).push({ account, region: regionOf(r.urn), urn: r.urn, type: r.type, name: r.name, properties: r.properties, hash: hashOf(r.type, r.properties) });
}
const regions = [...shards.keys()].map((a) => a.split('/')[1]).sort();
console.log(`bench/incremental: ${fmt(resourceCount)} synthetic AWS resources in ${shards.size} regions, generated in ${fmt(performance.now() - t0)} ms`);
console.log(`node ${process.version}, ${cpus().length} cores; packs: aws-typescript template (1 policy) + hygiene-bench (3 policies)\n`);

const home = join(work, 'home');
const store = await Store.open({ home });
const pool = new RunnerPool({ hostScript: join(work, 'packHost.js'), cacheDir: join(work, 'compiled') });
const dirs = {};
const packs = [];
for (const [i, dir] of [templatePack, hygienePack].entries()) {
    const info = await pool.loadPack(dir);
    dirs[`${info.name}@${info.version}`] = dir;
    packs.push({ name: info.name, version: 1, versionTag: info.version, policies: info.policies, publishedAt: new Date(Date.UTC(2026, 0, 1 + i)).toISOString(), digest: info.digest });
}
await store.updateCatalog((catalog) => {
    const account = { name: 'bench', provider: 'aws', settings: { regions }, children: [...shards.keys()].sort(), scanSchedule: 'none', createdAt: new Date().toISOString() };
    catalog.accounts.push(account);
    joinDefaultGroup(catalog, account);
    catalog.packs.push(...packs);
});
for (const pack of packs) await enablePack(store, { pack: pack.name, versionTag: 'latest' });
for (const [account, resources] of shards) await store.updateShard(account, (shard) => void (shard.resources = [...resources]));

const evaluator = new Evaluator({ store, runner: pool, packs: directoryPackSource(dirs) });

async function snapshot() {
    const out = {};
    for (const account of [...shards.keys()].sort()) {
        out[account] = (await store.readShard(account)).violations.map(({ lastSeenAt, ...v }) => v).sort((a, b) => a.id.localeCompare(b.id));
    }
    return out;
}

// Cold: the first full evaluation also compiles and starts the pack hosts.
let started = performance.now();
let report = await evaluator.evaluateAll();
const coldMs = performance.now() - started;
if (report.problems.length) console.log('problems:', report.problems.slice(0, 5));
console.log(`full evaluation, cold: ${secs(coldMs)} (${fmt(report.work.evaluated)} resource evaluations, ${fmt(report.opened)} violations opened)`);

const fullTimes = [];
for (let i = 0; i < runs; i++) {
    started = performance.now();
    report = await evaluator.evaluateAll();
    fullTimes.push(performance.now() - started);
}
const fullMs = median(fullTimes);
console.log(`full evaluation, warm: ${secs(fullMs)} median of ${runs} (${fullTimes.map(secs).join(', ')}); evaluate + reconcile + persist ${fmt(resourceCount)} resources; ${fmt(report.stillOpen)} open violations`);

// Incremental: change P% of the resources (as a scan would find them), evaluate after the scan.
const rand = seededRandom(seed + 1);
const incrementalTimes = [];
let work_ = report.work;
for (let i = 0; i < runs; i++) {
    const children = {};
    const toChange = Math.round((resourceCount * changePercent) / 100);
    const all = [...shards.values()].flat();
    const picked = new Set();
    while (picked.size < toChange) picked.add(all[Math.floor(rand() * all.length)]);
    for (const r of picked) {
        const properties = { ...r.properties, tags: rand() < 0.5 ? undefined : { Owner: 'bench', Run: String(i) }, acl: r.type === 'aws:s3/bucket:Bucket' ? (rand() < 0.5 ? 'public-read' : 'private') : r.properties.acl };
        if (r.type === 'aws:ebs/volume:Volume') properties.encrypted = rand() < 0.5;
        // a new object, as a scan finds it: what was written to the store belongs to the store
        const resources = shards.get(r.account);
        resources[resources.indexOf(r)] = { ...r, properties, hash: hashOf(r.type, properties) };
        (children[r.account] ??= { added: [], changed: [], removed: [], unchanged: 0 }).changed.push(r.urn);
    }
    for (const account of Object.keys(children)) {
        const resources = shards.get(account);
        await store.updateShard(account, (shard) => void (shard.resources = [...resources]));
        children[account].unchanged = resources.length - children[account].changed.length;
    }
    started = performance.now();
    report = await evaluator.evaluateAfterScan({ children });
    incrementalTimes.push(performance.now() - started);
    work_ = report.work;
}
const incrementalMs = median(incrementalTimes);
console.log(`incremental after ${changePercent}% changed: ${secs(incrementalMs)} median of ${runs} (${incrementalTimes.map(secs).join(', ')}); ${fmt(work_.evaluated)} resource evaluations run, ${fmt(work_.reused)} reused`);

// The property: a full re-evaluation now finds exactly what the incremental run left.
const afterIncremental = await snapshot();
const check = await evaluator.evaluateAll();
const identical = isDeepStrictEqual(afterIncremental, await snapshot()) && check.opened === 0 && check.resolved === 0;

const ratio = fullMs / incrementalMs;
console.log('');
console.log(`full (warm) ${secs(fullMs)} vs incremental ${secs(incrementalMs)}: ratio ${ratio.toFixed(1)}x (goal >= 10x) ${ratio >= 10 ? 'met' : 'NOT met'}`);
console.log(`full evaluate + reconcile + persist of ${fmt(resourceCount)} resources: ${secs(fullMs)} (goal < 10 s) ${fullMs < 10_000 ? 'met' : 'NOT met'}`);
console.log(`incremental result vs full re-evaluation: ${identical ? 'identical' : 'DIFFERENT'}`);

await pool.dispose();
await store.close();
rmSync(work, { recursive: true, force: true });
process.exit(identical ? 0 : 1);
