/** Violations as JSON: the stored records, with when and how many. */
import type { Violation } from '../../model';

export interface ViolationsJson {
    generatedAt: string;
    count: number;
    violations: Violation[];
}

export function violationsToJson(violations: readonly Violation[], now: Date): string {
    const document: ViolationsJson = { generatedAt: now.toISOString(), count: violations.length, violations: [...violations] };
    return `${JSON.stringify(document, null, 2)}\n`;
}
