#!/usr/bin/env node
// bench/violation-query: the violation query service in process (no LSP), at 1,000,000
// violations in 300 shards (the store bench/server-memory.mjs makes for its scale run): the cold
// index build (from the index files the store writes beside each shard, then from the shards' JSON), the panel's first page after it, and each filter change, sort change and grouping
// the panel sends, timed as the server's `elapsedMs` (median of --runs). For profiling the query
// layer alone: `node --cpu-prof bench/violation-query.mjs --home DIR`.
//
//   node bench/violation-query.mjs [--scale N] [--shards S] [--runs R] [--home DIR] [--cold idx|json|both]
//
// --home DIR keeps the generated store (and reuses it when DIR has one).
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSourceModules } from './lib/sourceModules.mjs';
import { flag, median } from './lib/args.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const scale = Number(flag('scale', 1_000_000));
const shards = Number(flag('shards', 300));
const runs = Math.max(1, Number(flag('runs', 5)));
const ms = (n) => `${n.toFixed(n < 10 ? 1 : 0)} ms`;

const work = mkdtempSync(join(tmpdir(), 'pi-bench-violation-query-'));
const { Store, syntheticViolations, ViolationQueryService } = await loadSourceModules(work, [
    "export * from './test/support/syntheticViolations';",
    "export { Store } from './server/src/store';",
    "export { ViolationQueryService } from './server/src/violations/violationQuery';",
]);

const home = flag('home') ?? join(work, 'home');
if (!existsSync(join(home, 'shards'))) {
    const store = await Store.open({ home });
    const now = new Date();
    const started = performance.now();
    const regions = ['us-east-1', 'us-west-2', 'eu-west-1'];
    for (let s = 0; s < shards; s++) {
        // As bench/server-memory.mjs's scale store: 100 accounts x 3 regions, violations only.
        const shard = `acct-${String(Math.floor(s / 3)).padStart(3, '0')}/${regions[s % 3]}`;
        const per = Math.floor(scale / shards) + (s < scale % shards ? 1 : 0);
        const { violations } = syntheticViolations(per, { seed: s + 1, now });
        for (const v of violations) {
            v.id = `${s.toString(16).padStart(4, '0')}${v.id}`;
            v.entityId = shard;
            v.entityType = 'insights-account';
            v.resourceURN = `urn:pulumi:${shard}::insights::${v.resourceType}::${v.resourceName}`;
            delete v.project;
        }
        await store.updateShard(shard, (data) => {
            data.violations = violations;
        });
    }
    await store.close();
    console.log(`store: ${scale.toLocaleString('en-US')} violations in ${shards} shards, written in ${ms(performance.now() - started)}`);
}

const store = await Store.open({ home });
const FIRST_PAGE = { offset: 0, limit: 100 };
/** A fresh query service's first answers: the status bar's count builds the index, as at the server's start; then the panel opens. */
async function cold(label) {
    const service = new ViolationQueryService(store);
    let t = performance.now();
    const cpu = process.cpuUsage();
    await service.list({ limit: 0 });
    const buildMs = performance.now() - t;
    t = performance.now();
    const first = await service.panel(FIRST_PAGE);
    const used = process.cpuUsage(cpu);
    // CPU time too: on a loaded machine it says more than the wall clock
    console.log(`cold, ${label}: index build ${ms(buildMs)}, then the panel's first page ${ms(performance.now() - t)}; CPU ${ms((used.user + used.system) / 1000)} (${first.total.toLocaleString('en-US')} rows; RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB)`);
    return service;
}
const shardsDir = join(home, 'shards');
const indexFiles = () => readdirSync(shardsDir).filter((name) => name.endsWith('@violations.idx'));
// --cold idx: only from the index files the store wrote (the server's start); json: only from the shards' JSON (index files
// removed first, as before they existed); both (default): idx first, while this process is as cold as a server's, then json
const coldFrom = flag('cold', 'both');
let service;
if (coldFrom !== 'json') {
    const files = indexFiles();
    const bytes = files.reduce((n, name) => n + statSync(join(shardsDir, name)).size, 0);
    console.log(`index files: ${files.length} of ${shards} shards, ${(bytes / 2 ** 20).toFixed(1)} MB`);
    service = await cold('from the index files');
}
if (coldFrom !== 'idx') {
    service?.dispose();
    for (const name of indexFiles()) rmSync(join(shardsDir, name));
    service = await cold('from the JSON (index files removed; they are written again)');
}
const warm = [];
const warmScan = [];
for (let r = 0; r < runs; r++) {
    warm.push((await service.panel(FIRST_PAGE)).elapsedMs);
    warmScan.push((await service.panel({ ...FIRST_PAGE, limit: 0 })).elapsedMs);
}
console.log(`first page (index built): ${ms(median(warm))}, of which the scan and counts (limit 0) ${ms(median(warmScan))}`);

const CHANGES = [
    ['one level', { filter: { levels: ['mandatory'] } }],
    ['one severity', { filter: { severities: ['critical'] } }],
    ['two statuses', { filter: { statuses: ['open', 'fixed'] } }],
    ['a resource type', { filter: { typeContains: 's3' } }],
    ['an account', { filter: { accounts: ['acct-042'] } }],
    ['search text', { filter: { search: 'bucket-1' } }],
    ['search, no hit', { filter: { search: 'zzzz' } }],
    ['sort by policy', { sort: { column: 'policy', direction: 'asc' } }],
    ['sort by resource desc', { sort: { column: 'resource', direction: 'desc' } }],
    ['sort by first seen', { sort: { column: 'observedAt', direction: 'asc' } }],
    ['group by policy', { groupBy: 'policy' }],
    ['group by account', { groupBy: 'account' }],
    ['group by severity + level', { groupBy: 'severity', filter: { levels: ['advisory'] } }],
];
let worst = 0;
for (const [name, change] of CHANGES) {
    const firstRun = (await service.panel({ ...FIRST_PAGE, ...change })).elapsedMs;
    const times = [];
    const scans = [];
    for (let r = 0; r < runs; r++) {
        times.push((await service.panel({ ...FIRST_PAGE, ...change })).elapsedMs);
        await service.panel(FIRST_PAGE);
        // The same query without its rows' details: what the scan and the counts take.
        scans.push((await service.panel({ ...FIRST_PAGE, ...change, limit: 0 })).elapsedMs);
    }
    worst = Math.max(worst, median(times));
    console.log(`  ${name.padEnd(26)} first ${ms(firstRun).padStart(8)}  median ${ms(median(times)).padStart(8)}  (scan ${ms(median(scans)).padStart(8)})`);
}
console.log(`worst filter change median ${ms(worst)}; load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
service.dispose();
await store.close();
if (!flag('home')) rmSync(work, { recursive: true, force: true });
