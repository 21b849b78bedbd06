import { RunnerPool } from '../runner';
import type { CommandContext } from './command';

/**
 * `--grant-env PACK` (repeatable) on the commands that run packs: that pack's hosts inherit the
 * whole environment (cloud credentials included); every other pack gets a minimal one.
 */
export const GRANT_ENV_OPTION = { 'grant-env': { type: 'string', multiple: true } } as const;

/**
 * A runner pool for one CLI command: packs run out of process and every host is stopped
 * when the command ends, so the CLI exits promptly.
 */
export async function withRunner<T>(use: (runner: RunnerPool) => Promise<T>, ctx?: CommandContext): Promise<T> {
    const grants = ctx?.values['grant-env'];
    const runner = new RunnerPool({ maxHosts: 2, environmentGrants: Array.isArray(grants) ? grants : [] });
    try {
        return await use(runner);
    } finally {
        await runner.dispose();
    }
}
