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

/**
 * The document violationsToJson writes, in parts, for writing it a batch at a time: `head`,
 * then `items` of each batch (joined by `separator` between batches), then `tail`. The
 * parts concatenate to exactly violationsToJson's text.
 */
export function violationsJsonParts(now: Date, count: number, total: number): { head: string; items(violations: readonly Violation[]): string; separator: string; tail: string } {
    const empty = violationsToJson([], now, total).replace('"count": 0', `"count": ${count}`);
    // JSON.stringify's layout at depth 2: each violation indented four spaces, one per line group.
    const at = empty.lastIndexOf('[]');
    if (count === 0) return { head: empty, items: () => '', separator: '', tail: '' };
    return {
        head: `${empty.slice(0, at)}[\n`,
        items: (violations) => violations.map((v) => `    ${JSON.stringify(v, null, 2).replace(/\n/g, '\n    ')}`).join(',\n'),
        separator: ',\n',
        tail: `\n  ${empty.slice(at + 1)}`,
    };
}
