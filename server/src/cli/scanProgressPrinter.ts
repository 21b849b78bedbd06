/**
 * A scan's progress on stderr. Tasks (AWS services, Kubernetes kinds) print a line each, as they
 * finish. A stack import reports MiB of its state read up to a hundred times: on a terminal one
 * line is rewritten in place; in a log (stderr not a terminal) a line at each quarter.
 */
import { describeScanProgress, progressPercent, STACK_PROGRESS_SERVICE, type ScanProgress } from '../shared/scanProgress';
import type { CommandContext } from './command';

export class ScanProgressPrinter {
    private lastQuarter = -1;
    /** A rewritten line is on the terminal without its newline. */
    private open = false;

    constructor(
        private readonly ctx: Pick<CommandContext, 'err'>,
        private readonly terminal: { isTTY?: boolean; write(text: string): unknown } = process.stderr,
    ) {}

    show(p: ScanProgress): void {
        if (p.service !== STACK_PROGRESS_SERVICE) return this.ctx.err(describeScanProgress(p));
        if (this.terminal.isTTY) {
            // the text is ours (numbers and words): nothing to make terminal-safe
            this.terminal.write(`\r${describeScanProgress(p)}`);
            this.open = true;
            return;
        }
        const quarter = Math.floor(progressPercent(p) / 25);
        if (quarter > this.lastQuarter) {
            this.lastQuarter = quarter;
            this.ctx.err(describeScanProgress(p));
        }
    }

    /** Ends a rewritten line, so what follows starts on its own. */
    close(): void {
        if (this.open) this.terminal.write('\n');
        this.open = false;
    }
}
