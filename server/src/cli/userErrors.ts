/**
 * The exit code each user error gets (see ../userErrors.ts for which errors those are):
 * 1 for findings or validation errors to act on, 2 for bad usage or bad input. runCli
 * prints them as `policy-insights <command>: <message>`; anything else is a bug and is
 * printed with its stack.
 */
import { GroupError } from '../groups';
import { PublishError } from '../registry/publish';
import { isUserError } from '../userErrors';
import { EXIT_FINDINGS, EXIT_USAGE } from './command';

/** The exit code for a user error, or undefined when `err` is not one. */
export function userErrorExitCode(err: unknown): number | undefined {
    if (err instanceof GroupError) return err.code === 'invalid-config' ? EXIT_FINDINGS : EXIT_USAGE;
    if (err instanceof PublishError) return err.code === 'invalid-pack' ? EXIT_FINDINGS : EXIT_USAGE;
    return isUserError(err) ? EXIT_USAGE : undefined;
}
