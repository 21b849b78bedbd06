/** "Fix in code": the literal edits a remediation record offers on real-looking Pulumi programs, and when it offers none. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { PropertyChange } from '../../../server/src/shared/model';
import { pathSegments, propertyChanges } from '../../../server/src/violations/remediation';
import { remediationCodeEdits } from '../../../server/src/violations/remediationCodeFix';

const PROGRAM = `import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";

const config = new pulumi.Config();
const acl = config.get("acl") ?? "public-read";

// the site's assets
export const site = new aws.s3.Bucket("site", {
    acl: "public-read",
    versioning: { enabled: false, mfaDelete: false },
    forceDestroy: true,
    lifecycleRules: [{ enabled: true, expiration: { days: 7 } }],
    tags: { "cost-center": 'web', Owner: \`ops\` },
});

const logs = new aws.s3.Bucket("logs", { acl, versioning: { enabled: false } });
const data = new aws.s3.Bucket("data", { ...defaults, acl: "public-read" });
const bucketName = new aws.s3.Bucket("named", { acl: \`public-\${"read"}\`, bucket: "x" });
`;

/** The source position Pulumi records for `name`: the line and column of its `new` (0-based here). */
function at(name: string): { line: number; character: number } {
    const lines = PROGRAM.split('\n');
    const line = lines.findIndex((l) => l.includes(`Bucket("${name}"`));
    return { line, character: lines[line].indexOf('new ') };
}

/** The program after the edits. */
function apply(changes: PropertyChange[], name: string): string | undefined {
    const edits = remediationCodeEdits(PROGRAM, '/work/site/index.ts', at(name), changes);
    if (!edits) return undefined;
    return TextDocument.applyEdits(TextDocument.create('file:///work/site/index.ts', 'typescript', 1, PROGRAM), edits);
}

describe('Fix in code: literal edits for a remediation', () => {
    it('edits a string literal of the resource at the source position, and only that one', () => {
        const fixed = apply([{ path: 'acl', before: 'public-read', after: 'private' }], 'site')!;
        assert.match(fixed, /Bucket\("site", \{\n {4}acl: "private",/);
        assert.match(fixed, /Bucket\("data", \{ \.\.\.defaults, acl: "public-read" \}\)/, 'the other bucket is left alone');
        assert.equal(fixed.split('\n').length, PROGRAM.split('\n').length);
    });

    it('edits nested object paths, array elements, numbers, booleans and quoted keys, keeping the quotes the program used', () => {
        const before = { versioning: { enabled: false, mfaDelete: false }, forceDestroy: true, lifecycleRules: [{ enabled: true, expiration: { days: 7 } }], tags: { 'cost-center': 'web', Owner: 'ops' } };
        const after = { versioning: { enabled: true, mfaDelete: false }, forceDestroy: false, lifecycleRules: [{ enabled: true, expiration: { days: 30 } }], tags: { 'cost-center': "it's", Owner: 'sec`${x}' } };
        const changes = propertyChanges(before, after);
        assert.deepEqual(changes.map((c) => c.path), ['versioning.enabled', 'forceDestroy', 'lifecycleRules[0].expiration.days', 'tags.cost-center', 'tags.Owner']);
        const fixed = apply(changes, 'site')!;
        assert.match(fixed, /versioning: \{ enabled: true, mfaDelete: false \},/);
        assert.match(fixed, /forceDestroy: false,/);
        assert.match(fixed, /expiration: \{ days: 30 \}/);
        assert.match(fixed, /"cost-center": 'it\\'s'/);
        assert.match(fixed, /Owner: `sec\\`\\\$\{x\}`/);
    });

    it('offers nothing when the property is a variable, spread over, a template with substitutions, missing, or no longer the old value', () => {
        assert.equal(apply([{ path: 'acl', before: 'public-read', after: 'private' }], 'logs'), undefined, 'shorthand `acl` is a variable');
        assert.equal(apply([{ path: 'acl', before: 'public-read', after: 'private' }], 'named'), undefined, 'a template with a substitution');
        // a spread before the literal cannot override it: the literal is edited
        assert.ok(apply([{ path: 'acl', before: 'public-read', after: 'private' }], 'data'));
        assert.equal(apply([{ path: 'versioning.enabled', before: false, after: true }, { path: 'acl', before: 'public-read', after: 'private' }], 'logs'), undefined, 'all changes or none');
        assert.equal(apply([{ path: 'acl', before: 'private', after: 'public-read' }], 'site'), undefined, 'the program says another value');
        assert.equal(apply([{ path: 'serverSideEncryption', after: 'AES256' }], 'site'), undefined, 'an added property has no literal to edit');
        assert.equal(apply([{ path: 'versioning', before: { enabled: false }, after: { enabled: true } }], 'site'), undefined, 'objects are not literals');
        assert.equal(remediationCodeEdits(PROGRAM, 'index.ts', { line: 400, character: 0 }, [{ path: 'acl', before: 'public-read', after: 'private' }]), undefined);
    });

    it('finds the constructor call when the position is on the line before it or inside it', () => {
        const inside = { line: at('site').line + 1, character: 4 };
        const edits = remediationCodeEdits(PROGRAM, 'index.ts', inside, [{ path: 'acl', before: 'public-read', after: 'private' }]);
        assert.deepEqual(edits, [{ range: { start: { line: inside.line, character: 9 }, end: { line: inside.line, character: 22 } }, newText: '"private"' }]);
        const lineBefore = { line: at('site').line - 1, character: 0 };
        assert.deepEqual(remediationCodeEdits(PROGRAM, 'index.ts', lineBefore, [{ path: 'acl', before: 'public-read', after: 'private' }]), edits);
    });

    it('reads Pulumi property paths back', () => {
        assert.deepEqual(pathSegments('a.b[0]["x.y"].c'), ['a', 'b', 0, 'x.y', 'c']);
        assert.equal(pathSegments('a..b'), undefined);
        assert.equal(pathSegments(''), undefined);
    });
});
