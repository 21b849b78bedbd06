/** Violations as JSON: the stored records, with when, how many, and how many matched (`violations --json` prints it too). */
import type { Violation } from '../../shared/model';

export interface ViolationsJson {
    generatedAt: string;
    count: number;
    /** Violations that matched; more than `count` when a limit cut the rows. */
    total: number;
    violations: Violation[];
}

export function violationsToJson(violations: readonly Violation[], now: Date, total: number = violations.length): string {
    const document: ViolationsJson = { generatedAt: now.toISOString(), count: violations.length, total, violations: [...violations] };
    return `${JSON.stringify(document, null, 2)}\n`;
}
