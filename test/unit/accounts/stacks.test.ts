/** Pulumi stack accounts: v3 exports, gzipped file-backend states, and re-import on change. */
import assert from 'node:assert/strict';
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { addStackAccount, listResources, resourceHash, ScanCoordinator, scanAccount, type ScanFinishedEvent, type StackResource } from '../../../server/src/accounts';
import { parseSourcePosition, parseUrn } from '../../../server/src/accounts/stacks/stackState';
import { Store } from '../../../server/src/store';
import { STACK_FIXTURES, tempDir } from './accountsTestSupport';

const EXPORT = join(STACK_FIXTURES, 'aws-app.dev.export.json');
const CHECKPOINT = join(STACK_FIXTURES, 'file-backend/.pulumi/stacks/aws-app/dev.json');
const BUCKET_URN = 'urn:pulumi:dev::aws-app::my:web:Site$aws:s3/bucket:Bucket::site-bucket';
const SG_URN = 'urn:pulumi:dev::aws-app::aws:ec2/securityGroup:SecurityGroup::web-sg';

describe('stack state parsing', () => {
    it('splits URNs, including parent-qualified types and names with "::"', () => {
        assert.deepEqual(parseUrn(BUCKET_URN), { stack: 'dev', project: 'aws-app', type: 'aws:s3/bucket:Bucket', name: 'site-bucket' });
        assert.equal(parseUrn('urn:pulumi:dev::p::t:m:T::a::b')?.name, 'a::b');
        assert.equal(parseUrn('not-a-urn'), undefined);
    });

    it('reads sourcePosition as uri, line and column', () => {
        assert.deepEqual(parseSourcePosition('project:///components/site.ts#12,23'), { uri: 'project:///components/site.ts', line: 12, column: 23 });
        assert.deepEqual(parseSourcePosition('project:///index.ts#4'), { uri: 'project:///index.ts', line: 4 });
        assert.equal(parseSourcePosition(42), undefined);
    });
});

describe('stack accounts', () => {
    let dir: string;
    let cleanup: () => Promise<void>;
    let store: Store;
    before(async () => {
        ({ dir, cleanup } = await tempDir('pi-stacks-'));
        store = await Store.open({ home: join(dir, 'store') });
    });
    after(async () => {
        await store.close();
        await cleanup();
    });

    it('imports a `pulumi stack export` file with types, URNs, inputs, outputs, parents, dependencies and source positions', async () => {
        const account = await addStackAccount(store, { name: 'app-dev', stateFile: EXPORT });
        assert.equal(account.provider, 'pulumi-stack');
        assert.equal(account.project, 'aws-app');
        assert.equal(account.stack, 'dev');
        assert.deepEqual(account.children, []);
        const outcome = await scanAccount(store, 'app-dev');
        assert.deepEqual(Object.keys(outcome.children), ['app-dev']);
        const resources = (await listResources(store, 'app-dev')) as StackResource[];
        assert.equal(outcome.children['app-dev'].added.length, resources.length);
        assert.equal(resources.length, 6, 'the resource pending deletion is left out');
        assert.equal(resources.some((r) => r.name === 'old-logs'), false);
        const bucket = resources.find((r) => r.urn === BUCKET_URN)!;
        assert.equal(bucket.type, 'aws:s3/bucket:Bucket');
        assert.equal(bucket.name, 'site-bucket');
        assert.equal(bucket.id, 'site-bucket-1a2b3c');
        assert.equal(bucket.properties.acl, 'public-read');
        assert.equal(bucket.inputs?.acl, 'public-read');
        assert.equal(bucket.outputs?.arn, 'arn:aws:s3:::site-bucket-1a2b3c');
        assert.equal(bucket.parent, 'urn:pulumi:dev::aws-app::my:web:Site::site');
        assert.equal(bucket.project, 'aws-app');
        assert.equal(bucket.stack, 'dev');
        assert.equal(bucket.account, 'app-dev');
        assert.match(bucket.provider ?? '', /^urn:pulumi:dev::aws-app::pulumi:providers:aws::default_7_0_0::/);
        assert.deepEqual(bucket.sourcePosition, { uri: 'project:///components/site.ts', line: 12, column: 23 });
        assert.equal(bucket.hash, resourceHash(bucket.type, bucket.properties));
        const policy = resources.find((r) => r.type === 'aws:s3/bucketPolicy:BucketPolicy')!;
        assert.deepEqual(policy.dependencies, [BUCKET_URN]);
        const component = resources.find((r) => r.type === 'my:web:Site')!;
        assert.deepEqual(component.properties, {}, 'a component without inputs or outputs has no properties');
    });

    it('imports a gzipped file-backend state, taking project and stack from the state, not the file name', async () => {
        const gz = join(dir, 'backend/.pulumi/stacks/aws-app/renamed.json.gz');
        await mkdir(join(dir, 'backend/.pulumi/stacks/aws-app'), { recursive: true });
        await writeFile(gz, gzipSync(await readFile(CHECKPOINT)));
        const account = await addStackAccount(store, { name: 'app-dev-backend', stateFile: gz });
        assert.equal(account.project, 'aws-app');
        assert.equal(account.stack, 'dev');
        await scanAccount(store, 'app-dev-backend');
        const fromBackend = await listResources(store, 'app-dev-backend');
        const fromExport = await listResources(store, 'app-dev');
        assert.deepEqual(fromBackend.map((r) => `${r.urn} ${r.hash}`), fromExport.map((r) => `${r.urn} ${r.hash}`));
    });

    it('refuses unreadable, non-Pulumi and old states with the file path, storing nothing', async () => {
        const missing = join(dir, 'missing.json');
        await assert.rejects(addStackAccount(store, { name: 'm', stateFile: missing }), new RegExp(`cannot read the stack state ${missing}: no such file`));
        const notJson = join(dir, 'not.json');
        await writeFile(notJson, '{ nope');
        await assert.rejects(addStackAccount(store, { name: 'm', stateFile: notJson }), new RegExp(`${notJson} is not JSON`));
        const other = join(dir, 'other.json');
        await writeFile(other, '{"hello":1}');
        await assert.rejects(addStackAccount(store, { name: 'm', stateFile: other }), /neither "deployment" \(pulumi stack export\) nor "checkpoint"/);
        await assert.rejects(addStackAccount(store, { name: 'm', stateFile: join(STACK_FIXTURES, 'old-version.json') }), /version 1 deployment; Policy Insights reads version 3/);
        assert.equal((await store.readCatalog()).accounts.some((a) => a.name === 'm'), false);
    });

    it('keeps the resources and records the failure when the state file disappears', async () => {
        const file = join(dir, 'vanishing.json');
        await copyFile(EXPORT, file);
        await addStackAccount(store, { name: 'vanishing', stateFile: file });
        await scanAccount(store, 'vanishing');
        await rm(file);
        const outcome = await scanAccount(store, 'vanishing');
        assert.equal(outcome.record.status, 'failed');
        assert.equal(outcome.errors[0].code, 'StateUnreadable');
        assert.match(outcome.errors[0].message, /vanishing\.json: no such file/);
        assert.deepEqual(outcome.children['vanishing'].removed, []);
        assert.equal((await listResources(store, 'vanishing')).length, 6);
    });

    it('re-imports a stack by itself when its state file changes, reporting the exact delta', async () => {
        const file = join(dir, 'watched', 'dev.json');
        await mkdir(join(dir, 'watched'));
        await copyFile(EXPORT, file);
        await addStackAccount(store, { name: 'watched', stateFile: file });
        const coordinator = new ScanCoordinator(store, { debounceMs: 50 });
        const events: ScanFinishedEvent[] = [];
        const next = () => new Promise<ScanFinishedEvent>((resolve) => {
            const sub = coordinator.onScanFinished((e) => {
                if (e.outcome.account.name !== 'watched') return;
                sub.dispose();
                events.push(e);
                resolve(e);
            });
        });
        try {
            // never imported: the coordinator imports it on start
            const first = next();
            await coordinator.start();
            assert.equal((await first).outcome.children['watched'].added.length, 6);
            assert.equal((await first).trigger, 'file-change');

            const state = JSON.parse(await readFile(EXPORT, 'utf8'));
            const resources = state.deployment.resources as { urn: string; outputs?: Record<string, unknown> }[];
            resources.find((r) => r.urn === BUCKET_URN)!.outputs!.acl = 'private';
            state.deployment.resources = resources.filter((r) => r.urn !== SG_URN);
            const changed = next();
            // written the way editors and `pulumi` do: a new file renamed over the old one
            await writeFile(`${file}.tmp`, JSON.stringify(state));
            await import('node:fs/promises').then((fs) => fs.rename(`${file}.tmp`, file));
            const event = await changed;
            assert.equal(event.trigger, 'file-change');
            assert.deepEqual(event.outcome.children['watched'], { added: [], changed: [BUCKET_URN], removed: [SG_URN], unchanged: 4 });
            const bucket = (await listResources(store, 'watched')).find((r) => r.urn === BUCKET_URN);
            assert.equal(bucket?.properties.acl, 'private');

            // the same content written again is not a change
            await writeFile(file, JSON.stringify(state));
            await new Promise((r) => setTimeout(r, 400));
            assert.equal(events.length, 2);
        } finally {
            coordinator.dispose();
        }
    });
});
