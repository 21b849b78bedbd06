// Fault injection: per service/operation/region rules that add latency, throttle, deny,
// fail, truncate or hang, so tests can watch the real SDK's retries and error handling.
import type { ServiceName } from './services/types';

/** One fault rule. Unset match fields match everything; counted faults fire `N` times then stop. */
export interface FaultRule {
    service?: ServiceName;
    operation?: string;
    region?: string;
    /** Added before every matching answer (including faults). */
    latencyMs?: number;
    /** Answer the next N matching requests with the service's throttling error. */
    throttle?: number;
    /** Send throttling with this status instead of the service's own (e.g. 429). */
    throttleStatus?: number;
    /** Answer every matching request with the service's access-denied error. */
    accessDenied?: boolean;
    /** Answer the next N matching requests with HTTP 500 and the service's internal error. */
    serverError?: number;
    /** Cut the next N matching response bodies in half and close the connection. */
    truncate?: number;
    /** Never answer matching requests (for client timeouts). */
    hang?: boolean;
}

/** What to do with one request. */
export type FaultAction = 'hang' | 'accessDenied' | 'throttle' | 'serverError' | 'truncate';

export interface FaultPlan {
    latencyMs: number;
    action?: FaultAction;
    throttleStatus?: number;
}

const KNOWN_KEYS = new Set(['service', 'operation', 'region', 'latencyMs', 'throttle', 'throttleStatus', 'accessDenied', 'serverError', 'truncate', 'hang']);

/** Checks rules from a file or the admin endpoint; says which rule and field is wrong. */
export function validateFaultRules(rules: unknown, source: string): FaultRule[] {
    const list = Array.isArray(rules) ? rules : (rules as { rules?: unknown })?.rules;
    if (!Array.isArray(list)) throw new Error(`localaws: ${source} must be a JSON array of fault rules (or { "rules": [...] })`);
    list.forEach((rule, i) => {
        if (typeof rule !== 'object' || rule === null) throw new Error(`localaws: ${source} rule ${i} is not an object`);
        for (const key of Object.keys(rule)) {
            if (!KNOWN_KEYS.has(key)) throw new Error(`localaws: ${source} rule ${i} has unknown field "${key}"; known: ${[...KNOWN_KEYS].join(', ')}`);
        }
        for (const key of ['latencyMs', 'throttle', 'throttleStatus', 'serverError', 'truncate'] as const) {
            const value = (rule as FaultRule)[key];
            if (value !== undefined && (!Number.isInteger(value) || value < 0)) throw new Error(`localaws: ${source} rule ${i} field "${key}" must be a non-negative integer`);
        }
    });
    return list as FaultRule[];
}

export class FaultInjector {
    private rules: FaultRule[] = [];

    /** Replaces the rules; counted faults start afresh. */
    set(rules: FaultRule[]): void {
        this.rules = rules.map((r) => ({ ...r }));
    }

    /** Decides the fate of one request and consumes counted faults. */
    plan(service: ServiceName, operation: string, region: string): FaultPlan {
        const plan: FaultPlan = { latencyMs: 0 };
        for (const rule of this.rules) {
            if ((rule.service && rule.service !== service) || (rule.operation && rule.operation !== operation) || (rule.region && rule.region !== region)) continue;
            plan.latencyMs += rule.latencyMs ?? 0;
            if (plan.action) continue;
            if (rule.hang) plan.action = 'hang';
            else if (rule.accessDenied) plan.action = 'accessDenied';
            else if ((rule.throttle ?? 0) > 0) {
                rule.throttle = (rule.throttle as number) - 1;
                plan.action = 'throttle';
                plan.throttleStatus = rule.throttleStatus;
            } else if ((rule.serverError ?? 0) > 0) {
                rule.serverError = (rule.serverError as number) - 1;
                plan.action = 'serverError';
            } else if ((rule.truncate ?? 0) > 0) {
                rule.truncate = (rule.truncate as number) - 1;
                plan.action = 'truncate';
            }
        }
        return plan;
    }
}
