import { mkdir, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { HOME_HINT, StoreError } from './storeError';

/** The folder name under the user's home directory when nothing else is set. */
export const DEFAULT_HOME_FOLDER = '.policy-insights';

/**
 * The store home: `--home`, then POLICY_INSIGHTS_HOME, then the policyInsights.home
 * setting, then ~/.policy-insights. A leading `~` is expanded; the result is absolute.
 */
export function resolveHome(opts: { flag?: string; env?: NodeJS.ProcessEnv; setting?: string }): string {
    const env = opts.env ?? process.env;
    const chosen = [opts.flag, env.POLICY_INSIGHTS_HOME, opts.setting].find((value) => value !== undefined && value.trim() !== '');
    return resolve(expandTilde(chosen?.trim() ?? join('~', DEFAULT_HOME_FOLDER)));
}

function expandTilde(path: string): string {
    if (path === '~') return homedir();
    if (path.startsWith('~/') || path.startsWith('~\\')) return join(homedir(), path.slice(2));
    return path;
}

/**
 * Creates those of `folders` (the home first) that are missing; EUNWRITABLE when one cannot
 * be. Nothing is written when they exist: read-only commands work on a read-only home, and a
 * write there fails with EUNWRITABLE naming the file it was for.
 */
export async function ensureFolders(home: string, folders: string[]): Promise<void> {
    for (const folder of [home, ...folders]) {
        try {
            if ((await stat(folder)).isDirectory()) continue;
        } catch {
            // missing (or unreadable): mkdir says which
        }
        try {
            await mkdir(folder, { recursive: true });
        } catch (error) {
            throw homeError(folder, 'create the folder', error);
        }
    }
}

function homeError(path: string, doing: string, cause: unknown): StoreError {
    const code = (cause as NodeJS.ErrnoException | undefined)?.code;
    const why =
        code === 'EEXIST' || code === 'ENOTDIR'
            ? 'a file is in the way where a folder should be'
            : cause instanceof Error
              ? cause.message
              : String(cause);
    return new StoreError('EUNWRITABLE', path, `Policy Insights cannot ${doing} ${path} for its store: ${why}. ${HOME_HINT}`, { cause });
}
