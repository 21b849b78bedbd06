/**
 * deserializeSecrets, the one reader of a state's secrets (the stack import's and `analyze
 * --file`'s `reveal`, and the runner's marshalling): what the engine makes of them when it reads
 * a state (pulumi/pulumi deployment.go deserializeSecret), checked on each form a state holds.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { deserializeSecrets, REDACTED_SECRET, SECRET_SIG, SIG_KEY, wireSecret } from '../../../server/src/pulumiSecretValues';
import { marshalledProperties } from '../../../server/src/runner/analyzerRequests';

const plaintext = (value: unknown) => ({ [SIG_KEY]: SECRET_SIG, plaintext: JSON.stringify(value) });
const ciphertext = (text: string) => ({ [SIG_KEY]: SECRET_SIG, ciphertext: text });
const cannotDecrypt = () => undefined;

describe('deserializeSecrets', () => {
    it('reads a plaintext secret into the wire form, at any depth, in objects and arrays', () => {
        const state = { db: { password: plaintext('hunter2'), hosts: [plaintext({ host: 'a', port: 5432 })] } };
        assert.deepEqual(deserializeSecrets(state, cannotDecrypt), {
            db: { password: wireSecret('hunter2'), hosts: [wireSecret({ host: 'a', port: 5432 })] },
        });
    });

    it('decrypts a top-level ciphertext with `decrypt`, and blinds it to "[secret]" when that cannot', () => {
        let redactions = 0;
        const secret = ciphertext('v1:abc');
        assert.deepEqual(deserializeSecrets(secret, (c) => (c === 'v1:abc' ? '"opened"' : undefined)), wireSecret('opened'));
        assert.deepEqual(deserializeSecrets(secret, cannotDecrypt, () => redactions++), wireSecret(REDACTED_SECRET));
        assert.equal(redactions, 1);
    });

    it('reads a secret nested in a secret as NopEncrypter wrote it: its ciphertext is its plaintext JSON', () => {
        const outer = plaintext({ user: 'admin', auth: ciphertext(JSON.stringify({ token: 'deep' })) });
        const decrypt = () => assert.fail('a nested secret is not decrypted');
        assert.deepEqual(deserializeSecrets(outer, decrypt), wireSecret({ user: 'admin', auth: wireSecret({ token: 'deep' }) }));
    });

    it('a secret whose JSON does not parse is "[secret]", and says so', () => {
        let redactions = 0;
        assert.deepEqual(deserializeSecrets({ [SIG_KEY]: SECRET_SIG, plaintext: '{not json' }, cannotDecrypt, () => redactions++), wireSecret(REDACTED_SECRET));
        assert.equal(redactions, 1);
    });

    it('keeps the wire form and returns the input itself when nothing changes, never writing to it', () => {
        const untouched = { a: [1, { b: wireSecret('x') }], c: 'plain' };
        assert.equal(deserializeSecrets(untouched, cannotDecrypt), untouched);
        const state = { keep: { deep: [1, 2] }, secret: plaintext('s') };
        const before = structuredClone(state);
        const read = deserializeSecrets(state, cannotDecrypt);
        assert.deepEqual(state, before);
        assert.equal(read.keep, state.keep, 'unchanged branches are shared, not copied');
    });

    it('is what the runner sends a pack: checkpoint secrets in wire form, an unreadable ciphertext as "[secret]"', () => {
        const properties = { password: plaintext('hunter2'), key: ciphertext('v1:zzz'), __internal: 1 };
        assert.deepEqual(marshalledProperties(properties, 'analyze'), { password: wireSecret('hunter2'), key: wireSecret(REDACTED_SECRET) });
        assert.deepEqual(marshalledProperties(properties, 'remediate'), { password: wireSecret('hunter2'), key: wireSecret(REDACTED_SECRET), __internal: 1 });
    });
});
