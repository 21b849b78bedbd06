/**
 * The environment a pack host starts with: the engine's stack context, and never what unlocks
 * a state's secrets (the pack is third-party code; it gets decrypted values only per resource,
 * as the engine sends them).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { contextEnv, packProcessEnv } from '../../../server/src/packs/runner/packRuntimeEnv';

describe('pack process environment', () => {
    const parent = {
        PATH: '/usr/bin',
        PULUMI_CONFIG_PASSPHRASE: 'correct horse battery staple',
        PULUMI_CONFIG_PASSPHRASE_FILE: '/home/me/.pulumi-passphrase',
        PULUMI_STACK: 'stale-from-the-parent',
        PULUMI_CONFIG: '{"stale:key":"x"}',
    };

    it('drops the passphrase and its file, with or without a stack context', () => {
        for (const context of [undefined, { project: 'shop', stack: 'prod', config: { 'shop:size': 'large' } }]) {
            const env = packProcessEnv(context, parent);
            assert.equal(env.PULUMI_CONFIG_PASSPHRASE, undefined);
            assert.equal(env.PULUMI_CONFIG_PASSPHRASE_FILE, undefined);
            assert.equal(env.PATH, '/usr/bin');
        }
    });

    it("replaces the parent's own stack context with the analyzed stack's, as constructEnv builds it", () => {
        const env = packProcessEnv({ project: 'shop', stack: 'prod', config: { 'shop:size': 'large' } }, parent);
        assert.equal(env.PULUMI_STACK, 'prod');
        assert.equal(env.PULUMI_NODEJS_STACK, 'prod');
        assert.equal(env.PULUMI_CONFIG, '{"shop:size":"large"}');
        assert.equal(env.PULUMI_DRY_RUN, 'false');
        assert.equal(packProcessEnv(undefined, parent).PULUMI_STACK, undefined);
        assert.deepEqual(contextEnv(undefined), {});
    });
});
