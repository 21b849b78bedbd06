// The process bench/scale.mjs runs for the steps that need the services themselves rather
// than the CLI: bundled by esbuild (it imports the server's TypeScript) and started once per
// step, so each step's peak RSS is its own. Prints one JSON line on stdout.
//
//   fixture --out F --changed-out G --per-child C --regions r1,r2,r3 --change-percent P --seed S
//           writes account 0's local AWS fixture, and the same account with P% of its
//           regional resources changed, added or removed (what the rescan finds)
//   setup   --home H --url U --accounts N --per-child C --regions r1,r2,r3 --seed S
//           adds N AWS accounts (addAwsAccount, against the local AWS at U), writes synthetic
//           shards for accounts 1..N-1 through Store.updateShard, and scans account 0 from U
//   rescan  --home H
//           scans account 0 again and runs the evaluation that follows a scan, as
//           `policy-insights account scan` does (cli/evaluate.ts's withEvaluation)
//   count   --home H
//           counts the stored violations `violations` lists by default, one shard at a time
import { addAwsAccount, resourceHash, resourceUrn, scanAccount } from '../../server/src/accounts';
import { withEvaluation } from '../../server/src/cli/evaluate';
import { DEFAULT_STATUSES } from '../../server/src/shared/model';
import { Store } from '../../server/src/store';
import { isSuppressed } from '../../server/src/violations/violationFilter';
import { writeFileSync } from 'node:fs';
import { generateFixture, GENERATED_KEYS } from '../../test/localaws/generateFixture';
import { syntheticAwsResources } from './syntheticAws.mjs';

const [role, ...args] = process.argv.slice(2);
const opt = (name) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : undefined);

/** Account `i`'s name: sorted names keep account 0 (the rescanned one) first. */
export const accountName = (i) => `acct-${String(i).padStart(3, '0')}`;

/** Synthetic resources of one child, shaped as discovery stores them (URN, id, provider, content hash). */
function childResources(account, region, count, seed) {
    const child = `${account}/${region}`;
    return syntheticAwsResources(count, seed).map((r) => ({
        account: child,
        region,
        urn: resourceUrn(account, region, r.type, r.name),
        type: r.type,
        name: r.name,
        id: r.name,
        provider: 'aws',
        properties: r.properties,
        hash: resourceHash(r.type, r.properties),
    }));
}

async function fixture() {
    const regions = opt('regions').split(',');
    const perChild = Number(opt('per-child'));
    const make = () =>
        generateFixture({ resourcesPerRegion: perChild, regions, buckets: Math.max(3, Math.round(perChild * regions.length * 0.01)), iamEntities: 10, seed: Number(opt('seed')) });
    writeFileSync(opt('out'), JSON.stringify(make()));
    const changed = make();
    const account = changed.accounts[0];
    const per = Math.max(4, Math.round((perChild * Number(opt('change-percent'))) / 100));
    const counts = { changed: 0, added: 0, removed: 0 };
    for (const [r, region] of regions.entries()) {
        const { ec2 } = account.resources[region];
        // half changed (fields discovery maps: encryption, instance type, ingress), a quarter removed, a quarter added
        const changes = [
            ...ec2.volumes.map((v) => () => (v.Encrypted = !v.Encrypted)),
            ...ec2.instances.map((i) => () => (i.InstanceType = i.InstanceType === 't3.micro' ? 'm5.large' : 't3.micro')),
            ...ec2.securityGroups.map((g) => () => (g.IpPermissions[0].IpRanges[0].CidrIp = '0.0.0.0/0')),
        ];
        for (let i = 0; i < per / 2 && i < changes.length; i++) changes[Math.floor((i * changes.length) / (per / 2))]();
        counts.changed += Math.min(Math.ceil(per / 2), changes.length);
        const removed = Math.floor(per / 4);
        ec2.instances.splice(ec2.instances.length - removed, removed);
        counts.removed += removed;
        for (let i = 0; i < per / 4; i++) {
            ec2.volumes.push({ VolumeId: `vol-add${String(r).padStart(3, '0')}${String(i).padStart(7, '0')}`, Size: 100, VolumeType: 'gp3', State: 'available', Encrypted: i % 2 === 0, AvailabilityZone: `${region}a`, CreateTime: '2026-01-15T10:00:00.000Z', Tags: [] });
            counts.added++;
        }
    }
    // buckets are what the aws-typescript template checks: some become public (opened), some private (resolved)
    for (const [i, bucket] of account.s3.buckets.entries()) if (i % 10 === 0) bucket.Acl = bucket.Acl === 'public-read' ? 'private' : 'public-read';
    writeFileSync(opt('changed-out'), JSON.stringify(changed));
    return counts;
}

async function setup() {
    const store = await Store.open({ home: opt('home') });
    const regions = opt('regions').split(',');
    const accounts = Number(opt('accounts'));
    const perChild = Number(opt('per-child'));
    const seed = Number(opt('seed'));
    const started = performance.now();
    let written = 0;
    for (let i = 0; i < accounts; i++) {
        const name = accountName(i);
        await addAwsAccount(store, { name, regions, endpoint: opt('url') });
        if (i === 0) continue;
        for (const [r, region] of regions.entries()) {
            const resources = childResources(name, region, perChild, seed * 1000 + i * 10 + r);
            await store.updateShard(`${name}/${region}`, (shard) => void (shard.resources = resources));
            written += resources.length;
        }
        // one shard at a time: nothing keeps the parsed shards of the accounts already written
        store.dropReadCache();
        if (i % 10 === 0) process.stderr.write(`  setup: ${i + 1}/${accounts} accounts, ${written.toLocaleString('en-US')} resources\n`);
    }
    const generateMs = performance.now() - started;
    const scan = await scanAccount(store, accountName(0), { concurrency: 16 });
    await store.close();
    return { written, scanned: scan.account.scanStatus?.resourceCount ?? 0, scanErrors: scan.errors, generateMs, scanMs: performance.now() - started - generateMs };
}

async function rescan() {
    const store = await Store.open({ home: opt('home') });
    const lines = [];
    const ctx = { home: opt('home'), values: {}, positionals: [], out: (l) => lines.push(l), err: (l) => lines.push(l) };
    // as `policy-insights account scan` runs them: the scan, its pack hosts starting meanwhile, then the evaluation
    const result = await withEvaluation(ctx, store, [accountName(0)], async (evaluate) => {
        const started = performance.now();
        const outcome = await scanAccount(store, accountName(0), { concurrency: 16 });
        const scanMs = performance.now() - started;
        const evalStarted = performance.now();
        const report = await evaluate((evaluator) => evaluator.evaluateAfterScan(outcome));
        return { outcome, report, scanMs, evaluateMs: performance.now() - evalStarted };
    });
    await store.close();
    const { outcome, report, scanMs, evaluateMs } = result;
    const delta = {};
    for (const [child, d] of Object.entries(outcome.children)) delta[child] = { added: d.added.length, changed: d.changed.length, removed: d.removed.length };
    return { scanMs, evaluateMs, delta, scanErrors: outcome.errors, work: report.work, opened: report.opened, resolved: report.resolved, stillOpen: report.stillOpen, problems: report.problems, output: lines };
}

async function count() {
    const store = await Store.open({ home: opt('home') });
    const now = new Date();
    let listed = 0;
    let stored = 0;
    for (const name of await store.listShards()) {
        for (const v of (await store.readShard(name)).violations) {
            stored++;
            // what `violations` lists without options: open and in progress, not suppressed
            if (DEFAULT_STATUSES.includes(v.status) && !isSuppressed(v, now)) listed++;
        }
        store.dropReadCache();
    }
    await store.close();
    return { listed, stored };
}

process.env.AWS_ACCESS_KEY_ID = GENERATED_KEYS.accessKeyId;
process.env.AWS_SECRET_ACCESS_KEY = GENERATED_KEYS.secretAccessKey;
const roles = { fixture, setup, rescan, count };
if (!roles[role]) {
    process.stderr.write(`scaleWorker: unknown role "${role}" (fixture, setup, rescan or count)\n`);
    process.exit(2);
}
roles[role]().then(
    (r) => process.stdout.write(`${JSON.stringify(r)}\n`),
    (e) => {
        process.stderr.write(`${String(e?.stack ?? e)}\n`);
        process.exit(1);
    },
);
