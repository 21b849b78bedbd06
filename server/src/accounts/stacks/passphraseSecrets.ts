/**
 * Pulumi's `passphrase` secrets provider, which can be opened offline: the key is
 * PBKDF2-SHA256 (1,000,000 iterations, 32 bytes) of the passphrase over the salt in the
 * provider's state, values are AES-256-GCM as `v1:<b64 nonce>:<b64 ciphertext+tag>`, and the
 * state `v1:<b64 salt>:v1:<b64 nonce>:<b64 ct>` carries the word "pulumi" encrypted with the
 * key so a wrong passphrase is told apart from a damaged value (pulumi/pulumi
 * pkg/secrets/passphrase/manager.go, sdk/go/common/resource/config/crypt.go).
 */
import { createCipheriv, createDecipheriv, createHash, pbkdf2, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';

const pbkdf2Async = promisify(pbkdf2);
const ITERATIONS = 1_000_000;
const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
/** What the state's test value decrypts to with the right passphrase. */
const CHECK_PHRASE = 'pulumi';

export const PASSPHRASE_ENV = 'PULUMI_CONFIG_PASSPHRASE';
export const PASSPHRASE_FILE_ENV = 'PULUMI_CONFIG_PASSPHRASE_FILE';

/** Why a passphrase crypter could not be opened; the message says what to do. */
export class PassphraseError extends Error {
    constructor(
        readonly reason: 'no-passphrase' | 'wrong-passphrase' | 'bad-state' | 'unreadable-passphrase-file',
        message: string,
    ) {
        super(message);
        this.name = 'PassphraseError';
    }
}

/** Encrypts and decrypts single values with one derived key. */
export interface PassphraseCrypter {
    decrypt(value: string): string;
    encrypt(plaintext: string): string;
}

/**
 * The passphrase as Pulumi finds it: PULUMI_CONFIG_PASSPHRASE, else the contents of the file
 * PULUMI_CONFIG_PASSPHRASE_FILE names (trailing newline dropped, as an editor leaves one), else
 * undefined. An empty PULUMI_CONFIG_PASSPHRASE is a passphrase (Pulumi allows it).
 */
export async function passphraseFromEnv(env: NodeJS.ProcessEnv): Promise<string | undefined> {
    if (env[PASSPHRASE_ENV] !== undefined) return env[PASSPHRASE_ENV];
    const file = env[PASSPHRASE_FILE_ENV];
    if (!file) return undefined;
    try {
        return (await readFile(file, 'utf8')).replace(/\r?\n$/, '');
    } catch (error) {
        throw new PassphraseError('unreadable-passphrase-file', `${PASSPHRASE_FILE_ENV} names ${file}, which cannot be read: ${(error as Error).message}`);
    }
}

function aesKeyCrypter(key: Buffer): PassphraseCrypter {
    return {
        decrypt(value) {
            const parts = value.split(':');
            if (parts.length !== 3 || parts[0] !== 'v1') throw new Error('not a v1 passphrase-encrypted value');
            const nonce = Buffer.from(parts[1], 'base64');
            const sealed = Buffer.from(parts[2], 'base64');
            if (nonce.length !== NONCE_BYTES || sealed.length < TAG_BYTES) throw new Error('malformed passphrase-encrypted value');
            // Go's GCM Seal appends the 16-byte tag to the ciphertext
            const decipher = createDecipheriv('aes-256-gcm', key, nonce);
            decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
            return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)), decipher.final()]).toString('utf8');
        },
        encrypt(plaintext) {
            const nonce = randomBytes(NONCE_BYTES);
            const cipher = createCipheriv('aes-256-gcm', key, nonce);
            const sealed = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
            return `v1:${nonce.toString('base64')}:${sealed.toString('base64')}`;
        },
    };
}

// Deriving a key costs about a second of CPU: one derivation per passphrase and salt per process.
const derivedKeys = new Map<string, Promise<Buffer>>();

function deriveKey(passphrase: string, salt: Buffer): Promise<Buffer> {
    const id = createHash('sha256').update(passphrase).update('\0').update(salt).digest('hex');
    let key = derivedKeys.get(id);
    if (!key) {
        key = pbkdf2Async(passphrase, salt, ITERATIONS, KEY_BYTES, 'sha256');
        derivedKeys.set(id, key);
    }
    return key;
}

/**
 * Opens the crypter of a passphrase provider state (`v1:<b64 salt>:<test value>`).
 * @throws PassphraseError 'bad-state' when the state is malformed, 'wrong-passphrase' when its test value does not decrypt to "pulumi"
 */
export async function openPassphraseCrypter(passphrase: string, state: string): Promise<PassphraseCrypter> {
    const first = state.indexOf(':');
    const second = state.indexOf(':', first + 1);
    if (first < 0 || second < 0 || state.slice(0, first) !== 'v1') {
        throw new PassphraseError('bad-state', `the passphrase salt "${state}" is not of the form v1:<salt>:<test value>`);
    }
    const crypter = aesKeyCrypter(await deriveKey(passphrase, Buffer.from(state.slice(first + 1, second), 'base64')));
    let check: string | undefined;
    try {
        check = crypter.decrypt(state.slice(second + 1));
    } catch {
        // an authentication failure is what a wrong passphrase looks like
    }
    if (check !== CHECK_PHRASE) throw new PassphraseError('wrong-passphrase', 'incorrect passphrase: the salt\'s test value does not decrypt to "pulumi"');
    return crypter;
}

/**
 * A new passphrase provider state and its crypter, as `pulumi stack init --secrets-provider
 * passphrase` makes them (8 random salt bytes); used to write encrypted states and configs.
 */
export async function newPassphraseState(passphrase: string): Promise<{ state: string; crypter: PassphraseCrypter }> {
    const salt = randomBytes(8);
    const crypter = aesKeyCrypter(await deriveKey(passphrase, salt));
    return { state: `v1:${salt.toString('base64')}:${crypter.encrypt(CHECK_PHRASE)}`, crypter };
}
