import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Store } from '../store';
import { UserError } from '../userErrors';

// The exit codes' one home is ../exitCodes.ts (user errors carry theirs); the command tables import them from here.
export { EXIT_FINDINGS, EXIT_OK, EXIT_STORE_RECOVERED, EXIT_USAGE } from '../exitCodes';

/** Bad usage or bad input: printed with the command's usage, exit 2. */
export class UsageError extends UserError {}

type OptionsSpec = NonNullable<ParseArgsConfig['options']>;

export interface CommandContext {
    /** The resolved store home. */
    home: string;
    values: Record<string, string | boolean | string[] | undefined>;
    positionals: string[];
    out: (line: string) => void;
    err: (line: string) => void;
    /** Set by withStore when the store recovered a file or lost a write during the command (see EXIT_STORE_RECOVERED). */
    storeTrouble?: boolean;
    /** Set by evaluateAfter when a policy pack failed to load, crashed or timed out: the command then exits 1, not 0. */
    packTrouble?: boolean;
}

/** One leaf of the command tree. */
export interface CommandSpec {
    /** Words after `policy-insights`, e.g. ['policy', 'group', 'new']. */
    path: string[];
    /** Arguments after the path, e.g. '<name> [--entity-type accounts|stacks]'. */
    usage: string;
    summary: string;
    options?: OptionsSpec;
    /** Accepted number of positionals: [min, max]. */
    positionals?: [number, number];
    /** Absent: the command is part of the contract but not built yet. */
    run?: (ctx: CommandContext) => Promise<number>;
}

/** Options every command takes. */
export const GLOBAL_OPTIONS: OptionsSpec = {
    home: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
};

export function commandLine(spec: CommandSpec): string {
    return `policy-insights ${spec.path.join(' ')}${spec.usage ? ` ${spec.usage}` : ''}`;
}

/** Parses a leaf command's own arguments (after its path) strictly. */
export function parseCommandArgs(spec: CommandSpec, args: string[]): { values: CommandContext['values']; positionals: string[] } {
    let parsed;
    try {
        parsed = parseArgs({ args, options: { ...GLOBAL_OPTIONS, ...spec.options }, allowPositionals: true, strict: true });
    } catch (err) {
        throw new UsageError((err as Error).message.replace(/^TypeError \[\w+\]: /, ''));
    }
    const [min, max] = spec.positionals ?? [0, 0];
    const count = parsed.positionals.length;
    if (!parsed.values.help && (count < min || count > max)) {
        const extra = count > max ? `unexpected argument '${parsed.positionals[max]}'` : 'missing argument';
        throw new UsageError(`${extra}`);
    }
    return parsed as { values: CommandContext['values']; positionals: string[] };
}

/**
 * Opens the store for one command and closes it afterwards. Every file the store recovers
 * while the command runs (at open or at any later read) is reported on stderr with its path,
 * and so is a write of this command that something outside the store undid; either makes
 * the command exit EXIT_STORE_RECOVERED instead of 0 (see runCli).
 */
export async function withStore<T>(ctx: CommandContext, use: (store: Store) => Promise<T>): Promise<T> {
    // The store (lowdb and its files) loads with the first command that opens it, not with every command line.
    const { Store, describeRecovery } = await import('../store');
    const store = await Store.open({ home: ctx.home });
    const recoveries = store.onRecovered((report) => {
        ctx.storeTrouble = true;
        ctx.err(`warning: ${describeRecovery(report)}`);
    });
    try {
        return await use(store);
    } finally {
        recoveries.dispose();
        for (const file of await store.replacedWrites().catch(() => [])) {
            ctx.storeTrouble = true;
            ctx.err(
                `warning: ${file} was replaced by another writer after this command wrote it, outside the store's lock (a policy pack or another program?): ` +
                    'this command\'s change may be lost. Check it and run the command again if it is.',
            );
        }
        await store.close();
    }
}
