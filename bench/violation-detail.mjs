#!/usr/bin/env node
// bench/violation-detail: what the Policy Violations panel does after its first page, at scale,
// through the language server's own request handlers (handlers/violationHandlers.ts) in process:
// the detail pane of one violation (before any index, as the CLI; with the index, as the server;
// for an id no shard holds), a triage, and a SARIF export of ten accounts, each timed with the
// RSS it adds. The store is shaped like bench/scale.mjs's 1M run: 100 accounts x 3 regions, each
// shard with its violations and as many AWS resources (bench/lib/syntheticAws.mjs), the
// violations pointing at them. The index is built after the first detail (as the
// panel's first page builds it), untimed. Run each checkout in a fresh process:
//
//   node --expose-gc bench/violation-detail.mjs [--scale N] [--shards S] [--home DIR] [--runs R]
//
// --home DIR keeps the generated store (and reuses it when DIR has one). To compare with an
// older checkout, copy this file into it and pass the same --home.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { syntheticAwsResources } from './lib/syntheticAws.mjs';
import { loadSourceModules } from './lib/sourceModules.mjs';
import { flag, median } from './lib/args.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const scale = Number(flag('scale', 1_000_000));
const shards = Number(flag('shards', 300));
const runs = Math.max(1, Number(flag('runs', 3)));
const ms = (n) => `${n.toFixed(n < 10 ? 1 : 0)} ms`;
const mb = (bytes) => `${(bytes / 2 ** 20).toFixed(0)} MB`;

const work = mkdtempSync(join(tmpdir(), 'pi-bench-violation-detail-'));
const { Store, syntheticViolations, violationRequestHandlers } = await loadSourceModules(work, [
    "export * from './test/support/syntheticViolations';",
    "export { Store } from './server/src/store';",
    "export { violationRequestHandlers } from './server/src/handlers/violationHandlers';",
]);
const shardName = (s) => `acct-${String(Math.floor(s / 3)).padStart(3, '0')}/${['us-east-1', 'us-west-2', 'eu-west-1'][s % 3]}`;

const home = flag('home') ?? join(work, 'home');
if (!existsSync(join(home, 'shards'))) {
    const store = await Store.open({ home });
    const now = new Date();
    const started = performance.now();
    for (let s = 0; s < shards; s++) {
        const shard = shardName(s);
        const region = shard.split('/')[1];
        const per = Math.floor(scale / shards) + (s < scale % shards ? 1 : 0);
        const { violations } = syntheticViolations(per, { seed: s + 1, now });
        const resources = syntheticAwsResources(per, s + 1).map((r, i) => ({ ...r, account: shard, region, id: `id-${s}-${i}`, provider: 'aws', hash: `h${s}-${i}` }));
        violations.forEach((v, i) => {
            v.id = `${s.toString(16).padStart(4, '0')}${v.id}`;
            v.entityId = shard;
            v.entityType = 'insights-account';
            v.resourceURN = resources[i].urn;
            v.resourceType = resources[i].type;
            v.resourceName = resources[i].name;
            delete v.project;
        });
        await store.updateShard(shard, (data) => {
            data.violations = violations;
            data.resources = resources;
        });
    }
    await store.close();
    console.log(`store: ${scale.toLocaleString('en-US')} violations and resources in ${shards} shards, written in ${ms(performance.now() - started)}`);
}

const store = await Store.open({ home });
const handlers = violationRequestHandlers(() => store);

/** `work()` timed, with the RSS it added after a collection on each side (the request's garbage and what it kept). */
async function measured(work) {
    globalThis.gc?.();
    const before = process.memoryUsage().rss;
    const started = performance.now();
    await work();
    const elapsed = performance.now() - started;
    const peak = process.memoryUsage().rss - before;
    globalThis.gc?.();
    return { elapsed, peak, kept: process.memoryUsage().rss - before };
}

function report(name, results) {
    console.log(
        `  ${name.padEnd(36)} first ${ms(results[0].elapsed).padStart(8)}  median ${ms(median(results.map((r) => r.elapsed))).padStart(8)}  RSS +${mb(Math.max(...results.map((r) => r.peak)))} (after a GC +${mb(Math.max(...results.map((r) => r.kept)))})`,
    );
}

// Before any index, as `policy-insights violations show` and a server that has listed nothing yet (the ids are known: see above).
const lastPrefix = (shards - 1).toString(16).padStart(4, '0');
report('detail, no index (CLI), last shard', [await measured(() => handlers.detail({ id: `${lastPrefix}v00000000` }))]);

await handlers.list({ limit: 0 }); // the index, as the panel's first page builds it
// Violations of the last shard: a search in shard order reads every shard before it.
const last = shardName(shards - 1);
const { violations: targets } = await handlers.list({ filter: { accounts: [last], statuses: ['open'] }, limit: runs * 2 });
console.log(`index built: RSS ${mb(process.memoryUsage().rss)}; ${targets.length} violations of ${last} to ask about`);
const details = [];
for (let r = 0; r < runs; r++) details.push(await measured(() => handlers.detail({ id: targets[r].id })));
report('detail pane (last shard)', details);
const triages = [];
for (let r = 0; r < runs; r++) triages.push(await measured(() => handlers.triage({ id: targets[runs + r].id, priority: 'p1' })));
report('triage (last shard)', triages);
const gone = [];
for (let r = 0; r < runs; r++) gone.push(await measured(() => handlers.detail({ id: 'removed-since-the-panel-loaded' }).catch((error) => error)));
report('detail of an id no shard holds', gone);
const exports = [];
let exported = 0;
// ten accounts (30 shards); the first export also sorts the index (the panel's order), as a first page would
const tenAccounts = Array.from({ length: 10 }, (_, i) => shardName(3 * i).split('/')[0]);
for (let r = 0; r < runs; r++) exports.push(await measured(async () => (exported = (await handlers.export({ filter: { accounts: tenAccounts }, format: 'sarif' })).count)));
report(`SARIF export, 10 accounts (${exported.toLocaleString('en-US')})`, exports);
console.log(`max RSS ${mb(process.resourceUsage().maxRSS * 1024)}; load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}; checkout ${root}`);
handlers.dispose();
await store.close();
rmSync(work, { recursive: true, force: true });
