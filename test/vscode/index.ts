// Entry point that VS Code loads through --extensionTestsPath (desktop, via
// @vscode/test-electron) or the `extensionTestsPath` payload (code-server, via
// test/harness/runVscodeTests.mjs). It runs the mocha suite in the extension host and
// writes the outcome to $POLICY_INSIGHTS_TEST_RESULTS, because in code-server nothing
// else carries the result out of the extension host.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type Mocha from 'mocha';
import { defineExtensionSuite } from './extension.test';
import { defineFixInCodeSuite } from './fixInCode.test';
import { defineGroupFormsSuite } from './groupForms.test';
import { defineKubernetesSuite } from './kubernetes.test';
import { defineWorkflowSuite } from './workflow.test';

/** What the harness reads back from $POLICY_INSIGHTS_TEST_RESULTS. */
export interface SuiteResults {
    passed: number;
    failed: number;
    pending: number;
    durationMs: number;
    tests: { title: string; state: 'passed' | 'failed' | 'pending'; durationMs?: number }[];
    failures: { title: string; message: string; stack?: string }[];
}

function writeResults(results: SuiteResults): void {
    const file = process.env.POLICY_INSIGHTS_TEST_RESULTS;
    if (!file) return;
    mkdirSync(dirname(file), { recursive: true });
    // Written to a temporary name first so the harness never reads half a file.
    writeFileSync(`${file}.partial`, JSON.stringify(results, null, 2));
    renameSync(`${file}.partial`, file);
}

function errorOf(err: unknown): { message: string; stack?: string } {
    if (err instanceof Error) return { message: err.message, stack: err.stack };
    return { message: String(err) };
}

/** Runs the suite; rejects when any test fails (the contract @vscode/test-electron expects). */
export async function run(): Promise<void> {
    const started = Date.now();
    const results: SuiteResults = { passed: 0, failed: 0, pending: 0, durationMs: 0, tests: [], failures: [] };
    try {
        // mocha stays outside the bundle (esbuild.mjs marks it external): it resolves from
        // the repository's node_modules because this file is out/test/index.js in the repo.
        // mocha 12 is an ES module: require() gives its namespace, whose `Mocha` is the class.
        const mochaModule: { Mocha?: typeof Mocha; default?: typeof Mocha } = require('mocha');
        const MochaClass = mochaModule.Mocha ?? mochaModule.default;
        if (typeof MochaClass !== 'function') throw new Error(`require('mocha') from ${__dirname} gave no Mocha class`);
        // POLICY_INSIGHTS_TEST_GREP (runVscodeTests.mjs --grep) runs only the tests whose full title matches.
        const grep = process.env.POLICY_INSIGHTS_TEST_GREP || undefined;
        const mocha = new MochaClass({ ui: 'tdd', color: false, timeout: 60_000, reporter: 'spec', grep });
        // Give the suite file mocha's tdd globals (suite, test, ...) before it declares its tests.
        mocha.suite.emit('pre-require', globalThis, 'test/vscode/extension.test.ts', mocha);
        defineExtensionSuite();
        defineWorkflowSuite();
        defineFixInCodeSuite();
        defineGroupFormsSuite();
        defineKubernetesSuite();
        await new Promise<void>((resolve) => {
            const runner = mocha.run(() => resolve());
            runner.on('pass', (test) => {
                results.passed++;
                results.tests.push({ title: test.fullTitle(), state: 'passed', durationMs: test.duration });
            });
            runner.on('fail', (test, err) => {
                results.failed++;
                results.tests.push({ title: test.fullTitle(), state: 'failed', durationMs: test.duration });
                results.failures.push({ title: test.fullTitle(), ...errorOf(err) });
            });
            runner.on('pending', (test) => {
                results.pending++;
                results.tests.push({ title: test.fullTitle(), state: 'pending' });
            });
        });
        if (results.passed + results.failed === 0) {
            results.failed++;
            results.failures.push({ title: 'suite', message: 'mocha ran no tests: defineExtensionSuite() declared none' });
        }
    } catch (err) {
        results.failed++;
        results.failures.push({ title: 'loading the suite', ...errorOf(err) });
    }
    results.durationMs = Date.now() - started;
    writeResults(results);
    if (results.failed > 0) {
        throw new Error(`${results.failed} of ${results.passed + results.failed} VS Code tests failed: ${results.failures.map((f) => f.title).join('; ')}`);
    }
}
