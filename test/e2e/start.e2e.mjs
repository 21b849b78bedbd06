// `npm start` in smoke mode: it seeds the demo into a temporary home through the CLI (packs
// published and enabled, the local AWS account and the demo stack scanned), starts
// code-server on the demo workspace, prints a URL that loads the extension and what the
// demo holds, checks that URL answers, and stops on its own.
//
//   node --test test/e2e/start.e2e.mjs        (after `node esbuild.mjs`)
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPO } from '../harness/codeServer.mjs';

test('npm start --smoke serves the workbench with the extension under development', () => {
    const result = spawnSync(process.execPath, [join(REPO, 'test', 'harness', 'start.mjs'), '--smoke'], {
        encoding: 'utf8',
        timeout: 5 * 60_000,
    });
    const output = `${result.stdout}\n${result.stderr}`;
    assert.equal(result.status, 0, `start.mjs --smoke failed:\n${output}`);
    const url = output.match(/^\s+(http:\/\/127\.0\.0\.1:\d+\/\?folder=\S+)$/m)?.[1];
    assert.ok(url, `start.mjs printed no workbench URL:\n${output}`);
    const payload = JSON.parse(new URL(url).searchParams.get('payload') ?? '[]');
    assert.deepEqual(payload.map(([key]) => key), ['extensionDevelopmentPath']);
    assert.ok(payload[0][1].endsWith(REPO), `the URL loads ${payload[0][1]}, not this repository`);
    assert.equal(new URL(url).searchParams.get('folder'), join(REPO, 'test', 'fixtures', 'demo-workspace'));
    assert.match(output, /smoke: .* answers with the workbench page; the demo has [1-9]\d* open violations/);
    assert.match(output, /seeded in \d+ s/, 'the smoke run seeds a fresh home');
    for (const pack of ['aws-typescript', 'aws-compliance-typescript']) {
        assert.match(output, new RegExp(`policy pack  ${pack} 0\\.0\\.1 \\(enabled at latest in default-policy-group\\)`));
    }
    assert.match(output, /account {6}insights-aws-account \(AWS us-west-2, us-east-1 at http:\/\/127\.0\.0\.1:\d+\): 106 resources, [1-9]\d* open violations/);
    assert.match(output, /account {6}demo-stack \(Pulumi stack demo-infra\/dev\): 8 resources, [1-9]\d* open violations/);
});
