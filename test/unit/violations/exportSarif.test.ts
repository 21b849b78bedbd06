/**
 * SARIF export: valid against the OASIS SARIF 2.1.0 JSON schema (vendored in
 * test/fixtures/sarif/), one rule per policy with severity, help and URL, one result per
 * violation with a physical location when the source position is known and a logical
 * location (the URN) always.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import Ajv, { type ValidateFunction } from 'ajv';
import type { PolicyPackVersion, SourcePosition, Violation } from '../../../server/src/shared/model';
import { Store } from '../../../server/src/store';
import { exportContextFor, exportContextOf, formatViolations } from '../../../server/src/violations/export';
import { syntheticViolations } from '../../support/syntheticViolations';
import { remediationRecord } from './remediationRecords';

const SCHEMA_FILE = 'test/fixtures/sarif/sarif-schema-2.1.0.json';

function findRepo(): string {
    for (const start of [__dirname, process.cwd()]) {
        for (let dir = resolve(start); ; dir = dirname(dir)) {
            if (existsSync(join(dir, SCHEMA_FILE))) return dir;
            if (dirname(dir) === dir) break;
        }
    }
    throw new Error(`${SCHEMA_FILE} not found above ${__dirname} or ${process.cwd()}`);
}

/**
 * The official schema is written in JSON Schema draft-04, which Ajv 8 does not load. It uses
 * none of the keywords whose meaning changed after draft-04 (exclusiveMinimum/Maximum as
 * booleans), so it validates the same under draft-07 once its draft-04 `id` is spelled `$id`.
 * Formats are checked for real: date-time, uri and uri-reference.
 */
function sarifValidator(): ValidateFunction {
    const schema = JSON.parse(readFileSync(join(findRepo(), SCHEMA_FILE), 'utf8'));
    assert.match(schema.title, /SARIF\) Version 2\.1\.0 JSON Schema/);
    assert.equal(JSON.stringify(schema).includes('exclusiveM'), false, 'draft-04-only keywords would need a draft-04 validator');
    schema.$id = schema.id;
    delete schema.id;
    delete schema.$schema;
    const ajv = new Ajv({ allErrors: true, strict: false });
    ajv.addFormat('date-time', (s: string) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.test(s) && !Number.isNaN(Date.parse(s)));
    ajv.addFormat('uri', (s: string) => {
        try {
            return /^[a-z][a-z0-9+.-]*:/i.test(s) && new URL(s).href.length > 0;
        } catch {
            return false;
        }
    });
    ajv.addFormat('uri-reference', (s: string) => {
        try {
            return new URL(s, 'http://base.invalid/').href.length > 0 && !/\s/.test(s);
        } catch {
            return false;
        }
    });
    return ajv.compile(schema);
}

const validate = sarifValidator();
function assertValidSarif(text: string): any {
    const log = JSON.parse(text);
    const ok = validate(log);
    assert.ok(ok, `not valid SARIF 2.1.0: ${JSON.stringify(validate.errors?.slice(0, 5), null, 2)}`);
    return log;
}

const NOW = new Date('2026-11-28T12:00:00Z');
const PACKS: PolicyPackVersion[] = [
    {
        name: 'aws-typescript',
        version: 2,
        versionTag: '0.2.0',
        publishedAt: NOW.toISOString(),
        digest: 'x',
        policies: [
            {
                name: 's3-no-public-read',
                displayName: 'No public S3 buckets',
                description: 'Prohibits setting the publicRead or publicReadWrite permission on AWS S3 buckets.',
                enforcementLevel: 'mandatory',
                severity: 'critical',
                policyType: 'resource',
                remediationSteps: 'Set the bucket acl to private.',
                url: 'https://www.pulumi.com/docs/iac/using-pulumi/crossguard/',
                tags: ['s3', 'security'],
            },
        ],
    },
    {
        name: 'aws-compliance',
        version: 7,
        versionTag: '1.4.0',
        publishedAt: NOW.toISOString(),
        digest: 'y',
        policies: [{ name: 'rds-storage-encrypted', description: 'RDS storage must be encrypted.', enforcementLevel: 'advisory', severity: 'high', policyType: 'resource', url: 'not a url' }],
    },
];

describe('SARIF export', () => {
    it('rejects a log that breaks the schema (the validator can fail)', () => {
        assert.equal(validate({ version: '2.1.0', runs: [{ tool: { driver: {} } }] }), false, 'a driver without a name');
        assert.equal(validate({ version: '2.0.0', runs: [] }), false, 'a wrong version');
        assert.equal(validate({ version: '2.1.0', runs: [{ tool: { driver: { name: 'x', informationUri: 'not a uri' } } }] }), false, 'a bad uri');
    });

    it('writes a valid log for thousands of violations: one rule per policy, one result per violation', () => {
        const { violations, resources } = syntheticViolations(2000, { seed: 4, now: NOW, withResources: true });
        const positions = new Map<string, SourcePosition>(resources.filter((r) => r.sourcePosition).map((r) => [r.urn, r.sourcePosition!]));
        const log = assertValidSarif(formatViolations(violations, 'sarif', exportContextOf(PACKS, positions, { now: NOW, toolVersion: '0.1.0' })));
        const run = log.runs[0];
        assert.equal(log.version, '2.1.0');
        assert.equal(run.tool.driver.name, 'Policy Insights');
        assert.equal(run.results.length, violations.length);
        const policies = new Set(violations.map((v) => `${v.policyPack}/${v.policyName}`));
        assert.deepEqual(new Set(run.tool.driver.rules.map((r: any) => r.id)), policies);
        for (const [i, result] of run.results.entries()) {
            const v = violations[i];
            assert.equal(run.tool.driver.rules[result.ruleIndex].id, result.ruleId);
            assert.equal(result.locations[0].logicalLocations[0].fullyQualifiedName, v.resourceURN);
            const position = positions.get(v.resourceURN);
            if (position) {
                assert.deepEqual(result.locations[0].physicalLocation, { artifactLocation: { uri: 'index.ts', uriBaseId: 'PROJECTROOT' }, region: { startLine: position.line, startColumn: 5 } });
            } else {
                assert.equal(result.locations[0].physicalLocation, undefined);
            }
        }
        assert.ok(run.results.some((r: any) => r.locations[0].physicalLocation), 'some results have a physical location');
        assert.ok(run.originalUriBaseIds.PROJECTROOT);
    });

    it('carries the policy: severity, help text, remediation and URL; the enforcement as the level', () => {
        const [v] = syntheticViolations(1, { seed: 1, now: NOW }).violations;
        const s3: Violation = { ...v, policyPack: 'aws-typescript', policyPackTag: '0.2.0', policyName: 's3-no-public-read', level: 'mandatory' };
        const rds: Violation = { ...v, id: 'other', policyPack: 'aws-compliance', policyPackTag: '1.4.0', policyName: 'rds-storage-encrypted', level: 'advisory' };
        const log = assertValidSarif(formatViolations([s3, rds], 'sarif', exportContextOf(PACKS, new Map(), { now: NOW })));
        const [s3Rule, rdsRule] = log.runs[0].tool.driver.rules;
        assert.equal(s3Rule.id, 'aws-typescript/s3-no-public-read');
        assert.equal(s3Rule.shortDescription.text, 'No public S3 buckets');
        assert.match(s3Rule.help.text, /Prohibits setting[\s\S]*Remediation: Set the bucket acl to private\./);
        assert.equal(s3Rule.helpUri, 'https://www.pulumi.com/docs/iac/using-pulumi/crossguard/');
        assert.equal(s3Rule.properties.severity, 'critical');
        assert.equal(s3Rule.properties['security-severity'], '9.5');
        assert.equal(s3Rule.defaultConfiguration.level, 'error');
        assert.equal(rdsRule.helpUri, undefined, 'free text in url is not written as a URI');
        assert.deepEqual(log.runs[0].results.map((r: any) => r.level), ['error', 'warning']);
    });

    it('carries a remediation record as a warning with its change', () => {
        const [v] = syntheticViolations(1, { seed: 4, now: NOW }).violations;
        const log = assertValidSarif(formatViolations([remediationRecord(v)], 'sarif', exportContextOf([], new Map(), { now: NOW })));
        const [result] = log.runs[0].results;
        assert.deepEqual([result.level, result.kind, result.message.text], ['warning', 'fail', 'Would change acl: public-read → private']);
        assert.equal(result.properties.enforcementLevel, 'remediate');
        assert.deepEqual(result.properties.remediation.changes, [{ path: 'acl', before: 'public-read', after: 'private' }]);
    });

    it('keeps hostile strings as data and marks suppressed and triaged-away violations', () => {
        const [v] = syntheticViolations(1, { seed: 2, now: NOW }).violations;
        const evil = '<img src=x onerror=alert(1)> "quoted" \u2028 \\ end';
        const rows: Violation[] = [
            { ...v, resourceName: evil, message: evil, status: 'open', suppression: { reason: 'risk accepted', until: '2027-01-01T00:00:00.000Z' } },
            { ...v, id: 'x2', status: 'by_design', suppression: undefined },
        ];
        const log = assertValidSarif(formatViolations(rows, 'sarif', exportContextOf([], new Map(), { now: NOW })));
        const [first, second] = log.runs[0].results;
        assert.equal(first.message.text, evil);
        assert.equal(first.locations[0].logicalLocations[0].name, evil);
        assert.equal(first.suppressions[0].kind, 'external');
        assert.match(first.suppressions[0].justification, /risk accepted/);
        assert.match(second.suppressions[0].justification, /by_design/);
    });

    it('exports rows from a store with their source positions and the published policies', async () => {
        const home = await mkdtemp(join(tmpdir(), 'pi-sarif-'));
        try {
            const store = await Store.open({ home });
            const { violations, resources } = syntheticViolations(300, { seed: 9, now: NOW, withResources: true });
            await store.updateCatalog((c) => {
                c.packs.push(...PACKS);
            });
            for (const account of new Set(violations.map((v) => v.entityId))) {
                await store.updateShard(account, (shard) => {
                    shard.violations.push(...violations.filter((v) => v.entityId === account));
                    shard.resources.push(...resources.filter((r) => r.account === account));
                });
            }
            const log = assertValidSarif(formatViolations(violations, 'sarif', await exportContextFor(store, violations, { now: NOW })));
            const stackResults = log.runs[0].results.filter((r: any) => r.properties.account === 'payments-stack');
            assert.ok(stackResults.length > 0 && stackResults.every((r: any) => r.locations[0].physicalLocation.region.startLine >= 10));
            const s3 = log.runs[0].tool.driver.rules.find((r: any) => r.id === 'aws-typescript/s3-no-public-read');
            assert.equal(s3.helpUri, PACKS[0].policies[0].url);
            await store.close();
        } finally {
            await rm(home, { recursive: true, force: true });
        }
    });
});
