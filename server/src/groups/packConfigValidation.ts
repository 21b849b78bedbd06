/**
 * Checks a group's pack config (policy name or "all" -> level, or {enforcementLevel, ...props})
 * against one pack version: known policies, valid levels, and each policy's properties
 * against its configSchema (JSON Schema, with ajv). Every error names its JSON path into
 * the config the user wrote, so `policy validate-config` can point at the offending value.
 */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { ENFORCEMENT_LEVELS, type PolicyInfo, type PolicyPackVersion } from '../shared/model';
import { editDistance, rankByCloseness } from '../packs/closestValue';
import type { ConfigError } from './groupErrors';

const ajv = new Ajv({ allErrors: true, strict: false });
const compiled = new WeakMap<object, ValidateFunction>();

/** `$.name` when `name` is an identifier, else `$["name"]`. */
export function jsonPath(parts: (string | number)[]): string {
    let path = '$';
    for (const part of parts) {
        if (typeof part === 'number') path += `[${part}]`;
        else if (/^[A-Za-z_$][\w$]*$/.test(part)) path += `.${part}`;
        else path += `[${JSON.stringify(part)}]`;
    }
    return path;
}

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function schemaValidator(policy: PolicyInfo): ValidateFunction {
    const key = policy.configSchema!;
    let validate = compiled.get(key);
    if (!validate) {
        const schema = { type: 'object', properties: key.properties ?? {}, ...(key.required?.length ? { required: key.required } : {}) };
        validate = ajv.compile(schema);
        compiled.set(key, validate);
    }
    return validate;
}

/** Splits an ajv instancePath (`/allowed/0`) into path parts. */
function instanceParts(error: ErrorObject): (string | number)[] {
    if (!error.instancePath) return [];
    return error.instancePath
        .slice(1)
        .split('/')
        .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
        .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

function schemaMessage(error: ErrorObject): string {
    if (error.keyword === 'required') return `missing required property "${(error.params as { missingProperty: string }).missingProperty}"`;
    if (error.keyword === 'enum') return `${error.message}: ${((error.params as { allowedValues: unknown[] }).allowedValues ?? []).map((v) => JSON.stringify(v)).join(', ')}`;
    if (error.keyword === 'additionalProperties') return `unknown property "${(error.params as { additionalProperty: string }).additionalProperty}"`;
    return error.message ?? 'is invalid';
}

function levelError(path: (string | number)[], value: unknown): ConfigError {
    return { path: jsonPath(path), message: `${JSON.stringify(value)} is not an enforcement level (${ENFORCEMENT_LEVELS.join(', ')})` };
}

/**
 * Every problem of `config` for `pack`, in the config's order; empty when it is valid.
 * Properties are checked together with the schema defaults, as the engine checks them, so
 * a required property with a default need not be given.
 */
export function validatePackConfig(pack: PolicyPackVersion, config: unknown): ConfigError[] {
    if (config === undefined || config === null) config = {};
    if (!isRecord(config)) return [{ path: '$', message: `the config must be a JSON object of policy name (or "all") -> level or {enforcementLevel, ...properties}, not ${Array.isArray(config) ? 'an array' : typeof config}` }];
    const errors: ConfigError[] = [];
    const byName = new Map(pack.policies.map((p) => [p.name, p]));
    const given = new Map<string, Record<string, unknown>>();
    for (const [key, value] of Object.entries(config)) {
        const policy = byName.get(key);
        if (key !== 'all' && !policy) {
            const [best] = rankByCloseness(key, [...byName.keys()]);
            const near = best !== undefined && editDistance(key.toLowerCase(), best.toLowerCase()) <= Math.max(2, key.length / 3) ? best : undefined;
            errors.push({ path: jsonPath([key]), message: `policy pack ${pack.name}@${pack.versionTag} has no policy "${key}"${near ? `; did you mean "${near}"?` : ''} (its policies: ${[...byName.keys()].join(', ')})` });
            continue;
        }
        if (typeof value === 'string') {
            if (!(ENFORCEMENT_LEVELS as readonly string[]).includes(value)) errors.push(levelError([key], value));
            continue;
        }
        if (!isRecord(value)) {
            errors.push({ path: jsonPath([key]), message: `must be an enforcement level (${ENFORCEMENT_LEVELS.join(', ')}) or an object, not ${JSON.stringify(value)}` });
            continue;
        }
        const { enforcementLevel, ...properties } = value;
        if (enforcementLevel !== undefined && !(ENFORCEMENT_LEVELS as readonly string[]).includes(enforcementLevel as string)) {
            errors.push(levelError([key, 'enforcementLevel'], enforcementLevel));
        }
        if (key === 'all') {
            for (const prop of Object.keys(properties)) {
                errors.push({ path: jsonPath([key, prop]), message: `"all" sets only an enforcement level for the whole pack; put "${prop}" under the policy it configures` });
            }
            continue;
        }
        if (!policy!.configSchema && Object.keys(properties).length) {
            for (const prop of Object.keys(properties)) errors.push({ path: jsonPath([key, prop]), message: `policy "${key}" takes no configuration properties` });
            continue;
        }
        given.set(key, properties);
    }
    for (const policy of pack.policies) {
        if (!policy.configSchema) continue;
        const properties: Record<string, unknown> = {};
        for (const [prop, schema] of Object.entries(policy.configSchema.properties ?? {})) {
            if (isRecord(schema) && 'default' in schema) properties[prop] = schema.default;
        }
        Object.assign(properties, given.get(policy.name) ?? {});
        const validate = schemaValidator(policy);
        if (validate(properties)) continue;
        for (const error of validate.errors ?? []) {
            errors.push({ path: jsonPath([policy.name, ...instanceParts(error)]), message: schemaMessage(error) });
        }
    }
    return errors;
}
