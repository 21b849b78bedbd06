/**
 * Secrets in Pulumi state and config (their forms: ../../pulumiSecretValues.ts).
 * What `pulumi policy analyze --file` does, done here: decrypt when the secrets provider can be
 * opened offline (passphrase), else analyze with every secret as the string "[secret]" and say
 * so once (pulumi/pulumi pkg/cmd/pulumi/policy/policy_analyze.go, BlindingProvider). Nothing
 * secret is ever stored: the store keeps "[secret]" in its place.
 */
import { deserializeSecrets, isSecret, REDACTED_SECRET } from '../../pulumiSecretValues';
import { openPassphraseCrypter, passphraseFromEnv, PassphraseError, PASSPHRASE_ENV, PASSPHRASE_FILE_ENV, type PassphraseCrypter } from './passphraseSecrets';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A secrets provider as a state (`deployment.secrets_providers`) or a stack config (`encryptionsalt`) names it. */
export interface SecretsProviderRef {
    type: string;
    /** The passphrase provider's salt state (`v1:<salt>:<test value>`). */
    passphraseState?: string;
}

/** From a deployment's `secrets_providers` member (`{type, state: {salt}}`). */
export function secretsProviderOfState(value: unknown): SecretsProviderRef | undefined {
    if (!isObject(value) || typeof value.type !== 'string') return undefined;
    const salt = isObject(value.state) && typeof value.state.salt === 'string' ? value.state.salt : undefined;
    return { type: value.type, ...(salt ? { passphraseState: salt } : {}) };
}

/**
 * Reads the secrets of one state or config file: `reveal` turns stored secrets into what the
 * engine sends (decrypted, or "[secret]" when they cannot be); `warning` says, once, why secrets
 * were redacted, and is undefined when none were.
 */
export interface SecretsReader {
    reveal<T>(value: T): T;
    /** Decrypts one `secure:` config value; "[secret]" when it cannot. */
    decryptConfigValue(ciphertext: string): string;
    warning(): string | undefined;
}

/** Why the provider cannot be opened offline, or its crypter. */
async function openCrypter(provider: SecretsProviderRef | undefined, env: NodeJS.ProcessEnv): Promise<{ crypter?: PassphraseCrypter; reason?: string }> {
    // Pulumi Cloud ("service") stacks name no provider in their config: their key is held by the service
    if (!provider) return { reason: 'its secrets are held by a provider that cannot be opened offline (the Pulumi Cloud service needs a login)' };
    if (provider.type !== 'passphrase') return { reason: `its "${provider.type}" secrets provider cannot be opened offline; export it with \`pulumi stack export --show-secrets\` to analyze the values` };
    if (!provider.passphraseState) return { reason: 'its passphrase secrets provider has no salt' };
    try {
        const passphrase = await passphraseFromEnv(env);
        if (passphrase === undefined) return { reason: `set ${PASSPHRASE_ENV} (or ${PASSPHRASE_FILE_ENV}) to the stack's passphrase to decrypt them` };
        return { crypter: await openPassphraseCrypter(passphrase, provider.passphraseState) };
    } catch (error) {
        if (!(error instanceof PassphraseError)) throw error;
        if (error.reason === 'wrong-passphrase') {
            const from = env[PASSPHRASE_ENV] !== undefined ? PASSPHRASE_ENV : `the file ${PASSPHRASE_FILE_ENV} names`;
            return { reason: `the passphrase in ${from} is not this stack's (incorrect passphrase)` };
        }
        return { reason: error.message };
    }
}

/**
 * Opens the secrets of `where` (a state or config file). The provider is only opened when a
 * secret is actually encrypted, so a state without secrets never needs a passphrase.
 */
export async function openSecrets(provider: SecretsProviderRef | undefined, where: string, env: NodeJS.ProcessEnv, hasCiphertext: boolean): Promise<SecretsReader> {
    const opened = hasCiphertext ? await openCrypter(provider, env) : {};
    let redacted = false;
    const failed = (): string => {
        redacted = true;
        return REDACTED_SECRET;
    };
    const decrypt = (ciphertext: string): string | undefined => {
        if (!opened.crypter) return undefined;
        try {
            return opened.crypter.decrypt(ciphertext);
        } catch {
            opened.reason ??= 'a secret does not decrypt with the stack\'s passphrase (damaged ciphertext)';
            return undefined;
        }
    };
    return {
        reveal: <T>(value: T) => deserializeSecrets(value, decrypt, failed),
        decryptConfigValue(ciphertext) {
            if (!opened.crypter) return failed();
            try {
                return opened.crypter.decrypt(ciphertext);
            } catch {
                opened.reason ??= 'a secure value does not decrypt with the stack\'s passphrase (damaged ciphertext)';
                return failed();
            }
        },
        warning: () => (redacted ? `could not decrypt secrets in ${where}: ${opened.reason ?? 'no secrets provider'}; analyzing with secret values redacted` : undefined),
    };
}

/** Whether a value holds an encrypted secret anywhere. */
export function hasCiphertext(value: unknown): boolean {
    if (Array.isArray(value)) return value.some(hasCiphertext);
    if (!isObject(value)) return false;
    if (isSecret(value)) return typeof value.ciphertext === 'string';
    return Object.values(value).some(hasCiphertext);
}
