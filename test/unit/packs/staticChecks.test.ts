import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { checkPackSource } from '../../../server/src/packs/staticChecks';
import { fixture, messageOf, range } from './packTestSupport';

let version = 0;
function source(text: string, file = 'index.ts'): TextDocument {
    return TextDocument.create(`file:///pack/${file}`, file.endsWith('.ts') ? 'typescript' : 'javascript', ++version, text);
}

function only(diagnostics: Diagnostic[], code: string): Diagnostic {
    const matching = diagnostics.filter(d => d.code === code);
    assert.equal(matching.length, 1, `expected one ${code}, got ${JSON.stringify(diagnostics, null, 1)}`);
    return matching[0];
}

/** A policy body that satisfies every rule, for tests that break one thing at a time. */
const VALID_BODY = 'description: "d", validateResource: () => {}';

describe('checkPackSource on correct packs', () => {
    it('accepts the aws-typescript template', () => {
        const doc = source(readFileSync(fixture('aws-typescript', 'index.ts'), 'utf8'));
        assert.deepEqual(checkPackSource(doc), []);
    });

    it('accepts a JavaScript pack using policy.PolicyPack, a policy const and a spread array', () => {
        const doc = source(readFileSync(fixture('aws-javascript', 'index.js'), 'utf8'), 'index.js');
        assert.deepEqual(checkPackSource(doc), []);
    });

    it('accepts remediation-only and stack-only policies and every valid level and severity', () => {
        const levels = ['advisory', 'mandatory', 'remediate', 'disabled'];
        const severities = ['low', 'medium', 'high', 'critical'];
        const policies = levels.map((level, i) =>
            `{ name: "p${i}", description: "d", enforcementLevel: "${level}", severity: "${severities[i]}", ${i % 2 ? 'validateStack: () => {}' : 'remediateResource: () => {}'} }`);
        const doc = source(`import { PolicyPack } from "@pulumi/policy";\nnew PolicyPack("a.b_c-1", { enforcementLevel: "remediate", policies: [${policies.join(', ')}] });\n`);
        assert.deepEqual(checkPackSource(doc), []);
    });
});

describe('checkPackSource rules', () => {
    it('invalid-pack-name: on the name literal, with the SDK wording', () => {
        const doc = source([
            'import { PolicyPack } from "@pulumi/policy";',
            `new PolicyPack("my pack!", { policies: [{ name: "p", ${VALID_BODY} }] });`,
        ].join('\n'));
        const diagnostic = only(checkPackSource(doc), 'invalid-pack-name');
        assert.deepEqual(diagnostic.range, range(1, 15, 1, 25));
        assert.equal(diagnostic.severity, DiagnosticSeverity.Error);
        assert.equal(diagnostic.source, 'policy-insights');
        assert.match(messageOf(diagnostic), /Invalid policy pack name "my pack!"\. Policy pack names may only contain alphanumerics/);
    });

    it('invalid-pack-name: 101 characters fire, 100 do not; a const name is resolved', () => {
        const pack = (name: string) => source([
            'import { PolicyPack } from "@pulumi/policy";',
            `const packName = "${name}";`,
            `new PolicyPack(packName, { policies: [{ name: "p", ${VALID_BODY} }] });`,
        ].join('\n'));
        assert.deepEqual(checkPackSource(pack('x'.repeat(100))), []);
        const diagnostic = only(checkPackSource(pack('x'.repeat(101))), 'invalid-pack-name');
        assert.deepEqual(diagnostic.range, range(2, 15, 2, 23));
        assert.match(messageOf(diagnostic), /101 characters long; the limit is 100/);
    });

    it('duplicate-policy-name: on the second name, with a unique suggestion and the first as related', () => {
        const doc = source([
            'import { PolicyPack } from "@pulumi/policy";',
            'new PolicyPack("p", { policies: [',
            `    { name: "dup", ${VALID_BODY} },`,
            `    { name: "dup-2", ${VALID_BODY} },`,
            `    { name: "dup", ${VALID_BODY} },`,
            '] });',
        ].join('\n'));
        const diagnostic = only(checkPackSource(doc), 'duplicate-policy-name');
        assert.deepEqual(diagnostic.range, range(4, 12, 4, 17));
        assert.equal(diagnostic.severity, DiagnosticSeverity.Error);
        assert.deepEqual(diagnostic.data, { value: 'dup', suggestion: 'dup-3' });
        assert.deepEqual(diagnostic.relatedInformation?.[0].location.range, range(2, 12, 2, 17));
    });

    it('duplicate-policy-name: the same policy const listed twice points at the second listing, without a rename', () => {
        const doc = source([
            'import { PolicyPack } from "@pulumi/policy";',
            `const p = { name: "p", ${VALID_BODY} };`,
            'new PolicyPack("pack", { policies: [p, p] });',
        ].join('\n'));
        const diagnostic = only(checkPackSource(doc), 'duplicate-policy-name');
        assert.deepEqual(diagnostic.range, range(2, 39, 2, 40));
        assert.equal(diagnostic.data, undefined);
    });

    it('reserved-policy-name: "all"', () => {
        const doc = source(`import { PolicyPack } from "@pulumi/policy";\nnew PolicyPack("pack", { policies: [{ name: 'all', ${VALID_BODY} }] });`);
        const diagnostic = only(checkPackSource(doc), 'reserved-policy-name');
        assert.deepEqual(diagnostic.range, range(1, 44, 1, 49));
        assert.match(messageOf(diagnostic), /"all" is a reserved name/);
    });

    it('invalid-enforcement-level: on the policy and on the pack, with the closest value', () => {
        const doc = source([
            'import { PolicyPack } from "@pulumi/policy";',
            'new PolicyPack("pack", {',
            '    enforcementLevel: "warn",',
            `    policies: [{ name: "p", enforcementLevel: "mandtory", ${VALID_BODY} }],`,
            '});',
        ].join('\n'));
        const diagnostics = checkPackSource(doc).filter(d => d.code === 'invalid-enforcement-level');
        assert.equal(diagnostics.length, 2);
        const [pack, policy] = diagnostics;
        assert.deepEqual(pack.range, range(2, 22, 2, 28));
        assert.deepEqual(policy.range, range(3, 46, 3, 56));
        assert.equal(policy.severity, DiagnosticSeverity.Error);
        assert.equal((policy.data as { suggestion: string }).suggestion, 'mandatory');
        assert.match(messageOf(policy), /Unknown enforcement level "mandtory".*did you mean "mandatory"/);
    });

    it('invalid-severity: a warning with the closest value', () => {
        const doc = source(`import { PolicyPack } from "@pulumi/policy";\nnew PolicyPack("pack", { policies: [{ name: "p", severity: "hgh", ${VALID_BODY} }] });`);
        const diagnostic = only(checkPackSource(doc), 'invalid-severity');
        assert.deepEqual(diagnostic.range, range(1, 59, 1, 64));
        assert.equal(diagnostic.severity, DiagnosticSeverity.Warning);
        assert.equal((diagnostic.data as { suggestion: string }).suggestion, 'high');
    });

    it('empty-description: on the empty literal; a missing one on the policy name', () => {
        const doc = source([
            'import { PolicyPack } from "@pulumi/policy";',
            'new PolicyPack("pack", { policies: [',
            '    { name: "a", description: "  ", validateResource: () => {} },',
            '    { name: "b", validateResource: () => {} },',
            '] });',
        ].join('\n'));
        const diagnostics = checkPackSource(doc).filter(d => d.code === 'empty-description');
        assert.deepEqual(diagnostics.map(d => d.range), [range(2, 30, 2, 34), range(3, 12, 3, 15)]);
        assert.ok(diagnostics.every(d => d.severity === DiagnosticSeverity.Warning));
    });

    it('config-schema-enforcement-level: on the property name and on the required entry', () => {
        const doc = source([
            'import { PolicyPack } from "@pulumi/policy";',
            'new PolicyPack("pack", { policies: [{',
            `    name: "p", ${VALID_BODY},`,
            '    configSchema: {',
            '        properties: { enforcementLevel: { type: "string" }, max: { type: "integer" } },',
            '        required: ["max", "enforcementLevel"],',
            '    },',
            '}] });',
        ].join('\n'));
        const diagnostics = checkPackSource(doc).filter(d => d.code === 'config-schema-enforcement-level');
        assert.deepEqual(diagnostics.map(d => d.range), [range(4, 22, 4, 38), range(5, 26, 5, 44)]);
        assert.match(messageOf(diagnostics[0]), /^enforcementLevel cannot be explicitly specified in properties/);
        assert.match(messageOf(diagnostics[1]), /^"enforcementLevel" cannot be specified in required/);
    });

    it('missing-validate: a policy that checks nothing', () => {
        const doc = source(`import { PolicyPack } from "@pulumi/policy";\nnew PolicyPack("pack", { policies: [{ name: "idle", description: "d", enforcementLevel: "advisory" }] });`);
        const diagnostic = only(checkPackSource(doc), 'missing-validate');
        assert.deepEqual(diagnostic.range, range(1, 44, 1, 50));
        assert.equal(diagnostic.severity, DiagnosticSeverity.Warning);
    });

    it('missing-policy-name and multiple-policy-packs', () => {
        const doc = source([
            'import { PolicyPack } from "@pulumi/policy";',
            `new PolicyPack("one", { policies: [{ ${VALID_BODY} }] });`,
            `new PolicyPack("two", { policies: [{ name: "p", ${VALID_BODY} }] });`,
        ].join('\n'));
        const diagnostics = checkPackSource(doc);
        assert.deepEqual(only(diagnostics, 'missing-policy-name').range, range(1, 35, 1, 36));
        assert.deepEqual(only(diagnostics, 'multiple-policy-packs').range, range(2, 4, 2, 14));
    });

    it('stays quiet about fields a spread may supply', () => {
        const doc = source(`import { PolicyPack } from "@pulumi/policy";\nimport { base } from "./base";\nnew PolicyPack("pack", { policies: [{ ...base, name: "p" }] });`);
        assert.deepEqual(checkPackSource(doc), []);
    });
});

describe('checkPackSource on code that does not parse', () => {
    it('reports TypeScript\'s syntax error at its exact span, source ts, code 1109', () => {
        const doc = source('const x = ;\n');
        assert.deepEqual(checkPackSource(doc), [{
            range: range(0, 10, 0, 11),
            severity: DiagnosticSeverity.Error,
            source: 'ts',
            code: 1109,
            message: 'Expression expected.',
        }]);
    });

    it('reports syntax errors in JavaScript packs too', () => {
        const diagnostics = checkPackSource(source('const { PolicyPack } = require("@pulumi/policy");\nnew PolicyPack("p", { policies: [ });\n', 'index.js'));
        assert.ok(diagnostics.length > 0);
        assert.ok(diagnostics.every(d => d.source === 'ts' && d.severity === DiagnosticSeverity.Error), JSON.stringify(diagnostics));
    });

    it('does not turn `[{{{ ]` into three nameless policies: only the syntax errors stand', () => {
        const doc = source('import { PolicyPack } from "@pulumi/policy";\nnew PolicyPack("a", { policies: [{{{ ] });\n');
        const diagnostics = checkPackSource(doc);
        assert.deepEqual(diagnostics.map(d => `${d.source}:${d.code}@${d.range.start.line}:${d.range.start.character}`),
            ['ts:1136@1:34', 'ts:1136@1:35', 'ts:1136@1:37']);
    });

    it('still checks the intact pack next to a syntax error elsewhere in the file', () => {
        const doc = source([
            'import { PolicyPack } from "@pulumi/policy";',
            'const broken = (;',
            `new PolicyPack("my pack!", { policies: [{ name: "p", ${VALID_BODY} }] });`,
        ].join('\n'));
        const diagnostics = checkPackSource(doc);
        assert.deepEqual(diagnostics.map(d => d.source === 'ts' ? 'ts' : d.code).sort(), ['invalid-pack-name', 'ts']);
    });

    it('keeps checking an intact policy declared outside a pack call that has a syntax error', () => {
        const doc = source([
            'import { PolicyPack, ResourceValidationPolicy } from "@pulumi/policy";',
            'const p: ResourceValidationPolicy = { name: "all", description: "d", validateResource: () => {} };',
            'new PolicyPack("pack", { policies: [p, { name: ] });',
        ].join('\n'));
        const codes = checkPackSource(doc).map(d => d.source === 'ts' ? 'ts' : d.code);
        assert.ok(codes.includes('reserved-policy-name'), codes.join());
        assert.ok(!codes.includes('missing-policy-name'), codes.join());
    });
});

describe('checkPackSource: multiple-policy-packs counts only packs that can both run', () => {
    const pack = (name: string) => `new PolicyPack("${name}", { policies: [{ name: "p", ${VALID_BODY} }] })`;
    const codes = (...lines: string[]) => checkPackSource(source(['import { PolicyPack } from "@pulumi/policy";', ...lines].join('\n'))).map(d => d.code);

    it('is quiet for the two arms of an if/else, of a ternary, and for switch cases that end in break or return', () => {
        assert.deepEqual(codes(`if (process.env.STRICT) { ${pack('strict')}; } else { ${pack('lax')}; }`), []);
        assert.deepEqual(codes(`if (a) ${pack('one')}; else if (b) ${pack('two')}; else ${pack('three')};`), []);
        assert.deepEqual(codes(`const chosen = process.env.STRICT ? ${pack('strict')} : ${pack('lax')};`), []);
        assert.deepEqual(codes(
            'function make(kind: string) {',
            `    switch (kind) { case "a": ${pack('a')}; break; case "b": case "c": { ${pack('bc')}; return; } default: ${pack('d')}; }`,
            '}',
        ), []);
    });

    it('fires when both can run: sequential statements, an if without else before another pack, a case that falls through', () => {
        assert.deepEqual(codes(`${pack('one')};`, `${pack('two')};`), ['multiple-policy-packs']);
        assert.deepEqual(codes(`if (a) { ${pack('one')}; }`, `${pack('two')};`), ['multiple-policy-packs']);
        assert.deepEqual(codes(`switch (k) { case 1: ${pack('one')}; case 2: ${pack('two')}; }`), ['multiple-policy-packs']);
        assert.deepEqual(codes(`if (a) { ${pack('one')}; ${pack('two')}; } else { ${pack('three')}; }`), ['multiple-policy-packs']);
    });

    it('points at the pack that runs before, not the first in the file', () => {
        const doc = source([
            'import { PolicyPack } from "@pulumi/policy";',
            `if (a) { ${pack('one')}; } else { ${pack('two')}; ${pack('three')}; }`,
        ].join('\n'));
        const diagnostic = only(checkPackSource(doc), 'multiple-policy-packs');
        const related = diagnostic.relatedInformation?.[0].location.range;
        assert.equal(related?.start.character, 'if (a) { new PolicyPack("one", { policies: [{ name: "p", description: "d", validateResource: () => {} }] }); } else { new '.length);
        assert.ok(diagnostic.range.start.character > related!.start.character);
    });
});

describe('checkPackSource finds packs and policies however they are written', () => {
    it('an aliased import, a const policy, an annotated policy and spreads of arrays', () => {
        const doc = source([
            'import { PolicyPack as Pack, ResourceValidationPolicy } from "@pulumi/policy";',
            'const first: ResourceValidationPolicy = { name: "first", description: "", validateResource: () => {} };',
            'const more = [{ name: "first", description: "d", validateStack: () => {} }];',
            'const unused: ResourceValidationPolicy = { name: "u", description: "d", severity: "urgent", validateResource: () => {} };',
            'new Pack("pack", { policies: [first, ...more, ...makePolicies(), helper()] });',
        ].join('\n'));
        const codes = checkPackSource(doc).map(d => `${d.code}@${d.range.start.line}:${d.range.start.character}`);
        assert.deepEqual(codes.sort(), ['duplicate-policy-name@2:22', 'empty-description@1:70', 'invalid-severity@3:82']);
    });

    it('require() with a renamed destructured PolicyPack in JavaScript', () => {
        const doc = source([
            'const { PolicyPack: Pack } = require("@pulumi/policy");',
            'const args = { policies: [{ name: "p", description: "d", enforcementLevel: "block", validateResource: () => {} }] };',
            'new Pack("pack", args);',
        ].join('\n'), 'index.js');
        assert.deepEqual(only(checkPackSource(doc), 'invalid-enforcement-level').range, range(1, 75, 1, 82));
    });

    it('reports nothing for a file without a PolicyPack', () => {
        assert.deepEqual(checkPackSource(source('export const x = { name: "all", enforcementLevel: "nope" };\n')), []);
    });
});

describe('checkPackSource on half-typed code', () => {
    it('an unterminated string still reports the level it holds, without throwing', () => {
        const doc = source([
            'import { PolicyPack } from "@pulumi/policy";',
            'new PolicyPack("pack", { policies: [{',
            '    name: "p", description: "d",',
            '    enforcementLevel: "mandtory',
            '    validateResource: () => {},',
            '}] });',
        ].join('\n'));
        const diagnostic = only(checkPackSource(doc), 'invalid-enforcement-level');
        assert.equal(diagnostic.range.start.line, 3);
        assert.equal(diagnostic.range.start.character, 22);
    });

    it('a missing closing brace, an empty policy, a half-typed key and a dangling pack do not throw', () => {
        const texts = [
            'import { PolicyPack } from "@pulumi/policy";\nnew PolicyPack("pack", { policies: [{ name: "p", description: "d", validateResource: () => {',
            'import { PolicyPack } from "@pulumi/policy";\nnew PolicyPack("pack", { policies: [{}] });',
            'import { PolicyPack } from "@pulumi/policy";\nnew PolicyPack("pack", { policies: [{ name: "p", enf }] });',
            'import { PolicyPack } from "@pulumi/policy";\nnew PolicyPack(',
            'new PolicyPack',
            '',
        ];
        for (const text of texts) assert.doesNotThrow(() => checkPackSource(source(text)), text);
        const empty = checkPackSource(source(texts[1])).map(d => d.code).sort();
        assert.deepEqual(empty, ['empty-description', 'missing-policy-name', 'missing-validate']);
    });

    it('a self-referencing const does not loop', () => {
        const doc = source('import { PolicyPack } from "@pulumi/policy";\nconst a = b; const b = a;\nnew PolicyPack("pack", { policies: a });');
        assert.deepEqual(checkPackSource(doc), []);
    });
});

describe('checkPackSource speed', () => {
    it('checks a 2,000-line pack in well under the budget of one keystroke', () => {
        const policy = (i: number) => [
            '    {',
            `        name: "policy-${i}",`,
            `        description: "Policy number ${i}.",`,
            '        enforcementLevel: "mandatory",',
            '        severity: "high",',
            '        validateResource: validateResourceOfType(aws.s3.Bucket, (bucket, args, reportViolation) => {',
            '            if (bucket.acl === "public-read") {',
            `                reportViolation("Bucket ${i} is public.");`,
            '            }',
            '        }),',
            '    },',
        ];
        const lines = ['import * as aws from "@pulumi/aws";', 'import { PolicyPack, validateResourceOfType } from "@pulumi/policy";', 'new PolicyPack("big", { policies: ['];
        for (let i = 0; lines.length < 1997; i++) lines.push(...policy(i));
        lines.push(']});');
        const text = lines.join('\n');
        assert.ok(lines.length >= 2000);
        for (let i = 0; i < 5; i++) checkPackSource(source(text)); // warm up the JIT, as a long-running server is
        const runs = 20;
        const started = process.hrtime.bigint();
        // A new version each time, so nothing is served from the parse cache.
        for (let i = 0; i < runs; i++) assert.deepEqual(checkPackSource(source(text)), []);
        const perCall = Number(process.hrtime.bigint() - started) / 1e6 / runs;
        console.log(`checkPackSource: ${lines.length} lines, ${perCall.toFixed(1)} ms per call (${runs} runs)`);
        // Aim is < 20 ms; the bound leaves room for a loaded CI machine.
        assert.ok(perCall < 60, `${perCall} ms per call`);
    });
});
