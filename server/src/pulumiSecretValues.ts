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

/**
 * A state's value as the engine holds it once it has read the state (pulumi/pulumi deployment.go
 * `deserializeSecret`), which is what a policy pack receives: every secret in a state's form,
 * `{sig, plaintext}` or `{sig, ciphertext}`, becomes the wire form `{sig, value}` with its JSON
 * read. `decrypt` opens a top-level ciphertext; when it cannot (undefined) the value is
 * "[secret]", as `pulumi policy analyze --file` blinds it. A secret inside a secret's JSON was
 * written with NopEncrypter: its ciphertext is its plaintext JSON. JSON that does not parse is
 * "[secret]" too. `onRedacted` is told each time a value is replaced by "[secret]". Copies only
 * the objects and arrays that change: the runner calls it on every resource it sends.
 * The one reader of states' secrets: the stack import and `analyze --file` (with the stack's
 * passphrase) and the pack runner (without: a resource handed over with its secrets unread).
 */
export function deserializeSecrets<T>(value: T, decrypt: (ciphertext: string) => string | undefined, onRedacted?: () => void): T {
    const redacted = (): string => {
        onRedacted?.();
        return REDACTED_SECRET;
    };
    const parse = (text: string): unknown => {
        try {
            return JSON.parse(text);
        } catch {
            return redacted();
        }
    };
    const nopDecrypt = (ciphertext: string) => ciphertext;
    const deserialize = (v: unknown, open: (ciphertext: string) => string | undefined): unknown => {
        if (Array.isArray(v)) {
            let out: unknown[] | undefined;
            for (let i = 0; i < v.length; i++) {
                const item = deserialize(v[i], open);
                if (item !== v[i]) (out ??= v.slice())[i] = item;
            }
            return out ?? v;
        }
        if (!isObject(v)) return v;
        if (v[SIG_KEY] === SECRET_SIG) {
            if ('value' in v) {
                const inner = deserialize(v.value, nopDecrypt);
                return inner === v.value ? v : wireSecret(inner);
            }
            const text = typeof v.plaintext === 'string' ? v.plaintext : typeof v.ciphertext === 'string' ? open(v.ciphertext) : undefined;
            return wireSecret(text === undefined ? redacted() : deserialize(parse(text), nopDecrypt));
        }
        let out: Json | undefined;
        for (const key in v) {
            const item = deserialize(v[key], open);
            if (item !== v[key]) (out ??= { ...v })[key] = item;
        }
        return out ?? v;
    };
    return deserialize(value, decrypt) as T;
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
