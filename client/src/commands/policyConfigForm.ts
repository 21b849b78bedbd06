/**
 * The "Configure Policy…" form without VS Code: one typed step per property of a policy's
 * `configSchema` (a pick for booleans and enums, an input box for numbers, strings and JSON
 * values), how a typed answer becomes a value, and the group config that results. The
 * dialogs (policyConfig.ts) only show these steps; whether a value is *valid* is asked of the
 * server, which checks with `policy validate-config`'s rules (groups/packConfigValidation.ts).
 *
 * Steps rather than a webview form: every other question the extension asks (levels, regions,
 * schedules) is a QuickPick/InputBox, a policy has a handful of properties, and each step's
 * validateInput shows the server's message for that property as the user types.
 */
import type { PolicyConfigValue, PolicyInfo } from '../../../server/src/shared/model';

interface StepBase {
    property: string;
    description?: string;
    /** The value the binding has now, else the schema's default, else undefined. */
    current: unknown;
    /** The schema's default, when it has one. */
    defaultValue?: unknown;
    required: boolean;
}

/** How a property is asked: by its schema's type. */
export type PropertyStep =
    | (StepBase & { kind: 'boolean' })
    | (StepBase & { kind: 'enum'; values: unknown[] })
    | (StepBase & { kind: 'number'; integer: boolean })
    | (StepBase & { kind: 'string' })
    /** Arrays, objects and schemas without one simple type: typed as JSON. */
    | (StepBase & { kind: 'json'; type?: string });

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The properties a binding sets for `policy` now (a level alone sets none). */
export function currentProperties(config: Record<string, PolicyConfigValue> | undefined, policy: string): Record<string, unknown> {
    const value = config?.[policy];
    if (!isRecord(value)) return {};
    const { enforcementLevel: _level, ...properties } = value;
    return properties;
}

/** One step per property of the policy's configSchema, in the schema's order. */
export function propertySteps(policy: Pick<PolicyInfo, 'configSchema'>, current: Record<string, unknown>): PropertyStep[] {
    const required = new Set(policy.configSchema?.required ?? []);
    return Object.entries(policy.configSchema?.properties ?? {}).map(([property, raw]) => {
        const schema = isRecord(raw) ? raw : {};
        const hasDefault = 'default' in schema;
        const base: StepBase = {
            property,
            ...(typeof schema.description === 'string' ? { description: schema.description } : {}),
            current: Object.hasOwn(current, property) ? current[property] : schema.default,
            ...(hasDefault ? { defaultValue: schema.default } : {}),
            required: required.has(property),
        };
        if (Array.isArray(schema.enum)) return { ...base, kind: 'enum', values: schema.enum };
        switch (schema.type) {
            case 'boolean':
                return { ...base, kind: 'boolean' };
            case 'integer':
            case 'number':
                return { ...base, kind: 'number', integer: schema.type === 'integer' };
            case 'string':
                return { ...base, kind: 'string' };
            default:
                return { ...base, kind: 'json', ...(typeof schema.type === 'string' ? { type: schema.type } : {}) };
        }
    });
}

/** What an input box starts with for a step: the current value as the user would type it. */
export function initialText(step: PropertyStep): string {
    if (step.current === undefined) return '';
    if (step.kind === 'string' && typeof step.current === 'string') return step.current;
    if (step.kind === 'number' && typeof step.current === 'number') return String(step.current);
    return JSON.stringify(step.current);
}

/** A typed answer: the value (undefined = leave the property unset, its default applies), or why the text is no value of that type. */
export type ParsedAnswer = { value: unknown } | { problem: string };

/** The value typed into an input box for `step`; an empty box leaves the property unset. */
export function parseAnswer(step: PropertyStep, text: string): ParsedAnswer {
    if (text.trim() === '') return { value: undefined };
    if (step.kind === 'string') return { value: text };
    if (step.kind === 'number') {
        const n = Number(text.trim());
        if (!Number.isFinite(n)) return { problem: `"${text}" is not a number` };
        if (step.integer && !Number.isInteger(n)) return { problem: `"${text}" is not a whole number` };
        return { value: n };
    }
    try {
        return { value: JSON.parse(text) as unknown };
    } catch {
        return { problem: `not JSON: write the value as JSON${step.kind === 'json' && step.type === 'array' ? ', e.g. ["a", "b"]' : ''}` };
    }
}

/**
 * The binding's config with `policy`'s properties replaced by `properties` (undefined ones
 * removed); the policy's level, and every other policy's entry, stay as they were.
 */
export function configWithProperties(
    config: Record<string, PolicyConfigValue> | undefined,
    policy: string,
    properties: Record<string, unknown>,
): Record<string, PolicyConfigValue> {
    const next: Record<string, PolicyConfigValue> = { ...(config ?? {}) };
    const previous = next[policy];
    const level = typeof previous === 'string' ? previous : isRecord(previous) ? previous.enforcementLevel : undefined;
    const set = Object.fromEntries(Object.entries(properties).filter(([, v]) => v !== undefined));
    if (!Object.keys(set).length) {
        if (level !== undefined) next[policy] = level;
        else delete next[policy];
        return next;
    }
    next[policy] = { ...(level !== undefined ? { enforcementLevel: level } : {}), ...set };
    return next;
}
