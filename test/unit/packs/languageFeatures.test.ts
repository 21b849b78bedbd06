import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CodeActionKind, type CodeAction, type CompletionItem, type MarkupContent, type Position, type TextEdit } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { codeActionsFor, completionsAt, hoverAt } from '../../../server/src/packs/languageFeatures';
import { checkPulumiPolicyYaml } from '../../../server/src/packs/manifestChecks';
import { checkPackSource } from '../../../server/src/packs/staticChecks';

let version = 0;

/** A document from `text` with one `|` marking the cursor (removed from the text). */
function at(marked: string, file = 'index.ts'): { doc: TextDocument; position: Position } {
    const offset = marked.indexOf('|');
    assert.ok(offset >= 0 && marked.indexOf('|', offset + 1) < 0, 'mark exactly one cursor with |');
    const doc = TextDocument.create(`file:///pack/${file}`, 'typescript', ++version, marked.slice(0, offset) + marked.slice(offset + 1));
    return { doc, position: doc.positionAt(offset) };
}

function labels(items: CompletionItem[]): string[] {
    return items.map(item => item.label);
}

/** The document's text after applying the one edit of `action`. */
function applied(doc: TextDocument, action: CodeAction): string {
    const edits = action.edit?.changes?.[doc.uri];
    assert.ok(edits && edits.length === 1, `one edit on ${doc.uri}`);
    return TextDocument.applyEdits(doc, edits as TextEdit[]);
}

const PACK_HEAD = 'import { PolicyPack, validateResourceOfType } from "@pulumi/policy";\n';

describe('completionsAt', () => {
    it('offers enforcement levels inside the string, replacing only its contents', () => {
        const { doc, position } = at(`${PACK_HEAD}new PolicyPack("p", { policies: [{ name: "a", enforcementLevel: "ma|" }] });`);
        const items = completionsAt(doc, position);
        assert.deepEqual(labels(items), ['advisory', 'mandatory', 'remediate', 'disabled']);
        const edit = items[1].textEdit as TextEdit;
        assert.deepEqual(edit.range, { start: { line: 1, character: 65 }, end: { line: 1, character: 67 } });
        assert.equal(TextDocument.applyEdits(doc, [edit]).split('\n')[1], 'new PolicyPack("p", { policies: [{ name: "a", enforcementLevel: "mandatory" }] });');
        assert.match((items[1].documentation as MarkupContent).value, /error/);
    });

    it('offers severities inside an unterminated string', () => {
        const { doc, position } = at(`${PACK_HEAD}new PolicyPack("p", { policies: [{\n    name: "a",\n    severity: "h|\n}] });`);
        assert.deepEqual(labels(completionsAt(doc, position)), ['low', 'medium', 'high', 'critical']);
    });

    it('offers quoted levels right after the colon, and for the pack-level enforcementLevel', () => {
        const policyLevel = at(`${PACK_HEAD}new PolicyPack("p", { policies: [{ name: "a", enforcementLevel: | }] });`);
        const items = completionsAt(policyLevel.doc, policyLevel.position);
        assert.deepEqual(labels(items), ['advisory', 'mandatory', 'remediate', 'disabled']);
        assert.equal((items[0].textEdit as TextEdit).newText, '"advisory"');
        const packLevel = at(`${PACK_HEAD}new PolicyPack("p", { enforcementLevel: "|", policies: [] });`);
        assert.deepEqual(labels(completionsAt(packLevel.doc, packLevel.position)), ['advisory', 'mandatory', 'remediate', 'disabled']);
    });

    it('offers the Policy fields not yet written, at a key position', () => {
        const { doc, position } = at(`${PACK_HEAD}new PolicyPack("p", { policies: [{\n    name: "a",\n    |\n}] });`);
        const items = completionsAt(doc, position);
        assert.deepEqual(labels(items), [
            'description', 'enforcementLevel', 'severity', 'validateResource', 'validateStack', 'remediateResource',
            'configSchema', 'displayName', 'remediationSteps', 'url', 'framework', 'tags',
        ]);
        assert.ok(items.every(item => typeof item.documentation === 'object' && (item.documentation as MarkupContent).value.length > 20));
    });

    it('completes a half-typed field name in a policy declared as a typed const, replacing what was typed', () => {
        const { doc, position } = at(`${PACK_HEAD}import type { ResourceValidationPolicy } from "@pulumi/policy";\nconst p: ResourceValidationPolicy = { name: "a", enf| };\n`);
        const items = completionsAt(doc, position);
        const level = items.find(item => item.label === 'enforcementLevel');
        assert.ok(level);
        assert.deepEqual((level.textEdit as TextEdit).range, { start: { line: 2, character: 49 }, end: { line: 2, character: 52 } });
        assert.ok(!labels(items).includes('name'));
    });

    it('renames only the key when the cursor is on the name of a property that has a value', () => {
        const { doc, position } = at(`${PACK_HEAD}new PolicyPack("p", { policies: [{ name: "a", sever|ty: "high" }] });`);
        const severity = completionsAt(doc, position).find(item => item.label === 'severity');
        assert.equal((severity?.textEdit as TextEdit).newText, 'severity');
    });

    it('offers the PolicyPack args fields in the pack object', () => {
        const { doc, position } = at(`${PACK_HEAD}new PolicyPack("p", { | });`);
        assert.deepEqual(labels(completionsAt(doc, position)),
            ['policies', 'enforcementLevel', 'description', 'displayName', 'readme', 'provider', 'tags', 'repository']);
    });

    it('offers nothing in other strings, values or objects', () => {
        const cases = [
            `${PACK_HEAD}new PolicyPack("p", { policies: [{ name: "a|" }] });`,
            `${PACK_HEAD}new PolicyPack("p", { policies: [{ name: "a", validateResource: (args, report) => { report("x|") } }] });`,
            `${PACK_HEAD}new PolicyPack("p", { policies: [{ name: "a", description: "d"| }] });`,
            `${PACK_HEAD}const other = { enforcementLevel: "|" };`,
            `${PACK_HEAD}const other = { | };`,
            `${PACK_HEAD}|`,
        ];
        for (const text of cases) {
            const { doc, position } = at(text);
            assert.deepEqual(completionsAt(doc, position), [], text);
        }
    });
});

describe('hoverAt', () => {
    it('explains a Policy field name', () => {
        const { doc, position } = at(`${PACK_HEAD}new PolicyPack("p", { policies: [{ name: "a", enforce|mentLevel: "mandatory" }] });`);
        const hover = hoverAt(doc, position);
        assert.ok(hover);
        assert.match((hover.contents as MarkupContent).value, /enforcementLevel\?: "advisory" \| "mandatory"/);
        assert.deepEqual(hover.range, { start: { line: 1, character: 46 }, end: { line: 1, character: 62 } });
    });

    it('explains an enforcement level and a severity literal', () => {
        const level = at(`${PACK_HEAD}new PolicyPack("p", { policies: [{ name: "a", enforcementLevel: "manda|tory" }] });`);
        assert.match((hoverAt(level.doc, level.position)?.contents as MarkupContent).value, /^\*\*mandatory\*\* \(enforcement level\)/);
        const severity = at(`${PACK_HEAD}new PolicyPack("p", { policies: [{ name: "a", severity: "cri|tical" }] });`);
        assert.match((hoverAt(severity.doc, severity.position)?.contents as MarkupContent).value, /^\*\*critical\*\* \(severity\)/);
        const wrong = at(`${PACK_HEAD}new PolicyPack("p", { policies: [{ name: "a", severity: "ur|gent" }] });`);
        assert.match((hoverAt(wrong.doc, wrong.position)?.contents as MarkupContent).value, /not a valid severity/);
    });

    it('explains a PolicyPack args field', () => {
        const { doc, position } = at(`${PACK_HEAD}new PolicyPack("p", { poli|cies: [] });`);
        assert.match((hoverAt(doc, position)?.contents as MarkupContent).value, /policies: Policies/);
    });

    it('returns null elsewhere', () => {
        for (const text of [`${PACK_HEAD}new Policy|Pack("p", { policies: [] });`, `${PACK_HEAD}const x = { enforcement|Level: "mandatory" };`, '|']) {
            const { doc, position } = at(text);
            assert.equal(hoverAt(doc, position), null, text);
        }
    });
});

describe('half-typed code', () => {
    it('every prefix of a pack, with the cursor at its end, gets results without an exception', () => {
        const template = [
            PACK_HEAD.trimEnd(),
            'const levels = { level: "mandatory" };',
            'new PolicyPack("aws-typescript", {',
            '    enforcementLevel: "advisory",',
            '    policies: [{',
            '        name: "s3-no-public-read",',
            "        description: 'No public buckets.',",
            '        severity: "high",',
            '        configSchema: { properties: { max: { type: "integer" } } },',
            '        validateResource: validateResourceOfType(aws.s3.Bucket, (bucket, args, reportViolation) => {',
            '            if (bucket.acl === `public-read`) { reportViolation("public"); }',
            '        }),',
            '    }],',
            '});',
        ].join('\n');
        for (let end = 0; end <= template.length; end++) {
            const doc = TextDocument.create('file:///pack/index.ts', 'typescript', ++version, template.slice(0, end));
            const position = doc.positionAt(end);
            const diagnostics = checkPackSource(doc);
            completionsAt(doc, position);
            hoverAt(doc, doc.positionAt(Math.max(0, end - 1)));
            codeActionsFor(doc, diagnostics);
        }
    });
});

describe('codeActionsFor', () => {
    it('replaces a mistyped enforcement level with the closest value, preferred, keeping the quotes', () => {
        const { doc } = at(`${PACK_HEAD}new PolicyPack("p", { policies: [{ name: "a", description: "d", enforcementLevel: 'mandtory', validateResource: () => {} }] });|`);
        const diagnostics = checkPackSource(doc);
        const actions = codeActionsFor(doc, diagnostics);
        assert.equal(actions.length, 4);
        const preferred = actions.filter(action => action.isPreferred);
        assert.equal(preferred.length, 1);
        assert.equal(preferred[0].title, 'Change to "mandatory"');
        assert.equal(preferred[0].kind, CodeActionKind.QuickFix);
        assert.deepEqual(preferred[0].diagnostics, diagnostics);
        assert.match(applied(doc, preferred[0]), /enforcementLevel: 'mandatory', validateResource/);
        assert.deepEqual(checkPackSource(TextDocument.create(doc.uri, 'typescript', ++version, applied(doc, preferred[0]))), []);
    });

    it('replaces a mistyped severity, also without diagnostic data (rebuilt from the text)', () => {
        const { doc } = at(`${PACK_HEAD}new PolicyPack("p", { policies: [{ name: "a", description: "d", severity: "Critcal", validateResource: () => {} }] });|`);
        const [diagnostic] = checkPackSource(doc);
        const withoutData = { ...diagnostic, data: undefined };
        const [preferred] = codeActionsFor(doc, [withoutData]).filter(action => action.isPreferred);
        assert.match(applied(doc, preferred), /severity: "critical"/);
    });

    it('renames a duplicate policy name to a unique one', () => {
        const { doc } = at(`${PACK_HEAD}new PolicyPack("p", { policies: [\n    { name: "same", description: "d", validateResource: () => {} },\n    { name: "same", description: "d", validateStack: () => {} },\n] });|`);
        const actions = codeActionsFor(doc, checkPackSource(doc));
        assert.equal(actions.length, 1);
        assert.equal(actions[0].title, 'Rename to "same-2"');
        assert.equal(actions[0].isPreferred, true);
        const fixed = applied(doc, actions[0]);
        assert.equal(fixed.split('\n')[3], '    { name: "same-2", description: "d", validateStack: () => {} },');
        assert.deepEqual(checkPackSource(TextDocument.create(doc.uri, 'typescript', ++version, fixed)), []);
    });

    it('fixes an unterminated mistyped level by closing the string', () => {
        const { doc } = at(`${PACK_HEAD}new PolicyPack("p", { policies: [{ name: "a", description: "d", validateResource: () => {},\n    enforcementLevel: "advisry\n}] });|`);
        const [preferred] = codeActionsFor(doc, checkPackSource(doc)).filter(action => action.isPreferred);
        assert.equal(applied(doc, preferred).split('\n')[2], '    enforcementLevel: "advisory"');
    });

    it('replaces an unknown runtime in PulumiPolicy.yaml', () => {
        const doc = TextDocument.create('file:///pack/PulumiPolicy.yaml', 'yaml', 1, 'runtime: nodjs\n');
        const [preferred] = codeActionsFor(doc, checkPulumiPolicyYaml(doc)).filter(action => action.isPreferred);
        assert.equal(applied(doc, preferred), 'runtime: nodejs\n');
    });

    it('ignores other sources and codes', () => {
        const { doc } = at(`${PACK_HEAD}|`);
        const foreign = { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } }, message: 'x', source: 'eslint', code: 'invalid-severity' };
        const unfixable = { ...foreign, source: 'policy-insights', code: 'missing-validate' };
        assert.deepEqual(codeActionsFor(doc, [foreign, unfixable]), []);
    });
});
