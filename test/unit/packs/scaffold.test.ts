/**
 * The scaffold service: template listing, copying with the pack name filled in, refusals,
 * --force, and `npm install` (run for real, on packs without dependencies so no registry
 * is needed).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
    defaultTemplatesDir,
    listTemplates,
    npmPackageName,
    packNameFromDir,
    ScaffoldError,
    scaffoldPack,
} from '../../../server/src/packs/scaffold';
import { installDependencies } from '../../../server/src/packs/npmInstall';
import { eventually } from '../../support/waits';

/** The repository root: the folder holding templates/ (tests run from out/test/... or a private bundle). */
function repoRoot(): string {
    for (const start of [__dirname, process.cwd()]) {
        let dir = start;
        for (;;) {
            if (existsSync(path.join(dir, 'templates', 'aws-typescript', 'template.json'))) {
                return dir;
            }
            const parent = path.dirname(dir);
            if (parent === dir) break;
            dir = parent;
        }
    }
    throw new Error(`No templates/ folder above ${__dirname} or ${process.cwd()}`);
}

const templatesDir = path.join(repoRoot(), 'templates');

const EXPECTED_TEMPLATES = [
    'aws-compliance-typescript',
    'aws-javascript',
    'aws-typescript',
    'azure-typescript',
    'gcp-typescript',
    'kubernetes-typescript',
];

let work: string;
before(() => {
    work = mkdtempSync(path.join(tmpdir(), 'pi-scaffold-test-'));
});
after(() => {
    rmSync(work, { recursive: true, force: true });
});

/** A fresh, not yet existing folder under the temp dir. */
function target(name: string): string {
    const parent = mkdtempSync(path.join(work, 'case-'));
    return path.join(parent, name);
}

async function rejectsWith(promise: Promise<unknown>, code: string, ...fragments: string[]): Promise<ScaffoldError> {
    try {
        await promise;
    } catch (e) {
        assert.ok(e instanceof ScaffoldError, `expected a ScaffoldError, got ${String(e)}`);
        assert.equal(e.code, code, e.message);
        for (const fragment of fragments) {
            assert.ok(e.message.includes(fragment), `message should mention ${JSON.stringify(fragment)}: ${e.message}`);
        }
        return e;
    }
    assert.fail(`expected a rejection with code ${code}`);
}

describe('listTemplates', () => {
    it('lists the six shipped templates with their metadata', () => {
        const templates = listTemplates(templatesDir);
        assert.deepEqual(
            templates.map((t) => t.name),
            EXPECTED_TEMPLATES,
        );
        for (const t of templates) {
            assert.equal(t.dir, path.join(templatesDir, t.name));
            assert.ok(t.description.length > 10, `${t.name} needs a description`);
            assert.equal(t.language, t.name.endsWith('-javascript') ? 'javascript' : 'typescript');
        }
    });

    it('names the file when a template.json is unusable', () => {
        const dir = mkdtempSync(path.join(work, 'templates-'));
        mkdirSync(path.join(dir, 'broken'));
        writeFileSync(path.join(dir, 'broken', 'template.json'), JSON.stringify({ name: 'broken', description: 'x', language: 'python' }));
        assert.throws(
            () => listTemplates(dir),
            (e: unknown) => e instanceof ScaffoldError && e.code === 'bad-template' && e.message.includes(path.join(dir, 'broken', 'template.json')),
        );
    });
});

describe('defaultTemplatesDir', () => {
    it('is templates/ two levels above the server and CLI bundles', () => {
        const saved = process.env.POLICY_INSIGHTS_TEMPLATES_DIR;
        delete process.env.POLICY_INSIGHTS_TEMPLATES_DIR;
        try {
            assert.equal(defaultTemplatesDir('/ext/out/server'), path.join('/ext', 'templates'));
            assert.equal(defaultTemplatesDir('/ext/out/cli'), path.join('/ext', 'templates'));
        } finally {
            if (saved !== undefined) process.env.POLICY_INSIGHTS_TEMPLATES_DIR = saved;
        }
    });

    it('can be overridden through POLICY_INSIGHTS_TEMPLATES_DIR', () => {
        const saved = process.env.POLICY_INSIGHTS_TEMPLATES_DIR;
        process.env.POLICY_INSIGHTS_TEMPLATES_DIR = templatesDir;
        try {
            assert.equal(defaultTemplatesDir('/elsewhere/out/server'), templatesDir);
            assert.equal(listTemplates().length, EXPECTED_TEMPLATES.length);
        } finally {
            if (saved === undefined) delete process.env.POLICY_INSIGHTS_TEMPLATES_DIR;
            else process.env.POLICY_INSIGHTS_TEMPLATES_DIR = saved;
        }
    });
});

describe('pack names', () => {
    it('keeps a valid folder name as is', () => {
        assert.equal(packNameFromDir('/x/my_pack.v2-final'), 'my_pack.v2-final');
    });

    it('replaces characters the SDK rejects and trims the result', () => {
        assert.equal(packNameFromDir('/x/ My Pack (v2) '), 'My-Pack-v2');
        assert.equal(packNameFromDir(`/x/${'a'.repeat(150)}`), 'a'.repeat(100));
    });

    it('refuses a folder with nothing usable in its name, naming the folder', () => {
        assert.throws(
            () => packNameFromDir('/x/政策'),
            (e: unknown) => e instanceof ScaffoldError && e.code === 'invalid-pack-name' && e.message.includes('/x/政策'),
        );
    });

    it('derives a valid npm package name', () => {
        assert.equal(npmPackageName('My_Pack.v2'), 'my_pack.v2');
        assert.equal(npmPackageName('_private'), 'private');
        assert.equal(npmPackageName('...'), 'policy-pack');
    });
});

describe('scaffoldPack', () => {
    for (const name of EXPECTED_TEMPLATES) {
        it(`scaffolds ${name} with the folder name as pack name`, async () => {
            const dir = target('Team Guard-rails');
            const result = await scaffoldPack({ template: name, dir, templatesDir });
            const javascript = name.endsWith('-javascript');
            const entry = javascript ? 'index.js' : 'index.ts';
            const expectedFiles = ['.gitignore', 'PulumiPolicy.yaml', entry, 'package.json', ...(javascript ? [] : ['tsconfig.json'])].sort();

            assert.equal(result.packName, 'Team-Guard-rails');
            assert.equal(result.dir, dir);
            assert.equal(result.entry, path.join(dir, entry));
            assert.equal(result.template.name, name);
            assert.deepEqual(result.files, expectedFiles);
            assert.ok(!existsSync(path.join(dir, 'template.json')), 'template.json is metadata, not part of the pack');

            const source = readFileSync(result.entry, 'utf8');
            assert.ok(source.includes('new PolicyPack("Team-Guard-rails"'), `${entry} should construct the pack under its folder's name`);
            const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
            assert.equal(manifest.name, 'team-guard-rails');
            assert.equal(manifest.version, '0.0.1');
            for (const file of result.files) {
                const text = readFileSync(path.join(dir, file), 'utf8');
                assert.doesNotMatch(text, /\$\{(PACK_NAME|PACKAGE_NAME)\}/, `${file} still holds a placeholder`);
            }
            assert.match(readFileSync(path.join(dir, '.gitignore'), 'utf8'), /node_modules/);
        });
    }

    it('creates missing parent folders', async () => {
        const dir = path.join(target('outer'), 'inner', 'deep-pack');
        const result = await scaffoldPack({ template: 'aws-typescript', dir, templatesDir });
        assert.equal(result.packName, 'deep-pack');
        assert.ok(existsSync(path.join(dir, 'index.ts')));
    });

    it('refuses a non-empty folder without --force, naming it', async () => {
        const dir = target('busy');
        mkdirSync(dir, { recursive: true });
        writeFileSync(path.join(dir, 'notes.txt'), 'mine');
        await rejectsWith(scaffoldPack({ template: 'aws-typescript', dir, templatesDir }), 'directory-not-empty', dir, '--force');
        assert.ok(!existsSync(path.join(dir, 'index.ts')), 'nothing may be written after a refusal');
    });

    it('with --force writes the template over its own files and keeps the others', async () => {
        const dir = target('forced');
        mkdirSync(dir, { recursive: true });
        writeFileSync(path.join(dir, 'notes.txt'), 'mine');
        writeFileSync(path.join(dir, 'index.ts'), 'old content');
        const result = await scaffoldPack({ template: 'aws-typescript', dir, force: true, templatesDir });
        assert.equal(readFileSync(path.join(dir, 'notes.txt'), 'utf8'), 'mine');
        assert.match(readFileSync(result.entry, 'utf8'), /s3-no-public-read/);
        assert.ok(!result.files.includes('notes.txt'));
    });

    it('refuses an unknown template and lists the available ones', async () => {
        const error = await rejectsWith(
            scaffoldPack({ template: 'aws-cobol', dir: target('p'), templatesDir }),
            'unknown-template',
            'aws-cobol',
        );
        for (const name of EXPECTED_TEMPLATES) {
            assert.ok(error.message.includes(name), `the error should offer ${name}`);
        }
    });

    it('refuses a target that is a file', async () => {
        const file = target('a-file');
        writeFileSync(file, '');
        await rejectsWith(scaffoldPack({ template: 'aws-typescript', dir: file, templatesDir }), 'not-a-directory', file);
    });

    it('refuses a folder name that yields no pack name, naming the folder', async () => {
        const dir = target('???');
        await rejectsWith(scaffoldPack({ template: 'aws-typescript', dir, templatesDir }), 'invalid-pack-name', dir);
        assert.ok(!existsSync(dir), 'the folder is not created when the name is refused');
    });
});

/**
 * Whether a process is alive. A killed process whose parent died stays a zombie until
 * PID 1 reaps it, which some container inits never do; a zombie does not run.
 */
function isRunning(pid: number): boolean {
    try {
        process.kill(pid, 0);
    } catch {
        return false;
    }
    try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
    } catch {
        return process.platform !== 'linux';
    }
}

describe('installDependencies (real npm, packs without dependencies)', () => {
    function packWith(manifest: string): string {
        const dir = target('npm-pack');
        mkdirSync(dir, { recursive: true });
        writeFileSync(path.join(dir, 'package.json'), manifest);
        return dir;
    }

    it('runs npm install in the pack and streams its output', async () => {
        const dir = packWith(JSON.stringify({ name: 'npm-pack', version: '0.0.1', private: true }));
        let output = '';
        await installDependencies(dir, { onOutput: (chunk) => (output += chunk) });
        assert.ok(existsSync(path.join(dir, 'package-lock.json')), 'npm install writes a lock file');
        assert.match(output, /up to date|added/);
    });

    it('reports a failure with the tail of npm output', async () => {
        const dir = packWith('{ "name": "npm-pack", "version": ');
        await rejectsWith(installDependencies(dir), 'install-failed', dir, 'JSON');
    });

    it('refuses a folder without package.json instead of installing into an enclosing project', async () => {
        const dir = target('empty');
        mkdirSync(dir, { recursive: true });
        await rejectsWith(installDependencies(dir), 'install-failed', 'No package.json', dir);
    });

    it('is cancelled through the AbortSignal, killing npm and the scripts it started', async () => {
        const pidFile = path.join(work, `preinstall-${Date.now()}.pid`);
        const script = `require('fs').writeFileSync(${JSON.stringify(pidFile)}, String(process.pid)); setTimeout(() => {}, 120000)`;
        const dir = packWith(
            JSON.stringify({ name: 'npm-pack', version: '0.0.1', private: true, scripts: { preinstall: `node -e ${JSON.stringify(script)}` } }),
        );
        const controller = new AbortController();
        const started = Date.now();
        const install = installDependencies(dir, { signal: controller.signal });
        // Cancel once the long-running install script is really running.
        await eventually(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8') !== '', 30_000, 'the preinstall script to start');
        const scriptPid = Number(readFileSync(pidFile, 'utf8'));
        controller.abort();
        await rejectsWith(install, 'install-cancelled', dir);
        assert.ok(Date.now() - started < 30000, 'cancelling must not wait for the script to finish');
        // the kill is sent before npm's exit is reported; the process is gone once the kernel has reaped it
        await eventually(() => !isRunning(scriptPid), 5000, `the install script (pid ${scriptPid}) to be killed with npm`);
    });

    it('does not start when the signal is already aborted', async () => {
        const dir = packWith(JSON.stringify({ name: 'npm-pack', version: '0.0.1', private: true }));
        const controller = new AbortController();
        controller.abort();
        await rejectsWith(installDependencies(dir, { signal: controller.signal }), 'install-cancelled');
        assert.ok(!existsSync(path.join(dir, 'package-lock.json')));
    });
});
