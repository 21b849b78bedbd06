/**
 * Pack config outside the CLI: the published-version check that `validate-config`, Validate
 * Config File… and Configure Policy… share (groups/publishedPackConfig.ts), and the form's
 * typed steps (client/src/commands/policyConfigForm.ts) whose answers must make a config that
 * check accepts, and whose wrong answers it refuses at the property's own path.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { configWithProperties, currentProperties, initialText, parseAnswer, propertySteps, type PropertyStep } from '../../../client/src/commands/policyConfigForm';
import { checkPublishedConfig, errorsAtProperty, GroupError, publishedVersion, readPackConfigFile } from '../../../server/src/groups';
import type { PolicyPackVersion } from '../../../server/src/shared/model';
import type { Catalog } from '../../../server/src/store';
import { tempDir } from '../accounts/accountsTestSupport';

const schema = {
    properties: {
        maxSize: { type: 'integer', minimum: 1, default: 10, description: 'Largest allowed size' },
        strict: { type: 'boolean' },
        mode: { enum: ['warn', 'block'], default: 'warn' },
        owner: { type: 'string', minLength: 2 },
        allowed: { type: 'array', items: { type: 'string' }, minItems: 1 },
    },
    required: ['owner'],
};

const version = (versionTag: string, n: number): PolicyPackVersion => ({
    name: 'sizes',
    version: n,
    versionTag,
    publishedAt: `2026-01-0${n}T00:00:00.000Z`,
    digest: `sha256-${n}`,
    policies: [
        { name: 'max-size', description: 'Caps sizes', enforcementLevel: 'mandatory', policyType: 'resource', configSchema: schema },
        { name: 'no-config', description: 'Takes none', enforcementLevel: 'advisory', policyType: 'resource' },
    ],
});

// listPacks order: newest version first within a pack
const catalog = { packs: [version('2.0.0', 2), version('1.0.0', 1)], groups: [], accounts: [] } as unknown as Catalog;

function step(property: string, current: Record<string, unknown> = {}): PropertyStep {
    return propertySteps({ configSchema: schema }, current).find((s) => s.property === property)!;
}

describe('pack config against a published version (validate-config, Validate Config File, Configure Policy)', () => {
    it('resolves latest and tags, and names the versions there are when one is missing', () => {
        assert.equal(publishedVersion(catalog, 'sizes', 'latest').versionTag, '2.0.0');
        assert.equal(publishedVersion(catalog, 'sizes', '1.0.0').version, 1);
        assert.throws(() => publishedVersion(catalog, 'sizes', '3.0.0'), (e: unknown) => e instanceof GroupError && e.code === 'not-found' && /versions: 2\.0\.0, 1\.0\.0, or latest/.test(e.message));
        assert.throws(() => publishedVersion(catalog, 'other', 'latest'), /No policy pack "other" is published/);
    });

    it('checks with validate-config\u2019s rules, each error at its JSON path; errorsAtProperty keeps one property\u2019s', () => {
        const { version: checked, errors } = checkPublishedConfig(catalog, 'sizes', 'latest', { 'max-size': { maxSize: 0, allowed: [] }, 'no-config': { x: 1 } });
        assert.equal(checked.versionTag, '2.0.0');
        assert.deepEqual(
            errors.map((e) => e.path).sort(),
            ['$["max-size"]', '$["max-size"].allowed', '$["max-size"].maxSize', '$["no-config"].x'].sort(),
        );
        assert.deepEqual(errorsAtProperty(errors, 'max-size', 'maxSize').map((e) => e.message), ['must be >= 1']);
        assert.deepEqual(errorsAtProperty(errors, 'max-size', 'owner').map((e) => e.message), ['missing required property "owner"']);
        assert.deepEqual(errorsAtProperty(errors, 'max-size', 'strict'), []);
    });

    it('reads config files as JSON, or YAML by extension, and says which file is broken', async () => {
        const { dir, cleanup } = await tempDir('pi-config-file-');
        try {
            await writeFile(join(dir, 'c.yaml'), 'max-size:\n  owner: ops\n  maxSize: 3\n');
            assert.deepEqual(await readPackConfigFile(join(dir, 'c.yaml')), { 'max-size': { owner: 'ops', maxSize: 3 } });
            await writeFile(join(dir, 'bad.json'), '{ "max-size": ');
            await assert.rejects(readPackConfigFile(join(dir, 'bad.json')), (e: unknown) => e instanceof GroupError && e.code === 'invalid' && e.message.includes('bad.json is not valid JSON'));
            await assert.rejects(readPackConfigFile(join(dir, 'none.json')), /cannot read the config file .*none\.json/);
        } finally {
            await cleanup();
        }
    });
});

describe('the Configure Policy form', () => {
    it('asks each property by its schema type, starting from the binding\u2019s value or the default', () => {
        const steps = propertySteps({ configSchema: schema }, { owner: 'ops' });
        assert.deepEqual(
            steps.map((s) => [s.property, s.kind, s.current, s.required]),
            [
                ['maxSize', 'number', 10, false],
                ['strict', 'boolean', undefined, false],
                ['mode', 'enum', 'warn', false],
                ['owner', 'string', 'ops', true],
                ['allowed', 'json', undefined, false],
            ],
        );
        assert.deepEqual((steps[2] as { values: unknown[] }).values, ['warn', 'block']);
        assert.equal(initialText(steps[0]), '10');
        assert.equal(initialText(steps[3]), 'ops');
        assert.equal(initialText(step('allowed', { allowed: ['a'] })), '["a"]');
    });

    it('turns typed text into values, and says when the text is no value of the type', () => {
        assert.deepEqual(parseAnswer(step('maxSize'), ' 7 '), { value: 7 });
        assert.deepEqual(parseAnswer(step('maxSize'), '7.5'), { problem: '"7.5" is not a whole number' });
        assert.deepEqual(parseAnswer(step('maxSize'), 'ten'), { problem: '"ten" is not a number' });
        assert.deepEqual(parseAnswer(step('owner'), ' ops'), { value: ' ops' });
        assert.deepEqual(parseAnswer(step('allowed'), '["a","b"]'), { value: ['a', 'b'] });
        assert.match((parseAnswer(step('allowed'), '[a]') as { problem: string }).problem, /not JSON: .*\["a", "b"\]/);
        assert.deepEqual(parseAnswer(step('maxSize'), ''), { value: undefined }, 'empty leaves it unset');
    });

    it('keeps the policy\u2019s level and the other policies\u2019 entries, and drops unset properties', () => {
        const before = { all: 'advisory' as const, 'max-size': 'mandatory' as const };
        assert.deepEqual(currentProperties(before, 'max-size'), {});
        const next = configWithProperties(before, 'max-size', { owner: 'ops', maxSize: 3, strict: undefined });
        assert.deepEqual(next, { all: 'advisory', 'max-size': { enforcementLevel: 'mandatory', owner: 'ops', maxSize: 3 } });
        assert.deepEqual(currentProperties(next, 'max-size'), { owner: 'ops', maxSize: 3 });
        assert.deepEqual(configWithProperties(next, 'max-size', {}), { all: 'advisory', 'max-size': 'mandatory' }, 'no properties: back to the level alone');
        assert.deepEqual(configWithProperties(undefined, 'max-size', { owner: 'x' }), { 'max-size': { owner: 'x' } });
    });

    it('answers make a config validate-config accepts; a wrong answer is refused at its own property', () => {
        const answers: Record<string, string | unknown> = {};
        for (const s of propertySteps({ configSchema: schema }, {})) {
            const text = { maxSize: '4', owner: 'ops', allowed: '["t2.micro"]' }[s.property];
            if (s.kind === 'boolean') answers[s.property] = true;
            else if (s.kind === 'enum') answers[s.property] = 'block';
            else answers[s.property] = (parseAnswer(s, text ?? '') as { value: unknown }).value;
        }
        const config = configWithProperties(undefined, 'max-size', answers);
        assert.deepEqual(config, { 'max-size': { maxSize: 4, strict: true, mode: 'block', owner: 'ops', allowed: ['t2.micro'] } });
        assert.deepEqual(checkPublishedConfig(catalog, 'sizes', 'latest', config).errors, []);
        const wrong = configWithProperties(config, 'max-size', { ...answers, owner: 'o' });
        assert.deepEqual(errorsAtProperty(checkPublishedConfig(catalog, 'sizes', 'latest', wrong).errors, 'max-size', 'owner').map((e) => e.path), ['$["max-size"].owner']);
    });
});
