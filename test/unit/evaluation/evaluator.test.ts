import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Evaluator, directoryPackSource, evaluateOnCatalogChanges } from '../../../server/src/evaluation';
import { createGroup, editGroup, enablePack, joinDefaultGroup } from '../../../server/src/groups';
import type { PolicyPackVersion, Violation } from '../../../server/src/shared/model';
import type { RunnerPool } from '../../../server/src/runner/runnerPool';
import { eventually } from '../../support/waits';
import { awsAccount, BUCKET, FIXTURE_PACKS, makePool, manualClock, publishFixture, resource, ROLE_POLICY, storeResources, tempStore, type TempStore } from './evaluationTestSupport';

let pool: RunnerPool;
let rules: PolicyPackVersion;
let extraV1: PolicyPackVersion;
let extraV2: PolicyPackVersion;
let flaky: PolicyPackVersion;
const dirs = (): Record<string, string> => ({
    'eval-flaky@1.0.0': join(FIXTURE_PACKS(), 'eval-flaky'),
    'eval-rules@1.0.0': join(FIXTURE_PACKS(), 'eval-rules'),
    'eval-extra@1.0.0': join(FIXTURE_PACKS(), 'eval-extra-v1'),
    'eval-extra@2.0.0': join(FIXTURE_PACKS(), 'eval-extra-v2'),
});

before(async () => {
    pool = await makePool();
    rules = await publishFixture(pool, dirs()['eval-rules@1.0.0'], 1);
    extraV1 = await publishFixture(pool, dirs()['eval-extra@1.0.0'], 1);
    extraV2 = await publishFixture(pool, dirs()['eval-extra@2.0.0'], 2);
    flaky = await publishFixture(pool, dirs()['eval-flaky@1.0.0'], 1);
});
after(() => pool.dispose());

const E = 'demo/us-east-1';

async function setup(packs: PolicyPackVersion[]): Promise<TempStore & { evaluator: Evaluator; clock: ReturnType<typeof manualClock> }> {
    const t = await tempStore();
    await t.store.updateCatalog((catalog) => {
        const account = awsAccount('demo', ['us-east-1', 'us-west-2']);
        catalog.accounts.push(account);
        joinDefaultGroup(catalog, account);
        catalog.packs.push(...packs);
    });
    const clock = manualClock();
    const evaluator = new Evaluator({ store: t.store, runner: pool, packs: directoryPackSource(dirs()), now: clock.now });
    return { ...t, evaluator, clock };
}

async function violationsOf(t: TempStore, entity = E): Promise<Violation[]> {
    return [...(await t.store.readShard(entity)).violations].sort((a, b) => a.id.localeCompare(b.id));
}

function summary(vs: Violation[]): string[] {
    return vs.map((v) => `${v.status} ${v.policyName} ${v.resourceName} ${v.level}`).sort();
}

describe('Evaluator after a scan', () => {
    it('opens violations, runs only added and changed resources next time, and resolves fixed ones', async () => {
        const t = await setup([rules]);
        try {
            await enablePack(t.store, { pack: 'eval-rules', versionTag: 'latest' });
            const base = [
                resource(E, BUCKET, 'logs', { acl: 'public-read', tags: { Owner: 'a' } }),
                resource(E, BUCKET, 'data', { acl: 'private', tags: { Owner: 'a' } }),
                resource(E, ROLE_POLICY, 'admin', { action: '*' }),
            ];
            const delta = await storeResources(t.store, E, base);
            const first = await t.evaluator.evaluateAfterScan({ children: { [E]: delta } });
            assert.deepEqual(first.problems, []);
            assert.equal(first.work.evaluated, 3);
            assert.deepEqual(summary(await violationsOf(t)), ['open no-public-bucket logs mandatory', 'open required-tag admin advisory']);
            const opened = (await violationsOf(t)).find((v) => v.resourceName === 'logs')!;
            assert.equal(opened.kind, 'audit');
            assert.equal(opened.severity, 'high');
            assert.equal(opened.policyGroupName, 'default-policy-group');
            assert.equal(opened.entityType, 'insights-account');
            assert.equal(opened.observedAt, '2026-03-01T00:00:00.000Z');

            t.clock.tick();
            const next = [resource(E, BUCKET, 'logs', { acl: 'private', tags: { Owner: 'a' } }), base[1], base[2], resource(E, BUCKET, 'new', { acl: 'private' })];
            const second = await t.evaluator.evaluateAfterScan({ children: { [E]: await storeResources(t.store, E, next) } });
            assert.equal(second.work.evaluated, 2, 'only the changed and the added resource ran');
            assert.equal(second.work.reused, 2);
            assert.equal(second.opened, 1);
            assert.equal(second.resolved, 1);
            const after = await violationsOf(t);
            assert.deepEqual(summary(after), ['fixed no-public-bucket logs mandatory', 'open required-tag admin advisory', 'open required-tag new advisory']);
            const fixed = after.find((v) => v.resourceName === 'logs')!;
            assert.equal(fixed.resolvedAt, '2026-03-01T00:01:00.000Z');
            const still = after.find((v) => v.resourceName === 'admin')!;
            assert.equal(still.observedAt, '2026-03-01T00:00:00.000Z');
            assert.equal(still.lastSeenAt, '2026-03-01T00:01:00.000Z');

            t.clock.tick();
            await t.evaluator.evaluateAfterScan({ children: { [E]: await storeResources(t.store, E, base) } });
            const back = (await violationsOf(t)).find((v) => v.resourceName === 'logs')!;
            assert.equal(back.status, 'open', 'a finding that comes back reopens');
            assert.equal(back.resolvedAt, undefined);
            assert.equal(back.id, opened.id, 'the id is stable');
            assert.equal(back.observedAt, opened.observedAt);
        } finally {
            await t.cleanup();
        }
    });
});

describe('Evaluator: the result cache', () => {
    it('reuses results of resources that moved, and runs in full from a cache file of an older format', async () => {
        const t = await setup([rules]);
        try {
            await enablePack(t.store, { pack: 'eval-rules', versionTag: 'latest' });
            const base = [
                resource(E, BUCKET, 'logs', { acl: 'public-read', tags: { Owner: 'a' } }),
                resource(E, BUCKET, 'data', { acl: 'private', tags: { Owner: 'a' } }),
                resource(E, ROLE_POLICY, 'admin', { action: '*' }),
            ];
            await t.evaluator.evaluateAfterScan({ children: { [E]: await storeResources(t.store, E, base) } });
            const before = summary(await violationsOf(t));

            // the same resources in another order, one removed from the front and one added: nothing unchanged runs again
            const moved = [base[2], resource(E, BUCKET, 'new', { acl: 'private', tags: { Owner: 'a' } }), base[0]];
            const second = await t.evaluator.evaluateAfterScan({ children: { [E]: await storeResources(t.store, E, moved) } });
            assert.equal(second.work.evaluated, 1, 'only the added resource ran');
            assert.equal(second.work.reused, 2);
            assert.deepEqual(summary(await violationsOf(t)), before);

            // a cache file as format 2 wrote it (keys by URN) is not trusted by a new process
            const { writeFile } = await import('node:fs/promises');
            const cacheFile = join(t.home, 'evaluation', `${encodeURIComponent(E)}.json`);
            await writeFile(cacheFile, JSON.stringify({ format: 2, keys: {}, bindings: {} }));
            const fresh = new Evaluator({ store: t.store, runner: pool, packs: directoryPackSource(dirs()), now: t.clock.now });
            const third = await fresh.evaluateAfterScan({ children: { [E]: await storeResources(t.store, E, moved) } });
            assert.equal(third.work.evaluated, 3);
            assert.equal(third.work.reused, 0);
            assert.deepEqual(summary(await violationsOf(t)), before);
        } finally {
            await t.cleanup();
        }
    });
});

describe('Evaluator after a catalog change', () => {
    it('re-runs only the affected accounts and packs after a group edit', async () => {
        const t = await setup([rules, extraV1]);
        try {
            await enablePack(t.store, { pack: 'eval-rules', versionTag: 'latest' });
            const west = 'demo/us-west-2';
            await storeResources(t.store, E, [resource(E, ROLE_POLICY, 'a', { action: '*', tags: { Owner: 'x' } })]);
            await storeResources(t.store, west, [resource(west, ROLE_POLICY, 'b', { action: '*', tags: { Owner: 'x' } }), resource(west, BUCKET, 'c', { acl: 'private' })]);
            await t.evaluator.evaluateAll();
            await createGroup(t.store, { name: 'west', mode: 'preventative' });
            await enablePack(t.store, { group: 'west', pack: 'eval-extra', versionTag: '1.0.0' });
            const change = await editGroup(t.store, 'west', { addAccounts: [west] });
            const report = await t.evaluator.evaluateAfterCatalogChange(change.before, change.after);
            assert.deepEqual(report.accounts, [west]);
            assert.equal(report.work.evaluated, 2, 'eval-extra ran on the two resources of demo/us-west-2');
            assert.equal(report.work.reused, 2, 'eval-rules results were reused');
            const found = (await violationsOf(t, west)).filter((v) => v.policyPack === 'eval-extra');
            assert.deepEqual(found.map((v) => [v.resourceName, v.kind, v.policyGroupName, v.status]), [['b', 'preventative', 'west', 'open']]);

            // pinned 1.0.0 does not follow a new publish; latest does
            const empty = await t.evaluator.evaluateAfterCatalogChange(change.after, await t.store.updateCatalog((c) => (c.packs.push(extraV2), structuredClone(c))));
            assert.deepEqual(empty.accounts, [], 'nothing follows latest yet');
            const followed = await enablePack(t.store, { group: 'west', pack: 'eval-extra', versionTag: 'latest' });
            await t.evaluator.evaluateAfterCatalogChange(followed.before, followed.after);
            const v2 = (await violationsOf(t, west)).find((v) => v.policyPack === 'eval-extra')!;
            assert.equal(v2.policyPackTag, '2.0.0');
            assert.match(v2.message, /\(v2\)/);
        } finally {
            await t.cleanup();
        }
    });

    it('applies the pack level, then the group level for the pack, then the per-policy level and properties', async () => {
        const t = await setup([rules]);
        try {
            await storeResources(t.store, E, [
                resource(E, BUCKET, 'pub', { acl: 'public-read', size: 150, tags: { Team: 'x' } }),
                resource(E, BUCKET, 'big', { acl: 'private', size: 500, tags: { Owner: 'x' } }),
            ]);
            const c1 = await enablePack(t.store, { pack: 'eval-rules', versionTag: 'latest', config: { all: 'advisory', 'size-limit': { enforcementLevel: 'mandatory', limit: 200 }, 'required-tag': { tag: 'Team' } } });
            await t.evaluator.evaluateAfterCatalogChange(c1.before, c1.after);
            assert.deepEqual(summary(await violationsOf(t)), ['open no-public-bucket pub advisory', 'open required-tag big advisory', 'open size-limit big mandatory']);
            const c2 = await enablePack(t.store, { pack: 'eval-rules', versionTag: 'latest', config: { 'required-tag': 'disabled' } });
            await t.evaluator.evaluateAfterCatalogChange(c2.before, c2.after);
            assert.deepEqual(summary(await violationsOf(t)), ['fixed required-tag big advisory', 'open no-public-bucket pub mandatory', 'open size-limit big advisory', 'open size-limit pub advisory']);
        } finally {
            await t.cleanup();
        }
    });
});

describe('Evaluator: stack policies and failed discovery', () => {
    it('runs stack policies over the whole set and keeps violations of a service whose discovery failed', async () => {
        const t = await setup([rules]);
        try {
            await enablePack(t.store, { pack: 'eval-rules', versionTag: 'latest', config: { 'required-tag': 'disabled', 'size-limit': 'disabled' } });
            const buckets = ['a', 'b', 'c'].map((n) => resource(E, BUCKET, n, { acl: 'public-read' }));
            const role = resource(E, ROLE_POLICY, 'r', { action: '*' });
            await t.evaluator.evaluateAfterScan({ children: { [E]: await storeResources(t.store, E, [...buckets, role]) } });
            const all = await violationsOf(t);
            const stack = all.filter((v) => v.policyName === 'max-public-buckets');
            assert.deepEqual(stack.map((v) => [v.resourceURN === '' ? '(account)' : v.resourceName, v.message.split('\n').pop(), v.severity]).sort(), [['(account)', '3 public buckets', 'critical'], ['c', 'one public bucket too many', 'critical']]);
            t.clock.tick();
            // s3 failed: its resources are gone from this scan, and their violations stay open
            const report = await t.evaluator.evaluateAfterScan({ children: { [E]: await storeResources(t.store, E, [role], [{ service: 's3', code: 'AccessDenied', message: 'denied' }]) } });
            assert.equal(report.work.stackRuns, 1);
            const kept = (await violationsOf(t)).filter((v) => v.policyName === 'no-public-bucket');
            assert.deepEqual(kept.map((v) => v.status), ['open', 'open', 'open']);
            t.clock.tick();
            await t.evaluator.evaluateAfterScan({ children: { [E]: await storeResources(t.store, E, [role]) } });
            const gone = (await violationsOf(t)).filter((v) => v.policyName === 'no-public-bucket');
            assert.deepEqual(gone.map((v) => v.status), ['fixed', 'fixed', 'fixed'], 'once s3 is listed again, the missing buckets are gone for real');
        } finally {
            await t.cleanup();
        }
    });
});

describe('Evaluator: concurrent changes', () => {
    it('a group edit made while a scan is being evaluated is not lost', async () => {
        const t = await setup([rules, extraV1]);
        try {
            await enablePack(t.store, { pack: 'eval-rules', versionTag: 'latest' });
            let edited = false;
            // a second writer (another window, the CLI) edits the group while the pack runs
            const racing = {
                analyze: async (...args: Parameters<RunnerPool['analyze']>) => {
                    if (!edited) {
                        edited = true;
                        await enablePack(t.store, { pack: 'eval-extra', versionTag: 'latest' });
                    }
                    return pool.analyze(...args);
                },
                analyzeStack: (...args: Parameters<RunnerPool['analyzeStack']>) => pool.analyzeStack(...args),
                remediate: (...args: Parameters<RunnerPool['remediate']>) => pool.remediate(...args),
            };
            const evaluator = new Evaluator({ store: t.store, runner: racing, packs: directoryPackSource(dirs()), now: t.clock.now });
            const delta = await storeResources(t.store, E, [resource(E, ROLE_POLICY, 'admin', { action: '*', tags: { Owner: 'o' } })]);
            const report = await evaluator.evaluateAfterScan({ children: { [E]: delta } });
            assert.ok(edited);
            assert.deepEqual(report.problems, []);
            assert.deepEqual(summary(await violationsOf(t)), ['open no-wildcard-action admin advisory'], 'the violation of the pack enabled mid-evaluation is there');
        } finally {
            await t.cleanup();
        }
    });

    it('a scan that lands while a group change is evaluated is not lost', async () => {
        const t = await setup([rules]);
        try {
            await storeResources(t.store, E, [resource(E, BUCKET, 'one', { acl: 'private', tags: { Owner: 'o' } })]);
            let scanned = false;
            const racing = {
                analyze: async (...args: Parameters<RunnerPool['analyze']>) => {
                    if (!scanned) {
                        scanned = true;
                        await storeResources(t.store, E, [resource(E, BUCKET, 'one', { acl: 'public-read', tags: { Owner: 'o' } })]);
                    }
                    return pool.analyze(...args);
                },
                analyzeStack: (...args: Parameters<RunnerPool['analyzeStack']>) => pool.analyzeStack(...args),
                remediate: (...args: Parameters<RunnerPool['remediate']>) => pool.remediate(...args),
            };
            const evaluator = new Evaluator({ store: t.store, runner: racing, packs: directoryPackSource(dirs()), now: t.clock.now });
            const change = await enablePack(t.store, { pack: 'eval-rules', versionTag: 'latest' });
            await evaluator.evaluateAfterCatalogChange(change.before, change.after);
            assert.deepEqual(summary(await violationsOf(t)), ['open no-public-bucket one mandatory']);
        } finally {
            await t.cleanup();
        }
    });
});

describe('Evaluator: failures leave violations as they were', () => {
    it('keeps the violations of a resource a policy threw on, and of a pack that cannot run', async () => {
        const t = await setup([flaky, rules]);
        try {
            await enablePack(t.store, { pack: 'eval-flaky', versionTag: 'latest' });
            await t.evaluator.evaluateAfterScan({ children: { [E]: await storeResources(t.store, E, [resource(E, ROLE_POLICY, 'x', { bad: true }), resource(E, ROLE_POLICY, 'y', { bad: true })]) } });
            assert.deepEqual(summary(await violationsOf(t)), ['open no-bad-flag x mandatory', 'open no-bad-flag y mandatory']);
            t.clock.tick();
            const threw = await t.evaluator.evaluateAfterScan({ children: { [E]: await storeResources(t.store, E, [resource(E, ROLE_POLICY, 'x', { bad: true, explode: true }), resource(E, ROLE_POLICY, 'y', {})]) } });
            assert.equal(threw.problems.length, 1);
            assert.match(threw.problems[0].message, /cannot read x/);
            assert.equal(threw.problems[0].urn, resource(E, ROLE_POLICY, 'x', {}).urn);
            assert.deepEqual(summary(await violationsOf(t)), ['fixed no-bad-flag y mandatory', 'open no-bad-flag x mandatory'], 'x is not resolved by a policy that threw');
            t.clock.tick();
            const again = await t.evaluator.evaluateAfterScan({ children: { [E]: await storeResources(t.store, E, [resource(E, ROLE_POLICY, 'x', { bad: true, explode: true }), resource(E, ROLE_POLICY, 'y', {})]) } });
            assert.equal(again.work.evaluated, 1, 'the resource whose result is unknown runs again; y is reused');

            // a pack whose code cannot be found: problems reported, its violations kept
            const broken = new Evaluator({ store: t.store, runner: pool, packs: directoryPackSource({}), now: t.clock.now });
            t.clock.tick();
            const report = await broken.evaluateAll();
            assert.equal(report.problems.length, 1);
            assert.match(report.problems[0].message, /eval-flaky@1\.0\.0 cannot run: No directory/);
            assert.deepEqual(summary(await violationsOf(t)), ['fixed no-bad-flag y mandatory', 'open no-bad-flag x mandatory']);
        } finally {
            await t.cleanup();
        }
    });

    it('evaluates only the accounts asked for and tells listeners', async () => {
        const t = await setup([rules]);
        try {
            await enablePack(t.store, { pack: 'eval-rules', versionTag: 'latest' });
            const west = 'demo/us-west-2';
            await storeResources(t.store, E, [resource(E, BUCKET, 'a', { acl: 'public-read', tags: { Owner: 'o' } })]);
            await storeResources(t.store, west, [resource(west, BUCKET, 'b', { acl: 'public-read', tags: { Owner: 'o' } })]);
            const events: string[][] = [];
            const subscription = t.evaluator.onEvaluated((r) => events.push([r.trigger, ...r.accounts, `opened=${r.opened}`, `open=${r.stillOpen}`]));
            await t.evaluator.evaluateAll({ accounts: [west] });
            await t.evaluator.evaluateAll({ accounts: ['demo'] });
            subscription.dispose();
            await t.evaluator.evaluateAll();
            assert.deepEqual(events, [
                ['all', west, 'opened=1', 'open=1'],
                ['all', E, west, 'opened=1', 'open=2'],
            ]);
            const lastScan = (await t.store.readShard(E)).scans.at(-1)!;
            assert.equal(lastScan.openViolations, undefined, 'only an evaluation after a scan records its open count on the scan');
            await t.evaluator.evaluateAfterScan({ children: { [E]: await storeResources(t.store, E, [resource(E, BUCKET, 'a', { acl: 'public-read', tags: { Owner: 'o' } })]) } });
            assert.equal((await t.store.readShard(E)).scans.at(-1)!.openViolations, 1);
        } finally {
            await t.cleanup();
        }
    });
});

describe('evaluateOnCatalogChanges', () => {
    it('evaluates the affected accounts after each group edit, coalescing a burst of edits', async () => {
        const t = await setup([rules, extraV1]);
        try {
            await storeResources(t.store, E, [resource(E, ROLE_POLICY, 'admin', { action: '*' })]);
            const reports: string[] = [];
            const watch = await evaluateOnCatalogChanges(t.store, t.evaluator, { onReport: (r) => reports.push(r.accounts.join(',')) });
            await enablePack(t.store, { pack: 'eval-rules', versionTag: 'latest' });
            await enablePack(t.store, { pack: 'eval-extra', versionTag: 'latest' });
            await watch.idle();
            assert.deepEqual(summary(await violationsOf(t)), ['open no-wildcard-action admin advisory', 'open required-tag admin advisory']);
            assert.ok(reports.length >= 1 && reports.length <= 2, `one or two evaluations for two edits (${reports.length})`);
            watch.dispose();
            await enablePack(t.store, { pack: 'eval-rules', versionTag: 'latest', config: { 'required-tag': 'disabled' } });
            await watch.idle();
            assert.deepEqual(summary(await violationsOf(t)), ['open no-wildcard-action admin advisory', 'open required-tag admin advisory'], 'nothing runs after dispose');
        } finally {
            await t.cleanup();
        }
    });
});

describe('Evaluator: pack hosts start together', () => {
    it("starts every pack of the first account before running the first, not one pack's cold start after the other", async () => {
        const t = await setup([rules, extraV1]);
        try {
            await enablePack(t.store, { pack: 'eval-rules', versionTag: 'latest' });
            await enablePack(t.store, { pack: 'eval-extra', versionTag: 'latest' });
            const events: string[] = [];
            const name = (dir: string) => dir.split('/').pop()!;
            const recording = {
                async loadPack(dir: string) {
                    events.push(`load ${name(dir)}`);
                    const info = await pool.loadPack(dir);
                    events.push(`loaded ${name(dir)}`);
                    return info;
                },
                analyze: (dir: string, ...rest: Parameters<RunnerPool['analyze']> extends [string, ...infer R] ? R : never) => (events.push(`analyze ${name(dir)}`), pool.analyze(dir, ...rest)),
                analyzeStack: pool.analyzeStack.bind(pool),
                remediate: pool.remediate.bind(pool),
            };
            const evaluator = new Evaluator({ store: t.store, runner: recording, packs: directoryPackSource(dirs()), now: t.clock.now });
            const delta = await storeResources(t.store, E, [resource(E, BUCKET, 'logs', { acl: 'public-read' })]);
            const report = await evaluator.evaluateAfterScan({ children: { [E]: delta } });
            assert.deepEqual(report.problems, []);
            const firstRun = events.findIndex((e) => e.startsWith('analyze'));
            assert.deepEqual(events.slice(0, 2).sort(), ['load eval-extra-v1', 'load eval-rules'], `both loads start first: ${events.join(', ')}`);
            assert.ok(firstRun > 1, `no pack runs before both are loading: ${events.join(', ')}`);
            assert.equal(events.filter((e) => e.startsWith('analyze')).length, 2);

            // prepare(): the hosts start for an evaluation to come (the CLI calls it when a scan starts), nothing runs
            events.length = 0;
            evaluator.prepare(['demo']);
            await eventually(() => events.filter((e) => e.startsWith('loaded')).length === 2, 10_000, 'both packs to load');
            assert.deepEqual(events.map((e) => e.split(' ')[0]).sort(), ['load', 'load', 'loaded', 'loaded']);
        } finally {
            await t.cleanup();
        }
    });
});

describe('Evaluator: keepInMemory false (the CLI)', () => {
    it('releases each entity after it, and the next evaluation still reuses every result (from the files)', async () => {
        const t = await setup([rules]);
        try {
            await enablePack(t.store, { pack: 'eval-rules', versionTag: 'latest' });
            const W = 'demo/us-west-2';
            const eastDelta = await storeResources(t.store, E, [resource(E, BUCKET, 'logs', { acl: 'public-read' }), resource(E, BUCKET, 'data', { acl: 'private' })]);
            const westDelta = await storeResources(t.store, W, [resource(W, BUCKET, 'web', { acl: 'public-read' })]);
            const oneShot = () => new Evaluator({ store: t.store, runner: pool, packs: directoryPackSource(dirs()), now: t.clock.now, keepInMemory: false });
            const first = await oneShot().evaluateAll();
            assert.equal(first.work.evaluated, 3);
            const before = [...(await violationsOf(t)), ...(await violationsOf(t, W))];
            const next = oneShot();
            const again = await next.evaluateAfterScan({ children: { [E]: { ...eastDelta, added: [] }, [W]: { ...westDelta, added: [] } } });
            assert.deepEqual(again.work, { evaluated: 0, reused: 3, stackRuns: 0 });
            assert.deepEqual([...(await violationsOf(t)), ...(await violationsOf(t, W))], before);
        } finally {
            await t.cleanup();
        }
    });
});
