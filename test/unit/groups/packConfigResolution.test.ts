/** Config reconciliation as the Pulumi engine does it before `Configure`. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolvePackConfig } from '../../../server/src/groups/packConfigResolution';
import { RunnerError, type PackInfo } from '../../../server/src/runner/runnerTypes';

const info: PackInfo = {
    name: 'p',
    version: '1.0.0',
    packDir: '/x',
    digest: 'd',
    policies: [
        { name: 'a', description: '', enforcementLevel: 'advisory', policyType: 'resource' },
        {
            name: 'b',
            description: '',
            enforcementLevel: 'mandatory',
            policyType: 'resource',
            configSchema: { properties: { limit: { type: 'number', default: 3 }, names: { type: 'array', items: { type: 'string' } } } },
        },
        { name: 'c', description: '', enforcementLevel: 'advisory', policyType: 'stack', configSchema: { properties: { need: { type: 'string' } }, required: ['need'] } },
    ],
    initialConfig: { c: { enforcementLevel: 'advisory', properties: { need: 'from-pack' } } },
};

describe('resolvePackConfig', () => {
    it('starts from each policy level, schema defaults and the pack initial config', () => {
        assert.deepEqual(resolvePackConfig(info, undefined), {
            a: { enforcementLevel: 'advisory' },
            b: { enforcementLevel: 'mandatory', properties: { limit: 3 } },
            c: { enforcementLevel: 'advisory', properties: { need: 'from-pack' } },
        });
    });

    it('"all" sets every level, then named policies override level and merge properties', () => {
        const config = resolvePackConfig(info, { all: 'disabled', b: { enforcementLevel: 'remediate', names: ['x'] }, c: { need: 'mine' } });
        assert.equal(config.a.enforcementLevel, 'disabled');
        assert.deepEqual(config.b, { enforcementLevel: 'remediate', properties: { limit: 3, names: ['x'] } });
        assert.deepEqual(config.c, { enforcementLevel: 'disabled', properties: { need: 'mine' } });
    });

    it('reports every schema violation with the policy name', () => {
        const bare: PackInfo = { ...info, initialConfig: undefined };
        assert.throws(
            () => resolvePackConfig(bare, { b: { limit: 'many' } }),
            (e: unknown) => e instanceof RunnerError && e.code === 'invalid-config' && /b: limit must be number/.test(e.message) && /c: must have required property 'need'/.test(e.message),
        );
    });

    it('rejects values that are neither a level nor an object', () => {
        assert.throws(() => resolvePackConfig(info, { a: 'strict' as never }), /config "a": "strict" is not an enforcement level/);
        assert.throws(() => resolvePackConfig(info, { a: 3 as never }), /must be an enforcement level or an object/);
        assert.throws(() => resolvePackConfig(info, { a: { enforcementLevel: 'loud' } as never }), /enforcementLevel "loud" is not one of/);
    });
});
