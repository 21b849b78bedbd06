/**
 * The Accounts tree lists at most TYPE_CHILDREN_SHOWN resources under a type (issue 14: a type
 * of 100,000 resources was sent whole to VS Code), with the count of the rest, and the Find
 * Resource… picker lists the first matches of what is typed, answering only the latest text.
 * Against the real listResources over a real store.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
    FIND_RESULTS_SHOWN,
    moreResourcesLabel,
    ResourceSearch,
    resourcePickItem,
    TYPE_CHILDREN_SHOWN,
    typeChildren,
    type ListResources,
} from '../../../client/src/views/resourceTypeChildren';
import { listResources } from '../../../server/src/accounts';
import type { Resource } from '../../../server/src/shared/model';
import type { ListResourcesParams, ResourceSummary } from '../../../server/src/shared/protocol';
import { awsAccount, tempStore, type TempStore } from '../evaluation/evaluationTestSupport';

const CHILD = 'big/eu-west-1';
const ROLE = 'aws:iam/role:Role';
const TOPIC = 'aws:sns/topic:Topic';
const ROLES = TYPE_CHILDREN_SHOWN * 3 + 17;
const TOPICS = 12;

let t: TempStore;
const asked: ListResourcesParams[] = [];
/** What the server answers (the handler sends these fields of each listed resource). */
const list: ListResources = async (params) => {
    asked.push(params);
    return (await listResources(t.store, params.account, params)).map(({ urn, type, name, id }) => ({ urn, type, name, id }));
};

function resource(type: string, name: string, id?: string): Resource {
    return { account: CHILD, region: 'eu-west-1', urn: `urn:pulumi:scan::big::${type}::${name}`, type, name, id, properties: {}, hash: name };
}

before(async () => {
    t = await tempStore();
    await t.store.updateCatalog((catalog) => void catalog.accounts.push(awsAccount('big', ['eu-west-1'])));
    await t.store.updateShard(CHILD, (shard) => {
        for (let i = 0; i < ROLES; i++) shard.resources.push(resource(ROLE, `role-${(i * 7919) % ROLES}`, `AROA${i}`));
        for (let i = 0; i < TOPICS; i++) shard.resources.push(resource(TOPIC, `topic-${i}`, `topic-${i}`));
    });
});
after(() => t.cleanup());

describe("an Accounts tree type's children", () => {
    it('lists the first TYPE_CHILDREN_SHOWN resources of a large type, in the stored order, and counts the rest', async () => {
        asked.length = 0;
        const children = await typeChildren(list, CHILD, ROLE, ROLES);
        assert.deepEqual(asked, [{ account: CHILD, type: ROLE, limit: TYPE_CHILDREN_SHOWN + 1 }], 'one request, limited');
        const all = await list({ account: CHILD, type: ROLE });
        assert.deepEqual(children.resources, all.slice(0, TYPE_CHILDREN_SHOWN));
        assert.equal(children.more, ROLES - TYPE_CHILDREN_SHOWN);
        assert.equal(moreResourcesLabel(children.more), `${(ROLES - TYPE_CHILDREN_SHOWN).toLocaleString('en-US')} more \u2014 find a resource\u2026`);
        assert.equal(moreResourcesLabel(99_800), '99,800 more \u2014 find a resource\u2026');
    });

    it('lists a small type whole, with nothing more', async () => {
        const children = await typeChildren(list, CHILD, TOPIC, TOPICS);
        assert.equal(children.resources.length, TOPICS);
        assert.equal(children.more, 0);
    });

    it('still shows a "more" node when the type grew past the count its node was built with', async () => {
        const children = await typeChildren(list, CHILD, ROLE, TYPE_CHILDREN_SHOWN);
        assert.equal(children.resources.length, TYPE_CHILDREN_SHOWN);
        assert.equal(children.more, 1);
    });
});

describe('the Find Resource… picker', () => {
    it('lists the first matches of the search in picker rows, and says when typing more would narrow', async () => {
        const search = new ResourceSearch(list, CHILD, ROLE);
        asked.length = 0;
        const everything = await search.find('');
        assert.deepEqual(asked, [{ account: CHILD, type: ROLE, limit: FIND_RESULTS_SHOWN }], 'an empty box asks for the first resources, not a search');
        assert.equal(everything!.items.length, FIND_RESULTS_SHOWN);
        assert.equal(everything!.status, `the first ${FIND_RESULTS_SHOWN} resources of the type: type more to narrow`);

        const found = await search.find(' ROLE-42 ');
        const expected = (await list({ account: CHILD, type: ROLE })).filter((r) => r.name.startsWith('role-42'));
        assert.ok(expected.length > 1 && expected.length < FIND_RESULTS_SHOWN);
        assert.deepEqual(
            found!.items.map((i) => i.resource),
            expected,
        );
        assert.equal(found!.status, `${expected.length} resources matching "ROLE-42"`);
        assert.deepEqual(found!.items[0], { label: expected[0].name, description: expected[0].id, detail: expected[0].urn, resource: expected[0] });

        const byId = await search.find('aroa5');
        assert.ok(byId!.items.some((i) => i.resource.id === 'AROA5'), 'the id is searched');
        assert.equal((await search.find('topic-1'))!.status, 'no resource matching "topic-1"', 'only the type is searched');
    });

    it('drops the answer to a search when a later one began first', async () => {
        const pending: { params: ListResourcesParams; resolve: (r: ResourceSummary[]) => void }[] = [];
        const held: ListResources = (params) => new Promise((resolve) => pending.push({ params, resolve }));
        const search = new ResourceSearch(held, CHILD, ROLE);
        const first = search.find('r');
        const second = search.find('role-1');
        assert.deepEqual(
            pending.map((p) => p.params.search),
            ['r', 'role-1'],
        );
        // the later search is answered first, then the earlier (slower, more matches) one
        pending[1].resolve(await list(pending[1].params));
        pending[0].resolve(await list(pending[0].params));
        assert.equal((await second)!.search, 'role-1');
        assert.equal(await first, undefined);
    });

    it("a row's description is the id only where it differs from the name", () => {
        assert.equal(resourcePickItem({ urn: 'u', type: TOPIC, name: 'a', id: 'a' }).description, undefined);
        assert.equal(resourcePickItem({ urn: 'u', type: TOPIC, name: 'a' }).description, undefined);
        assert.equal(resourcePickItem({ urn: 'u', type: TOPIC, name: 'a', id: 'b' }).description, 'b');
    });
});
