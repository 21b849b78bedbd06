/**
 * The types a pack validates, read from its source: classes mapped to their tokens through the
 * provider package installed for the pack (its text, not its code), literal comparisons with
 * `.type`, and what the configured accounts discover.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { discoverableTypes } from '../../../server/src/accounts/discoverableTypes';
import { parsePackSource } from '../../../server/src/packs/packSyntax';
import { undiscoveredTypeDiagnostics, validatedTypes } from '../../../server/src/packs/validatedTypes';
import type { Account } from '../../../server/src/shared/model';
import { fixture, messageOf } from './packTestSupport';

const packDir = fixture('validated-types');

function docOf(text: string, file = path.join(packDir, 'index.ts')): TextDocument {
    return TextDocument.create(pathToFileURL(file).href, 'typescript', 1, text);
}

function found(text: string): { policy?: string; written: string; type?: string; unknownBecause?: string }[] {
    return validatedTypes(parsePackSource(docOf(text)), packDir).map(({ policy, written, type, unknownBecause }) => ({ policy, written, type, unknownBecause }));
}

function account(name: string, provider: Account['provider'], settings: Account['settings'] = {}): Account {
    return { name, provider, settings, children: [], scanSchedule: 'none', createdAt: '2026-01-01T00:00:00Z' };
}

describe('validatedTypes', () => {
    it('maps validateResourceOfType classes to their tokens through @pulumi/aws, and reads literal comparisons', () => {
        assert.deepEqual(found(readFileSync(path.join(packDir, 'index.ts'), 'utf8')), [
            { policy: 's3-no-public-read', written: 'aws.s3.Bucket', type: 'aws:s3/bucket:Bucket', unknownBecause: undefined },
            { policy: 'sagemaker-domain-vpc-only', written: 'aws.sagemaker.Domain', type: 'aws:sagemaker/domain:Domain', unknownBecause: undefined },
            { policy: 'instances-and-notebooks-tagged', written: 'aws:ec2/instance:Instance', type: 'aws:ec2/instance:Instance', unknownBecause: undefined },
            {
                policy: 'instances-and-notebooks-tagged', written: 'aws:sagemaker/notebookInstance:NotebookInstance',
                type: 'aws:sagemaker/notebookInstance:NotebookInstance', unknownBecause: undefined,
            },
        ]);
    });

    it('follows the ways packs import providers: named imports, require, compiled JS, a class imported from a submodule', () => {
        const text = [
            'const { s3 } = require("@pulumi/aws");',
            'const aws = __importStar(require("@pulumi/aws"));',
            'import { Bucket as B } from "@pulumi/aws/s3";',
            'import * as policy from "@pulumi/policy";',
            'policy.validateStackResourcesOfType(s3.BucketPolicy, () => {});',
            '(0, policy.validateResourceOfType)(aws.ec2.SecurityGroup, () => {});',
            'policy.validateResourceOfType(B, () => {});',
            'switch (r.type) { case "aws:iam/role:Role": break; case "not a token": break; }',
            'if (name === "aws:s3/bucket:Bucket") {}',
        ].join('\n');
        assert.deepEqual(found(text).map((t) => `${t.written} -> ${t.type}`), [
            's3.BucketPolicy -> aws:s3/bucketPolicy:BucketPolicy',
            'aws.ec2.SecurityGroup -> aws:ec2/securityGroup:SecurityGroup',
            'B -> aws:s3/bucket:Bucket',
            'aws:iam/role:Role -> aws:iam/role:Role',
        ]);
    });

    it('says unknown, naming the package and the pack, when the provider is not installed for the pack', () => {
        const [k8s] = found('import * as k8s from "@pulumi/kubernetes";\nvalidateResourceOfType(k8s.core.v1.Service, () => {});');
        assert.equal(k8s.type, undefined);
        assert.equal(k8s.unknownBecause, `@pulumi/kubernetes is not installed for the pack in ${packDir} (run npm install there)`);
        const [missing] = found('import * as aws from "@pulumi/aws";\nvalidateResourceOfType(aws.s3.NoSuchThing, () => {});');
        assert.match(missing.unknownBecause ?? '', /^no class NoSuchThing with a __pulumiType in .*s3$/);
    });
});

describe('discoverableTypes', () => {
    it('AWS accounts discover the Classic types, aws-native only with --all-types, clusters their kinds, stacks anything', () => {
        const aws = discoverableTypes([account('a', 'aws')]);
        assert.equal(aws.covers('aws:s3/bucket:Bucket'), true);
        assert.equal(aws.covers('aws:sagemaker/domain:Domain'), false);
        assert.equal(aws.covers('aws-native:sagemaker:Domain'), false);
        assert.equal(aws.covers('kubernetes:core/v1:Service'), false);
        assert.equal(aws.summary, 'AWS accounts read 66 types');
        const allTypes = discoverableTypes([account('a', 'aws', { allTypes: true }), account('k', 'kubernetes')]);
        assert.equal(allTypes.covers('aws-native:sagemaker:Domain'), true);
        assert.equal(allTypes.covers('kubernetes:core/v1:Service'), true);
        assert.equal(allTypes.covers('kubernetes:apps/v1:ReplicaSet'), false);
        assert.equal(allTypes.summary, 'AWS accounts read 66 types and aws-native types through Cloud Control, Kubernetes clusters read 19 kinds');
        assert.equal(discoverableTypes([account('s', 'pulumi-stack')]).covers('anything:at/all:Really'), true);
    });
});

describe('undiscoveredTypeDiagnostics', () => {
    it('warns on each reference to a type no account discovers, at the call or comparison, and notes unknown ones', () => {
        const text = readFileSync(path.join(packDir, 'index.ts'), 'utf8')
            .replace('import * as aws', 'import * as k8s from "@pulumi/kubernetes";\nimport * as aws')
            .replace('validateResourceOfType(aws.s3.Bucket', 'validateResourceOfType(k8s.core.v1.Service');
        const doc = docOf(text);
        const diagnostics = undiscoveredTypeDiagnostics(doc, packDir, discoverableTypes([account('a', 'aws')]));
        assert.deepEqual(diagnostics.map((d) => `${d.range.start.line + 1}:${d.range.start.character + 1} ${d.severity} ${String(d.code)} ${messageOf(d)}`), [
            `11:31 3 unknown-validated-type policy "s3-no-public-read" validates k8s.core.v1.Service, whose type token is unknown (@pulumi/kubernetes is not installed for the pack in ${packDir} (run npm install there)): not checked against the accounts.`,
            '19:31 2 undiscovered-type policy "sagemaker-domain-vpc-only" validates aws:sagemaker/domain:Domain, which no account here discovers (AWS accounts read 66 types: see `account coverage`).',
            '28:66 2 undiscovered-type policy "instances-and-notebooks-tagged" validates aws:sagemaker/notebookInstance:NotebookInstance, which no account here discovers (AWS accounts read 66 types: see `account coverage`).',
        ]);
        assert.equal(doc.getText(diagnostics[1].range).startsWith('validateResourceOfType(aws.sagemaker.Domain'), true);
    });
});
