/**
 * The Violations tree lists at most GROUP_CHILDREN_SHOWN violations under a group (issue 14: a
 * group of 500,000 was sent whole to VS Code), with the count of the rest, against the real
 * query service: the listed ones are the first rows the Policy Violations panel shows for the
 * group's filter, where the "more" node opens it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GROUP_CHILDREN_SHOWN, groupChildren, moreLabel } from '../../../client/src/views/violationGroupChildren';
import { ViolationQueryService } from '../../../server/src/violations';
import { syntheticViolations } from '../../support/syntheticViolations';
import { tempStore, type TempStore } from '../evaluation/evaluationTestSupport';

let t: TempStore;
let queries: ViolationQueryService;

before(async () => {
    t = await tempStore();
    const { violations } = syntheticViolations(10 * GROUP_CHILDREN_SHOWN, { seed: 5 });
    for (const account of new Set(violations.map((v) => v.entityId))) {
        await t.store.updateShard(account, (shard) => void shard.violations.push(...violations.filter((v) => v.entityId === account)));
    }
    queries = new ViolationQueryService(t.store);
});
after(async () => {
    queries.dispose();
    await t.cleanup();
});

describe("a Violations tree group's children", () => {
    it("lists the first GROUP_CHILDREN_SHOWN of a large group, in the panel's order, and counts the rest", async () => {
        const { groups } = await queries.groups({ groupBy: 'account' });
        const large = groups.find((g) => g.count > GROUP_CHILDREN_SHOWN);
        assert.ok(large, `a group larger than ${GROUP_CHILDREN_SHOWN}: ${groups.map((g) => `${g.key} ${g.count}`).join(', ')}`);
        let asked: unknown;
        const children = await groupChildren((params) => ((asked = params), queries.list(params)), 'account', large);
        assert.deepEqual(asked, { group: { groupBy: 'account', key: large.key }, limit: GROUP_CHILDREN_SHOWN }, 'the request carries the limit');
        assert.equal(children.violations.length, GROUP_CHILDREN_SHOWN);
        assert.equal(children.more, large.count - GROUP_CHILDREN_SHOWN);
        const panel = await queries.panel({ filter: large.filter!, offset: 0, limit: GROUP_CHILDREN_SHOWN, withAggregates: false });
        assert.deepEqual(
            children.violations.map((v) => v.id),
            panel.rows.map((r) => r.id),
            'the panel the "more" node opens starts with the same rows',
        );
        assert.equal(panel.total, large.count);
        assert.equal(moreLabel(children.more), `${children.more.toLocaleString('en-US')} more \u2014 open the Policy Violations panel`);
    });

    it('lists a small group whole, with nothing more', async () => {
        const { groups } = await queries.groups({ groupBy: 'policy' });
        const small = [...groups].sort((a, b) => a.count - b.count)[0];
        assert.ok(small.count <= GROUP_CHILDREN_SHOWN);
        const children = await groupChildren((params) => queries.list(params), 'policy', small);
        assert.equal(children.violations.length, small.count);
        assert.equal(children.more, 0);
    });
});
