/**
 * The environment a pack host starts with: the engine's stack context, and never what unlocks
 * a state's secrets (the pack is third-party code; it gets decrypted values only per resource,
 * as the engine sends them).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { contextEnv, packProcessEnv } from '../../../server/src/runner/packRuntimeEnv';

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

    it('keeps only what runs Node and reaches the network; credentials and tokens stay with the scanner unless granted', () => {
        const scanner = {
            PATH: '/usr/bin',
            HOME: '/home/me',
            LANG: 'C.UTF-8',
            LC_ALL: 'C.UTF-8',
            TZ: 'UTC',
            https_proxy: 'http://proxy:3128',
            NO_PROXY: 'localhost',
            NODE_EXTRA_CA_CERTS: '/etc/ca.pem',
            AWS_SECRET_ACCESS_KEY: 'aws-secret',
            AWS_PROFILE: 'prod',
            AZURE_CLIENT_SECRET: 'azure-secret',
            GOOGLE_APPLICATION_CREDENTIALS: '/home/me/gcp.json',
            GITHUB_TOKEN: 'ghp_x',
            PULUMI_ACCESS_TOKEN: 'pul-x',
            NODE_OPTIONS: '--require /tmp/hook.js',
            PULUMI_CONFIG_PASSPHRASE: 'pass',
        };
        const env = packProcessEnv({ project: 'shop', stack: 'prod' }, scanner);
        assert.deepEqual(Object.keys(env).sort(), [
            'HOME', 'LANG', 'LC_ALL', 'NODE_EXTRA_CA_CERTS', 'NO_PROXY', 'PATH',
            'PULUMI_DRY_RUN', 'PULUMI_NODEJS_DRY_RUN', 'PULUMI_NODEJS_PROJECT', 'PULUMI_NODEJS_STACK', 'PULUMI_PROJECT', 'PULUMI_STACK',
            'TZ', 'https_proxy',
        ]);
        const granted = packProcessEnv({ project: 'shop', stack: 'prod' }, scanner, true);
        assert.equal(granted.AWS_SECRET_ACCESS_KEY, 'aws-secret');
        assert.equal(granted.GITHUB_TOKEN, 'ghp_x');
        // a grant is the environment, not the state's secrets
        assert.equal(granted.PULUMI_CONFIG_PASSPHRASE, undefined);
    });
});
