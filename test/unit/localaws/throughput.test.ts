// The local AWS under concurrent load, with the real SDK clients in this process: every page of
// every concurrent client is served whole and right. The throughput figures are printed as
// diagnostics, never asserted: timing belongs to bench/ (bench/discovery.mjs times real scans),
// and a floor here failed whenever other work shared the 2 cores.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Agent, request } from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';
import { IAMClient, paginateListUsers } from '@aws-sdk/client-iam';
import { EC2Client, paginateDescribeInstances, paginateDescribeSecurityGroups, paginateDescribeSubnets, paginateDescribeVolumes } from '@aws-sdk/client-ec2';
import { RDSClient, paginateDescribeDBInstances } from '@aws-sdk/client-rds';
import { LambdaClient, paginateListFunctions } from '@aws-sdk/client-lambda';
import { KMSClient, paginateListKeys } from '@aws-sdk/client-kms';
import { DynamoDBClient, paginateListTables } from '@aws-sdk/client-dynamodb';
import { SQSClient, paginateListQueues } from '@aws-sdk/client-sqs';
import { SNSClient, paginateListTopics } from '@aws-sdk/client-sns';
import { CloudWatchLogsClient, paginateDescribeLogGroups } from '@aws-sdk/client-cloudwatch-logs';
import { GENERATED_KEYS, generateFixture, resourceMix } from '../../localaws/generateFixture';
import { startLocalAws, type LocalAws } from '../../localaws/server';
import { collect } from './localawsSupport';
import { NodeSha256 } from '../../localaws/sigv4';

let aws: LocalAws;


before(async () => {
    aws = await startLocalAws({ fixture: generateFixture({ resourcesPerRegion: 3_334, regions: ['us-east-1', 'us-west-2', 'eu-west-1'], iamEntities: 2_500, seed: 11 }) });
});
after(() => aws.stop());

function config(region: string) {
    return { endpoint: aws.url, region, credentials: GENERATED_KEYS, maxAttempts: 1 };
}

describe('local AWS throughput', () => {
    it('serves a paginated list to 64 concurrent clients', async (t) => {
        const clients = Array.from({ length: 64 }, () => new IAMClient(config('us-east-1')));
        const before = aws.requests().total;
        const started = performance.now();
        const results = await Promise.all(clients.map((client) => collect(paginateListUsers({ client, pageSize: 100 }, {}), (p) => p.Users)));
        const seconds = (performance.now() - started) / 1000;
        const requests = aws.requests().total - before;
        for (const r of results) assert.equal(r.items.length, 2_500);
        assert.equal(requests, 64 * 25);
        const rate = requests / seconds;
        const line = `IAM ListUsers, 100 per page, 64 concurrent clients: ${requests} requests in ${seconds.toFixed(2)} s = ${rate.toFixed(0)} requests/s (${((requests * 100) / seconds).toFixed(0)} users/s)`;
        t.diagnostic(line);
        console.log(`# ${line}`);
    });

    it('serves pre-signed list pages to 64 concurrent raw HTTP connections (the server’s own capacity)', async (t) => {
        // The SDK clients above spend most of the CPU parsing; this shows what the server alone sustains.
        const url = new URL(aws.url);
        const signer = new SignatureV4({ credentials: GENERATED_KEYS, region: 'us-east-1', service: 'iam', sha256: NodeSha256 as never });
        const pages: { headers: Record<string, string>; body: string }[] = [];
        for (let offset = 0; offset < 2_500; offset += 100) {
            const marker = offset ? `&Marker=${Buffer.from(JSON.stringify({ s: 'iam:users', o: offset })).toString('base64url')}` : '';
            const body = `Action=ListUsers&Version=2010-05-08&MaxItems=100${marker}`;
            const signed = await signer.sign({
                method: 'POST',
                protocol: 'http:',
                hostname: url.hostname,
                path: '/',
                query: {},
                headers: { host: url.host, 'content-type': 'application/x-www-form-urlencoded', 'x-amz-content-sha256': createHash('sha256').update(body).digest('hex') },
                body,
            });
            pages.push({ headers: signed.headers, body });
        }
        const agent = new Agent({ keepAlive: true, maxSockets: 64 });
        const send = (page: (typeof pages)[number]) =>
            new Promise<number>((resolve, reject) => {
                const req = request({ host: url.hostname, port: url.port, method: 'POST', path: '/', headers: page.headers, agent }, (res) => {
                    res.resume();
                    res.on('end', () => resolve(res.statusCode ?? 0));
                });
                req.on('error', reject);
                req.end(page.body);
            });
        const started = performance.now();
        const statuses = await Promise.all(Array.from({ length: 64 }, async () => {
            const seen: number[] = [];
            for (let round = 0; round < 2; round++) for (const page of pages) seen.push(await send(page));
            return seen;
        }));
        const seconds = (performance.now() - started) / 1000;
        agent.destroy();
        const all = statuses.flat();
        assert.equal(all.length, 64 * 2 * 25);
        assert.ok(all.every((s) => s === 200), 'every pre-signed page is accepted');
        const rate = all.length / seconds;
        const line = `raw signed IAM ListUsers pages, 64 concurrent connections: ${all.length} requests in ${seconds.toFixed(2)} s = ${rate.toFixed(0)} requests/s`;
        t.diagnostic(line);
        console.log(`# ${line}`);
    });

    it('lists 10,000 resources over 3 regions with 20 ms latency on every call', async (t) => {
        aws.setFaults([{ latencyMs: 20 }]);
        const requestsBefore = aws.requests().total;
        const started = performance.now();
        const perRegion = await Promise.all(
            ['us-east-1', 'us-west-2', 'eu-west-1'].map(async (region) => {
                const c = config(region);
                const ec2 = new EC2Client(c);
                const lists = await Promise.all([
                    collect(paginateDescribeInstances({ client: ec2, pageSize: 1000 }, {}), (p) => p.Reservations?.flatMap((r) => r.Instances ?? [])),
                    collect(paginateDescribeSecurityGroups({ client: ec2, pageSize: 1000 }, {}), (p) => p.SecurityGroups),
                    collect(paginateDescribeVolumes({ client: ec2, pageSize: 1000 }, {}), (p) => p.Volumes),
                    collect(paginateDescribeSubnets({ client: ec2, pageSize: 1000 }, {}), (p) => p.Subnets),
                    collect(paginateDescribeDBInstances({ client: new RDSClient(c) }, {}), (p) => p.DBInstances),
                    collect(paginateListFunctions({ client: new LambdaClient(c) }, {}), (p) => p.Functions),
                    collect(paginateListKeys({ client: new KMSClient(c) }, {}), (p) => p.Keys),
                    collect(paginateListTables({ client: new DynamoDBClient(c) }, {}), (p) => p.TableNames),
                    collect(paginateListQueues({ client: new SQSClient(c), pageSize: 1000 }, {}), (p) => p.QueueUrls),
                    collect(paginateListTopics({ client: new SNSClient(c) }, {}), (p) => p.Topics),
                    collect(paginateDescribeLogGroups({ client: new CloudWatchLogsClient(c) }, {}), (p) => p.logGroups),
                ]);
                return lists.reduce((sum, l) => sum + l.items.length, 0);
            }),
        );
        const seconds = (performance.now() - started) / 1000;
        const total = perRegion.reduce((a, b) => a + b, 0);
        // Each region holds 3,334 generated resources (plus one VPC); these are the kinds listed here.
        const mix = resourceMix(3_334);
        const listed = ['ec2.instances', 'ec2.securityGroups', 'ec2.volumes', 'ec2.subnets', 'rds.dbInstances', 'lambda.functions', 'kms.keys', 'dynamodb.tables', 'sqs.queues', 'sns.topics', 'logs.logGroups'];
        assert.equal(total, 3 * listed.reduce((sum, kind) => sum + mix[kind], 0));
        const line = `listed ${total} resources over 3 regions (11 list calls each, 20 ms added per request, ${aws.requests().total - requestsBefore} requests in all) in ${seconds.toFixed(2)} s`;
        t.diagnostic(line);
        console.log(`# ${line}`);
    });
});
