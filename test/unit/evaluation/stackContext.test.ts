/**
 * A stored stack is evaluated with the context the engine gives its packs: its project and
 * stack, its config from `Pulumi.<stack>.yaml` beside its state, not a dry run. A config edit
 * runs the policies again (the context is an input of every result).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Evaluator, directoryPackSource } from '../../../server/src/evaluation';
import { enablePack, joinDefaultGroup } from '../../../server/src/groups';
import type { PolicyPackVersion } from '../../../server/src/shared/model';
import type { RunnerPool } from '../../../server/src/runner/runnerPool';
import { BUCKET, FIXTURE_PACKS, makePool, publishFixture, resource, stackAccount, storeResources, tempStore } from './evaluationTestSupport';

let pool: RunnerPool;
let pack: PolicyPackVersion;
const dirs = () => ({ 'eval-context@1.0.0': join(FIXTURE_PACKS(), 'eval-context') });

before(async () => {
    pool = await makePool();
    pack = await publishFixture(pool, dirs()['eval-context@1.0.0'], 1);
});
after(() => pool.dispose());

describe('evaluation of a stored stack', () => {
    it("gives its packs the stack's project, stack and config (read again when it changes), never a dry run", async () => {
        const t = await tempStore();
        const project = mkdtempSync(join(tmpdir(), 'pi-stack-project-'));
        try {
            writeFileSync(join(project, 'Pulumi.yaml'), 'name: shop\nruntime: nodejs\n');
            writeFileSync(join(project, 'Pulumi.prod.yaml'), 'config:\n  shop:size: large\n');
            const account = { ...stackAccount('shop-prod', 'shop', 'prod'), settings: { stateFile: join(project, 'prod.export.json') } };
            await t.store.updateCatalog((catalog) => {
                catalog.accounts.push(account);
                joinDefaultGroup(catalog, account);
                catalog.packs.push(pack);
            });
            await enablePack(t.store, { pack: 'eval-context', versionTag: 'latest' });
            const evaluator = new Evaluator({ store: t.store, runner: pool, packs: directoryPackSource(dirs()) });
            const bucket = { ...resource('shop-prod', BUCKET, 'assets', { acl: 'private' }), project: 'shop', stack: 'prod' };
            const first = await evaluator.evaluateAfterScan({ children: { 'shop-prod': await storeResources(t.store, 'shop-prod', [bucket]) } });
            assert.deepEqual(first.problems, []);
            const messages = async () => (await t.store.readShard('shop-prod')).violations.filter((v) => v.status === 'open').map((v) => v.message.split('\n').pop());
            assert.deepEqual(await messages(), ['shop/prod size=large atLoad=large dryRun=false']);

            // a rescan that changes no resource: the cached result was computed under another context
            const rescan = async () => evaluator.evaluateAfterScan({ children: { 'shop-prod': await storeResources(t.store, 'shop-prod', [bucket]) } });
            writeFileSync(join(project, 'Pulumi.prod.yaml'), 'config:\n  shop:size: small\n');
            await rescan();
            assert.deepEqual(await messages(), ['shop/prod size=small atLoad=small dryRun=false']);

            writeFileSync(join(project, 'Pulumi.prod.yaml'), 'config: [not, a, mapping]\n');
            const broken = await rescan();
            assert.equal(broken.problems.length, 1, JSON.stringify(broken.problems));
            assert.match(broken.problems[0].message, /stack config of shop-prod could not be read.*Pulumi\.prod\.yaml/);
            assert.deepEqual(await messages(), ['shop/prod size=(none) atLoad=(none) dryRun=false']);
        } finally {
            rmSync(project, { recursive: true, force: true });
            await t.cleanup();
        }
    });
});
