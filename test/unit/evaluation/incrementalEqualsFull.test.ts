/**
 * The property the incremental evaluation promises: after any sequence of scans, group
 * edits and publishes, the violations an incremental run leaves are exactly those a full
 * re-evaluation leaves (lastSeenAt aside, see snapshot). Two homes receive the same random changes; one evaluates
 * incrementally, the other fully, and they are compared after every step.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Evaluator, directoryPackSource, type EvaluationReport } from '../../../server/src/evaluation';
import { createGroup, disablePack, editGroup, enablePack, joinDefaultGroup, type CatalogChange } from '../../../server/src/groups';
import type { PolicyConfigValue, PolicyPackVersion, Resource } from '../../../server/src/shared/model';
import type { RunnerPool } from '../../../server/src/runner/runnerPool';
import type { Store } from '../../../server/src/store';
import { awsAccount, BUCKET, FIXTURE_PACKS, makePool, manualClock, publishFixture, resource, ROLE_POLICY, stackAccount, storeResources, tempStore, type TempStore } from './evaluationTestSupport';
import { seededRandom } from '../../support/seededRandom';

const VOLUME = 'aws:ebs/volume:Volume';
const ENTITIES = ['demo/us-east-1', 'demo/us-west-2', 'shop'];

let pool: RunnerPool;
let packs: PolicyPackVersion[];
const dirs = () => ({
    'eval-rules@1.0.0': join(FIXTURE_PACKS(), 'eval-rules'),
    'eval-extra@1.0.0': join(FIXTURE_PACKS(), 'eval-extra-v1'),
    'eval-extra@2.0.0': join(FIXTURE_PACKS(), 'eval-extra-v2'),
    'eval-remediate@1.0.0': join(FIXTURE_PACKS(), 'eval-remediate'),
});

before(async () => {
    pool = await makePool();
    packs = [await publishFixture(pool, dirs()['eval-rules@1.0.0'], 1), await publishFixture(pool, dirs()['eval-extra@1.0.0'], 1), await publishFixture(pool, dirs()['eval-extra@2.0.0'], 2), await publishFixture(pool, dirs()['eval-remediate@1.0.0'], 1)];
});
after(() => pool.dispose());


interface Home extends TempStore {
    evaluator: Evaluator;
    clock: ReturnType<typeof manualClock>;
}

async function makeHome(): Promise<Home> {
    const t = await tempStore();
    await t.store.updateCatalog((catalog) => {
        for (const account of [awsAccount('demo', ['us-east-1', 'us-west-2']), stackAccount('shop', 'shop', 'prod')]) {
            catalog.accounts.push(account);
            joinDefaultGroup(catalog, account);
        }
        catalog.packs.push(packs[0], packs[1], packs[3]);
    });
    const clock = manualClock();
    return { ...t, clock, evaluator: new Evaluator({ store: t.store, runner: pool, packs: directoryPackSource(dirs()), now: clock.now }) };
}

function randomResource(rand: () => number, entity: string, name: string): Resource {
    const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
    const tags = pick([undefined, { Owner: 'o' }, { Team: 't' }, { Owner: 'o', Team: 't' }]);
    const kind = pick([BUCKET, ROLE_POLICY, VOLUME]);
    const props: Record<string, unknown> =
        kind === BUCKET ? { acl: pick(['private', 'public-read', 'public-read']), ...pick([{}, { versioning: { enabled: false } }, { versioning: { enabled: true } }]) } : kind === ROLE_POLICY ? { action: pick(['*', 's3:*', 's3:GetObject']) } : { size: Math.floor(rand() * 300) };
    if (tags) props.tags = tags;
    const r = resource(entity, kind, name, props);
    if (entity === 'shop') r.project = 'shop';
    return r;
}

function randomConfig(rand: () => number): Record<string, PolicyConfigValue> {
    const level = () => (['advisory', 'mandatory', 'disabled', 'remediate'] as const)[Math.floor(rand() * 4)];
    const config: Record<string, PolicyConfigValue> = {};
    if (rand() < 0.4) config.all = level();
    if (rand() < 0.5) config['required-tag'] = rand() < 0.5 ? level() : { tag: rand() < 0.5 ? 'Owner' : 'Team' };
    if (rand() < 0.5) config['size-limit'] = { limit: 50 + Math.floor(rand() * 200), ...(rand() < 0.3 ? { enforcementLevel: level() } : {}) };
    if (rand() < 0.3) config['max-public-buckets'] = level();
    return config;
}

type Step = { kind: 'scan'; apply: (store: Store) => Promise<Record<string, { added: string[]; changed: string[]; removed: string[] }>> } | { kind: 'catalog'; apply: (store: Store) => Promise<CatalogChange> };

/** One random change, applied the same way to both homes. */
function randomStep(rand: () => number, state: { resources: Map<string, Resource[]>; published: boolean; groupMade: boolean }): Step {
    const r = rand();
    if (r < 0.55) {
        const entities = ENTITIES.filter(() => rand() < 0.6);
        if (!entities.length) entities.push(ENTITIES[0]);
        const next = new Map<string, Resource[]>();
        for (const entity of entities) {
            const list = [...(state.resources.get(entity) ?? [])];
            const ops = 1 + Math.floor(rand() * 4);
            for (let i = 0; i < ops; i++) {
                const op = rand();
                const name = `r${Math.floor(rand() * 14)}`;
                const at = list.findIndex((x) => x.name === name);
                if (op < 0.25 && at >= 0) list.splice(at, 1);
                else if (at >= 0) list[at] = randomResource(rand, entity, name);
                else list.push(randomResource(rand, entity, name));
            }
            next.set(entity, list);
            state.resources.set(entity, list);
        }
        return {
            kind: 'scan',
            apply: async (store) => {
                const children: Record<string, { added: string[]; changed: string[]; removed: string[] }> = {};
                for (const [entity, list] of next) children[entity] = await storeResources(store, entity, list);
                return children;
            },
        };
    }
    if (r < 0.65) {
        // the remediate pack's policies at random levels: remediations start and stop without their resources changing
        const level = () => (['advisory', 'mandatory', 'disabled', 'remediate'] as const)[Math.floor(rand() * 4)];
        const config: Record<string, PolicyConfigValue> = { 'bucket-acl-private': level(), 'bucket-versioning': level() };
        return { kind: 'catalog', apply: (store) => enablePack(store, { pack: 'eval-remediate', versionTag: 'latest', config }) };
    }
    if (r < 0.75) {
        const config = randomConfig(rand);
        return { kind: 'catalog', apply: (store) => enablePack(store, { pack: 'eval-rules', versionTag: 'latest', config }) };
    }
    if (r < 0.85 && !state.published) {
        state.published = true;
        return { kind: 'catalog', apply: (store) => store.updateCatalog((c) => ({ before: structuredClone(c), after: (c.packs.push(packs[2]), structuredClone(c)) })) };
    }
    if (!state.groupMade) {
        state.groupMade = true;
        return {
            kind: 'catalog',
            apply: async (store) => {
                const made = await createGroup(store, { name: 'extra', mode: 'preventative' });
                await enablePack(store, { group: 'extra', pack: 'eval-extra', versionTag: 'latest' });
                const done = await editGroup(store, 'extra', { addAccounts: ['demo'] });
                return { before: made.before, after: done.after };
            },
        };
    }
    const choice = rand();
    if (choice < 0.3) {
        // drawn here, not in apply: apply runs once per home, and both homes must get the same tag
        const versionTag = rand() < 0.5 ? '1.0.0' : 'latest';
        return { kind: 'catalog', apply: (store) => enablePack(store, { group: 'extra', pack: 'eval-extra', versionTag }) };
    }
    if (choice < 0.5) return { kind: 'catalog', apply: (store) => disablePack(store, { group: 'extra', pack: 'eval-extra' }).catch(() => enablePack(store, { group: 'extra', pack: 'eval-extra', versionTag: 'latest' })) };
    if (choice < 0.75) return { kind: 'catalog', apply: (store) => editGroup(store, 'default-policy-group', { removeAccounts: ['demo/us-west-2'] }).catch(() => editGroup(store, 'default-policy-group', { addAccounts: ['demo/us-west-2'] })) };
    return { kind: 'catalog', apply: (store) => editGroup(store, 'default-policy-group', { removeStacks: ['shop'] }).catch(() => editGroup(store, 'default-policy-group', { addStacks: ['shop'] })) };
}

/**
 * Every entity's violations, all fields but lastSeenAt: that one records when an
 * evaluation last looked, and a full run looks at accounts an incremental run rightly skips.
 */
async function snapshot(store: Store) {
    const out: Record<string, unknown[]> = {};
    for (const entity of ENTITIES) {
        out[entity] = [...(await store.readShard(entity)).violations].sort((a, b) => a.id.localeCompare(b.id)).map(({ lastSeenAt: _lastSeenAt, ...rest }) => rest);
    }
    return out;
}

describe('incremental evaluation equals full re-evaluation', () => {
    for (const seed of [7, 2026, 4242]) {
        it(`holds over 30 random deltas (seed ${seed})`, async () => {
            const rand = seededRandom(seed);
            const incremental = await makeHome();
            const full = await makeHome();
            const state = { resources: new Map<string, Resource[]>(), published: false, groupMade: false };
            let incrementalWork = 0;
            let fullWork = 0;
            let opened = 0;
            try {
                await enablePack(incremental.store, { pack: 'eval-rules', versionTag: 'latest' });
                await enablePack(full.store, { pack: 'eval-rules', versionTag: 'latest' });
                await enablePack(incremental.store, { pack: 'eval-remediate', versionTag: 'latest' });
                await enablePack(full.store, { pack: 'eval-remediate', versionTag: 'latest' });
                let remediationRecords = 0;
                for (let step = 0; step < 30; step++) {
                    const change = randomStep(rand, state);
                    let a: EvaluationReport;
                    if (change.kind === 'scan') {
                        a = await incremental.evaluator.evaluateAfterScan({ children: await change.apply(incremental.store) });
                        await change.apply(full.store);
                    } else {
                        const c = await change.apply(incremental.store);
                        a = await incremental.evaluator.evaluateAfterCatalogChange(c.before, c.after);
                        await change.apply(full.store);
                    }
                    const b = await full.evaluator.evaluateAll();
                    assert.deepEqual(a.problems, [], `seed ${seed} step ${step}: incremental problems`);
                    assert.deepEqual(b.problems, [], `seed ${seed} step ${step}: full problems`);
                    incrementalWork += a.work.evaluated;
                    fullWork += b.work.evaluated;
                    opened += b.opened;
                    for (const entity of ENTITIES) remediationRecords += (await full.store.readShard(entity)).violations.filter((v) => v.remediation && v.status !== 'fixed').length;
                    assert.deepEqual(await snapshot(incremental.store), await snapshot(full.store), `seed ${seed} step ${step} (${change.kind}): violations differ`);
                    incremental.clock.tick();
                    full.clock.tick();
                }
                assert.ok(opened > 5, `the random changes opened violations (${opened})`);
                assert.ok(remediationRecords > 5, `remediation records were open along the way (${remediationRecords})`);
                assert.ok(incrementalWork * 2 < fullWork, `incremental ran ${incrementalWork} resource evaluations, full ${fullWork}`);
            } finally {
                await incremental.cleanup();
                await full.cleanup();
            }
        });
    }
});
