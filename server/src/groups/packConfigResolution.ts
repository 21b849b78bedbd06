/**
 * Turns user config into the per-policy config the Pulumi engine sends in `Configure`:
 * schema defaults first, then the pack's initial config, then the user's, each applying
 * "all" (enforcement level only) before the named policies; the result is validated
 * against each policy's config schema. Both the in-process path and the gRPC baseline
 * configure packs with this result, as the engine does, and a group's effective policies
 * (effectiveBindings.ts) are read from it: one resolution for what runs and what is shown.
 */
import Ajv from 'ajv';
import { ENFORCEMENT_LEVELS, type EnforcementLevel } from '../shared/model';
// Only the runner's records (a leaf module): this file is imported by the runner, never the reverse of that.
import { RunnerError, type PackInfo, type PolicyPackConfig, type ResolvedPolicyConfig } from '../runner/runnerTypes';

function isLevel(value: unknown): value is EnforcementLevel {
    return typeof value === 'string' && (ENFORCEMENT_LEVELS as readonly string[]).includes(value);
}

/** Parses one user entry (a level, or an object with an optional level and properties). */
export function normalizePolicyConfigValue(key: string, value: unknown): ResolvedPolicyConfig {
    if (typeof value === 'string') {
        if (!isLevel(value)) {
            throw new RunnerError('invalid-config', `config "${key}": "${value}" is not an enforcement level (${ENFORCEMENT_LEVELS.join(', ')})`);
        }
        return { enforcementLevel: value };
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        throw new RunnerError('invalid-config', `config "${key}": must be an enforcement level or an object, got ${JSON.stringify(value)}`);
    }
    const { enforcementLevel, ...properties } = value as Record<string, unknown>;
    if (enforcementLevel !== undefined && !isLevel(enforcementLevel)) {
        throw new RunnerError('invalid-config', `config "${key}": enforcementLevel ${JSON.stringify(enforcementLevel)} is not one of ${ENFORCEMENT_LEVELS.join(', ')}`);
    }
    const result: ResolvedPolicyConfig = {};
    if (enforcementLevel) result.enforcementLevel = enforcementLevel;
    if (Object.keys(properties).length > 0) result.properties = properties;
    return result;
}

function applyConfig(result: Map<string, ResolvedPolicyConfig>, config: Record<string, ResolvedPolicyConfig>): void {
    const all = config.all;
    if (all?.enforcementLevel) {
        for (const [name, entry] of result) result.set(name, { ...entry, enforcementLevel: all.enforcementLevel });
    }
    for (const [name, given] of Object.entries(config)) {
        const current = result.get(name) ?? {};
        const next: ResolvedPolicyConfig = { ...current };
        if (given.enforcementLevel) next.enforcementLevel = given.enforcementLevel;
        if (given.properties && Object.keys(given.properties).length > 0) {
            next.properties = { ...(current.properties ?? {}), ...given.properties };
        }
        result.set(name, next);
    }
}

const ajv = new Ajv({ allErrors: true, strict: false });

/**
 * The per-policy config to send to `Configure` for this pack.
 * @throws RunnerError 'invalid-config' listing every schema violation ("policy: message").
 */
export function resolvePackConfig(info: PackInfo, userConfig: PolicyPackConfig | undefined): Record<string, ResolvedPolicyConfig> {
    const result = new Map<string, ResolvedPolicyConfig>();
    for (const policy of info.policies) {
        const entry: ResolvedPolicyConfig = { enforcementLevel: policy.enforcementLevel };
        for (const [prop, schema] of Object.entries(policy.configSchema?.properties ?? {})) {
            if (schema && typeof schema === 'object' && 'default' in schema) {
                entry.properties = { ...(entry.properties ?? {}), [prop]: (schema as { default: unknown }).default };
            }
        }
        result.set(policy.name, entry);
    }
    if (info.initialConfig) applyConfig(result, info.initialConfig);
    if (userConfig) {
        const normalized: Record<string, ResolvedPolicyConfig> = {};
        for (const [key, value] of Object.entries(userConfig)) normalized[key] = normalizePolicyConfigValue(key, value);
        applyConfig(result, normalized);
    }
    const errors: string[] = [];
    for (const policy of info.policies) {
        if (!policy.configSchema) continue;
        const schema = { type: 'object', properties: policy.configSchema.properties ?? {}, ...(policy.configSchema.required?.length ? { required: policy.configSchema.required } : {}) };
        const validate = ajv.compile(schema);
        if (!validate(result.get(policy.name)?.properties ?? {})) {
            for (const e of validate.errors ?? []) errors.push(`${policy.name}: ${e.instancePath ? e.instancePath.slice(1) + ' ' : ''}${e.message}`);
        }
    }
    if (errors.length) {
        throw new RunnerError('invalid-config', `config for policy pack ${info.name}@${info.version} is invalid:\n  ${errors.join('\n  ')}`, { validationErrors: errors });
    }
    return Object.fromEntries(result);
}
