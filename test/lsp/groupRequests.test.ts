/**
 * What VS Code reaches of the CLI through the bundled server: ValidatePackConfig (Validate
 * Config File…, Configure Policy…) answers what `policy validate-config` answers, and
 * AnalyzeStateFile (Analyze State File…) runs the same packs and blocks on the same findings
 * as `analyze --file F --policy-group G` / `--stack S`. A real published pack
 * (the aws-typescript template) and a real stack export.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../server/src/cli/runCli';
import { scaffoldPack } from '../../server/src/packs/scaffold';
import { AnalyzeStateFileRequest, ValidatePackConfigRequest } from '../../server/src/shared/protocol';
import { shopExport, SHOP_URNS } from '../unit/accounts/stackSecretsTestSupport';
import { REPO, startServer, type LspSession } from './lspClient';

let dir: string;
let home: string;
let stateFile: string;

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli([...args, '--home', home], { out: (l) => out.push(l), err: (l) => err.push(l), env: {} });
    return { code, out: out.join('\n'), err: err.join('\n') };
}

async function ok(...args: string[]): Promise<string> {
    const run = await cli(...args);
    assert.equal(run.code, 0, `${args.join(' ')}: ${run.err}\n${run.out}`);
    return run.out;
}

/** The message of a request that failed, or a failure when it did not. */
async function refusal(request: Promise<unknown>): Promise<string> {
    try {
        await request;
    } catch (err) {
        return (err as Error).message;
    }
    assert.fail('the request was not refused');
}

before(async () => {
    // the CLI runs in this process: its packs start from the bundled host, as the server's do
    process.env.POLICY_INSIGHTS_PACK_HOST = path.join(REPO, 'out', 'server', 'packRunner.js');
    dir = mkdtempSync(path.join(tmpdir(), 'pi-lsp-groups-'));
    home = path.join(dir, 'home');
    const packDir = path.join(dir, 'aws-typescript');
    await scaffoldPack({ template: 'aws-typescript', dir: packDir, templatesDir: path.join(REPO, 'templates'), force: true });
    await symlink(path.join(REPO, 'node_modules'), path.join(packDir, 'node_modules'), 'dir');
    stateFile = path.join(dir, 'prod.json');
    // the bucket `assets` asks for acl public-read: s3-no-public-read (mandatory) reports it
    await writeFile(stateFile, JSON.stringify(shopExport()));
    await ok('policy', 'publish', packDir);
    await ok('policy', 'group', 'new', 'gate', '--entity-type', 'stacks', '--mode', 'preventative');
    await ok('policy', 'enable', 'aws-typescript', 'latest', '--policy-group', 'gate');
    await ok('policy', 'group', 'new', 'watch', '--entity-type', 'stacks');
    await ok('policy', 'enable', 'aws-typescript', 'latest', '--policy-group', 'watch');
    await ok('account', 'add', 'shop', '--provider', 'pulumi-stack', '--state', stateFile);
    await ok('policy', 'group', 'edit', 'gate', '--add-stack', 'shop');
});

after(() => {
    rmSync(dir, { recursive: true, force: true });
});

describe('group requests VS Code sends', () => {
    let session: LspSession;
    before(async () => {
        session = await startServer({ home, trusted: true });
    });
    after(async () => {
        await session.close();
    });

    it('ValidatePackConfig answers as validate-config: each problem at its JSON path, from a value or a file', async () => {
        const config = { 's3-no-public-read': 'mandatry', 's3-no-public-reed': 'advisory' };
        const answer = await session.connection.sendRequest(ValidatePackConfigRequest.type, { pack: 'aws-typescript', versionTag: 'latest', config });
        assert.equal(answer.versionTag, '0.0.1');
        assert.deepEqual(answer.errors.map((e) => e.path), ['$["s3-no-public-read"]', '$["s3-no-public-reed"]']);
        assert.match(answer.errors[1].message, /did you mean "s3-no-public-read"\?/);

        const file = path.join(dir, 'config.json');
        await writeFile(file, JSON.stringify(config));
        const byFile = await session.connection.sendRequest(ValidatePackConfigRequest.type, { pack: 'aws-typescript', versionTag: '1', file });
        assert.deepEqual(byFile.errors, answer.errors, 'the registry version number 1 is 0.0.1; the file says what the value said');
        const viaCli = await cli('policy', 'validate-config', 'aws-typescript', '0.0.1', '--config', file);
        assert.equal(viaCli.code, 1);
        for (const e of answer.errors) assert.ok(viaCli.err.includes(`${e.path}: ${e.message}`), `validate-config said: ${viaCli.err}`);

        const fine = await session.connection.sendRequest(ValidatePackConfigRequest.type, { pack: 'aws-typescript', versionTag: 'latest', config: { all: 'advisory' } });
        assert.deepEqual(fine.errors, []);
        assert.match(await refusal(session.connection.sendRequest(ValidatePackConfigRequest.type, { pack: 'aws-typescript', versionTag: '9.9.9', config: {} })), /has no version 9\.9\.9 \(versions: 0\.0\.1, or latest\)/);
        assert.match(await refusal(session.connection.sendRequest(ValidatePackConfigRequest.type, { pack: 'aws-typescript', versionTag: 'latest', file: path.join(dir, 'none.json') })), /cannot read the config file/);
    });

    it('AnalyzeStateFile runs the groups\u2019 published packs: a preventative group blocks, an audit group reports', async () => {
        const gate = await session.connection.sendRequest(AnalyzeStateFileRequest.type, { stateFile, groups: ['gate'] });
        assert.deepEqual(
            gate.findings.map((f) => [f.policyName, f.urn, f.level, f.group, f.mode, f.blocking]),
            [['s3-no-public-read', SHOP_URNS.assets, 'mandatory', 'gate', 'preventative', true]],
        );
        assert.deepEqual(gate.groups, ['gate (preventative)']);
        assert.equal(gate.failed, true);
        assert.deepEqual([gate.project, gate.stack], ['shop', 'prod']);

        const watch = await session.connection.sendRequest(AnalyzeStateFileRequest.type, { stateFile, groups: ['watch'] });
        assert.deepEqual(watch.findings.map((f) => [f.policyName, f.group, f.mode, f.blocking]), [['s3-no-public-read', 'watch', 'audit', false]]);
        assert.equal(watch.failed, false);

        // the same verdicts as the CLI's gate
        assert.equal((await cli('analyze', '--file', stateFile, '--policy-group', 'gate')).code, 1);
        assert.equal((await cli('analyze', '--file', stateFile, '--policy-group', 'watch')).code, 0);

        // --stack: the stored stack's groups (default-policy-group has no pack here) and its own state file
        const byStack = await session.connection.sendRequest(AnalyzeStateFileRequest.type, { stack: 'shop' });
        assert.equal(byStack.stateFile, stateFile);
        assert.deepEqual(byStack.groups, ['default-policy-group (audit)', 'gate (preventative)']);
        assert.equal(byStack.failed, true);

        assert.match(await refusal(session.connection.sendRequest(AnalyzeStateFileRequest.type, { stateFile })), /Choose at least one policy group/);
        assert.match(await refusal(session.connection.sendRequest(AnalyzeStateFileRequest.type, { stateFile, groups: ['nope'] })), /nope/);
    });

    it('AnalyzeStateFile runs no pack in Restricted Mode', async () => {
        const untrusted = await startServer({ home, trusted: false });
        try {
            assert.match(await refusal(untrusted.connection.sendRequest(AnalyzeStateFileRequest.type, { stateFile, groups: ['gate'] })), /Restricted Mode/);
            // validating a config runs nothing: it is served
            assert.equal((await untrusted.connection.sendRequest(ValidatePackConfigRequest.type, { pack: 'aws-typescript', versionTag: 'latest', config: {} })).errors.length, 0);
        } finally {
            await untrusted.close();
        }
    });
});
