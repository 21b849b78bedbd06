/**
 * A scan's progress as the CLI and VS Code show it. AWS and Kubernetes scans count tasks (a
 * service in a region or namespace); a stack import counts MiB of its state file read.
 */

/** The `service` of a stack import's progress, whose done and total are MiB of the state file. */
export const STACK_PROGRESS_SERVICE = 'pulumi-stack';

export interface ScanProgress {
    service: string;
    region?: string;
    done: number;
    total: number;
}

/** Done as a whole percentage of total (100 when there is nothing to do). */
export function progressPercent(p: ScanProgress): number {
    return p.total > 0 ? Math.min(100, Math.floor((p.done / p.total) * 100)) : 100;
}

/** One line: `[3/40] ec2 us-east-1`, or `reading the stack state: 74.2 of 200.0 MiB (37%)`. */
export function describeScanProgress(p: ScanProgress): string {
    if (p.service === STACK_PROGRESS_SERVICE) return `reading the stack state: ${p.done.toFixed(1)} of ${p.total.toFixed(1)} MiB (${progressPercent(p)}%)`;
    return `[${p.done}/${p.total}] ${p.service}${p.region ? ` ${p.region}` : ''}`;
}
