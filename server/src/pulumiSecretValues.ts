/**
 * Pulumi's secret values, the one home of their vocabulary. A state holds a secret as
 * `{"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "ciphertext" | "plaintext": "<JSON of the value>"}`;
 * the engine sends it to a policy pack decrypted as `{<sig key>: <secret sig>, "value": <value>}`
 * (pulumi/pulumi sdk/go/common/resource/sig). Used by the stack import and `analyze --file`
 * (accounts/stacks), the pack runner and the remediation records; nothing secret is ever
 * stored or printed: "[secret]" stands in its place.
 */

/** The signature key of Pulumi's special values, and the signature that marks a secret. */
export const SIG_KEY = '4dabf18193072939515e22adb298388d';
export const SECRET_SIG = '1b47061264138c4ac30d75fd1eb44270';
/** What a secret is replaced by wherever it cannot or must not be shown. */
export const REDACTED_SECRET = '[secret]';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A secret in any of its forms (state: ciphertext/plaintext; engine wire form: value). */
export function isSecret(value: unknown): value is Json {
    return isObject(value) && value[SIG_KEY] === SECRET_SIG;
}

/** A secret in the engine's wire form, as policies receive it. */
export function wireSecret(value: unknown): Json {
    return { [SIG_KEY]: SECRET_SIG, value };
}

/** Maps every secret in a value (objects and arrays, at any depth), leaving the rest as it is. */
export function mapSecrets(value: unknown, replace: (secret: Json) => unknown): unknown {
    if (Array.isArray(value)) return value.map((v) => mapSecrets(v, replace));
    if (!isObject(value)) return value;
    if (isSecret(value)) return replace(value);
    const out: Json = {};
    for (const [k, v] of Object.entries(value)) out[k] = mapSecrets(v, replace);
    return out;
}

/** The value with every secret replaced by the plain string "[secret]": what is stored and printed. */
export function redactSecrets<T>(value: T): T {
    return mapSecrets(value, () => REDACTED_SECRET) as T;
}

/**
 * The value as `pulumi ... --json` serializes event properties without --show-secrets: each
 * secret kept as a secret whose ciphertext is "[secret]" (BlindingCrypter).
 */
export function blindSecrets<T>(value: T): T {
    return mapSecrets(value, () => ({ [SIG_KEY]: SECRET_SIG, ciphertext: REDACTED_SECRET })) as T;
}
