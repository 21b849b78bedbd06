/**
 * `policy validate`: the static checks, then the pack loaded as the engine loads it (real
 * runner, real @pulumi/policy). Packs that are clean on paper but fail at load are errors,
 * worded as the engine words them, at the pack's own file:line.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runCli } from '../../../server/src/cli/runCli';
import { RunnerPool } from '../../../server/src/runner/runnerPool';
import { engineLoadFailure } from '../../../server/src/packs/runtimeCheck';
import { validatePackLoading } from '../../../server/src/packs/validatePack';
import { hostScript, tempCacheDir } from '../runner/runnerTestEnv';
import { fixture, messageOf } from './packTestSupport';

const runner = new RunnerPool({ maxHosts: 2, hostScript, cacheDir: tempCacheDir() });
const temp = mkdtempSync(path.join(tmpdir(), 'pi-validate-'));
after(async () => {
    await runner.dispose();
    rmSync(temp, { recursive: true, force: true });
});

/** `file:line:col code: message` of every diagnostic, relative to the pack. */
async function problems(packDir: string): Promise<string[]> {
    const validation = await validatePackLoading(packDir, runner);
    return validation.files.flatMap(({ file, diagnostics }) =>
        diagnostics.map((d) => `${path.relative(packDir, file)}:${d.range.start.line + 1}:${d.range.start.character + 1} ${d.code}: ${messageOf(d)}`),
    );
}

describe('validatePackLoading', () => {
    it('a pack that requires config at load fails as under `pulumi policy publish`, at the require call', async () => {
        const found = await problems(fixture('load-requires-config'));
        assert.equal(found.length, 1, found.join('\n'));
        assert.match(found[0], /^index\.ts:6:40 load-failed: Missing required configuration variable 'project:maxBuckets': /);
        assert.match(found[0], /`pulumi policy publish` fails the same way/);
    });

    it('a pack that throws at top level: the engine\'s "unhandled exception" line, at the throw', async () => {
        const packDir = fixture('load-throws');
        assert.deepEqual(await problems(packDir), [
            `index.ts:6:11 load-failed: Running program '${packDir}' failed with an unhandled exception: Error: ALLOWED_REGIONS_FOR_THIS_FIXTURE is not set`,
        ]);
    });

    it('a JavaScript pack Node cannot parse: the SyntaxError at the line and column Node reports', async () => {
        const packDir = fixture('load-syntax-js');
        assert.deepEqual(await problems(packDir), [
            `index.js:5:7 load-failed: Running program '${packDir}' failed with an unhandled exception: SyntaxError: Missing initializer in const declaration`,
        ]);
    });

    it('a pack importing a missing module: an error at the import', async () => {
        const found = await problems(fixture('load-missing-module'));
        assert.equal(found.length, 1, found.join('\n'));
        assert.match(found[0], /^index\.ts:3:28 build-failed: .*Could not resolve "\.\/thresholds"/s);
    });

    it('a pack that loads is clean; a static error is reported without loading the pack', async () => {
        assert.deepEqual(await problems(fixture('aws-typescript')), []);
        const broken = path.join(temp, 'broken');
        cpSync(fixture('load-throws'), broken, { recursive: true });
        writeFileSync(path.join(broken, 'index.ts'), 'const x = ;\n');
        assert.deepEqual(await problems(broken), ['index.ts:1:11 1109: Expression expected.']);
    });
});

describe('engineLoadFailure', () => {
    it('leaves other runner messages alone', () => {
        assert.equal(engineLoadFailure('Policy pack /p/index.ts failed to load: exited with code 3', '/p', false), undefined);
    });

    it('keeps the first frames when the exception came from outside the pack\'s own files', () => {
        const message = 'Policy pack threw while loading (/p): TypeError: x is not a function\n    at helper (/p/node_modules/lib/index.js:3:9)\n    at Object.<anonymous> (/p/node_modules/lib/index.js:9:1)\n    at more (/x.js:1:1)';
        assert.deepEqual(engineLoadFailure(message, '/p', false), {
            message: "Running program '/p' failed with an unhandled exception: TypeError: x is not a function\n    at helper (/p/node_modules/lib/index.js:3:9)\n    at Object.<anonymous> (/p/node_modules/lib/index.js:9:1)",
        });
    });
});

describe('policy-insights policy validate', () => {
    async function cli(...argv: string[]): Promise<{ code: number; out: string }> {
        const out: string[] = [];
        process.env.POLICY_INSIGHTS_PACK_HOST = hostScript;
        const code = await runCli([...argv, '--home', path.join(temp, 'home')], { out: (l) => out.push(l), err: (l) => out.push(l), env: {} });
        return { code, out: out.join('\n') };
    }

    it('exits 1 for a pack that fails at load, printing file:line:col and the engine\'s message', async () => {
        const { code, out } = await cli('policy', 'validate', fixture('load-throws'));
        assert.equal(code, 1, out);
        assert.match(out, /load-throws[/\\]index\.ts:6:11: error Running program '.*load-throws' failed with an unhandled exception: Error: ALLOWED_REGIONS_FOR_THIS_FIXTURE is not set \[load-failed\]/);
        assert.match(out, /1 error\(s\), 0 warning\(s\)/);
    });

    it('exits 1 for a syntax error, printed as tsc does', async () => {
        const broken = path.join(temp, 'syntax');
        cpSync(fixture('load-throws'), broken, { recursive: true });
        writeFileSync(path.join(broken, 'index.ts'), 'const x = ;\n');
        const { code, out } = await cli('policy', 'validate', broken);
        assert.equal(code, 1, out);
        assert.match(out, /index\.ts:1:11: error Expression expected\. \[TS1109\]/);
    });

    it('exits 0 for a pack that loads', async () => {
        const { code, out } = await cli('policy', 'validate', fixture('aws-typescript'));
        assert.equal(code, 0, out);
    });
});
