/**
 * The streamed stack state reader (stateStream.ts) and the import built on it: the same stored
 * resources as the whole-file reader of 65cad7c on every fixture and on a generated export shaped
 * like real ones; resources handed over one at a time, before the file is fully read; clear errors
 * for a file malformed mid-stream or truncated; gzip; progress; secrets never stored.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { addStackAccount, scanAccount, type StackResource } from '../../../server/src/accounts';
import { canonicalJson } from '../../../server/src/accounts/resourceIdentity';
import { StackResourceCollector, stackResources } from '../../../server/src/accounts/stacks/stackResources';
import { parseStateDocument, readStackState, streamStackState, type StateResource } from '../../../server/src/accounts/stacks/stackState';
import { StateParser, streamStateFile } from '../../../server/src/accounts/stacks/stateStream';
import { STACK_PROGRESS_SERVICE } from '../../../server/src/shared/scanProgress';
import { Store } from '../../../server/src/store';
import { STACK_FIXTURES, tempDir } from './accountsTestSupport';
import { SECRET_SIG, SECRET_VALUE, writeStackExport } from '../../../bench/lib/stackExport.mjs';

/** Made with 65cad7c's readStackState + stackResources (account "acct"); README.md beside it says how. */
const GOLDEN = join(STACK_FIXTURES, 'golden/stored-resources-65cad7c.json');
const FIXTURES: Record<string, string> = {
    'aws-app': 'aws-app.dev.export.json',
    'file-backend': 'file-backend/.pulumi/stacks/aws-app/dev.json',
    shop: 'shop/prod.export.json',
    'conformance-aws': 'conformance/aws/prod.export.json',
    'conformance-conf': 'conformance/conf/dev.export.json',
    'conformance-conf-plaintext': 'conformance/conf/dev.plaintext.json',
};
/** The generated export the golden holds: 127 services of ~5 resources, 1% changed (one replacement pending deletion). */
const GENERATED = { services: 127, changed: 0.01 };

async function streamedResources(file: string): Promise<StackResource[]> {
    const collector = new StackResourceCollector('acct');
    const state = await streamStackState(file, (r) => collector.add(r));
    return collector.finish(state.project, state.stack);
}

const digest = (resources: StackResource[]) => ({ count: resources.length, sha256: createHash('sha256').update(canonicalJson(resources)).digest('hex') });

describe('streamed stack state', () => {
    let dir: string;
    let cleanup: () => Promise<void>;
    let generated: string;
    let golden: Record<string, StackResource[] | { count: number; sha256: string }>;
    before(async () => {
        ({ dir, cleanup } = await tempDir('pi-stack-stream-'));
        generated = join(dir, 'generated.json');
        await writeStackExport(generated, GENERATED);
        golden = JSON.parse(await readFile(GOLDEN, 'utf8')) as typeof golden;
    });
    after(() => cleanup());

    it('stores the same resources as the whole-file reader did, on every fixture and a generated export', async () => {
        for (const [name, file] of Object.entries(FIXTURES)) {
            const resources = await streamedResources(join(STACK_FIXTURES, file));
            const expected = golden[name];
            if (Array.isArray(expected)) assert.deepEqual(resources, expected, name);
            else assert.deepEqual(digest(resources), expected, name);
        }
        const resources = await streamedResources(generated);
        assert.deepEqual(digest(resources), golden.generated);
        // the in-memory path (stackResources of a parsed document) is the same collector
        const document = parseStateDocument(await readFile(generated), generated);
        assert.deepEqual(digest(stackResources('acct', { ...document, project: document.project!, stack: document.stack! })), golden.generated);
    });

    it('hands each resource over before the rest of the file is read', async () => {
        const text = await readFile(generated);
        const seen: number[] = [];
        const parser = new StateParser('generated.json', (_r, index) => seen.push(index));
        parser.write(text.subarray(0, text.length / 2));
        const halfway = seen.length;
        assert.ok(halfway > 100 && halfway < 699, `about half the resources are out after half the bytes (${halfway})`);
        parser.write(text.subarray(text.length / 2));
        assert.equal(parser.end().resourceCount, 699);
        assert.deepEqual(seen, [...Array(699).keys()]);
    });

    it('reads any chunking alike, multi-byte characters split across chunks included', () => {
        const state = { version: 3, deployment: { resources: [{ urn: 'urn:pulumi:dev::p::t:m:T::caf\u00e9-\u{1F680}', type: 't:m:T', outputs: { note: '\u00e9\u00e8 \u{1F680} \u4e2d' } }] } };
        const bytes = Buffer.from(JSON.stringify(state));
        const byteAtATime: StateResource[] = [];
        const parser = new StateParser('utf8.json', (r) => byteAtATime.push(r));
        for (let i = 0; i < bytes.length; i++) parser.write(bytes.subarray(i, i + 1));
        assert.deepEqual(parser.end(), { project: 'p', stack: 'dev', resourceCount: 1 });
        assert.deepEqual(byteAtATime, state.deployment.resources);
    });

    it('says where a file malformed mid-stream breaks: the file, the byte, the resource', async () => {
        const text = await readFile(generated, 'utf8');
        const at = text.indexOf('"urn"', text.indexOf('"urn"', text.length / 2) + 1);
        const broken = join(dir, 'broken.json');
        await writeFile(broken, `${text.slice(0, at)}"urn" ! ${text.slice(at + 5)}`);
        const seen: number[] = [];
        await assert.rejects(
            streamStateFile(broken, (_r, i) => seen.push(i)),
            (error: Error) => {
                assert.match(error.message, /broken\.json is not JSON: Unexpected "!" at .*position "\d+".* in resources\[(\d+)\]/);
                const index = Number(/resources\[(\d+)\]/.exec(error.message)![1]);
                assert.equal(index, seen.length, 'the resource named is the one after the last handed over');
                return true;
            },
        );
        assert.ok(seen.length > 300, 'the resources before the fault were streamed');
    });

    it('refuses a truncated file, saying so', async () => {
        const text = await readFile(generated);
        const truncated = join(dir, 'truncated.json');
        await writeFile(truncated, text.subarray(0, Math.floor(text.length * 0.7)));
        await assert.rejects(streamStateFile(truncated, () => undefined), /truncated\.json is not JSON: it ends before the state does \(after \d+ bytes, \d+ resources\): the file is truncated/);
        const gz = join(dir, 'truncated.json.gz');
        const zipped = gzipSync(text);
        await writeFile(gz, zipped.subarray(0, zipped.length / 2));
        await assert.rejects(streamStateFile(gz, () => undefined), /truncated\.json\.gz is gzipped but cannot be decompressed: unexpected end of file/);
    });

    it('refuses what is no single state object: empty, a second document, both forms, a non-object resource list member', async () => {
        const cases: [string, RegExp][] = [
            ['', /empty\.json is not JSON: the file is empty/],
            ['{"version":3,"deployment":{"resources":[]}} {}', /is not JSON: unexpected data after the end of the state/],
            ['[1, 2]', /is not a Pulumi state: expected a JSON object with "deployment" or "checkpoint"/],
            ['{"version":3,"deployment":5}', /has neither "deployment" \(pulumi stack export\) nor "checkpoint"/],
            ['{"checkpoint":{"latest":{"resources":[{"urn":"urn:pulumi:a::b::t:m:T::x","type":"t:m:T"}]}},"deployment":{"resources":[{"urn":"urn:pulumi:a::b::t:m:T::y","type":"t:m:T"}]}}', /resources under both "deployment" and "checkpoint"/],
            ['{"deployment":{"resources":[{"urn":"urn:pulumi:a::b::t:m:T::x","type":"t:m:T"}, 7]}}', /resources\[1\] has no "urn" or "type"/],
            ['{"version":2,"deployment":{"resources":[]}}', /is a version 2 deployment; Policy Insights reads version 3/],
        ];
        for (const [text, expected] of cases) {
            const file = join(dir, 'empty.json');
            await writeFile(file, text);
            await assert.rejects(streamStateFile(file, () => undefined), expected, text);
        }
        // resources that are not an array are no resources, as before
        await writeFile(join(dir, 'x.json'), '{"deployment":{"resources":{"a":{"urn":"u","type":"t"}}}}');
        assert.deepEqual(await streamStateFile(join(dir, 'x.json'), () => assert.fail('no resource')), { resourceCount: 0 });
    });

    it('reads gzipped states alike, and reports progress up to the whole file', async () => {
        const gz = join(dir, 'generated.json.gz');
        await writeFile(gz, gzipSync(await readFile(generated)));
        assert.deepEqual(digest(await streamedResources(gz)), golden.generated);
        const progress: [number, number][] = [];
        await streamStateFile(generated, () => undefined, { onProgress: (read, total) => progress.push([read, total]) });
        const size = (await readFile(generated)).length;
        assert.ok(progress.length >= 2 && progress.length <= 101, `a few reports, at most one per 1% (${progress.length})`);
        assert.deepEqual(progress.at(-1), [size, size]);
        assert.ok(progress.every(([read], i) => i === 0 || read > progress[i - 1][0]));
    });

    it('shares one redacted provider inputs object between the resources a provider serves', async () => {
        const resources = await streamedResources(generated);
        const byProvider = new Map<string, StackResource['providerResource']>();
        let served = 0;
        for (const r of resources) {
            if (!r.providerResource) continue;
            served++;
            const first = byProvider.get(r.providerResource.urn);
            if (first) assert.equal(r.providerResource, first, 'the same object');
            else byProvider.set(r.providerResource.urn, r.providerResource);
        }
        assert.equal(byProvider.size, 5);
        assert.ok(served > 500, `most resources have a provider (${served})`);
        const withKeys = [...byProvider.values()].find((p) => p!.urn.endsWith('aws-eu-central-1'));
        assert.equal(withKeys!.properties.secretKey, '[secret]');
        assert.equal(withKeys!.properties, resources.find((r) => r.urn === withKeys!.urn)!.inputs, "the provider's own stored inputs");
    });

    describe('import', () => {
        let store: Store;
        before(async () => {
            store = await Store.open({ home: join(dir, 'store') });
        });
        after(() => store.close());

        it('streams the state into the store with progress in MiB, and stores no secret', async () => {
            await addStackAccount(store, { name: 'estate', stateFile: generated });
            const progress: { service: string; done: number; total: number }[] = [];
            const outcome = await scanAccount(store, 'estate', { onProgress: (p) => progress.push(p) });
            assert.equal(outcome.record.status, 'succeeded');
            assert.equal(outcome.record.added, 698);
            assert.ok(progress.length >= 2);
            assert.ok(progress.every((p) => p.service === STACK_PROGRESS_SERVICE));
            assert.deepEqual(progress.at(-1), { service: STACK_PROGRESS_SERVICE, done: 3, total: 3 });
            const files = (await readdir(join(dir, 'store'), { recursive: true, withFileTypes: true })).filter((f) => f.isFile());
            const stored = (await Promise.all(files.map((f) => readFile(join(f.parentPath, f.name), 'utf8')))).join('\n');
            assert.ok(stored.includes('"[secret]"'));
            // the signature key also marks assets (the lambda's code), which are stored; a secret's value under it is not
            assert.equal(stored.includes(`"${SECRET_SIG}":"${SECRET_VALUE}"`), false, 'no secret envelope is stored');
            const ciphertexts = [...(await readFile(generated, 'utf8')).matchAll(/"ciphertext": "([^"]+)"/g)].map((m) => m[1]);
            assert.ok(ciphertexts.length > 100);
            for (const c of ciphertexts) assert.equal(stored.includes(c), false, 'no ciphertext is stored');
        });

        it('a state that turned unreadable mid-stream fails the scan and keeps the stored resources', async () => {
            const before = (await store.readShard('estate')).resources.length;
            const text = await readFile(generated);
            await writeFile(generated, text.subarray(0, text.length / 2));
            try {
                const outcome = await scanAccount(store, 'estate');
                assert.equal(outcome.record.status, 'failed');
                assert.match(outcome.errors[0].message, /generated\.json is not JSON: .*truncated/);
                assert.equal((await store.readShard('estate')).resources.length, before);
            } finally {
                await writeFile(generated, text);
            }
        });

        it('whole-file and streamed reads agree on what a state is', async () => {
            const streamed = await readStackState(generated);
            const whole = parseStateDocument(await readFile(generated), generated);
            assert.deepEqual(streamed, whole);
        });
    });
});
