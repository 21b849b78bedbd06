/**
 * The errors that are the user's to fix (bad input, a refused operation, a pack that does not
 * load), from every service: each extends UserError and carries the exit code the CLI ends
 * with. The CLI prints their message without a stack (cli/runCli.ts); the language server
 * answers them with USER_ERROR_CODE, whose message the client shows as it is
 * (handlers/serverContext.ts). Anything else is a bug: the CLI prints its stack, the server
 * logs it and answers an internal error.
 *
 * This module imports no service, so telling a user error from a bug loads nothing more.
 */
import { EXIT_USAGE, type EXIT_FINDINGS } from './exitCodes';

/** The exit codes a user error can end the CLI with. */
export type UserErrorExitCode = typeof EXIT_FINDINGS | typeof EXIT_USAGE;

export class UserError extends Error {
    /**
     * EXIT_USAGE (bad usage or bad input) unless a subclass says the error is a finding or a
     * validation error to act on (EXIT_FINDINGS).
     */
    get exitCode(): UserErrorExitCode {
        return EXIT_USAGE;
    }
}

/** Why Node system errors are the user's to fix, by code; worded for "<syscall> <path> failed: <why>". */
const SYSTEM_FAILURES: Record<string, string> = {
    ENOSPC: 'the disk is full',
    EDQUOT: 'the disk quota is exhausted',
    EISDIR: 'a folder is where a file should be',
    ENOTDIR: 'a file is where a folder should be',
    EACCES: 'permission denied',
    EPERM: 'the operation is not permitted',
    EROFS: 'the file system is read-only',
    ENOENT: 'it does not exist',
};

/**
 * What a Node system error that names its path (ENOSPC, EISDIR, EACCES...) says to the user;
 * undefined for anything else. The fix is the user's (free space, permissions, the path), so
 * it is a message, not a stack.
 */
function systemFailure(err: unknown): string | undefined {
    if (!(err instanceof Error)) return undefined;
    const { code, path, syscall } = err as NodeJS.ErrnoException;
    if (typeof code !== 'string' || !/^E[A-Z]+$/.test(code) || typeof path !== 'string') return undefined;
    return `${syscall ?? 'access'} ${path} failed: ${SYSTEM_FAILURES[code] ?? code} (${code}). Fix that (free space, permissions, the path) and try again.`;
}

/** What the user is told of `err` and the CLI's exit code for it, or undefined when `err` is a bug. */
export function userFailure(err: unknown): { message: string; exitCode: UserErrorExitCode } | undefined {
    if (err instanceof UserError) return { message: err.message, exitCode: err.exitCode };
    const failure = systemFailure(err);
    return failure === undefined ? undefined : { message: failure, exitCode: EXIT_USAGE };
}
