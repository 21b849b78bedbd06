/**
 * The language server loads no AWS SDK client until a scan runs: starting (scheduled scans
 * included) and listing accounts with their coverage read only the SDK-free service table
 * (accounts/aws/awsServiceTypes.ts). The SDK clients and the scanners held some 78 MB of an
 * idle server (issue 14). Observed with a module loader hook recording every file the server
 * process loads; the development build names each bundled package in a comment, which tells
 * the chunks holding the SDK.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { insertAccount } from '../../server/src/accounts/accountRegistry';
import { ListAccountsRequest } from '../../server/src/shared/protocol';
import { Store } from '../../server/src/store';
import { REPO, startServer } from './lspClient';
import { moduleLoadLog } from '../support/moduleLoadLog';

const SERVER_OUT = path.join(REPO, 'out', 'server');
/** What esbuild writes above each module of @aws-sdk it bundles (not in --production builds, which the tests never run). */
const SDK_MARKER = '// node_modules/@aws-sdk/';

const temp = mkdtempSync(path.join(tmpdir(), 'pi-lsp-lazy-sdk-'));
after(() => rmSync(temp, { recursive: true, force: true }));
const loads = moduleLoadLog(temp);

const holdsSdk = (file: string) => readFileSync(file, 'utf8').includes(SDK_MARKER);

test('the server built from this checkout has its AWS SDK in chunks of its own (else the next test proves nothing)', () => {
    const chunks = readdirSync(SERVER_OUT, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.js') || f.endsWith('.mjs')).map((f) => path.join(SERVER_OUT, f));
    assert.ok(chunks.some(holdsSdk), `no file of ${SERVER_OUT} names ${SDK_MARKER}: build with \`node esbuild.mjs\` (not --production)`);
    assert.ok(!holdsSdk(path.join(SERVER_OUT, 'server.mjs')), 'the server entry itself bundles the AWS SDK');
});

test('starting the server and listing accounts with their coverage loads no AWS SDK', async () => {
    const home = path.join(temp, 'home');
    const store = await Store.open({ home });
    const scanStatus = {
        status: 'partial' as const,
        resourceCount: 0,
        startedAt: new Date(0).toISOString(),
        finishedAt: new Date(1000).toISOString(),
        errors: [{ service: 'redshift', region: 'us-east-1', code: 'AccessDenied', message: 'not authorized to perform: redshift:DescribeClusters' }],
    };
    // a daily schedule: the scan service starts its timers at start, without a scan to run yet
    await insertAccount(store, { name: 'prod', provider: 'aws', settings: { regions: ['us-east-1'] }, children: [], scanSchedule: 'daily', createdAt: new Date(0).toISOString(), scanStatus });
    await store.close();
    loads.reset();
    const session = await startServer({ home, env: { NODE_OPTIONS: `--import ${loads.register}` } });
    try {
        const [prod] = await session.connection.sendRequest(ListAccountsRequest.type);
        assert.equal(prod?.name, 'prod');
        assert.deepEqual(prod.coverage?.notScanned.map((t) => [t.type, t.state]), [['aws:redshift/cluster:Cluster', 'denied']]);
        assert.ok((prod.coverage?.scanned ?? 0) > 50, `coverage counted ${prod.coverage?.scanned} scanned types`);
    } finally {
        await session.close();
    }
    const loaded = loads.loadedUnder(SERVER_OUT);
    assert.ok(loaded.length > 1, `the hook saw ${loaded.length} files of out/server: ${loaded.join(', ')}`);
    const withSdk = loaded.filter(holdsSdk).map((f) => path.relative(SERVER_OUT, f));
    assert.deepEqual(withSdk, [], 'files of out/server holding AWS SDK code were loaded before any scan');
});
