import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { checkPackageJson, checkPulumiPolicyYaml } from '../../../server/src/packs/manifestChecks';
import { fixture, messageOf, range } from './packTestSupport';

function packageJson(text: string): TextDocument {
    return TextDocument.create('file:///pack/package.json', 'json', 1, text);
}

function policyYaml(text: string): TextDocument {
    return TextDocument.create('file:///pack/PulumiPolicy.yaml', 'yaml', 1, text);
}

function single(diagnostics: Diagnostic[], code: string): Diagnostic {
    assert.equal(diagnostics.length, 1, JSON.stringify(diagnostics, null, 1));
    assert.equal(diagnostics[0].code, code);
    assert.equal(diagnostics[0].source, 'policy-insights');
    return diagnostics[0];
}

describe('checkPackageJson', () => {
    it('accepts the fixtures (plain and prerelease versions)', () => {
        for (const pack of ['aws-typescript', 'aws-javascript']) {
            assert.deepEqual(checkPackageJson(packageJson(readFileSync(fixture(pack, 'package.json'), 'utf8'))), [], pack);
        }
    });

    it('invalid-json: at the offending character, with line and column in the message', () => {
        const diagnostic = single(checkPackageJson(packageJson('{\n  "name": "p",\n  "version": "1.0.0",\n}\n')), 'invalid-json');
        assert.deepEqual(diagnostic.range, range(3, 0, 3, 1));
        assert.equal(diagnostic.severity, DiagnosticSeverity.Error);
        assert.match(messageOf(diagnostic), /line 4, column 1/);
    });

    it('invalid-json: a truncated file is reported at its end', () => {
        const text = '{\n  "name": "p",\n  "version": "1.0.0"';
        const diagnostic = single(checkPackageJson(packageJson(text)), 'invalid-json');
        assert.deepEqual(diagnostic.range.start, { line: 2, character: 20 });
    });

    it('invalid-json: not an object', () => {
        single(checkPackageJson(packageJson('["a"]')), 'invalid-json');
    });

    it('missing-version: on the opening brace, with the SDK wording', () => {
        const diagnostic = single(checkPackageJson(packageJson('\n  {\n  "name": "p"\n}')), 'missing-version');
        assert.deepEqual(diagnostic.range, range(1, 2, 1, 3));
        assert.match(messageOf(diagnostic), /^Version must be defined in the package\.json file/);
    });

    it('invalid-version: not semver, or not a string, on the value', () => {
        const notSemver = single(checkPackageJson(packageJson('{\n  "name": "p",\n  "version": "1.0"\n}')), 'invalid-version');
        assert.deepEqual(notSemver.range, range(2, 13, 2, 18));
        assert.match(messageOf(notSemver), /"1\.0" is not a valid semver version/);
        const notString = single(checkPackageJson(packageJson('{ "version": 1 }')), 'invalid-version');
        assert.deepEqual(notString.range, range(0, 13, 0, 14));
    });
});

describe('checkPulumiPolicyYaml', () => {
    it('accepts the fixtures (string runtime; runtime object with a version)', () => {
        for (const pack of ['aws-typescript', 'aws-javascript']) {
            assert.deepEqual(checkPulumiPolicyYaml(policyYaml(readFileSync(fixture(pack, 'PulumiPolicy.yaml'), 'utf8'))), [], pack);
        }
    });

    it('invalid-yaml: at the position the parser gives', () => {
        const diagnostics = checkPulumiPolicyYaml(policyYaml('runtime: nodejs\ndescription: "unterminated\n'));
        assert.ok(diagnostics.length >= 1);
        assert.ok(diagnostics.every(d => d.code === 'invalid-yaml' && d.severity === DiagnosticSeverity.Error));
        assert.equal(diagnostics[0].range.start.line, 1);
        assert.match(messageOf(diagnostics[0]), /PulumiPolicy\.yaml is not valid YAML: .*\(line 2, column \d+\)/);
    });

    it('invalid-yaml: a list instead of a mapping', () => {
        single(checkPulumiPolicyYaml(policyYaml('- runtime: nodejs\n')), 'invalid-yaml');
    });

    it('missing-runtime, also for an empty file', () => {
        single(checkPulumiPolicyYaml(policyYaml('description: a pack\n')), 'missing-runtime');
        single(checkPulumiPolicyYaml(policyYaml('')), 'missing-runtime');
    });

    it('unknown-runtime: an error on the runtime value, with the closest runtime', () => {
        const diagnostic = single(checkPulumiPolicyYaml(policyYaml('description: x\nruntime: nodjs\n')), 'unknown-runtime');
        assert.deepEqual(diagnostic.range, range(1, 9, 1, 14));
        assert.equal(diagnostic.severity, DiagnosticSeverity.Error);
        assert.deepEqual((diagnostic.data as { suggestion: string }).suggestion, 'nodejs');
        const nested = single(checkPulumiPolicyYaml(policyYaml('runtime:\n  name: go\n')), 'unknown-runtime');
        assert.deepEqual(nested.range, range(1, 8, 1, 10));
    });

    it('unsupported-runtime: python is a warning, since Pulumi supports it but this tool runs nodejs only', () => {
        const diagnostic = single(checkPulumiPolicyYaml(policyYaml('runtime: python\n')), 'unsupported-runtime');
        assert.equal(diagnostic.severity, DiagnosticSeverity.Warning);
        assert.match(messageOf(diagnostic), /only nodejs/);
    });

    it('invalid-version: a version that YAML reads as a number is still not semver', () => {
        const diagnostic = single(checkPulumiPolicyYaml(policyYaml('runtime: nodejs\nversion: 1.0\n')), 'invalid-version');
        assert.deepEqual(diagnostic.range, range(1, 9, 1, 12));
        assert.deepEqual(checkPulumiPolicyYaml(policyYaml('runtime: nodejs\nversion: "2.0.0-rc.1"\n')), []);
    });
});
